/* SPDX-License-Identifier: BSD-2-Clause */
/* The spamtrap's event loop: one libevent thread accepts connections and moves bytes between
 * sockets and sessions (trap/session.c); message bodies stream into the spool as they arrive.
 *
 * DESIGN
 * - Per connection: a bufferevent, a small conn_t and the session. No buffer is allocated
 *   for an idle session: libevent's buffers hold chunks only while there are bytes in them.
 * - Backpressure: reading stops while more than OUT_CAP reply bytes wait to be sent (a
 *   pipelining client that does not read), and libevent stops reading at IN_CAP unconsumed
 *   input; so a session never buffers more than about IN_CAP + OUT_CAP + one read.
 * - Timeouts: one periodic sweep walks the connections (cheaper than a timer per session at
 *   10,000 sessions) and ends those past idle_timeout or session_timeout with 421.
 * - Limits at connect: max_sessions in total and max_sessions_per_ip per client address get a
 *   421 written straight to the new socket, which is then closed. Peers in proxy_from are not
 *   counted per IP themselves; the address they pass on is (PROXY or XCLIENT).
 * - Spooling (open, write, fsync, rename) runs on this thread: a message is acknowledged only
 *   once it is durable, and a trap's volume does not justify a writer thread. */
#include "trap/trap_internal.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/loop.h"
#include "trap/spool.h"

#define LOG_TAG "trap"
#include "lib/log.h"

#define IN_CAP (32 * 1024)   /* unconsumed input before libevent stops reading */
#define OUT_CAP (16 * 1024)  /* unsent replies before we stop reading */
#define CHUNK (16 * 1024)    /* bytes handed to the session at once */
#define READ_MAX (16 * 1024) /* bytes read from a socket at once */
#define CLOSE_GRACE_MS 5000  /* a closing session whose client does not read is dropped */
#define ACCEPT_PAUSE_MS 1000 /* after an accept error (out of descriptors) */

_Static_assert(CHUNK >= TRAP_SESSION_INPUT_MIN, "the session must always make progress");

typedef struct conn conn_t;
struct conn {
	trap_t *t;
	struct bufferevent *bev;
	trap_session_t *sess;
	trap_spool_file_t *spool; /* during DATA */
	conn_t *prev;
	conn_t *next;
	ipbl_ipaddr_t counted; /* the address whose per-IP count this session holds */
	bool is_counted;
	bool read_paused;   /* by us, for backpressure */
	int64_t start_ms;   /* monotonic */
	int64_t last_ms;    /* last bytes received */
	int64_t closing_ms; /* 0 until the last reply is queued */
};

/* Per-IP session counts: a chained hash keyed by address. */
typedef struct ipcount ipcount_t;
struct ipcount {
	ipbl_ipaddr_t ip;
	unsigned n;
	ipcount_t *next;
};

struct trap_loop {
	struct event_base *base;
	struct evconnlistener *listeners[TRAP_LISTEN_MAX];
	size_t n_listeners;
	struct event *stop_ev;
	struct event *sweep_ev;
	struct event *resume_ev;
	conn_t *conns;
	unsigned n_conns;
	ipcount_t **buckets;
	size_t n_buckets; /* a power of two */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval tv_ms(long long ms)
{
	return (struct timeval){ .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
}

/* ---- per-IP counts ---- */

static size_t ip_hash(const trap_loop_t *l, const ipbl_ipaddr_t *ip)
{
	uint32_t h = 2166136261u ^ ip->family;
	size_t n = ip->family == IPBL_AF_V4 ? 4 : 16;
	for (size_t i = 0; i < n; i++) {
		h = (h ^ ip->bytes[i]) * 16777619u;
	}
	return h & (l->n_buckets - 1);
}

static ipcount_t **ip_slot(trap_loop_t *l, const ipbl_ipaddr_t *ip)
{
	ipcount_t **p = &l->buckets[ip_hash(l, ip)];
	while (*p != NULL && !ipbl_ipaddr_eq(&(*p)->ip, ip)) {
		p = &(*p)->next;
	}
	return p;
}

static unsigned ip_count(trap_loop_t *l, const ipbl_ipaddr_t *ip)
{
	ipcount_t *e = *ip_slot(l, ip);
	return e ? e->n : 0;
}

static bool ip_inc(trap_loop_t *l, const ipbl_ipaddr_t *ip)
{
	ipcount_t **p = ip_slot(l, ip);
	if (*p == NULL) {
		ipcount_t *e = calloc(1, sizeof(*e));
		if (e == NULL) {
			return false;
		}
		e->ip = *ip;
		*p = e;
	}
	(*p)->n++;
	return true;
}

static void ip_dec(trap_loop_t *l, const ipbl_ipaddr_t *ip)
{
	ipcount_t **p = ip_slot(l, ip);
	ipcount_t *e = *p;
	if (e != NULL && --e->n == 0) {
		*p = e->next;
		free(e);
	}
}

/* ---- connections ---- */

static void conn_free(conn_t *c)
{
	trap_t *t = c->t;
	trap_loop_t *l = t->loop;
	trap_session_free(c->sess); /* aborts an unfinished message through data_abort */
	trap_spool_abort(c->spool);
	if (c->is_counted) {
		ip_dec(l, &c->counted);
	}
	if (c->prev) {
		c->prev->next = c->next;
	} else {
		l->conns = c->next;
	}
	if (c->next) {
		c->next->prev = c->prev;
	}
	bufferevent_free(c->bev);
	free(c);
	l->n_conns--;
	atomic_fetch_sub_explicit(&t->n_active, 1, memory_order_relaxed);
}

/* The session said its last word: stop reading and close once the replies are out. */
static void conn_closing(conn_t *c)
{
	if (c->closing_ms == 0) {
		c->closing_ms = mono_ms();
		bufferevent_disable(c->bev, EV_READ);
		struct evbuffer *in = bufferevent_get_input(c->bev);
		evbuffer_drain(in, evbuffer_get_length(in));
	}
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		conn_free(c);
	}
}

/* Feed the input to the session until it is used up, incomplete, or replies pile up. May
 * free c. */
static void conn_pump(conn_t *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	while (!trap_session_closing(c->sess)) {
		if (evbuffer_get_length(out) >= OUT_CAP) {
			/* RFC 2920 §3.1: the client must read our replies; until it does, we
			 * read nothing more */
			c->read_paused = true;
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		size_t n = evbuffer_get_length(in);
		if (n == 0) {
			return;
		}
		size_t take = n < CHUNK ? n : CHUNK;
		const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)take);
		if (p == NULL) {
			trap_session_end(c->sess, TRAP_SESSION_OVERLOAD);
			break;
		}
		size_t used = trap_session_input(c->sess, p, take);
		evbuffer_drain(in, used);
		if (used == 0) {
			return; /* an incomplete line: wait for the rest */
		}
	}
	conn_closing(c);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_t *c = arg;
	c->last_ms = mono_ms();
	conn_pump(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_t *c = arg;
	if (c->closing_ms != 0) {
		conn_free(c);
		return;
	}
	if (c->read_paused) {
		c->read_paused = false;
		bufferevent_enable(c->bev, EV_READ);
		conn_pump(c);
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what; /* EOF or error: the client is gone either way */
	conn_free(arg);
}

/* ---- what the session asks of us ---- */

static void op_reply(void *arg, const char *text, size_t len)
{
	conn_t *c = arg;
	evbuffer_add(bufferevent_get_output(c->bev), text, len);
}

static trap_spooled_t spooled_of(const trap_session_txn_t *txn)
{
	return (trap_spooled_t){
		.peer = txn->peer,
		.helo = txn->helo,
		.trap_address = txn->rcpts,
		.mail_from = txn->mail_from,
		.rcpts = txn->rcpts,
		.n_rcpts = txn->n_rcpts,
		.proxied = txn->proxied,
		.via = txn->via,
	};
}

static int op_data_begin(void *arg, const trap_session_txn_t *txn)
{
	conn_t *c = arg;
	trap_spooled_t s = spooled_of(txn);
	int ret = trap_spool_begin(c->t->spool_dir, &s, ipbl_clock_now_ms(c->t->clock), &c->spool);
	if (ret != 0) {
		c->spool = NULL;
		ipbl_log_err("cannot create a spool file dir=%s (%s)", c->t->spool_dir,
			     ipbl_strerror(ret));
	}
	return ret;
}

static int op_data_write(void *arg, const char *data, size_t len)
{
	conn_t *c = arg;
	int ret = trap_spool_append(c->spool, data, len);
	if (ret != 0) {
		ipbl_log_err("cannot write a spool file dir=%s (%s)", c->t->spool_dir,
			     ipbl_strerror(ret));
	}
	return ret;
}

static int op_data_commit(void *arg, const trap_session_txn_t *txn, char *id, size_t id_len)
{
	conn_t *c = arg;
	trap_spool_file_t *f = c->spool;
	c->spool = NULL;
	int ret = trap_spool_commit(f, ipbl_clock_now_ms(c->t->clock), id, id_len);
	char ip[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&txn->peer, ip);
	if (ret != 0) {
		ipbl_log_err("cannot commit a spool file peer=%s dir=%s (%s)", ip, c->t->spool_dir,
			     ipbl_strerror(ret));
		return ret;
	}
	ipbl_log_info("trap hit spooled peer=%s rcpt=%s rcpts=%zu file=%s", ip, txn->rcpts,
		      txn->n_rcpts, id);
	return 0;
}

static void op_data_abort(void *arg)
{
	conn_t *c = arg;
	trap_spool_abort(c->spool);
	c->spool = NULL;
}

static int op_peer_change(void *arg, const ipbl_ipaddr_t *peer)
{
	conn_t *c = arg;
	trap_loop_t *l = c->t->loop;
	if (c->is_counted && ipbl_ipaddr_eq(&c->counted, peer)) {
		return 0;
	}
	if (ip_count(l, peer) >= c->t->max_sessions_per_ip) {
		return IPBL_ELIMIT;
	}
	if (!ip_inc(l, peer)) {
		return IPBL_ENOMEM;
	}
	if (c->is_counted) {
		ip_dec(l, &c->counted);
	}
	c->counted = *peer;
	c->is_counted = true;
	return 0;
}

static const trap_session_ops_t conn_ops = {
	.reply = op_reply,
	.data_begin = op_data_begin,
	.data_write = op_data_write,
	.data_commit = op_data_commit,
	.data_abort = op_data_abort,
	.peer_change = op_peer_change,
};

/* ---- accepting ---- */

static void sockaddr_ip(const struct sockaddr *sa, ipbl_ipaddr_t *out)
{
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		ipbl_ipaddr_from_v6(s6->sin6_addr.s6_addr, out);
		ipbl_ipaddr_unmap(out);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		ipbl_ipaddr_from_v4(ntohl(s4->sin_addr.s_addr), out);
	}
}

/* A 421 straight to a socket we will not serve, then close it. */
static void refuse(trap_t *t, evutil_socket_t fd, const char *why)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "421 4.7.0 %s %s\r\n", t->hostname, why);
	if (n > 0) {
		ssize_t w = send(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		(void)w; /* best effort: the client may already be gone */
	}
	evutil_closesocket(fd);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *arg)
{
	(void)lis;
	(void)salen;
	trap_t *t = arg;
	trap_loop_t *l = t->loop;
	ipbl_ipaddr_t peer;
	sockaddr_ip(sa, &peer);
	bool allowed = trap_proxy_allowed(t, &peer);
	if (l->n_conns >= t->max_sessions) {
		TRAP_STATS_INC(&t->stats, refused_sessions);
		refuse(t, fd, "Error: too many sessions, try again later");
		return;
	}
	if (!allowed && ip_count(l, &peer) >= t->max_sessions_per_ip) {
		TRAP_STATS_INC(&t->stats, refused_per_ip);
		refuse(t, fd, "Error: too many connections from your address");
		return;
	}
	conn_t *c = calloc(1, sizeof(*c));
	struct bufferevent *bev =
		c ? bufferevent_socket_new(l->base, fd, BEV_OPT_CLOSE_ON_FREE) : NULL;
	trap_session_t *sess =
		bev ? trap_session_new(&t->sconf, &conn_ops, c, &peer, allowed) : NULL;
	if (sess == NULL || (!allowed && !ip_inc(l, &peer))) {
		trap_session_free(sess);
		if (bev) {
			bufferevent_free(bev);
		} else {
			evutil_closesocket(fd);
		}
		free(c);
		return;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* replies are small */
	c->t = t;
	c->bev = bev;
	c->sess = sess;
	c->counted = peer;
	c->is_counted = !allowed;
	c->start_ms = c->last_ms = mono_ms();
	c->next = l->conns;
	if (l->conns) {
		l->conns->prev = c;
	}
	l->conns = c;
	l->n_conns++;
	atomic_fetch_add_explicit(&t->n_active, 1, memory_order_relaxed);
	TRAP_STATS_INC(&t->stats, sessions);
	bufferevent_setwatermark(bev, EV_READ, 0, IN_CAP);
	bufferevent_set_max_single_read(bev, READ_MAX);
	bufferevent_setcb(bev, on_read, on_write, on_event, c);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	trap_session_start(sess);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	trap_loop_t *l = ((trap_t *)arg)->loop;
	for (size_t i = 0; i < l->n_listeners; i++) {
		evconnlistener_enable(l->listeners[i]);
	}
}

static void on_accept_error(struct evconnlistener *lis, void *arg)
{
	(void)lis;
	trap_t *t = arg;
	trap_loop_t *l = t->loop;
	int err = EVUTIL_SOCKET_ERROR();
	/* usually out of descriptors: stop accepting for a moment rather than spin */
	ipbl_log_warning("cannot accept an SMTP connection, pausing for %d ms (%s)",
			 ACCEPT_PAUSE_MS, evutil_socket_error_to_string(err));
	for (size_t i = 0; i < l->n_listeners; i++) {
		evconnlistener_disable(l->listeners[i]);
	}
	struct timeval tv = tv_ms(ACCEPT_PAUSE_MS);
	event_add(l->resume_ev, &tv);
}

/* ---- timers and stop ---- */

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	trap_t *t = arg;
	int64_t now = mono_ms();
	conn_t *next;
	for (conn_t *c = t->loop->conns; c != NULL; c = next) {
		next = c->next;
		if (c->closing_ms != 0) {
			if (now - c->closing_ms >= CLOSE_GRACE_MS) {
				conn_free(c);
			}
			continue;
		}
		if (now - c->start_ms >= t->session_timeout_ms) {
			trap_session_end(c->sess, TRAP_SESSION_SESSION_TIMEOUT);
		} else if (now - c->last_ms >= t->idle_timeout_ms) {
			trap_session_end(c->sess, TRAP_SESSION_IDLE_TIMEOUT);
		} else {
			continue;
		}
		conn_closing(c);
	}
}

/* Send what the session has queued, once, without waiting. The bufferevent keeps its output
 * frozen outside its own write callback; the connection is freed right after, so thaw it. */
static void flush_now(conn_t *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_unfreeze(out, 1);
	evbuffer_write(out, bufferevent_getfd(c->bev)); /* best effort */
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	trap_t *t = arg;
	trap_loop_t *l = t->loop;
	/* a last 421 to each client, sent if the socket takes it now; unfinished messages
	 * are dropped (their senders will retry) */
	while (l->conns != NULL) {
		conn_t *c = l->conns;
		trap_session_end(c->sess, TRAP_SESSION_SHUTDOWN);
		flush_now(c);
		conn_free(c);
	}
	event_base_loopbreak(l->base);
}

static void *loop_main(void *arg)
{
	trap_t *t = arg;
	event_base_dispatch(t->loop->base);
	return NULL;
}

static void loop_free(trap_t *t)
{
	trap_loop_t *l = t->loop;
	if (l == NULL) {
		return;
	}
	while (l->conns != NULL) {
		conn_free(l->conns);
	}
	for (size_t i = 0; i < l->n_listeners; i++) {
		evconnlistener_free(l->listeners[i]);
	}
	if (l->stop_ev) {
		event_free(l->stop_ev);
	}
	if (l->sweep_ev) {
		event_free(l->sweep_ev);
	}
	if (l->resume_ev) {
		event_free(l->resume_ev);
	}
	if (l->base) {
		event_base_free(l->base);
	}
	free(l->buckets);
	free(l);
	t->loop = NULL;
}

/* How often the sweep runs: a quarter of the shorter timeout, within 25 ms .. 1 s. */
static long long sweep_interval_ms(const trap_t *t)
{
	long long ms = t->idle_timeout_ms < t->session_timeout_ms ? t->idle_timeout_ms
								  : t->session_timeout_ms;
	ms /= 4;
	return ms < 25 ? 25 : ms > 1000 ? 1000 : ms;
}

static int loop_new(trap_t *t)
{
	trap_loop_t *l = calloc(1, sizeof(*l));
	if (l == NULL) {
		return IPBL_ENOMEM;
	}
	t->loop = l;
	l->n_buckets = 64;
	while (l->n_buckets < t->max_sessions && l->n_buckets < 65536) {
		l->n_buckets *= 2;
	}
	l->buckets = calloc(l->n_buckets, sizeof(*l->buckets));
	l->base = event_base_new();
	if (l->buckets == NULL || l->base == NULL) {
		return IPBL_ENOMEM;
	}
	for (size_t i = 0; i < t->n_listen; i++) {
		l->listeners[i] = evconnlistener_new(l->base, on_accept, t, LEV_OPT_CLOSE_ON_FREE,
						     0 /* already listening */, t->fds[i]);
		if (l->listeners[i] == NULL) {
			return IPBL_ENOMEM;
		}
		t->fds[i] = -1; /* the listener owns it now */
		l->n_listeners++;
		evconnlistener_set_error_cb(l->listeners[i], on_accept_error);
	}
	struct timeval sweep = tv_ms(sweep_interval_ms(t));
	l->stop_ev = event_new(l->base, t->stop_fd, EV_READ, on_stop, t);
	l->sweep_ev = event_new(l->base, -1, EV_PERSIST, on_sweep, t);
	l->resume_ev = evtimer_new(l->base, on_resume, t);
	if (l->stop_ev == NULL || l->sweep_ev == NULL || l->resume_ev == NULL ||
	    event_add(l->stop_ev, NULL) != 0 || event_add(l->sweep_ev, &sweep) != 0) {
		return IPBL_ENOMEM;
	}
	return 0;
}

int trap_listener_start(trap_t *t)
{
	int ret = loop_new(t);
	if (ret == 0) {
		ret = -pthread_create(&t->thread, NULL, loop_main, t);
	}
	if (ret != 0) {
		loop_free(t);
	}
	return ret;
}

void trap_listener_stop(trap_t *t)
{
	ipbl_wakeup_fire(t->stop_fd);
	pthread_join(t->thread, NULL);
	loop_free(t);
}
