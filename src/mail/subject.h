/* SPDX-License-Identifier: BSD-2-Clause */
/* The normal form of a Subject line, so that the subject a sender types into the challenge
 * form finds the reports of the mail it sent (engine_subject_key hashes this form). Pure. */
#pragma once

#include <stddef.h>

/* The normal form of the subject in text[0..len) (a raw, unfolded field value or what a
 * person typed; it ends at a NUL byte): RFC 2047 encoded-words decoded (GMime; bytes that
 * are not UTF-8 are read in the GMime fallback charsets, as GMime reads any header), folding
 * line breaks removed, Unicode compatibility-normalised and case-folded (NFKC, fold, NFKC:
 * "ÉTÉ" is "été", a no-break space a space), every run of white space (space, tab, CR, LF)
 * made one space, leading and trailing white space trimmed, ASCII letters lower-cased.
 * Returns a new NUL-terminated string the caller frees (free), "" for a blank
 * subject, or NULL when out of memory. */
char *mail_subject_normalise(const char *text, size_t len);
