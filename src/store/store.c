/* SPDX-License-Identifier: BSD-2-Clause */
/* The store port: picks a backend by name and forwards every call to it. Addresses are
 * turned into their canonical text here, once, so every backend keys them the same way. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"

static const store_ops_t *const backends[] = { &store_sqlite_ops };

int store_open(const char *backend, const char *path, store_t **out, char *err, size_t err_len)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strcmp(backends[i]->name, backend) == 0) {
			return backends[i]->open(path, out, err, err_len);
		}
	}
	snprintf(err, err_len, "unknown store backend '%s' (known: sqlite)", backend);
	return IPBL_EINVAL;
}

void store_close(store_t *s)
{
	if (s != NULL) {
		s->ops->close(s);
	}
}

int store_schema_version(store_t *s)
{
	return s->ops->schema_version(s);
}

const char *store_errmsg(store_t *s)
{
	return s->ops->errmsg(s);
}

int store_begin(store_t *s)
{
	return s->ops->begin(s);
}

int store_commit(store_t *s)
{
	return s->ops->commit(s);
}

void store_rollback(store_t *s)
{
	s->ops->rollback(s);
}

int store_reporter_add(store_t *s, store_reporter_t *r)
{
	return s->ops->reporter_add(s, r);
}

int store_reporter_get(store_t *s, const char *name, store_reporter_t *out)
{
	return s->ops->reporter_get(s, name, 0, out);
}

int store_reporter_get_by_id(store_t *s, int64_t id, store_reporter_t *out)
{
	return s->ops->reporter_get(s, NULL, id, out);
}

int store_reporter_set_standing(store_t *s, int64_t id, enum store_standing standing,
				uint32_t fines)
{
	return s->ops->reporter_set_standing(s, id, standing, fines);
}

int store_reporter_get_by_key_hash(store_t *s, const char *key_hash, store_reporter_t *out)
{
	return s->ops->reporter_by_key(s, key_hash, out);
}

int store_reporter_ips(store_t *s, int64_t reporter_id, int64_t since_ms, store_ip_cb cb, void *arg)
{
	return s->ops->reporter_ips(s, reporter_id, since_ms, cb, arg);
}

int store_report_get(store_t *s, int64_t id, store_report_t *out)
{
	return s->ops->report_get(s, id, out, NULL, 0);
}

int store_report_evidence(store_t *s, int64_t id, char *buf, size_t len)
{
	store_report_t r;
	return s->ops->report_get(s, id, &r, buf, len);
}

int store_listings_count(store_t *s, size_t *n_out)
{
	return s->ops->listings_count(s, n_out);
}

int store_report_add(store_t *s, store_report_t *r)
{
	return s->ops->report_add(s, r);
}

int store_report_set_challenged(store_t *s, int64_t id, bool challenged)
{
	return s->ops->report_set_challenged(s, id, challenged);
}

int store_report_set_state(store_t *s, int64_t id, enum store_report_state state)
{
	return s->ops->report_set_state(s, id, state);
}

int store_reports_challengeable(store_t *s, const ipbl_ipaddr_t *ip, const char *subject_key,
				store_report_cb cb, void *arg)
{
	if (subject_key == NULL || subject_key[0] == '\0') {
		return 0; /* a report without a key never matches */
	}
	char text[IPBL_IPADDR_STRLEN];
	return s->ops->reports_challengeable(s, ipbl_ipaddr_format(ip, text), subject_key, cb, arg);
}

int store_trap_hit_add(store_t *s, store_trap_hit_t *h)
{
	return s->ops->trap_hit_add(s, h);
}

int store_evidence_for_ip(store_t *s, const ipbl_ipaddr_t *ip, int64_t since_ms,
			  store_report_cb on_report, store_trap_hit_cb on_hit, void *arg)
{
	char text[IPBL_IPADDR_STRLEN];
	return s->ops->evidence_for_ip(s, ipbl_ipaddr_format(ip, text), since_ms, on_report, on_hit,
				       arg);
}

int store_listing_get(store_t *s, const ipbl_ipaddr_t *ip, store_listing_t *out)
{
	char text[IPBL_IPADDR_STRLEN];
	return s->ops->listing_get(s, ipbl_ipaddr_format(ip, text), out);
}

int store_listing_put(store_t *s, const store_listing_t *l)
{
	char text[IPBL_IPADDR_STRLEN];
	return s->ops->listing_put(s, l, ipbl_ipaddr_format(&l->ip, text));
}

int store_listings_each(store_t *s, store_listing_cb cb, void *arg)
{
	return s->ops->listings_each(s, -1, 0, cb, arg);
}

int store_listings_due(store_t *s, int64_t now_ms, size_t limit, store_listing_cb cb, void *arg)
{
	return s->ops->listings_each(s, now_ms, limit, cb, arg);
}

int store_audit_add(store_t *s, const store_audit_t *a)
{
	return s->ops->audit_add(s, a);
}

int store_audit_each(store_t *s, const char *ip, store_audit_cb cb, void *arg)
{
	return s->ops->audit_each(s, ip, cb, arg);
}

int store_journal_append(store_t *s, uint32_t serial, int64_t at_ms, const char *added,
			 const char *removed)
{
	return s->ops->journal_append(s, serial, at_ms, added, removed);
}

int store_journal_last(store_t *s, uint32_t *serial_out)
{
	return s->ops->journal_last(s, serial_out);
}

int store_journal_since(store_t *s, uint32_t serial, store_journal_cb cb, void *arg)
{
	return s->ops->journal_since(s, serial, cb, arg);
}

int store_journal_compact(store_t *s, size_t keep)
{
	return s->ops->journal_compact(s, keep);
}

const char *store_standing_name(enum store_standing st)
{
	static const char *const names[] = { "good", "fined", "banned" };
	return (unsigned)st < 3 ? names[st] : "unknown";
}

const char *store_evidence_kind_name(enum store_evidence_kind k)
{
	static const char *const names[] = { "spam", "bounce", "auto-reply" };
	return (unsigned)k < 3 ? names[k] : "spam";
}

const char *store_report_state_name(enum store_report_state st)
{
	static const char *const names[] = { "counted", "withdrawn", "voided" };
	return (unsigned)st < 3 ? names[st] : "unknown";
}

/* ==== cases and deputies (0003_cases.sql) ==== */

int store_case_add(store_t *s, store_case_t *c)
{
	char text[IPBL_IPADDR_STRLEN];
	return s->ops->case_add(s, c, ipbl_ipaddr_format(&c->ip, text));
}

int store_case_report_add(store_t *s, int64_t case_id, int64_t report_id)
{
	return s->ops->case_report_add(s, case_id, report_id);
}

int store_case_reports_each(store_t *s, int64_t case_id, store_id_cb cb, void *arg)
{
	return s->ops->case_reports_each(s, case_id, cb, arg);
}

int store_case_get(store_t *s, int64_t id, store_case_t *out)
{
	return s->ops->case_get(s, id, NULL, 0, out);
}

int store_case_find_by_token(store_t *s, const char *token_hash, store_case_t *out)
{
	return s->ops->case_get(s, 0, token_hash, 0, out);
}

int store_case_find_open_for_report(store_t *s, int64_t report_id, store_case_t *out)
{
	if (report_id <= 0) {
		return IPBL_ENOENT;
	}
	return s->ops->case_get(s, 0, NULL, report_id, out);
}

int store_case_find_open_for_reports(store_t *s, const int64_t *ids, size_t n, int64_t *report_id,
				     store_case_t *out)
{
	store_case_t c;
	for (size_t i = 0; i < n; i++) {
		int ret = store_case_find_open_for_report(s, ids[i], out != NULL ? out : &c);
		if (ret != IPBL_ENOENT) {
			if (ret == 0) {
				*report_id = ids[i];
			}
			return ret;
		}
	}
	return IPBL_ENOENT;
}

int store_case_set_status(store_t *s, int64_t id, enum store_case_status status, int64_t at_ms)
{
	return s->ops->case_set_status(s, id, status, at_ms);
}

int store_cases_each(store_t *s, const ipbl_ipaddr_t *ip, bool include_closed, store_case_cb cb,
		     void *arg)
{
	char text[IPBL_IPADDR_STRLEN] = "";
	if (ip != NULL) {
		ipbl_ipaddr_format(ip, text);
	}
	return s->ops->cases_each(s, text, include_closed, cb, arg);
}

int store_case_message_add(store_t *s, store_case_message_t *m)
{
	return s->ops->case_message_add(s, m);
}

int store_case_messages_each(store_t *s, int64_t case_id, store_case_message_cb cb, void *arg)
{
	return s->ops->case_messages_each(s, case_id, cb, arg);
}

int store_deputy_add(store_t *s, store_deputy_t *d)
{
	return s->ops->deputy_add(s, d);
}

int store_deputy_get(store_t *s, const char *name, store_deputy_t *out)
{
	return s->ops->deputy_get(s, name, out);
}

int store_deputies_each(store_t *s, store_deputy_cb cb, void *arg)
{
	return s->ops->deputies_each(s, cb, arg);
}

int store_session_add(store_t *s, const char *id_hash, int64_t deputy_id, int64_t created_ms,
		      int64_t expires_ms)
{
	return s->ops->session_add(s, id_hash, deputy_id, created_ms, expires_ms);
}

int store_session_get(store_t *s, const char *id_hash, int64_t now_ms, store_deputy_t *out,
		      int64_t *expires_ms)
{
	int64_t exp = 0;
	int ret = s->ops->session_get(s, id_hash, now_ms, out, &exp);
	if (ret == 0 && expires_ms != NULL) {
		*expires_ms = exp;
	}
	return ret;
}

int store_session_delete(store_t *s, const char *id_hash)
{
	return s->ops->session_delete(s, id_hash);
}

int store_sessions_expire(store_t *s, int64_t now_ms)
{
	return s->ops->sessions_expire(s, now_ms);
}

const char *store_case_kind_name(enum store_case_kind k)
{
	static const char *const names[] = { "ask", "challenge" };
	return (unsigned)k < 2 ? names[k] : "unknown";
}

const char *store_case_status_name(enum store_case_status st)
{
	static const char *const names[] = { "open", "answered", "closed" };
	return (unsigned)st < 3 ? names[st] : "unknown";
}
