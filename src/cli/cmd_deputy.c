/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl deputy`: the accounts of the deputy console. add creates one with a password read
 * from a file or asked for on the terminal (without echo, twice), stored only as an argon2id
 * string (libsodium crypto_pwhash_str); list prints them. The account and its audit entry are
 * written in one transaction. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#define NAME_MAX_LEN (STORE_NAME_MAX - 1)
#define PASSWORD_MIN 10
#define PASSWORD_MAX 1024

static void deputy_usage(FILE *f)
{
	fprintf(f,
		"usage: ipbl deputy add NAME [--password-file FILE]\n"
		"       ipbl deputy list\n"
		"  add   create a deputy console account; the password is read from the first\n"
		"        line of FILE, else asked for twice on the terminal (not echoed)\n"
		"  list  print every deputy and when the account was made\n"
		"  NAME is 1-%d characters of A-Z a-z 0-9 . _ -; a password is %d-%d bytes.\n",
		NAME_MAX_LEN, PASSWORD_MIN, PASSWORD_MAX);
}

/* Read one line (without its line end) from fd into buf; returns its length, or -1 when it
 * is longer than len - 1 bytes or cannot be read. */
static ssize_t read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0 || c == '\n') {
			break;
		}
		if (n + 1 >= len) {
			return -1;
		}
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r') {
		n--;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

static int password_from_file(const char *path, char *buf, size_t len)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ipbl: deputy: %s: %s\n", path, strerror(errno));
		return CLI_EOPERATIONAL;
	}
	ssize_t n = read_line(fd, buf, len);
	if (fd != STDIN_FILENO) {
		close(fd);
	}
	if (n < 0) {
		fprintf(stderr, "ipbl: deputy: %s: the password is longer than %d bytes\n", path,
			PASSWORD_MAX);
		return CLI_EUSAGE;
	}
	return CLI_OK;
}

/* Ask on the terminal with echo off. */
static int prompt(int tty, const char *question, char *buf, size_t len)
{
	struct termios old, quiet;
	if (tcgetattr(tty, &old) != 0) {
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	/* echo goes off before the question shows, so nothing typed after it is echoed */
	if (tcsetattr(tty, TCSAFLUSH, &quiet) != 0) {
		return -1;
	}
	if (write(tty, question, strlen(question)) < 0) {
		tcsetattr(tty, TCSANOW, &old);
		return -1;
	}
	ssize_t n = read_line(tty, buf, len);
	tcsetattr(tty, TCSANOW, &old);
	return n < 0 ? -1 : 0;
}

static int password_from_tty(char *buf, size_t len)
{
	int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty < 0) {
		fprintf(stderr, "ipbl: deputy: no terminal to ask for the password on; use "
				"--password-file FILE\n");
		return CLI_EUSAGE;
	}
	char again[PASSWORD_MAX + 2];
	int rc = CLI_OK;
	if (prompt(tty, "Password: ", buf, len) != 0 ||
	    prompt(tty, "Password again: ", again, sizeof(again)) != 0) {
		fprintf(stderr, "ipbl: deputy: cannot read the password from the terminal\n");
		rc = CLI_EUSAGE;
	} else if (strcmp(buf, again) != 0) {
		fprintf(stderr, "ipbl: deputy: the two passwords differ\n");
		rc = CLI_EUSAGE;
	}
	sodium_memzero(again, sizeof(again));
	close(tty);
	return rc;
}

static int store_failed(cli_env_t *env, const char *what, int ret)
{
	const char *msg = store_errmsg(env->store);
	fprintf(stderr, "ipbl: deputy: %s: %s\n", what,
		msg != NULL && msg[0] ? msg : ipbl_strerror(ret));
	return CLI_EOPERATIONAL;
}

static int deputy_add(cli_env_t *env, const char *name, const char *password)
{
	store_deputy_t d;
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	d.created_ms = ipbl_clock_now_ms(env->clock);
	if (crypto_pwhash_str(d.password_hash, password, strlen(password),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		fprintf(stderr, "ipbl: deputy: out of memory hashing the password\n");
		return CLI_EOPERATIONAL;
	}
	char detail[STORE_NAME_MAX + 16];
	snprintf(detail, sizeof(detail), "deputy %s", name);
	int ret = store_begin(env->store);
	if (ret != 0) {
		return store_failed(env, "begin", ret);
	}
	ret = store_deputy_add(env->store, &d);
	if (ret == IPBL_EEXIST) {
		store_rollback(env->store);
		fprintf(stderr, "ipbl: deputy: deputy %s already exists\n", name);
		return CLI_EUSAGE;
	}
	if (ret == 0) {
		store_audit_t a = { .at_ms = d.created_ms,
				    .actor = "operator",
				    .action = "deputy added",
				    .ip = "",
				    .detail = detail };
		ret = store_audit_add(env->store, &a);
	}
	if (ret == 0) {
		ret = store_commit(env->store);
	}
	if (ret != 0) {
		store_rollback(env->store);
		return store_failed(env, "add deputy", ret);
	}
	printf("deputy %s added\n", name);
	return CLI_OK;
}

static int print_deputy(void *arg, const store_deputy_t *d)
{
	(void)arg;
	char t[32];
	printf("%s\t%s\n", d->name, ipbl_clock_format(d->created_ms, t));
	return 0;
}

int cli_deputy_main(const cli_options_t *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "password-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	if (argc < 2) {
		deputy_usage(stderr);
		return CLI_EUSAGE;
	}
	const char *action = argv[1];
	if (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0 ||
	    strcmp(action, "help") == 0) {
		deputy_usage(stdout);
		return CLI_OK;
	}
	bool add = strcmp(action, "add") == 0;
	bool list = strcmp(action, "list") == 0;
	if (!add && !list) {
		fprintf(stderr, "ipbl: deputy: unknown action '%s'\n", action);
		deputy_usage(stderr);
		return CLI_EUSAGE;
	}
	const char *password_file = NULL;
	int sub_argc = argc - 1;
	char **sub_argv = argv + 1;
	int ch;
	while ((ch = getopt_long(sub_argc, sub_argv, "p:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			password_file = optarg;
			break;
		case 'h':
			deputy_usage(stdout);
			return CLI_OK;
		default:
			deputy_usage(stderr);
			return CLI_EUSAGE;
		}
	}
	if (list && (sub_argc != optind || password_file != NULL)) {
		fprintf(stderr, "ipbl: deputy: list takes no arguments\n");
		return CLI_EUSAGE;
	}
	if (add && sub_argc - optind != 1) {
		fprintf(stderr, "ipbl: deputy: add takes exactly one NAME\n");
		deputy_usage(stderr);
		return CLI_EUSAGE;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ipbl: deputy: libsodium cannot start\n");
		return CLI_EOPERATIONAL;
	}
	char password[PASSWORD_MAX + 2] = "";
	if (add) {
		if (cli_check_name("deputy", sub_argv[optind]) != 0) {
			return CLI_EUSAGE;
		}
		int rc = password_file
				 ? password_from_file(password_file, password, sizeof(password))
				 : password_from_tty(password, sizeof(password));
		size_t len = strlen(password);
		if (rc == CLI_OK && (len < PASSWORD_MIN || len > PASSWORD_MAX)) {
			fprintf(stderr,
				"ipbl: deputy: a password is %d to %d bytes long (got %zu)\n",
				PASSWORD_MIN, PASSWORD_MAX, len);
			rc = CLI_EUSAGE;
		}
		if (rc != CLI_OK) {
			sodium_memzero(password, sizeof(password));
			return rc;
		}
	}
	cli_env_t env;
	int rc = cli_env_open(o, "deputy", CLI_NEED_STORE | CLI_NEED_CLOCK, &env);
	if (rc == CLI_OK) {
		if (add) {
			rc = deputy_add(&env, sub_argv[optind], password);
		} else {
			int ret = store_deputies_each(env.store, print_deputy, NULL);
			rc = ret == 0 ? CLI_OK : store_failed(&env, "list deputies", ret);
		}
		cli_env_close(&env);
	}
	sodium_memzero(password, sizeof(password));
	return rc;
}
