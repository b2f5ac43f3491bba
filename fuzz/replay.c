/* SPDX-License-Identifier: BSD-2-Clause */
/* Runs a libFuzzer harness over every file of its corpus directories without libFuzzer, so
 * gcc builds replay the corpus as an ordinary test (and under sanitizers in `make check`). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return 1;
	}
	uint8_t *buf = malloc(1 << 20);
	size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
	fclose(f);
	if (buf == NULL) {
		return 1;
	}
	/* an exact-size copy, so that ASan sees reads past the end */
	uint8_t *exact = malloc(n ? n : 1);
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int run_dir(const char *dir, unsigned *count)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "replay: cannot open directory %s\n", dir);
		return 1;
	}
	int ret = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && ret == 0) {
		if (e->d_name[0] == '.') {
			continue;
		}
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			ret = run_file(path);
			(*count)++;
		}
	}
	closedir(d);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
			return 1;
		}
		int ret = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) : run_file(argv[i]);
		if (ret != 0) {
			return ret;
		}
		if (!S_ISDIR(st.st_mode)) {
			count++;
		}
	}
	/* also the empty input, which every harness must survive */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	printf("replayed %u inputs\n", count);
	return count > 0 ? 0 : 1;
}
