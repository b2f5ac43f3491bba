/* SPDX-License-Identifier: BSD-2-Clause */
/* The INI reader behind lib/conf.h.
 *
 * Syntax: "[section]" headers; "key = value" lines; ';' or '#' start a comment at the start
 * of a line or after white space; a value may be put in double quotes to keep ';' or '#'
 * (\" and \\ escape inside quotes). Lines may be any length. Every check happens while
 * reading, so errors point at the line: "FILE:LINE: key: message". */
#include "lib/conf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/mem.h"
#include "lib/str.h"

#define CONF_FILE_MAX (1024 * 1024)

typedef struct {
	bool set;
	unsigned line; /* where it was (last) set */
	char **values; /* LIST items, or one value per line for repeatable keys */
	size_t n_values;
	long long num; /* INT, BOOL, DURATION (ms), SIZE */
	ipbl_conf_addr_t *addrs;
	size_t n_addrs;
} slot_t;

struct ipbl_conf {
	char *path;
	slot_t *slots;	 /* one per schema entry */
	char **sections; /* sections present in the file */
	size_t n_sections;
};

/* ---- value parsers (shared with callers through conf.h) ---- */

int ipbl_conf_parse_duration(const char *text, long long *ms_out)
{
	ipbl_str_t s = ipbl_str_trim(ipbl_str(text));
	size_t digits = 0;
	while (digits < s.len && s.ptr[digits] >= '0' && s.ptr[digits] <= '9') {
		digits++;
	}
	unsigned long long v = 0;
	if (!ipbl_str_to_u64((ipbl_str_t){ s.ptr, digits }, 1ull << 40, &v)) {
		return IPBL_EPARSE;
	}
	ipbl_str_t unit = { s.ptr + digits, s.len - digits };
	long long mult;
	if (unit.len == 0 || ipbl_str_eq(unit, IPBL_STR_LIT("s"))) {
		mult = 1000;
	} else if (ipbl_str_eq(unit, IPBL_STR_LIT("ms"))) {
		mult = 1;
	} else if (ipbl_str_eq(unit, IPBL_STR_LIT("m"))) {
		mult = 60 * 1000;
	} else if (ipbl_str_eq(unit, IPBL_STR_LIT("h"))) {
		mult = 3600 * 1000;
	} else if (ipbl_str_eq(unit, IPBL_STR_LIT("d"))) {
		mult = 86400 * 1000;
	} else if (ipbl_str_eq(unit, IPBL_STR_LIT("w"))) {
		mult = 7LL * 86400 * 1000;
	} else {
		return IPBL_EPARSE;
	}
	if (v > (unsigned long long)(LLONG_MAX / mult)) {
		return IPBL_EPARSE; /* would overflow */
	}
	*ms_out = (long long)v * mult;
	return 0;
}

int ipbl_conf_parse_size(const char *text, long long *bytes_out)
{
	ipbl_str_t s = ipbl_str_trim(ipbl_str(text));
	size_t digits = 0;
	while (digits < s.len && s.ptr[digits] >= '0' && s.ptr[digits] <= '9') {
		digits++;
	}
	unsigned long long v = 0;
	if (!ipbl_str_to_u64((ipbl_str_t){ s.ptr, digits }, 1ull << 40, &v)) {
		return IPBL_EPARSE;
	}
	ipbl_str_t unit = { s.ptr + digits, s.len - digits };
	long long mult;
	if (unit.len == 0 || ipbl_str_eq_nocase(unit, IPBL_STR_LIT("b"))) {
		mult = 1;
	} else if (ipbl_str_eq_nocase(unit, IPBL_STR_LIT("k"))) {
		mult = 1024;
	} else if (ipbl_str_eq_nocase(unit, IPBL_STR_LIT("m"))) {
		mult = 1024 * 1024;
	} else if (ipbl_str_eq_nocase(unit, IPBL_STR_LIT("g"))) {
		mult = 1024LL * 1024 * 1024;
	} else {
		return IPBL_EPARSE;
	}
	*bytes_out = (long long)v * mult;
	return 0;
}

int ipbl_conf_parse_addr(const char *text, ipbl_conf_addr_t *out)
{
	ipbl_str_t s = ipbl_str_trim(ipbl_str(text));
	ipbl_str_t host;
	ipbl_str_t port;
	if (s.len > 0 && s.ptr[0] == '[') {
		const char *close = memchr(s.ptr, ']', s.len);
		if (close == NULL || close + 1 >= s.ptr + s.len || close[1] != ':') {
			return IPBL_EPARSE;
		}
		host = (ipbl_str_t){ s.ptr + 1, (size_t)(close - s.ptr - 1) };
		port = (ipbl_str_t){ close + 2, (size_t)(s.ptr + s.len - close - 2) };
		if (ipbl_ipaddr_parse(host, &out->addr) != 0 || out->addr.family != IPBL_AF_V6) {
			return IPBL_EPARSE;
		}
	} else {
		const char *colon = s.len ? memrchr(s.ptr, ':', s.len) : NULL;
		if (colon == NULL) {
			return IPBL_EPARSE;
		}
		host = (ipbl_str_t){ s.ptr, (size_t)(colon - s.ptr) };
		port = (ipbl_str_t){ colon + 1, (size_t)(s.ptr + s.len - colon - 1) };
		if (ipbl_ipaddr_parse(host, &out->addr) != 0 || out->addr.family != IPBL_AF_V4) {
			return IPBL_EPARSE;
		}
	}
	unsigned long long p = 0;
	if (!ipbl_str_to_u64(port, 65535, &p)) {
		return IPBL_EPARSE;
	}
	out->port = (uint16_t)p;
	return 0;
}

char *ipbl_conf_addr_format(const ipbl_conf_addr_t *a, char *buf)
{
	char ip[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&a->addr, ip);
	if (a->addr.family == IPBL_AF_V6) {
		snprintf(buf, IPBL_CONF_ADDR_STRLEN, "[%s]:%u", ip, a->port);
	} else {
		snprintf(buf, IPBL_CONF_ADDR_STRLEN, "%s:%u", ip, a->port);
	}
	return buf;
}

/* ---- schema look-ups ---- */

static int schema_find(const char *section, const char *key, size_t key_len)
{
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		const ipbl_conf_key_t *k = &ipbl_conf_schema[i];
		if (strcmp(k->section, section) == 0 && strlen(k->key) == key_len &&
		    memcmp(k->key, key, key_len) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static bool section_known(const char *name)
{
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		if (strcmp(ipbl_conf_schema[i].section, name) == 0) {
			return true;
		}
	}
	return false;
}

static const char *type_name(enum ipbl_conf_type t)
{
	static const char *const names[] = {
		[IPBL_CONF_STRING] = "text",	   [IPBL_CONF_PATH] = "path",
		[IPBL_CONF_INT] = "integer",	   [IPBL_CONF_BOOL] = "yes|no",
		[IPBL_CONF_DURATION] = "duration", [IPBL_CONF_SIZE] = "size",
		[IPBL_CONF_ENUM] = "choice",	   [IPBL_CONF_LIST] = "list",
		[IPBL_CONF_ADDRS] = "addresses",
	};
	return names[t];
}

/* ---- parsing ---- */

typedef struct {
	const char *name;
	unsigned line;
	char *err;
	size_t err_len;
} ctx_t;

static int fail(ctx_t *cx, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(ctx_t *cx, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key) {
		snprintf(cx->err, cx->err_len, "%s:%u: %s: %s", cx->name, cx->line, key, msg);
	} else {
		snprintf(cx->err, cx->err_len, "%s:%u: %s", cx->name, cx->line, msg);
	}
	return IPBL_ECONF;
}

static void slot_add_value(slot_t *s, const char *v, size_t len)
{
	s->values = ipbl_xrealloc(s->values, (s->n_values + 1) * sizeof(char *));
	s->values[s->n_values++] = ipbl_xstrndup(v, len);
}

static bool parse_bool(const char *v, long long *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return true;
		}
	}
	return false;
}

static bool enum_has(const char *values, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = values; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && memcmp(p, v, n) == 0) {
			return true;
		}
		p += len + (bar ? 1 : 0);
	}
	return false;
}

static int check_bounds(ctx_t *cx, const ipbl_conf_key_t *k, long long v, const char *text)
{
	if ((k->min == 0 && k->max == 0) || (v >= k->min && v <= k->max)) {
		return 0;
	}
	if (k->type == IPBL_CONF_DURATION) {
		return fail(cx, k->key, "'%s' is out of range %lldms..%lldms", text, k->min,
			    k->max);
	}
	return fail(cx, k->key, "'%s' is out of range %lld..%lld", text, k->min, k->max);
}

/* Split a comma-separated value into slot values, each trimmed and non-empty. */
static int split_list(ctx_t *cx, const ipbl_conf_key_t *k, slot_t *s, const char *v)
{
	ipbl_str_t rest = ipbl_str(v);
	while (rest.ptr != NULL) {
		ipbl_str_t item;
		rest = ipbl_str_split(rest, ',', &item);
		item = ipbl_str_trim(item);
		if (item.len == 0) {
			return fail(cx, k->key, "empty item in the list '%s'", v);
		}
		slot_add_value(s, item.ptr, item.len);
	}
	return 0;
}

/* Check and store one value for key k. */
static int set_value(ctx_t *cx, const ipbl_conf_key_t *k, slot_t *s, const char *v)
{
	if (s->set && !k->repeatable) {
		return fail(cx, k->key, "set twice (first on line %u)", s->line);
	}
	s->set = true;
	s->line = cx->line;
	int ret;
	switch (k->type) {
	case IPBL_CONF_STRING:
	case IPBL_CONF_PATH:
		if (*v == '\0' && k->type == IPBL_CONF_PATH) {
			return fail(cx, k->key, "empty path");
		}
		slot_add_value(s, v, strlen(v));
		return 0;
	case IPBL_CONF_INT: {
		unsigned long long u = 0;
		if (!ipbl_str_to_u64(ipbl_str(v), 1ull << 62, &u)) {
			return fail(cx, k->key, "'%s' is not a whole number", v);
		}
		s->num = (long long)u;
		if ((k->min != 0 || k->max != 0) && (s->num < k->min || s->num > k->max)) {
			return fail(cx, k->key, "%lld is out of range %lld..%lld", s->num, k->min,
				    k->max);
		}
		return 0;
	}
	case IPBL_CONF_BOOL:
		if (!parse_bool(v, &s->num)) {
			return fail(cx, k->key, "'%s' is not yes or no", v);
		}
		return 0;
	case IPBL_CONF_DURATION:
		if (ipbl_conf_parse_duration(v, &s->num) != 0) {
			return fail(cx, k->key,
				    "'%s' is not a duration (like 500ms, 30s, 5m, 24h, 7d)", v);
		}
		return check_bounds(cx, k, s->num, v);
	case IPBL_CONF_SIZE:
		if (ipbl_conf_parse_size(v, &s->num) != 0) {
			return fail(cx, k->key, "'%s' is not a size (like 512, 64K, 10M)", v);
		}
		return check_bounds(cx, k, s->num, v);
	case IPBL_CONF_ENUM:
		if (!enum_has(k->enum_values, v)) {
			return fail(cx, k->key, "'%s' is not one of %s", v, k->enum_values);
		}
		slot_add_value(s, v, strlen(v));
		return 0;
	case IPBL_CONF_LIST:
		return split_list(cx, k, s, v);
	case IPBL_CONF_ADDRS:
		ret = split_list(cx, k, s, v);
		if (ret != 0) {
			return ret;
		}
		s->addrs = ipbl_xcalloc(s->n_values, sizeof(ipbl_conf_addr_t));
		for (size_t i = 0; i < s->n_values; i++) {
			if (ipbl_conf_parse_addr(s->values[i], &s->addrs[i]) != 0) {
				return fail(cx, k->key,
					    "'%s' is not an address (use 127.0.0.1:53 or [::1]:53)",
					    s->values[i]);
			}
		}
		s->n_addrs = s->n_values;
		return 0;
	}
	return fail(cx, k->key, "unknown type");
}

/* Unquote a "..." value in place. Returns false on a missing closing quote or junk after. */
static bool unquote(char *v)
{
	char *w = v;
	const char *r = v + 1;
	while (*r && *r != '"') {
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\')) {
			r++;
		}
		*w++ = *r++;
	}
	if (*r != '"') {
		return false;
	}
	r++;
	while (*r == ' ' || *r == '\t') {
		r++;
	}
	if (*r != '\0' && *r != ';' && *r != '#') {
		return false;
	}
	*w = '\0';
	return true;
}

/* Cut a comment: ';' or '#' at the start or after white space. */
static void cut_comment(char *line)
{
	for (char *p = line; *p; p++) {
		if ((*p == ';' || *p == '#') && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t') {
		s++;
	}
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) {
		s[--n] = '\0';
	}
	return s;
}

static int parse_line(ipbl_conf_t *c, ctx_t *cx, char *line, char *section)
{
	char *s = trim(line);
	if (*s == '\0' || *s == ';' || *s == '#') {
		return 0;
	}
	if (*s == '[') {
		cut_comment(s);
		s = trim(s);
		size_t n = strlen(s);
		if (n < 3 || s[n - 1] != ']') {
			return fail(cx, NULL, "malformed section header '%s'", s);
		}
		s[n - 1] = '\0';
		char *name = trim(s + 1);
		if (!section_known(name)) {
			return fail(cx, NULL, "unknown section [%s]", name);
		}
		for (size_t i = 0; i < c->n_sections; i++) {
			if (strcmp(c->sections[i], name) == 0) {
				return fail(cx, NULL, "section [%s] appears twice", name);
			}
		}
		c->sections = ipbl_xrealloc(c->sections, (c->n_sections + 1) * sizeof(char *));
		c->sections[c->n_sections++] = ipbl_xstrdup(name);
		snprintf(section, 64, "%s", name);
		return 0;
	}
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		return fail(cx, NULL, "expected 'key = value' or '[section]', got '%.60s'", s);
	}
	*eq = '\0';
	char *key = trim(s);
	char *value = trim(eq + 1);
	if (*value == '"') {
		if (!unquote(value)) {
			return fail(cx, key, "unterminated or malformed quoted value");
		}
	} else {
		cut_comment(value);
		value = trim(value);
	}
	if (section[0] == '\0') {
		return fail(cx, key, "key outside any section (put it under [main], [dns], ...)");
	}
	int idx = schema_find(section, key, strlen(key));
	if (idx < 0) {
		return fail(cx, key, "unknown key in [%s] (see 'ipbl config defaults')", section);
	}
	return set_value(cx, &ipbl_conf_schema[idx], &c->slots[idx], value);
}

static int check_required(ipbl_conf_t *c, ctx_t *cx)
{
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		const ipbl_conf_key_t *k = &ipbl_conf_schema[i];
		if (k->required && !c->slots[i].set && ipbl_conf_has_section(c, k->section)) {
			snprintf(cx->err, cx->err_len, "%s: [%s] needs '%s' (%s)", cx->name,
				 k->section, k->key, k->help);
			return IPBL_ECONF;
		}
	}
	return 0;
}

/* Fill every unset key that has a default, so that accessors only read. A bad default in
 * the schema is a programming error (a unit test parses them all). */
static void apply_defaults(ipbl_conf_t *c)
{
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		const ipbl_conf_key_t *k = &ipbl_conf_schema[i];
		if (c->slots[i].set || k->default_value == NULL) {
			continue;
		}
		char err[256];
		ctx_t cx = { .name = "(default)", .line = 0, .err = err, .err_len = sizeof(err) };
		if (set_value(&cx, k, &c->slots[i], k->default_value) != 0) {
			ipbl_panic("bad default for [%s] %s: %s", k->section, k->key, err);
		}
		c->slots[i].set = false;
	}
}

static ipbl_conf_t *conf_new(const char *name)
{
	ipbl_conf_t *c = ipbl_xcalloc(1, sizeof(*c));
	c->path = ipbl_xstrdup(name);
	c->slots = ipbl_xcalloc(ipbl_conf_schema_len, sizeof(slot_t));
	return c;
}

int ipbl_conf_parse(const char *name, const char *text, size_t len, ipbl_conf_t **out, char *err,
		    size_t err_len)
{
	ipbl_conf_t *c = conf_new(name);
	ctx_t cx = { .name = name, .line = 0, .err = err, .err_len = err_len };
	char section[64] = "";
	int ret = 0;
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, err_len, "%s: contains a NUL byte; not a text file", name);
		ret = IPBL_ECONF;
		goto fail;
	}
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - text - pos) : len - pos;
		char *line = ipbl_xstrndup(text + pos, line_len);
		cx.line++;
		ret = parse_line(c, &cx, line, section);
		free(line);
		if (ret != 0) {
			goto fail;
		}
		pos += line_len + 1;
	}
	ret = check_required(c, &cx);
	if (ret != 0) {
		goto fail;
	}
	apply_defaults(c);
	*out = c;
	return 0;
fail:
	ipbl_conf_free(c);
	return ret;
}

int ipbl_conf_load(const char *path, ipbl_conf_t **out, char *err, size_t err_len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		int ret = ipbl_errno();
		snprintf(err, err_len, "%s: cannot open (%s)", path, ipbl_strerror(ret));
		return ret;
	}
	char *buf = ipbl_xmalloc(CONF_FILE_MAX + 1);
	size_t n = fread(buf, 1, CONF_FILE_MAX + 1, f);
	int ret = ferror(f) ? IPBL_EIO : 0;
	fclose(f);
	if (ret == 0 && n > CONF_FILE_MAX) {
		snprintf(err, err_len, "%s: larger than %d bytes", path, CONF_FILE_MAX);
		ret = IPBL_ECONF;
	} else if (ret != 0) {
		snprintf(err, err_len, "%s: read error", path);
	} else {
		ret = ipbl_conf_parse(path, buf, n, out, err, err_len);
	}
	free(buf);
	return ret;
}

void ipbl_conf_free(ipbl_conf_t *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		for (size_t k = 0; k < c->slots[i].n_values; k++) {
			free(c->slots[i].values[k]);
		}
		free(c->slots[i].values);
		free(c->slots[i].addrs);
	}
	for (size_t i = 0; i < c->n_sections; i++) {
		free(c->sections[i]);
	}
	free(c->sections);
	free(c->slots);
	free(c->path);
	free(c);
}

/* ---- accessors ---- */

const char *ipbl_conf_path(const ipbl_conf_t *c)
{
	return c->path;
}

bool ipbl_conf_has_section(const ipbl_conf_t *c, const char *section)
{
	for (size_t i = 0; i < c->n_sections; i++) {
		if (strcmp(c->sections[i], section) == 0) {
			return true;
		}
	}
	return false;
}

/* The slot for a key (defaults were filled in by apply_defaults). */
static const slot_t *slot_get(const ipbl_conf_t *c, const char *section, const char *key,
			      enum ipbl_conf_type type)
{
	int idx = schema_find(section, key, strlen(key));
	if (idx < 0) {
		ipbl_panic("config key [%s] %s is not in the schema", section, key);
	}
	const ipbl_conf_key_t *k = &ipbl_conf_schema[idx];
	bool as_text = type == IPBL_CONF_STRING &&
		       (k->type == IPBL_CONF_PATH || k->type == IPBL_CONF_ENUM);
	if (k->type != type && !as_text) {
		ipbl_panic("config key [%s] %s read as the wrong type", section, key);
	}
	return &c->slots[idx];
}

bool ipbl_conf_is_set(const ipbl_conf_t *c, const char *section, const char *key)
{
	int idx = schema_find(section, key, strlen(key));
	return idx >= 0 && c->slots[idx].set;
}

const char *ipbl_conf_str(const ipbl_conf_t *c, const char *section, const char *key)
{
	const slot_t *s = slot_get(c, section, key, IPBL_CONF_STRING);
	return s->n_values ? s->values[s->n_values - 1] : NULL;
}

long long ipbl_conf_int(const ipbl_conf_t *c, const char *section, const char *key)
{
	return slot_get(c, section, key, IPBL_CONF_INT)->num;
}

bool ipbl_conf_bool(const ipbl_conf_t *c, const char *section, const char *key)
{
	return slot_get(c, section, key, IPBL_CONF_BOOL)->num != 0;
}

long long ipbl_conf_duration_ms(const ipbl_conf_t *c, const char *section, const char *key)
{
	return slot_get(c, section, key, IPBL_CONF_DURATION)->num;
}

long long ipbl_conf_size(const ipbl_conf_t *c, const char *section, const char *key)
{
	return slot_get(c, section, key, IPBL_CONF_SIZE)->num;
}

static const slot_t *slot_any(const ipbl_conf_t *c, const char *section, const char *key)
{
	int idx = schema_find(section, key, strlen(key));
	if (idx < 0) {
		ipbl_panic("config key [%s] %s is not in the schema", section, key);
	}
	return slot_get(c, section, key, ipbl_conf_schema[idx].type);
}

size_t ipbl_conf_count(const ipbl_conf_t *c, const char *section, const char *key)
{
	return slot_any(c, section, key)->n_values;
}

const char *ipbl_conf_str_at(const ipbl_conf_t *c, const char *section, const char *key, size_t i)
{
	const slot_t *s = slot_any(c, section, key);
	return i < s->n_values ? s->values[i] : NULL;
}

const ipbl_conf_addr_t *ipbl_conf_addrs(const ipbl_conf_t *c, const char *section, const char *key,
					size_t *n)
{
	const slot_t *s = slot_get(c, section, key, IPBL_CONF_ADDRS);
	*n = s->n_addrs;
	return s->addrs;
}

/* ---- writers ---- */

static void write_range(FILE *f, const ipbl_conf_key_t *k)
{
	if (k->min == 0 && k->max == 0) {
		return;
	}
	if (k->type == IPBL_CONF_DURATION) {
		fprintf(f, " (%llds..%llds)", k->min / 1000, k->max / 1000);
	} else {
		fprintf(f, " (%lld..%lld)", k->min, k->max);
	}
}

void ipbl_conf_write_defaults(FILE *f)
{
	const char *section = "";
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		const ipbl_conf_key_t *k = &ipbl_conf_schema[i];
		if (strcmp(section, k->section) != 0) {
			fprintf(f, "%s[%s]\n", i ? "\n" : "", k->section);
			section = k->section;
		}
		fprintf(f, "%s = %s\n", k->key, k->default_value ? k->default_value : "(unset)");
	}
}

void ipbl_conf_write_sample(FILE *f)
{
	fprintf(f, "# ipbl configuration (ipbl.conf). Generated from the schema by\n"
		   "# 'ipbl config sample'; every key, with its default. A missing section\n"
		   "# switches that component off. See ipbl.conf(5).\n");
	const char *section = "";
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		const ipbl_conf_key_t *k = &ipbl_conf_schema[i];
		if (strcmp(section, k->section) != 0) {
			fprintf(f, "\n[%s]\n", k->section);
			section = k->section;
		}
		fprintf(f, "# %s: %s", type_name(k->type), k->help);
		write_range(f, k);
		fprintf(f, "%s\n", k->repeatable ? " [repeatable]" : "");
		if (k->default_value) {
			fprintf(f, "#%s = %s\n", k->key, k->default_value);
		} else {
			fprintf(f, "#%s =\n", k->key);
		}
	}
}

/* roff needs backslashes and leading dots escaped */
static void man_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\') {
			fputs("\\e", f);
		} else if (*s == '-') {
			fputs("\\-", f);
		} else {
			fputc(*s, f);
		}
	}
}

void ipbl_conf_write_man(FILE *f, const char *version)
{
	fprintf(f,
		".\\\" Generated by 'ipbl config man' from src/lib/conf_schema.c; do not edit.\n");
	fprintf(f, ".TH IPBL.CONF 5 \"\" \"ipbl %s\" \"File Formats\"\n", version);
	fprintf(f, ".SH NAME\nipbl.conf \\- configuration of ipbld and ipbl\n");
	fprintf(f, ".SH DESCRIPTION\nAn INI file read by \\fBipbld\\fR(8) and \\fBipbl\\fR(8): "
		   "\\fB[section]\\fR headers and \\fIkey\\fR = \\fIvalue\\fR lines. "
		   "A line whose first character is ';' or '#', or the rest of a line after "
		   "white space and ';' or '#', is a comment. Put a value in double quotes to "
		   "keep ';' or '#' in it. A missing section switches that component off. "
		   "Durations take a unit (500ms, 30s, 5m, 24h, 7d; a bare number is seconds); "
		   "sizes may end in K, M or G. Unknown sections and keys are errors, reported as "
		   "FILE:LINE: key: message.\n");
	fprintf(f,
		".PP\nThe file is found as: \\fB\\-c\\fR FILE, else \\fB$IPBL_CONF\\fR, else "
		"./ipbl.conf, else /etc/ipbl/ipbl.conf. Check one with \\fBipbl config check\\fR. "
		"Changes take effect when the daemon restarts; SIGHUP reloads data files only.\n");
	const char *section = "";
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		const ipbl_conf_key_t *k = &ipbl_conf_schema[i];
		if (strcmp(section, k->section) != 0) {
			fprintf(f, ".SH [%s]\n", k->section);
			section = k->section;
		}
		fprintf(f, ".TP\n.B %s\n", k->key);
		man_text(f, k->help);
		fprintf(f, ". Type: %s", type_name(k->type));
		write_range(f, k);
		if (k->type == IPBL_CONF_ENUM) {
			fprintf(f, " (%s)", k->enum_values);
		}
		fprintf(f, ". Default: ");
		man_text(f, k->default_value ? k->default_value : "none");
		fprintf(f, ".%s\n", k->repeatable ? " May be repeated." : "");
	}
	fprintf(f, ".SH SEE ALSO\n\\fBipbld\\fR(8), \\fBipbl\\fR(8)\n");
}

void ipbl_conf_write_effective(const ipbl_conf_t *c, FILE *f)
{
	const char *section = "";
	for (size_t i = 0; i < ipbl_conf_schema_len; i++) {
		const ipbl_conf_key_t *k = &ipbl_conf_schema[i];
		if (!ipbl_conf_has_section(c, k->section)) {
			continue;
		}
		if (strcmp(section, k->section) != 0) {
			fprintf(f, "%s[%s]\n", section[0] ? "\n" : "", k->section);
			section = k->section;
		}
		const slot_t *s = slot_any(c, k->section, k->key);
		if (k->type == IPBL_CONF_INT || k->type == IPBL_CONF_BOOL ||
		    k->type == IPBL_CONF_SIZE) {
			fprintf(f, "%s = %lld\n", k->key, s->num);
		} else if (k->type == IPBL_CONF_DURATION) {
			fprintf(f, "%s = %lldms\n", k->key, s->num);
		} else if (s->n_values == 0) {
			fprintf(f, "%s = (unset)\n", k->key);
		} else {
			fprintf(f, "%s = ", k->key);
			for (size_t v = 0; v < s->n_values; v++) {
				fprintf(f, "%s%s", v ? ", " : "", s->values[v]);
			}
			fputc('\n', f);
		}
	}
}

const char *ipbl_conf_default_path(void)
{
	const char *env = getenv("IPBL_CONF");
	if (env != NULL && env[0] != '\0') {
		return env;
	}
	struct stat st;
	if (stat("ipbl.conf", &st) == 0) {
		return "ipbl.conf";
	}
	return "/etc/ipbl/ipbl.conf";
}

void ipbl_conf_dns_txt(const ipbl_conf_t *c, char *buf, size_t len)
{
	const char *txt = ipbl_conf_str(c, "dns", "txt");
	if (txt != NULL) {
		snprintf(buf, len, "%s", txt);
		return;
	}
	const char *base = ipbl_conf_str(c, "web", "base_url");
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/') {
		n--;
	}
	snprintf(buf, len, "Blocked - see %.*s/lookup?ip=$", (int)n, base);
}

int ipbl_conf_prefixes(const ipbl_conf_t *c, const char *section, const char *key,
		       ipbl_prefix_t **out, size_t *n_out, const char **bad)
{
	*out = NULL;
	*n_out = 0;
	*bad = NULL;
	size_t n = ipbl_conf_count(c, section, key);
	if (n == 0) {
		return 0;
	}
	ipbl_prefix_t *p = calloc(n, sizeof(*p));
	if (p == NULL) {
		return IPBL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const char *v = ipbl_conf_str_at(c, section, key, i);
		if (ipbl_prefix_parse(ipbl_str(v), false, &p[i]) != 0) {
			free(p);
			*bad = v;
			return IPBL_ECONF;
		}
	}
	*out = p;
	*n_out = n;
	return 0;
}
