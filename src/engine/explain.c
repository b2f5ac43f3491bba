/* SPDX-License-Identifier: BSD-2-Clause */
/* The bounce explainer's advice (see explain.h). The sentences are written for a sender who
 * is not a mail administrator: short, no jargon without a gloss, and always a next step. The
 * two questions that matter most are answered first: is this a blocklist problem at all, and
 * whose address is it (the provider's, or the sender's own server's). */
#include "engine/explain.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/clock.h"

#define WRAP_COLUMNS 76

const char *explain_status_name(enum explain_status status)
{
	static const char *const names[] = { "not_ours", "no_ip", "listed", "not_listed",
					     "no_record" };
	if ((unsigned)status >= sizeof(names) / sizeof(names[0])) {
		return "unknown";
	}
	return names[status];
}

/* ------------------------------------------------------------------------------------------ */
/* Small writers over fixed fields. */

typedef struct {
	char *p;
	size_t cap;
} field_t;

#define FIELD(arr) ((field_t){ (arr), sizeof(arr) })

static void put(field_t f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append to the NUL-terminated field; cut (never overrun) when full. */
static void put(field_t f, const char *fmt, ...)
{
	size_t len = strnlen(f.p, f.cap);
	if (len + 1 >= f.cap) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f.p + len, f.cap - len, fmt, ap);
	va_end(ap);
}

static void set(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static char *add_step(explain_advice_t *a)
{
	if (a->n_steps >= EXPLAIN_STEPS_MAX) {
		return NULL;
	}
	char *s = a->steps[a->n_steps++];
	s[0] = '\0';
	return s;
}

#define STEP(a, ...)                                                                               \
	do {                                                                                       \
		char *step_ = add_step(a);                                                         \
		if (step_ != NULL) {                                                               \
			snprintf(step_, EXPLAIN_TEXT_MAX, __VA_ARGS__);                            \
		}                                                                                  \
	} while (0)

/* "in about 5 hours", "in about 40 minutes", "within a minute". */
static void format_duration(int64_t seconds, char *buf, size_t cap)
{
	if (seconds < 60) {
		snprintf(buf, cap, "within a minute");
	} else if (seconds < 2 * 3600) {
		snprintf(buf, cap, "in about %lld minutes", (long long)((seconds + 59) / 60));
	} else if (seconds < 2 * 86400) {
		snprintf(buf, cap, "in about %lld hours", (long long)((seconds + 1800) / 3600));
	} else {
		snprintf(buf, cap, "in about %lld days", (long long)((seconds + 43200) / 86400));
	}
}

/* "24 hours", "12 hours", "2 days", "90 minutes". */
static void format_span(int64_t ms, char *buf, size_t cap)
{
	int64_t s = ms / 1000;
	if (s >= 2 * 86400 && s % 86400 == 0) {
		snprintf(buf, cap, "%lld days", (long long)(s / 86400));
	} else if (s >= 3600 && s % 3600 == 0) {
		snprintf(buf, cap, "%lld hour%s", (long long)(s / 3600), s == 3600 ? "" : "s");
	} else {
		snprintf(buf, cap, "%lld minutes", (long long)((s + 59) / 60));
	}
}

/* ------------------------------------------------------------------------------------------ */
/* What happened. */

static void who_refused(const explain_advice_t *a, char *buf, size_t cap)
{
	if (a->server[0]) {
		snprintf(buf, cap, "The receiving mail server (%s)", a->server);
	} else {
		snprintf(buf, cap, "The receiving mail server");
	}
}

static void to_whom(const explain_advice_t *a, char *buf, size_t cap)
{
	if (a->recipient[0]) {
		snprintf(buf, cap, " to %s", a->recipient);
	} else {
		buf[0] = '\0';
	}
}

static void happened_blocklist(explain_advice_t *a, const mail_bounce_t *b)
{
	char who[MAIL_BOUNCE_NAME_MAX + 40], to[MAIL_BOUNCE_NAME_MAX + 8];
	who_refused(a, who, sizeof(who));
	to_whom(a, to, sizeof(to));
	field_t f = FIELD(a->happened);
	const mail_bounce_list_t *l = b->list;
	if (l != NULL && !l->ip_based) {
		put(f,
		    "%s refused your message%s because of %s. That list names web sites and "
		    "domains, not senders: a link or a domain name inside your message is on it, "
		    "so the message would be refused from any server.",
		    who, to, a->list);
		return;
	}
	if (a->ip[0]) {
		put(f,
		    "%s refused your message%s because the address it came from, %s, is on %s. "
		    "Mail servers check every incoming connection against such lists and turn "
		    "away mail from addresses that have recently sent spam.",
		    who, to, a->ip, a->list[0] ? a->list : "a blocklist");
	} else {
		put(f,
		    "%s refused your message%s because the server that delivered it is on %s. "
		    "Mail servers check every incoming connection against such lists and turn "
		    "away mail from addresses that have recently sent spam. The bounce does not "
		    "say which address that was.",
		    who, to, a->list[0] ? a->list : "a blocklist");
	}
	put(f, " A listing is about the address, not about you or this one message: anyone who "
	       "sends through that address is refused while it is listed.");
	if (l != NULL && l->note != NULL) {
		put(f, " About this list: %s.", l->note);
	}
	if (!a->permanent) {
		put(f, " The server asked for a later retry, so your server may try again for a "
		       "while; it will keep failing while the address is listed.");
	}
}

static void happened_other(explain_advice_t *a)
{
	char who[MAIL_BOUNCE_NAME_MAX + 40], to[MAIL_BOUNCE_NAME_MAX + 8];
	who_refused(a, who, sizeof(who));
	to_whom(a, to, sizeof(to));
	field_t f = FIELD(a->happened);
	switch (a->kind) {
	case MAIL_BOUNCE_UNKNOWN_USER:
		put(f, "%s says the address%s does not exist there.", who, to);
		break;
	case MAIL_BOUNCE_MAILBOX_FULL:
		put(f, "%s could not deliver your message because the mailbox of %s is full.", who,
		    a->recipient[0] ? a->recipient : "the recipient");
		break;
	case MAIL_BOUNCE_TOO_LARGE:
		put(f, "%s refused your message%s because it is larger than that server accepts.",
		    who, to);
		break;
	case MAIL_BOUNCE_AUTH:
		put(f,
		    "%s refused your message%s because it could not confirm that the message "
		    "really comes from your domain: the SPF, DKIM or DMARC checks of your "
		    "domain failed.",
		    who, to);
		break;
	case MAIL_BOUNCE_BAD_DOMAIN:
		put(f,
		    "Your message%s could not be delivered because the part of the address after "
		    "the @ is not a domain that receives mail (it does not exist, or has no mail "
		    "server).",
		    to);
		break;
	case MAIL_BOUNCE_TEMPORARY:
		put(f,
		    "%s did not refuse your message%s for good: it asked your server to try "
		    "again later. Some servers do this on purpose the first time they see a "
		    "sender (greylisting); others are busy or have a passing problem.",
		    who, to);
		break;
	case MAIL_BOUNCE_SPAM:
		put(f,
		    "%s refused your message%s because its own filter judged it to be spam. No "
		    "blocklist is named: the decision was about this message's content or the "
		    "receiving side's own rules.",
		    who, to);
		break;
	case MAIL_BOUNCE_OTHER:
		put(f, "%s refused your message%s. Its reply does not name a blocklist.", who, to);
		break;
	case MAIL_BOUNCE_NONE:
	case MAIL_BOUNCE_BLOCKLIST:
		break;
	}
	if (a->kind != MAIL_BOUNCE_NONE) {
		put(f, " This is not a blocklist problem.");
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Whose address it is: a server the sender shares with others, or their own. */

static void whose_address(explain_advice_t *a, const mail_bounce_t *b)
{
	field_t f = FIELD(a->whose);
	char ip[IPBL_IPADDR_STRLEN + 1] = "";
	if (a->ip[0]) {
		snprintf(ip, sizeof(ip), " %s", a->ip);
	}
	switch (b->sender_by) {
	case MAIL_BOUNCE_SENDER_BY_SUBMISSION:
		put(f,
		    "The bounce shows your message was handed, with your password, to the mail "
		    "server %s, which sent it on. So the refused address%s belongs to that "
		    "server, which its other users share, not to your own Internet connection.",
		    b->sender_via[0] ? b->sender_via : "you send through", ip);
		break;
	case MAIL_BOUNCE_SENDER_BY_FREE_MAIL:
		put(f,
		    "Your address is at %s, a public mail service, so your message left through "
		    "that service's own servers. The refused address%s is theirs, shared with many "
		    "other users, not your own Internet connection's.",
		    b->sender_via, ip);
		break;
	case MAIL_BOUNCE_SENDER_BY_SAME_ADDRESS:
		put(f,
		    "The bounce shows your message started at %s, the very address that was "
		    "refused: the computer or network that wrote it also sent it out. So the "
		    "address is your own connection's (or your organisation's), not a provider's "
		    "shared server.",
		    a->ip[0] ? a->ip : "the refused address");
		break;
	case MAIL_BOUNCE_SENDER_BY_LOCAL_ORIGIN:
		put(f,
		    "The bounce shows your message was written on %s%s or a computer in its own "
		    "local network, and went from there straight to the recipient's server with "
		    "no provider's server in between. So the refused address%s is your own (or "
		    "your organisation's).",
		    b->sender_via[0] ? "the server " : "the sending server", b->sender_via, ip);
		break;
	case MAIL_BOUNCE_SENDER_BY_NONE:
		break;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* The address on our list. */

static void status_ours(explain_advice_t *a, const engine_lookup_t *lk, const explain_site_t *site)
{
	field_t f = FIELD(a->status_here);
	char when[32], left[64], span[64];
	int64_t expire_ms = lk ? lk->decision.rules.expire_ms : 0;
	if (expire_ms <= 0) {
		expire_ms = policy_rules_default().expire_ms;
	}
	format_span(expire_ms, span, sizeof(span));
	switch (a->status) {
	case EXPLAIN_STATUS_LISTED:
		if (a->by_file) {
			put(f,
			    "%s is on this list now: %s. Such an entry stays until the operator of "
			    "the list removes it.",
			    a->ip, a->reason);
			break;
		}
		ipbl_clock_format(a->delist_at_ms, when);
		format_duration(a->seconds_to_delist, left, sizeof(left));
		put(f, "%s is on this list now", a->ip);
		if (a->reason[0]) {
			put(f, ": %s", a->reason);
		}
		put(f,
		    ". Listings here end by themselves %s after the last spam report or spamtrap "
		    "hit. If no new spam comes from the address, this one ends at %s (%s); "
		    "nobody has to ask for that.",
		    span, when, left);
		break;
	case EXPLAIN_STATUS_NOT_LISTED:
		put(f, "%s is not on this list any more", a->ip);
		if (a->reason[0]) {
			put(f, " (%s)", a->reason);
		}
		put(f, ". A server that refused your mail a moment ago may still remember the "
		       "old answer for a short while, or it may use other lists as well.");
		break;
	case EXPLAIN_STATUS_NO_RECORD:
		put(f,
		    "We have no record of %s: it has never been listed here. Check that the "
		    "address in the bounce was copied completely. If it was, the refusing server "
		    "may have asked an out-of-date copy of the list; its administrator can tell.",
		    a->ip);
		break;
	case EXPLAIN_STATUS_NO_IP:
		put(f, "The bounce does not show which address was refused, so we cannot look it "
		       "up. Your mail provider can tell you the address of the server that sent "
		       "this message");
		if (site != NULL && site->base_url != NULL && site->base_url[0]) {
			put(f, "; you can then look it up at %s/lookup", site->base_url);
		}
		put(f, ".");
		break;
	case EXPLAIN_STATUS_NOT_OURS:
		break;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* What to do next. */

/* The provider's server: known to be the case, or one of the two. */
static void step_provider(explain_advice_t *a, bool known)
{
	char *s = add_step(a);
	if (s == NULL) {
		return;
	}
	field_t f = { s, EXPLAIN_TEXT_MAX };
	const char *ip = a->ip[0] ? a->ip : "that was refused";
	if (known) {
		put(f,
		    "The address %s belongs to the mail server you send through (your Internet "
		    "provider's, your web host's, a mail service's or your organisation's), not to "
		    "you.",
		    ip);
	} else {
		put(f,
		    "If you send through a provider (your Internet provider, web host, or a mail "
		    "service), the address %s belongs to them, not to you.",
		    ip);
	}
	put(f,
	    " Forward this bounce, complete, to %s support and ask them to find and stop the "
	    "source. Only they can fix it, and they may be able to send your mail through "
	    "another server meanwhile.",
	    known ? "that server's" : "their");
}

/* The sender's own server or connection: known to be the case, or one of the two. */
static void step_own(explain_advice_t *a, bool known)
{
	char *s = add_step(a);
	if (s == NULL) {
		return;
	}
	field_t f = { s, EXPLAIN_TEXT_MAX };
	if (known) {
		put(f,
		    "The address %s is your own, so the fix is on your side: find what sent the "
		    "spam and stop it first:",
		    a->ip[0] ? a->ip : "that was refused");
	} else {
		put(f, "If you run the mail server or network behind this address yourself, find "
		       "what sent the spam and stop it first:");
	}
	put(f, " a mail account whose password was stolen, an infected computer (every machine "
	       "behind the same router shares the address), a web form or script that sends "
	       "mail, a server that relays mail for anyone, or automatic replies and bounces "
	       "sent to the forged senders of spam (backscatter).");
}

static void steps_blocklist(explain_advice_t *a, const mail_bounce_t *b)
{
	const mail_bounce_list_t *l = b->list;
	if (l != NULL && !l->ip_based) {
		STEP(a,
		     "Look at the links and domain names in your message (including your "
		     "signature and any tracking links your mailing tool adds) and remove the "
		     "one that is listed; %s can tell you which it is.",
		     a->lookup_url[0] ? a->lookup_url : "the list's web site");
		STEP(a, "Do not resend the same message unchanged: it will be refused again.");
		return;
	}
	STEP(a, "Do not keep resending the message. Every attempt from a listed address is "
		"refused the same way, and a burst of retries can itself look like spam.");
	/* only the case the bounce shows; both when it does not tell */
	if (a->sender != MAIL_BOUNCE_SENDER_OWN) {
		step_provider(a, a->sender == MAIL_BOUNCE_SENDER_PROVIDER);
	}
	if (a->sender != MAIL_BOUNCE_SENDER_PROVIDER) {
		step_own(a, a->sender == MAIL_BOUNCE_SENDER_OWN);
	}
	if (a->ours) {
		if (a->status == EXPLAIN_STATUS_LISTED && a->by_file) {
			STEP(a,
			     "The operator of this list listed the address by hand, so waiting "
			     "does not end it. Once the source is stopped, the administrator of "
			     "the address can ask a deputy of the list to remove it%s%s.",
			     a->lookup_url[0] ? " from " : "", a->lookup_url);
		} else if (a->status == EXPLAIN_STATUS_LISTED) {
			if (a->lookup_url[0]) {
				STEP(a,
				     "Once the source is stopped, wait: the listing ends by itself "
				     "if "
				     "no new spam is reported (%s shows the time left). Asking for "
				     "an "
				     "early removal does not speed it up.",
				     a->lookup_url);
			} else {
				STEP(a,
				     "Once the source is stopped, wait: the listing ends by itself "
				     "if no new spam is reported. Asking for an early removal does "
				     "not speed it up.");
			}
			STEP(a,
			     "If you believe the address was listed by mistake (for example, "
			     "the reported mail was something the recipients asked for), the "
			     "administrator of the address can dispute the listing%s%s.",
			     a->lookup_url[0] ? " from " : "", a->lookup_url);
		} else if (a->status == EXPLAIN_STATUS_NO_IP && a->lookup_url[0]) {
			STEP(a, "Look the address up at %s to see whether it is listed and why.",
			     a->lookup_url);
		} else {
			STEP(a, "Try sending once more in an hour or so. If it is refused again, "
				"forward the new bounce to the recipient's mail administrator.");
		}
	} else if (l != NULL) {
		char name[sizeof(a->list)];
		set(name, sizeof(name), a->list);
		name[0] = (char)toupper((unsigned char)name[0]);
		if (l->auto_delist) {
			STEP(a,
			     "%s removes addresses by itself some time after the spam stops. Check "
			     "the address at %s to see its status and reason.",
			     name, l->lookup_url);
		} else {
			STEP(a,
			     "%s does not remove addresses by itself: once the source is fixed, "
			     "the "
			     "owner of the address follows the removal steps at %s.",
			     name, l->lookup_url);
		}
	} else if (b->zone[0]) {
		STEP(a,
		     "We do not run %s and know nothing about its entries. Its operator's web "
		     "site (search for the name %s) explains how to check an address and how "
		     "removal works.",
		     b->zone, b->zone);
	} else {
		STEP(a, "The bounce does not name the list. Forward it to your mail provider or to "
			"the recipient's administrator, who can tell which list it was.");
	}
	STEP(a, "If the message is urgent, reach the recipient another way (a different mail "
		"account, or the phone) until this is resolved.");
}

static void steps_other(explain_advice_t *a)
{
	switch (a->kind) {
	case MAIL_BOUNCE_UNKNOWN_USER:
		STEP(a, "Check the address for typing mistakes, and compare it with one that "
			"worked before.");
		STEP(a, "If it looks right, ask the recipient another way for their current "
			"address: the mailbox may have been closed or renamed.");
		break;
	case MAIL_BOUNCE_MAILBOX_FULL:
		STEP(a, "Try again later, for example tomorrow; the recipient has to make room "
			"first.");
		STEP(a, "If it is urgent, let the recipient know another way that their mailbox "
			"is full.");
		break;
	case MAIL_BOUNCE_TOO_LARGE:
		STEP(a, "Send the message again with smaller attachments, or share large files "
			"with a download link instead of attaching them.");
		break;
	case MAIL_BOUNCE_AUTH:
		STEP(a, "Forward this bounce to whoever manages your domain's mail settings (your "
			"provider or your IT person): the domain's SPF record must list every "
			"server that sends its mail, messages should be DKIM-signed, and the DMARC "
			"policy must match both.");
		STEP(a, "If you use a mailing or newsletter service, check that it is set up to "
			"send for your domain.");
		break;
	case MAIL_BOUNCE_BAD_DOMAIN:
		STEP(a, "Check the part of the address after the @ for typing mistakes.");
		STEP(a, "If it looks right, the recipient's domain may have expired or have a "
			"mail setup problem; tell them another way.");
		break;
	case MAIL_BOUNCE_TEMPORARY:
		STEP(a, "Nothing to do yet: your server keeps retrying by itself, usually for "
			"several days. Please do not send the message again by hand.");
		STEP(a, "If a final failure notice arrives later, read that one: it tells the "
			"real reason.");
		break;
	case MAIL_BOUNCE_SPAM:
		STEP(a, "Look at what the message contained: links to little-known sites, "
			"shortened links, attachments such as archives or macros, and wording "
			"typical of advertising all raise spam scores.");
		STEP(a, "Ask the recipient to ask their mail administrator to accept mail from "
			"you, or reach them another way.");
		break;
	case MAIL_BOUNCE_OTHER:
		STEP(a, "Forward this bounce to your mail provider or to the recipient's mail "
			"administrator: the reply quoted below is what they need.");
		break;
	case MAIL_BOUNCE_NONE:
		STEP(a, "Paste the whole bounce, including the technical details near the end "
			"(the lines with a three-digit code such as 550).");
		break;
	case MAIL_BOUNCE_BLOCKLIST:
		break;
	}
}

static void title_of(explain_advice_t *a)
{
	field_t f = FIELD(a->title);
	switch (a->kind) {
	case MAIL_BOUNCE_BLOCKLIST:
		if (a->ip[0]) {
			put(f, "Refused because the sending address %s is on %s", a->ip,
			    a->list[0] ? a->list : "a blocklist");
		} else {
			put(f, "Refused because of %s", a->list[0] ? a->list : "a blocklist");
		}
		break;
	case MAIL_BOUNCE_UNKNOWN_USER:
		put(f, "The recipient's address does not exist");
		break;
	case MAIL_BOUNCE_MAILBOX_FULL:
		put(f, "The recipient's mailbox is full");
		break;
	case MAIL_BOUNCE_TOO_LARGE:
		put(f, "The message is too large for the receiving server");
		break;
	case MAIL_BOUNCE_AUTH:
		put(f, "Your domain's sender checks (SPF, DKIM, DMARC) failed");
		break;
	case MAIL_BOUNCE_BAD_DOMAIN:
		put(f, "The recipient's domain does not receive mail");
		break;
	case MAIL_BOUNCE_TEMPORARY:
		put(f, "Delivery is delayed, not refused");
		break;
	case MAIL_BOUNCE_SPAM:
		put(f, "Refused as spam by the receiving server's own filter");
		break;
	case MAIL_BOUNCE_OTHER:
		put(f, "Refused by the receiving server");
		break;
	case MAIL_BOUNCE_NONE:
		put(f, "No refusal found in this text");
		break;
	}
}

/* ------------------------------------------------------------------------------------------ */

static void list_name(explain_advice_t *a, const mail_bounce_t *b, const explain_site_t *site)
{
	if (b->ours) {
		const char *zone =
			site != NULL && site->zone != NULL && site->zone[0] ? site->zone : b->zone;
		/* a link to our pages may be all that named it */
		snprintf(a->list, sizeof(a->list), "our blocklist%s%s", zone[0] ? " " : "", zone);
	} else if (b->list != NULL && b->list->zone == NULL) {
		set(a->list, sizeof(a->list), b->list->name); /* "Microsoft's own block list" */
	} else if (b->list != NULL && b->zone[0]) {
		snprintf(a->list, sizeof(a->list), "the %s", b->list->name);
	} else if (b->list != NULL) {
		/* only the operator was named ("blocked using Spamhaus") */
		snprintf(a->list, sizeof(a->list), "a list run by %s", b->list->owner);
	} else if (b->list_name[0]) {
		set(a->list, sizeof(a->list), b->list_name);
	} else if (b->zone[0]) {
		snprintf(a->list, sizeof(a->list), "the blocklist %s", b->zone);
	}
}

void explain_advice(const mail_bounce_t *b, const explain_site_t *site,
		    const engine_lookup_t *lookup, explain_advice_t *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = b->kind;
	out->blocklist = b->kind == MAIL_BOUNCE_BLOCKLIST;
	out->ours = out->blocklist && b->ours;
	out->permanent = b->permanent;
	out->seconds_to_delist = -1;
	if (b->has_ip) {
		ipbl_ipaddr_format(&b->ip, out->ip);
	}
	set(out->server, sizeof(out->server), b->server);
	set(out->recipient, sizeof(out->recipient), b->recipient);
	set(out->reply, sizeof(out->reply), b->reply);
	if (out->blocklist) {
		list_name(out, b, site);
	}

	const char *base = site != NULL && site->base_url != NULL ? site->base_url : "";
	size_t base_len = strlen(base);
	while (base_len > 0 && base[base_len - 1] == '/') {
		base_len--;
	}
	if (out->ours) {
		if (!b->has_ip) {
			out->status = EXPLAIN_STATUS_NO_IP;
		} else if (lookup == NULL) {
			out->status = EXPLAIN_STATUS_NO_RECORD;
		} else {
			out->status =
				lookup->listed ? EXPLAIN_STATUS_LISTED : EXPLAIN_STATUS_NOT_LISTED;
			set(out->reason, sizeof(out->reason), lookup->decision.sentence);
			out->by_file = lookup->by_file;
			if (lookup->listed && !lookup->by_file) {
				out->delist_at_ms = lookup->delist_at_ms;
				out->seconds_to_delist = lookup->seconds_to_delist;
			}
		}
		if (base_len > 0 && out->ip[0]) {
			snprintf(out->lookup_url, sizeof(out->lookup_url), "%.*s/lookup?ip=%s",
				 (int)base_len, base, out->ip);
		} else if (base_len > 0) {
			snprintf(out->lookup_url, sizeof(out->lookup_url), "%.*s/lookup",
				 (int)base_len, base);
		}
	} else if (out->blocklist && b->list != NULL) {
		set(out->lookup_url, sizeof(out->lookup_url), b->list->lookup_url);
	}

	title_of(out);
	if (out->blocklist && (b->list == NULL || b->list->ip_based)) {
		out->sender = b->sender;
		set(out->sender_reason, sizeof(out->sender_reason), b->sender_reason);
		whose_address(out, b);
	}
	if (out->blocklist) {
		happened_blocklist(out, b);
		if (out->ours) {
			status_ours(out, lookup, site);
		}
		steps_blocklist(out, b);
	} else {
		if (out->kind == MAIL_BOUNCE_NONE) {
			set(out->happened, sizeof(out->happened),
			    "We could not find a mail server's refusal in this text, so we cannot "
			    "say what went wrong.");
		} else {
			happened_other(out);
		}
		steps_other(out);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Plain text. */

/* Append text wrapped at WRAP_COLUMNS: first line after first (already written, first_len
 * columns), the others indented by indent spaces. Words longer than a line stay whole. */
static void wrap(ipbl_buf_t *o, const char *text, size_t first_len, size_t indent)
{
	size_t col = first_len;
	const char *p = text;
	bool line_start = true;
	while (*p) {
		while (*p == ' ') {
			p++;
		}
		if (*p == '\0') {
			break;
		}
		size_t w = strcspn(p, " ");
		if (!line_start && col + 1 + w > WRAP_COLUMNS) {
			ipbl_buf_puts(o, "\n");
			for (size_t i = 0; i < indent; i++) {
				ipbl_buf_puts(o, " ");
			}
			col = indent;
			line_start = true;
		}
		if (!line_start) {
			ipbl_buf_puts(o, " ");
			col++;
		}
		ipbl_buf_append(o, p, w);
		col += w;
		p += w;
		line_start = false;
	}
	ipbl_buf_puts(o, "\n");
}

void explain_format_text(const explain_advice_t *a, ipbl_buf_t *o)
{
	wrap(o, a->title, 0, 0);
	ipbl_buf_puts(o, "\nWhat happened\n  ");
	wrap(o, a->happened, 2, 2);
	if (a->reply[0]) {
		ipbl_buf_puts(o, "\n  The server's words:\n    ");
		wrap(o, a->reply, 4, 4);
	}
	if (a->whose[0]) {
		ipbl_buf_puts(o, "\nWhose address it is\n  ");
		wrap(o, a->whose, 2, 2);
		ipbl_buf_puts(o, "\n  What the bounce shows:\n    ");
		wrap(o, a->sender_reason, 4, 4);
	}
	if (a->status_here[0]) {
		ipbl_buf_puts(o, "\nThis address on our list\n  ");
		wrap(o, a->status_here, 2, 2);
	}
	if (a->lookup_url[0] && !a->ours) {
		ipbl_buf_puts(o, "\n  Check the address and the removal rules at:\n    ");
		wrap(o, a->lookup_url, 4, 4);
	}
	if (a->n_steps > 0) {
		ipbl_buf_puts(o, "\nWhat to do next\n");
		for (size_t i = 0; i < a->n_steps; i++) {
			char num[16];
			int n = snprintf(num, sizeof(num), "  %zu. ", i + 1);
			ipbl_buf_puts(o, num);
			wrap(o, a->steps[i], (size_t)n, (size_t)n);
		}
	}
}
