/* SPDX-License-Identifier: BSD-2-Clause */
/* File locations derived from the config: the store file and the manual clock file under the
 * data directory, and the creation of that directory. */
#include "lib/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= len) {
		return IPBL_ERANGE;
	}
	return 0;
}

int ipbl_paths_store(const ipbl_conf_t *c, char *buf, size_t len)
{
	const char *path = ipbl_conf_str(c, "store", "path");
	if (path != NULL && path[0] != '\0') {
		int n = snprintf(buf, len, "%s", path);
		return n < 0 || (size_t)n >= len ? IPBL_ERANGE : 0;
	}
	return join(buf, len, ipbl_conf_str(c, "main", "data_dir"), "ipbl.db");
}

int ipbl_paths_clock(const ipbl_conf_t *c, char *buf, size_t len)
{
	return join(buf, len, ipbl_conf_str(c, "main", "data_dir"), "clock");
}

int ipbl_paths_trap_spool(const ipbl_conf_t *c, char *buf, size_t len)
{
	return join(buf, len, ipbl_conf_str(c, "main", "data_dir"), "spool/trap");
}

int ipbl_paths_make_data_dir(const ipbl_conf_t *c)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s", ipbl_conf_str(c, "main", "data_dir"));
	if (n < 0 || (size_t)n >= sizeof(path)) {
		return IPBL_ERANGE;
	}
	/* every parent first, then the directory itself */
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/') {
			continue;
		}
		*p = '\0';
		if (mkdir(path, 0750) != 0 && errno != EEXIST) {
			return ipbl_errno();
		}
		*p = '/';
	}
	if (mkdir(path, 0750) != 0 && errno != EEXIST) {
		return ipbl_errno();
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		return ipbl_errno();
	}
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}
