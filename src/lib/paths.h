/* SPDX-License-Identifier: BSD-2-Clause */
/* Where ipbl keeps its files: the one place that turns the config into the store path and the
 * manual clock path, so the daemon and the ipbl command always agree. */
#pragma once

#include <stddef.h>

#include "lib/conf.h"
#include "lib/err.h"

/* The SQLite store file: [store] path, else DATA_DIR/ipbl.db. Writes it to buf; returns 0, or
 * IPBL_ERANGE when it does not fit in len bytes. */
int ipbl_paths_store(const ipbl_conf_t *c, char *buf, size_t len) IPBL_MUSTCHECK;

/* The manual clock file shared by every process: DATA_DIR/clock. Writes it to buf; returns 0,
 * or IPBL_ERANGE when it does not fit in len bytes. */
int ipbl_paths_clock(const ipbl_conf_t *c, char *buf, size_t len) IPBL_MUSTCHECK;

/* The spamtrap spool directory: DATA_DIR/spool/trap. Writes it to buf; returns 0, or
 * IPBL_ERANGE when it does not fit in len bytes. */
int ipbl_paths_trap_spool(const ipbl_conf_t *c, char *buf, size_t len) IPBL_MUSTCHECK;

/* Create the data directory ([main] data_dir) and its missing parents (mode 0750). Returns 0
 * or IPBL_E* (an errno code) when it cannot be created. */
int ipbl_paths_make_data_dir(const ipbl_conf_t *c) IPBL_MUSTCHECK;
