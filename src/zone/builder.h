/* SPDX-License-Identifier: BSD-2-Clause */
/* Builds an immutable zone snapshot from entries: address ranges with a rank and a value.
 *
 * Precedence (how overlapping entries resolve, the same rule rbldnsd's datasets follow):
 * for an address covered by several entries, the entry with the highest rank wins; at equal
 * rank an exclusion wins, then the entry added first. Sources choose the rank: a CIDR entry
 * uses its prefix length (longest prefix wins); rbldnsd's ip4set uses the octet level
 * (8, 16, 24 or 32) that its range expands to. Not thread-safe; one builder per thread. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "zone/snapshot.h"

typedef struct zone_builder zone_builder_t;

/* Value id 0 means "excluded": the range is not listed, whatever lower ranks say. */
#define ZONE_VALUE_EXCLUDED 0u

/* A new, empty builder, or NULL when out of memory. Free with zone_builder_free. */
zone_builder_t *zone_builder_new(void);
void zone_builder_free(zone_builder_t *b);

/* Intern an answer value: A record a (host order) and TXT template txt[0..txt_len) (copied;
 * txt NULL or txt_len 0 means no TXT). The same pair always gets the same id (>= 1).
 * Returns 0, IPBL_ENOMEM, or IPBL_ELIMIT for a template longer than 4000 bytes. */
int zone_builder_value(zone_builder_t *b, uint32_t a, const char *txt, size_t txt_len,
		       uint32_t *id_out) IPBL_MUSTCHECK;

/* Add the IPv4 range [first, last] (host order, first <= last) with value_id (from
 * zone_builder_value, or ZONE_VALUE_EXCLUDED) at rank 0..128. Returns 0, IPBL_EINVAL or
 * IPBL_ENOMEM. */
int zone_builder_add_ip4(zone_builder_t *b, uint32_t first, uint32_t last, uint8_t rank,
			 uint32_t value_id) IPBL_MUSTCHECK;

/* Add the IPv6 range [first, last] (network order). Same rules as zone_builder_add_ip4. */
int zone_builder_add_ip6(zone_builder_t *b, const uint8_t first[16], const uint8_t last[16],
			 uint8_t rank, uint32_t value_id) IPBL_MUSTCHECK;

/* Make room for n more single-address entries up front (a hint: loading a large file avoids
 * growing the array step by step). Returns 0 or IPBL_ENOMEM. */
int zone_builder_reserve(zone_builder_t *b, size_t n) IPBL_MUSTCHECK;

/* A deep copy of b, entries and values (ids stay the same), or NULL when out of memory. Lets
 * a loader parse files once and add changing entries to a fresh copy for each snapshot. */
zone_builder_t *zone_builder_clone(const zone_builder_t *b);

/* Number of entries added so far (for progress and limits). */
size_t zone_builder_count(const zone_builder_t *b);

/* Build the snapshot (refcount 1; caller owns it, release with zone_snapshot_unref). The
 * builder is left empty and may be reused or freed. Returns 0 or IPBL_ENOMEM. */
int zone_builder_finish(zone_builder_t *b, uint32_t serial, zone_snapshot_t **out) IPBL_MUSTCHECK;
