/* SPDX-License-Identifier: BSD-2-Clause */
/* Bounce analysis: the refusing SMTP reply of a delivery failure notice, and in it the
 * blocklist and the address it blamed.
 *
 * DESIGN. A bounce reaches us in two shapes: a whole message (a DSN, RFC 3464, or a plain
 * notice), or text a sender pasted from one. A message is taken apart with GMime: its text
 * parts and its message/delivery-status part are decoded into one text, and the returned
 * message (message/rfc822, text/rfc822-headers) is left out, because its Received fields name
 * hops that were never refused. Pasted text is cut at the first line that starts the returned
 * message ("Received:", "--- Below this line is a copy of the message." ...).
 *
 * The text is then read line by line:
 *  - SMTP replies: a code 4xx/5xx with an optional enhanced status code (RFC 3463), at the
 *    start of a line ("550 5.7.1 ...", "<<< 550 ...") or after ':', ';' or a quote ("said:
 *    554 ...", "smtp; 550 ...", "returned '550 ..."). Multi-line replies ("550-...") and the
 *    indented lines a wrapping MTA or a folded DSN field adds are joined to one reply.
 *  - the refusing server (Remote-MTA, Postfix "host X[ip] said", Exim "host X [ip]", Sendmail
 *    "while talking to X", qmail "Connected to X"), the recipient and the DSN Status.
 * The reply that names a blocklist wins; else the first permanent one, else the first. In it,
 * the list is found by (in order) our own zone, a well-known zone, a phrase that introduces
 * one ("blocked using Z", "listed at Z"), or a list operator's web site in a URL. The blamed
 * IP is the one of a queried name (4.3.2.1.ZONE), then one in a lookup URL or next to
 * "client"/"IP"/"address", then any other in the reply, never the refusing server's own. */
#include "mail/bounce.h"
#include "mail/bounce_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "lib/str.h"

#define TEXT_MAX (8u * 1024 * 1024) /* decoded text kept from one message */
#define REPLIES_MAX 32		    /* replies looked at */
#define REPLY_TEXT_MAX 2048	    /* one joined reply */
#define CONT_LINES_MAX 24	    /* continuation lines joined to one reply */
#define MIME_DEPTH_MAX 8	    /* nested multiparts followed */
#define IP_TOKEN_MAX 64		    /* longest address text looked at */

/* ------------------------------------------------------------------------------------------ */
/* The well-known lists. Notes are our own words. */

static const mail_bounce_list_t lists[] = {
	{ "zen.spamhaus.org", "Spamhaus ZEN", "Spamhaus", "spamhaus.org",
	  "https://check.spamhaus.org/", true, false,
	  "ZEN combines several Spamhaus lists; their lookup page says which one holds the "
	  "address and how that one is cleared" },
	{ "sbl-xbl.spamhaus.org", "Spamhaus SBL-XBL", "Spamhaus", "spamhaus.org",
	  "https://check.spamhaus.org/", true, false, NULL },
	{ "sbl.spamhaus.org", "Spamhaus SBL", "Spamhaus", "spamhaus.org",
	  "https://check.spamhaus.org/", true, false,
	  "SBL listings are made by hand; removal goes through the network's owner" },
	{ "xbl.spamhaus.org", "Spamhaus XBL", "Spamhaus", "spamhaus.org",
	  "https://check.spamhaus.org/", true, true,
	  "XBL lists machines that appear infected or hijacked" },
	{ "pbl.spamhaus.org", "Spamhaus PBL", "Spamhaus", "spamhaus.org",
	  "https://check.spamhaus.org/", true, false,
	  "PBL lists addresses that their network owner says should not send mail straight to "
	  "other servers: mail from them belongs on the provider's own mail server" },
	{ "dbl.spamhaus.org", "Spamhaus DBL", "Spamhaus", "spamhaus.org",
	  "https://check.spamhaus.org/", false, false, NULL },
	{ "bl.spamcop.net", "SpamCop Blocking List", "SpamCop", "spamcop.net",
	  "https://www.spamcop.net/bl.shtml", true, true, NULL },
	{ "b.barracudacentral.org", "Barracuda Reputation Block List", "Barracuda",
	  "barracudacentral.org", "https://www.barracudacentral.org/lookups", true, false, NULL },
	{ "bb.barracudacentral.org", "Barracuda Reputation Block List", "Barracuda",
	  "barracudacentral.org", "https://www.barracudacentral.org/lookups", true, false, NULL },
	{ "cbl.abuseat.org", "Composite Blocking List (now part of Spamhaus XBL)", "CBL",
	  "abuseat.org", "https://check.spamhaus.org/", true, true, NULL },
	{ "psbl.surriel.com", "Passive Spam Block List", "PSBL", "psbl.org", "https://psbl.org/",
	  true, true, NULL },
	{ "dnsbl-1.uceprotect.net", "UCEPROTECT level 1", "UCEPROTECT", "uceprotect.net",
	  "https://www.uceprotect.net/en/rblcheck.php", true, true, NULL },
	{ "dnsbl-2.uceprotect.net", "UCEPROTECT level 2", "UCEPROTECT", "uceprotect.net",
	  "https://www.uceprotect.net/en/rblcheck.php", true, true,
	  "level 2 lists whole address ranges of a provider, not only the address that sent spam" },
	{ "dnsbl-3.uceprotect.net", "UCEPROTECT level 3", "UCEPROTECT", "uceprotect.net",
	  "https://www.uceprotect.net/en/rblcheck.php", true, true,
	  "level 3 lists a provider's whole network, not only the address that sent spam" },
	{ "ix.dnsbl.manitu.net", "NiX Spam", "manitu", "manitu.net",
	  "https://www.dnsbl.manitu.net/", true, true, NULL },
	{ "dnsbl.dronebl.org", "DroneBL", "DroneBL", "dronebl.org", "https://dronebl.org/lookup",
	  true, false, NULL },
	{ "multi.surbl.org", "SURBL", "SURBL", "surbl.org", "https://www.surbl.org/", false, false,
	  NULL },
	{ "multi.uribl.com", "URIBL", "URIBL", "uribl.com", "https://admin.uribl.com/", false,
	  false, NULL },
	{ NULL, "Microsoft's own block list (Outlook.com, Office 365)", "Microsoft",
	  "sender.office.com", "https://sender.office.com/", true, false,
	  "Microsoft runs this list for its own servers only; its delisting portal is the way "
	  "off" },
};

#define N_LISTS (sizeof(lists) / sizeof(lists[0]))

const mail_bounce_list_t *mail_bounce_lists(size_t *n)
{
	*n = N_LISTS;
	return lists;
}

const char *mail_bounce_kind_name(enum mail_bounce_kind kind)
{
	static const char *const names[] = {
#define MAIL_BOUNCE_KIND_NAME(name, text) text,
		MAIL_BOUNCE_KIND_MAP(MAIL_BOUNCE_KIND_NAME)
#undef MAIL_BOUNCE_KIND_NAME
	};
	if ((unsigned)kind >= sizeof(names) / sizeof(names[0])) {
		return "unknown";
	}
	return names[kind];
}

/* ------------------------------------------------------------------------------------------ */
/* Characters and searching. */

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A character of a host name label (underscore too: some lists use it in names). */
static bool is_dchar(char c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* t[0..n) starts with the lower-case literal lit, ignoring case. */
static bool ci_starts(const char *t, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (k > n) {
		return false;
	}
	for (size_t i = 0; i < k; i++) {
		if (lower(t[i]) != lit[i]) {
			return false;
		}
	}
	return true;
}

/* The first position >= from of the lower-case needle in t[0..n), ignoring case; n if none. */
static size_t ci_find(const char *t, size_t n, size_t from, const char *needle)
{
	size_t k = strlen(needle);
	if (k == 0 || k > n) {
		return n;
	}
	for (size_t i = from; i + k <= n; i++) {
		if (lower(t[i]) == needle[0] && ci_starts(t + i, n - i, needle)) {
			return i;
		}
	}
	return n;
}

static bool ci_contains(const char *t, size_t n, const char *needle)
{
	return ci_find(t, n, 0, needle) < n;
}

/* Copy s[0..n) into dst (cap bytes with the NUL): control bytes become spaces; cut at cap-1. */
static void copy_text(char *dst, size_t cap, const char *s, size_t n)
{
	size_t k = n < cap - 1 ? n : cap - 1;
	for (size_t i = 0; i < k; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[k] = '\0';
}

static void copy_lower(char *dst, size_t cap, const char *s, size_t n)
{
	copy_text(dst, cap, s, n);
	for (char *p = dst; *p; p++) {
		*p = lower(*p);
	}
}

/* A name is at t[i..i+len) with name boundaries around it: not inside a longer label, though a
 * '.' before it is allowed (a queried name 4.3.2.1.ZONE, or www.SITE) and a '.' after it that
 * ends a sentence. */
static bool name_bounded(const char *t, size_t n, size_t i, size_t len)
{
	if (i > 0 && is_dchar(t[i - 1])) {
		return false;
	}
	size_t e = i + len;
	if (e < n && is_dchar(t[e])) {
		return false;
	}
	if (e < n && t[e] == '.' && e + 1 < n && is_dchar(t[e + 1])) {
		return false;
	}
	return true;
}

/* The first bounded occurrence of name in t[0..n) at or after from; n if none. */
static size_t find_name(const char *t, size_t n, size_t from, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = from; i < n;) {
		i = ci_find(t, n, i, name);
		if (i >= n) {
			break;
		}
		if (name_bounded(t, n, i, len)) {
			return i;
		}
		i++;
	}
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Addresses. */

/* A reversed address in labels[0..n_labels) (dotted text, as written before a zone). */
static bool labels_to_ip(const char *t, size_t len, ipbl_ipaddr_t *out)
{
	size_t starts[33], lens[33], n = 0;
	size_t s = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || t[i] == '.') {
			if (n == 33) {
				return false;
			}
			starts[n] = s;
			lens[n] = i - s;
			n++;
			s = i + 1;
		}
	}
	if (n == 4) {
		uint32_t v = 0;
		for (size_t k = 0; k < 4; k++) {
			const char *p = t + starts[3 - k];
			size_t l = lens[3 - k];
			if (l == 0 || l > 3 || (l > 1 && p[0] == '0')) {
				return false;
			}
			unsigned x = 0;
			for (size_t j = 0; j < l; j++) {
				if (!is_digit(p[j])) {
					return false;
				}
				x = x * 10 + (unsigned)(p[j] - '0');
			}
			if (x > 255) {
				return false;
			}
			v = (v << 8) | x;
		}
		ipbl_ipaddr_from_v4(v, out);
		return true;
	}
	if (n == 32) {
		uint8_t b[16] = { 0 };
		for (size_t k = 0; k < 32; k++) {
			/* label 31 is the most significant nibble (RFC 5782 section 2.4) */
			const char *p = t + starts[31 - k];
			if (lens[31 - k] != 1 || !is_hex(p[0])) {
				return false;
			}
			char c = lower(p[0]);
			unsigned x = is_digit(c) ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
			b[k / 2] |= (uint8_t)(k % 2 == 0 ? x << 4 : x);
		}
		ipbl_ipaddr_from_v6(b, out);
		return true;
	}
	return false;
}

/* The address of a queried name that ends just before t[zone_at] ("4.3.2.1." + ZONE). */
static bool query_ip_before(const char *t, size_t zone_at, ipbl_ipaddr_t *out)
{
	if (zone_at < 2 || t[zone_at - 1] != '.') {
		return false;
	}
	size_t end = zone_at - 1;
	size_t j = end;
	while (j > 0 && end - j < 80 && (is_alnum(t[j - 1]) || t[j - 1] == '.')) {
		j--;
	}
	if (j > 0 && (is_dchar(t[j - 1]) || t[j - 1] == '.')) {
		return false; /* longer than any address: not a queried name */
	}
	return labels_to_ip(t + j, end - j, out);
}

static bool ip_char(char c)
{
	return is_hex(c) || c == ':' || c == '.';
}

/* An address token starting at t[i]: the longest run of address characters, with a
 * sentence's final '.' or ':' dropped, when it is not part of a longer word or name. Returns
 * its length (0: no address here). */
static size_t ip_token_at(const char *t, size_t n, size_t i, ipbl_ipaddr_t *out)
{
	if (i > 0 && (is_alnum(t[i - 1]) || t[i - 1] == '.' || t[i - 1] == '_' || t[i - 1] == '-' ||
		      t[i - 1] == ':')) {
		/* "[IPv6:2001:db8::1]" is how SMTP writes an IPv6 literal (RFC 5321 4.1.3) */
		if (!(t[i - 1] == ':' && i >= 5 && ci_starts(t + i - 5, 5, "ipv6:"))) {
			return 0;
		}
	}
	size_t e = i;
	while (e < n && e - i < IP_TOKEN_MAX && ip_char(t[e])) {
		e++;
	}
	if (e < n && (is_alnum(t[e]) || t[e] == '_' || t[e] == '-')) {
		return 0; /* a name like 4.3.2.1.bl or a hex word */
	}
	size_t len = e - i;
	while (len > 0 && (t[i + len - 1] == '.' || t[i + len - 1] == ':')) {
		/* "...::" ends an address legitimately; one ':' or a '.' ends a sentence */
		if (t[i + len - 1] == ':' && len >= 2 && t[i + len - 2] == ':') {
			break;
		}
		len--;
	}
	if (len < 2) {
		return 0;
	}
	ipbl_ipaddr_t a;
	if (ipbl_ipaddr_parse((ipbl_str_t){ t + i, len }, &a) != 0) {
		return 0;
	}
	if (ipbl_ipaddr_kind(&a) == IPBL_IP_UNSPECIFIED) {
		return 0;
	}
	ipbl_ipaddr_unmap(&a);
	*out = a;
	return e - i;
}

/* ------------------------------------------------------------------------------------------ */
/* The text of a bounce message, decoded (GMime). */

typedef struct {
	char *p;
	size_t len, cap;
	bool oom;
} tbuf_t;

static void tbuf_add(tbuf_t *b, const char *s, size_t n)
{
	if (b->oom || n == 0) {
		return;
	}
	if (b->len + n + 1 > TEXT_MAX) {
		n = TEXT_MAX > b->len + 1 ? TEXT_MAX - b->len - 1 : 0;
		if (n == 0) {
			return;
		}
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1) {
			cap *= 2;
		}
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* HTML to text, enough to read a reply out of an Exchange notice: tags go (block tags become
 * line breaks), style/script/head content goes, the common entities are decoded. */
static void add_html(tbuf_t *b, const char *s, size_t n)
{
	static const char *const blocks[] = { "br", "p",  "div", "tr",	"li",	     "table",
					      "h1", "h2", "h3",	 "pre", "blockquote" };
	static const char *const hidden[] = { "style", "script", "head", "title" };
	static const struct {
		const char *ent, *text;
	} ents[] = { { "&lt;", "<" },  { "&gt;", ">" },	  { "&amp;", "&" },  { "&quot;", "\"" },
		     { "&#39;", "'" }, { "&apos;", "'" }, { "&nbsp;", " " }, { "&#160;", " " } };
	size_t i = 0;
	while (i < n && !b->oom) {
		if (s[i] == '<') {
			size_t j = i + 1;
			bool closing = j < n && s[j] == '/';
			if (closing) {
				j++;
			}
			size_t name = j;
			while (j < n && is_alnum(s[j])) {
				j++;
			}
			size_t name_len = j - name;
			const char *gt = memchr(s + i, '>', n - i);
			size_t after = gt ? (size_t)(gt - s) + 1 : n;
			bool block = false;
			for (size_t k = 0; k < sizeof(blocks) / sizeof(blocks[0]); k++) {
				if (strlen(blocks[k]) == name_len &&
				    ci_starts(s + name, name_len, blocks[k])) {
					block = true;
				}
			}
			tbuf_add(b, block ? "\n" : " ", 1);
			for (size_t k = 0; !closing && k < sizeof(hidden) / sizeof(hidden[0]);
			     k++) {
				if (strlen(hidden[k]) == name_len &&
				    ci_starts(s + name, name_len, hidden[k])) {
					char close[16] = "</";
					memcpy(close + 2, hidden[k], strlen(hidden[k]) + 1);
					size_t c = ci_find(s, n, after, close);
					const char *cgt = c < n ? memchr(s + c, '>', n - c) : NULL;
					after = cgt ? (size_t)(cgt - s) + 1 : n;
				}
			}
			i = after;
			continue;
		}
		if (s[i] == '&') {
			bool done = false;
			for (size_t k = 0; k < sizeof(ents) / sizeof(ents[0]) && !done; k++) {
				if (ci_starts(s + i, n - i, ents[k].ent)) {
					tbuf_add(b, ents[k].text, 1);
					i += strlen(ents[k].ent);
					done = true;
				}
			}
			if (done) {
				continue;
			}
		}
		size_t j = i + 1;
		while (j < n && s[j] != '<' && s[j] != '&') {
			j++;
		}
		tbuf_add(b, s + i, j - i);
		i = j;
	}
	tbuf_add(b, "\n", 1);
}

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init(void)
{
	g_mime_init();
}

static size_t returned_message_start(const char *t, size_t n, size_t from);

/* A bounce message decoded: the text read for the refusal, and the returned message's header
 * fields (the first copy found) read for who sent it. */
typedef struct {
	tbuf_t text, ret;
} decoded_t;

/* The bytes of a memory stream. */
static const char *stream_bytes(GMimeStream *mem, size_t *len)
{
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*len = ba != NULL ? ba->len : 0;
	return ba != NULL ? (const char *)ba->data : NULL;
}

/* Append one part's text to d->text, up to where it starts quoting the returned message
 * (Exchange's "Original message headers:"), which goes to d->ret: each part is cut on its own,
 * so a copy of the headers inside the text part does not hide the delivery-status part after
 * it. */
static void add_stream(decoded_t *d, GMimeStream *mem, bool html)
{
	size_t len;
	const char *data = stream_bytes(mem, &len);
	tbuf_t *b = &d->text;
	if (data == NULL) {
		return;
	}
	size_t start = b->len;
	if (html) {
		add_html(b, data, len);
	} else {
		tbuf_add(b, data, len);
		tbuf_add(b, "\n", 1);
	}
	if (b->oom || b->len == start) {
		return;
	}
	size_t cut = returned_message_start(b->p, b->len, start);
	if (cut < b->len) {
		if (d->ret.len == 0) {
			tbuf_add(&d->ret, b->p + cut, b->len - cut);
		}
		b->len = cut;
		b->p[cut] = '\0';
	}
}

/* The returned message (message/rfc822) or its header fields (text/rfc822-headers) into
 * d->ret, when no copy was found before. */
static void add_returned(decoded_t *d, GMimeObject *obj)
{
	if (d->ret.len > 0) {
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		char *h = m != NULL ? g_mime_header_list_to_string(
					      g_mime_object_get_header_list(GMIME_OBJECT(m)), NULL)
				    : NULL;
		if (h != NULL) {
			tbuf_add(&d->ret, h, strlen(h));
		}
		g_free(h);
		return;
	}
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
	GMimeStream *mem = g_mime_stream_mem_new();
	if (w != NULL && g_mime_data_wrapper_write_to_stream(w, mem) >= 0) {
		size_t len;
		const char *data = stream_bytes(mem, &len);
		tbuf_add(&d->ret, data, data != NULL ? len : 0);
	}
	g_object_unref(mem);
}

/* Append the decoded text of obj and its children to d->text. The returned message and its
 * headers go to d->ret; a message/delivery-status part is kept whatever GMime made of it. */
static void add_part(decoded_t *d, GMimeObject *obj, int depth)
{
	if (obj == NULL || depth > MIME_DEPTH_MAX || d->text.oom || d->ret.oom) {
		return;
	}
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *type = ct ? g_mime_content_type_get_media_type(ct) : NULL;
	const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
	type = type ? type : "text";
	sub = sub ? sub : "plain";
	bool dsn = g_ascii_strcasecmp(type, "message") == 0 &&
		   (g_ascii_strcasecmp(sub, "delivery-status") == 0 ||
		    g_ascii_strcasecmp(sub, "global-delivery-status") == 0);
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n && i < 64; i++) {
			add_part(d, g_mime_multipart_get_part(mp, i), depth + 1);
		}
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		if (!dsn) {
			add_returned(d, obj); /* the returned message */
			return;
		}
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (m != NULL) {
			GMimeStream *mem = g_mime_stream_mem_new();
			g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, mem);
			add_stream(d, mem, false);
			g_object_unref(mem);
		}
		return;
	}
	if (!GMIME_IS_PART(obj)) {
		return;
	}
	bool text = g_ascii_strcasecmp(type, "text") == 0;
	if (text && g_ascii_strcasecmp(sub, "rfc822-headers") == 0) {
		add_returned(d, obj);
		return;
	}
	if (!text && !dsn) {
		return;
	}
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
	if (w == NULL) {
		return;
	}
	GMimeStream *mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(w, mem) >= 0) {
		add_stream(d, mem, text && g_ascii_strcasecmp(sub, "html") == 0);
	}
	g_object_unref(mem);
}

/* The input starts with a header block that makes it a message rather than pasted text. */
static bool looks_like_message(const char *t, size_t n)
{
	size_t i = 0;
	if (ci_starts(t, n, "from ")) { /* an mbox separator line */
		const char *nl = memchr(t, '\n', n);
		i = nl ? (size_t)(nl - t) + 1 : n;
	}
	bool first = true, found = false;
	while (i < n) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - t) : n;
		size_t len = e - i;
		if (len > 0 && t[i + len - 1] == '\r') {
			len--;
		}
		if (len == 0) {
			break; /* end of the header block */
		}
		if (t[i] == ' ' || t[i] == '\t') {
			if (first) {
				return false;
			}
		} else {
			size_t k = 0;
			while (k < len && t[i + k] > ' ' && t[i + k] < 127 && t[i + k] != ':') {
				k++;
			}
			if (k == 0 || k == len || t[i + k] != ':') {
				return false;
			}
			static const char *const marks[] = { "from:", "content-type:",
							     "mime-version:", "subject:" };
			for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
				if (k + 1 == strlen(marks[m]) && ci_starts(t + i, len, marks[m])) {
					found = true;
				}
			}
		}
		first = false;
		i = e + 1;
	}
	return found;
}

/* The decoded bounce message in data into d (empty when GMime finds nothing). */
static void message_text(const char *data, size_t len, decoded_t *d)
{
	pthread_once(&gmime_once, gmime_init);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (m == NULL) {
		return;
	}
	add_part(d, g_mime_message_get_mime_part(m), 0);
	g_object_unref(m);
}

/* ------------------------------------------------------------------------------------------ */
/* Lines, replies and the other facts of a notice. */

typedef struct {
	int code;
	char status[16];
	char text[REPLY_TEXT_MAX]; /* "550 5.7.1 joined text" */
	size_t len;
} reply_t;

typedef struct {
	const char *t;
	size_t n; /* the text read, the returned message cut off */
	reply_t *replies;
	size_t n_replies;
	char server[MAIL_BOUNCE_NAME_MAX];
	bool has_server_ip;
	ipbl_ipaddr_t server_ip;
	char recipient[MAIL_BOUNCE_NAME_MAX];
	char dsn_status[16];
} scan_t;

/* The line starting at t[i]: its end (without CR) and the start of the next line. */
static size_t line_end(const char *t, size_t n, size_t i, size_t *next)
{
	const char *nl = memchr(t + i, '\n', n - i);
	size_t e = nl ? (size_t)(nl - t) : n;
	*next = nl ? e + 1 : n;
	if (e > i && t[e - 1] == '\r') {
		e--;
	}
	return e;
}

/* Where the header block that starts t ends (after its blank line). */
static size_t header_end(const char *t, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t next;
		size_t e = line_end(t, n, i, &next);
		if (e == i) {
			return next;
		}
		i = next;
	}
	return n;
}

/* Where the returned message starts in t at or after from (n when it is not there). */
static size_t returned_message_start(const char *t, size_t n, size_t from)
{
	static const char *const marks[] = {
		"received:",
		"------ this is a copy of the message",
		"--- below this line is a copy of the message",
		"----- original message -----",
		"original message headers:",
		"content-type: message/rfc822",
		"content-type: text/rfc822-headers",
		"content-description: undelivered message",
		"------ original message ------",
		"----- unsent message follows -----",
		"----- original message follows -----",
		"--- undelivered message follows ---",
	};
	for (size_t i = from; i < n;) {
		size_t next;
		size_t e = line_end(t, n, i, &next);
		size_t s = i;
		while (s < e && (t[s] == ' ' || t[s] == '\t')) {
			s++;
		}
		for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
			/* "Received:" only at the very start of a line: a header, not prose */
			if (m == 0 ? ci_starts(t + i, e - i, marks[m])
				   : ci_starts(t + s, e - s, marks[m])) {
				return i;
			}
		}
		i = next;
	}
	return n;
}

/* An enhanced status code d.ddd.ddd at t[i] (RFC 3463); its length, 0 if none. */
static size_t status_at(const char *t, size_t n, size_t i, char out[16])
{
	if (i >= n || (t[i] != '2' && t[i] != '4' && t[i] != '5') || i + 1 >= n ||
	    t[i + 1] != '.') {
		return 0;
	}
	size_t j = i + 2, d1 = 0, d2 = 0;
	while (j < n && is_digit(t[j]) && d1 < 3) {
		j++;
		d1++;
	}
	if (d1 == 0 || j >= n || t[j] != '.') {
		return 0;
	}
	j++;
	while (j < n && is_digit(t[j]) && d2 < 3) {
		j++;
		d2++;
	}
	if (d2 == 0 || (j < n && (is_alnum(t[j]) || t[j] == '.'))) {
		return 0;
	}
	copy_text(out, 16, t + i, j - i);
	return j - i;
}

/* A reply code at t[i] of the line t[ls..e): three digits 4xx/5xx, not inside a number, in a
 * place a reply is quoted. *sep gets the character after it (' ', '-' or '\t'). */
static bool code_at(const char *t, size_t ls, size_t e, size_t i, int *code, char *sep)
{
	if (i + 3 > e || (t[i] != '4' && t[i] != '5') || t[i + 1] < '0' || t[i + 1] > '5' ||
	    !is_digit(t[i + 2])) {
		return false;
	}
	/* a wrapping MTA may end the line right after the code ("said: 550") */
	char c = i + 3 < e ? t[i + 3] : '\n';
	if (c != ' ' && c != '-' && c != '\t' && c != '\n') {
		return false;
	}
	if (i > ls && (is_alnum(t[i - 1]) || t[i - 1] == '.' || t[i - 1] == '-' ||
		       t[i - 1] == '+' || t[i - 1] == '/' || t[i - 1] == '_' || t[i - 1] == '#')) {
		return false;
	}
	char tmp[16];
	bool has_status = c != '\n' && status_at(t, e, i + 4, tmp) > 0;
	if (c == '-' && (i + 4 >= e || (!has_status && !is_alpha(t[i + 4]) && t[i + 4] != ' '))) {
		return false;
	}
	/* what comes before: nothing but quoting marks, or ':' ';' '(' or a quote */
	size_t k = i;
	while (k > ls && (t[k - 1] == ' ' || t[k - 1] == '\t')) {
		k--;
	}
	bool start = true;
	for (size_t j = ls; j < k; j++) {
		if (strchr("<>'\"([|", t[j]) == NULL) {
			start = false;
			break;
		}
	}
	bool after_mark = k > ls && strchr(":;'\"(", t[k - 1]) != NULL;
	if (!start && !after_mark && !has_status) {
		return false;
	}
	/* a line that is only a number is not a reply; "said: 550" at a line's end may be */
	size_t r = i + 3;
	while (r < e && (t[r] == ' ' || t[r] == '\t')) {
		r++;
	}
	if (r >= e && !(after_mark && k > ls && t[k - 1] == ':')) {
		return false;
	}
	*code = (t[i] - '0') * 100 + (t[i + 1] - '0') * 10 + (t[i + 2] - '0');
	*sep = c == '\n' ? ' ' : c;
	return true;
}

/* The first reply in the line t[ls..e): its position, or e. */
static size_t find_code(const char *t, size_t ls, size_t e, int *code, char *sep)
{
	for (size_t i = ls; i + 3 <= e; i++) {
		if ((t[i] == '4' || t[i] == '5') && code_at(t, ls, e, i, code, sep)) {
			return i;
		}
	}
	return e;
}

static void reply_add(reply_t *r, const char *s, size_t n)
{
	if (r->len > 0 && r->len + 1 < sizeof(r->text)) {
		r->text[r->len++] = ' ';
	}
	size_t room = sizeof(r->text) - 1 - r->len;
	size_t k = n < room ? n : room;
	copy_text(r->text + r->len, k + 1, s, k);
	r->len += k;
	r->text[r->len] = '\0';
}

/* After a code at t[i] (and an optional status): the text of this line part. */
static size_t skip_code(const char *t, size_t e, size_t i, char status[16])
{
	size_t j = i + 4 < e ? i + 4 : e;
	size_t sl = status_at(t, e, j, status);
	if (sl > 0) {
		j += sl;
	}
	while (j < e && (t[j] == ' ' || t[j] == '\t' || t[j] == '-')) {
		j++;
	}
	return j;
}

static size_t indent_of(const char *t, size_t ls, size_t e)
{
	size_t k = ls;
	while (k < e && (t[k] == ' ' || t[k] == '\t')) {
		k++;
	}
	return k - ls;
}

/* A line that starts something else, not the continuation of a reply. */
static bool starts_new_item(const char *t, size_t s, size_t e)
{
	if (s < e && t[s] == '<' && memchr(t + s, '>', e - s) != NULL) {
		return true; /* "<bob@example.net>: ..." */
	}
	size_t k = s;
	while (k < e && (is_alnum(t[k]) || t[k] == '-')) {
		k++;
	}
	return k > s && k < e && t[k] == ':' && memchr(t + s, '-', k - s) != NULL; /* a field */
}

/* Read the reply that starts at t[i] of the line [ls, e), with its continuation lines; returns
 * the position after the last line used. */
static size_t read_reply(const char *t, size_t n, size_t ls, size_t e, size_t next, size_t i,
			 int code, char sep, reply_t *r)
{
	reply_t body; /* the text after the code, joined; the code goes in front at the end */
	memset(r, 0, sizeof(*r));
	memset(&body, 0, sizeof(body));
	char status[16] = "";
	size_t j = skip_code(t, e, i, status);
	/* a reply quoted with a quote mark or a parenthesis ends at its closing mark */
	char open = 0;
	size_t k = i;
	while (k > ls && (t[k - 1] == ' ' || t[k - 1] == '\t')) {
		k--;
	}
	if (k > ls && (t[k - 1] == '\'' || t[k - 1] == '"')) {
		open = t[k - 1];
	}
	for (size_t x = ls; x < k && open == 0; x++) {
		/* "(reason: 554 ...)": a parenthesis left open before the code */
		if (t[x] == '(' && memchr(t + x, ')', k - x) == NULL) {
			open = '(';
		}
	}
	char quote = open == '(' ? 0 : open;
	size_t part_end = e;
	if (quote) {
		const char *q = j < e ? memchr(t + j, quote, e - j) : NULL;
		/* an apostrophe inside the text ("you're") is followed by a letter */
		while (q != NULL && (size_t)(q - t) + 1 < e && is_alpha(q[1])) {
			q = memchr(q + 1, quote, e - (size_t)(q - t) - 1);
		}
		if (q != NULL) {
			part_end = (size_t)(q - t);
		}
	}
	if (j < part_end) {
		reply_add(&body, t + j, part_end - j);
	}
	/* continuation lines are indented: more than an unindented first line, at least as
	 * much as an indented one (Postfix wraps "said:" replies at the same depth) */
	size_t ind = indent_of(t, ls, e);
	size_t min_ind = ind == 0 ? 1 : ind;
	size_t pos = next;
	bool more = sep == '-';
	for (int lines = 0; lines < CONT_LINES_MAX && pos < n && part_end == e; lines++) {
		size_t nx;
		size_t le = line_end(t, n, pos, &nx);
		size_t s = pos + indent_of(t, pos, le);
		if (s >= le) {
			break; /* a blank line ends it */
		}
		int c2;
		char sep2;
		if (code_at(t, s, le, s, &c2, &sep2)) {
			if (!more || c2 != code) {
				break;
			}
			char st2[16] = "";
			size_t j2 = skip_code(t, le, s, st2);
			if (status[0] == '\0') {
				memcpy(status, st2, sizeof(status));
			}
			reply_add(&body, t + j2, le - j2);
			more = sep2 == '-';
			pos = nx;
			continue;
		}
		if (more || indent_of(t, pos, le) < min_ind || starts_new_item(t, s, le)) {
			break;
		}
		if (body.len == 0 && status[0] == '\0') {
			/* "said: 450" then "    4.2.0 text" on the next line */
			size_t sl = status_at(t, le, s, status);
			s += sl;
			while (s < le && (t[s] == ' ' || t[s] == '\t')) {
				s++;
			}
		}
		pos = nx;
		if (quote) {
			const char *q = memchr(t + s, quote, le - s);
			if (q != NULL) {
				reply_add(&body, t + s, (size_t)(q - t) - s);
				break;
			}
		}
		reply_add(&body, t + s, le - s);
	}
	/* Postfix's own note after the reply is not part of it */
	size_t cut = ci_find(body.text, body.len, 0, " (in reply to ");
	if (cut < body.len) {
		body.len = cut;
	} else if (ci_starts(body.text, body.len, "(in reply to ")) {
		body.len = 0;
	}
	if (open == '(' && body.len > 0 && body.text[body.len - 1] == ')') {
		size_t n_open = 0, n_close = 0;
		for (size_t x = 0; x < body.len; x++) {
			n_open += body.text[x] == '(';
			n_close += body.text[x] == ')';
		}
		if (n_close > n_open) {
			body.len--; /* the ')' that closes "(reason: 554 ...)" */
		}
	}
	while (body.len > 0 &&
	       (body.text[body.len - 1] == ' ' || body.text[body.len - 1] == '\t')) {
		body.len--;
	}
	r->code = code;
	memcpy(r->status, status, sizeof(status));
	char head[32];
	int hl = snprintf(head, sizeof(head), "%d%s%s", code, status[0] ? " " : "", status);
	reply_add(r, head, (size_t)hl);
	if (body.len > 0) {
		reply_add(r, body.text, body.len);
	}
	return pos;
}

/* A host name or address at t[i..e) up to a space, '[', ']' or ':'; copied into out. */
static void take_host(const char *t, size_t i, size_t e, char *out, size_t cap)
{
	while (i < e && (t[i] == ' ' || t[i] == '\t' || t[i] == '[')) {
		i++;
	}
	size_t j = i;
	while (j < e &&
	       (is_dchar(t[j]) || t[j] == '.' || (t[j] == ':' && j + 1 < e && is_hex(t[j + 1])))) {
		j++;
	}
	while (j > i && t[j - 1] == '.') {
		j--;
	}
	if (j > i && memchr(t + i, '.', j - i) != NULL) {
		copy_lower(out, cap, t + i, j - i);
	}
}

/* The address in "[ip]" right after the host name of t[i..e), if any. */
static void take_bracket_ip(const char *t, size_t i, size_t e, scan_t *sc)
{
	if (i >= e) {
		return;
	}
	const char *lb = memchr(t + i, '[', e - i);
	if (lb == NULL || (size_t)(lb - t) > i + MAIL_BOUNCE_NAME_MAX) {
		return;
	}
	size_t p = (size_t)(lb - t) + 1;
	ipbl_ipaddr_t a;
	if (p < e && ip_token_at(t, e, p, &a) > 0) {
		sc->server_ip = a;
		sc->has_server_ip = true;
	}
}

/* An address written as <local@domain> or alone; copied into out when it looks like one. */
bool mail_bounce_address_at(const char *t, size_t i, size_t e, char *out, size_t cap)
{
	while (i < e && (t[i] == ' ' || t[i] == '\t' || t[i] == '<')) {
		i++;
	}
	size_t j = i;
	while (j < e && !is_space(t[j]) && t[j] != '>' && t[j] != '<' && t[j] != ';' &&
	       t[j] != ',' && t[j] != '(' && t[j] != ')' && t[j] != '"') {
		j++;
	}
	const char *at = j > i ? memchr(t + i, '@', j - i) : NULL;
	if (at == NULL || at == t + i || (size_t)(at - t) + 1 >= j || j - i >= cap) {
		return false; /* no address, or one too long to keep whole */
	}
	copy_text(out, cap, t + i, j - i);
	return true;
}

/* The line after the one that ends at t[e] starts, past its indent, with the lower-case lit. */
static bool next_line_starts(const char *t, size_t n, size_t e, const char *lit)
{
	size_t i = e < n && t[e] == '\r' ? e + 1 : e;
	if (i >= n || t[i] != '\n') {
		return false;
	}
	i++;
	while (i < n && (t[i] == ' ' || t[i] == '\t')) {
		i++;
	}
	return ci_starts(t + i, n - i, lit);
}

/* The facts of one line: DSN fields and the phrases that name the refusing server. */
static void scan_facts(scan_t *sc, const char *t, size_t ls, size_t e)
{
	size_t s = ls + indent_of(t, ls, e);
	size_t len = e - s;
	if (ci_starts(t + s, len, "remote-mta:") && sc->server[0] == '\0') {
		size_t v = s + 11;
		size_t semi = ci_find(t, e, v, ";");
		take_host(t, semi < e ? semi + 1 : v, e, sc->server, sizeof(sc->server));
		return;
	}
	if ((ci_starts(t + s, len, "final-recipient:") ||
	     ci_starts(t + s, len, "original-recipient:")) &&
	    sc->recipient[0] == '\0') {
		size_t semi = ci_find(t, e, s, ";");
		(void)mail_bounce_address_at(t, semi < e ? semi + 1 : s + 16, e, sc->recipient,
					     sizeof(sc->recipient));
		return;
	}
	if (ci_starts(t + s, len, "status:") && sc->dsn_status[0] == '\0') {
		size_t v = s + 7;
		while (v < e && (t[v] == ' ' || t[v] == '\t')) {
			v++;
		}
		status_at(t, e, v, sc->dsn_status);
		return;
	}
	/* Postfix: "<bob@example.net>: host mx.example.net[198.51.100.7] said: 550 ...", with
	 * "said:" wrapped onto the next line when the name is long */
	size_t h = ci_find(t, e, s, "host ");
	if (h < e && sc->server[0] == '\0' && (h == s || !is_alnum(t[h - 1]))) {
		size_t said = ci_find(t, e, h, " said:");
		bool exim = h == s; /* Exim: "host mx.example.net [198.51.100.7]" on its own line */
		if (said < e || exim || next_line_starts(t, sc->n, e, "said:")) {
			take_host(t, h + 5, e, sc->server, sizeof(sc->server));
			take_bracket_ip(t, h + 5, said < e ? said : e, sc);
		}
	}
	/* Sendmail: "... while talking to mx.example.net.:" */
	size_t w = ci_find(t, e, s, "while talking to ");
	if (w < e && sc->server[0] == '\0') {
		take_host(t, w + 17, e, sc->server, sizeof(sc->server));
	}
	/* qmail: "Connected to 198.51.100.7 but sender was rejected." */
	if (ci_starts(t + s, len, "connected to ") && sc->server[0] == '\0') {
		take_host(t, s + 13, e, sc->server, sizeof(sc->server));
		ipbl_ipaddr_t a;
		if (ip_token_at(t, e, s + 13, &a) > 0) {
			sc->server_ip = a;
			sc->has_server_ip = true;
		}
	}
	if (sc->recipient[0] == '\0') {
		if (s + 1 < e && t[s] == '<') {
			const char *gt = memchr(t + s, '>', e - s);
			if (gt != NULL && (size_t)(gt - t) + 1 < e && gt[1] == ':') {
				(void)mail_bounce_address_at(t, s, (size_t)(gt - t), sc->recipient,
							     sizeof(sc->recipient));
			}
		}
		size_t r = ci_find(t, e, s, "rcpt to:");
		if (r < e) {
			(void)mail_bounce_address_at(t, r + 8, e, sc->recipient,
						     sizeof(sc->recipient));
		}
	}
	/* "Your message to X couldn't be delivered", "couldn't be delivered to X because" */
	static const char *const intro[] = { "your message to ", "delivered to " };
	for (size_t m = 0; m < 2 && sc->recipient[0] == '\0'; m++) {
		size_t at = ci_find(t, e, s, intro[m]);
		if (at < e) {
			(void)mail_bounce_address_at(t, at + strlen(intro[m]), e, sc->recipient,
						     sizeof(sc->recipient));
		}
	}
	/* Exim and Exchange list each failed address alone on a line */
	if (sc->recipient[0] == '\0' && len > 0 && memchr(t + s, ' ', len) == NULL &&
	    memchr(t + s, '@', len) != NULL && t[e - 1] != ':') {
		(void)mail_bounce_address_at(t, s, e, sc->recipient, sizeof(sc->recipient));
	}
}

static void scan_text(scan_t *sc)
{
	const char *t = sc->t;
	size_t n = sc->n;
	for (size_t i = 0; i < n;) {
		size_t next;
		size_t e = line_end(t, n, i, &next);
		scan_facts(sc, t, i, e);
		int code;
		char sep;
		size_t at = find_code(t, i, e, &code, &sep);
		if (at < e && sc->n_replies < REPLIES_MAX) {
			reply_t *r = &sc->replies[sc->n_replies++];
			next = read_reply(t, n, i, e, next, at, code, sep, r);
		}
		i = next;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Blocklist evidence in a text. */

typedef struct {
	bool found;
	size_t pos; /* where the list is named */
	char zone[MAIL_BOUNCE_NAME_MAX];
	const mail_bounce_list_t *list;
	char list_name[MAIL_BOUNCE_NAME_MAX];
	bool ours;
	bool has_query_ip; /* the address of a queried name 4.3.2.1.ZONE */
	ipbl_ipaddr_t query_ip;
} evidence_t;

const mail_bounce_list_t *mail_bounce_list_find(const char *zone)
{
	if (zone == NULL) {
		return NULL;
	}
	size_t zl = strlen(zone);
	while (zl > 0 && zone[zl - 1] == '.') {
		zl--;
	}
	for (size_t i = 0; i < N_LISTS; i++) {
		if (lists[i].zone == NULL) {
			continue;
		}
		size_t l = strlen(lists[i].zone);
		if (zl < l || !ci_starts(zone + zl - l, l, lists[i].zone)) {
			continue;
		}
		if (zl == l || zone[zl - l - 1] == '.') {
			return &lists[i];
		}
	}
	return NULL;
}

/* What makes a list ours, prepared once from mail_bounce_ours_t: the zone in lower case
 * without a final dot, and base_url taken apart ("" when not given). */
typedef struct {
	char zone[MAIL_BOUNCE_NAME_MAX];
	char host[MAIL_BOUNCE_NAME_MAX]; /* lower case, a final dot dropped */
	char port[8];			 /* "8080", "" when the URL names none */
	char path[MAIL_BOUNCE_NAME_MAX]; /* "/dnsbl", "" for the root; no final '/' */
} ours_t;

/* zone (lower case) is our zone or a name under it. */
static bool is_ours(const char *zone, const ours_t *ours)
{
	size_t ol = strlen(ours->zone);
	size_t zl = strlen(zone);
	if (ol == 0 || zl < ol || memcmp(zone + zl - ol, ours->zone, ol) != 0) {
		return false;
	}
	return zl == ol || zone[zl - ol - 1] == '.';
}

static void evidence_zone(evidence_t *ev, const char *t, size_t at, const char *zone, size_t zl)
{
	ev->found = true;
	ev->pos = at;
	copy_lower(ev->zone, sizeof(ev->zone), zone, zl);
	while (ev->zone[0] && ev->zone[strlen(ev->zone) - 1] == '.') {
		ev->zone[strlen(ev->zone) - 1] = '\0';
	}
	ev->has_query_ip = query_ip_before(t, at, &ev->query_ip);
}

/* ------------------------------------------------------------------------------------------ */
/* Our own list: named by its zone, or by a link to our web pages ([web] base_url). */

/* A character that ends a link written in text. */
static bool url_stop(char c)
{
	return c == '\0' || is_space(c) || strchr("\"'<>()[],;", c) != NULL;
}

/* The parts of a link after its "//": host (an IPv6 literal without its brackets, a final dot
 * dropped), port ("" when none) and where the path starts. */
typedef struct {
	size_t host, host_end, port, port_end, path;
} url_parts_t;

/* Split the link whose authority starts at t[i]; false when it has no host or the host runs
 * on into something else ("bl.example.org@evil.example"). */
/* The longest "[...]" host of a link looked at: an IPv6 literal with a zone id is shorter. */
#define URL_BRACKET_MAX 64

static bool url_split(const char *t, size_t n, size_t i, url_parts_t *u)
{
	size_t j = i;
	u->host = i;
	if (j < n && t[j] == '[') {
		/* an IPv6 literal is short: looking further made text full of "http://[" take
		 * quadratic time */
		size_t span = n - j < URL_BRACKET_MAX ? n - j : URL_BRACKET_MAX;
		const char *rb = memchr(t + j, ']', span);
		if (rb == NULL) {
			return false;
		}
		u->host = j + 1;
		u->host_end = (size_t)(rb - t);
		j = u->host_end + 1;
	} else {
		while (j < n && (is_dchar(t[j]) || t[j] == '.')) {
			j++;
		}
		u->host_end = j;
		while (u->host_end > u->host && t[u->host_end - 1] == '.') {
			u->host_end--;
		}
	}
	u->port = u->port_end = j;
	if (j < n && t[j] == ':') {
		u->port = ++j;
		while (j < n && is_digit(t[j])) {
			j++;
		}
		u->port_end = j;
	}
	u->path = j;
	return u->host_end > u->host && (j >= n || strchr("/?#", t[j]) != NULL || url_stop(t[j]));
}

static void ours_prepare(const mail_bounce_ours_t *in, ours_t *o)
{
	memset(o, 0, sizeof(*o));
	if (in == NULL) {
		return;
	}
	if (in->zone != NULL) {
		size_t zl = strlen(in->zone);
		while (zl > 0 && in->zone[zl - 1] == '.') {
			zl--;
		}
		copy_lower(o->zone, sizeof(o->zone), in->zone, zl);
	}
	const char *b = in->base_url;
	const char *sep = b != NULL ? strstr(b, "://") : NULL;
	size_t n = sep != NULL ? strlen(b) : 0;
	url_parts_t u;
	if (sep == NULL || !url_split(b, n, (size_t)(sep - b) + 3, &u)) {
		return;
	}
	copy_lower(o->host, sizeof(o->host), b + u.host, u.host_end - u.host);
	copy_text(o->port, sizeof(o->port), b + u.port, u.port_end - u.port);
	size_t pe = u.path;
	while (pe < n && b[pe] != '?' && b[pe] != '#') {
		pe++;
	}
	while (pe > u.path && b[pe - 1] == '/') {
		pe--;
	}
	copy_text(o->path, sizeof(o->path), b + u.path, pe - u.path);
}

/* The link split in u points to our web pages: the same host (any case) and port, and a path
 * under ours. */
static bool url_is_ours(const char *t, size_t n, const url_parts_t *u, const ours_t *o)
{
	size_t hl = u->host_end - u->host, pl = u->port_end - u->port, ol = strlen(o->path);
	if (hl != strlen(o->host) || !ci_starts(t + u->host, hl, o->host) ||
	    pl != strlen(o->port) || memcmp(t + u->port, o->port, pl) != 0) {
		return false;
	}
	if (ol == 0) {
		return true;
	}
	if (n - u->path < ol || memcmp(t + u->path, o->path, ol) != 0) {
		return false;
	}
	size_t e = u->path + ol;
	return e >= n || strchr("/?#", t[e]) != NULL || url_stop(t[e]) ||
	       (t[e] == '.' && (e + 1 >= n || url_stop(t[e + 1])));
}

/* t[at] is inside a link, past its host: in the path, query or fragment of some site's
 * address ("http://evil.example/?x=bl.example.org"), which names nothing by itself. */
static bool in_url_tail(const char *t, size_t at)
{
	size_t k = at;
	while (k > 0 && !url_stop(t[k - 1]) && at - k < 512) {
		k--;
	}
	size_t sep = ci_find(t, at, k, "://");
	if (sep >= at) {
		return false;
	}
	size_t h = sep + 3;
	while (h < at && strchr("/?#", t[h]) == NULL) {
		h++;
	}
	return h < at;
}

/* The first link to our web pages in t[0..n): where its scheme starts, or n. */
static size_t find_our_url(const char *t, size_t n, const ours_t *o)
{
	if (o->host[0] == '\0') {
		return n;
	}
	for (size_t at = ci_find(t, n, 0, "://"); at < n; at = ci_find(t, n, at + 1, "://")) {
		size_t s = at;
		while (s > 0 && is_alpha(t[s - 1]) && at - s < 8) {
			s--;
		}
		bool web = ((at - s == 4 && ci_starts(t + s, 4, "http")) ||
			    (at - s == 5 && ci_starts(t + s, 5, "https"))) &&
			   !in_url_tail(t, s);
		url_parts_t u;
		if (web && url_split(t, n, at + 3, &u) && url_is_ours(t, n, &u, o)) {
			return s;
		}
	}
	return n;
}

/* Our list named in t[0..n): our zone or a name under it (not inside another site's link),
 * else a link to our web pages. Fills ev and returns true when found. */
static bool find_ours(const char *t, size_t n, const ours_t *o, evidence_t *ev)
{
	size_t at = n;
	if (o->zone[0] != '\0') {
		at = find_name(t, n, 0, o->zone);
		while (at < n && in_url_tail(t, at)) {
			at = find_name(t, n, at + 1, o->zone);
		}
	}
	if (at < n) {
		evidence_zone(ev, t, at, o->zone, strlen(o->zone));
	} else if ((at = find_our_url(t, n, o)) < n) {
		ev->found = true;
		ev->pos = at;
	} else {
		return false;
	}
	ev->ours = true;
	return true;
}

/* A domain (at least two labels, the last alphabetic) at t[i..]: its length, 0 if none. */
static size_t domain_at(const char *t, size_t n, size_t i)
{
	size_t j = i, dots = 0;
	while (j < n && j - i < MAIL_BOUNCE_NAME_MAX - 1 && (is_dchar(t[j]) || t[j] == '.')) {
		dots += t[j] == '.';
		j++;
	}
	while (j > i && (t[j - 1] == '.' || t[j - 1] == '-')) {
		j--;
		dots -= t[j] == '.';
	}
	if (dots == 0 || (j < n && t[j] == ':' && j + 2 < n && t[j + 1] == '/')) {
		return 0; /* a bare word, or a URL scheme */
	}
	size_t last = j;
	while (last > i && t[last - 1] != '.') {
		last--;
	}
	if (j - last < 2) {
		return 0;
	}
	for (size_t k = last; k < j; k++) {
		if (!is_alpha(t[k])) {
			return 0;
		}
	}
	for (size_t k = i + 1; k < j; k++) {
		if (t[k] == '.' && t[k - 1] == '.') {
			return 0;
		}
	}
	return j - i;
}

/* The phrases that introduce a list's name in a refusal. */
static const char *const phrases[] = {
	"blocked using ",
	"listed at ",
	"listed in ",
	"listed on ",
	"listed by ",
	"listed with ",
	"blacklisted at ",
	"blacklisted by ",
	"blacklisted in ",
	"blacklisted on ",
	"blocklisted at ",
	"blocklisted by ",
	"blocklisted in ",
	"blocklisted on ",
	"dnsbl ",
	"dnsbl: ",
	"rbl ",
	"rbl: ",
	"blocked by ",
	"rejected by dnsbl ",
	"found on dnsbl ",
	"found in dnsbl ",
	"rbl=",
	"dnsbl=",
	"listed on dnsbl ",
	"listed on the rbl ",
};

/* A list introduced by a phrase at or after from; fills ev and returns true when found. */
static bool phrase_list(const char *t, size_t n, const ours_t *ours, evidence_t *ev)
{
	size_t best = n;
	evidence_t found = { 0 };
	for (size_t p = 0; p < sizeof(phrases) / sizeof(phrases[0]); p++) {
		size_t from = 0;
		for (int tries = 0; tries < 64; tries++) {
			size_t at = ci_find(t, n, from, phrases[p]);
			if (at >= n || at >= best) {
				break;
			}
			from = at + 1;
			if (at > 0 && is_alpha(t[at - 1])) {
				continue;
			}
			size_t v = at + strlen(phrases[p]);
			while (v < n && strchr(" \t\"'(<[", t[v]) != NULL && v - at < 64) {
				v++;
			}
			size_t dl = domain_at(t, n, v);
			bool generic = strcmp(phrases[p], "blocked by ") == 0;
			if (dl > 0 && !generic) {
				/* "4.3.2.1.dnsbl.example.com": the address is not part of the zone
				 */
				size_t z = v;
				ipbl_ipaddr_t qip = { 0 };
				bool has_qip = false;
				for (size_t k = v; k < v + dl; k++) {
					if (t[k] == '.' && query_ip_before(t, k + 1, &qip)) {
						/* a zone start after the address labels */
						z = k + 1;
						has_qip = true;
						break;
					}
					if (k - v > 70) {
						break;
					}
				}
				if (domain_at(t, n, z) == 0) {
					continue;
				}
				memset(&found, 0, sizeof(found));
				found.found = true;
				found.pos = at;
				copy_lower(found.zone, sizeof(found.zone), t + z, dl - (z - v));
				found.has_query_ip = has_qip;
				found.query_ip = qip;
				found.list = mail_bounce_list_find(found.zone);
				found.ours = is_ours(found.zone, ours);
				best = at;
				break;
			}
			/* a bare word: the owner of a well-known list ("blocked using Spamhaus") */
			size_t w = v;
			while (w < n && w - v < 32 && is_dchar(t[w])) {
				w++;
			}
			for (size_t i = 0; i < N_LISTS && w > v; i++) {
				size_t ol = strlen(lists[i].owner);
				if (ol == w - v && ipbl_str_eq_nocase((ipbl_str_t){ t + v, ol },
								      ipbl_str(lists[i].owner))) {
					memset(&found, 0, sizeof(found));
					found.found = true;
					found.pos = at;
					found.list = &lists[i];
					best = at;
					break;
				}
			}
			if (best == at) {
				break;
			}
		}
	}
	if (!found.found) {
		return false;
	}
	*ev = found;
	return true;
}

/* The blocklist named in t[0..n). allow_site: a list operator's web site counts too (in a
 * refusing reply, a link to spamhaus.org means Spamhaus refused it). */
static void find_evidence(const char *t, size_t n, const ours_t *ours, bool allow_site,
			  evidence_t *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (find_ours(t, n, ours, ev)) {
		return;
	}
	size_t best = n;
	for (size_t i = 0; i < N_LISTS; i++) {
		if (lists[i].zone == NULL) {
			continue;
		}
		size_t at = find_name(t, n, 0, lists[i].zone);
		if (at < best) {
			best = at;
			evidence_zone(ev, t, at, lists[i].zone, strlen(lists[i].zone));
			ev->list = &lists[i];
		}
	}
	if (ev->found) {
		return;
	}
	if (phrase_list(t, n, ours, ev)) {
		if (ev->list != NULL && ev->zone[0] == '\0') {
			copy_text(ev->list_name, sizeof(ev->list_name), ev->list->owner,
				  strlen(ev->list->owner));
		}
		return;
	}
	if (!allow_site) {
		return;
	}
	for (size_t i = 0; i < N_LISTS; i++) {
		size_t at = find_name(t, n, 0, lists[i].site);
		if (at < best) {
			best = at;
			ev->found = true;
			ev->pos = at;
			ev->list = &lists[i];
			const char *nm = lists[i].zone ? lists[i].owner : lists[i].name;
			copy_text(ev->list_name, sizeof(ev->list_name), nm, strlen(nm));
		}
	}
}

/* Words in a refusal that mean a blocklist, even when it is not named. */
static bool mentions_blocklist(const char *t, size_t n)
{
	static const char *const words[] = { "blacklist",	 "blocklist", "block list",
					     "black list",	 "dnsbl",     "rbl",
					     "realtime block",	 "listed at", "listed in",
					     "banned sending ip" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t at = ci_find(t, n, 0, words[i]);
		while (at < n) {
			size_t e = at + strlen(words[i]);
			/* a word of its own (or the start of one: "blacklisted") */
			if ((at == 0 || !is_alpha(t[at - 1])) &&
			    (strlen(words[i]) > 3 || e >= n || !is_alpha(t[e]))) {
				return true;
			}
			at = ci_find(t, n, at + 1, words[i]);
		}
	}
	return false;
}

/* The address the refusing server blamed in t[0..n): scored, best first (see DESIGN). */
static bool choose_ip(const char *t, size_t n, const scan_t *sc, const evidence_t *ev,
		      ipbl_ipaddr_t *out)
{
	if (ev != NULL && ev->has_query_ip) {
		*out = ev->query_ip;
		return true;
	}
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		if (!ip_char(t[i]) || t[i] == '.') {
			continue;
		}
		ipbl_ipaddr_t a;
		size_t len = ip_token_at(t, n, i, &a);
		if (len == 0) {
			continue;
		}
		if (sc->has_server_ip && ipbl_ipaddr_eq(&a, &sc->server_ip)) {
			i += len - 1;
			continue;
		}
		int score = 0;
		/* inside a URL: the run of non-space characters before it holds "://" */
		size_t k = i;
		while (k > 0 && !is_space(t[k - 1]) && i - k < 256) {
			k--;
		}
		if (ci_find(t, i, k, "://") < i) {
			score += 2;
		}
		size_t w = i > 24 ? i - 24 : 0;
		if (ci_find(t, i, w, "client") < i || ci_find(t, i, w, "address") < i ||
		    ci_find(t, i, w, "ip") < i || ci_find(t, i, w, "sender") < i) {
			score += 1;
		}
		if (score > best) {
			best = score;
			*out = a;
		}
		i += len - 1;
	}
	return best >= 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Kinds. */

static bool status_is(const char *status, const char *want)
{
	/* "5.1.1" matches want "x.1.1"; the class digit is ignored */
	return status[0] != '\0' && strcmp(status + 1, want + 1) == 0;
}

static bool any_of(const char *t, size_t n, const char *const *words, size_t n_words)
{
	for (size_t i = 0; i < n_words; i++) {
		if (ci_contains(t, n, words[i])) {
			return true;
		}
	}
	return false;
}

#define ANY_OF(t, n, words) any_of(t, n, words, sizeof(words) / sizeof(words[0]))

/* Words that tell a kind, in a reply or in prose. */
static const char *const bad_domain_words[] = {
	"host or domain name not found", "domain not found", "name service error",
	"unrouteable mail domain",	 "no mx record",     "domain does not exist",
	"domain name not found",	 "no such domain",   "dns type 'mx' lookup"
};
static const char *const unknown_user_words[] = { "user unknown",
						  "unknown user",
						  "no such user",
						  "does not exist",
						  "recipient not found",
						  "unknown recipient",
						  "invalid recipient",
						  "mailbox not found",
						  "no such mailbox",
						  "recipientnotfound",
						  "address couldn't be found",
						  "not a valid mailbox",
						  "no mailbox here",
						  "user not found",
						  "account does not exist",
						  "mailbox unavailable",
						  "does not like recipient",
						  "unknown local part",
						  "unrouteable address",
						  "address rejected: user",
						  "no such recipient" };
static const char *const full_words[] = { "mailbox full",	  "mailbox is full",
					  "over quota",		  "quota exceeded",
					  "exceeded storage",	  "exceeds its quota",
					  "out of storage space", "storage allocation" };
static const char *const large_words[] = { "too large",		  "too big",
					   "size limit",	  "message size exceeds",
					   "exceeds the maximum", "exceeds size" };
static const char *const auth_words[] = { "spf", "dkim", "dmarc", "unauthenticated",
					  "sender policy framework" };
static const char *const spam_words[] = { "spam", "junk", "unsolicited", "bulk mail", "phish" };

/* The first of words found in t[0..n): its position, or n. */
static size_t first_of(const char *t, size_t n, const char *const *words, size_t n_words)
{
	size_t best = n;
	for (size_t i = 0; i < n_words; i++) {
		size_t at = ci_find(t, n, 0, words[i]);
		best = at < best ? at : best;
	}
	return best;
}

#define FIRST_OF(t, n, words) first_of(t, n, words, sizeof(words) / sizeof(words[0]))

/* Prose with no reply in it: *pos gets where the words that tell the kind are. */
static enum mail_bounce_kind classify_prose(const char *t, size_t n, size_t *pos)
{
	struct {
		enum mail_bounce_kind kind;
		size_t at;
	} found[] = {
		{ MAIL_BOUNCE_BAD_DOMAIN, FIRST_OF(t, n, bad_domain_words) },
		{ MAIL_BOUNCE_UNKNOWN_USER, FIRST_OF(t, n, unknown_user_words) },
		{ MAIL_BOUNCE_MAILBOX_FULL, FIRST_OF(t, n, full_words) },
		{ MAIL_BOUNCE_TOO_LARGE, FIRST_OF(t, n, large_words) },
	};
	for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
		if (found[i].at < n) {
			*pos = found[i].at;
			return found[i].kind;
		}
	}
	return MAIL_BOUNCE_NONE;
}

static enum mail_bounce_kind classify(const char *t, size_t n, int code, const char *status)
{
	if (status_is(status, "x.1.2") || ANY_OF(t, n, bad_domain_words)) {
		return MAIL_BOUNCE_BAD_DOMAIN;
	}
	if (status_is(status, "x.1.1") || status_is(status, "x.1.10") ||
	    status_is(status, "x.1.6") || ANY_OF(t, n, unknown_user_words)) {
		return MAIL_BOUNCE_UNKNOWN_USER;
	}
	if (status_is(status, "x.2.2") || ANY_OF(t, n, full_words)) {
		return MAIL_BOUNCE_MAILBOX_FULL;
	}
	if (status_is(status, "x.3.4") || status_is(status, "x.2.3") || ANY_OF(t, n, large_words)) {
		return MAIL_BOUNCE_TOO_LARGE;
	}
	bool auth_status = false;
	for (int d = 20; d <= 27; d++) {
		char want[16];
		snprintf(want, sizeof(want), "x.7.%d", d);
		auth_status = auth_status || status_is(status, want);
	}
	if (auth_status || ANY_OF(t, n, auth_words)) {
		return MAIL_BOUNCE_AUTH;
	}
	if ((code >= 400 && code < 500) || status[0] == '4') {
		return MAIL_BOUNCE_TEMPORARY;
	}
	if (ANY_OF(t, n, spam_words)) {
		return MAIL_BOUNCE_SPAM;
	}
	return MAIL_BOUNCE_OTHER;
}

/* ------------------------------------------------------------------------------------------ */

/* The qmail style "(#5.7.1)" status inside a reply. */
static void hash_status(const char *t, size_t n, char out[16])
{
	for (size_t at = ci_find(t, n, 0, "#"); at < n; at = ci_find(t, n, at + 1, "#")) {
		if (status_at(t, n, at + 1, out) > 0) {
			return;
		}
	}
}

static void fill_from_evidence(mail_bounce_t *out, const evidence_t *ev)
{
	out->kind = MAIL_BOUNCE_BLOCKLIST;
	memcpy(out->zone, ev->zone, sizeof(out->zone));
	out->list = ev->ours ? NULL : ev->list;
	out->ours = ev->ours;
	if (ev->list_name[0]) {
		memcpy(out->list_name, ev->list_name, sizeof(out->list_name));
	} else if (out->list != NULL) {
		copy_text(out->list_name, sizeof(out->list_name), out->list->name,
			  strlen(out->list->name));
	}
}

/* The paragraph around t[pos]: the lines from the blank line before to the blank line after,
 * at most about 1 KiB each way. */
static void paragraph_of(const char *t, size_t n, size_t pos, size_t *ps, size_t *pe)
{
	size_t s = pos;
	while (s > 0 && t[s - 1] != '\n') {
		s--;
	}
	while (s > 0 && pos - s < 1024) {
		/* the line before s: [b, s - 1) */
		size_t b = s - 1;
		while (b > 0 && t[b - 1] != '\n') {
			b--;
		}
		size_t next;
		size_t le = line_end(t, n, b, &next);
		if (indent_of(t, b, le) == le - b) {
			break;
		}
		s = b;
	}
	size_t e = pos;
	while (e > 0 && t[e - 1] != '\n') {
		e--; /* the start of pos's line */
	}
	while (e < n && (e < pos || e - pos < 1024)) {
		size_t next;
		size_t le = line_end(t, n, e, &next);
		if (indent_of(t, e, le) == le - e) {
			break;
		}
		e = le < n ? next : n;
		if (le >= n) {
			e = n;
			break;
		}
	}
	*ps = s;
	*pe = e < n ? e : n;
}

/* A paragraph of prose as one line: white space runs become one space. */
static void copy_paragraph(char *dst, size_t cap, const char *s, size_t n)
{
	size_t k = 0;
	bool space = true; /* drops leading white space */
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		if (is_space(s[i])) {
			if (!space) {
				dst[k++] = ' ';
			}
			space = true;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		dst[k++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
		space = false;
	}
	while (k > 0 && dst[k - 1] == ' ') {
		k--;
	}
	dst[k] = '\0';
}

static void analyse(scan_t *sc, const ours_t *ours, mail_bounce_t *out)
{
	scan_text(sc);
	memcpy(out->server, sc->server, sizeof(out->server));
	memcpy(out->recipient, sc->recipient, sizeof(out->recipient));

	/* the reply that names a list, else the first permanent one, else the first */
	const reply_t *chosen = NULL;
	evidence_t ev = { 0 };
	for (size_t i = 0; i < sc->n_replies && chosen == NULL; i++) {
		find_evidence(sc->replies[i].text, sc->replies[i].len, ours, true, &ev);
		if (ev.found) {
			chosen = &sc->replies[i];
		}
	}
	for (size_t i = 0; i < sc->n_replies && chosen == NULL; i++) {
		if (sc->replies[i].code >= 500) {
			chosen = &sc->replies[i];
		}
	}
	if (chosen == NULL && sc->n_replies > 0) {
		chosen = &sc->replies[0];
	}
	if (chosen != NULL) {
		out->smtp_code = chosen->code;
		memcpy(out->status, chosen->status, sizeof(out->status));
		if (out->status[0] == '\0') {
			hash_status(chosen->text, chosen->len, out->status);
		}
		copy_text(out->reply, sizeof(out->reply), chosen->text, chosen->len);
		out->has_ip =
			choose_ip(chosen->text, chosen->len, sc, ev.found ? &ev : NULL, &out->ip);
	}
	if (out->status[0] == '\0') {
		memcpy(out->status, sc->dsn_status, sizeof(out->status));
	}
	if (ev.found) {
		fill_from_evidence(out, &ev);
		/* the same refusal quoted again may carry the address this copy lacks */
		for (size_t i = 0; i < sc->n_replies && !out->has_ip; i++) {
			evidence_t ev2;
			find_evidence(sc->replies[i].text, sc->replies[i].len, ours, true, &ev2);
			if (ev2.found && strcmp(ev2.zone, ev.zone) == 0) {
				out->has_ip = choose_ip(sc->replies[i].text, sc->replies[i].len, sc,
							&ev2, &out->ip);
			}
		}
	} else if (chosen != NULL && mentions_blocklist(chosen->text, chosen->len)) {
		out->kind = MAIL_BOUNCE_BLOCKLIST;
	} else {
		/* prose that names a list without quoting a reply ("... blocked using Z") */
		evidence_t pv;
		find_evidence(sc->t, sc->n, ours, false, &pv);
		if (pv.found && (chosen == NULL || chosen->code >= 500)) {
			fill_from_evidence(out, &pv);
			size_t ps, pe;
			paragraph_of(sc->t, sc->n, pv.pos, &ps, &pe);
			if (chosen == NULL) {
				copy_paragraph(out->reply, sizeof(out->reply), sc->t + ps, pe - ps);
			}
			if (!out->has_ip) {
				out->has_ip = choose_ip(sc->t + ps, pe - ps, sc, &pv, &out->ip);
			}
		} else if (chosen != NULL) {
			out->kind = classify(chosen->text, chosen->len, chosen->code, out->status);
		} else {
			size_t at = sc->n;
			out->kind = classify_prose(sc->t, sc->n, &at);
			if (out->kind != MAIL_BOUNCE_NONE) {
				size_t ps, pe;
				paragraph_of(sc->t, sc->n, at, &ps, &pe);
				copy_paragraph(out->reply, sizeof(out->reply), sc->t + ps, pe - ps);
			} else if (out->status[0] == '5' || out->status[0] == '4') {
				out->kind = classify("", 0, 0, out->status);
			}
		}
	}
	if (out->kind == MAIL_BOUNCE_NONE) {
		out->has_ip = false;
		out->server[0] = '\0';
		out->recipient[0] = '\0';
		out->reply[0] = '\0';
		out->status[0] = '\0';
		out->smtp_code = 0;
	}
	out->permanent =
		out->kind != MAIL_BOUNCE_NONE && (out->smtp_code >= 500 || out->status[0] == '5' ||
						  (out->smtp_code == 0 && out->status[0] == '\0'));
}

/* Read the bounce text t[0..n) into *out; returns where the returned message starts in it. */
static size_t run(const char *t, size_t n, const ours_t *ours, reply_t *replies, mail_bounce_t *out)
{
	memset(out, 0, sizeof(*out));
	scan_t sc = { 0 };
	sc.t = t;
	/* the notice's own header block holds Received fields of its own delivery */
	sc.n = returned_message_start(t, n, looks_like_message(t, n) ? header_end(t, n) : 0);
	sc.replies = replies;
	analyse(&sc, ours, out);
	return sc.n;
}

/* Who sent the refused mail (blocklist refusals only): from ret[0..ret_len), the returned
 * message, and the notice's own header block when data is a whole message. */
static int sender_of(const char *data, size_t len, const char *ret, size_t ret_len,
		     mail_bounce_t *out)
{
	if (out->kind != MAIL_BOUNCE_BLOCKLIST) {
		return 0;
	}
	size_t notice_len = looks_like_message(data, len) ? header_end(data, len) : 0;
	return mail_bounce_sender_decide(ret, ret_len, notice_len ? data : NULL, notice_len, out);
}

/* A whole message: read what GMime decodes of it into *out (kind NONE when nothing). */
static int parse_message(const char *data, size_t len, const ours_t *ours, reply_t *replies,
			 mail_bounce_t *out)
{
	decoded_t d = { 0 };
	int ret = 0;
	message_text(data, len, &d);
	if (d.text.oom || d.ret.oom) {
		ret = IPBL_ENOMEM;
		goto out;
	}
	if (d.text.len > 0) {
		size_t cut = run(d.text.p, d.text.len, ours, replies, out);
		if (d.ret.len > 0) {
			ret = sender_of(data, len, d.ret.p, d.ret.len, out);
		} else {
			ret = sender_of(data, len, d.text.p + cut, d.text.len - cut, out);
		}
	}
out:
	free(d.text.p);
	free(d.ret.p);
	return ret;
}

int mail_bounce_parse(const char *data, size_t len, const mail_bounce_ours_t *ours_in,
		      mail_bounce_t *out)
{
	memset(out, 0, sizeof(*out));
	if (data == NULL) {
		return 0;
	}
	reply_t *replies = calloc(REPLIES_MAX, sizeof(*replies));
	if (replies == NULL) {
		return IPBL_ENOMEM;
	}
	ours_t ours;
	ours_prepare(ours_in, &ours);
	int ret = 0;
	if (looks_like_message(data, len)) {
		ret = parse_message(data, len, &ours, replies, out);
		if (ret != 0 || out->kind != MAIL_BOUNCE_NONE) {
			goto out;
		}
	}
	/* pasted text, or a message GMime found nothing in: read it as it is */
	size_t cut = run(data, len, &ours, replies, out);
	ret = sender_of(data, len, data + cut, len - cut, out);
out:
	free(replies);
	return ret;
}
