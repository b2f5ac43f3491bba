/* SPDX-License-Identifier: BSD-2-Clause */
/* The source finder as one call: a raw message in, its Received hops, the walk's verdict on
 * each and the source out; and the hops as JSON, whole (for `ipbl source --json`) or
 * redacted (the evidence stored with a report and shown to anyone). Pure. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "mail/message.h"
#include "mail/received.h"
#include "mail/walk.h"

typedef struct {
	mail_message_received_t fields;	  /* the Received fields, top first */
	mail_received_hop_t *hops;	  /* fields.n parsed hops */
	enum mail_walk_verdict *verdicts; /* fields.n verdicts */
	mail_walk_result_t result;	  /* found, source, reason */
} mail_source_t;

/* Find the source of the spam in data[0..len) past the trusted relays. Returns 0 (found or
 * not: see out->result), IPBL_ENOMEM, or IPBL_EFORMAT with a message in err when the input is
 * not a message. The caller releases *out with mail_source_fini, whatever the return. */
int mail_source_find(const char *data, size_t len, const mail_trusted_t *trusted,
		     mail_source_t *out, char *err, size_t errlen) IPBL_MUSTCHECK;
void mail_source_fini(mail_source_t *s);

/* The hops as JSON: {"ip", "hops": [{"received", "peer", "helo", "rdns", "by",
 * "authenticated", "verdict"}], "reason", "attached"}. redact: what would identify the
 * reporter is masked the way evidence is shown to the public: the hops the walk passed
 * (the reporter's own relays and internal hand-offs) keep only their verdict, the source
 * hop's by-host and the raw field text (which may name the recipient) are dropped. Returns
 * a new reference, or NULL when out of memory. */
json_t *mail_source_json(const mail_source_t *s, bool redact);
