/* SPDX-License-Identifier: BSD-2-Clause */
/* The trap addresses of [trap] addresses: "user@domain" is one mailbox, "@domain" every
 * mailbox at that domain; both compared without regard to ASCII case. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/str.h"

typedef struct trap_addrs trap_addrs_t;

/* A matcher for the n patterns (copied). On a bad pattern returns IPBL_ECONF with a message
 * naming it in err. Caller owns *out: free with trap_addrs_free. */
int trap_addrs_new(const char *const *patterns, size_t n, trap_addrs_t **out, char *err,
		   size_t err_len) IPBL_MUSTCHECK;
void trap_addrs_free(trap_addrs_t *a);

/* True when the mailbox addr ("local@domain", no angle brackets) is a trap address. */
bool trap_addrs_match(const trap_addrs_t *a, ipbl_str_t addr);
