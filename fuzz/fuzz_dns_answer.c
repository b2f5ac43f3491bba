/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: any bytes as a DNS query, answered from a small snapshot over UDP and TCP.
 * Checks the answer stays within its limit and echoes the query ID. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/answer.h"
#include "zone/builder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dnsd_zone_t zone;
static zone_snapshot_t *snap;

static void setup(void)
{
	static const char *const ns[] = { "ns1.example.org", "ns2.example.org" };
	dnsd_zone_params_t p = {
		.zone = "bl.example.org",
		.txt = "Blocked - see http://127.0.0.1:8080/lookup?ip=$",
		.ns = ns,
		.n_ns = 2,
		.ttl_s = 600,
		.negative_ttl_s = 60,
		.refresh_s = 3600,
		.retry_s = 600,
		.expire_s = 604800,
		.edns_udp_size = 1232,
	};
	char err[128];
	if (dnsd_zone_init(&zone, &p, err, sizeof(err)) != 0) {
		abort();
	}
	zone_builder_t *b = zone_builder_new();
	uint32_t v = 0;
	uint32_t v2 = 0;
	static const uint8_t f6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t l6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,	  0,
					0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (zone_builder_value(b, 0x7f000002, "listed $", 8, &v) != 0 ||
	    zone_builder_value(b, 0x7f000003, "other $ $", 9, &v2) != 0 ||
	    zone_builder_add_ip4(b, 0x01020304, 0x01020304, 32, v) != 0 ||
	    zone_builder_add_ip4(b, 0x0a000000, 0x0affffff, 8, v2) != 0 ||
	    zone_builder_add_ip4(b, 0x0a000005, 0x0a000005, 32, ZONE_VALUE_EXCLUDED) != 0 ||
	    zone_builder_add_ip6(b, f6, l6, 64, v) != 0 ||
	    zone_builder_finish(b, 2026112201, &snap) != 0) {
		abort();
	}
	zone_builder_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (snap == NULL) {
		setup();
	}
	static uint8_t out[DNS_MSG_MAX];
	for (int tcp = 0; tcp < 2; tcp++) {
		dnsd_answer_info_t info;
		size_t n = dnsd_answer(&zone, snap, data, size, out, sizeof(out), tcp, &info);
		if (n == 0) {
			continue;
		}
		if (n < DNS_HEADER_LEN || (!tcp && n > 1232) || memcmp(out, data, 2) != 0) {
			abort();
		}
	}
	return 0;
}
