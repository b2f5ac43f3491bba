/* SPDX-License-Identifier: BSD-2-Clause */
/* HTML pages of the web component. Every dynamic value goes through web_out_html; the page
 * text is written for the three people who land here: a sender whose mail bounced, the admin
 * of a listed address, and a mail server admin checking the list. */
#include "web/render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"

/* ---- the output buffer ---- */

void web_out_init(web_out_t *o, size_t max)
{
	*o = (web_out_t){ .max = max ? max : WEB_OUT_MAX_DEFAULT };
}

void web_out_fini(web_out_t *o)
{
	free(o->data);
	*o = (web_out_t){ .max = o->max };
}

char *web_out_take(web_out_t *o, size_t *len_out)
{
	char *p = o->failed ? NULL : o->data;
	*len_out = p ? o->len : 0;
	if (p == NULL) {
		free(o->data);
	}
	o->data = NULL;
	o->len = 0;
	o->cap = 0;
	return p;
}

/* Make room for n more bytes and the NUL. False (and failed set) when it cannot. */
static bool out_reserve(web_out_t *o, size_t n)
{
	if (o->failed) {
		return false;
	}
	if (n > o->max || o->len > o->max - n) {
		o->failed = true;
		return false;
	}
	size_t need = o->len + n + 1;
	if (need <= o->cap) {
		return true;
	}
	size_t cap = o->cap ? o->cap : 4096;
	while (cap < need) {
		cap *= 2;
	}
	char *p = realloc(o->data, cap);
	if (p == NULL) {
		o->failed = true;
		return false;
	}
	o->data = p;
	o->cap = cap;
	return true;
}

void web_out_append(web_out_t *o, const void *p, size_t len)
{
	if (len == 0 || !out_reserve(o, len)) {
		return;
	}
	memcpy(o->data + o->len, p, len);
	o->len += len;
	o->data[o->len] = '\0';
}

void web_out_puts(web_out_t *o, const char *s)
{
	web_out_append(o, s, strlen(s));
}

void web_out_printf(web_out_t *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->failed = true;
		return;
	}
	if (!out_reserve(o, (size_t)n)) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(o->data + o->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

/* ---- escaping ---- */

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* The length of the valid UTF-8 sequence of two or more bytes at p (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_multi_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi) {
		return 0;
	}
	for (size_t i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF) {
			return 0;
		}
	}
	return len;
}

void web_out_html(web_out_t *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		/* copy the longest run that needs nothing done */
		size_t start = i;
		while (i < len && p[i] >= 0x20 && p[i] < 0x7F && p[i] != '&' && p[i] != '<' &&
		       p[i] != '>' && p[i] != '"' && p[i] != '\'') {
			i++;
		}
		web_out_append(o, s + start, i - start);
		if (i >= len) {
			break;
		}
		unsigned char c = p[i];
		const char *rep = NULL;
		size_t step = 1;
		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '\t':
		case '\n':
		case '\r':
			web_out_append(o, s + i, 1);
			i++;
			continue;
		default:
			if (c >= 0x80) {
				step = utf8_multi_len(p + i, len - i);
			} else {
				step = 0; /* a control character */
			}
			if (step > 0) {
				web_out_append(o, s + i, step);
				i += step;
				continue;
			}
			rep = REPLACEMENT;
			step = 1;
			break;
		}
		web_out_puts(o, rep);
		i += step;
	}
}

void web_out_html_str(web_out_t *o, const char *s)
{
	web_out_html(o, s ? s : "", s ? strlen(s) : 0);
}

void web_out_json_str(web_out_t *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	web_out_append(o, "\"", 1);
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\') {
			i++;
		}
		web_out_append(o, s + start, i - start);
		if (i >= len) {
			break;
		}
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			web_out_append(o, esc, 2);
			i++;
		} else if (c == '\n') {
			web_out_puts(o, "\\n");
			i++;
		} else if (c == '\t') {
			web_out_puts(o, "\\t");
			i++;
		} else if (c < 0x20) {
			web_out_printf(o, "\\u%04x", c);
			i++;
		} else {
			size_t step = utf8_multi_len(p + i, len - i);
			if (step > 0) {
				web_out_append(o, s + i, step);
				i += step;
			} else {
				web_out_puts(o, REPLACEMENT);
				i++;
			}
		}
	}
	web_out_append(o, "\"", 1);
}

/* ---- small formatters ---- */

char *web_format_duration(int64_t seconds, char *buf)
{
	static const struct {
		int64_t seconds;
		const char *name;
	} units[] = {
		{ 86400, "day" },
		{ 3600, "hour" },
		{ 60, "minute" },
		{ 1, "second" },
	};
	if (seconds < 0) {
		seconds = 0;
	}
	if (seconds < 60) {
		snprintf(buf, WEB_DURATION_LEN, "%lld second%s", (long long)seconds,
			 seconds == 1 ? "" : "s");
		return buf;
	}
	size_t first = 0;
	while (seconds < units[first].seconds) {
		first++;
	}
	int64_t n1 = seconds / units[first].seconds;
	int n = snprintf(buf, WEB_DURATION_LEN, "%lld %s%s", (long long)n1, units[first].name,
			 n1 == 1 ? "" : "s");
	/* the next smaller unit, but never seconds next to minutes: "1 hour", not "1 hour 0 s" */
	size_t second = first + 1;
	if (units[second].seconds >= 60 && n > 0 && n < WEB_DURATION_LEN) {
		int64_t n2 = (seconds % units[first].seconds) / units[second].seconds;
		if (n2 > 0) {
			snprintf(buf + n, WEB_DURATION_LEN - (size_t)n, " %lld %s%s", (long long)n2,
				 units[second].name, n2 == 1 ? "" : "s");
		}
	}
	return buf;
}

/* Copy s into out (cut to out_len - 1), every space-separated word with an '@' in it
 * replaced: such a word is a mail address, and trap and reporter addresses stay private. */
static void redact_addresses(const char *s, char *out, size_t out_len)
{
	static const char hidden[] = "[address hidden]";
	size_t o = 0;
	const char *p = s ? s : "";
	while (*p != '\0' && o + 1 < out_len) {
		if (*p == ' ') {
			out[o++] = *p++;
			continue;
		}
		size_t w = strcspn(p, " ");
		const char *src = p;
		size_t n = w;
		if (memchr(p, '@', w) != NULL) {
			src = hidden;
			n = sizeof(hidden) - 1;
		}
		if (n > out_len - 1 - o) {
			n = out_len - 1 - o;
		}
		memcpy(out + o, src, n);
		o += n;
		p += w;
	}
	out[o] = '\0';
}

void web_redact(const store_audit_t *a, web_history_t *h)
{
	memset(h, 0, sizeof(*h));
	h->at_ms = a->at_ms;
	const char *actor = a->actor ? a->actor : "";
	if (strncmp(actor, "reporter ", 9) == 0 || strcmp(actor, "reporter") == 0) {
		snprintf(h->actor, sizeof(h->actor), "a reporter");
	} else {
		redact_addresses(actor, h->actor, sizeof(h->actor));
	}
	redact_addresses(a->action, h->action, sizeof(h->action));
	redact_addresses(a->detail, h->detail, sizeof(h->detail));
}

const char *web_status_text(unsigned status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Error";
	}
}

/* ---- page frame ---- */

/* One small stylesheet, inline (the CSP allows inline styles and nothing else). Readable on
 * a phone; colours pass WCAG AA contrast on white. */
static const char style[] =
	"body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:46rem;"
	"margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}"
	"header,footer{font-size:.95rem}header a{margin-right:1rem}"
	"footer{margin-top:2.5rem;color:#4a4a4a;border-top:1px solid #ddd;padding-top:.5rem}"
	"h1{font-size:1.6rem;line-height:1.25;margin:1rem 0 .5rem}h2{font-size:1.25rem;"
	"margin-top:1.75rem}"
	".box{padding:.5rem 1rem;margin:1rem 0;border-left:6px solid #555;background:#f3f3f3}"
	".listed{border-color:#b00020;background:#fdecee}.clear{border-color:#1b5e20;"
	"background:#edf7ee}"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:"
	"600}dd{margin:0}"
	"table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{text-align:left;"
	"padding:.35rem;border-bottom:1px solid #ddd;vertical-align:top}"
	"td:first-child{white-space:nowrap}"
	"input,textarea,button{font:inherit}input{padding:.3rem;max-width:100%}"
	"textarea{width:100%;box-sizing:border-box;font-family:monospace;font-size:.9rem}"
	"button{padding:.3rem 1rem;margin-top:.3rem}label{font-weight:600;display:block}"
	"code{font-family:monospace}";

static void page_begin(web_out_t *o, const char *title)
{
	web_out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			"<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	web_out_html_str(o, title);
	web_out_puts(o, " - ipbl</title>\n<style>");
	web_out_puts(o, style);
	web_out_puts(o,
		     "</style>\n</head>\n<body>\n<header><nav><a href=\"/\">Look up an address</a>"
		     "<a href=\"/explain\">Explain a bounce</a></nav></header>\n<main>\n");
}

static void page_end(web_out_t *o)
{
	web_out_puts(o, "</main>\n<footer><p>This is a DNS blocklist of IP addresses that sent "
			"spam. It lists addresses only: never domain names, never mail addresses, "
			"and never for a missing reverse DNS name. Listings end by themselves once "
			"the spam stops.</p></footer>\n</body>\n</html>\n");
}

static void lookup_form(web_out_t *o, const char *value)
{
	web_out_puts(o, "<form method=\"get\" action=\"/lookup\" role=\"search\">\n"
			"<label for=\"ip\">IP address (IPv4 or IPv6)</label>\n"
			"<input id=\"ip\" name=\"ip\" type=\"text\" size=\"40\" maxlength=\"64\" "
			"autocomplete=\"off\" spellcheck=\"false\" required value=\"");
	web_out_html_str(o, value);
	web_out_puts(o, "\">\n<button type=\"submit\">Look up</button>\n</form>\n");
}

static void put_time(web_out_t *o, int64_t ms)
{
	char t[32];
	ipbl_clock_format(ms, t);
	web_out_puts(o, "<time datetime=\"");
	web_out_html_str(o, t);
	web_out_puts(o, "\">");
	web_out_html_str(o, t);
	web_out_puts(o, "</time>");
}

/* "1.5" from milli-points, one decimal, rounded down. */
static void put_points(web_out_t *o, int64_t milli)
{
	if (milli < 0) {
		milli = 0;
	}
	web_out_printf(o, "%lld.%lld", (long long)(milli / 1000), (long long)(milli % 1000 / 100));
}

static void put_dt(web_out_t *o, const char *term)
{
	web_out_puts(o, "<dt>");
	web_out_html_str(o, term);
	web_out_puts(o, "</dt><dd>");
}

/* ---- the lookup page ---- */

static void lookup_facts(web_out_t *o, const web_lookup_view_t *v)
{
	const engine_lookup_t *l = v->lookup;
	const policy_decision_t *d = &l->decision;
	char dur[WEB_DURATION_LEN];
	web_out_puts(o, "<h2>The details</h2>\n<dl>\n");
	put_dt(o, "Status");
	web_out_puts(o, l->listed ? "listed" : "not listed");
	web_out_puts(o, "</dd>\n");
	put_dt(o, "Reason");
	web_out_html_str(o, d->sentence);
	web_out_puts(o, " <code>");
	web_out_html_str(o, policy_reason_name(d->reason));
	web_out_puts(o, "</code></dd>\n");
	put_dt(o, "Spam reports");
	web_out_printf(o, "%zu in the past %s", l->reports,
		       web_format_duration(d->rules.report_max_age_ms / 1000, dur));
	if (d->n_reporters > 0) {
		web_out_printf(o, ", from %zu reporter%s", d->n_reporters,
			       d->n_reporters == 1 ? "" : "s");
	}
	web_out_puts(o, "</dd>\n");
	put_dt(o, "Spamtrap hits");
	web_out_printf(o, "%zu in the past %s</dd>\n", l->trap_hits,
		       web_format_duration(d->rules.trap_window_ms / 1000, dur));
	put_dt(o, "Score");
	put_points(o, d->score_milli);
	web_out_puts(o, " points; ");
	put_points(o, d->threshold_milli);
	web_out_puts(o, " are needed to list an address</dd>\n");
	put_dt(o, "First seen");
	if (l->first_seen_ms > 0) {
		put_time(o, l->first_seen_ms);
	} else {
		web_out_puts(o, "never");
	}
	web_out_puts(o, "</dd>\n");
	put_dt(o, "Last seen");
	if (l->last_seen_ms > 0) {
		put_time(o, l->last_seen_ms);
	} else {
		web_out_puts(o, "never");
	}
	web_out_puts(o, "</dd>\n");
	if (l->listed) {
		put_dt(o, "Listed since");
		put_time(o, l->listed_since_ms);
		web_out_puts(o, "</dd>\n");
		put_dt(o, "Delisting");
		put_time(o, l->delist_at_ms);
		if (l->seconds_to_delist > 0) {
			web_out_printf(o, " (in %s)",
				       web_format_duration(l->seconds_to_delist, dur));
		} else {
			web_out_puts(o, " (under way now)");
		}
		web_out_puts(o, "</dd>\n");
	}
	if (l->deputy_delisted_ms > 0) {
		put_dt(o, "Last delisted by a deputy");
		put_time(o, l->deputy_delisted_ms);
		web_out_puts(o, "</dd>\n");
	}
	web_out_puts(o, "</dl>\n");
}

/* The likely cause, by the kind of evidence (what the SpamCop help pages teach admins). */
static void likely_cause(web_out_t *o, const engine_lookup_t *l)
{
	if (l->trap_hits > 0 && l->reports == 0) {
		web_out_puts(
			o, "<p>Only spamtraps received mail from this address. A spamtrap is an "
			   "address that never asked for mail, so this is most often mail sent "
			   "automatically to forged sender addresses: out-of-office or vacation "
			   "replies, virus warnings, or bounces sent after the mail was accepted "
			   "(\"no such user\", \"mailbox full\"). Refuse bad mail during the SMTP "
			   "dialogue instead of bouncing it later, and stop auto-replies to mail "
			   "marked as spam.</p>\n");
	} else if (l->reports > 0 && l->trap_hits == 0) {
		web_out_puts(
			o, "<p>Only people's spam reports name this address: someone is sending "
			   "spam through it. Look for a user or customer sending bulk mail, an "
			   "account whose password was stolen (SMTP AUTH), or a web form or script "
			   "that can be made to send mail.</p>\n");
	} else {
		web_out_puts(o,
			     "<p>Both spam reports and spamtraps name this address. That usually "
			     "means a compromised computer on the network behind it sends spam "
			     "straight to the Internet (a firewall that lets any machine connect "
			     "out on port 25 allows that), an open relay or proxy, a hijacked mail "
			     "account, or an insecure web script.</p>\n");
	}
}

static void lookup_advice(web_out_t *o, const web_lookup_view_t *v)
{
	const engine_lookup_t *l = v->lookup;
	char dur[WEB_DURATION_LEN];
	web_out_puts(
		o, "<h2>If your mail was refused because of this address</h2>\n"
		   "<p>If you send mail through your provider's server (an Internet provider, a "
		   "hosting company, your employer), this address is that server, and it is shared "
		   "with many other people. You cannot fix this yourself, and it is not aimed at "
		   "you: forward the bounce to your provider's support and ask them to stop the "
		   "spam that leaves through that server. Until then, mail sent through another "
		   "server, such as a webmail account, gets through.</p>\n"
		   "<p>If this is the address of your own mail server, or of your own Internet "
		   "connection, read on.</p>\n");
	web_out_puts(o, "<h2>For the administrator of ");
	web_out_html_str(o, v->ip);
	web_out_puts(o, "</h2>\n");
	likely_cause(o, l);
	web_out_printf(o,
		       "<p>Find and stop the source: check the outgoing mail queue and the logs "
		       "around the times above, and check every machine behind this address, "
		       "including those behind a NAT router. You do not need to ask for "
		       "removal: the listing ends by itself %s after the last spam (at the "
		       "time shown above, which moves later with every new report or "
		       "spamtrap hit).</p>\n",
		       web_format_duration(l->decision.listing_ms / 1000, dur));
	web_out_puts(o, "<p>If you are sure the listing is a mistake, for example because "
			"mail that people asked for was reported as spam, contact the operators "
			"of this list with the address, the times above and your evidence (such "
			"as the subscriber's confirmed opt-in record).</p>\n");
}

static void lookup_history(web_out_t *o, const web_lookup_view_t *v)
{
	web_out_puts(o, "<h2>History</h2>\n");
	if (v->n_history == 0) {
		web_out_puts(o, "<p>No events are recorded for this address.</p>\n");
		return;
	}
	web_out_puts(o, "<table>\n<thead><tr><th scope=\"col\">When (UTC)</th>"
			"<th scope=\"col\">Who</th><th scope=\"col\">What</th>"
			"<th scope=\"col\">Why</th></tr></thead>\n<tbody>\n");
	for (size_t i = v->n_history; i-- > 0;) {
		const web_history_t *h = &v->history[i];
		web_out_puts(o, "<tr><td>");
		put_time(o, h->at_ms);
		web_out_puts(o, "</td><td>");
		web_out_html_str(o, h->actor);
		web_out_puts(o, "</td><td>");
		web_out_html_str(o, h->action);
		web_out_puts(o, "</td><td>");
		web_out_html_str(o, h->detail);
		web_out_puts(o, "</td></tr>\n");
	}
	web_out_puts(o, "</tbody>\n</table>\n");
	if (v->n_history_older > 0) {
		web_out_printf(o, "<p>%zu older entr%s not shown.</p>\n", v->n_history_older,
			       v->n_history_older == 1 ? "y is" : "ies are");
	}
}

static void lookup_record(web_out_t *o, const web_lookup_view_t *v)
{
	const engine_lookup_t *l = v->lookup;
	char dur[WEB_DURATION_LEN];
	web_out_puts(o, "<h1>");
	web_out_html_str(o, v->ip);
	web_out_puts(o, l->listed ? " is listed</h1>\n" : " is not listed</h1>\n");
	if (l->listed) {
		web_out_puts(o, "<div class=\"box listed\">\n<p><strong>Listed.</strong> Mail "
				"servers that use this list refuse or mark mail sent from ");
		web_out_html_str(o, v->ip);
		web_out_puts(o, ".</p>\n<p>Why: ");
		web_out_html_str(o, l->decision.sentence);
		web_out_puts(o, ".</p>\n");
		if (l->seconds_to_delist > 0) {
			web_out_printf(o, "<p>Delisted automatically in about %s, at ",
				       web_format_duration(l->seconds_to_delist, dur));
			put_time(o, l->delist_at_ms);
			web_out_puts(o, ", if no new spam reports or spamtrap hits arrive. "
					"Each new one moves that time later.</p>\n");
		} else {
			web_out_puts(o,
				     "<p>Delisting is under way: the listing has run out and "
				     "this list's DNS answers stop naming the address within a "
				     "few seconds. Resolvers that cached the old answer may take "
				     "a few more minutes.</p>\n");
		}
		web_out_puts(o, "</div>\n");
	} else {
		web_out_puts(o, "<div class=\"box clear\">\n<p><strong>Not listed.</strong> This "
				"list does not stop mail from ");
		web_out_html_str(o, v->ip);
		web_out_puts(o, ".</p>\n<p>");
		web_out_html_str(o, l->decision.sentence);
		web_out_puts(o, ".</p>\n</div>\n<p>If a bounce named this list for this address, "
				"the refusing server asked while it was listed, or still has the "
				"old answer cached for a few minutes: send the mail again "
				"later.</p>\n");
	}
	lookup_facts(o, v);
	if (l->listed) {
		lookup_advice(o, v);
	}
	lookup_history(o, v);
}

static void lookup_special(web_out_t *o, const web_lookup_view_t *v)
{
	web_out_puts(o, "<h1>");
	web_out_html_str(o, v->ip);
	switch (v->kind) {
	case WEB_LOOKUP_NO_RECORD:
		web_out_puts(o, " is not listed</h1>\n<div class=\"box clear\">\n<p><strong>Not "
				"listed.</strong> No spam reports or spamtrap hits are on "
				"record for this address, and it has never been listed "
				"here.</p>\n</div>\n<p>If a bounce named a blocklist for this "
				"address, it was another list: paste the bounce into the "
				"<a href=\"/explain\">bounce explainer</a> to see which one and "
				"what to do.</p>\n");
		break;
	case WEB_LOOKUP_RESERVED:
		web_out_puts(o, " is never listed</h1>\n<div class=\"box clear\">\n<p>");
		web_out_html_str(o, v->ip);
		web_out_puts(o, " is a ");
		web_out_html_str(o, v->kind_name);
		web_out_puts(o, " address. Such addresses are not used on the public Internet, "
				"so spam cannot arrive from them and this list never lists "
				"them.</p>\n</div>\n<p>A bounce that shows such an address is "
				"showing a hop inside a network. A blocklist checks the public "
				"address of the server that connected to the refusing server; "
				"look for that one in the bounce, or paste the bounce into the "
				"<a href=\"/explain\">bounce explainer</a>.</p>\n");
		break;
	case WEB_LOOKUP_TEST_LISTED:
		web_out_puts(o, " is the test address</h1>\n<div class=\"box\">\n<p>This is the "
				"test entry of RFC 5782: the list's DNS always answers "
				"\"listed\" for it, so that mail server administrators can check "
				"that their server queries the list. It is not a real listing "
				"and never blocks anyone's mail.</p>\n</div>\n");
		break;
	case WEB_LOOKUP_TEST_UNLISTED:
		web_out_puts(o, " is the never-listed test address</h1>\n<div class=\"box\">\n"
				"<p>This is the other test entry of RFC 5782: the list's DNS "
				"always answers \"not listed\" for it, so that mail server "
				"administrators can check that their server does not block "
				"everything.</p>\n</div>\n");
		break;
	case WEB_LOOKUP_RECORD:
		break;
	}
}

void web_render_lookup(const web_lookup_view_t *v, web_out_t *o)
{
	char title[IPBL_IPADDR_STRLEN + 16];
	snprintf(title, sizeof(title), "%s", v->ip);
	page_begin(o, title);
	if (v->kind == WEB_LOOKUP_RECORD && v->lookup != NULL) {
		lookup_record(o, v);
	} else {
		lookup_special(o, v);
	}
	if (v->unmapped) {
		web_out_puts(o, "<p>You entered an IPv4-mapped IPv6 address; it is the IPv4 "
				"address ");
		web_out_html_str(o, v->ip);
		web_out_puts(o, " and is shown as such.</p>\n");
	}
	web_out_puts(o, "<h2>Look up another address</h2>\n");
	lookup_form(o, NULL);
	page_end(o);
}

void web_render_home(web_out_t *o)
{
	page_begin(o, "Blocklist lookup");
	web_out_puts(o, "<h1>Is an address on this blocklist?</h1>\n"
			"<p>Mail servers ask this list, over DNS, whether the address connecting "
			"to them has been sending spam. An address is listed when spam reports "
			"and spamtrap hits about it pass a threshold, and it is delisted "
			"automatically once they stop. Enter an address to see its status, why, "
			"and when the listing ends.</p>\n");
	lookup_form(o, NULL);
	web_out_puts(o, "<h2>Was your mail refused?</h2>\n<p>Paste the bounce into the "
			"<a href=\"/explain\">bounce explainer</a>: it finds which blocklist "
			"and which address the refusing server named, and what to do next.</p>\n"
			"<h2>For programs</h2>\n<p><code>GET /api/v1/lookup/ADDRESS</code> gives "
			"the same status as JSON.</p>\n");
	page_end(o);
}

void web_render_error(unsigned status, const char *title, const char *message, bool with_form,
		      const char *value, web_out_t *o)
{
	page_begin(o, title);
	web_out_puts(o, "<h1>");
	web_out_html_str(o, title);
	web_out_puts(o, "</h1>\n<p>");
	web_out_html_str(o, message);
	web_out_puts(o, "</p>\n");
	if (with_form) {
		lookup_form(o, value);
	}
	web_out_printf(o, "<p><small>HTTP status %u (", status);
	web_out_html_str(o, web_status_text(status));
	web_out_puts(o, ")</small></p>\n");
	page_end(o);
}

/* ---- the bounce explainer ---- */

static void explain_form(web_out_t *o, const char *text)
{
	web_out_puts(o, "<form method=\"post\" action=\"/explain\">\n<label for=\"bounce\">The "
			"bounce (delivery failure notice), pasted whole or the part with the "
			"server's reply</label>\n<textarea id=\"bounce\" name=\"bounce\" "
			"rows=\"14\" cols=\"80\" required spellcheck=\"false\">");
	web_out_html_str(o, text);
	web_out_puts(o, "</textarea>\n<button type=\"submit\">Explain</button>\n</form>\n");
}

void web_render_explain_form(const char *text, web_out_t *o)
{
	page_begin(o, "Why was my mail refused?");
	web_out_puts(o, "<h1>Why was my mail refused?</h1>\n<p>Paste the bounce you got back. "
			"The explainer finds the refusing server's reply, the blocklist it "
			"named and the address it blamed, looks that address up here, and says "
			"what to do next. Nothing you paste is stored.</p>\n");
	explain_form(o, text);
	page_end(o);
}

/* A link when url is an http(s) URL (the advice's are built from our base_url or a
 * well-known list's table entry, never from the bounce), else the text alone. */
static void put_link(web_out_t *o, const char *url, const char *text)
{
	bool web = strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
	if (web) {
		web_out_puts(o, "<a href=\"");
		web_out_html_str(o, url);
		web_out_puts(o, "\" rel=\"noreferrer\">");
	}
	web_out_html_str(o, text);
	if (web) {
		web_out_puts(o, "</a>");
	}
}

static void explain_facts(web_out_t *o, const explain_advice_t *a)
{
	char dur[WEB_DURATION_LEN];
	web_out_puts(o, "<h2>What the bounce says</h2>\n<dl>\n");
	if (a->ip[0]) {
		put_dt(o, "Refused address");
		web_out_html_str(o, a->ip);
		web_out_puts(o, "</dd>\n");
	}
	if (a->list[0]) {
		put_dt(o, "Blocklist");
		web_out_html_str(o, a->list);
		web_out_puts(o, "</dd>\n");
	}
	if (a->ours && a->reason[0]) {
		put_dt(o, "Why, here");
		web_out_html_str(o, a->reason);
		web_out_puts(o, "</dd>\n");
	}
	if (a->ours && a->delist_at_ms > 0) {
		put_dt(o, "Delisted automatically");
		put_time(o, a->delist_at_ms);
		if (a->seconds_to_delist > 0) {
			web_out_printf(o, " (in %s)",
				       web_format_duration(a->seconds_to_delist, dur));
		}
		web_out_puts(o, "</dd>\n");
	}
	if (a->server[0]) {
		put_dt(o, "Refusing server");
		web_out_html_str(o, a->server);
		web_out_puts(o, "</dd>\n");
	}
	if (a->recipient[0]) {
		put_dt(o, "Mail was for");
		web_out_html_str(o, a->recipient);
		web_out_puts(o, "</dd>\n");
	}
	if (a->reply[0]) {
		put_dt(o, "The server's words");
		web_out_puts(o, "<code>");
		web_out_html_str(o, a->reply);
		web_out_puts(o, "</code></dd>\n");
	}
	put_dt(o, "Resending");
	web_out_puts(o, a->permanent ? "will not help until the cause is fixed</dd>\n"
				     : "may work later: the refusal was temporary</dd>\n");
	web_out_puts(o, "</dl>\n");
}

void web_render_explain_advice(const explain_advice_t *a, const char *bounce, web_out_t *o)
{
	page_begin(o, "What the bounce says");
	web_out_puts(o, "<h1>");
	web_out_html_str(o, a->title[0] ? a->title : "What the bounce says");
	web_out_puts(o, "</h1>\n");
	const char *cls = a->status == EXPLAIN_STATUS_LISTED ? "box listed" : "box";
	web_out_printf(o, "<div class=\"%s\">\n<p>", cls);
	web_out_html_str(o, a->happened);
	web_out_puts(o, "</p>\n");
	if (a->status_here[0]) {
		web_out_puts(o, "<p>");
		web_out_html_str(o, a->status_here);
		web_out_puts(o, "</p>\n");
	}
	if (a->lookup_url[0]) {
		web_out_puts(o, "<p>");
		put_link(o, a->lookup_url,
			 a->ours && a->ip[0] ? "The full status of the address on this list"
					     : "Where to check the address");
		web_out_puts(o, "</p>\n");
	}
	web_out_puts(o, "</div>\n");
	if (a->n_steps > 0) {
		web_out_puts(o, "<h2>What to do next</h2>\n<ol>\n");
		for (size_t i = 0; i < a->n_steps && i < EXPLAIN_STEPS_MAX; i++) {
			web_out_puts(o, "<li>");
			web_out_html_str(o, a->steps[i]);
			web_out_puts(o, "</li>\n");
		}
		web_out_puts(o, "</ol>\n");
	}
	explain_facts(o, a);
	web_out_puts(o, "<h2>Explain another bounce</h2>\n");
	explain_form(o, bounce);
	page_end(o);
}
