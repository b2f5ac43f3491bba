/* SPDX-License-Identifier: BSD-2-Clause */
/* The Received-chain walk and the trusted relay list. */
#include "mail/walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/err.h"

static bool valid_name(ipbl_str_t s)
{
	if (s.len == 0 || s.len > 253) {
		return false;
	}
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
		if (!ok) {
			return false;
		}
	}
	return true;
}

int mail_walk_trusted_parse(const char *list, mail_trusted_t *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (list == NULL || list[0] == '\0') {
		return 0;
	}
	size_t cap = 1;
	for (const char *p = list; *p; p++) {
		cap += *p == ',';
	}
	int ret = IPBL_ENOMEM;
	out->prefixes = calloc(cap, sizeof(*out->prefixes));
	out->names = calloc(cap, sizeof(*out->names));
	if (out->prefixes == NULL || out->names == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ipbl_str_t rest = ipbl_str(list);
	while (rest.ptr != NULL) {
		ipbl_str_t item;
		rest = ipbl_str_split(rest, ',', &item);
		item = ipbl_str_trim(item);
		if (item.len == 0) {
			continue;
		}
		ipbl_prefix_t p;
		if (ipbl_prefix_parse(item, true, &p) == 0) {
			if (p.addr.family == IPBL_AF_V6 && p.len >= 96) {
				ipbl_ipaddr_t a = p.addr;
				if (ipbl_ipaddr_unmap(&a)) {
					p.addr = a;
					p.len = (uint8_t)(p.len - 96);
				}
			}
			out->prefixes[out->n_prefixes++] = p;
			continue;
		}
		if (!valid_name(item) || memchr(item.ptr, '/', item.len) != NULL) {
			snprintf(err, errlen,
				 "trusted entry '%.*s' is neither an IP, a CIDR nor a host name",
				 (int)(item.len > 100 ? 100 : item.len), item.ptr);
			ret = IPBL_EPARSE;
			goto fail;
		}
		char *name = strndup(item.ptr, item.len);
		if (name == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		out->names[out->n_names++] = name;
	}
	return 0;
fail:
	mail_walk_trusted_fini(out);
	return ret;
}

void mail_walk_trusted_fini(mail_trusted_t *t)
{
	for (size_t i = 0; i < t->n_names; i++) {
		free(t->names[i]);
	}
	free(t->names);
	free(t->prefixes);
	memset(t, 0, sizeof(*t));
}

bool mail_walk_is_trusted(const mail_trusted_t *t, const ipbl_ipaddr_t *a)
{
	ipbl_ipaddr_t x = *a;
	ipbl_ipaddr_unmap(&x);
	for (size_t i = 0; i < t->n_prefixes; i++) {
		if (ipbl_prefix_contains(&t->prefixes[i], &x)) {
			return true;
		}
	}
	return false;
}

/* Host names compare without case and without a trailing dot. */
static bool same_host(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	la -= la > 0 && a[la - 1] == '.';
	lb -= lb > 0 && b[lb - 1] == '.';
	return la == lb && la > 0 && strncasecmp(a, b, la) == 0;
}

bool mail_walk_is_trusted_hop(const mail_trusted_t *t, const mail_received_hop_t *h)
{
	if (!h->has_peer) {
		return false;
	}
	if (mail_walk_is_trusted(t, &h->peer)) {
		return true;
	}
	if (!h->rdns_verified || h->rdns[0] == '\0') {
		return false;
	}
	for (size_t i = 0; i < t->n_names; i++) {
		if (same_host(t->names[i], h->rdns)) {
			return true;
		}
	}
	return false;
}

static bool is_internal(enum ipbl_ipaddr_kind k)
{
	return k == IPBL_IP_UNSPECIFIED || k == IPBL_IP_LOOPBACK || k == IPBL_IP_PRIVATE ||
	       k == IPBL_IP_SHARED || k == IPBL_IP_LINK_LOCAL;
}

void mail_walk_run(const mail_received_hop_t *hops, size_t n, const mail_trusted_t *t,
		   enum mail_walk_verdict *verdicts, mail_walk_result_t *out)
{
	memset(out, 0, sizeof(*out));
	size_t n_trusted = 0, n_internal = 0, n_nopeer = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		enum mail_walk_verdict v;
		const mail_received_hop_t *h = &hops[i];
		if (!h->has_peer) {
			v = MAIL_HOP_NO_PEER;
			n_nopeer++;
		} else if (mail_walk_is_trusted_hop(t, h)) {
			v = MAIL_HOP_TRUSTED;
			n_trusted++;
		} else if (is_internal(ipbl_ipaddr_kind(&h->peer))) {
			v = MAIL_HOP_INTERNAL;
			n_internal++;
		} else if (ipbl_ipaddr_is_reserved(&h->peer)) {
			v = MAIL_HOP_REFUSED;
		} else {
			v = MAIL_HOP_SOURCE;
		}
		if (verdicts) {
			verdicts[i] = v;
		}
		char ip[IPBL_IPADDR_STRLEN];
		if (v == MAIL_HOP_SOURCE) {
			out->found = true;
			out->source = h->peer;
			out->source_index = i;
			snprintf(out->reason, sizeof(out->reason),
				 "Received field %zu: first untrusted peer %s%s", i + 1,
				 ipbl_ipaddr_format(&h->peer, ip),
				 h->auth ? " (authenticated submission)" : "");
			break;
		}
		if (v == MAIL_HOP_REFUSED) {
			out->source_index = i;
			snprintf(out->reason, sizeof(out->reason),
				 "Received field %zu: untrusted peer %s is a %s address, never a "
				 "source",
				 i + 1, ipbl_ipaddr_format(&h->peer, ip),
				 ipbl_ipaddr_kind_name(ipbl_ipaddr_kind(&h->peer)));
			break;
		}
	}
	if (i < n) {
		for (size_t k = i + 1; k < n && verdicts; k++) {
			verdicts[k] = MAIL_HOP_NOT_REACHED;
		}
		return;
	}
	if (n == 0) {
		snprintf(out->reason, sizeof(out->reason), "no Received fields");
		return;
	}
	snprintf(out->reason, sizeof(out->reason),
		 "no untrusted peer in %zu Received fields (%zu trusted, %zu internal, %zu without "
		 "a "
		 "peer address)",
		 n, n_trusted, n_internal, n_nopeer);
}

const char *mail_walk_verdict_name(enum mail_walk_verdict v)
{
	switch (v) {
	case MAIL_HOP_NO_PEER:
		return "no-peer";
	case MAIL_HOP_TRUSTED:
		return "trusted";
	case MAIL_HOP_INTERNAL:
		return "internal";
	case MAIL_HOP_SOURCE:
		return "source";
	case MAIL_HOP_REFUSED:
		return "reserved";
	case MAIL_HOP_NOT_REACHED:
		return "not-reached";
	}
	return "?";
}
