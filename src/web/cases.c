/* SPDX-License-Identifier: BSD-2-Clause */
/* Disputes (see cases.h). A case is stored with its first message, the reports it covers and
 * an audit entry in one transaction, which first checks that no open case covers any of those
 * reports (they were found before it, and two server threads may file for one report at once:
 * the later filing is refused with 409); a challenge then suspends the weight of its reports
 * through the engine, all in one transaction, which re-decides the address at once (a second
 * transaction: the engine offers no way to join the first, so a failure there leaves an open
 * case whose reports still count, which a deputy sees and decides). A challenge names its
 * report by number, or by the subject line of the reported mail: then it covers every report
 * naming the address with that subject (engine_subject_key) that still counts and is not
 * challenged already. The filer's link carries a 128-bit random token; the store keeps
 * its hash only. Every form is CSRF-checked, every field checked and limited, and every value
 * shown back goes through web_out_html. */
#include "web/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/ipaddr.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "web/deputy.h"
#include "web/form.h"
#include "web/render.h"

#define LOG_TAG "web"
#include "lib/log.h"

#define CT_HTML "text/html; charset=utf-8"
#define CASE_PATH "/case/"
#define ASK_PATH "/dispute/ask"
#define CHALLENGE_PATH "/dispute/challenge"
#define HOUR_MS (3600 * 1000LL)
/* A filer may add this many messages per hour for each case it may open. */
#define MESSAGES_PER_CASE 4

/* ---- shared state ---- */

static pthread_mutex_t globals_lock = PTHREAD_MUTEX_INITIALIZER;
static web_cases_globals_t globals;
static bool globals_ready;

static long long conf_int_or(const ipbl_conf_t *c, const char *key, long long dflt)
{
	long long v = ipbl_conf_int(c, "web", key);
	return v > 0 ? v : dflt;
}

static long long conf_ms_or(const ipbl_conf_t *c, const char *key, long long dflt)
{
	long long v = ipbl_conf_duration_ms(c, "web", key);
	return v > 0 ? v : dflt;
}

web_cases_globals_t *web_cases_globals(const web_app_t *app)
{
	pthread_mutex_lock(&globals_lock);
	if (!globals_ready && web_session_global_init() == 0) {
		web_cases_globals_t *g = &globals;
		const ipbl_conf_t *c = app->conf;
		g->case_rate = (uint32_t)conf_int_or(c, "case_rate", 5);
		g->login_attempts = (uint32_t)conf_int_or(c, "login_attempts", 5);
		g->lockout_ms = conf_ms_or(c, "login_lockout", 15 * 60 * 1000LL);
		g->session_ms = conf_ms_or(c, "session_lifetime", 8 * HOUR_MS);
		g->secure = app->base_url != NULL && strncasecmp(app->base_url, "https://", 8) == 0;
		web_session_limiter_init(&g->filings_ip, g->case_rate, HOUR_MS);
		web_session_limiter_init(&g->filings_addr, g->case_rate, HOUR_MS);
		web_session_limiter_init(&g->messages_ip, g->case_rate * MESSAGES_PER_CASE,
					 HOUR_MS);
		web_session_limiter_init(&g->logins_name, g->login_attempts, g->lockout_ms);
		web_session_limiter_init(&g->logins_ip, g->login_attempts * 4, g->lockout_ms);
		/* argon2id checks hold a server thread each: a handful per second at most */
		web_session_limiter_init(&g->logins_all, 8, 1000);
		globals_ready = true;
	}
	pthread_mutex_unlock(&globals_lock);
	return globals_ready ? &globals : NULL;
}

/* ---- CSRF ---- */

static int64_t now_s(web_app_t *app)
{
	return engine_now_ms(app->engine) / 1000;
}

void web_cases_csrf_issue(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			  const char *purpose, char token[WEB_SESSION_CSRF_LEN])
{
	char cookie[2 * WEB_SESSION_CSRF_BYTES + 1];
	web_cases_globals_t *g = web_cases_globals(app);
	if (!web_session_cookie_get(rq->cookie, WEB_CASES_CSRF_COOKIE, cookie, sizeof(cookie)) ||
	    !web_session_is_hex(cookie, 2 * WEB_SESSION_CSRF_BYTES)) {
		web_session_random_hex(WEB_SESSION_CSRF_BYTES, cookie);
		/* a session cookie of the browser (no Max-Age would do too), here 1 day */
		web_session_cookie_format(rs->set_cookie, sizeof(rs->set_cookie),
					  WEB_CASES_CSRF_COOKIE, cookie, "/", 86400,
					  g != NULL && g->secure);
	}
	web_session_csrf_make(web_session_key(), purpose, cookie, now_s(app), token);
}

bool web_cases_csrf_ok(web_app_t *app, const web_request_t *rq, const char *purpose)
{
	char cookie[2 * WEB_SESSION_CSRF_BYTES + 1];
	if (web_cases_globals(app) == NULL ||
	    !web_session_cookie_get(rq->cookie, WEB_CASES_CSRF_COOKIE, cookie, sizeof(cookie)) ||
	    !web_session_is_hex(cookie, 2 * WEB_SESSION_CSRF_BYTES)) {
		return false;
	}
	char *token = NULL;
	size_t len = 0;
	if (web_form_field(rq->body ? rq->body : "", rq->body_len, "csrf", &token, &len) != 0) {
		return false;
	}
	bool ok = strlen(token) == len &&
		  web_session_csrf_check(web_session_key(), purpose, cookie, token, now_s(app),
					 WEB_CASES_CSRF_MAX_AGE_S);
	free(token);
	return ok;
}

void web_cases_message_page(web_response_t *rs, unsigned status, const char *title,
			    const char *message, const char *back_href, const char *back_text,
			    bool deputy)
{
	web_out_t *o = &rs->body;
	rs->status = status;
	rs->content_type = CT_HTML;
	web_page_begin(o, title, deputy ? WEB_NAV_DEPUTY : WEB_NAV_PUBLIC);
	web_out_puts(o, "<h1>");
	web_out_html_str(o, title);
	web_out_puts(o, "</h1>\n<p>");
	web_out_html_str(o, message);
	web_out_puts(o, "</p>\n");
	if (back_href != NULL) {
		web_out_puts(o, "<p><a href=\"");
		web_out_html_str(o, back_href);
		web_out_puts(o, "\">");
		web_out_html_str(o, back_text);
		web_out_puts(o, "</a></p>\n");
	}
	web_page_end(o);
}

void web_cases_put_time(web_out_t *o, int64_t ms)
{
	char t[32];
	ipbl_clock_format(ms, t);
	web_out_puts(o, "<time datetime=\"");
	web_out_html_str(o, t);
	web_out_puts(o, "\">");
	web_out_html_str(o, t);
	web_out_puts(o, "</time>");
}

void web_cases_put_text(web_out_t *o, const char *text)
{
	web_out_puts(o, "<div class=\"msg\">");
	web_out_html_str(o, text);
	web_out_puts(o, "</div>\n");
}

/* ---- the reports a challenge covers ---- */

void web_cases_ids_add(web_cases_ids_t *ids, int64_t id)
{
	if (ids->n == ids->cap) {
		ids->cap = ids->cap ? ids->cap * 2 : 8;
		ids->v = ipbl_xrealloc(ids->v, ids->cap * sizeof(*ids->v));
	}
	ids->v[ids->n++] = id;
}

bool web_cases_ids_has(const web_cases_ids_t *ids, int64_t id)
{
	for (size_t i = 0; i < ids->n; i++) {
		if (ids->v[i] == id) {
			return true;
		}
	}
	return false;
}

void web_cases_ids_fini(web_cases_ids_t *ids)
{
	free(ids->v);
	memset(ids, 0, sizeof(*ids));
}

/* What goes before the i-th of n numbers in words. */
static const char *ids_sep(size_t i, size_t n)
{
	return i == 0 ? "" : i + 1 == n ? " and " : ", ";
}

void web_cases_ids_format(const web_cases_ids_t *ids, ipbl_buf_t *b)
{
	for (size_t i = 0; i < ids->n; i++) {
		ipbl_buf_printf(b, "%s%lld", ids_sep(i, ids->n), (long long)ids->v[i]);
	}
}

void web_cases_put_ids(web_out_t *o, const web_cases_ids_t *ids)
{
	/* numbers and separators: nothing to escape */
	for (size_t i = 0; i < ids->n; i++) {
		web_out_printf(o, "%s%lld", ids_sep(i, ids->n), (long long)ids->v[i]);
	}
}

static int add_id(void *arg, int64_t id)
{
	web_cases_ids_add(arg, id);
	return 0;
}

int web_cases_reports_of(web_app_t *app, const store_case_t *c, web_cases_ids_t *out)
{
	size_t before = out->n;
	int ret = store_case_reports_each(app->store, c->id, add_id, out);
	if (ret == 0 && out->n == before && c->report_id > 0) {
		web_cases_ids_add(out, c->report_id);
	}
	return ret;
}

/* ---- forms ---- */

bool web_cases_is_get(const web_request_t *rq)
{
	return strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
}

bool web_cases_is_post(const web_request_t *rq)
{
	return strcmp(rq->method, "POST") == 0;
}

static bool is_form_body(const web_request_t *rq)
{
	return rq->content_type != NULL &&
	       strncasecmp(rq->content_type, "application/x-www-form-urlencoded", 33) == 0;
}

/* Set f->error to "LABEL " + what. */
static void field_error(web_form_field_t *f, const char *what)
{
	snprintf(f->error_buf, sizeof(f->error_buf), "%s %s", f->label, what);
	f->error = f->error_buf;
}

/* Check one decoded value; sets f->error when it is not acceptable. */
static void field_check(web_form_field_t *f)
{
	if (f->value == NULL || f->len == 0) {
		if (f->required) {
			field_error(f, "is needed.");
		}
		return;
	}
	if (strlen(f->value) != f->len || !web_session_text_ok(f->value, f->len, f->multiline)) {
		field_error(f, f->multiline ? "must be plain UTF-8 text (no control characters)."
					    : "must be one line of plain UTF-8 text.");
		return;
	}
	size_t chars = web_session_text_chars(f->value, f->len);
	if (chars > f->max_chars) {
		char what[64];
		snprintf(what, sizeof(what), "is too long: at most %zu characters.", f->max_chars);
		field_error(f, what);
		return;
	}
	if (!f->multiline) {
		/* single-line values are kept trimmed */
		ipbl_str_t t = ipbl_str_trim((ipbl_str_t){ .ptr = f->value, .len = f->len });
		memmove(f->value, t.ptr, t.len);
		f->value[t.len] = '\0';
		f->len = t.len;
		if (f->len == 0 && f->required) {
			field_error(f, "is needed.");
		}
	}
}

int web_cases_form_read(const web_request_t *rq, web_form_field_t *f, size_t n, web_response_t *rs)
{
	if (!is_form_body(rq)) {
		web_cases_message_page(rs, 415, "Unsupported form encoding",
				       "Send the form as application/x-www-form-urlencoded, as a "
				       "browser does.",
				       NULL, NULL, false);
		return -1;
	}
	if (web_form_count(rq->body ? rq->body : "", rq->body_len) > WEB_FORM_FIELDS_MAX) {
		char msg[96];
		snprintf(msg, sizeof(msg), "The form sends more than %d fields.",
			 WEB_FORM_FIELDS_MAX);
		web_cases_message_page(rs, 400, "Bad form data", msg, NULL, NULL, false);
		return -1;
	}
	int errors = 0;
	for (size_t i = 0; i < n; i++) {
		f[i].value = NULL;
		f[i].len = 0;
		f[i].error = NULL;
		int ret = web_form_field(rq->body ? rq->body : "", rq->body_len, f[i].name,
					 &f[i].value, &f[i].len);
		if (ret == IPBL_EFORMAT) {
			web_cases_form_fini(f, n);
			web_cases_message_page(rs, 400, "Bad form data",
					       "The form data has a broken %-escape.", NULL, NULL,
					       false);
			return -1;
		}
		if (ret == IPBL_ENOMEM) {
			web_cases_form_fini(f, n);
			web_cases_message_page(rs, 500, "Out of memory", "Please try again.", NULL,
					       NULL, false);
			return -1;
		}
		field_check(&f[i]);
		errors += f[i].error != NULL;
	}
	return errors;
}

void web_cases_form_fini(web_form_field_t *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].value);
		f[i].value = NULL;
	}
}

const char *web_cases_form_value(const web_form_field_t *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(f[i].name, name) == 0) {
			return f[i].value && f[i].error == NULL ? f[i].value : "";
		}
	}
	return "";
}

/* The form as HTML: each field with its label, hint, value and error. */
static void put_field(web_out_t *o, const web_form_field_t *f, const char *hint, const char *type)
{
	web_out_printf(o, "<label for=\"%s\">", f->name);
	web_out_html_str(o, f->label);
	web_out_puts(o, f->required ? "" : " (optional)");
	web_out_puts(o, "</label>\n");
	if (hint != NULL) {
		web_out_printf(o, "<p class=\"hint\" id=\"%s-hint\">", f->name);
		web_out_html_str(o, hint);
		web_out_puts(o, "</p>\n");
	}
	if (f->error != NULL) {
		web_out_printf(o, "<p class=\"err\" id=\"%s-err\">", f->name);
		web_out_html_str(o, f->error);
		web_out_puts(o, "</p>\n");
	}
	const char *value = f->value ? f->value : "";
	if (f->multiline) {
		web_out_printf(o,
			       "<textarea id=\"%s\" name=\"%s\" rows=\"8\" cols=\"80\" "
			       "maxlength=\"%zu\"%s>",
			       f->name, f->name, f->max_chars, f->required ? " required" : "");
		web_out_html_str(o, value);
		web_out_puts(o, "</textarea>\n");
	} else {
		web_out_printf(o,
			       "<input id=\"%s\" name=\"%s\" type=\"%s\" maxlength=\"%zu\"%s "
			       "value=\"",
			       f->name, f->name, type, f->max_chars,
			       f->required ? " required" : "");
		web_out_html_str(o, value);
		web_out_puts(o, "\">\n");
	}
}

static void put_csrf(web_out_t *o, const char *token)
{
	web_out_puts(o, "<input type=\"hidden\" name=\"csrf\" value=\"");
	web_out_html_str(o, token);
	web_out_puts(o, "\">\n");
}

/* ---- the two forms ---- */

enum { F_IP, F_REL, F_NAME, F_ADDR, F_MSG, ASK_N };
enum { C_REPORT, C_IP, C_NAME, C_ADDR, C_WHY, C_EVIDENCE, CHALLENGE_N };

static void ask_fields(web_form_field_t f[ASK_N])
{
	memset(f, 0, ASK_N * sizeof(*f));
	f[F_IP] = (web_form_field_t){
		.name = "ip", .label = "The listed IP address", .max_chars = 64, .required = true
	};
	f[F_REL] = (web_form_field_t){ .name = "relationship",
				       .label = "Your relationship to the address",
				       .max_chars = 200,
				       .required = true };
	f[F_NAME] = (web_form_field_t){
		.name = "name", .label = "Your name and title", .max_chars = 200, .required = true
	};
	f[F_ADDR] = (web_form_field_t){ .name = "address",
					.label = "Your role mail address",
					.max_chars = 254,
					.required = true };
	f[F_MSG] = (web_form_field_t){ .name = "message",
				       .label = "Your question",
				       .max_chars = 8000,
				       .multiline = true,
				       .required = true };
}

static void challenge_fields(web_form_field_t f[CHALLENGE_N])
{
	memset(f, 0, CHALLENGE_N * sizeof(*f));
	/* RFC 5322 §2.1.1: a line of a message is at most 998 characters, so is its subject */
	f[C_REPORT] = (web_form_field_t){ .name = "report",
					  .label = "Report number or subject line",
					  .max_chars = 998,
					  .required = true };
	f[C_IP] = (web_form_field_t){ .name = "ip",
				      .label = "The IP address the report names",
				      .max_chars = 64,
				      .required = true };
	f[C_NAME] = (web_form_field_t){
		.name = "name", .label = "Your name and title", .max_chars = 200, .required = true
	};
	f[C_ADDR] = (web_form_field_t){ .name = "address",
					.label = "Your role mail address",
					.max_chars = 254,
					.required = true };
	f[C_WHY] = (web_form_field_t){ .name = "why",
				       .label = "Why the mail was not spam",
				       .max_chars = 8000,
				       .multiline = true,
				       .required = true };
	f[C_EVIDENCE] = (web_form_field_t){
		.name = "evidence", .label = "Evidence", .max_chars = 16000, .multiline = true
	};
}

static void render_ask(web_app_t *app, const web_request_t *rq, web_response_t *rs, unsigned status,
		       web_form_field_t f[ASK_N], const char *notice)
{
	char token[WEB_SESSION_CSRF_LEN];
	web_cases_csrf_issue(app, rq, rs, "case", token);
	web_out_t *o = &rs->body;
	rs->status = status;
	rs->content_type = CT_HTML;
	web_page_begin(o, "Ask about a listing", WEB_NAV_PUBLIC);
	web_out_puts(
		o, "<h1>Ask about a listing</h1>\n"
		   "<p>This form is for the administrator of a listed address who cannot tell why "
		   "it is listed. Before you write, look the address up: the lookup page already "
		   "shows the reason, the evidence and the time the listing ends by itself. There "
		   "is no need to ask for an early delisting after fixing the cause: the listing "
		   "ends on its own once the spam stops.</p>\n"
		   "<p>Write from a role address of the network (postmaster@, abuse@, hostmaster@) "
		   "and say how you are responsible for the address. A deputy answers as much as "
		   "they can, usually within a day; you follow the answer at the private link you "
		   "get once the form is sent. Please stay polite: threats and abuse are not "
		   "answered.</p>\n");
	if (notice != NULL) {
		web_out_puts(o, "<p class=\"err\" role=\"alert\">");
		web_out_html_str(o, notice);
		web_out_puts(o, "</p>\n");
	}
	web_out_puts(o, "<form method=\"post\" action=\"" ASK_PATH "\">\n");
	put_csrf(o, token);
	put_field(o, &f[F_IP], "One IPv4 or IPv6 address, as the bounce or lookup shows it.",
		  "text");
	put_field(o, &f[F_REL], "For example: mail administrator of the network it belongs to.",
		  "text");
	put_field(o, &f[F_NAME], NULL, "text");
	put_field(o, &f[F_ADDR], "A role account of the network, such as postmaster@example.net.",
		  "email");
	put_field(o, &f[F_MSG],
		  "What you want to know. Logs and traceroutes are seldom needed; for a large "
		  "file, give its URL.",
		  NULL);
	web_out_puts(o, "<button type=\"submit\">Send the question</button>\n</form>\n");
	web_page_end(o);
}

static void render_challenge(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			     unsigned status, web_form_field_t f[CHALLENGE_N], const char *notice)
{
	char token[WEB_SESSION_CSRF_LEN];
	web_cases_csrf_issue(app, rq, rs, "case", token);
	web_out_t *o = &rs->body;
	rs->status = status;
	rs->content_type = CT_HTML;
	web_page_begin(o, "Challenge a report", WEB_NAV_PUBLIC);
	web_out_puts(
		o,
		"<h1>Challenge a report</h1>\n"
		"<p>Use this form when a spam report about mail from your network was a mistake: "
		"the mail was not spam, for example a message the recipient asked for. Reporters "
		"who report wanted mail can be fined or banned.</p>\n"
		"<p>While your challenge is open, the reports it covers stop counting towards the "
		"listing, so the address may come off the list at once. A deputy then decides: "
		"they are voided for good (reporter error) or count again.</p>\n"
		"<p>Name the report in one of two ways, with the address it names:</p>\n<ul>\n"
		"<li>the <strong>report number</strong> from the report you received, or</li>\n"
		"<li>if you know only what you sent, the <strong>subject line</strong> of that "
		"mail. Your challenge then covers every report of that mail from this address "
		"that still counts, however many recipients reported it. Copy the whole subject "
		"as you sent it; capital letters and extra spaces do not matter.</li>\n</ul>\n"
		"<p>Say why the mail was not spam, and add your evidence; for mail lists, the "
		"record of the recipient's closed-loop (confirmed) opt-in is what helps "
		"most.</p>\n");
	if (notice != NULL) {
		web_out_puts(o, "<p class=\"err\" role=\"alert\">");
		web_out_html_str(o, notice);
		web_out_puts(o, "</p>\n");
	}
	web_out_puts(o, "<form method=\"post\" action=\"" CHALLENGE_PATH "\">\n");
	put_csrf(o, token);
	put_field(o, &f[C_REPORT],
		  "The number in the report you received, such as 17; or the subject line of the "
		  "mail that was reported. A subject that is only a number is read as a report "
		  "number.",
		  "text");
	put_field(o, &f[C_IP], "The source address the report names.", "text");
	put_field(o, &f[C_NAME], NULL, "text");
	put_field(o, &f[C_ADDR], "A role account of the sender, such as abuse@example.net.",
		  "email");
	put_field(o, &f[C_WHY], NULL, NULL);
	put_field(o, &f[C_EVIDENCE],
		  "For example the subscription record: address, time, the confirming request "
		  "and the address it came from. For a large file, give its URL.",
		  NULL);
	web_out_puts(o, "<button type=\"submit\">Send the challenge</button>\n</form>\n");
	web_page_end(o);
}

/* ---- filing ---- */

static void store_trouble(web_app_t *app, web_response_t *rs, int ret)
{
	const char *msg = store_errmsg(app->store);
	ipbl_log_warning("store error in the dispute forms: %s",
			 msg != NULL && msg[0] ? msg : ipbl_strerror(ret));
	web_out_fini(&rs->body);
	web_out_init(&rs->body, 0);
	web_cases_message_page(rs, 503, "Try again shortly",
			       "The list's database did not answer. Please try again in a minute.",
			       NULL, NULL, false);
}

static void csrf_refused(web_response_t *rs, const char *back)
{
	web_cases_message_page(rs, 403, "Please send the form again",
			       "This form has expired, or it was not sent from this site's own "
			       "page. Load the form again and send it from there.",
			       back, "Load the form again", false);
}

static void rate_refused(web_response_t *rs, int64_t retry_ms, const char *what)
{
	char msg[256];
	char dur[WEB_DURATION_LEN];
	snprintf(msg, sizeof(msg),
		 "Too many %s were sent from here in the past hour. Please wait about %s and "
		 "try again.",
		 what, web_format_duration((retry_ms + 999) / 1000, dur));
	web_cases_message_page(rs, 429, "Please wait a little", msg, "/", "The lookup page", false);
}

/* Count one filing for the client and the filer address; false (after a 429) at a limit. */
static bool filing_allowed(web_app_t *app, const web_request_t *rq, const char *address,
			   web_response_t *rs)
{
	web_cases_globals_t *g = web_cases_globals(app);
	int64_t now = engine_now_ms(app->engine);
	int64_t retry = 0;
	char key[300];
	snprintf(key, sizeof(key), "ip %s", rq->client_addr ? rq->client_addr : "");
	if (!web_session_limiter_take(&g->filings_ip, key, now, &retry)) {
		rate_refused(rs, retry, "cases");
		return false;
	}
	/* addresses compare without case: Postmaster@ and postmaster@ are one filer */
	snprintf(key, sizeof(key), "addr %s", address);
	for (char *p = key; *p; p++) {
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	}
	if (!web_session_limiter_take(&g->filings_addr, key, now, &retry)) {
		rate_refused(rs, retry, "cases");
		return false;
	}
	return true;
}

/* The base URL without a trailing slash, for the case link. */
static void case_link(const web_app_t *app, const char *token, char *out, size_t len)
{
	const char *base = app->base_url ? app->base_url : "";
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/') {
		n--;
	}
	snprintf(out, len, "%.*s" CASE_PATH "%s", (int)n, base, token);
}

int web_cases_store(web_app_t *app, store_case_t *c, const web_cases_ids_t *ids, const char *body,
		    const char *detail, int64_t *taken)
{
	*taken = 0;
	int ret = store_begin(app->store);
	if (ret != 0) {
		return ret;
	}
	/* the reports were found before this transaction: another filing may have taken one
	 * since (the write lock, held from store_begin, keeps it from doing so from here on) */
	if (ids != NULL && ids->n > 0) {
		ret = store_case_find_open_for_reports(app->store, ids->v, ids->n, taken, NULL);
		ret = ret == 0 ? IPBL_EEXIST : ret == IPBL_ENOENT ? 0 : ret;
	}
	if (ret == 0) {
		ret = store_case_add(app->store, c);
	}
	for (size_t i = 1; ret == 0 && ids != NULL && i < ids->n; i++) {
		ret = store_case_report_add(app->store, c->id, ids->v[i]);
	}
	if (ret == 0) {
		store_case_message_t m = {
			.case_id = c->id, .at_ms = c->created_ms, .author = "filer", .body = body
		};
		ret = store_case_message_add(app->store, &m);
	}
	if (ret == 0) {
		char ip[IPBL_IPADDR_STRLEN];
		char text[200];
		snprintf(text, sizeof(text), "case %lld: %s", (long long)c->id, detail);
		store_audit_t a = { .at_ms = c->created_ms,
				    .actor = "filer",
				    .action = "case_opened",
				    .ip = ipbl_ipaddr_format(&c->ip, ip),
				    .detail = text };
		ret = store_audit_add(app->store, &a);
	}
	if (ret == 0) {
		ret = store_commit(app->store);
	}
	if (ret != 0) {
		store_rollback(app->store);
	}
	return ret;
}

static void filed_page(web_app_t *app, web_response_t *rs, const store_case_t *c, const char *token,
		       const char *extra)
{
	char link[512];
	char ip[IPBL_IPADDR_STRLEN];
	case_link(app, token, link, sizeof(link));
	web_out_t *o = &rs->body;
	rs->status = 200;
	rs->content_type = CT_HTML;
	web_page_begin(o, "Your case is open", WEB_NAV_PUBLIC);
	web_out_printf(o,
		       "<h1>Your case is open</h1>\n<div class=\"box clear\"><p>Case %lld "
		       "about ",
		       (long long)c->id);
	web_out_html_str(o, ipbl_ipaddr_format(&c->ip, ip));
	web_out_puts(o, " was received. Follow it, read the deputies' replies and add to it "
			"at this private link:</p>\n<p><a href=\"");
	web_out_html_str(o, link);
	web_out_puts(o, "\">");
	web_out_html_str(o, link);
	web_out_puts(o, "</a></p>\n<p>Keep the link: it is shown only this once, and anyone "
			"who has it can read the case. No mail is sent.</p></div>\n");
	if (extra != NULL) {
		web_out_puts(o, "<p>");
		web_out_html_str(o, extra);
		web_out_puts(o, "</p>\n");
	}
	web_page_end(o);
}

/* Parse an address from a form; folds ::ffff:a.b.c.d. */
static int form_ip(const char *text, ipbl_ipaddr_t *ip)
{
	int ret = ipbl_ipaddr_parse(ipbl_str_trim(ipbl_str(text)), ip);
	if (ret == 0) {
		(void)ipbl_ipaddr_unmap(ip);
	}
	return ret;
}

static void route_ask_post(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	if (!web_cases_csrf_ok(app, rq, "case")) {
		csrf_refused(rs, ASK_PATH);
		return;
	}
	web_form_field_t f[ASK_N];
	ask_fields(f);
	int errors = web_cases_form_read(rq, f, ASK_N, rs);
	if (errors < 0) {
		return;
	}
	ipbl_ipaddr_t ip;
	memset(&ip, 0, sizeof(ip));
	if (f[F_IP].error == NULL && form_ip(f[F_IP].value, &ip) != 0) {
		f[F_IP].error = "This is not an IP address: give one IPv4 or IPv6 address.";
		errors++;
	} else if (f[F_IP].error == NULL && ipbl_ipaddr_is_reserved(&ip)) {
		f[F_IP].error = "This is a special-purpose address that is never listed.";
		errors++;
	}
	if (f[F_ADDR].error == NULL && !web_session_address_ok(f[F_ADDR].value)) {
		f[F_ADDR].error = "This is not a mail address such as postmaster@example.net.";
		errors++;
	}
	engine_lookup_t l;
	if (errors == 0) {
		int ret = web_lookup(app, &ip, &l);
		if (ret == IPBL_ENOENT) {
			f[F_IP].error = "This address has no record here: it is not listed and was "
					"never reported, so there is nothing to ask about.";
			errors++;
		} else if (ret != 0) {
			web_cases_form_fini(f, ASK_N);
			store_trouble(app, rs, ret);
			return;
		}
	}
	if (errors > 0) {
		render_ask(app, rq, rs, 400, f, "Please correct the fields marked below.");
		web_cases_form_fini(f, ASK_N);
		return;
	}
	if (!filing_allowed(app, rq, f[F_ADDR].value, rs)) {
		web_cases_form_fini(f, ASK_N);
		return;
	}
	char token[2 * WEB_SESSION_CASE_BYTES + 1];
	web_session_random_hex(WEB_SESSION_CASE_BYTES, token);
	store_case_t c = { .kind = STORE_CASE_ASK,
			   .status = STORE_CASE_OPEN,
			   .ip = ip,
			   .created_ms = engine_now_ms(app->engine) };
	web_session_hash(token, c.token_hash);
	snprintf(c.filer_name, sizeof(c.filer_name), "%s", f[F_NAME].value);
	snprintf(c.filer_address, sizeof(c.filer_address), "%s", f[F_ADDR].value);
	snprintf(c.relationship, sizeof(c.relationship), "%s", f[F_REL].value);
	int64_t taken = 0;
	int ret = web_cases_store(app, &c, NULL, f[F_MSG].value, "a question about this listing",
				  &taken);
	web_cases_form_fini(f, ASK_N);
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	ipbl_log_info("case %lld opened (a question)", (long long)c.id);
	filed_page(app, rs, &c, token, NULL);
}

/* The report number: 1 to 2^63 - 1 in decimal, spaces and a leading '#' allowed. */
static bool parse_report_id(const char *text, int64_t *id)
{
	ipbl_str_t s = ipbl_str_trim(ipbl_str(text));
	if (s.len > 0 && s.ptr[0] == '#') {
		s.ptr++;
		s.len--;
	}
	unsigned long long v = 0;
	if (s.len == 0 || !ipbl_str_to_u64(s, INT64_MAX, &v) || v == 0) {
		return false;
	}
	*id = (int64_t)v;
	return true;
}

/* Check the report a challenge names by number; sets the field errors, or adds it to ids.
 * Returns 0, or a store error. */
static int challenge_check_report(web_app_t *app, web_form_field_t f[CHALLENGE_N], int64_t id,
				  const ipbl_ipaddr_t *ip, web_cases_ids_t *ids, int *errors)
{
	store_report_t r;
	int ret = store_report_get(app->store, id, &r);
	if (ret == IPBL_ENOENT || (ret == 0 && !ipbl_ipaddr_eq(&r.ip, ip))) {
		/* one answer for both, so the form cannot be used to map report numbers */
		f[C_REPORT].error = "No report with this number names this address. Check both "
				    "against the report you received.";
		(*errors)++;
		return 0;
	}
	if (ret != 0) {
		return ret;
	}
	store_case_t open;
	ret = store_case_find_open_for_report(app->store, id, &open);
	if (ret == 0) {
		f[C_REPORT].error = "This report is already challenged, and a deputy has not "
				    "decided yet. Follow the case at the link you got when you "
				    "filed it.";
		(*errors)++;
		return 0;
	}
	if (ret != IPBL_ENOENT) {
		return ret;
	}
	if (r.state != STORE_REPORT_COUNTED) {
		f[C_REPORT].error = "This report no longer counts towards any listing (it was "
				    "withdrawn or voided): there is nothing to challenge.";
		(*errors)++;
		return 0;
	}
	web_cases_ids_add(ids, id);
	return 0;
}

static int collect_report(void *arg, const store_report_t *r)
{
	web_cases_ids_add(arg, r->id);
	return 0;
}

/* Find the reports a challenge names by subject: those naming ip with its subject key that
 * still count and are not challenged already. None is one answer, whatever the reason (no
 * such address, no such subject, all decided or challenged), so the form cannot be used to
 * learn what was reported. Returns 0, or a store error. */
static int challenge_find_subject(web_app_t *app, web_form_field_t f[CHALLENGE_N],
				  const ipbl_ipaddr_t *ip, web_cases_ids_t *ids, int *errors)
{
	char key[ENGINE_SUBJECT_KEY_LEN];
	int ret = 0;
	if (engine_subject_key(f[C_REPORT].value, f[C_REPORT].len, key)) {
		ret = store_reports_challengeable(app->store, ip, key, collect_report, ids);
	}
	if (ret == 0 && ids->n == 0) {
		f[C_REPORT].error = "No report that still counts names this address with this "
				    "subject line (one already challenged is not counted again). "
				    "Check the whole subject and the address against the mail you "
				    "sent, or give the report number from the report you received.";
		(*errors)++;
	}
	return ret;
}

/* What the filer is told once the challenge of n reports is filed: [situation][n > 1]. */
static const char *challenge_outcome(int ret, size_t n, const engine_result_t *res)
{
	static const char *const text[4][2] = {
		{ "The report could not be suspended just now; a deputy will see your challenge "
		  "and decide.",
		  "The reports could not be suspended just now; a deputy will see your challenge "
		  "and decide." },
		{ "The report no longer counts while your challenge is open, and without it the "
		  "address is no longer listed.",
		  "The reports no longer count while your challenge is open, and without them the "
		  "address is no longer listed." },
		{ "The report no longer counts while your challenge is open. The address stays "
		  "listed for the rest of its evidence.",
		  "The reports no longer count while your challenge is open. The address stays "
		  "listed for the rest of its evidence." },
		{ "The report no longer counts while your challenge is open.",
		  "The reports no longer count while your challenge is open." },
	};
	size_t situation = ret != 0				      ? 0
			   : res->was_listed && !res->decision.listed ? 1
			   : res->decision.listed		      ? 2
								      : 3;
	return text[situation][n > 1];
}

/* The answer when another challenge took one of the reports between the check of the form
 * and the filing (two filings at once): 409 and the form again, nothing filed. */
static void challenge_taken(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			    web_form_field_t f[CHALLENGE_N], bool by_number)
{
	f[C_REPORT].error =
		by_number ? "This report is already challenged, and a deputy has not "
			    "decided yet: another challenge of it was filed a moment ago. "
			    "If it was yours, follow the case at the link you got when you "
			    "filed it."
			  : "A report of this mail is already challenged, and a deputy has "
			    "not decided yet: another challenge of it was filed a moment "
			    "ago. Send the form again to challenge the reports of this mail "
			    "that are left.";
	render_challenge(app, rq, rs, 409, f, "Nothing was filed: see below.");
}

/* Open the case of a checked challenge of ids (at least one) and suspend its reports. */
static void challenge_file(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			   web_form_field_t f[CHALLENGE_N], bool by_number, const ipbl_ipaddr_t *ip,
			   const web_cases_ids_t *ids)
{
	/* the first message: why, then the evidence under its own heading */
	web_out_t body;
	web_out_init(&body, 64 << 10);
	web_out_puts(&body, f[C_WHY].value);
	if (f[C_EVIDENCE].value != NULL && f[C_EVIDENCE].len > 0) {
		web_out_puts(&body, "\n\nEvidence:\n");
		web_out_puts(&body, f[C_EVIDENCE].value);
	}
	char token[2 * WEB_SESSION_CASE_BYTES + 1];
	web_session_random_hex(WEB_SESSION_CASE_BYTES, token);
	store_case_t c = { .kind = STORE_CASE_CHALLENGE,
			   .status = STORE_CASE_OPEN,
			   .ip = *ip,
			   .report_id = ids->v[0],
			   .created_ms = engine_now_ms(app->engine) };
	web_session_hash(token, c.token_hash);
	snprintf(c.filer_name, sizeof(c.filer_name), "%s", f[C_NAME].value);
	snprintf(c.filer_address, sizeof(c.filer_address), "%s", f[C_ADDR].value);
	snprintf(c.relationship, sizeof(c.relationship), "sender of the reported mail");
	char detail[200];
	ipbl_buf_t d;
	ipbl_buf_init(&d, detail, sizeof(detail));
	ipbl_buf_puts(&d, ids->n == 1 ? "a challenge of report " : "a challenge of reports ");
	web_cases_ids_format(ids, &d);
	int64_t taken = 0;
	int ret = body.failed ? IPBL_ENOMEM
			      : web_cases_store(app, &c, ids, body.data, detail, &taken);
	web_out_fini(&body);
	if (ret == IPBL_EEXIST && taken > 0) {
		ipbl_log_info("challenge of report %lld refused: another case took it meanwhile",
			      (long long)taken);
		challenge_taken(app, rq, rs, f, by_number);
		return;
	}
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	/* set the reports' weight aside until a deputy decides, and re-decide the address now */
	char actor[48];
	char why[128];
	snprintf(actor, sizeof(actor), "case %lld", (long long)c.id);
	snprintf(why, sizeof(why), "challenged in case %lld; suspended until a deputy decides",
		 (long long)c.id);
	engine_result_t res;
	ret = engine_reports_challenge(app->engine, ids->v, ids->n, true, actor, why, &res);
	if (ret != 0) {
		ipbl_log_warning("case %lld: cannot suspend its %zu report(s) (%s)",
				 (long long)c.id, ids->n, ipbl_strerror(ret));
	}
	ipbl_log_info("case %lld opened (%s)", (long long)c.id, detail);
	filed_page(app, rs, &c, token, challenge_outcome(ret, ids->n, &res));
}

static void route_challenge_post(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	if (!web_cases_csrf_ok(app, rq, "case")) {
		csrf_refused(rs, CHALLENGE_PATH);
		return;
	}
	web_form_field_t f[CHALLENGE_N];
	challenge_fields(f);
	int errors = web_cases_form_read(rq, f, CHALLENGE_N, rs);
	if (errors < 0) {
		return;
	}
	ipbl_ipaddr_t ip;
	int64_t id = 0;
	memset(&ip, 0, sizeof(ip));
	bool by_number = f[C_REPORT].error == NULL && parse_report_id(f[C_REPORT].value, &id);
	if (f[C_IP].error == NULL && form_ip(f[C_IP].value, &ip) != 0) {
		f[C_IP].error = "This is not an IP address: give one IPv4 or IPv6 address.";
		errors++;
	}
	if (f[C_ADDR].error == NULL && !web_session_address_ok(f[C_ADDR].value)) {
		f[C_ADDR].error = "This is not a mail address such as abuse@example.net.";
		errors++;
	}
	web_cases_ids_t ids = { 0 };
	if (errors == 0) {
		int ret = by_number ? challenge_check_report(app, f, id, &ip, &ids, &errors)
				    : challenge_find_subject(app, f, &ip, &ids, &errors);
		if (ret != 0) {
			web_cases_ids_fini(&ids);
			web_cases_form_fini(f, CHALLENGE_N);
			store_trouble(app, rs, ret);
			return;
		}
	}
	if (errors > 0) {
		render_challenge(app, rq, rs, 400, f, "Please correct the fields marked below.");
		web_cases_ids_fini(&ids);
		web_cases_form_fini(f, CHALLENGE_N);
		return;
	}
	if (!filing_allowed(app, rq, f[C_ADDR].value, rs)) {
		web_cases_ids_fini(&ids);
		web_cases_form_fini(f, CHALLENGE_N);
		return;
	}
	challenge_file(app, rq, rs, f, by_number, &ip, &ids);
	web_cases_ids_fini(&ids);
	web_cases_form_fini(f, CHALLENGE_N);
}

/* ---- the filer's case page ---- */

typedef struct {
	web_out_t *o;
	size_t n;
} msg_ctx_t;

static int put_message(void *arg, const store_case_message_t *m)
{
	msg_ctx_t *x = arg;
	bool filer = strcmp(m->author, "filer") == 0;
	web_out_puts(x->o, "<h3>");
	if (filer) {
		web_out_puts(x->o, "You wrote");
	} else {
		web_out_puts(x->o, "A deputy replied");
	}
	web_out_puts(x->o, ", ");
	web_cases_put_time(x->o, m->at_ms);
	web_out_puts(x->o, "</h3>\n");
	web_cases_put_text(x->o, m->body);
	x->n++;
	return 0;
}

static const char *status_sentence(enum store_case_status st)
{
	switch (st) {
	case STORE_CASE_ANSWERED:
		return "answered: a deputy replied. You can add to it below.";
	case STORE_CASE_CLOSED:
		return "closed: a deputy decided it. It takes no more messages.";
	default:
		return "open: waiting for a deputy.";
	}
}

static void render_case(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			const store_case_t *c, const char *token, const char *notice,
			web_form_field_t *msg)
{
	char ip[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&c->ip, ip);
	web_out_t *o = &rs->body;
	rs->content_type = CT_HTML;
	web_page_begin(o, "Your case", WEB_NAV_PUBLIC);
	web_out_printf(o, "<h1>Case %lld: %s</h1>\n", (long long)c->id,
		       c->kind == STORE_CASE_CHALLENGE ? "a challenged report"
						       : "a question about a listing");
	web_out_printf(o, "<div class=\"box%s\"><p>This case is ",
		       c->status == STORE_CASE_OPEN ? "" : " clear");
	web_out_html_str(o, status_sentence(c->status));
	web_out_puts(o, "</p></div>\n");
	if (notice != NULL) {
		web_out_puts(o, "<p role=\"status\">");
		web_out_html_str(o, notice);
		web_out_puts(o, "</p>\n");
	}
	web_out_puts(o, "<dl>\n<dt>Address</dt><dd><a href=\"/lookup?ip=");
	web_out_html_str(o, ip);
	web_out_puts(o, "\">");
	web_out_html_str(o, ip);
	web_out_puts(o, "</a></dd>\n");
	if (c->kind == STORE_CASE_CHALLENGE) {
		web_cases_ids_t ids = { 0 };
		int ret = web_cases_reports_of(app, c, &ids);
		if (ret != 0) {
			web_cases_ids_fini(&ids);
			store_trouble(app, rs, ret);
			return;
		}
		web_out_puts(o, ids.n == 1 ? "<dt>Report</dt><dd>" : "<dt>Reports</dt><dd>");
		web_cases_put_ids(o, &ids);
		web_out_puts(o, "</dd>\n");
		web_cases_ids_fini(&ids);
	}
	web_out_puts(o, "<dt>Filed by</dt><dd>");
	web_out_html_str(o, c->filer_name);
	web_out_puts(o, " (");
	web_out_html_str(o, c->filer_address);
	web_out_puts(o, ")</dd>\n<dt>Relationship</dt><dd>");
	web_out_html_str(o, c->relationship);
	web_out_puts(o, "</dd>\n<dt>Opened</dt><dd>");
	web_cases_put_time(o, c->created_ms);
	web_out_puts(o, "</dd>\n</dl>\n<h2>Messages</h2>\n");
	msg_ctx_t x = { .o = o };
	int ret = store_case_messages_each(app->store, c->id, put_message, &x);
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	if (c->status != STORE_CASE_CLOSED) {
		char csrf[WEB_SESSION_CSRF_LEN];
		web_cases_csrf_issue(app, rq, rs, "case", csrf);
		web_out_puts(
			o, "<h2>Add to this case</h2>\n<form method=\"post\" action=\"" CASE_PATH);
		web_out_html_str(o, token);
		web_out_puts(o, "\">\n");
		put_csrf(o, csrf);
		put_field(o, msg, NULL, NULL);
		web_out_puts(o, "<button type=\"submit\">Add</button>\n</form>\n");
	}
	web_page_end(o);
}

static void route_case(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	const char *token = rq->path + strlen(CASE_PATH);
	if (!web_cases_is_get(rq) && !web_cases_is_post(rq)) {
		rs->allow = "GET, HEAD, POST";
		web_cases_message_page(rs, 405, "Method not allowed",
				       "This address only answers GET, HEAD and POST requests.",
				       NULL, NULL, false);
		return;
	}
	store_case_t c;
	int ret = IPBL_ENOENT;
	if (web_session_is_hex(token, 2 * WEB_SESSION_CASE_BYTES)) {
		char hash[WEB_SESSION_HASH_LEN];
		web_session_hash(token, hash);
		ret = store_case_find_by_token(app->store, hash, &c);
	}
	if (ret == IPBL_ENOENT) {
		web_cases_message_page(rs, 404, "No such case",
				       "There is no case at this link. Check that the whole link "
				       "was copied.",
				       "/", "The lookup page", false);
		return;
	}
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	web_form_field_t msg = { .name = "message",
				 .label = "Your message",
				 .max_chars = 8000,
				 .multiline = true,
				 .required = true };
	if (web_cases_is_get(rq)) {
		rs->status = 200;
		render_case(app, rq, rs, &c, token, NULL, &msg);
		return;
	}
	if (!web_cases_csrf_ok(app, rq, "case")) {
		char back[96];
		snprintf(back, sizeof(back), CASE_PATH "%s", token);
		csrf_refused(rs, back);
		return;
	}
	if (c.status == STORE_CASE_CLOSED) {
		rs->status = 409;
		render_case(app, rq, rs, &c, token, "This case is closed: nothing was added.",
			    &msg);
		return;
	}
	int errors = web_cases_form_read(rq, &msg, 1, rs);
	if (errors < 0) {
		return;
	}
	if (errors > 0) {
		rs->status = 400;
		render_case(app, rq, rs, &c, token, "Nothing was added: see below.", &msg);
		web_cases_form_fini(&msg, 1);
		return;
	}
	web_cases_globals_t *g = web_cases_globals(app);
	int64_t now = engine_now_ms(app->engine);
	int64_t retry = 0;
	char key[80];
	snprintf(key, sizeof(key), "ip %s", rq->client_addr ? rq->client_addr : "");
	if (!web_session_limiter_take(&g->messages_ip, key, now, &retry)) {
		web_cases_form_fini(&msg, 1);
		rate_refused(rs, retry, "messages");
		return;
	}
	/* the message and the status (back to open: a deputy should look again) together */
	ret = store_begin(app->store);
	if (ret == 0) {
		store_case_message_t m = {
			.case_id = c.id, .at_ms = now, .author = "filer", .body = msg.value
		};
		ret = store_case_message_add(app->store, &m);
		if (ret == 0) {
			ret = store_case_set_status(app->store, c.id, STORE_CASE_OPEN, now);
		}
		if (ret == 0) {
			ret = store_commit(app->store);
		}
		if (ret != 0) {
			store_rollback(app->store);
		}
	}
	web_cases_form_fini(&msg, 1);
	if (ret == 0) {
		ret = store_case_get(app->store, c.id, &c);
	}
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	msg.value = NULL;
	rs->status = 200;
	render_case(app, rq, rs, &c, token, "Your message was added to the case.", &msg);
}

/* ---- the table ---- */

static void form_route(web_app_t *app, const web_request_t *rq, web_response_t *rs, bool ask)
{
	if (web_cases_globals(app) == NULL) {
		web_cases_message_page(rs, 503, "Try again shortly",
				       "The server cannot make secure tokens just now.", NULL, NULL,
				       false);
		return;
	}
	if (web_cases_is_post(rq)) {
		if (ask) {
			route_ask_post(app, rq, rs);
		} else {
			route_challenge_post(app, rq, rs);
		}
		return;
	}
	if (!web_cases_is_get(rq)) {
		rs->allow = "GET, HEAD, POST";
		web_cases_message_page(rs, 405, "Method not allowed",
				       "This address only answers GET, HEAD and POST requests.",
				       NULL, NULL, false);
		return;
	}
	/* a GET may pre-fill the address (links from the lookup page) */
	const char *ip = rq->ip_arg != NULL && !rq->ip_arg_bad && strlen(rq->ip_arg) <= 64
				 ? rq->ip_arg
				 : NULL;
	if (ask) {
		web_form_field_t f[ASK_N];
		ask_fields(f);
		f[F_IP].value = ip ? (char *)(uintptr_t)ip : NULL;
		render_ask(app, rq, rs, 200, f, NULL);
	} else {
		web_form_field_t f[CHALLENGE_N];
		challenge_fields(f);
		f[C_IP].value = ip ? (char *)(uintptr_t)ip : NULL;
		render_challenge(app, rq, rs, 200, f, NULL);
	}
}

bool web_cases_route(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	const char *p = rq->path;
	if (strcmp(p, ASK_PATH) == 0 || strcmp(p, CHALLENGE_PATH) == 0) {
		form_route(app, rq, rs, strcmp(p, ASK_PATH) == 0);
		return true;
	}
	if (strncmp(p, CASE_PATH, strlen(CASE_PATH)) == 0) {
		if (web_cases_globals(app) == NULL) {
			web_cases_message_page(rs, 503, "Try again shortly",
					       "The server cannot make secure tokens just now.",
					       NULL, NULL, false);
			return true;
		}
		route_case(app, rq, rs);
		return true;
	}
	if (strcmp(p, "/deputy") == 0 || strncmp(p, "/deputy/", 8) == 0) {
		web_deputy_route(app, rq, rs);
		return true;
	}
	return false;
}
