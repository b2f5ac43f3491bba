/* SPDX-License-Identifier: BSD-2-Clause */
/* GMime helpers shared inside src/mail (message.c, kind.c): one GMime initialisation, and the
 * rule of which part of a report is the spam (corpus README rule 1). Not for other components. */
#pragma once

#include <stddef.h>

#include <gmime/gmime.h>

/* Initialise GMime once (thread-safe); every entry point that uses GMime calls it first. */
void mail_gmime_init(void);

/* The message in data[0..len), parsed whole by GMime (initialised once, thread-safe), or NULL
 * when not even a header could be read. The caller unrefs it. */
GMimeMessage *mail_gmime_parse(const char *data, size_t len);

/* The message carried by m's first top-level message/rfc822 part (decoded when base64 or
 * quoted-printable) or text/rfc822-headers part, as a new reference; NULL when there is none.
 * One level only: a message nested inside that one is its content. */
GMimeMessage *mail_gmime_attached(GMimeMessage *m);
