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

#include <sodium.h>

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
	if (page == NULL) {
		fail_msg("no page");
	} else if (strstr(page, needle) == NULL) {
		fail_msg("page lacks \"%s\":\n%s", needle, page);
	}
}

static void lacks(const char *page, const char *needle)
{
	if (page != NULL && strstr(page, needle) != NULL) {
		fail_msg("page has \"%s\"", needle);
	}
}

static size_t count(const char *page, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(page, needle); p != NULL; p = strstr(p + 1, needle)) {
		n++;
	}
	return n;
}

/* The only script on a page is the countdown, whole. */
static void only_countdown_script(const char *page)
{
	assert_int_equal(count(page, "<script"), 1);
	const char *s = strstr(page, "<script>");
	assert_non_null(s);
	s += strlen("<script>");
	assert_memory_equal(s, web_countdown_script, strlen(web_countdown_script));
	assert_memory_equal(s + strlen(web_countdown_script), "</script>", 9);
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
	/* status in one sentence, then the reason with its counts */
	has(p, "192.0.2.1 is listed: mail servers that use this list refuse or mark mail");
	has(p, "Why: 3 spam reports in the past 7 days from 2 different reporters, and 1 "
	       "spamtrap hit");
	has(p, "in the past 1 day. When the last of it arrived, that scored 17.5 points; 5.0 list "
	       "an address.");
	has(p, "Listed: &lt;b&gt;3 reports&lt;/b&gt; &amp; 1 trap hit");
	lacks(p, "<b>3 reports");
	/* listed since, and the countdown: a number the script counts down, and the words */
	has(p, "Listed since <time datetime=\"2026-11-22T05:30:00Z\">");
	has(p, "(2 hours ago)");
	has(p, "Delisted automatically <strong id=\"countdown\" data-seconds=\"47100\">in "
	       "about 13 hours 5 minutes</strong>, at <time datetime=\"2026-11-22T20:35:00Z\">");
	has(p, "if no new spam reports or spamtrap hits arrive");
	has(p, "A time to delisting of 0 means the listing has run out and the delisting is "
	       "under way");
	only_countdown_script(p);
	has(p, "listed_reports_traps");
	/* what to do, for both kinds of reader */
	has(p, "<h3>If you send mail through your provider's server</h3>");
	has(p, "only the provider can fix it");
	has(p, "<h3>For the administrator of 192.0.2.1</h3>");
	has(p, "Both reports and spamtraps");
	has(p, "open relay");
	has(p, "the listing ends by itself 1 day after the last spam report or spamtrap hit");
	has(p, "ask a deputy");
	lacks(p, "Ask about this listing"); /* no form link unless the route gives one */
	/* no evidence view given: no chart, no evidence table */
	lacks(p, "<svg");
	lacks(p, "The evidence</h2>");
	/* the history, newest first, escaped */
	has(p, "&lt;img src=x onerror=alert(1)&gt;");
	lacks(p, "<img");
	assert_true(strstr(p, "score 17.5") < strstr(p, "onerror"));
	has(p, "3 older entries are not shown");
	lacks(p, "Backscatter");
	free(p);
	/* misdirected bounces and auto-replies among the evidence are named as such */
	l.backscatter = 2;
	p = render_lookup(&v);
	has(p, "<strong>Backscatter.</strong> 2 of the messages behind this listing in the past "
	       "week were not spam");
	free(p);

	/* traps only, reports only: the likely cause changes */
	l = listed_lookup(0, 4);
	v.n_history = 0;
	v.n_history_older = 0;
	v.ask_url = "/ask";
	v.challenge_url = "/challenge";
	p = render_lookup(&v);
	has(p, "Only spamtraps received mail");
	has(p, "out-of-office");
	has(p, "backscatter");
	has(p, "Why: 4 spamtrap hits (mail to addresses that never asked for any)");
	has(p, "No events are recorded");
	has(p, "<a href=\"/ask?ip=192.0.2.1\">Ask about this listing</a>");
	has(p, "<a href=\"/challenge\">Challenge one report</a>");
	free(p);
	l = listed_lookup(5, 0);
	p = render_lookup(&v);
	has(p, "Only people's spam reports");
	has(p, "a spammer is at work");
	free(p);

	/* the delisting time has come: "0" explained */
	l = listed_lookup(5, 0);
	l.seconds_to_delist = 0;
	p = render_lookup(&v);
	has(p, "Time to delisting: <strong data-seconds=\"0\">0</strong>. The delisting is "
	       "under way.");
	has(p, "the delisting is under way");
	has(p, "(under way now)");
	free(p);
}

static void test_lookup_not_listed(void **state)
{
	(void)state;
	engine_lookup_t l = listed_lookup(1, 0);
	l.listed = false;
	l.decision.listed = false;
	l.decision.score_milli = 4000;
	l.decision.n_reporters = 1;
	l.listed_since_ms = 0;
	l.delist_at_ms = 0;
	l.seconds_to_delist = -1;
	l.deputy_delisted_ms = T0 - HOUR_MS;
	l.decision.reason = POLICY_REASON_BELOW_THRESHOLD;
	snprintf(l.decision.sentence, sizeof(l.decision.sentence), "Not listed: below threshold");
	engine_evidence_view_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.now_ms = T0;
	ev.n_reporters = 1;
	ev.decision = l.decision;
	engine_ev_period_t per[] = { { T0 - 30 * 24 * HOUR_MS, T0 - 29 * 24 * HOUR_MS } };
	ev.periods = per;
	ev.n_periods = 1;
	snprintf(ev.history_sentence, sizeof(ev.history_sentence),
		 "Listed once in the past 60 days, 1.0 days in total");
	web_lookup_view_t v = { .kind = WEB_LOOKUP_RECORD,
				.ip = "2001:db8::1",
				.lookup = &l,
				.now_ms = T0,
				.evidence = &ev };
	char *p = render_lookup(&v);
	has(p, "<h1>2001:db8::1 is not listed</h1>");
	has(p, "2001:db8::1 is not listed: this list does not stop mail from it.");
	has(p, "Why: 1 spam report in the past 7 days from 1 reporter. That scores 4.0 points; "
	       "5.0 would list it.");
	has(p, "Listed once in the past 60 days, 1.0 days in total.");
	has(p, "Not listed: below threshold");
	has(p, "below_threshold");
	has(p, "Last delisted by a deputy");
	has(p, "No spam reports or spamtrap hits in the past week.");
	lacks(p, "Listed since");
	lacks(p, "For the administrator of");
	lacks(p, "countdown");
	lacks(p, "<script");
	/* the listing of 30 days ago is off the chart: nothing shaded */
	has(p, "<svg");
	lacks(p, "listed-period");
	free(p);
}

static const char hostile_hops[] =
	"{\"ip\":\"192.0.2.1\",\"hops\":[{\"redacted\":true,\"verdict\":\"trusted\"},"
	"{\"peer\":\"10.0.0.1\",\"helo\":\"x\",\"rdns\":null,\"by\":null,\"authenticated\":false,"
	"\"verdict\":\"internal\"},"
	"{\"peer\":\"192.0.2.1\",\"helo\":\"<script>alert('helo')</script>\","
	"\"rdns\":\"a\\\"b<i>.example\",\"by\":null,\"authenticated\":true,\"verdict\":\"source\"}]"
	","
	"\"reason\":\"Received field 3: <b>first</b> untrusted peer\",\"attached\":false}";

static void test_lookup_evidence(void **state)
{
	(void)state;
	engine_lookup_t l = listed_lookup(2, 1);
	engine_evidence_view_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.now_ms = T0;
	ev.n_reporters = 2;
	ev.decision = l.decision;
	ev.report_score_now_milli = 7750;
	ev.trap_score_now_milli = 5000;
	ev.score_now_milli = 12750;
	char *bad_json = strdup("not json <script>alert(1)</script>");
	char *good_json = strdup(hostile_hops);
	engine_ev_report_t reps[] = {
		{ .id = 41,
		  .time_ms = T0 - 30 * HOUR_MS + 1500,
		  .note = POLICY_NOTE_REPEAT,
		  .weight_milli = 0,
		  .hops_json = bad_json },
		{ .id = 42,
		  .time_ms = T0 - 3 * HOUR_MS,
		  .note = POLICY_NOTE_SCORED,
		  .weight_milli = 3812,
		  .hops_json = good_json },
	};
	engine_ev_trap_t traps[] = {
		{ .time_ms = T0 - 2 * HOUR_MS, .counted = true, .weight_milli = 5000 }
	};
	engine_ev_period_t per[] = { { T0 - 9 * 24 * HOUR_MS, T0 - 6 * 24 * HOUR_MS },
				     { T0 - 3 * HOUR_MS, 0 } };
	ev.reports = reps;
	ev.n_reports = 2;
	ev.traps = traps;
	ev.n_traps = 1;
	ev.periods = per;
	ev.n_periods = 2;
	snprintf(ev.history_sentence, sizeof(ev.history_sentence),
		 "Listed twice in the past 60 days, 0.2 days in total");
	web_lookup_view_t v = { .kind = WEB_LOOKUP_RECORD,
				.ip = "192.0.2.1",
				.lookup = &l,
				.now_ms = T0,
				.evidence = &ev };
	char *p = render_lookup(&v);
	has(p, "Listed twice in the past 60 days, 0.2 days in total.");
	/* the chart: two shaded periods (one clipped at the left edge), bars, a title */
	has(p, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	assert_int_equal(count(p, "class=\"listed-period\""), 2);
	assert_int_equal(count(p, "class=\"reports\""), 2);
	assert_int_equal(count(p, "class=\"traps\""), 1);
	has(p, "<title id=\"chart-title\">");
	/* the score against the threshold */
	has(p, "Score now: <strong>12.7</strong> points (reports 7.7, spamtraps 5.0) against a "
	       "threshold of <strong>5.0</strong>: at or above it.");
	/* every event, newest first, to the second, with its weight */
	const char *trap_row = strstr(p, "Spamtrap hit</td>");
	const char *r42 = strstr(p, "Spam report #42");
	const char *r41 = strstr(p, "Spam report #41");
	assert_non_null(trap_row);
	assert_non_null(r42);
	assert_non_null(r41);
	assert_true(trap_row < r42 && r42 < r41);
	has(p, "<time datetime=\"2026-11-21T01:30:01Z\">2026-11-21T01:30:01Z</time>");
	has(p, "<td class=\"weight\">3.8</td>");
	has(p, "<td class=\"weight\">5.0</td>");
	has(p, "<td class=\"weight\">0.0</td>");
	has(p, "the same reporter&#39;s newer report counts instead");
	has(p, "which trap is not shown");
	/* the hops: the blamed one marked and why, the hostile text escaped */
	has(p, "<li class=\"blamed\"><strong>Blamed:</strong> from <code>192.0.2.1</code>, "
	       "reverse DNS <code>a&quot;b&lt;i&gt;.example</code>, introduced itself as "
	       "<code>&lt;script&gt;alert(&#39;helo&#39;)&lt;/script&gt;</code>, with a login");
	has(p, "the first server outside the reporter's own systems");
	has(p, "<li>[details hidden] &mdash; the reporter&#39;s own mail system, passed over</li>");
	has(p, "a private or internal address, passed over");
	has(p, "Received field 3: &lt;b&gt;first&lt;/b&gt; untrusted peer");
	/* a report whose evidence is not the usual JSON: shown as text, escaped */
	has(p, "<pre>not json &lt;script&gt;alert(1)&lt;/script&gt;</pre>");
	lacks(p, "<i>");
	lacks(p, "<b>");
	only_countdown_script(p);
	free(p);
	free(bad_json);
	free(good_json);
}

/* The CSP names the countdown script by its SHA-256; the two must not drift apart. */
static void test_countdown_hash(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)web_countdown_script,
			   strlen(web_countdown_script));
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
					   sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	char want[128];
	snprintf(want, sizeof(want), "sha256-%s", b64);
	assert_string_equal(WEB_COUNTDOWN_SCRIPT_HASH, want);
	/* nothing in it that would end the element early */
	assert_null(strstr(web_countdown_script, "</"));
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
	has(p, "never blocks anyone");
	has(p, "IPv4-mapped");
	free(p);

	v = (web_lookup_view_t){ .kind = WEB_LOOKUP_TEST_UNLISTED, .ip = "127.0.0.1" };
	p = render_lookup(&v);
	has(p, "always answers \"not listed\" for it");
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
		cmocka_unit_test(test_lookup_evidence),
		cmocka_unit_test(test_countdown_hash),
		cmocka_unit_test(test_lookup_special),
		cmocka_unit_test(test_error_and_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
