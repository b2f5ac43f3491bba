/* SPDX-License-Identifier: BSD-2-Clause */
/* Disputes: the two public forms that open a case ("ask about a listing" for the admin of an
 * address, "challenge a report" for the sender of reported mail), and the filer's page of a
 * case at its unguessable link, where the deputies' replies show and the filer can add to
 * it. Also the pieces the deputy console shares: the settings and limiters of both, the page
 * frame, and form fields. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "store/store.h"
#include "web/session.h"
#include "web/web_internal.h"

/* Answer rq when its path belongs to the disputes (/dispute/..., /case/...) or the deputy
 * console (/deputy...): fills rs and returns true; false for any other path. */
bool web_cases_route(web_app_t *app, const web_request_t *rq, web_response_t *rs);

/* The [web] settings of disputes and the console, and the limiters, shared by every server
 * thread of the process (set up by the first request, from its config). */
typedef struct {
	uint32_t case_rate;	    /* cases per hour per client and per filer address */
	uint32_t login_attempts;    /* failed logins per name before a lockout */
	int64_t lockout_ms;	    /* the window of failed logins and of a lockout */
	int64_t session_ms;	    /* a session's lifetime */
	bool secure;		    /* base_url is https: cookies get Secure */
	web_limiter_t filings_ip;   /* new cases per client address */
	web_limiter_t filings_addr; /* new cases per filer address */
	web_limiter_t messages_ip;  /* filer follow-ups per client address */
	web_limiter_t logins_name;  /* failed logins per deputy name */
	web_limiter_t logins_ip;    /* failed logins per client address */
	web_limiter_t logins_all;   /* password checks per second, whole process */
} web_cases_globals_t;

/* The shared state, set up once (thread-safe). NULL when libsodium cannot start. */
web_cases_globals_t *web_cases_globals(const web_app_t *app);

/* The name of the CSRF cookie of the public forms and of the login form. */
#define WEB_CASES_CSRF_COOKIE "ipbl_csrf"
/* How long a form's CSRF token stays good. */
#define WEB_CASES_CSRF_MAX_AGE_S (2 * 3600)

/* The client's CSRF cookie into binding (a new one, with its Set-Cookie in rs, when it has
 * none or a malformed one), and a fresh token bound to it for purpose into token. */
void web_cases_csrf_issue(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			  const char *purpose, char token[WEB_SESSION_CSRF_LEN]);
/* Whether the POSTed form's "csrf" field is a good token for purpose and the client's CSRF
 * cookie. */
bool web_cases_csrf_ok(web_app_t *app, const web_request_t *rq, const char *purpose);

/* A whole HTML page with a heading and one sentence (escaped), and a link back (may be
 * NULL), as the response with status. */
void web_cases_message_page(web_response_t *rs, unsigned status, const char *title,
			    const char *message, const char *back_href, const char *back_text,
			    bool deputy);
/* A time as RFC 3339 UTC in a <time> element. */
void web_cases_put_time(web_out_t *o, int64_t ms);
/* Text with its line breaks kept (escaped, in a <div class="msg">). */
void web_cases_put_text(web_out_t *o, const char *text);

/* ---- the reports a challenge covers (one mailing may be reported by several reporters) ---- */

typedef struct {
	int64_t *v; /* owned: free with web_cases_ids_fini */
	size_t n, cap;
} web_cases_ids_t;

void web_cases_ids_add(web_cases_ids_t *ids, int64_t id);
bool web_cases_ids_has(const web_cases_ids_t *ids, int64_t id);
void web_cases_ids_fini(web_cases_ids_t *ids);
/* The report numbers as words appended to b: "17", "17 and 18", "17, 18 and 20". */
void web_cases_ids_format(const web_cases_ids_t *ids, ipbl_buf_t *b);
/* The same straight into o (no length limit), for a page: nothing in it needs escaping. */
void web_cases_put_ids(web_out_t *o, const web_cases_ids_t *ids);
/* The reports challenge case c covers, by number, appended to *out (its report_id alone for
 * a case the store links to none). IPBL_E* from the store. */
int web_cases_reports_of(web_app_t *app, const store_case_t *c,
			 web_cases_ids_t *out) IPBL_MUSTCHECK;

/* Store case c (sets c->id) with the reports it covers (ids, NULL for a question; ids->v[0]
 * is c->report_id), its first message body and an audit entry "case N: detail", in one write
 * transaction. Inside it, before anything is written, it checks that no case that is not
 * closed covers any of ids: the reports were found before (two server threads may file for
 * the same report at once), and a report has one open challenge at a time. When one does,
 * nothing is stored and it returns IPBL_EEXIST with *taken set to that report; *taken is 0
 * otherwise. Other IPBL_E* from the store. */
int web_cases_store(web_app_t *app, store_case_t *c, const web_cases_ids_t *ids, const char *body,
		    const char *detail, int64_t *taken) IPBL_MUSTCHECK;

/* ---- form fields ---- */

typedef struct {
	const char *name;  /* the form field */
	const char *label; /* what it is called on the page */
	size_t max_chars;  /* characters (code points) at most */
	bool multiline;
	bool required;
	char *value; /* after web_cases_form_read: the decoded value (free with _fini) or NULL */
	size_t len;
	const char *error; /* a sentence about what is wrong with it, or NULL */
	char error_buf[160];
} web_form_field_t;

/* Read every field from a urlencoded body and check it (valid UTF-8 text, no control
 * characters, within max_chars, present when required). Returns the number of fields with
 * an error, or -1 (after filling rs) when the body is not a form at all (415, 400). */
int web_cases_form_read(const web_request_t *rq, web_form_field_t *f, size_t n, web_response_t *rs);
void web_cases_form_fini(web_form_field_t *f, size_t n);
/* The value of field name of f[0..n) ("" when absent). */
const char *web_cases_form_value(const web_form_field_t *f, size_t n, const char *name);
/* Whether a request is a POST whose Content-Type is a urlencoded form. */
bool web_cases_is_post(const web_request_t *rq);
bool web_cases_is_get(const web_request_t *rq);
