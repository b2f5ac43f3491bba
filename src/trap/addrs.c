/* SPDX-License-Identifier: BSD-2-Clause */
/* Trap address matching: a linear scan, since a trap has a handful of patterns and a session
 * a bounded number of recipients. */
#include "trap/addrs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	char *text; /* "user@domain" or "@domain" */
	size_t len;
	bool domain; /* "@domain": match the domain part only */
} pattern_t;

struct trap_addrs {
	pattern_t *p;
	size_t n;
};

void trap_addrs_free(trap_addrs_t *a)
{
	if (a == NULL) {
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		free(a->p[i].text);
	}
	free(a->p);
	free(a);
}

/* A pattern: optional local part, one '@', a non-empty domain, no spaces or brackets. */
static bool pattern_ok(const char *s)
{
	const char *at = strchr(s, '@');
	if (at == NULL || at[1] == '\0' || strchr(at + 1, '@') != NULL) {
		return false;
	}
	for (const char *p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == '<' || c == '>' || c == 0x7f) {
			return false;
		}
	}
	return true;
}

int trap_addrs_new(const char *const *patterns, size_t n, trap_addrs_t **out, char *err,
		   size_t err_len)
{
	trap_addrs_t *a = calloc(1, sizeof(*a));
	if (a == NULL) {
		return IPBL_ENOMEM;
	}
	a->p = calloc(n ? n : 1, sizeof(*a->p));
	if (a->p == NULL) {
		free(a);
		return IPBL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (!pattern_ok(patterns[i])) {
			snprintf(err, err_len,
				 "'%s' is not a trap address (want user@domain or @domain)",
				 patterns[i]);
			trap_addrs_free(a);
			return IPBL_ECONF;
		}
		a->p[i].text = strdup(patterns[i]);
		if (a->p[i].text == NULL) {
			trap_addrs_free(a);
			return IPBL_ENOMEM;
		}
		a->p[i].len = strlen(patterns[i]);
		a->p[i].domain = patterns[i][0] == '@';
		a->n = i + 1;
	}
	*out = a;
	return 0;
}

bool trap_addrs_match(const trap_addrs_t *a, ipbl_str_t addr)
{
	if (addr.ptr == NULL || addr.len == 0) {
		return false;
	}
	const char *at = memrchr(addr.ptr, '@', addr.len);
	if (at == NULL || at == addr.ptr) {
		return false; /* no domain or no local part: never a trap */
	}
	ipbl_str_t domain = { at, addr.len - (size_t)(at - addr.ptr) }; /* with the '@' */
	for (size_t i = 0; i < a->n; i++) {
		const pattern_t *p = &a->p[i];
		ipbl_str_t want = { p->text, p->len };
		if (ipbl_str_eq_nocase(p->domain ? domain : addr, want)) {
			return true;
		}
	}
	return false;
}
