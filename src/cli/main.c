/* SPDX-License-Identifier: BSD-2-Clause */
/* ipbl: the operator's and scripts' tool. Parses the global options and dispatches to one
 * subcommand; each lives in its own cmd_*.c file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#ifndef IPBL_VERSION
#define IPBL_VERSION "0.1.0"
#endif

typedef struct {
	const char *name;
	int (*main)(const cli_options_t *o, int argc, char **argv);
	const char *summary;
} command_t;

static const command_t commands[] = {
	{ "config", cli_config_main, "check a config file; print defaults, sample, man page" },
	{ "source", cli_source_main, "find the source IP of a spam from its Received fields" },
	{ "report", cli_report_main, "file a spam report: find its source, apply the policy" },
	{ "trap", cli_trap_main, "record a spamtrap hit from a directly connected IP" },
	{ "lookup", cli_lookup_main, "an IP's status, reason, counts and time to delisting" },
	{ "delist", cli_delist_main, "a deputy's delisting, recorded with who and why" },
	{ "list", cli_list_main, "every listed entry" },
	{ "export", cli_export_main, "the list as an rbldnsd dataset or a zone master file" },
	{ "explain", cli_explain_main, "read a bounce: which blocklist and IP, and what to do" },
	{ "reporter", cli_reporter_main, "add a reporter account; fine, ban or show one" },
	{ "deputy", cli_deputy_main, "add a deputy console account; list them" },
	{ "clock", cli_clock_main, "show the time; set or advance the test-only manual clock" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ipbl [-c FILE] COMMAND [ARGS...]\n"
		   "\n"
		   "The operator's tool for the ipbl DNS blocklist. Reads the same config file as\n"
		   "ipbld: -c FILE, else $IPBL_CONF, else ./ipbl.conf, else /etc/ipbl/ipbl.conf.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(f, "\nExit codes: 0 success, 1 operational error, 2 usage or bad input,\n"
		   "3 not found. See ipbl(8).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	cli_options_t o = { 0 };
	int ch;
	/* '+': stop at the first non-option, which is the command */
	while ((ch = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.conf_path = optarg;
			o.conf_given = true;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		case 'V':
			printf("ipbl %s\n", IPBL_VERSION);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_EUSAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_EUSAGE;
	}
	int cmd_index = optind;
	const char *name = argv[cmd_index];
	if (strcmp(name, "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(name, commands[i].name) == 0) {
			optind = 0; /* GNU getopt: full re-initialisation for the subcommand */
			return commands[i].main(&o, argc - cmd_index, argv + cmd_index);
		}
	}
	fprintf(stderr, "ipbl: unknown command '%s' (see 'ipbl --help')\n", name);
	return CLI_EUSAGE;
}
