/* SPDX-License-Identifier: BSD-2-Clause */
/* State shared by the files of the engine. Only src/engine/ includes this. */
#pragma once

#include "engine/engine.h"

/* One IP's evidence as the policy reads it; scratch reused from call to call. */
typedef struct {
	policy_report_t *reports; /* sorted by policy_reports_sort */
	size_t n_reports, cap_reports;
	policy_trap_hit_t *hits;
	size_t n_hits, cap_hits;
	int64_t first_ms;	   /* oldest loaded report or hit; 0 = none */
	int64_t backscatter_since; /* count automatic mail received from then on: */
	size_t n_backscatter;	   /* reports and hits that were bounces or auto-replies */
	int64_t last_ms;	   /* newest loaded report or hit; 0 = none */
} engine_evidence_t;

struct engine {
	store_t *store;
	ipbl_clock_t *clock;
	policy_rules_t rules;
	engine_evidence_t ev;
};

/* The policy's view of a stored report's reporter standing and state (a counted report with
 * an open challenge is CHALLENGED). The one mapping from store to policy. */
enum policy_standing engine_policy_standing(enum store_standing s);
enum policy_report_state engine_policy_state(const store_report_t *r);

/* Load the evidence for ip received at or after since_ms into e->ev. */
int engine_load_evidence(engine_t *e, const ipbl_ipaddr_t *ip, int64_t since_ms) IPBL_MUSTCHECK;

/* Evaluate e->ev at now with the deputy's latest delisting. */
int engine_evaluate(engine_t *e, int64_t deputy_ms, int64_t now,
		    policy_decision_t *out) IPBL_MUSTCHECK;

/* Re-decide ip at now inside the caller's transaction: evaluate, store the listing when it
 * changed, and when listed flips append the audit entry (by actor) and the journal entry.
 * deputy_ms > 0 records a deputy's delisting at that time first. */
int engine_redecide(engine_t *e, const ipbl_ipaddr_t *ip, int64_t now, const char *actor,
		    int64_t deputy_ms, engine_result_t *out) IPBL_MUSTCHECK;
