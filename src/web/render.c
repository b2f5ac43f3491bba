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
#include "web/chart.h"

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

size_t web_utf8_len(const unsigned char *p, size_t n)
{
	if (n == 0) {
		return 0;
	}
	return p[0] < 0x80 ? 1 : utf8_multi_len(p, n);
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
	"background:#edf7ee}.err{color:#b00020;font-weight:600}"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:"
	"600}dd{margin:0}"
	"table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{text-align:left;"
	"padding:.35rem;border-bottom:1px solid #ddd;vertical-align:top}"
	"td:first-child{white-space:nowrap}"
	"input,textarea,button{font:inherit}input{padding:.3rem;max-width:100%}"
	"input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-"
	"box}textarea{width:100%;box-sizing:border-box;font-family:monospace;font-size:.9rem}"
	"button{padding:.3rem 1rem;margin-top:.3rem}label{font-weight:600;display:block}"
	"form label{margin-top:.75rem}.msg{white-space:pre-wrap;overflow-wrap:anywhere;"
	"font-family:monospace;font-size:.9rem;background:#f7f7f7;padding:.5rem;"
	"margin:.25rem 0 1rem}.inline{display:inline}.hint{color:#4a4a4a;font-size:.9rem;"
	"margin:.1rem 0}"
	"code{font-family:monospace;overflow-wrap:anywhere}"
	"h3{font-size:1.05rem;margin-top:1.25rem}"
	"figure{margin:1rem 0}figcaption{font-size:.9rem;color:#4a4a4a}"
	".chart{display:block;max-width:100%;height:auto}"
	".scroll{overflow-x:auto}.weight{white-space:nowrap;text-align:right}"
	".hops{margin:.25rem 0;padding-left:1.5rem}.blamed{background:#fff4d6}"
	"summary{cursor:pointer;color:#1d4f91}pre{white-space:pre-wrap;overflow-wrap:anywhere}"
	/* a phone: times may wrap, the chart keeps readable labels and scrolls sideways */
	"@media (max-width:40rem){td:first-child{white-space:normal}figure{overflow-x:auto}"
	".chart{min-width:36rem;max-width:none}}";

void web_page_begin(web_out_t *o, const char *title, enum web_nav nav)
{
	web_out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			"<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	web_out_html_str(o, title);
	web_out_puts(o, " - ipbl</title>\n<style>");
	web_out_puts(o, style);
	web_out_puts(o, "</style>\n</head>\n<body>\n<header><nav>");
	if (nav == WEB_NAV_DEPUTY) {
		web_out_puts(o, "<a href=\"/deputy/\">Queue</a><a href=\"/deputy/ip\">Evidence "
				"of an address</a><a href=\"/\">Public site</a>");
	} else {
		web_out_puts(o, "<a href=\"/\">Look up an address</a><a href=\"/explain\">Explain "
				"a bounce</a><a href=\"/dispute/ask\">Ask about a listing</a>"
				"<a href=\"/dispute/challenge\">Challenge a report</a>");
	}
	web_out_puts(o, "</nav></header>\n<main>\n");
}

void web_page_end(web_out_t *o)
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

/* The countdown: the page says "in about 15 hours" on its own; this only keeps the figure
 * moving while the page is open, with web_format_duration's wording. Its SHA-256 is in the
 * CSP (WEB_COUNTDOWN_SCRIPT_HASH); a unit test keeps the two together. */
const char web_countdown_script[] =
	"(function(){var e=document.getElementById(\"countdown\");if(!e||!Date.now)return;"
	"var end=Date.now()+1e3*Number(e.getAttribute(\"data-seconds\"));"
	"var u=[[86400,\"day\"],[3600,\"hour\"],[60,\"minute\"],[1,\"second\"]];"
	"function p(n,w){return n+\" \"+w+(n==1?\"\":\"s\")}"
	"function f(s){if(s<60)return p(s,\"second\");var i=0;while(s<u[i][0])i++;"
	"var t=p(Math.floor(s/u[i][0]),u[i][1]);if(u[i+1][0]>=60){"
	"var m=Math.floor(s%u[i][0]/u[i+1][0]);if(m>0)t+=\" \"+p(m,u[i+1][1])}return t}"
	"function tick(){var s=Math.max(0,Math.ceil((end-Date.now())/1e3));"
	"e.textContent=s>0?\"in about \"+f(s):\"now: the delisting is under "
	"way\";if(s>0)setTimeout(tick,1e3)}tick()})();";

/* "1.5" from milli-points, one decimal, rounded down. */
static void put_weight(web_out_t *o, int64_t milli)
{
	put_points(o, milli);
}

static void put_plural(web_out_t *o, size_t n, const char *one, const char *many)
{
	web_out_printf(o, "%zu ", n);
	web_out_html_str(o, n == 1 ? one : many);
}

/* The reason in plain words with the counts behind it, one sentence. */
static void reason_sentence(web_out_t *o, const web_lookup_view_t *v)
{
	const engine_lookup_t *l = v->lookup;
	const engine_evidence_view_t *ev = v->evidence;
	char dur[WEB_DURATION_LEN];
	size_t reporters = ev ? ev->n_reporters : l->decision.n_reporters;
	web_out_puts(o, "<p>Why: ");
	if (l->reports == 0 && l->trap_hits == 0) {
		web_out_puts(o, "no spam reports or spamtrap hits count against it now");
	}
	if (l->reports > 0) {
		put_plural(o, l->reports, "spam report", "spam reports");
		web_out_puts(o, " in the past ");
		web_out_html_str(
			o, web_format_duration(l->decision.rules.report_max_age_ms / 1000, dur));
		web_out_puts(o, " from ");
		put_plural(o, reporters, "reporter", "different reporters");
	}
	if (l->trap_hits > 0) {
		web_out_puts(o, l->reports > 0 ? ", and " : "");
		put_plural(o, l->trap_hits, "spamtrap hit", "spamtrap hits");
		web_out_puts(o, " (mail to addresses that never asked for any) in the past ");
		web_out_html_str(o,
				 web_format_duration(l->decision.rules.trap_window_ms / 1000, dur));
	}
	web_out_puts(o,
		     l->listed ? ". When the last of it arrived, that scored " : ". That scores ");
	put_points(o, l->decision.score_milli);
	web_out_puts(o, " points; ");
	put_points(o, l->decision.threshold_milli);
	web_out_puts(o, l->listed ? " list an address.</p>\n" : " would list it.</p>\n");
}

static void countdown(web_out_t *o, const engine_lookup_t *l)
{
	char dur[WEB_DURATION_LEN];
	if (l->seconds_to_delist > 0) {
		web_out_printf(o,
			       "<p>Delisted automatically <strong id=\"countdown\" "
			       "data-seconds=\"%lld\">in about ",
			       (long long)l->seconds_to_delist);
		web_out_html_str(o, web_format_duration(l->seconds_to_delist, dur));
		web_out_puts(o, "</strong>, at ");
		put_time(o, l->delist_at_ms);
		web_out_puts(o,
			     ", if no new spam reports or spamtrap hits arrive. Each new one moves "
			     "that time later.</p>\n");
	} else {
		web_out_puts(o, "<p>Time to delisting: <strong data-seconds=\"0\">0</strong>. The "
				"delisting is under way.</p>\n");
	}
	web_out_puts(o, "<p><small>A time to delisting of 0 means the listing has run out and the "
			"delisting is under way: this list's DNS answers stop naming the address "
			"within seconds, and mail servers that cached the old answer follow within "
			"minutes.</small></p>\n");
}

static void status_box(web_out_t *o, const web_lookup_view_t *v)
{
	const engine_lookup_t *l = v->lookup;
	char dur[WEB_DURATION_LEN];
	if (l->listed) {
		web_out_puts(o, "<div class=\"box listed\">\n<p><strong>");
		web_out_html_str(o, v->ip);
		web_out_puts(o, " is listed: mail servers that use this list refuse or mark mail "
				"sent from it.</strong></p>\n");
		reason_sentence(o, v);
		web_out_puts(o, "<p>Listed since ");
		put_time(o, l->listed_since_ms);
		if (v->now_ms > l->listed_since_ms) {
			web_out_puts(o, " (");
			web_out_html_str(o, web_format_duration(
						    (v->now_ms - l->listed_since_ms) / 1000, dur));
			web_out_puts(o, " ago)");
		}
		web_out_puts(o, ".</p>\n");
		countdown(o, l);
	} else {
		web_out_puts(o, "<div class=\"box clear\">\n<p><strong>");
		web_out_html_str(o, v->ip);
		web_out_puts(
			o, " is not listed: this list does not stop mail from it.</strong></p>\n");
		reason_sentence(o, v);
	}
	if (v->evidence != NULL) {
		web_out_puts(o, "<p>");
		web_out_html_str(o, v->evidence->history_sentence);
		web_out_puts(o, ".</p>\n");
	}
	web_out_puts(o, "</div>\n");
	if (!l->listed) {
		web_out_puts(o,
			     "<p>If a bounce named this list for this address, the refusing server "
			     "asked while it was listed, or still has the old answer cached for a "
			     "few minutes: send the mail again later.</p>\n");
	}
}

static void lookup_facts(web_out_t *o, const web_lookup_view_t *v)
{
	const engine_lookup_t *l = v->lookup;
	const policy_decision_t *d = &l->decision;
	web_out_puts(o, "<h2>The details</h2>\n<dl>\n");
	put_dt(o, "Status");
	web_out_puts(o, l->listed ? "listed" : "not listed");
	web_out_puts(o, "</dd>\n");
	put_dt(o, "The rule that applies");
	web_out_html_str(o, d->sentence);
	web_out_puts(o, " <code>");
	web_out_html_str(o, l->by_file ? "data_file" : policy_reason_name(d->reason));
	web_out_puts(o, "</code></dd>\n");
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
	if (l->listed && !l->by_file) {
		put_dt(o, "Delisting");
		put_time(o, l->delist_at_ms);
		web_out_puts(o, l->seconds_to_delist > 0 ? "</dd>\n" : " (under way now)</dd>\n");
	}
	if (l->deputy_delisted_ms > 0) {
		put_dt(o, "Last delisted by a deputy");
		put_time(o, l->deputy_delisted_ms);
		web_out_puts(o, "</dd>\n");
	}
	web_out_puts(o, "</dl>\n");
}

/* ---- the chart and the evidence ---- */

static void lookup_chart(web_out_t *o, const engine_evidence_view_t *ev)
{
	int64_t *rep = calloc(ev->n_reports ? ev->n_reports : 1, sizeof(*rep));
	int64_t *trap = calloc(ev->n_traps ? ev->n_traps : 1, sizeof(*trap));
	web_chart_period_t *per = calloc(ev->n_periods ? ev->n_periods : 1, sizeof(*per));
	if (rep == NULL || trap == NULL || per == NULL) {
		o->failed = true;
	} else {
		for (size_t i = 0; i < ev->n_reports; i++) {
			rep[i] = ev->reports[i].time_ms;
		}
		for (size_t i = 0; i < ev->n_traps; i++) {
			trap[i] = ev->traps[i].time_ms;
		}
		for (size_t i = 0; i < ev->n_periods; i++) {
			per[i] = (web_chart_period_t){ .start_ms = ev->periods[i].start_ms,
						       .end_ms = ev->periods[i].end_ms };
		}
		web_chart_t c = {
			.end_ms = web_chart_end(ev->now_ms),
			.reports = rep,
			.n_reports = ev->n_reports,
			.traps = trap,
			.n_traps = ev->n_traps,
			.periods = per,
			.n_periods = ev->n_periods,
		};
		web_out_puts(o, "<h2>The past week, hour by hour</h2>\n<figure>\n");
		web_chart_svg(&c, o);
		web_out_puts(o, "<figcaption>Spam reports (blue) and spamtrap hits (orange) per "
				"hour; the shaded stretches are when the address was listed. "
				"Times are UTC.</figcaption>\n</figure>\n");
	}
	free(rep);
	free(trap);
	free(per);
}

/* Why a report weighs what it weighs, in words. */
static const char *note_words(enum policy_note n)
{
	switch (n) {
	case POLICY_NOTE_SCORED:
		return "counts; a report weighs less as it ages";
	case POLICY_NOTE_REPEAT:
		return "does not count: the same reporter's newer report counts instead (one "
		       "reporter counts once a week per address)";
	case POLICY_NOTE_TOO_OLD:
		return "does not count: too old";
	case POLICY_NOTE_BEFORE_DEPUTY:
		return "does not count: it came before a deputy delisted the address";
	case POLICY_NOTE_BANNED:
		return "does not count: its reporter was banned";
	case POLICY_NOTE_WITHDRAWN:
		return "does not count: withdrawn by its reporter";
	case POLICY_NOTE_CHALLENGED:
		return "does not count for now: set aside while a challenge of it is open";
	case POLICY_NOTE_VOIDED:
		return "does not count: a deputy found it was not spam";
	}
	return "does not count";
}

/* What the walk did at a hop, and why. */
static const char *verdict_words(const char *verdict)
{
	static const struct {
		const char *verdict, *words;
	} table[] = {
		{ "trusted", "the reporter's own mail system, passed over" },
		{ "internal", "a private or internal address, passed over" },
		{ "no-peer", "no sending address recorded, skipped" },
		{ "reserved", "a reserved address, which is never blamed" },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(verdict, table[i].verdict) == 0) {
			return table[i].words;
		}
	}
	return "not used";
}

static void put_hop(web_out_t *o, const engine_hop_t *h)
{
	bool blamed = strcmp(h->verdict, "source") == 0;
	web_out_puts(o, blamed ? "<li class=\"blamed\"><strong>Blamed:</strong> " : "<li>");
	if (h->redacted) {
		web_out_puts(o, "[details hidden] ");
	} else {
		web_out_puts(o, "from <code>");
		web_out_html_str(o, h->peer[0] ? h->peer : "(no address)");
		web_out_puts(o, "</code>");
		if (h->rdns[0]) {
			web_out_puts(o, ", reverse DNS <code>");
			web_out_html_str(o, h->rdns);
			web_out_puts(o, "</code>");
		}
		if (h->helo[0]) {
			web_out_puts(o, ", introduced itself as <code>");
			web_out_html_str(o, h->helo);
			web_out_puts(o, "</code>");
		}
		if (h->authenticated) {
			web_out_puts(o, ", with a login (a mail account on that server)");
		}
		web_out_puts(o, " ");
	}
	if (blamed) {
		web_out_puts(o,
			     "&mdash; the first server outside the reporter's own systems that "
			     "handed this mail on. Everything below this line of the header could "
			     "have been forged by the sender, so it is not used.</li>\n");
	} else {
		web_out_puts(o, "&mdash; ");
		web_out_html_str(o, verdict_words(h->verdict));
		web_out_puts(o, "</li>\n");
	}
}

static void put_hops(web_out_t *o, const char *json)
{
	engine_hops_t *h = malloc(sizeof(*h));
	if (h == NULL) {
		o->failed = true;
		return;
	}
	if (engine_hops_parse(json, h) != 0) {
		/* not the usual shape: show the stored text, escaped */
		web_out_puts(o, "<pre>");
		web_out_html_str(o, json);
		web_out_puts(o, "</pre>");
		free(h);
		return;
	}
	web_out_puts(o, "<details><summary>How the source was found</summary>\n<p>The "
			"Received lines of the spam's header, from the reporter's end:</p>\n"
			"<ol class=\"hops\">\n");
	for (size_t i = 0; i < h->n; i++) {
		put_hop(o, &h->hops[i]);
	}
	if (h->n_more > 0) {
		web_out_printf(o, "<li>%zu more lines not shown</li>\n", h->n_more);
	}
	web_out_puts(o, "</ol>\n");
	if (h->reason[0]) {
		web_out_puts(o, "<p><small>");
		web_out_html_str(o, h->reason);
		web_out_puts(o, "</small></p>\n");
	}
	web_out_puts(o, "</details>");
	free(h);
}

/* One event of the evidence table: a report (r) or a trap hit (t). */
static void put_event(web_out_t *o, const engine_ev_report_t *r, const engine_ev_trap_t *t)
{
	web_out_puts(o, "<tr><td>");
	put_time(o, r ? r->time_ms : t->time_ms);
	if (r != NULL) {
		web_out_printf(o, "</td><td>Spam report #%lld</td><td class=\"weight\">",
			       (long long)r->id);
		put_weight(o, r->weight_milli);
		web_out_puts(o, "</td><td>");
		web_out_html_str(o, note_words(r->note));
		web_out_puts(o, ".");
		if (r->hops_json != NULL) {
			put_hops(o, r->hops_json);
		}
	} else {
		web_out_puts(o, "</td><td>Spamtrap hit</td><td class=\"weight\">");
		put_weight(o, t->weight_milli);
		web_out_puts(o, "</td><td>");
		web_out_puts(o, t->counted ? "counts: a spamtrap received mail straight from this "
					     "address (which trap is not shown)."
					   : "does not count: older than the spamtrap window, or "
					     "before a deputy's delisting.");
	}
	web_out_puts(o, "</td></tr>\n");
}

static void lookup_evidence(web_out_t *o, const engine_evidence_view_t *ev)
{
	const policy_decision_t *d = &ev->decision;
	web_out_puts(o, "<h2>The evidence</h2>\n<p>Every spam report and spamtrap hit of the past "
			"week, newest first, with what it adds to the score now. Reports lose "
			"weight as they age. Who reported and which spamtrap was hit are never "
			"shown.</p>\n<p>Score now: <strong>");
	put_points(o, ev->score_now_milli);
	web_out_puts(o, "</strong> points (reports ");
	put_points(o, ev->report_score_now_milli);
	web_out_puts(o, ", spamtraps ");
	put_points(o, ev->trap_score_now_milli);
	web_out_puts(o, ") against a threshold of <strong>");
	put_points(o, d->threshold_milli);
	web_out_puts(o, "</strong>");
	web_out_puts(o, ev->score_now_milli >= d->threshold_milli ? ": at or above it."
								  : ": below it.");
	if (d->listed && ev->score_now_milli < d->threshold_milli) {
		web_out_puts(o, " The listing still holds: the score reached the threshold when "
				"the evidence arrived, and a listing ends only at its delisting "
				"time, not as the weights fall.");
	}
	web_out_puts(o, "</p>\n");
	size_t total = ev->n_reports + ev->n_traps;
	if (total == 0) {
		web_out_puts(o, "<p>No spam reports or spamtrap hits in the past week.</p>\n");
		return;
	}
	web_out_puts(o, "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">When "
			"(UTC)</th><th scope=\"col\">What</th><th scope=\"col\">Weight now</th>"
			"<th scope=\"col\">Why</th></tr></thead>\n<tbody>\n");
	/* newest first: merge the two lists from their ends */
	size_t ri = ev->n_reports, ti = ev->n_traps, shown = 0;
	while ((ri > 0 || ti > 0) && shown < WEB_EVIDENCE_ROWS_MAX) {
		bool take_report = ti == 0 || (ri > 0 && ev->reports[ri - 1].time_ms >=
								 ev->traps[ti - 1].time_ms);
		if (take_report) {
			put_event(o, &ev->reports[--ri], NULL);
		} else {
			put_event(o, NULL, &ev->traps[--ti]);
		}
		shown++;
	}
	web_out_puts(o, "</tbody>\n</table></div>\n");
	if (total > shown) {
		web_out_printf(o, "<p>%zu older event%s not shown.</p>\n", total - shown,
			       total - shown == 1 ? " is" : "s are");
	}
}

/* The likely cause, by the kind of evidence (what the SpamCop help pages teach admins). */
static void likely_cause(web_out_t *o, const engine_lookup_t *l)
{
	if (l->backscatter > 0) {
		web_out_printf(
			o,
			"<p><strong>Backscatter.</strong> %zu of the messages behind this "
			"listing in the past week %s not spam written by a person but "
			"automatic mail: delivery failure notices or auto-replies sent to an "
			"address a spammer forged as the sender. The server behind this "
			"address is probably doing what it was set up to do. Make it refuse "
			"unwanted mail while the sender is still connected, instead of "
			"accepting it and bouncing it later, and do not auto-reply to mail "
			"marked as spam.</p>\n",
			l->backscatter, l->backscatter == 1 ? "was" : "were");
	}
	if (l->trap_hits > 0 && l->reports == 0) {
		web_out_puts(
			o,
			"<p><strong>Spamtraps only.</strong> Only spamtraps received mail from "
			"this address. A spamtrap never asked for mail, so this is most often "
			"mail sent automatically to forged sender addresses: out-of-office or "
			"vacation replies, virus warnings, or bounces sent after the mail was "
			"accepted (\"no such user\", \"mailbox full\"), also called backscatter. "
			"Refuse bad mail during the SMTP dialogue instead of bouncing it later, "
			"and stop auto-replies to mail marked as spam.</p>\n");
	} else if (l->reports > 0 && l->trap_hits == 0) {
		web_out_puts(
			o, "<p><strong>Spam reports only.</strong> Only people's spam reports name "
			   "this address: a spammer is at work through it. Look for a customer or "
			   "user sending bulk mail, a mail account whose password was stolen (SMTP "
			   "AUTH), or a web form or script that can be made to send mail.</p>\n");
	} else {
		web_out_puts(o,
			     "<p><strong>Both reports and spamtraps.</strong> That usually means a "
			     "compromised computer behind this address sends spam straight to the "
			     "Internet (a firewall that lets any machine connect out on port 25 "
			     "allows that), an open relay or proxy, a hijacked mail account, or an "
			     "insecure web script.</p>\n");
	}
}

/* before, the link to the "ask about a listing" form for v's address, after; nothing when
 * the view has no form. */
static void ask_link(web_out_t *o, const web_lookup_view_t *v, const char *before,
		     const char *after)
{
	if (v->ask_url == NULL) {
		return;
	}
	web_out_puts(o, before);
	web_out_html_str(o, v->ask_url);
	web_out_puts(o, "?ip=");
	web_out_html_str(o, v->ip);
	web_out_puts(o, after);
}

static void lookup_advice(web_out_t *o, const web_lookup_view_t *v)
{
	const engine_lookup_t *l = v->lookup;
	char dur[WEB_DURATION_LEN];
	web_out_puts(o,
		     "<h2>What to do next</h2>\n"
		     "<h3>If you send mail through your provider's server</h3>\n"
		     "<p>If your mail goes out through a server of your Internet provider, hosting "
		     "company or employer, this address belongs to that server, which many other "
		     "people share. The listing is not aimed at you, and only the provider can fix "
		     "it: forward the bounce to their support and ask them to stop the spam that "
		     "leaves through their server. Until then, mail sent through another server, "
		     "such as a webmail account, gets through.</p>\n");
	web_out_puts(o, "<h3>For the administrator of ");
	web_out_html_str(o, v->ip);
	web_out_puts(o, "</h3>\n");
	likely_cause(o, l);
	web_out_puts(o, "<p>Find and stop the source: check the outgoing mail queue and the logs "
			"around the times in the evidence above, and every machine behind this "
			"address, including those behind a NAT router.</p>\n");
	web_out_puts(o, "<p>You do not need to ask for removal: the listing ends by itself ");
	web_out_html_str(o, web_format_duration(l->decision.listing_ms / 1000, dur));
	web_out_puts(o, " after the last spam report or spamtrap hit, at the time shown above, "
			"which moves later with every new one.</p>\n");
	web_out_puts(o, "<p>If you think the listing is a mistake, for example because mail "
			"that people asked for was reported as spam, ask a deputy of this list: "
			"deputies see the full evidence and can delist an address listed in "
			"error.");
	ask_link(o, v, " <a href=\"", "\">Ask about this listing</a>.");
	if (v->challenge_url != NULL) {
		web_out_puts(o, " <a href=\"");
		web_out_html_str(o, v->challenge_url);
		web_out_puts(o, "\">Challenge one report</a> (give its number from the evidence "
				"above, and your proof, such as the confirmed opt-in record).");
	}
	web_out_puts(o, " Write from a role address such as postmaster@ or abuse@ of the "
			"network, and say how you are related to the address.</p>\n");
}

static void lookup_history(web_out_t *o, const web_lookup_view_t *v)
{
	web_out_puts(o, "<h2>History</h2>\n");
	if (v->n_history == 0) {
		web_out_puts(o, "<p>No events are recorded for this address.</p>\n");
		return;
	}
	web_out_puts(o, "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">When "
			"(UTC)</th><th scope=\"col\">Who</th><th scope=\"col\">What</th>"
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
	web_out_puts(o, "</tbody>\n</table></div>\n");
	if (v->n_history_older > 0) {
		web_out_printf(o, "<p>%zu older entr%s not shown.</p>\n", v->n_history_older,
			       v->n_history_older == 1 ? "y is" : "ies are");
	}
}

/* An address that one of the operator's data files lists (not the policy). */
static void file_box(web_out_t *o, const web_lookup_view_t *v)
{
	const engine_lookup_t *l = v->lookup;
	web_out_puts(o, "<div class=\"box listed\">\n<p><strong>");
	web_out_html_str(o, v->ip);
	web_out_puts(o, " is listed: mail servers that use this list refuse or mark mail "
			"sent from it.</strong></p>\n<p>The operator of this list has listed ");
	web_out_html_str(o, l->file.range);
	web_out_puts(o, " by hand, in a data file of its DNS server, and this address is part "
			"of it. No spam reports or spamtrap hits are needed for such an entry, "
			"so it does not end by itself: it stays until the operator removes "
			"it.</p>\n</div>\n<h2>What to do next</h2>\n<p>If you send mail through "
			"your provider's server, forward the bounce to the provider: only they "
			"can change the server's address or ask for its removal. If you run "
			"this address and think the entry is wrong, ask a deputy of this list "
			"from a role address such as postmaster@ or abuse@ of the network");
	ask_link(o, v, ": <a href=\"", "\">ask about this listing</a>");
	web_out_puts(o, ".</p>\n");
}

/* The policy lists the address and a data file lists it too: the countdown is not the end. */
static void file_also(web_out_t *o, const web_lookup_view_t *v)
{
	web_out_puts(o, "<p>This address is also part of ");
	web_out_html_str(o, v->lookup->file.range);
	web_out_puts(o, ", which the operator of this list has listed by hand in a data file; "
			"that entry stays after the automatic delisting, until the operator "
			"removes it.</p>\n");
}

static void lookup_record(web_out_t *o, const web_lookup_view_t *v)
{
	const engine_lookup_t *l = v->lookup;
	web_out_puts(o, "<h1>");
	web_out_html_str(o, v->ip);
	web_out_puts(o, l->listed ? " is listed</h1>\n" : " is not listed</h1>\n");
	if (l->by_file) {
		file_box(o, v);
		if (v->evidence != NULL) {
			lookup_chart(o, v->evidence);
			lookup_evidence(o, v->evidence);
		}
		if (!l->file_only) {
			lookup_facts(o, v);
			lookup_history(o, v);
		}
		return;
	}
	status_box(o, v);
	if (l->file.listed) {
		file_also(o, v);
	}
	if (v->evidence != NULL) {
		lookup_chart(o, v->evidence);
		lookup_evidence(o, v->evidence);
	}
	if (l->listed) {
		lookup_advice(o, v);
	}
	lookup_facts(o, v);
	lookup_history(o, v);
	if (l->listed) {
		web_out_puts(o, "<script>");
		web_out_puts(o, web_countdown_script);
		web_out_puts(o, "</script>\n");
	}
}

static void lookup_special(web_out_t *o, const web_lookup_view_t *v)
{
	web_out_puts(o, "<h1>");
	web_out_html_str(o, v->ip);
	switch (v->kind) {
	case WEB_LOOKUP_NO_RECORD:
		web_out_puts(o, " is not listed</h1>\n<div class=\"box clear\">\n<p><strong>");
		web_out_html_str(o, v->ip);
		web_out_puts(o, " is not listed.</strong> No spam reports or spamtrap hits are on "
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
		web_out_puts(o,
			     " is the always-listed test address</h1>\n<div class=\"box\">\n"
			     "<p>127.0.0.2 is the test entry of RFC 5782: this list's DNS always "
			     "answers \"listed\" for it (and ::ffff:7f00:2 for IPv6), so that mail "
			     "server administrators can check that their server asks the list "
			     "and acts on the answer. It is not a real listing and never blocks "
			     "anyone's mail.</p>\n</div>\n");
		break;
	case WEB_LOOKUP_TEST_UNLISTED:
		web_out_puts(
			o, " is the never-listed test address</h1>\n<div class=\"box\">\n"
			   "<p>127.0.0.1 is the other test entry of RFC 5782: this list's DNS "
			   "always answers \"not listed\" for it (and for ::ffff:7f00:1), so that "
			   "mail server administrators can check that their server does not "
			   "refuse everything, for example when the list cannot be "
			   "reached.</p>\n</div>\n");
		break;
	case WEB_LOOKUP_RECORD:
		break;
	}
}

void web_render_lookup(const web_lookup_view_t *v, web_out_t *o)
{
	char title[IPBL_IPADDR_STRLEN + 16];
	snprintf(title, sizeof(title), "%s", v->ip);
	web_page_begin(o, title, WEB_NAV_PUBLIC);
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
	web_page_end(o);
}

void web_render_home(web_out_t *o)
{
	web_page_begin(o, "Blocklist lookup", WEB_NAV_PUBLIC);
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
	web_page_end(o);
}

void web_render_error(unsigned status, const char *title, const char *message, bool with_form,
		      const char *value, web_out_t *o)
{
	web_page_begin(o, title, WEB_NAV_PUBLIC);
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
	web_page_end(o);
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
	web_page_begin(o, "Why was my mail refused?", WEB_NAV_PUBLIC);
	web_out_puts(o, "<h1>Why was my mail refused?</h1>\n<p>Paste the bounce you got back. "
			"The explainer finds the refusing server's reply, the blocklist it "
			"named and the address it blamed, looks that address up here, and says "
			"what to do next. Nothing you paste is stored.</p>\n");
	explain_form(o, text);
	web_page_end(o);
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
	if (a->sender != MAIL_BOUNCE_SENDER_UNKNOWN) {
		put_dt(o, "Whose address");
		web_out_puts(o, a->sender == MAIL_BOUNCE_SENDER_PROVIDER
					? "a mail server you send through, shared with others"
					: "your own server or Internet connection");
		web_out_puts(o, " (<code>");
		web_out_html_str(o, a->sender_reason);
		web_out_puts(o, "</code>)</dd>\n");
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
	web_page_begin(o, "What the bounce says", WEB_NAV_PUBLIC);
	web_out_puts(o, "<h1>");
	web_out_html_str(o, a->title[0] ? a->title : "What the bounce says");
	web_out_puts(o, "</h1>\n");
	const char *cls = a->status == EXPLAIN_STATUS_LISTED ? "box listed" : "box";
	web_out_printf(o, "<div class=\"%s\">\n<p>", cls);
	web_out_html_str(o, a->happened);
	web_out_puts(o, "</p>\n");
	if (a->whose[0]) {
		web_out_puts(o, "<p>");
		web_out_html_str(o, a->whose);
		web_out_puts(o, "</p>\n");
	}
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
	web_page_end(o);
}
