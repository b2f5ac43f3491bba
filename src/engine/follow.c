/* SPDX-License-Identifier: BSD-2-Clause */
/* The listed set and the journal follower (see follow.h).
 *
 * The set is an open-addressing hash table with linear probing and backward-shift deletion
 * (no tombstones), sized to stay at most half full: 20 bytes a slot, so a million listings
 * take about 40 MB before the snapshot's own compact copy. */
#include "engine/follow.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"

#define LOG_TAG "engine"
#include "lib/log.h"

#define EXPIRE_BATCH 2000   /* listings re-decided per transaction */
#define EXPIRE_BUDGET_MS 50 /* expiry work per tick, so publishing is never held up */
#define JOURNAL_KEEP 100000 /* entries kept for followers that fall behind */
#define COMPACT_EVERY 10000 /* serials between compactions */

typedef struct {
	ipbl_ipaddr_t *slots; /* family 0 = empty */
	size_t cap;	      /* power of two */
	size_t n;
} ip_set_t;

struct engine_follow {
	engine_t *engine;
	ip_set_t set;
	uint32_t serial;       /* the last journal serial applied */
	uint32_t compacted_at; /* serial of the last compaction */
	bool gap;	       /* the journal skipped entries: reload everything */
	bool changed;
};

static uint64_t ip_hash(const ipbl_ipaddr_t *a)
{
	uint64_t h = 1469598103934665603ull ^ a->family;
	size_t n = a->family == IPBL_AF_V4 ? 4 : 16;
	for (size_t i = 0; i < n; i++) {
		h = (h ^ a->bytes[i]) * 1099511628211ull;
	}
	return h ^ (h >> 29);
}

static size_t set_find(const ip_set_t *s, const ipbl_ipaddr_t *a, bool *found)
{
	size_t mask = s->cap - 1;
	size_t i = (size_t)ip_hash(a) & mask;
	while (s->slots[i].family != 0) {
		if (ipbl_ipaddr_eq(&s->slots[i], a)) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
	*found = false;
	return i;
}

static void set_grow(ip_set_t *s)
{
	ip_set_t bigger = { .cap = s->cap ? s->cap * 2 : 1024 };
	bigger.slots = ipbl_xcalloc(bigger.cap, sizeof(*bigger.slots));
	for (size_t i = 0; i < s->cap; i++) {
		if (s->slots[i].family != 0) {
			bool found;
			bigger.slots[set_find(&bigger, &s->slots[i], &found)] = s->slots[i];
			bigger.n++;
		}
	}
	free(s->slots);
	*s = bigger;
}

/* Returns true when a was not in the set. */
static bool set_add(ip_set_t *s, const ipbl_ipaddr_t *a)
{
	if ((s->n + 1) * 2 > s->cap) {
		set_grow(s);
	}
	bool found;
	size_t i = set_find(s, a, &found);
	if (found) {
		return false;
	}
	s->slots[i] = *a;
	s->n++;
	return true;
}

/* Returns true when a was in the set. */
static bool set_remove(ip_set_t *s, const ipbl_ipaddr_t *a)
{
	if (s->cap == 0) {
		return false;
	}
	bool found;
	size_t hole = set_find(s, a, &found);
	if (!found) {
		return false;
	}
	size_t mask = s->cap - 1;
	/* shift back every following entry that would be unreachable past the hole */
	for (size_t j = (hole + 1) & mask; s->slots[j].family != 0; j = (j + 1) & mask) {
		size_t home = (size_t)ip_hash(&s->slots[j]) & mask;
		bool between = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
		if (!between) {
			s->slots[hole] = s->slots[j];
			hole = j;
		}
	}
	s->slots[hole].family = 0;
	s->n--;
	return true;
}

static void set_clear(ip_set_t *s)
{
	if (s->slots != NULL) {
		memset(s->slots, 0, s->cap * sizeof(*s->slots));
	}
	s->n = 0;
}

static int on_listed(void *arg, const store_listing_t *l)
{
	set_add(arg, &l->ip);
	return 0;
}

/* Replace the set with the store's listed addresses; position after the journal's end. */
static int reload_all(engine_follow_t *f)
{
	store_t *st = engine_store(f->engine);
	uint32_t serial = 0;
	int ret = store_journal_last(st, &serial);
	if (ret == 0) {
		set_clear(&f->set);
		ret = store_listings_each(st, on_listed, &f->set);
	}
	if (ret == 0) {
		f->serial = serial;
		f->changed = true;
		ipbl_log_info("listed set loaded: %zu addresses, journal serial %u", f->set.n,
			      serial);
	}
	return ret;
}

int engine_follow_new(engine_t *e, engine_follow_t **out)
{
	engine_follow_t *f = ipbl_xcalloc(1, sizeof(*f));
	f->engine = e;
	set_grow(&f->set);
	int ret = reload_all(f);
	if (ret != 0) {
		engine_follow_free(f);
		return ret;
	}
	f->compacted_at = f->serial;
	f->changed = false; /* the caller publishes the first snapshot itself */
	*out = f;
	return 0;
}

void engine_follow_free(engine_follow_t *f)
{
	if (f == NULL) {
		return;
	}
	free(f->set.slots);
	free(f);
}

size_t engine_follow_count(const engine_follow_t *f)
{
	return f->set.n;
}

/* Apply a space-separated list of addresses. */
static void apply_list(engine_follow_t *f, const char *list, bool add)
{
	const char *p = list;
	while (*p) {
		while (*p == ' ') {
			p++;
		}
		const char *end = p;
		while (*end && *end != ' ') {
			end++;
		}
		if (end > p) {
			ipbl_ipaddr_t a;
			if (ipbl_ipaddr_parse((ipbl_str_t){ .ptr = p, .len = (size_t)(end - p) },
					      &a) != 0) {
				ipbl_log_warning("journal: '%.*s' is not an address; skipped",
						 (int)(end - p > 64 ? 64 : end - p), p);
			} else if (add ? set_add(&f->set, &a) : set_remove(&f->set, &a)) {
				f->changed = true;
			}
		}
		p = end;
	}
}

static int on_journal(void *arg, uint32_t serial, int64_t at_ms, const char *added,
		      const char *removed)
{
	(void)at_ms;
	engine_follow_t *f = arg;
	if (serial != f->serial + 1) {
		f->gap = true; /* compacted past us, or a writer we cannot see: start over */
		return 1;
	}
	apply_list(f, removed, false);
	apply_list(f, added, true);
	f->serial = serial;
	return 0;
}

static int follow_journal(engine_follow_t *f)
{
	store_t *st = engine_store(f->engine);
	f->gap = false;
	int ret = store_journal_since(st, f->serial, on_journal, f);
	if (f->gap) {
		ipbl_log_warning("journal: entries after serial %u are gone; reloading the list",
				 f->serial);
		return reload_all(f);
	}
	if (ret == 0 && f->serial - f->compacted_at >= COMPACT_EVERY) {
		ret = store_journal_compact(st, JOURNAL_KEEP);
		f->compacted_at = f->serial;
	}
	return ret;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int engine_follow_tick(engine_follow_t *f, bool *changed, bool *busy)
{
	size_t n = 0;
	bool more = false;
	int ret = 0;
	/* batches while due listings remain, within the budget; the snapshot is rebuilt once */
	int64_t until = monotonic_ms() + EXPIRE_BUDGET_MS;
	do {
		ret = engine_expire_due(f->engine, EXPIRE_BATCH, &n, &more);
	} while (ret == 0 && more && monotonic_ms() < until);
	if (ret != 0) {
		ipbl_log_err("expiry failed (%s): %s", ipbl_strerror(ret),
			     store_errmsg(engine_store(f->engine)));
	}
	int jret = follow_journal(f);
	if (jret != 0) {
		ipbl_log_err("cannot read the zone journal (%s): %s", ipbl_strerror(jret),
			     store_errmsg(engine_store(f->engine)));
	}
	*changed = f->changed;
	*busy = more;
	f->changed = false;
	return ret != 0 ? ret : jret;
}

int engine_follow_fill(void *arg, zone_builder_t *b, uint32_t value_id)
{
	engine_follow_t *f = arg;
	int ret = zone_builder_reserve(b, f->set.n);
	for (size_t i = 0; ret == 0 && i < f->set.cap; i++) {
		const ipbl_ipaddr_t *a = &f->set.slots[i];
		if (a->family == IPBL_AF_V4) {
			uint32_t v = ipbl_ipaddr_v4(a);
			ret = zone_builder_add_ip4(b, v, v, 32, value_id);
		} else if (a->family == IPBL_AF_V6) {
			ret = zone_builder_add_ip6(b, a->bytes, a->bytes, 128, value_id);
		}
	}
	return ret;
}
