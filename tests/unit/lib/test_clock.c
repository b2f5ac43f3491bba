/* SPDX-License-Identifier: BSD-2-Clause */
/* The clock: system time, the shared manual clock, RFC 3339 parsing and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/clock.h"

static void test_system(void **state)
{
	(void)state;
	ipbl_clock_t *c = ipbl_clock_system();
	int64_t now = (int64_t)time(NULL) * 1000;
	int64_t got = ipbl_clock_now_ms(c);
	assert_true(got >= now - 1000 && got <= now + 2000);
	assert_false(ipbl_clock_is_manual(c));
	assert_int_equal(ipbl_clock_set_ms(c, 5), IPBL_EINVAL);
	ipbl_clock_free(c); /* the system clock is static: a no-op */
}

static void test_manual_shared(void **state)
{
	(void)state;
	char path[] = "/tmp/ipbl-clock-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path); /* start from no file: the first open creates it */
	ipbl_clock_t *a = NULL;
	ipbl_clock_t *b = NULL;
	assert_int_equal(ipbl_clock_manual_open(path, &a), 0);
	assert_int_equal(ipbl_clock_manual_open(path, &b), 0);
	assert_true(ipbl_clock_is_manual(a));
	int64_t t0 = ipbl_clock_now_ms(a);
	assert_true(t0 > 1700000000000LL);
	/* a manual clock does not move by itself */
	usleep(20000);
	assert_int_equal(ipbl_clock_now_ms(a), t0);
	/* one opener moves it, every opener sees it */
	assert_int_equal(ipbl_clock_set_ms(a, 1000000), 0);
	assert_int_equal(ipbl_clock_now_ms(b), 1000000);
	assert_int_equal(ipbl_clock_advance_ms(b, 24LL * 3600 * 1000), 0);
	assert_int_equal(ipbl_clock_now_ms(a), 1000000 + 24LL * 3600 * 1000);
	ipbl_clock_free(a);
	ipbl_clock_free(b);
	/* it persists across opens */
	assert_int_equal(ipbl_clock_manual_open(path, &a), 0);
	assert_int_equal(ipbl_clock_now_ms(a), 1000000 + 24LL * 3600 * 1000);
	ipbl_clock_free(a);
	/* a file that is not a clock is refused */
	FILE *f = fopen(path, "w");
	fputs("this is not a clock file at all", f);
	fclose(f);
	assert_int_equal(ipbl_clock_manual_open(path, &a), IPBL_EFORMAT);
	unlink(path);
}

static void test_parse_format(void **state)
{
	(void)state;
	int64_t ms = 0;
	assert_int_equal(ipbl_clock_parse_time("2026-11-22T07:30:00Z", &ms), 0);
	assert_int_equal(ms, 1795332600000LL);
	char buf[32];
	assert_string_equal(ipbl_clock_format(ms, buf), "2026-11-22T07:30:00Z");
	assert_int_equal(ipbl_clock_parse_time("2026-11-22T07:30:00.250Z", &ms), 0);
	assert_int_equal(ms, 1795332600250LL);
	assert_int_equal(ipbl_clock_parse_time("2026-11-22T07:30:00+00:00", &ms), 0);
	assert_int_equal(ipbl_clock_parse_time("@86400", &ms), 0);
	assert_int_equal(ms, 86400000);
	assert_int_equal(ipbl_clock_parse_time("2026-11-22 07:30:00", &ms), IPBL_EPARSE);
	assert_int_equal(ipbl_clock_parse_time("2026-11-22T07:30:00+02:00", &ms), IPBL_EPARSE);
	assert_int_equal(ipbl_clock_parse_time("@", &ms), IPBL_EPARSE);
	assert_int_equal(ipbl_clock_parse_time("@12x", &ms), IPBL_EPARSE);
	assert_int_equal(ipbl_clock_parse_time("yesterday", &ms), IPBL_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system),
		cmocka_unit_test(test_manual_shared),
		cmocka_unit_test(test_parse_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
