/* SPDX-License-Identifier: BSD-2-Clause */
/* The reporter from a submit+NAME delivery address (see submit.h). */
#include "mail/submit.h"

#include <string.h>
#include <strings.h>

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* May a local part start at v[i]? (start of value, or after white space, '<', ',', ':', '"'
 * or '(') */
static bool local_part_start(const char *v, size_t i)
{
	return i == 0 || strchr(" \t\r\n<,:;\"(", v[i - 1]) != NULL;
}

/* The NAME of the first "submit+NAME@" or "spam+NAME@" address in v[0..n), if valid. */
static bool name_in_value(const char *v, size_t n, char name[MAIL_SUBMIT_NAMELEN])
{
	static const char *const prefixes[] = { "submit+", "spam+" };
	for (size_t i = 0; i < n; i++) {
		if (!local_part_start(v, i)) {
			continue;
		}
		for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
			size_t pl = strlen(prefixes[p]);
			if (n - i < pl || strncasecmp(v + i, prefixes[p], pl) != 0) {
				continue;
			}
			size_t k = i + pl;
			while (k < n && is_name_char(v[k])) {
				k++;
			}
			size_t len = k - (i + pl);
			if (k < n && v[k] == '@' && len >= 1 && len < MAIL_SUBMIT_NAMELEN) {
				memcpy(name, v + i + pl, len);
				name[len] = '\0';
				return true;
			}
		}
	}
	return false;
}

/* The value (with its continuation lines) of the first field called fname in the header
 * block data[0..len), or false. */
static bool first_field(const char *data, size_t len, const char *fname, const char **value,
			size_t *vlen)
{
	size_t fl = strlen(fname);
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t eol = nl ? (size_t)(nl - data) : len;
		if (eol == i || (eol == i + 1 && data[i] == '\r')) {
			return false; /* the empty line: end of the header */
		}
		size_t end = eol;
		while (end + 1 < len && (data[end + 1] == ' ' || data[end + 1] == '\t')) {
			const char *more = memchr(data + end + 1, '\n', len - end - 1);
			end = more ? (size_t)(more - data) : len;
		}
		if (eol - i > fl && strncasecmp(data + i, fname, fl) == 0) {
			size_t k = i + fl;
			while (k < eol && (data[k] == ' ' || data[k] == '\t')) {
				k++;
			}
			if (k < eol && data[k] == ':') {
				*value = data + k + 1;
				*vlen = end - (k + 1);
				return true;
			}
		}
		i = end + 1;
	}
	return false;
}

bool mail_submit_reporter(const char *data, size_t len, char name[MAIL_SUBMIT_NAMELEN])
{
	static const char *const fields[] = { "Delivered-To", "X-Original-To", "Envelope-To",
					      "To" };
	name[0] = '\0';
	if (data == NULL) {
		return false;
	}
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		const char *v;
		size_t vlen;
		if (first_field(data, len, fields[f], &v, &vlen) && name_in_value(v, vlen, name)) {
			return true;
		}
	}
	name[0] = '\0';
	return false;
}
