/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: any bytes as one unfolded Received field value. mail_received_parse must never
 * crash or read out of bounds, and what it returns must be well-formed: NUL-terminated names
 * of bounded length without control characters, and a peer only with an address family. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/received.h"
#include "mail/walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s)
{
	size_t n = strnlen(s, MAIL_RECEIVED_NAMELEN);
	if (n >= MAIL_RECEIVED_NAMELEN) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so ASan sees any read past the end */
	char *copy = malloc(size ? size : 1);
	if (copy == NULL) {
		return 0;
	}
	memcpy(copy, data, size);
	mail_received_hop_t hop;
	mail_received_parse((ipbl_str_t){ .ptr = copy, .len = size }, &hop);
	check_name(hop.helo);
	check_name(hop.rdns);
	check_name(hop.by);
	if (hop.has_peer && hop.peer.family != IPBL_AF_V4 && hop.peer.family != IPBL_AF_V6) {
		abort();
	}
	if (hop.rdns_verified && hop.rdns[0] == '\0') {
		abort();
	}
	mail_trusted_t t = { 0 };
	mail_walk_result_t r;
	mail_walk_run(&hop, 1, &t, NULL, &r);
	free(copy);
	return 0;
}
