/* SPDX-License-Identifier: BSD-2-Clause */
/* The layout of a zone snapshot, shared by snapshot.c (readers) and builder.c (the writer).
 * Only files in src/zone/ may include this header. */
#pragma once

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/snapshot.h"

__extension__ typedef unsigned __int128 zone_u128;

#define ZONE_HOST_BUCKETS 65536u /* host_index has one more entry than this */

/* DESIGN
 * Two structures answer IPv4, one IPv6; all are flat sorted arrays, read-only once built.
 * - hosts: single IPv4 addresses that all share one value (host_value), sorted ascending and
 *   unique. Only the low 16 bits are stored (2 bytes each): host_index[i] is the position of
 *   the first host whose top 16 bits are >= i, so the hosts of bucket i are
 *   hosts[host_index[i] .. host_index[i + 1]) and their top 16 bits are i. A lookup
 *   binary-searches one bucket (about 16 entries, 32 bytes, for 1M hosts).
 *   Hosts are the most specific entries there are; the builder removes every host that an
 *   equally specific (rank 32) general entry covers, so a hit in hosts is final.
 * - intervals (v4 and v6): the rest (ranges, exclusions, other values) flattened into
 *   disjoint intervals covering the whole address space: iv_start[0] == 0 and interval k is
 *   [iv_start[k], iv_start[k+1] - 1] with value iv_value[k] (0 = not listed). Adjacent
 *   intervals never share a value, so between two unlisted intervals there is always a
 *   listed one (zone_snapshot_any_* relies on this).
 * - values[0] is unused (0 means "not listed"); values[1..n_values) point into txt_pool.
 * Lifetime: refcounted; the last zone_snapshot_unref frees everything. */
struct zone_snapshot {
	atomic_uint refs;
	uint32_t serial;

	uint16_t *hosts; /* low 16 bits; sorted and unique within each bucket */
	size_t n_hosts;
	uint32_t host_value;  /* value id shared by every host */
	uint32_t *host_index; /* ZONE_HOST_BUCKETS + 1 entries, or NULL when n_hosts == 0 */

	uint32_t *iv4_start;
	uint32_t *iv4_value;
	size_t n_iv4; /* 0 = nothing listed by intervals */

	zone_u128 *iv6_start;
	uint32_t *iv6_value;
	size_t n_iv6;

	zone_value_t *values;
	size_t n_values; /* including the unused values[0] */
	char *txt_pool;

	size_t bytes;
};
