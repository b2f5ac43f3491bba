/* SPDX-License-Identifier: BSD-2-Clause */
/* UDP workers.
 *
 * DESIGN
 * Each worker thread owns one SO_REUSEPORT socket per listen address (the kernel spreads
 * clients over them), its receive and answer buffers, and its stats block: nothing is shared
 * on the query path but the snapshot pointer. A worker waits for readability, then drains a
 * socket in batches of DNSD_UDP_BATCH with recvmmsg, answers the whole batch inside one RCU
 * read section, and sends the answers with one sendmmsg. No allocation, no lock, no log per
 * query. */
#include "dnsd/dnsd_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/loop.h"
#include "lib/net.h"
#include "lib/rcu.h"

#define LOG_TAG "dns"
#include "lib/log.h"

#define DNSD_UDP_BATCH 64
#define DNSD_UDP_RX_MAX 4096u /* larger datagrams are not DNS queries we answer */
#define DNSD_UDP_TX_MAX 4096u /* >= the largest edns_udp_size */
#define STOP_TAG 0xffffffffu

struct dnsd_udp_worker {
	dnsd_t *d;
	unsigned index;
	pthread_t thread;
	bool running;
	ipbl_poller_t poller;
	struct mmsghdr rx[DNSD_UDP_BATCH];
	struct mmsghdr tx[DNSD_UDP_BATCH];
	struct iovec rx_iov[DNSD_UDP_BATCH];
	struct iovec tx_iov[DNSD_UDP_BATCH];
	struct sockaddr_storage peer[DNSD_UDP_BATCH];
	uint8_t rx_buf[DNSD_UDP_BATCH][DNSD_UDP_RX_MAX];
	uint8_t tx_buf[DNSD_UDP_BATCH][DNSD_UDP_TX_MAX];
};

static void worker_prepare(dnsd_udp_worker_t *w)
{
	for (unsigned i = 0; i < DNSD_UDP_BATCH; i++) {
		w->rx_iov[i] = (struct iovec){ w->rx_buf[i], DNSD_UDP_RX_MAX };
		w->rx[i].msg_hdr = (struct msghdr){
			.msg_name = &w->peer[i],
			.msg_namelen = sizeof(w->peer[i]),
			.msg_iov = &w->rx_iov[i],
			.msg_iovlen = 1,
		};
	}
}

/* Answer one batch already received into rx[0..n); returns how many answers to send. */
static unsigned answer_batch(dnsd_udp_worker_t *w, unsigned n)
{
	dnsd_t *d = w->d;
	dnsd_stats_t *stats = &d->stats[w->index];
	unsigned out = 0;
	rcu_read_lock();
	const zone_snapshot_t *snap = ipbl_rcu_read(&d->snap);
	for (unsigned i = 0; i < n; i++) {
		struct msghdr *h = &w->rx[i].msg_hdr;
		dnsd_answer_info_t info;
		size_t len = 0;
		if (h->msg_flags & MSG_TRUNC) {
			info = (dnsd_answer_info_t){ .dropped = true };
		} else {
			len = dnsd_answer(&d->zone, snap, w->rx_buf[i], w->rx[i].msg_len,
					  w->tx_buf[out], DNSD_UDP_TX_MAX, false, &info);
		}
		dnsd_stats_count(stats, &info, false);
		if (len == 0) {
			continue;
		}
		w->tx_iov[out] = (struct iovec){ w->tx_buf[out], len };
		w->tx[out].msg_hdr = (struct msghdr){
			.msg_name = h->msg_name,
			.msg_namelen = h->msg_namelen,
			.msg_iov = &w->tx_iov[out],
			.msg_iovlen = 1,
		};
		out++;
	}
	ipbl_rcu_read_done(&d->grace);
	return out;
}

/* Drain one socket. */
static void serve_socket(dnsd_udp_worker_t *w, int fd)
{
	for (unsigned rounds = 0; rounds < 64; rounds++) {
		for (unsigned i = 0; i < DNSD_UDP_BATCH; i++) {
			w->rx[i].msg_hdr.msg_namelen = sizeof(w->peer[i]);
			w->rx[i].msg_hdr.msg_flags = 0;
		}
		int n = ipbl_net_recv_batch(fd, w->rx, DNSD_UDP_BATCH);
		if (n <= 0) {
			return;
		}
		unsigned out = answer_batch(w, (unsigned)n);
		for (unsigned sent = 0; sent < out;) {
			int r = ipbl_net_send_batch(fd, w->tx + sent, out - sent);
			if (r <= 0) {
				break; /* the client retries; a full socket buffer is not worth
					  blocking */
			}
			sent += (unsigned)r;
		}
		if ((unsigned)n < DNSD_UDP_BATCH) {
			return;
		}
	}
}

static void *worker_main(void *arg)
{
	dnsd_udp_worker_t *w = arg;
	dnsd_t *d = w->d;
	rcu_register_thread();
	for (;;) {
		uint32_t tags[16];
		int n = ipbl_poller_wait(&w->poller, tags, 16, -1);
		if (n < 0) {
			ipbl_log_err("worker %u: poll failed (%s)", w->index, ipbl_strerror(n));
			break;
		}
		bool stop = false;
		for (int i = 0; i < n; i++) {
			if (tags[i] == STOP_TAG) {
				stop = true;
			} else {
				serve_socket(w, d->udp_fds[w->index * d->n_addrs + tags[i]]);
			}
		}
		if (stop) {
			break;
		}
	}
	rcu_unregister_thread();
	return NULL;
}

int dnsd_udp_start(dnsd_t *d)
{
	d->workers = calloc(d->n_workers, sizeof(dnsd_udp_worker_t));
	if (d->workers == NULL) {
		return IPBL_ENOMEM;
	}
	for (unsigned i = 0; i < d->n_workers; i++) {
		dnsd_udp_worker_t *w = &d->workers[i];
		w->d = d;
		w->index = i;
		worker_prepare(w);
		int ret = ipbl_poller_init(&w->poller);
		for (size_t a = 0; ret == 0 && a < d->n_addrs; a++) {
			ret = ipbl_poller_add(&w->poller, d->udp_fds[i * d->n_addrs + a],
					      (uint32_t)a);
		}
		if (ret == 0) {
			ret = ipbl_poller_add(&w->poller, d->stop_fd, STOP_TAG);
		}
		if (ret == 0) {
			ret = -pthread_create(&w->thread, NULL, worker_main, w);
		}
		if (ret != 0) {
			ipbl_log_err("cannot start UDP worker %u (%s)", i, ipbl_strerror(ret));
			ipbl_poller_fini(&w->poller);
			return ret;
		}
		w->running = true;
	}
	return 0;
}

void dnsd_udp_stop(dnsd_t *d)
{
	if (d->workers == NULL) {
		return;
	}
	ipbl_wakeup_fire(d->stop_fd);
	for (unsigned i = 0; i < d->n_workers; i++) {
		dnsd_udp_worker_t *w = &d->workers[i];
		if (w->running) {
			pthread_join(w->thread, NULL);
			ipbl_poller_fini(&w->poller);
		}
	}
	free(d->workers);
	d->workers = NULL;
}
