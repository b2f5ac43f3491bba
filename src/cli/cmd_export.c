/* SPDX-License-Identifier: BSD-2-Clause */
/* `ipbl export`: the current list as a file another DNS server can serve: an rbldnsd dataset
 * (ip4set for IPv4, ip6trie for IPv6) or an RFC 1035 master file with SOA, NS, the RFC 5782
 * test points and an A and TXT record per listed address. Written to FILE through a
 * temporary file and a rename, so a server reading FILE never sees half of it. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum export_format { FORMAT_RBLDNSD, FORMAT_RBLDNSD6, FORMAT_ZONE };

typedef struct {
	FILE *out;
	enum export_format format;
	int64_t now;
	const char *txt; /* template: '$' is the address */
	long ttl;
	size_t n_written;
	size_t n_skipped; /* the other family, for rbldnsd */
} export_ctx_t;

/* name, in the zone: the reversed octets or nibbles of ip (no trailing zone). */
static void reverse_name(const ipbl_ipaddr_t *ip, char *buf, size_t len)
{
	size_t o = 0;
	if (ip->family == IPBL_AF_V4) {
		snprintf(buf, len, "%u.%u.%u.%u", ip->bytes[3], ip->bytes[2], ip->bytes[1],
			 ip->bytes[0]);
		return;
	}
	static const char hex[] = "0123456789abcdef";
	for (int i = 15; i >= 0 && o + 4 < len; i--) {
		buf[o++] = hex[ip->bytes[i] & 15];
		buf[o++] = '.';
		buf[o++] = hex[ip->bytes[i] >> 4];
		buf[o++] = i ? '.' : '\0';
	}
	buf[len - 1] = '\0';
}

/* The TXT record data: the template with '$' as the address ("$$" a dollar), quoted, in
 * strings of at most 255 bytes. */
static void write_txt(FILE *f, const char *tmpl, const char *ip)
{
	char text[2048];
	size_t n = 0;
	for (const char *p = tmpl; *p && n + IPBL_IPADDR_STRLEN < sizeof(text); p++) {
		if (p[0] == '$' && p[1] == '$') {
			text[n++] = '$';
			p++;
		} else if (p[0] == '$') {
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", ip);
		} else {
			text[n++] = *p;
		}
	}
	for (size_t i = 0; i < n || i == 0; i += 255) {
		fputs(i ? " \"" : "\"", f);
		for (size_t j = i; j < n && j < i + 255; j++) {
			unsigned char c = (unsigned char)text[j];
			if (c == '"' || c == '\\') {
				fprintf(f, "\\%c", c);
			} else if (c < 0x20 || c > 0x7e) {
				fprintf(f, "\\%03u", c);
			} else {
				fputc(c, f);
			}
		}
		fputc('"', f);
		if (n == 0) {
			break;
		}
	}
	fputc('\n', f);
}

static void zone_record(export_ctx_t *c, const ipbl_ipaddr_t *ip)
{
	char name[80], text[IPBL_IPADDR_STRLEN];
	reverse_name(ip, name, sizeof(name));
	ipbl_ipaddr_format(ip, text);
	fprintf(c->out, "%s\tIN\tA\t127.0.0.2\n%s\tIN\tTXT\t", name, name);
	write_txt(c->out, c->txt, text);
}

static int export_one(void *arg, const store_listing_t *l)
{
	export_ctx_t *c = arg;
	if (l->delist_at_ms <= c->now) {
		return 0;
	}
	char text[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&l->ip, text);
	switch (c->format) {
	case FORMAT_ZONE:
		zone_record(c, &l->ip);
		break;
	case FORMAT_RBLDNSD:
	case FORMAT_RBLDNSD6:
		if ((l->ip.family == IPBL_AF_V4) != (c->format == FORMAT_RBLDNSD)) {
			c->n_skipped++;
			return 0;
		}
		fprintf(c->out, "%s\n", text);
		break;
	}
	c->n_written++;
	return 0;
}

static void zone_header(export_ctx_t *c, const ipbl_conf_t *conf)
{
	const char *zone = ipbl_conf_str(conf, "dns", "zone");
	char ns0[300];
	if (ipbl_conf_count(conf, "dns", "ns") > 0) {
		snprintf(ns0, sizeof(ns0), "%s", ipbl_conf_str_at(conf, "dns", "ns", 0));
	} else {
		snprintf(ns0, sizeof(ns0), "ns.%s", zone);
	}
	const char *mname = ipbl_conf_str(conf, "dns", "soa_mname");
	const char *rname = ipbl_conf_str(conf, "dns", "soa_rname");
	char rbuf[300];
	if (rname == NULL) {
		snprintf(rbuf, sizeof(rbuf), "hostmaster.%s", zone);
		rname = rbuf;
	}
	FILE *f = c->out;
	fprintf(f, "; %s: exported by ipbl\n$ORIGIN %s.\n$TTL %ld\n", zone, zone, c->ttl);
	fprintf(f, "@\tIN\tSOA\t%s. %s. %lld %lld %lld %lld %lld\n", mname ? mname : ns0, rname,
		(long long)(c->now / 1000) & 0xffffffffLL,
		ipbl_conf_duration_ms(conf, "dns", "soa_refresh") / 1000,
		ipbl_conf_duration_ms(conf, "dns", "soa_retry") / 1000,
		ipbl_conf_duration_ms(conf, "dns", "soa_expire") / 1000,
		ipbl_conf_duration_ms(conf, "dns", "negative_ttl") / 1000);
	size_t n_ns = ipbl_conf_count(conf, "dns", "ns");
	for (size_t i = 0; i < (n_ns ? n_ns : 1); i++) {
		fprintf(f, "@\tIN\tNS\t%s.\n", n_ns ? ipbl_conf_str_at(conf, "dns", "ns", i) : ns0);
	}
	/* RFC 5782 section 5: the test points are always listed */
	fprintf(f, "; RFC 5782 test points\n");
	ipbl_ipaddr_t tp;
	ipbl_ipaddr_from_v4(0x7f000002u, &tp);
	zone_record(c, &tp);
	uint8_t v6[16] = { [10] = 0xff, [11] = 0xff, [12] = 0x7f, [15] = 2 };
	ipbl_ipaddr_from_v6(v6, &tp);
	zone_record(c, &tp);
	fprintf(f, "; listed addresses\n");
}

static void rbldnsd_header(export_ctx_t *c, const ipbl_conf_t *conf)
{
	const char *kind = c->format == FORMAT_RBLDNSD ? "ip4set" : "ip6trie";
	fprintf(c->out, "# %s: rbldnsd %s dataset, exported by ipbl\n",
		ipbl_conf_str(conf, "dns", "zone"), kind);
	fprintf(c->out, ":127.0.0.2:%s\n", c->txt);
	if (c->format == FORMAT_RBLDNSD) {
		fprintf(c->out, "127.0.0.2\n"); /* RFC 5782 test point */
	}
}

static int parse_format(const char *s, enum export_format *out)
{
	if (strcmp(s, "rbldnsd") == 0 || strcmp(s, "ip4set") == 0) {
		*out = FORMAT_RBLDNSD;
	} else if (strcmp(s, "rbldnsd6") == 0 || strcmp(s, "ip6trie") == 0) {
		*out = FORMAT_RBLDNSD6;
	} else if (strcmp(s, "zone") == 0) {
		*out = FORMAT_ZONE;
	} else {
		fprintf(stderr, "ipbl: export: unknown format '%.40s' (rbldnsd, rbldnsd6, zone)\n",
			s);
		return CLI_EUSAGE;
	}
	return CLI_OK;
}

/* Write the export to out; returns CLI_OK or an exit code. */
static int write_export(cli_env_t *env, export_ctx_t *c)
{
	char txt[1024];
	ipbl_conf_dns_txt(env->conf, txt, sizeof(txt));
	c->txt = txt;
	c->now = engine_now_ms(env->engine);
	c->ttl = (long)(ipbl_conf_duration_ms(env->conf, "dns", "ttl") / 1000);
	if (c->format == FORMAT_ZONE) {
		zone_header(c, env->conf);
	} else {
		rbldnsd_header(c, env->conf);
	}
	int ret = store_listings_each(env->store, export_one, c);
	if (ret != 0) {
		return cli_store_failed(env, "export", "read", ret);
	}
	return CLI_OK;
}

int cli_export_main(const cli_options_t *o, int argc, char **argv)
{
	static const char usage[] =
		"usage: ipbl export --format rbldnsd|rbldnsd6|zone [FILE]\n"
		"  The current list for another DNS server, to FILE (atomically) or stdout:\n"
		"  rbldnsd   an rbldnsd ip4set dataset of the listed IPv4 addresses\n"
		"  rbldnsd6  an rbldnsd ip6trie dataset of the listed IPv6 addresses\n"
		"  zone      an RFC 1035 master file of the whole zone ([dns] settings)\n";
	const char *format = NULL, *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			format = argv[++i];
		} else if (strncmp(argv[i], "--format=", 9) == 0) {
			format = argv[i] + 9;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return CLI_OK;
		} else if (argv[i][0] != '-' && path == NULL) {
			path = argv[i];
		} else {
			fprintf(stderr, "ipbl: export: unexpected argument '%.80s'\n", argv[i]);
			fputs(usage, stderr);
			return CLI_EUSAGE;
		}
	}
	export_ctx_t c = { 0 };
	if (format == NULL) {
		fprintf(stderr, "ipbl: export: --format is required\n");
		fputs(usage, stderr);
		return CLI_EUSAGE;
	}
	if (parse_format(format, &c.format) != CLI_OK) {
		return CLI_EUSAGE;
	}
	cli_env_t env;
	int rc = cli_env_open(o, "export", CLI_NEED_ENGINE, &env);
	if (rc != CLI_OK) {
		return rc;
	}
	if (c.format == FORMAT_ZONE && ipbl_conf_str(env.conf, "dns", "zone") == NULL) {
		fprintf(stderr, "ipbl: export: %s: [dns] zone is not set\n",
			ipbl_conf_path(env.conf));
		cli_env_close(&env);
		return CLI_EUSAGE;
	}
	char tmp[4096] = "";
	if (path != NULL && strcmp(path, "-") != 0) {
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
		c.out = fopen(tmp, "w");
		if (c.out == NULL) {
			fprintf(stderr, "ipbl: export: %s: %s\n", tmp, strerror(errno));
			cli_env_close(&env);
			return CLI_EOPERATIONAL;
		}
	} else {
		c.out = stdout;
	}
	rc = write_export(&env, &c);
	if (c.out != stdout) {
		bool bad = fflush(c.out) != 0 || fsync(fileno(c.out)) != 0;
		bad = fclose(c.out) != 0 || bad;
		if (rc == CLI_OK && (bad || rename(tmp, path) != 0)) {
			fprintf(stderr, "ipbl: export: %s: %s\n", path, strerror(errno));
			rc = CLI_EOPERATIONAL;
		}
		if (rc != CLI_OK) {
			unlink(tmp);
		}
	}
	if (rc == CLI_OK && c.n_skipped > 0) {
		fprintf(stderr,
			"ipbl: export: %zu %s listing(s) not in this format: use --format %s\n",
			c.n_skipped, c.format == FORMAT_RBLDNSD ? "IPv6" : "IPv4",
			c.format == FORMAT_RBLDNSD ? "rbldnsd6" : "rbldnsd");
	}
	cli_env_close(&env);
	return rc;
}
