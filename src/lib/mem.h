/* SPDX-License-Identifier: BSD-2-Clause */
/* Process-lifetime allocation for start-up and the control plane: these never return NULL
 * (they end the process with a message on out-of-memory). Never use on the query path. */
#pragma once

#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

void *ipbl_xmalloc(size_t size);
void *ipbl_xcalloc(size_t n, size_t size);
void *ipbl_xrealloc(void *ptr, size_t size);
char *ipbl_xstrdup(const char *s);
char *ipbl_xstrndup(const char *s, size_t len);

/* Print "fatal: <message>" to stderr and exit(1). Start-up code and the skeleton only. */
void ipbl_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Internal inconsistency: print and abort (core dump). */
void ipbl_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static inline void ipbl_autofree_fn(void *p)
{
	free(*(void **)p);
}
static inline void ipbl_autoclose_fn(const int *fd)
{
	if (*fd >= 0) {
		close(*fd);
	}
}
#define ipbl_autofree __attribute__((cleanup(ipbl_autofree_fn)))
#define ipbl_autoclose __attribute__((cleanup(ipbl_autoclose_fn)))

/* Recoverable assertion: logs file:line once, aborts in debug builds, returns true so the
 * caller can recover in production. */
#ifdef NDEBUG
#define IPBL_UNEXPECTED(cond) ((cond) ? (ipbl_unexpected(#cond, __FILE__, __LINE__), 1) : 0)
#else
#define IPBL_UNEXPECTED(cond)                                                                      \
	((cond) ? (ipbl_panic("unexpected: %s at %s:%d", #cond, __FILE__, __LINE__), 1) : 0)
#endif
/* Always-on assertion for invariants whose violation would corrupt memory or answers. */
#define IPBL_REQUIRE(cond)                                                                         \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			ipbl_panic("requirement failed: %s at %s:%d", #cond, __FILE__, __LINE__);  \
		}                                                                                  \
	} while (0)

void ipbl_unexpected(const char *what, const char *file, int line);
