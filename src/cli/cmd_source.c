/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl source`: the source IP of one message, from its Received chain (corpus README rules). */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/ipaddr.h"
#include "mail/message.h"
#include "mail/received.h"
#include "mail/walk.h"

#define MAX_MESSAGE (64u * 1024 * 1024)

static void source_usage(FILE *f)
{
	fprintf(f, "usage: ipbl source [--trusted A,B,...] [--json] [FILE|-]\n"
		   "  Prints the source IP of the message (or of the message/rfc822 it carries).\n"
		   "  --trusted  the recipient's own relays: IPs, CIDRs or host names\n"
		   "  --json     print {\"ip\":...,\"hops\":[...],\"reason\":...}\n"
		   "  Exit 3 with 'undetermined: REASON' when no source can be found.\n");
}

/* Read all of f (at most MAX_MESSAGE bytes) into a malloc'd buffer. */
static int read_all(FILE *f, const char *name, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	if (b == NULL) {
		fprintf(stderr, "ipbl: source: out of memory\n");
		return CLI_EOPERATIONAL;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= MAX_MESSAGE) {
				fprintf(stderr, "ipbl: source: %s: message larger than %u bytes\n",
					name, MAX_MESSAGE);
				free(b);
				return CLI_EUSAGE;
			}
			char *nb = realloc(b, cap * 2);
			if (nb == NULL) {
				fprintf(stderr, "ipbl: source: out of memory\n");
				free(b);
				return CLI_EOPERATIONAL;
			}
			b = nb;
			cap *= 2;
		}
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			break;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "ipbl: source: %s: read error\n", name);
		free(b);
		return CLI_EOPERATIONAL;
	}
	*buf = b;
	*len = n;
	return CLI_OK;
}

static json_t *ip_json(bool has, const ipbl_ipaddr_t *a)
{
	char ip[IPBL_IPADDR_STRLEN];
	return has ? json_string(ipbl_ipaddr_format(a, ip)) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_stringn_nocheck(s, strlen(s)) : json_null();
}

static int print_json(const mail_message_received_t *fields, const mail_received_hop_t *hops,
		      const enum mail_walk_verdict *verdicts, const mail_walk_result_t *r)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < fields->n; i++) {
		const mail_received_hop_t *h = &hops[i];
		json_t *o = json_object();
		json_object_set_new(
			o, "received",
			json_stringn_nocheck(fields->fields[i], strlen(fields->fields[i])));
		json_object_set_new(o, "peer", ip_json(h->has_peer, &h->peer));
		json_object_set_new(o, "helo", str_or_null(h->helo));
		json_object_set_new(o, "rdns", str_or_null(h->rdns));
		json_object_set_new(o, "by", str_or_null(h->by));
		json_object_set_new(o, "authenticated", json_boolean(h->auth));
		json_object_set_new(o, "verdict", json_string(mail_walk_verdict_name(verdicts[i])));
		json_array_append_new(arr, o);
	}
	json_t *root = json_object();
	json_object_set_new(root, "ip", ip_json(r->found, &r->source));
	json_object_set_new(root, "hops", arr);
	json_object_set_new(root, "reason", json_string(r->reason));
	json_object_set_new(root, "attached", json_boolean(fields->attached));
	/* the field text may hold any bytes: ensure_ascii escapes them */
	char *text = json_dumps(root, JSON_ENSURE_ASCII | JSON_COMPACT);
	json_decref(root);
	if (text == NULL) {
		fprintf(stderr, "ipbl: source: out of memory\n");
		return CLI_EOPERATIONAL;
	}
	printf("%s\n", text);
	free(text);
	return CLI_OK;
}

int cli_source_main(const cli_options_t *o, int argc, char **argv)
{
	(void)o;
	static const struct option longopts[] = {
		{ "trusted", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *trusted_arg = NULL;
	bool json = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "t:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			trusted_arg = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			source_usage(stdout);
			return CLI_OK;
		default:
			source_usage(stderr);
			return CLI_EUSAGE;
		}
	}
	if (argc - optind > 1) {
		source_usage(stderr);
		return CLI_EUSAGE;
	}
	const char *path = optind < argc ? argv[optind] : "-";

	int rc = CLI_OK;
	char err[512];
	char *data = NULL;
	size_t len = 0;
	mail_trusted_t trusted = { 0 };
	mail_message_received_t fields = { 0 };
	mail_received_hop_t *hops = NULL;
	enum mail_walk_verdict *verdicts = NULL;

	if (mail_walk_trusted_parse(trusted_arg, &trusted, err, sizeof(err)) != 0) {
		fprintf(stderr, "ipbl: source: --trusted: %s\n", err);
		return CLI_EUSAGE;
	}
	if (strcmp(path, "-") == 0) {
		rc = read_all(stdin, "stdin", &data, &len);
	} else {
		FILE *f = fopen(path, "rb");
		if (f == NULL) {
			fprintf(stderr, "ipbl: source: %s: %s\n", path, strerror(errno));
			rc = CLI_EOPERATIONAL;
			goto out;
		}
		rc = read_all(f, path, &data, &len);
		fclose(f);
	}
	if (rc != CLI_OK) {
		goto out;
	}
	int ret = mail_message_received_parse(data, len, &fields, err, sizeof(err));
	if (ret != 0) {
		fprintf(stderr, "ipbl: source: %s: %s\n", path, err);
		rc = ret == IPBL_ENOMEM ? CLI_EOPERATIONAL : CLI_EUSAGE;
		goto out;
	}
	hops = calloc(fields.n ? fields.n : 1, sizeof(*hops));
	verdicts = calloc(fields.n ? fields.n : 1, sizeof(*verdicts));
	if (hops == NULL || verdicts == NULL) {
		fprintf(stderr, "ipbl: source: out of memory\n");
		rc = CLI_EOPERATIONAL;
		goto out;
	}
	for (size_t i = 0; i < fields.n; i++) {
		mail_received_parse(ipbl_str(fields.fields[i]), &hops[i]);
	}
	mail_walk_result_t r;
	mail_walk_run(hops, fields.n, &trusted, verdicts, &r);
	if (json) {
		rc = print_json(&fields, hops, verdicts, &r);
		if (rc != CLI_OK) {
			goto out;
		}
	} else if (r.found) {
		char ip[IPBL_IPADDR_STRLEN];
		printf("%s\n", ipbl_ipaddr_format(&r.source, ip));
	}
	if (!r.found) {
		fprintf(stderr, "undetermined: %s\n", r.reason);
		rc = CLI_ENOTFOUND;
	}
out:
	free(verdicts);
	free(hops);
	mail_message_received_fini(&fields);
	mail_walk_trusted_fini(&trusted);
	free(data);
	return rc;
}
