/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nullresp: the "null responder", the ceiling of this machine for a UDP DNS server.
 * One thread, epoll + recvmmsg/sendmmsg batches; every query is answered with its own ID and
 * question and a fixed A 127.0.0.2 answer, with no lookup at all.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
	BATCH_MAX = 64,
	PKT_MAX = 4096,
	DNS_HDR = 12,
	ANSWER_LEN = 16,
};

static volatile sig_atomic_t stop_flag;

static const uint8_t answer_rr[ANSWER_LEN] = {
	0xc0, 0x0c,		/* name: pointer to the question name */
	0x00, 0x01,		/* type A */
	0x00, 0x01,		/* class IN */
	0x00, 0x00, 0x02, 0x58, /* TTL 600 */
	0x00, 0x04,		/* rdlength */
	127,  0,    0,	  2,
};

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: nullresp [-l ADDR:PORT] [-b BATCH] [-t MAX_SECONDS]\n"
			"  -l  IPv4 address and port to bind (default 127.0.0.1:0, kernel picks)\n"
			"  -b  recvmmsg/sendmmsg batch size, 1..64 (default 64)\n"
			"  -t  exit after this many seconds (default 3600)\n"
			"Prints \"nullresp: listening ADDR:PORT\" on stdout once bound.\n");
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
	if (errno != 0 || *end != '\0' || port < 0 || port > 65535) {
		return -1;
	}
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		return -1;
	}
	return 0;
}

/* Turns the query in pkt (len bytes) into the answer in place; returns its length or 0. */
static size_t make_answer(uint8_t *pkt, size_t len)
{
	size_t pos = DNS_HDR;
	size_t name_len = 0;

	if (len < DNS_HDR || (pkt[2] & 0x80) != 0) {
		return 0;
	}
	if (pkt[4] != 0 || pkt[5] != 1) {
		return 0;
	}
	for (;;) {
		uint8_t l;

		if (pos >= len) {
			return 0;
		}
		l = pkt[pos];
		if (l == 0) {
			pos++;
			break;
		}
		if (l > 63) {
			return 0;
		}
		name_len += (size_t)l + 1;
		if (name_len > 255) {
			return 0;
		}
		pos += (size_t)l + 1;
	}
	if (pos + 4 > len) {
		return 0;
	}
	pos += 4;
	if (pos + ANSWER_LEN > PKT_MAX) {
		return 0;
	}
	pkt[2] = (uint8_t)(0x80 | (pkt[2] & 0x78) | 0x04 | (pkt[2] & 0x01));
	pkt[3] = 0;
	pkt[6] = 0;
	pkt[7] = 1;
	pkt[8] = 0;
	pkt[9] = 0;
	pkt[10] = 0;
	pkt[11] = 0;
	memcpy(pkt + pos, answer_rr, ANSWER_LEN);
	return pos + ANSWER_LEN;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static uint8_t bufs[BATCH_MAX][PKT_MAX];
	static struct mmsghdr in[BATCH_MAX], out[BATCH_MAX];
	static struct iovec in_iov[BATCH_MAX], out_iov[BATCH_MAX];
	static struct sockaddr_in peers[BATCH_MAX];
	struct sockaddr_in sin;
	struct epoll_event ev;
	struct sigaction sa;
	socklen_t slen = sizeof(sin);
	unsigned long long answered = 0, dropped = 0, send_err = 0;
	char addr[INET_ADDRSTRLEN];
	const char *listen_at = "127.0.0.1:0";
	double deadline, max_seconds = 3600;
	long batch = 64;
	int fd, ep, opt, bad = 0;

	while ((opt = getopt(argc, argv, "l:b:t:h")) != -1) {
		switch (opt) {
		case 'l':
			listen_at = optarg;
			break;
		case 'b':
			bad |= parse_long(optarg, &batch);
			break;
		case 't':
			bad |= parse_double(optarg, &max_seconds);
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (bad || batch < 1 || batch > BATCH_MAX || !(max_seconds > 0)) {
		usage();
		return 2;
	}
	if (parse_addr(listen_at, &sin) != 0) {
		fprintf(stderr, "nullresp: error: bad listen address '%s'\n", listen_at);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("nullresp: error: socket");
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) != 0) {
		perror("nullresp: error: bind");
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		perror("nullresp: error: epoll");
		return 1;
	}
	inet_ntop(AF_INET, &sin.sin_addr, addr, sizeof(addr));
	printf("nullresp: listening %s:%u\n", addr, (unsigned)ntohs(sin.sin_port));
	fflush(stdout);

	for (int i = 0; i < BATCH_MAX; i++) {
		in_iov[i].iov_base = bufs[i];
		in_iov[i].iov_len = PKT_MAX;
	}
	deadline = now_s() + max_seconds;
	while (!stop_flag) {
		int n = epoll_wait(ep, &ev, 1, 200);

		if (n < 0 && errno != EINTR) {
			perror("nullresp: error: epoll_wait");
			break;
		}
		if (now_s() > deadline) {
			fprintf(stderr, "nullresp: exiting after -t %.0f s\n", max_seconds);
			break;
		}
		if (n <= 0) {
			continue;
		}
		/* Drain the socket; bounded so a signal or the deadline is seen within a few ms. */
		for (int round = 0; round < 1024 && !stop_flag; round++) {
			int got, nout = 0, sent = 0;

			for (int i = 0; i < batch; i++) {
				in[i].msg_hdr.msg_name = &peers[i];
				in[i].msg_hdr.msg_namelen = sizeof(peers[i]);
				in[i].msg_hdr.msg_iov = &in_iov[i];
				in[i].msg_hdr.msg_iovlen = 1;
				in[i].msg_hdr.msg_control = NULL;
				in[i].msg_hdr.msg_controllen = 0;
				in[i].msg_hdr.msg_flags = 0;
			}
			got = recvmmsg(fd, in, (unsigned)batch, MSG_DONTWAIT, NULL);
			if (got <= 0) {
				break;
			}
			for (int i = 0; i < got; i++) {
				size_t alen = make_answer(bufs[i], in[i].msg_len);

				if (alen == 0) {
					dropped++;
					continue;
				}
				out_iov[nout].iov_base = bufs[i];
				out_iov[nout].iov_len = alen;
				memset(&out[nout], 0, sizeof(out[nout]));
				out[nout].msg_hdr.msg_name = &peers[i];
				out[nout].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
				out[nout].msg_hdr.msg_iov = &out_iov[nout];
				out[nout].msg_hdr.msg_iovlen = 1;
				nout++;
			}
			while (sent < nout) {
				int r = sendmmsg(fd, out + sent, (unsigned)(nout - sent), 0);

				if (r <= 0) {
					/* Skip the failed message (the client went away). */
					send_err++;
					sent++;
					continue;
				}
				sent += r;
				answered += (unsigned long long)r;
			}
			if (got < batch) {
				break;
			}
		}
	}
	fprintf(stderr, "nullresp: answered=%llu dropped=%llu send_errors=%llu\n", answered,
		dropped, send_err);
	close(ep);
	close(fd);
	return 0;
}
