/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl config`: check a config file, and print what the schema generates. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "lib/conf.h"

#ifndef IPBL_VERSION
#define IPBL_VERSION "0.1.0"
#endif

static void config_usage(FILE *f)
{
	fprintf(f, "usage: ipbl [-c FILE] config check|show|defaults|sample|man\n"
		   "  check     read the config file and report the first problem (FILE:LINE)\n"
		   "  show      print every setting in effect, defaults included\n"
		   "  defaults  print every key with its default\n"
		   "  sample    print a commented sample config (etc/ipbl.conf.sample)\n"
		   "  man       print the ipbl.conf(5) manual page source\n");
}

static int load(const cli_options_t *o, ipbl_conf_t **conf)
{
	const char *path = o->conf_path ? o->conf_path : ipbl_conf_default_path();
	char err[1024];
	int ret = ipbl_conf_load(path, conf, err, sizeof(err));
	if (ret == 0) {
		return CLI_OK;
	}
	fprintf(stderr, "ipbl: %s\n", err);
	return ret == IPBL_ECONF ? CLI_EUSAGE : CLI_EOPERATIONAL;
}

int cli_config_main(const cli_options_t *o, int argc, char **argv)
{
	if (argc != 2) {
		config_usage(stderr);
		return CLI_EUSAGE;
	}
	const char *what = argv[1];
	if (strcmp(what, "defaults") == 0) {
		ipbl_conf_write_defaults(stdout);
		return CLI_OK;
	}
	if (strcmp(what, "sample") == 0) {
		ipbl_conf_write_sample(stdout);
		return CLI_OK;
	}
	if (strcmp(what, "man") == 0) {
		ipbl_conf_write_man(stdout, IPBL_VERSION);
		return CLI_OK;
	}
	if (strcmp(what, "check") == 0 || strcmp(what, "show") == 0) {
		ipbl_conf_t *conf = NULL;
		int ret = load(o, &conf);
		if (ret != CLI_OK) {
			return ret;
		}
		if (strcmp(what, "show") == 0) {
			ipbl_conf_write_effective(conf, stdout);
		} else {
			printf("%s: configuration ok\n", ipbl_conf_path(conf));
		}
		ipbl_conf_free(conf);
		return CLI_OK;
	}
	fprintf(stderr, "ipbl: config: unknown action '%s'\n", what);
	config_usage(stderr);
	return CLI_EUSAGE;
}
