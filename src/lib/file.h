/* SPDX-License-Identifier: BSD-2-Clause */
/* Reading a whole regular file into memory: the data files of the DNS component, the
 * spamtrap spool, the ipbl command. One place for the checks every reader needs. */
#pragma once

#include <stddef.h>
#include <sys/stat.h>

#include "lib/err.h"

/* Read the regular file path into a new buffer with a NUL after the data (*buf, freed by
 * the caller; *len bytes without the NUL). *st gets the stat of what was opened. A file that
 * shrinks while it is read gives what was there (*len < st->st_size; the caller decides).
 * Returns 0, IPBL_EINVAL when path is not a regular file, IPBL_ELIMIT when it is larger than
 * max bytes, IPBL_ENOMEM, or the errno code of open/read. */
int ipbl_file_read(const char *path, size_t max, char **buf, size_t *len,
		   struct stat *st) IPBL_MUSTCHECK;
