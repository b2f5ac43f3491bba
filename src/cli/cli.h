/* SPDX-License-Identifier: BSD-2-Clause */
/* The `ipbl` command: shared options and one entry point per subcommand (one file each). */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "lib/clock.h"
#include "engine/engine.h"
#include "lib/conf.h"
#include "store/store.h"

/* Exit codes of every ipbl command (contract.md). */
enum cli_exit {
	CLI_OK = 0,
	CLI_EOPERATIONAL = 1, /* store unreachable, I/O */
	CLI_EUSAGE = 2,	      /* usage or bad input */
	CLI_ENOTFOUND = 3,    /* not found / undetermined */
};

typedef struct {
	const char *conf_path; /* -c FILE, or NULL for the default search */
	bool conf_given;       /* -c was on the command line */
} cli_options_t;

/* What a command that works on the list needs: the config, and on request the store and the
 * clock (manual when [testing] manual_clock = yes, else the system clock). */
typedef struct {
	ipbl_conf_t *conf;
	store_t *store;	     /* NULL unless CLI_NEED_STORE */
	ipbl_clock_t *clock; /* NULL unless CLI_NEED_CLOCK */
	engine_t *engine;    /* NULL unless CLI_NEED_ENGINE */
	char store_path[PATH_MAX];
	char clock_path[PATH_MAX];
} cli_env_t;

enum {
	CLI_NEED_STORE = 1 << 0,
	CLI_NEED_CLOCK = 1 << 1,
	CLI_NEED_ENGINE = 1 << 2 | CLI_NEED_STORE | CLI_NEED_CLOCK,
};

/* After an engine or store call failed with ret: one line "ipbl: CMD: WHAT: why" on stderr
 * (the store's message when it has one). Returns CLI_EOPERATIONAL. */
int cli_store_failed(const cli_env_t *env, const char *cmd, const char *what, int ret);

/* Parse an IP address argument; on failure prints "ipbl: CMD: 'TEXT' is not an IP address"
 * and returns CLI_EUSAGE. IPv4-mapped IPv6 is folded to IPv4. */
int cli_parse_ip(const char *cmd, const char *text, ipbl_ipaddr_t *out);

/* An account name (reporter, deputy): 1 to STORE_NAME_MAX - 1 characters of A-Z a-z 0-9
 * . _ -. Returns CLI_OK, or CLI_EUSAGE after "ipbl: CMD: ..." saying what is wrong. */
int cli_check_name(const char *cmd, const char *name);

/* Print a time as RFC 3339 UTC, or "-" for 0. */
const char *cli_time(int64_t ms, char buf[32]);

/* Load the config (-c, else ipbl_conf_default_path()), create the data directory, and open
 * what need asks for. Returns CLI_OK, or an exit code after one line on stderr prefixed with
 * "ipbl: CMD: " (bad config 2, unreadable config, store or clock 1). On success the caller
 * owns env: release it with cli_env_close. */
int cli_env_open(const cli_options_t *o, const char *cmd, unsigned need, cli_env_t *env);

/* Release what cli_env_open opened; env may be partly filled (zeroed fields are skipped). */
void cli_env_close(cli_env_t *env);

/* Read a whole message from path ("-" is stdin; at most 64 MiB) into a malloc'd *buf. Returns
 * CLI_OK, or an exit code after one line on stderr ("ipbl: CMD: PATH: why"). */
int cli_read_input(const char *cmd, const char *path, char **buf, size_t *len);

/* engine_lookup of ip in env (CLI_NEED_ENGINE), with what the [dns] data files, read now,
 * say of it (engine_lookup_add_file). A data file that cannot be read or parsed is reported
 * on stderr ("ipbl: CMD: FILE:LINE: why") and skipped. Returns 0, IPBL_ENOENT (no record and
 * no data file lists ip) or a store error. */
int cli_lookup(cli_env_t *env, const char *cmd, const ipbl_ipaddr_t *ip, engine_lookup_t *out);

/* `ipbl config check|defaults|sample|man|show`. argv[0] is "config". */
int cli_config_main(const cli_options_t *o, int argc, char **argv);

/* `ipbl source [--trusted A,B,...] [--json] [FILE|-]`. argv[0] is "source". */
int cli_source_main(const cli_options_t *o, int argc, char **argv);

/* `ipbl reporter add|fine|ban|show NAME`. argv[0] is "reporter". */
int cli_reporter_main(const cli_options_t *o, int argc, char **argv);

/* Evidence and the list: `ipbl report`, `trap`, `lookup`, `delist`, `list`, `export`. */
int cli_report_main(const cli_options_t *o, int argc, char **argv);
int cli_trap_main(const cli_options_t *o, int argc, char **argv);
int cli_lookup_main(const cli_options_t *o, int argc, char **argv);
int cli_delist_main(const cli_options_t *o, int argc, char **argv);
int cli_list_main(const cli_options_t *o, int argc, char **argv);
int cli_export_main(const cli_options_t *o, int argc, char **argv);

/* `ipbl explain [FILE|-]`: a bounce explained for its sender. argv[0] is "explain". */
int cli_explain_main(const cli_options_t *o, int argc, char **argv);

/* `ipbl clock show|set TIME|advance DURATION`. argv[0] is "clock". */
int cli_clock_main(const cli_options_t *o, int argc, char **argv);

/* `ipbl deputy add NAME [--password-file FILE]`, `ipbl deputy list`. argv[0] is "deputy". */
int cli_deputy_main(const cli_options_t *o, int argc, char **argv);
