/* SPDX-License-Identifier: BSD-2-Clause */
/* The trap spool on a real temporary directory: write, read back in order, delete on
 * success, keep on a callback's refusal, move corrupt files aside, leave nothing behind on a
 * failed or abandoned write. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "trap/spool.h"

static char base[64];
static char spool[128];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/ipbl-spool-XXXXXX");
	if (mkdtemp(base) == NULL) {
		return -1;
	}
	snprintf(spool, sizeof(spool), "%s/data/spool/trap", base);
	return trap_spool_prepare(spool) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static size_t count_files(const char *sub)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", spool, sub);
	DIR *d = opendir(path);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
	}
	closedir(d);
	return n;
}

static ipbl_ipaddr_t ip(const char *text)
{
	ipbl_ipaddr_t a;
	assert_int_equal(ipbl_ipaddr_parse(ipbl_str(text), &a), 0);
	return a;
}

typedef struct {
	int n;
	int stop_at; /* return 7 on this call (1-based); 0 = never */
	char seen[8][256];
	int64_t times[8];
} seen_t;

static int collect(void *arg, const trap_spooled_t *s)
{
	seen_t *v = arg;
	char peer[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&s->peer, peer);
	if (++v->n == v->stop_at) {
		return 7;
	}
	assert_true(v->n <= 8);
	snprintf(v->seen[v->n - 1], sizeof(v->seen[0]), "%s|%s|%s|%s|%zu", peer, s->helo,
		 s->trap_address, s->mail_from, s->len);
	v->times[v->n - 1] = s->received_ms;
	assert_int_equal(access(s->path, F_OK), 0); /* still there during the call */
	return 0;
}

static void test_write_read(void **state)
{
	(void)state;
	static const char msg[] = "Subject: x\r\n\r\nbody\0with NUL\r\n";
	static const char rcpts[] = "a@trap.example.org\0b@trap.example.org";
	trap_spooled_t s = {
		.peer = ip("45.33.32.156"),
		.helo = "spam.example",
		.mail_from = "",
		.rcpts = rcpts,
		.n_rcpts = 2,
		.received_ms = 1700000000123,
		.msg = msg,
		.len = sizeof(msg) - 1,
		.proxied = true,
		.via = ip("127.0.0.1"),
	};
	char name[64];
	assert_int_equal(trap_spool_write(spool, &s, name, sizeof(name)), 0);
	assert_true(strncmp(name, "1700000000123.", 14) == 0);
	/* an older one written later still comes first */
	trap_spooled_t older = {
		.peer = ip("2001:4860::8888"),
		.helo = "",
		.mail_from = "x@y.example",
		.trap_address = "spam@example.net",
		.received_ms = 1600000000000,
		.msg = "m",
		.len = 1,
	};
	assert_int_equal(trap_spool_write(spool, &older, NULL, 0), 0);
	assert_int_equal(count_files("new"), 2);
	assert_int_equal(count_files("tmp"), 0);

	/* the raw file: the documented format */
	char path[256];
	snprintf(path, sizeof(path), "%s/new/%s", spool, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char raw[1024];
	size_t n = fread(raw, 1, sizeof(raw), f);
	fclose(f);
	static const char head[] = "ipbl-trap 1\npeer: 45.33.32.156\nvia: 127.0.0.1\n"
				   "helo: spam.example\nmail-from: \nrcpt: a@trap.example.org\n"
				   "rcpt: b@trap.example.org\n"
				   "received-ms: 00000001700000000123\n"
				   "size: 00000000000000000029\n\n";
	assert_int_equal(n, sizeof(head) - 1 + sizeof(msg) - 1);
	assert_memory_equal(raw, head, sizeof(head) - 1);
	assert_memory_equal(raw + sizeof(head) - 1, msg, sizeof(msg) - 1);

	/* parse keeps every field */
	trap_spooled_t back;
	char *owned = NULL;
	assert_int_equal(trap_spool_parse(raw, n, &back, &owned), 0);
	assert_int_equal(back.n_rcpts, 2);
	assert_string_equal(back.rcpts, "a@trap.example.org");
	assert_string_equal(back.rcpts + strlen(back.rcpts) + 1, "b@trap.example.org");
	assert_true(back.proxied);
	assert_true(ipbl_ipaddr_eq(&back.via, &s.via));
	assert_int_equal(back.len, sizeof(msg) - 1);
	assert_memory_equal(back.msg, msg, back.len);
	free(owned);

	/* one at a time, oldest first; consumed files are deleted */
	seen_t v = { 0 };
	size_t done = 99;
	assert_int_equal(trap_spool_each(spool, 1, collect, &v, &done), 0);
	assert_int_equal(done, 1);
	assert_string_equal(v.seen[0], "2001:4860::8888||spam@example.net|x@y.example|1");
	assert_int_equal(v.times[0], 1600000000000);
	assert_int_equal(count_files("new"), 1);
	assert_int_equal(trap_spool_each(spool, 0, collect, &v, &done), 0);
	assert_int_equal(done, 1);
	assert_string_equal(v.seen[1], "45.33.32.156|spam.example|a@trap.example.org||29");
	assert_int_equal(count_files("new"), 0);
	assert_int_equal(trap_spool_each(spool, 0, collect, &v, &done), 0);
	assert_int_equal(done, 0);
}

static void test_callback_refuses(void **state)
{
	(void)state;
	trap_spooled_t s = { .peer = ip("45.33.32.156"),
			     .helo = "h",
			     .mail_from = "",
			     .trap_address = "t@trap.example.org",
			     .msg = "x",
			     .len = 1 };
	for (int i = 0; i < 3; i++) {
		s.received_ms = 1000 + i;
		assert_int_equal(trap_spool_write(spool, &s, NULL, 0), 0);
	}
	seen_t v = { .stop_at = 2 };
	size_t done = 0;
	assert_int_equal(trap_spool_each(spool, 0, collect, &v, &done), 7);
	assert_int_equal(done, 1);
	assert_int_equal(count_files("new"), 2); /* the refused one and the one after it */
	v = (seen_t){ 0 };
	assert_int_equal(trap_spool_each(spool, 0, collect, &v, &done), 0);
	assert_int_equal(done, 2);
	assert_int_equal(v.times[0], 1001);
	assert_int_equal(v.times[1], 1002);
}

static void put_file(const char *name, const char *text, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/new/%s", spool, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void test_corrupt_moved_aside(void **state)
{
	(void)state;
	static const char good[] = "ipbl-trap 1\npeer: 45.33.32.156\nrcpt: a@t.example\n"
				   "received-ms: 5\nsize: 2\n\nhi";
	put_file("0000000000001.1.1", "garbage", 7);
	put_file("0000000000002.1.1", good, sizeof(good) - 1);
	seen_t v = { 0 };
	size_t done = 0;
	assert_int_equal(trap_spool_each(spool, 0, collect, &v, &done), 0);
	assert_int_equal(done, 1);
	assert_string_equal(v.seen[0], "45.33.32.156||a@t.example||2");
	assert_int_equal(count_files("new"), 0);
	assert_int_equal(count_files("bad"), 1);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"ipbl-trap 2\npeer: 1.2.3.4\nrcpt: a@b\nreceived-ms: 1\nsize: 0\n\n",
		"ipbl-trap 1\nrcpt: a@b\nreceived-ms: 1\nsize: 0\n\n",	     /* no peer */
		"ipbl-trap 1\npeer: 1.2.3.4\nreceived-ms: 1\nsize: 0\n\n",   /* no rcpt */
		"ipbl-trap 1\npeer: 1.2.3.4\nrcpt: a@b\nsize: 0\n\n",	     /* no time */
		"ipbl-trap 1\npeer: 1.2.3.4\nrcpt: a@b\nreceived-ms: 1\n\n", /* no size */
		"ipbl-trap 1\npeer: 1.2.3.4\nrcpt: a@b\nreceived-ms: 1\nsize: 5\n\nabc", /* short */
		"ipbl-trap 1\npeer: 1.2.3.4\nrcpt: a@b\nreceived-ms: 1\nsize: 1\n\nabc", /* long */
		"ipbl-trap 1\npeer: 1.2.3\nrcpt: a@b\nreceived-ms: 1\nsize: 0\n\n",
		"ipbl-trap 1\npeer: 1.2.3.4\nrcpt: \nreceived-ms: 1\nsize: 0\n\n",
		"ipbl-trap 1\npeer: 1.2.3.4\nrcpt: a@b\nreceived-ms: -1\nsize: 0\n\n",
		"ipbl-trap 1\npeer: 1.2.3.4\nnocolon\nrcpt: a@b\nreceived-ms: 1\nsize: 0\n\n",
		"ipbl-trap 1\npeer: 1.2.3.4\nrcpt: a@b\nreceived-ms: 1\nsize: 0\n", /* no end */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		trap_spooled_t s;
		char *owned = (char *)1;
		int ret = trap_spool_parse(bad[i], strlen(bad[i]), &s, &owned);
		if (ret != IPBL_EFORMAT) {
			fail_msg("case %zu: want EFORMAT, got %d", i, ret);
		}
		assert_null(owned);
	}
	/* unknown keys are ignored (later versions may add lines) */
	static const char ok[] = "ipbl-trap 1\nfuture: x\npeer: 1.2.3.4\nrcpt: a@b\n"
				 "received-ms: 1\nsize: 0\n\n";
	trap_spooled_t s;
	char *owned = NULL;
	assert_int_equal(trap_spool_parse(ok, sizeof(ok) - 1, &s, &owned), 0);
	assert_string_equal(s.helo, "");
	assert_string_equal(s.trap_address, "a@b");
	free(owned);
}

static void test_abort_and_invalid(void **state)
{
	(void)state;
	trap_spooled_t s = { .peer = ip("45.33.32.156"),
			     .helo = "h",
			     .mail_from = "",
			     .trap_address = "t@trap.example.org" };
	trap_spool_file_t *f = NULL;
	assert_int_equal(trap_spool_begin(spool, &s, 1, &f), 0);
	assert_int_equal(trap_spool_append(f, "abc", 3), 0);
	assert_int_equal(count_files("tmp"), 1);
	assert_int_equal(count_files("new"), 0);
	trap_spool_abort(f);
	assert_int_equal(count_files("tmp"), 0);
	assert_int_equal(count_files("new"), 0);

	/* values that would break the format, and no recipient at all */
	s.helo = "evil\nrcpt: x@y";
	assert_int_equal(trap_spool_write(spool, &s, NULL, 0), IPBL_EINVAL);
	s.helo = "h";
	s.trap_address = NULL;
	assert_int_equal(trap_spool_write(spool, &s, NULL, 0), IPBL_EINVAL);
	assert_int_equal(count_files("tmp"), 0);
	assert_int_equal(count_files("new"), 0);
	/* the spool cannot be written: an error, nothing half-done */
	assert_int_equal(trap_spool_write("/nonexistent/ipbl/spool", &s, NULL, 0) < 0, 1);
}

static void test_prepare_removes_stale(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "%s/tmp/0000000000001.99.1", spool);
	int fd = open(path, O_WRONLY | O_CREAT, 0640);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/tmp/0000000000002.99.1", spool);
	fd = open(path, O_WRONLY | O_CREAT, 0640);
	assert_true(fd >= 0);
	close(fd);
	struct timeval old[2] = { { .tv_sec = 1000 }, { .tv_sec = 1000 } };
	assert_int_equal(utimes(path, old), 0);
	assert_int_equal(trap_spool_prepare(spool), 0);
	assert_int_equal(count_files("tmp"), 1); /* the fresh one may belong to a live writer */
	snprintf(path, sizeof(path), "%s/tmp/0000000000001.99.1", spool);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_moved_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_and_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_removes_stale, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
