/* SPDX-License-Identifier: BSD-2-Clause */
/* xmalloc family, fatal/panic. */
#include "lib/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LOG_TAG "lib"
#include "lib/log.h"

static void *check(void *p)
{
	if (p == NULL) {
		ipbl_fatal("out of memory");
	}
	return p;
}

void *ipbl_xmalloc(size_t size)
{
	return check(malloc(size ? size : 1));
}

void *ipbl_xcalloc(size_t n, size_t size)
{
	return check(calloc(n ? n : 1, size ? size : 1));
}

void *ipbl_xrealloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1));
}

char *ipbl_xstrdup(const char *s)
{
	return check(strdup(s));
}

char *ipbl_xstrndup(const char *s, size_t len)
{
	return check(strndup(s, len));
}

void ipbl_fatal(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ipbl_log_write(IPBL_LOG_ERR, "fatal", "%s", msg);
	exit(1);
}

void ipbl_panic(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ipbl_log_write(IPBL_LOG_ERR, "panic", "%s", msg);
	abort();
}

void ipbl_unexpected(const char *what, const char *file, int line)
{
	ipbl_log_write(IPBL_LOG_ERR, "unexpected", "%s at %s:%d", what, file, line);
}
