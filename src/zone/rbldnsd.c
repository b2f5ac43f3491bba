/* SPDX-License-Identifier: BSD-2-Clause */
/* rbldnsd data files (ip4set, ip4trie, ip4tset, ip6trie, ip6tset and per-line "auto") into a
 * zone builder. Accepts what rbldnsd accepts, but rejects the whole file on the first bad line
 * (rbldnsd skips it) so that the server keeps its previous good data.
 *
 * DESIGN
 * - One pass over the bytes, line by line, with no allocation and no copy: addresses are
 *   parsed by hand from the line, values are slices of the input. Only distinct A/TXT pairs
 *   are interned, and a one-entry cache skips interning when a line repeats the value of the
 *   line before. The bulk of a real list, "a.b.c.d\n" lines, takes a fast path that parses
 *   octets without data-dependent branches and needs no line scan; anything else on the line
 *   sends it to the general parser, which has the last word (a unit test checks they agree).
 * - rbldnsd expands "$n" and "$=" when it answers, from the first definition anywhere in the
 *   dataset. We expand them here, once per distinct value, so a short pre-pass collects the
 *   definitions first; it runs only when the data holds a '$' at all (or, for ip4tset and
 *   ip6tset, to find the first ":A:TXT" line, which rbldnsd uses for every entry). The stored
 *   template keeps rbldnsd's runtime meaning: "$" is the queried address and "$$" a literal
 *   dollar sign.
 * - Precedence follows the builder's rank: an ip4set range is cut into the same octet-aligned
 *   pieces rbldnsd's ip4set stores (levels /32, /24, /16, /8; rank = level), CIDR datasets
 *   use the prefix length. */
#include "zone/rbldnsd.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/str.h"

#define LINE_MAX_BYTES 4096   /* longest line accepted, without its line ending */
#define TXT_RAW_MAX 255	      /* longest TXT text in a value (rbldnsd cuts longer ones) */
#define TXT_TEMPLATE_MAX 4000 /* longest template after substitution (builder limit) */
#define DEFAULT_A 0x7f000002u /* rbldnsd's A value when no ":A:TXT" line says otherwise */
#define SUBST_BASE 10	      /* index of the "$=" base template among the variables */
#define TOKEN_QUOTE_MAX 48    /* bytes of an offending token quoted in messages */

typedef struct {
	zone_builder_t *b;
	enum zone_rbldnsd_type type;
	zone_rbldnsd_error_t *err;
	unsigned line; /* current line number, 1-based */

	ipbl_str_t subst[SUBST_BASE + 1]; /* "$0".."$9" and "$=", first definition wins */
	bool subst_set[SUBST_BASE + 1];

	uint32_t def_a;	    /* A of the current ":A:TXT" default */
	ipbl_str_t def_txt; /* raw TXT of the current default (a slice of the input) */
	uint32_t def_id;    /* value id for entries without a value of their own */
	uint32_t tset_id;   /* ip4tset/ip6tset: the one value of every entry */

	bool cache_valid; /* the last interned (A, raw TXT) pair and its id */
	uint32_t cache_a;
	ipbl_str_t cache_txt;
	uint32_t cache_id;

	size_t tmpl_len;
	char tmpl[TXT_TEMPLATE_MAX + 1]; /* scratch for the expanded template */
} parser_t;

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool is_comment(char c)
{
	return c == '#' || c == ';';
}

static inline int hex_value(char c)
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

static inline const char *skip_space(const char *p, const char *e)
{
	while (p < e && is_space(*p)) {
		p++;
	}
	return p;
}

/* After an address: end of line, blank, comment or the ':' of a value. */
static inline bool addr_end_ok(const char *p, const char *e)
{
	return p == e || is_space(*p) || is_comment(*p) || *p == ':';
}

static inline uint32_t ip4_mask(unsigned bits)
{
	return bits == 0 ? 0 : ~(uint32_t)0 << (32 - bits);
}

/* ---- errors ---- */

static int fail(parser_t *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(parser_t *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err->message, sizeof(ps->err->message), fmt, ap);
	va_end(ap);
	ps->err->line = ps->line;
	return IPBL_EPARSE;
}

/* The token at p (up to a blank or the line end) as printable text for a message. */
static const char *quote(char *buf, size_t size, const char *p, const char *e)
{
	size_t n = 0;
	while (p < e && !is_space(*p) && n + 4 < size) {
		char c = *p++;
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f) {
			c = '?';
		}
		buf[n++] = c;
		if (n == TOKEN_QUOTE_MAX) {
			break;
		}
	}
	if (p < e && !is_space(*p)) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* A printable description of the character at p for "unexpected ..." messages. */
static const char *char_name(char *buf, size_t size, const char *p, const char *e)
{
	if (p == e) {
		snprintf(buf, size, "end of line");
	} else if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f) {
		snprintf(buf, size, "'%c'", *p);
	} else {
		snprintf(buf, size, "byte 0x%02x", (unsigned char)*p);
	}
	return buf;
}

/* ---- address parsing ---- */

enum addr_err {
	AE_OK = 0,
	AE_EXPECTED,  /* no address where one should start */
	AE_OCTET,     /* octet > 255 */
	AE_MISSING,   /* separator not followed by a number */
	AE_PREFIXLEN, /* bad or too large /len */
	AE_HOSTBITS,  /* bits set below the prefix length */
	AE_REVERSED,  /* range end before start */
	AE_BARE,      /* a single number (or a single IPv6 group) */
	AE_ZEROLEN,   /* /0 in ip4set */
	AE_GROUP,     /* IPv6 group over 0xffff */
	AE_TWO_GAPS,  /* two "::" */
	AE_NO_ROOM,   /* "::" with eight groups */
	AE_TRAILING,  /* garbage right after the address */
};

static const char *addr_err_text(enum addr_err e)
{
	switch (e) {
	case AE_OK:
		break;
	case AE_EXPECTED:
		return "not an address";
	case AE_OCTET:
		return "a number greater than 255";
	case AE_MISSING:
		return "a separator not followed by a number";
	case AE_PREFIXLEN:
		return "a missing or too large prefix length";
	case AE_HOSTBITS:
		return "bits set after the prefix length";
	case AE_REVERSED:
		return "the range ends before it starts";
	case AE_BARE:
		return "a bare number is not an address (write 127/8 or 2001/16 for a prefix)";
	case AE_ZEROLEN:
		return "a /0 range is not allowed in ip4set";
	case AE_GROUP:
		return "a group greater than ffff";
	case AE_TWO_GAPS:
		return "more than one '::'";
	case AE_NO_ROOM:
		return "'::' with eight groups";
	case AE_TRAILING:
		return "unexpected text after the address";
	}
	return "invalid";
}

/* 1 to 4 dotted decimal octets, the first at the top: "127.0.0" is 0x7f000000 and 3. */
static enum addr_err ip4_octets(const char **pp, const char *e, uint32_t *out, unsigned *n_out)
{
	const char *p = *pp;
	uint32_t a = 0;
	unsigned n = 0;
	for (;;) {
		unsigned o;
		if (p == e || !is_digit(*p)) {
			return n == 0 ? AE_EXPECTED : AE_MISSING;
		}
		o = (unsigned)(*p++ - '0');
		while (p < e && is_digit(*p)) {
			o = o * 10 + (unsigned)(*p++ - '0');
			if (o > 255) {
				return AE_OCTET;
			}
		}
		a |= (uint32_t)o << (24 - 8 * n);
		n++;
		if (n == 4 || p == e || *p != '.') {
			break;
		}
		p++;
	}
	*pp = p;
	*out = a;
	*n_out = n;
	return AE_OK;
}

/* "/len" at p (p points at '/'), len 0..max. */
static enum addr_err prefix_len(const char **pp, const char *e, unsigned max, unsigned *out)
{
	const char *p = *pp + 1;
	unsigned v;
	if (p == e || !is_digit(*p)) {
		return AE_PREFIXLEN;
	}
	v = (unsigned)(*p++ - '0');
	while (p < e && is_digit(*p)) {
		v = v * 10 + (unsigned)(*p++ - '0');
		if (v > max) {
			return AE_PREFIXLEN;
		}
	}
	if (v > max) {
		return AE_PREFIXLEN;
	}
	*pp = p;
	*out = v;
	return AE_OK;
}

/* ip4set syntax: "a.b.c.d", a prefix "a.b.c", CIDR "a.b/len", a range of prefixes or addresses
 * "a.b.c.d-e.f.g.h" / "a.b-c.d" (the end completed with ones), or "a.b.c.d-h" where the single
 * number after '-' replaces the last given octet. */
static enum addr_err ip4set_range(const char **pp, const char *e, uint32_t *lo, uint32_t *hi)
{
	const char *p = *pp;
	uint32_t a, z;
	unsigned n, nz, bits;
	enum addr_err ae = ip4_octets(&p, e, &a, &n);
	if (ae != AE_OK) {
		return ae;
	}
	if (p < e && *p == '-') {
		p++;
		ae = ip4_octets(&p, e, &z, &nz);
		if (ae != AE_OK) {
			return ae == AE_EXPECTED ? AE_MISSING : ae;
		}
		if (nz == 1) {
			/* "127.0.0.1-255": the number replaces the last octet given before '-' */
			z = (z >> (8 * (n - 1))) | (a & ip4_mask(8 * (n - 1)));
			nz = n;
		}
		z |= ~ip4_mask(8 * nz);
		if (a > z) {
			return AE_REVERSED;
		}
	} else if (p < e && *p == '/') {
		ae = prefix_len(&p, e, 32, &bits);
		if (ae != AE_OK) {
			return ae;
		}
		if (bits == 0) {
			return AE_ZEROLEN;
		}
		if (a & ~ip4_mask(bits)) {
			return AE_HOSTBITS;
		}
		z = a | ~ip4_mask(bits);
	} else {
		if (n == 1) {
			return AE_BARE;
		}
		z = a | ~ip4_mask(8 * n);
	}
	*pp = p;
	if (!addr_end_ok(p, e)) {
		return AE_TRAILING;
	}
	*lo = a;
	*hi = z;
	return AE_OK;
}

/* ip4trie syntax: "a.b.c.d", "a.b.c" (a /24), "a.b.c.d/len" with 0 <= len <= 32. */
static enum addr_err ip4_cidr(const char **pp, const char *e, uint32_t *addr, unsigned *bits)
{
	const char *p = *pp;
	uint32_t a;
	unsigned n;
	enum addr_err ae = ip4_octets(&p, e, &a, &n);
	if (ae != AE_OK) {
		return ae;
	}
	if (p < e && *p == '/') {
		ae = prefix_len(&p, e, 32, bits);
		if (ae != AE_OK) {
			return ae;
		}
	} else if (n == 1) {
		return AE_BARE;
	} else {
		*bits = 8 * n;
	}
	*pp = p;
	if (!addr_end_ok(p, e)) {
		return AE_TRAILING;
	}
	if (a & ~ip4_mask(*bits)) {
		return AE_HOSTBITS;
	}
	*addr = a;
	return AE_OK;
}

/* IPv6 as rbldnsd reads it: up to eight groups of hex digits; without "::", missing trailing
 * groups are zero and *bits is 16 per group given; with "::", *bits is 128. *colon_ok says
 * whether a ':' right after the address can start a value (only after eight groups, as
 * otherwise it would be part of the address). */
static enum addr_err ip6_prefix(const char **pp, const char *e, uint8_t out[16], unsigned *bits,
				bool *colon_ok)
{
	const char *p = *pp;
	uint16_t g[8];
	unsigned n = 0;
	int gap = -1; /* group index where "::" stands */
	if (e - p >= 2 && p[0] == ':' && p[1] == ':') {
		gap = 0;
		p += 2;
	}
	for (;;) {
		unsigned v = 0, digits = 0;
		int h;
		while (p < e && (h = hex_value(*p)) >= 0) {
			v = (v << 4) | (unsigned)h;
			if (v > 0xffff) {
				return AE_GROUP;
			}
			p++;
			digits++;
		}
		if (digits == 0) {
			if (n == 0 && gap < 0) {
				return AE_EXPECTED;
			}
			if (gap == (int)n) {
				break; /* "1::" or "::" */
			}
			return AE_MISSING;
		}
		g[n++] = (uint16_t)v;
		if (n == 8 || p == e || *p != ':') {
			break;
		}
		p++;
		if (p < e && *p == ':') {
			if (gap >= 0) {
				return AE_TWO_GAPS;
			}
			gap = (int)n;
			p++;
			if (p == e || hex_value(*p) < 0) {
				break;
			}
		}
	}
	if (gap >= 0 && n == 8) {
		return AE_NO_ROOM;
	}
	memset(out, 0, 16);
	for (unsigned i = 0; i < n; i++) {
		/* groups after "::" move to the end; the zeros fill the gap */
		size_t d = (gap >= 0 && i >= (unsigned)gap) ? i + 8 - n : i;
		out[2 * d] = (uint8_t)(g[i] >> 8);
		out[2 * d + 1] = (uint8_t)g[i];
	}
	*bits = gap >= 0 ? 128 : 16 * n;
	*colon_ok = gap < 0 && n == 8;
	*pp = p;
	return AE_OK;
}

/* ip6trie syntax: an ip6_prefix, optionally "/len" (0..128); one bare group is refused. */
static enum addr_err ip6_cidr(const char **pp, const char *e, uint8_t addr[16], unsigned *bits)
{
	const char *p = *pp;
	bool colon_ok;
	enum addr_err ae = ip6_prefix(&p, e, addr, bits, &colon_ok);
	if (ae != AE_OK) {
		return ae;
	}
	if (p < e && *p == '/') {
		ae = prefix_len(&p, e, 128, bits);
		if (ae != AE_OK) {
			return ae;
		}
		colon_ok = true;
	} else if (*bits == 16) {
		return AE_BARE;
	}
	*pp = p;
	if (!addr_end_ok(p, e) || (p < e && *p == ':' && !colon_ok)) {
		return AE_TRAILING;
	}
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = *bits >= 8 * (i + 1) ? 8 : (*bits > 8 * i ? *bits - 8 * i : 0);
		uint8_t host = (uint8_t)(keep == 8 ? 0 : 0xffu >> keep);
		if (addr[i] & host) {
			return AE_HOSTBITS;
		}
	}
	return AE_OK;
}

/* ---- values and templates ---- */

static bool tmpl_put(parser_t *ps, const char *p, size_t n)
{
	if (n > TXT_TEMPLATE_MAX - ps->tmpl_len) {
		return false;
	}
	memcpy(ps->tmpl + ps->tmpl_len, p, n);
	ps->tmpl_len += n;
	return true;
}

/* Put text that must come out literally: each '$' becomes "$$". */
static bool tmpl_put_literal(parser_t *ps, ipbl_str_t s)
{
	const char *p = s.ptr, *e = s.ptr + s.len;
	while (p < e) {
		const char *d = memchr(p, '$', (size_t)(e - p));
		const char *stop = d ? d + 1 : e;
		if (!tmpl_put(ps, p, (size_t)(stop - p))) {
			return false;
		}
		if (d && !tmpl_put(ps, "$", 1)) {
			return false;
		}
		p = stop;
	}
	return true;
}

/* Build into ps->tmpl what rbldnsd would answer for raw TXT txt, leaving only the runtime
 * "$" (the queried address) and "$$" (a dollar sign). As in rbldnsd: a leading '=' turns the
 * base template off for this entry; otherwise a "$=" base template replaces the text and its
 * "$=" stands for the text (or the address when the entry has none); "$n" is variable n
 * (kept as text when undefined). Substituted text is not expanded again. */
static int expand(parser_t *ps, ipbl_str_t txt)
{
	ipbl_str_t body, sx = txt;
	bool sx_is_addr = false;
	const char *p, *e;
	ps->tmpl_len = 0;
	if (txt.len > 0 && txt.ptr[0] == '=') {
		body = (ipbl_str_t){ .ptr = txt.ptr + 1, .len = txt.len - 1 };
		sx = body;
	} else if (ps->subst_set[SUBST_BASE]) {
		body = ps->subst[SUBST_BASE];
		sx_is_addr = txt.len == 0;
	} else {
		body = txt;
	}
	p = body.ptr;
	e = body.ptr + body.len;
	while (p < e) {
		const char *d = memchr(p, '$', (size_t)(e - p));
		bool ok;
		if (!d) {
			ok = tmpl_put(ps, p, (size_t)(e - p));
			p = e;
		} else if (!tmpl_put(ps, p, (size_t)(d - p))) {
			ok = false;
		} else if (d + 1 == e) {
			ok = tmpl_put(ps, "$", 1);
			p = e;
		} else if (d[1] == '$') {
			ok = tmpl_put(ps, "$$", 2);
			p = d + 2;
		} else if (is_digit(d[1])) {
			unsigned n = (unsigned)(d[1] - '0');
			if (ps->subst_set[n]) {
				ok = tmpl_put_literal(ps, ps->subst[n]);
			} else {
				ok = tmpl_put(ps, "$$", 2) && tmpl_put(ps, d + 1, 1);
			}
			p = d + 2;
		} else if (d[1] == '=') {
			ok = sx_is_addr ? tmpl_put(ps, "$", 1) : tmpl_put_literal(ps, sx);
			p = d + 2;
		} else {
			ok = tmpl_put(ps, "$", 1);
			p = d + 1;
		}
		if (!ok) {
			return fail(ps, "TXT template longer than %d bytes after substitution",
				    TXT_TEMPLATE_MAX);
		}
	}
	return 0;
}

/* The value id of (a, raw TXT txt). */
static int intern(parser_t *ps, uint32_t a, ipbl_str_t txt, uint32_t *id)
{
	int ret;
	if (ps->cache_valid && ps->cache_a == a && ipbl_str_eq(ps->cache_txt, txt)) {
		*id = ps->cache_id;
		return 0;
	}
	ret = expand(ps, txt);
	if (ret != 0) {
		return ret;
	}
	ret = zone_builder_value(ps->b, a, ps->tmpl_len ? ps->tmpl : NULL, ps->tmpl_len, id);
	if (ret == IPBL_ELIMIT) {
		return fail(ps, "TXT template too long");
	}
	if (ret != 0) {
		fail(ps, "%s", ipbl_strerror(ret));
		return ret;
	}
	ps->cache_valid = true;
	ps->cache_a = a;
	ps->cache_txt = txt;
	ps->cache_id = *id;
	return 0;
}

/* A value: ":A:TXT", ":A:" (no TXT), ":A" (the default TXT) or "TXT" (the default A). The A
 * may be shortened as rbldnsd allows: "2" is 127.0.0.2, "127.2" is 127.0.0.2, "10.1.2" is
 * 10.1.0.2. [s, e) is non-empty. */
static int parse_value(parser_t *ps, const char *s, const char *e, uint32_t *a_out,
		       ipbl_str_t *txt_out)
{
	char q[TOKEN_QUOTE_MAX + 8];
	uint32_t a;
	unsigned n;
	const char *p = s;
	ipbl_str_t txt;
	if (*p == ':') {
		p++;
		if (ip4_octets(&p, e, &a, &n) != AE_OK) {
			return fail(ps, "invalid A value in '%s'", quote(q, sizeof(q), s, e));
		}
		switch (n) {
		case 1:
			a >>= 24;
			break;
		case 2:
			a = (a & 0xff000000u) | ((a >> 16) & 0xffu);
			break;
		case 3:
			a = (a & 0xffff0000u) | ((a >> 8) & 0xffu);
			break;
		default:
			break;
		}
		if (a == 0) {
			return fail(ps, "invalid A value in '%s': 0.0.0.0",
				    quote(q, sizeof(q), s, e));
		}
		if (n == 1) {
			a |= 0x7f000000u; /* ":2" is 127.0.0.2 */
		}
		p = skip_space(p, e);
		if (p < e && *p == ':') {
			p = skip_space(p + 1, e);
			txt = (ipbl_str_t){ .ptr = p, .len = (size_t)(e - p) };
		} else if (p < e) {
			return fail(ps, "unexpected text after the A value in '%s' (write :A:TXT)",
				    quote(q, sizeof(q), s, e));
		} else {
			txt = ps->def_txt;
		}
	} else {
		a = ps->def_a;
		txt = (ipbl_str_t){ .ptr = p, .len = (size_t)(e - p) };
	}
	if (txt.len > TXT_RAW_MAX) {
		return fail(ps, "TXT template longer than %d bytes", TXT_RAW_MAX);
	}
	*a_out = a;
	*txt_out = txt;
	return 0;
}

/* The value id of an entry whose address ended at p: its own value or the default. */
static int entry_value(parser_t *ps, const char *p, const char *e, uint32_t *id)
{
	uint32_t a;
	ipbl_str_t txt;
	int ret;
	p = skip_space(p, e);
	if (p == e || is_comment(*p)) {
		*id = ps->def_id;
		return 0;
	}
	ret = parse_value(ps, p, e, &a, &txt);
	if (ret != 0) {
		return ret;
	}
	return intern(ps, a, txt, id);
}

/* A ":A:TXT" line: the default for the entries that follow. */
static int default_line(parser_t *ps, const char *s, const char *e)
{
	uint32_t a;
	ipbl_str_t txt;
	int ret = parse_value(ps, s, e, &a, &txt);
	if (ret != 0) {
		return ret;
	}
	if (ps->type == ZONE_RBLDNSD_IP4TSET || ps->type == ZONE_RBLDNSD_IP6TSET) {
		return 0; /* checked only: the pre-pass took the first one for the whole file */
	}
	ret = intern(ps, a, txt, &ps->def_id);
	if (ret != 0) {
		return ret;
	}
	ps->def_a = a;
	ps->def_txt = txt;
	return 0;
}

/* ---- special "$" lines ---- */

/* True when [w, e) starts with the ASCII word kw (lower case) followed by a blank. */
static bool keyword_is(const char *w, const char *e, const char *kw)
{
	size_t n = strlen(kw);
	if ((size_t)(e - w) <= n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = w[i];
		if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
		}
		if (c != kw[i]) {
			return false;
		}
	}
	return is_space(w[n]);
}

/* Where the keyword of a special line starts ("$x", "#$x", ";$x", ":$x"), or NULL. */
static const char *special_keyword(const char *s, const char *e)
{
	if (*s == '$') {
		return s + 1;
	}
	if ((is_comment(*s) || *s == ':') && e - s >= 2 && s[1] == '$') {
		return s + 2;
	}
	return NULL;
}

/* For "$n text" and "$= text": the variable index and its text; -1 otherwise. */
static int special_variable(const char *w, const char *e, ipbl_str_t *text)
{
	const char *t;
	if (e - w < 2 || !(is_digit(w[0]) || w[0] == '=') || !is_space(w[1])) {
		return -1;
	}
	t = skip_space(w + 2, e);
	*text = (ipbl_str_t){ .ptr = t, .len = (size_t)(e - t) };
	return w[0] == '=' ? SUBST_BASE : w[0] - '0';
}

/* A special line. commented: it began "#$" or ";$", which is a comment to anything that
 * does not know the keyword (old files carry "#$Id: ...$" version tags): unknown keywords
 * there are skipped, as rbldnsd does, instead of rejecting the file. */
static int special_line(parser_t *ps, const char *w, const char *e, bool commented)
{
	static const char *const ignored[] = { "soa", "ns",	   "nameserver",
					       "ttl", "timestamp", "maxrange4" };
	char q[TOKEN_QUOTE_MAX + 8];
	ipbl_str_t text;
	if (special_variable(w, e, &text) >= 0) {
		return 0; /* taken by the pre-pass */
	}
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		if (keyword_is(w, e, ignored[i])) {
			return 0; /* SOA, NS and TTL come from our own configuration */
		}
	}
	if (w < e && (is_digit(*w) || *w == '=') && (w + 1 == e || !is_space(w[1]))) {
		return fail(ps, "substitution variable '$%c' needs a blank and a value", *w);
	}
	if (keyword_is(w, e, "dataset")) {
		return fail(ps,
			    "$DATASET belongs to rbldnsd's combined dataset, not supported here");
	}
	if (commented) {
		return 0;
	}
	return fail(ps, "unknown special entry '$%s'", quote(q, sizeof(q), w, e));
}

/* ---- entries ---- */

static int add_ip4(parser_t *ps, uint32_t first, uint32_t last, unsigned rank, uint32_t value)
{
	int ret = zone_builder_add_ip4(ps->b, first, last, (uint8_t)rank, value);
	if (ret != 0) {
		fail(ps, "%s", ipbl_strerror(ret));
	}
	return ret;
}

/* Units [a, z] of 2^shift addresses, stored at octet level "level" (0 = /32 ... 3 = /8). */
static int ip4set_piece(parser_t *ps, uint64_t a, uint64_t z, unsigned shift, unsigned level,
			uint32_t value)
{
	if (a > z) {
		return 0;
	}
	return add_ip4(ps, (uint32_t)(a << shift), (uint32_t)(((z + 1) << shift) - 1),
		       32 - 8 * level, value);
}

/* Cut [lo, hi] the way rbldnsd's ip4set stores it: partial octets at the finest level, whole
 * aligned blocks one level up, so that the most specific level wins on lookup. */
static int ip4set_add(parser_t *ps, uint32_t lo, uint32_t hi, uint32_t value)
{
	uint64_t a = lo, z = hi;
	unsigned level, shift = 0;
	int ret;
	for (level = 0; level < 3; level++, shift += 8) {
		if ((a | 255u) >= z) {
			if (a <= z && z - a == 255u) {
				return ip4set_piece(ps, a, z, shift, level + 1, value);
			}
			return ip4set_piece(ps, a, z, shift, level, value);
		}
		if (a & 255u) {
			ret = ip4set_piece(ps, a, a | 255u, shift, level, value);
			if (ret != 0) {
				return ret;
			}
			a = (a >> 8) + 1;
		} else {
			a >>= 8;
		}
		if ((z & 255u) != 255u) {
			ret = ip4set_piece(ps, z & ~(uint64_t)255u, z, shift, level, value);
			if (ret != 0) {
				return ret;
			}
			z = (z >> 8) - 1;
		} else {
			z >>= 8;
		}
	}
	return ip4set_piece(ps, a, z, 24, 3, value);
}

static int addr_fail(parser_t *ps, const char *what, enum addr_err ae, const char *s, const char *p,
		     const char *e)
{
	char q[TOKEN_QUOTE_MAX + 8], c[16];
	if (ae == AE_TRAILING) {
		return fail(ps, "invalid %s '%s': unexpected %s after the address", what,
			    quote(q, sizeof(q), s, e), char_name(c, sizeof(c), p, e));
	}
	return fail(ps, "invalid %s '%s': %s", what, quote(q, sizeof(q), s, e), addr_err_text(ae));
}

static int entry_ip4set(parser_t *ps, const char *s, const char *e, bool excl)
{
	const char *p = s;
	uint32_t lo, hi, id = ZONE_VALUE_EXCLUDED;
	enum addr_err ae = ip4set_range(&p, e, &lo, &hi);
	int ret;
	if (ae != AE_OK) {
		return addr_fail(ps, "IPv4 range", ae, s, p, e);
	}
	if (!excl) {
		ret = entry_value(ps, p, e, &id);
		if (ret != 0) {
			return ret;
		}
	}
	return ip4set_add(ps, lo, hi, id);
}

static int entry_ip4trie(parser_t *ps, const char *s, const char *e, bool excl)
{
	const char *p = s;
	uint32_t a, id = ZONE_VALUE_EXCLUDED;
	unsigned bits;
	enum addr_err ae = ip4_cidr(&p, e, &a, &bits);
	int ret;
	if (ae != AE_OK) {
		return addr_fail(ps, "IPv4 prefix", ae, s, p, e);
	}
	if (!excl) {
		ret = entry_value(ps, p, e, &id);
		if (ret != 0) {
			return ret;
		}
	}
	return add_ip4(ps, a, a | ~ip4_mask(bits), bits, id);
}

static int entry_ip4tset(parser_t *ps, const char *s, const char *e, bool excl)
{
	char q[TOKEN_QUOTE_MAX + 8];
	const char *p = s;
	uint32_t a;
	unsigned n;
	enum addr_err ae;
	if (excl) {
		return fail(ps, "ip4tset has no exclusions");
	}
	ae = ip4_octets(&p, e, &a, &n);
	if (ae == AE_OK && n != 4) {
		return fail(ps, "ip4tset entries are single addresses, not '%s'",
			    quote(q, sizeof(q), s, e));
	}
	if (ae == AE_OK && !addr_end_ok(p, e)) {
		ae = AE_TRAILING;
	}
	if (ae != AE_OK) {
		return addr_fail(ps, "IPv4 address", ae, s, p, e);
	}
	return add_ip4(ps, a, a, 32, ps->tset_id);
}

static int add_ip6(parser_t *ps, const uint8_t addr[16], unsigned bits, uint32_t value)
{
	uint8_t last[16];
	int ret;
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 : (bits > 8 * i ? bits - 8 * i : 0);
		last[i] = (uint8_t)(addr[i] | (keep == 8 ? 0 : 0xffu >> keep));
	}
	ret = zone_builder_add_ip6(ps->b, addr, last, (uint8_t)bits, value);
	if (ret != 0) {
		fail(ps, "%s", ipbl_strerror(ret));
	}
	return ret;
}

static int entry_ip6trie(parser_t *ps, const char *s, const char *e, bool excl)
{
	const char *p = s;
	uint8_t addr[16];
	uint32_t id = ZONE_VALUE_EXCLUDED;
	unsigned bits;
	enum addr_err ae = ip6_cidr(&p, e, addr, &bits);
	int ret;
	if (ae != AE_OK) {
		return addr_fail(ps, "IPv6 prefix", ae, s, p, e);
	}
	if (!excl) {
		ret = entry_value(ps, p, e, &id);
		if (ret != 0) {
			return ret;
		}
	}
	return add_ip6(ps, addr, bits, id);
}

static int entry_ip6tset(parser_t *ps, const char *s, const char *e, bool excl)
{
	char q[TOKEN_QUOTE_MAX + 8];
	const char *p = s;
	uint8_t addr[16];
	unsigned bits;
	bool colon_ok;
	enum addr_err ae = ip6_prefix(&p, e, addr, &bits, &colon_ok);
	if (ae == AE_OK && (!addr_end_ok(p, e) || (p < e && *p == ':' && !colon_ok))) {
		ae = AE_TRAILING;
	}
	if (ae != AE_OK) {
		return addr_fail(ps, "IPv6 address", ae, s, p, e);
	}
	if (excl && bits != 128) {
		return fail(ps, "ip6tset exclusions are single addresses (/128), not '%s'",
			    quote(q, sizeof(q), s, e));
	}
	if (!excl && bits != 64) {
		return fail(ps, "ip6tset entries are /64s written as four groups, not '%s'",
			    quote(q, sizeof(q), s, e));
	}
	return add_ip6(ps, addr, bits, excl ? ZONE_VALUE_EXCLUDED : ps->tset_id);
}

/* "auto": an address whose first run of hex digits ends in ':' is IPv6. */
static bool looks_ip6(const char *s, const char *e)
{
	while (s < e && hex_value(*s) >= 0) {
		s++;
	}
	return s < e && *s == ':';
}

static int entry_line(parser_t *ps, const char *s, const char *e)
{
	bool excl = false;
	if (*s == '!') {
		excl = true;
		s = skip_space(s + 1, e);
	}
	switch (ps->type) {
	case ZONE_RBLDNSD_AUTO:
		if (looks_ip6(s, e)) {
			return entry_ip6trie(ps, s, e, excl);
		}
		return entry_ip4set(ps, s, e, excl);
	case ZONE_RBLDNSD_IP4SET:
		return entry_ip4set(ps, s, e, excl);
	case ZONE_RBLDNSD_IP4TRIE:
		return entry_ip4trie(ps, s, e, excl);
	case ZONE_RBLDNSD_IP4TSET:
		return entry_ip4tset(ps, s, e, excl);
	case ZONE_RBLDNSD_IP6TRIE:
		return entry_ip6trie(ps, s, e, excl);
	case ZONE_RBLDNSD_IP6TSET:
		return entry_ip6tset(ps, s, e, excl);
	}
	return fail(ps, "unknown dataset type");
}

/* A line starting with ':' sets the default, except "::1" and the like in IPv6 datasets. */
static bool is_default_line(const parser_t *ps, const char *s, const char *e)
{
	if (*s != ':') {
		return false;
	}
	if (ps->type == ZONE_RBLDNSD_AUTO || ps->type == ZONE_RBLDNSD_IP6TRIE) {
		return !(e - s >= 2 && s[1] == ':');
	}
	return true;
}

/* ---- lines ---- */

/* Bytes the fast path may read from the start of a line: "255.255.255.255\r\n" and the
 * three-byte look-ahead of each octet stay within this. */
#define FAST_READ_BYTES 20

/* One octet of 1 to 3 digits at p, without branches on the number of digits (the caller
 * checks the character after it, so a fourth digit is refused there). Reads p[0..2]. Returns
 * the length, or 0 when the slow path must decide. */
static inline unsigned fast_octet(const unsigned char *p, unsigned *val)
{
	unsigned d0 = (unsigned)p[0] - '0', d1 = (unsigned)p[1] - '0', d2 = (unsigned)p[2] - '0';
	unsigned is1 = d1 <= 9, is2 = is1 & (d2 <= 9);
	unsigned v2 = d0 * 10 + d1, v3 = v2 * 10 + d2;
	/* select by arithmetic: a conditional here compiles to a badly predicted branch */
	unsigned v = d0 + is1 * (v2 - d0) + is2 * (v3 - v2);
	if (d0 > 9 || v > 255) {
		return 0;
	}
	*val = v;
	return 1 + is1 + is2;
}

/* The common line "a.b.c.d\n" (or CRLF): a single IPv4 address with the default value. Only
 * called with at least FAST_READ_BYTES bytes left. Returns the start of the next line, or NULL
 * when the line needs the general parser (which then sees it from the start). */
static inline const char *fast_ip4_line(const char *line, uint32_t *addr)
{
	const unsigned char *p = (const unsigned char *)line;
	uint32_t a = 0;
	for (unsigned i = 0; i < 4; i++) {
		unsigned v, n = fast_octet(p, &v);
		if (n == 0) {
			return NULL;
		}
		p += n;
		a = (a << 8) | v;
		if (i < 3) {
			if (*p != '.') {
				return NULL;
			}
			p++;
		}
	}
	if (p[0] == '\r' && p[1] == '\n') {
		p++;
	}
	if (*p != '\n') {
		return NULL;
	}
	*addr = a;
	return (const char *)p + 1;
}

typedef struct {
	const char *p, *end; /* unread data */
	unsigned line;
} lines_t;

/* The next line as [*s, *e), blanks and CR trimmed; *raw_len is its length without the line
 * ending. Returns false at the end of the data. */
static inline bool next_line(lines_t *it, const char **s, const char **e, size_t *raw_len)
{
	const char *p = it->p, *nl, *le;
	if (p >= it->end) {
		return false;
	}
	nl = memchr(p, '\n', (size_t)(it->end - p));
	le = nl ? nl : it->end;
	it->p = nl ? nl + 1 : it->end;
	it->line++;
	*raw_len = (size_t)(le - p) - (le > p && le[-1] == '\r');
	while (p < le && is_space(*p)) {
		p++;
	}
	while (le > p && (is_space(le[-1]) || le[-1] == '\r')) {
		le--;
	}
	*s = p;
	*e = le;
	return true;
}

/* Collect "$n"/"$=" definitions (the first of each wins, wherever it stands, as in rbldnsd)
 * and, for ip4tset/ip6tset, intern the first ":A:TXT" line: the value of every entry. */
static int prepass(parser_t *ps, const char *data, size_t len, uint32_t default_value_id)
{
	bool need_vars = memchr(data, '$', len) != NULL;
	bool tset = (ps->type == ZONE_RBLDNSD_IP4TSET || ps->type == ZONE_RBLDNSD_IP6TSET) &&
		    memchr(data, ':', len) != NULL;
	lines_t it = { .p = data, .end = data + len, .line = 0 };
	const char *s, *e, *def_s = NULL, *def_e = NULL;
	unsigned def_line = 0;
	size_t raw_len;
	ps->tset_id = default_value_id;
	if (!need_vars && !tset) {
		return 0;
	}
	while (next_line(&it, &s, &e, &raw_len)) {
		const char *w;
		if (s == e || raw_len > LINE_MAX_BYTES) {
			continue;
		}
		w = special_keyword(s, e);
		if (w) {
			ipbl_str_t text;
			int n = special_variable(w, e, &text);
			if (n >= 0 && !ps->subst_set[n]) {
				ps->subst[n] = text;
				ps->subst_set[n] = true;
			}
		} else if (tset && !def_s && *s == ':') {
			def_s = s;
			def_e = e;
			def_line = it.line;
		}
	}
	if (def_s) {
		uint32_t a;
		ipbl_str_t txt;
		int ret;
		ps->line = def_line;
		ret = parse_value(ps, def_s, def_e, &a, &txt);
		if (ret == 0) {
			ret = intern(ps, a, txt, &ps->tset_id);
		}
		ps->line = 0;
		return ret;
	}
	return 0;
}

int zone_rbldnsd_parse(zone_builder_t *b, enum zone_rbldnsd_type type, const char *data, size_t len,
		       uint32_t default_value_id, zone_rbldnsd_error_t *err)
{
	zone_rbldnsd_error_t dummy;
	parser_t state;
	parser_t *ps = &state;
	lines_t it;
	const char *s, *e, *nul;
	size_t raw_len;
	int ret;

	if (!err) {
		err = &dummy;
	}
	err->line = 0;
	err->message[0] = '\0';
	if (!b || (!data && len > 0) || (unsigned)type > ZONE_RBLDNSD_IP6TSET) {
		snprintf(err->message, sizeof(err->message), "invalid arguments");
		return IPBL_EINVAL;
	}
	if (len == 0) {
		return 0;
	}
	memset(ps, 0, offsetof(parser_t, tmpl));
	ps->b = b;
	ps->type = type;
	ps->err = err;
	ps->def_a = DEFAULT_A;
	ps->def_txt = (ipbl_str_t){ .ptr = "", .len = 0 };
	ps->def_id = default_value_id;

	nul = memchr(data, '\0', len);
	if (nul) {
		unsigned line = 1;
		for (const char *p = data; p < nul; p++) {
			line += *p == '\n';
		}
		ps->line = line;
		return fail(ps, "NUL byte in the data (not a text file?)");
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3; /* UTF-8 byte order mark from some editors */
		len -= 3;
	}
	ret = prepass(ps, data, len, default_value_id);
	if (ret != 0) {
		return ret;
	}

	it = (lines_t){ .p = data, .end = data + len, .line = 0 };
	for (;;) {
		const char *w;
		if (ps->type != ZONE_RBLDNSD_IP6TRIE && ps->type != ZONE_RBLDNSD_IP6TSET) {
			/* plain IPv4 addresses: a /32 with the default value, whichever IPv4 type
			 */
			uint32_t value =
				ps->type == ZONE_RBLDNSD_IP4TSET ? ps->tset_id : ps->def_id;
			while (it.end - it.p >= FAST_READ_BYTES) {
				uint32_t a;
				const char *next = fast_ip4_line(it.p, &a);
				if (!next) {
					break;
				}
				ps->line = ++it.line;
				ret = add_ip4(ps, a, a, 32, value);
				if (ret != 0) {
					return ret;
				}
				it.p = next;
			}
		}
		if (!next_line(&it, &s, &e, &raw_len)) {
			break;
		}
		ps->line = it.line;
		if (raw_len > LINE_MAX_BYTES) {
			return fail(ps, "line longer than %d bytes", LINE_MAX_BYTES);
		}
		if (s == e) {
			continue;
		}
		if (is_digit(*s) && (ps->type == ZONE_RBLDNSD_IP4SET ||
				     (ps->type == ZONE_RBLDNSD_AUTO && !looks_ip6(s, e)))) {
			ret = entry_ip4set(ps, s, e, false); /* the common case first */
		} else if ((w = special_keyword(s, e)) != NULL) {
			ret = special_line(ps, w, e, is_comment(*s));
		} else if (is_comment(*s)) {
			continue;
		} else if (is_default_line(ps, s, e)) {
			ret = default_line(ps, s, e);
		} else {
			ret = entry_line(ps, s, e);
		}
		if (ret != 0) {
			return ret;
		}
	}
	return 0;
}

int zone_rbldnsd_type_parse(const char *name, enum zone_rbldnsd_type *out)
{
	static const struct {
		const char *name;
		enum zone_rbldnsd_type type;
	} types[] = {
		{ "auto", ZONE_RBLDNSD_AUTO },	     { "ip4set", ZONE_RBLDNSD_IP4SET },
		{ "ip4trie", ZONE_RBLDNSD_IP4TRIE }, { "ip4tset", ZONE_RBLDNSD_IP4TSET },
		{ "ip6trie", ZONE_RBLDNSD_IP6TRIE }, { "ip6tset", ZONE_RBLDNSD_IP6TSET },
	};
	if (!name || !out) {
		return IPBL_EINVAL;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (ipbl_str_eq_nocase(ipbl_str(name), ipbl_str(types[i].name))) {
			*out = types[i].type;
			return 0;
		}
	}
	return IPBL_EINVAL;
}

const char *zone_rbldnsd_spec_parse(const char *spec, enum zone_rbldnsd_type *type)
{
	*type = ZONE_RBLDNSD_AUTO;
	const char *colon = strchr(spec, ':');
	if (colon == NULL || colon - spec >= 16) {
		return spec;
	}
	char name[16];
	memcpy(name, spec, (size_t)(colon - spec));
	name[colon - spec] = '\0';
	return zone_rbldnsd_type_parse(name, type) == 0 ? colon + 1 : spec;
}
