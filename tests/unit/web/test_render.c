/* SPDX-License-Identifier: BSD-2-Clause */
/* The web pages: the one escape function, the JSON string writer, durations, redaction, and
 * what each page says (and never says) for listed, unlisted, unknown and reserved addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/render.h"

#define T0 1795332600000LL /* 2026-11-22T07:30:00Z */
#define HOUR_MS 3600000LL

static char *html(const char *s, size_t len)
{
	web_out_t o;
	web_out_init(&o, 0);
	web_out_html(&o, s, len);
	size_t n = 0;
	char *p = web_out_take(&o, &n);
	return p ? p : calloc(1, 1);
}

static void check_html(const char *in, size_t len, const char *want)
{
	char *got = html(in, len);
	assert_string_equal(got, want);
	free(got);
}

/* a literal and its length, NUL bytes included */
#define S(lit) lit, sizeof(lit) - 1

static void test_html_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ S("plain text 192.0.2.1"), "plain text 192.0.2.1" },
		{ S("<script>alert(\"x\")</script>"),
		  "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" },
		{ S("a&b'c"), "a&amp;b&#39;c" },
		{ S("\" onmouseover='x'"), "&quot; onmouseover=&#39;x&#39;" },
		{ S("tab\tline\nend\r"), "tab\tline\nend\r" },
		{ S("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA7"),
		  "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA7" },
		/* a NUL byte, C0 controls and DEL never reach the page */
		{ S("a\0b"), "a\xEF\xBF\xBD"
			     "b" },
		{ S("\x01\x1b[31m\x7f"), "\xEF\xBF\xBD\xEF\xBF\xBD[31m\xEF\xBF\xBD" },
		/* invalid UTF-8: stray bytes, overlong forms, surrogates, past U+10FFFF, cut */
		{ S("\xff"), "\xEF\xBF\xBD" },
		{ S("\xC0\xBC"), "\xEF\xBF\xBD\xEF\xBF\xBD" },
		{ S("\xE0\x80\xBC"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },
		{ S("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },
		{ S("\xF4\x90\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },
		{ S("x\xE2\x82"), "x\xEF\xBF\xBD\xEF\xBF\xBD" },
		{ S(""), "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_html(cases[i].in, cases[i].len, cases[i].want);
	}
}

static void test_json_str(void **state)
{
	(void)state;
	web_out_t o;
	web_out_init(&o, 0);
	web_out_json_str(&o, S("a\"b\\c\nd\te\x01\xff</script>"));
	assert_string_equal(o.data, "\"a\\\"b\\\\c\\nd\\te\\u0001\xEF\xBF\xBD</script>\"");
	web_out_fini(&o);
}

static void test_out_limit(void **state)
{
	(void)state;
	web_out_t o;
	web_out_init(&o, 10);
	web_out_puts(&o, "0123456789");
	assert_false(o.failed);
	web_out_puts(&o, "x");
	assert_true(o.failed);
	size_t n = 99;
	assert_null(web_out_take(&o, &n));
	assert_int_equal(n, 0);
	web_out_fini(&o);

	web_out_init(&o, 0);
	for (int i = 0; i < 10000; i++) {
		web_out_printf(&o, "%d,", i);
	}
	assert_false(o.failed);
	assert_int_equal(strncmp(o.data, "0,1,2,", 6), 0);
	char *p = web_out_take(&o, &n);
	assert_non_null(p);
	assert_int_equal(n, strlen(p));
	free(p);
	web_out_fini(&o);
}

static void test_duration(void **state)
{
	(void)state;
	static const struct {
		int64_t s;
		const char *want;
	} cases[] = {
		{ -5, "0 seconds" },	     { 0, "0 seconds" },
		{ 1, "1 second" },	     { 59, "59 seconds" },
		{ 60, "1 minute" },	     { 61, "1 minute" },
		{ 150, "2 minutes" },	     { 3600, "1 hour" },
		{ 3661, "1 hour 1 minute" }, { 13 * 3600 + 5 * 60 + 30, "13 hours 5 minutes" },
		{ 86400, "1 day" },	     { 86400 + 3600, "1 day 1 hour" },
		{ 7 * 86400, "7 days" },     { 2 * 86400 + 23 * 3600 + 59 * 60, "2 days 23 hours" },
	};
	char buf[WEB_DURATION_LEN];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(web_format_duration(cases[i].s, buf), cases[i].want);
	}
	/* the largest value still fits */
	assert_true(strlen(web_format_duration(INT64_MAX, buf)) < WEB_DURATION_LEN);
}

static void test_redact(void **state)
{
	(void)state;
	web_history_t h;
	store_audit_t a = {
		.at_ms = T0,
		.actor = "reporter alice",
		.action = "report",
		.ip = "192.0.2.1",
		.detail = "spam to trap@trap.example.org from <x@y>, see hops",
	};
	web_redact(&a, &h);
	assert_int_equal(h.at_ms, T0);
	assert_string_equal(h.actor, "a reporter");
	assert_string_equal(h.action, "report");
	assert_string_equal(h.detail, "spam to [address hidden] from [address hidden] see hops");
	a.actor = "engine";
	a.detail = NULL;
	web_redact(&a, &h);
	assert_string_equal(h.actor, "engine");
	assert_string_equal(h.detail, "");
	a.actor = "deputy bob@example.net";
	web_redact(&a, &h);
	assert_string_equal(h.actor, "deputy [address hidden]");
}

/* ---- pages ---- */

static char *render_lookup(const web_lookup_view_t *v)
{
	web_out_t o;
	web_out_init(&o, 0);
	web_render_lookup(v, &o);
	assert_false(o.failed);
	size_t n = 0;
	char *p = web_out_take(&o, &n);
	assert_non_null(p);
	/* a whole document every time */
	assert_non_null(strstr(p, "<!DOCTYPE html>"));
	assert_non_null(strstr(p, "</html>\n"));
	assert_non_null(strstr(p, "name=\"ip\""));
	return p;
}

static void has(const char *page, const char *needle)
{
	if (strstr(page, needle) == NULL) {
		fail_msg("page lacks \"%s\":\n%s", needle, page);
	}
}

static void lacks(const char *page, const char *needle)
{
	if (strstr(page, needle) != NULL) {
		fail_msg("page has \"%s\"", needle);
	}
}

static engine_lookup_t listed_lookup(size_t reports, size_t traps)
{
	engine_lookup_t l;
	memset(&l, 0, sizeof(l));
	l.ip.family = IPBL_AF_V4;
	l.listed = true;
	l.reports = reports;
	l.trap_hits = traps;
	l.first_seen_ms = T0 - 3 * HOUR_MS;
	l.last_seen_ms = T0 - HOUR_MS;
	l.listed_since_ms = T0 - 2 * HOUR_MS;
	l.delist_at_ms = T0 + 13 * HOUR_MS + 5 * 60000;
	l.seconds_to_delist = 13 * 3600 + 5 * 60;
	l.decision.listed = true;
	l.decision.reason = POLICY_REASON_LISTED_REPORTS_TRAPS;
	snprintf(l.decision.sentence, sizeof(l.decision.sentence),
		 "Listed: <b>3 reports</b> & 1 trap hit");
	l.decision.score_milli = 17500;
	l.decision.threshold_milli = 5000;
	l.decision.n_reporters = 2;
	l.decision.rules.report_max_age_ms = 7 * 24 * HOUR_MS;
	l.decision.rules.trap_window_ms = 24 * HOUR_MS;
	l.decision.listing_ms = 24 * HOUR_MS;
	return l;
}

static void test_lookup_listed(void **state)
{
	(void)state;
	engine_lookup_t l = listed_lookup(3, 1);
	web_history_t hist[2] = {
		{ .at_ms = T0 - 2 * HOUR_MS,
		  .actor = "a reporter",
		  .action = "report",
		  .detail = "<img src=x onerror=alert(1)>" },
		{ .at_ms = T0 - 2 * HOUR_MS,
		  .actor = "engine",
		  .action = "listed",
		  .detail = "score 17.5" },
	};
	web_lookup_view_t v = {
		.kind = WEB_LOOKUP_RECORD,
		.ip = "192.0.2.1",
		.lookup = &l,
		.history = hist,
		.n_history = 2,
		.n_history_older = 3,
		.now_ms = T0,
	};
	char *p = render_lookup(&v);
	has(p, "<h1>192.0.2.1 is listed</h1>");
	has(p, "Listed: &lt;b&gt;3 reports&lt;/b&gt; &amp; 1 trap hit");
	lacks(p, "<b>3 reports");
	has(p, "in about 13 hours 5 minutes");
	has(p, "2026-11-22T20:35:00Z"); /* the delisting time, RFC 3339 UTC */
	has(p, "2026-11-22T05:30:00Z"); /* listed since */
	has(p, "3 in the past 7 days, from 2 reporters");
	has(p, "1 in the past 1 day");
	has(p, "17.5 points; 5.0 are needed");
	has(p, "listed_reports_traps");
	/* what to do, for both kinds of reader */
	has(p, "provider");
	has(p, "For the administrator of 192.0.2.1");
	has(p, "Both spam reports and spamtraps");
	has(p, "ends by itself 1 day after the last spam");
	/* the history, newest first, escaped */
	has(p, "&lt;img src=x onerror=alert(1)&gt;");
	lacks(p, "<img");
	assert_true(strstr(p, "score 17.5") < strstr(p, "onerror"));
	has(p, "3 older entries are not shown");
	lacks(p, "<script");
	free(p);

	/* traps only, reports only: the likely cause changes */
	l = listed_lookup(0, 4);
	v.n_history = 0;
	v.n_history_older = 0;
	p = render_lookup(&v);
	has(p, "Only spamtraps received mail");
	has(p, "out-of-office");
	has(p, "No events are recorded");
	free(p);
	l = listed_lookup(5, 0);
	p = render_lookup(&v);
	has(p, "Only people's spam reports");
	free(p);

	/* the delisting time has come: "0" explained */
	l = listed_lookup(5, 0);
	l.seconds_to_delist = 0;
	p = render_lookup(&v);
	has(p, "Delisting is under way");
	has(p, "(under way now)");
	free(p);
}

static void test_lookup_not_listed(void **state)
{
	(void)state;
	engine_lookup_t l = listed_lookup(1, 0);
	l.listed = false;
	l.decision.listed = false;
	l.listed_since_ms = 0;
	l.delist_at_ms = 0;
	l.seconds_to_delist = -1;
	l.deputy_delisted_ms = T0 - HOUR_MS;
	l.decision.reason = POLICY_REASON_BELOW_THRESHOLD;
	snprintf(l.decision.sentence, sizeof(l.decision.sentence), "Not listed: below threshold");
	web_lookup_view_t v = {
		.kind = WEB_LOOKUP_RECORD, .ip = "2001:db8::1", .lookup = &l, .now_ms = T0
	};
	char *p = render_lookup(&v);
	has(p, "<h1>2001:db8::1 is not listed</h1>");
	has(p, "Not listed: below threshold");
	has(p, "below_threshold");
	has(p, "Last delisted by a deputy");
	lacks(p, "Listed since");
	lacks(p, "For the administrator");
	free(p);
}

static void test_lookup_special(void **state)
{
	(void)state;
	web_lookup_view_t v = { .kind = WEB_LOOKUP_NO_RECORD, .ip = "198.51.100.7", .now_ms = T0 };
	char *p = render_lookup(&v);
	has(p, "198.51.100.7 is not listed");
	has(p, "No spam reports or spamtrap hits are on record");
	has(p, "href=\"/explain\"");
	free(p);

	v = (web_lookup_view_t){
		.kind = WEB_LOOKUP_RESERVED, .ip = "10.1.2.3", .kind_name = "private", .now_ms = T0
	};
	p = render_lookup(&v);
	has(p, "10.1.2.3 is never listed");
	has(p, "is a private address");
	free(p);

	v = (web_lookup_view_t){ .kind = WEB_LOOKUP_TEST_LISTED,
				 .ip = "127.0.0.2",
				 .unmapped = true };
	p = render_lookup(&v);
	has(p, "RFC 5782");
	has(p, "always answers \"listed\"");
	has(p, "IPv4-mapped");
	free(p);

	v = (web_lookup_view_t){ .kind = WEB_LOOKUP_TEST_UNLISTED, .ip = "127.0.0.1" };
	p = render_lookup(&v);
	has(p, "always answers \"not listed\"");
	free(p);
}

static void test_error_and_forms(void **state)
{
	(void)state;
	web_out_t o;
	web_out_init(&o, 0);
	web_render_error(400, "Not an IP address", "'<script>x</script>' is not an IP address",
			 true, "\"><script>alert(1)</script>", &o);
	assert_false(o.failed);
	has(o.data, "<h1>Not an IP address</h1>");
	has(o.data, "&#39;&lt;script&gt;x&lt;/script&gt;&#39; is not an IP address");
	has(o.data, "value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"");
	lacks(o.data, "<script");
	has(o.data, "HTTP status 400 (Bad Request)");
	web_out_fini(&o);

	/* the explainer's advice: every field escaped, links only to http(s) */
	explain_advice_t *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	a->status = EXPLAIN_STATUS_LISTED;
	a->ours = true;
	a->permanent = true;
	snprintf(a->title, sizeof(a->title), "Refused: <b>listed</b>");
	snprintf(a->happened, sizeof(a->happened), "The server said <i>no</i> & more.");
	snprintf(a->status_here, sizeof(a->status_here), "Listed here.");
	snprintf(a->ip, sizeof(a->ip), "45.33.32.156");
	snprintf(a->list, sizeof(a->list), "bl.example.org");
	snprintf(a->reply, sizeof(a->reply), "550 <script>x</script>");
	snprintf(a->lookup_url, sizeof(a->lookup_url),
		 "https://bl.example.org/lookup?ip=45.33.32.156&x=\"y");
	a->delist_at_ms = T0 + HOUR_MS;
	a->seconds_to_delist = 3600;
	snprintf(a->steps[0], sizeof(a->steps[0]), "First <do> this.");
	snprintf(a->steps[1], sizeof(a->steps[1]), "Then that.");
	a->n_steps = 2;
	web_out_init(&o, 0);
	web_render_explain_advice(a, "</textarea><script>", &o);
	assert_false(o.failed);
	has(o.data, "<h1>Refused: &lt;b&gt;listed&lt;/b&gt;</h1>");
	has(o.data, "<div class=\"box listed\">");
	has(o.data, "The server said &lt;i&gt;no&lt;/i&gt; &amp; more.");
	has(o.data, "<a href=\"https://bl.example.org/lookup?ip=45.33.32.156&amp;x=&quot;y\"");
	has(o.data, "<li>First &lt;do&gt; this.</li>\n<li>Then that.</li>");
	has(o.data, "550 &lt;script&gt;x&lt;/script&gt;");
	has(o.data, "<dt>Blocklist</dt><dd>bl.example.org</dd>");
	has(o.data, "2026-11-22T08:30:00Z");
	has(o.data, "(in 1 hour)");
	has(o.data, "&lt;/textarea&gt;&lt;script&gt;</textarea>");
	lacks(o.data, "<script");
	web_out_fini(&o);
	/* a URL that is not http(s) is shown, never linked */
	snprintf(a->lookup_url, sizeof(a->lookup_url), "javascript:alert(1)");
	web_out_init(&o, 0);
	web_render_explain_advice(a, NULL, &o);
	has(o.data, "The full status of the address on this list");
	lacks(o.data, "javascript:");
	web_out_fini(&o);
	free(a);

	web_out_init(&o, 0);
	web_render_explain_form(NULL, &o);
	has(o.data, "<textarea id=\"bounce\" name=\"bounce\"");
	has(o.data, "<label for=\"bounce\">");
	web_out_fini(&o);

	web_out_init(&o, 0);
	web_render_home(&o);
	has(o.data, "<form method=\"get\" action=\"/lookup\"");
	has(o.data, "<label for=\"ip\">");
	web_out_fini(&o);

	assert_string_equal(web_status_text(404), "Not Found");
	assert_string_equal(web_status_text(299), "Error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_out_limit),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_lookup_listed),
		cmocka_unit_test(test_lookup_not_listed),
		cmocka_unit_test(test_lookup_special),
		cmocka_unit_test(test_error_and_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
