/* SPDX-License-Identifier: BSD-2-Clause */
/* The reporter of a report that arrived by mail, from its per-reporter submit address
 * ("submit+NAME@bl.example.org" or "spam+NAME@..."), as the delivering MTA recorded it. Pure.
 *
 * The delivery fields are read from the report's own (top-level) header, never from the spam
 * it carries, in this order of trust: Delivered-To (Postfix, qmail, Dovecot: written by the
 * final delivery), X-Original-To (Postfix: the address before alias expansion), Envelope-To
 * (Exim), To (written by the reporter's mail client, so the weakest). Only the topmost field
 * of each name counts: the delivering MTA prepends its own, and anything below it came with
 * the message. The local part must be "submit+NAME" or "spam+NAME" (prefix without case,
 * '+' as the delimiter: Postfix's recipient_delimiter, Exim's local_part_suffix "+*"), NAME
 * being 1 to 63 of [A-Za-z0-9._-]. When the MTA can pass the extension itself (Postfix pipe(8)
 * ${extension}, Exim $local_part_suffix), `ipbl report --reporter` from the MTA is stronger;
 * see docs/report.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define MAIL_SUBMIT_NAMELEN 64 /* NAME is at most 63 characters, plus the NUL */

/* Find the reporter NAME in the top-level header of data[0..len) (LF or CRLF; the header ends
 * at the first empty line). True with name[] set (NUL-terminated, as written), or false. */
bool mail_submit_reporter(const char *data, size_t len, char name[MAIL_SUBMIT_NAMELEN]);
