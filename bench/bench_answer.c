/* SPDX-License-Identifier: BSD-2-Clause */
/* Micro-benchmark of the query -> answer path (dnsd_answer) on a 1M-address snapshot:
 * prints nanoseconds per answer; under callgrind (bench/answer_cost.sh) the difference
 * between two counts gives instructions per answer, a figure a noisy machine cannot move. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnsd/answer.h"
#include "zone/builder.h"

#define N_HOSTS 1000000u
#define N_RANGES 10000u
#define N_QUERIES 4096u

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static zone_snapshot_t *build(uint32_t *listed, size_t n_listed)
{
	zone_builder_t *b = zone_builder_new();
	uint32_t v = 0;
	if (b == NULL || zone_builder_value(b, 0x7f000002, "Listed - see $", 14, &v) != 0) {
		exit(1);
	}
	for (size_t i = 0; i < N_HOSTS; i++) {
		uint32_t ip = rng() | 0x01000000u;
		if (i < n_listed) {
			listed[i] = ip;
		}
		if (zone_builder_add_ip4(b, ip, ip, 32, v) != 0) {
			exit(1);
		}
	}
	for (size_t i = 0; i < N_RANGES; i++) {
		uint32_t ip = rng() & 0xffffff00u;
		if (zone_builder_add_ip4(b, ip, ip | 0xff, 24, v) != 0) {
			exit(1);
		}
	}
	zone_snapshot_t *s = NULL;
	if (zone_builder_finish(b, 1, &s) != 0) {
		exit(1);
	}
	zone_builder_free(b);
	return s;
}

/* A query for ip (reversed octets) with the given type. */
static size_t make_query(uint8_t *p, uint32_t ip, uint16_t qtype)
{
	memset(p, 0, 12);
	p[1] = 7;
	p[2] = 1; /* RD */
	p[5] = 1;
	size_t n = 12;
	for (int i = 0; i < 4; i++) {
		char label[4];
		int l = snprintf(label, sizeof(label), "%u", (ip >> (8 * i)) & 255);
		p[n++] = (uint8_t)l;
		memcpy(p + n, label, (size_t)l);
		n += (size_t)l;
	}
	static const uint8_t apex[] = "\002bl\007example\003org"; /* + its NUL: the root */
	memcpy(p + n, apex, sizeof(apex));
	n += sizeof(apex);
	p[n++] = (uint8_t)(qtype >> 8);
	p[n++] = (uint8_t)qtype;
	p[n++] = 0;
	p[n++] = 1;
	return n;
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	dnsd_zone_params_t p = {
		.zone = "bl.example.org",
		.txt = "Blocked - see http://127.0.0.1:8080/lookup?ip=$",
		.ttl_s = 600,
		.negative_ttl_s = 60,
		.refresh_s = 3600,
		.retry_s = 600,
		.expire_s = 604800,
		.edns_udp_size = 1232,
	};
	static dnsd_zone_t zone;
	char err[128];
	if (dnsd_zone_init(&zone, &p, err, sizeof(err)) != 0) {
		return 1;
	}
	static uint32_t listed[N_QUERIES];
	zone_snapshot_t *snap = build(listed, N_QUERIES);
	static uint8_t queries[N_QUERIES][64];
	static size_t qlen[N_QUERIES];
	for (size_t i = 0; i < N_QUERIES; i++) {
		/* half listed A, half random (nearly all NXDOMAIN) */
		uint32_t ip = (i % 2 == 0) ? listed[i] : (rng() | 0x01000000u);
		qlen[i] = make_query(queries[i], ip, 1);
	}
	uint8_t out[1232];
	dnsd_answer_info_t info;
	size_t sink = 0;
	unsigned long rcodes[DNS_RCODE_COUNT] = { 0 };
	struct timespec t0;
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long r = 0; r < rounds; r++) {
		size_t i = r % N_QUERIES;
		sink += dnsd_answer(&zone, snap, queries[i], qlen[i], out, sizeof(out), false,
				    &info);
		rcodes[info.rcode % DNS_RCODE_COUNT]++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	printf("answers=%lu ns_per_answer=%.1f bytes=%zu noerror=%lu nxdomain=%lu other=%lu\n",
	       rounds, rounds ? ns / (double)rounds : 0, sink, rcodes[DNS_RCODE_NOERROR],
	       rcodes[DNS_RCODE_NXDOMAIN],
	       rounds - rcodes[DNS_RCODE_NOERROR] - rcodes[DNS_RCODE_NXDOMAIN]);
	zone_snapshot_unref(snap);
	return 0;
}
