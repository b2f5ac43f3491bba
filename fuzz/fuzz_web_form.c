/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target for what the web component does with untrusted bytes itself: the form
 * decoder (any body; and an encoded value must decode back to the same bytes) and the HTML
 * and JSON escapes (no markup character may survive, no control byte, valid UTF-8 out).
 * Builds with gcc too, for corpus replay. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/form.h"
#include "web/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_decode(const char *s, size_t len)
{
	char *out = NULL;
	size_t n = 0;
	int ret = web_form_field(s, len, "bounce", &out, &n);
	if (ret == 0) {
		if (out == NULL || n > len || out[n] != '\0') {
			abort();
		}
	} else if (out != NULL || (ret != IPBL_ENOENT && ret != IPBL_EFORMAT)) {
		abort();
	}
	free(out);
}

/* Encode the input as the value of "bounce", as a browser would, and decode it back. */
static void check_round_trip(const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char *enc = malloc(7 + 3 * len + 1);
	if (enc == NULL) {
		return;
	}
	memcpy(enc, "bounce=", 7);
	size_t o = 7;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ') {
			enc[o++] = '+';
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9')) {
			enc[o++] = (char)c;
		} else {
			enc[o++] = '%';
			enc[o++] = hex[c >> 4];
			enc[o++] = hex[c & 15];
		}
	}
	char *out = NULL;
	size_t n = 0;
	if (web_form_field(enc, o, "bounce", &out, &n) != 0 || n != len ||
	    (len > 0 && memcmp(out, s, len) != 0)) {
		abort();
	}
	free(out);
	free(enc);
}

static void check_html(const char *s, size_t len)
{
	web_out_t o;
	web_out_init(&o, 0);
	web_out_html(&o, s, len);
	for (size_t i = 0; i < o.len; i++) {
		unsigned char c = (unsigned char)o.data[i];
		if (c == '<' || c == '>' || c == '"' || c == '\'' || c == 0 || c == 0x7F ||
		    (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
			abort();
		}
	}
	web_out_fini(&o);
	web_out_init(&o, 0);
	web_out_json_str(&o, s, len);
	if (o.len < 2 || o.data[0] != '"' || o.data[o.len - 1] != '"') {
		abort();
	}
	for (size_t i = 0; i < o.len; i++) {
		if ((unsigned char)o.data[i] < 0x20) {
			abort();
		}
	}
	web_out_fini(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	check_decode(s, size);
	check_round_trip(s, size);
	check_html(s, size);
	return 0;
}
