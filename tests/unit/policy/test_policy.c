/* SPDX-License-Identifier: BSD-2-Clause */
/* The listing policy: report weights by age and standing, trap scores, the threshold, expiry
 * and the thin-evidence cap at their exact boundaries, fake-report resistance, the deputy's
 * delisting, clocks that go back, the sentences, the [policy] settings, bad input, and a
 * randomised check that delist_at_ms is where the listing really ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"

#define SEC(x) ((int64_t)(x)*1000)
#define MIN(x) (SEC(x) * 60)
#define H(x) (MIN(x) * 60)
#define D(x) (H(x) * 24)
#define NOW 1700000000000LL /* 2023-11-14T22:13:20Z */

#define MAX_REPORTS 12
#define MAX_TRAPS 8

/* A report given by its age at NOW (negative: from the future) and its reporter (0 ends the
 * list). */
typedef struct {
	int64_t ago_ms;
	uint64_t reporter;
	enum policy_standing standing;
	uint32_t n_fines;
	enum policy_report_state state;
} rep_spec_t;

#define R(ago, id)                                                                                 \
	{                                                                                          \
		(ago), (id), POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED                        \
	}
#define FINED(ago, id, n)                                                                          \
	{                                                                                          \
		(ago), (id), POLICY_STANDING_FINED, (n), POLICY_REPORT_COUNTED                     \
	}
#define BANNED(ago, id)                                                                            \
	{                                                                                          \
		(ago), (id), POLICY_STANDING_BANNED, 0, POLICY_REPORT_COUNTED                      \
	}
#define VOIDED(ago, id)                                                                            \
	{                                                                                          \
		(ago), (id), POLICY_STANDING_GOOD, 0, POLICY_REPORT_VOIDED                         \
	}
#define CHALLENGED(ago, id)                                                                        \
	{                                                                                          \
		(ago), (id), POLICY_STANDING_GOOD, 0, POLICY_REPORT_CHALLENGED                     \
	}
#define WITHDRAWN(ago, id)                                                                         \
	{                                                                                          \
		(ago), (id), POLICY_STANDING_GOOD, 0, POLICY_REPORT_WITHDRAWN                      \
	}

typedef struct {
	bool listed;
	enum policy_reason reason;
	int64_t score_milli;
	size_t n_reporters;
	bool thin;
	int64_t delist_in_ms; /* delist_at_ms - NOW when listed */
} expect_t;

typedef struct {
	const char *name;
	void (*tweak)(policy_rules_t *r); /* NULL: the defaults */
	rep_spec_t reports[MAX_REPORTS];
	size_t n_traps;
	int64_t trap_ago_ms[MAX_TRAPS];
	bool has_deputy;
	int64_t deputy_ago_ms;
	expect_t expect;
} eval_case_t;

typedef struct {
	policy_report_t reports[MAX_REPORTS];
	policy_trap_hit_t traps[MAX_TRAPS];
	policy_evidence_t ev;
	policy_rules_t rules;
} built_t;

/* The defaults with SpamCop's cap on thin evidence switched on (thin_evidence = 2): the
 * tables below test that cap at its boundaries. ipbl's default is off, because the contract
 * promises delisting 24 h after the last report. */
static policy_rules_t rules_thin(void)
{
	policy_rules_t r = policy_rules_default();
	r.thin_evidence = 2;
	return r;
}

static void build(const eval_case_t *c, built_t *b)
{
	memset(b, 0, sizeof(*b));
	size_t n = 0;
	while (n < MAX_REPORTS && c->reports[n].reporter != 0) {
		const rep_spec_t *s = &c->reports[n];
		b->reports[n] = (policy_report_t){ .time_ms = NOW - s->ago_ms,
						   .reporter_id = s->reporter,
						   .standing = s->standing,
						   .n_fines = s->n_fines,
						   .state = s->state };
		n++;
	}
	policy_reports_sort(b->reports, n);
	for (size_t i = 0; i < c->n_traps; i++) {
		b->traps[i].time_ms = NOW - c->trap_ago_ms[i];
	}
	b->ev = (policy_evidence_t){ .reports = b->reports,
				     .n_reports = n,
				     .trap_hits = b->traps,
				     .n_trap_hits = c->n_traps,
				     .deputy_delist_ms =
					     c->has_deputy ? NOW - c->deputy_ago_ms : 0 };
	b->rules = rules_thin();
	if (c->tweak != NULL) {
		c->tweak(&b->rules);
	}
	assert_int_equal(policy_rules_check(&b->rules, NULL, 0), 0);
}

static policy_decision_t decide(const policy_rules_t *r, const policy_evidence_t *ev,
				int64_t now_ms)
{
	policy_decision_t d;
	assert_int_equal(policy_evaluate(r, ev, now_ms, &d), 0);
	return d;
}

static void thin_off(policy_rules_t *r)
{
	r->thin_evidence = 0;
}

static void thin_off_expire_48h(policy_rules_t *r)
{
	r->thin_evidence = 0;
	r->expire_ms = H(48);
}

static void threshold_3(policy_rules_t *r)
{
	r->threshold = 3;
}

static void one_reporter_threshold_3(policy_rules_t *r)
{
	r->threshold = 3;
	r->min_reporters = 1;
}

static void reporter_window_24h(policy_rules_t *r)
{
	r->reporter_window_ms = H(24);
	r->min_reporters = 1;
	r->threshold = 6;
}

static void reporter_window_off(policy_rules_t *r)
{
	r->reporter_window_ms = 0;
	r->min_reporters = 1;
}

#define LR POLICY_REASON_LISTED_REPORTS
#define LT POLICY_REASON_LISTED_TRAPS
#define LRT POLICY_REASON_LISTED_REPORTS_TRAPS

static const eval_case_t eval_cases[] = {
	/* ---- the threshold ---- */
	{ .name = "no evidence", .expect = { .reason = POLICY_REASON_NO_EVIDENCE, .thin = true } },
	{ .name = "one fresh report is below the threshold",
	  .reports = { R(0, 1) },
	  .expect = { .reason = POLICY_REASON_BELOW_THRESHOLD,
		      .score_milli = 4000,
		      .n_reporters = 1,
		      .thin = true } },
	{ .name = "fresh reports from two reporters list, thin: 12 h",
	  .reports = { R(0, 1), R(0, 2) },
	  .expect = { true, LR, 8000, 2, true, H(12) } },
	{ .name = "two reporters an hour apart: 12 h after the newer",
	  .reports = { R(H(1), 1), R(0, 2) },
	  .expect = { true, LR, 3937 + 4000, 2, true, H(12) } },
	{ .name = "listed when reported; the score now exactly at the threshold",
	  .tweak = thin_off_expire_48h,
	  .reports = { R(H(24), 1), R(H(24), 2) },
	  .expect = { true, LR, 8000, 2, false, H(24) } },
	{ .name = "the score decayed below the threshold: the listing holds until expire",
	  .tweak = thin_off_expire_48h,
	  .reports = { R(H(24) + 1, 1), R(H(24) + 1, 2) },
	  .expect = { true, LR, 8000, 2, false, H(24) - 1 } },
	{ .name = "new evidence never cuts a listing short (a heavily fined reporter)",
	  .tweak = thin_off,
	  .reports = { R(H(14), 1), FINED(H(14), 2, 1), FINED(0, 3, 5) },
	  .expect = { true, LR, 6000, 2, false, H(10) } },
	{ .name = "a listing is described by the evidence that holds it, out of its window now",
	  .tweak = thin_off,
	  .reports = { R(H(7), 1) },
	  .n_traps = 1,
	  .trap_ago_ms = { H(30) },
	  .expect = { true, LRT, 9000, 1, false, H(17) } },
	{ .name = "decay never ends a listing before 24 h after the last report",
	  .tweak = thin_off,
	  .reports = { R(H(30), 1), R(0, 2) },
	  .expect = { true, LR, 2125 + 4000, 2, false, H(24) } },

	/* ---- trap hits ---- */
	{ .name = "one trap hit lists, thin: 12 h",
	  .n_traps = 1,
	  .trap_ago_ms = { 0 },
	  .expect = { true, LT, 5000, 0, true, H(12) } },
	{ .name = "a trap hit 1 ms short of 24 h still lists until 24 h",
	  .tweak = thin_off,
	  .n_traps = 1,
	  .trap_ago_ms = { H(24) - 1 },
	  .expect = { true, LT, 5000, 0, false, 1 } },
	{ .name = "a trap hit exactly 24 h old no longer counts",
	  .tweak = thin_off,
	  .n_traps = 1,
	  .trap_ago_ms = { H(24) },
	  .expect = { false, POLICY_REASON_NO_EVIDENCE, 0, 0, false, 0 } },
	{ .name = "a report and a trap hit",
	  .reports = { R(0, 1) },
	  .n_traps = 1,
	  .trap_ago_ms = { 0 },
	  .expect = { true, LRT, 9000, 1, true, H(12) } },
	{ .name = "a trap hit lets one reporter's reports count",
	  .tweak = threshold_3,
	  .reports = { R(0, 1) },
	  .n_traps = 1,
	  .trap_ago_ms = { H(1) },
	  .expect = { true, LRT, 9000, 1, true, H(12) } },

	/* ---- expiry and the thin cap ---- */
	{ .name = "three reporters are not thin: 24 h",
	  .reports = { R(0, 1), R(0, 2), R(0, 3) },
	  .expect = { true, LR, 12000, 3, false, H(24) } },
	{ .name = "1 ms before expire: still listed",
	  .tweak = thin_off,
	  .reports = { R(H(24) - 1, 1), R(H(24) - 1, 2), R(H(24) - 1, 3) },
	  .expect = { true, LR, 12000, 3, false, 1 } },
	{ .name = "exactly 24 h after the last evidence: expired",
	  .tweak = thin_off,
	  .reports = { R(H(24), 1), R(H(24), 2), R(H(24), 3) },
	  .expect = { false, POLICY_REASON_EXPIRED, 7500, 3, false, 0 } },
	{ .name = "thin: 1 ms before 12 h still listed",
	  .reports = { R(H(12) - 1, 1), R(H(12) - 1, 2) },
	  .expect = { true, LR, 8000, 2, true, 1 } },
	{ .name = "thin: exactly 12 h after the last evidence: expired",
	  .reports = { R(H(12), 1), R(H(12), 2) },
	  .expect = { false, POLICY_REASON_EXPIRED, 6500, 2, true, 0 } },
	{ .name = "thin listing long over, score below too: still called expired",
	  .reports = { R(H(30), 1), R(H(30), 2) },
	  .expect = { false, POLICY_REASON_EXPIRED, 4250, 2, true, 0 } },
	{ .name = "one old report was never listed: below threshold, not expired",
	  .reports = { R(H(48), 1) },
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 1000, 1, true, 0 } },

	/* ---- report age ---- */
	{ .name = "reports exactly 7 days old are ignored",
	  .reports = { R(D(7), 1), R(D(7), 2) },
	  .expect = { false, POLICY_REASON_NO_EVIDENCE, 0, 0, true, 0 } },
	{ .name = "reports 1 ms younger than 7 days weigh 1",
	  .reports = { R(D(7) - 1, 1), R(D(7) - 1, 2) },
	  .expect = { false, POLICY_REASON_EXPIRED, 2000, 2, true, 0 } },

	/* ---- fake-report resistance ---- */
	{ .name = "a reporter counts once per window",
	  .reports = { R(0, 1), R(MIN(1), 1), R(MIN(2), 1), R(H(5), 1) },
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 4000, 1, true, 0 } },
	{ .name = "one reporter's reports alone do not list",
	  .tweak = threshold_3,
	  .reports = { R(0, 1), R(H(1), 1) },
	  .expect = { false, POLICY_REASON_TOO_FEW_REPORTERS, 4000, 1, true, 0 } },
	{ .name = "min_reporters 1 lets one reporter list",
	  .tweak = one_reporter_threshold_3,
	  .reports = { R(0, 1), R(H(1), 1) },
	  .expect = { true, LR, 4000, 1, true, H(12) } },
	{ .name = "reporter window 24 h: two reports exactly 24 h apart both score",
	  .tweak = reporter_window_24h,
	  .reports = { R(0, 1), R(H(24), 1) },
	  .expect = { true, LR, 6500, 1, true, H(12) } },
	{ .name = "reporter window 24 h: 1 ms less and the older one is a repeat",
	  .tweak = reporter_window_24h,
	  .reports = { R(0, 1), R(H(24) - 1, 1) },
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 4000, 1, true, 0 } },
	{ .name = "reporter window 0: every report scores",
	  .tweak = reporter_window_off,
	  .reports = { R(0, 1), R(0, 1), R(0, 1) },
	  .expect = { true, LR, 12000, 1, false, H(24) } },
	{ .name = "a banned reporter counts zero",
	  .reports = { BANNED(0, 1), R(0, 2) },
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 4000, 1, true, 0 } },
	{ .name = "a banned reporter does not stop a trap hit",
	  .reports = { BANNED(0, 1) },
	  .n_traps = 1,
	  .trap_ago_ms = { 0 },
	  .expect = { true, LT, 5000, 0, true, H(12) } },
	{ .name = "a reporter fined once counts half",
	  .reports = { FINED(0, 1, 1), R(0, 2) },
	  .expect = { true, LR, 6000, 2, true, H(12) } },
	{ .name = "fined with no count is fined once",
	  .reports = { FINED(0, 1, 0), R(0, 2) },
	  .expect = { true, LR, 6000, 2, true, H(12) } },
	{ .name = "fined twice: a quarter, exactly at the threshold",
	  .reports = { FINED(0, 1, 2), R(0, 2) },
	  .expect = { true, LR, 5000, 2, true, H(12) } },
	{ .name = "fined three times: an eighth, below",
	  .reports = { FINED(0, 1, 3), R(0, 2) },
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 4500, 2, true, 0 } },
	{ .name = "a report set aside while challenged does not count",
	  .reports = { R(0, 1), CHALLENGED(0, 2) },
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 4000, 1, true, 0 } },
	{ .name = "a voided report delists at once",
	  .reports = { R(0, 1), VOIDED(0, 2) },
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 4000, 1, true, 0 } },
	{ .name = "a voided report does not delist when the rest still meets the threshold",
	  .reports = { R(0, 1), R(0, 2), VOIDED(0, 3) },
	  .expect = { true, LR, 8000, 2, true, H(12) } },
	{ .name = "a withdrawn report counts zero",
	  .reports = { R(0, 1), WITHDRAWN(0, 2) },
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 4000, 1, true, 0 } },

	/* ---- the deputy's delisting ---- */
	{ .name = "a deputy's delisting holds",
	  .reports = { R(H(2), 1), R(H(2), 2), R(H(3), 3) },
	  .n_traps = 1,
	  .trap_ago_ms = { H(3) },
	  .has_deputy = true,
	  .deputy_ago_ms = H(1),
	  .expect = { false, POLICY_REASON_DEPUTY_DELISTED, 0, 0, true, 0 } },
	{ .name = "evidence at the very time of the delisting is set aside",
	  .reports = { R(H(1), 1), R(H(1), 2) },
	  .has_deputy = true,
	  .deputy_ago_ms = H(1),
	  .expect = { false, POLICY_REASON_DEPUTY_DELISTED, 0, 0, true, 0 } },
	{ .name = "evidence 1 ms after the delisting counts",
	  .reports = { R(H(1) - 1, 1), R(H(1) - 1, 2) },
	  .has_deputy = true,
	  .deputy_ago_ms = H(1),
	  .expect = { true, LR, 8000, 2, true, H(11) + 1 } },
	{ .name = "one new report during a deputy delisting is not enough",
	  .reports = { R(H(2), 1), R(H(2), 2), R(0, 3) },
	  .has_deputy = true,
	  .deputy_ago_ms = H(1),
	  .expect = { false, POLICY_REASON_DEPUTY_DELISTED, 4000, 1, true, 0 } },
	{ .name = "an old reporter reporting again during a deputy delisting is not enough",
	  .reports = { R(H(2), 1), R(H(2), 2), R(0, 2) },
	  .has_deputy = true,
	  .deputy_ago_ms = H(1),
	  .expect = { false, POLICY_REASON_DEPUTY_DELISTED, 4000, 1, true, 0 } },
	{ .name = "a new trap hit ends the deputy's delisting",
	  .reports = { R(H(2), 1), R(H(2), 2) },
	  .n_traps = 1,
	  .trap_ago_ms = { 0 },
	  .has_deputy = true,
	  .deputy_ago_ms = H(1),
	  .expect = { true, LT, 5000, 0, true, H(12) } },
	{ .name = "new reports from two reporters end the deputy's delisting",
	  .reports = { R(H(2), 1), R(H(2), 2), R(0, 3), R(0, 4) },
	  .has_deputy = true,
	  .deputy_ago_ms = H(1),
	  .expect = { true, LR, 8000, 2, true, H(12) } },
	{ .name = "a delisting older than every window no longer matters",
	  .reports = { R(0, 1) },
	  .has_deputy = true,
	  .deputy_ago_ms = D(8),
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 4000, 1, true, 0 } },

	/* ---- clocks that go back ---- */
	{ .name = "reports from the future weigh as fresh, never more",
	  .reports = { R(-H(1), 1), R(-H(1), 2) },
	  .expect = { true, LR, 8000, 2, true, H(13) } },
	{ .name = "a trap hit from the future lists until its own time plus the cap",
	  .n_traps = 1,
	  .trap_ago_ms = { -H(2) },
	  .expect = { true, LT, 5000, 0, true, H(14) } },
	{ .name = "a report a week in the future still weighs 4",
	  .reports = { R(-D(7), 1) },
	  .expect = { false, POLICY_REASON_BELOW_THRESHOLD, 4000, 1, true, 0 } },
	{ .name = "a deputy delisting from the future sets aside evidence before it",
	  .reports = { R(0, 1), R(0, 2) },
	  .has_deputy = true,
	  .deputy_ago_ms = -H(1),
	  .expect = { false, POLICY_REASON_DEPUTY_DELISTED, 0, 0, true, 0 } },
};

static void test_eval_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++) {
		const eval_case_t *c = &eval_cases[i];
		const expect_t *e = &c->expect;
		built_t b;
		build(c, &b);
		policy_decision_t d = decide(&b.rules, &b.ev, NOW);
		print_message("# case: %s -> %s, score %lld, delist in %lld ms: %s\n", c->name,
			      policy_reason_name(d.reason), (long long)d.score_milli,
			      (long long)(d.listed ? d.delist_at_ms - NOW : 0), d.sentence);
		assert_int_equal(d.listed, e->listed);
		assert_string_equal(policy_reason_name(d.reason), policy_reason_name(e->reason));
		assert_int_equal(d.score_milli, e->score_milli);
		assert_int_equal(d.threshold_milli, b.rules.threshold * 1000);
		assert_int_equal(d.n_reporters, e->n_reporters);
		assert_int_equal(d.thin, e->thin);
		assert_true(d.sentence[0] != '\0');
		if (e->listed) {
			assert_int_equal(d.delist_at_ms - NOW, e->delist_in_ms);
			assert_int_equal(d.next_change_ms, d.delist_at_ms);
			/* the listing really ends there and not a millisecond earlier */
			assert_true(decide(&b.rules, &b.ev, d.delist_at_ms - 1).listed);
			assert_false(decide(&b.rules, &b.ev, d.delist_at_ms).listed);
		} else {
			assert_int_equal(d.delist_at_ms, 0);
			assert_int_equal(d.next_change_ms, 0);
		}
	}
}

/* A report's weight by age and standing, through policy_explain. */
static void test_report_weights(void **state)
{
	(void)state;
	static const struct {
		int64_t ago_ms;
		enum policy_standing standing;
		uint32_t n_fines;
		enum policy_report_state st;
		enum policy_note note;
		int64_t weight_milli;
	} cases[] = {
		{ 0, POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 4000 },
		{ 1, POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 3999 },
		{ H(12), POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 3250 },
		{ H(24), POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 2500 },
		{ H(36), POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 1750 },
		{ H(48) - 1, POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED,
		  1000 },
		{ H(48), POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 1000 },
		{ D(6), POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 1000 },
		{ D(7) - 1, POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED,
		  1000 },
		{ D(7), POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_TOO_OLD, 0 },
		{ -H(1), POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 4000 },
		{ -D(30), POLICY_STANDING_GOOD, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED,
		  4000 },
		{ 0, POLICY_STANDING_FINED, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 2000 },
		{ 0, POLICY_STANDING_FINED, 1, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 2000 },
		{ 0, POLICY_STANDING_FINED, 2, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 1000 },
		{ 0, POLICY_STANDING_FINED, 3, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 500 },
		{ 0, POLICY_STANDING_FINED, 10, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 3 },
		{ 0, POLICY_STANDING_FINED, 40, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED, 0 },
		{ 0, POLICY_STANDING_FINED, UINT32_MAX, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED,
		  0 },
		{ H(24), POLICY_STANDING_FINED, 1, POLICY_REPORT_COUNTED, POLICY_NOTE_SCORED,
		  1250 },
		{ 0, POLICY_STANDING_BANNED, 0, POLICY_REPORT_COUNTED, POLICY_NOTE_BANNED, 0 },
		{ 0, POLICY_STANDING_GOOD, 0, POLICY_REPORT_VOIDED, POLICY_NOTE_VOIDED, 0 },
		{ 0, POLICY_STANDING_GOOD, 0, POLICY_REPORT_WITHDRAWN, POLICY_NOTE_WITHDRAWN, 0 },
		{ D(8), POLICY_STANDING_BANNED, 0, POLICY_REPORT_VOIDED, POLICY_NOTE_TOO_OLD, 0 },
	};
	policy_rules_t r = rules_thin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		policy_report_t rep = { .time_ms = NOW - cases[i].ago_ms,
					.reporter_id = 9,
					.standing = cases[i].standing,
					.n_fines = cases[i].n_fines,
					.state = cases[i].st };
		policy_evidence_t ev = { .reports = &rep, .n_reports = 1 };
		policy_report_score_t s = { .note = POLICY_NOTE_VOIDED, .weight_milli = -1 };
		assert_int_equal(policy_explain(&r, &ev, NOW, &s), 0);
		print_message("# weight %zu: %s %lld\n", i, policy_note_name(s.note),
			      (long long)s.weight_milli);
		assert_string_equal(policy_note_name(s.note), policy_note_name(cases[i].note));
		assert_int_equal(s.weight_milli, cases[i].weight_milli);
		/* the decision adds up the same weight */
		policy_decision_t d = decide(&r, &ev, NOW);
		assert_int_equal(d.report_score_milli, cases[i].weight_milli);
	}
}

static void square_from_3(policy_rules_t *r)
{
	r->trap_square_from = 3;
}

/* Trap hits: trap_weight each below trap_square_from, the count squared from it on. */
static void test_trap_scores(void **state)
{
	(void)state;
	static const struct {
		size_t n;
		void (*tweak)(policy_rules_t *r);
		int64_t score_milli;
		bool listed;
	} cases[] = {
		{ 0, NULL, 0, false },
		{ 1, NULL, 5000, true },
		{ 2, NULL, 10000, true },
		{ 5, NULL, 25000, true },
		{ 6, NULL, 36000, true },
		{ 7, NULL, 49000, true },
		{ 10, NULL, 100000, true },
		{ 2, square_from_3, 10000, true },
		{ 3, square_from_3, 9000, true },
	};
	policy_trap_hit_t hits[10];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		policy_rules_t r = rules_thin();
		if (cases[i].tweak != NULL) {
			cases[i].tweak(&r);
		}
		for (size_t k = 0; k < cases[i].n; k++) {
			hits[k].time_ms = NOW - MIN(k);
		}
		policy_evidence_t ev = { .trap_hits = hits, .n_trap_hits = cases[i].n };
		policy_decision_t d = decide(&r, &ev, NOW);
		assert_int_equal(d.trap_score_milli, cases[i].score_milli);
		assert_int_equal(d.score_milli, cases[i].score_milli);
		assert_int_equal(d.n_trap_hits, cases[i].n);
		assert_int_equal(d.listed, cases[i].listed);
	}
	/* a flood of hits saturates instead of overflowing */
	static policy_trap_hit_t flood[2000100];
	for (size_t k = 0; k < sizeof(flood) / sizeof(flood[0]); k++) {
		flood[k].time_ms = NOW - (int64_t)(k % 1000);
	}
	policy_rules_t r = rules_thin();
	policy_evidence_t ev = { .trap_hits = flood, .n_trap_hits = 2000100 };
	policy_decision_t d = decide(&r, &ev, NOW);
	assert_int_equal(d.trap_score_milli, 2000000LL * 2000000LL * 1000);
	assert_int_equal(d.n_trap_hits, 2000100);
	assert_true(d.listed);
	assert_false(d.thin);
	assert_int_equal(d.delist_at_ms, NOW + H(24));
}

/* 100 reports from one reporter count once, whatever the rules around them. */
static void test_hundred_reports_one_reporter(void **state)
{
	(void)state;
	policy_report_t reps[101];
	for (size_t i = 0; i < 100; i++) {
		reps[i] = (policy_report_t){ .time_ms = NOW - MIN(i), .reporter_id = 7 };
	}
	policy_reports_sort(reps, 100);
	policy_evidence_t ev = { .reports = reps, .n_reports = 100 };
	policy_rules_t r = rules_thin();
	policy_decision_t d = decide(&r, &ev, NOW);
	assert_false(d.listed);
	assert_int_equal(d.score_milli, 4000);
	assert_int_equal(d.n_reports, 100);
	assert_int_equal(d.n_reports_scored, 1);
	assert_int_equal(d.n_reporters, 1);
	assert_string_equal(policy_reason_name(d.reason), "below_threshold");
	assert_string_equal(d.sentence,
			    "reported as a source of spam 100 times in the past week by "
			    "1 reporter; not enough to list (score 4, threshold 5)");

	/* even where one reporter may list alone, it weighs as one report */
	r.threshold = 3;
	r.min_reporters = 1;
	d = decide(&r, &ev, NOW);
	assert_true(d.listed);
	assert_int_equal(d.score_milli, 4000);
	assert_true(d.thin);

	/* a second reporter: two scored reports, so the listing is thin */
	reps[100] = (policy_report_t){ .time_ms = NOW - H(1), .reporter_id = 8 };
	ev.n_reports = 101;
	r = rules_thin();
	d = decide(&r, &ev, NOW);
	assert_true(d.listed);
	assert_int_equal(d.score_milli, 4000 + 3937);
	assert_int_equal(d.n_reports, 101);
	assert_int_equal(d.n_reports_scored, 2);
	assert_int_equal(d.n_reporters, 2);
	assert_true(d.thin);
	assert_int_equal(d.delist_at_ms, NOW + H(12));
}

/* What every report became, for the evidence view. */
static void test_explain_notes(void **state)
{
	(void)state;
	policy_report_t reps[] = {
		{ .time_ms = NOW, .reporter_id = 1 },
		{ .time_ms = NOW - H(1), .reporter_id = 1 },
		{ .time_ms = NOW - D(8), .reporter_id = 2 },
		{ .time_ms = NOW - H(1), .reporter_id = 3, .standing = POLICY_STANDING_BANNED },
		{ .time_ms = NOW - H(1), .reporter_id = 4, .state = POLICY_REPORT_VOIDED },
		{ .time_ms = NOW - H(1), .reporter_id = 5, .state = POLICY_REPORT_WITHDRAWN },
		{ .time_ms = NOW - H(3), .reporter_id = 6 },
		{ .time_ms = NOW - H(24), .reporter_id = 7, .standing = POLICY_STANDING_FINED },
	};
	static const struct {
		enum policy_note note;
		int64_t weight_milli;
	} want[] = {
		{ POLICY_NOTE_REPEAT, 0 },	  { POLICY_NOTE_SCORED, 4000 },
		{ POLICY_NOTE_TOO_OLD, 0 },	  { POLICY_NOTE_BANNED, 0 },
		{ POLICY_NOTE_VOIDED, 0 },	  { POLICY_NOTE_WITHDRAWN, 0 },
		{ POLICY_NOTE_BEFORE_DEPUTY, 0 }, { POLICY_NOTE_BEFORE_DEPUTY, 0 },
	};
	size_t n = sizeof(reps) / sizeof(reps[0]);
	policy_reports_sort(reps, n);
	policy_evidence_t ev = { .reports = reps, .n_reports = n, .deputy_delist_ms = NOW - H(2) };
	policy_rules_t r = rules_thin();
	policy_report_score_t out[sizeof(reps) / sizeof(reps[0])];
	assert_int_equal(policy_explain(&r, &ev, NOW, out), 0);
	/* sorted: reporter ids ascend, and reporter 1's older report comes first */
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(policy_note_name(out[i].note), policy_note_name(want[i].note));
		assert_int_equal(out[i].weight_milli, want[i].weight_milli);
	}
	assert_int_equal(reps[0].time_ms, NOW - H(1));

	policy_decision_t d = decide(&r, &ev, NOW);
	assert_int_equal(d.n_reports, 2);
	assert_int_equal(d.n_reports_scored, 1);
	assert_int_equal(d.n_reports_banned, 1);
	assert_int_equal(d.n_reports_voided, 1);
	assert_int_equal(d.n_reports_withdrawn, 1);
	assert_int_equal(d.n_before_deputy, 2);
	assert_int_equal(d.last_evidence_ms, NOW);
	assert_string_equal(policy_reason_name(d.reason), "deputy_delisted");

	assert_int_equal(policy_explain(&r, &ev, NOW, NULL), IPBL_EINVAL);
}

/* The plain sentences, word for word. */
static void test_sentences(void **state)
{
	(void)state;
	/* the example: 30 reports by 12 reporters, 4 trap hits */
	policy_report_t reps[30];
	for (size_t i = 0; i < 30; i++) {
		reps[i] = (policy_report_t){ .time_ms = NOW - H(i * 5), .reporter_id = 1 + i % 12 };
	}
	policy_reports_sort(reps, 30);
	policy_trap_hit_t hits[4] = { { NOW }, { NOW - H(1) }, { NOW - H(2) }, { NOW - H(23) } };
	policy_evidence_t ev = {
		.reports = reps, .n_reports = 30, .trap_hits = hits, .n_trap_hits = 4
	};
	policy_rules_t r = rules_thin();
	policy_decision_t d = decide(&r, &ev, NOW);
	assert_true(d.listed);
	assert_false(d.thin);
	assert_string_equal(policy_reason_name(d.reason), "listed_reports_traps");
	assert_string_equal(d.sentence,
			    "reported as a source of spam 30 times in the past week by 12 "
			    "reporters; 4 spamtrap hits in the past 24 hours");

	static const struct {
		eval_case_t c;
		const char *sentence;
	} cases[] = {
		{ { .name = "none" },
		  "no reports in the past week and no spamtrap hits in the past 24 hours" },
		{ { .name = "one", .reports = { R(H(12), 1) } },
		  "reported as a source of spam once in the past week by 1 reporter; not enough to "
		  "list (score 3.25, threshold 5)" },
		{ { .name = "thin", .reports = { R(0, 1), R(0, 2) } },
		  "reported as a source of spam 2 times in the past week by 2 reporters; little "
		  "evidence: listed for at most 12 hours after the last report or hit" },
		{ { .name = "trap", .n_traps = 1, .trap_ago_ms = { 0 } },
		  "1 spamtrap hit in the past 24 hours; little evidence: listed for at most 12 "
		  "hours "
		  "after the last report or hit" },
		{ { .name = "few", .tweak = threshold_3, .reports = { R(0, 1) } },
		  "reported as a source of spam once in the past week by 1 reporter; reports alone "
		  "list only when at least 2 reporters send them" },
		{ { .name = "expired", .reports = { R(H(13), 1), R(H(13), 2) } },
		  "reported as a source of spam 2 times in the past week by 2 reporters; delisted "
		  "12 "
		  "hours after the last evidence" },
		{ { .name = "deputy",
		    .reports = { R(H(2), 1), R(H(2), 2) },
		    .has_deputy = true,
		    .deputy_ago_ms = H(1) },
		  "delisted by a deputy; no newer evidence" },
		{ { .name = "deputy, newer",
		    .reports = { R(H(2), 1), R(H(2), 2), R(0, 3) },
		    .has_deputy = true,
		    .deputy_ago_ms = H(1) },
		  "delisted by a deputy; newer evidence: reported as a source of spam once in the "
		  "past week by 1 reporter; not enough to list again" },
		{ { .name = "banned and voided",
		    .reports = { R(0, 1), BANNED(0, 2), BANNED(H(1), 2), VOIDED(0, 3) } },
		  "reported as a source of spam once in the past week by 1 reporter; 2 reports "
		  "from "
		  "banned reporters not counted; 1 report voided for reporter error; not enough to "
		  "list (score 4, threshold 5)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		built_t b;
		build(&cases[i].c, &b);
		d = decide(&b.rules, &b.ev, NOW);
		assert_string_equal(d.sentence, cases[i].sentence);
	}

	/* windows in words: days, a single hour, minutes */
	r = rules_thin();
	r.report_max_age_ms = D(3);
	r.trap_window_ms = H(1);
	r.thin_expire_ms = MIN(90);
	policy_report_t one = { .time_ms = NOW, .reporter_id = 1 };
	ev = (policy_evidence_t){
		.reports = &one, .n_reports = 1, .trap_hits = hits, .n_trap_hits = 1
	};
	d = decide(&r, &ev, NOW);
	assert_string_equal(d.sentence,
			    "reported as a source of spam once in the past 3 days by 1 "
			    "reporter; 1 spamtrap hit in the past hour; little evidence: "
			    "listed for at most 90 minutes after the last report or hit");
}

/* The same evidence in any order, evaluated anywhere, gives the same decision. */
static void test_determinism(void **state)
{
	(void)state;
	policy_report_t a[12], b[12];
	for (size_t i = 0; i < 12; i++) {
		a[i] = (policy_report_t){
			.time_ms = NOW - H((i * 7) % 30) - (int64_t)i,
			.reporter_id = 1 + (i * 5) % 4,
			.standing = i == 11 ? POLICY_STANDING_FINED : POLICY_STANDING_GOOD,
			.n_fines = i == 11 ? 1 : 0,
			.state = i == 8 ? POLICY_REPORT_VOIDED : POLICY_REPORT_COUNTED
		};
		b[11 - i] = a[i];
	}
	policy_reports_sort(a, 12);
	policy_reports_sort(b, 12);
	assert_memory_equal(a, b, sizeof(a));
	policy_trap_hit_t hits[2] = { { NOW - H(3) }, { NOW - H(30) } };
	policy_evidence_t ea = {
		.reports = a, .n_reports = 12, .trap_hits = hits, .n_trap_hits = 2
	};
	policy_evidence_t eb = {
		.reports = b, .n_reports = 12, .trap_hits = hits, .n_trap_hits = 2
	};
	policy_rules_t r = rules_thin();
	policy_decision_t da = decide(&r, &ea, NOW);
	policy_decision_t db = decide(&r, &eb, NOW);
	policy_decision_t dc = decide(&r, &ea, NOW);
	assert_int_equal(da.listed, db.listed);
	assert_int_equal(da.reason, db.reason);
	assert_int_equal(da.score_milli, db.score_milli);
	assert_int_equal(da.delist_at_ms, db.delist_at_ms);
	assert_string_equal(da.sentence, db.sentence);
	assert_string_equal(da.sentence, dc.sentence);
	/* and the same numbers on every machine: integer arithmetic, pinned here */
	print_message("# determinism: %lld %lld %s\n", (long long)da.score_milli,
		      (long long)(da.delist_at_ms - NOW), da.sentence);
	assert_true(da.listed);
	/* newest report of each reporter: 4000 (age 0) + 3812 (3 h) + 3374 (10 h) + 2937 / 2
	 * (17 h, fined once); the one trap hit inside 24 h: 5000 */
	assert_int_equal(da.report_score_milli, 4000 + 3812 + 3374 + 1468);
	assert_int_equal(da.trap_score_milli, 5000);
	assert_int_equal(da.delist_at_ms, NOW + H(24));
	assert_int_equal(da.n_reporters, 4);
	assert_int_equal(da.n_reports, 11);
	assert_int_equal(da.n_reports_voided, 1);
}

/* [policy] in the config file becomes the rules; defaults match the schema. */
static void test_from_conf(void **state)
{
	(void)state;
	char err[256] = "";
	ipbl_conf_t *c = NULL;
	const char *empty = "";
	assert_int_equal(ipbl_conf_parse("t.conf", empty, 0, &c, err, sizeof(err)), 0);
	policy_rules_t r;
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(policy_rules_from_conf(c, &r, err, sizeof(err)), 0);
	policy_rules_t def = policy_rules_default();
	assert_memory_equal(&r, &def, sizeof(r));
	ipbl_conf_free(c);

	const char *text = "[policy]\n"
			   "expire = 36h\n"
			   "threshold = 7\n"
			   "thin_evidence = 0\n"
			   "thin_expire = 6h\n"
			   "report_max_age = 3d\n"
			   "report_decay = 0\n"
			   "report_weight_fresh = 9\n"
			   "report_weight_old = 2\n"
			   "reporter_window = 1h\n"
			   "min_reporters = 3\n"
			   "fine_keep_percent = 10\n"
			   "trap_window = 2h\n"
			   "trap_weight = 8\n"
			   "trap_square_from = 4\n";
	assert_int_equal(ipbl_conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err)), 0);
	assert_int_equal(policy_rules_from_conf(c, &r, err, sizeof(err)), 0);
	assert_int_equal(r.expire_ms, H(36));
	assert_int_equal(r.threshold, 7);
	assert_int_equal(r.thin_evidence, 0);
	assert_int_equal(r.thin_expire_ms, H(6));
	assert_int_equal(r.report_max_age_ms, D(3));
	assert_int_equal(r.report_decay_ms, 0);
	assert_int_equal(r.report_weight_fresh, 9);
	assert_int_equal(r.report_weight_old, 2);
	assert_int_equal(r.reporter_window_ms, H(1));
	assert_int_equal(r.min_reporters, 3);
	assert_int_equal(r.fine_keep_percent, 10);
	assert_int_equal(r.trap_window_ms, H(2));
	assert_int_equal(r.trap_weight, 8);
	assert_int_equal(r.trap_square_from, 4);
	ipbl_conf_free(c);

	/* decay 0: every report weighs report_weight_old */
	policy_report_t rep = { .time_ms = NOW, .reporter_id = 1 };
	policy_evidence_t ev = { .reports = &rep, .n_reports = 1 };
	assert_int_equal(decide(&r, &ev, NOW).score_milli, 2000);

	/* fresh below old is refused as a whole */
	text = "[policy]\nreport_weight_fresh = 1\nreport_weight_old = 2\n";
	assert_int_equal(ipbl_conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err)), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(policy_rules_from_conf(c, &r, err, sizeof(err)), IPBL_ECONF);
	assert_string_equal(err, "t.conf: [policy] report_weight_fresh (1) is below "
				 "report_weight_old (2)");
	assert_int_equal(r.threshold, 0);
	ipbl_conf_free(c);

	/* the schema's bounds apply before the policy sees a value */
	text = "[policy]\nthreshold = 0\n";
	assert_int_equal(ipbl_conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err)),
			 IPBL_ECONF);
	assert_non_null(strstr(err, "threshold"));
}

static void bad_threshold(policy_rules_t *r)
{
	r->threshold = 0;
}
static void bad_expire(policy_rules_t *r)
{
	r->expire_ms = 0;
}
static void bad_decay(policy_rules_t *r)
{
	r->report_decay_ms = -1;
}
static void bad_max_age(policy_rules_t *r)
{
	r->report_max_age_ms = POLICY_DURATION_MAX_MS + 1;
}
static void bad_percent(policy_rules_t *r)
{
	r->fine_keep_percent = 101;
}
static void bad_weights(policy_rules_t *r)
{
	r->report_weight_fresh = 0;
}
static void bad_weight_max(policy_rules_t *r)
{
	r->trap_weight = POLICY_POINTS_MAX + 1;
}
static void bad_reporters(policy_rules_t *r)
{
	r->min_reporters = 0;
}
static void bad_square(policy_rules_t *r)
{
	r->trap_square_from = 0;
}

static void test_rules_check(void **state)
{
	(void)state;
	static const struct {
		void (*tweak)(policy_rules_t *r);
		const char *message;
	} cases[] = {
		{ bad_threshold, "threshold: 0 is out of range 1..100000" },
		{ bad_expire, "expire: 0 is out of range 1..86400000000" },
		{ bad_decay, "report_decay: -1 is out of range 0..86400000000" },
		{ bad_max_age, "report_max_age: 86400000001 is out of range 1..86400000000" },
		{ bad_percent, "fine_keep_percent: 101 is out of range 0..100" },
		{ bad_weights, "report_weight_fresh (0) is below report_weight_old (1)" },
		{ bad_weight_max, "trap_weight: 100001 is out of range 0..100000" },
		{ bad_reporters, "min_reporters: 0 is out of range 1..1000000" },
		{ bad_square, "trap_square_from: 0 is out of range 1..1000000" },
	};
	policy_rules_t r = rules_thin();
	assert_int_equal(policy_rules_check(&r, NULL, 0), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = rules_thin();
		cases[i].tweak(&r);
		char err[200] = "";
		assert_int_equal(policy_rules_check(&r, err, sizeof(err)), IPBL_EINVAL);
		assert_string_equal(err, cases[i].message);
		/* evaluate refuses the same rules */
		policy_evidence_t ev = { 0 };
		policy_decision_t d;
		assert_int_equal(policy_evaluate(&r, &ev, NOW, &d), IPBL_EINVAL);
	}
	assert_int_equal(policy_rules_check(NULL, NULL, 0), IPBL_EINVAL);
}

#define AT(t, id)                                                                                  \
	{                                                                                          \
		.time_ms = (t), .reporter_id = (id)                                                \
	}

/* Bad evidence is refused with IPBL_EINVAL and a cleared decision, never a crash. */
static void test_bad_input(void **state)
{
	(void)state;
	policy_rules_t r = rules_thin();
	static const struct {
		const char *name;
		policy_report_t reps[2];
		size_t n_reports;
		int64_t trap_ms;
		int64_t deputy_ms;
		int64_t now_ms;
	} cases[] = {
		{ "unsorted reporters", { AT(NOW, 2), AT(NOW, 1) }, 2, NOW, 0, NOW },
		{ "unsorted times", { AT(NOW, 1), AT(NOW - 1, 1) }, 2, NOW, 0, NOW },
		{ "negative report time", { AT(-1, 1) }, 1, NOW, 0, NOW },
		{ "report time past year 9999", { AT(POLICY_TIME_MAX_MS + 1, 1) }, 1, NOW, 0, NOW },
		{ "bad standing",
		  { { .time_ms = NOW, .reporter_id = 1, .standing = (enum policy_standing)7 } },
		  1,
		  NOW,
		  0,
		  NOW },
		{ "bad state",
		  { { .time_ms = NOW, .reporter_id = 1, .state = (enum policy_report_state) - 1 } },
		  1,
		  NOW,
		  0,
		  NOW },
		{ "negative trap time", { AT(NOW, 1) }, 1, INT64_MIN, 0, NOW },
		{ "negative deputy time", { AT(NOW, 1) }, 1, NOW, -5, NOW },
		{ "negative now", { AT(NOW, 1) }, 1, NOW, 0, -1 },
		{ "now past year 9999", { AT(NOW, 1) }, 1, NOW, 0, INT64_MAX },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		policy_trap_hit_t hit = { cases[i].trap_ms };
		policy_evidence_t ev = { .reports = cases[i].reps,
					 .n_reports = cases[i].n_reports,
					 .trap_hits = &hit,
					 .n_trap_hits = 1,
					 .deputy_delist_ms = cases[i].deputy_ms };
		policy_decision_t d;
		memset(&d, 0xff, sizeof(d));
		print_message("# bad input: %s\n", cases[i].name);
		assert_int_equal(policy_evaluate(&r, &ev, cases[i].now_ms, &d), IPBL_EINVAL);
		assert_false(d.listed);
		assert_string_equal(d.sentence, "");
		assert_int_equal(d.score_milli, 0);
		policy_report_score_t notes[2];
		assert_int_equal(policy_explain(&r, &ev, cases[i].now_ms, notes), IPBL_EINVAL);
	}
	/* counts without arrays */
	policy_evidence_t ev = { .n_reports = 1 };
	policy_decision_t d;
	assert_int_equal(policy_evaluate(&r, &ev, NOW, &d), IPBL_EINVAL);
	ev = (policy_evidence_t){ .n_trap_hits = 1 };
	assert_int_equal(policy_evaluate(&r, &ev, NOW, &d), IPBL_EINVAL);
	assert_int_equal(policy_evaluate(NULL, &ev, NOW, &d), IPBL_EINVAL);
	assert_int_equal(policy_evaluate(&r, NULL, NOW, &d), IPBL_EINVAL);
	assert_int_equal(policy_evaluate(&r, &ev, NOW, NULL), IPBL_EINVAL);
	/* the extremes of the valid range work */
	policy_report_t first[2] = { AT(0, 1), AT(0, 2) };
	ev = (policy_evidence_t){ .reports = first, .n_reports = 2 };
	assert_int_equal(policy_evaluate(&r, &ev, 0, &d), 0);
	assert_true(d.listed);
	assert_int_equal(d.delist_at_ms, H(12));
	policy_report_t last[2] = { AT(POLICY_TIME_MAX_MS, 1), AT(POLICY_TIME_MAX_MS, 2) };
	ev = (policy_evidence_t){ .reports = last, .n_reports = 2 };
	assert_int_equal(policy_evaluate(&r, &ev, POLICY_TIME_MAX_MS, &d), 0);
	assert_true(d.listed);
	assert_int_equal(d.delist_at_ms, POLICY_TIME_MAX_MS + H(12));
	assert_int_equal(policy_evaluate(&r, &ev, 0, &d), 0);
	assert_true(d.listed);
	assert_int_equal(d.delist_at_ms, POLICY_TIME_MAX_MS + H(12));
}

static void test_names(void **state)
{
	(void)state;
	static const enum policy_reason reasons[] = {
#define REASON_ITEM(name, text) POLICY_REASON_##name,
		POLICY_REASON_MAP(REASON_ITEM)
#undef REASON_ITEM
	};
	size_t n = sizeof(reasons) / sizeof(reasons[0]);
	assert_int_equal(n, 8);
	for (size_t i = 0; i < n; i++) {
		assert_string_not_equal(policy_reason_name(reasons[i]), "unknown");
		for (size_t k = 0; k < i; k++) {
			assert_string_not_equal(policy_reason_name(reasons[i]),
						policy_reason_name(reasons[k]));
		}
	}
	assert_string_equal(policy_reason_name(POLICY_REASON_LISTED_TRAPS), "listed_traps");
	assert_string_equal(policy_reason_name((enum policy_reason)n), "unknown");
	assert_string_equal(policy_reason_name((enum policy_reason) - 1), "unknown");
	assert_string_equal(policy_note_name(POLICY_NOTE_BEFORE_DEPUTY), "before_deputy");
	assert_string_equal(policy_note_name((enum policy_note)99), "unknown");
}

/* A small deterministic generator, so a failure can be replayed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(uint64_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (rng_state >> 33) % n;
}

/* Random evidence: once listed, the listing holds until delist_at_ms and ends there; the score
 * never rises as time moves on; a decision that is not listed stays so. */
static void test_random_consistency(void **state)
{
	(void)state;
	int64_t ages[] = { 0,	  1,	 MIN(30), H(6), H(12),	  H(23),
			   H(24), H(30), H(47),	  D(3), D(7) - 1, -H(2) };
	size_t n_ages = sizeof(ages) / sizeof(ages[0]);
	unsigned n_listed = 0;
	for (unsigned iter = 0; iter < 3000; iter++) {
		policy_rules_t r = rules_thin();
		if (rng(2)) {
			r.thin_evidence = (int64_t)rng(4);
			r.expire_ms = H(1 + (int64_t)rng(48));
			r.reporter_window_ms = H((int64_t)rng(50));
			r.min_reporters = 1 + (int64_t)rng(3);
			r.threshold = 1 + (int64_t)rng(12);
			r.trap_window_ms = H(1 + (int64_t)rng(48));
		}
		policy_report_t reps[8];
		size_t n = rng(9);
		for (size_t i = 0; i < n; i++) {
			reps[i] = (policy_report_t){
				.time_ms = NOW - ages[rng(n_ages)] - (int64_t)rng(1000),
				.reporter_id = 1 + rng(4),
				.standing = (enum policy_standing)(rng(5) == 0 ? rng(3) : 0),
				.n_fines = (uint32_t)rng(3),
				.state = (enum policy_report_state)(rng(6) == 0 ? rng(3) : 0),
			};
		}
		policy_reports_sort(reps, n);
		policy_trap_hit_t hits[4];
		size_t n_hits = rng(3) == 0 ? rng(5) : 0;
		for (size_t i = 0; i < n_hits; i++) {
			hits[i].time_ms = NOW - ages[rng(n_ages)];
		}
		policy_evidence_t ev = { .reports = reps,
					 .n_reports = n,
					 .trap_hits = hits,
					 .n_trap_hits = n_hits,
					 .deputy_delist_ms =
						 rng(4) == 0 ? NOW - ages[rng(n_ages)] : 0 };
		policy_decision_t d = decide(&r, &ev, NOW);
		int64_t prev_score = d.score_milli;
		if (d.listed) {
			n_listed++;
			assert_true(d.delist_at_ms > NOW);
			assert_int_equal(d.next_change_ms, d.delist_at_ms);
			assert_true(d.delist_at_ms <= (d.last_evidence_ms + r.expire_ms));
			for (int k = 1; k <= 8; k++) {
				int64_t t = NOW + (d.delist_at_ms - NOW) * k / 8 - (k == 8);
				policy_decision_t at = decide(&r, &ev, t);
				assert_true(at.listed);
				assert_true(at.score_milli <= prev_score);
				prev_score = at.score_milli;
			}
			policy_decision_t after = decide(&r, &ev, d.delist_at_ms);
			assert_false(after.listed);
			prev_score = after.score_milli;
			for (int k = 1; k <= 4; k++) {
				int64_t t = d.delist_at_ms + H(k * 12);
				policy_decision_t at = decide(&r, &ev, t);
				assert_false(at.listed);
				assert_true(at.score_milli <= prev_score);
				prev_score = at.score_milli;
			}
		} else {
			assert_int_equal(d.next_change_ms, 0);
			for (int k = 1; k <= 6; k++) {
				policy_decision_t at = decide(&r, &ev, NOW + H(k * 7));
				assert_false(at.listed);
				assert_true(at.score_milli <= prev_score);
				prev_score = at.score_milli;
			}
		}
	}
	/* the generator must reach both outcomes for this to test anything */
	print_message("# random: %u of 3000 listed\n", n_listed);
	assert_true(n_listed > 300 && n_listed < 2700);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_cases),
		cmocka_unit_test(test_report_weights),
		cmocka_unit_test(test_trap_scores),
		cmocka_unit_test(test_hundred_reports_one_reporter),
		cmocka_unit_test(test_explain_notes),
		cmocka_unit_test(test_sentences),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_from_conf),
		cmocka_unit_test(test_rules_check),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_random_consistency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
