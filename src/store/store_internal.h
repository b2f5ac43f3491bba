/* SPDX-License-Identifier: BSD-2-Clause */
/* The backend side of the store port: each backend fills a store_ops_t and embeds store_t as
 * the first member of its own state. Only src/store/ includes this header. */
#pragma once

#include "store/store.h"

typedef struct {
	const char *name;
	int (*open)(const char *path, store_t **out, char *err, size_t err_len);
	void (*close)(store_t *s);
	int (*schema_version)(store_t *s);
	const char *(*errmsg)(store_t *s);
	int (*begin)(store_t *s);
	int (*commit)(store_t *s);
	void (*rollback)(store_t *s);
	int (*reporter_add)(store_t *s, store_reporter_t *r);
	int (*reporter_get)(store_t *s, const char *name, int64_t id, store_reporter_t *out);
	int (*reporter_set_standing)(store_t *s, int64_t id, enum store_standing st,
				     uint32_t fines);
	int (*reporter_by_key)(store_t *s, const char *key_hash, store_reporter_t *out);
	int (*reporter_ips)(store_t *s, int64_t reporter_id, int64_t since_ms, store_ip_cb cb,
			    void *arg);
	int (*report_add)(store_t *s, store_report_t *r);
	int (*report_get)(store_t *s, int64_t id, store_report_t *out, char *evidence,
			  size_t evidence_len);
	int (*listings_count)(store_t *s, size_t *n_out);
	int (*report_set_state)(store_t *s, int64_t id, enum store_report_state state);
	int (*report_set_challenged)(store_t *s, int64_t id, bool challenged);
	int (*reports_challengeable)(store_t *s, const char *ip, const char *subject_key,
				     store_report_cb cb, void *arg);
	int (*trap_hit_add)(store_t *s, store_trap_hit_t *h);
	int (*evidence_for_ip)(store_t *s, const char *ip, int64_t since_ms,
			       store_report_cb on_report, store_trap_hit_cb on_hit, void *arg);
	int (*listing_get)(store_t *s, const char *ip, store_listing_t *out);
	int (*listing_put)(store_t *s, const store_listing_t *l, const char *ip);
	int (*listings_each)(store_t *s, int64_t due_before_ms, size_t limit, store_listing_cb cb,
			     void *arg);
	int (*audit_add)(store_t *s, const store_audit_t *a);
	int (*audit_each)(store_t *s, const char *ip, store_audit_cb cb, void *arg);
	int (*journal_append)(store_t *s, uint32_t serial, int64_t at_ms, const char *added,
			      const char *removed);
	int (*journal_last)(store_t *s, uint32_t *serial_out);
	int (*journal_since)(store_t *s, uint32_t serial, store_journal_cb cb, void *arg);
	int (*journal_compact)(store_t *s, size_t keep);
	/* ---- cases and deputies (0003_cases.sql) ---- */
	int (*case_add)(store_t *s, store_case_t *c, const char *ip);
	/* by id when token_hash is NULL and report_id is 0, by token hash, or the newest case
	 * of report_id that is not closed */
	int (*case_get)(store_t *s, int64_t id, const char *token_hash, int64_t report_id,
			store_case_t *out);
	int (*case_report_add)(store_t *s, int64_t case_id, int64_t report_id);
	int (*case_reports_each)(store_t *s, int64_t case_id, store_id_cb cb, void *arg);
	int (*case_set_status)(store_t *s, int64_t id, enum store_case_status status,
			       int64_t at_ms);
	int (*cases_each)(store_t *s, const char *ip, bool include_closed, store_case_cb cb,
			  void *arg);
	int (*case_message_add)(store_t *s, store_case_message_t *m);
	int (*case_messages_each)(store_t *s, int64_t case_id, store_case_message_cb cb, void *arg);
	int (*deputy_add)(store_t *s, store_deputy_t *d);
	int (*deputy_get)(store_t *s, const char *name, store_deputy_t *out);
	int (*deputies_each)(store_t *s, store_deputy_cb cb, void *arg);
	int (*session_add)(store_t *s, const char *id_hash, int64_t deputy_id, int64_t created_ms,
			   int64_t expires_ms);
	int (*session_get)(store_t *s, const char *id_hash, int64_t now_ms, store_deputy_t *out,
			   int64_t *expires_ms);
	int (*session_delete)(store_t *s, const char *id_hash);
	int (*sessions_expire)(store_t *s, int64_t now_ms);
} store_ops_t;

struct store {
	const store_ops_t *ops;
};

extern const store_ops_t store_sqlite_ops;
