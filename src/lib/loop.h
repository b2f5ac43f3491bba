/* SPDX-License-Identifier: BSD-2-Clause */
/* Readiness polling and wake-up descriptors for worker threads (epoll and eventfd on Linux).
 * Kept here with net.c so that the Linux-only calls live in two files. */
#pragma once

#include <stdint.h>

#include "lib/err.h"

typedef struct {
	int fd;
} ipbl_poller_t;

/* Returns 0 or IPBL_E*. */
int ipbl_poller_init(ipbl_poller_t *p) IPBL_MUSTCHECK;
void ipbl_poller_fini(ipbl_poller_t *p);

/* Watch fd for readability; tag comes back from ipbl_poller_wait. */
int ipbl_poller_add(ipbl_poller_t *p, int fd, uint32_t tag) IPBL_MUSTCHECK;

/* Wait up to timeout_ms (-1 = forever) and fill up to max tags of readable descriptors.
 * Returns the count (0 on timeout or interruption) or IPBL_E*. */
int ipbl_poller_wait(ipbl_poller_t *p, uint32_t *tags, int max, int timeout_ms);

/* A descriptor that becomes readable, and stays so, once ipbl_wakeup_fire is called: used to
 * stop threads. Returns the fd or IPBL_E*. */
int ipbl_wakeup_new(void);
void ipbl_wakeup_fire(int fd);

/* Lower the calling thread's scheduling priority (nice 19) so that heavy control work, such
 * as rebuilding a snapshot, yields the CPU to the threads that answer queries. Threads
 * created earlier keep theirs. Returns 0 or IPBL_E*. */
int ipbl_thread_lower_priority(void) IPBL_MUSTCHECK;
