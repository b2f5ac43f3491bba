/* SPDX-License-Identifier: BSD-2-Clause */
/* The web component: the lookup page, the JSON API (lookups and spam reports), the bounce
 * explainer, /metrics and /healthz over HTTP, on libmicrohttpd. Each [web] listen address
 * gets one server thread that owns its own store connection and engine (neither is
 * thread-safe), so requests never share them. HTTPS is left to a reverse proxy. The control
 * side (new, start, stop, free) runs on the caller's thread. */
#pragma once

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/err.h"
#include "lib/ipaddr.h"
#include "zone/snapshot.h"

typedef struct web web_t;

/* Check the [web] settings, open the clock, a store connection and an engine for each server
 * thread of each listen address, and
 * bind every listen address (port 0 picks a free port; the bound port is logged). Borrows
 * conf until web_free. Logs and returns IPBL_E* on failure (nothing is left open). */
int web_new(const ipbl_conf_t *conf, web_t **out) IPBL_MUSTCHECK;

/* Other components' counters on /metrics: fn appends Prometheus text (with its HELP and
 * TYPE lines) to b; it runs on a server thread, so it may only read what is safe to read
 * from any thread (atomics). Set before web_start. */
typedef void (*web_metrics_fn)(void *arg, ipbl_buf_t *b);
void web_set_metrics_hook(web_t *w, web_metrics_fn fn, void *arg);

/* The data files the DNS component serves besides the engine's listings: fn says what they
 * list at ip (lookup page, API). It runs on server threads, so it must be thread-safe. Set
 * before web_start; without it lookups show only the engine's records. */
typedef void (*web_file_match_fn)(void *arg, const ipbl_ipaddr_t *ip, zone_match_t *out);
void web_set_file_match_hook(web_t *w, web_file_match_fn fn, void *arg);

/* Start serving: [web] threads server threads per listen address and the slow-work thread.
 * Call with every signal blocked (the threads inherit the mask). */
int web_start(web_t *w) IPBL_MUSTCHECK;

/* "127.0.0.1:8080,[::1]:8080": the bound listen addresses. */
void web_format_listen(const web_t *w, ipbl_buf_t *b);

/* Stop accepting connections, give requests in flight a moment to finish, then stop the
 * threads and wait for them. Safe to call twice, or without web_start. */
void web_stop(web_t *w);

/* Stop if needed and release everything. NULL is a no-op. */
void web_free(web_t *w);
