/* SPDX-License-Identifier: BSD-2-Clause */
/* A report from a raw message: the source finder picks the IP, the redacted hops become the
 * evidence, and engine_report files it. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "mail/kind.h"
#include "mail/source.h"
#include "mail/subject.h"

#define SUBJECT_HASH_BYTES 16
_Static_assert(2 * SUBJECT_HASH_BYTES + 1 == ENGINE_SUBJECT_KEY_LEN, "subject key length");

bool engine_subject_key(const char *subject, size_t len, char out[ENGINE_SUBJECT_KEY_LEN])
{
	out[0] = '\0';
	char *norm = mail_subject_normalise(subject, len);
	if (norm == NULL || norm[0] == '\0') {
		free(norm);
		return false;
	}
	unsigned char h[SUBJECT_HASH_BYTES];
	crypto_generichash(h, sizeof(h), (const unsigned char *)norm, strlen(norm), NULL, 0);
	free(norm);
	sodium_bin2hex(out, ENGINE_SUBJECT_KEY_LEN, h, sizeof(h));
	return true;
}

/* The reporter's mail hosts and the extra relays as one trusted list. */
static int trusted_for(engine_t *e, const engine_message_t *m, mail_trusted_t *t, char *why,
		       size_t why_len)
{
	store_reporter_t rep = { 0 };
	if (m->reporter != NULL) {
		int ret = store_reporter_get(e->store, m->reporter, &rep);
		if (ret != 0) {
			return ret;
		}
		if (rep.standing == STORE_STANDING_BANNED) {
			return IPBL_EACCES;
		}
	}
	const char *extra = m->trusted ? m->trusted : "";
	size_t len = strlen(rep.mailhosts) + strlen(extra) + 2;
	char *list = malloc(len);
	if (list == NULL) {
		return IPBL_ENOMEM;
	}
	snprintf(list, len, "%s%s%s", rep.mailhosts, rep.mailhosts[0] && extra[0] ? "," : "",
		 extra);
	int ret = mail_walk_trusted_parse(list, t, why, why_len);
	free(list);
	return ret == IPBL_EPARSE ? IPBL_EINVAL : ret;
}

/* Find the source; *evidence gets the redacted hops (malloc'd JSON text) and subject_key the
 * key of the Subject of the message the walk read ("" when it has none). */
static int find_source(const engine_message_t *m, const mail_trusted_t *t, ipbl_ipaddr_t *ip,
		       char **evidence, char subject_key[ENGINE_SUBJECT_KEY_LEN], char *why,
		       size_t why_len)
{
	mail_source_t src;
	int ret = mail_source_find(m->msg, m->len, t, &src, why, why_len);
	if (ret == 0 && m->ip != NULL) {
		*ip = *m->ip; /* a trusted feed names the source itself */
	} else if (ret == 0 && src.result.found) {
		*ip = src.result.source;
	} else if (ret == 0) {
		snprintf(why, why_len, "%s", src.result.reason);
		ret = IPBL_ENOENT;
	}
	if (ret == 0 && src.fields.subject != NULL) {
		(void)engine_subject_key(src.fields.subject, strlen(src.fields.subject),
					 subject_key);
	}
	if (ret == 0) {
		json_t *j = mail_source_json(&src, true);
		*evidence = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		json_decref(j);
		ret = *evidence ? 0 : IPBL_ENOMEM;
	}
	mail_source_fini(&src);
	return ret;
}

int engine_report_message(engine_t *e, const engine_message_t *m, engine_result_t *out,
			  ipbl_ipaddr_t *source, char *why, size_t why_len)
{
	memset(out, 0, sizeof(*out));
	why[0] = '\0';
	mail_trusted_t trusted = { 0 };
	char *evidence = NULL;
	char subject_key[ENGINE_SUBJECT_KEY_LEN] = "";
	int ret = trusted_for(e, m, &trusted, why, why_len);
	if (ret == 0) {
		ret = find_source(m, &trusted, source, &evidence, subject_key, why, why_len);
	}
	if (ret == IPBL_EFORMAT && m->ip != NULL) {
		/* a trusted feed may send a bare note instead of the spam */
		ret = 0;
		*source = *m->ip;
	}
	if (ret == 0) {
		/* the same message counts once per source address (a partner feed may send one
		 * note text for many addresses) */
		char digest[ENGINE_DIGEST_LEN], prefix[IPBL_IPADDR_STRLEN + 16];
		char text[IPBL_IPADDR_STRLEN];
		snprintf(prefix, sizeof(prefix), "report:%s:", ipbl_ipaddr_format(source, text));
		engine_digest(prefix, m->msg, m->len, digest);
		engine_report_t r = {
			.reporter = m->reporter,
			.ip = *source,
			.digest = digest,
			.evidence = evidence ? evidence : "",
			.kind = engine_evidence_kind(m->msg, m->len),
			.subject_key = subject_key[0] ? subject_key : NULL,
		};
		ret = engine_report(e, &r, out);
		if (ret == IPBL_EINVAL) {
			char ip[IPBL_IPADDR_STRLEN];
			snprintf(why, why_len, "%s is a %s address, which is never listed",
				 ipbl_ipaddr_format(source, ip),
				 ipbl_ipaddr_kind_name(ipbl_ipaddr_kind(source)));
		}
	}
	free(evidence);
	mail_walk_trusted_fini(&trusted);
	return ret;
}

enum store_evidence_kind engine_evidence_kind(const char *msg, size_t len)
{
	switch (mail_message_kind(msg, len, NULL, 0)) {
	case MAIL_KIND_BOUNCE:
		return STORE_KIND_BOUNCE;
	case MAIL_KIND_AUTO_REPLY:
		return STORE_KIND_AUTO_REPLY;
	default:
		return STORE_KIND_SPAM;
	}
}
