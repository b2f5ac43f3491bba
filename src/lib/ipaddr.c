/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv4/IPv6 addresses and CIDR prefixes: a strict text parser of our own (no inet_pton), the
 * RFC 5952 formatter, ordering and containment, and the RFC 6890 special-purpose table used to
 * refuse listing addresses that can never be an Internet spam source. */
#include "lib/ipaddr.h"

#include <string.h>

#include "lib/err.h"

static int hex_digit(char c)
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

static size_t family_bytes(uint8_t family)
{
	return family == IPBL_AF_V4 ? 4 : 16;
}

static unsigned family_bits(uint8_t family)
{
	return family == IPBL_AF_V4 ? 32 : 128;
}

/* Exactly four decimal octets 0-255 separated by '.'. An octet may start with '0' only when it
 * is "0": inet_aton() reads "010" as octal 8, so a leading zero is ambiguous and refused. */
static bool parse_v4(ipbl_str_t s, uint8_t out[4])
{
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= s.len || s.ptr[i] != '.') {
				return false;
			}
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < s.len && i - start < 3 && s.ptr[i] >= '0' && s.ptr[i] <= '9') {
			v = v * 10 + (unsigned)(s.ptr[i] - '0');
			i++;
		}
		size_t n_digits = i - start;
		if (n_digits == 0 || v > 255 || (n_digits > 1 && s.ptr[start] == '0')) {
			return false;
		}
		out[k] = (uint8_t)v;
	}
	return i == s.len;
}

/* RFC 4291 §2.2 text forms: eight groups of 1-4 hex digits, at most one "::" standing for one
 * or more zero groups, and optionally the last 32 bits as a dotted quad. Anything else (zone
 * index, brackets, spaces, a lone leading or trailing ':') is refused. */
static bool parse_v6(ipbl_str_t s, uint8_t out[16])
{
	uint16_t words[8];
	int n = 0;    /* groups parsed so far */
	int gap = -1; /* index in words where "::" stands, or -1 */
	size_t i = 0;

	if (s.len >= 2 && s.ptr[0] == ':' && s.ptr[1] == ':') {
		gap = 0;
		i = 2;
	}
	while (i < s.len) {
		if (n == 8) {
			return false;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < s.len && i - start < 4 && hex_digit(s.ptr[i]) >= 0) {
			v = (v << 4) | (unsigned)hex_digit(s.ptr[i]);
			i++;
		}
		if (i < s.len && s.ptr[i] == '.') {
			/* A dotted quad is the whole rest and fills two groups. */
			uint8_t q[4];
			if (n > 6 || !parse_v4((ipbl_str_t){ s.ptr + start, s.len - start }, q)) {
				return false;
			}
			words[n++] = (uint16_t)((q[0] << 8) | q[1]);
			words[n++] = (uint16_t)((q[2] << 8) | q[3]);
			break;
		}
		if (i == start) {
			/* An empty group: ":::", a lone leading ':' or a stray character. */
			return false;
		}
		words[n++] = (uint16_t)v;
		if (i == s.len) {
			break;
		}
		if (s.ptr[i] != ':') {
			/* A fifth hex digit, '%' (zone index) or any other character. */
			return false;
		}
		i++;
		if (i < s.len && s.ptr[i] == ':') {
			if (gap >= 0) {
				return false;
			}
			gap = n;
			i++;
		} else if (i == s.len) {
			return false;
		}
	}

	/* Without "::" all eight groups are spelled out; with it, it stands for at least one. */
	if (gap < 0 ? n != 8 : n > 7) {
		return false;
	}
	int n_zero = 8 - n;
	int w = 0;
	for (int k = 0; k < n; k++) {
		if (k == gap) {
			for (int z = 0; z < n_zero; z++) {
				out[2 * w] = 0;
				out[2 * w + 1] = 0;
				w++;
			}
		}
		out[2 * w] = (uint8_t)(words[k] >> 8);
		out[2 * w + 1] = (uint8_t)(words[k] & 0xff);
		w++;
	}
	while (w < 8) {
		/* "::" at the very end ("1::") or alone ("::"). */
		out[2 * w] = 0;
		out[2 * w + 1] = 0;
		w++;
	}
	return true;
}

int ipbl_ipaddr_parse(ipbl_str_t s, ipbl_ipaddr_t *out)
{
	ipbl_ipaddr_t a;
	memset(&a, 0, sizeof(a));
	if (s.len == 0) {
		goto fail;
	}
	if (memchr(s.ptr, ':', s.len) != NULL) {
		a.family = IPBL_AF_V6;
		if (!parse_v6(s, a.bytes)) {
			goto fail;
		}
	} else {
		a.family = IPBL_AF_V4;
		if (!parse_v4(s, a.bytes)) {
			goto fail;
		}
	}
	*out = a;
	return 0;
fail:
	return IPBL_EPARSE;
}

/* The mask of byte i (0-based, network order) for a prefix of len bits. */
static uint8_t prefix_mask(unsigned len, size_t i)
{
	unsigned first_bit = (unsigned)i * 8;
	if (len <= first_bit) {
		return 0;
	}
	if (len >= first_bit + 8) {
		return 0xff;
	}
	return (uint8_t)(0xff << (8 - (len - first_bit)));
}

int ipbl_prefix_parse(ipbl_str_t s, bool allow_host_bits, ipbl_prefix_t *out)
{
	ipbl_prefix_t p;
	ipbl_str_t addr_s;
	ipbl_str_t len_s = ipbl_str_split(s, '/', &addr_s);
	memset(&p, 0, sizeof(p));

	int ret = ipbl_ipaddr_parse(addr_s, &p.addr);
	if (ret != 0) {
		goto fail;
	}
	unsigned max_len = family_bits(p.addr.family);
	if (len_s.ptr == NULL) {
		p.len = (uint8_t)max_len;
	} else {
		unsigned long long v;
		ret = IPBL_EPARSE;
		if (len_s.len > 1 && len_s.ptr[0] == '0') {
			goto fail;
		}
		if (!ipbl_str_to_u64(len_s, max_len, &v)) {
			goto fail;
		}
		p.len = (uint8_t)v;
	}
	bool host_bits = false;
	for (size_t i = 0; i < family_bytes(p.addr.family); i++) {
		uint8_t mask = prefix_mask(p.len, i);
		if ((p.addr.bytes[i] & (uint8_t)~mask) != 0) {
			host_bits = true;
			p.addr.bytes[i] &= mask;
		}
	}
	if (host_bits && !allow_host_bits) {
		ret = IPBL_EPARSE;
		goto fail;
	}
	*out = p;
	return 0;
fail:
	return ret;
}

static char *put_dec(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
	}
	if (v >= 10) {
		*p++ = (char)('0' + v / 10 % 10);
	}
	*p++ = (char)('0' + v % 10);
	return p;
}

/* One group in lower case with leading zeros suppressed (RFC 5952 §4.1, §4.3). */
static char *put_hex16(char *p, unsigned v)
{
	static const char digits[] = "0123456789abcdef";
	bool started = false;
	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 0xf;
		if (d != 0 || started || shift == 0) {
			*p++ = digits[d];
			started = true;
		}
	}
	return p;
}

static char *put_v4(char *p, const uint8_t b[4])
{
	for (int k = 0; k < 4; k++) {
		if (k > 0) {
			*p++ = '.';
		}
		p = put_dec(p, b[k]);
	}
	return p;
}

static bool is_v4_mapped(const ipbl_ipaddr_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return a->family == IPBL_AF_V6 && memcmp(a->bytes, mapped, sizeof(mapped)) == 0;
}

/* RFC 5952 §4: the longest run of two or more zero groups becomes "::", the leftmost on ties;
 * a single zero group stays "0". §5: ::ffff:0:0/96 keeps its IPv4 part as a dotted quad.
 * At most 39 characters ("ffff:" * 7 + "ffff"), well under IPBL_IPADDR_STRLEN. */
static char *put_v6(char *p, const ipbl_ipaddr_t *a)
{
	if (is_v4_mapped(a)) {
		memcpy(p, "::ffff:", 7);
		return put_v4(p + 7, a->bytes + 12);
	}
	unsigned w[8];
	for (int k = 0; k < 8; k++) {
		w[k] = ((unsigned)a->bytes[2 * k] << 8) | a->bytes[2 * k + 1];
	}
	int best = -1;
	int best_len = 1;
	for (int k = 0; k < 8;) {
		if (w[k] != 0) {
			k++;
			continue;
		}
		int end = k;
		while (end < 8 && w[end] == 0) {
			end++;
		}
		if (end - k > best_len) {
			best = k;
			best_len = end - k;
		}
		k = end;
	}
	bool after_gap = false;
	for (int k = 0; k < 8;) {
		if (k == best) {
			*p++ = ':';
			*p++ = ':';
			k += best_len;
			after_gap = true;
			continue;
		}
		if (k > 0 && !after_gap) {
			*p++ = ':';
		}
		after_gap = false;
		p = put_hex16(p, w[k]);
		k++;
	}
	return p;
}

/* An address of neither family (never produced by this module) formats as "". */
char *ipbl_ipaddr_format(const ipbl_ipaddr_t *a, char *buf)
{
	char *p = buf;
	if (a->family == IPBL_AF_V4) {
		p = put_v4(p, a->bytes);
	} else if (a->family == IPBL_AF_V6) {
		p = put_v6(p, a);
	}
	*p = '\0';
	return buf;
}

char *ipbl_prefix_format(const ipbl_prefix_t *p, char *buf)
{
	ipbl_ipaddr_format(&p->addr, buf);
	char *end = buf + strlen(buf);
	*end++ = '/';
	end = put_dec(end, p->len);
	*end = '\0';
	return buf;
}

/* The prefix length when [first, last] is exactly one prefix, else -1. */
static int range_prefix_len(const ipbl_ipaddr_t *first, const ipbl_ipaddr_t *last)
{
	size_t n = family_bytes(first->family);
	int len = 0;
	size_t i = 0;
	while (i < n && first->bytes[i] == last->bytes[i]) {
		len += 8;
		i++;
	}
	if (i < n) {
		/* the first differing byte: first's tail bits are all 0, last's all 1 */
		uint8_t diff = first->bytes[i] ^ last->bytes[i];
		int free_bits = 0;
		while (free_bits < 8 && (diff >> free_bits) != 0) {
			free_bits++;
		}
		uint8_t mask = (uint8_t)((1u << free_bits) - 1);
		if ((first->bytes[i] & mask) != 0 || (last->bytes[i] & mask) != mask) {
			return -1;
		}
		len += 8 - free_bits;
		for (size_t j = i + 1; j < n; j++) {
			if (first->bytes[j] != 0 || last->bytes[j] != 0xff) {
				return -1;
			}
		}
	}
	return len;
}

char *ipbl_range_format(const ipbl_ipaddr_t *first, const ipbl_ipaddr_t *last, char *buf)
{
	int len = first->family == last->family ? range_prefix_len(first, last) : -1;
	if (len == (int)family_bytes(first->family) * 8) {
		return ipbl_ipaddr_format(first, buf);
	}
	if (len >= 0) {
		ipbl_prefix_t p = { .addr = *first, .len = (uint8_t)len };
		return ipbl_prefix_format(&p, buf);
	}
	ipbl_ipaddr_format(first, buf);
	char *end = buf + strlen(buf);
	*end++ = '-';
	ipbl_ipaddr_format(last, end);
	return buf;
}

int ipbl_ipaddr_cmp(const ipbl_ipaddr_t *a, const ipbl_ipaddr_t *b)
{
	if (a->family != b->family) {
		return a->family < b->family ? -1 : 1;
	}
	/* Only the bytes the family uses: an IPv4 address's bytes[4..15] carry no meaning. */
	return memcmp(a->bytes, b->bytes, family_bytes(a->family));
}

bool ipbl_ipaddr_eq(const ipbl_ipaddr_t *a, const ipbl_ipaddr_t *b)
{
	return ipbl_ipaddr_cmp(a, b) == 0;
}

bool ipbl_prefixes_contain(const ipbl_prefix_t *p, size_t n, const ipbl_ipaddr_t *a)
{
	for (size_t i = 0; i < n; i++) {
		if (ipbl_prefix_contains(&p[i], a)) {
			return true;
		}
	}
	return false;
}

bool ipbl_prefix_contains(const ipbl_prefix_t *p, const ipbl_ipaddr_t *a)
{
	if (p->addr.family != a->family || p->len > family_bits(a->family)) {
		return false;
	}
	for (size_t i = 0; i < family_bytes(a->family); i++) {
		uint8_t mask = prefix_mask(p->len, i);
		if ((a->bytes[i] & mask) != (p->addr.bytes[i] & mask)) {
			return false;
		}
	}
	return true;
}

bool ipbl_ipaddr_unmap(ipbl_ipaddr_t *a)
{
	if (!is_v4_mapped(a)) {
		return false;
	}
	uint8_t v4[4];
	memcpy(v4, a->bytes + 12, sizeof(v4));
	memset(a->bytes, 0, sizeof(a->bytes));
	memcpy(a->bytes, v4, sizeof(v4));
	a->family = IPBL_AF_V4;
	return true;
}

void ipbl_ipaddr_from_v4(uint32_t host_order, ipbl_ipaddr_t *out)
{
	memset(out, 0, sizeof(*out));
	out->family = IPBL_AF_V4;
	out->bytes[0] = (uint8_t)(host_order >> 24);
	out->bytes[1] = (uint8_t)(host_order >> 16);
	out->bytes[2] = (uint8_t)(host_order >> 8);
	out->bytes[3] = (uint8_t)host_order;
}

void ipbl_ipaddr_from_v6(const uint8_t bytes[16], ipbl_ipaddr_t *out)
{
	memset(out, 0, sizeof(*out));
	out->family = IPBL_AF_V6;
	memcpy(out->bytes, bytes, sizeof(out->bytes));
}

#define V4(a, b, c, d, n, k)                                                                       \
	{                                                                                          \
		.prefix = { .addr = { .family = IPBL_AF_V4, .bytes = { a, b, c, d } }, .len = n }, \
		.kind = k                                                                          \
	}
#define V6(n, k, ...)                                                                              \
	{                                                                                          \
		.prefix = { .addr = { .family = IPBL_AF_V6, .bytes = { __VA_ARGS__ } },            \
			    .len = n },                                                            \
		.kind = k                                                                          \
	}

/* Special-purpose blocks, from the IANA IPv4 and IPv6 Special-Purpose Address Registries
 * (RFC 6890, updated by RFC 8190) and the RFCs that created each block. Deliberately simpler
 * than the registries: a block is "global" only if it is absent here, and the few globally
 * reachable sub-blocks of a reserved block (192.0.0.9/32, 2001:20::/28, ...) stay reserved.
 * The longest matching entry wins; an IPv4-mapped address (::ffff:0:0/96, RFC 4291 §2.5.5.2)
 * is looked up as its IPv4 address before this table is consulted.
 *
 *   IPv4
 *   0.0.0.0/8          unspecified    "this network" (RFC 1122 §3.2.1.3, RFC 6890)
 *   10.0.0.0/8         private        RFC 1918
 *   100.64.0.0/10      shared         CGNAT shared address space (RFC 6598)
 *   127.0.0.0/8        loopback       RFC 1122 §3.2.1.3
 *   169.254.0.0/16     link-local     RFC 3927
 *   172.16.0.0/12      private        RFC 1918
 *   192.0.0.0/24       reserved       IETF protocol assignments (RFC 6890 §2.1)
 *   192.0.2.0/24       documentation  TEST-NET-1 (RFC 5737)
 *   192.88.99.0/24     reserved       6to4 relay anycast, deprecated (RFC 7526)
 *   192.168.0.0/16     private        RFC 1918
 *   198.18.0.0/15      reserved       benchmarking (RFC 2544)
 *   198.51.100.0/24    documentation  TEST-NET-2 (RFC 5737)
 *   203.0.113.0/24     documentation  TEST-NET-3 (RFC 5737)
 *   224.0.0.0/4        reserved       multicast (RFC 5771)
 *   240.0.0.0/4        reserved       future use (RFC 1112 §4), incl. 255.255.255.255 (RFC 919)
 *
 *   IPv6
 *   ::/128             unspecified    RFC 4291 §2.5.2
 *   ::1/128            loopback       RFC 4291 §2.5.3
 *   64:ff9b::/96       (global)       NAT64 well-known prefix (RFC 6052): not in the table
 *   64:ff9b:1::/48     reserved       local-use IPv4/IPv6 translation (RFC 8215)
 *   100::/64           reserved       discard-only (RFC 6666)
 *   2001::/23          reserved       IETF protocol assignments (RFC 2928), incl. Teredo
 *   2001:db8::/32      documentation  RFC 3849
 *   2002::/16          reserved       6to4 (RFC 3056)
 *   3fff::/20          documentation  RFC 9637 (a later update of the registry)
 *   5f00::/16          reserved       SRv6 segment identifiers (RFC 9602, a later update)
 *   fc00::/7           private        unique local addresses (RFC 4193)
 *   fe80::/10          link-local     RFC 4291 §2.5.6
 *   ff00::/8           reserved       multicast (RFC 4291 §2.7)
 */
static const struct {
	ipbl_prefix_t prefix;
	enum ipbl_ipaddr_kind kind;
} special[] = {
	V4(0, 0, 0, 0, 8, IPBL_IP_UNSPECIFIED),
	V4(10, 0, 0, 0, 8, IPBL_IP_PRIVATE),
	V4(100, 64, 0, 0, 10, IPBL_IP_SHARED),
	V4(127, 0, 0, 0, 8, IPBL_IP_LOOPBACK),
	V4(169, 254, 0, 0, 16, IPBL_IP_LINK_LOCAL),
	V4(172, 16, 0, 0, 12, IPBL_IP_PRIVATE),
	V4(192, 0, 0, 0, 24, IPBL_IP_RESERVED),
	V4(192, 0, 2, 0, 24, IPBL_IP_DOCUMENTATION),
	V4(192, 88, 99, 0, 24, IPBL_IP_RESERVED),
	V4(192, 168, 0, 0, 16, IPBL_IP_PRIVATE),
	V4(198, 18, 0, 0, 15, IPBL_IP_RESERVED),
	V4(198, 51, 100, 0, 24, IPBL_IP_DOCUMENTATION),
	V4(203, 0, 113, 0, 24, IPBL_IP_DOCUMENTATION),
	V4(224, 0, 0, 0, 4, IPBL_IP_RESERVED),
	V4(240, 0, 0, 0, 4, IPBL_IP_RESERVED),
	V6(128, IPBL_IP_UNSPECIFIED, 0),
	V6(128, IPBL_IP_LOOPBACK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
	V6(48, IPBL_IP_RESERVED, 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01),
	V6(64, IPBL_IP_RESERVED, 0x01, 0x00),
	V6(23, IPBL_IP_RESERVED, 0x20, 0x01),
	V6(32, IPBL_IP_DOCUMENTATION, 0x20, 0x01, 0x0d, 0xb8),
	V6(16, IPBL_IP_RESERVED, 0x20, 0x02),
	V6(20, IPBL_IP_DOCUMENTATION, 0x3f, 0xff),
	V6(16, IPBL_IP_RESERVED, 0x5f, 0x00),
	V6(7, IPBL_IP_PRIVATE, 0xfc),
	V6(10, IPBL_IP_LINK_LOCAL, 0xfe, 0x80),
	V6(8, IPBL_IP_RESERVED, 0xff),
};

#undef V4
#undef V6

/* An address of neither family (never produced by this module) is reserved, so never listed. */
enum ipbl_ipaddr_kind ipbl_ipaddr_kind(const ipbl_ipaddr_t *a)
{
	ipbl_ipaddr_t v = *a;
	ipbl_ipaddr_unmap(&v);
	if (v.family != IPBL_AF_V4 && v.family != IPBL_AF_V6) {
		return IPBL_IP_RESERVED;
	}
	enum ipbl_ipaddr_kind kind = IPBL_IP_GLOBAL;
	int best_len = -1;
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		if (special[i].prefix.len > best_len &&
		    ipbl_prefix_contains(&special[i].prefix, &v)) {
			kind = special[i].kind;
			best_len = special[i].prefix.len;
		}
	}
	return kind;
}

bool ipbl_ipaddr_is_reserved(const ipbl_ipaddr_t *a)
{
	return ipbl_ipaddr_kind(a) != IPBL_IP_GLOBAL;
}

const char *ipbl_ipaddr_kind_name(enum ipbl_ipaddr_kind kind)
{
	switch (kind) {
	case IPBL_IP_GLOBAL:
		return "global";
	case IPBL_IP_UNSPECIFIED:
		return "unspecified";
	case IPBL_IP_LOOPBACK:
		return "loopback";
	case IPBL_IP_PRIVATE:
		return "private";
	case IPBL_IP_SHARED:
		return "shared (CGNAT)";
	case IPBL_IP_LINK_LOCAL:
		return "link-local";
	case IPBL_IP_DOCUMENTATION:
		return "documentation";
	case IPBL_IP_RESERVED:
		return "reserved";
	}
	return "unknown";
}
