/* SPDX-License-Identifier: BSD-2-Clause */
/* The listing engine on a real SQLite store in a temporary directory, with the manual clock:
 * each write commits the evidence, the decision, the audit entry and the journal entry
 * together; duplicates count once; refused writes store nothing; deputy delisting, voiding,
 * report state changes, reporter bans and expiry re-decide at once; the daemon's follower
 * applies the journal written by another connection and reloads after a gap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/follow.h"
#include "lib/clock.h"
#include "lib/conf.h"

#define H(h) ((int64_t)(h)*3600 * 1000)
#define T0 1893456000000LL /* 2030-01-01T00:00:00Z */

typedef struct {
	char dir[64];
	char db[128];
	ipbl_conf_t *conf;
	ipbl_clock_t *clock;
	store_t *store;
	engine_t *e;
} fx_t;

static int setup(void **state)
{
	fx_t *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/ipbl-engine-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/ipbl.db", f->dir);
	char clock_path[128];
	snprintf(clock_path, sizeof(clock_path), "%s/clock", f->dir);
	static const char text[] = "[policy]\nexpire = 24h\n";
	char err[256];
	assert_int_equal(
		ipbl_conf_parse("test.conf", text, sizeof(text) - 1, &f->conf, err, sizeof(err)),
		0);
	assert_int_equal(ipbl_clock_manual_open(clock_path, &f->clock), 0);
	assert_int_equal(ipbl_clock_set_ms(f->clock, T0), 0);
	assert_int_equal(store_open("sqlite", f->db, &f->store, err, sizeof(err)), 0);
	assert_int_equal(engine_new(f->conf, f->store, f->clock, &f->e, err, sizeof(err)), 0);
	const char *names[] = { "alice", "bob", "carol" };
	for (size_t i = 0; i < 3; i++) {
		store_reporter_t r = { .created_ms = T0 };
		snprintf(r.name, sizeof(r.name), "%s", names[i]);
		snprintf(r.api_key_hash, sizeof(r.api_key_hash), "b2:%s", names[i]);
		assert_int_equal(store_reporter_add(f->store, &r), 0);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_t *f = *state;
	engine_free(f->e);
	store_close(f->store);
	ipbl_clock_free(f->clock);
	ipbl_conf_free(f->conf);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static ipbl_ipaddr_t ip(const char *text)
{
	ipbl_ipaddr_t a;
	assert_int_equal(ipbl_ipaddr_parse(ipbl_str(text), &a), 0);
	return a;
}

static int report(fx_t *f, const char *who, const char *addr, const char *digest,
		  engine_result_t *out)
{
	engine_report_t r = { .reporter = who, .ip = ip(addr), .digest = digest, .evidence = "" };
	return engine_report(f->e, &r, out);
}

static int trap(fx_t *f, const char *addr, const char *digest, engine_result_t *out)
{
	engine_trap_hit_t h = {
		.trap_address = "t@trap.example", .ip = ip(addr), .helo = "", .digest = digest
	};
	return engine_trap_hit(f->e, &h, out);
}

static uint32_t journal_last(fx_t *f)
{
	uint32_t s = 0;
	assert_int_equal(store_journal_last(f->store, &s), 0);
	return s;
}

static bool stored_listed(fx_t *f, const char *addr)
{
	store_listing_t l;
	ipbl_ipaddr_t a = ip(addr);
	int ret = store_listing_get(f->store, &a, &l);
	return ret == 0 && l.listed;
}

static void test_two_reporters_list_and_journal(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	assert_int_equal(report(f, "alice", "45.33.32.1", "d1", &r), 0);
	assert_false(r.decision.listed);
	assert_false(r.duplicate);
	assert_int_equal(journal_last(f), 0);
	assert_int_equal(report(f, "bob", "45.33.32.1", "d2", &r), 0);
	assert_true(r.decision.listed);
	assert_false(r.was_listed);
	assert_int_equal(r.decision.delist_at_ms, T0 + H(24));
	assert_true(stored_listed(f, "45.33.32.1"));
	assert_int_equal(journal_last(f), 1);
	/* the same spam again: counted once, nothing moves */
	int64_t first = r.id;
	assert_int_equal(report(f, "carol", "45.33.32.1", "d2", &r), 0);
	assert_true(r.duplicate);
	assert_int_equal(r.id, first);
	assert_int_equal(journal_last(f), 1);
	engine_lookup_t l;
	ipbl_ipaddr_t a = ip("45.33.32.1");
	assert_int_equal(engine_lookup(f->e, &a, &l), 0);
	assert_true(l.listed);
	assert_int_equal(l.reports, 2);
	assert_int_equal(l.seconds_to_delist, 24 * 3600);
}

static void test_refused_writes_store_nothing(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	assert_int_equal(report(f, "nobody", "45.33.32.2", "x1", &r), IPBL_ENOENT);
	assert_int_equal(report(f, "alice", "10.1.2.3", "x2", &r), IPBL_EINVAL);
	assert_int_equal(report(f, "alice", "::ffff:127.0.0.5", "x3", &r), IPBL_EINVAL);
	assert_int_equal(trap(f, "192.0.2.7", "x4", &r), IPBL_EINVAL);
	assert_int_equal(engine_reporter_ban(f->e, "carol", "operator", NULL), 0);
	assert_int_equal(report(f, "carol", "45.33.32.2", "x5", &r), IPBL_EACCES);
	engine_lookup_t l;
	ipbl_ipaddr_t a = ip("45.33.32.2");
	assert_int_equal(engine_lookup(f->e, &a, &l), IPBL_ENOENT);
}

static void test_deputy_delisting_holds_until_newer_evidence(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	assert_int_equal(trap(f, "45.33.32.3", "t1", &r), 0);
	assert_true(r.decision.listed);
	ipbl_ipaddr_t a = ip("45.33.32.3");
	assert_int_equal(engine_delist(f->e, &a, "dana", "cleaned", &r), 0);
	assert_false(r.decision.listed);
	assert_true(r.was_listed);
	assert_false(stored_listed(f, "45.33.32.3"));
	assert_int_equal(journal_last(f), 2);
	/* evidence stamped with the same moment does not undo it */
	assert_int_equal(trap(f, "45.33.32.3", "t2", &r), 0);
	assert_false(r.decision.listed);
	assert_int_equal(ipbl_clock_advance_ms(f->clock, 1), 0);
	assert_int_equal(trap(f, "45.33.32.3", "t3", &r), 0);
	assert_true(r.decision.listed);
	ipbl_ipaddr_t none = ip("45.33.32.99");
	assert_int_equal(engine_delist(f->e, &none, "dana", "x", &r), IPBL_ENOENT);
}

static void test_reinstate_takes_back_a_delisting(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	ipbl_ipaddr_t a = ip("45.33.32.4");
	assert_int_equal(trap(f, "45.33.32.4", "r1", &r), 0);
	/* nothing to take back yet */
	assert_int_equal(engine_reinstate(f->e, &a, "dana", "x", &r), IPBL_EINVAL);
	assert_int_equal(engine_delist(f->e, &a, "dana", "wrong address", &r), 0);
	assert_false(stored_listed(f, "45.33.32.4"));
	assert_int_equal(engine_reinstate(f->e, &a, "dana", "my mistake", &r), 0);
	assert_true(r.decision.listed);
	assert_false(r.was_listed);
	assert_true(stored_listed(f, "45.33.32.4"));
	assert_int_equal(journal_last(f), 3); /* listed, delisted, listed again */
	assert_int_equal(engine_reinstate(f->e, &a, "dana", "again", &r), IPBL_EINVAL);
	/* past the evidence's time the reinstated address is not listed again */
	assert_int_equal(engine_delist(f->e, &a, "dana", "cleaned", &r), 0);
	assert_int_equal(ipbl_clock_advance_ms(f->clock, 25LL * 3600 * 1000), 0);
	assert_int_equal(engine_reinstate(f->e, &a, "dana", "late", &r), 0);
	assert_false(r.decision.listed);
	assert_false(stored_listed(f, "45.33.32.4"));
	ipbl_ipaddr_t none = ip("45.33.32.98");
	assert_int_equal(engine_reinstate(f->e, &none, "dana", "x", &r), IPBL_ENOENT);
}

static void test_void_and_state_changes_redecide(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	assert_int_equal(report(f, "alice", "45.33.32.4", "v1", &r), 0);
	assert_int_equal(report(f, "bob", "45.33.32.4", "v2", &r), 0);
	assert_true(r.decision.listed);
	int64_t bobs = r.id;
	/* suspended (withdrawn) while challenged: below two reporters at once */
	assert_int_equal(engine_report_set_state(f->e, bobs, STORE_REPORT_WITHDRAWN, "deputy dana",
						 "challenged", &r),
			 0);
	assert_false(r.decision.listed);
	assert_int_equal(engine_report_set_state(f->e, bobs, STORE_REPORT_COUNTED, "deputy dana",
						 "upheld", &r),
			 0);
	assert_true(r.decision.listed);
	/* challenged: set aside while the challenge is open, counted again when upheld */
	assert_int_equal(engine_report_challenge(f->e, bobs, true, "case 1", "not spam", &r), 0);
	assert_false(r.decision.listed);
	assert_int_equal(r.decision.n_reports_challenged, 1);
	assert_int_equal(engine_report_challenge(f->e, bobs, false, "deputy dana", "upheld", &r),
			 0);
	assert_true(r.decision.listed);
	assert_int_equal(engine_report_challenge(f->e, 424242, true, "case 2", "x", &r),
			 IPBL_ENOENT);
	/* voided for reporter error: delisted at once and bob fined */
	assert_int_equal(engine_void_report(f->e, bobs, "dana", "opt-in mail", &r), 0);
	assert_false(r.decision.listed);
	store_reporter_t bob;
	assert_int_equal(store_reporter_get(f->store, "bob", &bob), 0);
	assert_int_equal(bob.standing, STORE_STANDING_FINED);
	assert_int_equal(bob.fines, 1);
	/* voiding it again changes nothing: no second fine */
	assert_int_equal(engine_void_report(f->e, bobs, "dana", "again", &r), 0);
	assert_false(r.decision.listed);
	assert_int_equal(store_reporter_get(f->store, "bob", &bob), 0);
	assert_int_equal(bob.fines, 1);
	assert_int_equal(engine_void_report(f->e, 999999, "dana", "x", &r), IPBL_ENOENT);
}

static void test_mapped_addresses_and_duplicates_write_nothing(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	assert_int_equal(trap(f, "::ffff:45.33.32.9", "m1", &r), 0);
	assert_true(r.decision.listed);
	assert_true(stored_listed(f, "45.33.32.9"));
	engine_lookup_t l;
	ipbl_ipaddr_t mapped = ip("::ffff:45.33.32.9");
	assert_int_equal(engine_lookup(f->e, &mapped, &l), 0);
	assert_true(l.listed);
	assert_int_equal(l.ip.family, IPBL_AF_V4);
	uint32_t serial = journal_last(f);
	/* a duplicate digest for another address stores no listing for it */
	assert_int_equal(trap(f, "45.33.32.10", "m1", &r), 0);
	assert_true(r.duplicate);
	assert_false(r.decision.listed);
	ipbl_ipaddr_t other = ip("45.33.32.10");
	assert_int_equal(engine_lookup(f->e, &other, &l), IPBL_ENOENT);
	assert_int_equal(journal_last(f), serial);
}

static void test_ban_redecides_reported_addresses(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	assert_int_equal(report(f, "alice", "45.33.32.5", "b1", &r), 0);
	assert_int_equal(report(f, "carol", "45.33.32.5", "b2", &r), 0);
	assert_int_equal(report(f, "carol", "2a01:4f8::5", "b3", &r), 0);
	assert_true(stored_listed(f, "45.33.32.5"));
	size_t n = 0;
	assert_int_equal(engine_reporter_ban(f->e, "carol", "operator", &n), 0);
	assert_int_equal(n, 2);
	assert_false(stored_listed(f, "45.33.32.5"));
	assert_int_equal(engine_reporter_ban(f->e, "nobody", "operator", &n), IPBL_ENOENT);
}

static void test_expiry_is_due_exactly_at_delist_time(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	for (int i = 0; i < 5; i++) {
		char addr[32], dg[16];
		snprintf(addr, sizeof(addr), "45.33.40.%d", i + 1);
		snprintf(dg, sizeof(dg), "e%d", i);
		assert_int_equal(trap(f, addr, dg, &r), 0);
		assert_true(r.decision.listed);
	}
	size_t done = 0;
	bool more = true;
	assert_int_equal(ipbl_clock_advance_ms(f->clock, H(24) - 1), 0);
	assert_int_equal(engine_expire_due(f->e, 100, &done, &more), 0);
	assert_int_equal(done, 0);
	assert_int_equal(ipbl_clock_advance_ms(f->clock, 1), 0);
	assert_int_equal(engine_expire_due(f->e, 3, &done, &more), 0);
	assert_int_equal(done, 3);
	assert_true(more);
	assert_int_equal(engine_expire_due(f->e, 3, &done, &more), 0);
	assert_int_equal(done, 2);
	assert_false(more);
	for (int i = 0; i < 5; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "45.33.40.%d", i + 1);
		assert_false(stored_listed(f, addr));
	}
	assert_int_equal(journal_last(f), 10);
}

/* Count what the follower would hand to a snapshot. */
static size_t follow_count(engine_follow_t *fl)
{
	return engine_follow_count(fl);
}

static void test_follower_applies_other_writers_and_gaps(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	assert_int_equal(trap(f, "45.33.50.1", "f1", &r), 0);
	engine_follow_t *fl = NULL;
	assert_int_equal(engine_follow_new(f->e, &fl), 0);
	assert_int_equal(follow_count(fl), 1);
	/* a second connection, as another process would have */
	store_t *other = NULL;
	engine_t *e2 = NULL;
	char err[256];
	assert_int_equal(store_open("sqlite", f->db, &other, err, sizeof(err)), 0);
	assert_int_equal(engine_new(f->conf, other, f->clock, &e2, err, sizeof(err)), 0);
	engine_trap_hit_t h = {
		.trap_address = "t@x", .ip = ip("2a01:4f8::9"), .helo = "", .digest = "f2"
	};
	assert_int_equal(engine_trap_hit(e2, &h, &r), 0);
	bool changed = false, busy = true;
	assert_int_equal(engine_follow_tick(fl, &changed, &busy), 0);
	assert_true(changed);
	assert_false(busy);
	assert_int_equal(follow_count(fl), 2);
	assert_int_equal(engine_follow_tick(fl, &changed, &busy), 0);
	assert_false(changed);
	/* the journal loses entries the follower has not read: it reloads everything */
	h.ip = ip("45.33.50.2");
	h.digest = "f3";
	assert_int_equal(engine_trap_hit(e2, &h, &r), 0);
	h.ip = ip("45.33.50.3");
	h.digest = "f4";
	assert_int_equal(engine_trap_hit(e2, &h, &r), 0);
	assert_int_equal(store_journal_compact(other, 1), 0);
	assert_int_equal(engine_follow_tick(fl, &changed, &busy), 0);
	assert_true(changed);
	assert_int_equal(follow_count(fl), 4);
	/* expiry through the follower's tick */
	assert_int_equal(ipbl_clock_advance_ms(f->clock, H(25)), 0);
	assert_int_equal(engine_follow_tick(fl, &changed, &busy), 0);
	assert_true(changed);
	assert_int_equal(follow_count(fl), 0);
	engine_free(e2);
	store_close(other);
	engine_follow_free(fl);
}

static void test_digest_normalises_line_ends(void **state)
{
	(void)state;
	char a[ENGINE_DIGEST_LEN], b[ENGINE_DIGEST_LEN], c[ENGINE_DIGEST_LEN];
	static const char crlf[] = "Subject: x\r\n\r\nbody  \r\n";
	static const char lf[] = "Subject: x\n\nbody\n";
	engine_digest("report:", crlf, sizeof(crlf) - 1, a);
	engine_digest("report:", lf, sizeof(lf) - 1, b);
	engine_digest("trap:", lf, sizeof(lf) - 1, c);
	assert_string_equal(a, b);
	assert_string_not_equal(b, c);
	assert_int_equal(strlen(a), 64);
	char k1[ENGINE_KEY_HASH_LEN];
	engine_api_key_hash("00ff", k1);
	assert_int_equal(strncmp(k1, "b2:", 3), 0);
	assert_int_equal(strlen(k1), 67);
}

/* One key for the same subject however it was written; none for a blank one. */
static void test_subject_key(void **state)
{
	(void)state;
	char a[ENGINE_SUBJECT_KEY_LEN], b[ENGINE_SUBJECT_KEY_LEN], c[ENGINE_SUBJECT_KEY_LEN];
	const char *enc = "=?UTF-8?Q?Our_March?=\r\n =?UTF-8?Q?_newsletter?=";
	assert_true(engine_subject_key(enc, strlen(enc), a));
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_true(engine_subject_key("  our MARCH \t newsletter ", 25, b));
	assert_string_equal(a, b);
	assert_true(engine_subject_key("Our April newsletter", 20, c));
	assert_string_not_equal(a, c);
	assert_false(engine_subject_key(" \t ", 3, c));
	assert_string_equal(c, "");
}

/* A report from a raw message keeps the key of its spam's Subject (the attached one in a
 * forward); a message without a Subject gets none. */
static void test_report_message_keeps_the_subject_key(void **state)
{
	fx_t *f = *state;
	static const char fwd[] =
		"Subject: Fwd: look at this\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
		"Content-Type: message/rfc822\n\nReceived: from c (c [45.33.32.50]) by mx id 2\n"
		"Subject: Our  March newsletter\n\nhello\n--B--\n";
	static const char bare[] = "Received: from c (c [45.33.32.50]) by mx id 3\n\nhello\n";
	engine_result_t r;
	ipbl_ipaddr_t src;
	char why[256];
	engine_message_t m = { .reporter = "alice", .msg = fwd, .len = sizeof(fwd) - 1 };
	assert_int_equal(engine_report_message(f->e, &m, &r, &src, why, sizeof(why)), 0);
	store_report_t got;
	assert_int_equal(store_report_get(f->store, r.id, &got), 0);
	char want[ENGINE_SUBJECT_KEY_LEN];
	assert_true(engine_subject_key("our march newsletter", 20, want));
	assert_string_equal(got.subject_key, want);
	m = (engine_message_t){ .reporter = "bob", .msg = bare, .len = sizeof(bare) - 1 };
	assert_int_equal(engine_report_message(f->e, &m, &r, &src, why, sizeof(why)), 0);
	assert_int_equal(store_report_get(f->store, r.id, &got), 0);
	assert_string_equal(got.subject_key, "");
}

/* A case covering two reports: both set aside in one transaction (one delisting in the
 * journal), counted again together, voided together with both reporters fined; an unknown
 * report in the list changes nothing. */
static void test_several_reports_challenged_and_voided_together(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	int64_t ids[3];
	assert_int_equal(report(f, "alice", "45.33.32.60", "m1", &r), 0);
	ids[0] = r.id;
	assert_int_equal(report(f, "bob", "45.33.32.60", "m2", &r), 0);
	ids[1] = r.id;
	assert_true(r.decision.listed);
	uint32_t serial = journal_last(f);
	ids[2] = 999999;
	assert_int_equal(engine_reports_challenge(f->e, ids, 3, true, "case 1", "x", &r),
			 IPBL_ENOENT);
	store_report_t got;
	assert_int_equal(store_report_get(f->store, ids[0], &got), 0);
	assert_false(got.challenged);
	assert_true(stored_listed(f, "45.33.32.60"));
	assert_int_equal(engine_reports_challenge(f->e, ids, 0, true, "case 1", "x", &r),
			 IPBL_EINVAL);

	assert_int_equal(engine_reports_challenge(f->e, ids, 2, true, "case 1", "opt-in", &r), 0);
	assert_false(r.decision.listed);
	assert_true(r.was_listed);
	assert_int_equal(r.decision.n_reports_challenged, 2);
	assert_int_equal(journal_last(f), serial + 1);
	assert_false(stored_listed(f, "45.33.32.60"));
	assert_int_equal(engine_reports_challenge(f->e, ids, 2, false, "deputy dana", "upheld", &r),
			 0);
	assert_true(r.decision.listed);
	assert_int_equal(journal_last(f), serial + 2);

	assert_int_equal(engine_void_reports(f->e, ids, 2, "dana", "opt-in mail", &r), 0);
	assert_false(r.decision.listed);
	const char *names[] = { "alice", "bob" };
	for (size_t i = 0; i < 2; i++) {
		store_reporter_t rep;
		assert_int_equal(store_reporter_get(f->store, names[i], &rep), 0);
		assert_int_equal(rep.standing, STORE_STANDING_FINED);
		assert_int_equal(rep.fines, 1);
		assert_int_equal(store_report_get(f->store, ids[i], &got), 0);
		assert_int_equal(got.state, STORE_REPORT_VOIDED);
	}
	assert_int_equal(engine_void_reports(f->e, ids, 0, "dana", "x", &r), IPBL_EINVAL);
}

static int count_fines(void *arg, const store_audit_t *a)
{
	*(size_t *)arg += strcmp(a->action, "reporter fined") == 0;
	return 0;
}

static uint32_t fines_of(fx_t *f, const char *name)
{
	store_reporter_t rep;
	assert_int_equal(store_reporter_get(f->store, name, &rep), 0);
	return rep.fines;
}

/* A reporter is fined once per voided case, not once per report of it: one reporter with
 * two reports in one void is fined once (one audit entry), two reporters once each; voiding
 * the same reports again fines nobody. */
static void test_void_fines_each_reporter_once(void **state)
{
	fx_t *f = *state;
	engine_result_t r;
	int64_t ids[4];
	assert_int_equal(report(f, "alice", "45.33.32.70", "f1", &r), 0);
	ids[0] = r.id;
	assert_int_equal(report(f, "alice", "45.33.32.70", "f2", &r), 0);
	ids[1] = r.id;
	assert_int_equal(report(f, "bob", "45.33.32.70", "f3", &r), 0);
	assert_true(r.decision.listed);
	assert_int_equal(engine_void_reports(f->e, ids, 2, "dana", "opt-in mail", &r), 0);
	assert_int_equal(r.id, ids[1]);
	assert_false(r.decision.listed);
	assert_int_equal(fines_of(f, "alice"), 1);
	assert_int_equal(fines_of(f, "bob"), 0);
	size_t n = 0;
	assert_int_equal(store_audit_each(f->store, NULL, count_fines, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(engine_void_reports(f->e, ids, 2, "dana", "again", &r), 0);
	assert_false(r.decision.listed);
	assert_int_equal(fines_of(f, "alice"), 1);

	/* two reporters, one with two reports, and a report voided already in the list */
	assert_int_equal(report(f, "bob", "45.33.32.71", "f4", &r), 0);
	ids[1] = r.id;
	assert_int_equal(report(f, "carol", "45.33.32.71", "f5", &r), 0);
	ids[2] = r.id;
	assert_int_equal(report(f, "carol", "45.33.32.71", "f6", &r), 0);
	ids[3] = r.id;
	assert_true(r.decision.listed);
	assert_int_equal(engine_void_reports(f->e, ids, 4, "dana", "opt-in mail", &r), 0);
	assert_false(r.decision.listed);
	assert_false(stored_listed(f, "45.33.32.71"));
	assert_int_equal(fines_of(f, "alice"), 1);
	assert_int_equal(fines_of(f, "bob"), 1);
	assert_int_equal(fines_of(f, "carol"), 1);
	n = 0;
	assert_int_equal(store_audit_each(f->store, NULL, count_fines, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 4; i++) {
		store_report_t got;
		assert_int_equal(store_report_get(f->store, ids[i], &got), 0);
		assert_int_equal(got.state, STORE_REPORT_VOIDED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_reporters_list_and_journal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused_writes_store_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deputy_delisting_holds_until_newer_evidence,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reinstate_takes_back_a_delisting, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_void_and_state_changes_redecide, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ban_redecides_reported_addresses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mapped_addresses_and_duplicates_write_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry_is_due_exactly_at_delist_time, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_follower_applies_other_writers_and_gaps, setup,
						teardown),
		cmocka_unit_test(test_digest_normalises_line_ends),
		cmocka_unit_test(test_subject_key),
		cmocka_unit_test_setup_teardown(test_report_message_keeps_the_subject_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_several_reports_challenged_and_voided_together,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_void_fines_each_reporter_once, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
