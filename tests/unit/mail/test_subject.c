/* SPDX-License-Identifier: BSD-2-Clause */
/* The normal form of a Subject line (mail/subject.h), table-driven: case, folding, white
 * space, RFC 2047 encoded-words, bytes that are not UTF-8, a NUL, blank subjects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/subject.h"

typedef struct {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
} subject_case_t;

static const subject_case_t cases[] = {
	{ "plain", "Our March newsletter", 0, "our march newsletter" },
	{ "ASCII case folds", "OUR March NewsLetter", 0, "our march newsletter" },
	{ "trimmed", "  \t Our March newsletter \t ", 0, "our march newsletter" },
	{ "runs of white space", "Our \t  March\t\tnewsletter", 0, "our march newsletter" },
	{ "folded CRLF", "Our March\r\n newsletter", 0, "our march newsletter" },
	{ "folded LF and tab", "Our March\n\tnewsletter", 0, "our march newsletter" },
	{ "B word", "=?UTF-8?B?T3VyIE1hcmNoIG5ld3NsZXR0ZXI=?=", 0, "our march newsletter" },
	{ "Q word", "=?utf-8?q?Our_March_newsletter?=", 0, "our march newsletter" },
	{ "words joined across white space", "=?UTF-8?Q?Our_Ma?=\r\n =?UTF-8?Q?rch_newsletter?=", 0,
	  "our march newsletter" },
	{ "word and text", "Re: =?ISO-8859-1?Q?caf=E9?= OFFER", 0, "re: caf\xC3\xA9 offer" },
	{ "non-ASCII case folds", "=?UTF-8?B?w4lUw4k=?= Sale", 0, "\xC3\xA9t\xC3\xA9 sale" },
	{ "UTF-8 as typed", "\xC3\x89T\xC3\x89  SALE", 0, "\xC3\xA9t\xC3\xA9 sale" },
	{ "decomposed e and acute", "e\xCC\x81t\xC3\xA9", 0, "\xC3\xA9t\xC3\xA9" },
	{ "no-break space", "Summer\xC2\xA0Sale", 0, "summer sale" },
	{ "German sharp s", "STRASSE Stra\303\237e", 0, "strasse strasse" },
	{ "full-width letters", "\357\274\263ale", 0, "sale" },
	{ "latin-1 bytes read as latin-1", "caf\xE9", 0, "caf\xC3\xA9" },
	{ "a word of no base64 decodes to nothing", "=?UTF-8?B?###?= News", 0, "news" },
	{ "an unknown encoding stays", "=?UTF-8?X?abc?= News", 0, "=?utf-8?x?abc?= news" },
	{ "ends at a NUL", "Hello\0World", 11, "hello" },
	{ "empty", "", 0, "" },
	{ "blank", " \t\r\n ", 0, "" },
	{ "script tags are only text", "<SCRIPT>x</SCRIPT>", 0, "<script>x</script>" },
};

static void test_subject_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const subject_case_t *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		char *got = mail_subject_normalise(c->in, len);
		if (got == NULL) {
			fail_msg("%s: NULL", c->name);
		}
		if (strcmp(got, c->want) != 0) {
			fail_msg("%s: got '%s', want '%s'", c->name, got, c->want);
		}
		free(got);
	}
}

/* The longest subject the form takes (998 characters, RFC 5322 §2.1.1) normalises whole. */
static void test_long_subject(void **state)
{
	(void)state;
	char in[998 + 1];
	memset(in, 'A', 998);
	in[998] = '\0';
	char *got = mail_subject_normalise(in, 998);
	assert_non_null(got);
	assert_int_equal(strlen(got), 998);
	assert_int_equal(got[0], 'a');
	assert_int_equal(got[997], 'a');
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject_table),
		cmocka_unit_test(test_long_subject),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
