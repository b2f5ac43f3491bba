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
#include <sqlite3.h>

#include "store/migrations.h"
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
	assert_int_equal(store_schema_version(f->s), 7);
	/* opening again applies nothing and keeps the data */
	store_t *again = NULL;
	char err[256];
	assert_int_equal(store_open(f->backend, f->path, &again, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(again), 7);
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
	int backscatter; /* reports and hits of a kind other than spam */
} collect_t;

static int on_report(void *arg, const store_report_t *r)
{
	collect_t *c = arg;
	assert_true(r->received_ms >= c->last_ms); /* oldest first */
	c->last_ms = r->received_ms;
	c->ids[c->reports++ % 16] = r->id;
	c->backscatter += r->kind != STORE_KIND_SPAM;
	return 0;
}

static int on_hit(void *arg, const store_trap_hit_t *h)
{
	collect_t *c = arg;
	assert_string_equal(h->helo, "spammer.example");
	c->hits++;
	c->backscatter += h->kind != STORE_KIND_SPAM;
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
				     .evidence = "{}",
				     .kind = i == 1 ? STORE_KIND_BOUNCE : STORE_KIND_SPAM };
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

	store_trap_hit_t h = { .ip = ip("192.0.2.7"),
			       .received_ms = 2500,
			       .kind = STORE_KIND_AUTO_REPLY };
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
	assert_int_equal(c.backscatter, 2); /* the kinds come back as stored */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_evidence_for_ip(s, &a, 2000, on_report, on_hit, &c), 0);
	assert_int_equal(c.reports, 2);
	assert_int_equal(store_report_set_challenged(s, again.id, true), 0);
	store_report_t got;
	assert_int_equal(store_report_get(s, again.id, &got), 0);
	assert_true(got.challenged);
	assert_int_equal(store_report_set_challenged(s, again.id, false), 0);
	assert_int_equal(store_report_get(s, again.id, &got), 0);
	assert_false(got.challenged);
	assert_int_equal(store_report_set_challenged(s, 777777, true), IPBL_ENOENT);
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

/* ---- cases and deputies (0003_cases.sql) ---- */

static int64_t add_report(store_t *s, const char *addr, const char *digest)
{
	store_report_t r = { .ip = ip(addr), .received_ms = 1000, .evidence = "{}" };
	snprintf(r.digest, sizeof(r.digest), "%s", digest);
	assert_int_equal(store_report_add(s, &r), 0);
	return r.id;
}

static store_case_t new_case(enum store_case_kind kind, const char *addr, int64_t report_id,
			     const char *token_hash, int64_t at)
{
	store_case_t c = { .kind = kind,
			   .status = STORE_CASE_OPEN,
			   .ip = ip(addr),
			   .report_id = report_id,
			   .created_ms = at };
	snprintf(c.token_hash, sizeof(c.token_hash), "%s", token_hash);
	snprintf(c.filer_name, sizeof(c.filer_name), "Pat Admin");
	snprintf(c.filer_address, sizeof(c.filer_address), "postmaster@example.net");
	snprintf(c.relationship, sizeof(c.relationship), "mail admin of the network");
	return c;
}

typedef struct {
	int64_t ids[16];
	size_t n;
} ids_t;

static int collect_case(void *arg, const store_case_t *c)
{
	ids_t *v = arg;
	assert_true(v->n < 16);
	v->ids[v->n++] = c->id;
	return 0;
}

static void test_cases(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	int64_t rid = add_report(s, "192.0.2.9", "case-report");
	store_case_t ask = new_case(STORE_CASE_ASK, "192.0.2.9", 0, "b2:aaaa", 1000);
	assert_int_equal(store_case_add(s, &ask), 0);
	assert_true(ask.id > 0);
	store_case_t ch = new_case(STORE_CASE_CHALLENGE, "192.0.2.9", rid, "b2:bbbb", 2000);
	assert_int_equal(store_case_add(s, &ch), 0);
	assert_true(ch.id > ask.id);
	/* a taken token hash is refused; so is a challenge of an unknown report */
	store_case_t dup = new_case(STORE_CASE_ASK, "192.0.2.10", 0, "b2:aaaa", 3000);
	assert_int_equal(store_case_add(s, &dup), IPBL_EEXIST);
	store_case_t orphan = new_case(STORE_CASE_CHALLENGE, "192.0.2.9", 987654, "b2:cccc", 1);
	assert_int_not_equal(store_case_add(s, &orphan), 0);
	assert_int_not_equal(store_case_add(s, &orphan), IPBL_EEXIST);

	store_case_t got;
	assert_int_equal(store_case_get(s, ch.id, &got), 0);
	assert_int_equal(got.kind, STORE_CASE_CHALLENGE);
	assert_int_equal(got.status, STORE_CASE_OPEN);
	assert_int_equal(got.report_id, rid);
	assert_true(ipbl_ipaddr_eq(&got.ip, &ch.ip));
	assert_string_equal(got.filer_address, "postmaster@example.net");
	assert_string_equal(got.relationship, "mail admin of the network");
	assert_int_equal(got.created_ms, 2000);
	assert_int_equal(got.updated_ms, 2000);
	assert_int_equal(store_case_get(s, 424242, &got), IPBL_ENOENT);
	assert_int_equal(store_case_find_by_token(s, "b2:aaaa", &got), 0);
	assert_int_equal(got.id, ask.id);
	assert_int_equal(got.report_id, 0);
	assert_int_equal(store_case_find_by_token(s, "b2:nope", &got), IPBL_ENOENT);
	assert_int_equal(store_case_find_open_for_report(s, rid, &got), 0);
	assert_int_equal(got.id, ch.id);
	assert_int_equal(store_case_find_open_for_report(s, 0, &got), IPBL_ENOENT);

	/* the queue: not closed, least recently updated first */
	ids_t v = { 0 };
	assert_int_equal(store_cases_each(s, NULL, false, collect_case, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.ids[0], ask.id);
	store_case_message_t m = {
		.case_id = ask.id, .at_ms = 5000, .author = "deputy dana", .body = "Hello <b>"
	};
	assert_int_equal(store_case_message_add(s, &m), 0);
	assert_true(m.id > 0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_cases_each(s, NULL, false, collect_case, &v), 0);
	assert_int_equal(v.ids[0], ch.id); /* the ask case moved back: it was just updated */
	store_case_message_t bad = {
		.case_id = 999999, .at_ms = 1, .author = "filer", .body = "x"
	};
	assert_int_equal(store_case_message_add(s, &bad), IPBL_ENOENT);

	assert_int_equal(store_case_set_status(s, ch.id, STORE_CASE_CLOSED, 6000), 0);
	assert_int_equal(store_case_set_status(s, 999999, STORE_CASE_CLOSED, 6000), IPBL_ENOENT);
	assert_int_equal(store_case_get(s, ch.id, &got), 0);
	assert_int_equal(got.status, STORE_CASE_CLOSED);
	assert_int_equal(got.updated_ms, 6000);
	assert_int_equal(store_case_find_open_for_report(s, rid, &got), IPBL_ENOENT);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_cases_each(s, NULL, false, collect_case, &v), 0);
	assert_int_equal(v.n, 1);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_cases_each(s, NULL, true, collect_case, &v), 0);
	assert_int_equal(v.n, 2);
	/* by address */
	store_case_t other = new_case(STORE_CASE_ASK, "2001:db8::5", 0, "b2:dddd", 7000);
	assert_int_equal(store_case_add(s, &other), 0);
	ipbl_ipaddr_t a = ip("2001:db8::5");
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_cases_each(s, &a, true, collect_case, &v), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.ids[0], other.id);
}

typedef struct {
	char text[512];
	size_t n;
} msgs_t;

static int collect_msg(void *arg, const store_case_message_t *m)
{
	msgs_t *v = arg;
	size_t used = strlen(v->text);
	snprintf(v->text + used, sizeof(v->text) - used, "%s%s:%s", v->n ? "|" : "", m->author,
		 m->body);
	v->n++;
	return 0;
}

static void test_case_messages(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	store_case_t c = new_case(STORE_CASE_ASK, "198.51.100.3", 0, "b2:eeee", 100);
	assert_int_equal(store_case_add(s, &c), 0);
	store_case_message_t m1 = {
		.case_id = c.id, .at_ms = 100, .author = "filer", .body = "why?"
	};
	store_case_message_t m2 = {
		.case_id = c.id, .at_ms = 200, .author = "deputy dana", .body = "traps"
	};
	store_case_message_t m3 = {
		.case_id = c.id, .at_ms = 150, .author = "filer", .body = "\xC3\xA9t\xC3\xA9"
	};
	assert_int_equal(store_case_message_add(s, &m1), 0);
	assert_int_equal(store_case_message_add(s, &m2), 0);
	assert_int_equal(store_case_message_add(s, &m3), 0);
	msgs_t v = { .n = 0 };
	assert_int_equal(store_case_messages_each(s, c.id, collect_msg, &v), 0);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.text, "filer:why?|deputy dana:traps|filer:\xC3\xA9t\xC3\xA9");
	/* a message older than the latest never moves the updated time back */
	store_case_t got;
	assert_int_equal(store_case_get(s, c.id, &got), 0);
	assert_int_equal(got.updated_ms, 200);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_case_messages_each(s, 999999, collect_msg, &v), 0);
	assert_int_equal(v.n, 0);
}

static int count_deputy(void *arg, const store_deputy_t *d)
{
	msgs_t *v = arg;
	size_t used = strlen(v->text);
	snprintf(v->text + used, sizeof(v->text) - used, "%s%s", v->n ? "," : "", d->name);
	v->n++;
	return 0;
}

static void test_deputies_and_sessions(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	store_deputy_t d = { .created_ms = 10 };
	snprintf(d.name, sizeof(d.name), "zoe");
	snprintf(d.password_hash, sizeof(d.password_hash), "$argon2id$v=19$m=65536,t=2,p=1$x$y");
	assert_int_equal(store_deputy_add(s, &d), 0);
	assert_true(d.id > 0);
	assert_int_equal(store_deputy_add(s, &d), IPBL_EEXIST);
	store_deputy_t d2 = { .created_ms = 11 };
	snprintf(d2.name, sizeof(d2.name), "adam");
	snprintf(d2.password_hash, sizeof(d2.password_hash), "$argon2id$other");
	assert_int_equal(store_deputy_add(s, &d2), 0);
	store_deputy_t got;
	assert_int_equal(store_deputy_get(s, "zoe", &got), 0);
	assert_int_equal(got.id, d.id);
	assert_string_equal(got.password_hash, d.password_hash);
	assert_int_equal(got.created_ms, 10);
	assert_int_equal(store_deputy_get(s, "nobody", &got), IPBL_ENOENT);
	msgs_t v = { .n = 0 };
	assert_int_equal(store_deputies_each(s, count_deputy, &v), 0);
	assert_string_equal(v.text, "adam,zoe");

	assert_int_equal(store_session_add(s, "b2:s1", d.id, 1000, 5000), 0);
	assert_int_equal(store_session_add(s, "b2:s1", d.id, 1000, 5000), IPBL_EEXIST);
	assert_int_not_equal(store_session_add(s, "b2:s2", 424242, 1000, 5000), 0);
	assert_int_equal(store_session_add(s, "b2:s3", d2.id, 1000, 3000), 0);
	int64_t exp = 0;
	assert_int_equal(store_session_get(s, "b2:s1", 4999, &got, &exp), 0);
	assert_string_equal(got.name, "zoe");
	assert_int_equal(exp, 5000);
	assert_int_equal(store_session_get(s, "b2:s1", 5000, &got, NULL), IPBL_ENOENT);
	assert_int_equal(store_session_get(s, "b2:unknown", 0, &got, NULL), IPBL_ENOENT);
	/* expiry removes only what has run out */
	assert_int_equal(store_sessions_expire(s, 3000), 0);
	assert_int_equal(store_session_get(s, "b2:s3", 0, &got, NULL), IPBL_ENOENT);
	assert_int_equal(store_session_get(s, "b2:s1", 0, &got, NULL), 0);
	assert_int_equal(store_session_delete(s, "b2:s1"), 0);
	assert_int_equal(store_session_get(s, "b2:s1", 0, &got, NULL), IPBL_ENOENT);
	assert_int_equal(store_session_delete(s, "b2:s1"), 0);
	assert_string_equal(store_case_kind_name(STORE_CASE_CHALLENGE), "challenge");
	assert_string_equal(store_case_status_name(STORE_CASE_ANSWERED), "answered");
}

/* A case, its first message and the report's new state commit or vanish together. */
static void test_case_transaction(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	int64_t rid = add_report(s, "203.0.113.77", "txn-report");
	assert_int_equal(store_begin(s), 0);
	store_case_t c = new_case(STORE_CASE_CHALLENGE, "203.0.113.77", rid, "b2:ffff", 1);
	assert_int_equal(store_case_add(s, &c), 0);
	assert_int_equal(store_report_set_state(s, rid, STORE_REPORT_WITHDRAWN), 0);
	store_rollback(s);
	store_case_t got;
	assert_int_equal(store_case_find_by_token(s, "b2:ffff", &got), IPBL_ENOENT);
	store_report_t r;
	assert_int_equal(store_report_get(s, rid, &r), 0);
	assert_int_equal(r.state, STORE_REPORT_COUNTED);
}

/* ---- subject keys and cases covering several reports (0007_subject_challenges.sql) ---- */

#define KEY_A "0123456789abcdef0123456789abcdef"
#define KEY_B "fedcba9876543210fedcba9876543210"

static int64_t add_keyed_report(store_t *s, const char *addr, const char *digest, const char *key,
				int64_t at)
{
	store_report_t r = { .ip = ip(addr), .received_ms = at, .evidence = "{}" };
	snprintf(r.digest, sizeof(r.digest), "%s", digest);
	snprintf(r.subject_key, sizeof(r.subject_key), "%s", key);
	assert_int_equal(store_report_add(s, &r), 0);
	return r.id;
}

static int collect_report_id(void *arg, const store_report_t *r)
{
	ids_t *v = arg;
	assert_true(v->n < 16);
	v->ids[v->n++] = r->id;
	return 0;
}

static int collect_id(void *arg, int64_t id)
{
	ids_t *v = arg;
	assert_true(v->n < 16);
	v->ids[v->n++] = id;
	return 0;
}

static ids_t challengeable(store_t *s, const char *addr, const char *key)
{
	ids_t v = { 0 };
	ipbl_ipaddr_t a = ip(addr);
	assert_int_equal(store_reports_challengeable(s, &a, key, collect_report_id, &v), 0);
	return v;
}

static void test_subject_keys(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	int64_t r1 = add_keyed_report(s, "192.0.2.20", "s1", KEY_A, 3000);
	int64_t r2 = add_keyed_report(s, "192.0.2.20", "s2", KEY_A, 1000);
	int64_t other_ip = add_keyed_report(s, "192.0.2.21", "s3", KEY_A, 1000);
	int64_t other_key = add_keyed_report(s, "192.0.2.20", "s4", KEY_B, 1000);
	int64_t none = add_keyed_report(s, "192.0.2.20", "s5", "", 1000);
	(void)other_ip;
	(void)other_key;

	/* the key is read back; a report without one reads "" */
	store_report_t got;
	assert_int_equal(store_report_get(s, r1, &got), 0);
	assert_string_equal(got.subject_key, KEY_A);
	assert_int_equal(store_report_get(s, none, &got), 0);
	assert_string_equal(got.subject_key, "");

	/* one address and one key, oldest first */
	ids_t v = challengeable(s, "192.0.2.20", KEY_A);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.ids[0], r2);
	assert_int_equal(v.ids[1], r1);
	assert_int_equal(challengeable(s, "192.0.2.22", KEY_A).n, 0);
	assert_int_equal(challengeable(s, "192.0.2.20", "").n, 0);

	/* only what still counts and is not under an open challenge */
	assert_int_equal(store_report_set_state(s, r2, STORE_REPORT_VOIDED), 0);
	v = challengeable(s, "192.0.2.20", KEY_A);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.ids[0], r1);
	assert_int_equal(store_report_set_challenged(s, r1, true), 0);
	assert_int_equal(challengeable(s, "192.0.2.20", KEY_A).n, 0);
	assert_int_equal(store_report_set_challenged(s, r1, false), 0);
	int64_t r3 = add_keyed_report(s, "192.0.2.20", "s6", KEY_A, 4000);
	store_case_t c = new_case(STORE_CASE_CHALLENGE, "192.0.2.20", r3, "b2:subj", 5000);
	assert_int_equal(store_case_add(s, &c), 0);
	v = challengeable(s, "192.0.2.20", KEY_A);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.ids[0], r1); /* r3 is in an open case */
	assert_int_equal(store_case_set_status(s, c.id, STORE_CASE_CLOSED, 6000), 0);
	assert_int_equal(challengeable(s, "192.0.2.20", KEY_A).n, 2);
}

static void test_case_covers_several_reports(void **state)
{
	store_t *s = ((fixture_t *)*state)->s;
	int64_t r1 = add_keyed_report(s, "198.51.100.40", "m1", KEY_A, 1000);
	int64_t r2 = add_keyed_report(s, "198.51.100.40", "m2", KEY_A, 2000);
	int64_t r3 = add_keyed_report(s, "198.51.100.40", "m3", KEY_A, 3000);
	store_case_t c = new_case(STORE_CASE_CHALLENGE, "198.51.100.40", r1, "b2:many", 4000);
	assert_int_equal(store_case_add(s, &c), 0);
	assert_int_equal(store_case_report_add(s, c.id, r3), 0);
	assert_int_equal(store_case_report_add(s, c.id, r2), 0);
	assert_int_equal(store_case_report_add(s, c.id, r2), IPBL_EEXIST);
	assert_int_equal(store_case_report_add(s, c.id, 987654), IPBL_ESTORE);
	assert_int_equal(store_case_report_add(s, 987654, r2), IPBL_ESTORE);
	ids_t v = { 0 };
	assert_int_equal(store_case_reports_each(s, c.id, collect_id, &v), 0);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.ids[0], r1);
	assert_int_equal(v.ids[1], r2);
	assert_int_equal(v.ids[2], r3);
	/* the case's report_id stays the first; every covered report finds the case */
	store_case_t got;
	assert_int_equal(store_case_get(s, c.id, &got), 0);
	assert_int_equal(got.report_id, r1);
	assert_int_equal(store_case_find_open_for_report(s, r3, &got), 0);
	assert_int_equal(got.id, c.id);
	assert_int_equal(challengeable(s, "198.51.100.40", KEY_A).n, 0);
	/* an ask case covers nothing */
	store_case_t ask = new_case(STORE_CASE_ASK, "198.51.100.40", 0, "b2:ask7", 4000);
	assert_int_equal(store_case_add(s, &ask), 0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_case_reports_each(s, ask.id, collect_id, &v), 0);
	assert_int_equal(v.n, 0);
	/* the links roll back with the case */
	assert_int_equal(store_begin(s), 0);
	store_case_t t = new_case(STORE_CASE_CHALLENGE, "198.51.100.40", r1, "b2:gone", 5000);
	assert_int_equal(store_case_set_status(s, c.id, STORE_CASE_CLOSED, 5000), 0);
	assert_int_equal(store_case_add(s, &t), 0);
	assert_int_equal(store_case_report_add(s, t.id, r2), 0);
	store_rollback(s);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_case_reports_each(s, t.id, collect_id, &v), 0);
	assert_int_equal(v.n, 0);
	assert_int_equal(store_case_find_open_for_report(s, r2, &got), 0);
	assert_int_equal(got.id, c.id);
}

/* Two filings at once (two connections, as two web server threads): A finds two reports to
 * challenge, B files a case for the second and commits, then A's check inside its own
 * transaction sees B's case and A stores nothing. Closed cases take nothing. */
static void test_case_find_open_for_reports(void **state)
{
	fixture_t *f = *state;
	store_t *a = f->s;
	int64_t r1 = add_keyed_report(a, "198.51.100.50", "o1", KEY_A, 1000);
	int64_t r2 = add_keyed_report(a, "198.51.100.50", "o2", KEY_A, 2000);
	int64_t both[2] = { r1, r2 };
	int64_t taken = 0;
	store_case_t got;
	assert_int_equal(store_case_find_open_for_reports(a, both, 2, &taken, &got), IPBL_ENOENT);
	assert_int_equal(store_case_find_open_for_reports(a, both, 0, &taken, NULL), IPBL_ENOENT);
	ids_t found = challengeable(a, "198.51.100.50", KEY_A);
	assert_int_equal(found.n, 2);

	store_t *b = NULL;
	char err[256];
	assert_int_equal(store_open(f->backend, f->path, &b, err, sizeof(err)), 0);
	assert_int_equal(store_begin(b), 0);
	assert_int_equal(store_case_find_open_for_reports(b, &r2, 1, &taken, NULL), IPBL_ENOENT);
	store_case_t cb = new_case(STORE_CASE_CHALLENGE, "198.51.100.50", r2, "b2:race-b", 3000);
	assert_int_equal(store_case_add(b, &cb), 0);
	assert_int_equal(store_commit(b), 0);

	assert_int_equal(store_begin(a), 0);
	assert_int_equal(store_case_find_open_for_reports(a, found.ids, found.n, &taken, &got), 0);
	assert_int_equal(taken, r2);
	assert_int_equal(got.id, cb.id);
	assert_int_equal(store_case_find_open_for_reports(a, &r1, 1, &taken, NULL), IPBL_ENOENT);
	store_rollback(a);

	/* once B's case is closed, its reports may be challenged again */
	assert_int_equal(store_case_set_status(b, cb.id, STORE_CASE_CLOSED, 4000), 0);
	taken = 0;
	assert_int_equal(store_case_find_open_for_reports(a, both, 2, &taken, NULL), IPBL_ENOENT);
	assert_int_equal(taken, 0);
	store_close(b);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fail_msg("%s: %s", sql, msg ? msg : "error");
	}
}

/* A database at schema version 6 (the migrations before 0007, as an older ipbl left it)
 * with one report and one open challenge of it: opening it upgrades to 7 in place, the old
 * report has no subject key and is never found by subject, and the old challenge covers its
 * report through the new link table. */
static void test_migration_from_version_6(void **state)
{
	(void)state;
	char path[] = "/tmp/ipbl-store-v6-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < store_migrations_len && store_migrations[i].version <= 6; i++) {
		exec_ok(db, store_migrations[i].sql);
	}
	exec_ok(db,
		"PRAGMA user_version = 6;"
		"INSERT INTO reports (id, ip, received_ms, digest, state, challenged) "
		"VALUES (5, '203.0.113.5', 1000, 'old', 'counted', 1);"
		"INSERT INTO cases (id, token_hash, kind, status, ip, report_id, created_ms, "
		"updated_ms) VALUES (9, 'b2:old', 'challenge', 'open', '203.0.113.5', 5, 1, 1)");
	sqlite3_close(db);

	store_t *s = NULL;
	char err[256];
	if (store_open("sqlite", path, &s, err, sizeof(err)) != 0) {
		fail_msg("open: %s", err);
	}
	assert_int_equal(store_schema_version(s), 7);
	store_report_t r;
	assert_int_equal(store_report_get(s, 5, &r), 0);
	assert_string_equal(r.subject_key, "");
	assert_true(r.challenged);
	store_case_t c;
	assert_int_equal(store_case_find_open_for_report(s, 5, &c), 0);
	assert_int_equal(c.id, 9);
	ids_t v = { 0 };
	assert_int_equal(store_case_reports_each(s, 9, collect_id, &v), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.ids[0], 5);
	/* no key, no match: not even once its challenge is over */
	assert_int_equal(store_case_set_status(s, 9, STORE_CASE_CLOSED, 2), 0);
	assert_int_equal(store_report_set_challenged(s, 5, false), 0);
	assert_int_equal(challengeable(s, "203.0.113.5", KEY_A).n, 0);
	store_close(s);
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
		cmocka_unit_test_setup_teardown(test_cases, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_case_messages, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_deputies_and_sessions, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_case_transaction, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_subject_keys, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_case_find_open_for_reports, setup_sqlite,
						teardown),
		cmocka_unit_test_setup_teardown(test_case_covers_several_reports, setup_sqlite,
						teardown),
		cmocka_unit_test(test_migration_from_version_6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
