/* SPDX-License-Identifier: BSD-2-Clause */
/* The DNS component's life cycle: settings, sockets, threads, snapshot publication. */
#include "dnsd/dnsd_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cpu.h"
#include "lib/loop.h"
#include "lib/mem.h"
#include "lib/net.h"
#include "lib/rcu.h"

#define LOG_TAG "dns"
#include "lib/log.h"

#define DEFAULT_A 0x7f000002u /* 127.0.0.2 */
#define BIND_TRIES 20

static uint32_t seconds(long long ms)
{
	return (uint32_t)(ms / 1000);
}

static int zone_from_conf(dnsd_t *d)
{
	const ipbl_conf_t *c = d->conf;
	const char *ns[DNSD_NS_MAX];
	size_t n_ns = ipbl_conf_count(c, "dns", "ns");
	if (n_ns > DNSD_NS_MAX) {
		ipbl_log_err("%s: [dns] ns: at most %d name servers", ipbl_conf_path(c),
			     DNSD_NS_MAX);
		return IPBL_ECONF;
	}
	for (size_t i = 0; i < n_ns; i++) {
		ns[i] = ipbl_conf_str_at(c, "dns", "ns", i);
	}
	char txt[DNSD_TXT_MAX];
	ipbl_conf_dns_txt(c, txt, sizeof(txt));
	dnsd_zone_params_t p = {
		.zone = ipbl_conf_str(c, "dns", "zone"),
		.txt = txt,
		.ns = ns,
		.n_ns = (unsigned)n_ns,
		.soa_mname = ipbl_conf_str(c, "dns", "soa_mname"),
		.soa_rname = ipbl_conf_str(c, "dns", "soa_rname"),
		.ttl_s = seconds(ipbl_conf_duration_ms(c, "dns", "ttl")),
		.negative_ttl_s = seconds(ipbl_conf_duration_ms(c, "dns", "negative_ttl")),
		.refresh_s = seconds(ipbl_conf_duration_ms(c, "dns", "soa_refresh")),
		.retry_s = seconds(ipbl_conf_duration_ms(c, "dns", "soa_retry")),
		.expire_s = seconds(ipbl_conf_duration_ms(c, "dns", "soa_expire")),
		.edns_udp_size = (uint16_t)ipbl_conf_int(c, "dns", "edns_udp_size"),
	};
	char err[256];
	if (dnsd_zone_init(&d->zone, &p, err, sizeof(err)) != 0) {
		ipbl_log_err("%s: [dns]: %s", ipbl_conf_path(c), err);
		return IPBL_ECONF;
	}
	return 0;
}

/* Bind UDP for worker 0 and TCP on the same port; with port 0 the kernel picks the UDP port
 * and TCP may find it taken, so try again with another. */
static int bind_first(dnsd_t *d, size_t a)
{
	ipbl_conf_addr_t want = d->addrs[a];
	int ret = 0;
	for (int attempt = 0; attempt < BIND_TRIES; attempt++) {
		ipbl_conf_addr_t got = want;
		int ufd = -1;
		ret = ipbl_net_udp_bind(&want, true, &ufd);
		if (ret == 0) {
			ret = ipbl_net_local_port(ufd, &got.port);
		}
		int tfd = -1;
		if (ret == 0) {
			ret = ipbl_net_tcp_listen(&got, 128, &tfd);
		}
		if (ret == 0) {
			d->udp_fds[a] = ufd;
			d->tcp_fds[a] = tfd;
			d->addrs[a] = got;
			return 0;
		}
		if (ufd >= 0) {
			close(ufd);
		}
		if (want.port != 0 || ret != IPBL_EADDRINUSE) {
			break;
		}
	}
	return ret;
}

static int bind_all(dnsd_t *d)
{
	size_t n = 0;
	const ipbl_conf_addr_t *addrs = ipbl_conf_addrs(d->conf, "dns", "listen", &n);
	if (n == 0 || n > DNSD_LISTEN_MAX) {
		ipbl_log_err("[dns] listen: give 1 to %d addresses", DNSD_LISTEN_MAX);
		return IPBL_ECONF;
	}
	memcpy(d->addrs, addrs, n * sizeof(*addrs));
	d->n_addrs = n;
	d->udp_fds = ipbl_xcalloc(d->n_workers * n, sizeof(int));
	for (size_t i = 0; i < d->n_workers * n; i++) {
		d->udp_fds[i] = -1;
	}
	for (size_t a = 0; a < n; a++) {
		char text[IPBL_CONF_ADDR_STRLEN];
		ipbl_conf_addr_format(&d->addrs[a], text);
		int ret = bind_first(d, a);
		for (unsigned w = 1; ret == 0 && w < d->n_workers; w++) {
			ret = ipbl_net_udp_bind(&d->addrs[a], true, &d->udp_fds[w * n + a]);
		}
		if (ret != 0) {
			ipbl_log_err("cannot listen on %s (%s)", text, ipbl_strerror(ret));
			return ret;
		}
		ipbl_conf_addr_format(&d->addrs[a], text);
		ipbl_log_info("listening udp=%s tcp=%s workers=%u", text, text, d->n_workers);
	}
	return 0;
}

int dnsd_new(const ipbl_conf_t *conf, dnsd_t **out)
{
	dnsd_t *d = ipbl_xcalloc(1, sizeof(*d));
	d->conf = conf;
	d->stop_fd = -1;
	pthread_mutex_init(&d->files_lock, NULL);
	for (size_t i = 0; i < DNSD_LISTEN_MAX; i++) {
		d->tcp_fds[i] = -1;
	}
	long long workers = ipbl_conf_int(conf, "dns", "workers");
	if (workers == 0) {
		workers = ipbl_cpu_count();
	}
	d->n_workers = (unsigned)workers;
	d->stats = ipbl_xcalloc(d->n_workers + 1, sizeof(dnsd_stats_t));
	d->default_a = DEFAULT_A;
	d->reload_interval_ms = ipbl_conf_duration_ms(conf, "dns", "reload_interval");
	d->tcp_max_clients = (int)ipbl_conf_int(conf, "dns", "tcp_max_clients");
	d->tcp_idle_timeout_ms = ipbl_conf_duration_ms(conf, "dns", "tcp_idle_timeout");

	int ret = zone_from_conf(d);
	if (ret == 0) {
		ret = dnsd_loader_init(d);
	}
	if (ret == 0) {
		d->stop_fd = ipbl_wakeup_new();
		ret = d->stop_fd < 0 ? d->stop_fd : 0;
	}
	if (ret == 0) {
		ret = bind_all(d);
	}
	if (ret == 0) {
		ret = dnsd_loader_run(d, true);
	}
	if (ret != 0) {
		dnsd_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

int dnsd_start(dnsd_t *d)
{
	int ret = dnsd_udp_start(d);
	if (ret == 0) {
		ret = dnsd_tcp_start(d);
	}
	if (ret != 0) {
		ipbl_log_err("cannot start the DNS threads (%s)", ipbl_strerror(ret));
		dnsd_stop(d);
		return ret;
	}
	d->started = true;
	/* the caller's thread rebuilds snapshots: let the answering threads go first */
	ret = ipbl_thread_lower_priority();
	if (ret != 0) {
		ipbl_log_warning("cannot lower the loader's priority (%s)", ipbl_strerror(ret));
	}
	return 0;
}

void dnsd_reload(dnsd_t *d, bool force)
{
	if (dnsd_loader_run(d, force) != 0) {
		return; /* logged; the current snapshot keeps serving */
	}
}

void dnsd_source_changed(dnsd_t *d)
{
	if (dnsd_loader_source_changed(d) != 0) {
		return; /* logged; the current snapshot keeps serving */
	}
}

void dnsd_publish(dnsd_t *d, zone_snapshot_t *snap)
{
	zone_snapshot_t *old = ipbl_rcu_publish(&d->snap, snap);
	if (old != NULL) {
		/* workers that still read old finish their batch first; the free happens here,
		 * on the control thread, never on a worker */
		ipbl_rcu_wait_readers(&d->grace);
		zone_snapshot_unref(old);
	}
}

long long dnsd_reload_interval_ms(const dnsd_t *d)
{
	return d->reload_interval_ms;
}

void dnsd_format_listen(const dnsd_t *d, ipbl_buf_t *b)
{
	for (size_t a = 0; a < d->n_addrs; a++) {
		char text[IPBL_CONF_ADDR_STRLEN];
		ipbl_buf_printf(b, "%s%s", a ? "," : "", ipbl_conf_addr_format(&d->addrs[a], text));
	}
}

void dnsd_write_metrics(dnsd_t *d, ipbl_buf_t *b)
{
	dnsd_stats_totals_t t;
	dnsd_stats_sum(d->stats, d->n_workers + 1, &t);
	dnsd_stats_prometheus(&t, b);
}

void dnsd_log_stats(dnsd_t *d)
{
	dnsd_stats_totals_t t;
	dnsd_stats_sum(d->stats, d->n_workers + 1, &t);
	char line[1024];
	ipbl_buf_t b;
	ipbl_buf_init(&b, line, sizeof(line));
	dnsd_stats_format(&t, &b);
	ipbl_log_notice("stats %s serial=%u", line, d->snap ? zone_snapshot_serial(d->snap) : 0);
}

void dnsd_stop(dnsd_t *d)
{
	dnsd_udp_stop(d);
	dnsd_tcp_stop(d);
	d->started = false;
}

void dnsd_free(dnsd_t *d)
{
	if (d == NULL) {
		return;
	}
	dnsd_stop(d);
	if (d->udp_fds) {
		for (size_t i = 0; i < d->n_workers * d->n_addrs; i++) {
			if (d->udp_fds[i] >= 0) {
				close(d->udp_fds[i]);
			}
		}
		free(d->udp_fds);
	}
	for (size_t i = 0; i < DNSD_LISTEN_MAX; i++) {
		if (d->tcp_fds[i] >= 0) {
			close(d->tcp_fds[i]);
		}
	}
	if (d->stop_fd >= 0) {
		close(d->stop_fd);
	}
	zone_snapshot_unref(d->snap);
	dnsd_loader_fini(d);
	pthread_mutex_destroy(&d->files_lock);
	free(d->stats);
	free(d);
}
