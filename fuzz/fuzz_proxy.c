/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: any bytes as the start of a connection that may carry a PROXY header. The
 * parser either asks for more, refuses, or returns a length within the input and the limit;
 * a prefix of an accepted header never parses differently. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trap/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	trap_proxy_t p;
	int n = trap_proxy_parse(data, size, &p);
	enum trap_proxy_sniff sniff = trap_proxy_sniff(data, size);
	if (n > 0) {
		if ((size_t)n > size || n > TRAP_PROXY_MAX || sniff != TRAP_PROXY_YES ||
		    (p.version != 1 && p.version != 2)) {
			abort();
		}
		if (p.has_addr && p.src.family != p.dst.family) {
			abort();
		}
		/* every shorter prefix is incomplete, never an error or another header */
		for (size_t cut = 0; cut < (size_t)n; cut += 1 + cut / 8) {
			trap_proxy_t q;
			if (trap_proxy_parse(data, cut, &q) != 0) {
				abort();
			}
		}
	} else if (n == 0) {
		if (sniff == TRAP_PROXY_NO || size >= TRAP_PROXY_MAX) {
			abort();
		}
	} else if (n != IPBL_EPARSE && n != IPBL_ELIMIT) {
		abort();
	}
	return 0;
}
