/* SPDX-License-Identifier: BSD-2-Clause */
/* The spamtrap SMTP listener, the [trap] component: accepts mail for the trap addresses on
 * one libevent thread and spools each accepted message (trap/spool.h) for the engine. See
 * docs/trap.md for the behaviour and every limit. */
#pragma once

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/err.h"

typedef struct trap trap_t;

/* Check [trap] of conf, bind every listen address (port 0 = any free port), create the spool
 * directories (DATA_DIR/spool/trap/{tmp,new,bad}). conf and clock are borrowed until
 * trap_free. Logs the reason and returns IPBL_E* on failure (IPBL_ECONF for a bad setting). */
int trap_new(const ipbl_conf_t *conf, ipbl_clock_t *clock, trap_t **out) IPBL_MUSTCHECK;

/* Start the event-loop thread. The caller should have every signal blocked, so the thread
 * inherits that mask, and SIGPIPE ignored (a client that vanishes is then an error code, not
 * a signal), as ipbld does. Returns 0 or IPBL_E*. */
int trap_start(trap_t *t) IPBL_MUSTCHECK;

/* The bound addresses, "127.0.0.1:2525,[::1]:2525", appended to b. Any thread. */
void trap_format_listen(const trap_t *t, ipbl_buf_t *b);

/* Stop accepting, end every session with 421 (an unfinished message is not spooled) and join
 * the thread. Idempotent; trap_free calls it too. */
void trap_stop(trap_t *t);

/* Free everything (stops first if needed). NULL is a no-op. */
void trap_free(trap_t *t);

/* Log one line with the counters (sessions, messages, refusals per limit). Any thread. */
void trap_log_stats(trap_t *t);
