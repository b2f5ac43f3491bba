/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl source`: the source IP of one message, from its Received chain (corpus README rules). */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/ipaddr.h"
#include "mail/source.h"

static void source_usage(FILE *f)
{
	fprintf(f, "usage: ipbl source [--trusted A,B,...] [--json] [FILE|-]\n"
		   "  Prints the source IP of the message (or of the message/rfc822 it carries).\n"
		   "  --trusted  the recipient's own relays: IPs, CIDRs or host names\n"
		   "  --json     print {\"ip\":...,\"hops\":[...],\"reason\":...}\n"
		   "  Exit 3 with 'undetermined: REASON' when no source can be found.\n");
}

static int print_json(const mail_source_t *src)
{
	json_t *root = mail_source_json(src, false);
	/* the field text may hold any bytes: ensure_ascii escapes them */
	char *text = root ? json_dumps(root, JSON_ENSURE_ASCII | JSON_COMPACT) : NULL;
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
	mail_source_t src = { 0 };

	if (mail_walk_trusted_parse(trusted_arg, &trusted, err, sizeof(err)) != 0) {
		fprintf(stderr, "ipbl: source: --trusted: %s\n", err);
		return CLI_EUSAGE;
	}
	rc = cli_read_input("source", path, &data, &len);
	if (rc != CLI_OK) {
		goto out;
	}
	int ret = mail_source_find(data, len, &trusted, &src, err, sizeof(err));
	if (ret != 0) {
		fprintf(stderr, "ipbl: source: %s: %s\n", path,
			ret == IPBL_ENOMEM ? "out of memory" : err);
		rc = ret == IPBL_ENOMEM ? CLI_EOPERATIONAL : CLI_EUSAGE;
		goto out;
	}
	const mail_walk_result_t *r = &src.result;
	if (json) {
		rc = print_json(&src);
		if (rc != CLI_OK) {
			goto out;
		}
	} else if (r->found) {
		char ip[IPBL_IPADDR_STRLEN];
		printf("%s\n", ipbl_ipaddr_format(&r->source, ip));
	}
	if (!r->found) {
		fprintf(stderr, "undetermined: %s\n", r->reason);
		rc = CLI_ENOTFOUND;
	}
out:
	mail_source_fini(&src);
	mail_walk_trusted_fini(&trusted);
	free(data);
	return rc;
}
