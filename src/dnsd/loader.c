/* SPDX-License-Identifier: BSD-2-Clause */
/* The snapshot loader: reads the [dns] data files (rbldnsd formats), builds a snapshot and
 * publishes it. Runs on the control thread. A file that fails to parse rejects the whole
 * rebuild: the snapshot being served stays, so a half-written or broken file never reaches
 * the answers. Files are checked for changes by (device, inode, size, mtime), which catches
 * both in-place writes and atomic renames. */
#include "dnsd/dnsd_internal.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/file.h"
#include "lib/mem.h"
#include "zone/builder.h"
#include "zone/rbldnsd.h"

#define LOG_TAG "dns"
#include "lib/log.h"

#define DATA_FILE_MAX ((size_t)2 << 30) /* 2 GiB: refuse anything larger */

int dnsd_loader_init(dnsd_t *d)
{
	size_t n = ipbl_conf_count(d->conf, "dns", "data");
	if (n > DNSD_DATA_MAX) {
		ipbl_log_err("at most %d data files (got %zu)", DNSD_DATA_MAX, n);
		return IPBL_ECONF;
	}
	for (size_t i = 0; i < n; i++) {
		const char *spec = ipbl_conf_str_at(d->conf, "dns", "data", i);
		enum zone_rbldnsd_type type;
		const char *path = zone_rbldnsd_spec_parse(spec, &type);
		d->data[i] = (dnsd_data_file_t){ .path = ipbl_xstrdup(path), .type = (int)type };
	}
	d->n_data = n;
	return 0;
}

static bool file_stat_differs(const dnsd_data_file_t *f, const struct stat *st)
{
	int64_t mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	return !f->seen || f->dev != st->st_dev || f->ino != st->st_ino || f->size != st->st_size ||
	       f->mtime_ns != mtime_ns;
}

/* Has the file changed since it was last read (or found missing)? */
static bool file_changed(const dnsd_data_file_t *f)
{
	struct stat st;
	if (stat(f->path, &st) != 0) {
		return f->seen; /* it went away: report that once */
	}
	return file_stat_differs(f, &st);
}

/* Record what was read; st NULL records the file as missing. */
static void file_remember(dnsd_data_file_t *f, const struct stat *st)
{
	if (st == NULL) {
		f->seen = false;
		return;
	}
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	f->seen = true;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next serial: the current time, or one more than the last one if that is not later. */
static uint32_t next_serial(const dnsd_t *d)
{
	uint32_t now = (uint32_t)time(NULL);
	const zone_snapshot_t *cur = d->snap; /* control thread: the only writer */
	if (cur != NULL && (int32_t)(now - zone_snapshot_serial(cur)) <= 0) {
		return zone_snapshot_serial(cur) + 1;
	}
	return now;
}

static uint32_t current_serial(const dnsd_t *d)
{
	return d->snap ? zone_snapshot_serial(d->snap) : 0;
}

/* Parse every file into b. Logs the first error with FILE:LINE. *n_read counts the files
 * whose stat went into stats[] (including a file that failed to parse). */
static int load_files(dnsd_t *d, zone_builder_t *b, struct stat *stats, size_t *n_read)
{
	*n_read = 0;
	uint32_t def = 0;
	int ret = zone_builder_value(b, d->default_a, d->zone.txt, d->zone.testpoint.txt_len, &def);
	if (ret != 0) {
		ipbl_log_err("cannot build the default value (%s)", ipbl_strerror(ret));
		return ret;
	}
	for (size_t i = 0; i < d->n_data; i++) {
		dnsd_data_file_t *f = &d->data[i];
		char *buf = NULL;
		size_t len = 0;
		ret = ipbl_file_read(f->path, DATA_FILE_MAX, &buf, &len, &stats[i]);
		if (ret == 0) {
			*n_read = i + 1;
		}
		if (ret != 0) {
			ipbl_log_err("%s: cannot read data file: %s (keeping serial %u)", f->path,
				     ipbl_strerror(ret), current_serial(d));
			return ret;
		}
		/* a line holds at least 8 bytes ("1.2.3.4\n"): room for every address at once
		 * (pages never touched are never faulted in) */
		ret = zone_builder_reserve(b, len / 8);
		if (ret != 0) {
			free(buf);
			ipbl_log_err("%s: no memory for %zu bytes of data", f->path, len);
			return ret;
		}
		zone_rbldnsd_error_t err = { 0 };
		ret = zone_rbldnsd_parse(b, (enum zone_rbldnsd_type)f->type, buf, len, def, &err);
		free(buf);
		if (ret != 0) {
			ipbl_log_err("%s:%u: %s (keeping serial %u)", f->path, err.line,
				     ret == IPBL_EPARSE ? err.message : ipbl_strerror(ret),
				     current_serial(d));
			return ret;
		}
	}
	d->base_value = def;
	return 0;
}

void dnsd_set_source(dnsd_t *d, dnsd_source_fn fn, void *arg)
{
	d->source = fn;
	d->source_arg = arg;
}

/* Build a snapshot from the parsed files (d->base) plus the source's entries, and publish
 * it. start: when the work began, for the log line. */
static int publish_from_base(dnsd_t *d, int64_t start)
{
	zone_builder_t *b = zone_builder_clone(d->base);
	if (b == NULL) {
		ipbl_log_err("no memory to build the zone (keeping serial %u)", current_serial(d));
		return IPBL_ENOMEM;
	}
	int ret = 0;
	if (d->source != NULL) {
		ret = d->source(d->source_arg, b, d->base_value);
		if (ret != 0) {
			ipbl_log_err("cannot add the listed addresses (%s) (keeping serial %u)",
				     ipbl_strerror(ret), current_serial(d));
		}
	}
	zone_snapshot_t *snap = NULL;
	if (ret == 0) {
		ret = zone_builder_finish(b, next_serial(d), &snap);
		if (ret != 0) {
			ipbl_log_err("cannot build the zone (%s)", ipbl_strerror(ret));
		}
	}
	zone_builder_free(b);
	if (ret != 0) {
		return ret;
	}
	zone_snapshot_stats_t s;
	zone_snapshot_stats(snap, &s);
	ipbl_log_info("zone loaded serial=%u ip4_hosts=%zu ip4_intervals=%zu ip6_intervals=%zu "
		      "values=%zu bytes=%zu ms=%lld",
		      zone_snapshot_serial(snap), s.n_ip4_hosts, s.n_ip4_intervals,
		      s.n_ip6_intervals, s.n_values, s.bytes, (long long)(monotonic_ms() - start));
	dnsd_publish(d, snap);
	/* the builder's temporary arrays are as large as the data: hand them back to the
	 * system instead of keeping them in the heap until the next rebuild */
	malloc_trim(0);
	return 0;
}

/* A snapshot of the data files alone (d->base), for dnsd_file_match. Without it (no data
 * files, or no memory: logged) the lookup page just does not name a data file. */
static void keep_files_snapshot(dnsd_t *d)
{
	zone_snapshot_t *snap = NULL;
	if (d->n_data > 0) {
		zone_builder_t *b = zone_builder_clone(d->base);
		int ret = b != NULL ? zone_builder_finish(b, 0, &snap) : IPBL_ENOMEM;
		zone_builder_free(b);
		if (ret != 0) {
			ipbl_log_warning("cannot keep the data files for lookups (%s)",
					 ipbl_strerror(ret));
			snap = NULL;
		}
	}
	pthread_mutex_lock(&d->files_lock);
	zone_snapshot_t *old = d->files_snap;
	d->files_snap = snap;
	pthread_mutex_unlock(&d->files_lock);
	zone_snapshot_unref(old);
}

void dnsd_file_match(dnsd_t *d, const ipbl_ipaddr_t *ip, zone_match_t *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&d->files_lock);
	if (d->files_snap != NULL) {
		zone_snapshot_match(d->files_snap, ip, out);
	}
	pthread_mutex_unlock(&d->files_lock);
}

int dnsd_loader_run(dnsd_t *d, bool force)
{
	bool changed = force || d->base == NULL;
	for (size_t i = 0; i < d->n_data && !changed; i++) {
		changed = file_changed(&d->data[i]);
	}
	if (!changed) {
		return 0;
	}
	int64_t start = monotonic_ms();
	struct stat stats[DNSD_DATA_MAX];
	zone_builder_t *b = zone_builder_new();
	if (b == NULL) {
		return IPBL_ENOMEM;
	}
	size_t n_read = 0;
	int ret = load_files(d, b, stats, &n_read);
	/* remember what was read, good or bad, so a bad file is reported once, not every tick;
	 * files not reached are remembered as they are now */
	for (size_t i = 0; i < d->n_data; i++) {
		struct stat st;
		if (i < n_read) {
			file_remember(&d->data[i], &stats[i]);
		} else {
			file_remember(&d->data[i], stat(d->data[i].path, &st) == 0 ? &st : NULL);
		}
	}
	if (ret != 0) {
		zone_builder_free(b);
		return ret;
	}
	zone_builder_free(d->base);
	d->base = b;
	keep_files_snapshot(d);
	return publish_from_base(d, start);
}

int dnsd_loader_source_changed(dnsd_t *d)
{
	if (d->base == NULL) {
		return dnsd_loader_run(d, true);
	}
	return publish_from_base(d, monotonic_ms());
}

void dnsd_loader_fini(dnsd_t *d)
{
	for (size_t i = 0; i < d->n_data; i++) {
		free(d->data[i].path);
	}
	d->n_data = 0;
	zone_builder_free(d->base);
	d->base = NULL;
	zone_snapshot_unref(d->files_snap);
	d->files_snap = NULL;
}
