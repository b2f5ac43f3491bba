/* SPDX-License-Identifier: BSD-2-Clause */
/* Zone snapshot lookups and lifetime. The layout is described in snapshot_internal.h; this
 * file only reads it. Lookups are lock-free and allocation-free. */
#include "zone/snapshot.h"

#include <stdlib.h>

#include "zone/snapshot_internal.h"

/* Position of the last element <= key in the sorted array a[0..n), or SIZE_MAX if none. */
static size_t floor_u32(const uint32_t *a, size_t n, uint32_t key)
{
	size_t lo = 0;
	size_t hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] <= key) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo == 0 ? SIZE_MAX : lo - 1;
}

static size_t floor_u128(const zone_u128 *a, size_t n, zone_u128 key)
{
	size_t lo = 0;
	size_t hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] <= key) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo == 0 ? SIZE_MAX : lo - 1;
}

/* First host >= ip, as an index into hosts (n_hosts when none). When every host of ip's
 * bucket is smaller, the search ends at the next bucket's start, which is the answer. */
static size_t hosts_lower_bound(const zone_snapshot_t *s, uint32_t ip)
{
	uint32_t bucket = ip >> 16;
	size_t lo = s->host_index[bucket];
	size_t hi = s->host_index[bucket + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->hosts[mid] < ip) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static zone_u128 u128_from_bytes(const uint8_t b[16])
{
	zone_u128 v = 0;
	for (int i = 0; i < 16; i++) {
		v = (v << 8) | b[i];
	}
	return v;
}

const zone_value_t *zone_snapshot_lookup_ip4(const zone_snapshot_t *s, uint32_t ip)
{
	if (s->n_hosts > 0) {
		size_t i = hosts_lower_bound(s, ip);
		if (i < s->n_hosts && s->hosts[i] == ip) {
			return &s->values[s->host_value];
		}
	}
	if (s->n_iv4 > 0) {
		uint32_t v = s->iv4_value[floor_u32(s->iv4_start, s->n_iv4, ip)];
		if (v != 0) {
			return &s->values[v];
		}
	}
	return NULL;
}

const zone_value_t *zone_snapshot_lookup_ip6(const zone_snapshot_t *s, const uint8_t ip[16])
{
	if (s->n_iv6 == 0) {
		return NULL;
	}
	uint32_t v = s->iv6_value[floor_u128(s->iv6_start, s->n_iv6, u128_from_bytes(ip))];
	return v != 0 ? &s->values[v] : NULL;
}

bool zone_snapshot_any_ip4(const zone_snapshot_t *s, uint32_t first, uint32_t last)
{
	if (s->n_hosts > 0) {
		size_t i = hosts_lower_bound(s, first);
		if (i < s->n_hosts && s->hosts[i] <= last) {
			return true;
		}
	}
	if (s->n_iv4 > 0) {
		size_t k = floor_u32(s->iv4_start, s->n_iv4, first);
		if (s->iv4_value[k] != 0) {
			return true;
		}
		/* adjacent intervals never share a value: the next one is listed */
		if (k + 1 < s->n_iv4 && s->iv4_start[k + 1] <= last) {
			return true;
		}
	}
	return false;
}

bool zone_snapshot_any_ip6(const zone_snapshot_t *s, const uint8_t first[16],
			   const uint8_t last[16])
{
	if (s->n_iv6 == 0) {
		return false;
	}
	zone_u128 f = u128_from_bytes(first);
	size_t k = floor_u128(s->iv6_start, s->n_iv6, f);
	if (s->iv6_value[k] != 0) {
		return true;
	}
	return k + 1 < s->n_iv6 && s->iv6_start[k + 1] <= u128_from_bytes(last);
}

uint32_t zone_snapshot_serial(const zone_snapshot_t *s)
{
	return s->serial;
}

void zone_snapshot_stats(const zone_snapshot_t *s, zone_snapshot_stats_t *out)
{
	out->n_ip4_hosts = s->n_hosts;
	out->n_ip4_intervals = s->n_iv4;
	out->n_ip6_intervals = s->n_iv6;
	out->n_values = s->n_values > 0 ? s->n_values - 1 : 0;
	out->bytes = s->bytes;
}

zone_snapshot_t *zone_snapshot_ref(zone_snapshot_t *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void zone_snapshot_unref(zone_snapshot_t *s)
{
	if (s == NULL) {
		return;
	}
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1) {
		return;
	}
	free(s->hosts);
	free(s->host_index);
	free(s->iv4_start);
	free(s->iv4_value);
	free(s->iv6_start);
	free(s->iv6_value);
	free(s->values);
	free(s->txt_pool);
	free(s);
}
