/* SPDX-License-Identifier: BSD-2-Clause */
/* The security pieces of the disputes and the deputy console (web/session.h): CSRF tokens,
 * tokens and their hashes, cookies, form text checks, and the limiters; and filing a case
 * (web/cases.h) when two filings race for one report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "web/cases.h"
#include "web/session.h"

static const uint8_t key_a[WEB_SESSION_KEY_BYTES] = { 1, 2, 3 };
static const uint8_t key_b[WEB_SESSION_KEY_BYTES] = { 1, 2, 4 };

static int setup(void **state)
{
	(void)state;
	assert_int_equal(web_session_global_init(), 0);
	return 0;
}

/* ---- CSRF ---- */

static void test_csrf_round_trip(void **state)
{
	(void)state;
	char t[WEB_SESSION_CSRF_LEN];
	web_session_csrf_make(key_a, "case", "cookie1", 1000, t);
	assert_non_null(strchr(t, '.'));
	assert_true(web_session_csrf_check(key_a, "case", "cookie1", t, 1000, 60));
	assert_true(web_session_csrf_check(key_a, "case", "cookie1", t, 1060, 60));
	/* expired, and issued too far in the future */
	assert_false(web_session_csrf_check(key_a, "case", "cookie1", t, 1061, 60));
	assert_true(web_session_csrf_check(key_a, "case", "cookie1", t, 950, 60));
	assert_false(web_session_csrf_check(key_a, "case", "cookie1", t, 900, 3600));
	/* another key, purpose or binding */
	assert_false(web_session_csrf_check(key_b, "case", "cookie1", t, 1000, 60));
	assert_false(web_session_csrf_check(key_a, "deputy", "cookie1", t, 1000, 60));
	assert_false(web_session_csrf_check(key_a, "case", "cookie2", t, 1000, 60));
	assert_false(web_session_csrf_check(key_a, "case", "", t, 1000, 60));
	assert_false(web_session_csrf_check(key_a, "case", NULL, t, 1000, 60));
	assert_false(web_session_csrf_check(key_a, "case", "cookie1", NULL, 1000, 60));
	/* the binding is not a prefix game: "ab" + "c" differs from "a" + "bc" */
	char t2[WEB_SESSION_CSRF_LEN];
	web_session_csrf_make(key_a, "ab", "c", 5, t2);
	assert_false(web_session_csrf_check(key_a, "a", "bc", t2, 5, 60));
}

static void test_csrf_tampering(void **state)
{
	(void)state;
	char t[WEB_SESSION_CSRF_LEN];
	web_session_csrf_make(key_a, "case", "c", 0x1234, t);
	assert_string_equal(strchr(t, '.') - 4, t); /* "1234." */
	/* a changed time stamp breaks the MAC */
	char moved[WEB_SESSION_CSRF_LEN];
	snprintf(moved, sizeof(moved), "1235%s", strchr(t, '.'));
	assert_false(web_session_csrf_check(key_a, "case", "c", moved, 0x1235, 60));
	/* a flipped MAC digit */
	char flipped[WEB_SESSION_CSRF_LEN];
	snprintf(flipped, sizeof(flipped), "%s", t);
	size_t last = strlen(flipped) - 1;
	flipped[last] = flipped[last] == '0' ? '1' : '0';
	assert_false(web_session_csrf_check(key_a, "case", "c", flipped, 0x1234, 60));
	/* malformed */
	static const char *const bad[] = {
		"",
		".",
		"1234",
		"1234.",
		"zz.0000000000000000000000000000000000000000000000000000000000000000",
		"12345678901234567."
		"0000000000000000000000000000000000000000000000000000000000000000",
		"1234.00000000000000000000000000000000000000000000000000000000000000000",
		"1234.000000000000000000000000000000000000000000000000000000000000000",
		"1234.ABCDEF0000000000000000000000000000000000000000000000000000000000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(web_session_csrf_check(key_a, "case", "c", bad[i], 0x1234, 60));
	}
}

/* ---- tokens, hashes, cookies ---- */

static void test_tokens_and_hashes(void **state)
{
	(void)state;
	char a[2 * WEB_SESSION_ID_BYTES + 1];
	char b[2 * WEB_SESSION_ID_BYTES + 1];
	web_session_random_hex(WEB_SESSION_ID_BYTES, a);
	web_session_random_hex(WEB_SESSION_ID_BYTES, b);
	assert_true(web_session_is_hex(a, 64));
	assert_true(web_session_is_hex(b, 64));
	assert_string_not_equal(a, b);
	char c[2 * WEB_SESSION_CASE_BYTES + 1];
	web_session_random_hex(WEB_SESSION_CASE_BYTES, c);
	assert_int_equal(strlen(c), 32);
	assert_true(web_session_is_hex(c, 32));
	assert_false(web_session_is_hex(c, 31));
	assert_false(web_session_is_hex("ABCDEF", 6));
	assert_false(web_session_is_hex("abcdeg", 6));
	assert_false(web_session_is_hex(NULL, 0));

	char h1[WEB_SESSION_HASH_LEN], h2[WEB_SESSION_HASH_LEN], h3[WEB_SESSION_HASH_LEN];
	web_session_hash(a, h1);
	web_session_hash(a, h2);
	web_session_hash(b, h3);
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	assert_int_equal(strncmp(h1, "b2:", 3), 0);
	assert_true(web_session_is_hex(h1 + 3, 64));
	assert_null(strstr(h1, a)); /* the token itself is not in its hash */
	/* the well-known BLAKE2b-256 of the empty string */
	web_session_hash("", h1);
	assert_string_equal(h1,
			    "b2:0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

static void test_cookies(void **state)
{
	(void)state;
	char v[65];
	assert_true(
		web_session_cookie_get("a=1; ipbl_deputy=abc; b=2", "ipbl_deputy", v, sizeof(v)));
	assert_string_equal(v, "abc");
	assert_true(web_session_cookie_get("ipbl_deputy=xyz", "ipbl_deputy", v, sizeof(v)));
	assert_string_equal(v, "xyz");
	/* a longer name with the same start is another cookie */
	assert_false(web_session_cookie_get("ipbl_deputyX=1", "ipbl_deputy", v, sizeof(v)));
	assert_false(web_session_cookie_get("xipbl_deputy=1", "ipbl_deputy", v, sizeof(v)));
	assert_false(web_session_cookie_get("ipbl_deputy=", "ipbl_deputy", v, sizeof(v)));
	assert_false(web_session_cookie_get(NULL, "ipbl_deputy", v, sizeof(v)));
	assert_false(web_session_cookie_get("", "ipbl_deputy", v, sizeof(v)));
	assert_false(web_session_cookie_get(";;;", "ipbl_deputy", v, sizeof(v)));
	/* too long for the caller's buffer: absent, never cut */
	char small[4];
	assert_false(web_session_cookie_get("k=12345", "k", small, sizeof(small)));
	assert_true(web_session_cookie_get("k=123", "k", small, sizeof(small)));
	/* the first of two wins; spaces around are dropped */
	assert_true(web_session_cookie_get("  k=1 ;k=2", "k", v, sizeof(v)));
	assert_string_equal(v, "1");

	char c[WEB_SESSION_COOKIE_MAX];
	web_session_cookie_format(c, sizeof(c), "ipbl_deputy", "abc", "/deputy", 3600, false);
	assert_string_equal(c, "ipbl_deputy=abc; Path=/deputy; Max-Age=3600; HttpOnly; "
			       "SameSite=Strict");
	web_session_cookie_format(c, sizeof(c), "ipbl_deputy", "", "/deputy", 0, true);
	assert_string_equal(c, "ipbl_deputy=; Path=/deputy; Max-Age=0; HttpOnly; "
			       "SameSite=Strict; Secure");
}

/* ---- form text ---- */

static void test_text_checks(void **state)
{
	(void)state;
	assert_true(web_session_text_ok("plain text", 10, false));
	assert_true(
		web_session_text_ok("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14, false));
	assert_false(web_session_text_ok("a\nb", 3, false));
	assert_true(web_session_text_ok("a\r\n\tb", 5, true));
	assert_false(web_session_text_ok("a\0b", 3, true));
	assert_false(web_session_text_ok("a\x1b[31m", 6, true));
	assert_false(web_session_text_ok("\x7f", 1, true));
	assert_false(web_session_text_ok("\xC2\x85", 2, true));		/* C1 control */
	assert_false(web_session_text_ok("\xFF\xFE", 2, true));		/* not UTF-8 */
	assert_false(web_session_text_ok("\xC0\xAF", 2, true));		/* overlong */
	assert_false(web_session_text_ok("\xED\xA0\x80", 3, true));	/* surrogate */
	assert_false(web_session_text_ok("\xF4\x90\x80\x80", 4, true)); /* past U+10FFFF */
	assert_false(web_session_text_ok("\xE2\x82", 2, true));		/* cut short */
	assert_int_equal(web_session_text_chars("\xC3\xA9t\xC3\xA9", 5), 3);
	assert_int_equal(web_session_text_chars("", 0), 0);

	assert_true(web_session_address_ok("postmaster@example.net"));
	assert_true(web_session_address_ok("abuse+bl@mail.example.co.uk"));
	assert_false(web_session_address_ok(""));
	assert_false(web_session_address_ok("postmaster"));
	assert_false(web_session_address_ok("@example.net"));
	assert_false(web_session_address_ok("a@b@example.net"));
	assert_false(web_session_address_ok("a@localhost"));
	assert_false(web_session_address_ok("a@example.net."));
	assert_false(web_session_address_ok("a b@example.net"));
	assert_false(web_session_address_ok("<a@example.net>"));
	assert_false(web_session_address_ok("a@example.net\r\nBcc: x@y.z"));
	char longest[300];
	memset(longest, 'a', sizeof(longest));
	memcpy(longest + 250, "@example.net", 13);
	assert_false(web_session_address_ok(longest)); /* 262 bytes: past 254 */
	longest[200] = '\0';
	memcpy(longest + 188, "@example.net", 13);
	assert_true(web_session_address_ok(longest));
}

/* ---- limiters ---- */

static void test_limiter_window(void **state)
{
	(void)state;
	web_limiter_t *l = malloc(sizeof(*l));
	web_session_limiter_init(l, 3, 1000);
	int64_t retry = -1;
	assert_false(web_session_limiter_blocked(l, "ip 192.0.2.1", 0, &retry));
	for (int i = 0; i < 3; i++) {
		assert_true(web_session_limiter_take(l, "ip 192.0.2.1", 100 + i, &retry));
	}
	assert_true(web_session_limiter_blocked(l, "ip 192.0.2.1", 200, &retry));
	assert_int_equal(retry, 900);
	assert_false(web_session_limiter_take(l, "ip 192.0.2.1", 400, &retry));
	assert_int_equal(retry, 700);
	/* other keys are not affected */
	assert_true(web_session_limiter_take(l, "ip 192.0.2.2", 400, NULL));
	assert_false(web_session_limiter_blocked(l, "ip 192.0.2.2", 400, NULL));
	/* the window ends 1000 ms after its first event */
	assert_true(web_session_limiter_blocked(l, "ip 192.0.2.1", 1099, NULL));
	assert_false(web_session_limiter_blocked(l, "ip 192.0.2.1", 1100, NULL));
	assert_true(web_session_limiter_take(l, "ip 192.0.2.1", 1100, NULL));
	/* reset forgets a key */
	assert_true(web_session_limiter_take(l, "name dana", 0, NULL));
	assert_true(web_session_limiter_take(l, "name dana", 0, NULL));
	assert_true(web_session_limiter_take(l, "name dana", 0, NULL));
	assert_true(web_session_limiter_blocked(l, "name dana", 1, NULL));
	web_session_limiter_reset(l, "name dana");
	assert_false(web_session_limiter_blocked(l, "name dana", 1, NULL));
	assert_true(web_session_limiter_take(l, "name dana", 1, NULL));
	web_session_limiter_fini(l);
	free(l);
}

/* Far more keys than slots: memory stays fixed, and a key that is refused keeps being
 * refused while the other keys come and go no faster than it does. */
static void test_limiter_many_keys(void **state)
{
	(void)state;
	web_limiter_t *l = malloc(sizeof(*l));
	web_session_limiter_init(l, 1, 60000);
	assert_true(web_session_limiter_take(l, "victim", 0, NULL));
	assert_false(web_session_limiter_take(l, "victim", 1, NULL));
	char key[32];
	size_t refused = 0;
	for (int i = 0; i < 4 * WEB_LIMIT_SLOTS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_true(web_session_limiter_take(l, key, 10, NULL));
		refused += !web_session_limiter_take(l, key, 10, NULL);
	}
	/* every new key was counted (each is refused on its second event) */
	assert_int_equal(refused, 4 * WEB_LIMIT_SLOTS);
	web_session_limiter_fini(l);
	free(l);
}

/* ---- filing a case ---- */

#define SUBJECT_KEY "0123456789abcdef0123456789abcdef"

static int64_t keyed_report(store_t *s, const ipbl_ipaddr_t *ip, const char *digest)
{
	store_report_t r = { .ip = *ip, .received_ms = 1000, .evidence = "{}" };
	snprintf(r.digest, sizeof(r.digest), "%s", digest);
	snprintf(r.subject_key, sizeof(r.subject_key), "%s", SUBJECT_KEY);
	assert_int_equal(store_report_add(s, &r), 0);
	return r.id;
}

static int collect_report(void *arg, const store_report_t *r)
{
	web_cases_ids_add(arg, r->id);
	return 0;
}

static store_case_t challenge_case(const ipbl_ipaddr_t *ip, const web_cases_ids_t *ids,
				   const char *token_hash)
{
	store_case_t c = { .kind = STORE_CASE_CHALLENGE,
			   .status = STORE_CASE_OPEN,
			   .ip = *ip,
			   .report_id = ids->v[0],
			   .created_ms = 2000 };
	snprintf(c.token_hash, sizeof(c.token_hash), "%s", token_hash);
	snprintf(c.filer_name, sizeof(c.filer_name), "Pat Sender");
	snprintf(c.filer_address, sizeof(c.filer_address), "abuse@example.net");
	return c;
}

static int count_opened(void *arg, const store_audit_t *a)
{
	*(size_t *)arg += strcmp(a->action, "case_opened") == 0;
	return 0;
}

/* Two server threads (two store connections) file challenges at once: A finds reports 1
 * and 2 by subject, B files a case for report 2 and commits, then A's filing must see B's
 * case inside its own transaction and store nothing (a report has one open challenge at a
 * time); once B's case is closed, A's goes through. */
static void test_two_filings_for_one_report(void **state)
{
	(void)state;
	char path[] = "/tmp/ipbl-web-cases-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char err[256];
	store_t *sa = NULL;
	store_t *sb = NULL;
	assert_int_equal(store_open("sqlite", path, &sa, err, sizeof(err)), 0);
	assert_int_equal(store_open("sqlite", path, &sb, err, sizeof(err)), 0);
	web_app_t a = { .store = sa };
	web_app_t b = { .store = sb };
	ipbl_ipaddr_t ip;
	assert_int_equal(ipbl_ipaddr_parse(ipbl_str("192.0.2.77"), &ip), 0);
	int64_t r1 = keyed_report(sa, &ip, "d1");
	int64_t r2 = keyed_report(sa, &ip, "d2");

	/* A: the form's look-up, outside the filing's transaction */
	web_cases_ids_t found = { 0 };
	assert_int_equal(store_reports_challengeable(sa, &ip, SUBJECT_KEY, collect_report, &found),
			 0);
	assert_int_equal(found.n, 2);
	/* B: a challenge of report 2 by number, filed meanwhile */
	web_cases_ids_t one = { 0 };
	web_cases_ids_add(&one, r2);
	store_case_t cb = challenge_case(&ip, &one, "b2:filing-b");
	int64_t taken = -1;
	assert_int_equal(
		web_cases_store(&b, &cb, &one, "not spam", "a challenge of report 2", &taken), 0);
	assert_int_equal(taken, 0);
	/* A: refused, and nothing of it stored */
	store_case_t ca = challenge_case(&ip, &found, "b2:filing-a");
	assert_int_equal(
		web_cases_store(&a, &ca, &found, "not spam", "a challenge of reports", &taken),
		IPBL_EEXIST);
	assert_int_equal(taken, r2);
	store_case_t got;
	assert_int_equal(store_case_find_by_token(sa, "b2:filing-a", &got), IPBL_ENOENT);
	assert_int_equal(store_case_find_open_for_report(sa, r1, &got), IPBL_ENOENT);
	assert_int_equal(store_case_find_open_for_report(sa, r2, &got), 0);
	assert_int_equal(got.id, cb.id);
	size_t opened = 0;
	assert_int_equal(store_audit_each(sa, NULL, count_opened, &opened), 0);
	assert_int_equal(opened, 1);
	/* a question covers no report and is never refused so */
	store_case_t ask = { .kind = STORE_CASE_ASK,
			     .status = STORE_CASE_OPEN,
			     .ip = ip,
			     .created_ms = 2000,
			     .token_hash = "b2:ask" };
	assert_int_equal(web_cases_store(&a, &ask, NULL, "why?", "a question", &taken), 0);
	assert_int_equal(taken, 0);
	/* once B's case is decided, both reports may be challenged again */
	assert_int_equal(store_case_set_status(sb, cb.id, STORE_CASE_CLOSED, 3000), 0);
	assert_int_equal(
		web_cases_store(&a, &ca, &found, "not spam", "a challenge of reports", &taken), 0);
	assert_int_equal(store_case_find_open_for_report(sb, r2, &got), 0);
	assert_int_equal(got.id, ca.id);
	assert_int_equal(store_case_find_open_for_report(sb, r1, &got), 0);
	assert_int_equal(got.id, ca.id);

	web_cases_ids_fini(&found);
	web_cases_ids_fini(&one);
	store_close(sa);
	store_close(sb);
	char aux[64];
	unlink(path);
	snprintf(aux, sizeof(aux), "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", path);
	unlink(aux);
}

/* A case of a big mailing lists every report on its page: no cut at any fixed size. */
static void test_report_numbers_on_a_page(void **state)
{
	(void)state;
	web_cases_ids_t ids = { 0 };
	web_out_t o;
	web_out_init(&o, WEB_OUT_MAX_DEFAULT);
	web_cases_put_ids(&o, &ids);
	assert_int_equal(o.len, 0);
	web_cases_ids_add(&ids, 17);
	web_cases_put_ids(&o, &ids);
	web_out_puts(&o, "|");
	web_cases_ids_add(&ids, 18);
	web_cases_put_ids(&o, &ids);
	web_out_puts(&o, "|");
	web_cases_ids_add(&ids, 20);
	web_cases_put_ids(&o, &ids);
	assert_false(o.failed);
	assert_int_equal(o.len, strlen("17|17 and 18|17, 18 and 20"));
	assert_memory_equal(o.data, "17|17 and 18|17, 18 and 20", o.len);
	web_out_fini(&o);
	/* 3,000 reports of seven digits: about 27 kB of text */
	web_cases_ids_fini(&ids);
	for (int64_t i = 1000001; i <= 1003000; i++) {
		web_cases_ids_add(&ids, i);
	}
	web_out_init(&o, WEB_OUT_MAX_DEFAULT);
	web_cases_put_ids(&o, &ids);
	assert_false(o.failed);
	assert_int_equal(o.len, 3000 * 7 + 2998 * 2 + 5);
	assert_memory_equal(o.data + o.len - 19, "1002999 and 1003000", 19);
	web_out_fini(&o);
	web_cases_ids_fini(&ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csrf_round_trip),
		cmocka_unit_test(test_csrf_tampering),
		cmocka_unit_test(test_tokens_and_hashes),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_text_checks),
		cmocka_unit_test(test_limiter_window),
		cmocka_unit_test(test_limiter_many_keys),
		cmocka_unit_test(test_two_filings_for_one_report),
		cmocka_unit_test(test_report_numbers_on_a_page),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
