/* SPDX-License-Identifier: BSD-2-Clause */
/* Inside the web component: a request as the router sees it (already read whole, limits
 * already applied by the MHD glue in web.c), the response it builds, the counters, and the
 * per-thread state the routes use. */
#pragma once

#include "web/web.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "store/store.h"
#include "web/render.h"
#include "web/slow.h"

/* The status codes counted one by one in ipbl_web_requests_total; others count as "other". */
/* clang-format off */
#define WEB_CODES(X)                                                                          \
	X(200) X(201) X(303) X(400) X(401) X(403) X(404) X(405) X(409) X(413) X(415) X(422)   \
	X(429) X(431) X(500) X(503)
/* clang-format on */

enum web_code_index {
#define WEB_CODE_ENUM(n) WEB_CODE_##n,
	WEB_CODES(WEB_CODE_ENUM)
#undef WEB_CODE_ENUM
	/* any other code */
	WEB_CODE_OTHER,
	WEB_CODE_COUNT
};

/* Shared by every server thread; written with relaxed atomics. */
typedef struct {
	atomic_uint_fast64_t requests[WEB_CODE_COUNT];
	atomic_uint_fast64_t reports_received;	/* 201: stored (duplicates included) */
	atomic_uint_fast64_t reports_duplicate; /* 201 with "duplicate": true */
	atomic_uint_fast64_t reports_refused;	/* 4xx on POST /api/v1/reports */
	int64_t start_time_s;			/* process start, Unix seconds */
	web_metrics_fn hook;			/* other components' counters, or NULL */
	void *hook_arg;
} web_metrics_t;

void web_metrics_count(web_metrics_t *m, unsigned status);

/* The data-file hook (web_set_file_match_hook); fn NULL when none. */
typedef struct {
	web_file_match_fn fn;
	void *arg;
} web_file_hook_t;

/* One server thread's state: its own store connection and engine. */
typedef struct {
	const ipbl_conf_t *conf;
	store_t *store;
	engine_t *engine;
	web_metrics_t *metrics;
	const web_file_hook_t *file_hook;
	size_t max_body;      /* [web] max_report_size */
	const char *zone;     /* [dns] zone, or NULL */
	const char *base_url; /* [web] base_url */
} web_app_t;

/* The most history entries the lookup page shows (the newest). */
#define WEB_HISTORY_MAX 100

/* The longest Bearer token accepted (a key is 64 hex digits). */
#define WEB_TOKEN_MAX 256

/* The most bytes read of a body on a route that takes none (it is ignored). */
#define WEB_BODY_IGNORED_MAX (64u << 10)

/* The forms of the disputes and the deputy console: their longest fields (16,000 characters)
 * percent-encoded at up to 9 bytes a character (%XX for each UTF-8 byte) with the rest. */
#define WEB_FORM_BODY_MAX (256u << 10)
/* The most fields a form may send (ours have at most 8). */
#define WEB_FORM_FIELDS_MAX 32

typedef struct {
	const char *method;	   /* "GET", "HEAD", "POST", anything */
	const char *path;	   /* decoded, without the query */
	const char *ip_arg;	   /* the query's ip= value; NULL when absent */
	bool ip_arg_bad;	   /* ip= held a NUL byte or was given without '=' */
	const char *authorization; /* header value or NULL */
	const char *content_type;  /* header value or NULL */
	const char *body;	   /* the whole body (NUL-terminated), or NULL */
	size_t body_len;
	const char *cookie;	 /* the Cookie header, or NULL (disputes, deputy console) */
	const char *client_addr; /* the peer's address as text, or "" when unknown */
} web_request_t;

typedef struct web_response web_response_t;

/* Work too slow for a server thread (slow.h). A route that needs it allocates a job that
 * starts with this struct, sets rs->slow to it and returns with nothing else in rs: the glue
 * suspends the connection, runs work on the slow-work thread, then calls finish on a server
 * thread of the same listener with the same request to fill rs, and at last free. work runs
 * alone, without the store or the engine; finish has the thread's web_app_t. When the
 * slow-work thread is busy, the glue answers 503 itself and calls only free. */
typedef struct web_slow web_slow_t;
struct web_slow {
	void (*work)(web_slow_t *job);
	void (*finish)(web_slow_t *job, web_app_t *app, const web_request_t *rq,
		       web_response_t *rs);
	void (*free)(web_slow_t *job);
};

struct web_response {
	unsigned status;
	const char *content_type; /* static string */
	web_out_t body;
	const char *allow;	      /* 405: the Allow header */
	const char *www_authenticate; /* 401: the WWW-Authenticate header */
	char location[96];	      /* 201: the Location header, or "" */
	char set_cookie[256];	      /* a Set-Cookie header, or "" */
	web_slow_t *slow;	      /* work for the slow-work thread, or NULL (see above) */
};

/* The body limit for a request to method + path: max_body for the routes that take a body,
 * WEB_BODY_IGNORED_MAX for the others. */
size_t web_route_body_limit(const web_app_t *app, const char *method, const char *path);

/* Answer one request: fills rs (rs->body is initialised by the caller). Runs on the
 * server thread that owns app. */
void web_route(web_app_t *app, const web_request_t *rq, web_response_t *rs);

/* The disputes and the deputy console (cases.c, deputy.c): answers rq and returns true when
 * its path is theirs (/dispute/..., /case/..., /deputy...), else returns false. */
bool web_cases_route(web_app_t *app, const web_request_t *rq, web_response_t *rs);

/* The explainer's answer page for a bounce (explain.c), appended to page. Returns 0,
 * IPBL_ENOMEM, or a store error from the lookup (then nothing was appended). */
int web_explain(web_app_t *app, const char *bounce, size_t len, web_out_t *page) IPBL_MUSTCHECK;

/* engine_lookup of ip with what the data files say of it (engine_lookup_add_file). */
int web_lookup(web_app_t *app, const ipbl_ipaddr_t *ip, engine_lookup_t *out) IPBL_MUSTCHECK;

/* Fill rs with an HTML error page (status, a title, a sentence). */
void web_route_error_html(web_response_t *rs, unsigned status, const char *title,
			  const char *message);
