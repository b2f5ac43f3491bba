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

/* Collapse white space runs to one space, trim and fold ASCII case, in place. */
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
	char *out = strdup(decoded);
	g_free(decoded);
	if (out != NULL) {
		squeeze_fold(out);
	}
	return out;
}
