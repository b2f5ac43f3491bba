/* SPDX-License-Identifier: BSD-2-Clause */
/* The web component over real HTTP/1.1 on 127.0.0.1: every route and status code, the
 * security headers, escaping of hostile input, the limits (body size, connections per
 * client, the idle timeout against a slow client), malformed requests, and the report API
 * end to end (201, then the lookup shows it; the same spam again is a duplicate). Every wait
 * is bounded. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/paths.h"
#include "store/store.h"
#include "web/web.h"

#define IO_TIMEOUT_MS 5000
#define T0 1893456000000LL /* 2030-01-01T00:00:00Z */
#define SPAM_IP "45.33.32.156"
#define KEY_ALICE "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
#define KEY_BOB "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
#define KEY_EVE "e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5"

typedef struct {
	char dir[64];
	ipbl_conf_t *conf;
	web_t *web;
	uint16_t port;
} fixture_t;

static fixture_t fx;

/* ---- a tiny HTTP client ---- */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(fx.port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Send all of p; false when the peer closed or it took too long. */
static bool send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	int64_t deadline = now_ms() + IO_TIMEOUT_MS;
	while (n > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		int left = (int)(deadline - now_ms());
		if (left <= 0 || poll(&pfd, 1, left) <= 0) {
			return false;
		}
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return false;
		}
		c += w;
		n -= (size_t)w;
	}
	return true;
}

/* Read until the peer closes (or resets), at most timeout_ms. Returns what was read (NUL-
 * terminated, free()) and sets *closed when the connection ended within the time. */
static char *read_all(int fd, int timeout_ms, size_t *len, bool *closed)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	int64_t deadline = now_ms() + timeout_ms;
	*closed = false;
	for (;;) {
		int left = (int)(deadline - now_ms());
		if (left <= 0) {
			break;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, left);
		if (pr < 0 && errno == EINTR) {
			continue;
		}
		if (pr <= 0) {
			break;
		}
		if (cap - n < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		ssize_t r = recv(fd, buf + n, cap - n - 1, 0);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			*closed = true;
			break;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

typedef struct {
	int status; /* 0: no response */
	char *raw;
	size_t raw_len;
	const char *body; /* inside raw */
	size_t body_len;
} resp_t;

static void resp_free(resp_t *r)
{
	free(r->raw);
	memset(r, 0, sizeof(*r));
}

static void parse_resp(resp_t *r)
{
	r->status = 0;
	if (strncmp(r->raw, "HTTP/1.", 7) == 0 && r->raw_len >= 12) {
		r->status = (int)strtol(r->raw + 9, NULL, 10);
	}
	const char *sep = strstr(r->raw, "\r\n\r\n");
	r->body = sep ? sep + 4 : r->raw + r->raw_len;
	r->body_len = (size_t)(r->raw + r->raw_len - r->body);
}

/* One raw request on a new connection; the response is read until the server closes. */
static resp_t http_raw(const char *req, size_t len)
{
	resp_t r = { 0 };
	int fd = dial();
	bool closed = false;
	if (send_all(fd, req, len)) {
		shutdown(fd, SHUT_WR);
	}
	r.raw = read_all(fd, IO_TIMEOUT_MS, &r.raw_len, &closed);
	close(fd);
	assert_true(closed);
	parse_resp(&r);
	return r;
}

/* METHOD PATH with extra header lines (each ending in \r\n) and a body (may be NULL). */
static resp_t http(const char *method, const char *path, const char *headers, const char *body,
		   size_t body_len)
{
	size_t cap = 1024 + strlen(path) + (headers ? strlen(headers) : 0) + body_len;
	char *req = malloc(cap);
	assert_non_null(req);
	int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s",
			 method, path, headers ? headers : "");
	assert_true(n > 0 && (size_t)n < cap);
	size_t len = (size_t)n;
	if (body != NULL) {
		n = snprintf(req + len, cap - len, "Content-Length: %zu\r\n\r\n", body_len);
		len += (size_t)n;
		memcpy(req + len, body, body_len);
		len += body_len;
	} else {
		memcpy(req + len, "\r\n", 2);
		len += 2;
	}
	resp_t r = http_raw(req, len);
	free(req);
	return r;
}

static resp_t get(const char *path)
{
	return http("GET", path, NULL, NULL, 0);
}

/* The value of header name (case-insensitive) in r, copied into buf; NULL when absent. */
static const char *header(const resp_t *r, const char *name, char *buf, size_t len)
{
	size_t nlen = strlen(name);
	const char *p = strstr(r->raw, "\r\n");
	while (p != NULL && p < r->body) {
		p += 2;
		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			const char *v = p + nlen + 1;
			while (*v == ' ') {
				v++;
			}
			const char *e = strstr(v, "\r\n");
			size_t vlen = e ? (size_t)(e - v) : strlen(v);
			snprintf(buf, len, "%.*s", (int)vlen, v);
			return buf;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

static void expect(const resp_t *r, int status, const char *needle)
{
	if (r->status != status || (needle != NULL && strstr(r->body, needle) == NULL)) {
		fail_msg("want %d with \"%s\", got:\n%s", status, needle ? needle : "", r->raw);
	}
}

static void expect_header(const resp_t *r, const char *name, const char *want)
{
	char buf[512];
	const char *v = header(r, name, buf, sizeof(buf));
	if (v == NULL || strstr(v, want) == NULL) {
		fail_msg("header %s: want \"%s\", got \"%s\" in:\n%s", name, want, v ? v : "(none)",
			 r->raw);
	}
}

static void expect_healthy(void)
{
	resp_t r = get("/healthz");
	expect(&r, 200, "ok\n");
	resp_free(&r);
}

/* ---- the fixture: a data dir, a config, reporters, the server ---- */

static void add_reporter(store_t *s, const char *name, const char *key, bool banned)
{
	store_reporter_t r;
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	char hash[ENGINE_KEY_HASH_LEN];
	engine_api_key_hash(key, hash);
	snprintf(r.api_key_hash, sizeof(r.api_key_hash), "%s", hash);
	r.standing = banned ? STORE_STANDING_BANNED : STORE_STANDING_GOOD;
	r.created_ms = T0;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_reporter_add(s, &r), 0);
	assert_int_equal(store_commit(s), 0);
}

static int setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/ipbl-test-web-XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	char text[1024];
	int n = snprintf(text, sizeof(text),
			 "[main]\ndata_dir = %s\nlog_level = warning\n"
			 "[web]\nlisten = 127.0.0.1:0\nmax_report_size = 64K\ntimeout = 1s\n"
			 "max_connections_per_ip = 8\n"
			 "[testing]\nmanual_clock = yes\n",
			 fx.dir);
	char err[512];
	assert_int_equal(ipbl_conf_parse("test.conf", text, (size_t)n, &fx.conf, err, sizeof(err)),
			 0);
	assert_int_equal(ipbl_paths_make_data_dir(fx.conf), 0);

	/* the time, and the reporters, as the ipbl command would set them up */
	char path[512];
	ipbl_clock_t *clock = NULL;
	assert_int_equal(ipbl_paths_clock(fx.conf, path, sizeof(path)), 0);
	assert_int_equal(ipbl_clock_manual_open(path, &clock), 0);
	assert_int_equal(ipbl_clock_set_ms(clock, T0), 0);
	ipbl_clock_free(clock);
	store_t *s = NULL;
	assert_int_equal(ipbl_paths_store(fx.conf, path, sizeof(path)), 0);
	assert_int_equal(store_open("sqlite", path, &s, err, sizeof(err)), 0);
	add_reporter(s, "alice", KEY_ALICE, false);
	add_reporter(s, "bob", KEY_BOB, false);
	add_reporter(s, "eve", KEY_EVE, true);
	store_close(s);

	assert_int_equal(web_new(fx.conf, &fx.web), 0);
	assert_int_equal(web_start(fx.web), 0);
	char listen[128];
	ipbl_buf_t b;
	ipbl_buf_init(&b, listen, sizeof(listen));
	web_format_listen(fx.web, &b);
	assert_int_equal(strncmp(listen, "127.0.0.1:", 10), 0);
	fx.port = (uint16_t)strtol(listen + 10, NULL, 10);
	assert_true(fx.port > 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	web_stop(fx.web);
	web_stop(fx.web); /* twice is fine */
	web_free(fx.web);
	ipbl_conf_free(fx.conf);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "could not remove %s\n", fx.dir);
	}
	return 0;
}

/* ---- routes ---- */

static void test_healthz_and_methods(void **state)
{
	(void)state;
	resp_t r = get("/healthz");
	expect(&r, 200, "ok\n");
	expect_header(&r, "Content-Type", "text/plain");
	resp_free(&r);

	r = http("HEAD", "/healthz", NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	resp_free(&r);

	r = http("POST", "/healthz", NULL, "x", 1);
	expect(&r, 405, NULL);
	expect_header(&r, "Allow", "GET, HEAD");
	resp_free(&r);

	r = http("DELETE", "/lookup?ip=45.33.32.1", NULL, NULL, 0);
	expect(&r, 405, "Method not allowed");
	expect_header(&r, "Allow", "GET, HEAD");
	resp_free(&r);

	r = get("/api/v1/reports");
	expect(&r, 405, "\"error\"");
	expect_header(&r, "Allow", "POST");
	expect_header(&r, "Content-Type", "application/json");
	resp_free(&r);

	r = get("/no/such/page");
	expect(&r, 404, "Page not found");
	expect_header(&r, "Content-Type", "text/html; charset=utf-8");
	resp_free(&r);

	r = get("/api/v1/nothing");
	expect(&r, 404, "{\"error\":");
	resp_free(&r);

	r = get("/");
	expect(&r, 200, "action=\"/lookup\"");
	resp_free(&r);
}

static void test_security_headers(void **state)
{
	(void)state;
	resp_t r = get("/lookup?ip=45.33.32.9");
	expect(&r, 200, NULL);
	expect_header(&r, "X-Content-Type-Options", "nosniff");
	expect_header(&r, "Content-Security-Policy", "default-src 'none'");
	expect_header(&r, "Content-Security-Policy", "frame-ancestors 'none'");
	expect_header(&r, "Content-Security-Policy", "style-src 'unsafe-inline'");
	expect_header(&r, "Cache-Control", "no-store");
	expect_header(&r, "Content-Type", "text/html; charset=utf-8");
	/* no script of any kind, no external asset */
	assert_null(strstr(r.body, "<script"));
	assert_null(strstr(r.body, "http://"));
	assert_null(strstr(r.body, "https://"));
	resp_free(&r);
}

static void test_lookup_page_inputs(void **state)
{
	(void)state;
	resp_t r = get("/lookup");
	expect(&r, 400, "Which address?");
	resp_free(&r);

	r = get("/lookup?ip=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
	expect(&r, 400, "is not an IP address");
	assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_null(strstr(r.body, "<script"));
	resp_free(&r);

	r = get("/lookup?ip=%22%3E%3Cimg%20src=x%3E");
	expect(&r, 400, "value=\"&quot;&gt;&lt;img src=x&gt;\"");
	assert_null(strstr(r.body, "<img"));
	resp_free(&r);

	r = get("/lookup?ip=1.2.3.4%00");
	expect(&r, 400, "is not an IP address");
	resp_free(&r);

	r = get("/lookup?ip");
	expect(&r, 400, "is not an IP address");
	resp_free(&r);

	r = get("/lookup?ip=10.1.2.3");
	expect(&r, 200, "is a private address");
	resp_free(&r);

	r = get("/lookup?ip=127.0.0.2");
	expect(&r, 200, "RFC 5782");
	resp_free(&r);

	r = get("/lookup?ip=%3A%3Affff%3A127.0.0.1");
	expect(&r, 200, "always answers \"not listed\"");
	resp_free(&r);

	r = get("/lookup?ip=+45.33.32.200+");
	expect(&r, 200, "45.33.32.200 is not listed");
	assert_non_null(strstr(r.body, "No spam reports or spamtrap hits are on record"));
	resp_free(&r);

	r = http("HEAD", "/lookup?ip=45.33.32.200", NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	resp_free(&r);
}

static void test_lookup_api_errors(void **state)
{
	(void)state;
	resp_t r = get("/api/v1/lookup/45.33.32.200");
	expect(&r, 404, "{\"error\":\"no record of 45.33.32.200");
	expect_header(&r, "Content-Type", "application/json");
	expect_header(&r, "Cache-Control", "no-store");
	resp_free(&r);

	r = get("/api/v1/lookup/127.0.0.1");
	expect(&r, 404, "never listed");
	resp_free(&r);

	r = get("/api/v1/lookup/not-an-ip");
	expect(&r, 400, "is not an IPv4 or IPv6 address");
	resp_free(&r);

	r = get("/api/v1/lookup/%22%0A%3Cscript%3E");
	expect(&r, 400, "\\\"\\n<script>"); /* JSON-escaped, served as JSON with nosniff */
	resp_free(&r);

	r = get("/api/v1/lookup/");
	expect(&r, 400, "give the address");
	resp_free(&r);
}

static const char spam1[] =
	"Received: from mx.recipient.example (mx.recipient.example [10.1.2.3])\r\n"
	"\tby mail.recipient.example with ESMTP id A1; Tue, 1 Jan 2030 00:00:02 +0000\r\n"
	"Received: from bad.example (host.bad.example [" SPAM_IP "])\r\n"
	"\tby mx.recipient.example with ESMTP id B2; Tue, 1 Jan 2030 00:00:01 +0000\r\n"
	"From: a@bad.example\r\nTo: victim@recipient.example\r\nSubject: buy now\r\n\r\n"
	"cheap <script>alert('spam')</script> pills\r\n";

static const char spam2[] =
	"Received: from bad.example (host.bad.example [" SPAM_IP "])\r\n"
	"\tby mx.other.example with ESMTP id C3; Tue, 1 Jan 2030 00:00:05 +0000\r\n"
	"From: b@bad.example\r\nSubject: more spam\r\n\r\nmore of the same\r\n";

static resp_t post_report(const char *key, const char *body, size_t len)
{
	char headers[256];
	snprintf(headers, sizeof(headers),
		 "Authorization: Bearer %s\r\nContent-Type: message/rfc822\r\n", key);
	return http("POST", "/api/v1/reports", headers, body, len);
}

static void test_reports(void **state)
{
	(void)state;
	/* no key, a wrong key, a banned reporter */
	resp_t r = http("POST", "/api/v1/reports", NULL, spam1, sizeof(spam1) - 1);
	expect(&r, 401, "{\"error\":");
	expect_header(&r, "WWW-Authenticate", "Bearer");
	resp_free(&r);
	r = http("POST", "/api/v1/reports", "Authorization: Basic YWxpY2U6eA==\r\n", spam1,
		 sizeof(spam1) - 1);
	expect(&r, 401, NULL);
	resp_free(&r);
	r = post_report("0000000000000000000000000000000000000000000000000000000000000000", spam1,
			sizeof(spam1) - 1);
	expect(&r, 401, "unknown API key");
	expect_header(&r, "WWW-Authenticate", "invalid_token");
	resp_free(&r);
	r = post_report(KEY_EVE, spam1, sizeof(spam1) - 1);
	expect(&r, 403, "banned");
	resp_free(&r);

	/* bad bodies */
	r = post_report(KEY_ALICE, "", 0);
	expect(&r, 400, "empty");
	resp_free(&r);
	static const char no_hops[] = "From: a@b.example\r\nSubject: no hops\r\n\r\nx\r\n";
	r = post_report(KEY_ALICE, no_hops, sizeof(no_hops) - 1);
	expect(&r, 422, "\"reason\":");
	resp_free(&r);

	/* the first report: stored, one reporter is not enough to list */
	r = post_report(KEY_ALICE, spam1, sizeof(spam1) - 1);
	expect(&r, 201, "\"ip\":\"" SPAM_IP "\",\"status\":\"not listed\"}");
	assert_non_null(strstr(r.body, "{\"id\":"));
	expect_header(&r, "Location", "/api/v1/lookup/" SPAM_IP);
	expect_header(&r, "Content-Type", "application/json");
	resp_free(&r);

	r = get("/api/v1/lookup/" SPAM_IP);
	expect(&r, 200, "\"ip\":\"" SPAM_IP "\"");
	assert_non_null(strstr(r.body, "\"listed\":false"));
	assert_non_null(strstr(r.body, "\"reports\":1"));
	assert_non_null(strstr(r.body, "\"first_seen\":\"2030-01-01T00:00:00Z\""));
	resp_free(&r);

	/* the same spam again (line ends changed): a duplicate, counted once */
	char *lf = strdup(spam1);
	assert_non_null(lf);
	size_t o = 0;
	for (size_t i = 0; lf[i] != '\0'; i++) {
		if (lf[i] != '\r') {
			lf[o++] = lf[i];
		}
	}
	lf[o] = '\0';
	r = post_report(KEY_ALICE, lf, o);
	expect(&r, 201, "\"duplicate\":true");
	resp_free(&r);
	free(lf);
	r = get("/api/v1/lookup/" SPAM_IP);
	expect(&r, 200, "\"reports\":1");
	resp_free(&r);

	/* a second reporter: listed */
	r = post_report(KEY_BOB, spam2, sizeof(spam2) - 1);
	expect(&r, 201, "\"status\":\"listed\"");
	resp_free(&r);
	r = get("/api/v1/lookup/" SPAM_IP);
	expect(&r, 200, "\"listed\":true");
	assert_non_null(strstr(r.body, "\"seconds_to_delist\":86400"));
	resp_free(&r);

	/* the page tells the story without naming the reporters */
	r = get("/lookup?ip=" SPAM_IP);
	expect(&r, 200, SPAM_IP " is listed");
	assert_non_null(strstr(r.body, "in about 1 day"));
	assert_non_null(strstr(r.body, "2030-01-02T00:00:00Z"));
	assert_non_null(strstr(r.body, "<h2>History</h2>"));
	assert_non_null(strstr(r.body, "For the administrator of " SPAM_IP));
	assert_null(strstr(r.body, "alice"));
	assert_null(strstr(r.body, "bob"));
	/* the only script is the countdown, allowed by the CSP's hash */
	const char *script = strstr(r.body, "<script");
	assert_non_null(script);
	assert_non_null(strstr(script, "countdown"));
	assert_null(strstr(script + 1, "<script"));
	resp_free(&r);

	r = get("/metrics");
	expect(&r, 200, "ipbl_reports_received_total 3\n");
	assert_non_null(strstr(r.body, "ipbl_reports_duplicate_total 1\n"));
	assert_non_null(strstr(r.body, "ipbl_listed 1\n"));
	resp_free(&r);
}

static void test_report_limits(void **state)
{
	(void)state;
	/* a declared length over max_report_size (64K): refused before the body is read */
	size_t big = (64u << 10) + 1;
	char *body = malloc(big);
	assert_non_null(body);
	memset(body, 'x', big);
	resp_t r = post_report(KEY_ALICE, body, big);
	expect(&r, 413, "{\"error\":");
	resp_free(&r);

	/* a chunked body that grows past it: refused, or the connection is dropped */
	int fd = dial();
	static const char head[] = "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\n"
				   "Authorization: Bearer " KEY_ALICE "\r\n"
				   "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
	assert_true(send_all(fd, head, sizeof(head) - 1));
	char chunk_head[32];
	int hn = snprintf(chunk_head, sizeof(chunk_head), "%zx\r\n", (size_t)8192);
	for (int i = 0; i < 10; i++) {
		if (!send_all(fd, chunk_head, (size_t)hn) || !send_all(fd, body, 8192) ||
		    !send_all(fd, "\r\n", 2)) {
			break; /* the server gave up on us: fine */
		}
	}
	send_all(fd, "0\r\n\r\n", 5);
	size_t len = 0;
	bool closed = false;
	char *raw = read_all(fd, IO_TIMEOUT_MS, &len, &closed);
	close(fd);
	assert_true(closed);
	assert_true(len == 0 || strncmp(raw, "HTTP/1.1 413", 12) == 0);
	free(raw);
	free(body);
	expect_healthy();

	/* the explainer takes the same limit */
	body = malloc(big);
	assert_non_null(body);
	memset(body, 'y', big);
	r = http("POST", "/explain", "Content-Type: text/plain\r\n", body, big);
	expect(&r, 413, "Too large");
	resp_free(&r);
	free(body);
}

static void test_explain(void **state)
{
	(void)state;
	resp_t r = get("/explain");
	expect(&r, 200, "<textarea id=\"bounce\" name=\"bounce\"");
	resp_free(&r);

	static const char form[] =
		"bounce=550+5.7.1+Service+unavailable%3B+client+host+%5B45.33.32.156%5D+blocked+"
		"using+bl.spamcop.net%3B+%3Cscript%3Ealert(1)%3C%2Fscript%3E";
	r = http("POST", "/explain", "Content-Type: application/x-www-form-urlencoded\r\n", form,
		 sizeof(form) - 1);
	expect(&r, 200, "What the bounce says");
	assert_non_null(strstr(r.body, "45.33.32.156"));
	assert_non_null(strstr(r.body, "&lt;script&gt;"));
	assert_null(strstr(r.body, "<script"));
	resp_free(&r);

	static const char plain[] = "554 5.7.1 Service unavailable; Client host [45.33.32.156] "
				    "blocked using zen.spamhaus.org\n";
	r = http("POST", "/explain", "Content-Type: text/plain; charset=utf-8\r\n", plain,
		 sizeof(plain) - 1);
	expect(&r, 200, "45.33.32.156");
	resp_free(&r);

	r = http("POST", "/explain", "Content-Type: application/x-www-form-urlencoded\r\n",
		 "bounce=+", 8);
	expect(&r, 400, "Nothing to explain");
	resp_free(&r);

	r = http("POST", "/explain", "Content-Type: application/x-www-form-urlencoded\r\n",
		 "bounce=%zz", 10);
	expect(&r, 400, "broken");
	resp_free(&r);

	r = http("POST", "/explain", "Content-Type: multipart/form-data; boundary=x\r\n",
		 "--x--\r\n", 7);
	expect(&r, 415, NULL);
	resp_free(&r);

	r = http("PUT", "/explain", NULL, "x", 1);
	expect(&r, 405, NULL);
	expect_header(&r, "Allow", "GET, HEAD, POST");
	resp_free(&r);
}

static void test_metrics(void **state)
{
	(void)state;
	resp_t r = get("/metrics");
	expect(&r, 200, "# TYPE ipbl_web_requests_total counter\n");
	expect_header(&r, "Content-Type", "text/plain; version=0.0.4");
	assert_non_null(strstr(r.body, "ipbl_web_requests_total{code=\"200\"} "));
	assert_non_null(strstr(r.body, "ipbl_web_requests_total{code=\"404\"} "));
	assert_non_null(strstr(r.body, "ipbl_reports_received_total "));
	assert_non_null(strstr(r.body, "ipbl_listed "));
	assert_non_null(strstr(r.body, "ipbl_store_up 1\n"));
	const char *st = strstr(r.body, "\nprocess_start_time_seconds ");
	assert_non_null(st);
	long long t = strtoll(st + 28, NULL, 10);
	assert_true(t > 1600000000LL && t <= (long long)time(NULL));
	resp_free(&r);
}

/* ---- hostile clients ---- */

static void test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"GARBAGE\r\n\r\n",
		"GET\r\n\r\n",
		"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", /* a TLS hello */
		"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
		"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
		"POST /explain HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: "
		"7\r\n\r\n",
		"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
		"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		resp_t r = http_raw(bad[i], strlen(bad[i]));
		/* an error answer or a closed connection, never a hang or a crash */
		if (r.status != 0 && r.status < 400) {
			fail_msg("request %zu got %d:\n%s", i, r.status, r.raw);
		}
		resp_free(&r);
		expect_healthy();
	}

	/* a header section past the connection's memory limit */
	size_t n = 200u << 10;
	char *req = malloc(n + 64);
	assert_non_null(req);
	int h = snprintf(req, 64, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(req + h, 'a', n);
	memcpy(req + h + n, "\r\n\r\n", 4);
	resp_t r = http_raw(req, (size_t)h + n + 4);
	assert_true(r.status == 0 || r.status == 431 || r.status == 413 || r.status == 400);
	resp_free(&r);
	free(req);
	expect_healthy();
}

static void test_slow_client_times_out(void **state)
{
	(void)state;
	/* half a request head, then nothing: the 1 s idle timeout closes it */
	int fd = dial();
	static const char part[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
	assert_true(send_all(fd, part, sizeof(part) - 1));
	int64_t t0 = now_ms();
	size_t len = 0;
	bool closed = false;
	char *raw = read_all(fd, 4000, &len, &closed);
	int64_t took = now_ms() - t0;
	assert_true(closed);
	assert_true(took >= 500 && took < 4000);
	free(raw);
	close(fd);

	/* a body shorter than its Content-Length: the same */
	fd = dial();
	static const char shortbody[] =
		"POST /explain HTTP/1.1\r\nHost: x\r\n"
		"Content-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc";
	assert_true(send_all(fd, shortbody, sizeof(shortbody) - 1));
	raw = read_all(fd, 4000, &len, &closed);
	assert_true(closed);
	free(raw);
	close(fd);
	expect_healthy();
}

/* Read until the end of a /healthz answer ("ok\n") is in, at most IO_TIMEOUT_MS; the
 * connection stays open. */
static bool read_healthz_answer(int fd)
{
	char buf[4096];
	size_t n = 0;
	int64_t deadline = now_ms() + IO_TIMEOUT_MS;
	while (n + 1 < sizeof(buf)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left = (int)(deadline - now_ms());
		if (left <= 0 || poll(&pfd, 1, left) <= 0) {
			return false;
		}
		ssize_t r = recv(fd, buf + n, sizeof(buf) - n - 1, 0);
		if (r <= 0) {
			return false;
		}
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\nok\n") != NULL) {
			return true;
		}
	}
	return false;
}

static void test_connection_limit_per_client(void **state)
{
	(void)state;
	/* max_connections_per_ip = 8: eight connections kept open (each answered once, so the
	 * server has surely accepted and counted it, whichever thread took it), the ninth is
	 * closed at once */
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	int fds[8];
	for (int i = 0; i < 8; i++) {
		fds[i] = dial();
		assert_true(send_all(fds[i], req, sizeof(req) - 1));
		assert_true(read_healthz_answer(fds[i]));
	}
	int extra = dial();
	assert_true(send_all(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 35) || true);
	size_t len = 0;
	bool closed = false;
	char *raw = read_all(extra, 3000, &len, &closed);
	assert_true(closed);
	assert_null(strstr(raw, "ok\n"));
	free(raw);
	close(extra);
	for (int i = 0; i < 8; i++) {
		close(fds[i]);
	}
	/* the slots come back */
	int64_t deadline = now_ms() + 3000;
	for (;;) {
		resp_t r = get("/healthz");
		int status = r.status;
		resp_free(&r);
		if (status == 200) {
			break;
		}
		assert_true(now_ms() < deadline);
		usleep(50 * 1000);
	}
}

static void test_keep_alive(void **state)
{
	(void)state;
	/* two requests on one connection, then the server closes on "Connection: close" */
	int fd = dial();
	static const char two[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
				  "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	assert_true(send_all(fd, two, sizeof(two) - 1));
	size_t len = 0;
	bool closed = false;
	char *raw = read_all(fd, IO_TIMEOUT_MS, &len, &closed);
	assert_true(closed);
	const char *second = strstr(raw + 1, "HTTP/1.1 200");
	assert_true(strncmp(raw, "HTTP/1.1 200", 12) == 0);
	assert_non_null(second);
	free(raw);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz_and_methods),
		cmocka_unit_test(test_security_headers),
		cmocka_unit_test(test_lookup_page_inputs),
		cmocka_unit_test(test_lookup_api_errors),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_report_limits),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_slow_client_times_out),
		cmocka_unit_test(test_connection_limit_per_client),
		cmocka_unit_test(test_keep_alive),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
