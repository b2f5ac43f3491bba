/* SPDX-License-Identifier: BSD-2-Clause */
/* The zone builder: collects entries, resolves overlaps by rank and writes a snapshot in the
 * layout of snapshot_internal.h.
 *
 * DESIGN
 * Single IPv4 addresses that share the first host value seen go to a plain array (4 bytes
 * each), radix-sorted at finish: that is the bulk of a real list and what keeps 1M entries
 * at ~4 bytes and loading in milliseconds. Everything else ("general" entries) is flattened
 * into disjoint intervals by a sweep over the range starts with a heap of the ranges that
 * cover the sweep position, ordered by precedence (rank, then exclusion, then insertion
 * order); the heap's top owns the position. Ranges that end under a stronger one are dropped
 * lazily when they reach the top. */
#include "zone/builder.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zone/snapshot_internal.h"

#define ZONE_TXT_MAX 4000u
#define U32_MAX_V 0xffffffffu

typedef struct {
	zone_u128 first;
	zone_u128 last;
	uint32_t value; /* 0 = exclusion */
	uint32_t order; /* insertion order, for ties */
	uint8_t rank;
} entry_t;

typedef struct {
	entry_t *v;
	size_t n;
	size_t cap;
} entry_vec_t;

typedef struct {
	uint32_t a;
	uint32_t txt_len;
	char *txt;
} value_t;

struct zone_builder {
	uint64_t *hosts; /* address << 32 | insertion order */
	size_t n_hosts;
	size_t cap_hosts;
	uint32_t host_value; /* 0 until the first host is added */

	entry_vec_t v4;
	entry_vec_t v6;
	uint32_t next_order;

	value_t *values; /* values[0] unused */
	size_t n_values;
	size_t cap_values;
	uint32_t *slots; /* open-addressing hash of value ids, 0 = empty */
	size_t n_slots;
};

zone_builder_t *zone_builder_new(void)
{
	zone_builder_t *b = calloc(1, sizeof(*b));
	if (b == NULL) {
		return NULL;
	}
	b->n_values = 1;
	return b;
}

static void builder_reset(zone_builder_t *b)
{
	for (size_t i = 1; i < b->n_values; i++) {
		free(b->values[i].txt);
	}
	free(b->values);
	free(b->slots);
	free(b->hosts);
	free(b->v4.v);
	free(b->v6.v);
	memset(b, 0, sizeof(*b));
	b->n_values = 1;
}

void zone_builder_free(zone_builder_t *b)
{
	if (b == NULL) {
		return;
	}
	builder_reset(b);
	free(b);
}

/* A copy of n elements of elem bytes (NULL for none); *ok turns false when out of memory. */
static void *memdup_n(const void *src, size_t n, size_t elem, bool *ok)
{
	if (src == NULL || n == 0) {
		return NULL;
	}
	void *p = malloc(n * elem);
	if (p == NULL) {
		*ok = false;
		return NULL;
	}
	memcpy(p, src, n * elem);
	return p;
}

zone_builder_t *zone_builder_clone(const zone_builder_t *b)
{
	zone_builder_t *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return NULL;
	}
	bool ok = true;
	*c = *b;
	c->hosts = memdup_n(b->hosts, b->n_hosts, sizeof(*b->hosts), &ok);
	c->cap_hosts = b->n_hosts;
	c->v4.v = memdup_n(b->v4.v, b->v4.n, sizeof(entry_t), &ok);
	c->v4.cap = b->v4.n;
	c->v6.v = memdup_n(b->v6.v, b->v6.n, sizeof(entry_t), &ok);
	c->v6.cap = b->v6.n;
	c->slots = memdup_n(b->slots, b->n_slots, sizeof(*b->slots), &ok);
	c->values = memdup_n(b->values, b->n_values, sizeof(value_t), &ok);
	c->cap_values = c->values ? b->n_values : 0;
	for (size_t i = 1; c->values != NULL && i < b->n_values; i++) {
		const value_t *v = &b->values[i];
		c->values[i].txt = memdup_n(v->txt, v->txt_len, 1, &ok);
	}
	if (!ok) {
		if (c->values == NULL) {
			c->n_values = 1; /* no texts of c's own to free */
		}
		zone_builder_free(c);
		return NULL;
	}
	return c;
}

size_t zone_builder_count(const zone_builder_t *b)
{
	return b->n_hosts + b->v4.n + b->v6.n;
}

/* Grow *arr (of elem bytes each) so that it holds at least need elements. */
static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap) {
		return 0;
	}
	size_t ncap = *cap ? *cap : 64;
	while (ncap < need) {
		ncap *= 2;
	}
	void *p = realloc(*arr, ncap * elem);
	if (p == NULL) {
		return IPBL_ENOMEM;
	}
	*arr = p;
	*cap = ncap;
	return 0;
}

int zone_builder_reserve(zone_builder_t *b, size_t n)
{
	return grow((void **)&b->hosts, &b->cap_hosts, b->n_hosts + n, sizeof(uint64_t));
}

static uint64_t value_hash(uint32_t a, const char *txt, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ a;
	for (size_t i = 0; i < len; i++) {
		h = (h ^ (uint8_t)txt[i]) * 1099511628211ull;
	}
	return h;
}

static int slots_rehash(zone_builder_t *b)
{
	size_t n = b->n_slots ? b->n_slots * 2 : 64;
	uint32_t *slots = calloc(n, sizeof(*slots));
	if (slots == NULL) {
		return IPBL_ENOMEM;
	}
	for (size_t id = 1; id < b->n_values; id++) {
		const value_t *v = &b->values[id];
		size_t i = value_hash(v->a, v->txt, v->txt_len) & (n - 1);
		while (slots[i] != 0) {
			i = (i + 1) & (n - 1);
		}
		slots[i] = (uint32_t)id;
	}
	free(b->slots);
	b->slots = slots;
	b->n_slots = n;
	return 0;
}

int zone_builder_value(zone_builder_t *b, uint32_t a, const char *txt, size_t txt_len,
		       uint32_t *id_out)
{
	if (txt == NULL) {
		txt_len = 0;
	}
	if (txt_len > ZONE_TXT_MAX) {
		return IPBL_ELIMIT;
	}
	if (b->n_values * 2 >= b->n_slots) {
		int ret = slots_rehash(b);
		if (ret != 0) {
			return ret;
		}
	}
	size_t i = value_hash(a, txt, txt_len) & (b->n_slots - 1);
	while (b->slots[i] != 0) {
		const value_t *v = &b->values[b->slots[i]];
		if (v->a == a && v->txt_len == txt_len &&
		    (txt_len == 0 || memcmp(v->txt, txt, txt_len) == 0)) {
			*id_out = b->slots[i];
			return 0;
		}
		i = (i + 1) & (b->n_slots - 1);
	}
	if (b->n_values >= U32_MAX_V) {
		return IPBL_ELIMIT;
	}
	int ret = grow((void **)&b->values, &b->cap_values, b->n_values + 1, sizeof(value_t));
	if (ret != 0) {
		return ret;
	}
	char *copy = NULL;
	if (txt_len > 0) {
		copy = malloc(txt_len);
		if (copy == NULL) {
			return IPBL_ENOMEM;
		}
		memcpy(copy, txt, txt_len);
	}
	b->values[b->n_values] = (value_t){ .a = a, .txt_len = (uint32_t)txt_len, .txt = copy };
	b->slots[i] = (uint32_t)b->n_values;
	*id_out = (uint32_t)b->n_values;
	b->n_values++;
	return 0;
}

static int add_entry(zone_builder_t *b, entry_vec_t *vec, zone_u128 first, zone_u128 last,
		     uint8_t rank, uint32_t value_id)
{
	if (first > last || rank > 128 || value_id >= b->n_values) {
		return IPBL_EINVAL;
	}
	int ret = grow((void **)&vec->v, &vec->cap, vec->n + 1, sizeof(entry_t));
	if (ret != 0) {
		return ret;
	}
	vec->v[vec->n++] = (entry_t){
		.first = first,
		.last = last,
		.value = value_id,
		.order = b->next_order++,
		.rank = rank,
	};
	return 0;
}

int zone_builder_add_ip4(zone_builder_t *b, uint32_t first, uint32_t last, uint8_t rank,
			 uint32_t value_id)
{
	if (first == last && rank == 32 && value_id != ZONE_VALUE_EXCLUDED &&
	    value_id < b->n_values && (b->host_value == 0 || b->host_value == value_id)) {
		int ret = grow((void **)&b->hosts, &b->cap_hosts, b->n_hosts + 1, sizeof(uint64_t));
		if (ret != 0) {
			return ret;
		}
		b->host_value = value_id;
		b->hosts[b->n_hosts++] = (uint64_t)first << 32 | b->next_order++;
		return 0;
	}
	return add_entry(b, &b->v4, first, last, rank, value_id);
}

static zone_u128 u128_from_bytes(const uint8_t v[16])
{
	zone_u128 r = 0;
	for (int i = 0; i < 16; i++) {
		r = (r << 8) | v[i];
	}
	return r;
}

int zone_builder_add_ip6(zone_builder_t *b, const uint8_t first[16], const uint8_t last[16],
			 uint8_t rank, uint32_t value_id)
{
	return add_entry(b, &b->v6, u128_from_bytes(first), u128_from_bytes(last), rank, value_id);
}

/* ---- hosts: radix sort, unique, remove the ones a rank-32 general entry covers ---- */

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa;
	uint64_t b = *(const uint64_t *)pb;
	return a < b ? -1 : a > b;
}

/* Sort a[0..n) ascending: insertion sort for the short runs a bucket usually holds. */
static void sort_bucket(uint64_t *a, size_t n)
{
	if (n > 32) {
		qsort(a, n, sizeof(*a), cmp_u64);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t v = a[i];
		size_t j = i;
		while (j > 0 && a[j - 1] > v) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}

/* Sort hosts by address, then insertion order (address << 32 | order sorts as one number),
 * so the first of a run of equal addresses is the earliest. One counting pass and one
 * scatter pass by the top 16 address bits (the buckets of the snapshot's host index), then
 * each bucket, about n / 65536 entries, is sorted where it lies in the cache. */
static int sort_hosts(uint64_t *a, size_t n)
{
	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++) {
		sorted = a[i - 1] <= a[i];
	}
	if (sorted) {
		return 0;
	}
	uint64_t *tmp = malloc(n * sizeof(*tmp));
	size_t *start = calloc(ZONE_HOST_BUCKETS + 1, sizeof(*start));
	if (tmp == NULL || start == NULL) {
		free(tmp);
		free(start);
		return IPBL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		start[(a[i] >> 48) + 1]++;
	}
	for (size_t k = 1; k <= ZONE_HOST_BUCKETS; k++) {
		start[k] += start[k - 1];
	}
	for (size_t i = 0; i < n; i++) {
		tmp[start[a[i] >> 48]++] = a[i];
	}
	/* start[k] is now the end of bucket k, which is where bucket k + 1 begins */
	size_t from = 0;
	for (size_t k = 0; k < ZONE_HOST_BUCKETS; k++) {
		sort_bucket(tmp + from, start[k] - from);
		from = start[k];
	}
	memcpy(a, tmp, n * sizeof(*a));
	free(start);
	free(tmp);
	return 0;
}

/* Keep the first (earliest) of each run of equal addresses. */
static size_t unique_hosts(uint64_t *a, size_t n)
{
	if (n == 0) {
		return 0;
	}
	size_t w = 1;
	for (size_t i = 1; i < n; i++) {
		if ((a[i] >> 32) != (a[w - 1] >> 32)) {
			a[w++] = a[i];
		}
	}
	return w;
}

static size_t lower_bound_host(const uint64_t *a, size_t n, uint32_t key)
{
	size_t lo = 0;
	size_t hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uint32_t)(a[mid] >> 32) < key) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/* Drop hosts that a general entry of rank >= 32 beats: it is at least as specific as a
 * host, so it wins when its rank is higher, when it is an exclusion, or when it was added
 * earlier (builder.h). */
static size_t hosts_drop_covered(uint64_t *hosts, size_t n, const entry_vec_t *v4)
{
	bool any = false;
	for (size_t k = 0; k < v4->n && !any; k++) {
		any = v4->v[k].rank >= 32;
	}
	if (!any || n == 0) {
		return n;
	}
	uint8_t *drop = calloc(n, 1);
	if (drop == NULL) {
		return n; /* out of memory: keep them; only precedence at rank 32 suffers */
	}
	for (size_t k = 0; k < v4->n; k++) {
		const entry_t *e = &v4->v[k];
		if (e->rank < 32) {
			continue;
		}
		for (size_t i = lower_bound_host(hosts, n, (uint32_t)e->first);
		     i < n && (uint32_t)(hosts[i] >> 32) <= (uint32_t)e->last; i++) {
			if (e->rank > 32 || e->value == ZONE_VALUE_EXCLUDED ||
			    e->order < (uint32_t)hosts[i]) {
				drop[i] = 1;
			}
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (!drop[i]) {
			hosts[w++] = hosts[i];
		}
	}
	free(drop);
	return w;
}

/* The bucket index of the sorted addresses in b->hosts[0..n) (address in the high 32 bits). */
static int build_host_index(zone_snapshot_t *s, const uint64_t *sorted, size_t n)
{
	s->host_index = malloc((ZONE_HOST_BUCKETS + 1) * sizeof(uint32_t));
	if (s->host_index == NULL) {
		return IPBL_ENOMEM;
	}
	size_t i = 0;
	for (uint32_t bucket = 0; bucket < ZONE_HOST_BUCKETS; bucket++) {
		while (i < n && (sorted[i] >> 48) < bucket) {
			i++;
		}
		s->host_index[bucket] = (uint32_t)i;
	}
	s->host_index[ZONE_HOST_BUCKETS] = (uint32_t)n;
	return 0;
}

/* ---- general entries: sweep with a precedence heap ---- */

/* True when x takes precedence over y. */
static bool stronger(const entry_t *x, const entry_t *y)
{
	if (x->rank != y->rank) {
		return x->rank > y->rank;
	}
	if ((x->value == 0) != (y->value == 0)) {
		return x->value == 0;
	}
	return x->order < y->order;
}

typedef struct {
	const entry_t **v;
	size_t n;
} heap_t;

static void heap_push(heap_t *h, const entry_t *e)
{
	size_t i = h->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!stronger(e, h->v[parent])) {
			break;
		}
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = e;
}

static void heap_pop(heap_t *h)
{
	const entry_t *last = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n) {
			break;
		}
		if (c + 1 < h->n && stronger(h->v[c + 1], h->v[c])) {
			c++;
		}
		if (!stronger(h->v[c], last)) {
			break;
		}
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n > 0) {
		h->v[i] = last;
	}
}

static int cmp_entry_first(const void *pa, const void *pb)
{
	const entry_t *a = pa;
	const entry_t *b = pb;
	if (a->first != b->first) {
		return a->first < b->first ? -1 : 1;
	}
	return 0;
}

typedef struct {
	zone_u128 *start;
	uint32_t *value;
	size_t n;
	size_t cap;
} iv_out_t;

static int iv_emit(iv_out_t *o, zone_u128 start, uint32_t value)
{
	if (o->n > 0 && o->value[o->n - 1] == value) {
		return 0; /* adjacent intervals never share a value */
	}
	if (o->n == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 16;
		zone_u128 *s = realloc(o->start, ncap * sizeof(*s));
		if (s == NULL) {
			return IPBL_ENOMEM;
		}
		o->start = s;
		uint32_t *v = realloc(o->value, ncap * sizeof(*v));
		if (v == NULL) {
			return IPBL_ENOMEM;
		}
		o->value = v;
		o->cap = ncap;
	}
	o->start[o->n] = start;
	o->value[o->n] = value;
	o->n++;
	return 0;
}

/* Flatten vec (sorted here) over the space [0, space_max] into disjoint intervals. */
static int flatten(entry_vec_t *vec, zone_u128 space_max, iv_out_t *out)
{
	if (vec->n == 0) {
		return 0;
	}
	qsort(vec->v, vec->n, sizeof(entry_t), cmp_entry_first);
	heap_t heap = { .v = malloc(vec->n * sizeof(entry_t *)), .n = 0 };
	if (heap.v == NULL) {
		return IPBL_ENOMEM;
	}
	int ret = 0;
	size_t next = 0;
	zone_u128 pos = 0;
	for (;;) {
		while (next < vec->n && vec->v[next].first <= pos) {
			heap_push(&heap, &vec->v[next++]);
		}
		while (heap.n > 0 && heap.v[0]->last < pos) {
			heap_pop(&heap);
		}
		const entry_t *top = heap.n > 0 ? heap.v[0] : NULL;
		zone_u128 end = top ? top->last : space_max;
		if (next < vec->n && vec->v[next].first - 1 < end) {
			end = vec->v[next].first - 1;
		}
		ret = iv_emit(out, pos, top ? top->value : 0);
		if (ret != 0 || end >= space_max) {
			break;
		}
		pos = end + 1;
	}
	free(heap.v);
	return ret;
}

/* ---- finish ---- */

static int copy_values(zone_builder_t *b, zone_snapshot_t *s)
{
	size_t pool_len = 0;
	for (size_t i = 1; i < b->n_values; i++) {
		pool_len += b->values[i].txt_len;
	}
	s->values = calloc(b->n_values, sizeof(zone_value_t));
	s->txt_pool = malloc(pool_len ? pool_len : 1);
	if (s->values == NULL || s->txt_pool == NULL) {
		return IPBL_ENOMEM;
	}
	size_t off = 0;
	for (size_t i = 1; i < b->n_values; i++) {
		const value_t *v = &b->values[i];
		if (v->txt_len > 0) {
			memcpy(s->txt_pool + off, v->txt, v->txt_len);
		}
		s->values[i] = (zone_value_t){
			.a = v->a,
			.txt_len = v->txt_len,
			.txt = v->txt_len ? s->txt_pool + off : NULL,
		};
		off += v->txt_len;
	}
	s->n_values = b->n_values;
	s->bytes += b->n_values * sizeof(zone_value_t) + pool_len;
	return 0;
}

static int finish_ip4(zone_builder_t *b, zone_snapshot_t *s)
{
	int ret = sort_hosts(b->hosts, b->n_hosts);
	if (ret != 0) {
		return ret;
	}
	size_t n = unique_hosts(b->hosts, b->n_hosts);
	n = hosts_drop_covered(b->hosts, n, &b->v4);
	if (n > 0) {
		ret = build_host_index(s, b->hosts, n);
		if (ret != 0) {
			return ret;
		}
		/* the snapshot keeps the low 16 bits only: the bucket says the rest */
		s->hosts = malloc(n * sizeof(uint16_t));
		if (s->hosts == NULL) {
			return IPBL_ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			s->hosts[i] = (uint16_t)(b->hosts[i] >> 32);
		}
		s->n_hosts = n;
		s->host_value = b->host_value;
		s->bytes += n * sizeof(uint16_t) + (ZONE_HOST_BUCKETS + 1) * sizeof(uint32_t);
	}

	iv_out_t iv = { 0 };
	ret = flatten(&b->v4, U32_MAX_V, &iv);
	if (ret == 0 && iv.n > 0) {
		s->iv4_start = malloc(iv.n * sizeof(uint32_t));
		if (s->iv4_start == NULL) {
			ret = IPBL_ENOMEM;
		} else {
			for (size_t i = 0; i < iv.n; i++) {
				s->iv4_start[i] = (uint32_t)iv.start[i];
			}
			s->iv4_value = iv.value;
			iv.value = NULL;
			s->n_iv4 = iv.n;
			s->bytes += iv.n * 2 * sizeof(uint32_t);
		}
	}
	free(iv.start);
	free(iv.value);
	return ret;
}

static int finish_ip6(zone_builder_t *b, zone_snapshot_t *s)
{
	iv_out_t iv = { 0 };
	int ret = flatten(&b->v6, ~(zone_u128)0, &iv);
	if (ret != 0) {
		free(iv.start);
		free(iv.value);
		return ret;
	}
	s->iv6_start = iv.start;
	s->iv6_value = iv.value;
	s->n_iv6 = iv.n;
	s->bytes += iv.n * (sizeof(zone_u128) + sizeof(uint32_t));
	return 0;
}

int zone_builder_finish(zone_builder_t *b, uint32_t serial, zone_snapshot_t **out)
{
	zone_snapshot_t *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return IPBL_ENOMEM;
	}
	atomic_init(&s->refs, 1);
	s->serial = serial;
	s->bytes = sizeof(*s);
	int ret = copy_values(b, s);
	if (ret == 0) {
		ret = finish_ip4(b, s);
	}
	if (ret == 0) {
		ret = finish_ip6(b, s);
	}
	builder_reset(b);
	if (ret != 0) {
		zone_snapshot_unref(s);
		return ret;
	}
	*out = s;
	return 0;
}
