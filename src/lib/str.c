/* SPDX-License-Identifier: BSD-2-Clause */
/* String slice helpers. */
#include "lib/str.h"

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

bool ipbl_str_eq_nocase(ipbl_str_t a, ipbl_str_t b)
{
	if (a.len != b.len) {
		return false;
	}
	for (size_t i = 0; i < a.len; i++) {
		if (lower(a.ptr[i]) != lower(b.ptr[i])) {
			return false;
		}
	}
	return true;
}

ipbl_str_t ipbl_str_trim(ipbl_str_t s)
{
	while (s.len > 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
		s.ptr++;
		s.len--;
	}
	while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t' ||
			     s.ptr[s.len - 1] == '\r' || s.ptr[s.len - 1] == '\n')) {
		s.len--;
	}
	return s;
}

ipbl_str_t ipbl_str_split(ipbl_str_t s, char sep, ipbl_str_t *head)
{
	const char *p = s.len ? memchr(s.ptr, sep, s.len) : NULL;
	if (p == NULL) {
		*head = s;
		return (ipbl_str_t){ NULL, 0 };
	}
	head->ptr = s.ptr;
	head->len = (size_t)(p - s.ptr);
	return (ipbl_str_t){ p + 1, s.len - head->len - 1 };
}

bool ipbl_str_to_u64(ipbl_str_t s, unsigned long long max, unsigned long long *out)
{
	if (s.len == 0) {
		return false;
	}
	unsigned long long v = 0;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (c < '0' || c > '9') {
			return false;
		}
		unsigned d = (unsigned)(c - '0');
		if (v > (max - d) / 10) {
			return false;
		}
		v = v * 10 + d;
	}
	*out = v;
	return true;
}
