/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: any bytes as a message (or a report carrying one). Its Received fields are
 * read, parsed one by one and walked; it is classified (spam, bounce, auto-reply) and its
 * submit+NAME reporter looked up; its Subject normalised. Nothing may crash, hang or leak, and
 * the fast header reader must give exactly the fields (and Subject) GMime's whole-message
 * parse gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/kind.h"
#include "mail/message.h"
#include "mail/received.h"
#include "mail/source.h"
#include "mail/subject.h"
#include "mail/submit.h"
#include "mail/walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() when the fast reader and GMime disagree: a difference is a bug in the fast one */
static void check_same(const mail_message_received_t *a, const mail_message_received_t *b)
{
	if (a->n != b->n || a->attached != b->attached) {
		abort();
	}
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->fields[i], b->fields[i]) != 0) {
			abort();
		}
	}
	if ((a->subject == NULL) != (b->subject == NULL) ||
	    (a->subject != NULL && strcmp(a->subject, b->subject) != 0)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	/* the whole input as one Received value, which is the parser's harshest input */
	mail_received_hop_t hop;
	mail_received_parse((ipbl_str_t){ .ptr = text, .len = size }, &hop);

	char err[256];
	char why[128];
	(void)mail_message_kind(text, size, why, sizeof(why));
	char name[MAIL_SUBMIT_NAMELEN];
	if (mail_submit_reporter(text, size, name) && strlen(name) >= MAIL_SUBMIT_NAMELEN) {
		abort();
	}

	mail_message_received_t msg, ref;
	int r1 = mail_message_received_parse(text, size, &msg, err, sizeof(err));
	int r2 = mail_message_received_parse_gmime(text, size, &ref, err, sizeof(err));
	if (r1 != r2) {
		abort();
	}
	if (r1 != 0) {
		return 0;
	}
	check_same(&msg, &ref);
	mail_message_received_fini(&ref);
	if (msg.subject != NULL) {
		free(mail_subject_normalise(msg.subject, strlen(msg.subject)));
	}

	enum { HOPS_MAX = 64 };
	static mail_received_hop_t hops[HOPS_MAX];
	size_t n = msg.n < HOPS_MAX ? msg.n : HOPS_MAX;
	for (size_t i = 0; i < n; i++) {
		mail_received_parse(ipbl_str(msg.fields[i]), &hops[i]);
	}
	mail_trusted_t trusted;
	if (mail_walk_trusted_parse("192.0.2.0/24, mx.example.net", &trusted, err, sizeof(err)) !=
	    0) {
		abort();
	}
	mail_walk_result_t result;
	mail_walk_run(hops, n, &trusted, NULL, &result);

	/* the one-call finder and its JSON, whole and redacted */
	mail_source_t s;
	if (mail_source_find(text, size, &trusted, &s, err, sizeof(err)) == 0) {
		json_t *j = mail_source_json(&s, true);
		json_decref(j);
		j = mail_source_json(&s, false);
		json_decref(j);
	}
	mail_source_fini(&s);
	mail_walk_trusted_fini(&trusted);
	mail_message_received_fini(&msg);
	return 0;
}
