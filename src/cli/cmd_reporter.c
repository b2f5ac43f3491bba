/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl reporter`: reporter accounts. add creates one with a random API key that is printed
 * once and stored only as a hash (engine_api_key_hash); fine and ban change its standing; show
 * prints it. Every change and its audit entry are written in one transaction. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "lib/str.h"
#include "mail/walk.h"

#define API_KEY_BYTES 32
#define NAME_MAX_LEN (STORE_NAME_MAX - 1)

static void reporter_usage(FILE *f)
{
	fprintf(f,
		"usage: ipbl reporter add NAME [--mailhost A,B,...]\n"
		"       ipbl reporter fine|ban|show NAME\n"
		"  add   create the account and print its API key (shown this once only)\n"
		"        --mailhost  the reporter's own relays: IPs, CIDRs or host names\n"
		"  fine  count one more fine against the reporter (standing: fined)\n"
		"  ban   ban the reporter: its reports count zero (standing: banned)\n"
		"  show  print the account: standing, fines, mail hosts, creation time\n"
		"  NAME is 1-%d characters of A-Z a-z 0-9 . _ -; exit 3 when it is unknown.\n",
		NAME_MAX_LEN);
}

/* Check every entry of a comma-separated --mailhost list and write it again, trimmed and
 * joined by commas, into out. Returns CLI_OK or an exit code after a message. */
static int check_mailhosts(const char *list, char *out, size_t out_len)
{
	out[0] = '\0';
	size_t used = 0;
	ipbl_str_t rest = ipbl_str(list ? list : "");
	while (rest.ptr != NULL) {
		ipbl_str_t item;
		rest = ipbl_str_split(rest, ',', &item);
		item = ipbl_str_trim(item);
		if (item.len == 0) {
			continue;
		}
		char entry[STORE_TEXT_MAX];
		if (item.len >= sizeof(entry)) {
			fprintf(stderr,
				"ipbl: reporter: --mailhost: entry '%.40s...' is too long\n",
				item.ptr);
			return CLI_EUSAGE;
		}
		memcpy(entry, item.ptr, item.len);
		entry[item.len] = '\0';
		mail_trusted_t t;
		char err[256];
		int ret = mail_walk_trusted_parse(entry, &t, err, sizeof(err));
		mail_walk_trusted_fini(&t);
		if (ret == IPBL_ENOMEM) {
			fprintf(stderr, "ipbl: reporter: out of memory\n");
			return CLI_EOPERATIONAL;
		}
		if (ret != 0) {
			fprintf(stderr,
				"ipbl: reporter: --mailhost: '%s' is neither an IP, a CIDR nor a "
				"host "
				"name\n",
				entry);
			return CLI_EUSAGE;
		}
		int n = snprintf(out + used, out_len - used, "%s%s", used ? "," : "", entry);
		if (n < 0 || (size_t)n >= out_len - used) {
			fprintf(stderr,
				"ipbl: reporter: --mailhost: the list is longer than %zu bytes\n",
				out_len - 1);
			return CLI_EUSAGE;
		}
		used += (size_t)n;
	}
	return CLI_OK;
}

static int audit(cli_env_t *env, const char *action, const char *detail)
{
	store_audit_t a = {
		.at_ms = ipbl_clock_now_ms(env->clock),
		.actor = "operator",
		.action = action,
		.ip = "",
		.detail = detail,
	};
	return store_audit_add(env->store, &a);
}

static int store_failed(cli_env_t *env, const char *what, int ret)
{
	const char *msg = store_errmsg(env->store);
	fprintf(stderr, "ipbl: reporter: %s: %s\n", what,
		msg != NULL && msg[0] ? msg : ipbl_strerror(ret));
	return CLI_EOPERATIONAL;
}

/* mailhosts: the list as check_mailhosts wrote it. */
static int reporter_add(cli_env_t *env, const char *name, const char *mailhosts)
{
	store_reporter_t r;
	memset(&r, 0, sizeof(r));
	int rc = CLI_OK;
	snprintf(r.mailhosts, sizeof(r.mailhosts), "%s", mailhosts);
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.standing = STORE_STANDING_GOOD;
	r.created_ms = ipbl_clock_now_ms(env->clock);

	unsigned char key[API_KEY_BYTES];
	char key_hex[API_KEY_BYTES * 2 + 1];
	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(key_hex, sizeof(key_hex), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	/* the hex text is what the reporter presents (Authorization: Bearer), so hash that */
	engine_api_key_hash(key_hex, r.api_key_hash);
	char detail[STORE_NAME_MAX + STORE_TEXT_MAX + 32];
	snprintf(detail, sizeof(detail), "reporter %s%s%s", name,
		 r.mailhosts[0] ? ", mail hosts " : "", r.mailhosts);

	int ret = store_begin(env->store);
	if (ret != 0) {
		rc = store_failed(env, "begin", ret);
		goto out;
	}
	ret = store_reporter_add(env->store, &r);
	if (ret == IPBL_EEXIST) {
		store_rollback(env->store);
		fprintf(stderr, "ipbl: reporter: reporter %s already exists\n", name);
		rc = CLI_EUSAGE;
		goto out;
	}
	if (ret == 0) {
		ret = audit(env, "reporter added", detail);
	}
	if (ret == 0) {
		ret = store_commit(env->store);
	}
	if (ret != 0) {
		rc = store_failed(env, "add reporter", ret);
		store_rollback(env->store);
		goto out;
	}
	printf("reporter %s added\n"
	       "api key: %s\n"
	       "This key is shown only now: only its hash is stored, it cannot be shown again.\n",
	       name, key_hex);
	rc = CLI_OK;
out:
	sodium_memzero(key_hex, sizeof(key_hex));
	return rc;
}

/* Fine (one more fine, standing fined unless banned) or ban the reporter; the engine
 * re-decides the addresses it reported, so a ban takes effect on the list at once. */
static int reporter_change(cli_env_t *env, const char *name, bool ban)
{
	store_reporter_t r;
	int ret = store_reporter_get(env->store, name, &r);
	if (ret == 0 && ban && r.standing == STORE_STANDING_BANNED) {
		printf("reporter %s is already banned\n", name);
		return CLI_OK;
	}
	size_t n = 0;
	if (ret == 0) {
		ret = ban ? engine_reporter_ban(env->engine, name, "operator", &n)
			  : engine_reporter_fine(env->engine, name, "operator", &n);
	}
	if (ret == IPBL_ENOENT) {
		fprintf(stderr, "ipbl: reporter: no reporter named %s\n", name);
		return CLI_ENOTFOUND;
	}
	if (ret != 0) {
		return store_failed(env, ban ? "ban reporter" : "fine reporter", ret);
	}
	ret = store_reporter_get(env->store, name, &r);
	if (ret != 0) {
		return store_failed(env, "get reporter", ret);
	}
	printf("reporter %s %s (standing %s, fines %u); %zu address%s re-decided\n", name,
	       ban ? "banned" : "fined", store_standing_name(r.standing), r.fines, n,
	       n == 1 ? "" : "es");
	return CLI_OK;
}

static int reporter_show(cli_env_t *env, const char *name)
{
	store_reporter_t r;
	int ret = store_reporter_get(env->store, name, &r);
	if (ret == IPBL_ENOENT) {
		fprintf(stderr, "ipbl: reporter: no reporter named %s\n", name);
		return CLI_ENOTFOUND;
	}
	if (ret != 0) {
		return store_failed(env, "get reporter", ret);
	}
	char created[32];
	printf("name: %s\n"
	       "standing: %s\n"
	       "fines: %u\n"
	       "mailhosts: %s\n"
	       "created: %s\n",
	       r.name, store_standing_name(r.standing), r.fines, r.mailhosts,
	       ipbl_clock_format(r.created_ms, created));
	return CLI_OK;
}

int cli_reporter_main(const cli_options_t *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mailhost", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	if (argc < 2) {
		reporter_usage(stderr);
		return CLI_EUSAGE;
	}
	const char *action = argv[1];
	if (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0 ||
	    strcmp(action, "help") == 0) {
		reporter_usage(stdout);
		return CLI_OK;
	}
	bool add = strcmp(action, "add") == 0;
	bool fine = strcmp(action, "fine") == 0;
	bool ban = strcmp(action, "ban") == 0;
	bool show = strcmp(action, "show") == 0;
	if (!add && !fine && !ban && !show) {
		fprintf(stderr, "ipbl: reporter: unknown action '%s'\n", action);
		reporter_usage(stderr);
		return CLI_EUSAGE;
	}
	/* the options follow the action: getopt sees argv[1..] with the action as its argv[0] */
	const char *mailhosts = NULL;
	int sub_argc = argc - 1;
	char **sub_argv = argv + 1;
	int ch;
	while ((ch = getopt_long(sub_argc, sub_argv, "m:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			if (!add) {
				fprintf(stderr, "ipbl: reporter: --mailhost is only for 'add'\n");
				return CLI_EUSAGE;
			}
			mailhosts = optarg;
			break;
		case 'h':
			reporter_usage(stdout);
			return CLI_OK;
		default:
			reporter_usage(stderr);
			return CLI_EUSAGE;
		}
	}
	if (sub_argc - optind != 1) {
		fprintf(stderr, "ipbl: reporter: %s takes exactly one NAME\n", action);
		reporter_usage(stderr);
		return CLI_EUSAGE;
	}
	const char *name = sub_argv[optind];
	if (cli_check_name("reporter", name) != 0) {
		return CLI_EUSAGE;
	}
	char hosts[STORE_TEXT_MAX] = "";
	if (add) {
		int ret = check_mailhosts(mailhosts, hosts, sizeof(hosts));
		if (ret != CLI_OK) {
			return ret;
		}
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ipbl: reporter: libsodium cannot start\n");
		return CLI_EOPERATIONAL;
	}
	cli_env_t env;
	int rc = cli_env_open(o, "reporter", CLI_NEED_ENGINE, &env);
	if (rc != CLI_OK) {
		return rc;
	}
	if (add) {
		rc = reporter_add(&env, name, hosts);
	} else if (show) {
		rc = reporter_show(&env, name);
	} else {
		rc = reporter_change(&env, name, ban);
	}
	cli_env_close(&env);
	return rc;
}
