/* SPDX-License-Identifier: BSD-2-Clause */
/* What the commands that work on the list share: loading the config, creating the data
 * directory, opening the store and choosing the clock, each failure mapped to its exit code. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "lib/paths.h"

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
	return CLI_OK;
fail:
	cli_env_close(env);
	return CLI_EOPERATIONAL;
}

void cli_env_close(cli_env_t *env)
{
	store_close(env->store);
	env->store = NULL;
	ipbl_clock_free(env->clock);
	env->clock = NULL;
	ipbl_conf_free(env->conf);
	env->conf = NULL;
}
