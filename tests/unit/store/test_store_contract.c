/* SPDX-License-Identifier: BSD-2-Clause */
/* The store contract: what every backend must do, run against each one (SQLite now; the
 * PostgreSQL backend will be added to the backends table). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"

typedef struct {
	const char *backend;
	char path[256];
	store_t *s;
} fixture_t;

static int setup_sqlite(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));
	f->backend = "sqlite";
	snprintf(f->path, sizeof(f->path), "/tmp/ipbl-store-test-%d-XXXXXX", (int)getpid());
	int fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	char err[256];
	if (store_open(f->backend, f->path, &f->s, err, sizeof(err)) != 0) {
		fail_msg("open: %s", err);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	store_close(f->s);
	char wal[300];
	unlink(f->path);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", f->path);
	unlink(wal);
	free(f);
	return 0;
}

static ipbl_ipaddr_t ip(const char *text)
{
	ipbl_ipaddr_t a;
	assert_int_equal(ipbl_ipaddr_parse(ipbl_str(text), &a), 0);
	return a;
}

static void test_schema(void **state)
{
	fixture_t *f = *state;
	assert_int_equal(store_schema_version(f->s), 2);
	/* opening again applies nothing and keeps the data */
	store_t *again = NULL;
	char err[256];
	assert_int_equal(store_open(f->backend, f->path, &again, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(again), 2);
	store_close(again);
}

static void test_reporters(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	store_reporter_t r = { .api_key_hash = "hash",
			       .mailhosts = "mx.example.net",
			       .created_ms = 1000 };
	snprintf(r.name, sizeof(r.name), "alice");
	assert_int_equal(store_reporter_add(s, &r), 0);
	assert_true(r.id > 0);
	store_reporter_t dup = r;
	assert_int_equal(store_reporter_add(s, &dup), IPBL_EEXIST);
	store_reporter_t got;
	assert_int_equal(store_reporter_get(s, "alice", &got), 0);
	assert_int_equal(got.id, r.id);
	assert_string_equal(got.mailhosts, "mx.example.net");
	assert_int_equal(got.standing, STORE_STANDING_GOOD);
	assert_int_equal(store_reporter_set_standing(s, r.id, STORE_STANDING_FINED, 2), 0);
	assert_int_equal(store_reporter_get_by_id(s, r.id, &got), 0);
	assert_int_equal(got.standing, STORE_STANDING_FINED);
	assert_int_equal(got.fines, 2);
	assert_int_equal(store_reporter_get(s, "bob", &got), IPBL_ENOENT);
	assert_int_equal(store_reporter_set_standing(s, 999, STORE_STANDING_BANNED, 0),
			 IPBL_ENOENT);
}

typedef struct {
	int reports;
	int hits;
	int64_t last_ms;
	int64_t ids[16];
} collect_t;

static int on_report(void *arg, const store_report_t *r)
{
	collect_t *c = arg;
	assert_true(r->received_ms >= c->last_ms); /* oldest first */
	c->last_ms = r->received_ms;
	c->ids[c->reports++ % 16] = r->id;
	return 0;
}

static int on_hit(void *arg, const store_trap_hit_t *h)
{
	collect_t *c = arg;
	assert_string_equal(h->helo, "spammer.example");
	c->hits++;
	return 0;
}

static void test_evidence(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	store_reporter_t rep = { .api_key_hash = "h", .created_ms = 1 };
	snprintf(rep.name, sizeof(rep.name), "carol");
	assert_int_equal(store_reporter_add(s, &rep), 0);
	for (int i = 0; i < 3; i++) {
		store_report_t r = { .reporter_id = rep.id,
				     .ip = ip("192.0.2.7"),
				     .received_ms = 3000 - i * 1000,
				     .evidence = "{}" };
		snprintf(r.digest, sizeof(r.digest), "digest-%d", i);
		assert_int_equal(store_report_add(s, &r), 0);
	}
	/* the same spam again counts once: the first id comes back */
	store_report_t again = { .reporter_id = rep.id,
				 .ip = ip("192.0.2.7"),
				 .received_ms = 9000 };
	snprintf(again.digest, sizeof(again.digest), "digest-0");
	assert_int_equal(store_report_add(s, &again), IPBL_EEXIST);
	assert_true(again.id > 0);
	/* a report from an unknown reporter is refused, not stored */
	store_report_t orphan = { .reporter_id = 4242, .ip = ip("192.0.2.7"), .received_ms = 1 };
	snprintf(orphan.digest, sizeof(orphan.digest), "orphan");
	assert_int_not_equal(store_report_add(s, &orphan), 0);
	/* a feed without an account */
	store_report_t feed = { .ip = ip("2001:db8::1"), .received_ms = 5 };
	snprintf(feed.digest, sizeof(feed.digest), "feed-1");
	assert_int_equal(store_report_add(s, &feed), 0);

	store_trap_hit_t h = { .ip = ip("192.0.2.7"), .received_ms = 2500 };
	snprintf(h.trap_address, sizeof(h.trap_address), "spam@trap.example.org");
	snprintf(h.helo, sizeof(h.helo), "spammer.example");
	snprintf(h.digest, sizeof(h.digest), "hit-1");
	assert_int_equal(store_trap_hit_add(s, &h), 0);
	assert_int_equal(store_trap_hit_add(s, &h), IPBL_EEXIST);

	collect_t c = { 0 };
	ipbl_ipaddr_t a = ip("192.0.2.7");
	assert_int_equal(store_evidence_for_ip(s, &a, 0, on_report, on_hit, &c), 0);
	assert_int_equal(c.reports, 3);
	assert_int_equal(c.hits, 1);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_evidence_for_ip(s, &a, 2000, on_report, on_hit, &c), 0);
	assert_int_equal(c.reports, 2);
	assert_int_equal(store_report_set_state(s, again.id, STORE_REPORT_VOIDED), 0);
	assert_int_equal(store_report_set_state(s, 777777, STORE_REPORT_VOIDED), IPBL_ENOENT);
}

static int count_listing(void *arg, const store_listing_t *l)
{
	(void)l;
	(*(int *)arg)++;
	return 0;
}

static void test_listings(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	store_listing_t l = { .ip = ip("198.51.100.1"),
			      .listed = true,
			      .listed_since_ms = 10,
			      .last_evidence_ms = 20,
			      .delist_at_ms = 100 };
	snprintf(l.reason_code, sizeof(l.reason_code), "reports");
	snprintf(l.reason_text, sizeof(l.reason_text), "reported twice by two reporters");
	assert_int_equal(store_listing_put(s, &l), 0);
	l.ip = ip("198.51.100.2");
	l.delist_at_ms = 50;
	assert_int_equal(store_listing_put(s, &l), 0);
	l.ip = ip("198.51.100.3");
	l.listed = false;
	assert_int_equal(store_listing_put(s, &l), 0);

	store_listing_t got;
	ipbl_ipaddr_t a = ip("198.51.100.1");
	assert_int_equal(store_listing_get(s, &a, &got), 0);
	assert_true(got.listed);
	assert_int_equal(got.delist_at_ms, 100);
	assert_string_equal(got.reason_text, "reported twice by two reporters");
	a = ip("203.0.113.1");
	assert_int_equal(store_listing_get(s, &a, &got), IPBL_ENOENT);

	int n = 0;
	assert_int_equal(store_listings_each(s, count_listing, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(store_listings_due(s, 60, 10, count_listing, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(store_listings_due(s, 1000, 1, count_listing, &n), 0);
	assert_int_equal(n, 1); /* the limit */

	/* put replaces */
	l.ip = ip("198.51.100.1");
	l.listed = false;
	assert_int_equal(store_listing_put(s, &l), 0);
	a = ip("198.51.100.1");
	assert_int_equal(store_listing_get(s, &a, &got), 0);
	assert_false(got.listed);
}

static int count_audit(void *arg, const store_audit_t *a)
{
	assert_non_null(a->actor);
	(*(int *)arg)++;
	return 0;
}

static void test_audit_and_transactions(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	store_audit_t a = { .at_ms = 1,
			    .actor = "engine",
			    .action = "listed",
			    .ip = "192.0.2.9",
			    .detail = "one trap hit" };
	assert_int_equal(store_audit_add(s, &a), 0);
	a.actor = "deputy dana";
	a.action = "delisted";
	assert_int_equal(store_audit_add(s, &a), 0);
	a.ip = "192.0.2.10";
	assert_int_equal(store_audit_add(s, &a), 0);
	int n = 0;
	assert_int_equal(store_audit_each(s, "192.0.2.9", count_audit, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(store_audit_each(s, NULL, count_audit, &n), 0);
	assert_int_equal(n, 3);

	/* a rolled-back transaction leaves nothing */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_audit_add(s, &a), 0);
	store_rollback(s);
	n = 0;
	assert_int_equal(store_audit_each(s, NULL, count_audit, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_audit_add(s, &a), 0);
	assert_int_equal(store_commit(s), 0);
	n = 0;
	assert_int_equal(store_audit_each(s, NULL, count_audit, &n), 0);
	assert_int_equal(n, 4);
}

static int count_journal(void *arg, uint32_t serial, int64_t at_ms, const char *added,
			 const char *removed)
{
	(void)at_ms;
	(void)removed;
	uint32_t *c = arg;
	c[0]++;
	c[1] = serial;
	assert_non_null(added);
	return 0;
}

static void test_journal(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	uint32_t last = 99;
	assert_int_equal(store_journal_last(s, &last), 0);
	assert_int_equal(last, 0);
	for (uint32_t serial = 10; serial < 20; serial++) {
		assert_int_equal(store_journal_append(s, serial, serial * 1000, "192.0.2.1", ""),
				 0);
	}
	assert_int_equal(store_journal_append(s, 19, 1, "", ""), IPBL_EINVAL);
	assert_int_equal(store_journal_last(s, &last), 0);
	assert_int_equal(last, 19);
	uint32_t c[2] = { 0, 0 };
	assert_int_equal(store_journal_since(s, 15, count_journal, c), 0);
	assert_int_equal(c[0], 4);
	assert_int_equal(c[1], 19);
	assert_int_equal(store_journal_compact(s, 3), 0);
	c[0] = c[1] = 0;
	assert_int_equal(store_journal_since(s, 0, count_journal, c), 0);
	assert_int_equal(c[0], 3);
	assert_int_equal(store_journal_last(s, &last), 0);
	assert_int_equal(last, 19);
}

/* Several processes write at once: no "database is locked", nothing lost. */
static void test_concurrent_writers(void **state)
{
	fixture_t *f = *state;
	enum { WRITERS = 4, EACH = 150 };
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			store_t *s = NULL;
			char err[256];
			if (store_open(f->backend, f->path, &s, err, sizeof(err)) != 0) {
				_exit(10);
			}
			for (int i = 0; i < EACH; i++) {
				store_report_t r = { .ip = ip("203.0.113.5"), .received_ms = i };
				snprintf(r.digest, sizeof(r.digest), "w%d-%d", w, i);
				if (store_begin(s) != 0 || store_report_add(s, &r) != 0 ||
				    store_commit(s) != 0) {
					_exit(11);
				}
			}
			store_close(s);
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status = 0;
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	collect_t c = { 0 };
	ipbl_ipaddr_t a = ip("203.0.113.5");
	assert_int_equal(store_evidence_for_ip(f->s, &a, 0, on_report, NULL, &c), 0);
	assert_int_equal(c.reports, WRITERS * EACH);
}

static void test_open_errors(void **state)
{
	(void)state;
	store_t *s = NULL;
	char err[256];
	assert_int_equal(store_open("sqlite", "/nonexistent/dir/x.db", &s, err, sizeof(err)),
			 IPBL_ESTORE);
	assert_non_null(strstr(err, "/nonexistent/dir/x.db"));
	assert_int_equal(store_open("nosuch", "x", &s, err, sizeof(err)), IPBL_EINVAL);
	assert_string_equal(err, "unknown store backend 'nosuch' (known: sqlite)");
	/* a file that is not a database */
	char path[] = "/tmp/ipbl-notadb-XXXXXX";
	int fd = mkstemp(path);
	assert_true(write(fd, "this is not an SQLite database, just text.....", 46) == 46);
	close(fd);
	assert_int_equal(store_open("sqlite", path, &s, err, sizeof(err)), IPBL_ESTORE);
	assert_non_null(strstr(err, path));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_reporters, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_evidence, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_listings, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_audit_and_transactions, setup_sqlite,
						teardown),
		cmocka_unit_test_setup_teardown(test_journal, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup_sqlite, teardown),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
