/* SPDX-License-Identifier: BSD-2-Clause */
/* The SMTP state machine of the spamtrap (RFC 5321, with PIPELINING RFC 2920, SIZE RFC 1870,
 * 8BITMIME RFC 6152, ENHANCEDSTATUSCODES RFC 2034, Postfix's XCLIENT and the PROXY header).
 *
 * DESIGN
 * - States: INIT (no HELO yet) -> READY (HELO/EHLO given) -> MAIL (MAIL FROM accepted; RCPT
 *   adds recipients) -> DATA (body) -> READY. CLOSING after 221/421 ignores everything.
 * - Commands are processed from the caller's buffer in place: a command is consumed only when
 *   its LF is there, so the session keeps no line buffer. Replies go out as each command is
 *   handled; pipelined commands therefore get their replies in order, and the caller decides
 *   when to write them (RFC 2920 lets the server batch them).
 * - The body is streamed: runs of bytes between the events that change them (a stuffed dot,
 *   the end marker) go to ops->data_write straight from the input. The only byte ever held
 *   back is a CR after a stuffed dot, which may turn out to start the end marker.
 * - Memory per session is this struct, the HELO name and, during a transaction, the sender
 *   and the recipients (bounded by max_recipients paths of at most 256 octets).
 * - A refusal that the client caused (bad syntax, wrong order, unknown recipient) counts as an
 *   error; past max_errors the session ends with 421. Refused messages do not count. */
#include "trap/session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "trap/proxy.h"

#define HELO_MAX 255  /* a domain name or address literal */
#define REPLY_MAX 640 /* one reply line; the hostname is the only long part */

enum state { ST_INIT, ST_READY, ST_MAIL, ST_DATA, ST_CLOSING };

/* Where the body parser is within a line. */
enum dstate {
	D_BOL,	  /* at the start of a line */
	D_DOT,	  /* a '.' at the start of a line was read (and dropped) */
	D_DOT_CR, /* ".\r" at the start of a line: the CR is held back */
	D_TEXT,	  /* inside a line */
	D_CR,	  /* inside a line, just after a CR */
};

/* Why the message being received will be refused at its end (first reason wins). */
enum reject { REJ_NONE, REJ_SIZE, REJ_IO, REJ_LONG, REJ_BARE_LF };

struct trap_session {
	const trap_session_conf_t *conf;
	const trap_session_ops_t *ops;
	void *arg;
	ipbl_ipaddr_t peer; /* the client, possibly from PROXY/XCLIENT */
	ipbl_ipaddr_t via;  /* the connection's own address */
	uint8_t state;	    /* enum state */
	uint8_t dstate;	    /* enum dstate, in ST_DATA */
	uint8_t reject;	    /* enum reject, in ST_DATA */
	bool proxy_allowed; /* peer is in proxy_from: PROXY header and XCLIENT allowed */
	bool proxied;	    /* peer was set by PROXY or XCLIENT */
	bool got_input;	    /* past the point where a PROXY header may appear */
	bool skipping;	    /* discarding the rest of an overlong command line */
	bool helo_locked;   /* the HELO name came from XCLIENT: EHLO does not replace it */
	bool data_open;	    /* data_begin succeeded; neither committed nor aborted yet */
	unsigned n_errors;
	unsigned n_cmds; /* commands since the session started or the last MAIL */
	unsigned n_rcpts;
	uint32_t line_len;  /* octets of the current body line so far, CRLF included */
	uint64_t msg_bytes; /* body octets after dot-unstuffing */
	char *helo;	    /* NULL until HELO/EHLO/XCLIENT HELO= */
	char *mail_from;    /* in a transaction: the reverse-path ("" = null sender) */
	char *rcpts;	    /* accepted recipients, NUL-terminated, back to back */
	size_t rcpts_len;
	size_t rcpts_cap;
};

/* ---- replies ---- */

static void send_text(trap_session_t *s, const char *text, size_t len)
{
	s->ops->reply(s->arg, text, len);
}

static void reply(trap_session_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(trap_session_t *s, const char *fmt, ...)
{
	char line[REPLY_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n;
	if (len > sizeof(line) - 3) {
		len = sizeof(line) - 3;
	}
	line[len++] = '\r';
	line[len++] = '\n';
	send_text(s, line, len);
}

static void txn_reset(trap_session_t *s)
{
	free(s->mail_from);
	s->mail_from = NULL;
	s->rcpts_len = 0;
	s->n_rcpts = 0;
	if (s->state == ST_MAIL || s->state == ST_DATA) {
		s->state = ST_READY;
	}
}

static void data_abandon(trap_session_t *s)
{
	if (s->data_open) {
		s->data_open = false;
		s->ops->data_abort(s->arg);
	}
}

/* The last reply: 421 (or 221), then nothing more is read. */
static void close_with(trap_session_t *s, const char *code, const char *text)
{
	data_abandon(s);
	txn_reset(s);
	/* RFC 2034 §4: the enhanced code comes first, then the text that names us */
	reply(s, "%s %s %s", code, s->conf->hostname, text);
	s->state = ST_CLOSING;
}

/* A refusal caused by the client. Past max_errors the session ends instead. */
static void error(trap_session_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void error(trap_session_t *s, const char *fmt, ...)
{
	if (++s->n_errors > s->conf->max_errors) {
		TRAP_STATS_INC(s->conf->stats, max_errors);
		close_with(s, "421 4.7.0", "Error: too many errors");
		return;
	}
	char line[REPLY_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)n;
	reply(s, "%s", line);
}

static void out_of_memory(trap_session_t *s)
{
	close_with(s, "421 4.3.0", "Error: out of memory");
}

/* ---- life cycle ---- */

trap_session_t *trap_session_new(const trap_session_conf_t *conf, const trap_session_ops_t *ops,
				 void *arg, const ipbl_ipaddr_t *peer, bool proxy_allowed)
{
	trap_session_t *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return NULL;
	}
	s->conf = conf;
	s->ops = ops;
	s->arg = arg;
	s->peer = *peer;
	ipbl_ipaddr_unmap(&s->peer);
	s->via = s->peer;
	s->proxy_allowed = proxy_allowed;
	return s;
}

void trap_session_free(trap_session_t *s)
{
	if (s == NULL) {
		return;
	}
	if (s->state == ST_DATA) {
		TRAP_STATS_INC(s->conf->stats, vanished_in_data);
	}
	data_abandon(s);
	free(s->helo);
	free(s->mail_from);
	free(s->rcpts);
	free(s);
}

void trap_session_start(trap_session_t *s)
{
	reply(s, "220 %s ESMTP", s->conf->hostname);
}

bool trap_session_closing(const trap_session_t *s)
{
	return s->state == ST_CLOSING;
}

bool trap_session_in_data(const trap_session_t *s)
{
	return s->state == ST_DATA;
}

const ipbl_ipaddr_t *trap_session_peer(const trap_session_t *s)
{
	return &s->peer;
}

void trap_session_end(trap_session_t *s, enum trap_session_end why)
{
	if (s->state == ST_CLOSING) {
		return;
	}
	switch (why) {
	case TRAP_SESSION_IDLE_TIMEOUT:
		TRAP_STATS_INC(s->conf->stats, idle_timeouts);
		close_with(s, "421 4.4.2", "Error: timeout exceeded");
		break;
	case TRAP_SESSION_SESSION_TIMEOUT:
		TRAP_STATS_INC(s->conf->stats, session_timeouts);
		close_with(s, "421 4.4.2", "Error: session time limit exceeded");
		break;
	case TRAP_SESSION_SHUTDOWN:
		close_with(s, "421 4.3.2", "Service shutting down");
		break;
	case TRAP_SESSION_OVERLOAD:
		close_with(s, "421 4.3.2", "Service not available, try again later");
		break;
	}
}

/* A new client address from PROXY or XCLIENT. False when the session was closed. */
static bool set_peer(trap_session_t *s, const ipbl_ipaddr_t *addr)
{
	ipbl_ipaddr_t a = *addr;
	ipbl_ipaddr_unmap(&a);
	if (s->ops->peer_change != NULL && s->ops->peer_change(s->arg, &a) != 0) {
		TRAP_STATS_INC(s->conf->stats, refused_per_ip);
		close_with(s, "421 4.7.0", "Error: too many connections from your address");
		return false;
	}
	s->peer = a;
	s->proxied = true;
	return true;
}

/* ---- the PROXY header, before anything else ---- */

/* Returns the bytes consumed, or -1 when more are needed to decide. */
static long input_first(trap_session_t *s, const char *data, size_t len)
{
	const uint8_t *u = (const uint8_t *)data;
	switch (trap_proxy_sniff(u, len)) {
	case TRAP_PROXY_NO:
		s->got_input = true;
		return 0;
	case TRAP_PROXY_MAYBE:
		return -1;
	case TRAP_PROXY_YES:
		break;
	}
	if (!s->proxy_allowed) {
		TRAP_STATS_INC(s->conf->stats, proxy_refused);
		close_with(s, "421 4.7.0", "Error: PROXY protocol not accepted from your address");
		return (long)len;
	}
	trap_proxy_t hdr;
	int n = trap_proxy_parse(u, len, &hdr);
	if (n == 0) {
		return -1;
	}
	if (n < 0) {
		TRAP_STATS_INC(s->conf->stats, proxy_refused);
		close_with(s, "421 4.7.0", "Error: malformed PROXY header");
		return (long)len;
	}
	s->got_input = true;
	TRAP_STATS_INC(s->conf->stats, proxy);
	if (hdr.has_addr) {
		set_peer(s, &hdr.src);
	}
	return n;
}

/* ---- paths and parameters ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static ipbl_str_t skip_spaces(ipbl_str_t s)
{
	while (s.len > 0 && is_space(s.ptr[0])) {
		s.ptr++;
		s.len--;
	}
	return s;
}

/* s starts with word (ASCII case-insensitive)? Then returns true and what follows. */
static bool take_prefix(ipbl_str_t s, const char *word, ipbl_str_t *rest)
{
	size_t n = strlen(word);
	if (s.len < n || !ipbl_str_eq_nocase((ipbl_str_t){ s.ptr, n }, (ipbl_str_t){ word, n })) {
		return false;
	}
	*rest = (ipbl_str_t){ s.ptr + n, s.len - n };
	return true;
}

/* Printable ASCII or 8-bit, no spaces: what we accept inside a path or a name. */
static bool is_word(ipbl_str_t s)
{
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c <= ' ' || c == 0x7f) {
			return false;
		}
	}
	return true;
}

/* "<path> params" (the brackets may be missing, as old clients do) into the mailbox and the
 * parameters. A source route (<@a,@b:user@d>, RFC 5321 §4.1.2) is dropped. Returns a reply
 * text for a syntax error, or NULL. */
static const char *parse_path(ipbl_str_t s, ipbl_str_t *box, ipbl_str_t *params)
{
	s = skip_spaces(s);
	ipbl_str_t path;
	if (s.len > 0 && s.ptr[0] == '<') {
		const char *end = memchr(s.ptr, '>', s.len);
		if (end == NULL) {
			return "501 5.5.4 Syntax error: missing '>'";
		}
		path = (ipbl_str_t){ s.ptr + 1, (size_t)(end - s.ptr) - 1 };
		*params = (ipbl_str_t){ end + 1, s.len - (size_t)(end - s.ptr) - 1 };
		if (params->len > 0 && !is_space(params->ptr[0])) {
			return "501 5.5.4 Syntax error after '>'";
		}
	} else {
		size_t n = 0;
		while (n < s.len && !is_space(s.ptr[n])) {
			n++;
		}
		path = (ipbl_str_t){ s.ptr, n };
		*params = (ipbl_str_t){ s.ptr + n, s.len - n };
	}
	*params = skip_spaces(ipbl_str_trim(*params));
	if (path.len + 2 > TRAP_PATH_MAX) {
		return "501 5.1.3 Error: path too long";
	}
	if (path.len > 0 && path.ptr[0] == '@') {
		const char *colon = memchr(path.ptr, ':', path.len);
		if (colon == NULL) {
			return "501 5.1.3 Error: bad source route";
		}
		path = (ipbl_str_t){ colon + 1, path.len - (size_t)(colon - path.ptr) - 1 };
	}
	if (!is_word(path)) {
		return "501 5.1.3 Error: bad address syntax";
	}
	*box = path;
	return NULL;
}

/* One "KEY=VALUE" or "KEY" from a parameter list; returns the rest. */
static ipbl_str_t next_param(ipbl_str_t s, ipbl_str_t *param)
{
	size_t n = 0;
	while (n < s.len && !is_space(s.ptr[n])) {
		n++;
	}
	*param = (ipbl_str_t){ s.ptr, n };
	return skip_spaces((ipbl_str_t){ s.ptr + n, s.len - n });
}

static char *dup_str(ipbl_str_t s)
{
	char *p = malloc(s.len + 1);
	if (p != NULL) {
		memcpy(p, s.ptr, s.len);
		p[s.len] = '\0';
	}
	return p;
}

/* ---- commands ---- */

static void cmd_helo(trap_session_t *s, ipbl_str_t args, bool ehlo)
{
	if (args.len == 0 || args.len > HELO_MAX || !is_word(args)) {
		error(s,
		      ehlo ? "501 5.5.4 Syntax: EHLO hostname" : "501 5.5.4 Syntax: HELO hostname");
		return;
	}
	if (!s->helo_locked) {
		char *h = dup_str(args);
		if (h == NULL) {
			out_of_memory(s);
			return;
		}
		free(s->helo);
		s->helo = h;
	}
	txn_reset(s);
	s->state = ST_READY;
	if (!ehlo) {
		reply(s, "250 %s", s->conf->hostname);
		return;
	}
	char text[1024];
	ipbl_buf_t b;
	ipbl_buf_init(&b, text, sizeof(text));
	ipbl_buf_printf(&b, "250-%s\r\n", s->conf->hostname);
	ipbl_buf_puts(&b, "250-PIPELINING\r\n");
	ipbl_buf_printf(&b, "250-SIZE %llu\r\n", (unsigned long long)s->conf->max_message_bytes);
	ipbl_buf_puts(&b, "250-8BITMIME\r\n");
	if (s->proxy_allowed) {
		ipbl_buf_puts(&b, "250-XCLIENT ADDR HELO NAME\r\n");
	}
	ipbl_buf_puts(&b, "250 ENHANCEDSTATUSCODES\r\n");
	send_text(s, b.data, b.len);
}

static void cmd_mail(trap_session_t *s, ipbl_str_t args)
{
	if (s->state == ST_INIT) {
		error(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (s->state == ST_MAIL) {
		error(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	ipbl_str_t rest, box, params;
	if (!take_prefix(args, "FROM:", &rest)) {
		error(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	const char *bad = parse_path(rest, &box, &params);
	if (bad != NULL) {
		error(s, "%s", bad);
		return;
	}
	while (params.len > 0) {
		ipbl_str_t p, value;
		params = next_param(params, &p);
		if (take_prefix(p, "SIZE=", &value)) {
			unsigned long long size;
			if (!ipbl_str_to_u64(value, ~0ull, &size)) {
				error(s, "501 5.5.4 Bad SIZE parameter");
				return;
			}
			if (size > s->conf->max_message_bytes) {
				TRAP_STATS_INC(s->conf->stats, too_big);
				reply(s,
				      "552 5.3.4 Message size exceeds fixed maximum message size");
				return;
			}
		} else if (take_prefix(p, "BODY=", &value)) {
			if (!ipbl_str_eq_nocase(value, IPBL_STR_LIT("7BIT")) &&
			    !ipbl_str_eq_nocase(value, IPBL_STR_LIT("8BITMIME"))) {
				error(s, "501 5.5.4 Bad BODY parameter");
				return;
			}
		} else {
			error(s, "555 5.5.4 Unsupported option: %.*s",
			      (int)(p.len > 64 ? 64 : p.len), p.ptr);
			return;
		}
	}
	s->mail_from = dup_str(box);
	if (s->mail_from == NULL) {
		out_of_memory(s);
		return;
	}
	s->n_cmds = 0;
	s->state = ST_MAIL;
	reply(s, "250 2.1.0 Ok");
}

static bool rcpt_add(trap_session_t *s, ipbl_str_t box)
{
	size_t need = s->rcpts_len + box.len + 1;
	if (need > s->rcpts_cap) {
		size_t cap = s->rcpts_cap ? s->rcpts_cap * 2 : 128;
		while (cap < need) {
			cap *= 2;
		}
		char *p = realloc(s->rcpts, cap);
		if (p == NULL) {
			return false;
		}
		s->rcpts = p;
		s->rcpts_cap = cap;
	}
	memcpy(s->rcpts + s->rcpts_len, box.ptr, box.len);
	s->rcpts[s->rcpts_len + box.len] = '\0';
	s->rcpts_len = need;
	s->n_rcpts++;
	return true;
}

static void cmd_rcpt(trap_session_t *s, ipbl_str_t args)
{
	if (s->state != ST_MAIL) {
		error(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	ipbl_str_t rest, box, params;
	if (!take_prefix(args, "TO:", &rest)) {
		error(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	const char *bad = parse_path(rest, &box, &params);
	if (bad != NULL) {
		error(s, "%s", bad);
		return;
	}
	if (box.len == 0) {
		error(s, "501 5.1.3 Error: empty recipient");
		return;
	}
	if (params.len > 0) {
		error(s, "555 5.5.4 Unsupported RCPT option");
		return;
	}
	if (s->n_rcpts >= s->conf->max_recipients) {
		/* RFC 5321 §4.5.3.1.10: 452, and the client sends the rest later */
		TRAP_STATS_INC(s->conf->stats, too_many_rcpts);
		reply(s, "452 4.5.3 Error: too many recipients");
		return;
	}
	if (!trap_addrs_match(s->conf->addrs, box)) {
		TRAP_STATS_INC(s->conf->stats, rcpt_rejected);
		error(s, "550 5.1.1 Recipient address rejected: user unknown");
		return;
	}
	if (!rcpt_add(s, box)) {
		out_of_memory(s);
		return;
	}
	reply(s, "250 2.1.5 Ok");
}

static trap_session_txn_t txn_of(const trap_session_t *s)
{
	return (trap_session_txn_t){
		.peer = s->peer,
		.via = s->via,
		.proxied = s->proxied,
		.helo = s->helo ? s->helo : "",
		.mail_from = s->mail_from ? s->mail_from : "",
		.rcpts = s->rcpts,
		.n_rcpts = s->n_rcpts,
	};
}

static void cmd_data(trap_session_t *s, ipbl_str_t args)
{
	if (args.len > 0) {
		error(s, "501 5.5.4 Syntax: DATA");
		return;
	}
	if (s->state != ST_MAIL) {
		error(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->n_rcpts == 0) {
		error(s, "554 5.5.1 Error: no valid recipients");
		return;
	}
	trap_session_txn_t txn = txn_of(s);
	if (s->ops->data_begin(s->arg, &txn) != 0) {
		TRAP_STATS_INC(s->conf->stats, spool_errors);
		reply(s, "451 4.3.0 Error: cannot accept mail now, try again later");
		return;
	}
	s->data_open = true;
	s->state = ST_DATA;
	s->dstate = D_BOL;
	s->reject = REJ_NONE;
	s->line_len = 0;
	s->msg_bytes = 0;
	reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return -1;
}

/* xtext (RFC 3461 §4: "+XX" escapes) into out; false when malformed, too long or when it
 * decodes to a control character or a space. */
static bool xtext_decode(ipbl_str_t in, char *out, size_t out_len, size_t *n_out)
{
	size_t n = 0;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.ptr[i];
		if (c == '+') {
			if (i + 2 >= in.len || hexval(in.ptr[i + 1]) < 0 ||
			    hexval(in.ptr[i + 2]) < 0) {
				return false;
			}
			c = (char)(hexval(in.ptr[i + 1]) << 4 | hexval(in.ptr[i + 2]));
			i += 2;
		}
		if ((unsigned char)c <= ' ' || c == 0x7f || n + 1 >= out_len) {
			return false;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	*n_out = n;
	return true;
}

static bool unavailable(const char *v)
{
	return strcmp(v, "[UNAVAILABLE]") == 0 || strcmp(v, "[TEMPUNAVAIL]") == 0;
}

/* XCLIENT ATTR=VALUE ... (Postfix XCLIENT_README): ADDR and HELO are used, NAME and the
 * other attributes are accepted and ignored. Success restarts the session with a 220. */
static void cmd_xclient(trap_session_t *s, ipbl_str_t args)
{
	if (!s->proxy_allowed) {
		TRAP_STATS_INC(s->conf->stats, xclient_refused);
		error(s, "550 5.7.0 Error: insufficient authorization");
		return;
	}
	if (s->state == ST_MAIL) {
		error(s, "503 5.5.1 Error: MAIL transaction in progress");
		return;
	}
	if (args.len == 0) {
		error(s, "501 5.5.4 Syntax: XCLIENT attribute=value ...");
		return;
	}
	char addr_text[HELO_MAX + 1] = "", helo[HELO_MAX + 1] = "";
	bool have_addr = false, have_helo = false;
	ipbl_ipaddr_t addr;
	while (args.len > 0) {
		ipbl_str_t p, name;
		args = next_param(args, &p);
		ipbl_str_t value = ipbl_str_split(p, '=', &name);
		if (value.ptr == NULL || name.len == 0) {
			error(s, "501 5.5.4 Bad XCLIENT attribute syntax");
			return;
		}
		bool is_addr = ipbl_str_eq_nocase(name, IPBL_STR_LIT("ADDR"));
		bool is_helo = ipbl_str_eq_nocase(name, IPBL_STR_LIT("HELO"));
		if (!is_addr && !is_helo) {
			continue; /* NAME, PORT, PROTO, LOGIN, DESTADDR, ...: not needed here */
		}
		char *buf = is_addr ? addr_text : helo;
		size_t n;
		if (!xtext_decode(value, buf, HELO_MAX + 1, &n)) {
			error(s, "501 5.5.4 Bad XCLIENT %s value", is_addr ? "ADDR" : "HELO");
			return;
		}
		if (n == 0 || unavailable(buf)) {
			continue;
		}
		if (is_helo) {
			have_helo = true;
			continue;
		}
		ipbl_str_t a = { buf, n };
		ipbl_str_t rest;
		if (take_prefix(a, "IPV6:", &rest)) {
			a = rest;
		}
		if (ipbl_ipaddr_parse(a, &addr) != 0) {
			error(s, "501 5.5.4 Bad XCLIENT ADDR value");
			return;
		}
		have_addr = true;
	}
	if (have_helo) {
		char *h = strdup(helo);
		if (h == NULL) {
			out_of_memory(s);
			return;
		}
		free(s->helo);
		s->helo = h;
		s->helo_locked = true;
	}
	if (have_addr && !set_peer(s, &addr)) {
		return;
	}
	TRAP_STATS_INC(s->conf->stats, xclient);
	txn_reset(s);
	s->state = ST_INIT;
	reply(s, "220 %s ESMTP", s->conf->hostname);
}

static bool verb_is(ipbl_str_t verb, const char *name)
{
	return ipbl_str_eq_nocase(verb, ipbl_str(name));
}

static void command(trap_session_t *s, ipbl_str_t line)
{
	ipbl_str_t verb;
	ipbl_str_t args = ipbl_str_split(line, ' ', &verb);
	args = ipbl_str_trim(skip_spaces(args));
	if (verb_is(verb, "QUIT")) {
		txn_reset(s);
		reply(s, "221 2.0.0 Bye");
		s->state = ST_CLOSING;
		return;
	}
	if ((s->state == ST_INIT || s->state == ST_READY) && !verb_is(verb, "MAIL") &&
	    ++s->n_cmds > s->conf->max_commands_before_mail) {
		TRAP_STATS_INC(s->conf->stats, max_commands);
		close_with(s, "421 4.7.0", "Error: too many commands");
		return;
	}
	if (verb_is(verb, "EHLO") || verb_is(verb, "HELO")) {
		cmd_helo(s, args, verb_is(verb, "EHLO"));
	} else if (verb_is(verb, "MAIL")) {
		cmd_mail(s, args);
	} else if (verb_is(verb, "RCPT")) {
		cmd_rcpt(s, args);
	} else if (verb_is(verb, "DATA")) {
		cmd_data(s, args);
	} else if (verb_is(verb, "RSET")) {
		if (args.len > 0) {
			error(s, "501 5.5.4 Syntax: RSET");
			return;
		}
		txn_reset(s);
		reply(s, "250 2.0.0 Ok");
	} else if (verb_is(verb, "NOOP")) {
		reply(s, "250 2.0.0 Ok");
	} else if (verb_is(verb, "VRFY")) {
		/* RFC 5321 §3.5.3 and §7.3: 252 neither confirms nor denies a mailbox */
		reply(s, "252 2.5.2 Cannot VRFY user, send mail instead");
	} else if (verb_is(verb, "EXPN")) {
		reply(s, "502 5.5.1 Error: EXPN not available");
	} else if (verb_is(verb, "HELP")) {
		reply(s, "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP VRFY QUIT");
	} else if (verb_is(verb, "XCLIENT")) {
		cmd_xclient(s, args);
	} else if (verb_is(verb, "STARTTLS") || verb_is(verb, "AUTH") || verb_is(verb, "BDAT") ||
		   verb_is(verb, "ETRN") || verb_is(verb, "TURN") || verb_is(verb, "ATRN")) {
		error(s, "502 5.5.1 Error: command not implemented");
	} else {
		error(s, "500 5.5.2 Error: command not recognized");
	}
}

/* One command line from data, or nothing until its LF is there. Returns bytes consumed. */
static size_t input_command(trap_session_t *s, const char *data, size_t len)
{
	if (s->skipping) {
		const char *lf = memchr(data, '\n', len);
		if (lf == NULL) {
			return len;
		}
		s->skipping = false;
		TRAP_STATS_INC(s->conf->stats, long_lines);
		error(s, "500 5.5.2 Error: line too long");
		return (size_t)(lf - data) + 1;
	}
	size_t scan = len < TRAP_LINE_MAX ? len : TRAP_LINE_MAX;
	const char *lf = memchr(data, '\n', scan);
	if (lf == NULL) {
		if (len < TRAP_LINE_MAX) {
			return 0;
		}
		s->skipping = true; /* RFC 5321 §4.5.3.1.4: 1000 octets with the CRLF */
		return TRAP_LINE_MAX;
	}
	size_t used = (size_t)(lf - data) + 1;
	if (used < 2 || lf[-1] != '\r') {
		TRAP_STATS_INC(s->conf->stats, bare_lf);
		error(s, "500 5.5.2 Error: bare LF received, lines must end with CRLF");
		return used;
	}
	ipbl_str_t line = { data, used - 2 };
	if (memchr(line.ptr, '\0', line.len) != NULL) {
		error(s, "500 5.5.2 Error: NUL character in command");
		return used;
	}
	command(s, line);
	return used;
}

/* ---- the message body ---- */

static void reject(trap_session_t *s, enum reject why)
{
	if (s->reject == REJ_NONE) {
		s->reject = (uint8_t)why;
		data_abandon(s); /* stop writing what will be refused anyway */
	}
}

static void emit(trap_session_t *s, const char *p, size_t n)
{
	if (n == 0 || s->reject != REJ_NONE) {
		return;
	}
	s->msg_bytes += n;
	if (s->msg_bytes > s->conf->max_message_bytes) {
		reject(s, REJ_SIZE);
	} else if (s->ops->data_write(s->arg, p, n) != 0) {
		reject(s, REJ_IO);
	}
}

/* The end marker was read: accept or refuse the message. */
static void data_end(trap_session_t *s)
{
	trap_session_txn_t txn = txn_of(s);
	s->state = ST_READY;
	switch ((enum reject)s->reject) {
	case REJ_NONE: {
		char id[128] = "";
		s->data_open = false;
		if (s->ops->data_commit(s->arg, &txn, id, sizeof(id)) != 0) {
			TRAP_STATS_INC(s->conf->stats, spool_errors);
			reply(s, "451 4.3.0 Error: queue file write error");
			break;
		}
		TRAP_STATS_INC(s->conf->stats, messages);
		TRAP_STATS_ADD(s->conf->stats, message_bytes, s->msg_bytes);
		id[sizeof(id) - 1] = '\0';
		reply(s, "250 2.0.0 Ok: queued as %s", id);
		break;
	}
	case REJ_SIZE:
		TRAP_STATS_INC(s->conf->stats, too_big);
		reply(s, "552 5.3.4 Message size exceeds fixed maximum message size");
		break;
	case REJ_IO:
		TRAP_STATS_INC(s->conf->stats, spool_errors);
		reply(s, "451 4.3.0 Error: queue file write error");
		break;
	case REJ_LONG:
		TRAP_STATS_INC(s->conf->stats, long_data_lines);
		reply(s, "554 5.5.2 Message refused: a line is longer than 1000 octets");
		break;
	case REJ_BARE_LF:
		TRAP_STATS_INC(s->conf->stats, bare_lf);
		reply(s, "554 5.5.2 Message refused: bare LF, lines must end with CRLF");
		break;
	}
	txn_reset(s);
}

/* Body bytes up to and including the end marker. Returns bytes consumed. */
static size_t input_data(trap_session_t *s, const char *data, size_t len)
{
	size_t run = 0; /* start of the bytes not yet passed to emit */
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (++s->line_len > TRAP_LINE_MAX) {
			reject(s, REJ_LONG);
		}
		switch ((enum dstate)s->dstate) {
		case D_BOL:
			if (c == '.') { /* RFC 5321 §4.5.2: drop the first dot of a line */
				emit(s, data + run, i - run);
				run = i + 1;
				s->dstate = D_DOT;
				continue;
			}
			break;
		case D_DOT:
			if (c == '\r') {
				run = i + 1;
				s->dstate = D_DOT_CR;
				continue;
			}
			break;
		case D_DOT_CR:
			if (c == '\n') {
				data_end(s);
				return i + 1;
			}
			emit(s, "\r", 1); /* the CR held back was text after all */
			run = i;
			break;
		case D_TEXT:
		case D_CR:
			break;
		}
		if (c == '\r') {
			s->dstate = D_CR;
		} else if (c == '\n') {
			if (s->dstate != D_CR) {
				reject(s, REJ_BARE_LF); /* never a line end: see session.h */
				s->dstate = D_TEXT;
				continue;
			}
			s->line_len = 0;
			s->dstate = D_BOL;
		} else {
			s->dstate = D_TEXT;
		}
	}
	emit(s, data + run, len - run);
	return len;
}

size_t trap_session_input(trap_session_t *s, const char *data, size_t len)
{
	size_t done = 0;
	while (done < len && s->state != ST_CLOSING) {
		size_t n;
		if (!s->got_input) {
			long r = input_first(s, data + done, len - done);
			if (r < 0) {
				break;
			}
			n = (size_t)r;
		} else if (s->state == ST_DATA) {
			n = input_data(s, data + done, len - done);
		} else {
			n = input_command(s, data + done, len - done);
			if (n == 0) {
				break;
			}
		}
		done += n;
	}
	return done;
}
