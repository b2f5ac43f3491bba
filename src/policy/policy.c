/* SPDX-License-Identifier: BSD-2-Clause */
/* The listing policy (docs/policy.md is the reader's version of this file).
 *
 * DESIGN
 * One pass, tally(), turns the evidence and a time T into aggregates. The rule order for a
 * report is: too old (age >= report_max_age), withdrawn, challenged, voided, banned reporter, at or
 * before the deputy's delisting, then per reporter (reports arrive grouped by reporter and
 * sorted by time) the newest report scores and an older one scores only if it is at least
 * reporter_window older than the last one that scored; the rest are repeats. A scored
 * report weighs report_weight_fresh at age 0 falling linearly to report_weight_old at
 * report_decay, times fine_keep_percent per fine. Trap hits younger than trap_window and
 * newer than the deputy's delisting score trap_weight each, or hits squared from
 * trap_square_from hits. The threshold test (the score reaches the threshold, and reports
 * alone come from min_reporters reporters) is made as of each recent evidence time E, with
 * only the evidence received up to E; when it is met, the listing lasts until expire (or the
 * thin cap) after the last evidence that counted at E. The IP is listed at T while such a
 * listing lasts: new evidence can extend a listing and never cut it short, and decay after
 * the listing began does not end it early (the contract: delisted 24 hours after the last
 * report). Without new evidence the decision can only turn from listed to not listed.
 * Arithmetic is integer milli-points throughout, rounding down, so results are exact and the
 * same on every machine. */
#include "policy/policy.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MS_SECOND ((int64_t)1000)
#define MS_MINUTE (60 * MS_SECOND)
#define MS_HOUR (60 * MS_MINUTE)
#define MS_DAY (24 * MS_HOUR)
#define PPM ((int64_t)1000000)
/* Trap hits above this many score as this many (4e15 milli-points, far inside int64_t). */
#define TRAP_HITS_CAP ((int64_t)2000000)

/* ---- rules ---- */

/* Each rule with its [policy] key and the limits the arithmetic needs (the schema's bounds
 * are the same or tighter). The table drives policy_rules_check and policy_rules_from_conf. */
static const struct {
	const char *key;
	size_t offset;
	bool duration;
	int64_t min, max;
} rule_limits[] = {
	{ "threshold", offsetof(policy_rules_t, threshold), false, 1, POLICY_POINTS_MAX },
	{ "expire", offsetof(policy_rules_t, expire_ms), true, 1, POLICY_DURATION_MAX_MS },
	{ "report_max_age", offsetof(policy_rules_t, report_max_age_ms), true, 1,
	  POLICY_DURATION_MAX_MS },
	{ "report_decay", offsetof(policy_rules_t, report_decay_ms), true, 0,
	  POLICY_DURATION_MAX_MS },
	{ "report_weight_fresh", offsetof(policy_rules_t, report_weight_fresh), false, 0,
	  POLICY_POINTS_MAX },
	{ "report_weight_old", offsetof(policy_rules_t, report_weight_old), false, 0,
	  POLICY_POINTS_MAX },
	{ "reporter_window", offsetof(policy_rules_t, reporter_window_ms), true, 0,
	  POLICY_DURATION_MAX_MS },
	{ "min_reporters", offsetof(policy_rules_t, min_reporters), false, 1, 1000000 },
	{ "fine_keep_percent", offsetof(policy_rules_t, fine_keep_percent), false, 0, 100 },
	{ "trap_window", offsetof(policy_rules_t, trap_window_ms), true, 1,
	  POLICY_DURATION_MAX_MS },
	{ "trap_weight", offsetof(policy_rules_t, trap_weight), false, 0, POLICY_POINTS_MAX },
	{ "trap_square_from", offsetof(policy_rules_t, trap_square_from), false, 1, 1000000 },
	{ "thin_evidence", offsetof(policy_rules_t, thin_evidence), false, 0, 1000000 },
	{ "thin_expire", offsetof(policy_rules_t, thin_expire_ms), true, 1,
	  POLICY_DURATION_MAX_MS },
};

#define N_RULES (sizeof(rule_limits) / sizeof(rule_limits[0]))

static int64_t *rule_at(policy_rules_t *r, size_t i)
{
	return (int64_t *)(void *)((char *)r + rule_limits[i].offset);
}

static int64_t rule_get(const policy_rules_t *r, size_t i)
{
	int64_t v;
	memcpy(&v, (const char *)r + rule_limits[i].offset, sizeof(v));
	return v;
}

policy_rules_t policy_rules_default(void)
{
	return (policy_rules_t){
		.threshold = 5,
		.expire_ms = 24 * MS_HOUR,
		.report_max_age_ms = 7 * MS_DAY,
		.report_decay_ms = 48 * MS_HOUR,
		.report_weight_fresh = 4,
		.report_weight_old = 1,
		.reporter_window_ms = 7 * MS_DAY,
		.min_reporters = 2,
		.fine_keep_percent = 50,
		.trap_window_ms = 24 * MS_HOUR,
		.trap_weight = 5,
		.trap_square_from = 6,
		.thin_evidence = 0,
		.thin_expire_ms = 12 * MS_HOUR,
	};
}

static void set_err(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
	if (err == NULL || err_len == 0) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

int policy_rules_check(const policy_rules_t *r, char *err, size_t err_len)
{
	if (r == NULL) {
		set_err(err, err_len, "no rules");
		return IPBL_EINVAL;
	}
	for (size_t i = 0; i < N_RULES; i++) {
		int64_t v = rule_get(r, i);
		if (v < rule_limits[i].min || v > rule_limits[i].max) {
			set_err(err, err_len,
				"%s: %" PRId64 " is out of range %" PRId64 "..%" PRId64,
				rule_limits[i].key, v, rule_limits[i].min, rule_limits[i].max);
			return IPBL_EINVAL;
		}
	}
	/* the score must only fall as reports age, or a listing could return by itself */
	if (r->report_weight_fresh < r->report_weight_old) {
		set_err(err, err_len,
			"report_weight_fresh (%" PRId64 ") is below report_weight_old (%" PRId64
			")",
			r->report_weight_fresh, r->report_weight_old);
		return IPBL_EINVAL;
	}
	return 0;
}

int policy_rules_from_conf(const ipbl_conf_t *c, policy_rules_t *out, char *err, size_t err_len)
{
	policy_rules_t r = policy_rules_default();
	for (size_t i = 0; i < N_RULES; i++) {
		const char *key = rule_limits[i].key;
		*rule_at(&r, i) = rule_limits[i].duration ? ipbl_conf_duration_ms(c, "policy", key)
							  : ipbl_conf_int(c, "policy", key);
	}
	char why[200];
	if (policy_rules_check(&r, why, sizeof(why)) != 0) {
		set_err(err, err_len, "%s: [policy] %s", ipbl_conf_path(c), why);
		return IPBL_ECONF;
	}
	*out = r;
	return 0;
}

/* ---- names ---- */

const char *policy_reason_name(enum policy_reason reason)
{
	static const char *const names[] = {
#define POLICY_REASON_TEXT(name, text) [POLICY_REASON_##name] = text,
		POLICY_REASON_MAP(POLICY_REASON_TEXT)
#undef POLICY_REASON_TEXT
	};
	if ((unsigned)reason >= sizeof(names) / sizeof(names[0])) {
		return "unknown";
	}
	return names[reason];
}

const char *policy_note_name(enum policy_note note)
{
	static const char *const names[] = {
#define POLICY_NOTE_TEXT(name, text) [POLICY_NOTE_##name] = text,
		POLICY_NOTE_MAP(POLICY_NOTE_TEXT)
#undef POLICY_NOTE_TEXT
	};
	if ((unsigned)note >= sizeof(names) / sizeof(names[0])) {
		return "unknown";
	}
	return names[note];
}

/* ---- sorting ---- */

static int report_cmp(const policy_report_t *a, const policy_report_t *b)
{
	if (a->reporter_id != b->reporter_id) {
		return a->reporter_id < b->reporter_id ? -1 : 1;
	}
	if (a->time_ms != b->time_ms) {
		return a->time_ms < b->time_ms ? -1 : 1;
	}
	if (a->state != b->state) {
		return (unsigned)a->state < (unsigned)b->state ? -1 : 1;
	}
	if (a->standing != b->standing) {
		return (unsigned)a->standing < (unsigned)b->standing ? -1 : 1;
	}
	if (a->n_fines != b->n_fines) {
		return a->n_fines < b->n_fines ? -1 : 1;
	}
	return 0;
}

static void sift_down(policy_report_t *v, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n) {
			return;
		}
		if (child + 1 < n && report_cmp(&v[child], &v[child + 1]) < 0) {
			child++;
		}
		if (report_cmp(&v[root], &v[child]) >= 0) {
			return;
		}
		policy_report_t tmp = v[root];
		v[root] = v[child];
		v[child] = tmp;
		root = child;
	}
}

/* Heapsort: in place, no allocation (qsort may allocate), O(n log n) at worst. */
void policy_reports_sort(policy_report_t *reports, size_t n)
{
	if (reports == NULL || n < 2) {
		return;
	}
	for (size_t i = n / 2; i-- > 0;) {
		sift_down(reports, i, n);
	}
	for (size_t end = n - 1; end > 0; end--) {
		policy_report_t tmp = reports[0];
		reports[0] = reports[end];
		reports[end] = tmp;
		sift_down(reports, 0, end);
	}
}

/* ---- scoring ---- */

typedef struct {
	int64_t report_score_milli;
	int64_t trap_score_milli;
	size_t n_reports;
	size_t n_scored;
	size_t n_weighty; /* scored reports with weight above zero */
	size_t n_reporters;
	size_t n_banned;
	size_t n_voided;
	size_t n_withdrawn;
	size_t n_challenged;
	size_t n_traps;
	size_t n_before_deputy;
	int64_t last_ms; /* -1 = none */
} tally_t;

static int64_t sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* Age of evidence at t; evidence from the future (the clock went back) is age 0. */
static int64_t age_at(int64_t evidence_ms, int64_t t)
{
	return t > evidence_ms ? t - evidence_ms : 0;
}

/* A report's weight at age_ms in milli-points, before fines: linear from fresh at age 0 to
 * old at report_decay, rounded down; old from then on. */
static int64_t decay_weight(const policy_rules_t *r, int64_t age_ms)
{
	int64_t old = r->report_weight_old * POLICY_MILLI;
	if (age_ms >= r->report_decay_ms) {
		return old;
	}
	int64_t extra = (r->report_weight_fresh - r->report_weight_old) * POLICY_MILLI;
	return old + extra * (r->report_decay_ms - age_ms) / r->report_decay_ms;
}

/* fine_keep_percent to the power n_fines in millionths, by repeated squaring, rounding down
 * at every multiplication. */
static int64_t fine_factor_ppm(const policy_rules_t *r, const policy_report_t *rep)
{
	if (rep->standing != POLICY_STANDING_FINED) {
		return PPM;
	}
	uint32_t n = rep->n_fines ? rep->n_fines : 1;
	int64_t base = r->fine_keep_percent * (PPM / 100);
	int64_t f = PPM;
	while (n > 0 && f > 0) {
		if (n & 1) {
			f = f * base / PPM;
		}
		base = base * base / PPM;
		n >>= 1;
	}
	return f;
}

static int64_t trap_score_milli(const policy_rules_t *r, size_t n_hits)
{
	int64_t n = n_hits > (size_t)TRAP_HITS_CAP ? TRAP_HITS_CAP : (int64_t)n_hits;
	if (n < r->trap_square_from) {
		return n * r->trap_weight * POLICY_MILLI;
	}
	return n * n * POLICY_MILLI;
}

/* Which note a report gets before the per-reporter window, and the counters it feeds. */
static enum policy_note classify(const policy_rules_t *r, const policy_evidence_t *ev,
				 const policy_report_t *rep, int64_t t, tally_t *out)
{
	if (age_at(rep->time_ms, t) >= r->report_max_age_ms) {
		return POLICY_NOTE_TOO_OLD;
	}
	if (rep->state == POLICY_REPORT_WITHDRAWN) {
		out->n_withdrawn++;
		return POLICY_NOTE_WITHDRAWN;
	}
	if (rep->state == POLICY_REPORT_CHALLENGED) {
		out->n_challenged++;
		return POLICY_NOTE_CHALLENGED;
	}
	if (rep->state == POLICY_REPORT_VOIDED) {
		out->n_voided++;
		return POLICY_NOTE_VOIDED;
	}
	if (rep->standing == POLICY_STANDING_BANNED) {
		out->n_banned++;
		return POLICY_NOTE_BANNED;
	}
	if (ev->deputy_delist_ms > 0 && rep->time_ms <= ev->deputy_delist_ms) {
		out->n_before_deputy++;
		return POLICY_NOTE_BEFORE_DEPUTY;
	}
	out->n_reports++;
	return POLICY_NOTE_SCORED;
}

/* The aggregates at time t; notes (optional) gets each report's fate. */
/* The aggregates at time t of the evidence received up to upto_ms (INT64_MAX: all of it;
 * evidence newer than t then counts at age 0); notes (optional) gets each report's fate. */
static void tally_upto(const policy_rules_t *r, const policy_evidence_t *ev, int64_t t,
		       int64_t upto_ms, policy_report_score_t *notes, tally_t *out)
{
	memset(out, 0, sizeof(*out));
	out->last_ms = -1;
	const policy_report_t *rep = ev->reports;
	size_t i = 0;
	while (i < ev->n_reports) {
		size_t end = i + 1;
		while (end < ev->n_reports && rep[end].reporter_id == rep[i].reporter_id) {
			end++;
		}
		int64_t group_milli = 0;
		int64_t last_scored_ms = 0;
		bool scored_any = false;
		/* newest first: the newest report scores, older ones only a window apart */
		for (size_t k = end; k-- > i;) {
			if (rep[k].time_ms > upto_ms) {
				continue; /* not received yet at upto_ms (notes: only without) */
			}
			enum policy_note note = classify(r, ev, &rep[k], t, out);
			int64_t w = 0;
			if (note == POLICY_NOTE_SCORED) {
				if (scored_any &&
				    last_scored_ms - rep[k].time_ms < r->reporter_window_ms) {
					note = POLICY_NOTE_REPEAT;
				} else {
					scored_any = true;
					last_scored_ms = rep[k].time_ms;
					w = decay_weight(r, age_at(rep[k].time_ms, t)) *
					    fine_factor_ppm(r, &rep[k]) / PPM;
					out->n_scored++;
				}
			}
			if (w > 0) {
				out->n_weighty++;
				group_milli = sat_add(group_milli, w);
				if (rep[k].time_ms > out->last_ms) {
					out->last_ms = rep[k].time_ms;
				}
			}
			if (notes != NULL) {
				notes[k].note = note;
				notes[k].weight_milli = w;
			}
		}
		if (group_milli > 0) {
			out->n_reporters++;
		}
		out->report_score_milli = sat_add(out->report_score_milli, group_milli);
		i = end;
	}
	for (size_t k = 0; k < ev->n_trap_hits; k++) {
		int64_t hit_ms = ev->trap_hits[k].time_ms;
		if (hit_ms > upto_ms || age_at(hit_ms, t) >= r->trap_window_ms) {
			continue;
		}
		if (ev->deputy_delist_ms > 0 && hit_ms <= ev->deputy_delist_ms) {
			out->n_before_deputy++;
			continue;
		}
		out->n_traps++;
		if (hit_ms > out->last_ms) {
			out->last_ms = hit_ms;
		}
	}
	out->trap_score_milli = trap_score_milli(r, out->n_traps);
}

static void tally(const policy_rules_t *r, const policy_evidence_t *ev, int64_t t,
		  policy_report_score_t *notes, tally_t *out)
{
	tally_upto(r, ev, t, INT64_MAX, notes, out);
}

static int64_t score_of(const tally_t *t)
{
	return sat_add(t->report_score_milli, t->trap_score_milli);
}

/* The score reaches the threshold, and reports alone come from enough reporters. */
static bool is_met(const policy_rules_t *r, const tally_t *t)
{
	return score_of(t) >= r->threshold * POLICY_MILLI &&
	       (t->n_traps > 0 || (int64_t)t->n_reporters >= r->min_reporters);
}

static bool is_thin(const policy_rules_t *r, const tally_t *t)
{
	return r->thin_evidence > 0 && (int64_t)(t->n_weighty + t->n_traps) <= r->thin_evidence;
}

static int64_t listing_ms(const policy_rules_t *r, const tally_t *t)
{
	if (is_thin(r, t) && r->thin_expire_ms < r->expire_ms) {
		return r->thin_expire_ms;
	}
	return r->expire_ms;
}

/* Can this evidence time list the IP at all: a counted report of a reporter not banned, or
 * a trap hit, after the deputy's delisting? */
static bool is_candidate(const policy_evidence_t *ev, int64_t t, const policy_report_t *rep)
{
	if (ev->deputy_delist_ms > 0 && t <= ev->deputy_delist_ms) {
		return false;
	}
	return rep == NULL ||
	       (rep->state == POLICY_REPORT_COUNTED && rep->standing != POLICY_STANDING_BANNED);
}

/* The newest candidate evidence time below before_ms (INT64_MAX: any), or -1. */
static int64_t candidate_below(const policy_evidence_t *ev, int64_t before_ms)
{
	int64_t best = -1;
	for (size_t i = 0; i < ev->n_reports; i++) {
		const policy_report_t *rep = &ev->reports[i];
		if (rep->time_ms < before_ms && rep->time_ms > best &&
		    is_candidate(ev, rep->time_ms, rep)) {
			best = rep->time_ms;
		}
	}
	for (size_t i = 0; i < ev->n_trap_hits; i++) {
		int64_t t = ev->trap_hits[i].time_ms;
		if (t < before_ms && t > best && is_candidate(ev, t, NULL)) {
			best = t;
		}
	}
	return best;
}

/* At most this many evidence times are tried, newest first (bounds the work when one IP has
 * a flood of evidence that never meets the test). */
#define CANDIDATES_MAX 64

/* Is the IP listed at at_ms? The threshold test is made as of each recent evidence time E
 * (newest first) with the evidence received up to E; the first E that meets it gives the
 * listing's end: expire (or the thin cap) after the last evidence that counted at E. An
 * older E cannot give a later end, so the search stops there; times older than the longest
 * listing cannot reach at_ms and are not tried. *end_ms and *then_out (the tally as of E)
 * are valid when it returns true. */
static bool is_listed_at(const policy_rules_t *r, const policy_evidence_t *ev, int64_t at_ms,
			 int64_t *end_ms, tally_t *then_out)
{
	int64_t longest = r->expire_ms;
	if (r->thin_evidence > 0 && r->thin_expire_ms > longest) {
		longest = r->thin_expire_ms;
	}
	int64_t e = candidate_below(ev, INT64_MAX);
	for (int n = 0; e >= 0 && n < CANDIDATES_MAX && e > at_ms - longest; n++) {
		/* evidence newer than at_ms (the clock went back) counts as received now */
		tally_upto(r, ev, e, e >= at_ms ? INT64_MAX : e, NULL, then_out);
		if (then_out->last_ms >= 0 && is_met(r, then_out)) {
			*end_ms = then_out->last_ms + listing_ms(r, then_out);
			return at_ms < *end_ms;
		}
		e = candidate_below(ev, e);
	}
	return false;
}

/* ---- input checks ---- */

static bool time_ok(int64_t ms)
{
	return ms >= 0 && ms <= POLICY_TIME_MAX_MS;
}

static int check_input(const policy_rules_t *r, const policy_evidence_t *ev, int64_t now_ms)
{
	if (r == NULL || ev == NULL || policy_rules_check(r, NULL, 0) != 0 || !time_ok(now_ms) ||
	    !time_ok(ev->deputy_delist_ms)) {
		return IPBL_EINVAL;
	}
	if ((ev->n_reports > 0 && ev->reports == NULL) ||
	    (ev->n_trap_hits > 0 && ev->trap_hits == NULL)) {
		return IPBL_EINVAL;
	}
	for (size_t i = 0; i < ev->n_reports; i++) {
		const policy_report_t *rep = &ev->reports[i];
		if (!time_ok(rep->time_ms) || (unsigned)rep->standing > POLICY_STANDING_BANNED ||
		    (unsigned)rep->state > POLICY_REPORT_CHALLENGED) {
			return IPBL_EINVAL;
		}
		if (i > 0) {
			const policy_report_t *prev = &ev->reports[i - 1];
			if (prev->reporter_id > rep->reporter_id ||
			    (prev->reporter_id == rep->reporter_id &&
			     prev->time_ms > rep->time_ms)) {
				return IPBL_EINVAL;
			}
		}
	}
	for (size_t i = 0; i < ev->n_trap_hits; i++) {
		if (!time_ok(ev->trap_hits[i].time_ms)) {
			return IPBL_EINVAL;
		}
	}
	return 0;
}

/* ---- the sentence ---- */

typedef struct {
	char *buf;
	size_t cap;
	size_t len;
} text_t;

static void put(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text_t *t, const char *fmt, ...)
{
	if (t->len + 1 >= t->cap) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n > 0) {
		t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
	}
}

/* "7 days", "24 hours", "1 hour", "90 seconds". */
static void put_amount(text_t *t, int64_t ms)
{
	static const struct {
		int64_t unit;
		const char *one;
		const char *many;
	} units[] = {
		{ MS_HOUR, "hour", "hours" },
		{ MS_MINUTE, "minute", "minutes" },
		{ MS_SECOND, "second", "seconds" },
		{ 1, "millisecond", "milliseconds" },
	};
	if (ms % MS_DAY == 0 && ms >= 2 * MS_DAY) {
		put(t, "%" PRId64 " days", ms / MS_DAY);
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ms % units[i].unit == 0) {
			int64_t n = ms / units[i].unit;
			put(t, "%" PRId64 " %s", n, n == 1 ? units[i].one : units[i].many);
			return;
		}
	}
}

/* "the past week", "the past 24 hours", "the past hour". */
static void put_window(text_t *t, int64_t ms)
{
	put(t, "the past ");
	if (ms == 7 * MS_DAY) {
		put(t, "week");
		return;
	}
	size_t at = t->len;
	put_amount(t, ms);
	if (t->len >= at + 2 && memcmp(t->buf + at, "1 ", 2) == 0) {
		memmove(t->buf + at, t->buf + at + 2, t->len - at - 1);
		t->len -= 2;
	}
}

/* Milli-points as a short decimal: 5000 -> "5", 3250 -> "3.25". */
static void put_points(text_t *t, int64_t milli)
{
	int64_t frac = milli % POLICY_MILLI;
	if (frac == 0) {
		put(t, "%" PRId64, milli / POLICY_MILLI);
		return;
	}
	int digits = 3;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	put(t, "%" PRId64 ".%0*" PRId64, milli / POLICY_MILLI, digits, frac);
}

static void put_count(text_t *t, size_t n, const char *one, const char *many)
{
	put(t, "%zu %s", n, n == 1 ? one : many);
}

/* What evidence counts now, in words. */
static void put_summary(text_t *t, const policy_rules_t *r, const tally_t *ty)
{
	if (ty->n_reports > 0) {
		put(t, "reported as a source of spam ");
		if (ty->n_reports == 1) {
			put(t, "once");
		} else {
			put(t, "%zu times", ty->n_reports);
		}
		put(t, " in ");
		put_window(t, r->report_max_age_ms);
		put(t, " by ");
		put_count(t, ty->n_reporters, "reporter", "reporters");
	}
	if (ty->n_traps > 0) {
		put(t, "%s", ty->n_reports > 0 ? "; " : "");
		put_count(t, ty->n_traps, "spamtrap hit", "spamtrap hits");
		put(t, " in ");
		put_window(t, r->trap_window_ms);
	}
	if (ty->n_reports == 0 && ty->n_traps == 0) {
		put(t, "no reports in ");
		put_window(t, r->report_max_age_ms);
		put(t, " and no spamtrap hits in ");
		put_window(t, r->trap_window_ms);
	}
	if (ty->n_banned > 0) {
		put(t, "; ");
		put_count(t, ty->n_banned, "report", "reports");
		put(t, " from banned reporters not counted");
	}
	if (ty->n_voided > 0) {
		put(t, "; ");
		put_count(t, ty->n_voided, "report", "reports");
		put(t, " voided for reporter error");
	}
	if (ty->n_challenged > 0) {
		put(t, "; ");
		put_count(t, ty->n_challenged, "report", "reports");
		put(t, " set aside while a challenge is open");
	}
}

static void write_sentence(policy_decision_t *d, const policy_rules_t *r, const tally_t *ty)
{
	text_t t = { .buf = d->sentence, .cap = sizeof(d->sentence), .len = 0 };
	d->sentence[0] = '\0';
	if (d->reason == POLICY_REASON_DEPUTY_DELISTED) {
		put(&t, "delisted by a deputy; ");
		if (ty->n_reports == 0 && ty->n_traps == 0) {
			put(&t, "no newer evidence");
			return;
		}
		put(&t, "newer evidence: ");
	}
	put_summary(&t, r, ty);
	switch (d->reason) {
	case POLICY_REASON_LISTED_REPORTS:
	case POLICY_REASON_LISTED_TRAPS:
	case POLICY_REASON_LISTED_REPORTS_TRAPS:
		if (d->thin) {
			put(&t, "; little evidence: listed for at most ");
			put_amount(&t, d->listing_ms);
			put(&t, " after the last report or hit");
		}
		break;
	case POLICY_REASON_BELOW_THRESHOLD:
		put(&t, "; not enough to list (score ");
		put_points(&t, d->score_milli);
		put(&t, ", threshold ");
		put_points(&t, d->threshold_milli);
		put(&t, ")");
		break;
	case POLICY_REASON_TOO_FEW_REPORTERS:
		put(&t, "; reports alone list only when at least %" PRId64 " reporters send them",
		    r->min_reporters);
		break;
	case POLICY_REASON_EXPIRED:
		put(&t, "; delisted ");
		put_amount(&t, d->listing_ms);
		put(&t, " after the last evidence");
		break;
	case POLICY_REASON_DEPUTY_DELISTED:
		put(&t, "; not enough to list again");
		break;
	case POLICY_REASON_NO_EVIDENCE:
		break;
	}
}

/* ---- the decision ---- */

static enum policy_reason unlisted_reason(const policy_rules_t *r, const policy_evidence_t *ev,
					  const tally_t *now_t, int64_t now_ms)
{
	if (now_t->last_ms >= 0 && now_ms >= now_t->last_ms + listing_ms(r, now_t)) {
		/* it was listed when the last evidence came in: the listing ran out */
		tally_t then;
		tally(r, ev, now_t->last_ms, NULL, &then);
		if (is_met(r, &then)) {
			return POLICY_REASON_EXPIRED;
		}
	}
	if (now_t->n_before_deputy > 0) {
		return POLICY_REASON_DEPUTY_DELISTED;
	}
	if (score_of(now_t) >= r->threshold * POLICY_MILLI) {
		return POLICY_REASON_TOO_FEW_REPORTERS;
	}
	if (now_t->n_reports > 0 || now_t->n_traps > 0) {
		return POLICY_REASON_BELOW_THRESHOLD;
	}
	return POLICY_REASON_NO_EVIDENCE;
}

/* The counts of tally t into the decision. */
static void fill_counts(policy_decision_t *out, const policy_rules_t *rules, const tally_t *t)
{
	out->thin = is_thin(rules, t);
	out->score_milli = score_of(t);
	out->report_score_milli = t->report_score_milli;
	out->trap_score_milli = t->trap_score_milli;
	out->n_reports = t->n_reports;
	out->n_reports_scored = t->n_scored;
	out->n_reporters = t->n_reporters;
	out->n_reports_banned = t->n_banned;
	out->n_reports_voided = t->n_voided;
	out->n_reports_withdrawn = t->n_withdrawn;
	out->n_reports_challenged = t->n_challenged;
	out->n_trap_hits = t->n_traps;
	out->n_before_deputy = t->n_before_deputy;
	out->last_evidence_ms = t->last_ms >= 0 ? t->last_ms : 0;
	out->listing_ms = listing_ms(rules, t);
}

int policy_evaluate(const policy_rules_t *rules, const policy_evidence_t *ev, int64_t now_ms,
		    policy_decision_t *out)
{
	if (out == NULL) {
		return IPBL_EINVAL;
	}
	memset(out, 0, sizeof(*out));
	int ret = check_input(rules, ev, now_ms);
	if (ret != 0) {
		return ret;
	}
	out->rules = *rules;
	out->threshold_milli = rules->threshold * POLICY_MILLI;
	int64_t end_ms = 0;
	tally_t then;
	out->listed = is_listed_at(rules, ev, now_ms, &end_ms, &then);
	if (out->listed) {
		/* described by the evidence that holds the listing, as it stood then: some of it
		 * may have left its window by now */
		fill_counts(out, rules, &then);
		out->delist_at_ms = end_ms;
		out->next_change_ms = end_ms;
		if (then.n_reporters > 0 && then.n_traps > 0) {
			out->reason = POLICY_REASON_LISTED_REPORTS_TRAPS;
		} else if (then.n_traps > 0) {
			out->reason = POLICY_REASON_LISTED_TRAPS;
		} else {
			out->reason = POLICY_REASON_LISTED_REPORTS;
		}
		write_sentence(out, rules, &then);
		return 0;
	}
	tally_t t;
	tally(rules, ev, now_ms, NULL, &t);
	fill_counts(out, rules, &t);
	out->reason = unlisted_reason(rules, ev, &t, now_ms);
	write_sentence(out, rules, &t);
	return 0;
}

int policy_explain(const policy_rules_t *rules, const policy_evidence_t *ev, int64_t now_ms,
		   policy_report_score_t *out)
{
	int ret = check_input(rules, ev, now_ms);
	if (ret != 0) {
		return ret;
	}
	if (ev->n_reports > 0 && out == NULL) {
		return IPBL_EINVAL;
	}
	tally_t t;
	tally(rules, ev, now_ms, out, &t);
	return 0;
}
