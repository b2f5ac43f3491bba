/* SPDX-License-Identifier: BSD-2-Clause */
/* The slow-work thread: runs what is too slow for a server thread (a deputy login's argon2id
 * check, tens of milliseconds of CPU and 64 MiB) one job at a time, so that the server
 * threads go on answering lookups meanwhile, and the memory such checks take at once stays
 * bounded. The glue (web.c) suspends the request's connection, submits the job, and resumes
 * the connection from the job's done callback. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct web_slow_pool web_slow_pool_t;

/* Both run on the slow-work thread: work(arg), then done(arg). */
typedef void (*web_slow_fn)(void *arg);

/* Start the thread; max_queued bounds the jobs waiting. Returns 0 or an IPBL_E* code. */
int web_slow_pool_start(size_t max_queued, web_slow_pool_t **out);

/* Queue a job: work(arg) then done(arg), on the slow-work thread. Returns false (and calls
 * nothing) when max_queued jobs are already waiting or the pool is stopping. */
bool web_slow_pool_submit(web_slow_pool_t *p, web_slow_fn work, web_slow_fn done, void *arg);

/* Run what is queued, then end the thread; from then on web_slow_pool_submit says no. The
 * pool stays valid (submit may still be called) until web_slow_pool_free. Idempotent; NULL is
 * allowed. */
void web_slow_pool_stop(web_slow_pool_t *p);

/* Stop the pool (as above) and free it. NULL is allowed. */
void web_slow_pool_free(web_slow_pool_t *p);
