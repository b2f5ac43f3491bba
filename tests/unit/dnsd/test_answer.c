/* SPDX-License-Identifier: BSD-2-Clause */
/* Query -> answer: every rule of contract.md § DNS, table-driven, read back by a small
 * independent response reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dnsd/answer.h"
#include "zone/builder.h"

static dnsd_zone_t zone;
static zone_snapshot_t *snap;

static int setup(void **state)
{
	(void)state;
	static const char *const ns[] = { "ns1.example.net", "ns2.example.net" };
	dnsd_zone_params_t p = {
		.zone = "bl.example.org",
		.txt = "Blocked - see http://w/lookup?ip=$",
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
	assert_int_equal(dnsd_zone_init(&zone, &p, err, sizeof(err)), 0);
	zone_builder_t *b = zone_builder_new();
	uint32_t v2 = 0;
	uint32_t v3 = 0;
	uint32_t vlong = 0;
	char longtxt[700];
	memset(longtxt, 'x', sizeof(longtxt));
	longtxt[0] = '$';
	assert_int_equal(zone_builder_value(b, 0x7f000002, "listed $ ($)", 12, &v2), 0);
	assert_int_equal(zone_builder_value(b, 0x7f000003, NULL, 0, &v3), 0);
	uint32_t vdollar = 0;
	assert_int_equal(zone_builder_value(b, 0x7f000004, "pay $$5 for $", 13, &vdollar), 0);
	assert_int_equal(zone_builder_add_ip4(b, 0x0c000001, 0x0c000001, 32, vdollar), 0);
	assert_int_equal(zone_builder_value(b, 0x7f00000a, longtxt, sizeof(longtxt), &vlong), 0);
	assert_int_equal(zone_builder_add_ip4(b, 0x01020304, 0x01020304, 32, v2), 0);
	assert_int_equal(zone_builder_add_ip4(b, 0x7f000001, 0x7f000001, 32, v2), 0);
	assert_int_equal(zone_builder_add_ip4(b, 0x0a000000, 0x0affffff, 8, v3), 0);
	assert_int_equal(zone_builder_add_ip4(b, 0x0b000001, 0x0b000001, 32, vlong), 0);
	static const uint8_t f6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t l6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,	  0,
					0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	assert_int_equal(zone_builder_add_ip6(b, f6, l6, 64, v2), 0);
	assert_int_equal(zone_builder_finish(b, 2026112201, &snap), 0);
	zone_builder_free(b);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	zone_snapshot_unref(snap);
	return 0;
}

/* ---- query building ---- */

static size_t make_query(uint8_t *p, const char *name, uint16_t qtype, uint16_t qclass,
			 uint16_t flags, int edns_size, uint8_t edns_version)
{
	memset(p, 0, 12);
	p[0] = 0xab;
	p[1] = 0xcd;
	p[2] = (uint8_t)(flags >> 8);
	p[3] = (uint8_t)flags;
	p[5] = 1;
	p[11] = edns_size ? 1 : 0;
	size_t n = 12;
	/* keep the caller's case: build labels by hand */
	const char *s = name;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		p[n++] = (uint8_t)l;
		memcpy(p + n, s, l);
		n += l;
		s += l + (dot ? 1 : 0);
	}
	p[n++] = 0;
	p[n++] = (uint8_t)(qtype >> 8);
	p[n++] = (uint8_t)qtype;
	p[n++] = (uint8_t)(qclass >> 8);
	p[n++] = (uint8_t)qclass;
	if (edns_size) {
		uint8_t opt[11] = {
			0, 0, 41, (uint8_t)(edns_size >> 8), (uint8_t)edns_size, 0, edns_version, 0,
			0, 0, 0
		};
		memcpy(p + n, opt, 11);
		n += 11;
	}
	return n;
}

/* ---- a small independent reader ---- */

typedef struct {
	uint16_t id, flags, qd, an, ns, ar;
	uint8_t rcode; /* header rcode | OPT extended << 4 */
	uint16_t types[16];
	uint32_t ttls[16];
	uint32_t a;	/* first A */
	char txt[2048]; /* first TXT, strings joined */
	unsigned txt_strings;
	uint32_t soa_serial;
	uint16_t opt_size;
	bool has_opt;
} reply_t;

static size_t skip_name(const uint8_t *p, size_t n, size_t pos)
{
	while (pos < n) {
		if (p[pos] == 0) {
			return pos + 1;
		}
		if ((p[pos] & 0xc0) == 0xc0) {
			return pos + 2;
		}
		pos += 1u + p[pos];
	}
	fail_msg("name runs past the end");
	return n;
}

static uint16_t u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)u16(p) << 16 | u16(p + 2);
}

static void read_reply(const uint8_t *p, size_t n, reply_t *r)
{
	memset(r, 0, sizeof(*r));
	assert_true(n >= 12);
	r->id = u16(p);
	r->flags = u16(p + 2);
	r->qd = u16(p + 4);
	r->an = u16(p + 6);
	r->ns = u16(p + 8);
	r->ar = u16(p + 10);
	r->rcode = r->flags & 0xf;
	size_t pos = 12;
	for (unsigned i = 0; i < r->qd; i++) {
		pos = skip_name(p, n, pos) + 4;
	}
	unsigned total = r->an + r->ns + r->ar;
	for (unsigned i = 0; i < total; i++) {
		pos = skip_name(p, n, pos);
		assert_true(pos + 10 <= n);
		uint16_t type = u16(p + pos);
		uint32_t ttl = u32(p + pos + 4);
		uint16_t rdlen = u16(p + pos + 8);
		const uint8_t *rd = p + pos + 10;
		assert_true(pos + 10 + rdlen <= n);
		if (i < 16) {
			r->types[i] = type;
			r->ttls[i] = ttl;
		}
		if (type == DNS_TYPE_A && r->a == 0) {
			assert_int_equal(rdlen, 4);
			r->a = u32(rd);
		} else if (type == DNS_TYPE_TXT && r->txt_strings == 0) {
			size_t o = 0;
			size_t t = 0;
			while (o < rdlen) {
				memcpy(r->txt + t, rd + o + 1, rd[o]);
				t += rd[o];
				o += 1u + rd[o];
				r->txt_strings++;
			}
			assert_int_equal(o, rdlen);
			r->txt[t] = '\0';
		} else if (type == DNS_TYPE_SOA) {
			size_t o = skip_name(rd, rdlen, 0);
			o = skip_name(rd, rdlen, o);
			r->soa_serial = u32(rd + o);
		} else if (type == DNS_TYPE_OPT) {
			r->has_opt = true;
			r->opt_size = u16(p + pos + 2);
			r->rcode |= (uint8_t)(p[pos + 4] << 4);
		}
		pos += 10u + rdlen;
	}
	assert_int_equal(pos, n);
}

/* ---- the table ---- */

typedef struct {
	const char *name;
	uint16_t qtype;
	uint8_t rcode;
	uint16_t an, ns;
	uint32_t a;	 /* expected first A, 0 = none */
	const char *txt; /* expected first TXT, NULL = none */
	bool aa;
} answer_case_t;

#define IN4(x) x ".bl.example.org"
#define V6LISTED "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org"
#define V6MAPPED2 "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org"
#define V6MAPPED1 "1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org"
#define V6OUT "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org"

static const answer_case_t cases[] = {
	/* listed IPv4 */
	{ IN4("4.3.2.1"), DNS_TYPE_A, 0, 1, 0, 0x7f000002, NULL, true },
	{ IN4("4.3.2.1"), DNS_TYPE_TXT, 0, 1, 0, 0, "listed 1.2.3.4 (1.2.3.4)", true },
	{ IN4("4.3.2.1"), DNS_TYPE_ANY, 0, 2, 0, 0x7f000002, "listed 1.2.3.4 (1.2.3.4)", true },
	{ IN4("4.3.2.1"), DNS_TYPE_AAAA, 0, 0, 1, 0, NULL, true },
	{ IN4("4.3.2.1"), 15 /* MX */, 0, 0, 1, 0, NULL, true },
	/* a range, a value with no TXT */
	{ IN4("9.8.7.10"), DNS_TYPE_A, 0, 1, 0, 0x7f000003, NULL, true },
	{ IN4("9.8.7.10"), DNS_TYPE_TXT, 0, 0, 1, 0, NULL, true },
	{ IN4("0.0.0.11"), DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	{ IN4("1.0.0.12"), DNS_TYPE_TXT, 0, 1, 0, 0, "pay $5 for 12.0.0.1", true },
	/* test points win over the data */
	{ IN4("2.0.0.127"), DNS_TYPE_A, 0, 1, 0, 0x7f000002, NULL, true },
	{ IN4("2.0.0.127"), DNS_TYPE_TXT, 0, 1, 0, 0, "Blocked - see http://w/lookup?ip=127.0.0.2",
	  true },
	{ IN4("1.0.0.127"), DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	{ V6MAPPED2, DNS_TYPE_TXT, 0, 1, 0, 0, "Blocked - see http://w/lookup?ip=::ffff:127.0.0.2",
	  true },
	{ V6MAPPED1, DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	/* IPv6, any case */
	{ V6LISTED, DNS_TYPE_TXT, 0, 1, 0, 0, "listed 2001:db8::1 (2001:db8::1)", true },
	{ "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.bl.example.org",
	  DNS_TYPE_A, 0, 1, 0, 0x7f000002, NULL, true },
	{ V6OUT, DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	/* not listed, malformed labels */
	{ IN4("5.3.2.1"), DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	{ IN4("04.3.2.1"), DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	{ IN4("256.3.2.1"), DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	{ IN4("4.3.2.1.0"), DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	{ IN4("x.3.2.1"), DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	{ IN4("www"), DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	/* empty non-terminals above listed entries: NOERROR, no data */
	{ IN4("3.2.1"), DNS_TYPE_A, 0, 0, 1, 0, NULL, true },
	{ IN4("1"), DNS_TYPE_TXT, 0, 0, 1, 0, NULL, true },
	{ IN4("0.0.127"), DNS_TYPE_A, 0, 0, 1, 0, NULL, true },
	{ IN4("3.2.2"), DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	{ "8.b.d.0.1.0.0.2.bl.example.org", DNS_TYPE_A, 0, 0, 1, 0, NULL, true },
	{ "9.b.d.0.1.0.0.2.bl.example.org", DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	/* four one-digit labels: IPv4 2.0.0.1 is not listed, but 2001::/16 holds a listing */
	{ "1.0.0.2.bl.example.org", DNS_TYPE_A, 0, 0, 1, 0, NULL, true },
	{ "1.0.0.3.bl.example.org", DNS_TYPE_A, 3, 0, 1, 0, NULL, true },
	/* the apex */
	{ "bl.example.org", DNS_TYPE_SOA, 0, 1, 0, 0, NULL, true },
	{ "BL.EXAMPLE.ORG", DNS_TYPE_NS, 0, 2, 0, 0, NULL, true },
	{ "bl.example.org", DNS_TYPE_ANY, 0, 3, 0, 0, NULL, true },
	{ "bl.example.org", DNS_TYPE_A, 0, 0, 1, 0, NULL, true },
	/* outside the zone, transfers */
	{ "example.org", DNS_TYPE_A, 5, 0, 0, 0, NULL, false },
	{ "4.3.2.1.bl.example.com", DNS_TYPE_A, 5, 0, 0, 0, NULL, false },
	{ "xbl.example.org", DNS_TYPE_A, 5, 0, 0, 0, NULL, false },
	{ "bl.example.org", DNS_TYPE_AXFR, 5, 0, 0, 0, NULL, false },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const answer_case_t *c = &cases[i];
		uint8_t q[512];
		uint8_t out[DNS_MSG_MAX];
		size_t qn = make_query(q, c->name, c->qtype, DNS_CLASS_IN, 0x0100, 0, 0);
		dnsd_answer_info_t info;
		size_t n = dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info);
		reply_t r;
		read_reply(out, n, &r);
		char what[200];
		snprintf(what, sizeof(what), "case %zu %s/%u", i, c->name, c->qtype);
		if (r.rcode != c->rcode || r.an != c->an || r.ns != c->ns || r.a != c->a ||
		    ((r.flags & DNS_FLAG_AA) != 0) != c->aa) {
			fail_msg("%s: rcode %u an %u ns %u a %#x aa %d", what, r.rcode, r.an, r.ns,
				 r.a, (r.flags & DNS_FLAG_AA) != 0);
		}
		if (c->txt && strcmp(r.txt, c->txt) != 0) {
			fail_msg("%s: txt '%s'", what, r.txt);
		}
		assert_int_equal(info.rcode, c->rcode);
		assert_int_equal(r.id, 0xabcd);
		assert_int_equal(r.qd, 1);
		assert_true(r.flags & DNS_FLAG_QR);
		assert_true(r.flags & DNS_FLAG_RD);
		assert_false(r.flags & DNS_FLAG_RA);
		/* the question is echoed byte for byte (case included) */
		assert_memory_equal(out + 12, q + 12, qn - 12);
		if (r.ns == 1) {
			assert_int_equal(r.types[r.an], DNS_TYPE_SOA);
			assert_int_equal(r.ttls[r.an], 60); /* RFC 2308: the negative TTL */
			assert_int_equal(r.soa_serial, 2026112201);
		}
		if (r.an > 0 && c->qtype != DNS_TYPE_SOA && c->qtype != DNS_TYPE_NS &&
		    c->qtype != DNS_TYPE_ANY) {
			assert_int_equal(r.ttls[0], 600);
		}
	}
}

static void test_no_snapshot(void **state)
{
	(void)state;
	uint8_t q[512];
	uint8_t out[1024];
	dnsd_answer_info_t info;
	size_t qn = make_query(q, IN4("2.0.0.127"), DNS_TYPE_A, 1, 0, 0, 0);
	reply_t r;
	read_reply(out, dnsd_answer(&zone, NULL, q, qn, out, sizeof(out), false, &info), &r);
	assert_int_equal(r.a, 0x7f000002);
	qn = make_query(q, IN4("4.3.2.1"), DNS_TYPE_A, 1, 0, 0, 0);
	read_reply(out, dnsd_answer(&zone, NULL, q, qn, out, sizeof(out), false, &info), &r);
	assert_int_equal(r.rcode, DNS_RCODE_NXDOMAIN);
}

static void test_class_and_opcode(void **state)
{
	(void)state;
	uint8_t q[512];
	uint8_t out[1024];
	dnsd_answer_info_t info;
	reply_t r;
	size_t qn = make_query(q, IN4("4.3.2.1"), DNS_TYPE_A, 3 /* CH */, 0, 0, 0);
	read_reply(out, dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info), &r);
	assert_int_equal(r.rcode, DNS_RCODE_REFUSED);
	qn = make_query(q, IN4("4.3.2.1"), DNS_TYPE_A, DNS_CLASS_ANY, 0, 0, 0);
	read_reply(out, dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info), &r);
	assert_int_equal(r.a, 0x7f000002);
	qn = make_query(q, IN4("4.3.2.1"), DNS_TYPE_A, 1, 4 << 11 /* NOTIFY */, 0, 0);
	read_reply(out, dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info), &r);
	assert_int_equal(r.rcode, DNS_RCODE_NOTIMP);
	assert_int_equal((r.flags >> 11) & 0xf, 4);
	/* a response is never answered */
	qn = make_query(q, IN4("4.3.2.1"), DNS_TYPE_A, 1, 0x8000, 0, 0);
	assert_int_equal(dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info), 0);
	assert_true(info.dropped);
}

static void test_edns_and_truncation(void **state)
{
	(void)state;
	uint8_t q[512];
	uint8_t out[DNS_MSG_MAX];
	dnsd_answer_info_t info;
	reply_t r;
	/* OPT echoed with our size */
	size_t qn = make_query(q, IN4("4.3.2.1"), DNS_TYPE_A, 1, 0, 4096, 0);
	read_reply(out, dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info), &r);
	assert_true(r.has_opt);
	assert_int_equal(r.opt_size, 1232);
	assert_int_equal(r.ar, 1);
	/* version 1: BADVERS, no answer */
	qn = make_query(q, IN4("4.3.2.1"), DNS_TYPE_A, 1, 0, 4096, 1);
	read_reply(out, dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info), &r);
	assert_int_equal(r.rcode, DNS_RCODE_BADVERS);
	assert_int_equal(r.an, 0);
	/* 700-byte TXT: truncated at 512 without EDNS, whole with EDNS 1232 and over TCP */
	qn = make_query(q, IN4("1.0.0.11"), DNS_TYPE_TXT, 1, 0, 0, 0);
	size_t n = dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info);
	read_reply(out, n, &r);
	assert_true(n <= 512);
	assert_true(r.flags & DNS_FLAG_TC);
	assert_true(info.truncated);
	assert_int_equal(r.an, 0);
	assert_int_equal(r.qd, 1);
	n = dnsd_answer(&zone, snap, q, qn, out, sizeof(out), true, &info);
	read_reply(out, n, &r);
	assert_false(r.flags & DNS_FLAG_TC);
	assert_int_equal(r.txt_strings, 3); /* 710 bytes: 255 + 255 + 200 */
	assert_int_equal(strlen(r.txt), 700 - 1 + strlen("11.0.0.1"));
	assert_memory_equal(r.txt, "11.0.0.1xxx", 11);
	qn = make_query(q, IN4("1.0.0.11"), DNS_TYPE_TXT, 1, 0, 1232, 0);
	n = dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info);
	read_reply(out, n, &r);
	assert_false(r.flags & DNS_FLAG_TC);
	assert_true(r.has_opt);
	/* a client asking for 600 bytes gets at most 600 */
	qn = make_query(q, IN4("1.0.0.11"), DNS_TYPE_TXT, 1, 0, 600, 0);
	n = dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info);
	read_reply(out, n, &r);
	assert_true(n <= 600);
	assert_true(r.flags & DNS_FLAG_TC);
	assert_true(r.has_opt);
}

static void test_formerr(void **state)
{
	(void)state;
	uint8_t q[512];
	uint8_t out[1024];
	dnsd_answer_info_t info;
	reply_t r;
	size_t qn = make_query(q, IN4("4.3.2.1"), DNS_TYPE_A, 1, 0, 0, 0);
	q[7] = 1; /* ANCOUNT 1 */
	read_reply(out, dnsd_answer(&zone, snap, q, qn, out, sizeof(out), false, &info), &r);
	assert_int_equal(r.rcode, DNS_RCODE_FORMERR);
	assert_int_equal(r.qd, 1);
	q[7] = 0;
	q[5] = 0; /* QDCOUNT 0 */
	read_reply(out, dnsd_answer(&zone, snap, q, 12, out, sizeof(out), false, &info), &r);
	assert_int_equal(r.rcode, DNS_RCODE_FORMERR);
	assert_int_equal(r.qd, 0);
	assert_int_equal(dnsd_answer(&zone, snap, q, 11, out, sizeof(out), false, &info), 0);
}

static void test_zone_params(void **state)
{
	(void)state;
	dnsd_zone_t z;
	char err[128];
	dnsd_zone_params_t p = { .zone = "bad..zone", .txt = "" };
	assert_int_equal(dnsd_zone_init(&z, &p, err, sizeof(err)), IPBL_EINVAL);
	assert_string_equal(err, "zone 'bad..zone' is not a valid domain name");
	p.zone = ".";
	assert_int_equal(dnsd_zone_init(&z, &p, err, sizeof(err)), IPBL_EINVAL);
	assert_string_equal(err, "zone must be a domain name, not the root");
	p.zone = "bl.example.org";
	const char *ns[] = { "ok.example", "not..ok" };
	p.ns = ns;
	p.n_ns = 2;
	assert_int_equal(dnsd_zone_init(&z, &p, err, sizeof(err)), IPBL_EINVAL);
	assert_string_equal(err, "ns 'not..ok' is not a valid domain name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_no_snapshot),
		cmocka_unit_test(test_class_and_opcode),
		cmocka_unit_test(test_edns_and_truncation),
		cmocka_unit_test(test_formerr),
		cmocka_unit_test(test_zone_params),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
