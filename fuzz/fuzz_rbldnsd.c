/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer harness for zone/rbldnsd.c: any bytes are parsed as an "auto" rbldnsd data file
 * into a builder; what parses is built into a snapshot and looked up. Also checks that a
 * rejected file always says where and why. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zone/builder.h"
#include "zone/rbldnsd.h"
#include "zone/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every byte of a value so that a bad pointer or length shows up under ASan. */
static unsigned touch(const zone_value_t *v)
{
	unsigned sum = 0;
	if (v == NULL) {
		return 0;
	}
	if ((v->txt == NULL) != (v->txt_len == 0)) {
		__builtin_trap();
	}
	for (uint32_t i = 0; i < v->txt_len; i++) {
		sum += (unsigned char)v->txt[i];
	}
	return sum + v->a;
}

static void lookups(const zone_snapshot_t *s, const uint8_t *data, size_t size)
{
	static const uint32_t ip4s[] = { 0x00000000u, 0x7f000002u, 0xc0000201u, 0xffffffffu };
	uint8_t ip6[16] = { 0 };
	uint32_t from_data = 0;
	volatile unsigned sink = 0;
	for (size_t i = 0; i < sizeof(ip4s) / sizeof(ip4s[0]); i++) {
		sink += touch(zone_snapshot_lookup_ip4(s, ip4s[i]));
	}
	memcpy(&from_data, data, size < sizeof(from_data) ? size : sizeof(from_data));
	sink += touch(zone_snapshot_lookup_ip4(s, from_data));
	ip6[15] = 1; /* ::1 */
	sink += touch(zone_snapshot_lookup_ip6(s, ip6));
	memcpy(ip6, data, size < sizeof(ip6) ? size : sizeof(ip6));
	sink += touch(zone_snapshot_lookup_ip6(s, ip6));
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char txt[] = "listed, see http://127.0.0.1/lookup?ip=$";
	zone_builder_t *b = zone_builder_new();
	zone_snapshot_t *s = NULL;
	zone_rbldnsd_error_t err;
	uint32_t def;
	int ret;
	if (b == NULL) {
		return 0;
	}
	if (zone_builder_value(b, 0x7f000002u, txt, sizeof(txt) - 1, &def) != 0) {
		goto out;
	}
	ret = zone_rbldnsd_parse(b, ZONE_RBLDNSD_AUTO, (const char *)data, size, def, &err);
	if (ret == IPBL_EPARSE) {
		/* a rejected file names a line and says what is wrong */
		if (err.line == 0 || err.message[0] == '\0' ||
		    memchr(err.message, '\0', sizeof(err.message)) == NULL) {
			__builtin_trap();
		}
		goto out;
	}
	if (ret != 0 || zone_builder_finish(b, 1, &s) != 0) {
		goto out;
	}
	lookups(s, data, size);
	zone_snapshot_unref(s);
out:
	zone_builder_free(b);
	return 0;
}
