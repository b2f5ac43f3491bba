/* SPDX-License-Identifier: BSD-2-Clause */
/* The listing engine: evidence in, listings out. Every writer (the ipbl command, the web API,
 * the trap listener, the daemon's expiry timer) goes through these functions, so one place
 * decides: each call stores the evidence, re-decides the IP with the policy, records the new
 * listing, appends to the audit log and, when the IP was listed or delisted, to the zone
 * journal, all in one store transaction. A call that returns 0 has committed; on failure
 * nothing of it is stored. Several processes may call at once (the store serialises them).
 *
 * The daemon follows the journal (engine/follow.h) to serve the listings over DNS; a process
 * that only writes never touches DNS. Not thread-safe: one engine_t per thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/ipaddr.h"
#include "policy/policy.h"
#include "store/store.h"
#include "zone/snapshot.h"

typedef struct engine engine_t;

/* A new engine on an open store and clock (both borrowed until engine_free), with the
 * [policy] rules of conf. Returns 0, or IPBL_ECONF with "FILE: [policy] message" in err. */
int engine_new(const ipbl_conf_t *conf, store_t *store, ipbl_clock_t *clock, engine_t **out,
	       char *err, size_t err_len) IPBL_MUSTCHECK;
void engine_free(engine_t *e);

int64_t engine_now_ms(const engine_t *e);
const policy_rules_t *engine_rules(const engine_t *e);
store_t *engine_store(engine_t *e);

/* The outcome of a write for the IP it concerned. */
typedef struct {
	int64_t id;	 /* the stored report or trap hit (the earlier one for a duplicate) */
	bool duplicate;	 /* the same spam was already stored: it counts once, nothing changed */
	bool was_listed; /* before this call */
	policy_decision_t decision; /* the IP's state after this call */
} engine_result_t;

/* A spam report. reporter: an account name, or NULL for a trusted feed without one.
 * digest: identifies the spam (engine_digest), so the same spam counts once. evidence: the
 * redacted header block and hops as JSON text (borrowed; may be ""). Errors: IPBL_ENOENT
 * for an unknown reporter, IPBL_EACCES for a banned one (nothing stored), IPBL_EINVAL for an
 * address that is never listed (loopback, private, documentation ...), IPBL_EPOLICY when the
 * policy refuses the stored evidence (logged), IPBL_E* from the store (message in
 * store_errmsg). An IPv4-mapped IPv6 address is taken as its IPv4 address. A duplicate
 * changes nothing and gives the current decision. */
typedef struct {
	const char *reporter;
	ipbl_ipaddr_t ip;
	const char *digest;
	const char *evidence;
	enum store_evidence_kind kind; /* engine_evidence_kind of the message; 0 = spam */
	const char *subject_key;       /* engine_subject_key of the spam's Subject, or NULL */
} engine_report_t;
int engine_report(engine_t *e, const engine_report_t *in, engine_result_t *out) IPBL_MUSTCHECK;

/* A report from a raw message (RFC 5322, or a report carrying the spam as message/rfc822):
 * finds the source with the Received walk (past the reporter's mail hosts and the extra
 * trusted relays), builds the evidence (the hops, redacted), keys the Subject of the message
 * the walk read (engine_subject_key) and files it with engine_report.
 * ip, when not NULL, is the source given by a trusted feed (no walk). Errors as
 * engine_report, plus IPBL_EFORMAT (not a message) and IPBL_ENOENT with why set when no source
 * can be found ("undetermined: ..."). *source gets the IP that was blamed. */
typedef struct {
	const char *reporter;	 /* NULL: no account */
	const char *trusted;	 /* extra relays: comma-separated IPs, CIDRs, names; may be NULL */
	const ipbl_ipaddr_t *ip; /* explicit source, or NULL to find it */
	const char *msg;
	size_t len;
} engine_message_t;
int engine_report_message(engine_t *e, const engine_message_t *m, engine_result_t *out,
			  ipbl_ipaddr_t *source, char *why, size_t why_len) IPBL_MUSTCHECK;

/* The key that finds a report by the Subject of its spam: BLAKE2b-128 (no key: it only has
 * to tell subjects apart, and the text is not kept) of mail_subject_normalise(subject), as
 * 32 hex digits and the NUL into out. The same key comes from the raw field (RFC 2047
 * encoded-words decoded) and from what a sender types. Returns false, out "", for a blank
 * subject (nothing to find it by) or when out of memory. */
#define ENGINE_SUBJECT_KEY_LEN STORE_SUBJECT_KEY_LEN
bool engine_subject_key(const char *subject, size_t len, char out[ENGINE_SUBJECT_KEY_LEN]);

/* A spamtrap hit: mail for trap_address from the directly connected ip. Errors and
 * duplicates as engine_report. */
typedef struct {
	const char *trap_address;
	ipbl_ipaddr_t ip;
	const char *helo; /* may be "" */
	const char *digest;
	int64_t time_ms;	       /* when the trap received it; 0 = now */
	enum store_evidence_kind kind; /* engine_evidence_kind of the message; 0 = spam */
} engine_trap_hit_t;

/* What kind of mail msg is: spam, or a misdirected bounce or auto-reply (backscatter from a
 * server doing its job, which the lookup page and deputies are told about). It still counts
 * as evidence: the server is sending mail to addresses that never wrote to it. */
enum store_evidence_kind engine_evidence_kind(const char *msg, size_t len);
int engine_trap_hit(engine_t *e, const engine_trap_hit_t *in, engine_result_t *out) IPBL_MUSTCHECK;

/* A deputy's delisting of ip: the evidence so far is set aside; newer evidence counts again.
 * by: the deputy's name. IPBL_ENOENT when the IP has no record at all. */
int engine_delist(engine_t *e, const ipbl_ipaddr_t *ip, const char *by, const char *reason,
		  engine_result_t *out) IPBL_MUSTCHECK;

/* A deputy takes back a deputy's delisting of ip (made in error): the evidence set aside by
 * it counts again and ip is re-decided at once (listed again if it still passes the policy).
 * IPBL_ENOENT when the IP has no record; IPBL_EINVAL when no deputy delisted it. */
int engine_reinstate(engine_t *e, const ipbl_ipaddr_t *ip, const char *by, const char *reason,
		     engine_result_t *out) IPBL_MUSTCHECK;

/* A deputy voids a report for reporter error: the report stops counting, its IP is
 * re-decided at once, and its reporter (if any) is fined. IPBL_ENOENT for an unknown id. */
int engine_void_report(engine_t *e, int64_t report_id, const char *by, const char *reason,
		       engine_result_t *out) IPBL_MUSTCHECK;
/* The same for ids[0..n) (the reports of one challenge case) in one transaction: each is
 * voided, each reporter of a report voided now is fined once (not once per report), and
 * each address they touch is re-decided once; or nothing is. A report voided already is
 * left as it is, its reporter not fined again. *out: the decision for the IP of the last
 * one. IPBL_ENOENT when one id is unknown; IPBL_EINVAL when n is 0. */
int engine_void_reports(engine_t *e, const int64_t *ids, size_t n, const char *by,
			const char *reason, engine_result_t *out) IPBL_MUSTCHECK;

/* Set a report's state (counted again, withdrawn, or suspended while a challenge is open:
 * use WITHDRAWN) and re-decide its IP at once, in one transaction, with an audit entry by
 * actor saying why. IPBL_ENOENT for an unknown id. */
int engine_report_set_state(engine_t *e, int64_t report_id, enum store_report_state state,
			    const char *actor, const char *why,
			    engine_result_t *out) IPBL_MUSTCHECK;

/* Open (open true) or close a challenge of a report: while open, its weight is set aside;
 * the IP is re-decided at once, in the same transaction, with an audit entry by actor.
 * Closing it (the deputy upholds the report) makes it count again; voiding it is
 * engine_void_report. IPBL_ENOENT for an unknown id. */
int engine_report_challenge(engine_t *e, int64_t report_id, bool open, const char *actor,
			    const char *why, engine_result_t *out) IPBL_MUSTCHECK;
/* The same for ids[0..n) (one case challenging several reports of one mailing) in one
 * transaction: every report is marked and audited, then each IP they name is re-decided
 * once. *out: the decision for the IP of the last one. IPBL_ENOENT when one id is unknown
 * (nothing changes); IPBL_EINVAL when n is 0. */
int engine_reports_challenge(engine_t *e, const int64_t *ids, size_t n, bool open,
			     const char *actor, const char *why,
			     engine_result_t *out) IPBL_MUSTCHECK;

/* Change a reporter's standing (fine: one more fine, standing fined unless banned; ban) and
 * re-decide every IP it reported inside the report window, so a ban takes its reports out of
 * the list at once. actor: who did it, for the audit log ("operator", "deputy NAME").
 * *n_redecided (may be NULL) gets the number of IPs re-decided. IPBL_ENOENT when unknown. */
int engine_reporter_fine(engine_t *e, const char *name, const char *actor,
			 size_t *n_redecided) IPBL_MUSTCHECK;
int engine_reporter_ban(engine_t *e, const char *name, const char *actor,
			size_t *n_redecided) IPBL_MUSTCHECK;

/* Delist what is due: listings whose delist time has come are re-decided (at most limit per
 * call, each batch in its own short transaction). *n_done gets how many were re-decided and
 * *more whether due listings remain. The daemon calls this from its timer. */
int engine_expire_due(engine_t *e, size_t limit, size_t *n_done, bool *more) IPBL_MUSTCHECK;

/* What `lookup` shows: the policy's view of ip now, with the stored listing's history. */
typedef struct {
	ipbl_ipaddr_t ip;
	bool listed;
	policy_decision_t decision; /* reason, sentence, score, counts */
	size_t reports;		    /* counted reports in the report window */
	size_t trap_hits;	    /* trap hits in the trap window */
	int64_t first_seen_ms;	    /* oldest stored report or trap hit; 0 = none */
	int64_t last_seen_ms;	    /* newest stored report or trap hit; 0 = none */
	int64_t listed_since_ms;    /* 0 when not listed */
	int64_t delist_at_ms;	    /* 0 when not listed */
	int64_t seconds_to_delist;  /* -1 when not listed */
	int64_t deputy_delisted_ms; /* 0 = never */
	size_t backscatter;	    /* of the reports and hits in their windows, how many were
				     * misdirected bounces or auto-replies */
	zone_match_t file;	    /* what the operator's [dns] data files say of ip */
	bool by_file;		    /* listed by a data file and not by the policy */
	bool file_only;		    /* ... and the engine has no record of ip at all */
} engine_lookup_t;

/* IPBL_ENOENT when the IP has no record at all (no report, hit or listing ever). Read only. */
int engine_lookup(engine_t *e, const ipbl_ipaddr_t *ip, engine_lookup_t *out) IPBL_MUSTCHECK;

/* Add what the [dns] data files say of ip (m: from the DNS component, or the files read by
 * the CLI) to a lookup. lookup_ret is what engine_lookup returned: with IPBL_ENOENT and a
 * data file listing ip, *l becomes the lookup of that entry alone (no evidence, no
 * automatic delisting). Returns 0 when *l now holds a lookup, else lookup_ret. */
int engine_lookup_add_file(engine_lookup_t *l, int lookup_ret, const ipbl_ipaddr_t *ip,
			   const zone_match_t *m);

/* The lookup as the contract's JSON object (one line, no newline) appended to b:
 * {"ip","listed","reason","reason_code","reports","trap_hits","first_seen","last_seen",
 *  "listed_since","delist_at","seconds_to_delist","backscatter", ..., "data_file"}; times RFC 3339
 * UTC, absent ones null. Returns 0, IPBL_ENOMEM, or IPBL_ERANGE when b is too small. */
int engine_lookup_json(const engine_lookup_t *l, ipbl_buf_t *b) IPBL_MUSTCHECK;

/* API keys. A key is 32 random bytes shown once as 64 hex digits; the store keeps only its
 * BLAKE2b-256 ("b2:" + hex, ENGINE_KEY_HASH_LEN bytes with the NUL). A fast hash is right for
 * a random 256-bit key (no dictionary to search) and lets the web API find the reporter by
 * the key in one indexed lookup instead of a slow password hash per request. */
#define ENGINE_KEY_HASH_LEN 68
void engine_api_key_hash(const char *key, char out[ENGINE_KEY_HASH_LEN]);
/* The reporter holding key (the Bearer token of the web API). IPBL_ENOENT when none does;
 * IPBL_EACCES when that reporter is banned. */
int engine_reporter_by_key(engine_t *e, const char *key, store_reporter_t *out) IPBL_MUSTCHECK;

/* The digest that identifies a spam: BLAKE2b-256 of the message with line ends and trailing
 * white space normalised, as 64 hex digits into out (at least ENGINE_DIGEST_LEN bytes). A
 * prefix ("trap:" ...) keeps the kinds apart. */
#define ENGINE_DIGEST_LEN 65
void engine_digest(const char *prefix, const void *msg, size_t len, char out[ENGINE_DIGEST_LEN]);

/* The digest of a spamtrap message from peer ip: the same message from the same peer counts
 * once. */
void engine_trap_digest(const ipbl_ipaddr_t *ip, const void *msg, size_t len,
			char out[ENGINE_DIGEST_LEN]);
