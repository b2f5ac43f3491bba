/* SPDX-License-Identifier: BSD-2-Clause */
/* The deputy console (see deputy.h).
 *
 * DESIGN
 * A login checks the password against its argon2id string (crypto_pwhash_str_verify). That
 * check is slow on purpose (tens of milliseconds and 64 MiB), so it runs on the web
 * component's slow-work thread (slow.h), one check at a time and at the lowest CPU priority,
 * with the connection suspended: the server threads go on answering lookups meanwhile. Only
 * POST /deputy/login pays it, after the CSRF check and the lockout check, and at most a few
 * times per second in the whole process. Every other console request costs one BLAKE2b of
 * the session cookie and one indexed store read. An unknown name is checked against a dummy hash,
 * so the answer and its timing do not tell which names exist. A session id is 256 random bits in an
 * HttpOnly, SameSite=Strict cookie limited to /deputy (Secure when base_url is https); the store
 * keeps its hash and expiry. Every POST carries a CSRF token bound to the session id.
 *
 * The actions go through the engine, which records them in the audit log and the zone
 * journal in one transaction (DNS follows within a second); replies on cases are stored with
 * their audit entry in one transaction here. */
#include "web/deputy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/ipaddr.h"
#include "lib/mem.h"
#include "lib/str.h"
#include "web/cases.h"
#include "web/form.h"
#include "web/render.h"
#include "web/session.h"

#define LOG_TAG "web"
#include "lib/log.h"

#define CT_HTML "text/html; charset=utf-8"
#define SESSION_COOKIE "ipbl_deputy"
#define SESSION_PATH "/deputy"
/* The most rows of each kind the evidence page shows (the oldest first). */
#define EVIDENCE_ROWS_MAX 500
/* How much of a report's stored evidence the page shows. */
#define EVIDENCE_TEXT_MAX 8192
#define REASON_MAX 500
#define MESSAGE_MAX 8000

typedef struct {
	store_deputy_t d;
	char sid[2 * WEB_SESSION_ID_BYTES + 1];
	char sid_hash[WEB_SESSION_HASH_LEN];
	char csrf[WEB_SESSION_CSRF_LEN];
	char actor[STORE_NAME_MAX + 16]; /* "deputy NAME" */
} session_t;

/* ---- small pieces ---- */

static void page(web_response_t *rs, unsigned status, const char *title, const char *message,
		 const char *back, const char *back_text)
{
	web_cases_message_page(rs, status, title, message, back, back_text, true);
}

static void store_trouble(web_app_t *app, web_response_t *rs, int ret)
{
	const char *msg = store_errmsg(app->store);
	ipbl_log_warning("store error in the deputy console: %s",
			 msg != NULL && msg[0] ? msg : ipbl_strerror(ret));
	web_out_fini(&rs->body);
	web_out_init(&rs->body, 0);
	page(rs, 503, "Try again shortly", "The list's database did not answer.", "/deputy/",
	     "The queue");
}

static void redirect(web_response_t *rs, const char *to)
{
	rs->status = 303;
	rs->content_type = CT_HTML;
	snprintf(rs->location, sizeof(rs->location), "%s", to);
	web_out_puts(&rs->body, "<!DOCTYPE html>\n<p>See <a href=\"");
	web_out_html_str(&rs->body, to);
	web_out_puts(&rs->body, "\">");
	web_out_html_str(&rs->body, to);
	web_out_puts(&rs->body, "</a>.</p>\n");
}

static void put_csrf(web_out_t *o, const char *token)
{
	web_out_puts(o, "<input type=\"hidden\" name=\"csrf\" value=\"");
	web_out_html_str(o, token);
	web_out_puts(o, "\">\n");
}

/* A form with one POST action, its hidden fields already written by the caller. */
static void form_open(web_out_t *o, const session_t *s, const char *action, bool inline_form)
{
	web_out_printf(o, "<form method=\"post\" action=\"%s\"%s>\n", action,
		       inline_form ? " class=\"inline\"" : "");
	put_csrf(o, s->csrf);
}

static void hidden(web_out_t *o, const char *name, const char *value)
{
	web_out_printf(o, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	web_out_html_str(o, value);
	web_out_puts(o, "\">\n");
}

static void hidden_id(web_out_t *o, const char *name, int64_t id)
{
	web_out_printf(o, "<input type=\"hidden\" name=\"%s\" value=\"%lld\">\n", name,
		       (long long)id);
}

static void reason_input(web_out_t *o, const char *id, const char *label, bool required)
{
	web_out_printf(o, "<label for=\"%s\">", id);
	web_out_html_str(o, label);
	web_out_printf(o,
		       "</label>\n<input id=\"%s\" name=\"reason\" type=\"text\" "
		       "maxlength=\"%d\"%s>\n",
		       id, REASON_MAX, required ? " required" : "");
}

static void ip_link(web_out_t *o, const char *ip)
{
	web_out_puts(o, "<a href=\"/deputy/ip?ip=");
	web_out_html_str(o, ip);
	web_out_puts(o, "\">");
	web_out_html_str(o, ip);
	web_out_puts(o, "</a>");
}

static bool parse_id(const char *text, int64_t *id)
{
	unsigned long long v = 0;
	if (text == NULL || !ipbl_str_to_u64(ipbl_str_trim(ipbl_str(text)), INT64_MAX, &v) ||
	    v == 0) {
		return false;
	}
	*id = (int64_t)v;
	return true;
}

/* ---- sessions ---- */

/* The session of rq: 0, IPBL_ENOENT when it has none that is valid, or a store error. */
static int session_load(web_app_t *app, const web_request_t *rq, session_t *s)
{
	memset(s, 0, sizeof(*s));
	if (!web_session_cookie_get(rq->cookie, SESSION_COOKIE, s->sid, sizeof(s->sid)) ||
	    !web_session_is_hex(s->sid, 2 * WEB_SESSION_ID_BYTES)) {
		return IPBL_ENOENT;
	}
	web_session_hash(s->sid, s->sid_hash);
	int64_t now = engine_now_ms(app->engine);
	int ret = store_session_get(app->store, s->sid_hash, now, &s->d, NULL);
	if (ret != 0) {
		return ret;
	}
	web_session_csrf_make(web_session_key(), "deputy", s->sid, now / 1000, s->csrf);
	snprintf(s->actor, sizeof(s->actor), "deputy %s", s->d.name);
	return 0;
}

/* Whether a POST carries a good CSRF token for session s. */
static bool session_csrf_ok(web_app_t *app, const web_request_t *rq, const session_t *s)
{
	web_cases_globals_t *g = web_cases_globals(app);
	char *token = NULL;
	size_t len = 0;
	if (g == NULL ||
	    web_form_field(rq->body ? rq->body : "", rq->body_len, "csrf", &token, &len) != 0) {
		return false;
	}
	bool ok = strlen(token) == len &&
		  web_session_csrf_check(web_session_key(), "deputy", s->sid, token,
					 engine_now_ms(app->engine) / 1000, g->session_ms / 1000);
	free(token);
	return ok;
}

/* ---- login ---- */

/* The longest password a login takes, in characters (UTF-8: up to 4 bytes each). */
#define LOGIN_PASSWORD_MAX 1024

static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[crypto_pwhash_STRBYTES];

/* A hash of a random password, so an unknown name costs what a known one does. */
static const char *dummy(void)
{
	pthread_mutex_lock(&dummy_lock);
	if (dummy_hash[0] == '\0') {
		char pw[33];
		web_session_random_hex(16, pw);
		if (crypto_pwhash_str(dummy_hash, pw, strlen(pw),
				      crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
			dummy_hash[0] = '\0';
		}
		sodium_memzero(pw, sizeof(pw));
	}
	pthread_mutex_unlock(&dummy_lock);
	return dummy_hash;
}

static void render_login(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			 unsigned status, const char *name, const char *error)
{
	char token[WEB_SESSION_CSRF_LEN];
	web_cases_csrf_issue(app, rq, rs, "login", token);
	web_out_t *o = &rs->body;
	rs->status = status;
	rs->content_type = CT_HTML;
	web_page_begin(o, "Deputy login", WEB_NAV_DEPUTY);
	web_out_puts(o, "<h1>Deputy login</h1>\n");
	if (error != NULL) {
		web_out_puts(o, "<p class=\"err\" role=\"alert\">");
		web_out_html_str(o, error);
		web_out_puts(o, "</p>\n");
	}
	web_out_puts(o, "<form method=\"post\" action=\"/deputy/login\">\n");
	put_csrf(o, token);
	web_out_printf(o,
		       "<label for=\"name\">Name</label>\n<input id=\"name\" name=\"name\" "
		       "type=\"text\" maxlength=\"%d\" autocomplete=\"username\" required "
		       "value=\"",
		       STORE_NAME_MAX - 1);
	web_out_html_str(o, name);
	web_out_puts(o, "\">\n<label for=\"password\">Password</label>\n<input id=\"password\" "
			"name=\"password\" type=\"password\" maxlength=\"1024\" "
			"autocomplete=\"current-password\" required>\n"
			"<button type=\"submit\">Log in</button>\n</form>\n");
	web_page_end(o);
}

static void locked_out(web_app_t *app, const web_request_t *rq, web_response_t *rs,
		       const char *name, int64_t retry_ms)
{
	char dur[WEB_DURATION_LEN];
	char msg[200];
	snprintf(msg, sizeof(msg),
		 "Too many failed logins: this login is locked for about %s. Try again then.",
		 web_format_duration((retry_ms + 999) / 1000, dur));
	render_login(app, rq, rs, 429, name, msg);
}

/* Create the session of deputy d and send its cookie. */
static int login_succeeded(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			   const store_deputy_t *d, int64_t now)
{
	web_cases_globals_t *g = web_cases_globals(app);
	char sid[2 * WEB_SESSION_ID_BYTES + 1];
	char hash[WEB_SESSION_HASH_LEN];
	web_session_random_hex(WEB_SESSION_ID_BYTES, sid);
	web_session_hash(sid, hash);
	char actor[STORE_NAME_MAX + 16];
	char detail[96];
	snprintf(actor, sizeof(actor), "deputy %s", d->name);
	snprintf(detail, sizeof(detail), "login from %s",
		 rq->client_addr && rq->client_addr[0] ? rq->client_addr : "an unknown address");
	int ret = store_begin(app->store);
	if (ret != 0) {
		return ret;
	}
	ret = store_sessions_expire(app->store, now);
	if (ret == 0) {
		ret = store_session_add(app->store, hash, d->id, now, now + g->session_ms);
	}
	if (ret == 0) {
		store_audit_t a = { .at_ms = now,
				    .actor = actor,
				    .action = "deputy_login",
				    .ip = "",
				    .detail = detail };
		ret = store_audit_add(app->store, &a);
	}
	if (ret == 0) {
		ret = store_commit(app->store);
	}
	if (ret != 0) {
		store_rollback(app->store);
		return ret;
	}
	web_session_cookie_format(rs->set_cookie, sizeof(rs->set_cookie), SESSION_COOKIE, sid,
				  SESSION_PATH, g->session_ms / 1000, g->secure);
	sodium_memzero(sid, sizeof(sid));
	redirect(rs, "/deputy/");
	ipbl_log_info("deputy %s logged in", d->name);
	return 0;
}

/* A login's password check, done on the slow-work thread (web_internal.h). */
typedef struct {
	web_slow_t base;
	bool known;				   /* the name is a deputy's */
	bool good;				   /* set by the check: name and password match */
	int64_t now;				   /* when the login came */
	store_deputy_t d;			   /* the deputy, when known (its password hash) */
	char name[STORE_NAME_MAX];		   /* as typed */
	char password[LOGIN_PASSWORD_MAX * 4 + 1]; /* as typed, wiped after the check */
	size_t password_len;
} login_job_t;

static void login_check(web_slow_t *job)
{
	login_job_t *j = (login_job_t *)job;
	const char *hash = j->known ? j->d.password_hash : dummy();
	j->good = hash[0] != '\0' &&
		  crypto_pwhash_str_verify(hash, j->password, j->password_len) == 0 && j->known;
	sodium_memzero(j->password, sizeof(j->password));
}

static void login_free(web_slow_t *job)
{
	login_job_t *j = (login_job_t *)job;
	sodium_memzero(j, sizeof(*j));
	free(j);
}

static void login_keys(const web_request_t *rq, const char *name, char name_key[STORE_NAME_MAX + 8],
		       char ip_key[80])
{
	snprintf(name_key, STORE_NAME_MAX + 8, "name %s", name);
	snprintf(ip_key, 80, "ip %s", rq->client_addr ? rq->client_addr : "");
}

/* After the check, on the server thread: count a failure, or open the session. */
static void login_finish(web_slow_t *job, web_app_t *app, const web_request_t *rq,
			 web_response_t *rs)
{
	login_job_t *j = (login_job_t *)job;
	web_cases_globals_t *g = web_cases_globals(app);
	char name_key[STORE_NAME_MAX + 8];
	char ip_key[80];
	login_keys(rq, j->name, name_key, ip_key);
	int64_t retry = 0;
	if (!j->good) {
		/* the attempt was counted before the check (login_prepare) */
		ipbl_log_notice("failed deputy login from %s",
				rq->client_addr && rq->client_addr[0] ? rq->client_addr : "?");
		if (web_session_limiter_blocked(&g->logins_name, name_key, j->now, &retry) ||
		    web_session_limiter_blocked(&g->logins_ip, ip_key, j->now, &retry)) {
			locked_out(app, rq, rs, j->name, retry);
		} else {
			render_login(app, rq, rs, 403, j->name, "Wrong name or password.");
		}
		return;
	}
	web_session_limiter_reset(&g->logins_name, name_key);
	int ret = login_succeeded(app, rq, rs, &j->d, j->now);
	if (ret != 0) {
		store_trouble(app, rs, ret);
	}
}

/* The checks before any password work: the form, CSRF, lockouts, the rate of checks. Returns
 * the job for the slow-work thread, or NULL when rs is already answered. */
static login_job_t *login_prepare(web_app_t *app, const web_request_t *rq, web_response_t *rs,
				  web_form_field_t f[2])
{
	web_cases_globals_t *g = web_cases_globals(app);
	const char *name = f[0].error ? "" : f[0].value;
	if (f[0].error != NULL || f[1].error != NULL) {
		render_login(app, rq, rs, 400, name, f[0].error ? f[0].error : f[1].error);
		return NULL;
	}
	int64_t now = engine_now_ms(app->engine);
	int64_t retry = 0;
	char name_key[STORE_NAME_MAX + 8];
	char ip_key[80];
	login_keys(rq, name, name_key, ip_key);
	if (web_session_limiter_blocked(&g->logins_name, name_key, now, &retry) ||
	    web_session_limiter_blocked(&g->logins_ip, ip_key, now, &retry)) {
		locked_out(app, rq, rs, name, retry);
		return NULL;
	}
	if (!web_session_limiter_take(&g->logins_all, "all", now, &retry)) {
		render_login(app, rq, rs, 503, name,
			     "The server is busy checking other logins. Try again in a second.");
		return NULL;
	}
	/* counted as a failure now, before the check, and in the same step as the lockout test
	 * (take refuses at the limit), so that attempts sent at once cannot all pass while the
	 * first are still being checked; a success clears the name's count (login_finish) */
	if (!web_session_limiter_take(&g->logins_name, name_key, now, &retry) ||
	    !web_session_limiter_take(&g->logins_ip, ip_key, now, &retry)) {
		locked_out(app, rq, rs, name, retry);
		return NULL;
	}
	login_job_t *j = ipbl_xcalloc(1, sizeof(*j));
	if (f[1].len >= sizeof(j->password)) { /* cannot happen: the form read bounds it */
		login_free(&j->base);
		render_login(app, rq, rs, 400, name, "The password is too long.");
		return NULL;
	}
	int ret = store_deputy_get(app->store, name, &j->d);
	if (ret != 0 && ret != IPBL_ENOENT) {
		login_free(&j->base);
		store_trouble(app, rs, ret);
		return NULL;
	}
	j->base = (web_slow_t){ .work = login_check, .finish = login_finish, .free = login_free };
	j->known = ret == 0;
	j->now = now;
	snprintf(j->name, sizeof(j->name), "%s", name);
	memcpy(j->password, f[1].value, f[1].len);
	j->password_len = f[1].len;
	return j;
}

/* POST /deputy/login: the cheap checks here, the password check on the slow-work thread (it
 * would hold up every other client of this server thread), the answer in login_finish. */
static void route_login_post(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	if (!web_cases_csrf_ok(app, rq, "login")) {
		render_login(app, rq, rs, 403, "",
			     "The login form expired or was not sent from this site. Please log "
			     "in again.");
		return;
	}
	web_form_field_t f[2] = {
		{ .name = "name",
		  .label = "Name",
		  .max_chars = STORE_NAME_MAX - 1,
		  .required = true },
		{ .name = "password",
		  .label = "Password",
		  .max_chars = LOGIN_PASSWORD_MAX,
		  .required = true },
	};
	if (web_cases_form_read(rq, f, 2, rs) < 0) {
		return;
	}
	login_job_t *j = login_prepare(app, rq, rs, f);
	if (j != NULL) {
		rs->slow = &j->base;
	}
	if (f[1].value != NULL) {
		sodium_memzero(f[1].value, f[1].len);
	}
	web_cases_form_fini(f, 2);
}

static void route_logout(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			 const session_t *s)
{
	web_cases_globals_t *g = web_cases_globals(app);
	if (!session_csrf_ok(app, rq, s)) {
		page(rs, 403, "Not logged out", "The form was not sent from this console.",
		     "/deputy/", "The queue");
		return;
	}
	int ret = store_session_delete(app->store, s->sid_hash);
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	web_session_cookie_format(rs->set_cookie, sizeof(rs->set_cookie), SESSION_COOKIE, "",
				  SESSION_PATH, 0, g->secure);
	web_cases_message_page(rs, 200, "Logged out", "You are logged out.", "/deputy/login",
			       "Log in again", true);
}

/* ---- the queue ---- */

typedef struct {
	web_app_t *app;
	web_out_t *o;
	size_t n;
} queue_ctx_t;

/* "report 17" or "reports 17 and 18": the reports challenge case c covers. */
static int put_case_reports(web_app_t *app, web_out_t *o, const store_case_t *c)
{
	web_cases_ids_t ids = { 0 };
	int ret = web_cases_reports_of(app, c, &ids);
	if (ret == 0) {
		web_out_puts(o, ids.n == 1 ? "report " : "reports ");
		web_cases_put_ids(o, &ids);
	}
	web_cases_ids_fini(&ids);
	return ret;
}

static int put_queue_row(void *arg, const store_case_t *c)
{
	queue_ctx_t *x = arg;
	char ip[IPBL_IPADDR_STRLEN];
	web_out_printf(x->o, "<tr><td><a href=\"/deputy/case/%lld\">%lld</a></td><td>%s",
		       (long long)c->id, (long long)c->id,
		       c->kind == STORE_CASE_CHALLENGE ? "challenge of " : "question");
	if (c->kind == STORE_CASE_CHALLENGE) {
		int ret = put_case_reports(x->app, x->o, c);
		if (ret != 0) {
			return ret;
		}
	}
	web_out_puts(x->o, "</td><td>");
	ip_link(x->o, ipbl_ipaddr_format(&c->ip, ip));
	web_out_printf(x->o, "</td><td>%s</td><td>", store_case_status_name(c->status));
	web_out_html_str(x->o, c->filer_name);
	web_out_puts(x->o, "<br>");
	web_out_html_str(x->o, c->filer_address);
	web_out_puts(x->o, "</td><td>");
	web_cases_put_time(x->o, c->updated_ms);
	web_out_puts(x->o, "</td></tr>\n");
	x->n++;
	return 0;
}

static void route_queue(web_app_t *app, web_response_t *rs, const session_t *s)
{
	web_out_t *o = &rs->body;
	rs->status = 200;
	rs->content_type = CT_HTML;
	web_page_begin(o, "Open cases", WEB_NAV_DEPUTY);
	web_out_puts(o, "<h1>Open cases</h1>\n<p>Logged in as ");
	web_out_html_str(o, s->d.name);
	web_out_puts(o, ". ");
	form_open(o, s, "/deputy/logout", true);
	web_out_puts(o, "<button type=\"submit\">Log out</button></form></p>\n"
			"<p>Cases that wait for a deputy, the longest waiting first.</p>\n"
			"<table>\n<thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Kind"
			"</th><th scope=\"col\">Address</th><th scope=\"col\">Status</th>"
			"<th scope=\"col\">Filer</th><th scope=\"col\">Updated</th></tr>"
			"</thead>\n<tbody>\n");
	queue_ctx_t x = { .app = app, .o = o };
	int ret = store_cases_each(app->store, NULL, false, put_queue_row, &x);
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	web_out_puts(o, "</tbody>\n</table>\n");
	if (x.n == 0) {
		web_out_puts(o, "<p>No case is waiting.</p>\n");
	}
	web_out_puts(o, "<h2>Evidence of an address</h2>\n<form method=\"get\" "
			"action=\"/deputy/ip\">\n<label for=\"ip\">IP address</label>\n"
			"<input id=\"ip\" name=\"ip\" type=\"text\" maxlength=\"64\" required>\n"
			"<button type=\"submit\">Show</button>\n</form>\n");
	web_page_end(o);
}

/* ---- a case ---- */

static int put_case_message(void *arg, const store_case_message_t *m)
{
	web_out_t *o = arg;
	web_out_puts(o, "<h3>");
	web_out_html_str(o, strcmp(m->author, "filer") == 0 ? "The filer" : m->author);
	web_out_puts(o, ", ");
	web_cases_put_time(o, m->at_ms);
	web_out_puts(o, "</h3>\n");
	web_cases_put_text(o, m->body);
	return 0;
}

/* The reports of a challenge case, each with its state; *n_open gets how many are not
 * voided. */
static int case_reports_list(web_app_t *app, web_out_t *o, const web_cases_ids_t *ids,
			     size_t *n_open)
{
	*n_open = 0;
	web_out_puts(o, ids->n == 1 ? "<h2>Report</h2>\n<ul>\n" : "<h2>Reports</h2>\n<ul>\n");
	for (size_t i = 0; i < ids->n; i++) {
		store_report_t r;
		int ret = store_report_get(app->store, ids->v[i], &r);
		if (ret != 0) {
			return ret;
		}
		web_out_printf(o, "<li>Report %lld: %s</li>\n", (long long)r.id,
			       r.challenged && r.state == STORE_REPORT_COUNTED
				       ? "challenged"
				       : store_report_state_name(r.state));
		*n_open += r.state != STORE_REPORT_VOIDED;
	}
	web_out_puts(o, "</ul>\n");
	return 0;
}

/* The void and uphold forms of a challenge case of n reports: each decides them all. */
static void case_decisions(web_out_t *o, const session_t *s, const store_case_t *c, size_t n)
{
	bool one = n == 1;
	form_open(o, s, "/deputy/void", false);
	hidden_id(o, "report", c->report_id);
	hidden_id(o, "case", c->id);
	reason_input(
		o, "void-reason",
		one ? "Void the report (reporter error): it stops counting for good, its "
		      "reporter is fined, and the case is closed with this reason as the reply"
		    : "Void every report of this case (reporter error): they stop counting for "
		      "good, each reporter is fined, and the case is closed with this reason "
		      "as the reply",
		true);
	web_out_puts(o, one ? "<button type=\"submit\">Void the report</button>\n</form>\n"
			    : "<button type=\"submit\">Void the reports</button>\n</form>\n");
	form_open(o, s, "/deputy/uphold", false);
	hidden_id(o, "report", c->report_id);
	hidden_id(o, "case", c->id);
	reason_input(o, "uphold-reason",
		     one ? "Uphold the report: it counts again, and the case is closed with this "
			   "reason as the reply"
			 : "Uphold every report of this case: they count again, and the case is "
			   "closed with this reason as the reply",
		     true);
	web_out_puts(o, one ? "<button type=\"submit\">Uphold the report</button>\n</form>\n"
			    : "<button type=\"submit\">Uphold the reports</button>\n</form>\n");
}

static void route_case(web_app_t *app, const web_request_t *rq, web_response_t *rs,
		       const session_t *s)
{
	int64_t id = 0;
	if (!parse_id(rq->path + strlen("/deputy/case/"), &id)) {
		page(rs, 404, "No such case", "A case number is a whole number.", "/deputy/",
		     "The queue");
		return;
	}
	store_case_t c;
	int ret = store_case_get(app->store, id, &c);
	if (ret == IPBL_ENOENT) {
		page(rs, 404, "No such case", "There is no case with this number.", "/deputy/",
		     "The queue");
		return;
	}
	web_cases_ids_t ids = { 0 };
	if (ret == 0 && c.kind == STORE_CASE_CHALLENGE) {
		ret = web_cases_reports_of(app, &c, &ids);
	}
	if (ret != 0) {
		web_cases_ids_fini(&ids);
		store_trouble(app, rs, ret);
		return;
	}
	char ip[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&c.ip, ip);
	web_out_t *o = &rs->body;
	rs->status = 200;
	rs->content_type = CT_HTML;
	web_page_begin(o, "Case", WEB_NAV_DEPUTY);
	web_out_printf(o, "<h1>Case %lld: %s</h1>\n<dl>\n<dt>Status</dt><dd>%s</dd>\n",
		       (long long)c.id,
		       c.kind == STORE_CASE_CHALLENGE ? "a challenged report" : "a question",
		       store_case_status_name(c.status));
	web_out_puts(o, "<dt>Address</dt><dd>");
	ip_link(o, ip);
	web_out_puts(o, "</dd>\n<dt>Filer</dt><dd>");
	web_out_html_str(o, c.filer_name);
	web_out_puts(o, "</dd>\n<dt>Mail address</dt><dd>");
	web_out_html_str(o, c.filer_address);
	web_out_puts(o, "</dd>\n<dt>Relationship</dt><dd>");
	web_out_html_str(o, c.relationship);
	web_out_puts(o, "</dd>\n<dt>Opened</dt><dd>");
	web_cases_put_time(o, c.created_ms);
	web_out_puts(o, "</dd>\n</dl>\n<h2>Messages</h2>\n");
	ret = store_case_messages_each(app->store, c.id, put_case_message, o);
	size_t n_open = 0;
	size_t n_reports = ids.n;
	if (ret == 0 && c.kind == STORE_CASE_CHALLENGE) {
		ret = case_reports_list(app, o, &ids, &n_open);
	}
	web_cases_ids_fini(&ids);
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	if (c.kind == STORE_CASE_CHALLENGE && c.status != STORE_CASE_CLOSED && n_open > 0) {
		case_decisions(o, s, &c, n_reports);
	}
	if (c.status != STORE_CASE_CLOSED) {
		web_out_puts(o, "<h2>Reply</h2>\n");
		form_open(o, s, "/deputy/reply", false);
		hidden_id(o, "case", c.id);
		web_out_printf(o,
			       "<label for=\"message\">Your reply (the filer sees it at the "
			       "case link)</label>\n<textarea id=\"message\" name=\"message\" "
			       "rows=\"8\" cols=\"80\" maxlength=\"%d\" required></textarea>\n"
			       "<p><input type=\"checkbox\" id=\"close\" name=\"close\" "
			       "value=\"1\"> <label for=\"close\" class=\"inline\">Close the case "
			       "with this reply</label></p>\n<button type=\"submit\">Send the "
			       "reply</button>\n</form>\n",
			       MESSAGE_MAX);
	}
	web_out_puts(o, "<p>Delisting, voiding and fining are on the <a href=\"/deputy/ip?ip=");
	web_out_html_str(o, ip);
	web_out_puts(o, "\">evidence page of the address</a>.</p>\n");
	web_page_end(o);
}

/* ---- the evidence of an address ---- */

typedef struct {
	store_report_t *reports;
	size_t n_reports, more_reports;
	store_trap_hit_t *hits;
	size_t n_hits, more_hits;
} evidence_t;

static int collect_report(void *arg, const store_report_t *r)
{
	evidence_t *ev = arg;
	if (ev->n_reports == EVIDENCE_ROWS_MAX) {
		ev->more_reports++;
		return 0;
	}
	ev->reports[ev->n_reports++] = *r;
	return 0;
}

static int collect_hit(void *arg, const store_trap_hit_t *h)
{
	evidence_t *ev = arg;
	if (ev->n_hits == EVIDENCE_ROWS_MAX) {
		ev->more_hits++;
		return 0;
	}
	ev->hits[ev->n_hits++] = *h;
	return 0;
}

static void put_status(web_out_t *o, const engine_lookup_t *l)
{
	web_out_printf(o, "<div class=\"box %s\"><p><strong>%s.</strong> ",
		       l->listed ? "listed" : "clear", l->listed ? "Listed" : "Not listed");
	web_out_html_str(o, l->decision.sentence);
	web_out_printf(o,
		       "</p><p>%zu counted report%s in the report window, %zu trap hit%s in "
		       "the trap window.",
		       l->reports, l->reports == 1 ? "" : "s", l->trap_hits,
		       l->trap_hits == 1 ? "" : "s");
	if (l->listed) {
		web_out_puts(o, " Listed since ");
		web_cases_put_time(o, l->listed_since_ms);
		web_out_puts(o, "; ends by itself at ");
		web_cases_put_time(o, l->delist_at_ms);
		web_out_puts(o, ".");
	}
	if (l->deputy_delisted_ms > 0) {
		web_out_puts(o, " Last delisted by a deputy at ");
		web_cases_put_time(o, l->deputy_delisted_ms);
		web_out_puts(o, ".");
	}
	web_out_puts(o, "</p></div>\n");
}

static void put_report_row(web_app_t *app, web_out_t *o, const session_t *s,
			   const store_report_t *r, char *evidence)
{
	web_out_printf(o, "<tr><td>%lld</td><td>", (long long)r->id);
	web_cases_put_time(o, r->received_ms);
	web_out_puts(o, "</td><td>");
	store_reporter_t rep;
	bool named = r->reporter_id != 0 &&
		     store_reporter_get_by_id(app->store, r->reporter_id, &rep) == 0;
	if (named) {
		web_out_html_str(o, rep.name);
		web_out_printf(o, "<br>%s, %u fine%s", store_standing_name(rep.standing), rep.fines,
			       rep.fines == 1 ? "" : "s");
	} else {
		web_out_puts(o, "(a feed without an account)");
	}
	web_out_printf(o, "</td><td>%s</td><td>",
		       r->challenged && r->state == STORE_REPORT_COUNTED
			       ? "challenged"
			       : store_report_state_name(r->state));
	if (store_report_evidence(app->store, r->id, evidence, EVIDENCE_TEXT_MAX) == 0 &&
	    evidence[0] != '\0') {
		web_out_puts(o, "<details><summary>Evidence</summary>");
		web_cases_put_text(o, evidence);
		web_out_puts(o, "</details>");
	}
	if (r->state != STORE_REPORT_VOIDED) {
		form_open(o, s, "/deputy/void", false);
		hidden_id(o, "report", r->id);
		char id[32];
		snprintf(id, sizeof(id), "void-%lld", (long long)r->id);
		reason_input(o, id, "Reason (reporter error)", true);
		web_out_puts(o, "<button type=\"submit\">Void and fine the reporter</button>"
				"</form>\n");
	}
	if (r->challenged && r->state == STORE_REPORT_COUNTED) {
		form_open(o, s, "/deputy/uphold", false);
		hidden_id(o, "report", r->id);
		char id[32];
		snprintf(id, sizeof(id), "uphold-%lld", (long long)r->id);
		reason_input(o, id, "Reason", true);
		web_out_puts(o, "<button type=\"submit\">Count it again</button></form>\n");
	}
	if (named && rep.standing != STORE_STANDING_BANNED) {
		form_open(o, s, "/deputy/fine", true);
		hidden(o, "reporter", rep.name);
		web_out_puts(o, "<button type=\"submit\">Fine ");
		web_out_html_str(o, rep.name);
		web_out_puts(o, "</button></form>\n");
		form_open(o, s, "/deputy/ban", true);
		hidden(o, "reporter", rep.name);
		web_out_puts(o, "<button type=\"submit\">Ban ");
		web_out_html_str(o, rep.name);
		web_out_puts(o, "</button></form>\n");
	}
	web_out_puts(o, "</td></tr>\n");
}

static int put_audit_row(void *arg, const store_audit_t *a)
{
	web_out_t *o = arg;
	web_out_puts(o, "<tr><td>");
	web_cases_put_time(o, a->at_ms);
	web_out_puts(o, "</td><td>");
	web_out_html_str(o, a->actor);
	web_out_puts(o, "</td><td>");
	web_out_html_str(o, a->action);
	web_out_puts(o, "</td><td>");
	web_out_html_str(o, a->detail);
	web_out_puts(o, "</td></tr>\n");
	return 0;
}

static int put_ip_case(void *arg, const store_case_t *c)
{
	web_out_t *o = arg;
	web_out_printf(o, "<li><a href=\"/deputy/case/%lld\">Case %lld</a>: %s, %s</li>\n",
		       (long long)c->id, (long long)c->id, store_case_kind_name(c->kind),
		       store_case_status_name(c->status));
	return 0;
}

static void evidence_tables(web_app_t *app, web_out_t *o, const session_t *s, const evidence_t *ev)
{
	web_out_printf(o, "<h2>Spam reports (%zu)</h2>\n", ev->n_reports + ev->more_reports);
	if (ev->n_reports > 0) {
		char *evidence = malloc(EVIDENCE_TEXT_MAX);
		web_out_puts(o, "<table>\n<thead><tr><th scope=\"col\">Id</th><th scope=\"col\">"
				"Received</th><th scope=\"col\">Reporter</th><th scope=\"col\">"
				"State</th><th scope=\"col\">Evidence and actions</th></tr></thead>"
				"\n<tbody>\n");
		for (size_t i = 0; evidence != NULL && i < ev->n_reports; i++) {
			put_report_row(app, o, s, &ev->reports[i], evidence);
		}
		free(evidence);
		web_out_puts(o, "</tbody>\n</table>\n");
	}
	if (ev->more_reports > 0) {
		web_out_printf(o, "<p>%zu newer reports are not shown.</p>\n", ev->more_reports);
	}
	web_out_printf(o, "<h2>Spamtrap hits (%zu)</h2>\n", ev->n_hits + ev->more_hits);
	if (ev->n_hits > 0) {
		web_out_puts(o, "<table>\n<thead><tr><th scope=\"col\">Received</th>"
				"<th scope=\"col\">Trap address</th><th scope=\"col\">HELO</th>"
				"</tr></thead>\n<tbody>\n");
		for (size_t i = 0; i < ev->n_hits; i++) {
			const store_trap_hit_t *h = &ev->hits[i];
			web_out_puts(o, "<tr><td>");
			web_cases_put_time(o, h->received_ms);
			web_out_puts(o, "</td><td>");
			web_out_html_str(o, h->trap_address);
			web_out_puts(o, "</td><td>");
			web_out_html_str(o, h->helo);
			web_out_puts(o, "</td></tr>\n");
		}
		web_out_puts(o, "</tbody>\n</table>\n");
	}
	if (ev->more_hits > 0) {
		web_out_printf(o, "<p>%zu newer hits are not shown.</p>\n", ev->more_hits);
	}
}

static void route_ip(web_app_t *app, const web_request_t *rq, web_response_t *rs,
		     const session_t *s)
{
	ipbl_ipaddr_t ip;
	if (rq->ip_arg == NULL || rq->ip_arg_bad ||
	    ipbl_ipaddr_parse(ipbl_str_trim(ipbl_str(rq->ip_arg)), &ip) != 0) {
		bool given = rq->ip_arg != NULL && rq->ip_arg[0] != '\0';
		web_out_t *o = &rs->body;
		rs->status = given ? 400 : 200;
		rs->content_type = CT_HTML;
		web_page_begin(o, "Evidence of an address", WEB_NAV_DEPUTY);
		web_out_puts(o, "<h1>Evidence of an address</h1>\n");
		if (given) {
			web_out_puts(o, "<p class=\"err\">That is not an IP address.</p>\n");
		}
		web_out_puts(o, "<form method=\"get\" action=\"/deputy/ip\">\n<label for=\"ip\">IP "
				"address</label>\n<input id=\"ip\" name=\"ip\" type=\"text\" "
				"maxlength=\"64\" required>\n<button type=\"submit\">Show</button>"
				"\n</form>\n");
		web_page_end(o);
		return;
	}
	(void)ipbl_ipaddr_unmap(&ip);
	char text[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&ip, text);
	engine_lookup_t l;
	int ret = engine_lookup(app->engine, &ip, &l);
	if (ret != 0 && ret != IPBL_ENOENT) {
		store_trouble(app, rs, ret);
		return;
	}
	bool record = ret == 0;
	evidence_t ev = { .reports = calloc(EVIDENCE_ROWS_MAX, sizeof(store_report_t)),
			  .hits = calloc(EVIDENCE_ROWS_MAX, sizeof(store_trap_hit_t)) };
	ret = ev.reports && ev.hits ? 0 : IPBL_ENOMEM;
	if (ret == 0 && record) {
		ret = store_evidence_for_ip(app->store, &ip, 0, collect_report, collect_hit, &ev);
	}
	if (ret != 0) {
		free(ev.reports);
		free(ev.hits);
		store_trouble(app, rs, ret);
		return;
	}
	web_out_t *o = &rs->body;
	rs->status = 200;
	rs->content_type = CT_HTML;
	web_page_begin(o, text, WEB_NAV_DEPUTY);
	web_out_puts(o, "<h1>Evidence of ");
	web_out_html_str(o, text);
	web_out_puts(o, "</h1>\n");
	if (!record) {
		web_out_puts(o, "<p>No record: never reported, never listed.</p>\n");
	} else {
		put_status(o, &l);
		form_open(o, s, "/deputy/delist", false);
		hidden(o, "ip", text);
		reason_input(o, "delist-reason",
			     "Delist this address (a technical error, or reporters' errors); the "
			     "evidence so far is set aside, newer evidence counts again. Reason",
			     true);
		web_out_puts(o, "<button type=\"submit\">Delist</button>\n</form>\n");
		if (l.deputy_delisted_ms > 0) {
			form_open(o, s, "/deputy/reinstate", false);
			hidden(o, "ip", text);
			reason_input(
				o, "reinstate-reason",
				"Reinstate: take back the deputy delisting (it was a mistake); "
				"the evidence it set aside counts again. Reason",
				true);
			web_out_puts(o, "<button type=\"submit\">Reinstate</button>\n</form>\n");
		}
		evidence_tables(app, o, s, &ev);
	}
	free(ev.reports);
	free(ev.hits);
	web_out_puts(o, "<h2>Cases</h2>\n<ul>\n");
	ret = store_cases_each(app->store, &ip, true, put_ip_case, o);
	web_out_puts(o, "</ul>\n<h2>Audit log</h2>\n<table>\n<thead><tr><th scope=\"col\">When"
			"</th><th scope=\"col\">Who</th><th scope=\"col\">What</th>"
			"<th scope=\"col\">Why</th></tr></thead>\n<tbody>\n");
	if (ret == 0) {
		ret = store_audit_each(app->store, text, put_audit_row, o);
	}
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	web_out_puts(o, "</tbody>\n</table>\n");
	web_page_end(o);
}

/* ---- actions ---- */

/* Add a deputy's message to case id, set its status (ANSWERED or CLOSED) and audit it, in
 * one transaction. */
static int case_reply(web_app_t *app, const session_t *s, const store_case_t *c, const char *body,
		      bool close)
{
	int64_t now = engine_now_ms(app->engine);
	int ret = store_begin(app->store);
	if (ret != 0) {
		return ret;
	}
	store_case_message_t m = {
		.case_id = c->id, .at_ms = now, .author = s->actor, .body = body
	};
	ret = store_case_message_add(app->store, &m);
	if (ret == 0) {
		ret = store_case_set_status(app->store, c->id,
					    close ? STORE_CASE_CLOSED : STORE_CASE_ANSWERED, now);
	}
	if (ret == 0) {
		char ip[IPBL_IPADDR_STRLEN];
		char detail[64];
		snprintf(detail, sizeof(detail), "case %lld %s", (long long)c->id,
			 close ? "closed" : "answered");
		store_audit_t a = { .at_ms = now,
				    .actor = s->actor,
				    .action = close ? "case_closed" : "case_reply",
				    .ip = ipbl_ipaddr_format(&c->ip, ip),
				    .detail = detail };
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

enum action { A_DELIST, A_REINSTATE, A_VOID, A_UPHOLD, A_FINE, A_BAN, A_REPLY };

typedef struct {
	const char *path;
	enum action action;
} action_t;

static const action_t actions[] = {
	{ "/deputy/delist", A_DELIST }, { "/deputy/reinstate", A_REINSTATE },
	{ "/deputy/void", A_VOID },	{ "/deputy/uphold", A_UPHOLD },
	{ "/deputy/fine", A_FINE },	{ "/deputy/ban", A_BAN },
	{ "/deputy/reply", A_REPLY },
};

enum { X_IP, X_REPORT, X_REPORTER, X_CASE, X_REASON, X_MESSAGE, X_CLOSE, X_N };

static void action_fields(web_form_field_t f[X_N])
{
	memset(f, 0, X_N * sizeof(*f));
	f[X_IP] = (web_form_field_t){ .name = "ip", .label = "The address", .max_chars = 64 };
	f[X_REPORT] =
		(web_form_field_t){ .name = "report", .label = "The report", .max_chars = 20 };
	f[X_REPORTER] = (web_form_field_t){ .name = "reporter",
					    .label = "The reporter",
					    .max_chars = STORE_NAME_MAX - 1 };
	f[X_CASE] = (web_form_field_t){ .name = "case", .label = "The case", .max_chars = 20 };
	f[X_REASON] = (web_form_field_t){ .name = "reason",
					  .label = "The reason",
					  .max_chars = REASON_MAX };
	f[X_MESSAGE] = (web_form_field_t){
		.name = "message", .label = "The reply", .max_chars = MESSAGE_MAX, .multiline = true
	};
	f[X_CLOSE] = (web_form_field_t){ .name = "close", .label = "Close", .max_chars = 8 };
}

/* The outcome page of an action on ip (may be NULL). */
static void done(web_response_t *rs, const char *title, const char *message, const char *ip)
{
	char back[96];
	if (ip != NULL) {
		snprintf(back, sizeof(back), "/deputy/ip?ip=%s", ip);
	}
	page(rs, 200, title, message, ip ? back : "/deputy/",
	     ip ? "Back to the evidence" : "The queue");
}

/* After a decision taken from a case: the reason as the reply, and the case closed. */
static int close_from_case(web_app_t *app, const session_t *s, int64_t case_id, const char *reply)
{
	store_case_t c;
	if (case_id == 0) {
		return 0;
	}
	int ret = store_case_get(app->store, case_id, &c);
	if (ret == 0 && c.status != STORE_CASE_CLOSED) {
		ret = case_reply(app, s, &c, reply, true);
	}
	return ret == IPBL_ENOENT ? 0 : ret;
}

/* Delist (reinstate false) or reinstate the form's address. */
static void act_delist(web_app_t *app, web_response_t *rs, const session_t *s,
		       web_form_field_t f[X_N], bool reinstate)
{
	const char *failed = reinstate ? "Not reinstated" : "Not delisted";
	ipbl_ipaddr_t ip;
	if (ipbl_ipaddr_parse(ipbl_str_trim(ipbl_str(f[X_IP].value ? f[X_IP].value : "")), &ip) !=
	    0) {
		page(rs, 400, failed, "That is not an IP address.", "/deputy/", "The queue");
		return;
	}
	(void)ipbl_ipaddr_unmap(&ip);
	char text[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&ip, text);
	engine_result_t res;
	int ret = reinstate ? engine_reinstate(app->engine, &ip, s->d.name, f[X_REASON].value, &res)
			    : engine_delist(app->engine, &ip, s->d.name, f[X_REASON].value, &res);
	if (ret == IPBL_ENOENT) {
		page(rs, 404, failed, "This address has no record.", "/deputy/", "The queue");
		return;
	}
	if (ret == IPBL_EINVAL) {
		page(rs, 409, failed, "No deputy delisting of this address is in force.",
		     "/deputy/", "The queue");
		return;
	}
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	ipbl_log_info("deputy %s %s %s", s->d.name, reinstate ? "reinstated" : "delisted", text);
	char msg[200];
	const char *now_is =
		res.decision.listed
			? (reinstate ? "listed again" : "still listed (newer evidence counts)")
			: (reinstate ? "not listed (the evidence no longer suffices)" : "delisted");
	snprintf(msg, sizeof(msg),
		 "%s is %s. DNS answers follow within a second; the audit log has the reason.",
		 text, now_is);
	done(rs, reinstate ? "Reinstated" : "Delisted", msg, text);
}

/* The reports a decision on report id takes: every report of challenge case case_id when id
 * is one of them (one mailing, one decision), else id alone. */
static int decision_reports(web_app_t *app, int64_t case_id, int64_t id, web_cases_ids_t *ids)
{
	store_case_t c;
	int ret = case_id != 0 ? store_case_get(app->store, case_id, &c) : IPBL_ENOENT;
	if (ret == 0 && c.kind == STORE_CASE_CHALLENGE) {
		ret = web_cases_reports_of(app, &c, ids);
		if (ret == 0 && web_cases_ids_has(ids, id)) {
			return 0;
		}
		ids->n = 0;
	}
	if (ret != 0 && ret != IPBL_ENOENT) {
		return ret;
	}
	web_cases_ids_add(ids, id);
	return 0;
}

/* The deputy's page after ids were voided (void_it) or upheld: "Reports 17 and 18 are voided
 * and their reporters fined. Their address is now not listed." */
static void act_report_page(web_app_t *app, web_response_t *rs, const session_t *s, bool void_it,
			    const web_cases_ids_t *ids, const engine_result_t *res)
{
	bool one = ids->n == 1;
	char ip[IPBL_IPADDR_STRLEN];
	store_report_t r;
	const char *ip_text = NULL;
	if (store_report_get(app->store, ids->v[0], &r) == 0) {
		ip_text = ipbl_ipaddr_format(&r.ip, ip);
	}
	/* every number whole, however many the case covers (20 bytes and a separator each) */
	size_t cap = 256 + ids->n * 26;
	char *msg = ipbl_xcalloc(1, cap);
	ipbl_buf_t b;
	ipbl_buf_init(&b, msg, cap);
	ipbl_buf_puts(&b, one ? "Report " : "Reports ");
	web_cases_ids_format(ids, &b);
	ipbl_log_info("deputy %s %s %s", s->d.name, void_it ? "voided" : "upheld", msg);
	ipbl_buf_puts(&b, void_it ? (one ? " is voided and its reporter fined"
					 : " are voided and their reporters fined")
				  : (one ? " counts again" : " count again"));
	ipbl_buf_printf(&b, ". %s now %s.", one ? "Its address is" : "Their address is",
			res->decision.listed ? "listed" : "not listed");
	done(rs,
	     void_it ? (one ? "Report voided" : "Reports voided")
		     : (one ? "Report upheld" : "Reports upheld"),
	     msg, ip_text);
	free(msg);
}

/* Void (void_it) or uphold the form's report, and with it every report of the form's case
 * that covers it; a case is closed with the reason as its reply. */
static void act_report(web_app_t *app, web_response_t *rs, const session_t *s,
		       web_form_field_t f[X_N], bool void_it, int64_t case_id)
{
	int64_t id = 0;
	if (!parse_id(f[X_REPORT].value, &id)) {
		page(rs, 400, "Nothing done", "A report number is a whole number.", "/deputy/",
		     "The queue");
		return;
	}
	web_cases_ids_t ids = { 0 };
	engine_result_t res;
	int ret = decision_reports(app, case_id, id, &ids);
	if (ret == 0) {
		ret = void_it ? engine_void_reports(app->engine, ids.v, ids.n, s->d.name,
						    f[X_REASON].value, &res)
			      : engine_reports_challenge(app->engine, ids.v, ids.n, false, s->actor,
							 f[X_REASON].value, &res);
	}
	bool one = ids.n == 1;
	if (ret == 0) {
		char reply[REASON_MAX * 4 + 128];
		snprintf(reply, sizeof(reply), "%s\n\n%s", f[X_REASON].value,
			 void_it ? (one ? "Decision: the report was voided (reporter error). It "
					  "no longer counts towards any listing."
					: "Decision: the reports were voided (reporter error). "
					  "They no longer count towards any listing.")
				 : (one ? "Decision: the report stands and counts again."
					: "Decision: the reports stand and count again."));
		ret = close_from_case(app, s, case_id, reply);
	}
	if (ret == IPBL_ENOENT) {
		page(rs, 404, "Nothing done", "There is no report with this number.", "/deputy/",
		     "The queue");
	} else if (ret != 0) {
		store_trouble(app, rs, ret);
	} else {
		act_report_page(app, rs, s, void_it, &ids, &res);
	}
	web_cases_ids_fini(&ids);
}

static void act_standing(web_app_t *app, web_response_t *rs, const session_t *s,
			 web_form_field_t f[X_N], bool ban)
{
	const char *name = f[X_REPORTER].value ? f[X_REPORTER].value : "";
	size_t n = 0;
	int ret = ban ? engine_reporter_ban(app->engine, name, s->actor, &n)
		      : engine_reporter_fine(app->engine, name, s->actor, &n);
	if (ret == IPBL_ENOENT) {
		page(rs, 404, "Nothing done", "There is no reporter with this name.", "/deputy/",
		     "The queue");
		return;
	}
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	ipbl_log_info("deputy %s %s reporter %s", s->d.name, ban ? "banned" : "fined", name);
	char msg[STORE_NAME_MAX + 160];
	snprintf(msg, sizeof(msg), "Reporter %s is %s; %zu address%s re-decided at once.", name,
		 ban ? "banned" : "fined", n, n == 1 ? " was" : "es were");
	done(rs, ban ? "Reporter banned" : "Reporter fined", msg, NULL);
}

static void act_reply(web_app_t *app, web_response_t *rs, const session_t *s,
		      web_form_field_t f[X_N], int64_t case_id)
{
	store_case_t c;
	int ret = case_id ? store_case_get(app->store, case_id, &c) : IPBL_ENOENT;
	if (ret == IPBL_ENOENT) {
		page(rs, 404, "No reply sent", "There is no such case.", "/deputy/", "The queue");
		return;
	}
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	if (c.status == STORE_CASE_CLOSED) {
		page(rs, 409, "No reply sent", "This case is closed.", "/deputy/", "The queue");
		return;
	}
	if (f[X_MESSAGE].value == NULL || f[X_MESSAGE].len == 0) {
		page(rs, 400, "No reply sent", "The reply is empty.", "/deputy/", "The queue");
		return;
	}
	bool close = f[X_CLOSE].value != NULL && strcmp(f[X_CLOSE].value, "1") == 0;
	ret = case_reply(app, s, &c, f[X_MESSAGE].value, close);
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	char msg[128];
	char back[64];
	snprintf(msg, sizeof(msg), "Your reply is on case %lld%s.", (long long)c.id,
		 close ? ", and the case is closed" : "");
	snprintf(back, sizeof(back), "/deputy/case/%lld", (long long)c.id);
	page(rs, 200, "Reply sent", msg, back, "Back to the case");
}

static void route_action(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			 const session_t *s, enum action action)
{
	if (!session_csrf_ok(app, rq, s)) {
		page(rs, 403, "Nothing done",
		     "The form was not sent from this console, or it is too old. Load the page "
		     "again.",
		     "/deputy/", "The queue");
		return;
	}
	web_form_field_t f[X_N];
	action_fields(f);
	int errors = web_cases_form_read(rq, f, X_N, rs);
	if (errors < 0) {
		return;
	}
	int64_t case_id = 0;
	const char *problem = NULL;
	for (size_t i = 0; i < X_N && problem == NULL; i++) {
		problem = f[i].error;
	}
	bool needs_reason = action == A_DELIST || action == A_REINSTATE || action == A_VOID ||
			    action == A_UPHOLD;
	if (problem == NULL && needs_reason &&
	    (f[X_REASON].value == NULL || f[X_REASON].len == 0)) {
		problem = "A reason is needed: it goes to the audit log.";
	}
	if (problem == NULL && f[X_CASE].value != NULL && f[X_CASE].len > 0 &&
	    !parse_id(f[X_CASE].value, &case_id)) {
		problem = "A case number is a whole number.";
	}
	if (problem != NULL) {
		page(rs, 400, "Nothing done", problem, "/deputy/", "The queue");
	} else if (action == A_REINSTATE) {
		act_delist(app, rs, s, f, true);
	} else if (action == A_DELIST) {
		act_delist(app, rs, s, f, false);
		if (rs->status == 200 && case_id != 0) {
			int ret = close_from_case(app, s, case_id, f[X_REASON].value);
			if (ret != 0) {
				store_trouble(app, rs, ret);
			}
		}
	} else if (action == A_VOID || action == A_UPHOLD) {
		act_report(app, rs, s, f, action == A_VOID, case_id);
	} else if (action == A_FINE || action == A_BAN) {
		act_standing(app, rs, s, f, action == A_BAN);
	} else {
		act_reply(app, rs, s, f, case_id);
	}
	web_cases_form_fini(f, X_N);
}

/* ---- the table ---- */

static void not_allowed(web_response_t *rs, const char *allow)
{
	char msg[96];
	rs->allow = allow;
	snprintf(msg, sizeof(msg), "This address only answers %s requests.", allow);
	page(rs, 405, "Method not allowed", msg, "/deputy/", "The queue");
}

/* The pages that need a session. */
static void route_session(web_app_t *app, const web_request_t *rq, web_response_t *rs,
			  const session_t *s)
{
	const char *p = rq->path;
	if (strcmp(p, "/deputy/logout") == 0) {
		if (!web_cases_is_post(rq)) {
			not_allowed(rs, "POST");
			return;
		}
		route_logout(app, rq, rs, s);
		return;
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(p, actions[i].path) == 0) {
			if (!web_cases_is_post(rq)) {
				not_allowed(rs, "POST");
				return;
			}
			route_action(app, rq, rs, s, actions[i].action);
			return;
		}
	}
	bool known = strcmp(p, "/deputy/") == 0 || strcmp(p, "/deputy/ip") == 0 ||
		     strncmp(p, "/deputy/case/", 13) == 0;
	if (!known) {
		page(rs, 404, "Page not found", "There is no console page at this address.",
		     "/deputy/", "The queue");
		return;
	}
	if (!web_cases_is_get(rq)) {
		not_allowed(rs, "GET, HEAD");
		return;
	}
	if (strcmp(p, "/deputy/") == 0) {
		route_queue(app, rs, s);
	} else if (strcmp(p, "/deputy/ip") == 0) {
		route_ip(app, rq, rs, s);
	} else {
		route_case(app, rq, rs, s);
	}
}

void web_deputy_route(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	if (web_cases_globals(app) == NULL) {
		page(rs, 503, "Try again shortly", "The server cannot make secure tokens just now.",
		     NULL, NULL);
		return;
	}
	const char *p = rq->path;
	if (strcmp(p, "/deputy") == 0) {
		redirect(rs, "/deputy/");
		return;
	}
	if (strcmp(p, "/deputy/login") == 0) {
		if (web_cases_is_post(rq)) {
			route_login_post(app, rq, rs);
		} else if (web_cases_is_get(rq)) {
			render_login(app, rq, rs, 200, "", NULL);
		} else {
			not_allowed(rs, "GET, HEAD, POST");
		}
		return;
	}
	session_t s;
	int ret = session_load(app, rq, &s);
	if (ret == IPBL_ENOENT) {
		if (web_cases_is_get(rq)) {
			redirect(rs, "/deputy/login");
		} else {
			page(rs, 403, "Not logged in",
			     "Log in to the deputy console first; sessions end after a while.",
			     "/deputy/login", "Log in");
		}
		return;
	}
	if (ret != 0) {
		store_trouble(app, rs, ret);
		return;
	}
	route_session(app, rq, rs, &s);
	sodium_memzero(s.sid, sizeof(s.sid));
}
