/* SPDX-License-Identifier: BSD-2-Clause */
/* A bounded output buffer over caller-provided storage. Appends past the capacity are cut and
 * remembered (ipbl_buf_overflowed), never written out of bounds. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	char *data;    /* caller's storage; always NUL-terminated when cap > 0 */
	size_t len;    /* bytes written, excluding the NUL */
	size_t cap;    /* size of data in bytes */
	bool overflow; /* an append did not fit */
} ipbl_buf_t;

void ipbl_buf_init(ipbl_buf_t *b, char *storage, size_t cap);
void ipbl_buf_append(ipbl_buf_t *b, const void *data, size_t len);
void ipbl_buf_puts(ipbl_buf_t *b, const char *s);
void ipbl_buf_printf(ipbl_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline bool ipbl_buf_overflowed(const ipbl_buf_t *b)
{
	return b->overflow;
}
