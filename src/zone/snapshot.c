/* SPDX-License-Identifier: BSD-2-Clause */
/* Zone snapshot lookups and lifetime. The layout is described in snapshot_internal.h; this
 * file only reads it. Lookups are lock-free and allocation-free. */
#include "zone/snapshot.h"

#include <stdlib.h>
#include <string.h>

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

/* Position of the first host of bucket b whose low 16 bits are >= low (the bucket's end when
 * there is none). */
static size_t bucket_lower_bound(const zone_snapshot_t *s, uint32_t b, uint16_t low)
{
	size_t lo = s->host_index[b];
	size_t hi = s->host_index[b + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->hosts[mid] < low) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static bool hosts_has(const zone_snapshot_t *s, uint32_t ip)
{
	uint32_t b = ip >> 16;
	size_t i = bucket_lower_bound(s, b, (uint16_t)ip);
	return i < s->host_index[b + 1] && s->hosts[i] == (uint16_t)ip;
}

/* Is any host in [first, last]? The first and last buckets are searched; the buckets in
 * between hold a host when their positions are not empty. */
static bool hosts_any(const zone_snapshot_t *s, uint32_t first, uint32_t last)
{
	uint32_t bf = first >> 16;
	uint32_t bl = last >> 16;
	size_t i = bucket_lower_bound(s, bf, (uint16_t)first);
	if (i < s->host_index[bf + 1]) {
		return bf < bl || s->hosts[i] <= (uint16_t)last;
	}
	if (bf == bl) {
		return false;
	}
	if (s->host_index[bl] > s->host_index[bf + 1]) {
		return true; /* a bucket strictly between has hosts */
	}
	return s->host_index[bl] < s->host_index[bl + 1] &&
	       s->hosts[s->host_index[bl]] <= (uint16_t)last;
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
	if (s->n_hosts > 0 && hosts_has(s, ip)) {
		return &s->values[s->host_value];
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

const zone_value_t *zone_snapshot_match_ip4(const zone_snapshot_t *s, uint32_t ip, uint32_t *first,
					    uint32_t *last)
{
	if (s->n_hosts > 0 && hosts_has(s, ip)) {
		*first = *last = ip;
		return &s->values[s->host_value];
	}
	if (s->n_iv4 == 0) {
		return NULL;
	}
	size_t k = floor_u32(s->iv4_start, s->n_iv4, ip);
	if (s->iv4_value[k] == 0) {
		return NULL;
	}
	*first = s->iv4_start[k];
	*last = k + 1 < s->n_iv4 ? s->iv4_start[k + 1] - 1 : UINT32_MAX;
	return &s->values[s->iv4_value[k]];
}

static void u128_to_bytes(zone_u128 v, uint8_t b[16])
{
	for (int i = 15; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

const zone_value_t *zone_snapshot_match_ip6(const zone_snapshot_t *s, const uint8_t ip[16],
					    uint8_t first[16], uint8_t last[16])
{
	if (s->n_iv6 == 0) {
		return NULL;
	}
	size_t k = floor_u128(s->iv6_start, s->n_iv6, u128_from_bytes(ip));
	if (s->iv6_value[k] == 0) {
		return NULL;
	}
	u128_to_bytes(s->iv6_start[k], first);
	u128_to_bytes(k + 1 < s->n_iv6 ? s->iv6_start[k + 1] - 1 : ~(zone_u128)0, last);
	return &s->values[s->iv6_value[k]];
}

void zone_snapshot_match(const zone_snapshot_t *s, const ipbl_ipaddr_t *ip, zone_match_t *out)
{
	memset(out, 0, sizeof(*out));
	ipbl_ipaddr_t a = *ip;
	ipbl_ipaddr_unmap(&a); /* as the DNS answers ::ffff:a.b.c.d from the IPv4 data */
	ip = &a;
	ipbl_ipaddr_t first = *ip, last = *ip;
	const zone_value_t *v = NULL;
	if (ip->family == IPBL_AF_V4) {
		uint32_t f = 0, l = 0;
		v = zone_snapshot_match_ip4(s, ipbl_ipaddr_v4(ip), &f, &l);
		ipbl_ipaddr_from_v4(f, &first);
		ipbl_ipaddr_from_v4(l, &last);
	} else {
		v = zone_snapshot_match_ip6(s, ip->bytes, first.bytes, last.bytes);
	}
	if (v != NULL) {
		out->listed = true;
		out->a = v->a;
		ipbl_range_format(&first, &last, out->range);
	}
}

bool zone_snapshot_any_ip4(const zone_snapshot_t *s, uint32_t first, uint32_t last)
{
	if (s->n_hosts > 0 && hosts_any(s, first, last)) {
		return true;
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
