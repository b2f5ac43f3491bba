/* SPDX-License-Identifier: BSD-2-Clause */
/* Received field parser: finds the from-clause, then the TCP-info the receiver recorded in it
 * (bracketed or parenthesised address, ident@ip, ip:port, ip.port, IPv6: prefix). */
#include "mail/received.h"

#include <stddef.h>
#include <string.h>

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Case-insensitive: does s[i..] start with the NUL-terminated word w? */
static bool starts_nocase(const char *s, size_t len, size_t i, const char *w)
{
	if (i > len) {
		return false;
	}
	/* no strlen until the first character matches: the scans below call this at every
	 * position of a field */
	size_t k = 0;
	for (; w[k] != '\0'; k++) {
		if (i + k >= len || lower(s[i + k]) != lower(w[k])) {
			return false;
		}
	}
	return true;
}

/* Case-insensitive search for w as a whole word (no letter or digit on either side). */
static bool has_word_nocase(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);
	for (size_t i = 0; i + n <= len; i++) {
		if (!starts_nocase(s, len, i, w)) {
			continue;
		}
		bool left = i == 0 || !is_alnum(s[i - 1]);
		bool right = i + n == len || !is_alnum(s[i + n]);
		if (left && right) {
			return true;
		}
	}
	return false;
}

/* Case-insensitive search for the phrase p anywhere in s. */
static bool has_phrase_nocase(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	for (size_t i = 0; i + n <= len; i++) {
		if (starts_nocase(s, len, i, p)) {
			return true;
		}
	}
	return false;
}

static void copy_name(char *dst, const char *src, size_t len)
{
	if (len >= MAIL_RECEIVED_NAMELEN) {
		len = MAIL_RECEIVED_NAMELEN - 1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[len] = '\0';
}

static bool all_digits(const char *s, size_t len)
{
	if (len == 0) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return true;
}

/* Parse an address literal as MTAs write it: optional "(...)" around it, "IPv6:" prefix,
 * "%zone", ":port" after IPv4, ".port" after a dotted quad. */
static bool parse_literal(const char *s, size_t len, ipbl_ipaddr_t *out)
{
	ipbl_str_t t = ipbl_str_trim((ipbl_str_t){ .ptr = s, .len = len });
	if (t.len >= 2 && t.ptr[0] == '(' && t.ptr[t.len - 1] == ')') {
		t = ipbl_str_trim((ipbl_str_t){ .ptr = t.ptr + 1, .len = t.len - 2 });
	}
	if (starts_nocase(t.ptr, t.len, 0, "ipv6:")) {
		t.ptr += 5;
		t.len -= 5;
	}
	const char *pct = t.len ? memchr(t.ptr, '%', t.len) : NULL;
	if (pct) {
		t.len = (size_t)(pct - t.ptr);
	}
	if (t.len == 0 || t.len >= IPBL_IPADDR_STRLEN + 8) {
		return false;
	}
	ipbl_ipaddr_t a;
	if (ipbl_ipaddr_parse(t, &a) == 0) {
		goto ok;
	}
	size_t colons = 0, dots = 0, last_colon = 0, last_dot = 0;
	for (size_t i = 0; i < t.len; i++) {
		if (t.ptr[i] == ':') {
			colons++;
			last_colon = i;
		} else if (t.ptr[i] == '.') {
			dots++;
			last_dot = i;
		}
	}
	size_t cut = 0;
	if (colons == 1 && dots == 3 &&
	    all_digits(t.ptr + last_colon + 1, t.len - last_colon - 1)) {
		cut = last_colon;
	} else if (colons == 0 && dots == 4 &&
		   all_digits(t.ptr + last_dot + 1, t.len - last_dot - 1)) {
		cut = last_dot;
	}
	if (cut == 0 || ipbl_ipaddr_parse((ipbl_str_t){ .ptr = t.ptr, .len = cut }, &a) != 0) {
		return false;
	}
ok:
	ipbl_ipaddr_unmap(&a);
	*out = a;
	return true;
}

/* End (index of the closing character + 1, or len) of a group opened at s[i]. */
static size_t group_end(const char *s, size_t len, size_t i)
{
	char open = s[i];
	char close = open == '(' ? ')' : ']';
	int depth = 0;
	for (size_t k = i; k < len; k++) {
		if (s[k] == open) {
			depth++;
		} else if (s[k] == close) {
			depth--;
			if (depth == 0) {
				return k + 1;
			}
		}
	}
	return len;
}

/* True when the text just before position i ends with "HELO" or "helo=" (a HELO literal). */
static bool after_helo(const char *s, size_t i)
{
	size_t k = i;
	while (k > 0 && is_space(s[k - 1])) {
		k--;
	}
	if (k > 0 && s[k - 1] == '=') {
		k--;
	}
	return k >= 4 && starts_nocase(s, k, k - 4, "helo") && (k == 4 || !is_alnum(s[k - 5]));
}

/* Word (letters, digits, '.', '-', '_') that ends right before position i, skipping spaces. */
static void word_before(const char *s, size_t i, const char **w, size_t *wlen)
{
	size_t k = i;
	while (k > 0 && is_space(s[k - 1])) {
		k--;
	}
	size_t end = k;
	while (k > 0 && !is_space(s[k - 1]) && s[k - 1] != '(' && s[k - 1] != ')') {
		k--;
	}
	*w = s + k;
	*wlen = end - k;
}

static void value_after(const char *s, size_t len, size_t i, const char **w, size_t *wlen)
{
	while (i < len && is_space(s[i])) {
		i++;
	}
	size_t k = i;
	while (k < len && !is_space(s[k]) && s[k] != ')' && s[k] != '(' && s[k] != ';' &&
	       s[k] != ',') {
		k++;
	}
	*w = s + i;
	*wlen = k - i;
}

/* The address recorded in one from-clause comment (content between the parentheses).
 * *helo_only is set when the comment is just the HELO/EHLO argument ("(HELO x)", "(EHLO x)"). */
static bool comment_addr(const char *s, size_t len, mail_received_hop_t *out, bool *helo_only)
{
	ipbl_str_t t = ipbl_str_trim((ipbl_str_t){ .ptr = s, .len = len });
	if (starts_nocase(t.ptr, t.len, 0, "helo ") || starts_nocase(t.ptr, t.len, 0, "helo=") ||
	    starts_nocase(t.ptr, t.len, 0, "ehlo ")) {
		const char *w;
		size_t wl;
		value_after(t.ptr, t.len, 5, &w, &wl);
		copy_name(out->helo, w, wl);
		*helo_only = true;
		return false;
	}
	if (parse_literal(t.ptr, t.len, &out->peer)) {
		return true;
	}
	const char *at = NULL;
	bool spaces = false;
	for (size_t i = 0; i < t.len; i++) {
		if (is_space(t.ptr[i])) {
			spaces = true;
		} else if (t.ptr[i] == '@') {
			at = t.ptr + i;
		}
	}
	if (!spaces && at) {
		size_t rest = t.len - (size_t)(at + 1 - t.ptr);
		return parse_literal(at + 1, rest, &out->peer);
	}
	for (size_t i = 0; i < t.len; i++) {
		if (t.ptr[i] != '[') {
			continue;
		}
		size_t e = group_end(t.ptr, t.len, i);
		if (after_helo(t.ptr, i)) {
			i = e - 1;
			continue;
		}
		size_t inner = e - i >= 2 ? e - i - 2 : 0;
		if (parse_literal(t.ptr + i + 1, inner, &out->peer)) {
			const char *w;
			size_t wl;
			word_before(t.ptr, i, &w, &wl);
			if (wl > 0 && !starts_nocase(w, wl, 0, "unknown")) {
				copy_name(out->rdns, w, wl);
				out->rdns_verified = !has_phrase_nocase(t.ptr, t.len, "forged");
			}
			return true;
		}
		i = e - 1;
	}
	return false;
}

/* Index where the from-clause ends: a depth-0 "by", "with", "via", "id", "for" word or ';'. */
static size_t clause_end(const char *s, size_t len, size_t i)
{
	static const char *const stops[] = { "by", "with", "via", "id", "for" };
	while (i < len) {
		char c = s[i];
		if (c == '(' || c == '[') {
			i = group_end(s, len, i);
			continue;
		}
		if (c == ';') {
			return i;
		}
		bool boundary = i == 0 || is_space(s[i - 1]) || s[i - 1] == ')' || s[i - 1] == ']';
		if (boundary && !is_space(c)) {
			for (size_t k = 0; k < sizeof(stops) / sizeof(stops[0]); k++) {
				size_t n = strlen(stops[k]);
				if (starts_nocase(s, len, i, stops[k]) &&
				    (i + n == len || is_space(s[i + n]))) {
					return i;
				}
			}
		}
		i++;
	}
	return len;
}

static void find_by(const char *s, size_t len, size_t from, mail_received_hop_t *out)
{
	size_t i = from;
	while (i < len) {
		char c = s[i];
		if (c == '(' || c == '[') {
			i = group_end(s, len, i);
			continue;
		}
		if (c == ';') {
			return;
		}
		bool boundary = i == 0 || is_space(s[i - 1]) || s[i - 1] == ')' || s[i - 1] == ']';
		if (boundary && starts_nocase(s, len, i, "by") &&
		    (i + 2 == len || is_space(s[i + 2]))) {
			const char *w;
			size_t wl;
			value_after(s, len, i + 2, &w, &wl);
			copy_name(out->by, w, wl);
			return;
		}
		i++;
	}
}

/* Length of the whole word w at s[i] (no letter or digit on either side), or 0. */
static size_t word_at(const char *s, size_t len, size_t i, const char *w)
{
	size_t n = strlen(w);
	if (!starts_nocase(s, len, i, w) || (i > 0 && is_alnum(s[i - 1])) ||
	    (i + n < len && is_alnum(s[i + n]))) {
		return 0;
	}
	return n;
}

/* The field records an HTTP submission (webmail): "via HTTP", "with HTTP" or "with HTTPS",
 * outside comments. */
static bool is_http(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '(' || s[i] == '[') {
			i = group_end(s, len, i) - 1;
			continue;
		}
		size_t n = word_at(s, len, i, "via");
		if (n == 0) {
			n = word_at(s, len, i, "with");
		}
		if (n == 0 || i + n >= len || !is_space(s[i + n])) {
			continue;
		}
		size_t k = i + n;
		while (k < len && is_space(s[k])) {
			k++;
		}
		if (word_at(s, len, k, "http") || word_at(s, len, k, "https")) {
			return true;
		}
	}
	return false;
}

static bool detect_auth(const char *s, size_t len)
{
	static const char *const words[] = { "esmtpa", "esmtpsa", "utf8smtpa", "utf8smtpsa" };
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (has_word_nocase(s, len, words[k])) {
			return true;
		}
	}
	static const char *const phrases[] = { "(authenticated", "authenticated sender",
					       "authenticated user", "(auth:", "(account " };
	for (size_t k = 0; k < sizeof(phrases) / sizeof(phrases[0]); k++) {
		if (has_phrase_nocase(s, len, phrases[k])) {
			return true;
		}
	}
	return is_http(s, len);
}

void mail_received_parse(ipbl_str_t value, mail_received_hop_t *out)
{
	memset(out, 0, sizeof(*out));
	ipbl_str_t v = ipbl_str_trim(value);
	const char *s = v.ptr;
	size_t len = v.len;
	if (len == 0) {
		return;
	}
	out->auth = detect_auth(s, len);
	if (!starts_nocase(s, len, 0, "from") || len < 5 || !is_space(s[4])) {
		find_by(s, len, 0, out);
		return;
	}
	out->has_from = true;
	size_t i = 4;
	while (i < len && is_space(s[i])) {
		i++;
	}
	size_t end = clause_end(s, len, i);
	find_by(s, len, end, out);

	/* the from-host (HELO as the receiver recorded it) */
	size_t hs = i;
	if (i < end && s[i] == '[') {
		i = group_end(s, end, i);
	} else {
		while (i < end && !is_space(s[i]) && s[i] != '(' && s[i] != '[') {
			i++;
		}
	}
	size_t he = i;
	if (he > hs && !(hs < end && s[hs] == '(')) {
		copy_name(out->helo, s + hs, he - hs);
	}

	/* the TCP-info: the first comment or literal after the host that names an address */
	bool helo_comment = false;
	while (i < end && !out->has_peer) {
		char c = s[i];
		if (is_space(c) || c == ',') {
			i++;
			continue;
		}
		if (c == '(' || c == '[') {
			size_t e = group_end(s, end, i);
			size_t inner = e - i >= 2 ? e - i - 2 : 0;
			if (c == '(') {
				out->has_peer = comment_addr(s + i + 1, inner, out, &helo_comment);
			} else if (!after_helo(s, i)) {
				out->has_peer = parse_literal(s + i + 1, inner, &out->peer);
			}
			i = e;
			continue;
		}
		while (i < end && !is_space(s[i]) && s[i] != '(' && s[i] != '[') {
			i++;
		}
	}
	if (!out->has_peer && he > hs + 1 && s[hs] == '[') {
		out->has_peer = parse_literal(s + hs + 1, he - hs - 2, &out->peer);
	}
	bool from_host_peer = false;
	if (!out->has_peer && he > hs && s[hs] != '[' && (helo_comment || is_http(s, len))) {
		/* webmail: HTTP has no HELO, the from-host is the client address it recorded; and
		 * "from IP (EHLO name) by ..." (Yahoo, AltaVista): the receiver wrote the address
		 * where others write the HELO, and put the HELO in the comment */
		from_host_peer = out->has_peer = parse_literal(s + hs, he - hs, &out->peer);
	}
	for (size_t k = hs; k + 5 <= end; k++) {
		if (starts_nocase(s, end, k, "helo=")) {
			const char *w;
			size_t wl;
			value_after(s, end, k + 5, &w, &wl);
			copy_name(out->helo, w, wl);
			break;
		}
	}
	if (out->has_peer && !from_host_peer && out->rdns[0] == '\0' && he > hs && s[hs] != '[') {
		/* qmail/Exim/Exchange put the reverse name (or "unknown") first */
		bool helo_elsewhere = has_word_nocase(s, end, "helo");
		if (helo_elsewhere && !starts_nocase(s, end, hs, "unknown")) {
			copy_name(out->rdns, s + hs, he - hs);
		}
	}
}
