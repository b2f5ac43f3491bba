/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl report` and `ipbl trap`: evidence in. Both go through the engine, which stores the
 * evidence and re-decides the IP in one transaction; exit 0 means it is committed. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mail/submit.h"

static void report_usage(FILE *f)
{
	fprintf(f, "usage: ipbl report [--reporter NAME] [--trusted A,B,...] [--ip IP] [--json] "
		   "[FILE|-]\n"
		   "  Files a spam report: finds the source IP of the message (as `ipbl source`),\n"
		   "  stores it with its redacted evidence and applies the listing policy.\n"
		   "  --reporter  the reporting account; its mail hosts are trusted relays.\n"
		   "              Without it, the account is NAME from the address the report\n"
		   "              was delivered to, submit+NAME@... or spam+NAME@... (in\n"
		   "              Delivered-To, X-Original-To, Envelope-To, then To)\n"
		   "  --trusted   more relays of the recipient: IPs, CIDRs or host names\n"
		   "  --ip        the source, given by a trusted feed (no Received walk)\n"
		   "  --json      print "
		   "{\"id\",\"ip\",\"status\",\"listed\",\"duplicate\",\"reason\"}\n"
		   "  Prints the report id, the source IP and its status. The same message\n"
		   "  reported again counts once. Exit 3 with 'undetermined: REASON' when no\n"
		   "  source can be found (nothing is stored).\n");
}

static void trap_usage(FILE *f)
{
	fprintf(f, "usage: ipbl trap --peer IP [--helo NAME] [--to ADDRESS] [--json] [FILE|-]\n"
		   "  Records a spamtrap hit: the message (stdin by default) reached a trap\n"
		   "  address from the directly connected IP. For MTAs that deliver trap mail\n"
		   "  through a pipe.\n"
		   "  --peer  the connecting client's IP (required)\n"
		   "  --helo  the name it gave in HELO/EHLO\n"
		   "  --to    the trap address (default: \"pipe\")\n");
}

static int print_result(const char *what, const engine_result_t *r, const ipbl_ipaddr_t *ip,
			bool json)
{
	char text[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(ip, text);
	const policy_decision_t *d = &r->decision;
	const char *status = d->listed ? "listed" : "not listed";
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(r->id));
		json_object_set_new(o, "ip", json_string(text));
		json_object_set_new(o, "status", json_string(status));
		json_object_set_new(o, "listed", json_boolean(d->listed));
		json_object_set_new(o, "duplicate", json_boolean(r->duplicate));
		json_object_set_new(o, "reason", json_string(d->sentence));
		char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(o);
		if (s == NULL) {
			fprintf(stderr, "ipbl: %s: out of memory\n", what);
			return CLI_EOPERATIONAL;
		}
		printf("%s\n", s);
		free(s);
		return CLI_OK;
	}
	printf("%s: %lld%s\nip: %s\nstatus: %s\nreason: %s\n", what, (long long)r->id,
	       r->duplicate ? " (already filed: counted once)" : "", text, status, d->sentence);
	return CLI_OK;
}

/* The exit code for an engine error, after one line on stderr. */
static int engine_failed(const cli_env_t *env, const char *cmd, int ret, const char *name,
			 const char *why)
{
	switch (ret) {
	case IPBL_ENOENT:
		if (why != NULL && why[0]) {
			fprintf(stderr, "undetermined: %s\n", why);
			return CLI_ENOTFOUND;
		}
		fprintf(stderr, "ipbl: %s: no reporter named %s\n", cmd, name ? name : "?");
		return CLI_EUSAGE;
	case IPBL_EACCES:
		fprintf(stderr, "ipbl: %s: reporter %s is banned: its reports are refused\n", cmd,
			name ? name : "?");
		return CLI_EUSAGE;
	case IPBL_EPOLICY:
		fprintf(stderr, "ipbl: %s: the policy refused the stored evidence (see the log)\n",
			cmd);
		return CLI_EOPERATIONAL;
	case IPBL_EINVAL:
	case IPBL_EFORMAT:
		fprintf(stderr, "ipbl: %s: %s\n", cmd, why && why[0] ? why : "not a message");
		return CLI_EUSAGE;
	default:
		return cli_store_failed(env, cmd, "store", ret);
	}
}

int cli_report_main(const cli_options_t *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reporter", required_argument, NULL, 'r' },
		{ "trusted", required_argument, NULL, 't' },
		{ "ip", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	engine_message_t m = { 0 };
	ipbl_ipaddr_t given;
	bool json = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "r:t:i:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			m.reporter = optarg;
			break;
		case 't':
			m.trusted = optarg;
			break;
		case 'i':
			if (cli_parse_ip("report", optarg, &given) != CLI_OK) {
				return CLI_EUSAGE;
			}
			m.ip = &given;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			report_usage(stdout);
			return CLI_OK;
		default:
			report_usage(stderr);
			return CLI_EUSAGE;
		}
	}
	if (argc - optind > 1) {
		report_usage(stderr);
		return CLI_EUSAGE;
	}
	char *data = NULL;
	size_t len = 0;
	int rc = cli_read_input("report", optind < argc ? argv[optind] : "-", &data, &len);
	if (rc != CLI_OK) {
		return rc;
	}
	/* mail piped from the MTA for submit+NAME@...: the delivery address names the reporter */
	char submit_name[MAIL_SUBMIT_NAMELEN];
	if (m.reporter == NULL && mail_submit_reporter(data, len, submit_name)) {
		m.reporter = submit_name;
	}
	cli_env_t env;
	rc = cli_env_open(o, "report", CLI_NEED_ENGINE, &env);
	if (rc == CLI_OK) {
		m.msg = data;
		m.len = len;
		engine_result_t r;
		ipbl_ipaddr_t source;
		char why[512];
		int ret = engine_report_message(env.engine, &m, &r, &source, why, sizeof(why));
		rc = ret == 0 ? print_result("report", &r, &source, json)
			      : engine_failed(&env, "report", ret, m.reporter, why);
		cli_env_close(&env);
	}
	free(data);
	return rc;
}

int cli_trap_main(const cli_options_t *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "peer", required_argument, NULL, 'p' }, { "helo", required_argument, NULL, 'H' },
		{ "to", required_argument, NULL, 't' },	  { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },	  { NULL, 0, NULL, 0 },
	};
	engine_trap_hit_t hit = { .trap_address = "pipe", .helo = "" };
	bool have_peer = false, json = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "p:H:t:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (cli_parse_ip("trap", optarg, &hit.ip) != CLI_OK) {
				return CLI_EUSAGE;
			}
			have_peer = true;
			break;
		case 'H':
			hit.helo = optarg;
			break;
		case 't':
			hit.trap_address = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			trap_usage(stdout);
			return CLI_OK;
		default:
			trap_usage(stderr);
			return CLI_EUSAGE;
		}
	}
	if (!have_peer || argc - optind > 1) {
		if (!have_peer) {
			fprintf(stderr, "ipbl: trap: --peer IP is required\n");
		}
		trap_usage(stderr);
		return CLI_EUSAGE;
	}
	if (ipbl_ipaddr_is_reserved(&hit.ip)) {
		char text[IPBL_IPADDR_STRLEN];
		fprintf(stderr, "ipbl: trap: %s is a %s address, which is never listed\n",
			ipbl_ipaddr_format(&hit.ip, text),
			ipbl_ipaddr_kind_name(ipbl_ipaddr_kind(&hit.ip)));
		return CLI_EUSAGE;
	}
	char *data = NULL;
	size_t len = 0;
	int rc = cli_read_input("trap", optind < argc ? argv[optind] : "-", &data, &len);
	if (rc != CLI_OK) {
		return rc;
	}
	cli_env_t env;
	rc = cli_env_open(o, "trap", CLI_NEED_ENGINE, &env);
	if (rc == CLI_OK) {
		char digest[ENGINE_DIGEST_LEN];
		engine_trap_digest(&hit.ip, data, len, digest);
		hit.digest = digest;
		hit.kind = engine_evidence_kind(data, len);
		engine_result_t r;
		int ret = engine_trap_hit(env.engine, &hit, &r);
		rc = ret == 0 ? print_result("trap hit", &r, &hit.ip, json)
			      : engine_failed(&env, "trap", ret, NULL, NULL);
		cli_env_close(&env);
	}
	free(data);
	return rc;
}
