/* SPDX-License-Identifier: BSD-2-Clause */
/* The time every component of ipbl sees: the system clock, or, when [testing] manual_clock is
 * on, a manual clock kept in a small shared file (DATA_DIR/clock) that only `ipbl clock set`
 * and `ipbl clock advance` move. Pure code takes time as a parameter; only the edges read
 * this. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

typedef struct ipbl_clock ipbl_clock_t;

/* The system clock (never fails; free with ipbl_clock_free). */
ipbl_clock_t *ipbl_clock_system(void);

/* The manual clock stored at path, created at the current system time if absent. Several
 * processes may open the same file; they all see one time. Returns 0 or IPBL_E*. */
int ipbl_clock_manual_open(const char *path, ipbl_clock_t **out) IPBL_MUSTCHECK;

void ipbl_clock_free(ipbl_clock_t *c);

bool ipbl_clock_is_manual(const ipbl_clock_t *c);

/* Milliseconds since the Unix epoch. Any thread. */
int64_t ipbl_clock_now_ms(const ipbl_clock_t *c);

/* Move a manual clock (IPBL_EINVAL on the system clock). Any process. */
int ipbl_clock_set_ms(ipbl_clock_t *c, int64_t ms) IPBL_MUSTCHECK;
int ipbl_clock_advance_ms(ipbl_clock_t *c, int64_t delta_ms) IPBL_MUSTCHECK;

/* Parse an RFC 3339 UTC time ("2026-11-22T07:30:00Z", fraction allowed) or "@SECONDS".
 * Returns 0 or IPBL_EPARSE. */
int ipbl_clock_parse_time(const char *text, int64_t *ms_out) IPBL_MUSTCHECK;

/* Format ms as RFC 3339 UTC ("2026-11-22T07:30:00Z") into buf of at least 32 bytes. */
char *ipbl_clock_format(int64_t ms, char *buf);
