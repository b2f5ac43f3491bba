/* SPDX-License-Identifier: BSD-2-Clause */
/* The bounce explainer's advice: from what a bounce says (mail/bounce.h) and, when the list
 * that refused the mail is ours, what the engine knows about the address (engine_lookup), the
 * plain-language account a sender reads: what happened, the address's status here, and what to
 * do next. Pure: no I/O, no clock, no store; `ipbl explain` and the web page /explain both
 * render the same fields (the web page as HTML, so nothing here is pre-escaped markup). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "lib/buf.h"
#include "lib/ipaddr.h"
#include "mail/bounce.h"
#include "policy/policy.h"

/* What we can say about the address on our own list. */
enum explain_status {
	EXPLAIN_STATUS_NOT_OURS,   /* not a blocklist refusal, or another list's */
	EXPLAIN_STATUS_NO_IP,	   /* our list, but the bounce does not show the address */
	EXPLAIN_STATUS_LISTED,	   /* our list: the address is listed now */
	EXPLAIN_STATUS_NOT_LISTED, /* our list: we have a record, but it is not listed now */
	EXPLAIN_STATUS_NO_RECORD,  /* our list: we have never had anything on the address */
};

/* The stable machine name of a status ("listed"); "unknown" when out of range. */
const char *explain_status_name(enum explain_status status);

/* Who we are, for naming our list and linking to our lookup page. Borrowed. */
typedef struct {
	const char *zone;     /* our [dns] zone ("bl.example.org"); NULL or "" when none */
	const char *base_url; /* our web pages ("https://bl.example.org"); NULL or "" when none */
} explain_site_t;

#define EXPLAIN_TEXT_MAX 1200 /* one paragraph, NUL included */
#define EXPLAIN_STEPS_MAX 6
#define EXPLAIN_URL_MAX 512

/* The advice: facts for pages that lay them out themselves, then the prose. Every string is
 * NUL-terminated plain text ("" when it does not apply), sentences end with a full stop. */
typedef struct {
	/* facts */
	enum mail_bounce_kind kind;
	enum explain_status status;
	bool blocklist;			      /* the refusal was because of a blocklist */
	bool ours;			      /* ... our own list */
	bool permanent;			      /* resending will not help */
	char ip[IPBL_IPADDR_STRLEN];	      /* the refused address, "" when the bounce lacks it */
	char list[MAIL_BOUNCE_NAME_MAX + 32]; /* the list as we name it, "" when none */
	char server[MAIL_BOUNCE_NAME_MAX];    /* the refusing server, "" when not stated */
	char recipient[MAIL_BOUNCE_NAME_MAX]; /* the address the mail was for, "" */
	char reply[MAIL_BOUNCE_REPLY_MAX];    /* the server's words, "" */
	char lookup_url[EXPLAIN_URL_MAX];     /* where to check the address or the list, "" */
	char reason[POLICY_SENTENCE_MAX];     /* ours, with a record: why it is (or was) listed */
	int64_t delist_at_ms;		      /* ours and listed: when it ends by itself; else 0 */
	int64_t seconds_to_delist;	      /* ours and listed: seconds left; else -1 */
	bool by_file; /* ours and listed by hand in a [dns] data file: it does not end by itself */
	enum mail_bounce_sender sender;		   /* whose server sent it (IP-based lists only;
						    * UNKNOWN gives both cases' steps) */
	char sender_reason[MAIL_BOUNCE_REPLY_MAX]; /* what in the bounce showed it, technical */

	/* prose */
	char title[256];		    /* one line that sums it up */
	char happened[EXPLAIN_TEXT_MAX];    /* what happened */
	char status_here[EXPLAIN_TEXT_MAX]; /* the address on our list; "" when not ours */
	char whose[EXPLAIN_TEXT_MAX];	    /* whose address it is and why we think so; "" when
					     * the bounce does not tell */
	char steps[EXPLAIN_STEPS_MAX][EXPLAIN_TEXT_MAX]; /* what to do next, in order */
	size_t n_steps;
} explain_advice_t;

/* Compose the advice for bounce b. lookup: the engine's view of b->ip when b->ours and the
 * engine has a record of it, else NULL (no record, or not our list). Fills *out whole; never
 * fails. */
void explain_advice(const mail_bounce_t *b, const explain_site_t *site,
		    const engine_lookup_t *lookup, explain_advice_t *out);

/* The advice as plain text for a terminal: title, the paragraphs under short headings, the
 * steps numbered, lines wrapped at 76 columns. Appended to o; check ipbl_buf_overflowed. */
void explain_format_text(const explain_advice_t *a, ipbl_buf_t *o);
