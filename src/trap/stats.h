/* SPDX-License-Identifier: BSD-2-Clause */
/* The trap's counters: incremented by the event-loop thread (relaxed atomics, so any thread
 * may read them for the stats line), named once in an X-macro so the log line cannot drift. */
#pragma once

#include <stdatomic.h>
#include <stdint.h>

/* name, what it counts */
#define TRAP_STATS_MAP(X)                                                                          \
	X(sessions, "sessions accepted")                                                           \
	X(refused_sessions, "connections refused at max_sessions")                                 \
	X(refused_per_ip, "connections refused at max_sessions_per_ip")                            \
	X(proxy, "PROXY headers accepted")                                                         \
	X(proxy_refused, "PROXY headers refused (peer not in proxy_from, or malformed)")           \
	X(xclient, "XCLIENT commands accepted")                                                    \
	X(xclient_refused, "XCLIENT commands refused")                                             \
	X(messages, "messages spooled")                                                            \
	X(message_bytes, "bytes of spooled messages")                                              \
	X(spool_errors, "messages answered 451 because the spool failed")                          \
	X(rcpt_rejected, "recipients refused with 550 (not a trap address)")                       \
	X(too_many_rcpts, "recipients refused with 452 at max_recipients")                         \
	X(too_big, "messages refused with 552 at max_message_size")                                \
	X(long_lines, "command lines refused for length")                                          \
	X(long_data_lines, "messages refused for a line over 1000 octets")                         \
	X(bare_lf, "commands or messages refused for a bare LF")                                   \
	X(max_errors, "sessions closed at max_errors")                                             \
	X(max_commands, "sessions closed at max_commands_before_mail")                             \
	X(idle_timeouts, "sessions closed at idle_timeout")                                        \
	X(session_timeouts, "sessions closed at session_timeout")                                  \
	X(vanished_in_data, "connections lost during DATA (nothing spooled)")

typedef struct {
#define TRAP_STATS_FIELD(name, help) _Atomic uint64_t name;
	TRAP_STATS_MAP(TRAP_STATS_FIELD)
#undef TRAP_STATS_FIELD
} trap_stats_t;

#define TRAP_STATS_ADD(st, field, n)                                                               \
	do {                                                                                       \
		if ((st) != NULL) {                                                                \
			atomic_fetch_add_explicit(&(st)->field, (uint64_t)(n),                     \
						  memory_order_relaxed);                           \
		}                                                                                  \
	} while (0)
#define TRAP_STATS_INC(st, field) TRAP_STATS_ADD(st, field, 1)

static inline uint64_t trap_stats_get(const _Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}
