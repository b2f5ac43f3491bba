/* SPDX-License-Identifier: BSD-2-Clause */
/* The walk down a Received chain (corpus README rules 4-5): from the top, past trusted relays
 * and internal hand-offs, to the first untrusted peer, which is the source. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/ipaddr.h"
#include "mail/received.h"

#define MAIL_WALK_REASONLEN 256

/* The recipient's own relays: IP/CIDR entries and host names. */
typedef struct {
	ipbl_prefix_t *prefixes; /* owned */
	size_t n_prefixes;
	/* owned; host names: matched against the reverse name a trusted receiver recorded and
	 * vouched for (mail_received_hop_t.rdns_verified), never against a HELO */
	char **names;
	size_t n_names;
} mail_trusted_t;

/* What the walk made of one hop. */
enum mail_walk_verdict {
	MAIL_HOP_NO_PEER = 0, /* no peer address recorded: skipped */
	MAIL_HOP_TRUSTED,     /* peer inside a trusted entry: walked past */
	MAIL_HOP_INTERNAL,    /* loopback, private, link-local, ULA, CGNAT, 0/8: walked past */
	MAIL_HOP_SOURCE,      /* the first untrusted peer */
	MAIL_HOP_REFUSED,     /* untrusted peer that is a documentation/reserved address */
	MAIL_HOP_NOT_REACHED, /* below the hop where the walk stopped */
};

typedef struct {
	bool found;	      /* true: source is the answer */
	ipbl_ipaddr_t source; /* valid when found */
	size_t source_index;  /* hop index (0 = top) of the source or of the refused hop */
	char reason[MAIL_WALK_REASONLEN]; /* why the walk stopped, in words */
} mail_walk_result_t;

/* Parse a comma-separated --trusted list (IPs, CIDRs, host names) into *out, which the caller
 * releases with mail_walk_trusted_fini. NULL or "" gives an empty list. Returns 0, IPBL_ENOMEM,
 * or IPBL_EPARSE with a message in err for an entry that is neither an address nor a name. */
int mail_walk_trusted_parse(const char *list, mail_trusted_t *out, char *err,
			    size_t errlen) IPBL_MUSTCHECK;

/* Free what mail_walk_trusted_parse allocated; t itself is the caller's. */
void mail_walk_trusted_fini(mail_trusted_t *t);

/* True when a lies inside one of t's IP/CIDR entries (IPv4-mapped addresses are folded). */
bool mail_walk_is_trusted(const mail_trusted_t *t, const ipbl_ipaddr_t *a);

/* True when the hop's peer is one of t's relays: its address lies inside an IP/CIDR entry,
 * or the receiver recorded a checked reverse name equal to one of t's host names (without
 * case or trailing dot). The walk asks this only of hops whose receiver it already trusts. */
bool mail_walk_is_trusted_hop(const mail_trusted_t *t, const mail_received_hop_t *h);

/* Walk hops[0..n) (top first). verdicts, when not NULL, receives one verdict per hop. Never
 * fails: no source gives out->found false with the reason. */
void mail_walk_run(const mail_received_hop_t *hops, size_t n, const mail_trusted_t *t,
		   enum mail_walk_verdict *verdicts, mail_walk_result_t *out);

/* Short name of a verdict ("trusted", "internal", ...). */
const char *mail_walk_verdict_name(enum mail_walk_verdict v);
