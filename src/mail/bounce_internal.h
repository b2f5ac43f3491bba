/* SPDX-License-Identifier: BSD-2-Clause */
/* Between the bounce reader (bounce.c) and the part that works out whose server sent the
 * refused message (bounce_sender.c). Only for src/mail. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "mail/bounce.h"

/* Fill out->sender, sender_by, sender_via and sender_reason from ret[0..ret_len), the returned
 * message or the part of the notice that quotes its header fields (NULL: none), and the
 * notice's own header block notice[0..notice_len) (its To: is the sender; NULL: none). The
 * refused address out->ip (when out->has_ip) is compared with the hops. Pure. Returns 0, or
 * IPBL_ENOMEM (out's sender fields are then left UNKNOWN). */
int mail_bounce_sender_decide(const char *ret, size_t ret_len, const char *notice,
			      size_t notice_len, mail_bounce_t *out) IPBL_MUSTCHECK;

/* The mail address at t[i..e) ("<ann@example.org>", leading blanks and '<' skipped; it ends
 * at white space or one of <>;,()"), into out (control bytes as spaces). False, and out
 * untouched, when there is none (no '@' with text on both sides) or it needs cap bytes or
 * more. */
bool mail_bounce_address_at(const char *t, size_t i, size_t e, char *out, size_t cap);
