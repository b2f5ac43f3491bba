/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: any bytes as a config file. Either it loads, and every key can be read, or it
 * fails with a message that names the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	ipbl_conf_t *c = NULL;
	int ret = ipbl_conf_parse("fuzz.conf", (const char *)data, size, &c, err, sizeof(err));
	if (ret != 0) {
		if (strncmp(err, "fuzz.conf", 9) != 0) {
			abort();
		}
		return 0;
	}
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		const ipbl_conf_key_t *k = &ipbl_conf_schema[i];
		size_t n = ipbl_conf_count(c, k->section, k->key);
		for (size_t v = 0; v < n; v++) {
			if (ipbl_conf_str_at(c, k->section, k->key, v) == NULL) {
				abort();
			}
		}
	}
	ipbl_conf_free(c);
	return 0;
}
