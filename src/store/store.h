/* SPDX-License-Identifier: BSD-2-Clause */
/* The store: the persistence port of ipbl. Callers see these functions and types, never
 * SQL; a backend (store_sqlite.c now, PostgreSQL later) implements them behind a table of
 * operations chosen by name at open. Several processes may use one store at once (the
 * daemon and the ipbl command): writes happen in short transactions that wait for each
 * other instead of failing. Not thread-safe: one store_t per thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/ipaddr.h"

typedef struct store store_t;

enum store_standing {
	STORE_STANDING_GOOD = 0,
	STORE_STANDING_FINED,
	STORE_STANDING_BANNED,
};

enum store_report_state {
	STORE_REPORT_COUNTED = 0,
	STORE_REPORT_WITHDRAWN,
	STORE_REPORT_VOIDED,
};

/* What kind of mail a report or trap hit was (mail/kind.h decides). */
enum store_evidence_kind {
	STORE_KIND_SPAM = 0,
	STORE_KIND_BOUNCE,     /* a misdirected bounce: backscatter */
	STORE_KIND_AUTO_REPLY, /* a vacation message or autoresponder: backscatter */
};

#define STORE_NAME_MAX 64
#define STORE_TEXT_MAX 512
/* A subject key: 32 hex digits (engine_subject_key) and the NUL. */
#define STORE_SUBJECT_KEY_LEN 33

typedef struct {
	int64_t id;
	char name[STORE_NAME_MAX];
	char api_key_hash[128];		/* the key itself is never stored */
	char mailhosts[STORE_TEXT_MAX]; /* comma-separated relays of this reporter */
	enum store_standing standing;
	uint32_t fines;
	int64_t created_ms;
} store_reporter_t;

typedef struct {
	int64_t id;	     /* set by store_report_add */
	int64_t reporter_id; /* 0: no reporter account (a trusted feed) */
	ipbl_ipaddr_t ip;
	int64_t received_ms;
	char digest[72];      /* of the spam, so the same spam counts once */
	const char *evidence; /* redacted header block and hops (JSON); borrowed */
	enum store_report_state state;
	enum store_evidence_kind kind;
	bool challenged; /* its weight is set aside while a challenge is open */
	/* the key of the reported spam's Subject (engine_subject_key); "" when it had none or
	 * the report was stored before migration 0007 */
	char subject_key[STORE_SUBJECT_KEY_LEN];
	/* filled when read back (store_evidence_for_ip, store_report_get): the reporter's
	 * standing now; GOOD and 0 for a report without an account */
	enum store_standing reporter_standing;
	uint32_t reporter_fines;
} store_report_t;

typedef struct {
	int64_t id;
	char trap_address[256];
	ipbl_ipaddr_t ip;
	char helo[256];
	int64_t received_ms;
	char digest[72];
	enum store_evidence_kind kind;
} store_trap_hit_t;

typedef struct {
	ipbl_ipaddr_t ip;
	bool listed;
	int64_t listed_since_ms;    /* when the current listing began; 0 when not listed */
	int64_t last_evidence_ms;   /* newest counted report or trap hit */
	int64_t delist_at_ms;	    /* when the listing ends unless new evidence arrives */
	int64_t deputy_delisted_ms; /* the latest deputy delisting, 0 if none */
	char reason_code[32];
	char reason_text[512]; /* POLICY_SENTENCE_MAX */
} store_listing_t;

typedef struct {
	int64_t at_ms;
	const char *actor;  /* "engine", "deputy NAME", "reporter NAME" */
	const char *action; /* "listed", "delisted", "report", ... */
	const char *ip;	    /* may be "" */
	const char *detail; /* why */
} store_audit_t;

/* Open the store: backend "sqlite" with path a database file (created, with its schema, on
 * first use; ":memory:" for tests). Applies pending migrations. On failure returns IPBL_E*
 * with a message in err. Caller owns *out: close with store_close. */
int store_open(const char *backend, const char *path, store_t **out, char *err,
	       size_t err_len) IPBL_MUSTCHECK;
void store_close(store_t *s);

/* The schema version of the open store (PRAGMA user_version for SQLite). */
int store_schema_version(store_t *s);

/* The last error message of this store (borrowed, valid until the next call). */
const char *store_errmsg(store_t *s);

/* A write transaction: it waits for other writers (busy timeout), then holds the write lock
 * until commit or rollback. Keep it short. */
int store_begin(store_t *s) IPBL_MUSTCHECK;
int store_commit(store_t *s) IPBL_MUSTCHECK;
void store_rollback(store_t *s);

/* Reporters. add: IPBL_EEXIST when the name is taken. get: IPBL_ENOENT when unknown. */
int store_reporter_add(store_t *s, store_reporter_t *r) IPBL_MUSTCHECK;
int store_reporter_get(store_t *s, const char *name, store_reporter_t *out) IPBL_MUSTCHECK;
int store_reporter_get_by_id(store_t *s, int64_t id, store_reporter_t *out) IPBL_MUSTCHECK;
int store_reporter_set_standing(store_t *s, int64_t id, enum store_standing standing,
				uint32_t fines) IPBL_MUSTCHECK;
/* The reporter whose api_key_hash equals key_hash. IPBL_ENOENT when none. */
int store_reporter_get_by_key_hash(store_t *s, const char *key_hash,
				   store_reporter_t *out) IPBL_MUSTCHECK;
/* Every address the reporter reported at or after since_ms, each once, in text order. */
typedef int (*store_ip_cb)(void *arg, const ipbl_ipaddr_t *ip);
int store_reporter_ips(store_t *s, int64_t reporter_id, int64_t since_ms, store_ip_cb cb,
		       void *arg) IPBL_MUSTCHECK;

typedef int (*store_report_cb)(void *arg, const store_report_t *r);

/* Add a report; sets r->id. IPBL_EEXIST (and r->id of the earlier one) when a report with
 * the same digest is already stored: the same spam counts once. */
int store_report_add(store_t *s, store_report_t *r) IPBL_MUSTCHECK;
int store_report_set_state(store_t *s, int64_t id, enum store_report_state state) IPBL_MUSTCHECK;
/* Set or clear a report's open challenge. IPBL_ENOENT for an unknown id. */
int store_report_set_challenged(store_t *s, int64_t id, bool challenged) IPBL_MUSTCHECK;
/* One report by id, without its evidence (NULL). IPBL_ENOENT when unknown. */
int store_report_get(store_t *s, int64_t id, store_report_t *out) IPBL_MUSTCHECK;
/* The evidence text of a report into buf (cut to len - 1 bytes). IPBL_ENOENT when unknown. */
int store_report_evidence(store_t *s, int64_t id, char *buf, size_t len) IPBL_MUSTCHECK;

/* The reports naming ip whose subject key is subject_key that a challenge may still take:
 * counted, not challenged, and in no case that is not closed; oldest first, evidence not
 * loaded. A report without a key never matches. The callback returns 0 to go on. */
int store_reports_challengeable(store_t *s, const ipbl_ipaddr_t *ip, const char *subject_key,
				store_report_cb cb, void *arg) IPBL_MUSTCHECK;

/* Add a trap hit; sets h->id. IPBL_EEXIST for a digest already stored. */
int store_trap_hit_add(store_t *s, store_trap_hit_t *h) IPBL_MUSTCHECK;

/* Every report and trap hit for ip received at or after since_ms, oldest first. The
 * report's evidence is not loaded (NULL). The callbacks return 0 to go on. */
typedef int (*store_trap_hit_cb)(void *arg, const store_trap_hit_t *h);
int store_evidence_for_ip(store_t *s, const ipbl_ipaddr_t *ip, int64_t since_ms,
			  store_report_cb on_report, store_trap_hit_cb on_hit,
			  void *arg) IPBL_MUSTCHECK;

/* Listings. get: IPBL_ENOENT when the address has no record. put inserts or replaces. */
int store_listing_get(store_t *s, const ipbl_ipaddr_t *ip, store_listing_t *out) IPBL_MUSTCHECK;
int store_listing_put(store_t *s, const store_listing_t *l) IPBL_MUSTCHECK;
/* How many listings have listed set. */
int store_listings_count(store_t *s, size_t *n_out) IPBL_MUSTCHECK;
/* Every listing with listed set, in address text order. */
typedef int (*store_listing_cb)(void *arg, const store_listing_t *l);
int store_listings_each(store_t *s, store_listing_cb cb, void *arg) IPBL_MUSTCHECK;
/* Listed entries whose delist_at_ms <= now_ms, earliest first, at most limit. */
int store_listings_due(store_t *s, int64_t now_ms, size_t limit, store_listing_cb cb,
		       void *arg) IPBL_MUSTCHECK;

/* Append to the audit log (append-only: there is no update or delete). */
int store_audit_add(store_t *s, const store_audit_t *a) IPBL_MUSTCHECK;
typedef int (*store_audit_cb)(void *arg, const store_audit_t *a);
/* The audit entries for ip (or all when ip is NULL), oldest first. */
int store_audit_each(store_t *s, const char *ip, store_audit_cb cb, void *arg) IPBL_MUSTCHECK;

/* The zone journal: serial -> addresses listed and delisted by that change (space-separated
 * text). append: serial must be greater than the last one (IPBL_EINVAL otherwise). */
int store_journal_append(store_t *s, uint32_t serial, int64_t at_ms, const char *added,
			 const char *removed) IPBL_MUSTCHECK;
/* The last serial (0 when the journal is empty). */
int store_journal_last(store_t *s, uint32_t *serial_out) IPBL_MUSTCHECK;
/* Entries after serial, oldest first. */
typedef int (*store_journal_cb)(void *arg, uint32_t serial, int64_t at_ms, const char *added,
				const char *removed);
int store_journal_since(store_t *s, uint32_t serial, store_journal_cb cb, void *arg) IPBL_MUSTCHECK;
/* Keep only the newest keep entries. */
int store_journal_compact(store_t *s, size_t keep) IPBL_MUSTCHECK;

const char *store_standing_name(enum store_standing s);
/* "spam", "bounce" or "auto-reply": the stored and shown name. */
const char *store_evidence_kind_name(enum store_evidence_kind k);
const char *store_report_state_name(enum store_report_state s);

/* ==== Cases and deputies (migration 0003): the dispute forms and the deputy console ====
 * A case is a question about a listing (ASK, from the admin of the address) or a challenge
 * of one report (CHALLENGE, from the sender of the reported mail). Its filer follows it with
 * an unguessable link whose token is stored only as a hash; deputies reply on it. Deputies
 * log in with a password (stored as an argon2id string) and get a session whose id is stored
 * only as a hash, with an expiry. */

enum store_case_kind {
	STORE_CASE_ASK = 0,
	STORE_CASE_CHALLENGE,
};

enum store_case_status {
	STORE_CASE_OPEN = 0, /* waiting for a deputy */
	STORE_CASE_ANSWERED, /* a deputy replied; the filer may add to it */
	STORE_CASE_CLOSED,   /* decided; nobody may add to it */
};

#define STORE_HASH_MAX 72	    /* "b2:" + 64 hex digits and the NUL fit */
#define STORE_CASE_FIELD_MAX 256    /* a filer's name, address, relationship to the IP */
#define STORE_PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */

typedef struct {
	int64_t id;			 /* set by store_case_add */
	char token_hash[STORE_HASH_MAX]; /* of the filer's link token */
	enum store_case_kind kind;
	enum store_case_status status;
	ipbl_ipaddr_t ip;  /* the address the case is about */
	int64_t report_id; /* CHALLENGE: the (first) report; 0 for ASK */
	char filer_name[STORE_CASE_FIELD_MAX];
	char filer_address[STORE_CASE_FIELD_MAX]; /* a role address: postmaster@, abuse@ ... */
	char relationship[STORE_CASE_FIELD_MAX];  /* the filer's relationship to the address */
	int64_t created_ms;
	int64_t updated_ms; /* the latest message or status change */
} store_case_t;

typedef struct {
	int64_t id; /* set by store_case_message_add */
	int64_t case_id;
	int64_t at_ms;
	const char *author; /* "filer" or "deputy NAME"; borrowed */
	const char *body;   /* borrowed */
} store_case_message_t;

/* Add a case (status as given, normally OPEN); sets c->id, and a challenge covers its
 * report_id (store_case_report_add). IPBL_EEXIST when the token hash is taken. IPBL_ESTORE
 * for an unknown report_id. */
int store_case_add(store_t *s, store_case_t *c) IPBL_MUSTCHECK;
/* Let a challenge case cover one more report (migration 0007: one mailing reported by
 * several reporters is one case). IPBL_EEXIST when it covers it already; IPBL_ESTORE for an
 * unknown case or report. */
int store_case_report_add(store_t *s, int64_t case_id, int64_t report_id) IPBL_MUSTCHECK;
/* The reports a case covers, by number. */
typedef int (*store_id_cb)(void *arg, int64_t id);
int store_case_reports_each(store_t *s, int64_t case_id, store_id_cb cb, void *arg) IPBL_MUSTCHECK;
/* One case by id, or by the hash of its token. IPBL_ENOENT when there is none. */
int store_case_get(store_t *s, int64_t id, store_case_t *out) IPBL_MUSTCHECK;
int store_case_find_by_token(store_t *s, const char *token_hash, store_case_t *out) IPBL_MUSTCHECK;
/* The newest case covering report_id that is not closed. IPBL_ENOENT when none. */
int store_case_find_open_for_report(store_t *s, int64_t report_id,
				    store_case_t *out) IPBL_MUSTCHECK;
/* The first of ids[0..n) that a case not closed covers, into *report_id, and the newest such
 * case into out (may be NULL). IPBL_ENOENT when none is covered. Inside a transaction
 * (store_begin takes the write lock up front) the answer holds until commit, so a writer can
 * check and then add a case without another writer taking the same reports in between. */
int store_case_find_open_for_reports(store_t *s, const int64_t *ids, size_t n, int64_t *report_id,
				     store_case_t *out) IPBL_MUSTCHECK;
/* Set a case's status and its updated time. IPBL_ENOENT for an unknown id. */
int store_case_set_status(store_t *s, int64_t id, enum store_case_status status,
			  int64_t at_ms) IPBL_MUSTCHECK;
/* Cases about ip (every case when ip is NULL), closed ones only when include_closed, least
 * recently updated first (the queue order: who waited longest comes first). */
typedef int (*store_case_cb)(void *arg, const store_case_t *c);
int store_cases_each(store_t *s, const ipbl_ipaddr_t *ip, bool include_closed, store_case_cb cb,
		     void *arg) IPBL_MUSTCHECK;
/* Add a message to a case and set the case's updated time to its at_ms; sets m->id.
 * IPBL_ENOENT for an unknown case. */
int store_case_message_add(store_t *s, store_case_message_t *m) IPBL_MUSTCHECK;
/* The messages of a case, oldest first. */
typedef int (*store_case_message_cb)(void *arg, const store_case_message_t *m);
int store_case_messages_each(store_t *s, int64_t case_id, store_case_message_cb cb,
			     void *arg) IPBL_MUSTCHECK;

typedef struct {
	int64_t id; /* set by store_deputy_add */
	char name[STORE_NAME_MAX];
	char password_hash[STORE_PASSWORD_HASH_MAX]; /* argon2id string (crypto_pwhash_str) */
	int64_t created_ms;
} store_deputy_t;

/* add: IPBL_EEXIST when the name is taken. get: IPBL_ENOENT when unknown. */
int store_deputy_add(store_t *s, store_deputy_t *d) IPBL_MUSTCHECK;
int store_deputy_get(store_t *s, const char *name, store_deputy_t *out) IPBL_MUSTCHECK;
/* Every deputy, by name. */
typedef int (*store_deputy_cb)(void *arg, const store_deputy_t *d);
int store_deputies_each(store_t *s, store_deputy_cb cb, void *arg) IPBL_MUSTCHECK;

/* Sessions of the deputy console, keyed by the hash of the session id. add: IPBL_EEXIST for
 * a hash already stored. get: the deputy of a session that expires after now_ms (and
 * *expires_ms, may be NULL); IPBL_ENOENT for an unknown or expired one. delete: a no-op for
 * an unknown hash. expire: removes every session expired at now_ms. */
int store_session_add(store_t *s, const char *id_hash, int64_t deputy_id, int64_t created_ms,
		      int64_t expires_ms) IPBL_MUSTCHECK;
int store_session_get(store_t *s, const char *id_hash, int64_t now_ms, store_deputy_t *out,
		      int64_t *expires_ms) IPBL_MUSTCHECK;
int store_session_delete(store_t *s, const char *id_hash) IPBL_MUSTCHECK;
int store_sessions_expire(store_t *s, int64_t now_ms) IPBL_MUSTCHECK;

const char *store_case_kind_name(enum store_case_kind k);
const char *store_case_status_name(enum store_case_status st);
