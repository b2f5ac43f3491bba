/* SPDX-License-Identifier: BSD-2-Clause */
/* The message table behind ipbl_strerror(), generated from IPBL_ERRNO_MAP. */
#include "lib/err.h"

#include <string.h>

const char *ipbl_strerror(int code)
{
	switch (code) {
	case 0:
		return "success";
#define IPBL_ERR_CASE(name, value, msg)                                                            \
	case (value):                                                                              \
		return (msg);
		IPBL_ERRNO_MAP(IPBL_ERR_CASE)
#undef IPBL_ERR_CASE
	default:
		break;
	}
	if (code < 0 && code > -1000) {
		const char *s = strerrordesc_np(-code);
		return s != NULL ? s : "unknown error";
	}
	return "unknown error";
}

int ipbl_errno(void)
{
	return errno > 0 ? -errno : IPBL_EIO;
}
