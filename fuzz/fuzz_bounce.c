/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: any bytes as a bounce (a whole message or pasted text). It is read with and
 * without a zone of our own, and the advice is composed and rendered for it, as our list's
 * with a listed address and as another list's; nothing may crash, hang or leak, and every
 * field must stay NUL-terminated inside its array. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/explain.h"
#include "mail/bounce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fields(const mail_bounce_t *b)
{
	if (memchr(b->zone, '\0', sizeof(b->zone)) == NULL ||
	    memchr(b->reply, '\0', sizeof(b->reply)) == NULL ||
	    memchr(b->server, '\0', sizeof(b->server)) == NULL ||
	    memchr(b->recipient, '\0', sizeof(b->recipient)) == NULL ||
	    memchr(b->list_name, '\0', sizeof(b->list_name)) == NULL ||
	    memchr(b->status, '\0', sizeof(b->status)) == NULL ||
	    memchr(b->sender_via, '\0', sizeof(b->sender_via)) == NULL ||
	    memchr(b->sender_reason, '\0', sizeof(b->sender_reason)) == NULL) {
		abort();
	}
	/* whose server sent it is only worked out for a blocklist refusal, and always says why */
	if ((b->sender != MAIL_BOUNCE_SENDER_UNKNOWN && b->kind != MAIL_BOUNCE_BLOCKLIST) ||
	    (b->sender == MAIL_BOUNCE_SENDER_UNKNOWN) != (b->sender_reason[0] == '\0')) {
		abort();
	}
	if (b->kind == MAIL_BOUNCE_NONE && (b->has_ip || b->reply[0] || b->smtp_code)) {
		abort();
	}
	if (b->ours && b->kind != MAIL_BOUNCE_BLOCKLIST) {
		abort();
	}
}

static void advise(const mail_bounce_t *b)
{
	static explain_advice_t a;
	static char text[65536];
	engine_lookup_t l;
	memset(&l, 0, sizeof(l));
	l.listed = true;
	l.decision.rules = policy_rules_default();
	memcpy(l.decision.sentence, "listed: fuzzed", 15);
	l.delist_at_ms = 1893456000000LL;
	l.seconds_to_delist = 3600;
	const explain_site_t site = { "bl.example.org", "http://127.0.0.1:8080" };
	explain_advice(b, &site, b->ours ? &l : NULL, &a);
	ipbl_buf_t o;
	ipbl_buf_init(&o, text, sizeof(text));
	explain_format_text(&a, &o);
	if (ipbl_buf_overflowed(&o)) {
		abort(); /* the advice always fits the CLI's buffer */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static mail_bounce_t b;
	static const mail_bounce_ours_t ours = { "bl.example.org", "http://127.0.0.1:8080" };
	if (mail_bounce_parse((const char *)data, size, &ours, &b) != 0) {
		return 0;
	}
	check_fields(&b);
	advise(&b);
	if (mail_bounce_parse((const char *)data, size, NULL, &b) != 0) {
		return 0;
	}
	check_fields(&b);
	if (b.ours) {
		abort();
	}
	return 0;
}
