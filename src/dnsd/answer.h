/* SPDX-License-Identifier: BSD-2-Clause */
/* The query -> answer function of the DNS component (RFC 1035, RFC 2308, RFC 5782,
 * RFC 6891): one query packet and the current snapshot in, one answer packet out. Pure: no
 * I/O, no allocation, no clock; the same function serves UDP and TCP, and the fuzz target. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/wire.h"
#include "zone/snapshot.h"

#define DNSD_NS_MAX 8
#define DNSD_TXT_MAX 4000u /* bytes of TXT text after '$' expansion; longer is cut */

/* A name to write in answers. A name inside the zone is kept as its labels below the apex
 * and written with a compression pointer to the apex in the question (RFC 1035 §4.1.4). */
typedef struct {
	uint8_t wire[DNS_NAME_MAX]; /* labels; with to_apex, without the apex and the root */
	uint16_t len;
	bool to_apex; /* followed by a pointer to the apex */
} dnsd_name_t;

/* The zone's fixed answer data, from the configuration. Immutable once initialised. */
typedef struct {
	uint8_t apex[DNS_NAME_MAX]; /* lower-case wire form */
	uint16_t apex_len;
	uint8_t apex_labels;

	uint32_t ttl_s;		 /* A, TXT, SOA and NS answers */
	uint32_t negative_ttl_s; /* SOA MINIMUM and the SOA TTL in negative answers */
	uint32_t refresh_s, retry_s, expire_s;

	dnsd_name_t soa_mname;
	dnsd_name_t soa_rname;
	dnsd_name_t ns[DNSD_NS_MAX];
	unsigned n_ns;

	uint16_t edns_udp_size; /* our largest UDP answer when the client sends OPT */

	char txt[DNSD_TXT_MAX]; /* the [dns] txt template, for the test points */
	zone_value_t testpoint; /* A 127.0.0.2 with txt */
} dnsd_zone_t;

/* Settings in presentation form, as read from the config. */
typedef struct {
	const char *zone;
	const char *txt;
	const char *const *ns; /* n_ns names; none: "ns.<zone>" */
	unsigned n_ns;
	const char *soa_mname; /* NULL: the first NS */
	const char *soa_rname; /* NULL: "hostmaster.<zone>" */
	uint32_t ttl_s, negative_ttl_s, refresh_s, retry_s, expire_s;
	uint16_t edns_udp_size;
} dnsd_zone_params_t;

/* Fill z from p. Returns 0, or IPBL_EINVAL with a message in err (what is wrong). */
int dnsd_zone_init(dnsd_zone_t *z, const dnsd_zone_params_t *p, char *err, size_t err_len);

/* What an answer was, for statistics. */
typedef struct {
	uint8_t rcode;	/* DNS_RCODE_* (BADVERS = 16) */
	uint16_t qtype; /* 0 when the question did not parse */
	bool dropped;	/* no answer at all */
	bool truncated; /* TC=1 */
} dnsd_answer_info_t;

/* Answer the query pkt[0..len) from snap (NULL = no data loaded: only the test points) into
 * out[0..out_cap). over_tcp lifts the UDP size limit. Returns the answer's length, or 0 when
 * the packet gets no answer. out_cap must be at least DNS_UDP_MIN; answers that do not fit
 * the limit are truncated (TC=1). Any thread; snap is read under the caller's RCU lock or
 * reference. */
size_t dnsd_answer(const dnsd_zone_t *z, const zone_snapshot_t *snap, const uint8_t *pkt,
		   size_t len, uint8_t *out, size_t out_cap, bool over_tcp,
		   dnsd_answer_info_t *info);
