/* SPDX-License-Identifier: BSD-2-Clause */
#include "lib/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int ipbl_file_read(const char *path, size_t max, char **buf_out, size_t *len_out, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return ipbl_errno();
	}
	int ret = 0;
	char *buf = NULL;
	if (fstat(fd, st) != 0) {
		ret = ipbl_errno();
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		ret = IPBL_EINVAL;
		goto out;
	}
	if ((unsigned long long)st->st_size > max) {
		ret = IPBL_ELIMIT;
		goto out;
	}
	size_t size = (size_t)st->st_size;
	buf = malloc(size + 1);
	if (buf == NULL) {
		ret = IPBL_ENOMEM;
		goto out;
	}
	size_t got = 0;
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			ret = ipbl_errno();
			goto out;
		}
		if (r == 0) {
			break; /* it shrank while we read */
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	*buf_out = buf;
	*len_out = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}
