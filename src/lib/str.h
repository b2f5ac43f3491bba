/* SPDX-License-Identifier: BSD-2-Clause */
/* Length-carrying string slices. Parsers work on slices and never need NUL termination.
 * A slice borrows its bytes; it owns nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct {
	const char *ptr; /* borrowed; not NUL-terminated */
	size_t len;
} ipbl_str_t;

#define IPBL_STR_LIT(s) ((ipbl_str_t){ .ptr = (s), .len = sizeof(s) - 1 })

static inline ipbl_str_t ipbl_str(const char *s)
{
	return (ipbl_str_t){ .ptr = s, .len = s ? strlen(s) : 0 };
}

static inline bool ipbl_str_eq(ipbl_str_t a, ipbl_str_t b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* ASCII case-insensitive equality. */
bool ipbl_str_eq_nocase(ipbl_str_t a, ipbl_str_t b);

/* The slice without leading and trailing spaces and tabs. */
ipbl_str_t ipbl_str_trim(ipbl_str_t s);

/* Split at the first occurrence of sep: *head is the part before, the return value is the
 * part after (len 0 and ptr NULL when sep is absent, and then *head is all of s). */
ipbl_str_t ipbl_str_split(ipbl_str_t s, char sep, ipbl_str_t *head);

/* Parse an unsigned decimal with no sign and no spaces, at most max. Returns false on any
 * other character, an empty slice or overflow. */
bool ipbl_str_to_u64(ipbl_str_t s, unsigned long long max, unsigned long long *out);
