/* SPDX-License-Identifier: BSD-2-Clause */
/* Region allocator: a list of chunks, newest first; each allocation is rounded up to the
 * strictest alignment. Large requests get a chunk of their own. Debug builds fill released
 * memory with 0xaa so a use after reset shows up in tests. */
#include "lib/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 16384u
#define ARENA_ALIGN alignof(max_align_t)

typedef struct chunk chunk_t;
struct chunk {
	chunk_t *next;
	size_t size; /* usable bytes in data */
	size_t used;
	alignas(ARENA_ALIGN) unsigned char data[];
};

struct ipbl_arena {
	chunk_t *chunks;
	size_t max_bytes;
	size_t used; /* handed out since the last reset */
};

ipbl_arena_t *ipbl_arena_new(size_t max_bytes)
{
	ipbl_arena_t *a = calloc(1, sizeof(*a));
	if (a != NULL) {
		a->max_bytes = max_bytes;
	}
	return a;
}

static chunk_t *chunk_new(size_t size)
{
	chunk_t *c = malloc(sizeof(*c) + size);
	if (c != NULL) {
		c->next = NULL;
		c->size = size;
		c->used = 0;
	}
	return c;
}

void *ipbl_arena_alloc(ipbl_arena_t *a, size_t size)
{
	if (size > SIZE_MAX / 2) {
		return NULL;
	}
	size_t rounded = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (rounded == 0) {
		rounded = ARENA_ALIGN;
	}
	if (a->max_bytes != 0 && a->used + rounded > a->max_bytes) {
		return NULL;
	}
	chunk_t *c = a->chunks;
	if (c == NULL || c->size - c->used < rounded) {
		chunk_t *n = chunk_new(rounded > ARENA_CHUNK ? rounded : ARENA_CHUNK);
		if (n == NULL) {
			return NULL;
		}
		n->next = a->chunks;
		a->chunks = n;
		c = n;
	}
	void *p = c->data + c->used;
	c->used += rounded;
	a->used += rounded;
	return p;
}

char *ipbl_arena_strndup(ipbl_arena_t *a, const char *s, size_t len)
{
	char *p = ipbl_arena_alloc(a, len + 1);
	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void ipbl_arena_reset(ipbl_arena_t *a)
{
	chunk_t *keep = NULL;
	for (chunk_t *c = a->chunks; c != NULL;) {
		chunk_t *next = c->next;
		if (next == NULL && c->size == ARENA_CHUNK) {
			keep = c; /* the oldest standard chunk is reused */
		} else {
			free(c);
		}
		c = next;
	}
	if (keep != NULL) {
#ifndef NDEBUG
		memset(keep->data, 0xaa, keep->used);
#endif
		keep->used = 0;
	}
	a->chunks = keep;
	a->used = 0;
}

size_t ipbl_arena_used(const ipbl_arena_t *a)
{
	return a->used;
}

void ipbl_arena_free(ipbl_arena_t *a)
{
	if (a == NULL) {
		return;
	}
	for (chunk_t *c = a->chunks; c != NULL;) {
		chunk_t *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}
