/* SPDX-License-Identifier: BSD-2-Clause */
/* The HAProxy PROXY protocol header (versions 1 and 2, haproxy's proxy-protocol.txt) that a
 * load balancer sends before any SMTP byte to pass on the client's address. Pure: bytes in,
 * addresses out; no I/O, no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ipaddr.h"

/* Longest header accepted (v1 is at most 107 bytes; v2 is 16 bytes plus addresses and TLVs).
 * A longer v2 header is refused rather than buffered. */
#define TRAP_PROXY_MAX 4096

typedef struct {
	int version;	   /* 1 or 2 */
	bool has_addr;	   /* false for v1 UNKNOWN, v2 LOCAL or a v2 family other than TCP: the
			      connection's own address stands */
	ipbl_ipaddr_t src; /* the client, as the proxy saw it (IPv4-mapped kept as given) */
	ipbl_ipaddr_t dst; /* the address the client connected to */
	uint16_t src_port;
	uint16_t dst_port;
} trap_proxy_t;

enum trap_proxy_sniff {
	TRAP_PROXY_NO = 0, /* these bytes do not start a PROXY header */
	TRAP_PROXY_MAYBE,  /* too few bytes to tell: a prefix of a signature */
	TRAP_PROXY_YES,	   /* a v1 ("PROXY ") or v2 signature */
};

/* Whether the first len bytes of a connection start a PROXY header. */
enum trap_proxy_sniff trap_proxy_sniff(const uint8_t *buf, size_t len);

/* Parse a header at the start of buf. Returns its length (> 0) and fills *out; 0 when more
 * bytes are needed; IPBL_EPARSE when it is malformed; IPBL_ELIMIT when it is longer than
 * TRAP_PROXY_MAX. */
int trap_proxy_parse(const uint8_t *buf, size_t len, trap_proxy_t *out);
