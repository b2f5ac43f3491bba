/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv4 and IPv6 addresses and CIDR prefixes: parse, format (RFC 5952), compare, contains,
 * and the RFC 6890 special-purpose table. Pure: no I/O, no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/str.h"

enum { IPBL_AF_V4 = 4, IPBL_AF_V6 = 6 };

/* An address. IPv4 is kept as the IPv4 address (family 4, bytes[0..3]), never as ::ffff:a.b.c.d:
 * parsing an IPv4-mapped IPv6 literal yields family 6; use ipbl_ipaddr_unmap() to fold it. */
typedef struct {
	uint8_t family;	   /* IPBL_AF_V4 or IPBL_AF_V6 */
	uint8_t bytes[16]; /* network order; IPv4 uses the first 4 */
} ipbl_ipaddr_t;

typedef struct {
	ipbl_ipaddr_t addr; /* host bits are zero */
	uint8_t len;	    /* prefix length in bits: 0..32 or 0..128 */
} ipbl_prefix_t;

/* Longest text form: IPv6 with embedded IPv4 and the terminating NUL. */
#define IPBL_IPADDR_STRLEN 46
#define IPBL_PREFIX_STRLEN (IPBL_IPADDR_STRLEN + 4)

/* Parse a dotted-quad IPv4 (exactly four decimal octets, no leading zeros) or an IPv6 address
 * (RFC 4291 text forms, optionally with a trailing dotted quad; no zone index, no brackets).
 * Returns 0 or IPBL_EPARSE; *out is written only on success. */
int ipbl_ipaddr_parse(ipbl_str_t s, ipbl_ipaddr_t *out) IPBL_MUSTCHECK;

/* Parse "ADDR" or "ADDR/LEN". ADDR alone is a /32 or /128. Host bits set below LEN are an
 * error (IPBL_EPARSE) unless allow_host_bits, in which case they are cleared. */
int ipbl_prefix_parse(ipbl_str_t s, bool allow_host_bits, ipbl_prefix_t *out) IPBL_MUSTCHECK;

/* Write the canonical text form (IPv4 dotted quad; IPv6 RFC 5952: lower case, longest run of
 * two or more zero groups compressed, leftmost on ties, IPv4-mapped as ::ffff:a.b.c.d) into
 * buf, which holds at least IPBL_IPADDR_STRLEN bytes. Returns buf. */
char *ipbl_ipaddr_format(const ipbl_ipaddr_t *a, char *buf);
char *ipbl_prefix_format(const ipbl_prefix_t *p, char *buf);

/* The range [first, last] (same family, first <= last) as text: one address, a prefix when
 * the range is exactly one ("198.51.100.0/24"), else "FIRST-LAST". buf holds at least
 * IPBL_RANGE_STRLEN bytes. Returns buf. */
#define IPBL_RANGE_STRLEN (2 * IPBL_IPADDR_STRLEN)
char *ipbl_range_format(const ipbl_ipaddr_t *first, const ipbl_ipaddr_t *last, char *buf);

/* Total order: IPv4 before IPv6, then by bytes. Returns <0, 0, >0. */
int ipbl_ipaddr_cmp(const ipbl_ipaddr_t *a, const ipbl_ipaddr_t *b);
bool ipbl_ipaddr_eq(const ipbl_ipaddr_t *a, const ipbl_ipaddr_t *b);

/* True when p contains a (same family; an IPv4-mapped IPv6 address is not folded). */
bool ipbl_prefix_contains(const ipbl_prefix_t *p, const ipbl_ipaddr_t *a);

/* True when one of the n prefixes p[] contains a. */
bool ipbl_prefixes_contain(const ipbl_prefix_t *p, size_t n, const ipbl_ipaddr_t *a);

/* If a is ::ffff:a.b.c.d, turn it into the IPv4 address a.b.c.d. Returns true when it did. */
bool ipbl_ipaddr_unmap(ipbl_ipaddr_t *a);

/* IPv4 as a host-order integer. */
static inline uint32_t ipbl_ipaddr_v4(const ipbl_ipaddr_t *a)
{
	return ((uint32_t)a->bytes[0] << 24) | ((uint32_t)a->bytes[1] << 16) |
	       ((uint32_t)a->bytes[2] << 8) | a->bytes[3];
}
void ipbl_ipaddr_from_v4(uint32_t host_order, ipbl_ipaddr_t *out);
void ipbl_ipaddr_from_v6(const uint8_t bytes[16], ipbl_ipaddr_t *out);

/* Special-purpose address kinds (RFC 6890 and its updates). */
enum ipbl_ipaddr_kind {
	IPBL_IP_GLOBAL = 0,    /* an ordinary, globally routable address */
	IPBL_IP_UNSPECIFIED,   /* 0.0.0.0/8, :: */
	IPBL_IP_LOOPBACK,      /* 127.0.0.0/8, ::1 */
	IPBL_IP_PRIVATE,       /* RFC 1918, fc00::/7 (ULA) */
	IPBL_IP_SHARED,	       /* 100.64.0.0/10 CGNAT */
	IPBL_IP_LINK_LOCAL,    /* 169.254.0.0/16, fe80::/10 */
	IPBL_IP_DOCUMENTATION, /* 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32 */
	IPBL_IP_RESERVED, /* everything else in the table: benchmarking, multicast, 240/4, ... */
};

/* The kind of a. An IPv4-mapped IPv6 address is classified as its IPv4 address. */
enum ipbl_ipaddr_kind ipbl_ipaddr_kind(const ipbl_ipaddr_t *a);

/* True for any kind but IPBL_IP_GLOBAL: such an address is never a spam source on the
 * Internet and is never listed. */
bool ipbl_ipaddr_is_reserved(const ipbl_ipaddr_t *a);

/* Human name of a kind ("loopback", "private", ...). */
const char *ipbl_ipaddr_kind_name(enum ipbl_ipaddr_kind kind);
