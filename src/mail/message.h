/* SPDX-License-Identifier: BSD-2-Clause */
/* The Received fields (and the Subject) of the spam in a raw message: the top-level header, or
 * that of the first top-level message/rfc822 part (a forward or an ARF report), decoded when
 * it is base64 or quoted-printable. Uses GMime. */
#pragma once

#include <stddef.h>

#include "lib/err.h"

typedef struct {
	char **fields; /* owned; unfolded values, top (newest) first, NUL-terminated */
	size_t n;
	int attached; /* 1: the fields come from a message/rfc822 attachment */
	/* owned; the first Subject field of the same message, unfolded as the fields are but not
	 * decoded (mail_subject_normalise does that); NULL when it has none */
	char *subject;
} mail_message_received_t;

/* Read the Received fields of the spam in data[0..len) (LF or CRLF) into *out, which the
 * caller releases with mail_message_received_fini. Returns 0, IPBL_ENOMEM, or IPBL_EFORMAT
 * with a message in err when the input is not a message at all. */
int mail_message_received_parse(const char *data, size_t len, mail_message_received_t *out,
				char *err, size_t errlen) IPBL_MUSTCHECK;

/* The same, always reading the whole message with GMime: the reference that
 * mail_message_received_parse (which reads a plain header block itself, for speed) must agree
 * with. For tests and for comparison; use mail_message_received_parse. */
int mail_message_received_parse_gmime(const char *data, size_t len, mail_message_received_t *out,
				      char *err, size_t errlen) IPBL_MUSTCHECK;

/* Free what mail_message_received allocated; out itself is the caller's. */
void mail_message_received_fini(mail_message_received_t *out);
