/* SPDX-License-Identifier: BSD-2-Clause */
/* A region allocator for one unit of work (a message, a request, a batch): allocations are
 * bumped out of chunks and all released together by ipbl_arena_reset or ipbl_arena_free.
 * A configured maximum bounds what one unit of work can take; past it allocations fail
 * (NULL), they never abort. Not thread-safe: one arena per thread or per unit of work. */
#pragma once

#include <stddef.h>

typedef struct ipbl_arena ipbl_arena_t;

/* A new arena that will hold at most max_bytes (0 = no limit), or NULL when out of memory.
 * Free with ipbl_arena_free. */
ipbl_arena_t *ipbl_arena_new(size_t max_bytes);

/* size bytes aligned for any type, or NULL when out of memory or past the limit. Valid until
 * the next reset or free. */
void *ipbl_arena_alloc(ipbl_arena_t *a, size_t size);

/* A copy of s[0..len) with a NUL after it, or NULL. */
char *ipbl_arena_strndup(ipbl_arena_t *a, const char *s, size_t len);

/* Release every allocation; keeps the first chunk for reuse. */
void ipbl_arena_reset(ipbl_arena_t *a);

/* Bytes handed out since the last reset. */
size_t ipbl_arena_used(const ipbl_arena_t *a);

void ipbl_arena_free(ipbl_arena_t *a);
