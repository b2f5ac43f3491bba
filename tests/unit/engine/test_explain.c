/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for src/engine/explain.c: the advice for each status of our own list (listed, not
 * listed any more, no record, no address in the bounce), for other lists (removed by
 * themselves, by hand, unknown, domain lists), for every kind that is not a blocklist, and the
 * plain-text rendering. No store: the engine's lookup is a value built here. The composer is
 * included white-box so the test does not need the whole engine library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/explain.c"

#define OUR_ZONE "bl.example.org"
#define BASE_URL "https://bl.example.org"

static const explain_site_t site = { OUR_ZONE, BASE_URL };

static void parse(const char *text, mail_bounce_t *b)
{
	static const mail_bounce_ours_t ours = { OUR_ZONE, BASE_URL };
	assert_int_equal(mail_bounce_parse(text, strlen(text), &ours, b), 0);
}

/* A listed address: 2024-05-17T12:00:00Z, ending 5 hours later. */
static engine_lookup_t listed_lookup(void)
{
	engine_lookup_t l;
	memset(&l, 0, sizeof(l));
	l.listed = true;
	l.decision.listed = true;
	l.decision.rules = policy_rules_default();
	snprintf(l.decision.sentence, sizeof(l.decision.sentence),
		 "listed: 3 spam reports from 2 reporters and 1 spamtrap hit");
	l.listed_since_ms = 1715940000000LL;
	l.delist_at_ms = 1715965200000LL; /* 2024-05-17T17:00:00Z */
	l.seconds_to_delist = 5 * 3600;
	return l;
}

static bool any_step_has(const explain_advice_t *a, const char *needle)
{
	for (size_t i = 0; i < a->n_steps; i++) {
		if (strstr(a->steps[i], needle) != NULL) {
			return true;
		}
	}
	return false;
}

#define OURS_REPLY                                                                                 \
	"<bob@harbour.example.net>: host mx.harbour.example.net[93.184.77.10] said: 554 5.7.1 "    \
	"Service unavailable; Client host [91.208.61.33] blocked using bl.example.org"

static void test_ours_listed(void **state)
{
	(void)state;
	mail_bounce_t b;
	parse(OURS_REPLY, &b);
	engine_lookup_t l = listed_lookup();
	explain_advice_t a;
	explain_advice(&b, &site, &l, &a);
	assert_int_equal(a.status, EXPLAIN_STATUS_LISTED);
	assert_string_equal(explain_status_name(a.status), "listed");
	assert_true(a.blocklist && a.ours && a.permanent);
	assert_string_equal(a.ip, "91.208.61.33");
	assert_string_equal(a.list, "our blocklist bl.example.org");
	assert_string_equal(a.server, "mx.harbour.example.net");
	assert_string_equal(a.recipient, "bob@harbour.example.net");
	assert_string_equal(a.lookup_url, BASE_URL "/lookup?ip=91.208.61.33");
	assert_string_equal(a.reason, l.decision.sentence);
	assert_true(a.delist_at_ms == l.delist_at_ms);
	assert_true(a.seconds_to_delist == 5 * 3600);
	assert_non_null(strstr(a.title, "91.208.61.33"));
	assert_non_null(strstr(a.happened, "mx.harbour.example.net"));
	assert_non_null(strstr(a.happened, "bob@harbour.example.net"));
	assert_non_null(strstr(a.status_here, "is on this list now: listed: 3 spam reports"));
	assert_non_null(strstr(a.status_here, "2024-05-17T17:00:00Z"));
	assert_non_null(strstr(a.status_here, "in about 5 hours"));
	assert_non_null(strstr(a.status_here, "24 hours after the last"));
	assert_true(any_step_has(&a, "Do not keep resending"));
	assert_true(any_step_has(&a, "belongs to them"));
	assert_true(any_step_has(&a, "backscatter"));
	assert_true(any_step_has(&a, "ends by itself"));
	assert_true(any_step_has(&a, "dispute"));
	assert_true(any_step_has(&a, BASE_URL "/lookup?ip=91.208.61.33"));
	assert_int_equal(a.n_steps, EXPLAIN_STEPS_MAX);
}

static void test_ours_other_states(void **state)
{
	(void)state;
	mail_bounce_t b;
	parse(OURS_REPLY, &b);
	explain_advice_t a;

	explain_advice(&b, &site, NULL, &a);
	assert_int_equal(a.status, EXPLAIN_STATUS_NO_RECORD);
	assert_non_null(strstr(a.status_here, "no record of 91.208.61.33"));
	assert_true(a.seconds_to_delist == -1 && a.delist_at_ms == 0);
	assert_true(any_step_has(&a, "Try sending once more"));

	engine_lookup_t l = listed_lookup();
	l.listed = false;
	l.decision.listed = false;
	l.delist_at_ms = 0;
	l.seconds_to_delist = -1;
	snprintf(l.decision.sentence, sizeof(l.decision.sentence),
		 "not listed: the last evidence is more than 24 hours old");
	explain_advice(&b, &site, &l, &a);
	assert_int_equal(a.status, EXPLAIN_STATUS_NOT_LISTED);
	assert_non_null(strstr(a.status_here, "not on this list any more (not listed: the last"));
	assert_true(a.seconds_to_delist == -1);

	/* no address in the bounce: nothing to look up, but our lookup page is named */
	parse("550 5.7.1 Rejected: your server is listed at bl.example.org", &b);
	assert_false(b.has_ip);
	explain_advice(&b, &site, NULL, &a);
	assert_int_equal(a.status, EXPLAIN_STATUS_NO_IP);
	assert_string_equal(a.ip, "");
	assert_string_equal(a.lookup_url, BASE_URL "/lookup");
	assert_non_null(strstr(a.status_here, "does not show which address"));
	assert_non_null(strstr(a.title, "Refused because of our blocklist bl.example.org"));

	/* no web pages configured: no URL anywhere; a base URL's final '/' is not doubled */
	explain_site_t bare = { OUR_ZONE, NULL };
	parse(OURS_REPLY, &b);
	explain_advice(&b, &bare, NULL, &a);
	assert_string_equal(a.lookup_url, "");
	explain_site_t slash = { OUR_ZONE, "http://127.0.0.1:8080/" };
	explain_advice(&b, &slash, NULL, &a);
	assert_string_equal(a.lookup_url, "http://127.0.0.1:8080/lookup?ip=91.208.61.33");

	/* only a link to our pages names the list: ours, named by our zone or without one */
	static const char by_url[] =
		"550 5.7.1 Rejected: see http://127.0.0.1:8080/lookup?ip=192.0.2.4";
	const mail_bounce_ours_t web_only = { NULL, "http://127.0.0.1:8080" };
	assert_int_equal(mail_bounce_parse(by_url, strlen(by_url), &web_only, &b), 0);
	assert_true(b.ours);
	explain_advice(&b, &slash, NULL, &a);
	assert_string_equal(a.list, "our blocklist bl.example.org");
	assert_int_equal(a.status, EXPLAIN_STATUS_NO_RECORD);
	explain_site_t no_zone = { NULL, "http://127.0.0.1:8080" };
	explain_advice(&b, &no_zone, NULL, &a);
	assert_string_equal(a.list, "our blocklist");
	assert_string_equal(a.lookup_url, "http://127.0.0.1:8080/lookup?ip=192.0.2.4");
}

static void test_other_lists(void **state)
{
	(void)state;
	mail_bounce_t b;
	explain_advice_t a;

	parse("554 5.7.1 Client host [37.120.155.4] blocked using bl.spamcop.net", &b);
	explain_advice(&b, &site, NULL, &a);
	assert_int_equal(a.status, EXPLAIN_STATUS_NOT_OURS);
	assert_false(a.ours);
	assert_string_equal(a.status_here, "");
	assert_string_equal(a.list, "the SpamCop Blocking List");
	assert_true(any_step_has(&a, "The SpamCop Blocking List removes"));
	assert_string_equal(a.lookup_url, "https://www.spamcop.net/bl.shtml");
	assert_true(any_step_has(&a, "removes addresses by itself"));
	assert_true(any_step_has(&a, "backscatter"));

	parse("554 Client host [82.165.19.200] blocked using b.barracudacentral.org", &b);
	explain_advice(&b, &site, NULL, &a);
	assert_true(any_step_has(&a, "does not remove addresses by itself"));
	assert_true(any_step_has(&a, "https://www.barracudacentral.org/lookups"));

	parse("554 5.7.1 77.90.185.31 listed at dnsbl.quietharbor.example", &b);
	explain_advice(&b, &site, NULL, &a);
	assert_string_equal(a.list, "the blocklist dnsbl.quietharbor.example");
	assert_string_equal(a.lookup_url, "");
	assert_true(any_step_has(&a, "We do not run dnsbl.quietharbor.example"));

	parse("554 5.7.1 Your IP 31.31.31.31 is blacklisted", &b);
	explain_advice(&b, &site, NULL, &a);
	assert_string_equal(a.list, "");
	assert_non_null(strstr(a.title, "on a blocklist"));
	assert_true(any_step_has(&a, "does not name the list"));

	/* a domain list: the message's content, not the address, is the problem */
	parse("554 5.7.1 Rejected: a URL in the body is listed at dbl.spamhaus.org", &b);
	explain_advice(&b, &site, NULL, &a);
	assert_non_null(strstr(a.happened, "not senders"));
	assert_false(any_step_has(&a, "belongs to them"));

	/* a list with a note, and a temporary blocklist refusal */
	parse("450 4.7.1 Client host [5.5.5.5] blocked using pbl.spamhaus.org", &b);
	explain_advice(&b, &site, NULL, &a);
	assert_false(a.permanent);
	assert_non_null(strstr(a.happened, "provider's own mail server"));
	assert_non_null(strstr(a.happened, "later retry"));
}

static void test_not_blocklists(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum mail_bounce_kind kind;
		const char *title_word;
		const char *step_word;
	} cases[] = {
		{ "550 5.1.1 <x@y.example>: User unknown", MAIL_BOUNCE_UNKNOWN_USER,
		  "does not exist", "typing mistakes" },
		{ "552 5.2.2 mailbox full", MAIL_BOUNCE_MAILBOX_FULL, "full", "Try again later" },
		{ "552 5.3.4 Message size exceeds fixed limit", MAIL_BOUNCE_TOO_LARGE, "too large",
		  "download link" },
		{ "550 5.7.26 Unauthenticated email is not accepted due to DMARC policy",
		  MAIL_BOUNCE_AUTH, "SPF", "SPF record" },
		{ "Host or domain name not found. Name service error", MAIL_BOUNCE_BAD_DOMAIN,
		  "domain", "after the @" },
		{ "450 4.2.0 Greylisted, come back later", MAIL_BOUNCE_TEMPORARY, "delayed",
		  "Nothing to do yet" },
		{ "554 5.7.1 Message looks like spam", MAIL_BOUNCE_SPAM, "spam",
		  "what the message contained" },
		{ "550 Administrative prohibition", MAIL_BOUNCE_OTHER, "Refused", "Forward" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mail_bounce_t b;
		parse(cases[i].text, &b);
		assert_int_equal(b.kind, cases[i].kind);
		explain_advice_t a;
		explain_advice(&b, &site, NULL, &a);
		assert_false(a.blocklist);
		assert_int_equal(a.status, EXPLAIN_STATUS_NOT_OURS);
		assert_non_null(strstr(a.happened, "This is not a blocklist problem."));
		assert_non_null(strstr(a.title, cases[i].title_word));
		assert_true(any_step_has(&a, cases[i].step_word));
		assert_string_equal(a.lookup_url, "");
		assert_string_equal(a.status_here, "");
	}
	mail_bounce_t b;
	parse("nothing to see here", &b);
	explain_advice_t a;
	explain_advice(&b, &site, NULL, &a);
	assert_int_equal(a.kind, MAIL_BOUNCE_NONE);
	assert_null(strstr(a.happened, "not a blocklist"));
	assert_true(any_step_has(&a, "Paste the whole bounce"));
}

/* Whose address it is: only the matching steps and a sentence why; both when unknown. */
static void test_sender_case(void **state)
{
	(void)state;
	mail_bounce_t b;
	explain_advice_t a;
	parse(OURS_REPLY "\n\nReceived: from [10.1.4.22] (unknown [198.51.100.7])\n"
			 "\t(Authenticated sender: alice)\n"
			 "\tby smtp.shop.example with ESMTPSA id 1\n",
	      &b);
	explain_advice(&b, &site, NULL, &a);
	assert_int_equal(a.sender, MAIL_BOUNCE_SENDER_PROVIDER);
	assert_non_null(strstr(a.whose, "handed, with your password, to the mail server "
					"smtp.shop.example"));
	assert_non_null(strstr(a.whose, "refused address 91.208.61.33 belongs to that server"));
	assert_string_equal(a.sender_reason,
			    "authenticated submission from 198.51.100.7 to smtp.shop.example");
	assert_true(any_step_has(&a, "91.208.61.33 belongs to the mail server you send through"));
	assert_false(any_step_has(&a, "If you send through a provider"));
	assert_false(any_step_has(&a, "backscatter"));

	parse(OURS_REPLY "\n\nReceived: from www-data by web1.shop.example with local (Exim "
			 "4.96)\n",
	      &b);
	explain_advice(&b, &site, NULL, &a);
	assert_int_equal(a.sender, MAIL_BOUNCE_SENDER_OWN);
	assert_non_null(strstr(a.whose, "written on the server web1.shop.example"));
	assert_true(any_step_has(&a, "The address 91.208.61.33 is your own"));
	assert_true(any_step_has(&a, "backscatter"));
	assert_false(any_step_has(&a, "belongs to"));
	static char buf[16384];
	ipbl_buf_t o;
	ipbl_buf_init(&o, buf, sizeof(buf));
	explain_format_text(&a, &o);
	assert_non_null(strstr(buf, "\nWhose address it is\n  The bounce shows"));
	assert_non_null(strstr(buf, "What the bounce shows:\n    no public hop"));

	parse(OURS_REPLY "\n\nReceived: by h.example id 1\nFrom: Ann <ann@gmail.com>\n", &b);
	explain_advice(&b, &site, NULL, &a);
	assert_int_equal(a.sender, MAIL_BOUNCE_SENDER_PROVIDER);
	assert_non_null(strstr(a.whose, "Your address is at gmail.com, a public mail service"));

	/* the bounce does not tell: no sentence, both cases' steps */
	parse(OURS_REPLY, &b);
	explain_advice(&b, &site, NULL, &a);
	assert_int_equal(a.sender, MAIL_BOUNCE_SENDER_UNKNOWN);
	assert_string_equal(a.whose, "");
	assert_true(any_step_has(&a, "If you send through a provider"));
	assert_true(any_step_has(&a, "If you run the mail server"));
	ipbl_buf_init(&o, buf, sizeof(buf));
	explain_format_text(&a, &o);
	assert_null(strstr(buf, "Whose address"));

	/* a domain list: the sending server does not matter */
	parse("554 5.7.1 a URL in the body is listed at dbl.spamhaus.org\n\nReceived: by h.example "
	      "id 1\nFrom: ann@gmail.com\n",
	      &b);
	assert_int_equal(b.sender, MAIL_BOUNCE_SENDER_PROVIDER);
	explain_advice(&b, &site, NULL, &a);
	assert_int_equal(a.sender, MAIL_BOUNCE_SENDER_UNKNOWN);
	assert_string_equal(a.whose, "");
}

static void check_wrapped(const char *text)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		/* only a single word longer than the line (a URL) may overflow */
		if (len > WRAP_COLUMNS) {
			const char *sp = memchr(line, ' ', len);
			size_t lead = 0;
			while (lead < len && line[lead] == ' ') {
				lead++;
			}
			sp = memchr(line + lead, ' ', len - lead);
			assert_null(sp);
		}
		assert_true(len == 0 || line[len - 1] != ' ');
		line = nl ? nl + 1 : line + len;
	}
}

static void test_format_text(void **state)
{
	(void)state;
	mail_bounce_t b;
	parse(OURS_REPLY, &b);
	engine_lookup_t l = listed_lookup();
	explain_advice_t a;
	explain_advice(&b, &site, &l, &a);
	static char buf[16384];
	ipbl_buf_t o;
	ipbl_buf_init(&o, buf, sizeof(buf));
	explain_format_text(&a, &o);
	assert_false(ipbl_buf_overflowed(&o));
	assert_true(strncmp(buf, "Refused because the sending address 91.208.61.33", 48) == 0);
	assert_non_null(strstr(buf, "\nWhat happened\n  "));
	assert_non_null(strstr(buf, "\n  The server's words:\n    554 5.7.1 Service"));
	assert_non_null(strstr(buf, "\nThis address on our list\n  "));
	assert_non_null(strstr(buf, "\nWhat to do next\n  1. Do not keep resending"));
	assert_non_null(strstr(buf, "\n  6. "));
	check_wrapped(buf);

	/* another list: its lookup page is printed, our status section is not */
	parse("554 5.7.1 Client host [37.120.155.4] blocked using bl.spamcop.net", &b);
	explain_advice(&b, &site, NULL, &a);
	ipbl_buf_init(&o, buf, sizeof(buf));
	explain_format_text(&a, &o);
	assert_null(strstr(buf, "This address on our list"));
	assert_non_null(strstr(buf, "removal rules at:\n    https://www.spamcop.net/bl.shtml\n"));
	check_wrapped(buf);
}

/* Fields at their longest never overrun anything, and the text still renders. */
static void test_long_fields(void **state)
{
	(void)state;
	mail_bounce_t b;
	memset(&b, 0, sizeof(b));
	b.kind = MAIL_BOUNCE_BLOCKLIST;
	b.ours = true;
	b.has_ip = true;
	assert_int_equal(
		ipbl_ipaddr_parse(ipbl_str("2a01:4f8:ffff:ffff:ffff:ffff:ffff:ffff"), &b.ip), 0);
	memset(b.zone, 'z', sizeof(b.zone) - 1);
	memset(b.server, 's', sizeof(b.server) - 1);
	memset(b.recipient, 'r', sizeof(b.recipient) - 1);
	memset(b.reply, 'x', sizeof(b.reply) - 1);
	char long_url[2000];
	memset(long_url, 'u', sizeof(long_url) - 1);
	long_url[sizeof(long_url) - 1] = '\0';
	explain_site_t s = { b.zone, long_url };
	engine_lookup_t l = listed_lookup();
	memset(l.decision.sentence, 'w', sizeof(l.decision.sentence) - 1);
	l.seconds_to_delist = 3 * 86400;
	explain_advice_t a;
	explain_advice(&b, &s, &l, &a);
	assert_true(strlen(a.happened) < sizeof(a.happened));
	assert_true(strlen(a.lookup_url) < sizeof(a.lookup_url));
	assert_non_null(strstr(a.status_here, "in about 3 days"));
	static char buf[65536];
	ipbl_buf_t o;
	ipbl_buf_init(&o, buf, sizeof(buf));
	explain_format_text(&a, &o);
	assert_false(ipbl_buf_overflowed(&o));
	/* a small buffer is cut, not overrun */
	char small[100];
	ipbl_buf_init(&o, small, sizeof(small));
	explain_format_text(&a, &o);
	assert_true(ipbl_buf_overflowed(&o));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(explain_status_name((enum explain_status)42), "unknown");
}

static void test_durations(void **state)
{
	(void)state;
	char buf[64];
	format_duration(0, buf, sizeof(buf));
	assert_string_equal(buf, "within a minute");
	format_duration(61, buf, sizeof(buf));
	assert_string_equal(buf, "in about 2 minutes");
	format_duration(7199, buf, sizeof(buf));
	assert_string_equal(buf, "in about 120 minutes");
	format_duration(7200, buf, sizeof(buf));
	assert_string_equal(buf, "in about 2 hours");
	format_duration(23 * 3600 + 1700, buf, sizeof(buf));
	assert_string_equal(buf, "in about 23 hours");
	format_span(86400000, buf, sizeof(buf));
	assert_string_equal(buf, "24 hours");
	format_span(3600000, buf, sizeof(buf));
	assert_string_equal(buf, "1 hour");
	format_span(2 * 86400000LL, buf, sizeof(buf));
	assert_string_equal(buf, "2 days");
	format_span(90 * 60000, buf, sizeof(buf));
	assert_string_equal(buf, "90 minutes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ours_listed), cmocka_unit_test(test_ours_other_states),
		cmocka_unit_test(test_other_lists), cmocka_unit_test(test_not_blocklists),
		cmocka_unit_test(test_sender_case), cmocka_unit_test(test_format_text),
		cmocka_unit_test(test_long_fields), cmocka_unit_test(test_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
