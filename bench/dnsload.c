/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsload: a UDP DNS load generator for loopback benchmarks (sendmmsg/recvmmsg, libc only).
 * Closed loop keeps N queries in flight for D seconds; open loop sends at R queries/s for D
 * seconds. Every answer is matched to its query by ID and question; prints one JSON line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
	BATCH_MAX = 64,
	SOCK_MAX = 64,
	PKT_MAX = 4096,
	QRY_MAX = 12 + 256 + 4,
	ID_SPACE = 65536,
	MAX_FILES = 8,
};

#define NS_PER_S 1000000000ULL
#define SLOW_NS (10ULL * 1000 * 1000)

struct query {
	uint32_t off; /* into names.blob: the wire query (header with ID 0, question) */
	uint16_t len;
};

struct names {
	uint8_t *blob;
	size_t blob_len, blob_cap;
	struct query *q;
	size_t n, cap;
};

struct slot {
	uint64_t seq; /* ctr + 1 while in flight, 0 when free */
	uint64_t t_ns;
	uint32_t qidx;
};

struct bucket {
	uint64_t sent, recv, slow;
	uint64_t max_ns;
};

struct opts {
	const char *server;
	const char *qfile;
	const char *dfiles[MAX_FILES];
	int ndfiles;
	const char *zone;
	const char *label;
	uint16_t dtype;
	int closed;
	long inflight;
	double rate;
	double duration;
	long nsock;
	long timeout_ms;
	long max_names;
	long batch;
	int spin;
	int kernel_ts;
	long catchup_us;
};

struct stats {
	uint64_t sent, received, lost, late, mismatch, unexpected, forced, send_errors, send_short;
	uint64_t skipped;
	uint64_t noerror, nxdomain, refused, servfail, other_rcode, with_answer, truncated;
	uint64_t slow;
	uint64_t max_lag_ns;
	uint32_t *lat;
	size_t nlat, lat_cap;
};

static struct slot table[ID_SPACE];

/* CLOCK_REALTIME with -K, because the kernel's receive timestamps use that clock. */
static clockid_t clock_id = CLOCK_MONOTONIC;

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NS_PER_S + (uint64_t)ts->tv_nsec;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(clock_id, &ts);
	return ts_ns(&ts);
}

static void *xrealloc(void *p, size_t n)
{
	void *r = realloc(p, n);

	if (r == NULL) {
		fprintf(stderr, "dnsload: error: out of memory\n");
		exit(1);
	}
	return r;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dnsload -s ADDR:PORT (-f QUERYFILE | -D DATAFILE... -z ZONE) [options]\n"
		"  -f FILE   query list: one \"name [TYPE]\" per line (TYPE default A)\n"
		"  -D FILE   rbldnsd ip4set/ip6trie data file: query each entry's first address\n"
		"            under -z ZONE (repeatable, up to 8); -T TYPE sets their type (A)\n"
		"  -m MODE   closed (default) or open\n"
		"  -c N      closed loop: queries in flight (default 100)\n"
		"  -r QPS    open loop: send rate (default 10000)\n"
		"  -d SEC    send for this long (default 5, at most 3600)\n"
		"  -S N      UDP source sockets, round robin (default 4, at most 64)\n"
		"  -t MS     a query is lost after this long without answer (default 1000)\n"
		"  -n N      use at most N names (default all)\n"
		"  -b N      sendmmsg/recvmmsg batch (default 32, at most 64)\n"
		"  -l LABEL  label copied into the JSON output\n"
		"  -L US     open loop: skip queries more than US late (default 5000) instead of\n"
		"            sending them in a burst after a stall of dnsload itself\n"
		"  -P        busy-poll instead of sleeping between sends (needs its own core)\n"
		"  -K        latency up to the kernel's receive timestamp (SO_TIMESTAMPNS), so\n"
		"            stalls of dnsload itself do not count (costs every sender a "
		"little)\n");
}

/* Whole-string number parsers for options; 0 on success, -1 on junk or overflow. */
static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' ? 0 : -1;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' ? 0 : -1;
}

static int parse_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;
	size_t len;

	if (colon == NULL) {
		return -1;
	}
	len = (size_t)(colon - s);
	if (len == 0 || len >= sizeof(host)) {
		return -1;
	}
	memcpy(host, s, len);
	host[len] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port <= 0 || port > 65535) {
		return -1;
	}
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static int parse_type(const char *s, uint16_t *type)
{
	static const struct {
		const char *name;
		uint16_t type;
	} types[] = {
		{ "A", 1 },    { "NS", 2 },    { "SOA", 6 },   { "MX", 15 },
		{ "TXT", 16 }, { "AAAA", 28 }, { "ANY", 255 },
	};
	char *end;
	unsigned long v;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcasecmp(s, types[i].name) == 0) {
			*type = types[i].type;
			return 0;
		}
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535) {
		return -1;
	}
	*type = (uint16_t)v;
	return 0;
}

/* Appends the wire query for name/type; returns 0, or -1 for a name that is not valid. */
static int names_add(struct names *nm, const char *name, size_t nlen, uint16_t type)
{
	uint8_t wire[QRY_MAX];
	size_t pos = 12, lstart;

	memset(wire, 0, 12);
	wire[5] = 1; /* QDCOUNT */
	while (nlen > 0 && name[nlen - 1] == '.') {
		nlen--;
	}
	if (nlen == 0 || nlen > 253) {
		return -1;
	}
	lstart = 0;
	for (size_t i = 0; i <= nlen; i++) {
		if (i == nlen || name[i] == '.') {
			size_t l = i - lstart;

			if (l == 0 || l > 63) {
				return -1;
			}
			wire[pos++] = (uint8_t)l;
			memcpy(wire + pos, name + lstart, l);
			pos += l;
			lstart = i + 1;
		}
	}
	wire[pos++] = 0;
	wire[pos++] = (uint8_t)(type >> 8);
	wire[pos++] = (uint8_t)type;
	wire[pos++] = 0;
	wire[pos++] = 1; /* class IN */
	if (nm->blob_len + pos > nm->blob_cap) {
		nm->blob_cap = nm->blob_cap ? nm->blob_cap * 2 : 1 << 20;
		nm->blob = xrealloc(nm->blob, nm->blob_cap);
	}
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? nm->cap * 2 : 1 << 16;
		nm->q = xrealloc(nm->q, nm->cap * sizeof(*nm->q));
	}
	if (nm->blob_len > UINT32_MAX - pos) {
		return -1;
	}
	memcpy(nm->blob + nm->blob_len, wire, pos);
	nm->q[nm->n].off = (uint32_t)nm->blob_len;
	nm->q[nm->n].len = (uint16_t)pos;
	nm->blob_len += pos;
	nm->n++;
	return 0;
}

/* Reverse name (RFC 5782) of the first address on a data line; 0 when one was added. */
static int names_add_data_line(struct names *nm, char *line, const char *zone, uint16_t type)
{
	char name[300];
	char *tok = line, *end;
	int n;

	while (*tok == ' ' || *tok == '\t') {
		tok++;
	}
	if (*tok == '\0' || strchr(":#;$!", *tok) != NULL) {
		return -1;
	}
	end = tok + strcspn(tok, " \t/;#-");
	*end = '\0';
	if (strchr(tok, ':') != NULL) {
		struct in6_addr a6;
		size_t pos = 0;

		if (inet_pton(AF_INET6, tok, &a6) != 1) {
			return -1;
		}
		for (int i = 15; i >= 0; i--) {
			n = snprintf(name + pos, sizeof(name) - pos, "%x.%x.", a6.s6_addr[i] & 0xf,
				     a6.s6_addr[i] >> 4);
			pos += (size_t)n;
		}
		n = snprintf(name + pos, sizeof(name) - pos, "%s", zone);
		if (n < 0 || (size_t)n >= sizeof(name) - pos) {
			return -1;
		}
	} else {
		struct in_addr a4;
		uint32_t h;

		if (inet_pton(AF_INET, tok, &a4) != 1) {
			return -1;
		}
		h = ntohl(a4.s_addr);
		n = snprintf(name, sizeof(name), "%u.%u.%u.%u.%s", h & 0xff, (h >> 8) & 0xff,
			     (h >> 16) & 0xff, h >> 24, zone);
		if (n < 0 || (size_t)n >= sizeof(name)) {
			return -1;
		}
	}
	return names_add(nm, name, strlen(name), type);
}

static int load_file(struct names *nm, const char *path, const struct opts *o, int is_data)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "dnsload: error: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (o->max_names > 0 && nm->n >= (size_t)o->max_names) {
			break;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
			line[--len] = '\0';
		}
		if (is_data) {
			names_add_data_line(nm, line, o->zone, o->dtype);
		} else {
			char *name = line + strspn(line, " \t");
			size_t nlen = strcspn(name, " \t");
			char *type_s = name + nlen;
			uint16_t type = 1;

			if (*name == '\0' || *name == '#') {
				continue;
			}
			type_s += strspn(type_s, " \t");
			type_s[strcspn(type_s, " \t")] = '\0';
			if (*type_s != '\0' && parse_type(type_s, &type) != 0) {
				fprintf(stderr, "dnsload: error: %s:%ld: bad type '%s'\n", path,
					lineno, type_s);
				rc = -1;
				break;
			}
			if (names_add(nm, name, nlen, type) != 0) {
				fprintf(stderr, "dnsload: error: %s:%ld: bad name\n", path, lineno);
				rc = -1;
				break;
			}
		}
	}
	free(line);
	fclose(f);
	return rc;
}

static void record_latency(struct stats *st, uint64_t lat)
{
	if (st->nlat == st->lat_cap) {
		st->lat_cap = st->lat_cap ? st->lat_cap * 2 : 1 << 20;
		st->lat = xrealloc(st->lat, st->lat_cap * sizeof(*st->lat));
	}
	st->lat[st->nlat++] = lat > UINT32_MAX ? UINT32_MAX : (uint32_t)lat;
}

struct run {
	const struct opts *o;
	const struct names *nm;
	struct stats st;
	struct bucket *buckets;
	size_t nbuckets;
	int socks[SOCK_MAX];
	uint64_t t0, ctr, oldest, inflight, timeout_ns;
	size_t next_q;
	int next_sock;
	uint8_t sbuf[BATCH_MAX][QRY_MAX];
	uint8_t rbuf[BATCH_MAX][PKT_MAX];
};

static struct bucket *bucket_at(struct run *r, uint64_t t)
{
	uint64_t b = (t - r->t0) / NS_PER_S;

	return &r->buckets[b < r->nbuckets ? b : r->nbuckets - 1];
}

/* Frees slots whose answers have arrived and declares overdue ones lost (or the oldest one,
 * when force is set and the ID space is full). */
static void expire(struct run *r, uint64_t now, int force)
{
	while (r->oldest < r->ctr) {
		struct slot *s = &table[r->oldest & (ID_SPACE - 1)];

		if (s->seq != r->oldest + 1) {
			r->oldest++;
			continue;
		}
		if (now - s->t_ns > r->timeout_ns || force) {
			if (now - s->t_ns <= r->timeout_ns) {
				r->st.forced++;
			}
			s->seq = 0;
			r->st.lost++;
			r->inflight--;
			r->oldest++;
			force = 0;
			continue;
		}
		break;
	}
}

/* Sends up to want queries in one sendmmsg on the next socket; returns how many went out. */
static size_t send_some(struct run *r, size_t want)
{
	static struct mmsghdr msgs[BATCH_MAX];
	static struct iovec iov[BATCH_MAX];
	uint32_t qidx[BATCH_MAX];
	uint64_t room, t;
	int fd = r->socks[r->next_sock];
	int n;

	if (want > (size_t)r->o->batch) {
		want = (size_t)r->o->batch;
	}
	room = ID_SPACE - (r->ctr - r->oldest);
	if (room == 0) {
		expire(r, now_ns(), 1);
		room = ID_SPACE - (r->ctr - r->oldest);
	}
	if (want > room) {
		want = (size_t)room;
	}
	for (size_t i = 0; i < want; i++) {
		const struct query *q = &r->nm->q[r->next_q];
		uint16_t id = (uint16_t)((r->ctr + i) & (ID_SPACE - 1));

		qidx[i] = (uint32_t)r->next_q;
		if (++r->next_q == r->nm->n) {
			r->next_q = 0;
		}
		memcpy(r->sbuf[i], r->nm->blob + q->off, q->len);
		r->sbuf[i][0] = (uint8_t)(id >> 8);
		r->sbuf[i][1] = (uint8_t)id;
		iov[i].iov_base = r->sbuf[i];
		iov[i].iov_len = q->len;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	r->next_sock = (int)((r->next_sock + 1) % r->o->nsock);
	t = now_ns();
	n = sendmmsg(fd, msgs, (unsigned)want, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			r->st.send_errors++;
		} else {
			r->st.send_short++;
		}
		return 0;
	}
	if ((size_t)n < want) {
		r->st.send_short++;
	}
	for (int i = 0; i < n; i++) {
		struct slot *s = &table[(r->ctr + (uint64_t)i) & (ID_SPACE - 1)];

		s->seq = r->ctr + (uint64_t)i + 1;
		s->t_ns = t;
		s->qidx = qidx[i];
	}
	bucket_at(r, t)->sent += (uint64_t)n;
	r->ctr += (uint64_t)n;
	r->inflight += (uint64_t)n;
	r->st.sent += (uint64_t)n;
	return (size_t)n;
}

static void handle_answer(struct run *r, const uint8_t *p, size_t len, uint64_t t)
{
	struct slot *s;
	const struct query *q;
	struct bucket *b;
	uint64_t lat;

	if (len < 12 || (p[2] & 0x80) == 0) {
		r->st.unexpected++;
		return;
	}
	s = &table[((unsigned)p[0] << 8) | p[1]];
	if (s->seq == 0) {
		r->st.unexpected++;
		return;
	}
	q = &r->nm->q[s->qidx];
	if (len < q->len || memcmp(p + 12, r->nm->blob + q->off + 12, q->len - 12u) != 0) {
		r->st.mismatch++;
		return;
	}
	s->seq = 0;
	r->inflight--;
	lat = t - s->t_ns;
	b = bucket_at(r, s->t_ns);
	if (lat > r->timeout_ns) {
		r->st.late++;
		r->st.lost++;
		return;
	}
	r->st.received++;
	b->recv++;
	if (lat > b->max_ns) {
		b->max_ns = lat;
	}
	if (lat >= SLOW_NS) {
		b->slow++;
		r->st.slow++;
	}
	record_latency(&r->st, lat);
	switch (p[3] & 0x0f) {
	case 0:
		r->st.noerror++;
		break;
	case 2:
		r->st.servfail++;
		break;
	case 3:
		r->st.nxdomain++;
		break;
	case 5:
		r->st.refused++;
		break;
	default:
		r->st.other_rcode++;
		break;
	}
	if (p[6] != 0 || p[7] != 0) {
		r->st.with_answer++;
	}
	if (p[2] & 0x02) {
		r->st.truncated++;
	}
}

/* The kernel's receive timestamp of msg (-K), else t (when recvmmsg returned). */
static uint64_t rx_time(struct mmsghdr *msg, uint64_t t)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg->msg_hdr); c != NULL;
	     c = CMSG_NXTHDR(&msg->msg_hdr, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return ts_ns(&ts);
		}
	}
	return t;
}

/* Receives whatever is ready (waiting at most wait_ns); returns the number of answers read. */
static size_t receive(struct run *r, uint64_t wait_ns)
{
	static struct mmsghdr msgs[BATCH_MAX];
	static struct iovec iov[BATCH_MAX];
	static union {
		size_t align; /* cmsghdr alignment */
		uint8_t buf[CMSG_SPACE(sizeof(struct timespec))];
	} ctl[BATCH_MAX];
	struct pollfd pfd[SOCK_MAX];
	struct timespec ts;
	size_t total = 0;
	int n;

	for (int i = 0; i < r->o->nsock; i++) {
		pfd[i].fd = r->socks[i];
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	ts.tv_sec = (time_t)(wait_ns / NS_PER_S);
	ts.tv_nsec = (long)(wait_ns % NS_PER_S);
	n = ppoll(pfd, (nfds_t)r->o->nsock, &ts, NULL);
	if (n <= 0) {
		return 0;
	}
	for (int i = 0; i < r->o->nsock; i++) {
		if ((pfd[i].revents & (POLLIN | POLLERR)) == 0) {
			continue;
		}
		for (int round = 0; round < 4; round++) {
			int got;
			uint64_t t;

			for (int k = 0; k < r->o->batch; k++) {
				iov[k].iov_base = r->rbuf[k];
				iov[k].iov_len = PKT_MAX;
				memset(&msgs[k], 0, sizeof(msgs[k]));
				msgs[k].msg_hdr.msg_iov = &iov[k];
				msgs[k].msg_hdr.msg_iovlen = 1;
				if (r->o->kernel_ts) {
					msgs[k].msg_hdr.msg_control = ctl[k].buf;
					msgs[k].msg_hdr.msg_controllen = sizeof(ctl[k].buf);
				}
			}
			got = recvmmsg(r->socks[i], msgs, (unsigned)r->o->batch, MSG_DONTWAIT,
				       NULL);
			if (got <= 0) {
				break;
			}
			t = now_ns();
			for (int k = 0; k < got; k++) {
				handle_answer(r, r->rbuf[k], msgs[k].msg_len, rx_time(&msgs[k], t));
			}
			total += (size_t)got;
			if (got < r->o->batch) {
				break;
			}
		}
	}
	return total;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static double pct_us(const struct stats *st, double p)
{
	size_t i;

	if (st->nlat == 0) {
		return 0;
	}
	i = (size_t)(p * (double)(st->nlat - 1) + 0.5);
	return (double)st->lat[i] / 1000.0;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s);
		} else if ((unsigned char)*s < 0x20) {
			printf("\\u%04x", (unsigned)(unsigned char)*s);
		} else {
			putchar(*s);
		}
	}
	putchar('"');
}

static void print_json(struct run *r, double elapsed)
{
	const struct opts *o = r->o;
	struct stats *st = &r->st;
	double sum = 0;
	size_t used = r->nbuckets;

	if (st->nlat > 0) {
		qsort(st->lat, st->nlat, sizeof(*st->lat), cmp_u32);
	}
	for (size_t i = 0; i < st->nlat; i++) {
		sum += st->lat[i];
	}
	while (used > 1 && r->buckets[used - 1].sent == 0) {
		used--;
	}
	printf("{\"tool\":\"dnsload\",\"label\":");
	json_str(o->label);
	printf(",\"mode\":\"%s\",\"server\":", o->closed ? "closed" : "open");
	json_str(o->server);
	printf(",\"names\":%zu,\"sockets\":%ld,\"batch\":%ld,\"inflight\":%ld,"
	       "\"rate\":%.0f,\"duration_s\":%.3f,\"elapsed_s\":%.3f,\"timeout_ms\":%ld,"
	       "\"spin\":%s,\"kernel_ts\":%s",
	       r->nm->n, o->nsock, o->batch, o->closed ? o->inflight : 0L,
	       o->closed ? 0.0 : o->rate, o->duration, elapsed, o->timeout_ms,
	       o->spin ? "true" : "false", o->kernel_ts ? "true" : "false");
	printf(",\"sent\":%" PRIu64 ",\"received\":%" PRIu64 ",\"lost\":%" PRIu64
	       ",\"late\":%" PRIu64 ",\"forced\":%" PRIu64 ",\"mismatch\":%" PRIu64
	       ",\"unexpected\":%" PRIu64 ",\"send_errors\":%" PRIu64 ",\"send_short\":%" PRIu64
	       ",\"skipped\":%" PRIu64,
	       st->sent, st->received, st->lost, st->late, st->forced, st->mismatch, st->unexpected,
	       st->send_errors, st->send_short, st->skipped);
	printf(",\"noerror\":%" PRIu64 ",\"nxdomain\":%" PRIu64 ",\"servfail\":%" PRIu64
	       ",\"refused\":%" PRIu64 ",\"other_rcode\":%" PRIu64 ",\"with_answer\":%" PRIu64
	       ",\"truncated\":%" PRIu64,
	       st->noerror, st->nxdomain, st->servfail, st->refused, st->other_rcode,
	       st->with_answer, st->truncated);
	printf(",\"qps\":%.1f,\"lat_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,"
	       "\"max\":%.1f,\"mean\":%.1f},\"slow_10ms\":%" PRIu64 ",\"max_lag_us\":%.1f",
	       elapsed > 0 ? (double)st->received / elapsed : 0.0, pct_us(st, 0.5), pct_us(st, 0.9),
	       pct_us(st, 0.99), pct_us(st, 0.999), pct_us(st, 1.0),
	       st->nlat ? sum / (double)st->nlat / 1000.0 : 0.0, st->slow,
	       (double)st->max_lag_ns / 1000.0);
	{
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		printf(",\"self_cpu_s\":{\"user\":%.3f,\"sys\":%.3f}",
		       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
		       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	}
	printf(",\"per_sec\":{\"sent\":[");
	for (size_t i = 0; i < used; i++) {
		printf("%s%" PRIu64, i ? "," : "", r->buckets[i].sent);
	}
	printf("],\"lost\":[");
	for (size_t i = 0; i < used; i++) {
		printf("%s%" PRIu64, i ? "," : "", r->buckets[i].sent - r->buckets[i].recv);
	}
	printf("],\"slow_10ms\":[");
	for (size_t i = 0; i < used; i++) {
		printf("%s%" PRIu64, i ? "," : "", r->buckets[i].slow);
	}
	printf("],\"max_us\":[");
	for (size_t i = 0; i < used; i++) {
		printf("%s%.0f", i ? "," : "", (double)r->buckets[i].max_ns / 1000.0);
	}
	printf("]}}\n");
	fflush(stdout);
}

/* Monotonic time at which open-loop query number seq is due. */
static uint64_t due_time(const struct run *r, uint64_t seq)
{
	return r->t0 + (uint64_t)((double)seq * (double)NS_PER_S / r->o->rate);
}

/* Closed loop: tops the in-flight queries up to -c; returns how many were sent. */
static size_t send_closed(struct run *r)
{
	size_t did = 0;

	for (int k = 0; k < 8 && r->inflight < (uint64_t)r->o->inflight; k++) {
		size_t n = send_some(r, (size_t)((uint64_t)r->o->inflight - r->inflight));

		if (n == 0) {
			break;
		}
		did += n;
	}
	return did;
}

/* Open loop: sends the queries due by now (at most 8 batches); returns how many were sent.
 * Queries more than -L late are skipped, so a stall of dnsload never turns into a burst. */
static size_t send_open(struct run *r, uint64_t now, uint64_t *sched)
{
	uint64_t due = (uint64_t)((double)(now - r->t0) * r->o->rate / (double)NS_PER_S) + 1;
	uint64_t catchup = (uint64_t)r->o->catchup_us * 1000;
	size_t did = 0;

	if (*sched < due && now > due_time(r, *sched)) {
		uint64_t late = now - due_time(r, *sched);

		if (late > r->st.max_lag_ns) {
			r->st.max_lag_ns = late;
		}
		if (late > catchup) {
			/* now - t0 >= late > catchup: no underflow */
			uint64_t from = (uint64_t)((double)(now - catchup - r->t0) * r->o->rate /
						   (double)NS_PER_S);

			if (from > *sched) {
				r->st.skipped += from - *sched;
				*sched = from;
			}
		}
	}
	for (int k = 0; k < 8 && *sched < due; k++) {
		size_t want = (size_t)(due - *sched);
		size_t n = send_some(r, want);

		if (n == 0) {
			/* Socket buffer full: these queries are skipped, never sent. */
			n = want < (size_t)r->o->batch ? want : (size_t)r->o->batch;
			r->st.skipped += n;
			*sched += n;
			break;
		}
		*sched += n;
		did += n;
	}
	return did;
}

static void run_load(struct run *r)
{
	const struct opts *o = r->o;
	uint64_t end, now, t_stop;
	uint64_t sched = 0; /* open loop: queries due so far, sent or skipped */

	r->t0 = now_ns();
	end = r->t0 + (uint64_t)(o->duration * (double)NS_PER_S);
	now = r->t0;
	while (now < end) {
		size_t did;
		uint64_t wait = 0;

		expire(r, now, 0);
		did = o->closed ? send_closed(r) : send_open(r, now, &sched);
		if (did == 0 && !o->spin) {
			/* Nothing to send: sleep until an answer arrives or the next send is due.
			 */
			wait = 1000000;
			if (!o->closed) {
				uint64_t next = due_time(r, sched);

				now = now_ns();
				wait = next > now ? next - now : 0;
				wait = wait > 1000000 ? 1000000 : wait;
			}
		}
		receive(r, wait);
		now = now_ns();
	}
	/* Drain: wait for the answers still in flight, at most one timeout. */
	t_stop = now;
	while (r->inflight > 0 && now - t_stop <= r->timeout_ns) {
		receive(r, 1000000);
		now = now_ns();
		expire(r, now, 0);
	}
	r->st.lost += r->inflight;
	r->inflight = 0;
	print_json(r, (double)(t_stop - r->t0) / (double)NS_PER_S);
}

int main(int argc, char **argv)
{
	static struct run r;
	struct opts o = {
		.server = NULL,
		.label = "",
		.dtype = 1,
		.closed = 1,
		.inflight = 100,
		.rate = 10000,
		.duration = 5,
		.nsock = 4,
		.timeout_ms = 1000,
		.batch = 32,
		.catchup_us = 5000,
	};
	struct names nm;
	struct sockaddr_in sin;
	int opt, bad = 0;

	memset(&nm, 0, sizeof(nm));
	while ((opt = getopt(argc, argv, "s:f:D:z:T:m:c:r:d:S:t:n:b:l:L:PKh")) != -1) {
		switch (opt) {
		case 's':
			o.server = optarg;
			break;
		case 'f':
			o.qfile = optarg;
			break;
		case 'D':
			if (o.ndfiles == MAX_FILES) {
				fprintf(stderr, "dnsload: error: too many -D files\n");
				return 2;
			}
			o.dfiles[o.ndfiles++] = optarg;
			break;
		case 'z':
			o.zone = optarg;
			break;
		case 'T':
			if (parse_type(optarg, &o.dtype) != 0) {
				fprintf(stderr, "dnsload: error: bad -T type '%s'\n", optarg);
				return 2;
			}
			break;
		case 'm':
			if (strcmp(optarg, "closed") == 0) {
				o.closed = 1;
			} else if (strcmp(optarg, "open") == 0) {
				o.closed = 0;
			} else {
				fprintf(stderr, "dnsload: error: -m closed|open\n");
				return 2;
			}
			break;
		case 'c':
			bad |= parse_long(optarg, &o.inflight);
			break;
		case 'r':
			bad |= parse_double(optarg, &o.rate);
			break;
		case 'd':
			bad |= parse_double(optarg, &o.duration);
			break;
		case 'S':
			bad |= parse_long(optarg, &o.nsock);
			break;
		case 't':
			bad |= parse_long(optarg, &o.timeout_ms);
			break;
		case 'n':
			bad |= parse_long(optarg, &o.max_names);
			break;
		case 'b':
			bad |= parse_long(optarg, &o.batch);
			break;
		case 'l':
			o.label = optarg;
			break;
		case 'P':
			o.spin = 1;
			break;
		case 'L':
			bad |= parse_long(optarg, &o.catchup_us);
			break;
		case 'K':
			o.kernel_ts = 1;
			clock_id = CLOCK_REALTIME;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (bad || o.server == NULL || (o.qfile == NULL && o.ndfiles == 0) ||
	    (o.ndfiles > 0 && o.zone == NULL) || o.inflight < 1 || o.inflight > 60000 ||
	    !(o.rate > 0 && o.rate <= 1e8) || !(o.duration > 0 && o.duration <= 3600) ||
	    o.nsock < 1 || o.nsock > SOCK_MAX || o.timeout_ms < 1 || o.timeout_ms > 4000 ||
	    o.batch < 1 || o.batch > BATCH_MAX || o.catchup_us < 0 || o.catchup_us > 10000000 ||
	    optind != argc) {
		usage();
		return 2;
	}
	if (parse_addr(o.server, &sin) != 0) {
		fprintf(stderr, "dnsload: error: bad server address '%s' (want 127.0.0.1:PORT)\n",
			o.server);
		return 2;
	}
	if (o.qfile != NULL && load_file(&nm, o.qfile, &o, 0) != 0) {
		return 1;
	}
	for (int i = 0; i < o.ndfiles; i++) {
		if (load_file(&nm, o.dfiles[i], &o, 1) != 0) {
			return 1;
		}
	}
	if (nm.n == 0) {
		fprintf(stderr, "dnsload: error: no query names\n");
		return 1;
	}
	/* Precise open-loop wake-ups: the default 50 us timer slack would bunch the sends. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

	r.o = &o;
	r.nm = &nm;
	r.timeout_ns = (uint64_t)o.timeout_ms * 1000000ULL;
	r.nbuckets = (size_t)o.duration + 2;
	r.buckets = calloc(r.nbuckets, sizeof(*r.buckets));
	if (r.buckets == NULL) {
		fprintf(stderr, "dnsload: error: out of memory\n");
		return 1;
	}
	for (int i = 0; i < o.nsock; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
			fprintf(stderr, "dnsload: error: socket/connect: %s\n", strerror(errno));
			return 1;
		}
		if (o.kernel_ts &&
		    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int)) != 0) {
			fprintf(stderr, "dnsload: error: SO_TIMESTAMPNS: %s\n", strerror(errno));
			return 1;
		}
		r.socks[i] = fd;
	}
	run_load(&r);
	for (int i = 0; i < o.nsock; i++) {
		close(r.socks[i]);
	}
	free(r.st.lat);
	free(r.buckets);
	free(nm.q);
	free(nm.blob);
	return 0;
}
