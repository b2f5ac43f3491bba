/* SPDX-License-Identifier: BSD-2-Clause */
/* rbldnsd data files (ip4set, ip4trie, ip6trie, ip4tset, ip6tset) into a zone builder, with
 * rbldnsd's syntax: default ":A:TXT" lines, per-entry values, '!' exclusions, ranges,
 * "$n" substitution variables and "$=" base templates, comments. Pure: the caller reads the
 * file; this parses bytes. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "zone/builder.h"

enum zone_rbldnsd_type {
	ZONE_RBLDNSD_AUTO = 0, /* per line: an address with ':' is ip6trie, otherwise ip4set */
	ZONE_RBLDNSD_IP4SET,
	ZONE_RBLDNSD_IP4TRIE,
	ZONE_RBLDNSD_IP4TSET,
	ZONE_RBLDNSD_IP6TRIE,
	ZONE_RBLDNSD_IP6TSET,
};

/* Parse "ip4set", "ip6trie", ... (and "auto"). Returns 0 or IPBL_EINVAL. */
int zone_rbldnsd_type_parse(const char *name, enum zone_rbldnsd_type *out);

/* A [dns] data value: "TYPE:PATH" (TYPE one of the names above) or just "PATH" (auto).
 * Sets *type and returns the path inside spec. */
const char *zone_rbldnsd_spec_parse(const char *spec, enum zone_rbldnsd_type *type);

/* Where and why parsing failed. */
typedef struct {
	unsigned line;	   /* 1-based line number of the offending line, 0 if not line-specific */
	char message[160]; /* what is wrong, e.g. "invalid IPv4 range '1.2.3.4/33'" */
} zone_rbldnsd_error_t;

/* Parse data[0..len) and add its entries to b. Entries without a value of their own and
 * before any ":A:TXT" default line use default_value_id. Returns 0, IPBL_EPARSE (err says
 * where) or IPBL_ENOMEM. On failure b may hold part of the file: discard it. */
int zone_rbldnsd_parse(zone_builder_t *b, enum zone_rbldnsd_type type, const char *data, size_t len,
		       uint32_t default_value_id, zone_rbldnsd_error_t *err) IPBL_MUSTCHECK;
