/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: any bytes from an SMTP client into the trap's session state machine. The
 * first byte picks the set-up (proxy peer or not, tiny limits or not) and how the rest is cut
 * into segments; replies must be whole CRLF-terminated lines with a 3-digit code, the caller's
 * unconsumed input stays below one line, and every message begun is committed or aborted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trap/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
	int open; /* messages begun and not yet committed or aborted */
	size_t body;
} state_t;

static void check_reply(void *arg, const char *text, size_t len)
{
	(void)arg;
	if (len < 6 || text[len - 2] != '\r' || text[len - 1] != '\n') {
		abort();
	}
	for (size_t i = 0; i < len;) {
		const char *eol = memchr(text + i, '\n', len - i);
		if (eol == NULL || eol - (text + i) < 5 || text[i] < '2' || text[i] > '5' ||
		    (text[i + 3] != ' ' && text[i + 3] != '-')) {
			abort();
		}
		i = (size_t)(eol - text) + 1;
	}
}

static int begin(void *arg, const trap_session_txn_t *t)
{
	state_t *s = arg;
	if (s->open != 0 || t->n_rcpts == 0) {
		abort();
	}
	s->open = 1;
	s->body = 0;
	return 0;
}

static int write_body(void *arg, const char *data, size_t len)
{
	state_t *s = arg;
	if (s->open != 1 || len == 0) {
		abort();
	}
	volatile char sink = data[len - 1]; /* the bytes must be readable */
	(void)sink;
	s->body += len;
	return 0;
}

static int commit(void *arg, const trap_session_txn_t *t, char *id, size_t id_len)
{
	state_t *s = arg;
	if (s->open != 1 || t->n_rcpts == 0 || s->body > 4096) {
		abort();
	}
	s->open = 0;
	snprintf(id, id_len, "F");
	return 0;
}

static void abandon(void *arg)
{
	state_t *s = arg;
	if (s->open != 1) {
		abort();
	}
	s->open = 0;
}

static int peer_change(void *arg, const ipbl_ipaddr_t *peer)
{
	(void)arg;
	return peer->bytes[0] == 66 ? IPBL_ELIMIT : 0;
}

static const trap_session_ops_t ops = {
	.reply = check_reply,
	.data_begin = begin,
	.data_write = write_body,
	.data_commit = commit,
	.data_abort = abandon,
	.peer_change = peer_change,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0) {
		return 0;
	}
	uint8_t mode = data[0];
	data++;
	size--;
	const char *pats[] = { "@trap.example.org", "spam@example.net" };
	trap_addrs_t *addrs = NULL;
	char err[128];
	if (trap_addrs_new(pats, 2, &addrs, err, sizeof(err)) != 0) {
		abort();
	}
	bool tiny = mode & 2;
	trap_session_conf_t conf = {
		.hostname = "fuzz.test",
		.addrs = addrs,
		.max_message_bytes = tiny ? 64 : 4096,
		.max_recipients = tiny ? 1 : 5,
		.max_errors = tiny ? 2 : 50,
		.max_commands_before_mail = tiny ? 3 : 50,
	};
	state_t st = { 0 };
	ipbl_ipaddr_t peer;
	ipbl_ipaddr_from_v4(0x7f000001, &peer);
	trap_session_t *s = trap_session_new(&conf, &ops, &st, &peer, mode & 1);
	if (s == NULL) {
		abort();
	}
	trap_session_start(s);
	/* the caller's buffer: what the session leaves, plus the next segment */
	size_t seg = (mode >> 2) ? (size_t)(mode >> 2) : size + 1;
	char *buf = malloc(size + 1);
	size_t held = 0;
	for (size_t off = 0; off < size;) {
		size_t n = size - off < seg ? size - off : seg;
		memcpy(buf + held, data + off, n);
		held += n;
		off += n;
		size_t used = trap_session_input(s, buf, held);
		if (used > held) {
			abort();
		}
		memmove(buf, buf + used, held - used);
		held -= used;
		if (held >= TRAP_SESSION_INPUT_MIN && !trap_session_closing(s)) {
			abort(); /* the guarantee that keeps the caller's buffer bounded */
		}
	}
	if (mode & 0x80) {
		trap_session_end(s, TRAP_SESSION_IDLE_TIMEOUT);
	}
	trap_session_free(s);
	if (st.open != 0) {
		abort(); /* freeing the session must abandon an unfinished message */
	}
	free(buf);
	trap_addrs_free(addrs);
	return 0;
}
