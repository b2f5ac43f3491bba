/* SPDX-License-Identifier: BSD-2-Clause */
/* The normal form of a Subject line (see subject.h): GMime decodes the encoded-words, the rest
 * is ours. */
#include "mail/subject.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message_internal.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Collapse white space runs to one space, trim and fold ASCII case (what is left of it after
 * fold_unicode, or all of it in text that is not UTF-8), in place. */
static void squeeze_fold(char *s)
{
	size_t k = 0;
	bool gap = false;
	for (const char *p = s; *p != '\0'; p++) {
		if (is_space(*p)) {
			gap = k > 0;
			continue;
		}
		if (gap) {
			s[k++] = ' ';
			gap = false;
		}
		s[k++] = (char)g_ascii_tolower(*p);
	}
	s[k] = '\0';
}

/* Unicode compatibility normalisation and case folding (NFKC, fold, NFKC) of UTF-8 text, so
 * that "ÉTÉ" finds "été", a composed é a decomposed one, and a no-break space a space; text
 * that is not UTF-8 is returned as it is. A new string (g_free). */
static char *fold_unicode(const char *s)
{
	if (!g_utf8_validate(s, -1, NULL)) {
		return g_strdup(s);
	}
	char *norm = g_utf8_normalize(s, -1, G_NORMALIZE_NFKC);
	char *folded = norm != NULL ? g_utf8_casefold(norm, -1) : NULL;
	char *out = folded != NULL ? g_utf8_normalize(folded, -1, G_NORMALIZE_NFKC) : NULL;
	g_free(norm);
	g_free(folded);
	return out != NULL ? out : g_strdup(s);
}

char *mail_subject_normalise(const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);
	size_t n = nul != NULL ? (size_t)(nul - text) : len;
	char *copy = malloc(n + 1);
	if (copy == NULL) {
		return NULL;
	}
	memcpy(copy, text, n);
	copy[n] = '\0';
	/* RFC 2047 §6.2: white space between adjacent encoded-words is dropped, and a word that
	 * cannot be decoded stays as it is */
	mail_gmime_init();
	char *decoded = g_mime_utils_header_decode_text(NULL, copy);
	free(copy);
	if (decoded == NULL) {
		return NULL;
	}
	char *folded = fold_unicode(decoded);
	g_free(decoded);
	char *out = strdup(folded);
	g_free(folded);
	if (out != NULL) {
		squeeze_fold(out);
	}
	return out;
}
