/* SPDX-License-Identifier: BSD-2-Clause */
/* The config reader: syntax, types, errors with file:line, defaults from the schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/conf.h"

static ipbl_conf_t *parse_ok(const char *text)
{
	char err[512] = "";
	ipbl_conf_t *c = NULL;
	int ret = ipbl_conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err));
	if (ret != 0) {
		fail_msg("unexpected error: %s", err);
	}
	return c;
}

static void test_contract_example(void **state)
{
	(void)state;
	ipbl_conf_t *c =
		parse_ok("[main]\n"
			 "data_dir = /var/lib/x                 ; store, spool\n"
			 "[store]\n"
			 "path = /tmp/x.db\n"
			 "[dns]\n"
			 "listen = 127.0.0.1:5353, [::1]:5353\n"
			 "zone = bl.example.org\n"
			 "txt = Blocked - see http://127.0.0.1:8080/lookup?ip=$\n"
			 "data = a.txt\n"
			 "data = ip6trie:b.txt\n"
			 "[web]\n"
			 "listen = 127.0.0.1:8080\n"
			 "base_url = http://127.0.0.1:8080\n"
			 "[trap]\n"
			 "listen = 127.0.0.1:2525\n"
			 "addresses = @trap.example.org, spam@example.net   ; every address\n"
			 "proxy_from = 127.0.0.1\n"
			 "[policy]\n"
			 "expire = 24h\n"
			 "[testing]\n"
			 "manual_clock = yes             ; never on by default\n");
	assert_string_equal(ipbl_conf_str(c, "main", "data_dir"), "/var/lib/x");
	assert_string_equal(ipbl_conf_str(c, "dns", "txt"),
			    "Blocked - see http://127.0.0.1:8080/lookup?ip=$");
	size_t n = 0;
	const ipbl_conf_addr_t *a = ipbl_conf_addrs(c, "dns", "listen", &n);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].addr.family, IPBL_AF_V4);
	assert_int_equal(a[0].port, 5353);
	assert_int_equal(a[1].addr.family, IPBL_AF_V6);
	assert_int_equal(ipbl_conf_count(c, "dns", "data"), 2);
	assert_string_equal(ipbl_conf_str_at(c, "dns", "data", 1), "ip6trie:b.txt");
	assert_int_equal(ipbl_conf_count(c, "trap", "addresses"), 2);
	assert_string_equal(ipbl_conf_str_at(c, "trap", "addresses", 1), "spam@example.net");
	assert_int_equal(ipbl_conf_duration_ms(c, "policy", "expire"), 24LL * 3600 * 1000);
	assert_true(ipbl_conf_bool(c, "testing", "manual_clock"));
	assert_true(ipbl_conf_has_section(c, "trap"));
	ipbl_conf_free(c);
}

static void test_defaults(void **state)
{
	(void)state;
	ipbl_conf_t *c = parse_ok("[dns]\nzone = bl.example.org\n");
	assert_int_equal(ipbl_conf_duration_ms(c, "dns", "ttl"), 600000);
	assert_int_equal(ipbl_conf_int(c, "dns", "edns_udp_size"), 1232);
	assert_false(ipbl_conf_bool(c, "testing", "manual_clock"));
	assert_false(ipbl_conf_has_section(c, "web"));
	assert_false(ipbl_conf_is_set(c, "dns", "ttl"));
	assert_null(ipbl_conf_str(c, "dns", "txt"));
	size_t n = 0;
	ipbl_conf_addrs(c, "dns", "listen", &n);
	assert_int_equal(n, 1);
	ipbl_conf_free(c);
}

static void test_quotes_and_comments(void **state)
{
	(void)state;
	ipbl_conf_t *c = parse_ok("# top comment\n; another\n\n[dns]\r\n"
				  "zone = bl.example.org\r\n"
				  "txt = \"Listed; see #1 \\\"now\\\"\"   ; comment\n"
				  "soa_rname = a#b.example.org\n");
	assert_string_equal(ipbl_conf_str(c, "dns", "txt"), "Listed; see #1 \"now\"");
	assert_string_equal(ipbl_conf_str(c, "dns", "soa_rname"), "a#b.example.org");
	ipbl_conf_free(c);
}

typedef struct {
	const char *text;
	const char *error; /* expected message */
} bad_case_t;

static const bad_case_t bad_cases[] = {
	{ "[dns]\nzone = x\n[nope]\n", "t.conf:3: unknown section [nope]" },
	{ "[dns]\nzone = x\nfoo = 1\n", "t.conf:3: foo: unknown key in [dns]" },
	{ "zone = x\n", "t.conf:1: zone: key outside any section" },
	{ "[dns]\nzone = x\nzone = y\n", "t.conf:3: zone: set twice (first on line 2)" },
	{ "[dns]\nzone = x\nttl = 5 minutes\n", "t.conf:3: ttl: '5 minutes' is not a duration" },
	{ "[dns]\nzone = x\nworkers = -1\n", "t.conf:3: workers: '-1' is not a whole number" },
	{ "[dns]\nzone = x\nworkers = 999\n", "t.conf:3: workers: 999 is out of range 0..256" },
	{ "[dns]\nzone = x\nlisten = 127.0.0.1\n",
	  "t.conf:3: listen: '127.0.0.1' is not an address" },
	{ "[dns]\nzone = x\nlisten = [::1:53\n", "t.conf:3: listen: '[::1:53' is not an address" },
	{ "[dns]\nzone = x\nlisten = 127.0.0.1:70000\n", "t.conf:3: listen: '127.0.0.1:70000'" },
	{ "[dns]\nzone = x\nlisten = 1.2.3.4:53,,\n", "t.conf:3: listen: empty item" },
	{ "[testing]\nmanual_clock = maybe\n", "t.conf:2: manual_clock: 'maybe' is not yes or no" },
	{ "[main]\nlog_level = loud\n", "t.conf:2: log_level: 'loud' is not one of" },
	{ "[dns]\nttl = 1m\n", "t.conf: [dns] needs 'zone'" },
	{ "[dns\n", "t.conf:1: malformed section header" },
	{ "[dns]\njust words\n", "t.conf:2: expected 'key = value'" },
	{ "[dns]\nzone = \"unterminated\n", "t.conf:2: zone: unterminated" },
	{ "[dns]\n[dns]\n", "t.conf:2: section [dns] appears twice" },
	{ "[dns]\nzone = x\nnegative_ttl = 2d\n", "t.conf:3: negative_ttl: '2d' is out of range" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char err[512] = "";
		ipbl_conf_t *c = NULL;
		const char *t = bad_cases[i].text;
		int ret = ipbl_conf_parse("t.conf", t, strlen(t), &c, err, sizeof(err));
		if (ret != IPBL_ECONF || strstr(err, bad_cases[i].error) != err) {
			fail_msg("case %zu: got ret=%d err='%s', want '%s'", i, ret, err,
				 bad_cases[i].error);
		}
		assert_null(c);
	}
}

static void test_nul_byte(void **state)
{
	(void)state;
	char err[256];
	ipbl_conf_t *c = NULL;
	assert_int_equal(ipbl_conf_parse("t.conf", "[dns]\0zone=x\n", 13, &c, err, sizeof(err)),
			 IPBL_ECONF);
	assert_non_null(strstr(err, "NUL"));
}

static void test_long_line(void **state)
{
	(void)state;
	/* longer than libinih's 200-character limit, which is why we read our own */
	char text[2048];
	char txt[1500];
	memset(txt, 'x', sizeof(txt) - 1);
	txt[sizeof(txt) - 1] = '\0';
	snprintf(text, sizeof(text), "[dns]\nzone = z\ntxt = %s\n", txt);
	ipbl_conf_t *c = parse_ok(text);
	assert_int_equal(strlen(ipbl_conf_str(c, "dns", "txt")), sizeof(txt) - 1);
	ipbl_conf_free(c);
}

typedef struct {
	const char *text;
	long long ms; /* -1 = error */
} duration_case_t;

static void test_durations(void **state)
{
	(void)state;
	static const duration_case_t cases[] = {
		{ "30", 30000 },
		{ "30s", 30000 },
		{ "500ms", 500 },
		{ "5m", 300000 },
		{ "24h", 86400000 },
		{ "7d", 604800000 },
		{ "1w", 604800000 },
		{ "", -1 },
		{ "h", -1 },
		{ "5x", -1 },
		{ "-5s", -1 },
		{ "5 s", -1 },
		{ "99999999999999s", -1 },
		{ "1099511627775w", -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long ms = 0;
		int ret = ipbl_conf_parse_duration(cases[i].text, &ms);
		if (cases[i].ms < 0) {
			assert_int_equal(ret, IPBL_EPARSE);
		} else {
			assert_int_equal(ret, 0);
			assert_int_equal(ms, cases[i].ms);
		}
	}
	long long b = 0;
	assert_int_equal(ipbl_conf_parse_size("10M", &b), 0);
	assert_int_equal(b, 10 * 1024 * 1024);
	assert_int_equal(ipbl_conf_parse_size("64k", &b), 0);
	assert_int_equal(b, 64 * 1024);
	assert_int_equal(ipbl_conf_parse_size("10X", &b), IPBL_EPARSE);
}

static void test_schema_defaults_parse(void **state)
{
	(void)state;
	/* every section present: every default is parsed, and a bad one would panic */
	ipbl_conf_t *c = parse_ok("[main]\n[store]\n[dns]\nzone = z\n[web]\n[trap]\n[policy]\n"
				  "[testing]\n");
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		const ipbl_conf_key_t *k = &ipbl_conf_schema[i];
		assert_non_null(k->help);
		if (k->default_value &&
		    (k->type == IPBL_CONF_STRING || k->type == IPBL_CONF_PATH)) {
			assert_string_equal(ipbl_conf_str(c, k->section, k->key), k->default_value);
		}
	}
	ipbl_conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_quotes_and_comments),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_schema_defaults_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
