/* SPDX-License-Identifier: BSD-2-Clause */
/* Socket set-up and recvmmsg/sendmmsg wrappers. */
#include "lib/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

static socklen_t to_sockaddr(const ipbl_conf_addr_t *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->addr.family == IPBL_AF_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->addr.bytes, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(a->port);
	memcpy(&sin6->sin6_addr, a->addr.bytes, 16);
	return sizeof(*sin6);
}

static int bind_socket(const ipbl_conf_addr_t *a, int type, bool reuseport, int *fd_out)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(a, &ss);
	int fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return ipbl_errno();
	}
	int one = 1;
	if (ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) {
		goto fail;
	}
	if (type == SOCK_STREAM &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
		goto fail;
	}
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
		goto fail;
	}
	*fd_out = fd;
	return 0;
fail:;
	int ret = ipbl_errno();
	close(fd);
	return ret;
}

int ipbl_net_udp_bind(const ipbl_conf_addr_t *a, bool reuseport, int *fd_out)
{
	int ret = bind_socket(a, SOCK_DGRAM, reuseport, fd_out);
	if (ret == 0) {
		/* a larger receive buffer absorbs bursts while a worker answers a batch */
		int size = 4 * 1024 * 1024;
		(void)setsockopt(*fd_out, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	return ret;
}

int ipbl_net_tcp_listen(const ipbl_conf_addr_t *a, int backlog, int *fd_out)
{
	int ret = bind_socket(a, SOCK_STREAM, false, fd_out);
	if (ret != 0) {
		return ret;
	}
	if (listen(*fd_out, backlog) != 0) {
		ret = ipbl_errno();
		close(*fd_out);
		return ret;
	}
	return 0;
}

int ipbl_net_local_port(int fd, uint16_t *port_out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		return ipbl_errno();
	}
	if (ss.ss_family == AF_INET) {
		*port_out = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else {
		*port_out = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return 0;
}

int ipbl_net_recv_batch(int fd, struct mmsghdr *msgs, unsigned n)
{
	int r = recvmmsg(fd, msgs, n, MSG_DONTWAIT, NULL);
	if (r < 0) {
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : ipbl_errno();
	}
	return r;
}

int ipbl_net_send_batch(int fd, struct mmsghdr *msgs, unsigned n)
{
	int r = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
	return r < 0 ? ipbl_errno() : r;
}
