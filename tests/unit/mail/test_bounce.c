/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for src/mail/bounce.c: every bounce in tests/data/bounces (the directory is the
 * first argument) is parsed with our zone bl.example.org and our pages at
 * http://127.0.0.1:8080, and its fields, as `key: value`
 * lines, must equal NAME.expected; then table cases for the pieces (reply forms, address
 * forms, the list table) and hostile inputs. BOUNCE_UPDATE=1 rewrites the .expected files
 * (review the diff). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "lib/buf.h"
#include "lib/ipaddr.h"
#include "mail/bounce.h"

#define OUR_ZONE "bl.example.org"
#define OUR_BASE_URL "http://127.0.0.1:8080"
#define FILES_MAX 256

static const mail_bounce_ours_t OURS = { OUR_ZONE, OUR_BASE_URL };

static const char *data_dir;

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);
	for (;;) {
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			break;
		}
		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap + 1);
		}
	}
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
}

/* The fields as the .expected files hold them. */
static void format_bounce(const mail_bounce_t *b, ipbl_buf_t *out)
{
	char ip[IPBL_IPADDR_STRLEN] = "";
	if (b->has_ip) {
		ipbl_ipaddr_format(&b->ip, ip);
	}
	ipbl_buf_printf(out, "kind: %s\n", mail_bounce_kind_name(b->kind));
	ipbl_buf_printf(out, "zone: %s\n", b->zone);
	ipbl_buf_printf(out, "list: %s\n", b->list_name);
	ipbl_buf_printf(out, "ours: %s\n", b->ours ? "yes" : "no");
	ipbl_buf_printf(out, "ip: %s\n", ip);
	if (b->smtp_code) {
		ipbl_buf_printf(out, "code: %d\n", b->smtp_code);
	} else {
		ipbl_buf_printf(out, "code: \n");
	}
	ipbl_buf_printf(out, "status: %s\n", b->status);
	ipbl_buf_printf(out, "server: %s\n", b->server);
	ipbl_buf_printf(out, "recipient: %s\n", b->recipient);
	ipbl_buf_printf(out, "permanent: %s\n", b->permanent ? "yes" : "no");
	ipbl_buf_printf(out, "reply: %s\n", b->reply);
	ipbl_buf_printf(out, "sender: %s", mail_bounce_sender_name(b->sender));
	if (b->sender_reason[0]) {
		ipbl_buf_printf(out, " (%s)", b->sender_reason);
	}
	ipbl_buf_puts(out, "\n");
}

/* "key: \n" and "key:\n" are the same (editors drop trailing blanks). */
static void strip_trailing_blanks(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r == '\n') {
			while (w > s && w[-1] == ' ') {
				w--;
			}
		}
		*w++ = *r;
	}
	*w = '\0';
}

static void test_file(void **state)
{
	const char *name = *state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.txt", data_dir, name);
	size_t len;
	char *data = read_file(path, &len);
	assert_non_null(data);
	mail_bounce_t b;
	assert_int_equal(mail_bounce_parse(data, len, &OURS, &b), 0);
	free(data);
	char got[8192];
	ipbl_buf_t out;
	ipbl_buf_init(&out, got, sizeof(got));
	format_bounce(&b, &out);
	assert_false(ipbl_buf_overflowed(&out));
	strip_trailing_blanks(got);

	snprintf(path, sizeof(path), "%s/%s.expected", data_dir, name);
	const char *update = getenv("BOUNCE_UPDATE");
	if (update != NULL && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return;
	}
	char *want = read_file(path, &len);
	if (want == NULL) {
		fail_msg("%s: no .expected file; got:\n%s", name, got);
	}
	strip_trailing_blanks(want);
	if (strcmp(got, want) != 0) {
		print_error("%s: got:\n%s\nwant:\n%s\n", name, got, want);
		free(want);
		fail();
	}
	free(want);
}

/* ------------------------------------------------------------------------------------------ */

typedef struct {
	const char *text;
	enum mail_bounce_kind kind;
	const char *zone; /* "" for none */
	const char *ip;	  /* "" for none */
	int code;
	const char *status;
	bool ours;
} case_t;

static const case_t cases[] = {
	/* the bare forms of a reply */
	{ "550 5.7.1 blocked using bl.spamcop.net", MAIL_BOUNCE_BLOCKLIST, "bl.spamcop.net", "",
	  550, "5.7.1", false },
	{ "smtp;554 Client host [8.8.4.4] blocked using ZEN.SPAMHAUS.ORG.", MAIL_BOUNCE_BLOCKLIST,
	  "zen.spamhaus.org", "8.8.4.4", 554, "", false },
	{ "<<< 550 4.3.2.1.bl.example.org", MAIL_BOUNCE_BLOCKLIST, "bl.example.org", "1.2.3.4", 550,
	  "", true },
	/* our zone named with a final dot, and in upper case */
	{ "550 5.7.1 Listed at BL.EXAMPLE.ORG. [9.9.9.9]", MAIL_BOUNCE_BLOCKLIST, "bl.example.org",
	  "9.9.9.9", 550, "5.7.1", true },
	/* a name that only ends like our zone is not ours */
	{ "550 5.7.1 listed at notbl.example.org", MAIL_BOUNCE_BLOCKLIST, "notbl.example.org", "",
	  550, "5.7.1", false },
	/* a name under our zone is ours */
	{ "550 5.7.1 listed at v4.bl.example.org", MAIL_BOUNCE_BLOCKLIST, "bl.example.org", "", 550,
	  "5.7.1", true },
	/* the rejecting server's address is never the blamed one */
	{ "host mx.example.net[7.7.7.7] said: 554 5.7.1 Client host [6.6.6.6] blocked using "
	  "bl.spamcop.net",
	  MAIL_BOUNCE_BLOCKLIST, "bl.spamcop.net", "6.6.6.6", 554, "5.7.1", false },
	/* an address in a lookup URL beats a bare one */
	{ "550 5.7.1 from 11.11.11.11 refused; see https://www.spamcop.net/bl.shtml?12.12.12.12",
	  MAIL_BOUNCE_BLOCKLIST, "", "12.12.12.12", 550, "5.7.1", false },
	/* IPv6 literal with the SMTP "IPv6:" prefix */
	{ "550 5.7.1 client [IPv6:2a02:c207::51] blocked using bl.spamcop.net",
	  MAIL_BOUNCE_BLOCKLIST, "bl.spamcop.net", "2a02:c207::51", 550, "5.7.1", false },
	/* a blocklist refusal without a list name */
	{ "554 5.7.1 Your IP 31.31.31.31 is blacklisted", MAIL_BOUNCE_BLOCKLIST, "", "31.31.31.31",
	  554, "5.7.1", false },
	/* not blocklists */
	{ "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown",
	  MAIL_BOUNCE_UNKNOWN_USER, "", "", 550, "5.1.1", false },
	{ "452 4.2.2 The email account that you tried to reach is over quota",
	  MAIL_BOUNCE_MAILBOX_FULL, "", "", 452, "4.2.2", false },
	{ "451 4.7.1 Please try again later", MAIL_BOUNCE_TEMPORARY, "", "", 451, "4.7.1", false },
	{ "550 5.7.23 SPF check failed", MAIL_BOUNCE_AUTH, "", "", 550, "5.7.23", false },
	{ "554 5.7.1 Message rejected as spam by content filter", MAIL_BOUNCE_SPAM, "", "", 554,
	  "5.7.1", false },
	{ "550 Administrative prohibition", MAIL_BOUNCE_OTHER, "", "", 550, "", false },
	/* qmail puts the status at the end */
	{ "Remote host said: 553 sorry, no mailbox here by that name. (#5.1.1)",
	  MAIL_BOUNCE_UNKNOWN_USER, "", "", 553, "5.1.1", false },
	/* a multi-line reply without any status code (fuzz: the status was read unset) */
	{ "550-first line\n550 second line", MAIL_BOUNCE_OTHER, "", "", 550, "", false },
	/* numbers in prose are not replies */
	{ "We sold 550 copies and 450 more.", MAIL_BOUNCE_NONE, "", "", 0, "", false },
	{ "Version 5.0.1 was released on 2024-05-01.", MAIL_BOUNCE_NONE, "", "", 0, "", false },
	{ "", MAIL_BOUNCE_NONE, "", "", 0, "", false },
	{ "550", MAIL_BOUNCE_NONE, "", "", 0, "", false },
	{ "550 ", MAIL_BOUNCE_NONE, "", "", 0, "", false },
	{ "550-", MAIL_BOUNCE_NONE, "", "", 0, "", false },
	{ "Received: from x ([1.2.3.4])\n\n550 5.7.1 blocked using bl.spamcop.net",
	  MAIL_BOUNCE_NONE, "", "", 0, "", false },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const case_t *c = &cases[i];
		mail_bounce_t b;
		assert_int_equal(mail_bounce_parse(c->text, strlen(c->text), &OURS, &b), 0);
		char ip[IPBL_IPADDR_STRLEN] = "";
		if (b.has_ip) {
			ipbl_ipaddr_format(&b.ip, ip);
		}
		if (b.kind != c->kind || strcmp(b.zone, c->zone) != 0 || strcmp(ip, c->ip) != 0 ||
		    b.smtp_code != c->code || strcmp(b.status, c->status) != 0 ||
		    b.ours != c->ours) {
			fail_msg(
				"case %zu (%s): kind %s zone '%s' ip '%s' code %d status '%s' ours "
				"%d",
				i, c->text, mail_bounce_kind_name(b.kind), b.zone, ip, b.smtp_code,
				b.status, b.ours);
		}
	}
}

static void test_no_zone_of_ours(void **state)
{
	(void)state;
	const char *t = "554 5.7.1 client [4.4.4.4] blocked using bl.example.org";
	mail_bounce_t b;
	/* without a zone of our own, bl.example.org is just some list */
	assert_int_equal(mail_bounce_parse(t, strlen(t), NULL, &b), 0);
	assert_int_equal(b.kind, MAIL_BOUNCE_BLOCKLIST);
	assert_string_equal(b.zone, "bl.example.org");
	assert_false(b.ours);
	assert_null(b.list);
	assert_int_equal(mail_bounce_parse(t, strlen(t), &(mail_bounce_ours_t){ "", "" }, &b), 0);
	assert_false(b.ours);
	/* a zone of ours given with a final dot */
	assert_int_equal(mail_bounce_parse(t, strlen(t),
					   &(mail_bounce_ours_t){ "BL.Example.Org.", NULL }, &b),
			 0);
	assert_true(b.ours);
	assert_int_equal(mail_bounce_parse(NULL, 0, &OURS, &b), 0);
	assert_int_equal(b.kind, MAIL_BOUNCE_NONE);
}

static void test_list_table(void **state)
{
	(void)state;
	size_t n;
	const mail_bounce_list_t *l = mail_bounce_lists(&n);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(l[i].name);
		assert_non_null(l[i].owner);
		assert_non_null(l[i].site);
		assert_true(strncmp(l[i].lookup_url, "https://", 8) == 0);
		if (l[i].zone != NULL) {
			assert_ptr_equal(mail_bounce_list_find(l[i].zone), &l[i]);
		}
	}
	assert_string_equal(mail_bounce_list_find("BL.SPAMCOP.NET.")->name,
			    "SpamCop Blocking List");
	assert_ptr_equal(mail_bounce_list_find("1.2.3.4.bl.spamcop.net"),
			 mail_bounce_list_find("bl.spamcop.net"));
	assert_null(mail_bounce_list_find("xbl.spamcop.net"));
	assert_null(mail_bounce_list_find("spamcop.net"));
	assert_null(mail_bounce_list_find(NULL));
	assert_false(mail_bounce_list_find("dbl.spamhaus.org")->ip_based);
	assert_true(mail_bounce_list_find("bl.spamcop.net")->auto_delist);
	assert_string_equal(mail_bounce_kind_name(MAIL_BOUNCE_UNKNOWN_USER), "unknown_user");
	assert_string_equal(mail_bounce_kind_name((enum mail_bounce_kind)99), "unknown");
}

/* Our list known by a link to our pages alone: same host (any case) and port, under our path;
 * never a look-alike host, another site's link that quotes ours, or text after the host. */
static void test_our_url(void **state)
{
	(void)state;
	static const struct {
		const char *zone, *base_url, *text;
		bool ours;
		const char *ip;
	} url_cases[] = {
		{ NULL, "https://Lists.Example.NET:8443/dnsbl/",
		  "550 5.7.1 Rejected, see "
		  "https://lists.example.net:8443/dnsbl/lookup?ip=192.0.2.7",
		  true, "192.0.2.7" },
		{ NULL, "https://lists.example.net:8443/dnsbl",
		  "550 5.7.1 see HTTP://LISTS.EXAMPLE.NET:8443/dnsbl?ip=192.0.2.7", true,
		  "192.0.2.7" },
		{ NULL, "https://lists.example.net:8443/dnsbl",
		  "550 5.7.1 Sent from 192.0.2.8; see https://lists.example.net:8443/dnsbl.", true,
		  "192.0.2.8" },
		{ NULL, "http://[2001:db8::53]:8080",
		  "550 5.7.1 see http://[2001:DB8::53]:8080/lookup?ip=192.0.2.1", true,
		  "192.0.2.1" },
		{ NULL, "https://lists.example.net", "550 5.7.1 see <https://lists.example.net>",
		  true, "" },
		/* not ours: another port, path, host, or our address inside another link */
		{ NULL, "https://lists.example.net:8443/dnsbl",
		  "550 5.7.1 see https://lists.example.net/dnsbl/lookup", false, "" },
		{ NULL, "https://lists.example.net:8443/dnsbl",
		  "550 5.7.1 see https://lists.example.net:8443/dnsblx/lookup", false, "" },
		{ NULL, "https://lists.example.net:8443/dnsbl",
		  "550 5.7.1 see https://lists.example.net:8443/other/dnsbl/", false, "" },
		{ NULL, "https://lists.example.net",
		  "550 5.7.1 see https://lists.example.net.evil.example/lookup", false, "" },
		{ NULL, "https://lists.example.net",
		  "550 5.7.1 see https://notlists.example.net/lookup", false, "" },
		{ NULL, "https://lists.example.net",
		  "550 5.7.1 see https://lists.example.net@evil.example/lookup", false, "" },
		{ NULL, "https://lists.example.net",
		  "550 5.7.1 see http://evil.example/?x=https://lists.example.net/lookup", false,
		  "" },
		{ NULL, "https://bl.example.org",
		  "550 5.7.1 see http://evil.example/?x=bl.example.org", false, "" },
		{ NULL, "https://lists.example.net", "550 5.7.1 see lists.example.net/lookup",
		  false, "" },
		{ NULL, "lists.example.net", "550 5.7.1 see https://lists.example.net/", false,
		  "" },
		/* our zone inside another site's link is not our zone named */
		{ "bl.example.org", "https://bl.example.org",
		  "550 5.7.1 see http://evil.example/?x=bl.example.org", false, "" },
		{ "bl.example.org", "https://bl.example.org",
		  "550 5.7.1 see https://BL.example.org/lookup?ip=192.0.2.9", true, "192.0.2.9" },
	};
	for (size_t i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		const mail_bounce_ours_t ours = { url_cases[i].zone, url_cases[i].base_url };
		mail_bounce_t b;
		const char *t = url_cases[i].text;
		assert_int_equal(mail_bounce_parse(t, strlen(t), &ours, &b), 0);
		char ip[IPBL_IPADDR_STRLEN] = "";
		if (b.has_ip) {
			ipbl_ipaddr_format(&b.ip, ip);
		}
		if (b.ours != url_cases[i].ours || (b.ours && b.kind != MAIL_BOUNCE_BLOCKLIST) ||
		    (url_cases[i].ours && strcmp(ip, url_cases[i].ip) != 0)) {
			fail_msg("case %zu (%s): ours %d kind %s ip '%s'", i, t, b.ours,
				 mail_bounce_kind_name(b.kind), ip);
		}
	}
}

#define HOP "Received: by h.example id 1\n" /* starts the returned header fields, tells nothing */

/* Whose server sent it: each rule on a pasted reply and the returned header fields after it. */
static void test_sender(void **state)
{
	(void)state;
	static const char reply[] = "550 5.7.1 Client host [203.0.113.9] blocked using "
				    "bl.example.org\n\n";
	static const struct {
		const char *headers;
		enum mail_bounce_sender sender;
		enum mail_bounce_sender_by by;
		const char *via;
	} sender_cases[] = {
		{ "Received: from pc ([198.51.100.2]) by mx.a.example with LMTPSA id 1\n",
		  MAIL_BOUNCE_SENDER_PROVIDER, MAIL_BOUNCE_SENDER_BY_SUBMISSION, "mx.a.example" },
		{ "Received: from h ([fe80::1]) by h.a.example ([fe80::1%4]) with\n mapi id 1\n",
		  MAIL_BOUNCE_SENDER_PROVIDER, MAIL_BOUNCE_SENDER_BY_SUBMISSION, "h.a.example" },
		{ "Received: from pc (unknown [203.0.113.9]) (Authenticated sender: a)\n"
		  "\tby mx.a.example with ESMTPSA id 1\n",
		  MAIL_BOUNCE_SENDER_OWN, MAIL_BOUNCE_SENDER_BY_SAME_ADDRESS, "mx.a.example" },
		{ "Received: from gw (gw [203.0.113.9]) by mx.a.example with ESMTP id 2\n"
		  "Received: from pc (pc [10.0.0.5]) by gw.a.example with ESMTP id 1\n",
		  MAIL_BOUNCE_SENDER_OWN, MAIL_BOUNCE_SENDER_BY_SAME_ADDRESS, "mx.a.example" },
		{ "Received: from pc (pc [198.51.100.3]) by mx.a.example with ESMTP id 1\n"
		  "From: Ann <Ann@Yahoo.co.UK>\n",
		  MAIL_BOUNCE_SENDER_PROVIDER, MAIL_BOUNCE_SENDER_BY_FREE_MAIL, "yahoo.co.uk" },
		{ HOP "Return-Path: <b@gmx.net>\n", MAIL_BOUNCE_SENDER_PROVIDER,
		  MAIL_BOUNCE_SENDER_BY_FREE_MAIL, "gmx.net" },
		{ HOP "From: a@gmail.com.evil.example\n", MAIL_BOUNCE_SENDER_UNKNOWN,
		  MAIL_BOUNCE_SENDER_BY_NONE, "" },
		{ HOP "From: a@mail.gmail.com\n", MAIL_BOUNCE_SENDER_UNKNOWN,
		  MAIL_BOUNCE_SENDER_BY_NONE, "" },
		{ HOP "From: a@yahoo.co.uk.example\n", MAIL_BOUNCE_SENDER_UNKNOWN,
		  MAIL_BOUNCE_SENDER_BY_NONE, "" },
		{ "Received: by web.a.example (Postfix, from userid 33) id 1\n",
		  MAIL_BOUNCE_SENDER_OWN, MAIL_BOUNCE_SENDER_BY_LOCAL_ORIGIN, "web.a.example" },
		{ "Received: from x by h.a.example with localhost id 1\n",
		  MAIL_BOUNCE_SENDER_UNKNOWN, MAIL_BOUNCE_SENDER_BY_NONE, "" },
		{ "Received: from pc (pc [10.0.0.5]) by gw.a.example with ESMTP id 2\n"
		  "Received: from far (far [198.51.100.4]) by pc.a.example with ESMTP id 1\n",
		  MAIL_BOUNCE_SENDER_UNKNOWN, MAIL_BOUNCE_SENDER_BY_NONE, "" },
		/* logins from inside the server's own network: an office's own server */
		{ "Received: from pc (pc [192.168.1.5]) (Authenticated sender: a)\n"
		  "\tby mail.a.example with ESMTPSA id 1\n",
		  MAIL_BOUNCE_SENDER_OWN, MAIL_BOUNCE_SENDER_BY_LOCAL_ORIGIN, "mail.a.example" },
		/* the office server logs in to a provider's relay: the relay (newest) is named */
		{ "Received: from mail.a.example (mail [198.51.100.6]) (Authenticated sender: r)\n"
		  "\tby relay.isp.example with ESMTPSA id 2\n"
		  "Received: from pc (pc [192.168.1.5]) (Authenticated sender: a)\n"
		  "\tby mail.a.example with ESMTPSA id 1\n",
		  MAIL_BOUNCE_SENDER_PROVIDER, MAIL_BOUNCE_SENDER_BY_SUBMISSION,
		  "relay.isp.example" },
		/* fields in the body after the header block say nothing */
		{ HOP "Subject: x\n\nFrom: a@gmail.com\n", MAIL_BOUNCE_SENDER_UNKNOWN,
		  MAIL_BOUNCE_SENDER_BY_NONE, "" },
	};
	char text[1024];
	for (size_t i = 0; i < sizeof(sender_cases) / sizeof(sender_cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", reply, sender_cases[i].headers);
		mail_bounce_t b;
		assert_int_equal(mail_bounce_parse(text, strlen(text), &OURS, &b), 0);
		assert_int_equal(b.kind, MAIL_BOUNCE_BLOCKLIST);
		if (b.sender != sender_cases[i].sender || b.sender_by != sender_cases[i].by ||
		    strcmp(b.sender_via, sender_cases[i].via) != 0 ||
		    (b.sender == MAIL_BOUNCE_SENDER_UNKNOWN) != (b.sender_reason[0] == '\0')) {
			fail_msg("case %zu: sender %s by %d via '%s' (%s)", i,
				 mail_bounce_sender_name(b.sender), b.sender_by, b.sender_via,
				 b.sender_reason);
		}
	}
	/* a long chain: the origin, past the sixteenth hop, still decides */
	char long_text[4096];
	ipbl_buf_t chain;
	ipbl_buf_init(&chain, long_text, sizeof(long_text));
	ipbl_buf_puts(&chain, reply);
	for (int i = 20; i > 0; i--) {
		ipbl_buf_printf(&chain, "Received: from h%d (h [10.0.0.%d]) by h%d.a.example; x\n",
				i, i, i + 1);
	}
	ipbl_buf_puts(&chain, "Received: from pc (pc [203.0.113.9]) by h1.a.example; x\n");
	assert_false(ipbl_buf_overflowed(&chain));
	mail_bounce_t long_chain;
	assert_int_equal(mail_bounce_parse(chain.data, chain.len, &OURS, &long_chain), 0);
	assert_int_equal(long_chain.sender, MAIL_BOUNCE_SENDER_OWN);
	assert_int_equal(long_chain.sender_by, MAIL_BOUNCE_SENDER_BY_SAME_ADDRESS);
	/* only a blocklist refusal is looked at; the notice's To: is the sender */
	static const char full[] = "550 5.1.1 User unknown\n\n" HOP "From: a@gmail.com\n";
	mail_bounce_t b;
	assert_int_equal(mail_bounce_parse(full, strlen(full), &OURS, &b), 0);
	assert_int_equal(b.sender, MAIL_BOUNCE_SENDER_UNKNOWN);
	static const char notice[] = "From: MAILER-DAEMON@mx.a.example\nTo: Ann <ann@outlook.de>\n"
				     "Subject: failed\n\n"
				     "550 5.7.1 listed at bl.example.org\n";
	assert_int_equal(mail_bounce_parse(notice, strlen(notice), &OURS, &b), 0);
	assert_int_equal(b.sender, MAIL_BOUNCE_SENDER_PROVIDER);
	assert_string_equal(b.sender_via, "outlook.de");
	assert_string_equal(mail_bounce_sender_name(MAIL_BOUNCE_SENDER_OWN), "own");
	assert_string_equal(mail_bounce_sender_name((enum mail_bounce_sender)9), "unknown");
}

/* Hostile shapes: long lines, many replies, deep MIME, NUL bytes, cut-off input. */
static void test_hostile(void **state)
{
	(void)state;
	mail_bounce_t b;
	size_t n = 3u << 20;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i++) {
		big[i] = "550-5.7.1 [1.2.3.4]. bl.example.org\n"[i % 36];
	}
	assert_int_equal(mail_bounce_parse(big, n, &OURS, &b), 0);
	assert_int_equal(b.kind, MAIL_BOUNCE_BLOCKLIST);
	assert_true(strlen(b.reply) < MAIL_BOUNCE_REPLY_MAX);
	memset(big, '5', n);
	assert_int_equal(mail_bounce_parse(big, n, &OURS, &b), 0);
	memset(big, '.', n);
	assert_int_equal(mail_bounce_parse(big, n, &OURS, &b), 0);
	for (size_t i = 0; i < n; i++) {
		big[i] = "1.2.3.4."[i % 8];
	}
	assert_int_equal(mail_bounce_parse(big, n, &OURS, &b), 0);
	/* a message with multiparts nested past any sensible depth */
	ipbl_buf_t out;
	ipbl_buf_init(&out, big, n);
	ipbl_buf_puts(&out, "From: a@b.example\nMIME-Version: 1.0\n");
	for (int d = 0; d < 200; d++) {
		ipbl_buf_printf(&out, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n",
				d, d);
	}
	ipbl_buf_puts(&out, "Content-Type: text/plain\n\n550 5.7.1 listed at bl.spamcop.net\n");
	assert_false(ipbl_buf_overflowed(&out));
	assert_int_equal(mail_bounce_parse(out.data, out.len, &OURS, &b), 0);
	/* a reply whose bytes include NUL and control bytes */
	const char nul[] = "550 5.7.1 client [5.5.5.5]\0\x01 blocked using bl.spamcop.net";
	assert_int_equal(mail_bounce_parse(nul, sizeof(nul) - 1, &OURS, &b), 0);
	assert_int_equal(b.kind, MAIL_BOUNCE_BLOCKLIST);
	assert_string_equal(b.zone, "bl.spamcop.net");
	assert_non_null(strstr(b.reply, "[5.5.5.5]   blocked"));
	/* every prefix of a real bounce */
	char path[4096];
	snprintf(path, sizeof(path), "%s/postfix_dsn_spamhaus.txt", data_dir);
	size_t len;
	char *data = read_file(path, &len);
	assert_non_null(data);
	for (size_t k = 0; k <= len; k += 7) {
		char *cut = malloc(k ? k : 1);
		memcpy(cut, data, k);
		assert_int_equal(mail_bounce_parse(cut, k, &OURS, &b), 0);
		free(cut);
	}
	free(data);
	free(big);
}

/* Links whose bracketed host never closes: each one once looked for its ']' to the end of the
 * text, quadratic time (12 MB took minutes, past the test's timeout; now about a second). */
static void test_unclosed_brackets(void **state)
{
	(void)state;
	size_t n = 12u << 20;
	char *big = malloc(n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++) {
		big[i] = "http://["[i % 8];
	}
	mail_bounce_t b;
	assert_int_equal(mail_bounce_parse(big, n, &OURS, &b), 0);
	assert_false(b.ours);
	free(big);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR (tests/data/bounces)\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	DIR *d = opendir(data_dir);
	if (d == NULL) {
		fprintf(stderr, "cannot open %s\n", data_dir);
		return 2;
	}
	static char *names[FILES_MAX];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < FILES_MAX) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0) {
			names[n++] = strndup(e->d_name, l - 4);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	static struct CMUnitTest tests[FILES_MAX + 8];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		tests[k++] = (struct CMUnitTest){ .name = names[i],
						  .test_func = test_file,
						  .initial_state = names[i] };
	}
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_cases);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_no_zone_of_ours);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_our_url);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_sender);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_list_table);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_hostile);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_unclosed_brackets);
	int ret = _cmocka_run_group_tests("bounce", tests, k, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	return ret;
}
