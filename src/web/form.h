/* SPDX-License-Identifier: BSD-2-Clause */
/* application/x-www-form-urlencoded bodies (the HTML forms' POST encoding): find one field
 * and decode it. Pure; the input is untrusted and need not be NUL-terminated. */
#pragma once

#include <stddef.h>

#include "lib/err.h"

/* Find the first field called name in body[0..len) ("a=1&b=2", '+' is a space, %XX a byte)
 * and decode its value into a new NUL-terminated string *out (free() it), *out_len bytes
 * long (the value may hold NUL bytes; *out_len counts them). A field without '=' has the
 * empty value. Returns 0, IPBL_ENOENT when the field is absent, IPBL_EFORMAT for a bad
 * escape (a '%' not followed by two hex digits) in the value or in a field name that had to
 * be decoded to compare it, or IPBL_ENOMEM. */
/* The number of fields in body[0..len): the '&'-separated pieces, empty ones not counted. */
size_t web_form_count(const char *body, size_t len);

int web_form_field(const char *body, size_t len, const char *name, char **out,
		   size_t *out_len) IPBL_MUSTCHECK;
