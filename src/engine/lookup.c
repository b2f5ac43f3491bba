/* SPDX-License-Identifier: BSD-2-Clause */
/* What anyone may see of an address: the lookup (the policy's view now, with the stored
 * listing's history) and its JSON; and the small hashes the engine keys things by. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"

int engine_lookup(engine_t *e, const ipbl_ipaddr_t *ip_in, engine_lookup_t *out)
{
	memset(out, 0, sizeof(*out));
	ipbl_ipaddr_t a = *ip_in;
	ipbl_ipaddr_unmap(&a);
	const ipbl_ipaddr_t *ip = &a;
	out->ip = *ip;
	out->seconds_to_delist = -1;
	store_listing_t l;
	int ret = store_listing_get(e->store, ip, &l);
	if (ret != 0) {
		return ret; /* IPBL_ENOENT: no record at all */
	}
	int64_t now = engine_now_ms(e);
	/* all of it: first_seen is the oldest evidence ever, the policy ignores what is old */
	int64_t week = e->rules.report_max_age_ms;
	e->ev.backscatter_since = now > week ? now - week : 0;
	ret = engine_load_evidence(e, ip, 0);
	e->ev.backscatter_since = 0;
	if (ret == 0) {
		ret = engine_evaluate(e, l.deputy_delisted_ms, now, &out->decision);
	}
	if (ret != 0) {
		return ret;
	}
	const policy_decision_t *d = &out->decision;
	out->listed = d->listed;
	out->reports = d->n_reports;
	out->trap_hits = d->n_trap_hits;
	out->first_seen_ms = e->ev.first_ms;
	out->last_seen_ms = e->ev.last_ms;
	out->deputy_delisted_ms = l.deputy_delisted_ms;
	out->backscatter = e->ev.n_backscatter;
	if (d->listed) {
		/* the stored start, unless the engine has not recorded this listing yet */
		out->listed_since_ms = l.listed ? l.listed_since_ms : now;
		out->delist_at_ms = d->delist_at_ms;
		int64_t left = d->delist_at_ms - now;
		out->seconds_to_delist = left > 0 ? (left + 999) / 1000 : 0;
	}
	return 0;
}

int engine_lookup_add_file(engine_lookup_t *l, int lookup_ret, const ipbl_ipaddr_t *ip,
			   const zone_match_t *m)
{
	if (lookup_ret != 0 && lookup_ret != IPBL_ENOENT) {
		return lookup_ret;
	}
	if (lookup_ret == IPBL_ENOENT) {
		if (!m->listed) {
			return lookup_ret;
		}
		memset(l, 0, sizeof(*l));
		l->ip = *ip;
		ipbl_ipaddr_unmap(&l->ip);
		l->seconds_to_delist = -1;
		l->file_only = true;
	}
	l->file = *m;
	if (m->listed && !l->listed) {
		l->listed = true;
		l->by_file = true;
		snprintf(l->decision.sentence, sizeof(l->decision.sentence),
			 "listed by hand by the operator of this list, as part of %s (a data "
			 "file of the DNS server); such entries are not delisted automatically",
			 m->range);
	}
	return 0;
}

static json_t *time_json(int64_t ms)
{
	char buf[32];
	return ms > 0 ? json_string(ipbl_clock_format(ms, buf)) : json_null();
}

int engine_lookup_json(const engine_lookup_t *l, ipbl_buf_t *b)
{
	char ip[IPBL_IPADDR_STRLEN];
	const policy_decision_t *d = &l->decision;
	json_t *o = json_object();
	if (o == NULL) {
		return IPBL_ENOMEM;
	}
	json_object_set_new(o, "ip", json_string(ipbl_ipaddr_format(&l->ip, ip)));
	json_object_set_new(o, "listed", json_boolean(l->listed));
	json_object_set_new(o, "reason", json_string(d->sentence));
	json_object_set_new(o, "reason_code",
			    json_string(l->by_file ? "data_file" : policy_reason_name(d->reason)));
	json_object_set_new(o, "reports", json_integer((json_int_t)l->reports));
	json_object_set_new(o, "trap_hits", json_integer((json_int_t)l->trap_hits));
	json_object_set_new(o, "first_seen", time_json(l->first_seen_ms));
	json_object_set_new(o, "last_seen", time_json(l->last_seen_ms));
	json_object_set_new(o, "listed_since", time_json(l->listed_since_ms));
	json_object_set_new(o, "delist_at", time_json(l->delist_at_ms));
	json_object_set_new(o, "seconds_to_delist",
			    l->seconds_to_delist >= 0 ? json_integer(l->seconds_to_delist)
						      : json_null());
	json_object_set_new(o, "backscatter", json_integer((json_int_t)l->backscatter));
	json_object_set_new(o, "score", json_real((double)d->score_milli / POLICY_MILLI));
	json_object_set_new(o, "threshold", json_real((double)d->threshold_milli / POLICY_MILLI));
	json_object_set_new(o, "reporters", json_integer((json_int_t)d->n_reporters));
	json_object_set_new(o, "deputy_delisted", time_json(l->deputy_delisted_ms));
	json_t *file = json_null();
	if (l->file.listed) {
		char a[IPBL_IPADDR_STRLEN];
		ipbl_ipaddr_t ans;
		ipbl_ipaddr_from_v4(l->file.a, &ans);
		file = json_pack("{s:s, s:s}", "range", l->file.range, "a",
				 ipbl_ipaddr_format(&ans, a));
	}
	json_object_set_new(o, "data_file", file);
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(o);
	if (text == NULL) {
		return IPBL_ENOMEM;
	}
	ipbl_buf_puts(b, text);
	free(text);
	return ipbl_buf_overflowed(b) ? IPBL_ERANGE : 0;
}

void engine_api_key_hash(const char *key, char out[ENGINE_KEY_HASH_LEN])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)key, strlen(key), NULL, 0);
	memcpy(out, "b2:", 3);
	sodium_bin2hex(out + 3, ENGINE_KEY_HASH_LEN - 3, h, sizeof(h));
}

int engine_reporter_by_key(engine_t *e, const char *key, store_reporter_t *out)
{
	char hash[ENGINE_KEY_HASH_LEN];
	engine_api_key_hash(key, hash);
	int ret = store_reporter_get_by_key_hash(e->store, hash, out);
	if (ret == 0 && out->standing == STORE_STANDING_BANNED) {
		return IPBL_EACCES;
	}
	return ret;
}

/* The message with CRLF as LF and white space at line ends dropped, hashed as it streams. */
void engine_digest(const char *prefix, const void *msg, size_t len, char out[ENGINE_DIGEST_LEN])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)prefix, strlen(prefix));
	const unsigned char *p = msg;
	size_t i = 0;
	while (i < len) {
		size_t eol = i;
		while (eol < len && p[eol] != '\n') {
			eol++;
		}
		size_t end = eol;
		while (end > i && (p[end - 1] == '\r' || p[end - 1] == ' ' || p[end - 1] == '\t')) {
			end--;
		}
		crypto_generichash_update(&st, p + i, end - i);
		crypto_generichash_update(&st, (const unsigned char *)"\n", eol < len ? 1 : 0);
		i = eol + 1;
	}
	unsigned char h[32];
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, ENGINE_DIGEST_LEN, h, sizeof(h));
}

void engine_trap_digest(const ipbl_ipaddr_t *ip, const void *msg, size_t len,
			char out[ENGINE_DIGEST_LEN])
{
	char prefix[IPBL_IPADDR_STRLEN + 8], text[IPBL_IPADDR_STRLEN];
	snprintf(prefix, sizeof(prefix), "trap:%s:", ipbl_ipaddr_format(ip, text));
	engine_digest(prefix, msg, len, out);
}
