/* SPDX-License-Identifier: BSD-2-Clause */
/* The region allocator: alignment, limits, large blocks, reset and reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/arena.h"

static void test_alloc_align(void **state)
{
	(void)state;
	ipbl_arena_t *a = ipbl_arena_new(0);
	assert_non_null(a);
	for (size_t i = 1; i < 200; i++) {
		unsigned char *p = ipbl_arena_alloc(a, i);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, (int)i, i);
	}
	char *s = ipbl_arena_strndup(a, "hello world", 5);
	assert_string_equal(s, "hello");
	/* a block larger than a chunk gets its own */
	unsigned char *big = ipbl_arena_alloc(a, 100000);
	assert_non_null(big);
	memset(big, 1, 100000);
	ipbl_arena_free(a);
	ipbl_arena_free(NULL);
}

static void test_limit(void **state)
{
	(void)state;
	ipbl_arena_t *a = ipbl_arena_new(1024);
	assert_non_null(ipbl_arena_alloc(a, 1000));
	assert_null(ipbl_arena_alloc(a, 100)); /* over the limit: NULL, not abort */
	assert_null(ipbl_arena_alloc(a, SIZE_MAX));
	ipbl_arena_reset(a);
	assert_int_equal(ipbl_arena_used(a), 0);
	assert_non_null(ipbl_arena_alloc(a, 1000));
	ipbl_arena_free(a);
}

static void test_reset_reuses(void **state)
{
	(void)state;
	ipbl_arena_t *a = ipbl_arena_new(0);
	void *first = ipbl_arena_alloc(a, 64);
	ipbl_arena_alloc(a, 50000);
	ipbl_arena_alloc(a, 20000);
	ipbl_arena_reset(a);
	assert_ptr_equal(ipbl_arena_alloc(a, 64), first);
	ipbl_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_align),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_reset_reuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
