/* SPDX-License-Identifier: BSD-2-Clause */
/* The source finder in one call, and its JSON (see source.h). */
#include "mail/source.h"

#include <stdlib.h>
#include <string.h>

int mail_source_find(const char *data, size_t len, const mail_trusted_t *trusted,
		     mail_source_t *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int ret = mail_message_received_parse(data, len, &out->fields, err, errlen);
	if (ret != 0) {
		return ret;
	}
	size_t n = out->fields.n;
	out->hops = calloc(n ? n : 1, sizeof(*out->hops));
	out->verdicts = calloc(n ? n : 1, sizeof(*out->verdicts));
	if (out->hops == NULL || out->verdicts == NULL) {
		return IPBL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		mail_received_parse(ipbl_str(out->fields.fields[i]), &out->hops[i]);
	}
	mail_walk_run(out->hops, n, trusted, out->verdicts, &out->result);
	return 0;
}

void mail_source_fini(mail_source_t *s)
{
	free(s->verdicts);
	free(s->hops);
	mail_message_received_fini(&s->fields);
	memset(s, 0, sizeof(*s));
}

static json_t *ip_json(bool has, const ipbl_ipaddr_t *a)
{
	char ip[IPBL_IPADDR_STRLEN];
	return has ? json_string(ipbl_ipaddr_format(a, ip)) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_stringn_nocheck(s, strlen(s)) : json_null();
}

/* A hop the walk went past (the reporter's side of the chain): only what the walk did. */
static bool hop_is_reporters(enum mail_walk_verdict v)
{
	return v == MAIL_HOP_TRUSTED || v == MAIL_HOP_INTERNAL || v == MAIL_HOP_NO_PEER;
}

static json_t *hop_json(const mail_source_t *s, size_t i, bool redact)
{
	const mail_received_hop_t *h = &s->hops[i];
	enum mail_walk_verdict v = s->verdicts[i];
	json_t *o = json_object();
	if (o == NULL) {
		return NULL;
	}
	bool mask = redact && (hop_is_reporters(v) || i < s->result.source_index);
	if (!redact) {
		const char *field = s->fields.fields[i];
		json_object_set_new(o, "received", json_stringn_nocheck(field, strlen(field)));
	}
	if (!mask) {
		json_object_set_new(o, "peer", ip_json(h->has_peer, &h->peer));
		json_object_set_new(o, "helo", str_or_null(h->helo));
		json_object_set_new(o, "rdns", str_or_null(h->rdns));
		json_object_set_new(o, "by", redact ? json_null() : str_or_null(h->by));
		json_object_set_new(o, "authenticated", json_boolean(h->auth));
	} else {
		json_object_set_new(o, "redacted", json_true());
	}
	json_object_set_new(o, "verdict", json_string(mail_walk_verdict_name(v)));
	return o;
}

json_t *mail_source_json(const mail_source_t *s, bool redact)
{
	json_t *root = json_object();
	json_t *arr = json_array();
	if (root == NULL || arr == NULL) {
		json_decref(root);
		json_decref(arr);
		return NULL;
	}
	json_object_set_new(root, "ip", ip_json(s->result.found, &s->result.source));
	json_object_set_new(root, "hops", arr);
	for (size_t i = 0; i < s->fields.n; i++) {
		/* below the source nothing is evidence; the redacted view leaves it out */
		if (redact && s->verdicts[i] == MAIL_HOP_NOT_REACHED) {
			break;
		}
		json_array_append_new(arr, hop_json(s, i, redact));
	}
	json_object_set_new(root, "reason", json_string(s->result.reason));
	json_object_set_new(root, "attached", json_boolean(s->fields.attached));
	return root;
}
