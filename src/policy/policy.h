/* SPDX-License-Identifier: BSD-2-Clause */
/* The listing policy: a pure function from one IP's evidence (reports, spamtrap hits, the
 * latest deputy delisting) and the time to a decision (listed or not, a reason code, a plain
 * sentence, the numbers behind it, and when the listing ends). Modelled on the SpamCop
 * Blocking List's published rules, with fake-report resistance added; docs/policy.md has
 * the rules, every [policy] setting and worked examples. No I/O, no clock, no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/conf.h"
#include "lib/err.h"

/* Scores are fixed-point: 1 point = 1000 milli-points. */
#define POLICY_MILLI 1000

/* Times are milliseconds since the Unix epoch, from 0 to 9999-12-31T23:59:59.999Z. */
#define POLICY_TIME_MAX_MS 253402300799999LL
/* The longest duration a rule may hold (1000 days); keeps every sum inside int64_t. */
#define POLICY_DURATION_MAX_MS (1000LL * 86400 * 1000)
/* The largest weight or threshold in points. */
#define POLICY_POINTS_MAX 100000LL

/* Every number of the policy; each one is a [policy] setting of the same name. Durations
 * are in milliseconds, weights and the threshold in whole points. */
typedef struct {
	int64_t threshold;	     /* points: listed when the score reaches this (5) */
	int64_t expire_ms;	     /* a listing ends this long after the last evidence (24h) */
	int64_t report_max_age_ms;   /* reports this old or older are ignored (7d) */
	int64_t report_decay_ms;     /* weight falls from fresh to old over this age (48h) */
	int64_t report_weight_fresh; /* points of a report at age 0 (4) */
	int64_t report_weight_old;   /* points of a report from report_decay on (1) */
	int64_t reporter_window_ms;  /* a reporter scores once per IP per window; 0 = off (7d) */
	int64_t min_reporters;	     /* reports alone list only from this many reporters (2) */
	int64_t fine_keep_percent;   /* each fine keeps this percent of a reporter's weight (50) */
	int64_t trap_window_ms;	     /* trap hits count while younger than this (24h) */
	int64_t trap_weight;	     /* points per trap hit below trap_square_from hits (5) */
	int64_t trap_square_from;    /* from this many hits the trap score is hits squared (6) */
	int64_t thin_evidence;	     /* this many scored items or fewer is thin; 0 = off (2) */
	int64_t thin_expire_ms; /* thin evidence lists at most this long after the last (12h) */
} policy_rules_t;

/* The defaults, the same as the schema's (a unit test holds them together). */
policy_rules_t policy_rules_default(void);

/* Read the [policy] keys of c (defaults for unset keys) into *out and check them together.
 * Returns 0, or IPBL_ECONF with "FILE: [policy] message" in err. */
int policy_rules_from_conf(const ipbl_conf_t *c, policy_rules_t *out, char *err,
			   size_t err_len) IPBL_MUSTCHECK;

/* Check that every rule is in range and the rules fit together (report_weight_fresh is at
 * least report_weight_old). Returns 0, or IPBL_EINVAL with a message naming the setting. */
int policy_rules_check(const policy_rules_t *r, char *err, size_t err_len) IPBL_MUSTCHECK;

enum policy_standing {
	POLICY_STANDING_GOOD,
	POLICY_STANDING_FINED, /* n_fines times; 0 is taken as 1 */
	POLICY_STANDING_BANNED,
};

enum policy_report_state {
	POLICY_REPORT_COUNTED,
	POLICY_REPORT_WITHDRAWN,  /* by its reporter */
	POLICY_REPORT_VOIDED,	  /* by a deputy, for reporter error */
	POLICY_REPORT_CHALLENGED, /* its weight is suspended while a challenge is open */
};

/* One spam report against the IP, with its reporter's standing at evaluation time. */
typedef struct {
	int64_t time_ms;	       /* when the report was received */
	uint64_t reporter_id;	       /* the store's reporter id */
	enum policy_standing standing; /* the reporter's standing now */
	uint32_t n_fines;	       /* FINED: how many fines */
	enum policy_report_state state;
} policy_report_t;

/* One spamtrap hit from the IP. */
typedef struct {
	int64_t time_ms; /* when the trap received the mail */
} policy_trap_hit_t;

/* All evidence about one IP. Borrowed by the functions below, never kept. */
typedef struct {
	const policy_report_t *reports; /* sorted by reporter_id, then time_ms (see below) */
	size_t n_reports;
	const policy_trap_hit_t *trap_hits; /* any order */
	size_t n_trap_hits;
	int64_t deputy_delist_ms; /* the latest deputy delisting; 0 = none */
} policy_evidence_t;

/* Sort reports in place into the order policy_evaluate needs: by reporter_id, then time_ms,
 * then the remaining fields (so any permutation of the same reports sorts the same). No
 * allocation; O(n log n). A store can instead return rows ORDER BY reporter_id, time_ms. */
void policy_reports_sort(policy_report_t *reports, size_t n);

/* name, machine name (stable: stored and shown in JSON) */
#define POLICY_REASON_MAP(X)                                                                       \
	X(NO_EVIDENCE, "no_evidence")                                                              \
	X(LISTED_REPORTS, "listed_reports")                                                        \
	X(LISTED_TRAPS, "listed_traps")                                                            \
	X(LISTED_REPORTS_TRAPS, "listed_reports_traps")                                            \
	X(BELOW_THRESHOLD, "below_threshold")                                                      \
	X(TOO_FEW_REPORTERS, "too_few_reporters")                                                  \
	X(EXPIRED, "expired")                                                                      \
	X(DEPUTY_DELISTED, "deputy_delisted")

enum policy_reason {
#define POLICY_REASON_ENUM(name, text) POLICY_REASON_##name,
	POLICY_REASON_MAP(POLICY_REASON_ENUM)
#undef POLICY_REASON_ENUM
};

/* The stable machine name of a reason ("listed_traps"); "unknown" for a value out of range. */
const char *policy_reason_name(enum policy_reason reason);

/* Room for the longest sentence, with its NUL. */
#define POLICY_SENTENCE_MAX 512

/* A decision: caller storage, filled in whole by policy_evaluate. */
typedef struct {
	bool listed;
	bool thin; /* the evidence is thin: thin_expire caps the listing */
	enum policy_reason reason;
	char sentence[POLICY_SENTENCE_MAX]; /* plain English, NUL-terminated, no final stop */

	int64_t score_milli;	    /* report_score_milli + trap_score_milli */
	int64_t report_score_milli; /* sum of the scored reports' weights */
	int64_t trap_score_milli;   /* from n_trap_hits */
	int64_t threshold_milli;    /* rules.threshold in milli-points */
	policy_rules_t rules;	    /* the rules (weights, windows) this decision used */

	size_t n_reports;	     /* counted reports younger than report_max_age (any reporter
				      * but banned ones, after the deputy delisting) */
	size_t n_reports_scored;     /* of those, the ones that scored (reporter_window) */
	size_t n_reporters;	     /* distinct reporters whose scored weight is above zero */
	size_t n_reports_banned;     /* reports of banned reporters in the window: weight zero */
	size_t n_reports_voided;     /* voided by a deputy, in the window */
	size_t n_reports_withdrawn;  /* withdrawn by their reporter, in the window */
	size_t n_reports_challenged; /* suspended while a challenge is open, in the window */
	size_t n_trap_hits;	     /* trap hits younger than trap_window, after the delisting */
	size_t n_before_deputy;	     /* reports and hits in their windows that the deputy's
				      * delisting set aside */

	int64_t last_evidence_ms; /* newest evidence that counts; 0 = none */
	int64_t listing_ms;	  /* listing time applied: expire_ms or the thin cap */
	int64_t delist_at_ms;	  /* listed: when the listing ends without new evidence; else 0 */
	int64_t next_change_ms;	  /* when `listed` next flips without new evidence; 0 = never */
} policy_decision_t;

/* Decide whether the IP is listed at now_ms. Returns 0, or IPBL_EINVAL when the rules fail
 * policy_rules_check, a time is outside 0..POLICY_TIME_MAX_MS, an enum is out of range or the
 * reports are not sorted as policy_reports_sort leaves them; *out is then cleared (not
 * listed). Evidence newer than now_ms (the clock went back) counts as age 0. Pure: the same
 * inputs give the same decision on every machine. Time: O(n) per evidence time tried (at
 * most 64, newest first; usually one). */
int policy_evaluate(const policy_rules_t *rules, const policy_evidence_t *ev, int64_t now_ms,
		    policy_decision_t *out) IPBL_MUSTCHECK;

/* name, machine name */
#define POLICY_NOTE_MAP(X)                                                                         \
	X(SCORED, "scored")                                                                        \
	X(REPEAT, "repeat")                                                                        \
	X(TOO_OLD, "too_old")                                                                      \
	X(BEFORE_DEPUTY, "before_deputy")                                                          \
	X(BANNED, "banned")                                                                        \
	X(WITHDRAWN, "withdrawn")                                                                  \
	X(CHALLENGED, "challenged")                                                                \
	X(VOIDED, "voided")

/* What became of one report in a decision (for the evidence view). */
enum policy_note {
#define POLICY_NOTE_ENUM(name, text) POLICY_NOTE_##name,
	POLICY_NOTE_MAP(POLICY_NOTE_ENUM)
#undef POLICY_NOTE_ENUM
};

/* The stable machine name of a note ("repeat"); "unknown" for a value out of range. */
const char *policy_note_name(enum policy_note note);

typedef struct {
	enum policy_note note;
	int64_t weight_milli; /* what the report added to the score (0 unless SCORED) */
} policy_report_score_t;

/* Fill out[i] for every ev->reports[i] at now_ms (caller storage, ev->n_reports entries):
 * the same accounting policy_evaluate does. Returns 0 or IPBL_EINVAL as policy_evaluate. */
int policy_explain(const policy_rules_t *rules, const policy_evidence_t *ev, int64_t now_ms,
		   policy_report_score_t *out) IPBL_MUSTCHECK;
