/* SPDX-License-Identifier: BSD-2-Clause */
/* State shared by the files of the DNS component. Only src/dnsd/ includes this. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dnsd/answer.h"
#include "dnsd/dnsd.h"
#include "dnsd/stats.h"

#define DNSD_LISTEN_MAX 16
#define DNSD_DATA_MAX 64

typedef struct dnsd_udp_worker dnsd_udp_worker_t;
typedef struct dnsd_tcp dnsd_tcp_t;

typedef struct {
	char *path;
	int type; /* enum zone_rbldnsd_type */
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns;
	bool seen; /* stat info above is valid */
} dnsd_data_file_t;

/* Concurrency: zone is immutable after dnsd_new. snap is published by the control thread
 * with rcu_xchg_pointer and read by workers under rcu_read_lock. Each worker writes only its
 * own stats block (stats[i] for UDP worker i, stats[n_workers] for TCP). */
struct dnsd {
	const ipbl_conf_t *conf;
	dnsd_zone_t zone;
	zone_snapshot_t *snap; /* RCU-protected */
	char grace;	       /* only its address matters: the grace-period edge for TSan */

	ipbl_conf_addr_t addrs[DNSD_LISTEN_MAX]; /* with the ports actually bound */
	size_t n_addrs;
	int *udp_fds; /* [worker * n_addrs + addr] */
	int tcp_fds[DNSD_LISTEN_MAX];
	unsigned n_workers;
	dnsd_udp_worker_t *workers;
	dnsd_stats_t *stats; /* n_workers + 1 */
	int stop_fd;
	dnsd_tcp_t *tcp;
	bool started;

	dnsd_source_fn source; /* may be NULL */
	void *source_arg;
	zone_builder_t *base; /* the data files as last parsed; each snapshot adds the source */
	uint32_t base_value;  /* the default answer's value id in base */
	/* the data files alone, for the lookup page ("listed by a data file as part of ..."):
	 * replaced by the control thread, read by web threads, both under files_lock */
	pthread_mutex_t files_lock;
	zone_snapshot_t *files_snap; /* NULL when there are no data files */

	dnsd_data_file_t data[DNSD_DATA_MAX];
	size_t n_data;
	uint32_t default_a;
	long long reload_interval_ms;
	int tcp_max_clients;
	long long tcp_idle_timeout_ms;
};

int dnsd_udp_start(dnsd_t *d) IPBL_MUSTCHECK;
void dnsd_udp_stop(dnsd_t *d);
int dnsd_tcp_start(dnsd_t *d) IPBL_MUSTCHECK;
void dnsd_tcp_stop(dnsd_t *d);

/* Parse the [dns] data list. Returns 0 or IPBL_ECONF (logged). */
int dnsd_loader_init(dnsd_t *d) IPBL_MUSTCHECK;
/* Rebuild from the data files when changed (or force). Returns 0, or IPBL_E* when the files
 * could not be loaded (logged; the current snapshot stays). */
int dnsd_loader_run(dnsd_t *d, bool force) IPBL_MUSTCHECK;
void dnsd_loader_fini(dnsd_t *d);
/* Rebuild from the parsed files and the source, without reading the files. */
int dnsd_loader_source_changed(dnsd_t *d) IPBL_MUSTCHECK;
