/* SPDX-License-Identifier: BSD-2-Clause */
/* Bounce analysis: what a delivery failure notice says went wrong. Reads a whole DSN message
 * (multipart/report, RFC 3464), any other bounce message, or text pasted from one (a Postfix,
 * Exim, Exchange, Gmail, Sendmail or qmail notice, or a lone SMTP reply), finds the SMTP reply
 * that refused the mail and, in it, the DNS blocklist and the IP address it blamed. Pure: no
 * I/O, no clock; the web explainer and `ipbl explain` share it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/ipaddr.h"

/* What kind of failure the bounce reports. Only BLOCKLIST is about a blocklist. */
#define MAIL_BOUNCE_KIND_MAP(X)                                                                    \
	X(NONE, "none")			/* no rejection found in the text */                       \
	X(BLOCKLIST, "blocklist")	/* refused: the sending IP is on a blocklist */            \
	X(UNKNOWN_USER, "unknown_user") /* no such recipient */                                    \
	X(MAILBOX_FULL, "mailbox_full") /* the recipient's mailbox is over its quota */            \
	X(TOO_LARGE, "too_large")	/* the message is bigger than the server takes */          \
	X(AUTH, "auth")			/* SPF, DKIM or DMARC failed */                            \
	X(BAD_DOMAIN, "bad_domain")	/* no such domain, or it takes no mail */                  \
	X(TEMPORARY, "temporary")	/* 4xx: greylisting or another try-again-later */          \
	X(SPAM, "spam")			/* refused as spam or by policy, no blocklist named */     \
	X(OTHER, "other")		/* another permanent refusal */

enum mail_bounce_kind {
#define MAIL_BOUNCE_KIND_ENUM(name, text) MAIL_BOUNCE_##name,
	MAIL_BOUNCE_KIND_MAP(MAIL_BOUNCE_KIND_ENUM)
#undef MAIL_BOUNCE_KIND_ENUM
};

/* The stable machine name of a kind ("unknown_user"); "unknown" when out of range. */
const char *mail_bounce_kind_name(enum mail_bounce_kind kind);

/* Whose mail server sent the refused message (worked out for BLOCKLIST bounces only). */
#define MAIL_BOUNCE_SENDER_MAP(X)                                                                  \
	X(UNKNOWN, "unknown")	/* the bounce does not tell */                                     \
	X(PROVIDER, "provider") /* a server the sender logs in to, shared with other senders */    \
	X(OWN, "own")		/* the sender's own server or Internet connection */

enum mail_bounce_sender {
#define MAIL_BOUNCE_SENDER_ENUM(name, text) MAIL_BOUNCE_SENDER_##name,
	MAIL_BOUNCE_SENDER_MAP(MAIL_BOUNCE_SENDER_ENUM)
#undef MAIL_BOUNCE_SENDER_ENUM
};

/* The stable machine name of a sender case ("provider"); "unknown" when out of range. */
const char *mail_bounce_sender_name(enum mail_bounce_sender sender);

/* What in the bounce showed the sender case. */
enum mail_bounce_sender_by {
	MAIL_BOUNCE_SENDER_BY_NONE,	    /* nothing: the case is unknown */
	MAIL_BOUNCE_SENDER_BY_SUBMISSION,   /* the returned headers show the message handed to a
					     * server with a password (ESMTPSA, "Authenticated
					     * sender:", MAPI, webmail over HTTP) */
	MAIL_BOUNCE_SENDER_BY_FREE_MAIL,    /* the sender's address is at a public mail service */
	MAIL_BOUNCE_SENDER_BY_SAME_ADDRESS, /* the message started at the refused address itself */
	MAIL_BOUNCE_SENDER_BY_LOCAL_ORIGIN, /* written on the sending server or in its private
					     * network, no public address before it */
};

/* A well-known blocklist. The table is static; entries live for the whole process. */
typedef struct {
	const char *zone;	/* its DNS zone ("bl.spamcop.net"), or NULL for a list that is
				 * not queried over DNS (a provider's own) */
	const char *name;	/* what people call it ("SpamCop Blocking List") */
	const char *owner;	/* who runs it, one word bounces use alone ("SpamCop") */
	const char *site;	/* the operator's domain, matched in URLs ("spamcop.net") */
	const char *lookup_url; /* where to look an address up and read about removal */
	bool ip_based;		/* lists IP addresses (false: domains named in the message) */
	bool auto_delist;	/* entries expire by themselves once the cause stops */
	const char *note;	/* one more sentence about this list for the sender, or NULL */
} mail_bounce_list_t;

/* The table entry whose zone is zone (case-insensitive, a name under it too), or NULL. */
const mail_bounce_list_t *mail_bounce_list_find(const char *zone);

/* Every entry, in table order (for documentation and tests); *n gets the count. */
const mail_bounce_list_t *mail_bounce_lists(size_t *n);

#define MAIL_BOUNCE_NAME_MAX 256  /* a domain name with its NUL */
#define MAIL_BOUNCE_REPLY_MAX 768 /* the quoted reply, cut (on a character boundary) past this */

/* What a bounce says. Text fields are NUL-terminated, "" when the bounce does not say; they
 * hold bytes from the input (the reply may hold any printable byte; control bytes become
 * spaces). */
typedef struct {
	enum mail_bounce_kind kind;
	bool permanent; /* a 5xx reply or 5.x.x status: resending will not help */

	/* The blocklist, when kind is BLOCKLIST (any of these may be missing). */
	char zone[MAIL_BOUNCE_NAME_MAX]; /* the DNS zone named, lower case, no final dot */
	const mail_bounce_list_t *list;	 /* the well-known list it belongs to, or NULL */
	bool ours; /* our own list: zone is ours (or under it), or the reply links to our pages */
	char list_name[MAIL_BOUNCE_NAME_MAX]; /* list->name, or a name the text gave
					       * ("Spamhaus") when no zone was named */

	/* The address the refusing server saw (the sender's outgoing server or computer). */
	bool has_ip;
	ipbl_ipaddr_t ip;

	int smtp_code;			      /* 550; 0 when no reply was found */
	char status[16];		      /* enhanced status code "5.7.1" (RFC 3463) */
	char server[MAIL_BOUNCE_NAME_MAX];    /* the refusing server, as named ("mx.example.net") */
	char recipient[MAIL_BOUNCE_NAME_MAX]; /* the address the mail was for */
	char reply[MAIL_BOUNCE_REPLY_MAX];    /* the reply, lines joined: "550 5.7.1 text" */

	/* Whose server sent it, from the returned message's header fields and the sender's
	 * address (BLOCKLIST only; else UNKNOWN). */
	enum mail_bounce_sender sender;
	enum mail_bounce_sender_by sender_by;
	char sender_via[MAIL_BOUNCE_NAME_MAX];	   /* the server the message was handed to or sent
						    * out by, or the mail service's domain; "" */
	char sender_reason[MAIL_BOUNCE_REPLY_MAX]; /* what showed it, short and technical
						    * ("authenticated submission from
						    * 198.51.100.7 to smtp.example.net") */
} mail_bounce_t;

/* Who "we" are: what makes a bounce name our own list. Borrowed; any field may be NULL or "". */
typedef struct {
	const char *zone;     /* our DNSBL zone ("bl.example.org"); a name under it counts too */
	const char *base_url; /* our web pages ([web] base_url, "https://www.example.org/dnsbl"): a
			       * link to the same host and port (host in any case), under the same
			       * path, counts too, also when the reply names no zone */
} mail_bounce_ours_t;

/* Read the bounce in data[0..len) into *out. ours: our list (NULL: none, every list is
 * another's). Returns 0 (out->kind is NONE when nothing in the text looks like a refusal), or
 * IPBL_ENOMEM. Any bytes are accepted; the time and memory used are linear in len. */
int mail_bounce_parse(const char *data, size_t len, const mail_bounce_ours_t *ours,
		      mail_bounce_t *out) IPBL_MUSTCHECK;
