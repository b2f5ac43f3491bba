/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target for lib/ipaddr: parses the input as an address and as a prefix; whatever
 * parses must format within bounds and parse back to the same value, and the address verdict
 * must match glibc's inet_pton. Builds with gcc too, for corpus replay. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ipaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addr(ipbl_str_t s)
{
	ipbl_ipaddr_t a, back;
	char text[IPBL_IPADDR_STRLEN];
	char again[IPBL_IPADDR_STRLEN];

	if (ipbl_ipaddr_parse(s, &a) != 0) {
		return;
	}
	ipbl_ipaddr_format(&a, text);
	if (strlen(text) >= IPBL_IPADDR_STRLEN) {
		abort();
	}
	if (ipbl_ipaddr_parse(ipbl_str(text), &back) != 0 || !ipbl_ipaddr_eq(&a, &back)) {
		abort();
	}
	/* The canonical form is a fixed point. */
	if (strcmp(ipbl_ipaddr_format(&back, again), text) != 0) {
		abort();
	}
	/* Classification and unmapping must not trip on any parsed value. */
	(void)ipbl_ipaddr_kind_name(ipbl_ipaddr_kind(&a));
	if (ipbl_ipaddr_unmap(&back) && back.family != IPBL_AF_V4) {
		abort();
	}
}

/* Our parser accepts exactly what glibc's inet_pton accepts, with the same bytes. */
static void check_libc(ipbl_str_t s)
{
	char text[64];
	uint8_t bytes[16];
	ipbl_ipaddr_t a;

	/* inet_pton stops at a NUL, which we treat as a bad character: skip those inputs. */
	if (s.len >= sizeof(text) || memchr(s.ptr, '\0', s.len) != NULL) {
		return;
	}
	memcpy(text, s.ptr, s.len);
	text[s.len] = '\0';
	bool v6 = memchr(s.ptr, ':', s.len) != NULL;
	bool libc_ok = inet_pton(v6 ? AF_INET6 : AF_INET, text, bytes) == 1;
	bool ours_ok = ipbl_ipaddr_parse(s, &a) == 0;
	if (libc_ok != ours_ok) {
		abort();
	}
	if (ours_ok && memcmp(a.bytes, bytes, v6 ? 16 : 4) != 0) {
		abort();
	}
}

static void check_prefix(ipbl_str_t s, bool allow_host_bits)
{
	ipbl_prefix_t p, back;
	char text[IPBL_PREFIX_STRLEN];

	if (ipbl_prefix_parse(s, allow_host_bits, &p) != 0) {
		return;
	}
	ipbl_prefix_format(&p, text);
	if (strlen(text) >= IPBL_PREFIX_STRLEN) {
		abort();
	}
	/* Host bits are cleared, so the canonical form must pass the strict parse. */
	if (ipbl_prefix_parse(ipbl_str(text), false, &back) != 0) {
		abort();
	}
	if (!ipbl_ipaddr_eq(&p.addr, &back.addr) || p.len != back.len) {
		abort();
	}
	if (!ipbl_prefix_contains(&p, &p.addr)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ipbl_str_t s = { .ptr = (const char *)data, .len = size };

	check_addr(s);
	check_libc(s);
	check_prefix(s, false);
	check_prefix(s, true);
	return 0;
}
