/* SPDX-License-Identifier: BSD-2-Clause */
/* String slices, bounded buffers and error strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/str.h"

static void test_trim_split(void **state)
{
	(void)state;
	ipbl_str_t s = ipbl_str_trim(ipbl_str(" \tab c \r\n"));
	assert_int_equal(s.len, 4);
	assert_memory_equal(s.ptr, "ab c", 4);
	ipbl_str_t head;
	ipbl_str_t rest = ipbl_str_split(ipbl_str("a,b,c"), ',', &head);
	assert_true(ipbl_str_eq(head, IPBL_STR_LIT("a")));
	assert_true(ipbl_str_eq(rest, IPBL_STR_LIT("b,c")));
	rest = ipbl_str_split(ipbl_str("abc"), ',', &head);
	assert_null(rest.ptr);
	assert_true(ipbl_str_eq(head, IPBL_STR_LIT("abc")));
	assert_true(ipbl_str_eq_nocase(IPBL_STR_LIT("BL.Example"), IPBL_STR_LIT("bl.example")));
	assert_false(ipbl_str_eq_nocase(IPBL_STR_LIT("bl"), IPBL_STR_LIT("bl.")));
}

static void test_to_u64(void **state)
{
	(void)state;
	unsigned long long v = 0;
	assert_true(ipbl_str_to_u64(IPBL_STR_LIT("65535"), 65535, &v));
	assert_int_equal(v, 65535);
	assert_false(ipbl_str_to_u64(IPBL_STR_LIT("65536"), 65535, &v));
	assert_false(ipbl_str_to_u64(IPBL_STR_LIT(""), 10, &v));
	assert_false(ipbl_str_to_u64(IPBL_STR_LIT("1a"), 100, &v));
	assert_false(ipbl_str_to_u64(IPBL_STR_LIT("+1"), 100, &v));
	assert_false(ipbl_str_to_u64(IPBL_STR_LIT("18446744073709551616"), ~0ull, &v));
	assert_true(ipbl_str_to_u64(IPBL_STR_LIT("18446744073709551615"), ~0ull, &v));
}

static void test_buf_bounds(void **state)
{
	(void)state;
	char storage[8];
	ipbl_buf_t b;
	ipbl_buf_init(&b, storage, sizeof(storage));
	ipbl_buf_puts(&b, "abc");
	ipbl_buf_printf(&b, "%d", 1234);
	assert_string_equal(storage, "abc1234");
	assert_false(ipbl_buf_overflowed(&b));
	ipbl_buf_puts(&b, "x");
	assert_true(ipbl_buf_overflowed(&b));
	assert_string_equal(storage, "abc1234");
	ipbl_buf_init(&b, storage, sizeof(storage));
	ipbl_buf_printf(&b, "%s", "0123456789");
	assert_true(ipbl_buf_overflowed(&b));
	assert_int_equal(b.len, 7);
	assert_string_equal(storage, "0123456");
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(ipbl_strerror(0), "success");
	assert_string_equal(ipbl_strerror(IPBL_EPARSE), "parse error");
	assert_string_equal(ipbl_strerror(IPBL_ENOMEM), "out of memory");
	assert_string_equal(ipbl_strerror(-EPIPE), "Broken pipe");
	assert_string_equal(ipbl_strerror(-5555), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim_split),
		cmocka_unit_test(test_to_u64),
		cmocka_unit_test(test_buf_bounds),
		cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
