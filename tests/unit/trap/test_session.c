/* SPDX-License-Identifier: BSD-2-Clause */
/* The SMTP state machine of the trap, driven with bytes and checked by its replies and by
 * what it hands to the spool callbacks. No sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trap/session.h"

#define BIG (1 << 20)

typedef struct {
	trap_session_t *s;
	trap_session_conf_t conf;
	trap_addrs_t *addrs;
	trap_stats_t stats;
	char *in; /* bytes not yet consumed by the session */
	size_t in_len;
	char *out; /* replies since the last take() */
	size_t out_len;
	char *body; /* the message being written */
	size_t body_len;
	char *last_body; /* the last committed message */
	size_t last_len;
	int n_begin, n_commit, n_abort, n_write;
	int fail_begin, fail_write, fail_commit, refuse_peer;
	char helo[300], mail_from[300], rcpts[4096];
	size_t n_rcpts;
	ipbl_ipaddr_t peer, via;
	bool proxied;
	ipbl_ipaddr_t changed;
	int n_changed;
} h_t;

static void h_reply(void *arg, const char *text, size_t len)
{
	h_t *h = arg;
	assert_true(h->out_len + len < BIG);
	memcpy(h->out + h->out_len, text, len);
	h->out_len += len;
	h->out[h->out_len] = '\0';
}

static void copy_txn(h_t *h, const trap_session_txn_t *t)
{
	snprintf(h->helo, sizeof(h->helo), "%s", t->helo);
	snprintf(h->mail_from, sizeof(h->mail_from), "%s", t->mail_from);
	/* the recipients as one comma-separated string, easy to compare */
	h->rcpts[0] = '\0';
	const char *r = t->rcpts;
	for (size_t i = 0; i < t->n_rcpts; i++) {
		strncat(h->rcpts, i ? "," : "", sizeof(h->rcpts) - strlen(h->rcpts) - 1);
		strncat(h->rcpts, r, sizeof(h->rcpts) - strlen(h->rcpts) - 1);
		r += strlen(r) + 1;
	}
	h->n_rcpts = t->n_rcpts;
	h->peer = t->peer;
	h->via = t->via;
	h->proxied = t->proxied;
}

static int h_begin(void *arg, const trap_session_txn_t *t)
{
	h_t *h = arg;
	h->n_begin++;
	h->body_len = 0;
	copy_txn(h, t);
	return h->fail_begin ? IPBL_EIO : 0;
}

static int h_write(void *arg, const char *data, size_t len)
{
	h_t *h = arg;
	h->n_write++;
	assert_true(h->body_len + len < BIG);
	memcpy(h->body + h->body_len, data, len);
	h->body_len += len;
	return h->fail_write ? IPBL_ENOSPC : 0;
}

static int h_commit(void *arg, const trap_session_txn_t *t, char *id, size_t id_len)
{
	h_t *h = arg;
	h->n_commit++;
	copy_txn(h, t);
	memcpy(h->last_body, h->body, h->body_len);
	h->last_len = h->body_len;
	snprintf(id, id_len, "ID%d", h->n_commit);
	return h->fail_commit ? IPBL_EIO : 0;
}

static void h_abort(void *arg)
{
	h_t *h = arg;
	h->n_abort++;
	h->body_len = 0;
}

static int h_peer(void *arg, const ipbl_ipaddr_t *peer)
{
	h_t *h = arg;
	h->n_changed++;
	h->changed = *peer;
	return h->refuse_peer ? IPBL_ELIMIT : 0;
}

static const trap_session_ops_t ops = {
	.reply = h_reply,
	.data_begin = h_begin,
	.data_write = h_write,
	.data_commit = h_commit,
	.data_abort = h_abort,
	.peer_change = h_peer,
};

static ipbl_ipaddr_t ip(const char *text)
{
	ipbl_ipaddr_t a;
	assert_int_equal(ipbl_ipaddr_parse(ipbl_str(text), &a), 0);
	return a;
}

static h_t *h_new_with(const char *peer, bool allowed, unsigned max_rcpts, uint64_t max_size,
		       unsigned max_errors, unsigned max_cmds)
{
	h_t *h = calloc(1, sizeof(*h));
	h->in = malloc(BIG);
	h->out = malloc(BIG);
	h->body = malloc(BIG);
	h->last_body = malloc(BIG);
	const char *pats[] = { "@trap.example.org", "spam@example.net" };
	char err[256];
	assert_int_equal(trap_addrs_new(pats, 2, &h->addrs, err, sizeof(err)), 0);
	h->conf = (trap_session_conf_t){
		.hostname = "trap.test",
		.addrs = h->addrs,
		.max_message_bytes = max_size,
		.max_recipients = max_rcpts,
		.max_errors = max_errors,
		.max_commands_before_mail = max_cmds,
		.stats = &h->stats,
	};
	ipbl_ipaddr_t a = ip(peer);
	h->s = trap_session_new(&h->conf, &ops, h, &a, allowed);
	assert_non_null(h->s);
	trap_session_start(h->s);
	return h;
}

static h_t *h_new(void)
{
	return h_new_with("45.33.32.156", false, 3, 1024, 5, 10);
}

static void h_free(h_t *h)
{
	trap_session_free(h->s);
	trap_addrs_free(h->addrs);
	free(h->in);
	free(h->out);
	free(h->body);
	free(h->last_body);
	free(h);
}

/* Bytes from the client, as one segment: what the session leaves is kept for next time. */
static void feed(h_t *h, const char *data, size_t len)
{
	assert_true(h->in_len + len < BIG);
	memcpy(h->in + h->in_len, data, len);
	h->in_len += len;
	size_t used = trap_session_input(h->s, h->in, h->in_len);
	assert_true(used <= h->in_len);
	memmove(h->in, h->in + used, h->in_len - used);
	h->in_len -= used;
}

static void send_str(h_t *h, const char *text)
{
	feed(h, text, strlen(text));
}

/* The replies since the last call (the harness keeps them NUL-terminated). */
static const char *take(h_t *h)
{
	static char copy[BIG];
	memcpy(copy, h->out, h->out_len + 1);
	h->out_len = 0;
	h->out[0] = '\0';
	return copy;
}

/* Send one command and expect a reply starting with want. */
static void expect(h_t *h, const char *cmd, const char *want)
{
	send_str(h, cmd);
	const char *got = take(h);
	if (strncmp(got, want, strlen(want)) != 0) {
		fail_msg("after %s want %s, got %s", cmd, want, got);
	}
}

static void hello(h_t *h)
{
	assert_string_equal(take(h), "220 trap.test ESMTP\r\n");
	expect(h, "EHLO client.example\r\n", "250-trap.test\r\n");
}

static void test_transaction(void **state)
{
	(void)state;
	h_t *h = h_new();
	assert_string_equal(take(h), "220 trap.test ESMTP\r\n");
	send_str(h, "EHLO client.example\r\n");
	assert_string_equal(take(h), "250-trap.test\r\n"
				     "250-PIPELINING\r\n"
				     "250-SIZE 1024\r\n"
				     "250-8BITMIME\r\n"
				     "250 ENHANCEDSTATUSCODES\r\n");
	expect(h, "MAIL FROM:<bounce@sender.example> BODY=8BITMIME SIZE=100\r\n", "250 2.1.0");
	expect(h, "RCPT TO:<Spam@Example.NET>\r\n", "250 2.1.5");
	expect(h, "RCPT TO:<nobody@example.net>\r\n", "550 5.1.1");
	expect(h, "rcpt to:<x@TRAP.example.org>\r\n", "250 2.1.5");
	expect(h, "RCPT TO:<x@sub.trap.example.org>\r\n", "550 5.1.1");
	expect(h, "DATA\r\n", "354 ");
	assert_int_equal(h->n_begin, 1);
	send_str(h, "Subject: hi\r\n\r\n..leading dot\r\n.\r\n");
	assert_string_equal(take(h), "250 2.0.0 Ok: queued as ID1\r\n");
	assert_int_equal(h->n_commit, 1);
	assert_int_equal(h->last_len, strlen("Subject: hi\r\n\r\n.leading dot\r\n"));
	assert_memory_equal(h->last_body, "Subject: hi\r\n\r\n.leading dot\r\n", h->last_len);
	assert_string_equal(h->helo, "client.example");
	assert_string_equal(h->mail_from, "bounce@sender.example");
	assert_string_equal(h->rcpts, "Spam@Example.NET,x@TRAP.example.org");
	assert_false(h->proxied);
	char text[IPBL_IPADDR_STRLEN];
	assert_string_equal(ipbl_ipaddr_format(&h->peer, text), "45.33.32.156");
	/* a second transaction in the same session, null sender, no brackets tolerated */
	expect(h, "MAIL FROM:<>\r\n", "250 2.1.0");
	expect(h, "RCPT TO:spam@example.net\r\n", "250 2.1.5");
	expect(h, "DATA\r\n", "354 ");
	send_str(h, ".\r\n");
	assert_string_equal(take(h), "250 2.0.0 Ok: queued as ID2\r\n");
	assert_int_equal(h->last_len, 0);
	assert_string_equal(h->mail_from, "");
	expect(h, "QUIT\r\n", "221 2.0.0");
	assert_true(trap_session_closing(h->s));
	send_str(h, "NOOP\r\n");
	assert_string_equal(take(h), ""); /* nothing after the last word */
	assert_int_equal(trap_stats_get(&h->stats.messages), 2);
	assert_int_equal(trap_stats_get(&h->stats.rcpt_rejected), 2);
	h_free(h);
}

static void test_order_and_syntax(void **state)
{
	(void)state;
	h_t *h = h_new_with("45.33.32.156", false, 3, 1024, 50, 50);
	take(h);
	expect(h, "MAIL FROM:<a@b.example>\r\n", "503 5.5.1");
	expect(h, "EHLO\r\n", "501 5.5.4");
	expect(h, "HELO client.example\r\n", "250 trap.test\r\n");
	expect(h, "RCPT TO:<spam@example.net>\r\n", "503 5.5.1");
	expect(h, "DATA\r\n", "503 5.5.1");
	expect(h, "MAIL TO:<a@b.example>\r\n", "501 5.5.4");
	expect(h, "MAIL FROM:<a@b.example\r\n", "501 5.5.4");
	expect(h, "MAIL FROM:<a@b.example> SMTPUTF8\r\n", "555 5.5.4");
	expect(h, "MAIL FROM:<a@b.example> SIZE=5000\r\n", "552 5.3.4");
	expect(h, "MAIL FROM:<@relay.example:a@b.example>\r\n", "250 2.1.0");
	expect(h, "MAIL FROM:<c@d.example>\r\n", "503 5.5.1");
	expect(h, "DATA\r\n", "554 5.5.1"); /* no valid recipient yet */
	expect(h, "RCPT TO:<>\r\n", "501 5.1.3");
	expect(h, "RCPT TO:<spam@example.net> NOTIFY=NEVER\r\n", "555 5.5.4");
	expect(h, "RCPT TO:<spam@example.net>\r\n", "250 2.1.5");
	expect(h, "DATA now\r\n", "501 5.5.4");
	expect(h, "RSET\r\n", "250 2.0.0");
	expect(h, "RCPT TO:<spam@example.net>\r\n", "503 5.5.1"); /* RSET ended it */
	expect(h, "NOOP\r\n", "250 2.0.0");
	expect(h, "VRFY spam@example.net\r\n", "252 2.5.2");
	expect(h, "EXPN list\r\n", "502 5.5.1");
	expect(h, "HELP\r\n", "214 ");
	expect(h, "STARTTLS\r\n", "502 5.5.1");
	expect(h, "BDAT 10 LAST\r\n", "502 5.5.1");
	expect(h, "FROB\r\n", "500 5.5.2");
	expect(h, "\r\n", "500 5.5.2");
	expect(h, "XCLIENT ADDR=1.2.3.4\r\n", "550 5.7.0"); /* not a proxy_from peer */
	assert_int_equal(trap_stats_get(&h->stats.xclient_refused), 1);
	assert_int_equal(h->n_begin, 0);
	h_free(h);
}

static void test_pipelining(void **state)
{
	(void)state;
	h_t *h = h_new();
	take(h);
	/* the whole session in one segment: replies come in order, one per command */
	send_str(
		h,
		"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@trap.example.org>\r\n"
		"RCPT TO:<y@elsewhere.example>\r\nDATA\r\nhello\r\n.\r\nMAIL FROM:<a@b.example>\r\n"
		"RSET\r\nQUIT\r\n");
	/* the reply lines, without the EHLO continuation lines */
	char out[4096];
	const char *all = take(h);
	assert_true(strlen(all) < sizeof(out));
	memcpy(out, all, strlen(all) + 1);
	const char *want[] = {
		"250 ENHANCEDSTATUSCODES",     "250 2.1.0", "250 2.1.5",    "550 5.1.1", "354 ",
		"250 2.0.0 Ok: queued as ID1", "250 2.1.0", "250 2.0.0 Ok", "221 "
	};
	size_t n = 0;
	for (char *line = out, *next; *line != '\0'; line = next) {
		char *crlf = strstr(line, "\r\n");
		assert_non_null(crlf);
		*crlf = '\0';
		next = crlf + 2;
		if (strncmp(line, "250-", 4) == 0) {
			continue;
		}
		assert_true(n < sizeof(want) / sizeof(want[0]));
		if (strncmp(line, want[n], strlen(want[n])) != 0) {
			fail_msg("reply %zu: want %s, got %s", n, want[n], line);
		}
		n++;
	}
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	assert_memory_equal(h->last_body, "hello\r\n", 7);
	assert_true(trap_session_closing(h->s));
	h_free(h);
}

static void test_recipient_limit(void **state)
{
	(void)state;
	h_t *h = h_new(); /* max 3 recipients */
	hello(h);
	expect(h, "MAIL FROM:<a@b.example>\r\n", "250 ");
	expect(h, "RCPT TO:<a@trap.example.org>\r\n", "250 ");
	expect(h, "RCPT TO:<b@trap.example.org>\r\n", "250 ");
	expect(h, "RCPT TO:<c@trap.example.org>\r\n", "250 ");
	expect(h, "RCPT TO:<d@trap.example.org>\r\n", "452 4.5.3");
	expect(h, "RCPT TO:<e@trap.example.org>\r\n", "452 4.5.3");
	expect(h, "DATA\r\n", "354 ");
	send_str(h, "x\r\n.\r\n");
	assert_string_equal(take(h), "250 2.0.0 Ok: queued as ID1\r\n");
	assert_string_equal(h->rcpts, "a@trap.example.org,b@trap.example.org,c@trap.example.org");
	assert_int_equal(trap_stats_get(&h->stats.too_many_rcpts), 2);
	h_free(h);
}

static void start_data(h_t *h)
{
	expect(h, "MAIL FROM:<a@b.example>\r\n", "250 ");
	expect(h, "RCPT TO:<a@trap.example.org>\r\n", "250 ");
	expect(h, "DATA\r\n", "354 ");
}

static void test_message_size(void **state)
{
	(void)state;
	h_t *h = h_new(); /* max 1024 bytes */
	hello(h);
	start_data(h);
	char line[102];
	memset(line, 'a', 100);
	memcpy(line + 100, "\r\n", 2);
	for (int i = 0; i < 11; i++) { /* 1122 bytes */
		feed(h, line, sizeof(line));
	}
	assert_int_equal(h->n_abort, 1); /* given up as soon as it was too big */
	assert_string_equal(take(h), "");
	send_str(h, ".\r\n");
	assert_string_equal(take(h),
			    "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
	assert_int_equal(h->n_commit, 0);
	/* exactly the limit is fine */
	start_data(h);
	for (int i = 0; i < 10; i++) {
		feed(h, line, sizeof(line));
	}
	char rest[4];
	memset(rest, 'b', 2);
	memcpy(rest + 2, "\r\n", 2);
	feed(h, rest, 4); /* 1024 */
	send_str(h, ".\r\n");
	assert_string_equal(take(h), "250 2.0.0 Ok: queued as ID1\r\n");
	assert_int_equal(h->last_len, 1024);
	assert_int_equal(trap_stats_get(&h->stats.too_big), 1);
	h_free(h);
}

static void test_command_line_length(void **state)
{
	(void)state;
	h_t *h = h_new();
	hello(h);
	/* 998 octets + CRLF is the longest legal line: it is parsed (and not recognised) */
	char line[3000];
	memset(line, 'A', 998);
	memcpy(line + 998, "\r\n", 3);
	expect(h, line, "500 5.5.2 Error: command not recognized");
	/* 999 + CRLF is too long, and so is a very long one; the session goes on */
	memset(line, 'A', 999);
	memcpy(line + 999, "\r\n", 3);
	expect(h, line, "500 5.5.2 Error: line too long");
	memset(line, 'B', 2500);
	memcpy(line + 2500, "\r\n", 3);
	expect(h, line, "500 5.5.2 Error: line too long");
	expect(h, "NOOP\r\n", "250 ");
	/* fed a byte at a time, the session never holds more than a line */
	for (int i = 0; i < 5000; i++) {
		feed(h, "C", 1);
		assert_true(h->in_len < TRAP_LINE_MAX);
	}
	send_str(h, "\r\n");
	assert_string_equal(take(h), "500 5.5.2 Error: line too long\r\n");
	assert_int_equal(trap_stats_get(&h->stats.long_lines), 3);
	h_free(h);
}

static void test_data_line_length(void **state)
{
	(void)state;
	h_t *h = h_new_with("45.33.32.156", false, 3, 100000, 5, 10);
	hello(h);
	start_data(h);
	char line[1100];
	memset(line, 'x', 998);
	memcpy(line + 998, "\r\n", 2);
	feed(h, line, 1000); /* the longest legal line */
	send_str(h, ".\r\n");
	assert_string_equal(take(h), "250 2.0.0 Ok: queued as ID1\r\n");
	start_data(h);
	memset(line, 'x', 999);
	memcpy(line + 999, "\r\n", 2);
	feed(h, line, 1001);
	send_str(h, "more\r\n.\r\n");
	assert_string_equal(take(h),
			    "554 5.5.2 Message refused: a line is longer than 1000 octets\r\n");
	assert_int_equal(h->n_commit, 1);
	assert_int_equal(h->n_abort, 1);
	expect(h, "NOOP\r\n", "250 ");
	h_free(h);
}

static void test_bare_lf_and_nul(void **state)
{
	(void)state;
	h_t *h = h_new_with("45.33.32.156", false, 3, 100000, 20, 20);
	hello(h);
	expect(h, "NOOP\n", "500 5.5.2 Error: bare LF");
	feed(h, "NO\0OP\r\n", 7);
	assert_string_equal(take(h), "500 5.5.2 Error: NUL character in command\r\n");
	start_data(h);
	/* a bare LF never ends the data: "\n.\n" is text, the end is CRLF.CRLF */
	send_str(h, "line one\nline two\r\n.\nstill data\r\n");
	assert_string_equal(take(h), "");
	assert_true(trap_session_in_data(h->s));
	send_str(h, ".\r\n");
	assert_string_equal(take(h),
			    "554 5.5.2 Message refused: bare LF, lines must end with CRLF\r\n");
	assert_int_equal(h->n_commit, 0);
	/* NUL bytes in a message are kept */
	start_data(h);
	feed(h, "a\0b\r\n.\r\n", 8);
	assert_string_equal(take(h), "250 2.0.0 Ok: queued as ID1\r\n");
	assert_int_equal(h->last_len, 5);
	assert_memory_equal(h->last_body, "a\0b\r\n", 5);
	h_free(h);
}

/* A tricky body fed whole, then one byte at a time: the same message and replies. */
static void test_dot_stuffing_chunks(void **state)
{
	(void)state;
	static const char body[] = "..one\r\n"
				   ".\rtwo\r\n"
				   ". \r\n"
				   "\r\r\n"
				   "...\r\n"
				   ".\r\r\n"
				   "x.\r\n"
				   "\r\n"
				   ".\r\n";
	static const char want[] = ".one\r\n"
				   "\rtwo\r\n"
				   " \r\n"
				   "\r\r\n"
				   "..\r\n"
				   "\r\r\n"
				   "x.\r\n"
				   "\r\n";
	for (int mode = 0; mode < 2; mode++) {
		h_t *h = h_new_with("45.33.32.156", false, 3, 100000, 5, 10);
		hello(h);
		start_data(h);
		if (mode == 0) {
			feed(h, body, sizeof(body) - 1);
		} else {
			for (size_t i = 0; i < sizeof(body) - 1; i++) {
				feed(h, body + i, 1);
			}
		}
		assert_string_equal(take(h), "250 2.0.0 Ok: queued as ID1\r\n");
		assert_int_equal(h->last_len, sizeof(want) - 1);
		assert_memory_equal(h->last_body, want, sizeof(want) - 1);
		h_free(h);
	}
}

static void test_error_limit(void **state)
{
	(void)state;
	h_t *h = h_new(); /* max 5 errors */
	hello(h);
	for (int i = 0; i < 5; i++) {
		expect(h, "BOGUS\r\n", "500 ");
	}
	expect(h, "BOGUS\r\n", "421 4.7.0 trap.test Error: too many errors");
	assert_true(trap_session_closing(h->s));
	assert_int_equal(trap_stats_get(&h->stats.max_errors), 1);
	h_free(h);
}

static void test_commands_before_mail(void **state)
{
	(void)state;
	h_t *h = h_new(); /* max 10 commands */
	hello(h);	  /* 1 */
	for (int i = 0; i < 9; i++) {
		expect(h, "NOOP\r\n", "250 ");
	}
	expect(h, "MAIL FROM:<a@b.example>\r\n", "250 "); /* resets the count */
	expect(h, "RSET\r\n", "250 ");			  /* inside the transaction: not counted */
	for (int i = 0; i < 10; i++) {
		expect(h, "NOOP\r\n", "250 ");
	}
	expect(h, "NOOP\r\n", "421 4.7.0 trap.test Error: too many commands");
	assert_true(trap_session_closing(h->s));
	assert_int_equal(trap_stats_get(&h->stats.max_commands), 1);
	h_free(h);
}

static void test_proxy_header(void **state)
{
	(void)state;
	/* v1 from an allowed peer: the peer changes before any command */
	h_t *h = h_new_with("127.0.0.1", true, 3, 1024, 5, 10);
	take(h);
	send_str(h, "PROXY TCP4 45.33.32.156 127.0.0.1 40000 25\r\nEHLO c.example\r\n");
	const char *out = take(h);
	assert_true(strstr(out, "250-XCLIENT ADDR HELO NAME\r\n") != NULL);
	assert_int_equal(h->n_changed, 1);
	char text[IPBL_IPADDR_STRLEN];
	assert_string_equal(ipbl_ipaddr_format(trap_session_peer(h->s), text), "45.33.32.156");
	start_data(h);
	send_str(h, ".\r\n");
	take(h);
	assert_true(h->proxied);
	assert_string_equal(ipbl_ipaddr_format(&h->via, text), "127.0.0.1");
	h_free(h);

	/* v2, fed in two pieces, with an IPv4-mapped source that is folded */
	h = h_new_with("::1", true, 3, 1024, 5, 10);
	take(h);
	uint8_t v2[16 + 36] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,
				0x55, 0x49, 0x54, 0x0a, 0x21, 0x21, 0x00, 36 };
	ipbl_ipaddr_t src = ip("::ffff:198.18.0.9");
	memcpy(v2 + 16, src.bytes, 16);
	feed(h, (const char *)v2, 10);
	assert_int_equal(h->n_changed, 0);
	feed(h, (const char *)v2 + 10, sizeof(v2) - 10);
	assert_int_equal(h->n_changed, 1);
	assert_string_equal(ipbl_ipaddr_format(trap_session_peer(h->s), text), "198.18.0.9");
	expect(h, "HELO c\r\n", "250 ");
	h_free(h);

	/* from a peer not in proxy_from: 421 and close */
	h = h_new_with("45.33.32.156", false, 3, 1024, 5, 10);
	take(h);
	send_str(h, "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nEHLO x\r\n");
	assert_string_equal(take(h), "421 4.7.0 trap.test Error: PROXY protocol not accepted "
				     "from your address\r\n");
	assert_true(trap_session_closing(h->s));
	assert_int_equal(h->n_changed, 0);
	h_free(h);

	/* malformed from an allowed peer */
	h = h_new_with("127.0.0.1", true, 3, 1024, 5, 10);
	take(h);
	send_str(h, "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n");
	assert_string_equal(take(h), "421 4.7.0 trap.test Error: malformed PROXY header\r\n");
	h_free(h);

	/* PROXY later in the session is just an unknown command */
	h = h_new_with("127.0.0.1", true, 3, 1024, 5, 10);
	hello(h);
	expect(h, "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "500 5.5.2");
	assert_int_equal(h->n_changed, 0);
	h_free(h);

	/* the new address already has too many sessions */
	h = h_new_with("127.0.0.1", true, 3, 1024, 5, 10);
	h->refuse_peer = 1;
	take(h);
	send_str(h, "PROXY TCP4 45.33.32.156 127.0.0.1 40000 25\r\n");
	assert_true(strncmp(take(h), "421 ", 4) == 0);
	assert_true(trap_session_closing(h->s));
	h_free(h);
}

static void test_xclient(void **state)
{
	(void)state;
	h_t *h = h_new_with("127.0.0.1", true, 3, 1024, 5, 10);
	hello(h);
	expect(h, "XCLIENT NAME=spam.example ADDR=45.33.32.156 HELO=spam+2Dhost.example\r\n",
	       "220 trap.test ESMTP");
	expect(h, "EHLO proxy.example\r\n", "250-trap.test"); /* does not replace HELO= */
	start_data(h);
	expect(h, "XCLIENT ADDR=1.2.3.4\r\n", "");
	send_str(h, "\r\n.\r\n"); /* the XCLIENT line above was message text */
	take(h);
	char text[IPBL_IPADDR_STRLEN];
	assert_string_equal(ipbl_ipaddr_format(&h->peer, text), "45.33.32.156");
	assert_string_equal(ipbl_ipaddr_format(&h->via, text), "127.0.0.1");
	assert_string_equal(h->helo, "spam-host.example");
	assert_true(h->proxied);
	expect(h, "MAIL FROM:<a@b.example>\r\n", "250 ");
	expect(h, "XCLIENT ADDR=1.2.3.4\r\n", "503 5.5.1");
	expect(h, "RSET\r\n", "250 ");
	expect(h, "XCLIENT ADDR=IPV6:2001:db8::1 PORT=25\r\n", "220 ");
	assert_string_equal(ipbl_ipaddr_format(trap_session_peer(h->s), text), "2001:db8::1");
	expect(h, "XCLIENT ADDR=[UNAVAILABLE]\r\n", "220 ");
	assert_string_equal(ipbl_ipaddr_format(trap_session_peer(h->s), text), "2001:db8::1");
	expect(h, "XCLIENT ADDR=not-an-ip\r\n", "501 5.5.4");
	expect(h, "XCLIENT\r\n", "501 5.5.4");
	expect(h, "XCLIENT ADDR\r\n", "501 5.5.4");
	expect(h, "MAIL FROM:<a@b.example>\r\n", "503 5.5.1"); /* EHLO again after XCLIENT */
	assert_int_equal(trap_stats_get(&h->stats.xclient), 3);
	h_free(h);
}

static void test_vanish_and_failures(void **state)
{
	(void)state;
	h_t *h = h_new();
	hello(h);
	start_data(h);
	send_str(h, "partial message\r\n");
	assert_int_equal(h->n_abort, 0);
	trap_session_free(h->s); /* the client went away mid-DATA */
	h->s = NULL;
	assert_int_equal(h->n_abort, 1);
	assert_int_equal(h->n_commit, 0);
	assert_int_equal(trap_stats_get(&h->stats.vanished_in_data), 1);
	h_free(h);

	h = h_new();
	hello(h);
	h->fail_begin = 1;
	expect(h, "MAIL FROM:<a@b.example>\r\n", "250 ");
	expect(h, "RCPT TO:<a@trap.example.org>\r\n", "250 ");
	expect(h, "DATA\r\n", "451 4.3.0");
	h->fail_begin = 0;
	h->fail_write = 1;
	expect(h, "DATA\r\n", "354 ");
	send_str(h, "text\r\n.\r\n");
	assert_string_equal(take(h), "451 4.3.0 Error: queue file write error\r\n");
	assert_int_equal(h->n_abort, 1);
	h->fail_write = 0;
	h->fail_commit = 1;
	start_data(h);
	send_str(h, "text\r\n.\r\n");
	assert_string_equal(take(h), "451 4.3.0 Error: queue file write error\r\n");
	assert_int_equal(trap_stats_get(&h->stats.messages), 0);
	assert_int_equal(trap_stats_get(&h->stats.spool_errors), 3);
	h_free(h);
}

static void test_end_from_outside(void **state)
{
	(void)state;
	h_t *h = h_new();
	hello(h);
	start_data(h);
	trap_session_end(h->s, TRAP_SESSION_IDLE_TIMEOUT);
	assert_string_equal(take(h), "421 4.4.2 trap.test Error: timeout exceeded\r\n");
	assert_int_equal(h->n_abort, 1);
	assert_true(trap_session_closing(h->s));
	trap_session_end(h->s, TRAP_SESSION_SHUTDOWN); /* only one last word */
	assert_string_equal(take(h), "");
	assert_int_equal(trap_stats_get(&h->stats.idle_timeouts), 1);
	assert_int_equal(trap_stats_get(&h->stats.vanished_in_data), 0);
	h_free(h);
}

static void test_mapped_peer(void **state)
{
	(void)state;
	h_t *h = h_new_with("::ffff:45.33.32.156", false, 3, 1024, 5, 10);
	const ipbl_ipaddr_t *p = trap_session_peer(h->s);
	assert_int_equal(p->family, IPBL_AF_V4);
	h_free(h);
}

static void test_addrs(void **state)
{
	(void)state;
	const char *bad[] = { "nodomain", "@", "a@b@c", "a b@c", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		trap_addrs_t *a = NULL;
		char err[256] = "";
		assert_int_equal(trap_addrs_new(&bad[i], 1, &a, err, sizeof(err)), IPBL_ECONF);
		assert_non_null(strstr(err, "not a trap address"));
	}
	const char *pats[] = { "@Trap.Example.ORG", "spam@example.net" };
	trap_addrs_t *a = NULL;
	char err[256];
	assert_int_equal(trap_addrs_new(pats, 2, &a, err, sizeof(err)), 0);
	assert_true(trap_addrs_match(a, ipbl_str("anything@trap.example.org")));
	assert_true(trap_addrs_match(a, ipbl_str("SPAM@EXAMPLE.NET")));
	assert_false(trap_addrs_match(a, ipbl_str("spam2@example.net")));
	assert_false(trap_addrs_match(a, ipbl_str("@trap.example.org")));
	assert_false(trap_addrs_match(a, ipbl_str("trap.example.org")));
	assert_false(trap_addrs_match(a, ipbl_str("x@evil.trap.example.org")));
	assert_false(trap_addrs_match(a, ipbl_str("")));
	trap_addrs_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transaction),
		cmocka_unit_test(test_order_and_syntax),
		cmocka_unit_test(test_pipelining),
		cmocka_unit_test(test_recipient_limit),
		cmocka_unit_test(test_message_size),
		cmocka_unit_test(test_command_line_length),
		cmocka_unit_test(test_data_line_length),
		cmocka_unit_test(test_bare_lf_and_nul),
		cmocka_unit_test(test_dot_stuffing_chunks),
		cmocka_unit_test(test_error_limit),
		cmocka_unit_test(test_commands_before_mail),
		cmocka_unit_test(test_proxy_header),
		cmocka_unit_test(test_xclient),
		cmocka_unit_test(test_vanish_and_failures),
		cmocka_unit_test(test_end_from_outside),
		cmocka_unit_test(test_mapped_peer),
		cmocka_unit_test(test_addrs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
