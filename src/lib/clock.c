/* SPDX-License-Identifier: BSD-2-Clause */
/* System and manual clocks. The manual clock is one 64-bit value in a shared mapping of a
 * file, read and written atomically, so every process that maps it sees the same time. */
#include "lib/clock.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CLOCK_MAGIC 0x6970626c636c6b31ull /* "ipblclk1" */

typedef struct {
	uint64_t magic;
	_Atomic int64_t now_ms;
} clock_file_t;

struct ipbl_clock {
	clock_file_t *shared; /* NULL for the system clock */
};

static int64_t system_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ipbl_clock_t *ipbl_clock_system(void)
{
	static ipbl_clock_t system_clock = { NULL };
	return &system_clock;
}

int ipbl_clock_manual_open(const char *path, ipbl_clock_t **out)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		return ipbl_errno();
	}
	int ret = 0;
	/* one process initialises the file; flock makes the first-time write atomic */
	if (lockf(fd, F_LOCK, 0) != 0) {
		ret = ipbl_errno();
		goto out;
	}
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < (off_t)sizeof(clock_file_t)) {
		clock_file_t init = { .magic = CLOCK_MAGIC };
		atomic_init(&init.now_ms, system_now_ms());
		if (pwrite(fd, &init, sizeof(init), 0) != (ssize_t)sizeof(init) || fsync(fd) != 0) {
			ret = ipbl_errno();
			goto unlock;
		}
	}
	void *map = mmap(NULL, sizeof(clock_file_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = ipbl_errno();
		goto unlock;
	}
	if (((clock_file_t *)map)->magic != CLOCK_MAGIC) {
		munmap(map, sizeof(clock_file_t));
		ret = IPBL_EFORMAT;
		goto unlock;
	}
	ipbl_clock_t *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		munmap(map, sizeof(clock_file_t));
		ret = IPBL_ENOMEM;
		goto unlock;
	}
	c->shared = map;
	*out = c;
unlock:
	(void)lockf(fd, F_ULOCK, 0);
out:
	close(fd);
	return ret;
}

void ipbl_clock_free(ipbl_clock_t *c)
{
	if (c == NULL || c->shared == NULL) {
		return;
	}
	munmap(c->shared, sizeof(clock_file_t));
	free(c);
}

bool ipbl_clock_is_manual(const ipbl_clock_t *c)
{
	return c->shared != NULL;
}

int64_t ipbl_clock_now_ms(const ipbl_clock_t *c)
{
	if (c->shared == NULL) {
		return system_now_ms();
	}
	return atomic_load(&c->shared->now_ms);
}

int ipbl_clock_set_ms(ipbl_clock_t *c, int64_t ms)
{
	if (c->shared == NULL) {
		return IPBL_EINVAL;
	}
	atomic_store(&c->shared->now_ms, ms);
	return msync(c->shared, sizeof(clock_file_t), MS_SYNC) == 0 ? 0 : ipbl_errno();
}

int ipbl_clock_advance_ms(ipbl_clock_t *c, int64_t delta_ms)
{
	if (c->shared == NULL) {
		return IPBL_EINVAL;
	}
	atomic_fetch_add(&c->shared->now_ms, delta_ms);
	return msync(c->shared, sizeof(clock_file_t), MS_SYNC) == 0 ? 0 : ipbl_errno();
}

int ipbl_clock_parse_time(const char *text, int64_t *ms_out)
{
	if (text[0] == '@') {
		char *end = NULL;
		long long s = strtoll(text + 1, &end, 10);
		if (end == text + 1 || *end != '\0' || s < 0) {
			return IPBL_EPARSE;
		}
		*ms_out = (int64_t)s * 1000;
		return 0;
	}
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *p = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL) {
		return IPBL_EPARSE;
	}
	int64_t frac_ms = 0;
	if (*p == '.') {
		int64_t scale = 100;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			frac_ms += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0) {
		return IPBL_EPARSE;
	}
	time_t t = timegm(&tm);
	if (t == (time_t)-1) {
		return IPBL_EPARSE;
	}
	*ms_out = (int64_t)t * 1000 + frac_ms;
	return 0;
}

char *ipbl_clock_format(int64_t ms, char *buf)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
