/* SPDX-License-Identifier: BSD-2-Clause */
/* The evidence view on a real SQLite store with the manual clock: reports and trap hits at
 * known times give known weights after ageing (the policy's own numbers), repeats and hits
 * set aside by a deputy weigh nothing, the hops come back as stored, and the listing periods
 * and the history sentence follow the audit log across a delisting and a second listing.
 * The pure parts (periods in a 60-day window, the sentence, the hops parser) on their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/evidence.h"
#include "lib/clock.h"
#include "lib/conf.h"

#define H(h) ((int64_t)(h)*3600 * 1000)
#define DAY(d) (H(24) * (d))
#define T0 1893456000000LL /* 2030-01-01T00:00:00Z */
#define IP "45.33.32.7"

static const char hops_json[] =
	"{\"ip\":\"45.33.32.7\",\"hops\":[{\"redacted\":true,\"verdict\":\"trusted\"},"
	"{\"peer\":\"45.33.32.7\",\"helo\":\"<script>x</script>\",\"rdns\":\"host.bad.example\","
	"\"by\":null,\"authenticated\":false,\"verdict\":\"source\"}],"
	"\"reason\":\"Received field 2: first untrusted peer 45.33.32.7\",\"attached\":false}";

typedef struct {
	char dir[64];
	ipbl_conf_t *conf;
	ipbl_clock_t *clock;
	store_t *store;
	engine_t *e;
} fx_t;

static int setup(void **state)
{
	fx_t *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/ipbl-evidence-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char path[128];
	static const char text[] = "[policy]\nexpire = 24h\n";
	char err[256];
	assert_int_equal(
		ipbl_conf_parse("test.conf", text, sizeof(text) - 1, &f->conf, err, sizeof(err)),
		0);
	snprintf(path, sizeof(path), "%s/clock", f->dir);
	assert_int_equal(ipbl_clock_manual_open(path, &f->clock), 0);
	assert_int_equal(ipbl_clock_set_ms(f->clock, T0), 0);
	snprintf(path, sizeof(path), "%s/ipbl.db", f->dir);
	assert_int_equal(store_open("sqlite", path, &f->store, err, sizeof(err)), 0);
	assert_int_equal(engine_new(f->conf, f->store, f->clock, &f->e, err, sizeof(err)), 0);
	const char *names[] = { "alice", "bob", "carol" };
	for (size_t i = 0; i < 3; i++) {
		store_reporter_t r = { .created_ms = T0 };
		snprintf(r.name, sizeof(r.name), "%s", names[i]);
		snprintf(r.api_key_hash, sizeof(r.api_key_hash), "b2:%s", names[i]);
		assert_int_equal(store_reporter_add(f->store, &r), 0);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_t *f = *state;
	engine_free(f->e);
	store_close(f->store);
	ipbl_clock_free(f->clock);
	ipbl_conf_free(f->conf);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static ipbl_ipaddr_t addr(const char *text)
{
	ipbl_ipaddr_t a;
	assert_int_equal(ipbl_ipaddr_parse(ipbl_str(text), &a), 0);
	return a;
}

static void at(fx_t *f, int64_t ms)
{
	assert_int_equal(ipbl_clock_set_ms(f->clock, ms), 0);
}

static int64_t report(fx_t *f, const char *who, const char *digest)
{
	engine_report_t r = {
		.reporter = who, .ip = addr(IP), .digest = digest, .evidence = hops_json
	};
	engine_result_t res;
	assert_int_equal(engine_report(f->e, &r, &res), 0);
	return res.id;
}

static void trap(fx_t *f, const char *digest)
{
	engine_trap_hit_t h = { .trap_address = "secret-trap@trap.example",
				.ip = addr(IP),
				.helo = "helo.example",
				.digest = digest };
	engine_result_t res;
	assert_int_equal(engine_trap_hit(f->e, &h, &res), 0);
}

static void view(fx_t *f, engine_evidence_view_t *v)
{
	ipbl_ipaddr_t a = addr(IP);
	assert_int_equal(engine_evidence_view(f->e, &a, v), 0);
}

/* The policy's weight of a fresh report at age_ms with the default rules: 4 points falling
 * linearly to 1 over 48 hours, rounded down to a milli-point. */
static int64_t weight_at(int64_t age_ms)
{
	return 1000 + 3000 * (H(48) - age_ms) / H(48);
}

static void test_weights_and_decision(void **state)
{
	fx_t *f = *state;
	at(f, T0 + 250); /* ms survive */
	int64_t a1 = report(f, "alice", "r1");
	at(f, T0 + H(1));
	int64_t b1 = report(f, "bob", "r2"); /* two reporters: listed here */
	at(f, T0 + H(2));
	int64_t a2 = report(f, "alice", "r3"); /* alice's newer report scores, the older repeats */
	at(f, T0 + H(3) + 7);
	trap(f, "t1");
	at(f, T0 + H(4));

	engine_evidence_view_t v;
	view(f, &v);
	assert_int_equal(v.now_ms, T0 + H(4));
	assert_int_equal(v.since_ms, T0 + H(4) - DAY(7));
	assert_int_equal(v.n_reports, 3);
	/* oldest first, with their ids and times to the millisecond */
	assert_int_equal(v.reports[0].id, a1);
	assert_int_equal(v.reports[0].time_ms, T0 + 250);
	assert_int_equal(v.reports[0].note, POLICY_NOTE_REPEAT);
	assert_int_equal(v.reports[0].weight_milli, 0);
	assert_int_equal(v.reports[1].id, b1);
	assert_int_equal(v.reports[1].note, POLICY_NOTE_SCORED);
	assert_int_equal(v.reports[1].weight_milli, weight_at(H(3)));
	assert_int_equal(v.reports[1].weight_milli, 3812);
	assert_int_equal(v.reports[2].id, a2);
	assert_int_equal(v.reports[2].weight_milli, weight_at(H(2)));
	assert_int_equal(v.n_reporters, 2);
	/* the hops as stored */
	for (size_t i = 0; i < 3; i++) {
		assert_non_null(v.reports[i].hops_json);
		assert_string_equal(v.reports[i].hops_json, hops_json);
	}
	/* the trap hit: its time and a full trap weight, nothing else */
	assert_int_equal(v.n_traps, 1);
	assert_int_equal(v.traps[0].time_ms, T0 + H(3) + 7);
	assert_true(v.traps[0].counted);
	assert_int_equal(v.traps[0].weight_milli, 5000);
	/* the weights add up to the score now; the decision is the lookup's */
	assert_int_equal(v.report_score_now_milli, 3812 + weight_at(H(2)));
	assert_int_equal(v.trap_score_now_milli, 5000);
	assert_int_equal(v.score_now_milli, 3812 + weight_at(H(2)) + 5000);
	assert_true(v.decision.listed);
	assert_int_equal(v.decision.threshold_milli, 5000);
	engine_lookup_t l;
	ipbl_ipaddr_t a = addr(IP);
	assert_int_equal(engine_lookup(f->e, &a, &l), 0);
	assert_int_equal(l.decision.score_milli, v.decision.score_milli);
	assert_int_equal(l.decision.delist_at_ms, v.decision.delist_at_ms);
	/* one open period since bob's report */
	assert_int_equal(v.n_periods, 1);
	assert_int_equal(v.periods[0].start_ms, T0 + H(1));
	assert_int_equal(v.periods[0].end_ms, 0);
	assert_int_equal(v.listed_ms_in_window, H(3));
	assert_string_equal(v.history_sentence,
			    "Listed once in the past 60 days, 3 hours in total");
	engine_evidence_view_fini(&v);
}

static void test_delisting_and_second_listing(void **state)
{
	fx_t *f = *state;
	report(f, "alice", "r1");
	at(f, T0 + H(1));
	report(f, "bob", "r2");
	/* the listing runs out 24 h after the last report; the expiry tick records it */
	at(f, T0 + H(25) + 1000);
	size_t n = 0;
	bool more = false;
	assert_int_equal(engine_expire_due(f->e, 10, &n, &more), 0);
	assert_int_equal(n, 1);

	engine_evidence_view_t v;
	view(f, &v);
	assert_false(v.decision.listed);
	assert_int_equal(v.n_periods, 1);
	assert_int_equal(v.periods[0].start_ms, T0 + H(1));
	assert_int_equal(v.periods[0].end_ms, T0 + H(25) + 1000);
	assert_string_equal(v.history_sentence,
			    "Listed once in the past 60 days, 1.0 days in total");
	/* the old reports still show, aged: neither scores alone any more */
	assert_int_equal(v.n_reports, 2);
	engine_evidence_view_fini(&v);

	/* listed again at 30 h by carol and bob: bob's older report is now a repeat */
	at(f, T0 + H(30));
	report(f, "carol", "r3");
	report(f, "bob", "r4");
	at(f, T0 + H(32));
	view(f, &v);
	assert_true(v.decision.listed);
	assert_int_equal(v.n_periods, 2);
	assert_int_equal(v.periods[1].start_ms, T0 + H(30));
	assert_int_equal(v.periods[1].end_ms, 0);
	assert_int_equal(v.listed_ms_in_window, H(24) + 1000 + H(2));
	/* 26 hours: 1.08 days */
	assert_string_equal(v.history_sentence,
			    "Listed twice in the past 60 days, 1.1 days in total");
	assert_int_equal(v.n_reporters, 3);
	assert_int_equal(v.reports[0].weight_milli, weight_at(H(32)));
	assert_int_equal(v.reports[1].note, POLICY_NOTE_REPEAT);
	engine_evidence_view_fini(&v);

	/* 61 days on, the first listings have left the window; a week on, so has the evidence */
	at(f, T0 + H(30) + DAY(61));
	view(f, &v);
	assert_int_equal(v.n_reports, 0);
	assert_int_equal(v.n_periods, 0);
	assert_string_equal(v.history_sentence, "Not listed in the past 60 days");
	engine_evidence_view_fini(&v);
}

static void test_deputy_sets_traps_aside(void **state)
{
	fx_t *f = *state;
	trap(f, "t1");
	at(f, T0 + H(1));
	ipbl_ipaddr_t a = addr(IP);
	engine_result_t res;
	assert_int_equal(engine_delist(f->e, &a, "dana", "backscatter fixed", &res), 0);
	at(f, T0 + H(2));
	trap(f, "t2");
	at(f, T0 + H(3));
	engine_evidence_view_t v;
	view(f, &v);
	assert_int_equal(v.deputy_delisted_ms, T0 + H(1));
	assert_int_equal(v.n_traps, 2);
	assert_false(v.traps[0].counted);
	assert_int_equal(v.traps[0].weight_milli, 0);
	assert_true(v.traps[1].counted);
	assert_int_equal(v.traps[1].weight_milli, 5000);
	/* listed by the first hit, delisted by the deputy, listed again by the second */
	assert_int_equal(v.n_periods, 2);
	assert_int_equal(v.periods[0].start_ms, T0);
	assert_int_equal(v.periods[0].end_ms, T0 + H(1));
	assert_int_equal(v.periods[1].start_ms, T0 + H(2));
	engine_evidence_view_fini(&v);

	/* 25 hours after the second hit it no longer counts */
	at(f, T0 + H(27));
	view(f, &v);
	assert_false(v.traps[1].counted);
	assert_false(v.decision.listed);
	/* the expiry tick has not run: the period ends at the stored delisting time */
	assert_int_equal(v.periods[1].end_ms, T0 + H(26));
	engine_evidence_view_fini(&v);
}

static void test_unknown_address(void **state)
{
	fx_t *f = *state;
	engine_evidence_view_t v;
	ipbl_ipaddr_t a = addr("45.33.32.99");
	assert_int_equal(engine_evidence_view(f->e, &a, &v), 0);
	assert_false(v.decision.listed);
	assert_int_equal(v.n_reports + v.n_traps + v.n_periods, 0);
	assert_string_equal(v.history_sentence, "Not listed in the past 60 days");
	engine_evidence_view_fini(&v);
}

static void test_periods_window(void **state)
{
	(void)state;
	int64_t now = T0 + DAY(100);
	engine_periods_t p = { 0 };
	engine_periods_feed(&p, now - DAY(70), "listed");
	engine_periods_feed(&p, now - DAY(65), "delisted"); /* gone: ended before the window */
	engine_periods_feed(&p, now - DAY(61), "listed");
	engine_periods_feed(&p, now - DAY(59), "delisted"); /* one day inside */
	engine_periods_feed(&p, now - DAY(10), "report");   /* other actions do nothing */
	engine_periods_feed(&p, now - DAY(10), "delisted"); /* nothing open: ignored */
	engine_periods_feed(&p, now - DAY(5), "listed");
	engine_periods_feed(&p, now - DAY(4), "listed"); /* already open: ignored */
	int64_t total = engine_periods_window(&p, now, 60);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].start_ms, now - DAY(61));
	assert_int_equal(p.v[1].start_ms, now - DAY(5));
	assert_int_equal(p.v[1].end_ms, 0);
	assert_int_equal(total, DAY(1) + DAY(5));
	free(p.v);

	char s[128];
	engine_history_sentence(10, DAY(7) + H(5), 60, s, sizeof(s));
	assert_string_equal(s, "Listed 10 times in the past 60 days, 7.2 days in total");
	engine_history_sentence(1, H(1), 60, s, sizeof(s));
	assert_string_equal(s, "Listed once in the past 60 days, 1 hour in total");
	engine_history_sentence(2, 20 * 60 * 1000, 60, s, sizeof(s));
	assert_string_equal(s, "Listed twice in the past 60 days, less than an hour in total");
	engine_history_sentence(0, 0, 60, s, sizeof(s));
	assert_string_equal(s, "Not listed in the past 60 days");
}

static void test_hops_parse(void **state)
{
	(void)state;
	engine_hops_t h;
	assert_int_equal(engine_hops_parse(hops_json, &h), 0);
	assert_int_equal(h.n, 2);
	assert_true(h.hops[0].redacted);
	assert_string_equal(h.hops[0].verdict, "trusted");
	assert_string_equal(h.hops[0].peer, "");
	assert_false(h.hops[1].redacted);
	assert_string_equal(h.hops[1].peer, IP);
	assert_string_equal(h.hops[1].helo, "<script>x</script>");
	assert_string_equal(h.hops[1].verdict, "source");
	assert_string_equal(h.source, IP);
	assert_non_null(strstr(h.reason, "first untrusted peer"));
	assert_int_equal(engine_hops_parse("not json", &h), IPBL_EFORMAT);
	assert_int_equal(engine_hops_parse("{\"hops\":3}", &h), IPBL_EFORMAT);
	assert_int_equal(engine_hops_parse("[]", &h), IPBL_EFORMAT);
	assert_int_equal(engine_hops_parse("{\"hops\":[1]}", &h), IPBL_EFORMAT);
	assert_int_equal(engine_hops_parse(NULL, &h), IPBL_EFORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_weights_and_decision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delisting_and_second_listing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deputy_sets_traps_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_address, setup, teardown),
		cmocka_unit_test(test_periods_window),
		cmocka_unit_test(test_hops_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
