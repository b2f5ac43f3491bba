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

#define STORE_NAME_MAX 64
#define STORE_TEXT_MAX 512

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

/* Add a report; sets r->id. IPBL_EEXIST (and r->id of the earlier one) when a report with
 * the same digest is already stored: the same spam counts once. */
int store_report_add(store_t *s, store_report_t *r) IPBL_MUSTCHECK;
int store_report_set_state(store_t *s, int64_t id, enum store_report_state state) IPBL_MUSTCHECK;
/* One report by id, without its evidence (NULL). IPBL_ENOENT when unknown. */
int store_report_get(store_t *s, int64_t id, store_report_t *out) IPBL_MUSTCHECK;
/* The evidence text of a report into buf (cut to len - 1 bytes). IPBL_ENOENT when unknown. */
int store_report_evidence(store_t *s, int64_t id, char *buf, size_t len) IPBL_MUSTCHECK;

/* Add a trap hit; sets h->id. IPBL_EEXIST for a digest already stored. */
int store_trap_hit_add(store_t *s, store_trap_hit_t *h) IPBL_MUSTCHECK;

/* Every report and trap hit for ip received at or after since_ms, oldest first. The
 * report's evidence is not loaded (NULL). The callbacks return 0 to go on. */
typedef int (*store_report_cb)(void *arg, const store_report_t *r);
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
const char *store_report_state_name(enum store_report_state s);
