/* SPDX-License-Identifier: BSD-2-Clause */
/* The evidence view (evidence.h): the store's rows for one address, judged by the policy
 * exactly as a lookup judges them, with the listing periods from the audit log.
 *
 * The policy wants the reports sorted its own way (by reporter, then time) and answers per
 * position; the view wants them by time with their ids. So the rows are kept with their ids
 * and sorted by the policy's order (ties broken by id, so the same rows always give the same
 * notes), handed over as plain policy reports, and the answers are read back by position.
 * Reporter ids never leave this file. */
#include "engine/evidence.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "lib/mem.h"

#define DAY_MS (86400LL * 1000)

typedef struct {
	int64_t id;
	policy_report_t pr;
} row_t;

typedef struct {
	row_t *rows;
	size_t n_rows, cap_rows;
	engine_ev_trap_t *traps;
	size_t n_traps, cap_traps;
} load_t;

static int on_report(void *arg, const store_report_t *r)
{
	load_t *l = arg;
	if (l->n_rows == l->cap_rows) {
		l->cap_rows = l->cap_rows ? l->cap_rows * 2 : 32;
		l->rows = ipbl_xrealloc(l->rows, l->cap_rows * sizeof(*l->rows));
	}
	l->rows[l->n_rows++] = (row_t){
		.id = r->id,
		.pr = { .time_ms = r->received_ms,
			.reporter_id = (uint64_t)r->reporter_id,
			.standing = engine_policy_standing(r->reporter_standing),
			.n_fines = r->reporter_fines,
			.state = engine_policy_state(r) },
	};
	return 0;
}

static int on_hit(void *arg, const store_trap_hit_t *h)
{
	load_t *l = arg;
	if (l->n_traps == l->cap_traps) {
		l->cap_traps = l->cap_traps ? l->cap_traps * 2 : 32;
		l->traps = ipbl_xrealloc(l->traps, l->cap_traps * sizeof(*l->traps));
	}
	/* the trap address and HELO are not copied: the view never holds them */
	l->traps[l->n_traps++] = (engine_ev_trap_t){ .time_ms = h->received_ms };
	return 0;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* policy_reports_sort's order, then the id. */
static int policy_order(const void *pa, const void *pb)
{
	const row_t *a = pa, *b = pb;
	if (a->pr.reporter_id != b->pr.reporter_id) {
		return a->pr.reporter_id < b->pr.reporter_id ? -1 : 1;
	}
	int c = cmp_i64(a->pr.time_ms, b->pr.time_ms);
	if (c == 0 && a->pr.state != b->pr.state) {
		c = (unsigned)a->pr.state < (unsigned)b->pr.state ? -1 : 1;
	}
	if (c == 0 && a->pr.standing != b->pr.standing) {
		c = (unsigned)a->pr.standing < (unsigned)b->pr.standing ? -1 : 1;
	}
	if (c == 0 && a->pr.n_fines != b->pr.n_fines) {
		c = a->pr.n_fines < b->pr.n_fines ? -1 : 1;
	}
	return c != 0 ? c : cmp_i64(a->id, b->id);
}

static int time_order(const void *pa, const void *pb)
{
	const engine_ev_report_t *a = pa, *b = pb;
	int c = cmp_i64(a->time_ms, b->time_ms);
	return c != 0 ? c : cmp_i64(a->id, b->id);
}

static int64_t max3(int64_t a, int64_t b, int64_t c)
{
	int64_t m = a > b ? a : b;
	return m > c ? m : c;
}

/* The trap hits at now, as the policy counts them: younger than the trap window and after
 * the deputy's delisting; the score is hits times trap_weight, or hits squared from
 * trap_square_from hits (policy.c's rule, repeated here because the policy reports only the
 * score of the evidence that holds a listing), shared evenly among the hits that count. */
static void judge_traps(const policy_rules_t *rules, load_t *l, engine_evidence_view_t *v)
{
	int64_t n = 0;
	for (size_t i = 0; i < l->n_traps; i++) {
		engine_ev_trap_t *t = &l->traps[i];
		int64_t age = v->now_ms > t->time_ms ? v->now_ms - t->time_ms : 0;
		t->counted = age < rules->trap_window_ms &&
			     (v->deputy_delisted_ms == 0 || t->time_ms > v->deputy_delisted_ms);
		n += t->counted;
	}
	int64_t each =
		n < rules->trap_square_from ? rules->trap_weight * POLICY_MILLI : n * POLICY_MILLI;
	for (size_t i = 0; i < l->n_traps; i++) {
		l->traps[i].weight_milli = l->traps[i].counted ? each : 0;
	}
	v->trap_score_now_milli = n * each;
}

/* Judge the loaded rows at now: the decision, each report's note and weight, each hit's
 * share; fills v->reports (by time) and v->n_reporters. */
static int judge(const policy_rules_t *rules, load_t *l, engine_evidence_view_t *v)
{
	if (l->n_rows > 1) {
		qsort(l->rows, l->n_rows, sizeof(*l->rows), policy_order);
	}
	policy_report_t *prs = ipbl_xcalloc(l->n_rows ? l->n_rows : 1, sizeof(*prs));
	policy_report_score_t *scores = ipbl_xcalloc(l->n_rows ? l->n_rows : 1, sizeof(*scores));
	policy_trap_hit_t *hits = ipbl_xcalloc(l->n_traps ? l->n_traps : 1, sizeof(*hits));
	for (size_t i = 0; i < l->n_rows; i++) {
		prs[i] = l->rows[i].pr;
	}
	for (size_t i = 0; i < l->n_traps; i++) {
		hits[i].time_ms = l->traps[i].time_ms;
	}
	policy_evidence_t pe = {
		.reports = prs,
		.n_reports = l->n_rows,
		.trap_hits = hits,
		.n_trap_hits = l->n_traps,
		.deputy_delist_ms = v->deputy_delisted_ms,
	};
	int ret = policy_evaluate(rules, &pe, v->now_ms, &v->decision);
	if (ret == 0) {
		ret = policy_explain(rules, &pe, v->now_ms, scores);
	}
	if (ret == 0) {
		v->reports = ipbl_xcalloc(l->n_rows ? l->n_rows : 1, sizeof(*v->reports));
		v->n_reports = l->n_rows;
		uint64_t prev = 0;
		bool any = false;
		for (size_t i = 0; i < l->n_rows; i++) {
			v->reports[i] = (engine_ev_report_t){
				.id = l->rows[i].id,
				.time_ms = l->rows[i].pr.time_ms,
				.note = scores[i].note,
				.weight_milli = scores[i].weight_milli,
			};
			/* rows come grouped by reporter: count groups with a report that counts */
			bool counts = scores[i].note == POLICY_NOTE_SCORED ||
				      scores[i].note == POLICY_NOTE_REPEAT;
			if (counts && (!any || prs[i].reporter_id != prev)) {
				v->n_reporters++;
				prev = prs[i].reporter_id;
				any = true;
			}
		}
		if (v->n_reports > 1) {
			qsort(v->reports, v->n_reports, sizeof(*v->reports), time_order);
		}
		for (size_t i = 0; i < l->n_rows; i++) {
			v->report_score_now_milli += scores[i].weight_milli;
		}
		judge_traps(rules, l, v);
		v->score_now_milli = v->report_score_now_milli + v->trap_score_now_milli;
	}
	free(prs);
	free(scores);
	free(hits);
	return ret;
}

/* Read the hops of the newest ENGINE_EVIDENCE_HOPS_MAX reports. */
static int load_hops(engine_t *e, engine_evidence_view_t *v)
{
	char *buf = malloc(ENGINE_EVIDENCE_JSON_MAX);
	if (buf == NULL) {
		return IPBL_ENOMEM;
	}
	size_t first = v->n_reports > ENGINE_EVIDENCE_HOPS_MAX
			       ? v->n_reports - ENGINE_EVIDENCE_HOPS_MAX
			       : 0;
	int ret = 0;
	for (size_t i = first; i < v->n_reports && ret == 0; i++) {
		ret = store_report_evidence(e->store, v->reports[i].id, buf,
					    ENGINE_EVIDENCE_JSON_MAX);
		if (ret == IPBL_ENOENT) {
			ret = 0; /* gone since it was listed: show it without hops */
			continue;
		}
		if (ret == 0) {
			v->reports[i].hops_json = ipbl_xstrdup(buf);
		}
	}
	free(buf);
	return ret;
}

/* ---- listing periods ---- */

static void periods_push(engine_periods_t *p, int64_t start, int64_t end)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = ipbl_xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = (engine_ev_period_t){ .start_ms = start, .end_ms = end };
}

static bool periods_open(const engine_periods_t *p)
{
	return p->n > 0 && p->v[p->n - 1].end_ms == 0;
}

void engine_periods_feed(engine_periods_t *p, int64_t at_ms, const char *action)
{
	if (action == NULL) {
		return;
	}
	if (strcmp(action, "listed") == 0 && !periods_open(p)) {
		periods_push(p, at_ms, 0);
	} else if (strcmp(action, "delisted") == 0 && periods_open(p)) {
		/* a period of length zero still ends: end 0 means open, so nudge it */
		p->v[p->n - 1].end_ms =
			at_ms > p->v[p->n - 1].start_ms ? at_ms : p->v[p->n - 1].start_ms + 1;
	}
}

int64_t engine_periods_window(engine_periods_t *p, int64_t now_ms, int days)
{
	int64_t from = now_ms - (int64_t)days * DAY_MS;
	size_t k = 0;
	int64_t total = 0;
	for (size_t i = 0; i < p->n; i++) {
		engine_ev_period_t pd = p->v[i];
		int64_t end = pd.end_ms == 0 ? now_ms : pd.end_ms;
		if (pd.end_ms != 0 && end <= from) {
			continue;
		}
		int64_t s = pd.start_ms > from ? pd.start_ms : from;
		int64_t en = end < now_ms ? end : now_ms;
		if (en > s) {
			total += en - s;
		}
		p->v[k++] = pd;
	}
	p->n = k;
	return total;
}

void engine_history_sentence(size_t n, int64_t total_ms, int days, char *buf, size_t len)
{
	if (n == 0) {
		snprintf(buf, len, "Not listed in the past %d days", days);
		return;
	}
	/* days to one decimal, rounded to the nearest tenth */
	int64_t tenths = (total_ms + DAY_MS / 20) / (DAY_MS / 10);
	char times[32];
	if (n == 1) {
		snprintf(times, sizeof(times), "once");
	} else if (n == 2) {
		snprintf(times, sizeof(times), "twice");
	} else {
		snprintf(times, sizeof(times), "%zu times", n);
	}
	if (total_ms < DAY_MS) {
		/* under a day, in hours: "0.0 days" would say nothing */
		int64_t hours = (total_ms + DAY_MS / 48) / (DAY_MS / 24);
		if (hours < 1) {
			snprintf(buf, len,
				 "Listed %s in the past %d days, less than an hour in total", times,
				 days);
		} else {
			snprintf(buf, len, "Listed %s in the past %d days, %lld hour%s in total",
				 times, days, (long long)hours, hours == 1 ? "" : "s");
		}
		return;
	}
	snprintf(buf, len, "Listed %s in the past %d days, %lld.%lld days in total", times, days,
		 (long long)(tenths / 10), (long long)(tenths % 10));
}

static int on_audit(void *arg, const store_audit_t *a)
{
	engine_periods_feed(arg, a->at_ms, a->action);
	return 0;
}

/* The periods from the audit log, made to agree with the stored listing and the decision
 * now (the audit log is written in the same transaction as the listing, but a listing whose
 * time has run out may wait for the daemon's expiry tick). */
static int load_periods(engine_t *e, engine_evidence_view_t *v, const store_listing_t *l)
{
	char text[IPBL_IPADDR_STRLEN];
	engine_periods_t p = { 0 };
	int ret = store_audit_each(e->store, ipbl_ipaddr_format(&v->ip, text), on_audit, &p);
	if (ret != 0) {
		free(p.v);
		return ret;
	}
	if (l != NULL && l->listed && !periods_open(&p)) {
		periods_push(&p, l->listed_since_ms, 0);
	}
	if (periods_open(&p) && !v->decision.listed) {
		engine_ev_period_t *last = &p.v[p.n - 1];
		int64_t end = l != NULL && l->delist_at_ms > last->start_ms &&
					      l->delist_at_ms <= v->now_ms
				      ? l->delist_at_ms
				      : v->now_ms;
		last->end_ms = end > last->start_ms ? end : last->start_ms + 1;
	} else if (!periods_open(&p) && v->decision.listed) {
		periods_push(&p, v->now_ms, 0); /* listed by the policy, not yet recorded */
	}
	v->listed_ms_in_window = engine_periods_window(&p, v->now_ms, ENGINE_HISTORY_DAYS);
	v->periods = p.v;
	v->n_periods = p.n;
	engine_history_sentence(p.n, v->listed_ms_in_window, ENGINE_HISTORY_DAYS,
				v->history_sentence, sizeof(v->history_sentence));
	return 0;
}

int engine_evidence_view(engine_t *e, const ipbl_ipaddr_t *ip, engine_evidence_view_t *out)
{
	memset(out, 0, sizeof(*out));
	out->ip = *ip;
	out->now_ms = engine_now_ms(e);
	const policy_rules_t *r = &e->rules;
	int64_t span = max3((int64_t)ENGINE_EVIDENCE_DAYS * DAY_MS, r->report_max_age_ms,
			    r->trap_window_ms);
	out->since_ms = out->now_ms > span ? out->now_ms - span : 0;

	store_listing_t l;
	int ret = store_listing_get(e->store, ip, &l);
	bool have = ret == 0;
	if (ret != 0 && ret != IPBL_ENOENT) {
		return ret;
	}
	out->deputy_delisted_ms = have ? l.deputy_delisted_ms : 0;
	load_t ld = { 0 };
	ret = store_evidence_for_ip(e->store, ip, out->since_ms, on_report, on_hit, &ld);
	if (ret == 0) {
		ret = judge(r, &ld, out);
	}
	if (ret == 0) {
		out->traps = ld.traps;
		out->n_traps = ld.n_traps;
		ld.traps = NULL;
		ret = load_hops(e, out);
	}
	if (ret == 0) {
		ret = load_periods(e, out, have ? &l : NULL);
	}
	free(ld.rows);
	free(ld.traps);
	return ret;
}

void engine_evidence_view_fini(engine_evidence_view_t *v)
{
	for (size_t i = 0; v->reports != NULL && i < v->n_reports; i++) {
		free(v->reports[i].hops_json);
	}
	free(v->reports);
	free(v->traps);
	free(v->periods);
	memset(v, 0, sizeof(*v));
}

/* ---- the hops of one report ---- */

static void copy_str(const json_t *o, const char *key, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));
	snprintf(out, len, "%s", s ? s : "");
}

int engine_hops_parse(const char *json, engine_hops_t *out)
{
	memset(out, 0, sizeof(*out));
	if (json == NULL) {
		return IPBL_EFORMAT;
	}
	json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
	json_t *hops = json_object_get(root, "hops");
	if (!json_is_object(root) || !json_is_array(hops)) {
		json_decref(root);
		return IPBL_EFORMAT;
	}
	copy_str(root, "ip", out->source, sizeof(out->source));
	copy_str(root, "reason", out->reason, sizeof(out->reason));
	size_t n = json_array_size(hops);
	for (size_t i = 0; i < n; i++) {
		json_t *h = json_array_get(hops, i);
		if (!json_is_object(h)) {
			json_decref(root);
			return IPBL_EFORMAT;
		}
		if (out->n == ENGINE_HOPS_MAX) {
			out->n_more++;
			continue;
		}
		engine_hop_t *o = &out->hops[out->n++];
		o->redacted = json_is_true(json_object_get(h, "redacted"));
		copy_str(h, "peer", o->peer, sizeof(o->peer));
		copy_str(h, "helo", o->helo, sizeof(o->helo));
		copy_str(h, "rdns", o->rdns, sizeof(o->rdns));
		copy_str(h, "verdict", o->verdict, sizeof(o->verdict));
		o->authenticated = json_is_true(json_object_get(h, "authenticated"));
	}
	json_decref(root);
	return 0;
}
