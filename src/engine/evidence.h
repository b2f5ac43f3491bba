/* SPDX-License-Identifier: BSD-2-Clause */
/* The evidence view of one address: what the public lookup page shows beyond the lookup.
 * Every report of the past week with its time, what the policy made of it (its note and its
 * weight after ageing, from policy_explain) and its redacted Received hops; every spamtrap
 * hit with its time and weight; the decision (score against the threshold); and the listing
 * periods of the past 60 days, read from the audit log.
 *
 * What it never holds: a reporter's identity (name, id, address) or a trap address. The
 * view is built so that a page rendering all of it leaks neither. Read only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

/* The window of the event list and the chart, and of the listing history. */
#define ENGINE_EVIDENCE_DAYS 7
#define ENGINE_HISTORY_DAYS 60
/* The newest reports whose hops are read (older ones keep time and weight only). */
#define ENGINE_EVIDENCE_HOPS_MAX 200
/* The most bytes of one report's hops JSON kept; longer text is cut (and will not parse). */
#define ENGINE_EVIDENCE_JSON_MAX 16384

typedef struct {
	int64_t id;	 /* the report's number (public: the challenge form asks for it) */
	int64_t time_ms; /* when it was received, UTC, to the millisecond */
	enum policy_note note;
	int64_t weight_milli; /* what it adds to the score now (0 unless SCORED) */
	char *hops_json;      /* the redacted hops (malloc'd), or NULL when not read */
} engine_ev_report_t;

typedef struct {
	int64_t time_ms;
	bool counted;	      /* inside the trap window and after any deputy delisting */
	int64_t weight_milli; /* its share of the trap score now (0 when not counted) */
} engine_ev_trap_t;

typedef struct {
	int64_t start_ms;
	int64_t end_ms; /* 0: still listed */
} engine_ev_period_t;

typedef struct {
	ipbl_ipaddr_t ip;
	int64_t now_ms;
	int64_t since_ms; /* the start of the event window: now - ENGINE_EVIDENCE_DAYS, or earlier
			   * when a policy window is longer (so every counted event is listed) */
	policy_decision_t decision; /* now, as engine_lookup decides (its score may be the one
				     * that started the listing, before the weights fell) */
	/* The score now: the sum of the weights below (reports after ageing, trap hits in
	 * their window), against decision.threshold_milli. */
	int64_t score_now_milli;
	int64_t report_score_now_milli;
	int64_t trap_score_now_milli;
	int64_t deputy_delisted_ms; /* 0 = never */
	size_t n_reporters;	    /* distinct reporters of the reports that count (not shown
				     * who: only how many) */

	engine_ev_report_t *reports; /* oldest first */
	size_t n_reports;
	engine_ev_trap_t *traps; /* oldest first */
	size_t n_traps;

	/* Listing periods that overlap the past ENGINE_HISTORY_DAYS days, oldest first; the
	 * first may start before that window. */
	engine_ev_period_t *periods;
	size_t n_periods;
	int64_t listed_ms_in_window; /* the time listed inside the window (an open period up
				      * to now) */
	/* "Listed 10 times in the past 60 days, 7.2 days in total", "Listed once in the past
	 * 60 days, 0.5 days in total", "Not listed in the past 60 days" (no final stop) */
	char history_sentence[128];
} engine_evidence_view_t;

/* Build the view of ip at the engine's now. *out is owned by the caller afterwards: free it
 * with engine_evidence_view_fini (also after an error). Returns 0, IPBL_ENOMEM, or IPBL_E*
 * from the store. An address without any record gives an empty view (not an error). */
int engine_evidence_view(engine_t *e, const ipbl_ipaddr_t *ip,
			 engine_evidence_view_t *out) IPBL_MUSTCHECK;
void engine_evidence_view_fini(engine_evidence_view_t *v);

/* ---- the pure parts, for tests and for the page ---- */

/* Listing periods from audit actions: "listed" opens a period (if none is open),
 * "delisted" closes the open one. Entries must come oldest first. */
typedef struct {
	engine_ev_period_t *v;
	size_t n, cap;
} engine_periods_t;
void engine_periods_feed(engine_periods_t *p, int64_t at_ms, const char *action);

/* Keep the periods that overlap [now - days, now] (open ones always), and return the time
 * listed inside that window (open periods counted up to now). */
int64_t engine_periods_window(engine_periods_t *p, int64_t now_ms, int days);

/* The history sentence for n periods and total listed time over days, into buf. */
void engine_history_sentence(size_t n, int64_t total_ms, int days, char *buf, size_t len);

/* One Received hop of a report's redacted evidence. Text fields are as stored (from the
 * spam's own header: treat as hostile, escape when shown); "" when absent. */
typedef struct {
	bool redacted; /* the reporter's side of the chain: nothing but the verdict */
	char peer[64];
	char helo[256];
	char rdns[256];
	bool authenticated;
	char verdict[16]; /* "source" (blamed), "trusted", "internal", "no-peer", "reserved" */
} engine_hop_t;

#define ENGINE_HOPS_MAX 32
typedef struct {
	engine_hop_t hops[ENGINE_HOPS_MAX]; /* top (the reporter's end) first */
	size_t n;
	size_t n_more;	  /* hops past ENGINE_HOPS_MAX, not kept */
	char source[64];  /* the blamed address, "" when none */
	char reason[256]; /* the source finder's words on where it stopped */
} engine_hops_t;

/* Parse a report's hops JSON ({"ip","hops":[...],"reason"}). Returns 0, or IPBL_EFORMAT
 * when it is not that shape (show the text as it is then). */
int engine_hops_parse(const char *json, engine_hops_t *out) IPBL_MUSTCHECK;
