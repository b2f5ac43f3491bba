/* SPDX-License-Identifier: BSD-2-Clause */
/* Whose mail server sent a refused message: a provider's server that the sender logs in to
 * and shares with other senders, or the sender's own server or connection.
 *
 * DESIGN. A bounce is written by the server that tried to deliver, so the refused address is
 * that server's, and the returned message's header fields say how the message reached it.
 * Oldest hop first, the evidence is read in this order; the first rule that fits decides:
 *  1. hops record submissions with a password (ESMTPSA, ESMTPA, LMTPSA, "Authenticated
 *     sender:", "(authenticated", MAPI, webmail over HTTP): the message was handed to a server
 *     that sent it on, so the refused address is that server's: PROVIDER, named by the newest
 *     such hop whose client is outside the server's network; OWN when a client is the refused
 *     address itself (the server shares the sender's connection), or when every such client
 *     is in a private network (RFC 1918, ULA: a computer in the office of the office's own
 *     server; loopback and link-local clients, a server's own parts, do not count);
 *  2. the oldest hop with a public client address has the refused address as its client: the
 *     message started there: OWN;
 *  3. the sender's address (the returned From:, else Return-Path:, else the notice's To:) is
 *     at a well-known public mail service: its servers sent it: PROVIDER;
 *  4. no hop has a public client address and one shows where the message was written (a
 *     private-network client, or a local pickup: Exim "with local", Postfix "from userid",
 *     Sendmail "/Submit"): it went from the writer's network straight out: OWN;
 *  5. otherwise UNKNOWN.
 * Documentation ranges (RFC 5737, RFC 3849) count as public addresses: they stand for them in
 * examples and tests. Pure: no I/O. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/bounce_internal.h"
#include "mail/received.h"

#define HOPS_MAX 16    /* Received fields read */
#define FIELD_MAX 2048 /* one unfolded field value */

typedef struct {
	bool has_peer;
	bool auth;  /* a submission with a password */
	bool local; /* a local pickup: written on this host */
	ipbl_ipaddr_t peer;
	char by[MAIL_BOUNCE_NAME_MAX];
} hop_t;

typedef struct {
	hop_t hops[HOPS_MAX]; /* top (newest) first; past HOPS_MAX, the newest and the oldest */
	size_t n;
	char from[MAIL_BOUNCE_NAME_MAX];	/* the returned From: address */
	char return_path[MAIL_BOUNCE_NAME_MAX]; /* the returned Return-Path: address */
	char notice_to[MAIL_BOUNCE_NAME_MAX];	/* the notice's To: address */
	char field[FIELD_MAX];			/* the field being read, unfolded */
} returned_t;

const char *mail_bounce_sender_name(enum mail_bounce_sender sender)
{
	static const char *const names[] = {
#define MAIL_BOUNCE_SENDER_NAME(name, text) text,
		MAIL_BOUNCE_SENDER_MAP(MAIL_BOUNCE_SENDER_NAME)
#undef MAIL_BOUNCE_SENDER_NAME
	};
	if ((unsigned)sender >= sizeof(names) / sizeof(names[0])) {
		return "unknown";
	}
	return names[sender];
}

/* ------------------------------------------------------------------------------------------ */
/* Reading the header fields. */

/* One of words occurs in the NUL-terminated v, ignoring case, not followed by a letter or
 * digit ("with local" but not "with localhost"). */
static bool has_marker(const char *v, const char *const *words, size_t n_words)
{
	for (size_t k = 0; k < n_words; k++) {
		size_t wl = strlen(words[k]);
		for (const char *p = strcasestr(v, words[k]); p != NULL;
		     p = strcasestr(p + 1, words[k])) {
			char c = p[wl];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9'))) {
				return true;
			}
		}
	}
	return false;
}

static void add_hop(returned_t *r, const char *v, size_t len)
{
	/* submissions with a password that the Received parser does not name */
	static const char *const auth_words[] = { "with lmtpa", "with lmtpsa", "with mapi" };
	static const char *const local_words[] = { "with local", "from userid", "/submit)" };
	if (r->n >= HOPS_MAX) {
		/* keep the newest hop (the sending server) and the oldest ones (the origin) */
		memmove(&r->hops[1], &r->hops[2], (HOPS_MAX - 2) * sizeof(r->hops[0]));
		r->n--;
	}
	mail_received_hop_t h;
	mail_received_parse((ipbl_str_t){ v, len }, &h);
	hop_t *o = &r->hops[r->n++];
	o->has_peer = h.has_peer;
	o->peer = h.peer;
	o->auth = h.auth || has_marker(v, auth_words, sizeof(auth_words) / sizeof(auth_words[0]));
	o->local = has_marker(v, local_words, sizeof(local_words) / sizeof(local_words[0]));
	snprintf(o->by, sizeof(o->by), "%s", h.by);
	for (char *c = o->by; *c; c++) {
		*c = (*c >= 'A' && *c <= 'Z') ? (char)(*c + 32) : *c;
	}
}

/* The address in a From:, Return-Path: or To: value ("Ann <ann@example.org>"), lower case. */
static void take_address(const char *v, char *out, size_t cap)
{
	const char *lt = strchr(v, '<');
	if (!mail_bounce_address_at(v, lt != NULL ? (size_t)(lt - v) : 0, strlen(v), out, cap)) {
		return;
	}
	for (char *c = out; *c; c++) {
		*c = (*c >= 'A' && *c <= 'Z') ? (char)(*c + 32) : *c;
	}
}

/* Use one unfolded field; returns whether it is one that tells how the mail left. */
static bool use_field(returned_t *r, bool notice, const char *name, size_t nl, const char *v,
		      size_t vl)
{
	if (notice) {
		if (nl == 2 && strncasecmp(name, "to", 2) == 0 && r->notice_to[0] == '\0') {
			take_address(v, r->notice_to, sizeof(r->notice_to));
		}
		return false;
	}
	if (nl == 8 && strncasecmp(name, "received", 8) == 0) {
		add_hop(r, v, vl);
	} else if (nl == 4 && strncasecmp(name, "from", 4) == 0) {
		take_address(v, r->from, sizeof(r->from));
	} else if (nl == 11 && strncasecmp(name, "return-path", 11) == 0) {
		take_address(v, r->return_path, sizeof(r->return_path));
	} else {
		return false;
	}
	return true;
}

/* The line at t[i]: its end (without CR) and the start of the next one. */
static size_t line_of(const char *t, size_t n, size_t i, size_t *next)
{
	const char *nl = memchr(t + i, '\n', n - i);
	size_t e = nl ? (size_t)(nl - t) : n;
	*next = nl ? e + 1 : n;
	return e > i && t[e - 1] == '\r' ? e - 1 : e;
}

/* The first index from i on in t[0..n) that is not a space or tab (n when none); the text is
 * not NUL-terminated. */
static size_t skip_blanks(const char *t, size_t i, size_t n)
{
	while (i < n && (t[i] == ' ' || t[i] == '\t')) {
		i++;
	}
	return i;
}

/* The length of the field name that starts the line t[s..e) ("Received"), 0 if none. */
static size_t field_name_len(const char *t, size_t s, size_t e)
{
	size_t k = s;
	while (k < e && t[k] > ' ' && t[k] < 127 && t[k] != ':') {
		k++;
	}
	return k > s && k < e && t[k] == ':' ? k - s : 0;
}

/* The header fields in t[0..n). notice: the notice's own header block (read up to its first
 * blank line, To: only); else the returned message's fields, which may follow a line of prose
 * ("----- Original message follows -----") and end at the blank line after them. */
static void read_fields(const char *t, size_t n, bool notice, returned_t *r)
{
	char *v = r->field;
	bool useful = false;
	for (size_t i = 0; i < n;) {
		size_t next, e = line_of(t, n, i, &next);
		size_t nl = field_name_len(t, i, e);
		if (e == i && (notice || useful)) {
			return;
		}
		if (nl == 0) {
			i = next;
			continue;
		}
		size_t vl = 0;
		for (size_t s = i + nl + 1;;) {
			size_t k = e - s < FIELD_MAX - 1 - vl ? e - s : FIELD_MAX - 1 - vl;
			memcpy(v + vl, t + s, k);
			vl += k;
			if (next >= n || (t[next] != ' ' && t[next] != '\t') ||
			    vl + 1 >= FIELD_MAX) {
				break;
			}
			v[vl++] = ' '; /* folding white space becomes one space */
			s = skip_blanks(t, next, n);
			e = line_of(t, n, next, &next);
			s = s < e ? s : e;
		}
		v[vl] = '\0';
		useful = use_field(r, notice, t + i, nl, v, vl) || useful;
		i = next;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* The rules (see DESIGN). */

static bool is_public(const ipbl_ipaddr_t *a)
{
	enum ipbl_ipaddr_kind k = ipbl_ipaddr_kind(a);
	return k == IPBL_IP_GLOBAL || k == IPBL_IP_DOCUMENTATION;
}

static bool decide(mail_bounce_t *out, enum mail_bounce_sender sender,
		   enum mail_bounce_sender_by by, const char *via, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static bool decide(mail_bounce_t *out, enum mail_bounce_sender sender,
		   enum mail_bounce_sender_by by, const char *via, const char *fmt, ...)
{
	out->sender = sender;
	out->sender_by = by;
	snprintf(out->sender_via, sizeof(out->sender_via), "%s", via);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->sender_reason, sizeof(out->sender_reason), fmt, ap);
	va_end(ap);
	return true;
}

/* " from 198.51.100.7" for a hop with a client address, else "". */
static const char *from_peer(const hop_t *h, char buf[IPBL_IPADDR_STRLEN + 8])
{
	buf[0] = '\0';
	if (h->has_peer) {
		char ip[IPBL_IPADDR_STRLEN];
		snprintf(buf, IPBL_IPADDR_STRLEN + 8, " from %s", ipbl_ipaddr_format(&h->peer, ip));
	}
	return buf;
}

/* Whether a hop's client is in a private network (RFC 1918, IPv6 ULA): a computer inside the
 * network of the server it logged in to. Loopback and link-local clients are not counted:
 * they are a server talking to itself (a webmail front end, Exchange's MAPI store). */
static bool client_inside(const hop_t *h)
{
	return h->has_peer && ipbl_ipaddr_kind(&h->peer) == IPBL_IP_PRIVATE;
}

/* Rule 1: submissions with a password, the newest first (the nearest to the refusing
 * server: with an office server that logs in to a provider's relay, the relay sent it). */
static bool by_submission(const returned_t *r, mail_bounce_t *out)
{
	const hop_t *outside = NULL, *inside = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const hop_t *h = &r->hops[i];
		if (!h->auth) {
			continue;
		}
		if (h->has_peer && out->has_ip && ipbl_ipaddr_eq(&h->peer, &out->ip)) {
			return decide(
				out, MAIL_BOUNCE_SENDER_OWN, MAIL_BOUNCE_SENDER_BY_SAME_ADDRESS,
				h->by,
				"authenticated submission from the refused address itself%s%s",
				h->by[0] ? " to " : "", h->by);
		}
		if (client_inside(h)) {
			inside = inside ? inside : h;
		} else {
			outside = outside ? outside : h;
		}
	}
	char from[IPBL_IPADDR_STRLEN + 8];
	if (outside != NULL) {
		return decide(out, MAIL_BOUNCE_SENDER_PROVIDER, MAIL_BOUNCE_SENDER_BY_SUBMISSION,
			      outside->by, "authenticated submission%s%s%s",
			      from_peer(outside, from), outside->by[0] ? " to " : "", outside->by);
	}
	if (inside != NULL) {
		/* every login came from inside the server's own network: an office's server */
		return decide(out, MAIL_BOUNCE_SENDER_OWN, MAIL_BOUNCE_SENDER_BY_LOCAL_ORIGIN,
			      inside->by, "authenticated submission%s, a private address, to %s",
			      from_peer(inside, from),
			      inside->by[0] ? inside->by : "the sending server");
	}
	return false;
}

/* Rule 2: the oldest public client is the refused address. */
static bool by_first_hop(const returned_t *r, mail_bounce_t *out)
{
	for (size_t i = r->n; out->has_ip && i-- > 0;) {
		const hop_t *h = &r->hops[i];
		if (!h->has_peer || !is_public(&h->peer)) {
			continue;
		}
		if (!ipbl_ipaddr_eq(&h->peer, &out->ip)) {
			return false;
		}
		return decide(out, MAIL_BOUNCE_SENDER_OWN, MAIL_BOUNCE_SENDER_BY_SAME_ADDRESS,
			      h->by, "the oldest public hop is the refused address itself%s%s",
			      h->by[0] ? ", received by " : "", h->by);
	}
	return false;
}

/* rest, what follows a service's name, is a top-level domain ("com", "de") or a country's
 * second level ("co.uk", "com.br"). */
static bool public_suffix(const char *rest)
{
	const char *dot = strchr(rest, '.');
	if (rest[0] == '\0' || dot == rest) {
		return false;
	}
	if (dot == NULL) {
		return true;
	}
	return (strncmp(rest, "co.", 3) == 0 || strncmp(rest, "com.", 4) == 0) && dot[1] != '\0' &&
	       strchr(dot + 1, '.') == NULL;
}

/* domain is a public mail service's: a name from the table, where "yahoo." stands for yahoo
 * under any public suffix ("yahoo.com", "yahoo.co.uk"). */
static bool free_mail_domain(const char *domain)
{
	static const char *const names[] = {
		"gmail.com",   "googlemail.com", "outlook.",	   "hotmail.",	  "live.",
		"msn.com",     "yahoo.",	 "ymail.com",	   "aol.",	  "gmx.",
		"web.de",      "icloud.com",	 "me.com",	   "mac.com",	  "mail.ru",
		"yandex.",     "proton.me",	 "protonmail.com", "zoho.com",	  "fastmail.com",
		"t-online.de", "freenet.de",	 "orange.fr",	   "laposte.net", "libero.it",
		"qq.com",      "163.com",	 "seznam.cz",	   "wp.pl",	  "o2.pl",
		"interia.pl",  "mail.com",	 "rambler.ru",	   "posteo.de",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t l = strlen(names[i]);
		if (names[i][l - 1] != '.'
			    ? strcmp(domain, names[i]) == 0
			    : strncmp(domain, names[i], l) == 0 && public_suffix(domain + l)) {
			return true;
		}
	}
	return false;
}

/* Rule 3: the sender's address is at a public mail service. */
static bool by_free_mail(const returned_t *r, mail_bounce_t *out)
{
	const char *addr = r->from[0] ? r->from : r->return_path[0] ? r->return_path : r->notice_to;
	const char *at = strrchr(addr, '@');
	if (at == NULL || !free_mail_domain(at + 1)) {
		return false;
	}
	return decide(out, MAIL_BOUNCE_SENDER_PROVIDER, MAIL_BOUNCE_SENDER_BY_FREE_MAIL, at + 1,
		      "sender address at %s, a public mail service", at + 1);
}

/* Rule 4: written in a private network or on the sending server, no public client. */
static bool by_local_origin(const returned_t *r, mail_bounce_t *out)
{
	const hop_t *origin = NULL;
	for (size_t i = r->n; i-- > 0;) {
		const hop_t *h = &r->hops[i];
		if (h->has_peer && is_public(&h->peer)) {
			return false;
		}
		if (origin == NULL && (h->local || h->has_peer)) {
			origin = h;
		}
	}
	if (origin == NULL) {
		return false;
	}
	const char *sent_by = r->hops[0].by;
	char from[IPBL_IPADDR_STRLEN + 8];
	if (origin->has_peer) {
		return decide(out, MAIL_BOUNCE_SENDER_OWN, MAIL_BOUNCE_SENDER_BY_LOCAL_ORIGIN,
			      sent_by,
			      "no public hop: handed over%s, a private address, and sent "
			      "straight out%s%s",
			      from_peer(origin, from), sent_by[0] ? " by " : "", sent_by);
	}
	return decide(out, MAIL_BOUNCE_SENDER_OWN, MAIL_BOUNCE_SENDER_BY_LOCAL_ORIGIN, sent_by,
		      "no public hop: written on %s itself and sent straight out",
		      origin->by[0] ? origin->by : "the sending server");
}

int mail_bounce_sender_decide(const char *ret, size_t ret_len, const char *notice,
			      size_t notice_len, mail_bounce_t *out)
{
	out->sender = MAIL_BOUNCE_SENDER_UNKNOWN;
	out->sender_by = MAIL_BOUNCE_SENDER_BY_NONE;
	out->sender_via[0] = '\0';
	out->sender_reason[0] = '\0';
	returned_t *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		return IPBL_ENOMEM;
	}
	if (notice != NULL) {
		read_fields(notice, notice_len, true, r);
	}
	if (ret != NULL) {
		read_fields(ret, ret_len, false, r);
	}
	(void)(by_submission(r, out) || by_first_hop(r, out) || by_free_mail(r, out) ||
	       by_local_origin(r, out));
	free(r);
	return 0;
}
