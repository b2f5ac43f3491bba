/* SPDX-License-Identifier: BSD-2-Clause */
/* The configuration file: an INI file read against one schema table (conf_schema.c) that
 * also generates `ipbl config defaults`, the sample config and the ipbl.conf(5) page.
 * A loaded config is immutable; reloading builds a new one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "lib/ipaddr.h"

enum ipbl_conf_type {
	IPBL_CONF_STRING,   /* any text */
	IPBL_CONF_PATH,	    /* a file or directory name */
	IPBL_CONF_INT,	    /* decimal integer within [min, max] */
	IPBL_CONF_BOOL,	    /* yes/no, true/false, on/off, 1/0 */
	IPBL_CONF_DURATION, /* 500ms, 30s, 5m, 24h, 7d; a bare number is seconds */
	IPBL_CONF_SIZE,	    /* 512, 64K, 10M, 1G (bytes, powers of 1024) */
	IPBL_CONF_ENUM,	    /* one of enum_values ("a|b|c") */
	IPBL_CONF_LIST,	    /* comma-separated words */
	IPBL_CONF_ADDRS,    /* comma-separated IP:PORT or [IPv6]:PORT; port 0 = any free port */
};

typedef struct {
	const char *section;
	const char *key;
	enum ipbl_conf_type type;
	const char *default_value; /* text form; NULL = unset (help says what applies then) */
	long long min, max;	   /* INT, DURATION (ms), SIZE (bytes); both 0 = unbounded */
	const char *enum_values;   /* ENUM only */
	bool repeatable;	   /* may appear on several lines (values accumulate) */
	bool required;		   /* must be set when its section is present */
	bool reloadable;	   /* takes effect on reload without a restart */
	const char *help;	   /* one line */
} ipbl_conf_key_t;

extern const ipbl_conf_key_t ipbl_conf_schema[];
extern const size_t ipbl_conf_schema_len;

typedef struct {
	ipbl_ipaddr_t addr;
	uint16_t port;
} ipbl_conf_addr_t;

typedef struct ipbl_conf ipbl_conf_t;

/* Read and check the file at path. On failure returns IPBL_ECONF (or an errno code when the
 * file cannot be read) and writes "FILE:LINE: key: message" (or "FILE: message") to err. The
 * caller owns *out: free with ipbl_conf_free. */
int ipbl_conf_load(const char *path, ipbl_conf_t **out, char *err, size_t err_len) IPBL_MUSTCHECK;

/* The same from memory; name is used in messages. */
int ipbl_conf_parse(const char *name, const char *text, size_t len, ipbl_conf_t **out, char *err,
		    size_t err_len) IPBL_MUSTCHECK;

void ipbl_conf_free(ipbl_conf_t *c);

/* The path the config was loaded from (borrowed). */
const char *ipbl_conf_path(const ipbl_conf_t *c);

/* True when the file has a [section] header: that switches the component on. */
bool ipbl_conf_has_section(const ipbl_conf_t *c, const char *section);

/* True when the key was set in the file (not just defaulted). */
bool ipbl_conf_is_set(const ipbl_conf_t *c, const char *section, const char *key);

/* Accessors. The key must be in the schema with a matching type (a mismatch is a programming
 * error and panics). Values are borrowed from c. Defaults apply when unset. */
const char *ipbl_conf_str(const ipbl_conf_t *c, const char *section, const char *key);
long long ipbl_conf_int(const ipbl_conf_t *c, const char *section, const char *key);
bool ipbl_conf_bool(const ipbl_conf_t *c, const char *section, const char *key);
long long ipbl_conf_duration_ms(const ipbl_conf_t *c, const char *section, const char *key);
long long ipbl_conf_size(const ipbl_conf_t *c, const char *section, const char *key);
/* LIST values and repeatable keys: the number of values and the i-th. */
size_t ipbl_conf_count(const ipbl_conf_t *c, const char *section, const char *key);
const char *ipbl_conf_str_at(const ipbl_conf_t *c, const char *section, const char *key, size_t i);
/* ADDRS: the parsed list (borrowed) and its length. */
const ipbl_conf_addr_t *ipbl_conf_addrs(const ipbl_conf_t *c, const char *section, const char *key,
					size_t *n);

/* Parse "30s", "5m", "1h", "2d", "500ms", or a bare number of seconds. Returns 0 or
 * IPBL_EPARSE. */
int ipbl_conf_parse_duration(const char *text, long long *ms_out) IPBL_MUSTCHECK;
/* Parse "512", "64K", "10M", "1G". */
int ipbl_conf_parse_size(const char *text, long long *bytes_out) IPBL_MUSTCHECK;
/* Parse "IP:PORT" or "[IPv6]:PORT". */
int ipbl_conf_parse_addr(const char *text, ipbl_conf_addr_t *out) IPBL_MUSTCHECK;
#define IPBL_CONF_ADDR_STRLEN (IPBL_IPADDR_STRLEN + 8)
/* "127.0.0.1:53" or "[::1]:53" into buf (at least IPBL_CONF_ADDR_STRLEN bytes). */
char *ipbl_conf_addr_format(const ipbl_conf_addr_t *a, char *buf);

/* Writers driven by the schema: `ipbl config defaults`, the sample file, the man page. */
void ipbl_conf_write_defaults(FILE *f);
void ipbl_conf_write_sample(FILE *f);
void ipbl_conf_write_man(FILE *f, const char *version);
/* Write the effective value of every key of c (set or defaulted). */
void ipbl_conf_write_effective(const ipbl_conf_t *c, FILE *f);

/* The config file to use when none is given: $IPBL_CONF, else ./ipbl.conf if it exists, else
 * /etc/ipbl/ipbl.conf. Borrowed (environment or static). */
const char *ipbl_conf_default_path(void);

/* The TXT template of listed addresses: [dns] txt, else "Blocked - see BASE/lookup?ip=$" with
 * BASE the [web] base_url. Cut to len - 1 bytes. */
void ipbl_conf_dns_txt(const ipbl_conf_t *c, char *buf, size_t len);

/* The values of a list key as IP addresses or CIDR prefixes ("192.0.2.1", "10.0.0.0/8"), in a
 * new array *out (free() it; NULL with *n_out 0 when the key is empty). Returns 0,
 * IPBL_ENOMEM, or IPBL_ECONF with *bad pointing at the first value that is neither (the
 * caller says where). */
int ipbl_conf_prefixes(const ipbl_conf_t *c, const char *section, const char *key,
		       ipbl_prefix_t **out, size_t *n_out, const char **bad) IPBL_MUSTCHECK;
