/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl clock`: show the time ipbl sees, and move the test-only manual clock (refused unless
 * [testing] manual_clock = yes). The clock lives in a shared file, so a running ipbld sees
 * the change at once. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/* 9999-12-31T23:59:59.999Z: the last time RFC 3339 can write */
#define CLOCK_MAX_MS 253402300799999LL
/* "@" and at most this many digits, so that the seconds times 1000 cannot overflow */
#define CLOCK_MAX_EPOCH_DIGITS 12

static void clock_usage(FILE *f)
{
	fprintf(f,
		"usage: ipbl clock show|set TIME|advance DURATION\n"
		"  show     print the time ipbl sees now (RFC 3339 UTC)\n"
		"  set      set the manual clock to TIME: RFC 3339 UTC (2026-11-22T07:30:00Z)\n"
		"           or @SECONDS since the Unix epoch\n"
		"  advance  move the manual clock forward by DURATION (500ms, 30s, 5m, 25h, 7d)\n"
		"  set and advance need [testing] manual_clock = yes in the config.\n");
}

int cli_clock_main(const cli_options_t *o, int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "help") == 0)) {
		clock_usage(stdout);
		return CLI_OK;
	}
	const char *action = argc >= 2 ? argv[1] : "";
	bool show = strcmp(action, "show") == 0;
	bool set = strcmp(action, "set") == 0;
	bool advance = strcmp(action, "advance") == 0;
	if (!show && !set && !advance) {
		if (argc >= 2) {
			fprintf(stderr, "ipbl: clock: unknown action '%s'\n", action);
		}
		clock_usage(stderr);
		return CLI_EUSAGE;
	}
	if (argc != (show ? 2 : 3)) {
		fprintf(stderr, "ipbl: clock: %s takes %s\n", action,
			show ? "no argument" : (set ? "one TIME" : "one DURATION"));
		clock_usage(stderr);
		return CLI_EUSAGE;
	}
	int64_t set_ms = 0;
	long long delta_ms = 0;
	bool epoch_too_long =
		set && argv[2][0] == '@' && strlen(argv[2]) > 1 + CLOCK_MAX_EPOCH_DIGITS;
	if (set && (epoch_too_long || ipbl_clock_parse_time(argv[2], &set_ms) != 0 || set_ms < 0 ||
		    set_ms > CLOCK_MAX_MS)) {
		fprintf(stderr,
			"ipbl: clock: set: '%s' is not an RFC 3339 UTC time "
			"(2026-11-22T07:30:00Z) or @SECONDS between 1970 and 9999\n",
			argv[2]);
		return CLI_EUSAGE;
	}
	if (advance && ipbl_conf_parse_duration(argv[2], &delta_ms) != 0) {
		fprintf(stderr,
			"ipbl: clock: advance: '%s' is not a duration (500ms, 30s, 5m, 25h, 7d)\n",
			argv[2]);
		return CLI_EUSAGE;
	}
	if (advance && (delta_ms < 0 || delta_ms > CLOCK_MAX_MS)) {
		fprintf(stderr,
			"ipbl: clock: advance: '%s' would move the clock past the year 9999\n",
			argv[2]);
		return CLI_EUSAGE;
	}
	cli_env_t env;
	int rc = cli_env_open(o, "clock", CLI_NEED_CLOCK, &env);
	if (rc != CLI_OK) {
		return rc;
	}
	if (!show && !ipbl_clock_is_manual(env.clock)) {
		fprintf(stderr,
			"ipbl: clock: %s refused: the manual clock is off (it needs [testing] "
			"manual_clock = yes in %s)\n",
			action, ipbl_conf_path(env.conf));
		rc = CLI_EUSAGE;
		goto out;
	}
	if (advance && ipbl_clock_now_ms(env.clock) > CLOCK_MAX_MS - delta_ms) {
		fprintf(stderr,
			"ipbl: clock: advance: '%s' would move the clock past the year 9999\n",
			argv[2]);
		rc = CLI_EUSAGE;
		goto out;
	}
	int ret = 0;
	if (set) {
		ret = ipbl_clock_set_ms(env.clock, set_ms);
	} else if (advance) {
		ret = ipbl_clock_advance_ms(env.clock, delta_ms);
	}
	if (ret != 0) {
		fprintf(stderr, "ipbl: clock: cannot move the manual clock %s: %s\n",
			env.clock_path, ipbl_strerror(ret));
		rc = CLI_EOPERATIONAL;
		goto out;
	}
	char buf[32];
	printf("%s\n", ipbl_clock_format(ipbl_clock_now_ms(env.clock), buf));
	rc = CLI_OK;
out:
	cli_env_close(&env);
	return rc;
}
