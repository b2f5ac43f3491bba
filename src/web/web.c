/* SPDX-License-Identifier: BSD-2-Clause */
/* The libmicrohttpd glue: one MHD server per [web] listen address, each with a pool of
 * [web] threads internal polling threads (epoll where there is one); every thread of the pool
 * owns its own store connection and engine, so that a request that waits holds up only the
 * connections of its own thread. Work slow by design (a deputy login's password check) goes
 * to the slow-work thread (slow.h) while its connection waits suspended. Every limit that keeps a
 * hostile client from taking the server is set here: connections in all and per client address, an
 * idle timeout, the memory a connection may use for its request head, and the body size per route.
 * The router (routes.c) sees only whole requests. */
#include "web/web.h"

#include <limits.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "lib/cpu.h"
#include "lib/mem.h"
#include "lib/net.h"
#include "lib/paths.h"
#include "lib/str.h"
#include "web/web_internal.h"

#define LOG_TAG "web"
#include "lib/log.h"

/* What one connection may use for its request line, headers and read buffer: a header
 * section larger than this is refused (431) before the router sees it. */
#define WEB_CONN_MEMORY (64u << 10)
/* The most header fields a request may have (browsers send about 15, proxies add a few); more
 * are refused with 431 before the router sees them. */
#define WEB_HEADERS_MAX 100
/* The most server threads per listen address ([web] threads). */
#define WEB_THREADS_MAX 256
/* The most jobs waiting for the slow-work thread (logins come at most 8 a second). */
#define WEB_SLOW_QUEUE 32
/* How long web_stop lets requests in flight finish. */
#define WEB_DRAIN_MS 1000

/* Every response carries these: no sniffing, nothing loaded from anywhere (the one inline
 * stylesheet and the lookup page's countdown script, allowed by its hash, aside), no
 * framing, no referrer leaking the looked-up address. */
#define WEB_CSP                                                                                    \
	"default-src 'none'; style-src 'unsafe-inline'; script-src '" WEB_COUNTDOWN_SCRIPT_HASH    \
	"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

typedef struct {
	web_t *w;
	web_app_t *apps;	/* one for each server thread: [web] threads of them */
	size_t n_apps;		/* opened so far */
	atomic_size_t next_app; /* the next one a thread takes on its first request */
	ipbl_conf_addr_t addr;	/* with the bound port */
	int fd;			/* the listening socket until MHD owns it; -1 after */
	struct MHD_Daemon *mhd;
} listener_t;

struct web {
	const ipbl_conf_t *conf;
	ipbl_clock_t *clock;
	web_metrics_t metrics;
	web_file_hook_t file_hook;
	listener_t *ls;
	size_t n;
	unsigned max_connections;
	unsigned max_per_ip;
	unsigned timeout_s;
	size_t max_body;
	unsigned threads;	      /* [web] threads: server threads per listen address */
	web_slow_pool_t *slow;	      /* the slow-work thread, from web_start to the end of
				       * web_stop (set before and freed after the server threads) */
	ipbl_prefix_t *trusted_proxy; /* [web] trusted_proxy */
	size_t n_trusted_proxy;
	bool started;
};

void web_set_metrics_hook(web_t *w, web_metrics_fn fn, void *arg)
{
	w->metrics.hook = fn;
	w->metrics.hook_arg = arg;
}

void web_set_file_match_hook(web_t *w, web_file_match_fn fn, void *arg)
{
	w->file_hook.fn = fn;
	w->file_hook.arg = arg;
}

/* One request's state between MHD's calls: the body read so far. */
typedef struct {
	char *body;
	size_t len;
	size_t cap;
	size_t limit;
	bool too_large;
	bool refused;	  /* too many header fields: answered 431 at once */
	web_slow_t *slow; /* a job on the slow-work thread (connection suspended), or NULL */
	bool slow_busy;	  /* the slow-work thread took no more jobs: answer 503 */
	struct MHD_Connection *conn; /* while suspended for slow work */
} req_t;

/* ---- responses ---- */

static bool add_header(struct MHD_Response *resp, const char *name, const char *value)
{
	return MHD_add_response_header(resp, name, value) == MHD_YES;
}

/* Queue rs on c (the body is handed to MHD) and count it. */
static enum MHD_Result send_response(listener_t *l, struct MHD_Connection *c, web_response_t *rs)
{
	static const char oom[] = "out of memory\n";
	size_t len = 0;
	bool failed = rs->body.failed;
	char *data = web_out_take(&rs->body, &len);
	struct MHD_Response *resp;
	if (failed) {
		rs->status = 500;
		rs->content_type = "text/plain; charset=utf-8";
		resp = MHD_create_response_from_buffer(sizeof(oom) - 1, (void *)(uintptr_t)oom,
						       MHD_RESPMEM_PERSISTENT);
	} else if (data == NULL) {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	}
	if (resp == NULL) {
		free(data);
		return MHD_NO;
	}
	bool ok = add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
			     rs->content_type ? rs->content_type : "text/plain; charset=utf-8") &&
		  add_header(resp, "X-Content-Type-Options", "nosniff") &&
		  add_header(resp, "Content-Security-Policy", WEB_CSP) &&
		  add_header(resp, "X-Frame-Options", "DENY") &&
		  add_header(resp, "Referrer-Policy", "no-referrer") &&
		  add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (ok && rs->allow != NULL) {
		ok = add_header(resp, MHD_HTTP_HEADER_ALLOW, rs->allow);
	}
	if (ok && rs->www_authenticate != NULL) {
		ok = add_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, rs->www_authenticate);
	}
	if (ok && rs->location[0] != '\0') {
		ok = add_header(resp, MHD_HTTP_HEADER_LOCATION, rs->location);
	}
	if (ok && rs->set_cookie[0] != '\0') {
		ok = add_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rs->set_cookie);
	}
	enum MHD_Result ret = MHD_NO;
	if (ok) {
		ret = MHD_queue_response(c, rs->status, resp);
	}
	MHD_destroy_response(resp);
	if (ret == MHD_YES) {
		web_metrics_count(&l->w->metrics, rs->status);
	}
	return ret;
}

static enum MHD_Result send_too_large(listener_t *l, struct MHD_Connection *c, const req_t *r,
				      const char *path)
{
	web_response_t rs = { 0 };
	web_out_init(&rs.body, 0);
	char msg[160];
	snprintf(msg, sizeof(msg),
		 "The request body is larger than the %zu bytes this address takes.", r->limit);
	if (strncmp(path, "/api/", 5) == 0) {
		rs.status = 413;
		rs.content_type = "application/json";
		web_out_puts(&rs.body, "{\"error\":");
		web_out_json_str(&rs.body, msg, strlen(msg));
		web_out_puts(&rs.body, "}\n");
	} else {
		web_route_error_html(&rs, 413, "Too large", msg);
	}
	enum MHD_Result ret = send_response(l, c, &rs);
	web_out_fini(&rs.body);
	return ret;
}

static enum MHD_Result send_too_many_headers(listener_t *l, struct MHD_Connection *c)
{
	web_response_t rs = { 0 };
	web_out_init(&rs.body, 0);
	char msg[160];
	snprintf(msg, sizeof(msg),
		 "The request has more than %d header fields; send it again with fewer.",
		 WEB_HEADERS_MAX);
	web_route_error_html(&rs, 431, "Too many header fields", msg);
	enum MHD_Result ret = send_response(l, c, &rs);
	web_out_fini(&rs.body);
	return ret;
}

/* ---- requests ---- */

/* Append a chunk of body; false when the body passes the route's limit. */
static bool body_append(req_t *r, const char *data, size_t n)
{
	if (n > r->limit - r->len) {
		return false;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n + 1) {
			cap *= 2;
		}
		char *p = realloc(r->body, cap);
		if (p == NULL) {
			return false;
		}
		r->body = p;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return true;
}

/* The query's ip= value. *bad is set for a value with a NUL byte in it or a bare "ip". */
static const char *ip_argument(struct MHD_Connection *c, bool *bad)
{
	const char *val = NULL;
	size_t len = 0;
	*bad = false;
	if (MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, "ip", 2, &val, &len) !=
	    MHD_YES) {
		return NULL;
	}
	if (val == NULL || strlen(val) != len) {
		*bad = true;
		return "";
	}
	return val;
}

/* A log-safe copy of a path: control bytes become '?', cut at 120 bytes. */
static void printable(const char *s, char *out, size_t len)
{
	size_t i = 0;
	for (; s[i] != '\0' && i + 1 < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		out[i] = ch < 0x20 || ch == 0x7F ? '?' : (char)ch;
	}
	out[i] = '\0';
}

/* The last address of an X-Forwarded-For value ("client, proxy1, proxy2": each proxy
 * appends the peer it saw, so the last one was added by our trusted proxy). */
static bool forwarded_for(const char *xff, ipbl_ipaddr_t *out)
{
	const char *comma = strrchr(xff, ',');
	ipbl_str_t s = ipbl_str_trim(ipbl_str(comma ? comma + 1 : xff));
	if (ipbl_ipaddr_parse(s, out) != 0) {
		return false;
	}
	(void)ipbl_ipaddr_unmap(out);
	return true;
}

/* The peer's address as text into buf ("" when MHD cannot tell): the key of the dispute
 * forms' and the deputy login's limits per client. Behind a [web] trusted_proxy, the client
 * its X-Forwarded-For names (the proxy itself when the header is missing or bad). */
static const char *client_address(const web_t *w, struct MHD_Connection *c,
				  char buf[IPBL_IPADDR_STRLEN])
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	buf[0] = '\0';
	if (info == NULL || info->client_addr == NULL) {
		return buf;
	}
	ipbl_ipaddr_t ip;
	memset(&ip, 0, sizeof(ip));
	if (info->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)info->client_addr;
		ip.family = IPBL_AF_V4;
		memcpy(ip.bytes, &sin->sin_addr, 4);
	} else if (info->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)info->client_addr;
		ip.family = IPBL_AF_V6;
		memcpy(ip.bytes, &sin6->sin6_addr, 16);
		(void)ipbl_ipaddr_unmap(&ip);
	} else {
		return buf;
	}
	if (w->n_trusted_proxy > 0 &&
	    ipbl_prefixes_contain(w->trusted_proxy, w->n_trusted_proxy, &ip)) {
		const char *xff =
			MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
		ipbl_ipaddr_t client;
		if (xff != NULL && forwarded_for(xff, &client)) {
			ip = client;
		}
	}
	return ipbl_ipaddr_format(&ip, buf);
}

/* The state of the server thread this runs on. A thread takes one of its listener's set on
 * its first request and keeps it for its life: MHD starts exactly [web] threads threads for a
 * listener, and each serves only the connections it accepted. NULL cannot happen unless MHD
 * starts more threads than asked for. */
static _Thread_local struct {
	const listener_t *l;
	web_app_t *app;
} tls_app;

static web_app_t *thread_app(listener_t *l)
{
	if (tls_app.l == l) {
		return tls_app.app;
	}
	size_t i = atomic_fetch_add_explicit(&l->next_app, 1, memory_order_relaxed);
	if (i >= l->n_apps) {
		ipbl_log_err("more server threads than the %zu configured: request refused",
			     l->n_apps);
		return NULL;
	}
	tls_app.l = l;
	tls_app.app = &l->apps[i];
	return tls_app.app;
}

/* The request as the router sees it; peer is the buffer of rq->client_addr. */
static void request_view(listener_t *l, struct MHD_Connection *c, const char *url,
			 const char *method, const req_t *r, web_request_t *rq,
			 char peer[IPBL_IPADDR_STRLEN])
{
	*rq = (web_request_t){
		.method = method,
		.path = url,
		.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_AUTHORIZATION),
		.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							    MHD_HTTP_HEADER_CONTENT_TYPE),
		.body = r->body,
		.body_len = r->len,
	};
	rq->ip_arg = ip_argument(c, &rq->ip_arg_bad);
	rq->cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
	rq->client_addr = client_address(l->w, c, peer);
}

static enum MHD_Result answer(listener_t *l, struct MHD_Connection *c, const char *url,
			      const char *method, web_response_t *rs)
{
	if (ipbl_log_enabled(IPBL_LOG_DEBUG)) {
		char m[16], p[121];
		printable(method, m, sizeof(m));
		printable(url, p, sizeof(p));
		ipbl_log_debug("request method=%s path=%s status=%u", m, p, rs->status);
	}
	enum MHD_Result ret = send_response(l, c, rs);
	web_out_fini(&rs->body);
	return ret;
}

/* On the slow-work thread: the job, then MHD may call on_request for the connection again. */
static void slow_work(void *arg)
{
	req_t *r = arg;
	r->slow->work(r->slow);
}

static void slow_done(void *arg)
{
	req_t *r = arg;
	MHD_resume_connection(r->conn);
}

/* The route asked for slow work: suspend the connection and hand the job over. When the
 * slow-work thread takes no more, the connection is resumed at once and gets 503. */
static enum MHD_Result suspend_for_slow_work(listener_t *l, struct MHD_Connection *c, req_t *r,
					     web_response_t *rs)
{
	r->slow = rs->slow;
	r->conn = c;
	web_out_fini(&rs->body);
	MHD_suspend_connection(c);
	if (!web_slow_pool_submit(l->w->slow, slow_work, slow_done, r)) {
		r->slow_busy = true;
		MHD_resume_connection(c);
	}
	return MHD_YES;
}

/* Back from the slow-work thread: the route finishes the answer. */
static enum MHD_Result finish_slow_work(listener_t *l, web_app_t *app, struct MHD_Connection *c,
					const char *url, const char *method, req_t *r)
{
	web_slow_t *job = r->slow;
	r->slow = NULL;
	web_response_t rs = { 0 };
	web_out_init(&rs.body, 0);
	if (r->slow_busy) {
		web_route_error_html(&rs, 503, "Busy",
				     "The server is busy with other work of this kind. Try again "
				     "in a few seconds.");
	} else {
		char peer[IPBL_IPADDR_STRLEN] = "";
		web_request_t rq;
		request_view(l, c, url, method, r, &rq, peer);
		job->finish(job, app, &rq, &rs);
	}
	job->free(job);
	return answer(l, c, url, method, &rs);
}

static enum MHD_Result dispatch(listener_t *l, web_app_t *app, struct MHD_Connection *c,
				const char *url, const char *method, req_t *r)
{
	char peer[IPBL_IPADDR_STRLEN] = "";
	web_request_t rq;
	request_view(l, c, url, method, r, &rq, peer);
	web_response_t rs = { 0 };
	web_out_init(&rs.body, 0);
	web_route(app, &rq, &rs);
	if (rs.slow != NULL) {
		return suspend_for_slow_work(l, c, r, &rs);
	}
	return answer(l, c, url, method, &rs);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	(void)version;
	listener_t *l = cls;
	web_app_t *app = thread_app(l);
	if (app == NULL) {
		return MHD_NO;
	}
	req_t *r = *req_cls;
	if (r == NULL) {
		/* the head is in: decide the body limit before any of the body is read */
		r = calloc(1, sizeof(*r));
		if (r == NULL) {
			return MHD_NO;
		}
		*req_cls = r;
		if (MHD_get_connection_values(c, MHD_HEADER_KIND, NULL, NULL) > WEB_HEADERS_MAX) {
			r->refused = true;
			return send_too_many_headers(l, c);
		}
		r->limit = web_route_body_limit(app, method, url);
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned long long n = 0;
		if (cl != NULL && ipbl_str_to_u64(ipbl_str(cl), ULLONG_MAX, &n) && n > r->limit) {
			r->too_large = true;
			return send_too_large(l, c, r, url);
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (!r->too_large && !r->refused && !body_append(r, upload, n)) {
			/* a body without a length that grew past the limit: answer now if MHD
			 * lets us, else drop the connection rather than read on */
			r->too_large = true;
			free(r->body);
			r->body = NULL;
			r->len = 0;
			return send_too_large(l, c, r, url);
		}
		return MHD_YES;
	}
	if (r->too_large) {
		return send_too_large(l, c, r, url);
	}
	if (r->refused) {
		return send_too_many_headers(l, c);
	}
	if (r->slow != NULL) {
		return finish_slow_work(l, app, c, url, method, r);
	}
	return dispatch(l, app, c, url, method, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	req_t *r = *req_cls;
	if (r != NULL) {
		if (r->slow != NULL) {
			r->slow->free(r->slow);
		}
		free(r->body);
		free(r);
		*req_cls = NULL;
	}
}

/* libmicrohttpd's own messages (mostly about misbehaving clients): debug lines, so that a
 * hostile client cannot fill the log. */
__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	if (!ipbl_log_enabled(IPBL_LOG_DEBUG)) {
		return;
	}
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
		line[--n] = '\0';
	}
	ipbl_log_debug("libmicrohttpd: %s", line);
}

/* ---- life cycle ---- */

static int read_settings(web_t *w)
{
	const ipbl_conf_t *c = w->conf;
	long long max_body = ipbl_conf_size(c, "web", "max_report_size");
	long long conns = ipbl_conf_int(c, "web", "max_connections");
	long long per_ip = ipbl_conf_int(c, "web", "max_connections_per_ip");
	long long timeout_ms = ipbl_conf_duration_ms(c, "web", "timeout");
	long long threads = ipbl_conf_int(c, "web", "threads");
	if (threads == 0) {
		threads = ipbl_cpu_count();
	}
	/* the schema bounds every value; these only guard the conversions */
	if (max_body <= 0 || conns <= 0 || conns > UINT_MAX || per_ip < 0 || per_ip > UINT_MAX ||
	    timeout_ms <= 0 || threads < 1 || threads > WEB_THREADS_MAX) {
		ipbl_log_err("%s: [web]: a limit is out of range", ipbl_conf_path(c));
		return IPBL_ECONF;
	}
	const char *bad = NULL;
	int ret = ipbl_conf_prefixes(c, "web", "trusted_proxy", &w->trusted_proxy,
				     &w->n_trusted_proxy, &bad);
	if (ret != 0) {
		if (ret == IPBL_ECONF) {
			ipbl_log_err("%s: [web] trusted_proxy: '%s' is not an IP address or CIDR "
				     "prefix",
				     ipbl_conf_path(c), bad);
		}
		return ret;
	}
	w->max_body = (size_t)max_body;
	w->max_connections = (unsigned)conns;
	w->max_per_ip = (unsigned)per_ip;
	/* MHD shares the connection limit out among the threads: at least one each */
	w->threads = (unsigned)(threads < conns ? threads : conns);
	/* MHD counts whole seconds: round up so a timeout never becomes 0 (= none) */
	w->timeout_s = (unsigned)((timeout_ms + 999) / 1000);
	return 0;
}

static int open_clock(web_t *w)
{
	char path[4096];
	if (!ipbl_conf_bool(w->conf, "testing", "manual_clock")) {
		w->clock = ipbl_clock_system();
		return 0;
	}
	int ret = ipbl_paths_clock(w->conf, path, sizeof(path));
	if (ret != 0) {
		ipbl_log_err("the manual clock path is too long");
		return ret;
	}
	ret = ipbl_clock_manual_open(path, &w->clock);
	if (ret != 0) {
		ipbl_log_err("cannot open the manual clock %s (%s)", path, ipbl_strerror(ret));
	}
	return ret;
}

/* Open one server thread's store connection and engine. */
static int app_open(web_t *w, web_app_t *app, const char *store_path)
{
	char err[1024];
	app->conf = w->conf;
	app->metrics = &w->metrics;
	app->file_hook = &w->file_hook;
	app->max_body = w->max_body;
	app->base_url = ipbl_conf_str(w->conf, "web", "base_url");
	app->zone = ipbl_conf_is_set(w->conf, "dns", "zone") ? ipbl_conf_str(w->conf, "dns", "zone")
							     : NULL;
	int ret = store_open("sqlite", store_path, &app->store, err, sizeof(err));
	if (ret != 0) {
		app->store = NULL;
		ipbl_log_err("cannot open the store: %s", err);
		return ret;
	}
	ret = engine_new(w->conf, app->store, w->clock, &app->engine, err, sizeof(err));
	if (ret != 0) {
		app->engine = NULL;
		ipbl_log_err("%s", err);
	}
	return ret;
}

static void app_close(web_app_t *app)
{
	engine_free(app->engine);
	store_close(app->store);
}

/* Open the listener's threads' stores and engines and bind its socket. */
static int listener_open(web_t *w, listener_t *l, const ipbl_conf_addr_t *addr,
			 const char *store_path)
{
	char text[IPBL_CONF_ADDR_STRLEN];
	l->w = w;
	l->fd = -1;
	l->addr = *addr;
	atomic_init(&l->next_app, 0);
	l->apps = ipbl_xcalloc(w->threads, sizeof(*l->apps));
	int ret = 0;
	while (l->n_apps < w->threads) {
		ret = app_open(w, &l->apps[l->n_apps], store_path);
		l->n_apps++; /* closed by web_free even when half open */
		if (ret != 0) {
			return ret;
		}
	}
	ret = ipbl_net_tcp_listen(addr, 128, &l->fd);
	if (ret != 0) {
		l->fd = -1;
		ipbl_log_err("cannot listen on %s (%s)", ipbl_conf_addr_format(addr, text),
			     ipbl_strerror(ret));
		return ret;
	}
	ret = ipbl_net_local_port(l->fd, &l->addr.port);
	if (ret != 0) {
		ipbl_log_err("cannot read the bound port (%s)", ipbl_strerror(ret));
		return ret;
	}
	ipbl_log_info("listening on %s", ipbl_conf_addr_format(&l->addr, text));
	return 0;
}

int web_new(const ipbl_conf_t *conf, web_t **out)
{
	*out = NULL;
	if (!ipbl_conf_has_section(conf, "web")) {
		ipbl_log_err("%s: no [web] section", ipbl_conf_path(conf));
		return IPBL_ECONF;
	}
	web_t *w = ipbl_xcalloc(1, sizeof(*w));
	w->conf = conf;
	w->metrics.start_time_s = (int64_t)time(NULL);
	int ret = read_settings(w);
	if (ret != 0) {
		goto fail;
	}
	size_t n_addrs = 0;
	const ipbl_conf_addr_t *addrs = ipbl_conf_addrs(conf, "web", "listen", &n_addrs);
	if (n_addrs == 0) {
		ipbl_log_err("%s: [web] listen: no address", ipbl_conf_path(conf));
		ret = IPBL_ECONF;
		goto fail;
	}
	ret = ipbl_paths_make_data_dir(conf);
	if (ret != 0) {
		ipbl_log_err("cannot create the data directory %s (%s)",
			     ipbl_conf_str(conf, "main", "data_dir"), ipbl_strerror(ret));
		goto fail;
	}
	char store_path[4096];
	ret = ipbl_paths_store(conf, store_path, sizeof(store_path));
	if (ret != 0) {
		ipbl_log_err("the store path is too long");
		goto fail;
	}
	ret = open_clock(w);
	if (ret != 0) {
		goto fail;
	}
	w->ls = ipbl_xcalloc(n_addrs, sizeof(*w->ls));
	for (size_t i = 0; i < n_addrs; i++) {
		w->n = i + 1;
		ret = listener_open(w, &w->ls[i], &addrs[i], store_path);
		if (ret != 0) {
			goto fail;
		}
	}
	*out = w;
	return 0;
fail:
	web_free(w);
	return ret;
}

static int listener_start(web_t *w, listener_t *l)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME;
	flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL
									: MHD_USE_AUTO;
	/* the logger first, so that MHD's messages about the other options reach it */
	l->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, l, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
		(void *)l, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)l->fd, MHD_OPTION_CONNECTION_LIMIT,
		w->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, w->max_per_ip,
		MHD_OPTION_THREAD_POOL_SIZE, w->threads, MHD_OPTION_CONNECTION_TIMEOUT,
		w->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)l, MHD_OPTION_END);
	if (l->mhd == NULL) {
		char text[IPBL_CONF_ADDR_STRLEN];
		ipbl_log_err("cannot start the HTTP server on %s",
			     ipbl_conf_addr_format(&l->addr, text));
		return IPBL_EIO;
	}
	l->fd = -1; /* MHD owns it now */
	return 0;
}

int web_start(web_t *w)
{
	int ret = web_slow_pool_start(WEB_SLOW_QUEUE, &w->slow);
	if (ret != 0) {
		ipbl_log_err("cannot start the slow-work thread (%s)", ipbl_strerror(ret));
		return ret;
	}
	for (size_t i = 0; i < w->n; i++) {
		ret = listener_start(w, &w->ls[i]);
		if (ret != 0) {
			web_stop(w);
			return ret;
		}
	}
	w->started = true;
	return 0;
}

void web_format_listen(const web_t *w, ipbl_buf_t *b)
{
	char text[IPBL_CONF_ADDR_STRLEN];
	for (size_t i = 0; i < w->n; i++) {
		if (i > 0) {
			ipbl_buf_puts(b, ",");
		}
		ipbl_buf_puts(b, ipbl_conf_addr_format(&w->ls[i].addr, text));
	}
}

static unsigned connections(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return info ? info->num_connections : 0;
}

void web_stop(web_t *w)
{
	if (w == NULL) {
		return;
	}
	/* stop accepting everywhere first, then let what is in flight finish, bounded */
	for (size_t i = 0; i < w->n; i++) {
		listener_t *l = &w->ls[i];
		if (l->mhd == NULL) {
			continue;
		}
		MHD_socket fd = MHD_quiesce_daemon(l->mhd);
		if (fd != MHD_INVALID_SOCKET) {
			l->fd = fd; /* ours again: closed below, after MHD stopped */
		}
	}
	struct timespec step = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
	for (int waited = 0; waited < WEB_DRAIN_MS; waited += 10) {
		unsigned open = 0;
		for (size_t i = 0; i < w->n; i++) {
			if (w->ls[i].mhd != NULL) {
				open += connections(w->ls[i].mhd);
			}
		}
		if (open == 0) {
			break;
		}
		nanosleep(&step, NULL);
	}
	/* the jobs still queued run and resume their connections, so MHD stops none suspended;
	 * the server threads still running get 503 for new slow work from here on, and the pool
	 * is freed only once they are all gone */
	web_slow_pool_stop(w->slow);
	for (size_t i = 0; i < w->n; i++) {
		listener_t *l = &w->ls[i];
		if (l->mhd != NULL) {
			MHD_stop_daemon(l->mhd);
			l->mhd = NULL;
		}
		if (l->fd >= 0) {
			close(l->fd);
			l->fd = -1;
		}
	}
	web_slow_pool_free(w->slow);
	w->slow = NULL;
	w->started = false;
}

void web_free(web_t *w)
{
	if (w == NULL) {
		return;
	}
	web_stop(w);
	for (size_t i = 0; i < w->n; i++) {
		listener_t *l = &w->ls[i];
		for (size_t j = 0; j < l->n_apps; j++) {
			app_close(&l->apps[j]);
		}
		free(l->apps);
	}
	free(w->ls);
	free(w->trusted_proxy);
	ipbl_clock_free(w->clock);
	free(w);
}
