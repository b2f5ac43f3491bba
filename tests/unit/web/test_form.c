/* SPDX-License-Identifier: BSD-2-Clause */
/* The urlencoded form decoder: fields found by their decoded names, '+' and %XX decoded,
 * broken escapes refused, NUL bytes kept and counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/form.h"

#define S(lit) lit, sizeof(lit) - 1

static void check(const char *body, size_t len, const char *name, int want_ret, const char *want,
		  size_t want_len)
{
	char *out = (char *)1;
	size_t n = 99;
	assert_int_equal(web_form_field(body, len, name, &out, &n), want_ret);
	if (want_ret != 0) {
		assert_null(out);
		assert_int_equal(n, 0);
		return;
	}
	assert_non_null(out);
	assert_int_equal(n, want_len);
	assert_memory_equal(out, want, want_len);
	assert_int_equal(out[n], '\0');
	free(out);
}

static void test_fields(void **state)
{
	(void)state;
	check(S("bounce=hello+world%21"), "bounce", 0, S("hello world!"));
	check(S("a=1&bounce=x&bounce=y"), "bounce", 0, S("x"));
	check(S("a=1&b%6Funce=%3Cscript%3E"), "bounce", 0, S("<script>"));
	check(S("bounce"), "bounce", 0, S(""));
	check(S("bounce=&x=1"), "bounce", 0, S(""));
	check(S("&&bounce=a%0D%0Ab"), "bounce", 0, S("a\r\nb"));
	check(S("bounce=a%00b"), "bounce", 0, S("a\0b"));
	check(S("bounce=%e2%82%ac"), "bounce", 0, S("\xE2\x82\xAC"));
	check(S("bounce=a=b"), "bounce", 0, S("a=b"));
	check(S("bouncer=1&xbounce=2"), "bounce", IPBL_ENOENT, NULL, 0);
	check(S(""), "bounce", IPBL_ENOENT, NULL, 0);
	check(S("bounce=%"), "bounce", IPBL_EFORMAT, NULL, 0);
	check(S("bounce=%4"), "bounce", IPBL_EFORMAT, NULL, 0);
	check(S("bounce=%zz"), "bounce", IPBL_EFORMAT, NULL, 0);
	/* another field's broken name is no concern unless it has to be compared */
	check(S("x%=1&bounce=2"), "bounce", 0, S("2"));
	check(S("bounc%=1&bounce=2"), "bounce", IPBL_EFORMAT, NULL, 0);
	/* the body need not end in a NUL: the field stops at len */
	check("bounce=abcdef", 9, "bounce", 0, S("ab"));
}

static void test_count(void **state)
{
	(void)state;
	assert_int_equal(web_form_count("", 0), 0);
	assert_int_equal(web_form_count("a=1", 3), 1);
	assert_int_equal(web_form_count("a=1&b=2&c", 9), 3);
	assert_int_equal(web_form_count("&&a=1&&", 7), 1);
	assert_int_equal(web_form_count("a=%26&b", 7), 2); /* an escaped '&' is not a separator */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
