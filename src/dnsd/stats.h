/* SPDX-License-Identifier: BSD-2-Clause */
/* Per-worker answer counters. Each worker writes only its own block (no shared atomics on the
 * hot path: relaxed load + store by the one writer); the control thread sums them on demand. */
#pragma once

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/wire.h"
#include "dnsd/answer.h"
#include "lib/buf.h"

enum dnsd_qtype_bucket {
	DNSD_QT_A,
	DNSD_QT_TXT,
	DNSD_QT_ANY,
	DNSD_QT_SOA,
	DNSD_QT_NS,
	DNSD_QT_AAAA,
	DNSD_QT_OTHER,
	DNSD_QT_COUNT,
};

typedef struct {
	_Alignas(64) atomic_uint_fast64_t queries;
	atomic_uint_fast64_t rcode[DNS_RCODE_COUNT];
	atomic_uint_fast64_t qtype[DNSD_QT_COUNT];
	atomic_uint_fast64_t truncated;
	atomic_uint_fast64_t dropped;
	atomic_uint_fast64_t tcp;
} dnsd_stats_t;

/* Sums, read by the control thread. */
typedef struct {
	uint64_t queries;
	uint64_t rcode[DNS_RCODE_COUNT];
	uint64_t qtype[DNSD_QT_COUNT];
	uint64_t truncated;
	uint64_t dropped;
	uint64_t tcp;
} dnsd_stats_totals_t;

/* Count one answered (or dropped) query. Only the owning thread calls this. */
void dnsd_stats_count(dnsd_stats_t *s, const dnsd_answer_info_t *info, bool over_tcp);

/* Add the n blocks in per[] into *out (zeroed first). Any thread. */
void dnsd_stats_sum(const dnsd_stats_t *per, size_t n, dnsd_stats_totals_t *out);

/* The totals as Prometheus text (with HELP and TYPE lines) into b. */
void dnsd_stats_prometheus(const dnsd_stats_totals_t *t, ipbl_buf_t *b);

/* "queries=N noerror=N ..." into b. */
void dnsd_stats_format(const dnsd_stats_totals_t *t, ipbl_buf_t *b);
