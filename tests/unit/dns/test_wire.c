/* SPDX-License-Identifier: BSD-2-Clause */
/* The query parser: well-formed queries, EDNS, and every malformation mapped to its result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/wire.h"

/* Build a query: header with counts, then name labels given as "a.b.c", type, class. */
static size_t query(uint8_t *p, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar,
		    const char *name, uint16_t type, uint16_t qclass)
{
	uint8_t h[12] = { 0x12,
			  0x34,
			  (uint8_t)(flags >> 8),
			  (uint8_t)flags,
			  0,
			  (uint8_t)qd,
			  0,
			  (uint8_t)an,
			  0,
			  (uint8_t)ns,
			  0,
			  (uint8_t)ar };
	memcpy(p, h, 12);
	size_t n = 12;
	if (name) {
		n += dns_name_from_text(name, p + n);
		p[n++] = (uint8_t)(type >> 8);
		p[n++] = (uint8_t)type;
		p[n++] = (uint8_t)(qclass >> 8);
		p[n++] = (uint8_t)qclass;
	}
	return n;
}

static size_t add_opt(uint8_t *p, size_t n, uint16_t size, uint8_t version, uint16_t rdlen,
		      const uint8_t *rdata)
{
	uint8_t opt[11] = { 0,	     0,	   41, (uint8_t)(size >> 8),  (uint8_t)size, 0,
			    version, 0x80, 0,  (uint8_t)(rdlen >> 8), (uint8_t)rdlen };
	memcpy(p + n, opt, 11);
	if (rdlen > 0) {
		memcpy(p + n + 11, rdata, rdlen);
	}
	return n + 11 + rdlen;
}

static void test_plain_query(void **state)
{
	(void)state;
	uint8_t p[512];
	size_t n = query(p, 0x0100, 1, 0, 0, 0, "2.0.0.127.bl.example.org", DNS_TYPE_TXT, 1);
	p[12 + 11] = 'B'; /* the client's case: "BL" */
	p[12 + 12] = 'L';
	dns_query_t q;
	assert_int_equal(dns_query_parse(p, n, &q), DNS_PARSE_OK);
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(q.n_labels, 7);
	assert_int_equal(q.qtype, DNS_TYPE_TXT);
	assert_int_equal(q.qclass, DNS_CLASS_IN);
	assert_false(q.has_edns);
	assert_memory_equal(q.qname, "\0012\0010\0010\003127\002bl\007example\003org", 25);
	assert_int_equal(q.qname_len, 26);
	/* the echoed question keeps the client's case */
	assert_memory_equal(q.question + 10, "\002BL", 3);
}

static void test_edns(void **state)
{
	(void)state;
	uint8_t p[512];
	size_t n = query(p, 0, 1, 0, 0, 1, "a.b", DNS_TYPE_A, 1);
	static const uint8_t cookie[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
	n = add_opt(p, n, 4096, 0, sizeof(cookie), cookie);
	dns_query_t q;
	assert_int_equal(dns_query_parse(p, n, &q), DNS_PARSE_OK);
	assert_true(q.has_edns);
	assert_int_equal(q.edns_udp_size, 4096);
	assert_int_equal(q.edns_version, 0);

	n = add_opt(p, query(p, 0, 1, 0, 0, 1, "a.b", DNS_TYPE_A, 1), 100, 1, 0, NULL);
	assert_int_equal(dns_query_parse(p, n, &q), DNS_PARSE_OK);
	assert_int_equal(q.edns_udp_size, 512); /* below 512 counts as 512 */
	assert_int_equal(q.edns_version, 1);
}

typedef struct {
	const char *what;
	uint8_t pkt[300];
	size_t len;
	enum dns_parse_result want;
	bool has_question;
} wire_case_t;

static void test_malformed(void **state)
{
	(void)state;
	static wire_case_t cases[32];
	size_t k = 0;
	uint8_t *p;
#define CASE(w, r, hq)                                                                             \
	(cases[k].what = (w), cases[k].want = (r), cases[k].has_question = (hq), p = cases[k].pkt)
	CASE("11 bytes", DNS_PARSE_DROP, false);
	cases[k++].len = query(p, 0, 1, 0, 0, 0, NULL, 0, 0) - 1;
	CASE("response", DNS_PARSE_DROP, false);
	cases[k++].len = query(p, 0x8000, 1, 0, 0, 0, "a.b", 1, 1);
	CASE("qdcount 0", DNS_PARSE_FORMERR, false);
	cases[k++].len = query(p, 0, 0, 0, 0, 0, NULL, 0, 0);
	CASE("qdcount 2", DNS_PARSE_FORMERR, false);
	cases[k++].len = query(p, 0, 2, 0, 0, 0, "a.b", 1, 1);
	CASE("ancount 1", DNS_PARSE_FORMERR, true);
	cases[k++].len = query(p, 0, 1, 1, 0, 0, "a.b", 1, 1);
	CASE("nscount 1", DNS_PARSE_FORMERR, true);
	cases[k++].len = query(p, 0, 1, 0, 1, 0, "a.b", 1, 1);
	CASE("notify opcode", DNS_PARSE_NOTIMP, true);
	cases[k++].len = query(p, 4 << 11, 1, 0, 0, 0, "a.b", 1, 1);
	CASE("status opcode, no question", DNS_PARSE_NOTIMP, false);
	cases[k++].len = query(p, 2 << 11, 0, 0, 0, 0, NULL, 0, 0);
	CASE("truncated type", DNS_PARSE_FORMERR, false);
	cases[k++].len = query(p, 0, 1, 0, 0, 0, "a.b", 1, 1) - 3;
	CASE("trailing junk", DNS_PARSE_FORMERR, true);
	cases[k].len = query(p, 0, 1, 0, 0, 0, "a.b", 1, 1);
	p[cases[k++].len++] = 0;
	CASE("pointer to self", DNS_PARSE_FORMERR, false);
	memcpy(p + query(p, 0, 1, 0, 0, 0, NULL, 0, 0), "\xc0\x0c\0\1\0\1", 6);
	cases[k++].len = 18;
	CASE("pointer past end", DNS_PARSE_FORMERR, false);
	memcpy(p + 12, "\xc0\xff\0\1\0\1", 6);
	query(p, 0, 1, 0, 0, 0, NULL, 0, 0);
	memcpy(p + 12, "\xc0\xff\0\1\0\1", 6);
	cases[k++].len = 18;
	CASE("label type 0x40", DNS_PARSE_FORMERR, false);
	query(p, 0, 1, 0, 0, 0, NULL, 0, 0);
	memcpy(p + 12,
	       "\x41"
	       "a\0\0\1\0\1",
	       7);
	cases[k++].len = 19;
	CASE("label past end", DNS_PARSE_FORMERR, false);
	query(p, 0, 1, 0, 0, 0, NULL, 0, 0);
	memcpy(p + 12,
	       "\x20"
	       "abc",
	       4);
	cases[k++].len = 16;
	CASE("two OPT", DNS_PARSE_FORMERR, true);
	cases[k].len = add_opt(p, query(p, 0, 1, 0, 0, 2, "a.b", 1, 1), 1232, 0, 0, NULL);
	cases[k].len = add_opt(p, cases[k].len, 1232, 0, 0, NULL);
	k++;
	CASE("OPT owner not root", DNS_PARSE_FORMERR, true);
	cases[k].len = query(p, 0, 1, 0, 0, 1, "a.b", 1, 1);
	memcpy(p + cases[k].len, "\001x\0\0\x29\x04\xd0\0\0\0\0\0\0", 13);
	cases[k++].len += 13;
	CASE("OPT rdata past end", DNS_PARSE_FORMERR, true);
	cases[k].len = add_opt(p, query(p, 0, 1, 0, 0, 1, "a.b", 1, 1), 1232, 0, 0, NULL);
	p[cases[k].len - 1] = 9;
	k++;
	CASE("OPT option overruns rdata", DNS_PARSE_FORMERR, true);
	cases[k++].len = add_opt(p, query(p, 0, 1, 0, 0, 1, "a.b", 1, 1), 1232, 0, 4,
				 (const uint8_t *)"\0\1\0\7");
	CASE("arcount 1, nothing there", DNS_PARSE_FORMERR, true);
	cases[k++].len = query(p, 0, 1, 0, 0, 1, "a.b", 1, 1);
#undef CASE
	for (size_t i = 0; i < k; i++) {
		dns_query_t q;
		enum dns_parse_result r = dns_query_parse(cases[i].pkt, cases[i].len, &q);
		if (r != cases[i].want ||
		    (r != DNS_PARSE_DROP && q.has_question != cases[i].has_question)) {
			fail_msg("%s: got %d (question %d), want %d (question %d)", cases[i].what,
				 r, q.has_question, cases[i].want, cases[i].has_question);
		}
	}
}

static void test_name_limits(void **state)
{
	(void)state;
	/* 63-byte labels up to 255 bytes in all: fine; one more byte: FORMERR */
	uint8_t p[600];
	query(p, 0, 1, 0, 0, 0, NULL, 0, 0);
	size_t n = 12;
	for (int i = 0; i < 3; i++) {
		p[n++] = 63;
		memset(p + n, 'a', 63);
		n += 63;
	}
	p[n++] = 61;
	memset(p + n, 'b', 61);
	n += 61;
	p[n++] = 0; /* 3*64 + 62 + 1 = 255 */
	memcpy(p + n, "\0\1\0\1", 4);
	dns_query_t q;
	assert_int_equal(dns_query_parse(p, n + 4, &q), DNS_PARSE_OK);
	assert_int_equal(q.qname_len, 255);
	p[n - 62] = 62;
	memmove(p + n + 1, p + n, 4);
	p[n] = 'c';
	p[n + 1] = 0;
	memcpy(p + n + 2, "\0\1\0\1", 4);
	assert_int_equal(dns_query_parse(p, n + 6, &q), DNS_PARSE_FORMERR);

	/* 127 one-byte labels = 255 bytes: fine; 128 is too long */
	n = 12;
	for (int i = 0; i < 127; i++) {
		p[n++] = 1;
		p[n++] = 'x';
	}
	p[n++] = 0;
	memcpy(p + n, "\0\1\0\1", 4);
	assert_int_equal(dns_query_parse(p, n + 4, &q), DNS_PARSE_OK);
	assert_int_equal(q.n_labels, 127);
	p[n - 1] = 1;
	p[n] = 'x';
	p[n + 1] = 0;
	memcpy(p + n + 2, "\0\1\0\1", 4);
	assert_int_equal(dns_query_parse(p, n + 6, &q), DNS_PARSE_FORMERR);
}

static void test_name_from_text(void **state)
{
	(void)state;
	uint8_t out[DNS_NAME_MAX];
	assert_int_equal(dns_name_from_text("bl.Example.org.", out), 16);
	assert_memory_equal(out, "\002bl\007example\003org", 16);
	assert_int_equal(dns_name_from_text(".", out), 1);
	assert_int_equal(dns_name_from_text("", out), 0);
	assert_int_equal(dns_name_from_text("a..b", out), 0);
	assert_int_equal(dns_name_from_text("a..", out), 0);
	assert_int_equal(dns_name_from_text(".a", out), 0);
	char label64[80];
	memset(label64, 'a', 64);
	label64[64] = '\0';
	assert_int_equal(dns_name_from_text(label64, out), 0);
	label64[63] = '\0';
	assert_int_equal(dns_name_from_text(label64, out), 65);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_query),    cmocka_unit_test(test_edns),
		cmocka_unit_test(test_malformed),      cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_name_from_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
