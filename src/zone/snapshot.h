/* SPDX-License-Identifier: BSD-2-Clause */
/* The list as served: an immutable, refcounted snapshot of listed IPv4 and IPv6 ranges with
 * their A and TXT values. Built by zone/builder.h, read by DNS workers with no lock and no
 * allocation. Pure: no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ipaddr.h"

typedef struct zone_snapshot zone_snapshot_t;

/* What a listed address answers. Borrowed from the snapshot; valid while it is referenced. */
typedef struct {
	uint32_t a;	  /* the A record, host order (e.g. 0x7f000002 = 127.0.0.2) */
	uint32_t txt_len; /* bytes in txt; 0 with txt NULL = no TXT record */
	const char *txt;  /* TXT template: '$' is the queried address, "$$" a dollar */
} zone_value_t;

/* The value for IPv4 address ip (host order), or NULL when not listed.
 * Any thread; the caller holds a reference or an RCU read lock. */
const zone_value_t *zone_snapshot_lookup_ip4(const zone_snapshot_t *s, uint32_t ip);

/* The value for IPv6 address ip (network order), or NULL when not listed. */
const zone_value_t *zone_snapshot_lookup_ip6(const zone_snapshot_t *s, const uint8_t ip[16]);

/* As the lookups above, and the whole listed range that ip falls in: [*first, *last] are
 * the addresses around ip that answer the same (a single address, a prefix, or a range of
 * several entries with one value, as the data flattened them). Unchanged when NULL is
 * returned. For the lookup page ("listed as part of 2001:db8::/64"), not the query path. */
const zone_value_t *zone_snapshot_match_ip4(const zone_snapshot_t *s, uint32_t ip, uint32_t *first,
					    uint32_t *last);
const zone_value_t *zone_snapshot_match_ip6(const zone_snapshot_t *s, const uint8_t ip[16],
					    uint8_t first[16], uint8_t last[16]);

/* What a snapshot says of one address, for people rather than resolvers. */
typedef struct {
	bool listed;
	uint32_t a;		       /* the A answer, host order; 0 when not listed */
	char range[IPBL_RANGE_STRLEN]; /* the listed range ip falls in; "" when not listed */
} zone_match_t;

/* Fill *out for ip (an IPv4-mapped IPv6 address is looked up as the IPv4 address, as the
 * DNS answers it). */
void zone_snapshot_match(const zone_snapshot_t *s, const ipbl_ipaddr_t *ip, zone_match_t *out);

/* True when at least one address in [first, last] is listed (used to answer empty
 * non-terminals, e.g. "2.1.bl.example.org" when 1.2.3.4 is listed, with NOERROR). */
bool zone_snapshot_any_ip4(const zone_snapshot_t *s, uint32_t first, uint32_t last);
bool zone_snapshot_any_ip6(const zone_snapshot_t *s, const uint8_t first[16],
			   const uint8_t last[16]);

/* The zone serial this snapshot was built for. */
uint32_t zone_snapshot_serial(const zone_snapshot_t *s);

/* Counts for logs and statistics. */
typedef struct {
	size_t n_ip4_hosts;	/* single IPv4 addresses held in the compact host array */
	size_t n_ip4_intervals; /* disjoint IPv4 intervals (ranges, exclusions, other values) */
	size_t n_ip6_intervals; /* disjoint IPv6 intervals */
	size_t n_values;	/* distinct A/TXT values */
	size_t bytes;		/* memory held by the snapshot */
} zone_snapshot_stats_t;
void zone_snapshot_stats(const zone_snapshot_t *s, zone_snapshot_stats_t *out);

/* Take a reference (for readers that outlive an RCU read section, such as zone transfers).
 * Returns s. Any thread. */
zone_snapshot_t *zone_snapshot_ref(zone_snapshot_t *s);

/* Drop a reference; the last one frees the snapshot. NULL is a no-op. Any thread. */
void zone_snapshot_unref(zone_snapshot_t *s);
