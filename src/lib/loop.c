/* SPDX-License-Identifier: BSD-2-Clause */
/* epoll and eventfd wrappers. */
#include "lib/loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <unistd.h>

int ipbl_poller_init(ipbl_poller_t *p)
{
	p->fd = epoll_create1(EPOLL_CLOEXEC);
	return p->fd < 0 ? ipbl_errno() : 0;
}

void ipbl_poller_fini(ipbl_poller_t *p)
{
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
}

int ipbl_poller_add(ipbl_poller_t *p, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };
	return epoll_ctl(p->fd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : ipbl_errno();
}

int ipbl_poller_wait(ipbl_poller_t *p, uint32_t *tags, int max, int timeout_ms)
{
	struct epoll_event evs[16];
	if (max > 16) {
		max = 16;
	}
	int n = epoll_wait(p->fd, evs, max, timeout_ms);
	if (n < 0) {
		return errno == EINTR ? 0 : ipbl_errno();
	}
	for (int i = 0; i < n; i++) {
		tags[i] = evs[i].data.u32;
	}
	return n;
}

int ipbl_wakeup_new(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return fd < 0 ? ipbl_errno() : fd;
}

void ipbl_wakeup_fire(int fd)
{
	uint64_t one = 1;
	ssize_t w = write(fd, &one, sizeof(one));
	(void)w; /* a full counter is still readable: the wake-up is not lost */
}

int ipbl_thread_lower_priority(void)
{
	/* on Linux the nice value belongs to the thread, named by its thread id */
	return setpriority(PRIO_PROCESS, (id_t)gettid(), 19) == 0 ? 0 : ipbl_errno();
}
