/* SPDX-License-Identifier: BSD-2-Clause */
/* Bounce and auto-reply recognition (see kind.h), on GMime's decoded header values. */
#include "mail/kind.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mail/message_internal.h"

/* Case-insensitive: does s contain p? */
static bool contains_nocase(const char *s, const char *p)
{
	size_t n = strlen(p);
	for (; *s != '\0'; s++) {
		if (g_ascii_strncasecmp(s, p, n) == 0) {
			return true;
		}
	}
	return false;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
		s++;
	}
	return s;
}

/* Case-insensitive: does s, past leading white space, start with p? */
static bool starts_nocase(const char *s, const char *p)
{
	return g_ascii_strncasecmp(skip_space(s), p, strlen(p)) == 0;
}

/* The decoded value of the first field called name, or NULL. */
static const char *header(GMimeObject *o, const char *name)
{
	return g_mime_object_get_header(o, name);
}

/* Subjects that delivery failure notices carry (the common MTAs and mail services). */
static bool failure_subject(const char *subject)
{
	static const char *const prefixes[] = {
		"undelivered mail returned to sender",
		"undeliverable",
		"undelivered mail",
		"returned mail",
		"mail delivery failed",
		"mail delivery failure",
		"mail delivery system",
		"delivery status notification (failure)",
		"delivery status notification (delay)",
		"delivery failure",
		"delivery has failed",
		"delivery notification: delivery has failed",
		"failure notice",
		"message not delivered",
		"nondeliverable mail",
		"non-delivery report",
		"mail system error - returned mail",
		"returned mail: see transcript for details",
		"warning: message delayed",
		"could not send message for past",
		"unzustellbar",
		"non remis",
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (starts_nocase(subject, prefixes[i])) {
			return true;
		}
	}
	return false;
}

/* Subjects of vacation messages and autoresponders. */
static bool vacation_subject(const char *subject)
{
	static const char *const prefixes[] = {
		"auto:",
		"automatic reply",
		"autoreply",
		"auto-reply",
		"auto reply",
		"auto response",
		"auto-response",
		"autoresponse",
		"out of office",
		"out of the office",
		"vacation",
		"away from",
		"on vacation",
		"abwesend",
		"abwesenheit",
		"automatische antwort",
		"réponse automatique",
		"respuesta automática",
		"risposta automatica",
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (starts_nocase(subject, prefixes[i])) {
			return true;
		}
	}
	return false;
}

/* Return-Path: <> (the envelope sender of bounces and of well-behaved auto-replies). */
static bool null_sender(GMimeObject *o)
{
	const char *rp = header(o, "Return-Path");
	if (rp == NULL) {
		return false;
	}
	rp = skip_space(rp);
	return strcmp(rp, "<>") == 0 || strncmp(rp, "<>", 2) == 0 || rp[0] == '\0';
}

/* The From local part is MAILER-DAEMON or postmaster. */
static bool daemon_sender(GMimeObject *o)
{
	const char *from = header(o, "From");
	if (from == NULL) {
		return false;
	}
	return contains_nocase(from, "mailer-daemon") || contains_nocase(from, "<postmaster@") ||
	       starts_nocase(from, "postmaster@") || contains_nocase(from, "mail delivery");
}

/* report-type of a multipart/report Content-Type, or NULL. */
static const char *report_type(GMimeObject *o)
{
	if (GMIME_IS_MESSAGE(o)) {
		o = g_mime_message_get_mime_part(GMIME_MESSAGE(o));
		if (o == NULL) {
			return NULL;
		}
	}
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	if (ct == NULL || !g_mime_content_type_is_type(ct, "multipart", "report")) {
		return NULL;
	}
	const char *rt = g_mime_content_type_get_parameter(ct, "report-type");
	return rt ? rt : "";
}

static void say(char *why, size_t whylen, const char *text)
{
	if (why != NULL && whylen > 0) {
		snprintf(why, whylen, "%s", text);
	}
}

static enum mail_kind classify(GMimeObject *o, char *why, size_t whylen)
{
	const char *rt = report_type(o);
	if (rt != NULL && g_ascii_strcasecmp(rt, "delivery-status") == 0) {
		say(why, whylen, "multipart/report; report-type=delivery-status (a DSN)");
		return MAIL_KIND_BOUNCE;
	}
	if (rt != NULL && g_ascii_strcasecmp(rt, "disposition-notification") == 0) {
		say(why, whylen,
		    "multipart/report; report-type=disposition-notification (a read "
		    "receipt)");
		return MAIL_KIND_AUTO_REPLY;
	}
	if (header(o, "X-Failed-Recipients") != NULL) {
		say(why, whylen, "X-Failed-Recipients field");
		return MAIL_KIND_BOUNCE;
	}
	const char *subject = header(o, "Subject");
	subject = subject ? subject : "";
	bool empty_sender = null_sender(o);
	bool daemon = daemon_sender(o);
	bool failure = failure_subject(subject);
	if (daemon && (empty_sender || failure)) {
		say(why, whylen,
		    "From MAILER-DAEMON/postmaster with a null sender or failure subject");
		return MAIL_KIND_BOUNCE;
	}
	if (failure && empty_sender) {
		say(why, whylen, "delivery failure subject and a null sender (Return-Path: <>)");
		return MAIL_KIND_BOUNCE;
	}
	const char *as = header(o, "Auto-Submitted");
	if (as != NULL && starts_nocase(as, "auto-replied")) {
		say(why, whylen, "Auto-Submitted: auto-replied");
		return MAIL_KIND_AUTO_REPLY;
	}
	if (header(o, "X-Autoreply") != NULL || header(o, "X-Autorespond") != NULL) {
		say(why, whylen, "X-Autoreply or X-Autorespond field");
		return MAIL_KIND_AUTO_REPLY;
	}
	const char *prec = header(o, "Precedence");
	if (prec != NULL && starts_nocase(prec, "auto_reply")) {
		say(why, whylen, "Precedence: auto_reply");
		return MAIL_KIND_AUTO_REPLY;
	}
	/* a subject alone is weak ("Vacation deals!" is spam): it needs a reply's other marks */
	bool replyish = empty_sender || header(o, "In-Reply-To") != NULL ||
			(as != NULL && !starts_nocase(as, "no"));
	if (vacation_subject(subject) && replyish) {
		say(why, whylen, "vacation or auto-reply subject on a reply");
		return MAIL_KIND_AUTO_REPLY;
	}
	if (empty_sender) {
		say(why, whylen, "null envelope sender (Return-Path: <>)");
		return MAIL_KIND_BOUNCE;
	}
	say(why, whylen, "");
	return MAIL_KIND_SPAM;
}

enum mail_kind mail_message_kind(const char *data, size_t len, char *why, size_t whylen)
{
	say(why, whylen, "");
	GMimeMessage *m = mail_gmime_parse(data, len);
	if (m == NULL) {
		return MAIL_KIND_SPAM;
	}
	/* a top-level DSN or read receipt is itself the automatic mail: its message/rfc822 part
	 * is the original that bounced, not a spam someone forwarded */
	const char *rt = report_type(GMIME_OBJECT(m));
	bool self_report = rt != NULL && (g_ascii_strcasecmp(rt, "delivery-status") == 0 ||
					  g_ascii_strcasecmp(rt, "disposition-notification") == 0);
	GMimeMessage *inner = self_report ? NULL : mail_gmime_attached(m);
	enum mail_kind kind = classify(GMIME_OBJECT(inner ? inner : m), why, whylen);
	if (inner != NULL) {
		g_object_unref(inner);
	}
	g_object_unref(m);
	return kind;
}

const char *mail_kind_name(enum mail_kind kind)
{
	switch (kind) {
	case MAIL_KIND_SPAM:
		return "spam";
	case MAIL_KIND_BOUNCE:
		return "bounce";
	case MAIL_KIND_AUTO_REPLY:
		return "auto-reply";
	}
	return "spam";
}
