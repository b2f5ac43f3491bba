/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: any bytes as a message (or a report carrying one). Its Received fields are
 * read, parsed one by one and walked; nothing may crash, hang or leak. */
#include <stdint.h>
#include <stdlib.h>

#include "mail/message.h"
#include "mail/received.h"
#include "mail/walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* each line on its own as a Received value, which is the parser's harshest input */
	mail_received_hop_t hop;
	mail_received_parse((ipbl_str_t){ .ptr = (const char *)data, .len = size }, &hop);

	mail_message_received_t msg;
	char err[256];
	if (mail_message_received_parse((const char *)data, size, &msg, err, sizeof(err)) != 0) {
		return 0;
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
	mail_walk_trusted_fini(&trusted);
	mail_message_received_fini(&msg);
	return 0;
}
