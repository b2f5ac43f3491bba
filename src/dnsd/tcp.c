/* SPDX-License-Identifier: BSD-2-Clause */
/* DNS over TCP (RFC 1035 §4.2.2, RFC 7766): one libevent thread serves every connection.
 * Messages carry a two-byte length; several may arrive in one segment (pipelining) or one
 * may arrive over many; answers go back in order. Limits: tcp_max_clients connections at
 * once, an idle timeout, and a cap on unsent output per connection (a client that does not
 * read stops being read). */
#include "dnsd/dnsd_internal.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/loop.h"
#include "lib/rcu.h"

#define LOG_TAG "dns"
#include "lib/log.h"

#define TCP_OUT_MAX (256 * 1024) /* unsent bytes before we stop reading a connection */

typedef struct conn conn_t;
struct conn {
	struct bufferevent *bev;
	dnsd_tcp_t *t;
	conn_t *prev;
	conn_t *next;
};

struct dnsd_tcp {
	dnsd_t *d;
	struct event_base *base;
	struct evconnlistener *listeners[DNSD_LISTEN_MAX];
	size_t n_listeners;
	struct event *stop_ev;
	pthread_t thread;
	bool running;
	int n_clients;
	conn_t *conns; /* open connections, to close them at stop */
	uint8_t query[DNS_MSG_MAX];
	uint8_t answer[2 + DNS_MSG_MAX];
};

static void conn_close(conn_t *c)
{
	dnsd_tcp_t *t = c->t;
	if (c->prev) {
		c->prev->next = c->next;
	} else {
		t->conns = c->next;
	}
	if (c->next) {
		c->next->prev = c->prev;
	}
	bufferevent_free(c->bev);
	free(c);
	t->n_clients--;
}

/* Answer every complete message in the input buffer. Returns false to close. */
static bool conn_serve(struct bufferevent *bev, dnsd_tcp_t *t)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);
	dnsd_t *d = t->d;
	while (evbuffer_get_length(out) < TCP_OUT_MAX) {
		uint8_t lenbuf[2];
		if (evbuffer_copyout(in, lenbuf, 2) < 2) {
			return true;
		}
		size_t qlen = (size_t)lenbuf[0] << 8 | lenbuf[1];
		if (qlen < DNS_HEADER_LEN) {
			return false; /* no header to answer: nothing useful can follow */
		}
		if (evbuffer_get_length(in) < 2 + qlen) {
			return true;
		}
		evbuffer_drain(in, 2);
		evbuffer_remove(in, t->query, qlen);
		dnsd_answer_info_t info;
		rcu_read_lock();
		size_t alen = dnsd_answer(&d->zone, ipbl_rcu_read(&d->snap), t->query, qlen,
					  t->answer + 2, DNS_MSG_MAX, true, &info);
		ipbl_rcu_read_done(&d->grace);
		dnsd_stats_count(&d->stats[d->n_workers], &info, true);
		if (alen == 0) {
			return false; /* a response or garbage: this is no DNS client */
		}
		t->answer[0] = (uint8_t)(alen >> 8);
		t->answer[1] = (uint8_t)alen;
		evbuffer_add(out, t->answer, 2 + alen);
	}
	bufferevent_disable(bev, EV_READ); /* resumed by on_write once drained */
	return true;
}

static void on_read(struct bufferevent *bev, void *arg)
{
	conn_t *c = arg;
	if (!conn_serve(bev, c->t)) {
		conn_close(c);
	}
}

static void on_write(struct bufferevent *bev, void *arg)
{
	if (!(bufferevent_get_enabled(bev) & EV_READ)) {
		bufferevent_enable(bev, EV_READ);
		on_read(bev, arg);
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what; /* EOF, error or timeout: all end the connection */
	conn_close(arg);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
		      void *arg)
{
	(void)l;
	(void)sa;
	(void)len;
	dnsd_tcp_t *t = arg;
	if (t->n_clients >= t->d->tcp_max_clients) {
		evutil_closesocket(fd);
		return;
	}
	conn_t *c = calloc(1, sizeof(*c));
	struct bufferevent *bev = bufferevent_socket_new(t->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL || c == NULL) {
		free(c);
		if (bev) {
			bufferevent_free(bev);
		} else {
			evutil_closesocket(fd);
		}
		return;
	}
	c->bev = bev;
	c->t = t;
	c->next = t->conns;
	if (t->conns) {
		t->conns->prev = c;
	}
	t->conns = c;
	t->n_clients++;
	long long ms = t->d->tcp_idle_timeout_ms;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_setcb(bev, on_read, on_write, on_event, c);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(((dnsd_tcp_t *)arg)->base);
}

static void *tcp_main(void *arg)
{
	dnsd_tcp_t *t = arg;
	rcu_register_thread();
	event_base_dispatch(t->base);
	rcu_unregister_thread();
	return NULL;
}

static void tcp_free(dnsd_tcp_t *t)
{
	while (t->conns) {
		conn_close(t->conns);
	}
	for (size_t i = 0; i < t->n_listeners; i++) {
		evconnlistener_free(t->listeners[i]);
	}
	if (t->stop_ev) {
		event_free(t->stop_ev);
	}
	if (t->base) {
		event_base_free(t->base);
	}
	free(t);
}

int dnsd_tcp_start(dnsd_t *d)
{
	dnsd_tcp_t *t = calloc(1, sizeof(*t));
	if (t == NULL) {
		return IPBL_ENOMEM;
	}
	t->d = d;
	t->base = event_base_new();
	if (t->base == NULL) {
		tcp_free(t);
		return IPBL_ENOMEM;
	}
	for (size_t i = 0; i < d->n_addrs; i++) {
		t->listeners[i] = evconnlistener_new(t->base, on_accept, t, LEV_OPT_CLOSE_ON_FREE,
						     0 /* already listening */, d->tcp_fds[i]);
		if (t->listeners[i] == NULL) {
			tcp_free(t);
			return IPBL_ENOMEM;
		}
		d->tcp_fds[i] = -1; /* the listener owns it now */
		t->n_listeners++;
	}
	t->stop_ev = event_new(t->base, d->stop_fd, EV_READ, on_stop, t);
	if (t->stop_ev == NULL || event_add(t->stop_ev, NULL) != 0) {
		tcp_free(t);
		return IPBL_ENOMEM;
	}
	int ret = -pthread_create(&t->thread, NULL, tcp_main, t);
	if (ret != 0) {
		tcp_free(t);
		return ret;
	}
	t->running = true;
	d->tcp = t;
	return 0;
}

void dnsd_tcp_stop(dnsd_t *d)
{
	dnsd_tcp_t *t = d->tcp;
	if (t == NULL) {
		return;
	}
	ipbl_wakeup_fire(d->stop_fd);
	pthread_join(t->thread, NULL);
	tcp_free(t);
	d->tcp = NULL;
}
