/* SPDX-License-Identifier: BSD-2-Clause */
/* Which message is the spam (corpus README rule 1) and its Received fields, with GMime 3. */
#include "mail/message.h"

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

static GMimeMessage *parse_message(GMimeStream *stream)
{
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	return m;
}

/* The message carried by a top-level part, or NULL. A message/rfc822 part that GMime kept as a
 * leaf (an encoded one) is decoded and parsed; the caller unrefs the result. */
static GMimeMessage *attached_message(GMimeObject *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	if (ct == NULL || !g_mime_content_type_is_type(ct, "message", "rfc822")) {
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

/* The spam: the first top-level message/rfc822 part's message, else m (a new reference). */
static GMimeMessage *spam_of(GMimeMessage *m, int *attached)
{
	GMimeObject *body = g_mime_message_get_mime_part(m);
	*attached = 0;
	if (body != NULL && GMIME_IS_MULTIPART(body)) {
		GMimeMultipart *mp = GMIME_MULTIPART(body);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++) {
			GMimeMessage *inner = attached_message(g_mime_multipart_get_part(mp, i));
			if (inner != NULL) {
				*attached = 1;
				return inner;
			}
		}
	}
	g_object_ref(m);
	return m;
}

/* Unfold: drop CR and LF (a fold is CRLF followed by white space, which stays), and trim. */
static char *unfold(const char *raw)
{
	while (*raw == ' ' || *raw == '\t' || *raw == '\r' || *raw == '\n') {
		raw++;
	}
	size_t n = strlen(raw);
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

int mail_message_received_parse(const char *data, size_t len, mail_message_received_t *out,
				char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	pthread_once(&gmime_once, gmime_init);
	int ret = 0;
	GMimeMessage *spam = NULL;
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeMessage *m = parse_message(stream);
	g_object_unref(stream);
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
	for (int i = 0; i < count && out->n < MAX_FIELDS; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		if (name == NULL || g_ascii_strcasecmp(name, "Received") != 0) {
			continue;
		}
		const char *raw = g_mime_header_get_raw_value(h);
		char *v = unfold(raw ? raw : "");
		if (v == NULL) {
			ret = IPBL_ENOMEM;
			goto fail;
		}
		out->fields[out->n++] = v;
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
	memset(out, 0, sizeof(*out));
}
