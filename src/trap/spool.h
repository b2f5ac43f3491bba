/* SPDX-License-Identifier: BSD-2-Clause */
/* The trap spool: one file per accepted message, handed from the listener (or `ipbl trap`) to
 * the engine by atomic rename, maildir style. A writer creates SPOOL/tmp/NAME, writes it,
 * fsyncs it, renames it to SPOOL/new/NAME and fsyncs SPOOL/new; only then is the message
 * acknowledged. A reader only ever sees complete files in SPOOL/new.
 *
 * FILE FORMAT (version 1). A header of text lines "key: value\n", an empty line, then exactly
 * `size` bytes of the message as received (dot-unstuffed, CRLF line ends, any byte value):
 *
 *     ipbl-trap 1
 *     peer: 45.33.32.156                      the client: trap hit for this IP
 *     via: 127.0.0.1                          only when a proxy passed the peer (PROXY/XCLIENT)
 *     helo: mail.example.com                  may be empty
 *     mail-from: bounce@example.com           empty for the null sender <>
 *     rcpt: spam@trap.example.org             one line per trap recipient, at least one
 *     received-ms: 00000001700000000000       end of DATA, ms since the epoch (20 digits)
 *     size: 00000000000000001234              message bytes after the header (20 digits)
 *
 * The first line must be exactly "ipbl-trap 1". Values never contain CR, LF or NUL (the
 * writer refuses them). Unknown keys are ignored by the reader, so later versions may add
 * lines. The two numbers are fixed-width so the streaming writer can fill them in at commit.
 * NAME is "<ms at DATA, 13+ digits>.<pid>.<sequence>", so names sort oldest first. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/ipaddr.h"

/* What a spool file holds. For the reader all pointers are borrowed for the callback only. */
typedef struct {
	ipbl_ipaddr_t peer;	  /* the client IP the hit is for */
	const char *helo;	  /* "" when none */
	const char *trap_address; /* the first trap recipient */
	const char *mail_from;	  /* "" for the null sender */
	int64_t received_ms;	  /* when the message was complete, by ipbl's clock */
	const char *msg;	  /* the message bytes (not NUL-terminated for the writer; the
				     reader adds a NUL after them) */
	size_t len;
	const char *path; /* reader: the file in SPOOL/new; writer: ignored */
	/* Additions to the brief's struct: */
	const char *rcpts; /* every trap recipient, NUL-terminated, back to back; NULL = just
			      trap_address */
	size_t n_rcpts;	   /* number of entries in rcpts (0 when rcpts is NULL) */
	bool proxied;	   /* peer came from a proxy; via is the proxy */
	ipbl_ipaddr_t via;
} trap_spooled_t;

/* Create SPOOL, SPOOL/tmp, SPOOL/new and SPOOL/bad (and missing parents) and remove files
 * left in SPOOL/tmp for more than an hour by a writer that died. Returns 0 or IPBL_E*. */
int trap_spool_prepare(const char *spool_dir) IPBL_MUSTCHECK;

/* Write one message in a single call (tmp, fsync, rename, directory fsync). s->received_ms is
 * used for the name and the header. The file's NAME goes to name_out (may be NULL). Returns 0
 * or IPBL_E* (IPBL_EINVAL for a value with CR/LF/NUL or no recipient); on failure nothing is
 * left behind. */
int trap_spool_write(const char *spool_dir, const trap_spooled_t *s, char *name_out,
		     size_t name_len) IPBL_MUSTCHECK;

/* The streaming writer behind trap_spool_write, used by the listener while DATA arrives.
 * begin creates SPOOL/tmp/NAME and writes the header (s->msg/len are ignored, now_ms names
 * the file); append adds message bytes; commit fills in received_ms and size and publishes
 * the file; abort removes it. After commit or abort (whatever they return) f is freed. */
typedef struct trap_spool_file trap_spool_file_t;
int trap_spool_begin(const char *spool_dir, const trap_spooled_t *s, int64_t now_ms,
		     trap_spool_file_t **out) IPBL_MUSTCHECK;
int trap_spool_append(trap_spool_file_t *f, const void *data, size_t len) IPBL_MUSTCHECK;
int trap_spool_commit(trap_spool_file_t *f, int64_t received_ms, char *name_out,
		      size_t name_len) IPBL_MUSTCHECK;
void trap_spool_abort(trap_spool_file_t *f);

/* For each complete file in SPOOL/new, oldest first (by name), at most limit of them (0 = no
 * limit): read and parse it and call cb. When cb returns 0 the file is deleted; a nonzero
 * return stops the walk, keeps the file and is returned. A corrupt file is moved to SPOOL/bad
 * with a logged error and skipped. n_done (may be NULL) gets the number of files consumed.
 * Returns 0, cb's nonzero value, or IPBL_E* when SPOOL/new cannot be read. Messages are
 * read whole; a file over 256 MiB counts as corrupt. */
int trap_spool_each(const char *spool_dir, size_t limit,
		    int (*cb)(void *arg, const trap_spooled_t *s), void *arg,
		    size_t *n_done) IPBL_MUSTCHECK;

/* Parse a spool file's bytes (exposed for tests and fuzzing). On success fills *out: msg
 * points into buf, the strings into *owned, which the caller frees with free(). Returns 0 or
 * IPBL_EFORMAT (or IPBL_ENOMEM); *owned is NULL on failure. */
int trap_spool_parse(const char *buf, size_t len, trap_spooled_t *out, char **owned) IPBL_MUSTCHECK;
