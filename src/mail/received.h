/* SPDX-License-Identifier: BSD-2-Clause */
/* One Received header field, parsed: the peer address the receiving MTA recorded for the TCP
 * connection, and the HELO, reverse DNS and by-host it wrote. Pure: no I/O, no allocation. */
#pragma once

#include <stdbool.h>

#include "lib/ipaddr.h"
#include "lib/str.h"

#define MAIL_RECEIVED_NAMELEN 256

typedef struct {
	bool has_peer;	    /* false: local pickup, qmail "invoked", LMTP, garbage, "[]" */
	ipbl_ipaddr_t peer; /* the recorded peer; IPv4-mapped IPv6 is folded to IPv4 */
	bool auth;	    /* an authenticated submission (ESMTPA, AUTH:, account, via HTTP) */
	bool has_from;	    /* the field has a from-clause */
	char helo[MAIL_RECEIVED_NAMELEN]; /* HELO/EHLO argument as written, or "" */
	char rdns[MAIL_RECEIVED_NAMELEN]; /* reverse-DNS name the receiver recorded, or "" */
	/* rdns was written inside the TCP-info as "(name [ip])", the form of MTAs that check the
	 * name resolves back to the peer (Postfix writes "unknown", Sendmail adds "(may be
	 * forged)" when it does not), and carries no such mark: a trusted receiver vouches for
	 * it. False for qmail's and Exim's leading name, which may be unchecked. */
	bool rdns_verified;
	char by[MAIL_RECEIVED_NAMELEN]; /* the by-host, or "" */
} mail_received_hop_t;

/* Parse one unfolded Received field value (without the "Received:" name) into *out. Never
 * fails: input without a recognisable peer address yields out->has_peer false. Never takes the
 * HELO argument, a by-clause address or a "(for ... [ip])" address as the peer. */
void mail_received_parse(ipbl_str_t value, mail_received_hop_t *out);
