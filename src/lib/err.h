/* SPDX-License-Identifier: BSD-2-Clause */
/* Error codes: 0 is success, negative values are failures. The errno range maps one to one
 * (IPBL_ENOMEM == -ENOMEM); project codes start at -1000. Defined once by an X-macro so the
 * enum and the message table cannot drift. */
#pragma once

#include <errno.h>

#define IPBL_MUSTCHECK __attribute__((warn_unused_result))

/* name, value, message */
#define IPBL_ERRNO_MAP(X)                                                                          \
	X(ENOMEM, -ENOMEM, "out of memory")                                                        \
	X(EINVAL, -EINVAL, "invalid argument")                                                     \
	X(ENOENT, -ENOENT, "not found")                                                            \
	X(EEXIST, -EEXIST, "already exists")                                                       \
	X(EIO, -EIO, "input/output error")                                                         \
	X(EAGAIN, -EAGAIN, "try again")                                                            \
	X(ERANGE, -ERANGE, "value out of range")                                                   \
	X(ENOSPC, -ENOSPC, "no space left")                                                        \
	X(EACCES, -EACCES, "permission denied")                                                    \
	X(EADDRINUSE, -EADDRINUSE, "address already in use")                                       \
	X(EPARSE, -1000, "parse error")                                                            \
	X(ETRUNC, -1001, "truncated")                                                              \
	X(ELIMIT, -1002, "limit exceeded")                                                         \
	X(ECONF, -1003, "configuration error")                                                     \
	X(EFORMAT, -1004, "malformed input")                                                       \
	X(ESTORE, -1005, "store error")                                                            \
	X(EPOLICY, -1006, "policy error")

enum ipbl_err {
	IPBL_OK = 0,
#define IPBL_ERR_ENUM(name, value, msg) IPBL_##name = (value),
	IPBL_ERRNO_MAP(IPBL_ERR_ENUM)
#undef IPBL_ERR_ENUM
};

/* A static message for an IPBL_E* code or a negative errno; never NULL. */
const char *ipbl_strerror(int code);

/* -errno of the last failed libc call (never 0: IPBL_EIO when errno is unset). */
int ipbl_errno(void);
