/* SPDX-License-Identifier: BSD-2-Clause */
/* Bounded buffer. */
#include "lib/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ipbl_buf_init(ipbl_buf_t *b, char *storage, size_t cap)
{
	b->data = storage;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
	if (cap > 0) {
		storage[0] = '\0';
	}
}

void ipbl_buf_append(ipbl_buf_t *b, const void *data, size_t len)
{
	if (b->cap == 0) {
		b->overflow = b->overflow || len > 0;
		return;
	}
	size_t room = b->cap - 1 - b->len;
	if (len > room) {
		len = room;
		b->overflow = true;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void ipbl_buf_puts(ipbl_buf_t *b, const char *s)
{
	ipbl_buf_append(b, s, strlen(s));
}

void ipbl_buf_printf(ipbl_buf_t *b, const char *fmt, ...)
{
	if (b->cap == 0) {
		b->overflow = true;
		return;
	}
	size_t room = b->cap - b->len;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->overflow = true;
		return;
	}
	if ((size_t)n >= room) {
		b->len = b->cap - 1;
		b->overflow = true;
	} else {
		b->len += (size_t)n;
	}
}
