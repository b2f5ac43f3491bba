/* SPDX-License-Identifier: BSD-2-Clause */
/* Answer counters. */
#include "dnsd/stats.h"

#include <string.h>

static void bump(atomic_uint_fast64_t *c)
{
	/* single writer: a plain increment, kept atomic only so readers never tear */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static enum dnsd_qtype_bucket bucket(uint16_t qtype)
{
	switch (qtype) {
	case DNS_TYPE_A:
		return DNSD_QT_A;
	case DNS_TYPE_TXT:
		return DNSD_QT_TXT;
	case DNS_TYPE_ANY:
		return DNSD_QT_ANY;
	case DNS_TYPE_SOA:
		return DNSD_QT_SOA;
	case DNS_TYPE_NS:
		return DNSD_QT_NS;
	case DNS_TYPE_AAAA:
		return DNSD_QT_AAAA;
	default:
		return DNSD_QT_OTHER;
	}
}

void dnsd_stats_count(dnsd_stats_t *s, const dnsd_answer_info_t *info, bool over_tcp)
{
	bump(&s->queries);
	if (over_tcp) {
		bump(&s->tcp);
	}
	if (info->dropped) {
		bump(&s->dropped);
		return;
	}
	bump(&s->rcode[info->rcode < DNS_RCODE_COUNT ? info->rcode : DNS_RCODE_SERVFAIL]);
	bump(&s->qtype[bucket(info->qtype)]);
	if (info->truncated) {
		bump(&s->truncated);
	}
}

void dnsd_stats_sum(const dnsd_stats_t *per, size_t n, dnsd_stats_totals_t *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const dnsd_stats_t *s = &per[i];
		out->queries += atomic_load_explicit(&s->queries, memory_order_relaxed);
		for (size_t r = 0; r < DNS_RCODE_COUNT; r++) {
			out->rcode[r] += atomic_load_explicit(&s->rcode[r], memory_order_relaxed);
		}
		for (size_t q = 0; q < DNSD_QT_COUNT; q++) {
			out->qtype[q] += atomic_load_explicit(&s->qtype[q], memory_order_relaxed);
		}
		out->truncated += atomic_load_explicit(&s->truncated, memory_order_relaxed);
		out->dropped += atomic_load_explicit(&s->dropped, memory_order_relaxed);
		out->tcp += atomic_load_explicit(&s->tcp, memory_order_relaxed);
	}
}

void dnsd_stats_format(const dnsd_stats_totals_t *t, ipbl_buf_t *b)
{
	ipbl_buf_printf(
		b,
		"queries=%llu noerror=%llu formerr=%llu servfail=%llu nxdomain=%llu "
		"notimp=%llu refused=%llu badvers=%llu truncated=%llu dropped=%llu tcp=%llu "
		"a=%llu txt=%llu any=%llu soa=%llu ns=%llu aaaa=%llu other=%llu",
		(unsigned long long)t->queries, (unsigned long long)t->rcode[DNS_RCODE_NOERROR],
		(unsigned long long)t->rcode[DNS_RCODE_FORMERR],
		(unsigned long long)t->rcode[DNS_RCODE_SERVFAIL],
		(unsigned long long)t->rcode[DNS_RCODE_NXDOMAIN],
		(unsigned long long)t->rcode[DNS_RCODE_NOTIMP],
		(unsigned long long)t->rcode[DNS_RCODE_REFUSED],
		(unsigned long long)t->rcode[DNS_RCODE_BADVERS], (unsigned long long)t->truncated,
		(unsigned long long)t->dropped, (unsigned long long)t->tcp,
		(unsigned long long)t->qtype[DNSD_QT_A], (unsigned long long)t->qtype[DNSD_QT_TXT],
		(unsigned long long)t->qtype[DNSD_QT_ANY],
		(unsigned long long)t->qtype[DNSD_QT_SOA], (unsigned long long)t->qtype[DNSD_QT_NS],
		(unsigned long long)t->qtype[DNSD_QT_AAAA],
		(unsigned long long)t->qtype[DNSD_QT_OTHER]);
}

void dnsd_stats_prometheus(const dnsd_stats_totals_t *t, ipbl_buf_t *b)
{
	static const struct {
		int rcode;
		const char *name;
	} rcodes[] = {
		{ DNS_RCODE_NOERROR, "NOERROR" },   { DNS_RCODE_FORMERR, "FORMERR" },
		{ DNS_RCODE_SERVFAIL, "SERVFAIL" }, { DNS_RCODE_NXDOMAIN, "NXDOMAIN" },
		{ DNS_RCODE_NOTIMP, "NOTIMP" },	    { DNS_RCODE_REFUSED, "REFUSED" },
		{ DNS_RCODE_BADVERS, "BADVERS" },
	};
	static const char *const qtypes[DNSD_QT_COUNT] = {
		[DNSD_QT_A] = "A",	   [DNSD_QT_TXT] = "TXT", [DNSD_QT_ANY] = "ANY",
		[DNSD_QT_SOA] = "SOA",	   [DNSD_QT_NS] = "NS",	  [DNSD_QT_AAAA] = "AAAA",
		[DNSD_QT_OTHER] = "other",
	};
	ipbl_buf_printf(b, "# HELP ipbl_dns_queries_total DNS queries answered, by response code.\n"
			   "# TYPE ipbl_dns_queries_total counter\n");
	for (size_t i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++) {
		ipbl_buf_printf(b, "ipbl_dns_queries_total{rcode=\"%s\"} %llu\n", rcodes[i].name,
				(unsigned long long)t->rcode[rcodes[i].rcode]);
	}
	ipbl_buf_printf(b, "# HELP ipbl_dns_queries_by_type_total DNS queries, by query type.\n"
			   "# TYPE ipbl_dns_queries_by_type_total counter\n");
	for (size_t i = 0; i < DNSD_QT_COUNT; i++) {
		ipbl_buf_printf(b, "ipbl_dns_queries_by_type_total{qtype=\"%s\"} %llu\n", qtypes[i],
				(unsigned long long)t->qtype[i]);
	}
	ipbl_buf_printf(b,
			"# HELP ipbl_dns_truncated_total UDP answers sent truncated (TC=1).\n"
			"# TYPE ipbl_dns_truncated_total counter\n"
			"ipbl_dns_truncated_total %llu\n"
			"# HELP ipbl_dns_dropped_total Packets dropped without an answer.\n"
			"# TYPE ipbl_dns_dropped_total counter\n"
			"ipbl_dns_dropped_total %llu\n"
			"# HELP ipbl_dns_tcp_queries_total Queries over TCP.\n"
			"# TYPE ipbl_dns_tcp_queries_total counter\n"
			"ipbl_dns_tcp_queries_total %llu\n",
			(unsigned long long)t->truncated, (unsigned long long)t->dropped,
			(unsigned long long)t->tcp);
}
