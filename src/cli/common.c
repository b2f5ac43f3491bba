/* SPDX-License-Identifier: BSD-2-Clause */
/* What the commands that work on the list share: loading the config, creating the data
 * directory, opening the store and choosing the clock, each failure mapped to its exit code. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/file.h"
#include "lib/paths.h"
#include "zone/builder.h"
#include "zone/rbldnsd.h"

#define DATA_FILE_MAX ((size_t)2 << 30) /* as the DNS component: larger is refused */

#define MAX_MESSAGE (64u * 1024 * 1024)

int cli_env_open(const cli_options_t *o, const char *cmd, unsigned need, cli_env_t *env)
{
	memset(env, 0, sizeof(*env));
	const char *conf_path = o->conf_path ? o->conf_path : ipbl_conf_default_path();
	char err[1024];
	int ret = ipbl_conf_load(conf_path, &env->conf, err, sizeof(err));
	if (ret != 0) {
		fprintf(stderr, "ipbl: %s: %s\n", cmd, err);
		return ret == IPBL_ECONF ? CLI_EUSAGE : CLI_EOPERATIONAL;
	}
	const char *data_dir = ipbl_conf_str(env->conf, "main", "data_dir");
	ret = ipbl_paths_make_data_dir(env->conf);
	if (ret != 0) {
		fprintf(stderr, "ipbl: %s: cannot create the data directory %s: %s\n", cmd,
			data_dir, ipbl_strerror(ret));
		goto fail;
	}
	if (ipbl_paths_store(env->conf, env->store_path, sizeof(env->store_path)) != 0 ||
	    ipbl_paths_clock(env->conf, env->clock_path, sizeof(env->clock_path)) != 0) {
		fprintf(stderr, "ipbl: %s: the data directory or store path is too long\n", cmd);
		goto fail;
	}
	if (need & CLI_NEED_CLOCK) {
		if (ipbl_conf_bool(env->conf, "testing", "manual_clock")) {
			ret = ipbl_clock_manual_open(env->clock_path, &env->clock);
			if (ret != 0) {
				fprintf(stderr, "ipbl: %s: cannot open the manual clock %s: %s\n",
					cmd, env->clock_path, ipbl_strerror(ret));
				goto fail;
			}
		} else {
			env->clock = ipbl_clock_system();
		}
	}
	if (need & CLI_NEED_STORE) {
		ret = store_open("sqlite", env->store_path, &env->store, err, sizeof(err));
		if (ret != 0) {
			env->store = NULL;
			/* err starts with the path */
			fprintf(stderr, "ipbl: %s: cannot open the store: %s\n", cmd, err);
			goto fail;
		}
	}
	if ((need & CLI_NEED_ENGINE) == CLI_NEED_ENGINE) {
		ret = engine_new(env->conf, env->store, env->clock, &env->engine, err, sizeof(err));
		if (ret != 0) {
			fprintf(stderr, "ipbl: %s: %s\n", cmd, err);
			cli_env_close(env);
			return CLI_EUSAGE;
		}
	}
	return CLI_OK;
fail:
	cli_env_close(env);
	return CLI_EOPERATIONAL;
}

void cli_env_close(cli_env_t *env)
{
	engine_free(env->engine);
	env->engine = NULL;
	store_close(env->store);
	env->store = NULL;
	ipbl_clock_free(env->clock);
	env->clock = NULL;
	ipbl_conf_free(env->conf);
	env->conf = NULL;
}

/* Read all of f (at most MAX_MESSAGE bytes) into a malloc'd buffer. */
static int read_all(FILE *f, const char *cmd, const char *name, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	if (b == NULL) {
		fprintf(stderr, "ipbl: %s: out of memory\n", cmd);
		return CLI_EOPERATIONAL;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= MAX_MESSAGE) {
				fprintf(stderr, "ipbl: %s: %s: message larger than %u bytes\n", cmd,
					name, MAX_MESSAGE);
				free(b);
				return CLI_EUSAGE;
			}
			char *nb = realloc(b, cap * 2);
			if (nb == NULL) {
				fprintf(stderr, "ipbl: %s: out of memory\n", cmd);
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
		fprintf(stderr, "ipbl: %s: %s: read error\n", cmd, name);
		free(b);
		return CLI_EOPERATIONAL;
	}
	*buf = b;
	*len = n;
	return CLI_OK;
}

int cli_read_input(const char *cmd, const char *path, char **buf, size_t *len)
{
	if (strcmp(path, "-") == 0) {
		return read_all(stdin, cmd, "stdin", buf, len);
	}
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "ipbl: %s: %s: %s\n", cmd, path, strerror(errno));
		return CLI_EOPERATIONAL;
	}
	int rc = read_all(f, cmd, path, buf, len);
	fclose(f);
	return rc;
}

int cli_store_failed(const cli_env_t *env, const char *cmd, const char *what, int ret)
{
	const char *msg = env->store ? store_errmsg(env->store) : NULL;
	fprintf(stderr, "ipbl: %s: %s: %s\n", cmd, what,
		msg != NULL && msg[0] ? msg : ipbl_strerror(ret));
	return CLI_EOPERATIONAL;
}

int cli_parse_ip(const char *cmd, const char *text, ipbl_ipaddr_t *out)
{
	if (ipbl_ipaddr_parse(ipbl_str(text), out) != 0) {
		fprintf(stderr, "ipbl: %s: '%.80s' is not an IP address\n", cmd, text);
		return CLI_EUSAGE;
	}
	ipbl_ipaddr_unmap(out);
	return CLI_OK;
}

const char *cli_time(int64_t ms, char buf[32])
{
	if (ms <= 0) {
		return "-";
	}
	return ipbl_clock_format(ms, buf);
}

int cli_check_name(const char *cmd, const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > STORE_NAME_MAX - 1) {
		fprintf(stderr, "ipbl: %s: name must be 1 to %d characters long (got %zu)\n", cmd,
			STORE_NAME_MAX - 1, len);
		return CLI_EUSAGE;
	}
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (!ok) {
			fprintf(stderr,
				"ipbl: %s: name '%.*s' has a character other than A-Z a-z 0-9 . _ "
				"- "
				"at position %zu\n",
				cmd, (int)(len > 80 ? 80 : len), name, i + 1);
			return CLI_EUSAGE;
		}
	}
	return CLI_OK;
}

/* Read one [dns] data file into b. A file that cannot be read or parsed is reported on
 * stderr (FILE:LINE) and skipped: the lookup still answers from the store. */
static void add_data_file(const char *cmd, zone_builder_t **b, const char *spec, uint32_t value)
{
	enum zone_rbldnsd_type type;
	const char *path = zone_rbldnsd_spec_parse(spec, &type);
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int ret = ipbl_file_read(path, DATA_FILE_MAX, &buf, &len, &st);
	if (ret != 0) {
		fprintf(stderr, "ipbl: %s: %s: cannot read data file: %s (not checked)\n", cmd,
			path, ipbl_strerror(ret));
		return;
	}
	/* parse into a copy, so that a bad file adds nothing */
	zone_builder_t *tmp = zone_builder_clone(*b);
	zone_rbldnsd_error_t err = { 0 };
	ret = tmp != NULL ? zone_rbldnsd_parse(tmp, type, buf, len, value, &err) : IPBL_ENOMEM;
	free(buf);
	if (ret != 0) {
		fprintf(stderr, "ipbl: %s: %s:%u: %s (not checked)\n", cmd, path, err.line,
			ret == IPBL_EPARSE ? err.message : ipbl_strerror(ret));
		zone_builder_free(tmp);
		return;
	}
	zone_builder_free(*b);
	*b = tmp;
}

/* What the [dns] data files, read now, say of ip (the DNS server serves them too). */
static void data_files_match(const char *cmd, const ipbl_conf_t *conf, const ipbl_ipaddr_t *ip,
			     zone_match_t *m)
{
	memset(m, 0, sizeof(*m));
	size_t n = ipbl_conf_count(conf, "dns", "data");
	if (n == 0) {
		return;
	}
	zone_builder_t *b = zone_builder_new();
	uint32_t value = 0;
	if (b == NULL || zone_builder_value(b, 0x7f000002u, NULL, 0, &value) != 0) {
		zone_builder_free(b);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		add_data_file(cmd, &b, ipbl_conf_str_at(conf, "dns", "data", i), value);
	}
	zone_snapshot_t *snap = NULL;
	if (zone_builder_finish(b, 0, &snap) == 0) {
		zone_snapshot_match(snap, ip, m);
		zone_snapshot_unref(snap);
	}
	zone_builder_free(b);
}

int cli_lookup(cli_env_t *env, const char *cmd, const ipbl_ipaddr_t *ip, engine_lookup_t *out)
{
	int ret = engine_lookup(env->engine, ip, out);
	zone_match_t m = { 0 };
	if (ret == 0 || ret == IPBL_ENOENT) {
		data_files_match(cmd, env->conf, ip, &m);
	}
	return engine_lookup_add_file(out, ret, ip, &m);
}
