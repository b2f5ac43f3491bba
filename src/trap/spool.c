/* SPDX-License-Identifier: BSD-2-Clause */
/* The trap spool: writer (tmp, fsync, rename, directory fsync) and reader. The format is in
 * spool.h. Durability: the file's data and the rename are both on disk before commit
 * returns, so a message that was answered 250 survives a crash; a writer that dies leaves
 * only a file in tmp/, which trap_spool_prepare removes later. */
#include "trap/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/file.h"
#include "lib/str.h"

#define LOG_TAG "trap"
#include "lib/log.h"

#define MAGIC "ipbl-trap 1"
#define NUM_WIDTH 20			/* digits of the fixed-width numbers */
#define FILE_MAX (256ull * 1024 * 1024) /* larger files are not read (corrupt) */
#define STALE_TMP_S 3600		/* tmp files older than this are left-overs */
#define NAME_MAX_LEN 64

struct trap_spool_file {
	int fd;
	char *tmp_path;
	char *new_path;
	char *new_dir;
	char name[NAME_MAX_LEN];
	off_t received_off; /* where the received-ms digits are */
	off_t size_off;	    /* where the size digits are */
	uint64_t size;
};

static atomic_uint name_seq;

/* ---- helpers ---- */

static char *path_join(const char *dir, const char *a, const char *b)
{
	size_t n = strlen(dir) + strlen(a) + (b ? strlen(b) : 0) + 3;
	char *p = malloc(n);
	if (p != NULL) {
		snprintf(p, n, "%s/%s%s%s", dir, a, b ? "/" : "", b ? b : "");
	}
	return p;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return ipbl_errno();
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *data, size_t len, off_t off)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return ipbl_errno();
		}
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return ipbl_errno();
	}
	int ret = fsync(fd) == 0 ? 0 : ipbl_errno();
	close(fd);
	return ret;
}

static int mkdir_p(const char *dir)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s", dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		return IPBL_ERANGE;
	}
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/') {
			continue;
		}
		*p = '\0';
		if (mkdir(path, 0750) != 0 && errno != EEXIST) {
			return ipbl_errno();
		}
		*p = '/';
	}
	if (mkdir(path, 0750) != 0 && errno != EEXIST) {
		return ipbl_errno();
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		return ipbl_errno();
	}
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* A header value may hold any byte but the three that would break the line format. */
static bool value_ok(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n') {
			return false;
		}
	}
	return true;
}

/* ---- preparing the directories ---- */

static void remove_stale_tmp(const char *spool_dir)
{
	char *tmp = path_join(spool_dir, "tmp", NULL);
	DIR *d = tmp ? opendir(tmp) : NULL;
	if (d == NULL) {
		free(tmp);
		return;
	}
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) != 0 ||
		    !S_ISREG(st.st_mode) || now - st.st_mtime < STALE_TMP_S) {
			continue;
		}
		if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
			ipbl_log_notice("removed a left-over spool file file=%s/%s", tmp,
					e->d_name);
		}
	}
	closedir(d);
	free(tmp);
}

int trap_spool_prepare(const char *spool_dir)
{
	int ret = mkdir_p(spool_dir);
	static const char *const subs[] = { "tmp", "new", "bad" };
	for (size_t i = 0; ret == 0 && i < 3; i++) {
		char *p = path_join(spool_dir, subs[i], NULL);
		if (p == NULL) {
			return IPBL_ENOMEM;
		}
		ret = mkdir_p(p);
		free(p);
	}
	if (ret == 0) {
		remove_stale_tmp(spool_dir);
	}
	return ret;
}

/* ---- writing ---- */

static void file_free(trap_spool_file_t *f)
{
	if (f->fd >= 0) {
		close(f->fd);
	}
	free(f->tmp_path);
	free(f->new_path);
	free(f->new_dir);
	free(f);
}

void trap_spool_abort(trap_spool_file_t *f)
{
	if (f == NULL) {
		return;
	}
	unlink(f->tmp_path);
	file_free(f);
}

static size_t header_size(const trap_spooled_t *s, const char *rcpts, size_t n_rcpts)
{
	size_t n = 256 + 2 * IPBL_IPADDR_STRLEN + strlen(s->helo) + strlen(s->mail_from);
	const char *r = rcpts;
	for (size_t i = 0; i < n_rcpts; i++) {
		size_t l = strlen(r);
		n += l + 8;
		r += l + 1;
	}
	return n;
}

/* The recipient list of s: rcpts, or trap_address alone. */
static void spooled_rcpts(const trap_spooled_t *s, const char **rcpts, size_t *n)
{
	if (s->rcpts != NULL && s->n_rcpts > 0) {
		*rcpts = s->rcpts;
		*n = s->n_rcpts;
	} else {
		*rcpts = s->trap_address;
		*n = s->trap_address != NULL && s->trap_address[0] != '\0' ? 1 : 0;
	}
}

static int write_header(trap_spool_file_t *f, const trap_spooled_t *s)
{
	const char *rcpts;
	size_t n_rcpts;
	spooled_rcpts(s, &rcpts, &n_rcpts);
	size_t cap = header_size(s, rcpts, n_rcpts);
	char *text = malloc(cap);
	if (text == NULL) {
		return IPBL_ENOMEM;
	}
	char ip[IPBL_IPADDR_STRLEN];
	ipbl_buf_t b;
	ipbl_buf_init(&b, text, cap);
	ipbl_buf_printf(&b, MAGIC "\npeer: %s\n", ipbl_ipaddr_format(&s->peer, ip));
	if (s->proxied) {
		ipbl_buf_printf(&b, "via: %s\n", ipbl_ipaddr_format(&s->via, ip));
	}
	ipbl_buf_printf(&b, "helo: %s\nmail-from: %s\n", s->helo, s->mail_from);
	const char *r = rcpts;
	for (size_t i = 0; i < n_rcpts; i++) {
		ipbl_buf_printf(&b, "rcpt: %s\n", r);
		r += strlen(r) + 1;
	}
	ipbl_buf_puts(&b, "received-ms: ");
	f->received_off = (off_t)b.len;
	ipbl_buf_printf(&b, "%0*d\nsize: ", NUM_WIDTH, 0);
	f->size_off = (off_t)b.len;
	ipbl_buf_printf(&b, "%0*d\n\n", NUM_WIDTH, 0);
	int ret = ipbl_buf_overflowed(&b) ? IPBL_ERANGE : write_all(f->fd, b.data, b.len);
	free(text);
	return ret;
}

static int check_values(const trap_spooled_t *s)
{
	const char *rcpts;
	size_t n_rcpts;
	spooled_rcpts(s, &rcpts, &n_rcpts);
	if (n_rcpts == 0 || s->helo == NULL || s->mail_from == NULL || !value_ok(s->helo) ||
	    !value_ok(s->mail_from)) {
		return IPBL_EINVAL;
	}
	for (size_t i = 0; i < n_rcpts; i++) {
		if (rcpts[0] == '\0' || !value_ok(rcpts)) {
			return IPBL_EINVAL;
		}
		rcpts += strlen(rcpts) + 1;
	}
	return 0;
}

int trap_spool_begin(const char *spool_dir, const trap_spooled_t *s, int64_t now_ms,
		     trap_spool_file_t **out)
{
	int ret = check_values(s);
	if (ret != 0) {
		return ret;
	}
	trap_spool_file_t *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		return IPBL_ENOMEM;
	}
	f->fd = -1;
	f->new_dir = path_join(spool_dir, "new", NULL);
	if (f->new_dir == NULL) {
		file_free(f);
		return IPBL_ENOMEM;
	}
	/* O_EXCL: a name is never reused, even by another process writing the same spool */
	for (int tries = 0; f->fd < 0; tries++) {
		unsigned seq = atomic_fetch_add(&name_seq, 1);
		snprintf(f->name, sizeof(f->name), "%013" PRId64 ".%ld.%u",
			 now_ms < 0 ? (int64_t)0 : now_ms, (long)getpid(), seq);
		free(f->tmp_path);
		f->tmp_path = path_join(spool_dir, "tmp", f->name);
		if (f->tmp_path == NULL) {
			file_free(f);
			return IPBL_ENOMEM;
		}
		f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (f->fd < 0 && (errno != EEXIST || tries >= 100)) {
			ret = ipbl_errno();
			file_free(f);
			return ret;
		}
	}
	f->new_path = path_join(spool_dir, "new", f->name);
	ret = f->new_path == NULL ? IPBL_ENOMEM : write_header(f, s);
	if (ret != 0) {
		trap_spool_abort(f);
		return ret;
	}
	*out = f;
	return 0;
}

int trap_spool_append(trap_spool_file_t *f, const void *data, size_t len)
{
	int ret = write_all(f->fd, data, len);
	if (ret == 0) {
		f->size += len;
	}
	return ret;
}

int trap_spool_commit(trap_spool_file_t *f, int64_t received_ms, char *name_out, size_t name_len)
{
	char num[NUM_WIDTH + 1];
	snprintf(num, sizeof(num), "%0*" PRId64, NUM_WIDTH, received_ms < 0 ? 0 : received_ms);
	int ret = pwrite_all(f->fd, num, NUM_WIDTH, f->received_off);
	if (ret == 0) {
		snprintf(num, sizeof(num), "%0*" PRIu64, NUM_WIDTH, f->size);
		ret = pwrite_all(f->fd, num, NUM_WIDTH, f->size_off);
	}
	if (ret == 0 && fsync(f->fd) != 0) {
		ret = ipbl_errno();
	}
	if (ret == 0 && close(f->fd) != 0) {
		ret = ipbl_errno();
	}
	f->fd = -1;
	if (ret == 0 && rename(f->tmp_path, f->new_path) != 0) {
		ret = ipbl_errno();
	}
	if (ret != 0) {
		trap_spool_abort(f);
		return ret;
	}
	/* the rename is durable only once the directory is: then, and only then, say 250 */
	ret = fsync_dir(f->new_dir);
	if (ret != 0) {
		unlink(f->new_path); /* the sender will retry after our 451 */
	} else if (name_out != NULL && name_len > 0) {
		snprintf(name_out, name_len, "%s", f->name);
	}
	file_free(f);
	return ret;
}

int trap_spool_write(const char *spool_dir, const trap_spooled_t *s, char *name_out,
		     size_t name_len)
{
	trap_spool_file_t *f = NULL;
	int ret = trap_spool_begin(spool_dir, s, s->received_ms, &f);
	if (ret != 0) {
		return ret;
	}
	ret = trap_spool_append(f, s->msg, s->len);
	if (ret != 0) {
		trap_spool_abort(f);
		return ret;
	}
	return trap_spool_commit(f, s->received_ms, name_out, name_len);
}

/* ---- reading ---- */

static bool parse_num(ipbl_str_t v, int64_t *out)
{
	unsigned long long n;
	if (!ipbl_str_to_u64(v, (unsigned long long)INT64_MAX, &n)) {
		return false;
	}
	*out = (int64_t)n;
	return true;
}

static char *copy_value(char *dst, ipbl_str_t v)
{
	memcpy(dst, v.ptr, v.len);
	dst[v.len] = '\0';
	return dst + v.len + 1;
}

int trap_spool_parse(const char *buf, size_t len, trap_spooled_t *out, char **owned)
{
	*owned = NULL;
	const char *end = NULL;
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] == '\n' && buf[i + 1] == '\n') {
			end = buf + i + 1; /* the empty line */
			break;
		}
	}
	size_t magic_len = sizeof(MAGIC) - 1;
	if (end == NULL || len < magic_len + 1 || memcmp(buf, MAGIC "\n", magic_len + 1) != 0) {
		return IPBL_EFORMAT;
	}
	trap_spooled_t s = { 0 };
	ipbl_str_t helo = { "", 0 }, from = { "", 0 };
	bool have_peer = false, have_time = false, have_size = false;
	int64_t size = 0;
	size_t hdr_len = (size_t)(end - buf) + 1;
	ipbl_str_t rest = { buf + magic_len + 1, (size_t)(end - buf) - magic_len - 1 };
	/* first pass: every key but rcpt, which is gathered in the second */
	while (rest.len > 0) {
		ipbl_str_t line, key;
		rest = ipbl_str_split(rest, '\n', &line);
		ipbl_str_t v = ipbl_str_split(line, ':', &key);
		if (v.ptr == NULL || v.len == 0 || v.ptr[0] != ' ' ||
		    memchr(line.ptr, '\0', line.len) != NULL) {
			return IPBL_EFORMAT;
		}
		v = (ipbl_str_t){ v.ptr + 1, v.len - 1 };
		if (ipbl_str_eq(key, IPBL_STR_LIT("peer"))) {
			have_peer = ipbl_ipaddr_parse(v, &s.peer) == 0;
			if (!have_peer) {
				return IPBL_EFORMAT;
			}
		} else if (ipbl_str_eq(key, IPBL_STR_LIT("via"))) {
			if (ipbl_ipaddr_parse(v, &s.via) != 0) {
				return IPBL_EFORMAT;
			}
			s.proxied = true;
		} else if (ipbl_str_eq(key, IPBL_STR_LIT("helo"))) {
			helo = v;
		} else if (ipbl_str_eq(key, IPBL_STR_LIT("mail-from"))) {
			from = v;
		} else if (ipbl_str_eq(key, IPBL_STR_LIT("rcpt"))) {
			if (v.len == 0) {
				return IPBL_EFORMAT;
			}
			s.n_rcpts++;
		} else if (ipbl_str_eq(key, IPBL_STR_LIT("received-ms"))) {
			have_time = parse_num(v, &s.received_ms);
			if (!have_time) {
				return IPBL_EFORMAT;
			}
		} else if (ipbl_str_eq(key, IPBL_STR_LIT("size"))) {
			have_size = parse_num(v, &size);
			if (!have_size) {
				return IPBL_EFORMAT;
			}
		}
	}
	if (!have_peer || !have_time || !have_size || s.n_rcpts == 0 ||
	    (uint64_t)size != len - hdr_len) {
		return IPBL_EFORMAT;
	}
	/* every value is shorter than its line, so the header's size bounds the copies */
	char *strings = malloc(hdr_len + 2);
	if (strings == NULL) {
		return IPBL_ENOMEM;
	}
	char *w = strings;
	s.helo = w;
	w = copy_value(w, helo);
	s.mail_from = w;
	w = copy_value(w, from);
	s.rcpts = w;
	s.trap_address = w;
	rest = (ipbl_str_t){ buf + magic_len + 1, (size_t)(end - buf) - magic_len - 1 };
	while (rest.len > 0) {
		ipbl_str_t line, key;
		rest = ipbl_str_split(rest, '\n', &line);
		ipbl_str_t v = ipbl_str_split(line, ':', &key);
		if (ipbl_str_eq(key, IPBL_STR_LIT("rcpt"))) {
			w = copy_value(w, (ipbl_str_t){ v.ptr + 1, v.len - 1 });
		}
	}
	s.msg = buf + hdr_len;
	s.len = len - hdr_len;
	*out = s;
	*owned = strings;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir (not starting with '.'), sorted. Caller frees each and the array. */
static int list_names(const char *dir, char ***out, size_t *n_out)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		return ipbl_errno();
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(names, cap * sizeof(*names));
			if (p == NULL) {
				ret = IPBL_ENOMEM;
				break;
			}
			names = p;
		}
		names[n] = strdup(e->d_name);
		if (names[n] == NULL) {
			ret = IPBL_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (ret != 0) {
		for (size_t i = 0; i < n; i++) {
			free(names[i]);
		}
		free(names);
		return ret;
	}
	if (n > 0) {
		qsort(names, n, sizeof(*names), cmp_names);
	}
	*out = names;
	*n_out = n;
	return 0;
}

/* The whole file into a new buffer with a NUL after it. A file that is not regular, too
 * large or shrank while read is malformed. */
static int read_file(const char *path, char **out, size_t *len_out)
{
	struct stat st;
	int ret = ipbl_file_read(path, FILE_MAX, out, len_out, &st);
	if (ret == IPBL_EINVAL || ret == IPBL_ELIMIT) {
		return IPBL_EFORMAT;
	}
	if (ret == 0 && *len_out != (size_t)st.st_size) {
		free(*out);
		*out = NULL;
		return IPBL_EFORMAT;
	}
	return ret;
}

static void move_to_bad(const char *spool_dir, const char *name, const char *path, int why)
{
	char *bad = path_join(spool_dir, "bad", name);
	if (bad != NULL && rename(path, bad) == 0) {
		ipbl_log_err("corrupt spool file moved aside file=%s (%s)", bad,
			     ipbl_strerror(why));
	} else {
		ipbl_log_err("corrupt spool file cannot be moved aside, removing it file=%s (%s)",
			     path, ipbl_strerror(why));
		unlink(path);
	}
	free(bad);
}

/* One file: read, parse, hand to cb. Returns cb's value, 0 for a skipped file, or a
 * negative error that stops the walk. *done tells whether the file was consumed. */
static int each_one(const char *spool_dir, const char *name, const char *path,
		    int (*cb)(void *arg, const trap_spooled_t *s), void *arg, bool *done)
{
	*done = false;
	char *buf = NULL, *strings = NULL;
	size_t len = 0;
	int ret = read_file(path, &buf, &len);
	if (ret == -ENOENT) {
		return 0; /* taken by another reader meanwhile */
	}
	trap_spooled_t s;
	if (ret == 0) {
		ret = trap_spool_parse(buf, len, &s, &strings);
	}
	if (ret == IPBL_EFORMAT) {
		move_to_bad(spool_dir, name, path, ret);
		free(buf);
		return 0;
	}
	if (ret != 0) {
		free(buf);
		return ret;
	}
	s.path = path;
	ret = cb(arg, &s);
	if (ret == 0) {
		if (unlink(path) != 0 && errno != ENOENT) {
			ret = ipbl_errno();
		} else {
			*done = true;
		}
	}
	free(strings);
	free(buf);
	return ret;
}

int trap_spool_each(const char *spool_dir, size_t limit,
		    int (*cb)(void *arg, const trap_spooled_t *s), void *arg, size_t *n_done)
{
	if (n_done != NULL) {
		*n_done = 0;
	}
	char *dir = path_join(spool_dir, "new", NULL);
	if (dir == NULL) {
		return IPBL_ENOMEM;
	}
	char **names = NULL;
	size_t n = 0;
	int ret = list_names(dir, &names, &n);
	if (ret != 0) {
		free(dir);
		return ret;
	}
	size_t done = 0;
	for (size_t i = 0; i < n && ret == 0 && (limit == 0 || done < limit); i++) {
		char *path = path_join(dir, names[i], NULL);
		if (path == NULL) {
			ret = IPBL_ENOMEM;
			break;
		}
		bool consumed;
		ret = each_one(spool_dir, names[i], path, cb, arg, &consumed);
		done += consumed;
		free(path);
	}
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
	free(dir);
	if (n_done != NULL) {
		*n_done = done;
	}
	return ret;
}
