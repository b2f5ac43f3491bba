/* SPDX-License-Identifier: BSD-2-Clause */
/* The stderr log writer. Lines are assembled in a stack buffer and written with one write(2),
 * so lines from different threads never interleave. */
#define LOG_TAG "log"
#include "lib/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"

static _Atomic int log_level = IPBL_LOG_INFO;
static const char *log_ident;

static const char *const level_names[] = {
	[IPBL_LOG_ERR] = "err",	  [IPBL_LOG_WARNING] = "warning", [IPBL_LOG_NOTICE] = "notice",
	[IPBL_LOG_INFO] = "info", [IPBL_LOG_DEBUG] = "debug",
};

/* What a line says before the tag: errors and warnings are marked so they stand out. */
static const char *const level_marks[] = {
	[IPBL_LOG_ERR] = "error: ", [IPBL_LOG_WARNING] = "warning: ", [IPBL_LOG_NOTICE] = "",
	[IPBL_LOG_INFO] = "",	    [IPBL_LOG_DEBUG] = "debug: ",
};

void ipbl_log_set_level(enum ipbl_log_level level)
{
	atomic_store(&log_level, (int)level);
}

int ipbl_log_level_parse(const char *name, enum ipbl_log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum ipbl_log_level)i;
			return 0;
		}
	}
	return IPBL_EINVAL;
}

void ipbl_log_set_ident(const char *ident)
{
	log_ident = ident;
}

bool ipbl_log_enabled(enum ipbl_log_level level)
{
	return (int)level <= atomic_load(&log_level);
}

void ipbl_log_write(enum ipbl_log_level level, const char *tag, const char *fmt, ...)
{
	if (!ipbl_log_enabled(level)) {
		return;
	}
	char line[2048];
	int n = snprintf(line, sizeof(line), "%s%s%s%s: ", log_ident ? log_ident : "",
			 log_ident ? ": " : "", level_marks[level], tag);
	size_t len = n > 0 ? (size_t)n : 0;
	va_list ap;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	if (n > 0) {
		len += (size_t)n;
	}
	if (len > sizeof(line) - 2) {
		len = sizeof(line) - 2;
	}
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w; /* nowhere to report a failed log write */
}
