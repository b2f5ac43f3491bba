/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl explain`: reads a bounce and prints, in plain words, which blocklist and address
 * caused it, the address's status on our list, and what the sender should do next. The work
 * is in mail/bounce.c (reading the bounce) and engine/explain.c (the advice), which the web
 * page /explain shares; this file only reads the input and looks the address up. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/explain.h"
#include "mail/bounce.h"

#define OUTPUT_MAX 32768

static const char usage[] =
	"usage: ipbl explain [FILE|-]\n"
	"  Reads a bounce (a delivery failure notice, whole or pasted in part) from FILE or\n"
	"  stdin and says which blocklist and IP address caused it, whose address that is\n"
	"  (a shared provider's server or the sender's own) when the bounce shows it, the\n"
	"  address's status on our list when the list is ours, and what to do next.\n"
	"  Exit 3 with 'undetermined: REASON' when the text holds no refusal at all.\n";

/* What we need from the config: our zone and our web pages, when those sections exist. */
static explain_site_t site_of(const ipbl_conf_t *conf)
{
	explain_site_t s = { NULL, NULL };
	if (ipbl_conf_has_section(conf, "dns")) {
		s.zone = ipbl_conf_str(conf, "dns", "zone");
	}
	if (ipbl_conf_has_section(conf, "web")) {
		s.base_url = ipbl_conf_str(conf, "web", "base_url");
	}
	return s;
}

int cli_explain_main(const cli_options_t *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(usage, stdout);
			return CLI_OK;
		default:
			fputs(usage, stderr);
			return CLI_EUSAGE;
		}
	}
	if (argc - optind > 1) {
		fputs(usage, stderr);
		return CLI_EUSAGE;
	}
	const char *path = optind < argc ? argv[optind] : "-";

	cli_env_t env;
	int rc = cli_env_open(o, "explain", 0, &env);
	if (rc != CLI_OK) {
		return rc;
	}
	char *data = NULL;
	size_t len = 0;
	mail_bounce_t *b = calloc(1, sizeof(*b));
	explain_advice_t *a = calloc(1, sizeof(*a));
	char *text = malloc(OUTPUT_MAX);
	if (b == NULL || a == NULL || text == NULL) {
		fprintf(stderr, "ipbl: explain: out of memory\n");
		rc = CLI_EOPERATIONAL;
		goto out;
	}
	rc = cli_read_input("explain", path, &data, &len);
	if (rc != CLI_OK) {
		goto out;
	}
	explain_site_t site = site_of(env.conf);
	const mail_bounce_ours_t ours = { .zone = site.zone, .base_url = site.base_url };
	if (mail_bounce_parse(data, len, &ours, b) != 0) {
		fprintf(stderr, "ipbl: explain: out of memory\n");
		rc = CLI_EOPERATIONAL;
		goto out;
	}
	if (b->kind == MAIL_BOUNCE_NONE) {
		fprintf(stderr, "undetermined: no mail server refusal found (no SMTP reply such as "
				"'550 5.7.1 ...' and no blocklist named)\n");
		rc = CLI_ENOTFOUND;
		goto out;
	}
	engine_lookup_t lookup;
	const engine_lookup_t *found = NULL;
	if (b->kind == MAIL_BOUNCE_BLOCKLIST && b->ours && b->has_ip) {
		/* our list refused it: what does the store say about the address? */
		cli_env_close(&env);
		rc = cli_env_open(o, "explain", CLI_NEED_ENGINE, &env);
		if (rc != CLI_OK) {
			goto out;
		}
		site = site_of(env.conf);
		int ret = cli_lookup(&env, "explain", &b->ip, &lookup);
		if (ret == 0) {
			found = &lookup;
		} else if (ret != IPBL_ENOENT) {
			rc = cli_store_failed(&env, "explain", "look up the address", ret);
			goto out;
		}
	}
	explain_advice(b, &site, found, a);
	ipbl_buf_t o_buf;
	ipbl_buf_init(&o_buf, text, OUTPUT_MAX);
	explain_format_text(a, &o_buf);
	fputs(text, stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ipbl: explain: cannot write the answer\n");
		rc = CLI_EOPERATIONAL;
	}
out:
	free(text);
	free(a);
	free(b);
	free(data);
	cli_env_close(&env);
	return rc;
}
