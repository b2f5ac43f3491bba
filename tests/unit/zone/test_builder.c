/* SPDX-License-Identifier: BSD-2-Clause */
/* The zone builder and snapshot: precedence of overlapping entries, the host array, the
 * interval flattening, IPv6, empty non-terminal queries, and a randomised cross-check
 * against a brute-force model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zone/builder.h"

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return (a << 24) | (b << 16) | (c << 8) | d;
}

static uint32_t value(zone_builder_t *b, uint32_t a, const char *txt)
{
	uint32_t id = 0;
	assert_int_equal(zone_builder_value(b, a, txt, txt ? strlen(txt) : 0, &id), 0);
	return id;
}

/* Build, free the builder, return the snapshot. */
static zone_snapshot_t *finish(zone_builder_t *b)
{
	zone_snapshot_t *s = NULL;
	assert_int_equal(zone_builder_finish(b, 7, &s), 0);
	zone_builder_free(b);
	assert_int_equal(zone_snapshot_serial(s), 7);
	return s;
}

static uint32_t a_of(const zone_snapshot_t *s, uint32_t ip)
{
	const zone_value_t *v = zone_snapshot_lookup_ip4(s, ip);
	return v ? v->a : 0;
}

static void test_values_interned(void **state)
{
	(void)state;
	zone_builder_t *b = zone_builder_new();
	uint32_t x = value(b, 0x7f000002, "one");
	assert_int_equal(value(b, 0x7f000002, "one"), x);
	assert_int_not_equal(value(b, 0x7f000003, "one"), x);
	assert_int_not_equal(value(b, 0x7f000002, "two"), x);
	assert_int_not_equal(value(b, 0x7f000002, NULL), x);
	char big[5000];
	memset(big, 'a', sizeof(big));
	uint32_t id;
	assert_int_equal(zone_builder_value(b, 1, big, sizeof(big), &id), IPBL_ELIMIT);
	assert_int_equal(zone_builder_add_ip4(b, 5, 4, 32, x), IPBL_EINVAL);
	assert_int_equal(zone_builder_add_ip4(b, 4, 5, 32, 999), IPBL_EINVAL);
	zone_builder_free(b);
}

/* A clone holds the same entries and values; what is added to it stays out of the original,
 * and an exclusion in the original still beats a host added to the clone at equal rank. */
static void test_clone(void **state)
{
	(void)state;
	zone_builder_t *base = zone_builder_new();
	uint32_t x = value(base, 0x7f000002, "base $");
	assert_int_equal(zone_builder_add_ip4(base, ip4(192, 0, 2, 1), ip4(192, 0, 2, 1), 32, x),
			 0);
	assert_int_equal(
		zone_builder_add_ip4(base, ip4(198, 51, 100, 0), ip4(198, 51, 100, 255), 24, x), 0);
	assert_int_equal(zone_builder_add_ip4(base, ip4(198, 51, 100, 7), ip4(198, 51, 100, 7), 32,
					      ZONE_VALUE_EXCLUDED),
			 0);
	zone_builder_t *c = zone_builder_clone(base);
	assert_non_null(c);
	assert_int_equal(zone_builder_count(c), zone_builder_count(base));
	assert_int_equal(value(c, 0x7f000002, "base $"), x); /* the same id in the copy */
	uint32_t y = value(c, 0x7f000003, "added");
	assert_int_equal(zone_builder_add_ip4(c, ip4(203, 0, 113, 9), ip4(203, 0, 113, 9), 32, x),
			 0);
	assert_int_equal(zone_builder_add_ip4(c, ip4(198, 51, 100, 7), ip4(198, 51, 100, 7), 32, y),
			 0);
	zone_snapshot_t *sc = finish(c);
	zone_snapshot_t *sb = finish(base);
	assert_int_equal(a_of(sc, ip4(192, 0, 2, 1)), 0x7f000002);
	assert_int_equal(a_of(sc, ip4(203, 0, 113, 9)), 0x7f000002);
	assert_int_equal(a_of(sc, ip4(198, 51, 100, 8)), 0x7f000002);
	assert_int_equal(a_of(sc, ip4(198, 51, 100, 7)), 0); /* the exclusion wins */
	assert_int_equal(a_of(sb, ip4(203, 0, 113, 9)), 0);
	assert_int_equal(a_of(sb, ip4(192, 0, 2, 1)), 0x7f000002);
	zone_snapshot_unref(sc);
	zone_snapshot_unref(sb);
	/* an empty builder clones too */
	zone_builder_t *e = zone_builder_new();
	zone_builder_t *ec = zone_builder_clone(e);
	assert_non_null(ec);
	zone_builder_free(e);
	zone_snapshot_unref(finish(ec));
}

static void test_hosts_and_ranges(void **state)
{
	(void)state;
	zone_builder_t *b = zone_builder_new();
	uint32_t v2 = value(b, 0x7f000002, "listed $");
	uint32_t v3 = value(b, 0x7f000003, "range");
	uint32_t v4 = value(b, 0x7f000004, "inner");
	/* hosts, out of order, with a duplicate */
	assert_int_equal(zone_builder_add_ip4(b, ip4(9, 9, 9, 9), ip4(9, 9, 9, 9), 32, v2), 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(1, 2, 3, 4), ip4(1, 2, 3, 4), 32, v2), 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(9, 9, 9, 9), ip4(9, 9, 9, 9), 32, v2), 0);
	assert_int_equal(zone_builder_add_ip4(b, 0xffffffffu, 0xffffffffu, 32, v2), 0);
	assert_int_equal(zone_builder_add_ip4(b, 0, 0, 32, v2), 0);
	/* a /8 with a /24 inside and an exclusion inside that */
	assert_int_equal(zone_builder_add_ip4(b, ip4(10, 0, 0, 0), ip4(10, 255, 255, 255), 8, v3),
			 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(10, 1, 1, 0), ip4(10, 1, 1, 255), 24, v4), 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(10, 1, 1, 7), ip4(10, 1, 1, 7), 32,
					      ZONE_VALUE_EXCLUDED),
			 0);
	/* a host inside the excluded spot would lose: same rank, exclusion wins */
	assert_int_equal(zone_builder_add_ip4(b, ip4(10, 1, 1, 7), ip4(10, 1, 1, 7), 32, v2), 0);
	zone_snapshot_t *s = finish(b);

	assert_int_equal(a_of(s, ip4(1, 2, 3, 4)), 0x7f000002);
	assert_int_equal(a_of(s, ip4(1, 2, 3, 5)), 0);
	assert_int_equal(a_of(s, ip4(9, 9, 9, 9)), 0x7f000002);
	assert_int_equal(a_of(s, 0xffffffffu), 0x7f000002);
	assert_int_equal(a_of(s, 0), 0x7f000002);
	assert_int_equal(a_of(s, 1), 0);
	assert_int_equal(a_of(s, ip4(9, 255, 255, 255)), 0);
	assert_int_equal(a_of(s, ip4(10, 0, 0, 0)), 0x7f000003);
	assert_int_equal(a_of(s, ip4(10, 255, 255, 255)), 0x7f000003);
	assert_int_equal(a_of(s, ip4(11, 0, 0, 0)), 0);
	assert_int_equal(a_of(s, ip4(10, 1, 1, 0)), 0x7f000004);
	assert_int_equal(a_of(s, ip4(10, 1, 1, 6)), 0x7f000004);
	assert_int_equal(a_of(s, ip4(10, 1, 1, 7)), 0);
	assert_int_equal(a_of(s, ip4(10, 1, 1, 8)), 0x7f000004);
	assert_int_equal(a_of(s, ip4(10, 1, 2, 0)), 0x7f000003);

	const zone_value_t *v = zone_snapshot_lookup_ip4(s, ip4(1, 2, 3, 4));
	assert_int_equal(v->txt_len, 8);
	assert_memory_equal(v->txt, "listed $", 8);

	/* any-listed-in-range, for empty non-terminals */
	assert_true(zone_snapshot_any_ip4(s, ip4(1, 2, 3, 0), ip4(1, 2, 3, 255)));
	assert_false(zone_snapshot_any_ip4(s, ip4(1, 2, 4, 0), ip4(1, 2, 4, 255)));
	assert_true(zone_snapshot_any_ip4(s, ip4(9, 0, 0, 0), ip4(9, 255, 255, 255)));
	assert_false(zone_snapshot_any_ip4(s, ip4(11, 0, 0, 0), ip4(11, 255, 255, 255)));
	assert_true(zone_snapshot_any_ip4(s, ip4(10, 1, 1, 7), ip4(10, 1, 1, 8)));
	assert_false(zone_snapshot_any_ip4(s, ip4(10, 1, 1, 7), ip4(10, 1, 1, 7)));

	zone_snapshot_stats_t st;
	zone_snapshot_stats(s, &st);
	assert_int_equal(st.n_ip4_hosts, 4);
	assert_int_equal(st.n_values, 3);
	zone_snapshot_unref(zone_snapshot_ref(s));
	zone_snapshot_unref(s);
}

/* Hosts are kept as 16-bit suffixes under 65,536 buckets: ranges across bucket edges. */
static void test_hosts_across_buckets(void **state)
{
	(void)state;
	zone_builder_t *b = zone_builder_new();
	uint32_t v = value(b, 0x7f000002, NULL);
	assert_int_equal(zone_builder_add_ip4(b, ip4(5, 0, 255, 255), ip4(5, 0, 255, 255), 32, v),
			 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(5, 2, 0, 0), ip4(5, 2, 0, 0), 32, v), 0);
	assert_int_equal(
		zone_builder_add_ip4(b, ip4(255, 255, 255, 254), ip4(255, 255, 255, 254), 32, v),
		0);
	zone_snapshot_t *s = finish(b);
	assert_int_equal(a_of(s, ip4(5, 0, 255, 255)), 0x7f000002);
	assert_int_equal(a_of(s, ip4(5, 1, 255, 255)), 0);
	assert_int_equal(a_of(s, ip4(5, 2, 0, 0)), 0x7f000002);
	assert_int_equal(a_of(s, ip4(6, 2, 0, 0)), 0); /* same suffix, other bucket */
	assert_int_equal(a_of(s, ip4(255, 255, 255, 254)), 0x7f000002);
	assert_int_equal(a_of(s, 0xffffffffu), 0);
	assert_false(zone_snapshot_any_ip4(s, ip4(5, 1, 0, 0), ip4(5, 1, 255, 255)));
	assert_true(zone_snapshot_any_ip4(s, ip4(5, 0, 255, 255), ip4(5, 1, 0, 0)));
	assert_true(zone_snapshot_any_ip4(s, ip4(5, 1, 0, 0), ip4(5, 2, 0, 0)));
	assert_false(zone_snapshot_any_ip4(s, ip4(5, 0, 0, 0), ip4(5, 0, 255, 254)));
	assert_true(zone_snapshot_any_ip4(s, ip4(4, 0, 0, 0), ip4(9, 0, 0, 0)));
	assert_false(zone_snapshot_any_ip4(s, ip4(5, 2, 0, 1), ip4(255, 255, 255, 253)));
	assert_true(zone_snapshot_any_ip4(s, ip4(5, 2, 0, 1), 0xffffffffu));
	assert_false(zone_snapshot_any_ip4(s, 0xffffffffu, 0xffffffffu));
	zone_snapshot_unref(s);
}

static void test_equal_rank_ties(void **state)
{
	(void)state;
	zone_builder_t *b = zone_builder_new();
	uint32_t v2 = value(b, 0x7f000002, NULL);
	uint32_t v3 = value(b, 0x7f000003, NULL);
	/* same rank: the exclusion wins wherever it overlaps, whatever the order */
	assert_int_equal(zone_builder_add_ip4(b, ip4(20, 0, 0, 0), ip4(20, 0, 255, 255), 16, v2),
			 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(20, 0, 0, 0), ip4(20, 0, 3, 255), 16,
					      ZONE_VALUE_EXCLUDED),
			 0);
	/* same rank, two values: the first added wins */
	assert_int_equal(zone_builder_add_ip4(b, ip4(30, 0, 0, 0), ip4(30, 0, 0, 255), 24, v3), 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(30, 0, 0, 0), ip4(30, 0, 0, 255), 24, v2), 0);
	/* a lower rank does not beat a higher one, even when added later and wider */
	assert_int_equal(zone_builder_add_ip4(b, ip4(20, 0, 0, 0), ip4(20, 255, 255, 255), 8, v3),
			 0);
	zone_snapshot_t *s = finish(b);
	assert_int_equal(a_of(s, ip4(20, 0, 3, 255)), 0);
	assert_int_equal(a_of(s, ip4(20, 0, 4, 0)), 0x7f000002);
	assert_int_equal(a_of(s, ip4(20, 1, 0, 0)), 0x7f000003);
	assert_int_equal(a_of(s, ip4(30, 0, 0, 9)), 0x7f000003);
	zone_snapshot_unref(s);
}

static void test_ip6(void **state)
{
	(void)state;
	zone_builder_t *b = zone_builder_new();
	uint32_t v2 = value(b, 0x7f000002, "six");
	uint8_t f[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint8_t l[16] = { 0x20, 0x01, 0x0d, 0xb8, 0,	0,    0,    0,
			  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t x[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42 };
	assert_int_equal(zone_builder_add_ip6(b, f, l, 64, v2), 0);
	assert_int_equal(zone_builder_add_ip6(b, x, x, 128, ZONE_VALUE_EXCLUDED), 0);
	zone_snapshot_t *s = finish(b);
	assert_non_null(zone_snapshot_lookup_ip6(s, f));
	assert_non_null(zone_snapshot_lookup_ip6(s, l));
	assert_null(zone_snapshot_lookup_ip6(s, x));
	uint8_t after[16];
	memcpy(after, l, 16);
	after[7] = 1;
	memset(after + 8, 0, 8);
	assert_null(zone_snapshot_lookup_ip6(s, after));
	uint8_t zero[16] = { 0 };
	uint8_t ones[16];
	memset(ones, 0xff, 16);
	assert_null(zone_snapshot_lookup_ip6(s, zero));
	assert_null(zone_snapshot_lookup_ip6(s, ones));
	assert_true(zone_snapshot_any_ip6(s, zero, ones));
	assert_false(zone_snapshot_any_ip6(s, after, ones));
	assert_false(zone_snapshot_any_ip4(s, 0, 0xffffffffu));
	zone_snapshot_unref(s);
}

/* The range a match reports: the host itself, the part of a prefix around an exclusion,
 * the whole space up to the top, and an IPv6 prefix. */
static void test_match_ranges(void **state)
{
	(void)state;
	zone_builder_t *b = zone_builder_new();
	uint32_t v2 = value(b, 0x7f000002, "two");
	uint32_t v3 = value(b, 0x7f000003, "three");
	assert_int_equal(zone_builder_add_ip4(b, ip4(1, 2, 3, 4), ip4(1, 2, 3, 4), 32, v2), 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(10, 0, 0, 0), ip4(10, 0, 0, 255), 24, v3), 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(10, 0, 0, 7), ip4(10, 0, 0, 7), 32,
					      ZONE_VALUE_EXCLUDED),
			 0);
	assert_int_equal(zone_builder_add_ip4(b, ip4(255, 0, 0, 0), 0xffffffffu, 8, v3), 0);
	uint8_t f[16] = { 0x2a, 0x01, 0x04, 0xf8, 0, 1, 0, 2 };
	uint8_t l[16] = { 0x2a, 0x01, 0x04, 0xf8, 0,	0,    0,    0,
			  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	memcpy(l + 4, f + 4, 4);
	assert_int_equal(zone_builder_add_ip6(b, f, l, 64, v2), 0);
	zone_snapshot_t *s = finish(b);

	uint32_t first = 1, last = 1;
	const zone_value_t *v = zone_snapshot_match_ip4(s, ip4(1, 2, 3, 4), &first, &last);
	assert_non_null(v);
	assert_int_equal(v->a, 0x7f000002);
	assert_int_equal(first, ip4(1, 2, 3, 4));
	assert_int_equal(last, ip4(1, 2, 3, 4));
	v = zone_snapshot_match_ip4(s, ip4(10, 0, 0, 9), &first, &last);
	assert_non_null(v);
	assert_int_equal(v->a, 0x7f000003);
	assert_int_equal(first, ip4(10, 0, 0, 8));
	assert_int_equal(last, ip4(10, 0, 0, 255));
	v = zone_snapshot_match_ip4(s, ip4(10, 0, 0, 1), &first, &last);
	assert_int_equal(first, ip4(10, 0, 0, 0));
	assert_int_equal(last, ip4(10, 0, 0, 6));
	v = zone_snapshot_match_ip4(s, ip4(255, 1, 2, 3), &first, &last);
	assert_int_equal(first, ip4(255, 0, 0, 0));
	assert_int_equal(last, 0xffffffffu);
	first = last = 42;
	assert_null(zone_snapshot_match_ip4(s, ip4(10, 0, 0, 7), &first, &last));
	assert_null(zone_snapshot_match_ip4(s, ip4(1, 2, 3, 5), &first, &last));
	assert_int_equal(first, 42);

	uint8_t q[16], mf[16], ml[16];
	memcpy(q, f, 16);
	q[15] = 0x99;
	v = zone_snapshot_match_ip6(s, q, mf, ml);
	assert_non_null(v);
	assert_memory_equal(mf, f, 16);
	assert_memory_equal(ml, l, 16);
	q[7] = 3;
	assert_null(zone_snapshot_match_ip6(s, q, mf, ml));

	/* the same for people: the A value and the range as text */
	zone_match_t m;
	ipbl_ipaddr_t a;
	ipbl_ipaddr_from_v4(ip4(10, 0, 0, 200), &a);
	zone_snapshot_match(s, &a, &m);
	assert_true(m.listed);
	assert_int_equal(m.a, 0x7f000003);
	assert_string_equal(m.range, "10.0.0.8-10.0.0.255");
	ipbl_ipaddr_from_v4(ip4(255, 9, 9, 9), &a);
	zone_snapshot_match(s, &a, &m);
	assert_string_equal(m.range, "255.0.0.0/8");
	q[7] = 2;
	ipbl_ipaddr_from_v6(q, &a);
	zone_snapshot_match(s, &a, &m);
	assert_true(m.listed);
	assert_string_equal(m.range, "2a01:4f8:1:2::/64");
	ipbl_ipaddr_from_v4(ip4(10, 0, 0, 7), &a);
	zone_snapshot_match(s, &a, &m);
	assert_false(m.listed);
	assert_string_equal(m.range, "");
	zone_snapshot_unref(s);
}

static void test_empty(void **state)
{
	(void)state;
	zone_builder_t *b = zone_builder_new();
	zone_snapshot_t *s = finish(b);
	assert_null(zone_snapshot_lookup_ip4(s, 0x01020304));
	assert_false(zone_snapshot_any_ip4(s, 0, 0xffffffffu));
	zone_snapshot_unref(s);
}

/* Random ranges against a brute-force model over a small space (the top 20 bits fixed). */
static void test_random_against_model(void **state)
{
	(void)state;
	enum { SPACE = 4096, ENTRIES = 300, ROUNDS = 30 };
	const uint32_t base = ip4(44, 0, 0, 0);
	srand(12345);
	for (int round = 0; round < ROUNDS; round++) {
		zone_builder_t *b = zone_builder_new();
		uint32_t vals[4];
		for (int i = 0; i < 4; i++) {
			vals[i] = value(b, 0x7f000002u + (uint32_t)i, NULL);
		}
		/* model: best (rank, excl, order) per address */
		int best_rank[SPACE];
		uint32_t best_val[SPACE];
		for (int i = 0; i < SPACE; i++) {
			best_rank[i] = -1;
			best_val[i] = 0;
		}
		for (int e = 0; e < ENTRIES; e++) {
			uint32_t f = (uint32_t)(rand() % SPACE);
			uint32_t len = (uint32_t)(rand() % 4 == 0 ? rand() % 1024 : rand() % 8);
			uint32_t l = f + len < SPACE ? f + len : SPACE - 1;
			int rank = rand() % 4 == 0 ? 32 : 8 + rand() % 24;
			uint32_t v = rand() % 5 == 0 ? ZONE_VALUE_EXCLUDED : vals[rand() % 4];
			assert_int_equal(
				zone_builder_add_ip4(b, base + f, base + l, (uint8_t)rank, v), 0);
			for (uint32_t a = f; a <= l; a++) {
				bool wins = rank > best_rank[a] ||
					    (rank == best_rank[a] && v == 0 && best_val[a] != 0);
				if (wins) {
					best_rank[a] = rank;
					best_val[a] = v;
				}
			}
		}
		zone_snapshot_t *s = finish(b);
		for (uint32_t a = 0; a < SPACE; a++) {
			const zone_value_t *got = zone_snapshot_lookup_ip4(s, base + a);
			uint32_t want = best_val[a] ? 0x7f000002u + (best_val[a] - vals[0]) : 0;
			if ((got ? got->a : 0) != want) {
				fail_msg("round %d addr +%u: got %#x want %#x", round, a,
					 got ? got->a : 0, want);
			}
		}
		assert_null(zone_snapshot_lookup_ip4(s, base - 1));
		assert_null(zone_snapshot_lookup_ip4(s, base + SPACE));
		zone_snapshot_unref(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_interned),
		cmocka_unit_test(test_clone),
		cmocka_unit_test(test_hosts_and_ranges),
		cmocka_unit_test(test_hosts_across_buckets),
		cmocka_unit_test(test_equal_rank_ties),
		cmocka_unit_test(test_ip6),
		cmocka_unit_test(test_match_ranges),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
