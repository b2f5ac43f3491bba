/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for lib/ipaddr: parsing, RFC 5952 formatting, prefixes, order, containment and the
 * RFC 6890 table. Table-driven; every parse case is also checked against the C library's
 * inet_pton, and parsed from an exact-size heap copy so ASan catches any read past the slice. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/err.h"
#include "lib/ipaddr.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Parse a slice held in a heap buffer of exactly len bytes, with no NUL after it. */
static int parse_exact(const char *text, size_t len, ipbl_ipaddr_t *out)
{
	char *copy = test_malloc(len > 0 ? len : 1);
	memcpy(copy, text, len);
	int ret = ipbl_ipaddr_parse((ipbl_str_t){ .ptr = copy, .len = len }, out);
	test_free(copy);
	return ret;
}

static int prefix_parse_exact(const char *text, bool allow_host_bits, ipbl_prefix_t *out)
{
	size_t len = strlen(text);
	char *copy = test_malloc(len > 0 ? len : 1);
	memcpy(copy, text, len);
	int ret = ipbl_prefix_parse((ipbl_str_t){ .ptr = copy, .len = len }, allow_host_bits, out);
	test_free(copy);
	return ret;
}

static ipbl_ipaddr_t addr(const char *text)
{
	ipbl_ipaddr_t a;
	int ret = ipbl_ipaddr_parse(ipbl_str(text), &a);
	if (ret != 0) {
		fail_msg("test data does not parse: \"%s\"", text);
	}
	return a;
}

static ipbl_prefix_t prefix(const char *text)
{
	ipbl_prefix_t p;
	int ret = ipbl_prefix_parse(ipbl_str(text), false, &p);
	if (ret != 0) {
		fail_msg("test data does not parse: \"%s\"", text);
	}
	return p;
}

/* inet_pton's verdict on text, as an ipbl_ipaddr_t; the family is picked the way we pick it. */
static bool libc_parse(const char *text, ipbl_ipaddr_t *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(text, ':') != NULL) {
		out->family = IPBL_AF_V6;
		return inet_pton(AF_INET6, text, out->bytes) == 1;
	}
	out->family = IPBL_AF_V4;
	return inet_pton(AF_INET, text, out->bytes) == 1;
}

/* Valid addresses and their RFC 5952 canonical form. */
static const struct {
	const char *in;
	const char *canonical;
} parse_ok[] = {
	{ "0.0.0.0", "0.0.0.0" },
	{ "255.255.255.255", "255.255.255.255" },
	{ "1.2.3.4", "1.2.3.4" },
	{ "0.10.100.200", "0.10.100.200" },
	{ "192.0.2.1", "192.0.2.1" },
	{ "100.64.0.1", "100.64.0.1" },
	{ "::", "::" },
	{ "::1", "::1" },
	{ "1::", "1::" },
	{ "1::1", "1::1" },
	{ "2001:db8::1", "2001:db8::1" },
	{ "2001:DB8::1", "2001:db8::1" },
	{ "2001:Db8::aBcD", "2001:db8::abcd" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
	{ "2001:db8:0:0:0:0:2:1", "2001:db8::2:1" },
	/* RFC 5952 §4.2.2: a single zero group is never "::". */
	{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
	{ "2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
	/* §4.2.3: the longest run wins, the first one on ties. */
	{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
	{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
	{ "1:0:0:2:0:0:0:3", "1:0:0:2::3" },
	{ "a:0:0:b:0:0:c:0", "a::b:0:0:c:0" },
	{ "0:0:1:0:0:0:0:0", "0:0:1::" },
	{ "0:0:0:0:0:0:0:0", "::" },
	{ "0:0:0:0:0:0:0:1", "::1" },
	{ "1:0:0:0:0:0:0:0", "1::" },
	{ "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0" },
	{ "::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8" },
	{ "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	{ "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	{ "fe80::1", "fe80::1" },
	{ "2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1" },
	{ "0001:0020:0300:4000::", "1:20:300:4000::" },
	/* Embedded dotted quad (RFC 4291 §2.2 form 3); §5 of RFC 5952 for ::ffff:0:0/96. */
	{ "::ffff:1.2.3.4", "::ffff:1.2.3.4" },
	{ "::FFFF:7F00:2", "::ffff:127.0.0.2" },
	{ "0:0:0:0:0:ffff:0102:0304", "::ffff:1.2.3.4" },
	{ "0:0:0:0:0:ffff:0:0", "::ffff:0.0.0.0" },
	{ "::ffff:255.255.255.255", "::ffff:255.255.255.255" },
	{ "::1.2.3.4", "::102:304" },
	{ "::fffe:1.2.3.4", "::fffe:102:304" },
	{ "::ffff:0:1.2.3.4", "::ffff:0:102:304" },
	{ "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
	{ "1::6:1.2.3.4", "1::6:102:304" },
	{ "64:ff9b::192.0.2.33", "64:ff9b::c000:221" },
	{ "1:2:3:4:5::1.2.3.4", "1:2:3:4:5:0:102:304" },
};

static void test_parse_ok(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(parse_ok); i++) {
		const char *in = parse_ok[i].in;
		ipbl_ipaddr_t a, want;
		char buf[IPBL_IPADDR_STRLEN];

		memset(&a, 0xaa, sizeof(a));
		assert_int_equal(parse_exact(in, strlen(in), &a), 0);
		assert_true(libc_parse(in, &want));
		assert_int_equal(a.family, want.family);
		assert_memory_equal(a.bytes, want.bytes, a.family == IPBL_AF_V4 ? 4 : 16);
		if (a.family == IPBL_AF_V4) {
			for (size_t k = 4; k < 16; k++) {
				assert_int_equal(a.bytes[k], 0);
			}
		}
		assert_string_equal(ipbl_ipaddr_format(&a, buf), parse_ok[i].canonical);

		/* The canonical form parses back to the same address and formats to itself. */
		ipbl_ipaddr_t back;
		char buf2[IPBL_IPADDR_STRLEN];
		assert_int_equal(ipbl_ipaddr_parse(ipbl_str(buf), &back), 0);
		assert_true(ipbl_ipaddr_eq(&a, &back));
		assert_string_equal(ipbl_ipaddr_format(&back, buf2), buf);
	}
}

/* Invalid addresses; glibc's inet_pton refuses every one of them too. */
static const char *const parse_bad[] = {
	"",
	" ",
	".",
	"1",
	"1.2.3",
	"1.2.3.4.5",
	"01.2.3.4",
	"1.02.3.4",
	"1.2.3.00",
	"1.2.3.010",
	"00.0.0.0",
	"256.1.1.1",
	"1.2.3.256",
	"1.2.3.999",
	"1234.1.1.1",
	"1.2.3.4 ",
	" 1.2.3.4",
	"1.2.3.4\n",
	"1.2.3.4x",
	"1..2.3",
	".1.2.3",
	"1.2.3.",
	"1.2.3.-4",
	"+1.2.3.4",
	"0x1.2.3.4",
	"1.2.3.4/24",
	"1.2.3.4.",
	"1,2,3,4",
	":",
	":::",
	"::::",
	"1:::2",
	"::1:::",
	":1::2",
	":1:2:3:4:5:6:7:8",
	"1::2:",
	"1:2:3:4:5:6:7:8:",
	"1:",
	":1",
	"1::2::3",
	"::1::",
	"1:2:3:4:5:6:7",
	"1:2:3:4:5:6:7:8:9",
	"1:2:3:4:5:6:7:8::",
	"::1:2:3:4:5:6:7:8",
	"1:2:3:4::5:6:7:8",
	"12345::",
	"::12345",
	"00000::1",
	"1:2:3:4:5:6:7:00008",
	"fe80::1%eth0",
	"fe80::1%1",
	"[::1]",
	"[::1]:53",
	"::g",
	"g::",
	":: ",
	" ::",
	"1 ::",
	"::-1",
	"::+1",
	"::1/128",
	"0x1::",
	"1:2:3:4:5:6:7:1.2.3.4",
	"::1:2:3:4:5:6:1.2.3.4",
	"1:2:3:4:5:6:7:8:1.2.3.4",
	"::ffff:1.2.3",
	"::ffff:1.2.3.4.5",
	"::ffff:01.2.3.4",
	"::ffff:1.2.3.04",
	"::ffff:256.1.1.1",
	"::ffff:1.2.3.4:5",
	"::ffff:1.2.3.4::",
	"1.2.3.4::",
	"1.2.3.4:1::",
	"::1.2.3.4.",
	"::ffff:.1.2.3",
	"::abc.1.2.3",
	"::1234.1.2.3",
	"::ffff:1.2.3.4 ",
};

static void test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(parse_bad); i++) {
		const char *in = parse_bad[i];
		ipbl_ipaddr_t a, untouched, libc;

		memset(&a, 0x5a, sizeof(a));
		memcpy(&untouched, &a, sizeof(a));
		if (parse_exact(in, strlen(in), &a) != IPBL_EPARSE) {
			fail_msg("accepted \"%s\"", in);
		}
		assert_memory_equal(&a, &untouched, sizeof(a));
		if (libc_parse(in, &libc)) {
			fail_msg("inet_pton accepts \"%s\"", in);
		}
	}
}

/* Bytes past the slice are never read, and a NUL inside it is just a bad character. */
static void test_parse_slice(void **state)
{
	(void)state;
	ipbl_ipaddr_t a;
	char buf[IPBL_IPADDR_STRLEN];

	assert_int_equal(parse_exact("1.2.3.45", 7, &a), 0);
	assert_string_equal(ipbl_ipaddr_format(&a, buf), "1.2.3.4");
	assert_int_equal(parse_exact("::1234", 5, &a), 0);
	assert_string_equal(ipbl_ipaddr_format(&a, buf), "::123");
	assert_int_equal(parse_exact("1.2.3.4\0", 8, &a), IPBL_EPARSE);
	assert_int_equal(parse_exact("::1\0", 4, &a), IPBL_EPARSE);
	assert_int_equal(parse_exact("1.2\0.3.4", 8, &a), IPBL_EPARSE);
	assert_int_equal(ipbl_ipaddr_parse((ipbl_str_t){ .ptr = NULL, .len = 0 }, &a), IPBL_EPARSE);
}

static void test_format_bytes(void **state)
{
	(void)state;
	static const struct {
		uint8_t bytes[16];
		const char *want;
	} cases[] = {
		{ { 0 }, "::" },
		{ { [15] = 1 }, "::1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, "2001:db8::1" },
		{ { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 }, "::ffff:192.0.2.1" },
		{ { [10] = 0xff, [11] = 0xfe, 192, 0, 2, 1 }, "::fffe:c000:201" },
		{ { [9] = 1, [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 }, "::1:ffff:c000:201" },
		{ { 0, 1, 0, 0, 0, 1, [15] = 1 }, "1:0:1::1" },
		{ { 0xab, 0xcd, 0x00, 0x0e, 0x00, 0xf0, 0x0f, 0x00, 0, 0, 0, 0, 0, 0, 0x10, 0x01 },
		  "abcd:e:f0:f00::1001" },
		{ { [0] = 0xff, [1] = 0xff, [14] = 0xff, [15] = 0xff }, "ffff::ffff" },
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		ipbl_ipaddr_t a;
		/* Exactly IPBL_IPADDR_STRLEN bytes on the heap: ASan catches an overflow. */
		char *buf = test_malloc(IPBL_IPADDR_STRLEN);
		ipbl_ipaddr_from_v6(cases[i].bytes, &a);
		assert_ptr_equal(ipbl_ipaddr_format(&a, buf), buf);
		assert_string_equal(buf, cases[i].want);
		test_free(buf);
	}
}

static void test_format_longest(void **state)
{
	(void)state;
	static const char *const longest[] = {
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"::ffff:255.255.255.255",
		"255.255.255.255",
	};
	for (size_t i = 0; i < N_ELEMS(longest); i++) {
		char *buf = test_malloc(IPBL_IPADDR_STRLEN);
		ipbl_ipaddr_t a = addr(longest[i]);
		assert_string_equal(ipbl_ipaddr_format(&a, buf), longest[i]);
		test_free(buf);

		ipbl_prefix_t p = { .addr = a, .len = a.family == IPBL_AF_V4 ? 32 : 128 };
		char *pbuf = test_malloc(IPBL_PREFIX_STRLEN);
		ipbl_prefix_format(&p, pbuf);
		assert_int_equal(strlen(pbuf),
				 strlen(longest[i]) + (a.family == IPBL_AF_V4 ? 3 : 4));
		test_free(pbuf);
	}
	/* A value from no parser formats as "" rather than as garbage. */
	ipbl_ipaddr_t bogus;
	char buf[IPBL_IPADDR_STRLEN];
	memset(&bogus, 0, sizeof(bogus));
	bogus.family = 5;
	assert_string_equal(ipbl_ipaddr_format(&bogus, buf), "");
}

/* want_ret 0: the prefix parses and formats as canonical. */
static const struct {
	const char *in;
	bool allow_host_bits;
	int want_ret;
	const char *canonical;
} prefix_cases[] = {
	{ "10.0.0.0/8", false, 0, "10.0.0.0/8" },
	{ "10.1.0.0/8", false, IPBL_EPARSE, NULL },
	{ "10.1.0.0/8", true, 0, "10.0.0.0/8" },
	{ "1.2.3.4", false, 0, "1.2.3.4/32" },
	{ "1.2.3.4", true, 0, "1.2.3.4/32" },
	{ "1.2.3.4/32", false, 0, "1.2.3.4/32" },
	{ "0.0.0.0/0", false, 0, "0.0.0.0/0" },
	{ "1.2.3.4/0", false, IPBL_EPARSE, NULL },
	{ "1.2.3.4/0", true, 0, "0.0.0.0/0" },
	{ "1.2.3.128/25", false, 0, "1.2.3.128/25" },
	{ "1.2.3.129/25", false, IPBL_EPARSE, NULL },
	{ "1.2.3.129/25", true, 0, "1.2.3.128/25" },
	{ "1.2.3.5/31", false, IPBL_EPARSE, NULL },
	{ "1.2.3.4/31", false, 0, "1.2.3.4/31" },
	{ "1.2.3.4/30", false, 0, "1.2.3.4/30" },
	{ "255.255.255.255/31", true, 0, "255.255.255.254/31" },
	{ "172.16.0.0/12", false, 0, "172.16.0.0/12" },
	{ "172.24.0.0/12", false, IPBL_EPARSE, NULL },
	{ "1.2.3.4/33", false, IPBL_EPARSE, NULL },
	{ "1.2.3.4/33", true, IPBL_EPARSE, NULL },
	{ "1.2.3.4/08", true, IPBL_EPARSE, NULL },
	{ "1.2.3.4/00", true, IPBL_EPARSE, NULL },
	{ "0.0.0.0/00", false, IPBL_EPARSE, NULL },
	{ "1.2.3.4/", false, IPBL_EPARSE, NULL },
	{ "/8", false, IPBL_EPARSE, NULL },
	{ "/", false, IPBL_EPARSE, NULL },
	{ "", false, IPBL_EPARSE, NULL },
	{ "1.2.3.4/-1", true, IPBL_EPARSE, NULL },
	{ "1.2.3.4/+8", true, IPBL_EPARSE, NULL },
	{ "1.2.3.4/ 8", true, IPBL_EPARSE, NULL },
	{ "1.2.3.4 /8", true, IPBL_EPARSE, NULL },
	{ "1.2.3.4/8 ", true, IPBL_EPARSE, NULL },
	{ "10.0.0.0/8/8", true, IPBL_EPARSE, NULL },
	{ "1.2.3.4/0x8", true, IPBL_EPARSE, NULL },
	{ "1.2.3.4/99999999999999999999999", true, IPBL_EPARSE, NULL },
	{ "01.2.3.4/32", true, IPBL_EPARSE, NULL },
	{ "::/0", false, 0, "::/0" },
	{ "::", false, 0, "::/128" },
	{ "::/128", false, 0, "::/128" },
	{ "::1/128", false, 0, "::1/128" },
	{ "::1/127", false, IPBL_EPARSE, NULL },
	{ "::1/129", true, IPBL_EPARSE, NULL },
	{ "::/1280", true, IPBL_EPARSE, NULL },
	{ "::/033", true, IPBL_EPARSE, NULL },
	{ "2001:db8::/32", false, 0, "2001:db8::/32" },
	{ "2001:DB8::/32", false, 0, "2001:db8::/32" },
	{ "2001:db8::1", false, 0, "2001:db8::1/128" },
	{ "2001:db8::1/32", false, IPBL_EPARSE, NULL },
	{ "2001:db8::1/32", true, 0, "2001:db8::/32" },
	{ "2001:db8:8000::/33", false, 0, "2001:db8:8000::/33" },
	{ "2001:db8:8000::/32", false, IPBL_EPARSE, NULL },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/64", true, 0, "2001:db8:ffff:ffff::/64" },
	{ "fe80::/10", false, 0, "fe80::/10" },
	{ "fec0::/10", false, 0, "fec0::/10" },
	{ "fea0::/10", false, IPBL_EPARSE, NULL },
	{ "fea0::/10", true, 0, "fe80::/10" },
	{ "::ffff:10.0.0.0/104", false, 0, "::ffff:10.0.0.0/104" },
	{ "::ffff:10.1.0.0/104", true, 0, "::ffff:10.0.0.0/104" },
	{ "::ffff:1.2.3.4/96", true, 0, "::ffff:0.0.0.0/96" },
	{ "fe80::1%eth0/64", true, IPBL_EPARSE, NULL },
	{ "[::1]/128", true, IPBL_EPARSE, NULL },
	{ "::1/128/", true, IPBL_EPARSE, NULL },
};

static void test_prefix_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(prefix_cases); i++) {
		ipbl_prefix_t p;
		char buf[IPBL_PREFIX_STRLEN];
		int ret =
			prefix_parse_exact(prefix_cases[i].in, prefix_cases[i].allow_host_bits, &p);
		if (ret != prefix_cases[i].want_ret) {
			fail_msg("\"%s\" allow_host_bits=%d: got %d, want %d", prefix_cases[i].in,
				 prefix_cases[i].allow_host_bits, ret, prefix_cases[i].want_ret);
		}
		if (ret != 0) {
			continue;
		}
		assert_string_equal(ipbl_prefix_format(&p, buf), prefix_cases[i].canonical);
		/* The canonical form is strict-parse clean and round-trips. */
		ipbl_prefix_t back;
		assert_int_equal(ipbl_prefix_parse(ipbl_str(buf), false, &back), 0);
		assert_true(ipbl_ipaddr_eq(&p.addr, &back.addr));
		assert_int_equal(p.len, back.len);
	}
}

static const struct {
	const char *a, *b;
	int sign;
} cmp_cases[] = {
	{ "1.2.3.4", "1.2.3.4", 0 },
	{ "1.2.3.4", "1.2.3.5", -1 },
	{ "1.2.3.5", "1.2.3.4", 1 },
	{ "10.0.0.0", "9.255.255.255", 1 },
	{ "0.0.0.0", "255.255.255.255", -1 },
	{ "255.255.255.255", "::", -1 },
	{ "::", "0.0.0.0", 1 },
	{ "::", "::", 0 },
	{ "::1", "::2", -1 },
	{ "2001:db8::", "2001:0db8:0:0::0", 0 },
	{ "2001:db8::1", "2001:db8::", 1 },
	{ "ff00::", "fe80::", 1 },
	{ "1::", "::ffff", 1 },
	/* An IPv4-mapped address is IPv6, not its IPv4 address. */
	{ "::ffff:1.2.3.4", "1.2.3.4", 1 },
	{ "1.2.3.4", "::ffff:1.2.3.4", -1 },
};

static int sign_of(int v)
{
	return (v > 0) - (v < 0);
}

static void test_cmp(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(cmp_cases); i++) {
		ipbl_ipaddr_t a = addr(cmp_cases[i].a);
		ipbl_ipaddr_t b = addr(cmp_cases[i].b);
		if (sign_of(ipbl_ipaddr_cmp(&a, &b)) != cmp_cases[i].sign) {
			fail_msg("cmp(%s, %s) != %d", cmp_cases[i].a, cmp_cases[i].b,
				 cmp_cases[i].sign);
		}
		assert_int_equal(sign_of(ipbl_ipaddr_cmp(&b, &a)), -cmp_cases[i].sign);
		assert_int_equal(ipbl_ipaddr_eq(&a, &b), cmp_cases[i].sign == 0);
	}
	/* The bytes an IPv4 address does not use play no part. */
	ipbl_ipaddr_t x = addr("1.2.3.4");
	ipbl_ipaddr_t y = x;
	y.bytes[15] = 0x77;
	assert_int_equal(ipbl_ipaddr_cmp(&x, &y), 0);
	assert_true(ipbl_ipaddr_eq(&x, &y));
}

static const struct {
	const char *prefix, *addr;
	bool want;
} contains_cases[] = {
	{ "10.0.0.0/8", "10.0.0.0", true },
	{ "10.0.0.0/8", "10.255.255.255", true },
	{ "10.0.0.0/8", "11.0.0.0", false },
	{ "10.0.0.0/8", "9.255.255.255", false },
	{ "0.0.0.0/0", "1.2.3.4", true },
	{ "0.0.0.0/0", "255.255.255.255", true },
	{ "0.0.0.0/0", "::", false },
	{ "::/0", "1.2.3.4", false },
	{ "::/0", "::ffff:1.2.3.4", true },
	{ "::/0", "ffff::", true },
	{ "1.2.3.4/32", "1.2.3.4", true },
	{ "1.2.3.4/32", "1.2.3.5", false },
	{ "1.2.3.0/25", "1.2.3.127", true },
	{ "1.2.3.0/25", "1.2.3.128", false },
	{ "100.64.0.0/10", "100.127.255.255", true },
	{ "100.64.0.0/10", "100.128.0.0", false },
	{ "::ffff:0:0/96", "::ffff:1.2.3.4", true },
	{ "::ffff:0:0/96", "1.2.3.4", false },
	{ "1.0.0.0/8", "::ffff:1.2.3.4", false },
	{ "2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "2001:db8::/32", "2001:db9::", false },
	{ "2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false },
	{ "2001:db8::/127", "2001:db8::1", true },
	{ "2001:db8::/128", "2001:db8::1", false },
	{ "2001:db8::1/128", "2001:db8::1", true },
	{ "fe80::/10", "febf:ffff::", true },
	{ "fe80::/10", "fec0::", false },
	{ "fc00::/7", "fdff::1", true },
	{ "fc00::/7", "fe00::", false },
};

static void test_contains(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(contains_cases); i++) {
		ipbl_prefix_t p = prefix(contains_cases[i].prefix);
		ipbl_ipaddr_t a = addr(contains_cases[i].addr);
		if (ipbl_prefix_contains(&p, &a) != contains_cases[i].want) {
			fail_msg("contains(%s, %s) != %d", contains_cases[i].prefix,
				 contains_cases[i].addr, contains_cases[i].want);
		}
	}
}

static const struct {
	const char *in;
	bool did;
	const char *after;
} unmap_cases[] = {
	{ "::ffff:1.2.3.4", true, "1.2.3.4" },
	{ "::ffff:0.0.0.0", true, "0.0.0.0" },
	{ "::FFFF:7F00:2", true, "127.0.0.2" },
	{ "::ffff:255.255.255.255", true, "255.255.255.255" },
	{ "1.2.3.4", false, "1.2.3.4" },
	{ "::1.2.3.4", false, "::102:304" },
	{ "::fffe:1.2.3.4", false, "::fffe:102:304" },
	{ "1::ffff:1.2.3.4", false, "1::ffff:102:304" },
	{ "::1:ffff:1.2.3.4", false, "::1:ffff:102:304" },
	{ "64:ff9b::1.2.3.4", false, "64:ff9b::102:304" },
	{ "::ffff:0:1.2.3.4", false, "::ffff:0:102:304" },
	{ "::", false, "::" },
};

static void test_unmap(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(unmap_cases); i++) {
		ipbl_ipaddr_t a = addr(unmap_cases[i].in);
		ipbl_ipaddr_t want = addr(unmap_cases[i].after);
		char buf[IPBL_IPADDR_STRLEN];
		assert_int_equal(ipbl_ipaddr_unmap(&a), unmap_cases[i].did);
		assert_string_equal(ipbl_ipaddr_format(&a, buf), unmap_cases[i].after);
		/* Whole-struct equality: the unused bytes of the IPv4 result are zero. */
		assert_memory_equal(&a, &want, sizeof(a));
	}
}

static void test_from_v4_v6(void **state)
{
	(void)state;
	static const struct {
		uint32_t host;
		const char *text;
	} v4[] = {
		{ 0x00000000u, "0.0.0.0" },	    { 0x01020304u, "1.2.3.4" },
		{ 0x7f000001u, "127.0.0.1" },	    { 0xc0000201u, "192.0.2.1" },
		{ 0xffffffffu, "255.255.255.255" },
	};
	for (size_t i = 0; i < N_ELEMS(v4); i++) {
		ipbl_ipaddr_t a;
		ipbl_ipaddr_t want = addr(v4[i].text);
		char buf[IPBL_IPADDR_STRLEN];
		memset(&a, 0xaa, sizeof(a));
		ipbl_ipaddr_from_v4(v4[i].host, &a);
		assert_memory_equal(&a, &want, sizeof(a));
		assert_string_equal(ipbl_ipaddr_format(&a, buf), v4[i].text);
		assert_int_equal(ipbl_ipaddr_v4(&a), v4[i].host);
		assert_int_equal(ipbl_ipaddr_v4(&want), v4[i].host);
	}

	static const uint8_t db8[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xbe, [15] = 0xef };
	ipbl_ipaddr_t a;
	ipbl_ipaddr_t want = addr("2001:db8::beef");
	memset(&a, 0xaa, sizeof(a));
	ipbl_ipaddr_from_v6(db8, &a);
	assert_memory_equal(&a, &want, sizeof(a));
	assert_int_equal(a.family, IPBL_AF_V6);
}

/* First and last address of every table entry, and the neighbours just outside. */
static const struct {
	const char *in;
	enum ipbl_ipaddr_kind kind;
} kind_cases[] = {
	{ "0.0.0.0", IPBL_IP_UNSPECIFIED },
	{ "0.255.255.255", IPBL_IP_UNSPECIFIED },
	{ "1.0.0.0", IPBL_IP_GLOBAL },
	{ "1.1.1.1", IPBL_IP_GLOBAL },
	{ "8.8.8.8", IPBL_IP_GLOBAL },
	{ "9.255.255.255", IPBL_IP_GLOBAL },
	{ "10.0.0.0", IPBL_IP_PRIVATE },
	{ "10.255.255.255", IPBL_IP_PRIVATE },
	{ "11.0.0.0", IPBL_IP_GLOBAL },
	{ "100.63.255.255", IPBL_IP_GLOBAL },
	{ "100.64.0.0", IPBL_IP_SHARED },
	{ "100.127.255.255", IPBL_IP_SHARED },
	{ "100.128.0.0", IPBL_IP_GLOBAL },
	{ "126.255.255.255", IPBL_IP_GLOBAL },
	{ "127.0.0.0", IPBL_IP_LOOPBACK },
	{ "127.0.0.1", IPBL_IP_LOOPBACK },
	{ "127.0.0.2", IPBL_IP_LOOPBACK },
	{ "127.255.255.255", IPBL_IP_LOOPBACK },
	{ "128.0.0.0", IPBL_IP_GLOBAL },
	{ "169.253.255.255", IPBL_IP_GLOBAL },
	{ "169.254.0.0", IPBL_IP_LINK_LOCAL },
	{ "169.254.255.255", IPBL_IP_LINK_LOCAL },
	{ "169.255.0.0", IPBL_IP_GLOBAL },
	{ "172.15.255.255", IPBL_IP_GLOBAL },
	{ "172.16.0.0", IPBL_IP_PRIVATE },
	{ "172.31.255.255", IPBL_IP_PRIVATE },
	{ "172.32.0.0", IPBL_IP_GLOBAL },
	{ "191.255.255.255", IPBL_IP_GLOBAL },
	{ "192.0.0.0", IPBL_IP_RESERVED },
	{ "192.0.0.255", IPBL_IP_RESERVED },
	{ "192.0.1.0", IPBL_IP_GLOBAL },
	{ "192.0.1.255", IPBL_IP_GLOBAL },
	{ "192.0.2.0", IPBL_IP_DOCUMENTATION },
	{ "192.0.2.255", IPBL_IP_DOCUMENTATION },
	{ "192.0.3.0", IPBL_IP_GLOBAL },
	{ "192.88.98.255", IPBL_IP_GLOBAL },
	{ "192.88.99.0", IPBL_IP_RESERVED },
	{ "192.88.99.255", IPBL_IP_RESERVED },
	{ "192.88.100.0", IPBL_IP_GLOBAL },
	{ "192.167.255.255", IPBL_IP_GLOBAL },
	{ "192.168.0.0", IPBL_IP_PRIVATE },
	{ "192.168.255.255", IPBL_IP_PRIVATE },
	{ "192.169.0.0", IPBL_IP_GLOBAL },
	{ "198.17.255.255", IPBL_IP_GLOBAL },
	{ "198.18.0.0", IPBL_IP_RESERVED },
	{ "198.19.255.255", IPBL_IP_RESERVED },
	{ "198.20.0.0", IPBL_IP_GLOBAL },
	{ "198.51.99.255", IPBL_IP_GLOBAL },
	{ "198.51.100.0", IPBL_IP_DOCUMENTATION },
	{ "198.51.100.255", IPBL_IP_DOCUMENTATION },
	{ "198.51.101.0", IPBL_IP_GLOBAL },
	{ "203.0.112.255", IPBL_IP_GLOBAL },
	{ "203.0.113.0", IPBL_IP_DOCUMENTATION },
	{ "203.0.113.255", IPBL_IP_DOCUMENTATION },
	{ "203.0.114.0", IPBL_IP_GLOBAL },
	{ "223.255.255.255", IPBL_IP_GLOBAL },
	{ "224.0.0.0", IPBL_IP_RESERVED },
	{ "239.255.255.255", IPBL_IP_RESERVED },
	{ "240.0.0.0", IPBL_IP_RESERVED },
	{ "255.255.255.254", IPBL_IP_RESERVED },
	{ "255.255.255.255", IPBL_IP_RESERVED },
	{ "::", IPBL_IP_UNSPECIFIED },
	{ "::1", IPBL_IP_LOOPBACK },
	{ "::2", IPBL_IP_GLOBAL },
	/* IPv4-mapped: classified as the IPv4 address. */
	{ "::ffff:0.0.0.0", IPBL_IP_UNSPECIFIED },
	{ "::ffff:8.8.8.8", IPBL_IP_GLOBAL },
	{ "::ffff:10.0.0.1", IPBL_IP_PRIVATE },
	{ "::ffff:100.64.0.1", IPBL_IP_SHARED },
	{ "::FFFF:7F00:2", IPBL_IP_LOOPBACK },
	{ "::ffff:169.254.1.1", IPBL_IP_LINK_LOCAL },
	{ "::ffff:192.0.2.1", IPBL_IP_DOCUMENTATION },
	{ "::ffff:255.255.255.255", IPBL_IP_RESERVED },
	/* Not IPv4-mapped, so not folded. */
	{ "::fffe:10.0.0.1", IPBL_IP_GLOBAL },
	{ "::ffff:0:10.0.0.1", IPBL_IP_GLOBAL },
	/* NAT64 well-known prefix (RFC 6052): global whatever the embedded IPv4. */
	{ "64:ff9b::8.8.8.8", IPBL_IP_GLOBAL },
	{ "64:ff9b::10.0.0.1", IPBL_IP_GLOBAL },
	{ "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "64:ff9b:1::", IPBL_IP_RESERVED },
	{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", IPBL_IP_RESERVED },
	{ "64:ff9b:2::", IPBL_IP_GLOBAL },
	{ "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "100::", IPBL_IP_RESERVED },
	{ "100::ffff:ffff:ffff:ffff", IPBL_IP_RESERVED },
	{ "100:0:0:1::", IPBL_IP_GLOBAL },
	{ "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "2001::", IPBL_IP_RESERVED },
	{ "2001::1", IPBL_IP_RESERVED },
	{ "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_RESERVED },
	{ "2001:200::", IPBL_IP_GLOBAL },
	{ "2001:4860:4860::8888", IPBL_IP_GLOBAL },
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "2001:db8::", IPBL_IP_DOCUMENTATION },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_DOCUMENTATION },
	{ "2001:db9::", IPBL_IP_GLOBAL },
	{ "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "2002::", IPBL_IP_RESERVED },
	{ "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_RESERVED },
	{ "2003::", IPBL_IP_GLOBAL },
	{ "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "3fff::", IPBL_IP_DOCUMENTATION },
	{ "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_DOCUMENTATION },
	{ "3fff:1000::", IPBL_IP_GLOBAL },
	{ "5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "5f00::", IPBL_IP_RESERVED },
	{ "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_RESERVED },
	{ "5f01::", IPBL_IP_GLOBAL },
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "fc00::", IPBL_IP_PRIVATE },
	{ "fd12:3456:789a::1", IPBL_IP_PRIVATE },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_PRIVATE },
	{ "fe00::", IPBL_IP_GLOBAL },
	{ "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "fe80::", IPBL_IP_LINK_LOCAL },
	{ "fe80::1", IPBL_IP_LINK_LOCAL },
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_LINK_LOCAL },
	{ "fec0::", IPBL_IP_GLOBAL },
	{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_GLOBAL },
	{ "ff00::", IPBL_IP_RESERVED },
	{ "ff02::1", IPBL_IP_RESERVED },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IPBL_IP_RESERVED },
};

static void test_kind(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(kind_cases); i++) {
		ipbl_ipaddr_t a = addr(kind_cases[i].in);
		enum ipbl_ipaddr_kind got = ipbl_ipaddr_kind(&a);
		if (got != kind_cases[i].kind) {
			fail_msg("kind(%s) = %s, want %s", kind_cases[i].in,
				 ipbl_ipaddr_kind_name(got),
				 ipbl_ipaddr_kind_name(kind_cases[i].kind));
		}
		assert_int_equal(ipbl_ipaddr_is_reserved(&a), kind_cases[i].kind != IPBL_IP_GLOBAL);
	}
	/* A value from no parser is never treated as listable. */
	ipbl_ipaddr_t bogus;
	memset(&bogus, 0, sizeof(bogus));
	assert_int_equal(ipbl_ipaddr_kind(&bogus), IPBL_IP_RESERVED);
	assert_true(ipbl_ipaddr_is_reserved(&bogus));
}

static void test_kind_name(void **state)
{
	(void)state;
	static const struct {
		enum ipbl_ipaddr_kind kind;
		const char *name;
	} names[] = {
		{ IPBL_IP_GLOBAL, "global" },
		{ IPBL_IP_UNSPECIFIED, "unspecified" },
		{ IPBL_IP_LOOPBACK, "loopback" },
		{ IPBL_IP_PRIVATE, "private" },
		{ IPBL_IP_SHARED, "shared (CGNAT)" },
		{ IPBL_IP_LINK_LOCAL, "link-local" },
		{ IPBL_IP_DOCUMENTATION, "documentation" },
		{ IPBL_IP_RESERVED, "reserved" },
	};
	for (size_t i = 0; i < N_ELEMS(names); i++) {
		assert_string_equal(ipbl_ipaddr_kind_name(names[i].kind), names[i].name);
	}
	assert_string_equal(ipbl_ipaddr_kind_name((enum ipbl_ipaddr_kind)99), "unknown");
}

/* Ranges as text: one address, exactly one prefix, or FIRST-LAST. */
static void test_range_format(void **state)
{
	(void)state;
	static const struct {
		const char *first, *last, *want;
	} cases[] = {
		{ "192.0.2.7", "192.0.2.7", "192.0.2.7" },
		{ "198.51.100.0", "198.51.100.255", "198.51.100.0/24" },
		{ "198.51.100.0", "198.51.101.255", "198.51.100.0/23" },
		{ "198.51.100.128", "198.51.100.191", "198.51.100.128/26" },
		{ "0.0.0.0", "255.255.255.255", "0.0.0.0/0" },
		{ "198.51.100.8", "198.51.100.255", "198.51.100.8-198.51.100.255" },
		{ "198.51.100.0", "198.51.100.6", "198.51.100.0-198.51.100.6" },
		{ "198.51.100.1", "198.51.100.2", "198.51.100.1-198.51.100.2" },
		{ "198.51.100.0", "198.51.102.255", "198.51.100.0-198.51.102.255" },
		{ "2001:db8:1:2::", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64" },
		{ "2001:db8::", "2001:db8:0:7fff:ffff:ffff:ffff:ffff", "2001:db8::/49" },
		{ "2001:db8::1", "2001:db8::1", "2001:db8::1" },
		{ "2001:db8::1", "2001:db8::ffff", "2001:db8::1-2001:db8::ffff" },
		{ "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0" },
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		ipbl_ipaddr_t f, l;
		assert_int_equal(parse_exact(cases[i].first, strlen(cases[i].first), &f), 0);
		assert_int_equal(parse_exact(cases[i].last, strlen(cases[i].last), &l), 0);
		char buf[IPBL_RANGE_STRLEN];
		assert_string_equal(ipbl_range_format(&f, &l, buf), cases[i].want);
	}
	/* the longest: two full IPv6 addresses with a dotted quad each fit */
	ipbl_ipaddr_t f, l;
	const char *big = "1111:2222:3333:4444:5555:6666:255.255.255.254";
	const char *big2 = "1111:2222:3333:4444:5555:6666:255.255.255.255";
	assert_int_equal(parse_exact(big, strlen(big), &f), 0);
	assert_int_equal(parse_exact(big2, strlen(big2), &l), 0);
	char buf[IPBL_RANGE_STRLEN];
	assert_string_equal(ipbl_range_format(&f, &l, buf),
			    "1111:2222:3333:4444:5555:6666:ffff:fffe/127");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_slice),
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_format_longest),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_unmap),
		cmocka_unit_test(test_from_v4_v6),
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_kind_name),
		cmocka_unit_test(test_range_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
