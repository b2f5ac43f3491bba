/* SPDX-License-Identifier: BSD-2-Clause */
/* The routes of the web component: from a whole request to a whole response. The engine
 * answers the questions (lookups, reports); render.c writes the pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/ipaddr.h"
#include "lib/str.h"
#include "web/form.h"
#include "web/web_internal.h"

#define LOG_TAG "web"
#include "lib/log.h"

#define CT_HTML "text/html; charset=utf-8"
#define CT_JSON "application/json"
#define CT_TEXT "text/plain; charset=utf-8"
#define CT_METRICS "text/plain; version=0.0.4; charset=utf-8"

#define LOOKUP_API "/api/v1/lookup/"
#define REPORTS_API "/api/v1/reports"

/* How much of a bad input is quoted back in an error message. */
#define QUOTE_MAX 80

void web_metrics_count(web_metrics_t *m, unsigned status)
{
	size_t i = WEB_CODE_OTHER;
	switch (status) {
#define WEB_CODE_CASE(n)                                                                           \
	case n:                                                                                    \
		i = WEB_CODE_##n;                                                                  \
		break;
		WEB_CODES(WEB_CODE_CASE)
#undef WEB_CODE_CASE
	default:
		break;
	}
	atomic_fetch_add_explicit(&m->requests[i], 1, memory_order_relaxed);
}

static bool is_get(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

static bool is_post(const char *method)
{
	return strcmp(method, "POST") == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

size_t web_route_body_limit(const web_app_t *app, const char *method, const char *path)
{
	if (is_post(method) && (strcmp(path, REPORTS_API) == 0 || strcmp(path, "/explain") == 0)) {
		return app->max_body;
	}
	if (is_post(method) && (starts_with(path, "/dispute/") || starts_with(path, "/case/") ||
				starts_with(path, "/deputy"))) {
		return WEB_FORM_BODY_MAX;
	}
	return WEB_BODY_IGNORED_MAX;
}

/* ---- responses ---- */

void web_route_error_html(web_response_t *rs, unsigned status, const char *title,
			  const char *message)
{
	rs->status = status;
	rs->content_type = CT_HTML;
	web_render_error(status, title, message, false, NULL, &rs->body);
}

/* A JSON error: {"error": message} plus, when reason is not NULL, "reason". */
static void json_error(web_response_t *rs, unsigned status, const char *message, const char *reason)
{
	rs->status = status;
	rs->content_type = CT_JSON;
	web_out_puts(&rs->body, "{\"error\":");
	web_out_json_str(&rs->body, message, strlen(message));
	if (reason != NULL) {
		web_out_puts(&rs->body, ",\"reason\":");
		web_out_json_str(&rs->body, reason, strlen(reason));
	}
	web_out_puts(&rs->body, "}\n");
}

static void method_not_allowed(web_response_t *rs, const char *allow, bool json)
{
	rs->allow = allow;
	if (json) {
		char msg[96];
		snprintf(msg, sizeof(msg), "method not allowed; use %s", allow);
		json_error(rs, 405, msg, NULL);
	} else {
		char msg[96];
		snprintf(msg, sizeof(msg), "This address only answers %s requests.", allow);
		web_route_error_html(rs, 405, "Method not allowed", msg);
	}
}

/* "'text'" cut to QUOTE_MAX bytes with "..." when longer, into buf. */
static const char *quote(const char *text, char *buf, size_t len)
{
	size_t n = strlen(text);
	snprintf(buf, len, "'%.*s%s'", (int)(n > QUOTE_MAX ? QUOTE_MAX : n), text,
		 n > QUOTE_MAX ? "..." : "");
	return buf;
}

/* A store failure while answering: logged once here, 503 (the store may come back). */
static void store_failed(web_app_t *app, web_response_t *rs, bool json, int ret)
{
	const char *msg = store_errmsg(app->store);
	ipbl_log_warning("store error while answering: %s",
			 msg != NULL && msg[0] ? msg : ipbl_strerror(ret));
	if (json) {
		json_error(rs, 503, "the store is unavailable; try again shortly", NULL);
	} else {
		web_route_error_html(rs, 503, "Try again shortly",
				     "The list's database did not answer. Please try again in a "
				     "minute.");
	}
}

/* Parse an address typed by a person (spaces around it are dropped) and fold an
 * IPv4-mapped IPv6 address to IPv4. Returns 0 or IPBL_EPARSE. */
static int parse_ip(const char *text, ipbl_ipaddr_t *ip, bool *unmapped)
{
	ipbl_str_t s = ipbl_str_trim(ipbl_str(text));
	int ret = ipbl_ipaddr_parse(s, ip);
	if (ret != 0) {
		return ret;
	}
	*unmapped = ipbl_ipaddr_unmap(ip);
	return 0;
}

/* ---- the lookup page ---- */

typedef struct {
	web_history_t *ring; /* WEB_HISTORY_MAX entries */
	size_t total;
} history_acc_t;

static int on_audit(void *arg, const store_audit_t *a)
{
	history_acc_t *h = arg;
	web_redact(a, &h->ring[h->total % WEB_HISTORY_MAX]);
	h->total++;
	return 0;
}

/* The newest WEB_HISTORY_MAX audit entries of ip, oldest first, into *out (free()).
 * Returns 0 or IPBL_E*. */
static int load_history(web_app_t *app, const char *ip, web_history_t **out, size_t *n,
			size_t *older)
{
	history_acc_t h = { .ring = calloc(WEB_HISTORY_MAX, sizeof(web_history_t)) };
	*out = NULL;
	*n = 0;
	*older = 0;
	if (h.ring == NULL) {
		return IPBL_ENOMEM;
	}
	int ret = store_audit_each(app->store, ip, on_audit, &h);
	if (ret != 0) {
		free(h.ring);
		return ret;
	}
	if (h.total > WEB_HISTORY_MAX) {
		/* rotate the ring so the oldest kept entry comes first */
		web_history_t *lin = calloc(WEB_HISTORY_MAX, sizeof(web_history_t));
		if (lin == NULL) {
			free(h.ring);
			return IPBL_ENOMEM;
		}
		size_t start = h.total % WEB_HISTORY_MAX;
		for (size_t i = 0; i < WEB_HISTORY_MAX; i++) {
			lin[i] = h.ring[(start + i) % WEB_HISTORY_MAX];
		}
		free(h.ring);
		h.ring = lin;
		*older = h.total - WEB_HISTORY_MAX;
		*n = WEB_HISTORY_MAX;
	} else {
		*n = h.total;
	}
	*out = h.ring;
	return 0;
}

static bool is_test_point(const ipbl_ipaddr_t *ip, uint8_t last)
{
	return ip->family == IPBL_AF_V4 && ip->bytes[0] == 127 && ip->bytes[1] == 0 &&
	       ip->bytes[2] == 0 && ip->bytes[3] == last;
}

static void route_lookup_page(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	char q[QUOTE_MAX + 8];
	rs->content_type = CT_HTML;
	if (rq->ip_arg == NULL) {
		rs->status = 400;
		web_render_error(400, "Which address?",
				 "Give the IP address to look up, for example "
				 "/lookup?ip=192.0.2.1.",
				 true, NULL, &rs->body);
		return;
	}
	ipbl_ipaddr_t ip;
	bool unmapped = false;
	if (rq->ip_arg_bad || parse_ip(rq->ip_arg, &ip, &unmapped) != 0) {
		char msg[QUOTE_MAX + 160];
		snprintf(msg, sizeof(msg),
			 "%s is not an IP address. Enter one IPv4 address such as 192.0.2.1 or "
			 "one IPv6 address such as 2001:db8::1 (no host names, no ranges).",
			 quote(rq->ip_arg_bad ? "" : rq->ip_arg, q, sizeof(q)));
		rs->status = 400;
		web_render_error(400, "Not an IP address", msg, true,
				 rq->ip_arg_bad ? NULL : rq->ip_arg, &rs->body);
		return;
	}
	char text[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&ip, text);
	web_lookup_view_t v = {
		.ip = text,
		.unmapped = unmapped,
		.now_ms = engine_now_ms(app->engine),
		.ask_url = "/dispute/ask",
		.challenge_url = "/dispute/challenge",
	};
	if (is_test_point(&ip, 2)) {
		v.kind = WEB_LOOKUP_TEST_LISTED;
	} else if (is_test_point(&ip, 1)) {
		v.kind = WEB_LOOKUP_TEST_UNLISTED;
	} else if (ipbl_ipaddr_is_reserved(&ip)) {
		v.kind = WEB_LOOKUP_RESERVED;
		v.kind_name = ipbl_ipaddr_kind_name(ipbl_ipaddr_kind(&ip));
	}
	engine_lookup_t l;
	engine_evidence_view_t ev;
	memset(&ev, 0, sizeof(ev));
	web_history_t *hist = NULL;
	int ret = 0;
	if (v.kind == WEB_LOOKUP_RECORD) {
		ret = web_lookup(app, &ip, &l);
		if (ret == IPBL_ENOENT) {
			v.kind = WEB_LOOKUP_NO_RECORD;
			ret = 0;
		} else if (ret == 0 && l.file_only) {
			v.lookup = &l;
		} else if (ret == 0) {
			v.lookup = &l;
			ret = load_history(app, text, &hist, &v.n_history, &v.n_history_older);
			v.history = hist;
		}
		if (ret == 0 && v.lookup != NULL && !l.file_only) {
			ret = engine_evidence_view(app->engine, &ip, &ev);
			v.evidence = &ev;
		}
	}
	if (ret != 0) {
		store_failed(app, rs, false, ret);
	} else {
		rs->status = 200;
		web_render_lookup(&v, &rs->body);
	}
	engine_evidence_view_fini(&ev);
	free(hist);
}

int web_lookup(web_app_t *app, const ipbl_ipaddr_t *ip, engine_lookup_t *out)
{
	int ret = engine_lookup(app->engine, ip, out);
	zone_match_t m = { 0 };
	if (app->file_hook != NULL && app->file_hook->fn != NULL &&
	    (ret == 0 || ret == IPBL_ENOENT)) {
		app->file_hook->fn(app->file_hook->arg, ip, &m);
	}
	return engine_lookup_add_file(out, ret, ip, &m);
}

static void route_lookup_api(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	const char *arg = rq->path + strlen(LOOKUP_API);
	char q[QUOTE_MAX + 8];
	char msg[QUOTE_MAX + 128];
	if (arg[0] == '\0') {
		json_error(rs, 400, "give the address in the path: /api/v1/lookup/192.0.2.1", NULL);
		return;
	}
	ipbl_ipaddr_t ip;
	bool unmapped = false;
	if (parse_ip(arg, &ip, &unmapped) != 0) {
		snprintf(msg, sizeof(msg), "%s is not an IPv4 or IPv6 address",
			 quote(arg, q, sizeof(q)));
		json_error(rs, 400, msg, NULL);
		return;
	}
	char text[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&ip, text);
	engine_lookup_t l;
	int ret = web_lookup(app, &ip, &l);
	if (ret == IPBL_ENOENT) {
		if (ipbl_ipaddr_is_reserved(&ip)) {
			snprintf(msg, sizeof(msg), "%s is a %s address: never listed", text,
				 ipbl_ipaddr_kind_name(ipbl_ipaddr_kind(&ip)));
		} else {
			snprintf(msg, sizeof(msg), "no record of %s: not listed, never reported",
				 text);
		}
		json_error(rs, 404, msg, NULL);
		return;
	}
	if (ret != 0) {
		store_failed(app, rs, true, ret);
		return;
	}
	/* one object of fixed fields and a sentence of at most POLICY_SENTENCE_MAX bytes */
	char json[4096];
	ipbl_buf_t b;
	ipbl_buf_init(&b, json, sizeof(json));
	if (engine_lookup_json(&l, &b) != 0) {
		ipbl_log_warning("the lookup of %s does not fit its JSON buffer", text);
		json_error(rs, 500, "cannot format the lookup", NULL);
		return;
	}
	rs->status = 200;
	rs->content_type = CT_JSON;
	web_out_append(&rs->body, b.data, b.len);
	web_out_puts(&rs->body, "\n");
}

/* ---- spam reports ---- */

/* The token of "Bearer TOKEN" (scheme case-insensitive), or NULL. */
static const char *bearer_token(const char *auth)
{
	if (auth == NULL || strncasecmp(auth, "Bearer", 6) != 0 ||
	    (auth[6] != ' ' && auth[6] != '\t')) {
		return NULL;
	}
	const char *t = auth + 6;
	while (*t == ' ' || *t == '\t') {
		t++;
	}
	return *t ? t : NULL;
}

static void unauthorized(web_response_t *rs, const char *message, bool invalid)
{
	rs->www_authenticate = invalid ? "Bearer realm=\"ipbl\", error=\"invalid_token\""
				       : "Bearer realm=\"ipbl\"";
	json_error(rs, 401, message, NULL);
}

/* The outcome of a stored report as the API's JSON. */
static void report_created(web_app_t *app, const engine_result_t *res, const ipbl_ipaddr_t *src,
			   web_response_t *rs)
{
	char text[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(src, text);
	rs->status = 201;
	rs->content_type = CT_JSON;
	snprintf(rs->location, sizeof(rs->location), "%s%s", LOOKUP_API, text);
	web_out_printf(&rs->body, "{\"id\":%lld,\"ip\":", (long long)res->id);
	web_out_json_str(&rs->body, text, strlen(text));
	web_out_printf(&rs->body, ",\"status\":\"%s\"",
		       res->decision.listed ? "listed" : "not listed");
	if (res->duplicate) {
		web_out_puts(&rs->body, ",\"duplicate\":true");
	}
	web_out_puts(&rs->body, "}\n");
	atomic_fetch_add_explicit(&app->metrics->reports_received, 1, memory_order_relaxed);
	if (res->duplicate) {
		atomic_fetch_add_explicit(&app->metrics->reports_duplicate, 1,
					  memory_order_relaxed);
	}
}

static void route_report(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	const char *token = bearer_token(rq->authorization);
	if (token == NULL) {
		unauthorized(rs, "a reporter API key is needed: Authorization: Bearer KEY", false);
		return;
	}
	if (strlen(token) > WEB_TOKEN_MAX) {
		unauthorized(rs, "unknown API key", true);
		return;
	}
	store_reporter_t r;
	int ret = engine_reporter_by_key(app->engine, token, &r);
	if (ret == IPBL_ENOENT) {
		unauthorized(rs, "unknown API key", true);
		return;
	}
	if (ret == IPBL_EACCES) {
		json_error(rs, 403, "this reporter is banned: its reports are not taken", NULL);
		return;
	}
	if (ret != 0) {
		store_failed(app, rs, true, ret);
		return;
	}
	if (rq->body == NULL || rq->body_len == 0) {
		json_error(rs, 400, "the body is empty: send the spam as a raw message", NULL);
		return;
	}
	engine_message_t m = {
		.reporter = r.name,
		.msg = rq->body,
		.len = rq->body_len,
	};
	engine_result_t res;
	ipbl_ipaddr_t src;
	char why[512] = "";
	memset(&res, 0, sizeof(res));
	memset(&src, 0, sizeof(src));
	ret = engine_report_message(app->engine, &m, &res, &src, why, sizeof(why));
	switch (ret) {
	case 0:
		report_created(app, &res, &src, rs);
		return;
	case IPBL_EFORMAT:
		json_error(rs, 400, "the body is not a mail message", why[0] ? why : NULL);
		return;
	case IPBL_ENOENT:
		if (why[0] != '\0') {
			json_error(rs, 422, "no source address could be determined", why);
		} else {
			unauthorized(rs, "unknown API key", true);
		}
		return;
	case IPBL_EINVAL:
		json_error(rs, 422, "the source address is one that is never listed",
			   why[0] ? why : NULL);
		return;
	case IPBL_EACCES:
		json_error(rs, 403, "this reporter is banned: its reports are not taken", NULL);
		return;
	case IPBL_ENOMEM:
		json_error(rs, 500, "out of memory", NULL);
		return;
	default:
		store_failed(app, rs, true, ret);
		return;
	}
}

/* ---- the bounce explainer ---- */

/* The bounce text of a POST /explain: the form field "bounce", or the whole body for
 * text/plain (and for a body without a Content-Type). Returns 0 with *text (free()), or a
 * status code after filling rs. */
static unsigned explain_input(const web_request_t *rq, web_response_t *rs, char **text, size_t *len)
{
	*text = NULL;
	*len = 0;
	const char *ct = rq->content_type ? rq->content_type : "text/plain";
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		int ret =
			web_form_field(rq->body ? rq->body : "", rq->body_len, "bounce", text, len);
		if (ret == IPBL_ENOMEM) {
			web_route_error_html(rs, 500, "Out of memory", "Please try again.");
			return 500;
		}
		if (ret == IPBL_EFORMAT) {
			web_route_error_html(rs, 400, "Bad form data",
					     "The form data has a broken %-escape.");
			return 400;
		}
		if (ret == IPBL_ENOENT) {
			*text = NULL;
			*len = 0;
		}
		return 0;
	}
	if (strncasecmp(ct, "text/plain", 10) == 0 || strncasecmp(ct, "message/", 8) == 0) {
		*text = malloc(rq->body_len + 1);
		if (*text == NULL) {
			web_route_error_html(rs, 500, "Out of memory", "Please try again.");
			return 500;
		}
		if (rq->body_len > 0) {
			memcpy(*text, rq->body, rq->body_len);
		}
		(*text)[rq->body_len] = '\0';
		*len = rq->body_len;
		return 0;
	}
	web_route_error_html(rs, 415, "Unsupported form encoding",
			     "Send the bounce as the form field \"bounce\" "
			     "(application/x-www-form-urlencoded) or as text/plain.");
	return 415;
}

static void route_explain(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	rs->content_type = CT_HTML;
	if (is_get(rq->method)) {
		rs->status = 200;
		web_render_explain_form(NULL, &rs->body);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	if (explain_input(rq, rs, &text, &len) != 0) {
		return;
	}
	if (text == NULL || ipbl_str_trim(ipbl_str(text)).len == 0) {
		free(text);
		rs->status = 400;
		web_render_error(400, "Nothing to explain",
				 "The bounce was empty. Paste the delivery failure notice you "
				 "got back into the box on the explainer page.",
				 false, NULL, &rs->body);
		return;
	}
	int ret = web_explain(app, text, len, &rs->body);
	free(text);
	if (ret == IPBL_ENOMEM) {
		web_route_error_html(rs, 500, "Out of memory", "Please try again.");
	} else if (ret != 0) {
		store_failed(app, rs, false, ret);
	} else {
		rs->status = 200;
	}
}

/* ---- operations ---- */

static void route_metrics(web_app_t *app, web_response_t *rs)
{
	static const unsigned codes[] = {
#define WEB_CODE_NUM(n) n,
		WEB_CODES(WEB_CODE_NUM)
#undef WEB_CODE_NUM
	};
	web_metrics_t *m = app->metrics;
	web_out_t *o = &rs->body;
	rs->status = 200;
	rs->content_type = CT_METRICS;
	web_out_puts(o, "# HELP ipbl_web_requests_total HTTP requests answered, by status code.\n"
			"# TYPE ipbl_web_requests_total counter\n");
	for (size_t i = 0; i < WEB_CODE_OTHER; i++) {
		web_out_printf(o, "ipbl_web_requests_total{code=\"%u\"} %llu\n", codes[i],
			       (unsigned long long)atomic_load_explicit(&m->requests[i],
									memory_order_relaxed));
	}
	web_out_printf(o, "ipbl_web_requests_total{code=\"other\"} %llu\n",
		       (unsigned long long)atomic_load_explicit(&m->requests[WEB_CODE_OTHER],
								memory_order_relaxed));
	web_out_printf(o,
		       "# HELP ipbl_reports_received_total Spam reports stored through the API "
		       "(duplicates included).\n"
		       "# TYPE ipbl_reports_received_total counter\n"
		       "ipbl_reports_received_total %llu\n"
		       "# HELP ipbl_reports_duplicate_total Reports of spam that was already on "
		       "record.\n"
		       "# TYPE ipbl_reports_duplicate_total counter\n"
		       "ipbl_reports_duplicate_total %llu\n"
		       "# HELP ipbl_reports_refused_total Reports refused (bad key, banned, not a "
		       "message, no source).\n"
		       "# TYPE ipbl_reports_refused_total counter\n"
		       "ipbl_reports_refused_total %llu\n",
		       (unsigned long long)atomic_load_explicit(&m->reports_received,
								memory_order_relaxed),
		       (unsigned long long)atomic_load_explicit(&m->reports_duplicate,
								memory_order_relaxed),
		       (unsigned long long)atomic_load_explicit(&m->reports_refused,
								memory_order_relaxed));
	size_t listed = 0;
	int ret = store_listings_count(app->store, &listed);
	web_out_printf(o,
		       "# HELP ipbl_store_up Whether the store answered this scrape.\n"
		       "# TYPE ipbl_store_up gauge\n"
		       "ipbl_store_up %d\n",
		       ret == 0 ? 1 : 0);
	if (ret == 0) {
		web_out_printf(o,
			       "# HELP ipbl_listed Addresses listed now.\n"
			       "# TYPE ipbl_listed gauge\n"
			       "ipbl_listed %zu\n",
			       listed);
	}
	if (m->hook != NULL) {
		char extra[8192];
		ipbl_buf_t b;
		ipbl_buf_init(&b, extra, sizeof(extra));
		m->hook(m->hook_arg, &b);
		web_out_puts(o, extra);
	}
	web_out_printf(o,
		       "# HELP process_start_time_seconds Start time of the process since the "
		       "Unix epoch in seconds.\n"
		       "# TYPE process_start_time_seconds gauge\n"
		       "process_start_time_seconds %lld\n",
		       (long long)m->start_time_s);
}

static void route_healthz(web_app_t *app, web_response_t *rs)
{
	size_t n = 0;
	rs->content_type = CT_TEXT;
	if (store_listings_count(app->store, &n) != 0) {
		rs->status = 503;
		web_out_puts(&rs->body, "store unreachable\n");
		return;
	}
	rs->status = 200;
	web_out_puts(&rs->body, "ok\n");
}

/* ---- the table ---- */

void web_route(web_app_t *app, const web_request_t *rq, web_response_t *rs)
{
	const char *p = rq->path;
	const char *m = rq->method;
	bool api = starts_with(p, "/api/");
	if (web_cases_route(app, rq, rs)) {
		return;
	}
	if (strcmp(p, "/") == 0) {
		if (!is_get(m)) {
			method_not_allowed(rs, "GET, HEAD", false);
			return;
		}
		rs->status = 200;
		rs->content_type = CT_HTML;
		web_render_home(&rs->body);
	} else if (strcmp(p, "/lookup") == 0) {
		if (!is_get(m)) {
			method_not_allowed(rs, "GET, HEAD", false);
			return;
		}
		route_lookup_page(app, rq, rs);
	} else if (starts_with(p, LOOKUP_API)) {
		if (!is_get(m)) {
			method_not_allowed(rs, "GET, HEAD", true);
			return;
		}
		route_lookup_api(app, rq, rs);
	} else if (strcmp(p, REPORTS_API) == 0) {
		if (!is_post(m)) {
			method_not_allowed(rs, "POST", true);
			return;
		}
		route_report(app, rq, rs);
		if (rs->status >= 400 && rs->status < 500) {
			atomic_fetch_add_explicit(&app->metrics->reports_refused, 1,
						  memory_order_relaxed);
		}
	} else if (strcmp(p, "/explain") == 0) {
		if (!is_get(m) && !is_post(m)) {
			method_not_allowed(rs, "GET, HEAD, POST", false);
			return;
		}
		route_explain(app, rq, rs);
	} else if (strcmp(p, "/metrics") == 0) {
		if (!is_get(m)) {
			method_not_allowed(rs, "GET, HEAD", false);
			return;
		}
		route_metrics(app, rs);
	} else if (strcmp(p, "/healthz") == 0) {
		if (!is_get(m)) {
			method_not_allowed(rs, "GET, HEAD", false);
			return;
		}
		route_healthz(app, rs);
	} else if (api) {
		json_error(rs, 404, "no such API endpoint", NULL);
	} else {
		web_route_error_html(rs, 404, "Page not found",
				     "There is no page at this address. Look an IP address up "
				     "on the home page, or explain a bounce.");
	}
}
