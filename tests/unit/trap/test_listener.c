/* SPDX-License-Identifier: BSD-2-Clause */
/* The real listener over loopback: trap_new/trap_start on 127.0.0.1 port 0, SMTP over real
 * sockets, the spool read back with trap_spool_each. 127.0.0.1 is the configured proxy; the
 * ordinary clients connect from 127.0.0.2 (all of 127/8 is loopback on Linux). Every wait is
 * bounded by poll timeouts. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/paths.h"
#include "trap/spool.h"
#include "trap/trap.h"

#define WAIT_MS 5000
#define REPLY_MAX (1 << 20)

typedef struct {
	char base[64];
	char spool[256];
	ipbl_conf_t *conf;
	trap_t *trap;
	uint16_t port;
} fixture_t;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static fixture_t *start_trap(const char *extra)
{
	fixture_t *fx = calloc(1, sizeof(*fx));
	snprintf(fx->base, sizeof(fx->base), "/tmp/ipbl-trap-XXXXXX");
	assert_non_null(mkdtemp(fx->base));
	char text[2048];
	snprintf(text, sizeof(text),
		 "[main]\n"
		 "data_dir = %s/data\n"
		 "[trap]\n"
		 "listen = 127.0.0.1:0\n"
		 "addresses = @trap.example.org, spam@example.net\n"
		 "proxy_from = 127.0.0.1\n"
		 "hostname = trap.test\n"
		 "max_message_size = 4K\n"
		 "max_recipients = 3\n"
		 "max_sessions = 40\n"
		 "max_sessions_per_ip = 5\n"
		 "%s",
		 fx->base, extra);
	char err[512];
	if (ipbl_conf_parse("test.conf", text, strlen(text), &fx->conf, err, sizeof(err)) != 0) {
		fail_msg("config: %s", err);
	}
	assert_int_equal(trap_new(fx->conf, ipbl_clock_system(), &fx->trap), 0);
	assert_int_equal(ipbl_paths_trap_spool(fx->conf, fx->spool, sizeof(fx->spool)), 0);
	char listen[128];
	ipbl_buf_t b;
	ipbl_buf_init(&b, listen, sizeof(listen));
	trap_format_listen(fx->trap, &b);
	assert_true(strncmp(listen, "127.0.0.1:", 10) == 0);
	fx->port = (uint16_t)atoi(listen + 10);
	assert_true(fx->port > 0);
	assert_int_equal(trap_start(fx->trap), 0);
	return fx;
}

static void stop_trap(fixture_t *fx)
{
	trap_log_stats(fx->trap);
	trap_stop(fx->trap);
	trap_free(fx->trap);
	ipbl_conf_free(fx->conf);
	nftw(fx->base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
}

/* A connection to the trap from src (a loopback address). */
static int connect_from(fixture_t *fx, const char *src)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	inet_pton(AF_INET, src, &a.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	a.sin_port = htons(fx->port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

typedef struct {
	char *data;
	size_t len;
	bool eof;
} replies_t;

static replies_t *replies_new(void)
{
	replies_t *r = calloc(1, sizeof(*r));
	r->data = malloc(REPLY_MAX + 1);
	r->data[0] = '\0';
	return r;
}

static void replies_free(replies_t *r)
{
	free(r->data);
	free(r);
}

/* Send data (possibly a lot) while reading replies, until the replies contain until (NULL:
 * until end of file) or WAIT_MS pass. Returns true when the condition was met. */
static bool exchange(int fd, const char *data, size_t len, replies_t *r, const char *until)
{
	int64_t deadline = now_ms() + WAIT_MS;
	size_t sent = 0;
	for (;;) {
		if (until != NULL ? strstr(r->data, until) != NULL : r->eof) {
			if (sent == len) {
				return true;
			}
		}
		if (r->eof && sent == len) {
			return false;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			return false;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN | (sent < len ? POLLOUT : 0) };
		if (poll(&p, 1, (int)left) <= 0) {
			continue;
		}
		if ((p.revents & POLLOUT) && sent < len) {
			ssize_t n = send(fd, data + sent, len - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0) {
				sent += (size_t)n;
			} else if (n < 0) {
				sent = len; /* the server closed on us: stop sending */
			}
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			if (r->len >= REPLY_MAX) {
				return false;
			}
			ssize_t n = recv(fd, r->data + r->len, REPLY_MAX - r->len, MSG_DONTWAIT);
			if (n > 0) {
				r->len += (size_t)n;
				r->data[r->len] = '\0';
			} else if (n == 0 || (n < 0 && errno != EAGAIN)) {
				r->eof = true;
			}
		}
	}
}

/* Read whatever arrives for up to ms. */
static void pump(int fd, replies_t *r, int ms)
{
	int64_t deadline = now_ms() + ms;
	while (!r->eof && r->len < REPLY_MAX) {
		int64_t left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			return;
		}
		ssize_t n = recv(fd, r->data + r->len, REPLY_MAX - r->len, MSG_DONTWAIT);
		if (n > 0) {
			r->len += (size_t)n;
			r->data[r->len] = '\0';
		} else if (n == 0 || errno != EAGAIN) {
			r->eof = true;
		}
	}
}

/* Wait (bounded) until needle appears after the first occurrence of after. */
static bool wait_after(int fd, replies_t *r, const char *after, const char *needle)
{
	int64_t deadline = now_ms() + WAIT_MS;
	for (;;) {
		const char *a = strstr(r->data, after);
		if (a != NULL && strstr(a, needle) != NULL) {
			return true;
		}
		if (r->eof || now_ms() >= deadline) {
			return false;
		}
		pump(fd, r, 50);
	}
}

static void reset(replies_t *r)
{
	r->len = 0;
	r->data[0] = '\0';
}

/* Send cmd and wait for want among the replies that follow it. */
static void say(int fd, replies_t *r, const char *cmd, const char *want)
{
	reset(r);
	if (!exchange(fd, cmd, strlen(cmd), r, want)) {
		fail_msg("after %s: no %s in %s", cmd, want, r->data);
	}
}

static void expect_eof(int fd, replies_t *r)
{
	if (!exchange(fd, "", 0, r, NULL)) {
		fail_msg("the server did not close; replies: %s", r->data);
	}
}

typedef struct {
	int n;
	char peer[8][IPBL_IPADDR_STRLEN];
	char via[8][IPBL_IPADDR_STRLEN];
	char helo[8][64];
	char rcpt[8][64];
	size_t len[8];
	char first_line[8][64];
} seen_t;

static int collect(void *arg, const trap_spooled_t *s)
{
	seen_t *v = arg;
	assert_true(v->n < 8);
	int i = v->n++;
	ipbl_ipaddr_format(&s->peer, v->peer[i]);
	if (s->proxied) {
		ipbl_ipaddr_format(&s->via, v->via[i]);
	}
	snprintf(v->helo[i], sizeof(v->helo[i]), "%s", s->helo);
	snprintf(v->rcpt[i], sizeof(v->rcpt[i]), "%s", s->trap_address);
	v->len[i] = s->len;
	const char *eol = memchr(s->msg, '\r', s->len);
	size_t n = eol ? (size_t)(eol - s->msg) : s->len;
	snprintf(v->first_line[i], sizeof(v->first_line[i]), "%.*s", (int)n, s->msg);
	return 0;
}

static seen_t drain_spool(fixture_t *fx)
{
	seen_t v = { 0 };
	size_t done = 0;
	assert_int_equal(trap_spool_each(fx->spool, 0, collect, &v, &done), 0);
	assert_int_equal(done, (size_t)v.n);
	return v;
}

static size_t count_dir(fixture_t *fx, const char *sub)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/%s", fx->spool, sub);
	DIR *d = opendir(path);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
	}
	closedir(d);
	return n;
}

/* One message for to, ending in QUIT; the trap's 250 comes before the QUIT is sent. */
static void deliver(int fd, replies_t *r, const char *to, const char *subject)
{
	say(fd, r, "MAIL FROM:<spammer@sender.example>\r\n", "250 2.1.0");
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>\r\n", to);
	say(fd, r, cmd, "250 2.1.5");
	say(fd, r, "DATA\r\n", "354 ");
	snprintf(cmd, sizeof(cmd), "Subject: %s\r\n\r\nbuy now\r\n.\r\n", subject);
	say(fd, r, cmd, "250 2.0.0 Ok: queued as ");
	say(fd, r, "QUIT\r\n", "221 ");
	expect_eof(fd, r);
}

static void test_plain_session(void **state)
{
	(void)state;
	fixture_t *fx = start_trap("");
	int fd = connect_from(fx, "127.0.0.2");
	replies_t *r = replies_new();
	say(fd, r, "", "220 trap.test ESMTP\r\n");
	say(fd, r, "EHLO client.example\r\n", "250 ENHANCEDSTATUSCODES\r\n");
	assert_null(strstr(r->data, "XCLIENT")); /* only proxies are told about it */
	assert_non_null(strstr(r->data, "250-SIZE 4096\r\n"));
	assert_non_null(strstr(r->data, "250-PIPELINING\r\n"));
	say(fd, r, "MAIL FROM:<a@b.example>\r\n", "250 2.1.0");
	say(fd, r, "RCPT TO:<someone@example.org>\r\n", "550 5.1.1");
	say(fd, r, "XCLIENT ADDR=45.33.32.156\r\n", "550 5.7.0");
	say(fd, r, "RSET\r\n", "250 2.0.0 Ok");
	say(fd, r, "VRFY spam@example.net\r\n", "252 ");
	deliver(fd, r, "Spam@Example.Net", "plain");
	close(fd);
	replies_free(r);
	seen_t v = drain_spool(fx);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.peer[0], "127.0.0.2");
	assert_string_equal(v.via[0], "");
	assert_string_equal(v.helo[0], "client.example");
	assert_string_equal(v.rcpt[0], "Spam@Example.Net");
	assert_string_equal(v.first_line[0], "Subject: plain");
	assert_int_equal(count_dir(fx, "new"), 0);
	stop_trap(fx);
}

static void test_proxy_v2_and_xclient(void **state)
{
	(void)state;
	fixture_t *fx = start_trap("");
	/* PROXY v2 from the allowed proxy, sent with the first command in one segment */
	int fd = connect_from(fx, "127.0.0.1");
	replies_t *r = replies_new();
	char first[128];
	static const uint8_t hdr[16] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,
					 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 12 };
	static const uint8_t addrs[12] = { 45, 33, 32, 156, 127, 0, 0, 1, 0x9c, 0x40, 0, 25 };
	memcpy(first, hdr, 16);
	memcpy(first + 16, addrs, 12);
	memcpy(first + 28, "EHLO v2.example\r\n", 17);
	if (!exchange(fd, first, 28 + 17, r, "250 ENHANCEDSTATUSCODES\r\n")) {
		fail_msg("no EHLO reply after PROXY v2: %s", r->data);
	}
	assert_non_null(strstr(r->data, "250-XCLIENT ADDR HELO NAME\r\n"));
	deliver(fd, r, "x@trap.example.org", "v2");
	close(fd);
	replies_free(r);

	/* XCLIENT from the allowed proxy (an MTA in front of the trap) */
	fd = connect_from(fx, "127.0.0.1");
	r = replies_new();
	say(fd, r, "EHLO mta.example\r\n", "250 ENHANCEDSTATUSCODES\r\n");
	say(fd, r, "XCLIENT NAME=[UNAVAILABLE] ADDR=IPV6:2001:4860:4860::8844 HELO=bot.example\r\n",
	    "220 trap.test ESMTP\r\n");
	say(fd, r, "EHLO mta.example\r\n", "250 ENHANCEDSTATUSCODES\r\n");
	deliver(fd, r, "y@trap.example.org", "xclient");
	close(fd);
	replies_free(r);

	/* PROXY v1 from a peer that is not a proxy: refused and closed */
	fd = connect_from(fx, "127.0.0.2");
	r = replies_new();
	say(fd, r, "PROXY TCP4 45.33.32.156 127.0.0.1 40000 25\r\nEHLO x\r\n",
	    "421 4.7.0 trap.test Error: PROXY protocol not accepted");
	expect_eof(fd, r);
	close(fd);
	replies_free(r);

	seen_t v = drain_spool(fx);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.peer[0], "45.33.32.156");
	assert_string_equal(v.via[0], "127.0.0.1");
	assert_string_equal(v.first_line[0], "Subject: v2");
	assert_string_equal(v.peer[1], "2001:4860:4860::8844");
	assert_string_equal(v.via[1], "127.0.0.1");
	assert_string_equal(v.helo[1], "bot.example");
	stop_trap(fx);
}

static void test_limits(void **state)
{
	(void)state;
	fixture_t *fx = start_trap("");
	int fd = connect_from(fx, "127.0.0.2");
	replies_t *r = replies_new();
	say(fd, r, "EHLO c.example\r\n", "250 ENHANCEDSTATUSCODES\r\n");
	/* too many recipients: 452 for the fourth */
	say(fd, r, "MAIL FROM:<a@b.example>\r\n", "250 2.1.0");
	for (int i = 0; i < 3; i++) {
		say(fd, r, "RCPT TO:<a@trap.example.org>\r\n", "250 2.1.5");
	}
	say(fd, r, "RCPT TO:<d@trap.example.org>\r\n", "452 4.5.3");
	/* oversize: 552 at the end of the data, and the session goes on */
	say(fd, r, "DATA\r\n", "354 ");
	size_t big_len = 8000;
	char *big = malloc(big_len);
	for (size_t i = 0; i < big_len; i += 80) {
		memset(big + i, 'z', 78);
		memcpy(big + i + 78, "\r\n", 2);
	}
	reset(r);
	assert_true(exchange(fd, big, big_len, r, "")); /* sent; nothing to wait for */
	say(fd, r, ".\r\n", "552 5.3.4");
	/* a command line over 1000 octets: 500, and the session goes on */
	memset(big, 'A', 1500);
	memcpy(big + 1500, "\r\n", 2);
	reset(r);
	if (!exchange(fd, big, 1502, r, "500 5.5.2 Error: line too long")) {
		fail_msg("no 500 for a long line: %s", r->data);
	}
	free(big);
	say(fd, r, "NOOP\r\n", "250 2.0.0 Ok\r\n");
	/* a bare LF in a message: 554 */
	say(fd, r, "MAIL FROM:<a@b.example>\r\n", "250 2.1.0");
	say(fd, r, "RCPT TO:<a@trap.example.org>\r\n", "250 2.1.5");
	say(fd, r, "DATA\r\n", "354 ");
	say(fd, r, "bare\nlf\r\n.\r\n", "554 5.5.2");
	say(fd, r, "QUIT\r\n", "221 ");
	expect_eof(fd, r);
	close(fd);
	replies_free(r);
	assert_int_equal(drain_spool(fx).n, 0);

	/* sessions per IP: the sixth connection from one address gets 421 at once */
	int fds[5];
	for (int i = 0; i < 5; i++) {
		fds[i] = connect_from(fx, "127.0.0.2");
		r = replies_new();
		say(fds[i], r, "", "220 ");
		replies_free(r);
	}
	fd = connect_from(fx, "127.0.0.2");
	r = replies_new();
	say(fd, r, "", "421 4.7.0 trap.test Error: too many connections from your address");
	expect_eof(fd, r);
	close(fd);
	replies_free(r);
	/* another address is still served */
	fd = connect_from(fx, "127.0.0.3");
	r = replies_new();
	say(fd, r, "", "220 ");
	close(fd);
	replies_free(r);
	for (int i = 0; i < 5; i++) {
		close(fds[i]);
	}
	stop_trap(fx);
}

static void test_pipelining_and_backpressure(void **state)
{
	(void)state;
	fixture_t *fx = start_trap("");
	int fd = connect_from(fx, "127.0.0.2");
	replies_t *r = replies_new();
	/* a whole session in one write */
	static const char all[] = "EHLO p.example\r\nMAIL FROM:<a@b.example>\r\n"
				  "RCPT TO:<p@trap.example.org>\r\nRCPT TO:<no@where.example>\r\n"
				  "DATA\r\nSubject: pipelined\r\n\r\nx\r\n.\r\n"
				  "MAIL FROM:<a@b.example>\r\nRCPT TO:<q@trap.example.org>\r\n";
	assert_true(exchange(fd, all, sizeof(all) - 1, r, ""));
	if (!wait_after(fd, r, "queued as ", "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n")) {
		fail_msg("pipelined replies: %s", r->data);
	}
	assert_non_null(strstr(r->data, "550 5.1.1"));
	assert_non_null(strstr(r->data, "354 "));
	assert_non_null(strstr(r->data, "250 2.0.0 Ok: queued as "));
	/* 30,000 NOOPs inside a transaction (not counted as idle commands), sent while reading:
	 * the server stops reading when replies pile up and resumes; every one is answered */
	size_t n = 30000, len = n * 6;
	char *noops = malloc(len + 7);
	for (size_t i = 0; i < n; i++) {
		memcpy(noops + i * 6, "NOOP\r\n", 6);
	}
	memcpy(noops + len, "QUIT\r\n", 6);
	reset(r);
	if (!exchange(fd, noops, len + 6, r, NULL)) {
		fail_msg("no close after QUIT");
	}
	free(noops);
	assert_int_equal(r->len, n * strlen("250 2.0.0 Ok\r\n") + strlen("221 2.0.0 Bye\r\n"));
	close(fd);
	replies_free(r);
	seen_t v = drain_spool(fx);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.first_line[0], "Subject: pipelined");
	stop_trap(fx);
}

static void test_vanish_mid_data(void **state)
{
	(void)state;
	fixture_t *fx = start_trap("");
	int fd = connect_from(fx, "127.0.0.2");
	replies_t *r = replies_new();
	say(fd, r,
	    "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<v@trap.example.org>\r\n"
	    "DATA\r\n",
	    "354 ");
	say(fd, r, "Subject: never finished\r\n\r\nhalf a message\r\n", "");
	/* the spool file exists while DATA goes on */
	int64_t deadline = now_ms() + WAIT_MS;
	while (count_dir(fx, "tmp") == 0 && now_ms() < deadline) {
		usleep(10000);
	}
	assert_int_equal(count_dir(fx, "tmp"), 1);
	close(fd); /* gone */
	replies_free(r);
	deadline = now_ms() + WAIT_MS;
	while (count_dir(fx, "tmp") != 0 && now_ms() < deadline) {
		usleep(10000);
	}
	assert_int_equal(count_dir(fx, "tmp"), 0);
	assert_int_equal(count_dir(fx, "new"), 0);
	assert_int_equal(drain_spool(fx).n, 0);
	stop_trap(fx);
}

static void test_timeouts(void **state)
{
	(void)state;
	fixture_t *fx = start_trap("idle_timeout = 1s\nsession_timeout = 2s\n");
	/* idle: nothing sent after the greeting */
	int fd = connect_from(fx, "127.0.0.2");
	replies_t *r = replies_new();
	int64_t t0 = now_ms();
	say(fd, r, "", "421 4.4.2 trap.test Error: timeout exceeded");
	expect_eof(fd, r);
	assert_true(now_ms() - t0 >= 900);
	close(fd);
	replies_free(r);
	/* session: busy, but for too long */
	fd = connect_from(fx, "127.0.0.2");
	r = replies_new();
	t0 = now_ms();
	/* inside a transaction, so that max_commands_before_mail does not end it first */
	say(fd, r, "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n", "250 2.1.0");
	while (strstr(r->data, "421 ") == NULL && !r->eof && now_ms() - t0 < WAIT_MS) {
		ssize_t w = send(fd, "NOOP\r\n", 6, MSG_NOSIGNAL);
		(void)w;
		pump(fd, r, 100);
	}
	assert_non_null(strstr(r->data, "421 4.4.2 trap.test Error: session time limit exceeded"));
	assert_true(now_ms() - t0 >= 1900);
	close(fd);
	replies_free(r);
	stop_trap(fx);
}

static void test_stop_with_sessions(void **state)
{
	(void)state;
	fixture_t *fx = start_trap("");
	int fds[3];
	replies_t *r = replies_new();
	for (int i = 0; i < 3; i++) {
		fds[i] = connect_from(fx, "127.0.0.2");
		say(fds[i], r, "", "220 ");
	}
	say(fds[0], r,
	    "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<s@trap.example.org>\r\nDATA\r\n",
	    "354 ");
	trap_stop(fx->trap); /* sessions are told and closed; the half message is dropped */
	for (int i = 0; i < 3; i++) {
		replies_t *c = replies_new();
		expect_eof(fds[i], c);
		if (strstr(c->data, "421 4.3.2 trap.test") == NULL) {
			fail_msg("session %d: no 421 in %s", i, c->data);
		}
		replies_free(c);
		close(fds[i]);
	}
	replies_free(r);
	assert_int_equal(count_dir(fx, "tmp"), 0);
	assert_int_equal(count_dir(fx, "new"), 0);
	stop_trap(fx);
}

static void test_bad_config(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"[trap]\nlisten = 127.0.0.1:0\n",
		"[trap]\nlisten = 127.0.0.1:0\naddresses = nodomain\n",
		"[trap]\nlisten = 127.0.0.1:0\naddresses = @t.example\nproxy_from = 10.0.0.1/8\n",
		"[trap]\nlisten = 127.0.0.1:0\naddresses = @t.example\nproxy_from = bogus\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), "[main]\ndata_dir = /tmp/ipbl-trap-never\n%s", bad[i]);
		ipbl_conf_t *c = NULL;
		char err[256];
		assert_int_equal(
			ipbl_conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err)), 0);
		trap_t *t = NULL;
		assert_int_equal(trap_new(c, ipbl_clock_system(), &t), IPBL_ECONF);
		assert_null(t);
		ipbl_conf_free(c);
	}
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as ipbld does: a vanished client is an error code */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_session),
		cmocka_unit_test(test_proxy_v2_and_xclient),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_pipelining_and_backpressure),
		cmocka_unit_test(test_vanish_mid_data),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_stop_with_sessions),
		cmocka_unit_test(test_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
