/* SPDX-License-Identifier: BSD-2-Clause */
/* Which message is the spam (corpus README rule 1) and its Received fields, with GMime 3. */
#include "mail/message.h"
#include "mail/message_internal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#define MAX_FIELDS 1024

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init(void)
{
	g_mime_init();
}

void mail_gmime_init(void)
{
	pthread_once(&gmime_once, gmime_init);
}

static GMimeMessage *parse_message(GMimeStream *stream)
{
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	return m;
}

static GMimeMessage *parse_bytes(const char *data, size_t len)
{
	mail_gmime_init();
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeMessage *m = parse_message(stream);
	g_object_unref(stream);
	return m;
}

/* Length of the top-level header block: through the first empty line (LF or CRLF), or len
 * when there is none. GMime given only these bytes sees exactly the header it would see in
 * the whole message, and an empty body. */
static size_t header_block_len(const char *data, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		if (nl == NULL) {
			return len;
		}
		size_t next = (size_t)(nl - data) + 1;
		if (next < len && data[next] == '\n') {
			return next + 1;
		}
		if (next + 1 < len && data[next] == '\r' && data[next + 1] == '\n') {
			return next + 2;
		}
		i = next;
	}
	return len;
}

static bool prefix_nocase(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);
	return len >= n && g_ascii_strncasecmp(s, w, n) == 0;
}

/* Could a part of this body be the spam (rule 1)? True when some line is a Content-Type field
 * whose value (with its continuation lines) names rfc822: message/rfc822 or
 * text/rfc822-headers, at any depth. A superset of what spam_of can find, so a false answer
 * means the whole-message parse would give the top-level header too. */
static bool body_may_carry_message(const char *body, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(body + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - body) : len;
		if (prefix_nocase(body + i, end - i, "content-type")) {
			size_t k = i + 12;
			while (k < end && (body[k] == ' ' || body[k] == '\t')) {
				k++;
			}
			if (k < end && body[k] == ':') {
				/* the field value runs on while the next line starts with white
				 * space */
				size_t vend = end;
				while (vend + 1 < len &&
				       (body[vend + 1] == ' ' || body[vend + 1] == '\t')) {
					const char *more =
						memchr(body + vend + 1, '\n', len - vend - 1);
					vend = more ? (size_t)(more - body) : len;
				}
				for (size_t j = k; j + 6 <= vend; j++) {
					if (prefix_nocase(body + j, vend - j, "rfc822")) {
						return true;
					}
				}
				end = vend;
			}
		}
		i = end + 1;
	}
	return false;
}

/* The message carried by a top-level part, or NULL. A message/rfc822 part that GMime kept as a
 * leaf (an encoded one), or a text/rfc822-headers part, is decoded and parsed; the caller
 * unrefs the result. */
static GMimeMessage *attached_message(GMimeObject *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	/* RFC 5965 lets an ARF report carry the spam's header alone, as text/rfc822-headers */
	if (ct == NULL || !(g_mime_content_type_is_type(ct, "message", "rfc822") ||
			    g_mime_content_type_is_type(ct, "text", "rfc822-headers"))) {
		return NULL;
	}
	if (GMIME_IS_MESSAGE_PART(part)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
		if (m != NULL) {
			g_object_ref(m);
		}
		return m;
	}
	if (!GMIME_IS_PART(part)) {
		return NULL;
	}
	GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(part));
	if (content == NULL) {
		return NULL;
	}
	GMimeStream *mem = g_mime_stream_mem_new();
	GMimeMessage *m = NULL;
	if (g_mime_data_wrapper_write_to_stream(content, mem) >= 0) {
		g_mime_stream_seek(mem, 0, GMIME_STREAM_SEEK_SET);
		m = parse_message(mem);
	}
	g_object_unref(mem);
	return m;
}

GMimeMessage *mail_gmime_parse(const char *data, size_t len)
{
	return parse_bytes(data, len);
}

GMimeMessage *mail_gmime_attached(GMimeMessage *m)
{
	GMimeObject *body = g_mime_message_get_mime_part(m);
	if (body != NULL && GMIME_IS_MULTIPART(body)) {
		GMimeMultipart *mp = GMIME_MULTIPART(body);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++) {
			GMimeMessage *inner = attached_message(g_mime_multipart_get_part(mp, i));
			if (inner != NULL) {
				return inner;
			}
		}
	}
	return NULL;
}

/* The spam: the first top-level message/rfc822 part's message, else m (a new reference). */
static GMimeMessage *spam_of(GMimeMessage *m, int *attached)
{
	GMimeMessage *inner = mail_gmime_attached(m);
	*attached = inner != NULL;
	if (inner != NULL) {
		return inner;
	}
	g_object_ref(m);
	return m;
}

/* Unfold raw[0..n): drop CR and LF (a fold is CRLF followed by white space, which stays), and
 * trim. Stops at a NUL byte, as the GMime value would. */
static char *unfold(const char *raw, size_t n)
{
	const char *nul = memchr(raw, '\0', n);
	if (nul != NULL) {
		n = (size_t)(nul - raw);
	}
	while (n > 0 && (*raw == ' ' || *raw == '\t' || *raw == '\r' || *raw == '\n')) {
		raw++;
		n--;
	}
	char *out = malloc(n + 1);
	if (out == NULL) {
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (raw[i] != '\r' && raw[i] != '\n') {
			out[k++] = raw[i];
		}
	}
	while (k > 0 && (out[k - 1] == ' ' || out[k - 1] == '\t')) {
		k--;
	}
	out[k] = '\0';
	return out;
}

/* The fast reader of a plain header block: "Name: value" fields, continuation lines starting
 * with white space, nothing else. It refuses (returns false) anything it might read otherwise
 * than GMime does (a NUL byte, a line that is neither a field nor a continuation, an mbox
 * "From " line, white space before the colon, several Content-Type fields, a Content-Type
 * value starting with a comment), and the caller then lets GMime read the whole message.
 * *multipart tells whether the top-level Content-Type is multipart/... */
typedef struct {
	const char *name; /* points into the block */
	size_t name_len;
	const char *value; /* from just after the colon to the end of the last continuation */
	size_t value_len;
} field_span_t;

/* The field that starts at block[*pos], or false at the end of the header or on something
 * the fast reader refuses (*refused set). */
static bool next_field(const char *block, size_t len, size_t *pos, field_span_t *f, bool *refused)
{
	size_t i = *pos;
	if (i >= len || block[i] == '\n' ||
	    (block[i] == '\r' && i + 1 < len && block[i + 1] == '\n')) {
		return false; /* the empty line (or the end) that ends the header */
	}
	const char *nl = memchr(block + i, '\n', len - i);
	size_t eol = nl ? (size_t)(nl - block) : len;
	const char *colon = memchr(block + i, ':', eol - i);
	if (colon == NULL || colon == block + i) {
		*refused = true;
		return false;
	}
	for (const char *c = block + i; c < colon; c++) {
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f) {
			*refused = true;
			return false;
		}
	}
	f->name = block + i;
	f->name_len = (size_t)(colon - (block + i));
	f->value = colon + 1;
	size_t end = eol;
	while (end < len && end + 1 < len && (block[end + 1] == ' ' || block[end + 1] == '\t')) {
		const char *more = memchr(block + end + 1, '\n', len - end - 1);
		end = more ? (size_t)(more - block) : len;
	}
	f->value_len = (size_t)(block + end - f->value);
	*pos = end < len ? end + 1 : len;
	return true;
}

static bool name_is(const field_span_t *f, const char *name)
{
	return f->name_len == strlen(name) && g_ascii_strncasecmp(f->name, name, f->name_len) == 0;
}

/* Where the fields start: after an mbox "From " line, which GMime skips too. */
static size_t first_field(const char *block, size_t len)
{
	if (len < 5 || memcmp(block, "From ", 5) != 0) {
		return 0;
	}
	const char *nl = memchr(block, '\n', len);
	return nl ? (size_t)(nl + 1 - block) : len;
}

/* The whole block is "From" and blanks with no line end: GMime reads no message there (while
 * "From x" is an mbox line it skips), so neither do we (found by fuzz_mail_source). */
static bool bare_from_line(const char *block, size_t len)
{
	for (size_t i = 4; i < len; i++) {
		if (block[i] != ' ' && block[i] != '\t') {
			return false;
		}
	}
	return true;
}

static bool fast_header_scan(const char *block, size_t len, bool *multipart, size_t *n_received,
			     field_span_t *ct)
{
	*multipart = false;
	memset(ct, 0, sizeof(*ct));
	*n_received = 0;
	if (len == 0 || block[0] == ' ' || block[0] == '\t' || memchr(block, '\0', len) != NULL) {
		return false;
	}
	size_t start = first_field(block, len);
	if (start < len && (block[start] == ' ' || block[start] == '\t')) {
		return false;
	}
	if (start == len && bare_from_line(block, len)) {
		return false;
	}
	size_t pos = start, n_ct = 0;
	bool refused = false;
	field_span_t f;
	while (next_field(block, len, &pos, &f, &refused)) {
		if (name_is(&f, "Received")) {
			(*n_received)++;
		} else if (name_is(&f, "Content-Type")) {
			size_t k = 0;
			while (k < f.value_len && strchr(" \t\r\n", f.value[k]) != NULL) {
				k++;
			}
			if (++n_ct > 1 || k == f.value_len || f.value[k] == '(') {
				return false;
			}
			*multipart = prefix_nocase(f.value + k, f.value_len - k, "multipart/");
			*ct = f;
		}
	}
	return !refused;
}

/* The boundary parameter of a Content-Type value, when it can be read simply: absent, an RFC
 * 2231 "boundary*", a backslash in a quoted value or an unusual length give false. */
static bool ct_boundary(const field_span_t *ct, const char **b, size_t *blen)
{
	const char *v = ct->value;
	size_t n = ct->value_len;
	for (size_t i = 0; i + 8 <= n; i++) {
		if (!prefix_nocase(v + i, n - i, "boundary")) {
			continue;
		}
		size_t p = i;
		while (p > 0 && strchr(" \t\r\n", v[p - 1]) != NULL) {
			p--;
		}
		if (p == 0 || v[p - 1] != ';') {
			continue; /* inside another parameter's value */
		}
		size_t k = i + 8;
		while (k < n && strchr(" \t\r\n", v[k]) != NULL) {
			k++;
		}
		if (k >= n || v[k] != '=') {
			return false;
		}
		k++;
		while (k < n && strchr(" \t\r\n", v[k]) != NULL) {
			k++;
		}
		size_t start = k;
		if (k < n && v[k] == '"') {
			start = ++k;
			while (k < n && v[k] != '"' && v[k] != '\\') {
				k++;
			}
			if (k >= n || v[k] != '"') {
				return false;
			}
		} else {
			while (k < n && strchr("; \t\r\n", v[k]) == NULL) {
				k++;
			}
		}
		*b = v + start;
		*blen = k - start;
		return *blen > 0 && *blen <= 200;
	}
	return false;
}

/* Could a top-level part of this multipart body be the spam? Each line that starts with
 * "--BOUNDARY" (a superset of the lines GMime takes as boundaries) opens a part whose header
 * is checked by body_may_carry_message. Without a readable boundary, every line is checked. */
static bool multipart_may_carry_message(const field_span_t *ct, const char *body, size_t len)
{
	const char *b;
	size_t blen;
	if (!ct_boundary(ct, &b, &blen)) {
		return body_may_carry_message(body, len);
	}
	char needle[204];
	needle[0] = '\n';
	needle[1] = '-';
	needle[2] = '-';
	memcpy(needle + 3, b, blen);
	size_t nlen = blen + 3;
	size_t i = 0;
	bool first = true;
	while (i < len) {
		const char *at;
		if (first && len >= nlen - 1 && memcmp(body, needle + 1, nlen - 1) == 0) {
			at = body;
		} else {
			at = memmem(body + i, len - i, needle, nlen);
			if (at == NULL) {
				return false;
			}
			at++;
		}
		first = false;
		const char *nl = memchr(at, '\n', len - (size_t)(at - body));
		if (nl == NULL) {
			return false;
		}
		size_t part = (size_t)(nl + 1 - body);
		size_t plen = header_block_len(body + part, len - part);
		if (body_may_carry_message(body + part, plen)) {
			return true;
		}
		i = part;
	}
	return false;
}

/* The Received fields of a header block fast_header_scan accepted. */
static int fast_header_fields(const char *block, size_t len, size_t n_received,
			      mail_message_received_t *out)
{
	size_t cap = n_received < MAX_FIELDS ? n_received : MAX_FIELDS;
	out->fields = calloc(cap ? cap : 1, sizeof(*out->fields));
	if (out->fields == NULL) {
		return IPBL_ENOMEM;
	}
	size_t pos = first_field(block, len);
	bool refused = false;
	field_span_t f;
	while (next_field(block, len, &pos, &f, &refused)) {
		if (out->subject == NULL && name_is(&f, "Subject")) {
			out->subject = unfold(f.value, f.value_len);
			if (out->subject == NULL) {
				return IPBL_ENOMEM;
			}
			continue;
		}
		if (out->n == cap || !name_is(&f, "Received")) {
			continue;
		}
		char *v = unfold(f.value, f.value_len);
		if (v == NULL) {
			return IPBL_ENOMEM;
		}
		out->fields[out->n++] = v;
	}
	return 0;
}

int mail_message_received_parse(const char *data, size_t len, mail_message_received_t *out,
				char *err, size_t errlen)
{
	/* Speed: most input is the spam itself, and its body (often most of its bytes) does not
	 * matter. A plain header block is read here; GMime reads the whole message only when the
	 * top level is multipart and some part could be a message/rfc822 (a forward or a
	 * report), or when the header has anything unusual in it. */
	memset(out, 0, sizeof(*out));
	size_t hlen = header_block_len(data, len);
	bool multipart;
	size_t n_received;
	field_span_t ct;
	if (!fast_header_scan(data, hlen, &multipart, &n_received, &ct) ||
	    (multipart && multipart_may_carry_message(&ct, data + hlen, len - hlen))) {
		return mail_message_received_parse_gmime(data, len, out, err, errlen);
	}
	int ret = fast_header_fields(data, hlen, n_received, out);
	if (ret != 0) {
		snprintf(err, errlen, "out of memory");
		mail_message_received_fini(out);
	}
	return ret;
}

int mail_message_received_parse_gmime(const char *data, size_t len, mail_message_received_t *out,
				      char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int ret = 0;
	GMimeMessage *spam = NULL;
	GMimeMessage *m = parse_bytes(data, len);
	if (m == NULL) {
		snprintf(err, errlen, "not an RFC 5322 message (no header could be parsed)");
		return IPBL_EFORMAT;
	}
	spam = spam_of(m, &out->attached);
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(spam));
	int count = hl ? g_mime_header_list_get_count(hl) : 0;
	out->fields = calloc((size_t)(count > 0 ? count : 1), sizeof(*out->fields));
	if (out->fields == NULL) {
		ret = IPBL_ENOMEM;
		goto fail;
	}
	for (int i = 0; i < count; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		bool subject = out->subject == NULL && name != NULL &&
			       g_ascii_strcasecmp(name, "Subject") == 0;
		bool received = out->n < MAX_FIELDS && name != NULL &&
				g_ascii_strcasecmp(name, "Received") == 0;
		if (!subject && !received) {
			continue;
		}
		const char *raw = g_mime_header_get_raw_value(h);
		raw = raw ? raw : "";
		char *v = unfold(raw, strlen(raw));
		if (v == NULL) {
			ret = IPBL_ENOMEM;
			goto fail;
		}
		if (subject) {
			out->subject = v;
		} else {
			out->fields[out->n++] = v;
		}
	}
	g_object_unref(spam);
	g_object_unref(m);
	return 0;
fail:
	snprintf(err, errlen, "out of memory");
	mail_message_received_fini(out);
	g_object_unref(spam);
	g_object_unref(m);
	return ret;
}

void mail_message_received_fini(mail_message_received_t *out)
{
	for (size_t i = 0; i < out->n; i++) {
		free(out->fields[i]);
	}
	free(out->fields);
	free(out->subject);
	memset(out, 0, sizeof(*out));
}
