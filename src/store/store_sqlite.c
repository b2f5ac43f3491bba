/* SPDX-License-Identifier: BSD-2-Clause */
/* The SQLite backend of the store port.
 *
 * DESIGN
 * WAL mode, so readers never block the writer and several processes (ipbld, ipbl) can share
 * the file; synchronous=NORMAL, which in WAL mode keeps every committed transaction across a
 * crash of any process (a power failure may lose the last ones); foreign keys on; STRICT
 * tables. Every statement is prepared once at open and bound with parameters: SQL is never
 * built from strings. Writers take the lock up front (BEGIN IMMEDIATE) so a transaction never
 * fails half-way on a lock; a busy timeout plus a bounded retry covers other writers. The
 * schema is versioned by PRAGMA user_version and upgraded at open by the embedded migrations,
 * each in its own transaction. */
#include "store/store_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/migrations.h"

#define BUSY_TIMEOUT_MS 10000
/* Measured with bench/bench_engine (bench/README.md): a 16 MiB page cache keeps the indexes
 * of a busy store in memory, and checkpointing every 16,000 pages (about 64 MB of WAL)
 * instead of 1,000 takes most fsyncs off the writers' path (50,000 reports: 3,364/s before,
 * 6,500-6,900/s after); the WAL file is cut back to 64 MiB after a checkpoint. */
#define STORE_TUNING                                                                               \
	"PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 16000; "                          \
	"PRAGMA journal_size_limit = 67108864"
#define BUSY_RETRIES 50

enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_REPORTER_ADD,
	ST_REPORTER_BY_NAME,
	ST_REPORTER_BY_ID,
	ST_REPORTER_STANDING,
	ST_REPORT_ADD,
	ST_REPORT_BY_DIGEST,
	ST_REPORT_STATE,
	ST_HIT_ADD,
	ST_HIT_BY_DIGEST,
	ST_REPORTS_FOR_IP,
	ST_HITS_FOR_IP,
	ST_LISTING_GET,
	ST_LISTING_PUT,
	ST_LISTINGS_ALL,
	ST_LISTINGS_DUE,
	ST_AUDIT_ADD,
	ST_AUDIT_IP,
	ST_AUDIT_ALL,
	ST_JOURNAL_ADD,
	ST_JOURNAL_LAST,
	ST_JOURNAL_SINCE,
	ST_JOURNAL_COMPACT,
	ST_REPORT_CHALLENGED,
	ST_REPORTER_BY_KEY,
	ST_REPORTER_IPS,
	ST_REPORT_GET,
	ST_LISTINGS_COUNT,
	ST_REPORTS_BY_SUBJECT,
	/* cases and deputies (0003_cases.sql) */
	ST_CASE_ADD,
	ST_CASE_BY_ID,
	ST_CASE_BY_TOKEN,
	ST_CASE_BY_REPORT,
	ST_CASE_STATUS,
	ST_CASE_REPORT_ADD,
	ST_CASE_REPORTS,
	ST_CASES_EACH,
	ST_CASE_MSG_ADD,
	ST_CASE_TOUCH,
	ST_CASE_MSGS,
	ST_DEPUTY_ADD,
	ST_DEPUTY_BY_NAME,
	ST_DEPUTIES_ALL,
	ST_SESSION_ADD,
	ST_SESSION_GET,
	ST_SESSION_DELETE,
	ST_SESSIONS_EXPIRE,
	ST_COUNT,
};

#define REPORTER_COLS "id, name, api_key_hash, mailhosts, standing, fines, created_ms"
#define REPORT_COLS                                                                                \
	"r.id, coalesce(r.reporter_id, 0), r.ip, r.received_ms, r.digest, r.state, "               \
	"coalesce(p.standing, 'good'), coalesce(p.fines, 0), r.kind, r.challenged, "               \
	"coalesce(r.subject_key, '')"
#define CASE_COLS                                                                                  \
	"id, token_hash, kind, status, ip, coalesce(report_id, 0), filer_name, filer_address, "    \
	"relationship, created_ms, updated_ms"
#define DEPUTY_COLS "id, name, password_hash, created_ms"
#define LISTING_COLS                                                                               \
	"ip, listed, listed_since_ms, last_evidence_ms, delist_at_ms, deputy_delisted_ms, "        \
	"reason_code, reason_text"

static const char *const sql_text[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_REPORTER_ADD] =
		"INSERT INTO reporters (name, api_key_hash, mailhosts, standing, fines, "
		"created_ms) VALUES (?, ?, ?, ?, ?, ?)",
	[ST_REPORTER_BY_NAME] = "SELECT " REPORTER_COLS " FROM reporters WHERE name = ?",
	[ST_REPORTER_BY_ID] = "SELECT " REPORTER_COLS " FROM reporters WHERE id = ?",
	[ST_REPORTER_STANDING] = "UPDATE reporters SET standing = ?, fines = ? WHERE id = ?",
	[ST_REPORT_ADD] = "INSERT INTO reports (reporter_id, ip, received_ms, digest, evidence, "
			  "state, kind, subject_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_REPORT_BY_DIGEST] = "SELECT id FROM reports WHERE digest = ?",
	[ST_REPORT_STATE] = "UPDATE reports SET state = ? WHERE id = ?",
	[ST_HIT_ADD] = "INSERT INTO trap_hits (trap_address, ip, helo, received_ms, digest, kind) "
		       "VALUES (?, ?, ?, ?, ?, ?)",
	[ST_HIT_BY_DIGEST] = "SELECT id FROM trap_hits WHERE digest = ?",
	[ST_REPORTS_FOR_IP] = "SELECT " REPORT_COLS " FROM reports r LEFT JOIN reporters p "
			      "ON p.id = r.reporter_id WHERE r.ip = ? AND r.received_ms >= ? "
			      "ORDER BY r.received_ms, r.id",
	[ST_HITS_FOR_IP] = "SELECT id, trap_address, ip, helo, received_ms, digest, kind FROM "
			   "trap_hits WHERE ip = ? AND received_ms >= ? ORDER BY received_ms, id",
	[ST_LISTING_GET] = "SELECT " LISTING_COLS " FROM listings WHERE ip = ?",
	[ST_LISTING_PUT] = "INSERT OR REPLACE INTO listings (" LISTING_COLS ") "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_LISTINGS_ALL] = "SELECT " LISTING_COLS " FROM listings WHERE listed = 1 ORDER BY ip",
	[ST_LISTINGS_DUE] = "SELECT " LISTING_COLS " FROM listings WHERE listed = 1 AND "
			    "delist_at_ms <= ? ORDER BY delist_at_ms, ip LIMIT ?",
	[ST_AUDIT_ADD] =
		"INSERT INTO audit (at_ms, actor, action, ip, detail) VALUES (?, ?, ?, ?, ?)",
	[ST_AUDIT_IP] = "SELECT at_ms, actor, action, ip, detail FROM audit WHERE ip = ? "
			"ORDER BY id",
	[ST_AUDIT_ALL] = "SELECT at_ms, actor, action, ip, detail FROM audit ORDER BY id",
	[ST_JOURNAL_ADD] =
		"INSERT INTO journal (serial, at_ms, added, removed) VALUES (?, ?, ?, ?)",
	[ST_JOURNAL_LAST] = "SELECT coalesce(max(serial), 0) FROM journal",
	[ST_JOURNAL_SINCE] = "SELECT serial, at_ms, added, removed FROM journal WHERE serial > ? "
			     "ORDER BY serial",
	[ST_JOURNAL_COMPACT] = "DELETE FROM journal WHERE serial <= (SELECT serial FROM journal "
			       "ORDER BY serial DESC LIMIT 1 OFFSET ?)",
	[ST_REPORT_CHALLENGED] = "UPDATE reports SET challenged = ? WHERE id = ?",
	[ST_REPORTER_BY_KEY] = "SELECT " REPORTER_COLS " FROM reporters WHERE api_key_hash = ?",
	[ST_REPORTER_IPS] = "SELECT DISTINCT ip FROM reports WHERE reporter_id = ? AND "
			    "received_ms >= ? ORDER BY ip",
	[ST_REPORT_GET] = "SELECT " REPORT_COLS ", r.evidence FROM reports r LEFT JOIN "
			  "reporters p ON p.id = r.reporter_id WHERE r.id = ?",
	[ST_LISTINGS_COUNT] = "SELECT count(*) FROM listings WHERE listed = 1",
	/* subject keys and case_reports (0007_subject_challenges.sql) */
	[ST_REPORTS_BY_SUBJECT] =
		"SELECT " REPORT_COLS " FROM reports r LEFT JOIN reporters p ON p.id = "
		"r.reporter_id WHERE r.ip = ? AND r.subject_key = ? AND r.state = 'counted' AND "
		"r.challenged = 0 AND NOT EXISTS (SELECT 1 FROM case_reports cr JOIN cases c ON "
		"c.id = cr.case_id WHERE cr.report_id = r.id AND c.status != 'closed') "
		"ORDER BY r.received_ms, r.id",
	/* cases and deputies (0003_cases.sql) */
	[ST_CASE_ADD] = "INSERT INTO cases (token_hash, kind, status, ip, report_id, filer_name, "
			"filer_address, relationship, created_ms, updated_ms) "
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_CASE_BY_ID] = "SELECT " CASE_COLS " FROM cases WHERE id = ?",
	[ST_CASE_BY_TOKEN] = "SELECT " CASE_COLS " FROM cases WHERE token_hash = ?",
	[ST_CASE_BY_REPORT] = "SELECT " CASE_COLS " FROM cases WHERE id IN (SELECT case_id FROM "
			      "case_reports WHERE report_id = ?) AND status != 'closed' "
			      "ORDER BY id DESC LIMIT 1",
	[ST_CASE_STATUS] = "UPDATE cases SET status = ?, updated_ms = ? WHERE id = ?",
	[ST_CASE_REPORT_ADD] = "INSERT INTO case_reports (case_id, report_id) VALUES (?, ?)",
	[ST_CASE_REPORTS] = "SELECT report_id FROM case_reports WHERE case_id = ? ORDER BY "
			    "report_id",
	[ST_CASES_EACH] = "SELECT " CASE_COLS " FROM cases WHERE (?1 = '' OR ip = ?1) AND "
			  "(?2 = 1 OR status != 'closed') ORDER BY updated_ms, id",
	[ST_CASE_MSG_ADD] = "INSERT INTO case_messages (case_id, at_ms, author, body) "
			    "VALUES (?, ?, ?, ?)",
	[ST_CASE_TOUCH] = "UPDATE cases SET updated_ms = max(updated_ms, ?) WHERE id = ?",
	[ST_CASE_MSGS] = "SELECT id, case_id, at_ms, author, body FROM case_messages "
			 "WHERE case_id = ? ORDER BY id",
	[ST_DEPUTY_ADD] = "INSERT INTO deputies (name, password_hash, created_ms) VALUES (?, ?, ?)",
	[ST_DEPUTY_BY_NAME] = "SELECT " DEPUTY_COLS " FROM deputies WHERE name = ?",
	[ST_DEPUTIES_ALL] = "SELECT " DEPUTY_COLS " FROM deputies ORDER BY name",
	[ST_SESSION_ADD] = "INSERT INTO deputy_sessions (id_hash, deputy_id, created_ms, "
			   "expires_ms) VALUES (?, ?, ?, ?)",
	[ST_SESSION_GET] = "SELECT d.id, d.name, d.password_hash, d.created_ms, s.expires_ms "
			   "FROM deputy_sessions s JOIN deputies d ON d.id = s.deputy_id "
			   "WHERE s.id_hash = ? AND s.expires_ms > ?",
	[ST_SESSION_DELETE] = "DELETE FROM deputy_sessions WHERE id_hash = ?",
	[ST_SESSIONS_EXPIRE] = "DELETE FROM deputy_sessions WHERE expires_ms <= ?",
};

typedef struct {
	store_t base; /* first: the port's view */
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	char errmsg[512];
} sqlite_store_t;

static sqlite_store_t *impl(store_t *s)
{
	return (sqlite_store_t *)(void *)s;
}

/* Record SQLite's message and map its code to ours. */
static int fail(sqlite_store_t *q, int rc, const char *what)
{
	snprintf(q->errmsg, sizeof(q->errmsg), "%s: %s", what, sqlite3_errmsg(q->db));
	if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) {
		return IPBL_EEXIST;
	}
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		return IPBL_EAGAIN;
	}
	return IPBL_ESTORE;
}

static sqlite3_stmt *stmt(sqlite_store_t *q, enum stmt i)
{
	sqlite3_stmt *s = q->st[i];
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static void bind_text(sqlite3_stmt *s, int col, const char *text)
{
	sqlite3_bind_text(s, col, text ? text : "", -1, SQLITE_STATIC);
}

/* Run a statement that returns no rows. */
static int exec_done(sqlite_store_t *q, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	int ret = rc == SQLITE_DONE ? 0 : fail(q, rc, what);
	sqlite3_reset(s);
	return ret;
}

static void copy_col(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

static int col_ip(sqlite3_stmt *s, int col, ipbl_ipaddr_t *out)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	if (t == NULL || ipbl_ipaddr_parse(ipbl_str((const char *)t), out) != 0) {
		return IPBL_EFORMAT;
	}
	return 0;
}

/* ---- open, migrations ---- */

static int exec_sql(sqlite_store_t *q, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(q->errmsg, sizeof(q->errmsg), "%s: %s", what, msg ? msg : "error");
		sqlite3_free(msg);
		return (rc & 0xff) == SQLITE_BUSY ? IPBL_EAGAIN : IPBL_ESTORE;
	}
	return 0;
}

static int user_version(sqlite_store_t *q)
{
	sqlite3_stmt *s = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		v = sqlite3_column_int(s, 0);
	}
	sqlite3_finalize(s);
	return v;
}

/* Apply each pending migration in its own write transaction; another process may be doing
 * the same, so the version is read again once the lock is held. */
static int migrate(sqlite_store_t *q)
{
	for (size_t i = 0; i < store_migrations_len; i++) {
		const store_migration_t *m = &store_migrations[i];
		if (user_version(q) >= m->version) {
			continue;
		}
		int ret = exec_sql(q, "BEGIN IMMEDIATE", "begin migration");
		if (ret != 0) {
			return ret;
		}
		if (user_version(q) < m->version) {
			char pragma[64];
			snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
			ret = exec_sql(q, m->sql, m->name);
			if (ret == 0) {
				ret = exec_sql(q, pragma, "set schema version");
			}
		}
		if (ret != 0) {
			exec_sql(q, "ROLLBACK", "rollback");
			return ret;
		}
		ret = exec_sql(q, "COMMIT", "commit migration");
		if (ret != 0) {
			return ret;
		}
	}
	int v = user_version(q);
	if (v > (int)store_migrations_len) {
		snprintf(q->errmsg, sizeof(q->errmsg),
			 "the database has schema version %d, newer than this program knows (%zu)",
			 v, store_migrations_len);
		return IPBL_ESTORE;
	}
	return 0;
}

static void sq_close(store_t *s)
{
	sqlite_store_t *q = impl(s);
	for (size_t i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(q->st[i]);
	}
	sqlite3_close(q->db);
	free(q);
}

static int sq_open(const char *path, store_t **out, char *err, size_t err_len)
{
	sqlite_store_t *q = calloc(1, sizeof(*q));
	if (q == NULL) {
		return IPBL_ENOMEM;
	}
	q->base.ops = &store_sqlite_ops;
	int ret = 0;
	int rc = sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		ret = fail(q, rc, "open");
		goto fail;
	}
	sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
	bool memory = strcmp(path, ":memory:") == 0;
	ret = exec_sql(q,
		       memory ? "PRAGMA foreign_keys = ON"
			      : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
				"PRAGMA foreign_keys = ON; " STORE_TUNING,
		       "set up");
	if (ret == 0) {
		ret = migrate(q);
	}
	for (size_t i = 0; ret == 0 && i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(q->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT,
					&q->st[i], NULL);
		if (rc != SQLITE_OK) {
			ret = fail(q, rc, "prepare");
		}
	}
	if (ret != 0) {
		goto fail;
	}
	*out = &q->base;
	return 0;
fail:
	snprintf(err, err_len, "%s: %s", path, q->errmsg[0] ? q->errmsg : ipbl_strerror(ret));
	sq_close(&q->base);
	return ret;
}

static int sq_schema_version(store_t *s)
{
	return user_version(impl(s));
}

static const char *sq_errmsg(store_t *s)
{
	return impl(s)->errmsg;
}

/* ---- transactions ---- */

static int sq_begin(store_t *s)
{
	sqlite_store_t *q = impl(s);
	int ret = 0;
	for (int attempt = 0; attempt < BUSY_RETRIES; attempt++) {
		ret = exec_done(q, stmt(q, ST_BEGIN), "begin");
		if (ret != IPBL_EAGAIN) {
			return ret;
		}
		/* the busy timeout already waited; a deadlock-free retry after a short pause */
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return ret;
}

static int sq_commit(store_t *s)
{
	sqlite_store_t *q = impl(s);
	return exec_done(q, stmt(q, ST_COMMIT), "commit");
}

static void sq_rollback(store_t *s)
{
	sqlite_store_t *q = impl(s);
	if (!sqlite3_get_autocommit(q->db)) {
		(void)exec_done(q, stmt(q, ST_ROLLBACK), "rollback");
	}
}

/* ---- reporters ---- */

static enum store_standing standing_parse(const unsigned char *t)
{
	if (t && strcmp((const char *)t, "banned") == 0) {
		return STORE_STANDING_BANNED;
	}
	if (t && strcmp((const char *)t, "fined") == 0) {
		return STORE_STANDING_FINED;
	}
	return STORE_STANDING_GOOD;
}

static int sq_reporter_add(store_t *s, store_reporter_t *r)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_REPORTER_ADD);
	bind_text(st, 1, r->name);
	bind_text(st, 2, r->api_key_hash);
	bind_text(st, 3, r->mailhosts);
	bind_text(st, 4, store_standing_name(r->standing));
	sqlite3_bind_int64(st, 5, r->fines);
	sqlite3_bind_int64(st, 6, r->created_ms);
	int ret = exec_done(q, st, "add reporter");
	if (ret == 0) {
		r->id = sqlite3_last_insert_rowid(q->db);
	}
	return ret;
}

static int reporter_row(sqlite_store_t *q, sqlite3_stmt *st, store_reporter_t *out);

static int sq_reporter_get(store_t *s, const char *name, int64_t id, store_reporter_t *out)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, name ? ST_REPORTER_BY_NAME : ST_REPORTER_BY_ID);
	if (name) {
		bind_text(st, 1, name);
	} else {
		sqlite3_bind_int64(st, 1, id);
	}
	return reporter_row(q, st, out);
}

static int sq_reporter_by_key(store_t *s, const char *key_hash, store_reporter_t *out)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_REPORTER_BY_KEY);
	bind_text(st, 1, key_hash);
	return reporter_row(q, st, out);
}

static int sq_reporter_ips(store_t *s, int64_t reporter_id, int64_t since_ms, store_ip_cb cb,
			   void *arg)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_REPORTER_IPS);
	sqlite3_bind_int64(st, 1, reporter_id);
	sqlite3_bind_int64(st, 2, since_ms);
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ipbl_ipaddr_t ip;
		ret = col_ip(st, 0, &ip);
		if (ret == 0) {
			ret = cb(arg, &ip);
		}
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read reported addresses");
	}
	sqlite3_reset(st);
	return ret;
}

/* Step st (bound) once and read a reporter row; resets st. */
static int reporter_row(sqlite_store_t *q, sqlite3_stmt *st, store_reporter_t *out)
{
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		copy_col(st, 1, out->name, sizeof(out->name));
		copy_col(st, 2, out->api_key_hash, sizeof(out->api_key_hash));
		copy_col(st, 3, out->mailhosts, sizeof(out->mailhosts));
		out->standing = standing_parse(sqlite3_column_text(st, 4));
		out->fines = (uint32_t)sqlite3_column_int64(st, 5);
		out->created_ms = sqlite3_column_int64(st, 6);
	} else {
		ret = rc == SQLITE_DONE ? IPBL_ENOENT : fail(q, rc, "get reporter");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_reporter_set_standing(store_t *s, int64_t id, enum store_standing standing,
				    uint32_t fines)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_REPORTER_STANDING);
	bind_text(st, 1, store_standing_name(standing));
	sqlite3_bind_int64(st, 2, fines);
	sqlite3_bind_int64(st, 3, id);
	int ret = exec_done(q, st, "set reporter standing");
	return ret == 0 && sqlite3_changes(q->db) == 0 ? IPBL_ENOENT : ret;
}

/* ---- evidence ---- */

static int64_t id_by_digest(sqlite_store_t *q, enum stmt which, const char *digest)
{
	sqlite3_stmt *st = stmt(q, which);
	bind_text(st, 1, digest);
	int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return id;
}

static int sq_report_add(store_t *s, store_report_t *r)
{
	sqlite_store_t *q = impl(s);
	char ip[IPBL_IPADDR_STRLEN];
	sqlite3_stmt *st = stmt(q, ST_REPORT_ADD);
	if (r->reporter_id > 0) {
		sqlite3_bind_int64(st, 1, r->reporter_id);
	} else {
		sqlite3_bind_null(st, 1);
	}
	bind_text(st, 2, ipbl_ipaddr_format(&r->ip, ip));
	sqlite3_bind_int64(st, 3, r->received_ms);
	bind_text(st, 4, r->digest);
	bind_text(st, 5, r->evidence);
	bind_text(st, 6, store_report_state_name(r->state));
	bind_text(st, 7, store_evidence_kind_name(r->kind));
	if (r->subject_key[0] != '\0') {
		bind_text(st, 8, r->subject_key);
	} else {
		sqlite3_bind_null(st, 8);
	}
	int ret = exec_done(q, st, "add report");
	if (ret == 0) {
		r->id = sqlite3_last_insert_rowid(q->db);
	} else if (ret == IPBL_EEXIST) {
		r->id = id_by_digest(q, ST_REPORT_BY_DIGEST, r->digest);
		if (r->id == 0) {
			ret = IPBL_ESTORE; /* another constraint, e.g. an unknown reporter */
		}
	}
	return ret;
}

static int sq_report_set_challenged(store_t *s, int64_t id, bool challenged)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_REPORT_CHALLENGED);
	sqlite3_bind_int(st, 1, challenged ? 1 : 0);
	sqlite3_bind_int64(st, 2, id);
	int ret = exec_done(q, st, "set report challenge");
	return ret == 0 && sqlite3_changes(q->db) == 0 ? IPBL_ENOENT : ret;
}

static int sq_report_set_state(store_t *s, int64_t id, enum store_report_state state)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_REPORT_STATE);
	bind_text(st, 1, store_report_state_name(state));
	sqlite3_bind_int64(st, 2, id);
	int ret = exec_done(q, st, "set report state");
	return ret == 0 && sqlite3_changes(q->db) == 0 ? IPBL_ENOENT : ret;
}

static int sq_trap_hit_add(store_t *s, store_trap_hit_t *h)
{
	sqlite_store_t *q = impl(s);
	char ip[IPBL_IPADDR_STRLEN];
	sqlite3_stmt *st = stmt(q, ST_HIT_ADD);
	bind_text(st, 1, h->trap_address);
	bind_text(st, 2, ipbl_ipaddr_format(&h->ip, ip));
	bind_text(st, 3, h->helo);
	sqlite3_bind_int64(st, 4, h->received_ms);
	bind_text(st, 5, h->digest);
	bind_text(st, 6, store_evidence_kind_name(h->kind));
	int ret = exec_done(q, st, "add trap hit");
	if (ret == 0) {
		h->id = sqlite3_last_insert_rowid(q->db);
	} else if (ret == IPBL_EEXIST) {
		h->id = id_by_digest(q, ST_HIT_BY_DIGEST, h->digest);
	}
	return ret;
}

static enum store_report_state state_parse(const unsigned char *t)
{
	if (t && strcmp((const char *)t, "withdrawn") == 0) {
		return STORE_REPORT_WITHDRAWN;
	}
	if (t && strcmp((const char *)t, "voided") == 0) {
		return STORE_REPORT_VOIDED;
	}
	return STORE_REPORT_COUNTED;
}

static enum store_evidence_kind kind_parse(const unsigned char *t)
{
	if (t && strcmp((const char *)t, "bounce") == 0) {
		return STORE_KIND_BOUNCE;
	}
	if (t && strcmp((const char *)t, "auto-reply") == 0) {
		return STORE_KIND_AUTO_REPLY;
	}
	return STORE_KIND_SPAM;
}

/* A row of REPORT_COLS into *r (evidence NULL). */
static int report_row(sqlite3_stmt *st, store_report_t *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->reporter_id = sqlite3_column_int64(st, 1);
	int ret = col_ip(st, 2, &r->ip);
	r->received_ms = sqlite3_column_int64(st, 3);
	copy_col(st, 4, r->digest, sizeof(r->digest));
	r->state = state_parse(sqlite3_column_text(st, 5));
	r->reporter_standing = standing_parse(sqlite3_column_text(st, 6));
	r->reporter_fines = (uint32_t)sqlite3_column_int64(st, 7);
	r->kind = kind_parse(sqlite3_column_text(st, 8));
	r->challenged = sqlite3_column_int(st, 9) != 0;
	copy_col(st, 10, r->subject_key, sizeof(r->subject_key));
	return ret;
}

static int sq_report_get(store_t *s, int64_t id, store_report_t *out, char *evidence,
			 size_t evidence_len)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_REPORT_GET);
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	int ret;
	if (rc == SQLITE_ROW) {
		ret = report_row(st, out);
		if (evidence != NULL && evidence_len > 0) {
			copy_col(st, 11, evidence, evidence_len);
		}
	} else {
		ret = rc == SQLITE_DONE ? IPBL_ENOENT : fail(q, rc, "get report");
	}
	sqlite3_reset(st);
	return ret;
}

/* Step st (bound) over REPORT_COLS rows, calling cb for each; resets st. */
static int report_rows(sqlite_store_t *q, sqlite3_stmt *st, store_report_cb cb, void *arg)
{
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_report_t r;
		ret = report_row(st, &r);
		if (ret == 0) {
			ret = cb(arg, &r);
		}
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read reports");
	}
	sqlite3_reset(st);
	return ret;
}

static int each_report(sqlite_store_t *q, const char *ip, int64_t since_ms, store_report_cb cb,
		       void *arg)
{
	sqlite3_stmt *st = stmt(q, ST_REPORTS_FOR_IP);
	bind_text(st, 1, ip);
	sqlite3_bind_int64(st, 2, since_ms);
	return report_rows(q, st, cb, arg);
}

static int sq_reports_challengeable(store_t *s, const char *ip, const char *subject_key,
				    store_report_cb cb, void *arg)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_REPORTS_BY_SUBJECT);
	bind_text(st, 1, ip);
	bind_text(st, 2, subject_key);
	return report_rows(q, st, cb, arg);
}

static int each_hit(sqlite_store_t *q, const char *ip, int64_t since_ms, store_trap_hit_cb cb,
		    void *arg)
{
	sqlite3_stmt *st = stmt(q, ST_HITS_FOR_IP);
	bind_text(st, 1, ip);
	sqlite3_bind_int64(st, 2, since_ms);
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_trap_hit_t h = { 0 };
		h.id = sqlite3_column_int64(st, 0);
		copy_col(st, 1, h.trap_address, sizeof(h.trap_address));
		ret = col_ip(st, 2, &h.ip);
		copy_col(st, 3, h.helo, sizeof(h.helo));
		h.received_ms = sqlite3_column_int64(st, 4);
		copy_col(st, 5, h.digest, sizeof(h.digest));
		h.kind = kind_parse(sqlite3_column_text(st, 6));
		if (ret == 0) {
			ret = cb(arg, &h);
		}
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read trap hits");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_evidence_for_ip(store_t *s, const char *ip, int64_t since_ms,
			      store_report_cb on_report, store_trap_hit_cb on_hit, void *arg)
{
	sqlite_store_t *q = impl(s);
	int ret = on_report ? each_report(q, ip, since_ms, on_report, arg) : 0;
	if (ret == 0 && on_hit) {
		ret = each_hit(q, ip, since_ms, on_hit, arg);
	}
	return ret;
}

/* ---- listings ---- */

static int read_listing(sqlite3_stmt *st, store_listing_t *l)
{
	memset(l, 0, sizeof(*l));
	int ret = col_ip(st, 0, &l->ip);
	l->listed = sqlite3_column_int(st, 1) != 0;
	l->listed_since_ms = sqlite3_column_int64(st, 2);
	l->last_evidence_ms = sqlite3_column_int64(st, 3);
	l->delist_at_ms = sqlite3_column_int64(st, 4);
	l->deputy_delisted_ms = sqlite3_column_int64(st, 5);
	copy_col(st, 6, l->reason_code, sizeof(l->reason_code));
	copy_col(st, 7, l->reason_text, sizeof(l->reason_text));
	return ret;
}

static int sq_listing_get(store_t *s, const char *ip, store_listing_t *out)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_LISTING_GET);
	bind_text(st, 1, ip);
	int rc = sqlite3_step(st);
	int ret;
	if (rc == SQLITE_ROW) {
		ret = read_listing(st, out);
	} else {
		ret = rc == SQLITE_DONE ? IPBL_ENOENT : fail(q, rc, "get listing");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_listing_put(store_t *s, const store_listing_t *l, const char *ip)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_LISTING_PUT);
	bind_text(st, 1, ip);
	sqlite3_bind_int(st, 2, l->listed ? 1 : 0);
	sqlite3_bind_int64(st, 3, l->listed_since_ms);
	sqlite3_bind_int64(st, 4, l->last_evidence_ms);
	sqlite3_bind_int64(st, 5, l->delist_at_ms);
	sqlite3_bind_int64(st, 6, l->deputy_delisted_ms);
	bind_text(st, 7, l->reason_code);
	bind_text(st, 8, l->reason_text);
	return exec_done(q, st, "put listing");
}

static int sq_listings_count(store_t *s, size_t *n_out)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_LISTINGS_COUNT);
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		*n_out = (size_t)sqlite3_column_int64(st, 0);
	} else {
		ret = fail(q, rc, "count listings");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_listings_each(store_t *s, int64_t due_before_ms, size_t limit, store_listing_cb cb,
			    void *arg)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st;
	if (due_before_ms >= 0) {
		st = stmt(q, ST_LISTINGS_DUE);
		sqlite3_bind_int64(st, 1, due_before_ms);
		sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	} else {
		st = stmt(q, ST_LISTINGS_ALL);
	}
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_listing_t l;
		ret = read_listing(st, &l);
		if (ret == 0) {
			ret = cb(arg, &l);
		}
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read listings");
	}
	sqlite3_reset(st);
	return ret;
}

/* ---- audit ---- */

static int sq_audit_add(store_t *s, const store_audit_t *a)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_AUDIT_ADD);
	sqlite3_bind_int64(st, 1, a->at_ms);
	bind_text(st, 2, a->actor);
	bind_text(st, 3, a->action);
	bind_text(st, 4, a->ip);
	bind_text(st, 5, a->detail);
	return exec_done(q, st, "add audit entry");
}

static int sq_audit_each(store_t *s, const char *ip, store_audit_cb cb, void *arg)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ip ? ST_AUDIT_IP : ST_AUDIT_ALL);
	if (ip) {
		bind_text(st, 1, ip);
	}
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_audit_t a = {
			.at_ms = sqlite3_column_int64(st, 0),
			.actor = (const char *)sqlite3_column_text(st, 1),
			.action = (const char *)sqlite3_column_text(st, 2),
			.ip = (const char *)sqlite3_column_text(st, 3),
			.detail = (const char *)sqlite3_column_text(st, 4),
		};
		ret = cb(arg, &a);
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read audit log");
	}
	sqlite3_reset(st);
	return ret;
}

/* ---- zone journal ---- */

static int sq_journal_last(store_t *s, uint32_t *serial_out)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_JOURNAL_LAST);
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		*serial_out = (uint32_t)sqlite3_column_int64(st, 0);
	} else {
		ret = fail(q, rc, "read journal");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_journal_append(store_t *s, uint32_t serial, int64_t at_ms, const char *added,
			     const char *removed)
{
	sqlite_store_t *q = impl(s);
	uint32_t last = 0;
	int ret = sq_journal_last(s, &last);
	if (ret != 0) {
		return ret;
	}
	if (serial <= last) {
		snprintf(q->errmsg, sizeof(q->errmsg), "journal serial %u is not after %u", serial,
			 last);
		return IPBL_EINVAL;
	}
	sqlite3_stmt *st = stmt(q, ST_JOURNAL_ADD);
	sqlite3_bind_int64(st, 1, serial);
	sqlite3_bind_int64(st, 2, at_ms);
	bind_text(st, 3, added);
	bind_text(st, 4, removed);
	return exec_done(q, st, "append to journal");
}

static int sq_journal_since(store_t *s, uint32_t serial, store_journal_cb cb, void *arg)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_JOURNAL_SINCE);
	sqlite3_bind_int64(st, 1, serial);
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = cb(arg, (uint32_t)sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			 (const char *)sqlite3_column_text(st, 2),
			 (const char *)sqlite3_column_text(st, 3));
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read journal");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_journal_compact(store_t *s, size_t keep)
{
	sqlite_store_t *q = impl(s);
	if (keep == 0) {
		return IPBL_EINVAL;
	}
	sqlite3_stmt *st = stmt(q, ST_JOURNAL_COMPACT);
	sqlite3_bind_int64(st, 1, (int64_t)keep);
	return exec_done(q, st, "compact journal");
}

/* ==== cases and deputies (0003_cases.sql) ==== */

static enum store_case_status case_status_parse(const unsigned char *t)
{
	if (t && strcmp((const char *)t, "answered") == 0) {
		return STORE_CASE_ANSWERED;
	}
	if (t && strcmp((const char *)t, "closed") == 0) {
		return STORE_CASE_CLOSED;
	}
	return STORE_CASE_OPEN;
}

static int sq_case_report_add(store_t *s, int64_t case_id, int64_t report_id)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_CASE_REPORT_ADD);
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, report_id);
	int ret = exec_done(q, st, "add a report to a case");
	if (ret == IPBL_EEXIST && sqlite3_extended_errcode(q->db) == SQLITE_CONSTRAINT_FOREIGNKEY) {
		ret = IPBL_ESTORE; /* an unknown case or report */
	}
	return ret;
}

static int sq_case_reports_each(store_t *s, int64_t case_id, store_id_cb cb, void *arg)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_CASE_REPORTS);
	sqlite3_bind_int64(st, 1, case_id);
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = cb(arg, sqlite3_column_int64(st, 0));
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read the reports of a case");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_case_add(store_t *s, store_case_t *c, const char *ip)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_CASE_ADD);
	bind_text(st, 1, c->token_hash);
	bind_text(st, 2, store_case_kind_name(c->kind));
	bind_text(st, 3, store_case_status_name(c->status));
	bind_text(st, 4, ip);
	if (c->report_id > 0) {
		sqlite3_bind_int64(st, 5, c->report_id);
	} else {
		sqlite3_bind_null(st, 5);
	}
	bind_text(st, 6, c->filer_name);
	bind_text(st, 7, c->filer_address);
	bind_text(st, 8, c->relationship);
	sqlite3_bind_int64(st, 9, c->created_ms);
	sqlite3_bind_int64(st, 10, c->updated_ms ? c->updated_ms : c->created_ms);
	int ret = exec_done(q, st, "add case");
	if (ret == 0) {
		c->id = sqlite3_last_insert_rowid(q->db);
		ret = c->report_id > 0 ? sq_case_report_add(s, c->id, c->report_id) : 0;
	} else if (ret == IPBL_EEXIST &&
		   sqlite3_extended_errcode(q->db) == SQLITE_CONSTRAINT_FOREIGNKEY) {
		ret = IPBL_ESTORE; /* an unknown report, not a taken token */
	}
	return ret;
}

/* A row of CASE_COLS into *c. */
static int case_row(sqlite3_stmt *st, store_case_t *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, c->token_hash, sizeof(c->token_hash));
	const unsigned char *kind = sqlite3_column_text(st, 2);
	c->kind = kind && strcmp((const char *)kind, "challenge") == 0 ? STORE_CASE_CHALLENGE
								       : STORE_CASE_ASK;
	c->status = case_status_parse(sqlite3_column_text(st, 3));
	int ret = col_ip(st, 4, &c->ip);
	c->report_id = sqlite3_column_int64(st, 5);
	copy_col(st, 6, c->filer_name, sizeof(c->filer_name));
	copy_col(st, 7, c->filer_address, sizeof(c->filer_address));
	copy_col(st, 8, c->relationship, sizeof(c->relationship));
	c->created_ms = sqlite3_column_int64(st, 9);
	c->updated_ms = sqlite3_column_int64(st, 10);
	return ret;
}

static int sq_case_get(store_t *s, int64_t id, const char *token_hash, int64_t report_id,
		       store_case_t *out)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st;
	if (token_hash != NULL) {
		st = stmt(q, ST_CASE_BY_TOKEN);
		bind_text(st, 1, token_hash);
	} else if (report_id > 0) {
		st = stmt(q, ST_CASE_BY_REPORT);
		sqlite3_bind_int64(st, 1, report_id);
	} else {
		st = stmt(q, ST_CASE_BY_ID);
		sqlite3_bind_int64(st, 1, id);
	}
	int rc = sqlite3_step(st);
	int ret;
	if (rc == SQLITE_ROW) {
		ret = case_row(st, out);
	} else {
		ret = rc == SQLITE_DONE ? IPBL_ENOENT : fail(q, rc, "get case");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_case_set_status(store_t *s, int64_t id, enum store_case_status status, int64_t at_ms)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_CASE_STATUS);
	bind_text(st, 1, store_case_status_name(status));
	sqlite3_bind_int64(st, 2, at_ms);
	sqlite3_bind_int64(st, 3, id);
	int ret = exec_done(q, st, "set case status");
	return ret == 0 && sqlite3_changes(q->db) == 0 ? IPBL_ENOENT : ret;
}

static int sq_cases_each(store_t *s, const char *ip, bool include_closed, store_case_cb cb,
			 void *arg)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_CASES_EACH);
	bind_text(st, 1, ip);
	sqlite3_bind_int(st, 2, include_closed ? 1 : 0);
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_case_t c;
		ret = case_row(st, &c);
		if (ret == 0) {
			ret = cb(arg, &c);
		}
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read cases");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_case_message_add(store_t *s, store_case_message_t *m)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_CASE_TOUCH);
	sqlite3_bind_int64(st, 1, m->at_ms);
	sqlite3_bind_int64(st, 2, m->case_id);
	int ret = exec_done(q, st, "touch case");
	if (ret == 0 && sqlite3_changes(q->db) == 0) {
		return IPBL_ENOENT;
	}
	if (ret != 0) {
		return ret;
	}
	st = stmt(q, ST_CASE_MSG_ADD);
	sqlite3_bind_int64(st, 1, m->case_id);
	sqlite3_bind_int64(st, 2, m->at_ms);
	bind_text(st, 3, m->author);
	bind_text(st, 4, m->body);
	ret = exec_done(q, st, "add case message");
	if (ret == 0) {
		m->id = sqlite3_last_insert_rowid(q->db);
	}
	return ret;
}

static int sq_case_messages_each(store_t *s, int64_t case_id, store_case_message_cb cb, void *arg)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_CASE_MSGS);
	sqlite3_bind_int64(st, 1, case_id);
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_case_message_t m = {
			.id = sqlite3_column_int64(st, 0),
			.case_id = sqlite3_column_int64(st, 1),
			.at_ms = sqlite3_column_int64(st, 2),
			.author = (const char *)sqlite3_column_text(st, 3),
			.body = (const char *)sqlite3_column_text(st, 4),
		};
		ret = cb(arg, &m);
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read case messages");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_deputy_add(store_t *s, store_deputy_t *d)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_DEPUTY_ADD);
	bind_text(st, 1, d->name);
	bind_text(st, 2, d->password_hash);
	sqlite3_bind_int64(st, 3, d->created_ms);
	int ret = exec_done(q, st, "add deputy");
	if (ret == 0) {
		d->id = sqlite3_last_insert_rowid(q->db);
	}
	return ret;
}

/* A row of DEPUTY_COLS into *d. */
static void deputy_row(sqlite3_stmt *st, store_deputy_t *d)
{
	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, d->name, sizeof(d->name));
	copy_col(st, 2, d->password_hash, sizeof(d->password_hash));
	d->created_ms = sqlite3_column_int64(st, 3);
}

static int sq_deputy_get(store_t *s, const char *name, store_deputy_t *out)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_DEPUTY_BY_NAME);
	bind_text(st, 1, name);
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		deputy_row(st, out);
	} else {
		ret = rc == SQLITE_DONE ? IPBL_ENOENT : fail(q, rc, "get deputy");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_deputies_each(store_t *s, store_deputy_cb cb, void *arg)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_DEPUTIES_ALL);
	int ret = 0;
	int rc;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_deputy_t d;
		deputy_row(st, &d);
		ret = cb(arg, &d);
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ret = fail(q, rc, "read deputies");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_session_add(store_t *s, const char *id_hash, int64_t deputy_id, int64_t created_ms,
			  int64_t expires_ms)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_SESSION_ADD);
	bind_text(st, 1, id_hash);
	sqlite3_bind_int64(st, 2, deputy_id);
	sqlite3_bind_int64(st, 3, created_ms);
	sqlite3_bind_int64(st, 4, expires_ms);
	int ret = exec_done(q, st, "add session");
	if (ret == IPBL_EEXIST && sqlite3_extended_errcode(q->db) == SQLITE_CONSTRAINT_FOREIGNKEY) {
		ret = IPBL_ENOENT; /* an unknown deputy */
	}
	return ret;
}

static int sq_session_get(store_t *s, const char *id_hash, int64_t now_ms, store_deputy_t *out,
			  int64_t *expires_ms)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_SESSION_GET);
	bind_text(st, 1, id_hash);
	sqlite3_bind_int64(st, 2, now_ms);
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		deputy_row(st, out);
		*expires_ms = sqlite3_column_int64(st, 4);
	} else {
		ret = rc == SQLITE_DONE ? IPBL_ENOENT : fail(q, rc, "get session");
	}
	sqlite3_reset(st);
	return ret;
}

static int sq_session_delete(store_t *s, const char *id_hash)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_SESSION_DELETE);
	bind_text(st, 1, id_hash);
	return exec_done(q, st, "delete session");
}

static int sq_sessions_expire(store_t *s, int64_t now_ms)
{
	sqlite_store_t *q = impl(s);
	sqlite3_stmt *st = stmt(q, ST_SESSIONS_EXPIRE);
	sqlite3_bind_int64(st, 1, now_ms);
	return exec_done(q, st, "expire sessions");
}

const store_ops_t store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.errmsg = sq_errmsg,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.reporter_add = sq_reporter_add,
	.reporter_get = sq_reporter_get,
	.reporter_set_standing = sq_reporter_set_standing,
	.reporter_by_key = sq_reporter_by_key,
	.reporter_ips = sq_reporter_ips,
	.report_add = sq_report_add,
	.report_get = sq_report_get,
	.listings_count = sq_listings_count,
	.report_set_state = sq_report_set_state,
	.report_set_challenged = sq_report_set_challenged,
	.reports_challengeable = sq_reports_challengeable,
	.trap_hit_add = sq_trap_hit_add,
	.evidence_for_ip = sq_evidence_for_ip,
	.listing_get = sq_listing_get,
	.listing_put = sq_listing_put,
	.listings_each = sq_listings_each,
	.audit_add = sq_audit_add,
	.audit_each = sq_audit_each,
	.journal_append = sq_journal_append,
	.journal_last = sq_journal_last,
	.journal_since = sq_journal_since,
	.journal_compact = sq_journal_compact,
	/* cases and deputies (0003_cases.sql) */
	.case_add = sq_case_add,
	.case_get = sq_case_get,
	.case_report_add = sq_case_report_add,
	.case_reports_each = sq_case_reports_each,
	.case_set_status = sq_case_set_status,
	.cases_each = sq_cases_each,
	.case_message_add = sq_case_message_add,
	.case_messages_each = sq_case_messages_each,
	.deputy_add = sq_deputy_add,
	.deputy_get = sq_deputy_get,
	.deputies_each = sq_deputies_each,
	.session_add = sq_session_add,
	.session_get = sq_session_get,
	.session_delete = sq_session_delete,
	.sessions_expire = sq_sessions_expire,
};
