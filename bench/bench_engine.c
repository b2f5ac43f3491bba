/* SPDX-License-Identifier: BSD-2-Clause */
/* Writes per second through the listing engine on a real SQLite store, in-process, on one
 * core (issue #3). Three phases on one fresh store in DIR:
 *   reports: N spam reports (engine_report) from R reporters over about N/2 public IPv4
 *            addresses drawn at random, so most addresses get two or more reports from
 *            different reporters and are listed;
 *   traps:   T spamtrap hits (engine_trap_hit) over about T/2 other addresses (the first
 *            hit lists an address);
 *   expiry:  the manual clock jumps 8 days and engine_expire_due delists everything in
 *            batches of 2000, as the daemon's timer does.
 * The clock is a manual one (DIR/clock) moved 1 ms per write (100 ms every 100 writes), so
 * the reports spread over time as in real use and the expiry phase needs no waiting. Each write
 * carries a 600-byte evidence text, about what a redacted header block with its hops takes.
 *
 * Prints one JSON line: per phase the count, wall seconds, rate overall and over the second
 * half (the sustained rate, once the tables and the WAL have grown), CPU seconds of this
 * thread, and per-write latency p50/p99/max in microseconds.
 * Usage: bench_engine -d DIR [-n REPORTS] [-t TRAPS] [-r REPORTERS] [-E] (-E: skip expiry) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/ipaddr.h"
#include "store/store.h"

#define LOG_TAG "bench"
#include "lib/log.h"

#define EXPIRE_BATCH 2000 /* as the daemon (engine/follow.c) */
#define EVIDENCE_LEN 600
#define CLOCK_STEP 100

typedef struct {
	const char *dir;
	size_t n_reports;
	size_t n_traps;
	size_t n_reporters;
	bool expiry;
} options_t;

typedef struct {
	const char *name;
	size_t n;	/* writes done */
	size_t errors;	/* writes that failed */
	size_t listed;	/* writes that listed their address */
	double wall_s;	/* whole phase */
	double half_s;	/* second half of the writes */
	double cpu_s;	/* this thread's CPU time */
	double *lat_us; /* per write */
} phase_t;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: separates our own work from time lost to other jobs on a shared
 * machine (and from waiting on the disk, which CPU time does not count). */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A public IPv4 address for index k: spread over the whole space (as spam sources are), so
 * the store's text-keyed indexes see random inserts, not an append-only run. */
static void public_ip(uint64_t k, uint32_t salt, ipbl_ipaddr_t *out)
{
	uint32_t v = (uint32_t)((k + salt) * 2654435761u);
	for (;;) {
		ipbl_ipaddr_from_v4(v, out);
		if (!ipbl_ipaddr_is_reserved(out)) {
			return;
		}
		v = v * 1664525u + 1013904223u;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *sorted, size_t n, double p)
{
	if (n == 0) {
		return 0;
	}
	size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return sorted[i < n ? i : n - 1];
}

static void print_phase(const phase_t *p, bool last)
{
	qsort(p->lat_us, p->n, sizeof(double), cmp_double);
	size_t half = p->n - p->n / 2;
	printf("\"%s\":{\"n\":%zu,\"errors\":%zu,\"listed\":%zu,\"wall_s\":%.3f,"
	       "\"per_s\":%.0f,\"per_s_last_half\":%.0f,\"cpu_s\":%.3f,\"per_cpu_s\":%.0f,"
	       "\"lat_us\":{\"p50\":%.0f,\"p99\":%.0f,\"max\":%.0f}}%s",
	       p->name, p->n, p->errors, p->listed, p->wall_s, p->wall_s > 0 ? p->n / p->wall_s : 0,
	       p->half_s > 0 ? half / p->half_s : 0, p->cpu_s, p->cpu_s > 0 ? p->n / p->cpu_s : 0,
	       pct(p->lat_us, p->n, 50), pct(p->lat_us, p->n, 99), pct(p->lat_us, p->n, 100),
	       last ? "" : ",");
}

static void fill_evidence(char *buf, size_t len)
{
	static const char chunk[] = "{\"hop\":1,\"from\":\"mail.example.net\",\"by\":\"mx.example."
				    "org\",\"ip\":\"192.0.2.1\"},";
	size_t n = 0;
	buf[n++] = '[';
	while (n + sizeof(chunk) + 2 < len) {
		memcpy(buf + n, chunk, sizeof(chunk) - 1);
		n += sizeof(chunk) - 1;
	}
	buf[n - 1] = ']';
	buf[n] = '\0';
}

/* One write of a phase: i is its index; returns the engine's result code. */
typedef int (*write_fn)(engine_t *e, size_t i, const options_t *o, engine_result_t *r);

static char evidence[EVIDENCE_LEN];

static int write_report(engine_t *e, size_t i, const options_t *o, engine_result_t *r)
{
	char name[32], digest[ENGINE_DIGEST_LEN];
	snprintf(name, sizeof(name), "reporter%zu", (size_t)(rng() % o->n_reporters));
	engine_digest("bench:", &i, sizeof(i), digest);
	engine_report_t in = { .reporter = name, .digest = digest, .evidence = evidence };
	public_ip(rng() % (o->n_reports / 2 + 1), 0, &in.ip);
	return engine_report(e, &in, r);
}

static int write_trap(engine_t *e, size_t i, const options_t *o, engine_result_t *r)
{
	char digest[ENGINE_DIGEST_LEN];
	engine_digest("benchtrap:", &i, sizeof(i), digest);
	engine_trap_hit_t in = {
		.trap_address = "trap@example.org",
		.helo = "spammer.example.net",
		.digest = digest,
	};
	/* a salt of 2^31 keeps the trap addresses apart from the reported ones */
	public_ip(rng() % (o->n_traps / 2 + 1), 0x80000000u, &in.ip);
	return engine_trap_hit(e, &in, r);
}

static void run_phase(engine_t *e, ipbl_clock_t *clock, phase_t *p, size_t n, write_fn fn,
		      const options_t *o)
{
	p->lat_us = calloc(n ? n : 1, sizeof(double));
	if (p->lat_us == NULL) {
		fprintf(stderr, "bench_engine: out of memory\n");
		exit(1);
	}
	double t0 = mono_s(), c0 = cpu_s(), t_half = t0;
	for (size_t i = 0; i < n; i++) {
		if (i == n / 2) {
			t_half = mono_s();
		}
		/* 1 ms a write, moved every CLOCK_STEP writes: each move is an msync of the
		 * shared clock file, which must not weigh on the engine's figures */
		if (i % CLOCK_STEP == 0 && ipbl_clock_advance_ms(clock, CLOCK_STEP) != 0) {
			p->errors++;
		}
		engine_result_t r;
		double a = mono_s();
		int ret = fn(e, i, o, &r);
		p->lat_us[p->n++] = (mono_s() - a) * 1e6;
		if (ret != 0) {
			if (p->errors++ < 5) {
				fprintf(stderr, "bench_engine: %s %zu: %s: %s\n", p->name, i,
					ipbl_strerror(ret), store_errmsg(engine_store(e)));
			}
		} else if (r.decision.listed && !r.was_listed) {
			p->listed++;
		}
	}
	double t1 = mono_s();
	p->wall_s = t1 - t0;
	p->half_s = t1 - t_half;
	p->cpu_s = cpu_s() - c0;
}

/* Delist everything: the clock jumps past every listing's end, then batches as the daemon
 * runs them; the latency figures are per batch (the time the daemon's tick holds its
 * thread and the store's write lock). */
static void run_expiry(engine_t *e, ipbl_clock_t *clock, phase_t *p)
{
	size_t cap = 1024;
	p->lat_us = calloc(cap, sizeof(double));
	if (p->lat_us == NULL || ipbl_clock_advance_ms(clock, 8LL * 86400 * 1000) != 0) {
		fprintf(stderr, "bench_engine: cannot start the expiry phase\n");
		exit(1);
	}
	double t0 = mono_s(), c0 = cpu_s();
	size_t batches = 0;
	bool more = true;
	while (more) {
		size_t done = 0;
		double a = mono_s();
		int ret = engine_expire_due(e, EXPIRE_BATCH, &done, &more);
		if (ret != 0) {
			fprintf(stderr, "bench_engine: expiry: %s: %s\n", ipbl_strerror(ret),
				store_errmsg(engine_store(e)));
			p->errors++;
			break;
		}
		if (batches == cap) {
			cap *= 2;
			double *bigger = realloc(p->lat_us, cap * sizeof(double));
			if (bigger == NULL) {
				break;
			}
			p->lat_us = bigger;
		}
		p->lat_us[batches++] = (mono_s() - a) * 1e6;
		p->listed += done; /* here: how many were delisted */
	}
	p->wall_s = mono_s() - t0;
	p->half_s = 0;
	p->cpu_s = cpu_s() - c0;
	/* rates are per delisting; the latency array holds batches */
	size_t delisted = p->listed;
	p->n = batches;
	qsort(p->lat_us, batches, sizeof(double), cmp_double);
	printf("\"expiry\":{\"delisted\":%zu,\"batches\":%zu,\"batch_size\":%d,\"errors\":%zu,"
	       "\"wall_s\":%.3f,\"per_s\":%.0f,\"cpu_s\":%.3f,\"per_cpu_s\":%.0f,"
	       "\"batch_ms\":{\"p50\":%.1f,\"max\":%.1f}}",
	       delisted, batches, EXPIRE_BATCH, p->errors, p->wall_s,
	       p->wall_s > 0 ? delisted / p->wall_s : 0, p->cpu_s,
	       p->cpu_s > 0 ? delisted / p->cpu_s : 0, pct(p->lat_us, batches, 50) / 1000,
	       pct(p->lat_us, batches, 100) / 1000);
}

static int add_reporters(store_t *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		store_reporter_t r = { .created_ms = 1 };
		char key[64];
		snprintf(r.name, sizeof(r.name), "reporter%zu", i);
		snprintf(key, sizeof(key), "bench-key-%zu", i);
		engine_api_key_hash(key, r.api_key_hash);
		int ret = store_reporter_add(st, &r);
		if (ret != 0) {
			fprintf(stderr, "bench_engine: reporter %s: %s: %s\n", r.name,
				ipbl_strerror(ret), store_errmsg(st));
			return ret;
		}
	}
	return 0;
}

static int parse_args(int argc, char **argv, options_t *o)
{
	*o = (options_t){ .n_reports = 50000, .n_traps = 20000, .n_reporters = 8, .expiry = true };
	int ch;
	while ((ch = getopt(argc, argv, "d:n:t:r:E")) != -1) {
		switch (ch) {
		case 'd':
			o->dir = optarg;
			break;
		case 'n':
			o->n_reports = strtoul(optarg, NULL, 10);
			break;
		case 't':
			o->n_traps = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o->n_reporters = strtoul(optarg, NULL, 10);
			break;
		case 'E':
			o->expiry = false;
			break;
		default:
			return 2;
		}
	}
	if (o->dir == NULL || o->n_reporters < 2) {
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	options_t o;
	if (parse_args(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: bench_engine -d DIR [-n REPORTS] [-t TRAPS] "
				"[-r REPORTERS (>= 2)] [-E]\n"
				"  DIR must not hold a store yet (DIR/bench.sqlite is created)\n");
		return 2;
	}
	ipbl_log_set_level(IPBL_LOG_WARNING);
	char path[4096], err[512];
	snprintf(path, sizeof(path), "%s/clock", o.dir);
	ipbl_clock_t *clock = NULL;
	if (ipbl_clock_manual_open(path, &clock) != 0) {
		fprintf(stderr, "bench_engine: cannot open the clock %s\n", path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/bench.sqlite", o.dir);
	store_t *st = NULL;
	if (store_open("sqlite", path, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_engine: %s\n", err);
		return 1;
	}
	static const char conf_text[] = "[policy]\n"; /* the default rules */
	ipbl_conf_t *conf = NULL;
	engine_t *e = NULL;
	if (ipbl_conf_parse("bench.conf", conf_text, sizeof(conf_text) - 1, &conf, err,
			    sizeof(err)) != 0 ||
	    engine_new(conf, st, clock, &e, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_engine: %s\n", err);
		return 1;
	}
	if (add_reporters(st, o.n_reporters) != 0) {
		return 1;
	}
	fill_evidence(evidence, sizeof(evidence));

	phase_t reports = { .name = "reports" }, traps = { .name = "traps" };
	phase_t expiry = { .name = "expiry" };
	run_phase(e, clock, &reports, o.n_reports, write_report, &o);
	run_phase(e, clock, &traps, o.n_traps, write_trap, &o);
	size_t listed_now = 0;
	if (store_listings_count(st, &listed_now) != 0) {
		listed_now = 0;
	}
	printf("{\"reporters\":%zu,\"evidence_bytes\":%zu,\"listed_before_expiry\":%zu,",
	       o.n_reporters, strlen(evidence), listed_now);
	print_phase(&reports, false);
	print_phase(&traps, !o.expiry);
	if (o.expiry) {
		run_expiry(e, clock, &expiry);
	}
	printf("}\n");
	size_t failed = reports.errors + traps.errors + expiry.errors;
	free(reports.lat_us);
	free(traps.lat_us);
	free(expiry.lat_us);
	engine_free(e);
	ipbl_conf_free(conf);
	store_close(st);
	ipbl_clock_free(clock);
	return failed == 0 ? 0 : 1;
}
