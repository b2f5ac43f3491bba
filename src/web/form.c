/* SPDX-License-Identifier: BSD-2-Clause */
/* The form decoder. Names are compared after decoding, as browsers may escape them. */
#include "web/form.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* Decode s[0..len) into out (room for len bytes; decoding never grows). Returns the decoded
 * length, or -1 for a bad escape. */
static long decode(const char *s, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (len - i < 3) {
				return -1;
			}
			int hi = hex_value(s[i + 1]);
			int lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0) {
				return -1;
			}
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		out[o++] = c;
	}
	return (long)o;
}

/* Set *match when the encoded name s[0..len) decodes to name. Returns 0, IPBL_EFORMAT for a
 * bad escape, or IPBL_ENOMEM. */
static int name_matches(const char *s, size_t len, const char *name, bool *match)
{
	size_t want = strlen(name);
	*match = false;
	if (len < want) {
		return 0; /* an escaped name is never shorter than its decoded form */
	}
	char small[64];
	char *buf = len <= sizeof(small) ? small : malloc(len);
	if (buf == NULL) {
		return IPBL_ENOMEM;
	}
	long n = decode(s, len, buf);
	int ret = 0;
	if (n < 0) {
		ret = IPBL_EFORMAT;
	} else {
		*match = (size_t)n == want && memcmp(buf, name, want) == 0;
	}
	if (buf != small) {
		free(buf);
	}
	return ret;
}

size_t web_form_count(const char *body, size_t len)
{
	size_t n = 0, i = 0;
	while (i < len) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - body) : len;
		n += end > i;
		i = end + 1;
	}
	return n;
}

int web_form_field(const char *body, size_t len, const char *name, char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	size_t i = 0;
	while (i < len) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - body) : len;
		const char *field = body + i;
		size_t flen = end - i;
		const char *eq = memchr(field, '=', flen);
		size_t nlen = eq ? (size_t)(eq - field) : flen;
		bool match = false;
		int ret = name_matches(field, nlen, name, &match);
		if (ret != 0) {
			return ret;
		}
		if (match) {
			const char *val = eq ? eq + 1 : field + flen;
			size_t vlen = (size_t)(field + flen - val);
			char *buf = malloc(vlen + 1);
			if (buf == NULL) {
				return IPBL_ENOMEM;
			}
			long n = decode(val, vlen, buf);
			if (n < 0) {
				free(buf);
				return IPBL_EFORMAT;
			}
			buf[n] = '\0';
			*out = buf;
			*out_len = (size_t)n;
			return 0;
		}
		i = end + 1;
	}
	return IPBL_ENOENT;
}
