/* SPDX-License-Identifier: BSD-2-Clause */
/* The schema migrations, embedded at build time from src/store/migrations/NNNN_*.sql by
 * scripts/embed_sql.py. A database's PRAGMA user_version is the last one applied. */
#pragma once

#include <stddef.h>

typedef struct {
	int version; /* 1, 2, ... */
	const char *name;
	const char *sql; /* one or more statements */
} store_migration_t;

extern const store_migration_t store_migrations[];
extern const size_t store_migrations_len;
