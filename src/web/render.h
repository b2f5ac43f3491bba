/* SPDX-License-Identifier: BSD-2-Clause */
/* The HTML (and small JSON) the web component sends, rendered from plain structs into a
 * growing buffer. Pure: no I/O, no clock (the time is a field of the view), no store. Every
 * piece of text that did not come from a literal in render.c goes through web_out_html (or
 * web_out_json_str), the one place that escapes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/evidence.h"
#include "engine/explain.h"
#include "lib/ipaddr.h"
#include "store/store.h"

/* A growing output buffer (malloc'd). An append that would pass max, or that cannot get
 * memory, sets failed and drops the rest: callers check once at the end. */
typedef struct {
	char *data; /* NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	size_t max; /* most bytes it may hold */
	bool failed;
} web_out_t;

/* The length of the valid UTF-8 sequence at p (1 to 4; RFC 3629), or 0 when it is not one. */
size_t web_utf8_len(const unsigned char *p, size_t n);

/* Every HTML page's frame: head with the one stylesheet, the navigation, and the footer. */
enum web_nav { WEB_NAV_PUBLIC, WEB_NAV_DEPUTY };
void web_page_begin(web_out_t *o, const char *title, enum web_nav nav);
void web_page_end(web_out_t *o);

/* The default cap of one response body. */
#define WEB_OUT_MAX_DEFAULT (4u << 20)

void web_out_init(web_out_t *o, size_t max);
void web_out_fini(web_out_t *o);
/* Hand the data over (the caller frees it with free()) and leave o empty. NULL when empty
 * or failed. */
char *web_out_take(web_out_t *o, size_t *len_out);
void web_out_append(web_out_t *o, const void *p, size_t len);
void web_out_puts(web_out_t *o, const char *s);
void web_out_printf(web_out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append s[0..len) escaped for HTML text and double- or single-quoted attribute values:
 * & < > " ' become entities; invalid UTF-8, NUL and other control characters (but tab and
 * line ends) become U+FFFD. The only HTML escape in the web component. */
void web_out_html(web_out_t *o, const char *s, size_t len);
void web_out_html_str(web_out_t *o, const char *s);
/* Append s[0..len) as a JSON string with its quotes; invalid UTF-8 becomes U+FFFD. */
void web_out_json_str(web_out_t *o, const char *s, size_t len);

/* "13 hours 5 minutes", "2 days 1 hour", "45 seconds", "1 minute": the two largest units,
 * for a non-negative number of seconds (negative counts as 0). Writes into buf (at least 48
 * bytes) and returns it. */
#define WEB_DURATION_LEN 48
char *web_format_duration(int64_t seconds, char *buf);

/* One audit entry as the public page shows it: reporter names and mail addresses are
 * replaced (web_redact), everything else is shown as stored. */
typedef struct {
	int64_t at_ms;
	char actor[96];
	char action[64];
	char detail[STORE_TEXT_MAX];
} web_history_t;

/* Copy an audit entry into h with the public redactions: an actor "reporter NAME" becomes
 * "a reporter", and any word with an '@' in actor or detail becomes "[address hidden]"
 * (trap addresses and reporters' addresses are never shown). Long text is cut. */
void web_redact(const store_audit_t *a, web_history_t *h);

enum web_lookup_kind {
	WEB_LOOKUP_RECORD,	  /* the engine has a record: lookup is set */
	WEB_LOOKUP_NO_RECORD,	  /* never reported, never listed */
	WEB_LOOKUP_RESERVED,	  /* loopback, private, documentation ...: never listed */
	WEB_LOOKUP_TEST_LISTED,	  /* 127.0.0.2: DNS always answers "listed" (RFC 5782) */
	WEB_LOOKUP_TEST_UNLISTED, /* 127.0.0.1: DNS never answers "listed" (RFC 5782) */
};

/* Everything the lookup page shows. Borrowed by web_render_lookup. */
typedef struct {
	enum web_lookup_kind kind;
	const char *ip;		       /* canonical text of the address */
	bool unmapped;		       /* the input was ::ffff:a.b.c.d and is shown as a.b.c.d */
	const char *kind_name;	       /* RESERVED: "private", "loopback" ... */
	const engine_lookup_t *lookup; /* RECORD only */
	const web_history_t *history;  /* newest last */
	size_t n_history;
	size_t n_history_older; /* older entries not shown */
	int64_t now_ms;
	/* RECORD: the evidence view (events, weights, hops, listing periods, the history
	 * sentence); NULL leaves out the chart and the evidence */
	const engine_evidence_view_t *evidence;
	const char *ask_url;	   /* the "ask about a listing" form (?ip= is added), or NULL */
	const char *challenge_url; /* the "challenge a report" form, or NULL */
} web_lookup_view_t;

/* The most events the evidence table shows (the newest). */
#define WEB_EVIDENCE_ROWS_MAX 200

/* The lookup page's one inline script: it keeps the countdown to the delisting moving (the
 * page says the same without it). The CSP allows exactly this text by its hash, which a
 * unit test recomputes: change both together. */
extern const char web_countdown_script[];
#define WEB_COUNTDOWN_SCRIPT_HASH "sha256-Un+7R9QRwKvVeJ1NBHRoDYEn8ftyPatAPKj1aOsXfDE="

/* The lookup page, a whole HTML document. */
void web_render_lookup(const web_lookup_view_t *v, web_out_t *o);

/* The home page: what this list is, the lookup form and a link to the explainer. */
void web_render_home(web_out_t *o);

/* An error page: a heading, a sentence saying what went wrong (escaped) and, when with_form,
 * the lookup form pre-filled with value (may be NULL). */
void web_render_error(unsigned status, const char *title, const char *message, bool with_form,
		      const char *value, web_out_t *o);

/* The explainer's form, with text (may be NULL) in the text area. */
void web_render_explain_form(const char *text, web_out_t *o);

/* The explainer's answer (engine/explain.h: every field is plain text, escaped here): the
 * summary, what happened, the address on this list, the next steps, the facts the bounce
 * gave, then the form again with the bounce in it. */
void web_render_explain_advice(const explain_advice_t *a, const char *bounce, web_out_t *o);

/* The status line of a code ("Not Found"); "Error" for codes it does not know. */
const char *web_status_text(unsigned status);
