/* SPDX-License-Identifier: BSD-2-Clause */
/* The listing engine (see engine.h). Every write follows one shape: begin a store
 * transaction, store what happened, re-decide the IPs it touched (redecide), commit. The
 * policy is the only judge; this file moves evidence between the store and the policy and
 * records what changed. */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "lib/buf.h"
#include "lib/mem.h"

#define LOG_TAG "engine"
#include "lib/log.h"

int engine_new(const ipbl_conf_t *conf, store_t *store, ipbl_clock_t *clock, engine_t **out,
	       char *err, size_t err_len)
{
	policy_rules_t rules;
	int ret = policy_rules_from_conf(conf, &rules, err, err_len);
	if (ret != 0) {
		return ret;
	}
	engine_t *e = ipbl_xcalloc(1, sizeof(*e));
	e->store = store;
	e->clock = clock;
	e->rules = rules;
	*out = e;
	return 0;
}

void engine_free(engine_t *e)
{
	if (e == NULL) {
		return;
	}
	free(e->ev.reports);
	free(e->ev.hits);
	free(e);
}

int64_t engine_now_ms(const engine_t *e)
{
	return ipbl_clock_now_ms(e->clock);
}

const policy_rules_t *engine_rules(const engine_t *e)
{
	return &e->rules;
}

store_t *engine_store(engine_t *e)
{
	return e->store;
}

/* ---- evidence: the store's rows as the policy's input ---- */

enum policy_standing engine_policy_standing(enum store_standing s)
{
	switch (s) {
	case STORE_STANDING_FINED:
		return POLICY_STANDING_FINED;
	case STORE_STANDING_BANNED:
		return POLICY_STANDING_BANNED;
	default:
		return POLICY_STANDING_GOOD;
	}
}

enum policy_report_state engine_policy_state(const store_report_t *r)
{
	switch (r->state) {
	case STORE_REPORT_WITHDRAWN:
		return POLICY_REPORT_WITHDRAWN;
	case STORE_REPORT_VOIDED:
		return POLICY_REPORT_VOIDED;
	default:
		return r->challenged ? POLICY_REPORT_CHALLENGED : POLICY_REPORT_COUNTED;
	}
}

static void span_note(engine_evidence_t *ev, int64_t t)
{
	if (ev->first_ms == 0 || t < ev->first_ms) {
		ev->first_ms = t;
	}
	if (t > ev->last_ms) {
		ev->last_ms = t;
	}
}

static int on_report(void *arg, const store_report_t *r)
{
	engine_evidence_t *ev = arg;
	if (ev->n_reports == ev->cap_reports) {
		ev->cap_reports = ev->cap_reports ? ev->cap_reports * 2 : 64;
		ev->reports = ipbl_xrealloc(ev->reports, ev->cap_reports * sizeof(*ev->reports));
	}
	ev->reports[ev->n_reports++] = (policy_report_t){
		.time_ms = r->received_ms,
		.reporter_id = (uint64_t)r->reporter_id,
		.standing = engine_policy_standing(r->reporter_standing),
		.n_fines = r->reporter_fines,
		.state = engine_policy_state(r),
	};
	span_note(ev, r->received_ms);
	if (r->kind != STORE_KIND_SPAM && r->state == STORE_REPORT_COUNTED && !r->challenged &&
	    r->received_ms >= ev->backscatter_since) {
		ev->n_backscatter++;
	}
	return 0;
}

static int on_hit(void *arg, const store_trap_hit_t *h)
{
	engine_evidence_t *ev = arg;
	if (ev->n_hits == ev->cap_hits) {
		ev->cap_hits = ev->cap_hits ? ev->cap_hits * 2 : 64;
		ev->hits = ipbl_xrealloc(ev->hits, ev->cap_hits * sizeof(*ev->hits));
	}
	ev->hits[ev->n_hits++] = (policy_trap_hit_t){ .time_ms = h->received_ms };
	span_note(ev, h->received_ms);
	if (h->kind != STORE_KIND_SPAM && h->received_ms >= ev->backscatter_since) {
		ev->n_backscatter++;
	}
	return 0;
}

/* The oldest evidence that can still count at now: the longer of the two windows. */
static int64_t window_start(const engine_t *e, int64_t now)
{
	int64_t w = e->rules.report_max_age_ms > e->rules.trap_window_ms
			    ? e->rules.report_max_age_ms
			    : e->rules.trap_window_ms;
	return now > w ? now - w : 0;
}

int engine_load_evidence(engine_t *e, const ipbl_ipaddr_t *ip, int64_t since_ms)
{
	engine_evidence_t *ev = &e->ev;
	ev->n_reports = 0;
	ev->n_hits = 0;
	ev->first_ms = 0;
	ev->last_ms = 0;
	ev->n_backscatter = 0;
	int ret = store_evidence_for_ip(e->store, ip, since_ms, on_report, on_hit, ev);
	if (ret == 0) {
		policy_reports_sort(ev->reports, ev->n_reports);
	}
	return ret;
}

int engine_evaluate(engine_t *e, int64_t deputy_ms, int64_t now, policy_decision_t *out)
{
	policy_evidence_t pe = {
		.reports = e->ev.reports,
		.n_reports = e->ev.n_reports,
		.trap_hits = e->ev.hits,
		.n_trap_hits = e->ev.n_hits,
		.deputy_delist_ms = deputy_ms,
	};
	return policy_evaluate(&e->rules, &pe, now, out);
}

/* ---- re-deciding one IP (inside a transaction) ---- */

/* Append the change to the zone journal under the next serial. */
static int journal_change(engine_t *e, const ipbl_ipaddr_t *ip, bool listed, int64_t now)
{
	uint32_t last = 0;
	int ret = store_journal_last(e->store, &last);
	if (ret != 0) {
		return ret;
	}
	char text[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(ip, text);
	return store_journal_append(e->store, last + 1, now, listed ? text : "",
				    listed ? "" : text);
}

static bool listing_same(const store_listing_t *a, const store_listing_t *b)
{
	return a->listed == b->listed && a->listed_since_ms == b->listed_since_ms &&
	       a->last_evidence_ms == b->last_evidence_ms && a->delist_at_ms == b->delist_at_ms &&
	       a->deputy_delisted_ms == b->deputy_delisted_ms &&
	       strcmp(a->reason_code, b->reason_code) == 0 &&
	       strcmp(a->reason_text, b->reason_text) == 0;
}

int engine_redecide(engine_t *e, const ipbl_ipaddr_t *ip, int64_t now, const char *actor,
		    int64_t deputy_ms, engine_result_t *out)
{
	store_listing_t old;
	int ret = store_listing_get(e->store, ip, &old);
	bool fresh = ret == IPBL_ENOENT;
	if (fresh) {
		memset(&old, 0, sizeof(old));
		old.ip = *ip;
	} else if (ret != 0) {
		return ret;
	}
	if (deputy_ms > old.deputy_delisted_ms) {
		old.deputy_delisted_ms = deputy_ms;
		fresh = true; /* the deputy's mark must be stored even when nothing else moves */
	}
	ret = engine_load_evidence(e, ip, window_start(e, now));
	if (ret != 0) {
		return ret;
	}
	policy_decision_t *d = &out->decision;
	ret = engine_evaluate(e, old.deputy_delisted_ms, now, d);
	if (ret != 0) {
		char text[IPBL_IPADDR_STRLEN];
		ipbl_log_err("the policy refused the stored evidence of %s (%s)",
			     ipbl_ipaddr_format(ip, text), ipbl_strerror(ret));
		return IPBL_EPOLICY;
	}
	out->was_listed = old.listed;

	store_listing_t nl = {
		.ip = *ip,
		.listed = d->listed,
		.listed_since_ms = d->listed ? (old.listed ? old.listed_since_ms : now) : 0,
		.last_evidence_ms = d->last_evidence_ms,
		.delist_at_ms = d->listed ? d->delist_at_ms : 0,
		.deputy_delisted_ms = old.deputy_delisted_ms,
	};
	snprintf(nl.reason_code, sizeof(nl.reason_code), "%s", policy_reason_name(d->reason));
	snprintf(nl.reason_text, sizeof(nl.reason_text), "%s", d->sentence);
	if (!fresh && listing_same(&old, &nl)) {
		return 0;
	}
	ret = store_listing_put(e->store, &nl);
	if (ret != 0 || old.listed == nl.listed) {
		return ret;
	}
	char text[IPBL_IPADDR_STRLEN];
	store_audit_t a = {
		.at_ms = now,
		.actor = actor,
		.action = nl.listed ? "listed" : "delisted",
		.ip = ipbl_ipaddr_format(ip, text),
		.detail = d->sentence,
	};
	ret = store_audit_add(e->store, &a);
	if (ret == 0) {
		ret = journal_change(e, ip, nl.listed, now);
	}
	return ret;
}

/* The decision for ip at now without writing anything (a duplicate changes nothing). */
static int decide_only(engine_t *e, const ipbl_ipaddr_t *ip, int64_t now, engine_result_t *out)
{
	store_listing_t l;
	int ret = store_listing_get(e->store, ip, &l);
	if (ret == IPBL_ENOENT) {
		memset(&l, 0, sizeof(l));
	} else if (ret != 0) {
		return ret;
	}
	ret = engine_load_evidence(e, ip, window_start(e, now));
	if (ret == 0) {
		ret = engine_evaluate(e, l.deputy_delisted_ms, now, &out->decision);
		ret = ret != 0 ? IPBL_EPOLICY : 0;
	}
	out->was_listed = l.listed;
	return ret;
}

/* Run body inside a transaction: commit on 0, roll back otherwise (also when the commit
 * itself fails, so the connection never keeps the write lock). */
#define ENGINE_TXN(e, body)                                                                        \
	do {                                                                                       \
		ret = store_begin((e)->store);                                                     \
		if (ret != 0) {                                                                    \
			break;                                                                     \
		}                                                                                  \
		body;                                                                              \
		if (ret == 0) {                                                                    \
			ret = store_commit((e)->store);                                            \
		}                                                                                  \
		if (ret != 0) {                                                                    \
			store_rollback((e)->store);                                                \
		}                                                                                  \
	} while (0)

/* ---- writes ---- */

typedef struct {
	ipbl_ipaddr_t *v;
	size_t n, cap;
} ip_vec_t;

static int collect_ip(void *arg, const ipbl_ipaddr_t *ip)
{
	ip_vec_t *vec = arg;
	if (vec->n == vec->cap) {
		vec->cap = vec->cap ? vec->cap * 2 : 64;
		vec->v = ipbl_xrealloc(vec->v, vec->cap * sizeof(*vec->v));
	}
	vec->v[vec->n++] = *ip;
	return 0;
}

/* Add ip to vec unless it is there already. */
static void collect_ip_once(ip_vec_t *vec, const ipbl_ipaddr_t *ip)
{
	for (size_t i = 0; i < vec->n; i++) {
		if (ipbl_ipaddr_eq(&vec->v[i], ip)) {
			return;
		}
	}
	(void)collect_ip(vec, ip);
}

static int reporter_for_write(engine_t *e, const char *name, store_reporter_t *r)
{
	if (name == NULL) {
		memset(r, 0, sizeof(*r));
		return 0;
	}
	int ret = store_reporter_get(e->store, name, r);
	if (ret == 0 && r->standing == STORE_STANDING_BANNED) {
		return IPBL_EACCES;
	}
	return ret;
}

static int report_in_txn(engine_t *e, const engine_report_t *in, int64_t now, engine_result_t *out)
{
	store_reporter_t rep;
	int ret = reporter_for_write(e, in->reporter, &rep);
	if (ret != 0) {
		return ret;
	}
	store_report_t r = {
		.reporter_id = rep.id,
		.ip = in->ip,
		.received_ms = now,
		.evidence = in->evidence ? in->evidence : "",
		.state = STORE_REPORT_COUNTED,
		.kind = in->kind,
	};
	snprintf(r.digest, sizeof(r.digest), "%s", in->digest);
	snprintf(r.subject_key, sizeof(r.subject_key), "%s",
		 in->subject_key ? in->subject_key : "");
	ret = store_report_add(e->store, &r);
	out->id = r.id;
	if (ret == IPBL_EEXIST) {
		out->duplicate = true;
		return decide_only(e, &in->ip, now, out);
	}
	if (ret != 0) {
		return ret;
	}
	return engine_redecide(e, &in->ip, now, "engine", 0, out);
}

int engine_report(engine_t *e, const engine_report_t *in, engine_result_t *out)
{
	memset(out, 0, sizeof(*out));
	engine_report_t r = *in;
	ipbl_ipaddr_unmap(&r.ip); /* ::ffff:a.b.c.d is a.b.c.d, listed once */
	if (ipbl_ipaddr_is_reserved(&r.ip)) {
		return IPBL_EINVAL;
	}
	int64_t now = engine_now_ms(e);
	int ret;
	ENGINE_TXN(e, ret = report_in_txn(e, &r, now, out));
	return ret;
}

static int trap_in_txn(engine_t *e, const engine_trap_hit_t *in, int64_t now, engine_result_t *out)
{
	store_trap_hit_t h = {
		.ip = in->ip,
		.received_ms = in->time_ms > 0 ? in->time_ms : now,
		.kind = in->kind,
	};
	snprintf(h.trap_address, sizeof(h.trap_address), "%s", in->trap_address);
	snprintf(h.helo, sizeof(h.helo), "%s", in->helo ? in->helo : "");
	snprintf(h.digest, sizeof(h.digest), "%s", in->digest);
	int ret = store_trap_hit_add(e->store, &h);
	out->id = h.id;
	if (ret == IPBL_EEXIST) {
		out->duplicate = true;
		return decide_only(e, &in->ip, now, out);
	}
	if (ret != 0) {
		return ret;
	}
	return engine_redecide(e, &in->ip, now, "engine", 0, out);
}

int engine_trap_hit(engine_t *e, const engine_trap_hit_t *in, engine_result_t *out)
{
	memset(out, 0, sizeof(*out));
	engine_trap_hit_t h = *in;
	ipbl_ipaddr_unmap(&h.ip);
	if (ipbl_ipaddr_is_reserved(&h.ip)) {
		return IPBL_EINVAL;
	}
	int64_t now = engine_now_ms(e);
	int ret;
	ENGINE_TXN(e, ret = trap_in_txn(e, &h, now, out));
	return ret;
}

static int audit_ip(engine_t *e, int64_t now, const char *actor, const char *action,
		    const ipbl_ipaddr_t *ip, const char *detail)
{
	char text[IPBL_IPADDR_STRLEN] = "";
	if (ip != NULL) {
		ipbl_ipaddr_format(ip, text);
	}
	store_audit_t a = {
		.at_ms = now, .actor = actor, .action = action, .ip = text, .detail = detail
	};
	return store_audit_add(e->store, &a);
}

static int delist_in_txn(engine_t *e, const ipbl_ipaddr_t *ip, const char *actor,
			 const char *reason, int64_t now, engine_result_t *out)
{
	store_listing_t old;
	int ret = store_listing_get(e->store, ip, &old);
	if (ret != 0) {
		return ret;
	}
	ret = audit_ip(e, now, actor, "deputy_delist", ip, reason);
	if (ret == 0) {
		ret = engine_redecide(e, ip, now, actor, now, out);
	}
	return ret;
}

static void deputy_actor(const char *by, char *buf, size_t len)
{
	snprintf(buf, len, "deputy %s", by && by[0] ? by : "unknown");
}

/* A deputy's action on one address, fn in one transaction, as "deputy BY". */
typedef int (*deputy_txn_fn)(engine_t *e, const ipbl_ipaddr_t *ip, const char *actor,
			     const char *reason, int64_t now, engine_result_t *out);

static int deputy_action(engine_t *e, const ipbl_ipaddr_t *ip, const char *by, const char *reason,
			 engine_result_t *out, deputy_txn_fn fn)
{
	memset(out, 0, sizeof(*out));
	char actor[STORE_NAME_MAX + 16];
	deputy_actor(by, actor, sizeof(actor));
	ipbl_ipaddr_t a = *ip;
	ipbl_ipaddr_unmap(&a);
	int64_t now = engine_now_ms(e);
	int ret;
	ENGINE_TXN(e, ret = fn(e, &a, actor, reason, now, out));
	return ret;
}

int engine_delist(engine_t *e, const ipbl_ipaddr_t *ip, const char *by, const char *reason,
		  engine_result_t *out)
{
	return deputy_action(e, ip, by, reason, out, delist_in_txn);
}

static int reinstate_in_txn(engine_t *e, const ipbl_ipaddr_t *ip, const char *actor,
			    const char *reason, int64_t now, engine_result_t *out)
{
	store_listing_t l;
	int ret = store_listing_get(e->store, ip, &l);
	if (ret != 0) {
		return ret;
	}
	if (l.deputy_delisted_ms == 0) {
		return IPBL_EINVAL;
	}
	l.deputy_delisted_ms = 0;
	ret = store_listing_put(e->store, &l);
	if (ret == 0) {
		ret = audit_ip(e, now, actor, "deputy_reinstate", ip, reason);
	}
	if (ret == 0) {
		ret = engine_redecide(e, ip, now, actor, 0, out);
	}
	return ret;
}

int engine_reinstate(engine_t *e, const ipbl_ipaddr_t *ip, const char *by, const char *reason,
		     engine_result_t *out)
{
	return deputy_action(e, ip, by, reason, out, reinstate_in_txn);
}

/* ---- reporter standing ---- */

/* Re-decide every address the reporter reported inside the report window. */
static int redecide_reporter(engine_t *e, int64_t reporter_id, const char *actor, int64_t now,
			     size_t *n_done)
{
	ip_vec_t ips = { 0 };
	int ret = store_reporter_ips(e->store, reporter_id, window_start(e, now), collect_ip, &ips);
	for (size_t i = 0; ret == 0 && i < ips.n; i++) {
		engine_result_t r;
		memset(&r, 0, sizeof(r));
		ret = engine_redecide(e, &ips.v[i], now, actor, 0, &r);
	}
	if (n_done != NULL) {
		*n_done = ret == 0 ? ips.n : 0;
	}
	free(ips.v);
	return ret;
}

/* Fine (ban false) or ban the reporter with id/name, with its audit entry; *out gets the
 * reporter as it was before. Re-deciding its addresses is the caller's. */
static int standing_set(engine_t *e, const char *name, int64_t id, bool ban, const char *actor,
			const char *why, int64_t now, store_reporter_t *out)
{
	int ret = name ? store_reporter_get(e->store, name, out)
		       : store_reporter_get_by_id(e->store, id, out);
	if (ret != 0) {
		return ret;
	}
	enum store_standing st = ban ? STORE_STANDING_BANNED : STORE_STANDING_FINED;
	uint32_t fines = out->fines + (ban || out->fines == UINT32_MAX ? 0 : 1);
	if (out->standing == STORE_STANDING_BANNED) {
		st = STORE_STANDING_BANNED; /* a fine never lifts a ban */
	}
	ret = store_reporter_set_standing(e->store, out->id, st, fines);
	if (ret != 0) {
		return ret;
	}
	char detail[STORE_TEXT_MAX];
	snprintf(detail, sizeof(detail), "reporter %s, fines %u, standing %s%s%s", out->name, fines,
		 store_standing_name(st), why ? ": " : "", why ? why : "");
	return audit_ip(e, now, actor, ban ? "reporter banned" : "reporter fined", NULL, detail);
}

/* Fine (ban false) or ban the reporter with name and re-decide its addresses. */
static int standing_in_txn(engine_t *e, const char *name, bool ban, const char *actor, int64_t now,
			   size_t *n_done)
{
	store_reporter_t rep;
	int ret = standing_set(e, name, 0, ban, actor, NULL, now, &rep);
	if (ret == 0) {
		ret = redecide_reporter(e, rep.id, actor, now, n_done);
	}
	return ret;
}

static int reporter_standing(engine_t *e, const char *name, const char *actor, bool ban,
			     size_t *n_done)
{
	int64_t now = engine_now_ms(e);
	int ret;
	ENGINE_TXN(e, ret = standing_in_txn(e, name, ban, actor, now, n_done));
	return ret;
}

int engine_reporter_fine(engine_t *e, const char *name, const char *actor, size_t *n_redecided)
{
	return reporter_standing(e, name, actor, false, n_redecided);
}

int engine_reporter_ban(engine_t *e, const char *name, const char *actor, size_t *n_redecided)
{
	return reporter_standing(e, name, actor, true, n_redecided);
}

/* Void the report id unless it is voided already (*voided says which), with its audit entry;
 * *r gets the report. */
static int void_mark(engine_t *e, int64_t id, const char *actor, const char *reason, int64_t now,
		     store_report_t *r, bool *voided)
{
	*voided = false;
	int ret = store_report_get(e->store, id, r);
	if (ret != 0 || r->state == STORE_REPORT_VOIDED) {
		return ret; /* voided already: no second fine */
	}
	ret = store_report_set_state(e->store, id, STORE_REPORT_VOIDED);
	if (ret != 0) {
		return ret;
	}
	char detail[STORE_TEXT_MAX];
	snprintf(detail, sizeof(detail), "report %lld voided: %s", (long long)id,
		 reason ? reason : "");
	*voided = true;
	return audit_ip(e, now, actor, "report_void", &r->ip, detail);
}

typedef struct {
	int64_t reporter_id;
	int64_t report_id;
} void_mark_t;

/* Why reporter_id is fined: its reports among marks[0..n) and the reason. */
static void void_why(const void_mark_t *marks, size_t n, int64_t reporter_id, const char *reason,
		     char *out, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		k += marks[i].reporter_id == reporter_id;
	}
	ipbl_buf_t b;
	ipbl_buf_init(&b, out, len);
	ipbl_buf_puts(&b, k == 1 ? "report " : "reports ");
	for (size_t i = 0, j = 0; i < n; i++) {
		if (marks[i].reporter_id == reporter_id) {
			j++;
			const char *sep = j == 1 ? "" : j == k ? " and " : ", ";
			ipbl_buf_printf(&b, "%s%lld", sep, (long long)marks[i].report_id);
		}
	}
	ipbl_buf_printf(&b, " voided: %s", reason ? reason : "");
}

static int ip_order(const void *a, const void *b)
{
	return ipbl_ipaddr_cmp(a, b);
}

/* Sort vec and drop repeats: each address once. */
static void ip_vec_unique(ip_vec_t *vec)
{
	if (vec->n == 0) {
		return;
	}
	qsort(vec->v, vec->n, sizeof(*vec->v), ip_order);
	size_t n = 1;
	for (size_t i = 1; i < vec->n; i++) {
		if (!ipbl_ipaddr_eq(&vec->v[i], &vec->v[n - 1])) {
			vec->v[n++] = vec->v[i];
		}
	}
	vec->n = n;
}

/* Void every report first; then fine each reporter of a report voided now once, however many
 * of its reports the case held; then re-decide each address those reports or reporters name
 * once. *out: the decision for the IP of the last report. */
static int void_in_txn(engine_t *e, const int64_t *ids, size_t n, const char *actor,
		       const char *reason, int64_t now, engine_result_t *out)
{
	void_mark_t *marks = ipbl_xcalloc(n, sizeof(*marks));
	size_t n_marks = 0;
	ip_vec_t ips = { 0 };
	ipbl_ipaddr_t last;
	memset(&last, 0, sizeof(last));
	int ret = 0;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		store_report_t r;
		bool voided = false;
		ret = void_mark(e, ids[i], actor, reason, now, &r, &voided);
		if (ret == 0) {
			last = r.ip;
		}
		if (ret == 0 && voided) {
			marks[n_marks++] =
				(void_mark_t){ .reporter_id = r.reporter_id, .report_id = ids[i] };
			(void)collect_ip(&ips, &r.ip);
		}
	}
	for (size_t i = 0; ret == 0 && i < n_marks; i++) {
		bool first = true;
		for (size_t j = 0; first && j < i; j++) {
			first = marks[j].reporter_id != marks[i].reporter_id;
		}
		if (marks[i].reporter_id == 0 || !first) {
			continue; /* no account, or fined already for this case */
		}
		char why[STORE_TEXT_MAX];
		void_why(marks, n_marks, marks[i].reporter_id, reason, why, sizeof(why));
		store_reporter_t rep;
		ret = standing_set(e, NULL, marks[i].reporter_id, false, actor, why, now, &rep);
		if (ret == 0) {
			/* its weight falls on every address it reported, not only these */
			ret = store_reporter_ips(e->store, rep.id, window_start(e, now), collect_ip,
						 &ips);
		}
	}
	ip_vec_unique(&ips);
	bool last_done = false;
	for (size_t i = 0; ret == 0 && i < ips.n; i++) {
		bool is_last = ipbl_ipaddr_eq(&ips.v[i], &last);
		engine_result_t scratch;
		memset(&scratch, 0, sizeof(scratch));
		ret = engine_redecide(e, &ips.v[i], now, actor, 0, is_last ? out : &scratch);
		last_done = last_done || is_last;
	}
	if (ret == 0 && !last_done) {
		ret = decide_only(e, &last, now, out); /* voided already: nothing changes */
	}
	out->id = ids[n - 1];
	free(ips.v);
	free(marks);
	return ret;
}

int engine_void_reports(engine_t *e, const int64_t *ids, size_t n, const char *by,
			const char *reason, engine_result_t *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0) {
		return IPBL_EINVAL;
	}
	char actor[STORE_NAME_MAX + 16];
	deputy_actor(by, actor, sizeof(actor));
	int64_t now = engine_now_ms(e);
	int ret;
	ENGINE_TXN(e, ret = void_in_txn(e, ids, n, actor, reason, now, out));
	return ret;
}

int engine_void_report(engine_t *e, int64_t report_id, const char *by, const char *reason,
		       engine_result_t *out)
{
	return engine_void_reports(e, &report_id, 1, by, reason, out);
}

static int set_state_in_txn(engine_t *e, int64_t id, enum store_report_state state,
			    const char *actor, const char *why, int64_t now, engine_result_t *out)
{
	store_report_t r;
	int ret = store_report_get(e->store, id, &r);
	if (ret != 0) {
		return ret;
	}
	ret = store_report_set_state(e->store, id, state);
	if (ret != 0) {
		return ret;
	}
	char detail[STORE_TEXT_MAX];
	snprintf(detail, sizeof(detail), "report %lld %s: %s", (long long)id,
		 store_report_state_name(state), why ? why : "");
	ret = audit_ip(e, now, actor, "report_state", &r.ip, detail);
	if (ret == 0) {
		ret = engine_redecide(e, &r.ip, now, actor, 0, out);
	}
	out->id = id;
	return ret;
}

/* Open or close the challenge of one report with its audit entry; *r gets the report. */
static int challenge_mark(engine_t *e, int64_t id, bool open, const char *actor, const char *why,
			  int64_t now, store_report_t *r)
{
	int ret = store_report_get(e->store, id, r);
	if (ret != 0) {
		return ret;
	}
	ret = store_report_set_challenged(e->store, id, open);
	if (ret != 0) {
		return ret;
	}
	char detail[STORE_TEXT_MAX];
	snprintf(detail, sizeof(detail), "report %lld %s: %s", (long long)id,
		 open ? "set aside while challenged" : "challenge closed, counts again",
		 why ? why : "");
	return audit_ip(e, now, actor, open ? "report_challenged" : "report_challenge_closed",
			&r->ip, detail);
}

/* Mark every report, then re-decide each address they name once. */
static int challenge_in_txn(engine_t *e, const int64_t *ids, size_t n, bool open, const char *actor,
			    const char *why, int64_t now, engine_result_t *out)
{
	ip_vec_t ips = { 0 };
	int ret = 0;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		store_report_t r;
		out->id = ids[i];
		ret = challenge_mark(e, ids[i], open, actor, why, now, &r);
		if (ret == 0) {
			collect_ip_once(&ips, &r.ip);
		}
	}
	for (size_t i = 0; ret == 0 && i < ips.n; i++) {
		ret = engine_redecide(e, &ips.v[i], now, actor, 0, out);
	}
	free(ips.v);
	return ret;
}

int engine_reports_challenge(engine_t *e, const int64_t *ids, size_t n, bool open,
			     const char *actor, const char *why, engine_result_t *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0) {
		return IPBL_EINVAL;
	}
	int64_t now = engine_now_ms(e);
	int ret;
	ENGINE_TXN(e, ret = challenge_in_txn(e, ids, n, open, actor, why, now, out));
	return ret;
}

int engine_report_challenge(engine_t *e, int64_t report_id, bool open, const char *actor,
			    const char *why, engine_result_t *out)
{
	return engine_reports_challenge(e, &report_id, 1, open, actor, why, out);
}

int engine_report_set_state(engine_t *e, int64_t report_id, enum store_report_state state,
			    const char *actor, const char *why, engine_result_t *out)
{
	memset(out, 0, sizeof(*out));
	int64_t now = engine_now_ms(e);
	int ret;
	ENGINE_TXN(e, ret = set_state_in_txn(e, report_id, state, actor, why, now, out));
	return ret;
}

/* ---- expiry ---- */

static int collect_listing(void *arg, const store_listing_t *l)
{
	return collect_ip(arg, &l->ip);
}

static int expire_in_txn(engine_t *e, size_t limit, int64_t now, size_t *n_done, bool *more)
{
	ip_vec_t due = { 0 };
	int ret = store_listings_due(e->store, now, limit + 1, collect_listing, &due);
	*more = due.n > limit;
	size_t n = due.n > limit ? limit : due.n;
	size_t done = 0;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		engine_result_t r;
		memset(&r, 0, sizeof(r));
		ret = engine_redecide(e, &due.v[i], now, "engine", 0, &r);
		if (ret == IPBL_EPOLICY) {
			ret = 0; /* logged; one bad address must not stop the others */
		} else if (ret == 0) {
			done++;
		}
	}
	*n_done = ret == 0 ? done : 0;
	free(due.v);
	return ret;
}

static int note_due(void *arg, const store_listing_t *l)
{
	(void)l;
	*(bool *)arg = true;
	return 0;
}

int engine_expire_due(engine_t *e, size_t limit, size_t *n_done, bool *more)
{
	*n_done = 0;
	*more = false;
	if (limit == 0) {
		return 0;
	}
	int64_t now = engine_now_ms(e);
	/* a plain read first: most ticks find nothing due and take no write lock */
	bool any = false;
	int ret = store_listings_due(e->store, now, 1, note_due, &any);
	if (ret != 0 || !any) {
		return ret;
	}
	ENGINE_TXN(e, ret = expire_in_txn(e, limit, now, n_done, more));
	return ret;
}
