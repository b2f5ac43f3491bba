/* SPDX-License-Identifier: BSD-2-Clause */
/* The DNS component: binds the [dns] listen addresses, loads the data files into a snapshot,
 * and answers over UDP (one SO_REUSEPORT socket per worker thread and address) and TCP (one
 * event-loop thread). The control side (start, reload, stats, stop) runs on the caller's
 * thread. Never touches the store. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/err.h"
#include "zone/builder.h"
#include "zone/snapshot.h"

typedef struct dnsd dnsd_t;

/* Check the [dns] settings, bind every listen address (UDP and TCP; port 0 picks a free
 * port, the same for both) and load the data files. Borrows conf until dnsd_free. Logs and
 * returns IPBL_E* on failure. */
int dnsd_new(const ipbl_conf_t *conf, dnsd_t **out) IPBL_MUSTCHECK;

/* Start the worker threads. Call with every signal blocked (the threads inherit the mask). */
int dnsd_start(dnsd_t *d) IPBL_MUSTCHECK;

/* Check the data files and rebuild when one changed (force: rebuild anyway). A bad file is
 * logged and the current snapshot keeps serving. Control thread only. */
void dnsd_reload(dnsd_t *d, bool force);

/* Publish a snapshot built elsewhere (takes ownership of snap). Control thread only. */
void dnsd_publish(dnsd_t *d, zone_snapshot_t *snap);

/* A source of entries besides the data files (the engine's listed addresses): called on
 * the control thread for every rebuild, it adds entries to b with value_id (the zone's
 * default answer: 127.0.0.2 and the [dns] txt template). Returns 0 or IPBL_E*. */
typedef int (*dnsd_source_fn)(void *arg, zone_builder_t *b, uint32_t value_id);
void dnsd_set_source(dnsd_t *d, dnsd_source_fn fn, void *arg);

/* The source's entries changed: publish a snapshot of the data files as last read plus the
 * source (the files are not read again: that waits for the reload timer or SIGHUP). A
 * failure is logged and the current snapshot keeps serving. Control thread only. */
void dnsd_source_changed(dnsd_t *d);

/* What the [dns] data files (as last loaded, without the engine's listings) say of ip:
 * whether one lists it, with which A value and as part of which range. Any thread. */
void dnsd_file_match(dnsd_t *d, const ipbl_ipaddr_t *ip, zone_match_t *out);

/* How often dnsd_reload should be called, in milliseconds. */
long long dnsd_reload_interval_ms(const dnsd_t *d);

/* "127.0.0.1:5353,[::1]:5353": the bound listen addresses. */
void dnsd_format_listen(const dnsd_t *d, ipbl_buf_t *b);

/* The DNS counters in Prometheus text format (HELP/TYPE lines included) appended to b:
 * ipbl_dns_queries_total{rcode=...}, {qtype=...}, truncated, dropped, over TCP. Any thread. */
void dnsd_write_metrics(dnsd_t *d, ipbl_buf_t *b);

/* Log one line of summed counters. */
void dnsd_log_stats(dnsd_t *d);

/* Stop the threads (in-flight batches finish) and wait for them. */
void dnsd_stop(dnsd_t *d);

void dnsd_free(dnsd_t *d);
