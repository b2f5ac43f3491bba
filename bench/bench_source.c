/* SPDX-License-Identifier: BSD-2-Clause */
/* Messages per second through the source finder (mail_source_find), in-process, on one core:
 * reads the shared Received-chain corpus (DIR/expected.tsv and DIR/cases/NNN.eml), checks once
 * that every case gives its expected answer, then loops over all cases for about SECONDS
 * (default 3) of CPU time and prints the rate. Exit 1 when a case gives a wrong answer. Usage:
 * bench_source DIR [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/ipaddr.h"
#include "mail/source.h"
#include "mail/walk.h"

#define MAX_CASES 1024

typedef struct {
	char file[256];
	char *data;
	size_t len;
	mail_trusted_t trusted;
	char expected[64]; /* an address, or UNDETERMINED */
} bench_case_t;

/* Seconds of CPU time this thread has used: the rate per core stays right on a machine that
 * other work shares, where wall time would not. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			break;
		}
		cap *= 2;
		char *bigger = realloc(buf, cap);
		if (bigger == NULL) {
			free(buf);
		}
		buf = bigger;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Column col (0-based) of a tab-separated line, copied into out. */
static void column(const char *line, int col, char *out, size_t outlen)
{
	const char *p = line;
	for (int i = 0; i < col && p != NULL; i++) {
		p = strchr(p, '\t');
		p = p ? p + 1 : NULL;
	}
	size_t n = 0;
	if (p != NULL) {
		n = strcspn(p, "\t\r\n");
	}
	if (n >= outlen) {
		n = outlen - 1;
	}
	if (n > 0) {
		memcpy(out, p, n);
	}
	out[n] = '\0';
}

static size_t load_cases(const char *dir, bench_case_t *cases)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/expected.tsv", dir);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "bench_source: cannot open %s\n", path);
		exit(1);
	}
	char line[8192];
	size_t n = 0;
	bool header = true;
	while (fgets(line, sizeof(line), f) != NULL && n < MAX_CASES) {
		if (header) {
			header = false;
			continue;
		}
		bench_case_t *c = &cases[n];
		char trusted[4096], err[256];
		column(line, 1, c->file, sizeof(c->file));
		column(line, 2, trusted, sizeof(trusted));
		column(line, 3, c->expected, sizeof(c->expected));
		if (c->file[0] == '\0') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, c->file);
		c->data = read_file(path, &c->len);
		if (c->data == NULL ||
		    mail_walk_trusted_parse(trusted, &c->trusted, err, sizeof(err)) != 0) {
			fprintf(stderr, "bench_source: %s: cannot load\n", path);
			exit(1);
		}
		n++;
	}
	fclose(f);
	return n;
}

static bool same_answer(const bench_case_t *c, const mail_source_t *s)
{
	if (strcmp(c->expected, "UNDETERMINED") == 0) {
		return !s->result.found;
	}
	ipbl_ipaddr_t want;
	if (!s->result.found || ipbl_ipaddr_parse(ipbl_str(c->expected), &want) != 0) {
		return false;
	}
	ipbl_ipaddr_t got = s->result.source;
	ipbl_ipaddr_unmap(&want);
	ipbl_ipaddr_unmap(&got);
	return ipbl_ipaddr_eq(&want, &got);
}

/* One pass over every case; returns how many gave their expected answer. */
static size_t run_pass(bench_case_t *cases, size_t n)
{
	size_t right = 0;
	for (size_t i = 0; i < n; i++) {
		mail_source_t s;
		char err[256];
		int ret = mail_source_find(cases[i].data, cases[i].len, &cases[i].trusted, &s, err,
					   sizeof(err));
		right += ret == 0 && same_answer(&cases[i], &s);
		mail_source_fini(&s);
	}
	return right;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bench_source CORPUS_DIR [SECONDS]\n");
		return 2;
	}
	double seconds = argc == 3 ? strtod(argv[2], NULL) : 3.0;
	if (!(seconds > 0 && seconds < 600)) {
		seconds = 3.0;
	}
	static bench_case_t cases[MAX_CASES];
	size_t n = load_cases(argv[1], cases);
	if (n == 0) {
		fprintf(stderr, "bench_source: no cases in %s\n", argv[1]);
		return 1;
	}
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++) {
		bytes += cases[i].len;
	}
	size_t right = run_pass(cases, n); /* also warms up GMime */
	size_t messages = 0;
	double start = cpu_s(), elapsed = 0;
	while (elapsed < seconds) {
		run_pass(cases, n);
		messages += n;
		elapsed = cpu_s() - start;
	}
	printf("source finder: %zu corpus messages (mean %zu bytes), %zu/%zu expected answers\n", n,
	       bytes / n, right, n);
	printf("source finder: %.0f messages/s on one core (%zu messages in %.2f s of CPU, %.1f "
	       "us each)\n",
	       (double)messages / elapsed, messages, elapsed, elapsed * 1e6 / (double)messages);
	for (size_t i = 0; i < n; i++) {
		free(cases[i].data);
		mail_walk_trusted_fini(&cases[i].trusted);
	}
	return right == n ? 0 : 1;
}
