/* SPDX-License-Identifier: BSD-2-Clause */
/* Logging: one line per event to stderr, "tag: sentence key=value ...". Each .c file defines
 * LOG_TAG before including this header. Thread-safe: each line is written with one write(2).
 * The hot path never logs per query; it counts. */
#pragma once

#include <stdbool.h>

enum ipbl_log_level {
	IPBL_LOG_ERR = 0,
	IPBL_LOG_WARNING,
	IPBL_LOG_NOTICE,
	IPBL_LOG_INFO,
	IPBL_LOG_DEBUG,
};

/* Set the most verbose level written (default IPBL_LOG_INFO). Call before starting threads. */
void ipbl_log_set_level(enum ipbl_log_level level);

/* Parse "err", "warning", "notice", "info" or "debug". Returns 0 or IPBL_EINVAL. */
int ipbl_log_level_parse(const char *name, enum ipbl_log_level *out);

/* Prefix every line with this program name ("ipbld"), or NULL for none. Borrowed pointer. */
void ipbl_log_set_ident(const char *ident);

bool ipbl_log_enabled(enum ipbl_log_level level);

void ipbl_log_write(enum ipbl_log_level level, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifndef LOG_TAG
#error "define LOG_TAG before including lib/log.h"
#endif

#define ipbl_log_err(...) ipbl_log_write(IPBL_LOG_ERR, LOG_TAG, __VA_ARGS__)
#define ipbl_log_warning(...) ipbl_log_write(IPBL_LOG_WARNING, LOG_TAG, __VA_ARGS__)
#define ipbl_log_notice(...) ipbl_log_write(IPBL_LOG_NOTICE, LOG_TAG, __VA_ARGS__)
#define ipbl_log_info(...) ipbl_log_write(IPBL_LOG_INFO, LOG_TAG, __VA_ARGS__)
#define ipbl_log_debug(...)                                                                        \
	do {                                                                                       \
		if (ipbl_log_enabled(IPBL_LOG_DEBUG)) {                                            \
			ipbl_log_write(IPBL_LOG_DEBUG, LOG_TAG, __VA_ARGS__);                      \
		}                                                                                  \
	} while (0)
