/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for mail_message_kind: delivery failure notices (DSN, Exim, qmail, MAILER-DAEMON,
 * null sender), auto-replies (RFC 3834, X-Autoreply, Precedence, read receipts, vacation
 * subjects on replies), spam that merely looks like them, and the same inside a forward. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/kind.h"

typedef struct {
	const char *name;
	const char *msg;
	enum mail_kind want;
} kind_case_t;

#define RCVD "Received: from mx.alpha.test (mx.alpha.test [81.2.69.9]) by in.test id 1\n"

static const kind_case_t cases[] = {
	{ "postfix DSN (multipart/report delivery-status)",
	  RCVD
	  "Return-Path: <>\nFrom: MAILER-DAEMON@mx.alpha.test (Mail Delivery System)\n"
	  "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
	  "Content-Type: multipart/report; report-type=delivery-status;\n"
	  "\tboundary=\"D1\"\n\n--D1\nContent-Type: text/plain\n\nI'm sorry.\n"
	  "--D1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
	  "--D1\nContent-Type: message/rfc822\n\nReceived: from x (x [81.2.69.10]) by mx id 2\n"
	  "From: forged@victim.test\nSubject: buy\n\nspam\n--D1--\n",
	  MAIL_KIND_BOUNCE },
	{ "exim bounce: X-Failed-Recipients, Auto-Submitted: auto-replied",
	  RCVD "X-Failed-Recipients: nobody@alpha.test\nAuto-Submitted: auto-replied\n"
	       "From: Mail Delivery System <Mailer-Daemon@alpha.test>\n"
	       "Subject: Mail delivery failed: returning message to sender\n\n"
	       "This message was created automatically by mail delivery software.\n",
	  MAIL_KIND_BOUNCE },
	{ "qmail failure notice with null sender",
	  RCVD "Return-Path: <>\nFrom: MAILER-DAEMON@beta.test\nSubject: failure notice\n\n"
	       "Hi. This is the qmail-send program at beta.test.\n",
	  MAIL_KIND_BOUNCE },
	{ "exchange NDR: Undeliverable: with postmaster sender",
	  RCVD "From: postmaster@gamma.test\nSubject: Undeliverable: Your invoice\n\nDelivery has "
	       "failed.\n",
	  MAIL_KIND_BOUNCE },
	{ "gmail DSN subject, mailer-daemon",
	  RCVD "From: Mail Delivery Subsystem <mailer-daemon@googlemail.test>\n"
	       "Subject: Delivery Status Notification (Failure)\n\nAddress not found\n",
	  MAIL_KIND_BOUNCE },
	{ "failure subject with a null sender, ordinary From",
	  RCVD "Return-Path: <>\nFrom: Mail System <system@delta.test>\nSubject: Returned mail: "
	       "see transcript for details\n\nx\n",
	  MAIL_KIND_BOUNCE },
	{ "null sender alone",
	  RCVD "Return-Path: <>\nFrom: someone@delta.test\nSubject: hello\n\nx\n",
	  MAIL_KIND_BOUNCE },
	{ "RFC 3834 auto-reply",
	  RCVD "Return-Path: <>\nAuto-Submitted: auto-replied (vacation)\nFrom: bob@eps.test\n"
	       "Subject: Re: meeting\nIn-Reply-To: <a@b>\n\nI am away.\n",
	  MAIL_KIND_AUTO_REPLY },
	{ "X-Autoreply",
	  RCVD "X-Autoreply: yes\nFrom: carol@eps.test\nSubject: Thanks for your message\n\nx\n",
	  MAIL_KIND_AUTO_REPLY },
	{ "Precedence: auto_reply",
	  RCVD "Precedence: auto_reply\nFrom: dan@eps.test\nSubject: Received\n\nx\n",
	  MAIL_KIND_AUTO_REPLY },
	{ "outlook Automatic reply on a reply",
	  RCVD
	  "From: erin@zeta.test\nSubject: Automatic reply: your order\n"
	  "In-Reply-To: <123@shop.test>\nAuto-Submitted: auto-generated\n\nOut until Monday.\n",
	  MAIL_KIND_AUTO_REPLY },
	{ "encoded vacation subject with null sender",
	  RCVD
	  "Return-Path: <>\nFrom: f@zeta.test\nSubject: =?utf-8?q?Out_of_Office=3A_back_soon?=\n"
	  "\nx\n",
	  MAIL_KIND_AUTO_REPLY },
	{ "read receipt (disposition-notification)",
	  RCVD "From: g@eta.test\nSubject: Read: hello\nMIME-Version: 1.0\n"
	       "Content-Type: multipart/report; report-type=disposition-notification; "
	       "boundary=R\n\n--R\nContent-Type: text/plain\n\nread\n--R--\n",
	  MAIL_KIND_AUTO_REPLY },
	{ "spam with a vacation subject but no reply marks",
	  RCVD "Return-Path: <deals@travel.test>\nFrom: deals@travel.test\n"
	       "Subject: Vacation packages 70% off\n\nBook now.\n",
	  MAIL_KIND_SPAM },
	{ "spam that says delivery failed but has a real sender",
	  RCVD "Return-Path: <phish@evil.test>\nFrom: IT Desk <phish@evil.test>\n"
	       "Subject: Undelivered Mail: verify your mailbox\n\nLog in here.\n",
	  MAIL_KIND_SPAM },
	{ "plain spam", RCVD "From: a@spam.test\nSubject: cheap pills\n\nbuy\n", MAIL_KIND_SPAM },
	{ "not a message", "no header here\n", MAIL_KIND_SPAM },
	{ "empty", "", MAIL_KIND_SPAM },
	{ "forwarded bounce: the attached message is classified",
	  RCVD "From: reporter@rcpt.test\nSubject: Fwd: backscatter\nMIME-Version: 1.0\n"
	       "Content-Type: multipart/mixed; boundary=F\n\n--F\nContent-Type: text/plain\n\n"
	       "see\n--F\nContent-Type: message/rfc822\n\n" RCVD
	       "Return-Path: <>\nFrom: MAILER-DAEMON@mx.alpha.test\n"
	       "Subject: Undelivered Mail Returned to Sender\n\nbounced\n--F--\n",
	  MAIL_KIND_BOUNCE },
	{ "forwarded spam: a bounce-like wrapper does not matter",
	  RCVD "Return-Path: <>\nFrom: MAILER-DAEMON@rcpt.test\nSubject: Undeliverable: x\n"
	       "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=F\n\n"
	       "--F\nContent-Type: message/rfc822\n\n" RCVD
	       "Return-Path: <s@spam.test>\nFrom: s@spam.test\nSubject: pills\n\nbuy\n--F--\n",
	  MAIL_KIND_SPAM },
};

static void test_kind_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[128];
		enum mail_kind got =
			mail_message_kind(cases[i].msg, strlen(cases[i].msg), why, sizeof(why));
		if (got != cases[i].want) {
			fail_msg("%s: got %s (%s), want %s", cases[i].name, mail_kind_name(got),
				 why, mail_kind_name(cases[i].want));
		}
		/* a verdict other than spam always says which mark decided it */
		if (got != MAIL_KIND_SPAM && why[0] == '\0') {
			fail_msg("%s: no reason given", cases[i].name);
		}
	}
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(mail_kind_name(MAIL_KIND_SPAM), "spam");
	assert_string_equal(mail_kind_name(MAIL_KIND_BOUNCE), "bounce");
	assert_string_equal(mail_kind_name(MAIL_KIND_AUTO_REPLY), "auto-reply");
	/* why may be NULL */
	static const char dsn[] = "From: MAILER-DAEMON@x.test\nReturn-Path: <>\n\nx\n";
	assert_int_equal(mail_message_kind(dsn, sizeof(dsn) - 1, NULL, 0), MAIL_KIND_BOUNCE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_table),
		cmocka_unit_test(test_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
