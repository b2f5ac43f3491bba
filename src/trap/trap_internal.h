/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared between trap.c (settings, sockets, life cycle) and listener.c (the event loop). */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/ipaddr.h"
#include "trap/addrs.h"
#include "trap/session.h"
#include "trap/stats.h"
#include "trap/trap.h"

#define TRAP_LISTEN_MAX 16

typedef struct trap_loop trap_loop_t;

struct trap {
	const ipbl_conf_t *conf; /* borrowed */
	ipbl_clock_t *clock;	 /* borrowed: receive times in the spool */
	char *spool_dir;
	char *hostname;
	trap_addrs_t *addrs;
	ipbl_prefix_t *proxy_from; /* peers allowed to pass another address */
	size_t n_proxy_from;
	trap_session_conf_t sconf;
	unsigned max_sessions;
	unsigned max_sessions_per_ip;
	long long idle_timeout_ms;
	long long session_timeout_ms;
	int fds[TRAP_LISTEN_MAX]; /* listening sockets until the loop takes them (-1 after) */
	ipbl_conf_addr_t bound[TRAP_LISTEN_MAX];
	size_t n_listen;
	int stop_fd; /* wake-up descriptor that stops the loop */
	trap_stats_t stats;
	_Atomic unsigned n_active; /* open sessions, for the stats line */
	trap_loop_t *loop;	   /* while running */
	pthread_t thread;
	bool running;
};

/* True when peer may send a PROXY header or XCLIENT. */
bool trap_proxy_allowed(const trap_t *t, const ipbl_ipaddr_t *peer);

/* listener.c: create the loop over t->fds and start its thread; stop and free it. */
int trap_listener_start(trap_t *t) IPBL_MUSTCHECK;
void trap_listener_stop(trap_t *t);
