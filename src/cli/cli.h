/* SPDX-License-Identifier: BSD-2-Clause */
/* The `ipbl` command: shared options and one entry point per subcommand (one file each). */
#pragma once

#include <stdbool.h>

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

/* `ipbl config check|defaults|sample|man|show`. argv[0] is "config". */
int cli_config_main(const cli_options_t *o, int argc, char **argv);

/* `ipbl source [--trusted A,B,...] [--json] [FILE|-]`. argv[0] is "source". */
int cli_source_main(const cli_options_t *o, int argc, char **argv);
