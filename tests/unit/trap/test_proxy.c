/* SPDX-License-Identifier: BSD-2-Clause */
/* The PROXY protocol parser: v1 text lines and v2 binary headers, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "trap/proxy.h"

typedef struct {
	const char *name;
	const char *in;
	int want;	 /* > 0: header length; 0: incomplete; < 0: error */
	const char *src; /* NULL: no address */
	int src_port;
} v1_case_t;

static const v1_case_t v1_cases[] = {
	{ "tcp4", "PROXY TCP4 45.33.32.156 192.0.2.1 40000 25\r\nEHLO", 44, "45.33.32.156", 40000 },
	{ "tcp6", "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", 44, "2001:db8::1", 1 },
	{ "unknown", "PROXY UNKNOWN\r\n", 15, NULL, 0 },
	{ "unknown with junk", "PROXY UNKNOWN ffff::1 x y z\r\n", 29, NULL, 0 },
	{ "incomplete", "PROXY TCP4 45.33.32.156 192.0.2.1 40", 0, NULL, 0 },
	{ "prefix", "PROX", 0, NULL, 0 },
	{ "bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", IPBL_EPARSE, NULL, 0 },
	{ "family mismatch", "PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n", IPBL_EPARSE, NULL, 0 },
	{ "bad proto", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", IPBL_EPARSE, NULL, 0 },
	{ "port too big", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", IPBL_EPARSE, NULL, 0 },
	{ "leading zero port", "PROXY TCP4 1.2.3.4 5.6.7.8 025 2\r\n", IPBL_EPARSE, NULL, 0 },
	{ "missing field", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", IPBL_EPARSE, NULL, 0 },
	{ "extra field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", IPBL_EPARSE, NULL, 0 },
	{ "double space", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", IPBL_EPARSE, NULL, 0 },
	{ "lower case", "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", IPBL_EPARSE, NULL, 0 },
	{ "not proxy", "EHLO x\r\n", IPBL_EPARSE, NULL, 0 },
};

static void test_v1(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(v1_cases) / sizeof(v1_cases[0]); i++) {
		const v1_case_t *c = &v1_cases[i];
		trap_proxy_t p;
		int got = trap_proxy_parse((const uint8_t *)c->in, strlen(c->in), &p);
		if (got != c->want) {
			fail_msg("%s: want %d, got %d", c->name, c->want, got);
		}
		if (got <= 0) {
			continue;
		}
		assert_int_equal(p.version, 1);
		assert_int_equal(p.has_addr, c->src != NULL);
		if (c->src != NULL) {
			char text[IPBL_IPADDR_STRLEN];
			assert_string_equal(ipbl_ipaddr_format(&p.src, text), c->src);
			assert_int_equal(p.src_port, c->src_port);
		}
	}
	/* no CRLF within 107 bytes: refused, not buffered forever */
	char longline[200];
	memset(longline, '1', sizeof(longline));
	memcpy(longline, "PROXY TCP4 ", 11);
	trap_proxy_t p;
	assert_int_equal(trap_proxy_parse((const uint8_t *)longline, sizeof(longline), &p),
			 IPBL_EPARSE);
	assert_int_equal(trap_proxy_parse((const uint8_t *)longline, 100, &p), 0);
}

static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
				 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

static size_t v2(uint8_t *buf, uint8_t ver_cmd, uint8_t fam, const uint8_t *body, size_t len)
{
	memcpy(buf, sig, 12);
	buf[12] = ver_cmd;
	buf[13] = fam;
	buf[14] = (uint8_t)(len >> 8);
	buf[15] = (uint8_t)len;
	if (len > 0) {
		memcpy(buf + 16, body, len);
	}
	return 16 + len;
}

static void test_v2(void **state)
{
	(void)state;
	uint8_t buf[8192];
	trap_proxy_t p;
	char text[IPBL_IPADDR_STRLEN];
	/* TCP over IPv4 with a TLV after the addresses */
	const uint8_t v4[] = { 45, 33, 32, 156, 192, 0, 2, 1, 0x9c, 0x40, 0, 25, 0x04, 0, 1, 'x' };
	size_t n = v2(buf, 0x21, 0x11, v4, sizeof(v4));
	assert_int_equal(trap_proxy_parse(buf, n + 5, &p), (int)n);
	assert_int_equal(p.version, 2);
	assert_true(p.has_addr);
	assert_string_equal(ipbl_ipaddr_format(&p.src, text), "45.33.32.156");
	assert_string_equal(ipbl_ipaddr_format(&p.dst, text), "192.0.2.1");
	assert_int_equal(p.src_port, 40000);
	assert_int_equal(p.dst_port, 25);
	/* every shorter prefix asks for more */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(trap_proxy_parse(buf, i, &p), 0);
	}
	/* TCP over IPv6 */
	uint8_t v6[36] = { 0x20, 0x01, 0x0d, 0xb8 };
	v6[15] = 7;
	n = v2(buf, 0x21, 0x21, v6, sizeof(v6));
	assert_int_equal(trap_proxy_parse(buf, n, &p), (int)n);
	assert_string_equal(ipbl_ipaddr_format(&p.src, text), "2001:db8::7");
	/* LOCAL: a health check; the addresses (of any family) are ignored */
	n = v2(buf, 0x20, 0x12, v4, sizeof(v4));
	assert_int_equal(trap_proxy_parse(buf, n, &p), (int)n);
	assert_false(p.has_addr);
	/* UNSPEC and unix: no address */
	n = v2(buf, 0x21, 0x00, NULL, 0);
	assert_int_equal(trap_proxy_parse(buf, n, &p), (int)n);
	assert_false(p.has_addr);
	/* refused: wrong version, unknown command, datagram, short address block */
	n = v2(buf, 0x11, 0x11, v4, sizeof(v4));
	assert_int_equal(trap_proxy_parse(buf, n, &p), IPBL_EPARSE);
	n = v2(buf, 0x22, 0x11, v4, sizeof(v4));
	assert_int_equal(trap_proxy_parse(buf, n, &p), IPBL_EPARSE);
	n = v2(buf, 0x21, 0x12, v4, sizeof(v4));
	assert_int_equal(trap_proxy_parse(buf, n, &p), IPBL_EPARSE);
	n = v2(buf, 0x21, 0x11, v4, 11);
	assert_int_equal(trap_proxy_parse(buf, n, &p), IPBL_EPARSE);
	n = v2(buf, 0x21, 0x21, v6, 35);
	assert_int_equal(trap_proxy_parse(buf, n, &p), IPBL_EPARSE);
	/* longer than we buffer: refused as soon as the length is known */
	static uint8_t big[TRAP_PROXY_MAX];
	n = v2(buf, 0x21, 0x11, big, TRAP_PROXY_MAX - 16);
	assert_int_equal(trap_proxy_parse(buf, n, &p), (int)n);
	buf[14] = (uint8_t)((TRAP_PROXY_MAX - 15) >> 8);
	buf[15] = (uint8_t)(TRAP_PROXY_MAX - 15);
	assert_int_equal(trap_proxy_parse(buf, 16, &p), IPBL_ELIMIT);
}

static void test_sniff(void **state)
{
	(void)state;
	assert_int_equal(trap_proxy_sniff((const uint8_t *)"", 0), TRAP_PROXY_MAYBE);
	assert_int_equal(trap_proxy_sniff((const uint8_t *)"PRO", 3), TRAP_PROXY_MAYBE);
	assert_int_equal(trap_proxy_sniff((const uint8_t *)"PROXY ", 6), TRAP_PROXY_YES);
	assert_int_equal(trap_proxy_sniff((const uint8_t *)"PROXX ", 6), TRAP_PROXY_NO);
	assert_int_equal(trap_proxy_sniff((const uint8_t *)"EHLO", 4), TRAP_PROXY_NO);
	assert_int_equal(trap_proxy_sniff((const uint8_t *)"\r\n", 2), TRAP_PROXY_MAYBE);
	assert_int_equal(trap_proxy_sniff((const uint8_t *)"\r\nEHLO", 6), TRAP_PROXY_NO);
	assert_int_equal(trap_proxy_sniff(sig, 12), TRAP_PROXY_YES);
	assert_int_equal(trap_proxy_sniff(sig, 11), TRAP_PROXY_MAYBE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
