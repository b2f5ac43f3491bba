/* SPDX-License-Identifier: BSD-2-Clause */
/* What kind of mail a message is: spam, a misdirected bounce, or an automatic reply. Pure.
 *
 * Why: a spammer forges a real person's address as the sender; every server that rejects the
 * spam after accepting it, and every vacation responder, then sends a bounce or an auto-reply
 * to that forged address. When the address is a spamtrap, or a reporter reports the bounce,
 * the sending server is an innocent mail server doing its job (backscatter). Listing it for
 * that hurts every user of that server.
 *
 * How to use it: call mail_message_kind on the same bytes given to mail_source_find (a raw
 * message, or a report that carries one as message/rfc822 or ARF). It classifies the same
 * message the source finder walks: the attached one when there is one, else the top-level one
 * (but a top-level delivery-status or read-receipt report is itself the bounce). Store the
 * kind with the report or trap hit (a stored report kind), and let the policy and the lookup
 * page treat MAIL_KIND_BOUNCE and MAIL_KIND_AUTO_REPLY as "backscatter", not as spam evidence:
 * e.g. "listed for backscatter from this server" or not counted at all. Never refuse a report
 * for its kind alone: a spammer can put these marks on spam, so the kind is a label the policy
 * weighs, and why[] says which mark decided it so a deputy can check.
 *
 * What counts (first match wins; header values are compared without case, RFC 2047 words
 * decoded):
 *   BOUNCE:     Content-Type multipart/report; report-type=delivery-status (RFC 3464 DSN);
 *               X-Failed-Recipients (Exim); From MAILER-DAEMON@... or postmaster@... with an
 *               empty envelope sender or a failure subject; a failure subject ("Undelivered
 *               Mail Returned to Sender", "Delivery Status Notification (Failure)", "Mail
 *               delivery failed", "Undeliverable:", "Returned mail:", "failure notice", ...)
 *               with an empty envelope sender (Return-Path: <>); an empty envelope sender with
 *               none of the auto-reply marks below.
 *   AUTO_REPLY: Auto-Submitted: auto-replied (RFC 3834); X-Autoreply / X-Autorespond;
 *               Precedence: auto_reply; multipart/report; report-type=disposition-notification
 *               (read receipt); a vacation subject ("Auto:", "Automatic reply:", "Out of
 *               Office", "Autoreply", "Vacation", ...) on a message that is a reply (null
 *               sender, In-Reply-To, or Auto-Submitted other than "no"): a subject alone is
 *               what spam says too.
 *   SPAM:       anything else. */
#pragma once

#include <stddef.h>

enum mail_kind {
	MAIL_KIND_SPAM = 0,   /* nothing marks it as automatic mail */
	MAIL_KIND_BOUNCE,     /* a delivery failure notice (DSN, MAILER-DAEMON, null sender) */
	MAIL_KIND_AUTO_REPLY, /* a vacation message, autoresponder or read receipt */
};

/* The kind of the message in data[0..len). why (may be NULL) receives the mark that decided,
 * e.g. "X-Failed-Recipients field" ("" for spam). Never fails: input that is not a message is
 * MAIL_KIND_SPAM. */
enum mail_kind mail_message_kind(const char *data, size_t len, char *why, size_t whylen);

/* "spam", "bounce" or "auto-reply": the name to store and show. */
const char *mail_kind_name(enum mail_kind kind);
