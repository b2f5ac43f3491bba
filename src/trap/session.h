/* SPDX-License-Identifier: BSD-2-Clause */
/* One SMTP session of the spamtrap (RFC 5321), as a pure state machine: bytes from the client
 * go in (trap_session_input), replies come out through ops->reply, and the message body is
 * streamed out through ops->data_*; the caller does all I/O. That keeps it fuzzable and
 * testable without sockets. Not thread-safe: one session belongs to one thread.
 *
 * Line rules: every command and message line ends in CRLF. A command ending in a bare LF gets
 * 500; a message containing a bare LF is read to its end and refused with 554 (and is never
 * taken as a line end, so "LF . LF" cannot end the data: no SMTP smuggling). A command line is
 * at most 1000 octets with its CRLF (RFC 5321 §4.5.3.1.4: 500 otherwise); a message with a
 * longer line is refused with 554 at the end of the data. NUL bytes are refused in commands
 * (500) and kept in message bodies. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ipaddr.h"
#include "trap/addrs.h"
#include "trap/stats.h"

/* Given at least this many bytes, trap_session_input consumes some (unless it is closing). */
#define TRAP_SESSION_INPUT_MIN 4096
/* RFC 5321 §4.5.3.1.4 and §4.5.3.1.6: text lines, CRLF included. */
#define TRAP_LINE_MAX 1000
/* RFC 5321 §4.5.3.1.3: a path, angle brackets included. */
#define TRAP_PATH_MAX 256

typedef struct {
	const char *hostname;		   /* borrowed: greeting and EHLO reply */
	const trap_addrs_t *addrs;	   /* borrowed: which recipients are traps */
	uint64_t max_message_bytes;	   /* message body after dot-unstuffing */
	unsigned max_recipients;	   /* accepted recipients per message */
	unsigned max_errors;		   /* refused commands; the next one closes with 421 */
	unsigned max_commands_before_mail; /* commands outside a transaction; then 421 */
	trap_stats_t *stats;		   /* borrowed, may be NULL */
} trap_session_conf_t;

/* The transaction as it stands when the body starts. Borrowed; valid during the call. */
typedef struct {
	ipbl_ipaddr_t peer;    /* the client: the connection's address or the one a proxy gave */
	ipbl_ipaddr_t via;     /* the connection's address */
	bool proxied;	       /* peer came from a PROXY header or XCLIENT */
	const char *helo;      /* "" when none was given */
	const char *mail_from; /* "" for the null reverse-path */
	const char *rcpts;     /* n_rcpts NUL-terminated addresses back to back */
	size_t n_rcpts;
} trap_session_txn_t;

typedef struct {
	/* Send text (one or more complete reply lines) to the client. */
	void (*reply)(void *arg, const char *text, size_t len);
	/* A message starts: open somewhere to put it. Nonzero: answered 451, no DATA. */
	int (*data_begin)(void *arg, const trap_session_txn_t *txn);
	/* Message bytes (dot-unstuffed, CRLF as received). Nonzero: the message is abandoned
	 * (data_abort) and answered 451 at its end. */
	int (*data_write)(void *arg, const char *data, size_t len);
	/* The message is complete and acceptable: make it durable. 0: answered 250 with id (a
	 * NUL-terminated name the callee writes into id, may be empty); nonzero: 451. */
	int (*data_commit)(void *arg, const trap_session_txn_t *txn, char *id, size_t id_len);
	/* The message is abandoned (refused, or the connection was lost): discard it. */
	void (*data_abort)(void *arg);
	/* A PROXY header or XCLIENT names a new client address. Nonzero: refused (421, close),
	 * for example because that address already has too many sessions. May be NULL. */
	int (*peer_change)(void *arg, const ipbl_ipaddr_t *peer);
} trap_session_ops_t;

typedef struct trap_session trap_session_t;

/* A session with the client at peer (IPv4-mapped addresses are folded to IPv4 here).
 * proxy_allowed: peer is in [trap] proxy_from, so it may send a PROXY header first and use
 * XCLIENT. conf, ops and arg are borrowed for the session's life. NULL when out of memory.
 * Nothing is sent until trap_session_start. */
trap_session_t *trap_session_new(const trap_session_conf_t *conf, const trap_session_ops_t *ops,
				 void *arg, const ipbl_ipaddr_t *peer, bool proxy_allowed);

/* Free the session; an unfinished message is abandoned (data_abort) and, when the session was
 * in DATA, counted as vanished. NULL is a no-op. */
void trap_session_free(trap_session_t *s);

/* Send the 220 greeting. */
void trap_session_start(trap_session_t *s);

/* Process client bytes. Returns how many were consumed; the rest (an incomplete line or PROXY
 * header) must be offered again with what follows. Given TRAP_SESSION_INPUT_MIN bytes or more
 * it always consumes some, unless the session is closing. */
size_t trap_session_input(trap_session_t *s, const char *data, size_t len);

/* True once the session has said its last reply (221 or 421): send what is pending, then
 * close; further input is ignored. */
bool trap_session_closing(const trap_session_t *s);

/* True while the message body is being received. */
bool trap_session_in_data(const trap_session_t *s);

enum trap_session_end {
	TRAP_SESSION_IDLE_TIMEOUT,    /* 421 4.4.2, counted */
	TRAP_SESSION_SESSION_TIMEOUT, /* 421 4.4.2, counted */
	TRAP_SESSION_SHUTDOWN,	      /* 421 4.3.2 */
	TRAP_SESSION_OVERLOAD,	      /* 421 4.3.2: the server could not serve the session */
};
/* End the session from outside: abandon any message, send a 421 and start closing. */
void trap_session_end(trap_session_t *s, enum trap_session_end why);

/* The client address as it stands (after PROXY or XCLIENT). */
const ipbl_ipaddr_t *trap_session_peer(const trap_session_t *s);
