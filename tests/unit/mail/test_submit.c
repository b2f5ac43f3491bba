/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for mail_submit_reporter: the reporter NAME from a submit+NAME delivery address,
 * the order of trust of the delivery fields, the topmost field only, and NAME's limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/submit.h"

typedef struct {
	const char *name;
	const char *msg;
	const char *want; /* NULL: none found */
} submit_case_t;

#define N63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789A"

static const submit_case_t cases[] = {
	{ "Delivered-To", "Delivered-To: submit+alice@bl.test\nSubject: s\n\nb\n", "alice" },
	{ "spam+ prefix, any case", "Delivered-To: SPAM+Bob.K_2-x@bl.test\n\nb\n", "Bob.K_2-x" },
	{ "Delivered-To wins over X-Original-To and To",
	  "To: submit+mallory@bl.test\nX-Original-To: submit+carol@bl.test\n"
	  "Delivered-To: submit+dave@bl.test\n\nb\n",
	  "dave" },
	{ "X-Original-To when Delivered-To has no submit address",
	  "Delivered-To: ipbl@localhost\nX-Original-To: submit+erin@bl.test\nTo: x@y.test\n\nb\n",
	  "erin" },
	{ "Envelope-To (Exim)", "Envelope-to: submit+frank@bl.test\nTo: z@y.test\n\nb\n", "frank" },
	{ "To with a display name and several addresses",
	  "To: \"Blocklist\" <other@bl.test>,\n Reports <submit+gina@bl.test>\n\nb\n", "gina" },
	{ "only the topmost Delivered-To counts",
	  "Delivered-To: ipbl@localhost\nDelivered-To: submit+forged@bl.test\n\nb\n", NULL },
	{ "CRLF and a folded field",
	  "Subject: s\r\nX-Original-To:\r\n submit+hank@bl.test\r\n\r\nb\r\n", "hank" },
	{ "a name of 63 characters", "Delivered-To: submit+" N63 "@bl.test\n\nb\n", N63 },
	{ "a name of 64 characters is refused", "Delivered-To: submit+" N63 "B@bl.test\n\nb\n",
	  NULL },
	{ "empty name", "Delivered-To: submit+@bl.test\n\nb\n", NULL },
	{ "a character outside the set", "Delivered-To: submit+al!ce@bl.test\n\nb\n", NULL },
	{ "no domain", "Delivered-To: submit+alice\n\nb\n", NULL },
	{ "prefix inside another local part", "Delivered-To: nosubmit+alice@bl.test\n\nb\n", NULL },
	{ "other delimiter", "Delivered-To: submit-alice@bl.test\n\nb\n", NULL },
	{ "the body does not count", "Subject: s\n\nDelivered-To: submit+ivan@bl.test\n", NULL },
	{ "the attached spam does not count",
	  "Subject: fwd\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
	  "Content-Type: message/rfc822\n\nDelivered-To: submit+judy@bl.test\n\nspam\n--B--\n",
	  NULL },
	{ "no header", "", NULL },
};

static void test_submit_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[MAIL_SUBMIT_NAMELEN];
		bool found = mail_submit_reporter(cases[i].msg, strlen(cases[i].msg), name);
		if (found != (cases[i].want != NULL)) {
			fail_msg("%s: found %d ('%s'), want %s", cases[i].name, found, name,
				 cases[i].want ? cases[i].want : "none");
		}
		if (found && strcmp(name, cases[i].want) != 0) {
			fail_msg("%s: got '%s', want '%s'", cases[i].name, name, cases[i].want);
		}
		if (!found) {
			assert_string_equal(name, "");
		}
	}
}

static void test_submit_unterminated(void **state)
{
	(void)state;
	/* the length is respected: nothing past len is read */
	const char msg[] = "Delivered-To: submit+kim@bl.test\n\n";
	char name[MAIL_SUBMIT_NAMELEN];
	assert_false(mail_submit_reporter(msg, 20, name));
	assert_true(mail_submit_reporter(msg, sizeof(msg) - 1, name));
	assert_string_equal(name, "kim");
	assert_false(mail_submit_reporter(NULL, 0, name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit_table),
		cmocka_unit_test(test_submit_unterminated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
