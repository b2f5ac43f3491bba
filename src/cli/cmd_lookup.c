/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl lookup`, `ipbl delist` and `ipbl list`: what the list says about addresses, and a
 * deputy's delisting. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* "13h 5m 2s" for a number of seconds. */
static const char *span_text(int64_t s, char *buf, size_t len)
{
	int64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
	if (d > 0) {
		snprintf(buf, len, "%lldd %lldh %lldm", (long long)d, (long long)h, (long long)m);
	} else if (h > 0) {
		snprintf(buf, len, "%lldh %lldm %llds", (long long)h, (long long)m, (long long)sec);
	} else {
		snprintf(buf, len, "%lldm %llds", (long long)m, (long long)sec);
	}
	return buf;
}

static void print_lookup_text(const engine_lookup_t *l)
{
	char ip[IPBL_IPADDR_STRLEN], t[32], span[64];
	printf("ip: %s\n", ipbl_ipaddr_format(&l->ip, ip));
	printf("status: %s\n", l->listed ? "listed" : "not listed");
	printf("reason: %s\n", l->decision.sentence);
	printf("reports: %zu\n", l->reports);
	printf("trap hits: %zu\n", l->trap_hits);
	if (l->backscatter > 0) {
		printf("backscatter: %zu (misdirected bounces or auto-replies, not spam written by "
		       "a person)\n",
		       l->backscatter);
	}
	printf("first seen: %s\n", cli_time(l->first_seen_ms, t));
	printf("last seen: %s\n", cli_time(l->last_seen_ms, t));
	printf("listed since: %s\n", cli_time(l->listed_since_ms, t));
	if (l->listed) {
		printf("delist at: %s (in %s)\n", cli_time(l->delist_at_ms, t),
		       span_text(l->seconds_to_delist, span, sizeof(span)));
	} else {
		printf("delist at: -\n");
	}
	if (l->deputy_delisted_ms > 0) {
		printf("deputy delisted: %s\n", cli_time(l->deputy_delisted_ms, t));
	}
	if (l->file.listed) {
		ipbl_ipaddr_t a;
		ipbl_ipaddr_from_v4(l->file.a, &a);
		printf("data file: listed as part of %s (answer %s)\n", l->file.range,
		       ipbl_ipaddr_format(&a, ip));
	}
}

int cli_lookup_main(const cli_options_t *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
		"usage: ipbl lookup [--json] IP\n"
		"  The IP's status: listed or not, the reason, report and trap counts, first and\n"
		"  last evidence, listed since, delisting time and seconds left, and whether\n"
		"  one of the [dns] data files lists it (and as part of which range).\n"
		"  Exit 3 when the IP has no record at all and no data file lists it.\n";
	bool json = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return CLI_OK;
		default:
			fputs(usage, stderr);
			return CLI_EUSAGE;
		}
	}
	if (argc - optind != 1) {
		fputs(usage, stderr);
		return CLI_EUSAGE;
	}
	ipbl_ipaddr_t ip;
	if (cli_parse_ip("lookup", argv[optind], &ip) != CLI_OK) {
		return CLI_EUSAGE;
	}
	cli_env_t env;
	int rc = cli_env_open(o, "lookup", CLI_NEED_ENGINE, &env);
	if (rc != CLI_OK) {
		return rc;
	}
	engine_lookup_t l;
	int ret = cli_lookup(&env, "lookup", &ip, &l);
	if (ret == IPBL_ENOENT) {
		char text[IPBL_IPADDR_STRLEN];
		fprintf(stderr, "ipbl: lookup: %s: no record (never reported, never listed)\n",
			ipbl_ipaddr_format(&ip, text));
		rc = CLI_ENOTFOUND;
	} else if (ret != 0) {
		rc = cli_store_failed(&env, "lookup", "read", ret);
	} else if (json) {
		char storage[4096];
		ipbl_buf_t b;
		ipbl_buf_init(&b, storage, sizeof(storage));
		if (engine_lookup_json(&l, &b) != 0) {
			fprintf(stderr, "ipbl: lookup: cannot format the answer\n");
			rc = CLI_EOPERATIONAL;
		} else {
			printf("%s\n", b.data);
		}
	} else {
		print_lookup_text(&l);
	}
	cli_env_close(&env);
	return rc;
}

int cli_delist_main(const cli_options_t *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "by", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
		"usage: ipbl delist IP --reason TEXT [--by NAME]\n"
		"  A deputy's delisting: the evidence so far is set aside and the IP is taken\n"
		"  off the list at once; evidence newer than the delisting counts again.\n"
		"  Recorded in the audit log with who (--by, default: operator) and why.\n"
		"  Exit 3 when the IP has no record at all.\n";
	const char *reason = NULL, *by = "operator";
	int ch;
	while ((ch = getopt_long(argc, argv, "r:b:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			reason = optarg;
			break;
		case 'b':
			by = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return CLI_OK;
		default:
			fputs(usage, stderr);
			return CLI_EUSAGE;
		}
	}
	if (argc - optind != 1 || reason == NULL || reason[0] == '\0') {
		if (reason == NULL || reason[0] == '\0') {
			fprintf(stderr, "ipbl: delist: --reason TEXT is required\n");
		}
		fputs(usage, stderr);
		return CLI_EUSAGE;
	}
	if (strlen(reason) > 400 || strlen(by) >= STORE_NAME_MAX) {
		fprintf(stderr, "ipbl: delist: --reason is limited to 400 bytes, --by to %d\n",
			STORE_NAME_MAX - 1);
		return CLI_EUSAGE;
	}
	ipbl_ipaddr_t ip;
	if (cli_parse_ip("delist", argv[optind], &ip) != CLI_OK) {
		return CLI_EUSAGE;
	}
	cli_env_t env;
	int rc = cli_env_open(o, "delist", CLI_NEED_ENGINE, &env);
	if (rc != CLI_OK) {
		return rc;
	}
	engine_result_t r;
	int ret = engine_delist(env.engine, &ip, by, reason, &r);
	char text[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&ip, text);
	if (ret == IPBL_ENOENT) {
		fprintf(stderr, "ipbl: delist: %s: no record (never reported, never listed)\n",
			text);
		rc = CLI_ENOTFOUND;
	} else if (ret != 0) {
		rc = cli_store_failed(&env, "delist", "store", ret);
	} else {
		printf("%s %s by deputy %s: %s\n", text,
		       r.was_listed ? "delisted" : "was not listed; delisting recorded", by,
		       reason);
	}
	cli_env_close(&env);
	return rc;
}

typedef struct {
	bool json;
	int64_t now;
	json_t *arr;
	size_t n;
} list_ctx_t;

static int list_one(void *arg, const store_listing_t *l)
{
	list_ctx_t *c = arg;
	if (l->delist_at_ms <= c->now) {
		return 0; /* due: the daemon's timer delists it this moment */
	}
	char ip[IPBL_IPADDR_STRLEN], since[32], until[32];
	ipbl_ipaddr_format(&l->ip, ip);
	cli_time(l->listed_since_ms, since);
	cli_time(l->delist_at_ms, until);
	c->n++;
	if (!c->json) {
		printf("%s\t%s\t%s\t%s\n", ip, since, until, l->reason_text);
		return 0;
	}
	json_t *o = json_object();
	json_object_set_new(o, "ip", json_string(ip));
	json_object_set_new(o, "listed_since", json_string(since));
	json_object_set_new(o, "delist_at", json_string(until));
	json_object_set_new(o, "reason", json_string(l->reason_text));
	json_object_set_new(o, "reason_code", json_string(l->reason_code));
	return json_array_append_new(c->arr, o) == 0 ? 0 : IPBL_ENOMEM;
}

int cli_list_main(const cli_options_t *o, int argc, char **argv)
{
	static const char usage[] =
		"usage: ipbl list [--json]\n"
		"  Every listed entry: IP, listed since, delisting time and reason, tab-separated\n"
		"  (or a JSON array).\n";
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return CLI_OK;
		} else {
			fprintf(stderr, "ipbl: list: unexpected argument '%.80s'\n", argv[i]);
			fputs(usage, stderr);
			return CLI_EUSAGE;
		}
	}
	cli_env_t env;
	int rc = cli_env_open(o, "list", CLI_NEED_ENGINE, &env);
	if (rc != CLI_OK) {
		return rc;
	}
	list_ctx_t c = { .json = json, .now = engine_now_ms(env.engine) };
	c.arr = json ? json_array() : NULL;
	int ret = store_listings_each(env.store, list_one, &c);
	if (ret != 0) {
		rc = cli_store_failed(&env, "list", "read", ret);
	} else if (json) {
		char *s = json_dumps(c.arr, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (s == NULL) {
			fprintf(stderr, "ipbl: list: out of memory\n");
			rc = CLI_EOPERATIONAL;
		} else {
			printf("%s\n", s);
			free(s);
		}
	}
	json_decref(c.arr);
	cli_env_close(&env);
	return rc;
}
