/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for zone/rbldnsd.c: every dataset syntax is parsed into a builder, the snapshot is
 * built, and lookups check what a query would answer (or that the file is rejected, where and
 * why). */
#include <arpa/inet.h>
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zone/builder.h"
#include "zone/rbldnsd.h"
#include "zone/snapshot.h"

/* The caller's default value: what entries without a value use before any ":A:TXT" line. */
#define CALLER_A "127.0.0.99"
#define CALLER_TXT "caller default $"

#define MAX_PROBES 12

typedef struct {
	const char *ip;	 /* IPv4 or IPv6 address to look up */
	const char *a;	 /* expected A, or NULL: not listed */
	const char *txt; /* expected TXT template, or NULL: no TXT */
} probe_t;

typedef struct {
	const char *name;
	enum zone_rbldnsd_type type;
	const char *data;
	probe_t probes[MAX_PROBES];
} ok_case_t;

typedef struct {
	const char *name;
	enum zone_rbldnsd_type type;
	const char *data;
	size_t len; /* 0: strlen(data) */
	unsigned line;
	const char *message; /* a part of the expected message */
} err_case_t;

#define LISTED(ip_, a_, txt_)                                                                      \
	{                                                                                          \
		.ip = (ip_), .a = (a_), .txt = (txt_)                                              \
	}
#define CALLER(ip_)                                                                                \
	{                                                                                          \
		.ip = (ip_), .a = CALLER_A, .txt = CALLER_TXT                                      \
	}
#define NOT_LISTED(ip_)                                                                            \
	{                                                                                          \
		.ip = (ip_), .a = NULL, .txt = NULL                                                \
	}

static const ok_case_t ok_cases[] = {
	/* an unknown "#$" special is a comment: old files carry version tags like this */
	{ "unknown #$ special skipped",
	  ZONE_RBLDNSD_IP4SET,
	  "#$Id: list.txt,v 1.2 2004/01/01 $\n;$Revision 7\n1.2.3.4\n",
	  { CALLER("1.2.3.4"), NOT_LISTED("1.2.3.5") } },
	/* ---- ip4set: every range syntax ---- */
	{ "ip4set cidr /24",
	  ZONE_RBLDNSD_IP4SET,
	  "127.0.0.0/24\n",
	  { CALLER("127.0.0.0"), CALLER("127.0.0.255"), NOT_LISTED("127.0.1.0"),
	    NOT_LISTED("126.255.255.255") } },
	{ "ip4set prefix of three octets",
	  ZONE_RBLDNSD_IP4SET,
	  "127.0.0\n",
	  { CALLER("127.0.0.0"), CALLER("127.0.0.255"), NOT_LISTED("127.0.1.0"),
	    NOT_LISTED("126.255.255.255") } },
	{ "ip4set short cidr 127/24",
	  ZONE_RBLDNSD_IP4SET,
	  "127/24\n",
	  { CALLER("127.0.0.0"), CALLER("127.0.0.255"), NOT_LISTED("127.0.1.0") } },
	{ "ip4set prefix range 127-127.0.0",
	  ZONE_RBLDNSD_IP4SET,
	  "127-127.0.0\n",
	  { CALLER("127.0.0.0"), CALLER("127.0.0.255"), NOT_LISTED("127.0.1.0") } },
	{ "ip4set full range",
	  ZONE_RBLDNSD_IP4SET,
	  "127.0.0.0-127.0.0.255\n",
	  { CALLER("127.0.0.0"), CALLER("127.0.0.255"), NOT_LISTED("127.0.1.0") } },
	{ "ip4set last-octet range",
	  ZONE_RBLDNSD_IP4SET,
	  "127.0.0.1-255\n",
	  { NOT_LISTED("127.0.0.0"), CALLER("127.0.0.1"), CALLER("127.0.0.255"),
	    NOT_LISTED("127.0.1.0") } },
	{ "ip4set range of /24 prefixes",
	  ZONE_RBLDNSD_IP4SET,
	  "127.16.0-127.31.255\n",
	  { NOT_LISTED("127.15.255.255"), CALLER("127.16.0.0"), CALLER("127.31.255.255"),
	    NOT_LISTED("127.32.0.0") } },
	{ "ip4set range of addresses /12",
	  ZONE_RBLDNSD_IP4SET,
	  "127.16.0.0-127.31.255.255\n",
	  { NOT_LISTED("127.15.255.255"), CALLER("127.16.0.0"), CALLER("127.20.1.2"),
	    CALLER("127.31.255.255"), NOT_LISTED("127.32.0.0") } },
	{ "ip4set range of /16 prefixes",
	  ZONE_RBLDNSD_IP4SET,
	  "127.16-127.31\n",
	  { NOT_LISTED("127.15.255.255"), CALLER("127.16.0.0"), CALLER("127.31.255.255"),
	    NOT_LISTED("127.32.0.0") } },
	{ "ip4set prefix range with a suffix",
	  ZONE_RBLDNSD_IP4SET,
	  "127.16-31\n",
	  { NOT_LISTED("127.15.255.255"), CALLER("127.16.0.0"), CALLER("127.31.255.255"),
	    NOT_LISTED("127.32.0.0") } },
	{ "ip4set suffix replaces the last given octet",
	  ZONE_RBLDNSD_IP4SET,
	  "127.16.0-31\n",
	  { CALLER("127.16.0.0"), CALLER("127.16.31.255"), NOT_LISTED("127.16.32.0"),
	    NOT_LISTED("127.17.0.0") } },
	{ "ip4set cidr /12 forms",
	  ZONE_RBLDNSD_IP4SET,
	  "127.16.0.0/12\n127.16.0/12\n127.16/12\n10.16/12\n",
	  { NOT_LISTED("127.15.255.255"), CALLER("127.16.0.0"), CALLER("127.31.255.255"),
	    NOT_LISTED("127.32.0.0"), CALLER("10.31.0.1"), NOT_LISTED("10.32.0.0") } },
	{ "ip4set first boundary a bare number",
	  ZONE_RBLDNSD_IP4SET,
	  "10-11\n",
	  { NOT_LISTED("9.255.255.255"), CALLER("10.0.0.0"), CALLER("11.255.255.255"),
	    NOT_LISTED("12.0.0.0") } },
	{ "ip4set single address, /16 prefix, /8",
	  ZONE_RBLDNSD_IP4SET,
	  "192.0.2.1\n10.1\n11/8\n198.51.100.7/32\n",
	  { CALLER("192.0.2.1"), NOT_LISTED("192.0.2.2"), CALLER("10.1.255.255"),
	    NOT_LISTED("10.2.0.0"), CALLER("11.200.0.1"), CALLER("198.51.100.7"),
	    NOT_LISTED("198.51.100.8") } },
	{ "ip4set unaligned range",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.250-1.2.5.3\n",
	  { NOT_LISTED("1.2.3.249"), CALLER("1.2.3.250"), CALLER("1.2.4.128"), CALLER("1.2.5.3"),
	    NOT_LISTED("1.2.5.4") } },
	{ "ip4set whole address space by range",
	  ZONE_RBLDNSD_IP4SET,
	  "0.0.0.0-255.255.255.255\n",
	  { CALLER("0.0.0.0"), CALLER("128.0.0.1"), CALLER("255.255.255.255") } },
	{ "ip4set leading zeros in octets",
	  ZONE_RBLDNSD_IP4SET,
	  "001.002.003.004\n",
	  { CALLER("1.2.3.4") } },

	/* ---- values ---- */
	{ "default line then entries",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.1\n:127.0.0.3:Listed, see $\n1.2.3.2\n",
	  { CALLER("1.2.3.1"), LISTED("1.2.3.2", "127.0.0.3", "Listed, see $") } },
	{ "per-entry values",
	  ZONE_RBLDNSD_IP4SET,
	  ":3:default text\n"
	  "1.2.3.4\n"
	  "1.2.3.5 :5\n"
	  "1.2.3.6 :6:\n"
	  "1.2.3.7 IP address $ running an open relay\n"
	  "1.2.3.8 :127.0.0.8:own text\n"
	  "1.2.3.9:9:attached to the address\n"
	  "1.2.3.10 # a comment, not a value\n"
	  "1.2.3.11;another comment\n"
	  "1.2.3.12 :12:  text with # inside  \n",
	  { LISTED("1.2.3.4", "127.0.0.3", "default text"),
	    LISTED("1.2.3.5", "127.0.0.5", "default text"), LISTED("1.2.3.6", "127.0.0.6", NULL),
	    LISTED("1.2.3.7", "127.0.0.3", "IP address $ running an open relay"),
	    LISTED("1.2.3.8", "127.0.0.8", "own text"),
	    LISTED("1.2.3.9", "127.0.0.9", "attached to the address"),
	    LISTED("1.2.3.10", "127.0.0.3", "default text"),
	    LISTED("1.2.3.11", "127.0.0.3", "default text"),
	    LISTED("1.2.3.12", "127.0.0.12", "text with # inside") } },
	{ "values before any default line",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.4 some text\n1.2.3.5 :5\n1.2.3.6 :6:x\n",
	  { LISTED("1.2.3.4", "127.0.0.2", "some text"), LISTED("1.2.3.5", "127.0.0.5", NULL),
	    LISTED("1.2.3.6", "127.0.0.6", "x") } },
	{ "A abbreviations",
	  ZONE_RBLDNSD_IP4SET,
	  "1.0.0.1 :4:a\n1.0.0.2 :127.4:b\n1.0.0.3 :10.1.4:c\n1.0.0.4 :10.1.2.4:d\n"
	  "1.0.0.5 :0.7:e\n1.0.0.6 :7 : f\n",
	  { LISTED("1.0.0.1", "127.0.0.4", "a"), LISTED("1.0.0.2", "127.0.0.4", "b"),
	    LISTED("1.0.0.3", "10.1.0.4", "c"), LISTED("1.0.0.4", "10.1.2.4", "d"),
	    LISTED("1.0.0.5", "0.0.0.7", "e"), LISTED("1.0.0.6", "127.0.0.7", "f") } },
	{ "A-only default keeps the default TXT",
	  ZONE_RBLDNSD_IP4SET,
	  ":2:first text\n:3\n1.2.3.4\n:4:\n1.2.3.5\n",
	  { LISTED("1.2.3.4", "127.0.0.3", "first text"), LISTED("1.2.3.5", "127.0.0.4", NULL) } },
	{ "default lasts to the end of the file",
	  ZONE_RBLDNSD_IP4SET,
	  ":2:two\n1.1.1.1\n:3:three\n2.2.2.2\n3.3.3.3\n",
	  { LISTED("1.1.1.1", "127.0.0.2", "two"), LISTED("2.2.2.2", "127.0.0.3", "three"),
	    LISTED("3.3.3.3", "127.0.0.3", "three") } },
	{ "leading '=' is dropped even without a base template",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.4 =text\n1.2.3.5 :5:=\n",
	  { LISTED("1.2.3.4", "127.0.0.2", "text"), LISTED("1.2.3.5", "127.0.0.5", NULL) } },

	/* ---- exclusions and ip4set precedence ---- */
	{ "exclusion inside a listed /24",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.0/24\n!1.2.3.4\n",
	  { NOT_LISTED("1.2.3.4"), CALLER("1.2.3.5"), CALLER("1.2.3.0") } },
	{ "listing inside an excluded /24",
	  ZONE_RBLDNSD_IP4SET,
	  "!1.2.3.0/24\n1.2.3.4\n",
	  { CALLER("1.2.3.4"), NOT_LISTED("1.2.3.5") } },
	{ "listing inside an excluded range, blank after '!'",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.0.0/16\n! 1.2.3.0-1.2.3.255\n1.2.3.7\n",
	  { CALLER("1.2.3.7"), NOT_LISTED("1.2.3.8"), CALLER("1.2.4.8") } },
	{ "same level: exclusion after listing wins",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.4\n!1.2.3.4\n",
	  { NOT_LISTED("1.2.3.4") } },
	{ "same level: exclusion before listing wins",
	  ZONE_RBLDNSD_IP4SET,
	  "!1.2.3.4\n1.2.3.4 :5:x\n",
	  { NOT_LISTED("1.2.3.4") } },
	{ "same level: excluded /25 against a single address",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.4\n!1.2.3.0/25\n",
	  { NOT_LISTED("1.2.3.4"), NOT_LISTED("1.2.3.100") } },
	{ "a /25 sits at the /32 level and beats an excluded /24",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.0/25 :5:quarter\n!1.2.3.0/24\n",
	  { LISTED("1.2.3.1", "127.0.0.5", "quarter"), LISTED("1.2.3.127", "127.0.0.5", "quarter"),
	    NOT_LISTED("1.2.3.128") } },
	{ "an excluded /24 inside a listed /16",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.0.0/16\n!1.2.3.0/24\n",
	  { NOT_LISTED("1.2.3.9"), CALLER("1.2.4.9"), CALLER("1.2.0.1") } },
	{ "range pieces take their own levels",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.128-1.2.5.127 :5:r\n!1.2.0.0/16\n!1.2.4.0/24\n",
	  { NOT_LISTED("1.2.3.127"), LISTED("1.2.3.200", "127.0.0.5", "r"), NOT_LISTED("1.2.4.1"),
	    LISTED("1.2.5.1", "127.0.0.5", "r"), NOT_LISTED("1.2.5.128") } },
	{ "more specific level wins whatever the order",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.0/24 :6:wide\n1.2.3.0/25 :5:narrow\n10.0.0.0/25 :5:narrow\n10.0.0.0/24 :6:wide\n",
	  { LISTED("1.2.3.1", "127.0.0.5", "narrow"), LISTED("1.2.3.200", "127.0.0.6", "wide"),
	    LISTED("10.0.0.1", "127.0.0.5", "narrow"),
	    LISTED("10.0.0.200", "127.0.0.6", "wide") } },
	{ "same level: the first listing wins",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.4 :5:\n1.2.3.4 :6:\n",
	  { LISTED("1.2.3.4", "127.0.0.5", NULL) } },
	{ "the value of an exclusion is ignored",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.0/24\n!1.2.3.4 :5:whatever text\n!1.2.3.5 anything at all\n",
	  { NOT_LISTED("1.2.3.4"), NOT_LISTED("1.2.3.5"), CALLER("1.2.3.6") } },

	/* ---- ip4trie ---- */
	{ "ip4trie longest prefix wins",
	  ZONE_RBLDNSD_IP4TRIE,
	  "10.0.0.0/8 :2:eight\n10.1.0.0/16 :3:sixteen\n10.1.2.0/23 :4:twenty-three\n"
	  "!10.1.2.128/25\n",
	  { LISTED("10.200.0.1", "127.0.0.2", "eight"),
	    LISTED("10.1.200.1", "127.0.0.3", "sixteen"),
	    LISTED("10.1.3.1", "127.0.0.4", "twenty-three"),
	    LISTED("10.1.2.1", "127.0.0.4", "twenty-three"), NOT_LISTED("10.1.2.200"),
	    NOT_LISTED("11.0.0.0") } },
	{ "ip4trie exclusion of a /26 inside a /25",
	  ZONE_RBLDNSD_IP4TRIE,
	  "1.2.3.0/25\n!1.2.3.0/26\n",
	  { NOT_LISTED("1.2.3.1"), CALLER("1.2.3.100"), NOT_LISTED("1.2.3.128") } },
	{ "ip4trie prefixes, host and /0",
	  ZONE_RBLDNSD_IP4TRIE,
	  "0.0.0.0/0 :9:all\n127.0.0\n192.0.2.1\n",
	  { LISTED("8.8.8.8", "127.0.0.9", "all"), CALLER("127.0.0.77"), CALLER("192.0.2.1"),
	    LISTED("192.0.2.2", "127.0.0.9", "all") } },

	/* ---- ip4tset ---- */
	{ "ip4tset: the first default line is the value of every entry",
	  ZONE_RBLDNSD_IP4TSET,
	  "1.2.3.4\n:3:first\n1.2.3.5 ignored text\n:4:second\n1.2.3.6\n",
	  { LISTED("1.2.3.4", "127.0.0.3", "first"), LISTED("1.2.3.5", "127.0.0.3", "first"),
	    LISTED("1.2.3.6", "127.0.0.3", "first"), NOT_LISTED("1.2.3.7") } },
	{ "ip4tset without a default line",
	  ZONE_RBLDNSD_IP4TSET,
	  "1.2.3.4\n# c\n1.2.3.5\n",
	  { CALLER("1.2.3.4"), CALLER("1.2.3.5"), NOT_LISTED("1.2.3.6") } },

	/* ---- ip6trie ---- */
	{ "ip6trie example from the manual",
	  ZONE_RBLDNSD_IP6TRIE,
	  "# Default A and TXT template valuse\n"
	  ":127.0.1.2: Listed, see http://example.com/lookup?$\n"
	  "\n"
	  "# A listing, note that trailing :0s can be omitted\n"
	  "2001:21ab:c000/36\n"
	  "\n"
	  "# /64 range with non-default A and TXT values\n"
	  "2001:21ab:def7:4242 :127.0.1.3: This one smells funny\n"
	  "\n"
	  "# compressed notation\n"
	  "2605:6001:42::/52\n"
	  "::1\t\t       # localhost\n"
	  "!2605:6001:42::bead   # exclusion\n",
	  { LISTED("2001:21ab:c000::1", "127.0.1.2", "Listed, see http://example.com/lookup?$"),
	    LISTED("2001:21ab:cfff:ffff:ffff::", "127.0.1.2",
		   "Listed, see http://example.com/lookup?$"),
	    NOT_LISTED("2001:21ab:d000::"),
	    LISTED("2001:21ab:def7:4242:1:2:3:4", "127.0.1.3", "This one smells funny"),
	    NOT_LISTED("2001:21ab:def7:4243::"),
	    LISTED("2605:6001:42:fff::1", "127.0.1.2", "Listed, see http://example.com/lookup?$"),
	    NOT_LISTED("2605:6001:42::bead"), NOT_LISTED("2605:6001:42:1000::"),
	    LISTED("::1", "127.0.1.2", "Listed, see http://example.com/lookup?$"),
	    NOT_LISTED("::2") } },
	{ "ip6trie compressed and abbreviated forms",
	  ZONE_RBLDNSD_IP6TRIE,
	  "2001:db8:1::\n2001:db8:2:0:0:0:0:1\n2001:DB8:3::5:6\n2001:db8:4/48\n"
	  "1:2:3:4:5:6:7:8:5:eight groups then a value\n2001:db8:5::/64:6:after a prefix\n",
	  { CALLER("2001:db8:1::"), NOT_LISTED("2001:db8:1::1"), CALLER("2001:db8:2::1"),
	    CALLER("2001:db8:3::5:6"), CALLER("2001:db8:4::9"), CALLER("2001:db8:4:1::"),
	    NOT_LISTED("2001:db8:6::"),
	    LISTED("1:2:3:4:5:6:7:8", "127.0.0.5", "eight groups then a value"),
	    LISTED("2001:db8:5::1", "127.0.0.6", "after a prefix") } },
	{ "ip6trie longest prefix and exclusions",
	  ZONE_RBLDNSD_IP6TRIE,
	  "2001:db8::/32 :2:wide\n2001:db8:1::/48 :3:narrow\n!2001:db8:1:2::/64\n::/0 :9:all\n",
	  { LISTED("2001:db8:ffff::1", "127.0.0.2", "wide"),
	    LISTED("2001:db8:1:1::1", "127.0.0.3", "narrow"), NOT_LISTED("2001:db8:1:2::1"),
	    LISTED("2002::", "127.0.0.9", "all") } },

	/* ---- ip6tset ---- */
	{ "ip6tset /64s and /128 exclusions",
	  ZONE_RBLDNSD_IP6TSET,
	  ":5:six\n2001:20fe:23:41ed\nabac:adab:ad00:42f\n!abac:adab:ad00:42f:face:0f:a:beef\n"
	  "!abac:adab:ad00:42f::2\n",
	  { LISTED("2001:20fe:23:41ed::1", "127.0.0.5", "six"),
	    LISTED("2001:20fe:23:41ed:ffff:ffff:ffff:ffff", "127.0.0.5", "six"),
	    NOT_LISTED("2001:20fe:23:41ee::"), LISTED("abac:adab:ad00:42f::1", "127.0.0.5", "six"),
	    NOT_LISTED("abac:adab:ad00:42f:face:f:a:beef"), NOT_LISTED("abac:adab:ad00:42f::2") } },

	/* ---- auto ---- */
	{ "auto mixes ip4set and ip6trie lines",
	  ZONE_RBLDNSD_AUTO,
	  ":3:both families\n1.2.3.4\n2001:db8::/32\n!2001:db8::1\n1.2.3.8-11 :4:range\n"
	  "::ffff:7f00:2\n1.2.3.20:5:v4 with attached value\nabcd::/16\n",
	  { LISTED("1.2.3.4", "127.0.0.3", "both families"),
	    LISTED("2001:db8::2", "127.0.0.3", "both families"), NOT_LISTED("2001:db8::1"),
	    LISTED("1.2.3.11", "127.0.0.4", "range"), NOT_LISTED("1.2.3.12"),
	    LISTED("::ffff:7f00:2", "127.0.0.3", "both families"),
	    LISTED("1.2.3.20", "127.0.0.5", "v4 with attached value"),
	    LISTED("abcd:1::", "127.0.0.3", "both families") } },

	/* ---- substitution ---- */
	{ "$n variables (manual example)",
	  ZONE_RBLDNSD_IP4SET,
	  "$1 See http://www.example.com/bl\n"
	  "$2 for details\n"
	  "127.0.0.2  $1/spammer/$ $2\n"
	  "127.0.0.3  $1/relay/$ $2\n"
	  "127.0.0.4  This spammer wants some $$$$.  $1/$\n",
	  { LISTED("127.0.0.2", "127.0.0.2", "See http://www.example.com/bl/spammer/$ for details"),
	    LISTED("127.0.0.3", "127.0.0.2", "See http://www.example.com/bl/relay/$ for details"),
	    LISTED("127.0.0.4", "127.0.0.2",
		   "This spammer wants some $$$$.  See http://www.example.com/bl/$") } },
	{ "$n: defined after use, first definition wins, undefined kept",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.4 [$1]\n$1 first\n$1 second\n1.2.3.5 cost $5 and $0\n$0 US$ 5\n",
	  { LISTED("1.2.3.4", "127.0.0.2", "[first]"),
	    LISTED("1.2.3.5", "127.0.0.2", "cost $$5 and US$$ 5") } },
	{ "$n in a default line",
	  ZONE_RBLDNSD_IP4SET,
	  ":2:$1 $\n1.2.3.4\n$1 Listed:",
	  { LISTED("1.2.3.4", "127.0.0.2", "Listed: $") } },
	{ "special forms #$, ;$ and :$",
	  ZONE_RBLDNSD_IP4SET,
	  "#$1 hash\n;$2 semicolon\n:$3 colon\n1.2.3.4 $1|$2|$3\n",
	  { LISTED("1.2.3.4", "127.0.0.2", "hash|semicolon|colon") } },
	{ "$= base template (manual example)",
	  ZONE_RBLDNSD_IP4SET,
	  "$= See http://www.example.com/bl?$= ($) for details\n"
	  ":2:\n"
	  "127.0.0.2    r123\n"
	  "127.0.0.3\n"
	  "127.0.0.4    =See other blocklists for details about $\n"
	  "127.0.0.5    :5:x$y\n",
	  { LISTED("127.0.0.2", "127.0.0.2", "See http://www.example.com/bl?r123 ($) for details"),
	    LISTED("127.0.0.3", "127.0.0.2", "See http://www.example.com/bl?$ ($) for details"),
	    LISTED("127.0.0.4", "127.0.0.2", "See other blocklists for details about $"),
	    LISTED("127.0.0.5", "127.0.0.5",
		   "See http://www.example.com/bl?x$$y ($) for details") } },
	{ "$= without base: the text itself",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.4 a$=b\n",
	  { LISTED("1.2.3.4", "127.0.0.2", "aa$$=bb") } },

	/* ---- specials, comments, line endings ---- */
	{ "ignored specials",
	  ZONE_RBLDNSD_IP4SET,
	  "$SOA 1w ns1.ex.com admin.ex.com 0 2h 2h 1w 1h\n"
	  "$NS 1w ns1.ex.com ns2.ex.com\n"
	  "$nameserver 0 ns3.ex.com\n"
	  "$TTL 3600\n"
	  "$ttl 1h\n"
	  "$TIMESTAMP 2005:01:01 +1w\n"
	  "$MAXRANGE4 /24\n"
	  "#$soa 0 a b 1 2 3 4 5\n"
	  "1.2.3.4\n",
	  { CALLER("1.2.3.4") } },
	{ "comments and blank lines",
	  ZONE_RBLDNSD_AUTO,
	  "# comment\n; comment\n\n   \n\t# indented comment\n  ;x\n# $1 not special\n"
	  "  1.2.3.4  \n",
	  { CALLER("1.2.3.4"), NOT_LISTED("1.2.3.5") } },
	{ "CRLF line endings",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.4\r\n:3:txt here \r\n1.2.3.5\r\n\r\n1.2.3.6 :6:\r\n",
	  { CALLER("1.2.3.4"), LISTED("1.2.3.5", "127.0.0.3", "txt here"),
	    LISTED("1.2.3.6", "127.0.0.6", NULL) } },
	{ "no final newline",
	  ZONE_RBLDNSD_IP4SET,
	  "1.2.3.4\n1.2.3.5",
	  { CALLER("1.2.3.4"), CALLER("1.2.3.5") } },
	{ "no final newline after a value",
	  ZONE_RBLDNSD_IP6TRIE,
	  "2001:db8::/32 :7:last",
	  { LISTED("2001:db8::1", "127.0.0.7", "last") } },
	{ "UTF-8 byte order mark",
	  ZONE_RBLDNSD_IP4SET,
	  "\xef\xbb\xbf"
	  "1.2.3.4\n",
	  { CALLER("1.2.3.4") } },
	{ "empty data", ZONE_RBLDNSD_AUTO, "", { NOT_LISTED("1.2.3.4"), NOT_LISTED("::1") } },
	{ "only comments", ZONE_RBLDNSD_AUTO, "# nothing\n\n", { NOT_LISTED("1.2.3.4") } },
};

static const err_case_t err_cases[] = {
	{ "prefix length 33", ZONE_RBLDNSD_IP4SET, "1.2.3.4/33\n", 0, 1,
	  "invalid IPv4 range '1.2.3.4/33'" },
	{ "octet over 255", ZONE_RBLDNSD_IP4SET, "# ok\n1.2.3.256\n", 0, 2, "greater than 255" },
	{ "garbage after the address", ZONE_RBLDNSD_IP4SET, "1.2.3.4\n1.2.3.4x\n", 0, 2,
	  "unexpected 'x' after the address" },
	{ "five octets", ZONE_RBLDNSD_AUTO, "1.2.3.4.5\n", 0, 1, "unexpected '.'" },
	{ "reversed range", ZONE_RBLDNSD_IP4SET, "1.2.3.5-1.2.3.4\n", 0, 1, "ends before" },
	{ "reversed suffix range", ZONE_RBLDNSD_IP4SET, "1.2.3.5-4\n", 0, 1, "ends before" },
	{ "bare number", ZONE_RBLDNSD_IP4SET, "127\n", 0, 1, "bare number" },
	{ "host bits", ZONE_RBLDNSD_IP4SET, "1.2.3.4/24\n", 0, 1, "bits set after" },
	{ "/0 in ip4set", ZONE_RBLDNSD_IP4SET, "0/0\n", 0, 1, "/0" },
	{ "empty octet", ZONE_RBLDNSD_IP4SET, "1.2..3\n", 0, 1, "not followed by a number" },
	{ "trailing dot", ZONE_RBLDNSD_IP4SET, "1.2.3.\n", 0, 1, "not followed by a number" },
	{ "missing prefix length", ZONE_RBLDNSD_IP4SET, "1.2.3.0/\n", 0, 1, "prefix length" },
	{ "dangling dash", ZONE_RBLDNSD_IP4SET, "1.2.3.0-\n", 0, 1, "not followed by a number" },
	{ "not an address", ZONE_RBLDNSD_IP4SET, "\n\nhello world\n", 0, 3, "not an address" },
	{ "exclusion of nothing", ZONE_RBLDNSD_IP4SET, "!\n", 0, 1, "not an address" },
	{ "A value zero", ZONE_RBLDNSD_IP4SET, "1.2.3.4 :0:x\n", 0, 1, "invalid A value" },
	{ "A value garbage", ZONE_RBLDNSD_IP4SET, "1.2.3.4 :abc\n", 0, 1, "invalid A value" },
	{ "A value octet over 255", ZONE_RBLDNSD_IP4SET, ":127.0.0.300:x\n", 0, 1,
	  "invalid A value" },
	{ "text after the A value", ZONE_RBLDNSD_IP4SET, "1.2.3.4 :2 x\n", 0, 1,
	  "after the A value" },
	{ "empty default line", ZONE_RBLDNSD_IP4SET, "1.2.3.4\n:\n", 0, 2, "invalid A value" },
	{ "unknown special", ZONE_RBLDNSD_IP4SET, "1.2.3.4\n$FOO bar\n", 0, 2,
	  "unknown special entry '$FOO'" },
	{ "keyword without a value", ZONE_RBLDNSD_IP4SET, "$TTL\n", 0, 1,
	  "unknown special entry '$TTL'" },
	{ "variable without a value", ZONE_RBLDNSD_IP4SET, "$1\n", 0, 1, "needs a blank" },
	{ "$DATASET", ZONE_RBLDNSD_IP4SET, "$DATASET ip4set x @\n", 0, 1, "combined" },
	{ "two '::'", ZONE_RBLDNSD_IP6TRIE, "2001:db8::1::2\n", 0, 1, "more than one '::'" },
	{ "IPv6 prefix length 129", ZONE_RBLDNSD_IP6TRIE, "2001:db8::/129\n", 0, 1,
	  "invalid IPv6 prefix '2001:db8::/129'" },
	{ "IPv6 host bits", ZONE_RBLDNSD_IP6TRIE, "2001:db8::1/64\n", 0, 1, "bits set after" },
	{ "IPv6 group over ffff", ZONE_RBLDNSD_IP6TRIE, "12345::\n", 0, 1, "greater than ffff" },
	{ "IPv6 bare group", ZONE_RBLDNSD_IP6TRIE, "2001\n", 0, 1, "bare number" },
	{ "'::' with eight groups", ZONE_RBLDNSD_IP6TRIE, "1::2:3:4:5:6:7:8\n", 0, 1,
	  "eight groups" },
	{ "dangling ':'", ZONE_RBLDNSD_IP6TRIE, "2001:db8:\n", 0, 1, "not followed" },
	{ "':' after a short IPv6 address", ZONE_RBLDNSD_AUTO, "2001:db8:::2:x\n", 0, 1,
	  "unexpected ':'" },
	{ "IPv6 garbage", ZONE_RBLDNSD_AUTO, "2001:db8::g\n", 0, 1, "unexpected 'g'" },
	{ "embedded IPv4 is not rbldnsd syntax", ZONE_RBLDNSD_AUTO, "::ffff:1.2.3.4\n", 0, 1,
	  "unexpected '.'" },
	{ "ip6tset entry not a /64", ZONE_RBLDNSD_IP6TSET, "2001:db8:1\n", 0, 1, "/64" },
	{ "ip6tset compressed entry", ZONE_RBLDNSD_IP6TSET, "2001:db8::\n", 0, 1, "/64" },
	{ "ip6tset short exclusion", ZONE_RBLDNSD_IP6TSET, "!2001:db8:1:2\n", 0, 1, "/128" },
	{ "ip6tset prefix", ZONE_RBLDNSD_IP6TSET, "2001:db8:1:2/64\n", 0, 1, "unexpected '/'" },
	{ "ip4tset prefix", ZONE_RBLDNSD_IP4TSET, "1.2.3\n", 0, 1, "single addresses" },
	{ "ip4tset cidr", ZONE_RBLDNSD_IP4TSET, "1.2.3.0/24\n", 0, 1, "unexpected '/'" },
	{ "ip4tset exclusion", ZONE_RBLDNSD_IP4TSET, "!1.2.3.4\n", 0, 1, "no exclusions" },
	{ "ip4tset bad default line", ZONE_RBLDNSD_IP4TSET, "1.2.3.4\n\n:x:y\n", 0, 3,
	  "invalid A value" },
	{ "ip4trie range", ZONE_RBLDNSD_IP4TRIE, "1.2.3.4-1.2.3.5\n", 0, 1, "unexpected '-'" },
	{ "ip4trie host bits", ZONE_RBLDNSD_IP4TRIE, "1.2.3.4/24\n", 0, 1, "bits set after" },
	{ "ip4trie prefix length 33", ZONE_RBLDNSD_IP4TRIE, "1.2.3.4/33\n", 0, 1, "prefix length" },
	{ "NUL byte", ZONE_RBLDNSD_IP4SET, "1.2.3.4\n1.2\0.3.5\n", 16, 2, "NUL byte" },
	{ "line numbers count every line ending", ZONE_RBLDNSD_AUTO,
	  "# one\r\n\r\n$TTL 1\n:2:x\r\n1.2.3.4\n2001:db8:4000::/33\n", 0, 6, "bits set after" },
	{ "error on the last line without newline", ZONE_RBLDNSD_IP4SET, "1.2.3.4\n1.2.3.999", 0, 2,
	  "greater than 255" },
};

static uint32_t ip4_host(const char *s)
{
	struct in_addr in;
	if (inet_pton(AF_INET, s, &in) != 1) {
		fail_msg("bad IPv4 address in the test table: %s", s);
	}
	return ntohl(in.s_addr);
}

static zone_builder_t *new_builder(uint32_t *default_id)
{
	zone_builder_t *b = zone_builder_new();
	assert_non_null(b);
	assert_int_equal(zone_builder_value(b, ip4_host(CALLER_A), CALLER_TXT, strlen(CALLER_TXT),
					    default_id),
			 0);
	return b;
}

static const zone_value_t *lookup(const zone_snapshot_t *s, const char *ip)
{
	if (strchr(ip, ':')) {
		uint8_t a6[16];
		if (inet_pton(AF_INET6, ip, a6) != 1) {
			fail_msg("bad IPv6 address in the test table: %s", ip);
		}
		return zone_snapshot_lookup_ip6(s, a6);
	}
	return zone_snapshot_lookup_ip4(s, ip4_host(ip));
}

/* Prints what is wrong and returns false, so that one run shows every failing case. */
static bool check_probe(const char *name, const zone_snapshot_t *s, const probe_t *pr)
{
	const zone_value_t *v = lookup(s, pr->ip);
	if (!pr->a) {
		if (v) {
			print_error("%s: %s is listed but should not be\n", name, pr->ip);
			return false;
		}
		return true;
	}
	if (!v) {
		print_error("%s: %s is not listed\n", name, pr->ip);
		return false;
	}
	if (v->a != ip4_host(pr->a)) {
		print_error("%s: %s has A 0x%08x, expected %s\n", name, pr->ip, (unsigned)v->a,
			    pr->a);
		return false;
	}
	if (!pr->txt) {
		if (v->txt_len != 0) {
			print_error("%s: %s has TXT '%.*s', expected none\n", name, pr->ip,
				    (int)v->txt_len, v->txt);
			return false;
		}
		return true;
	}
	if (v->txt_len != strlen(pr->txt) || memcmp(v->txt, pr->txt, v->txt_len) != 0) {
		print_error("%s: %s has TXT '%.*s', expected '%s'\n", name, pr->ip, (int)v->txt_len,
			    v->txt ? v->txt : "", pr->txt);
		return false;
	}
	return true;
}

/* Parse data and return the snapshot; fails the test on a parse error. */
static zone_snapshot_t *parse_ok(const char *name, enum zone_rbldnsd_type type, const char *data,
				 size_t len)
{
	zone_rbldnsd_error_t err;
	zone_snapshot_t *s = NULL;
	uint32_t def;
	zone_builder_t *b = new_builder(&def);
	int ret = zone_rbldnsd_parse(b, type, data, len, def, &err);
	if (ret != 0) {
		zone_builder_free(b);
		fail_msg("%s: parse failed (%d) at line %u: %s", name, ret, err.line, err.message);
	}
	assert_int_equal(zone_builder_finish(b, 1, &s), 0);
	zone_builder_free(b);
	return s;
}

static void test_ok_cases(void **state)
{
	unsigned n_failed = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const ok_case_t *c = &ok_cases[i];
		zone_snapshot_t *s = parse_ok(c->name, c->type, c->data, strlen(c->data));
		bool ok = true;
		for (size_t j = 0; j < MAX_PROBES && c->probes[j].ip; j++) {
			ok = check_probe(c->name, s, &c->probes[j]) && ok;
		}
		n_failed += !ok;
		zone_snapshot_unref(s);
	}
	if (n_failed) {
		fail_msg("%u of %zu cases failed", n_failed,
			 sizeof(ok_cases) / sizeof(ok_cases[0]));
	}
}

static void check_error(const char *name, enum zone_rbldnsd_type type, const char *data, size_t len,
			unsigned line, const char *message)
{
	zone_rbldnsd_error_t err;
	uint32_t def;
	zone_builder_t *b = new_builder(&def);
	int ret = zone_rbldnsd_parse(b, type, data, len, def, &err);
	zone_builder_free(b);
	if (ret != IPBL_EPARSE) {
		fail_msg("%s: expected IPBL_EPARSE, got %d", name, ret);
	}
	if (err.line != line) {
		fail_msg("%s: error at line %u, expected %u (%s)", name, err.line, line,
			 err.message);
	}
	if (!strstr(err.message, message)) {
		fail_msg("%s: message '%s' does not contain '%s'", name, err.message, message);
	}
}

static void test_error_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const err_case_t *c = &err_cases[i];
		check_error(c->name, c->type, c->data, c->len ? c->len : strlen(c->data), c->line,
			    c->message);
	}
}

/* Outcome of parsing data: return code, error, entry count and what probe answers. */
typedef struct {
	int ret;
	zone_rbldnsd_error_t err;
	size_t n_entries;
	uint32_t a; /* A for the probe, 0 when not listed */
} outcome_t;

static outcome_t parse_outcome(enum zone_rbldnsd_type type, const char *data, size_t len,
			       const char *probe)
{
	outcome_t o;
	uint32_t def;
	zone_builder_t *b = new_builder(&def);
	memset(&o, 0, sizeof(o));
	o.ret = zone_rbldnsd_parse(b, type, data, len, def, &o.err);
	o.n_entries = zone_builder_count(b);
	if (o.ret == 0) {
		zone_snapshot_t *s = NULL;
		const zone_value_t *v;
		assert_int_equal(zone_builder_finish(b, 1, &s), 0);
		v = zone_snapshot_lookup_ip4(s, ip4_host(probe));
		o.a = v ? v->a : 0;
		zone_snapshot_unref(s);
	}
	zone_builder_free(b);
	return o;
}

/* Plain address lines take a fast path when enough data follows them; it must agree with the
 * general parser (used for the last bytes of the data) on every line, good or bad. */
static void test_fast_path_agrees(void **state)
{
	static const char *const lines[] = {
		"1.2.3.4",	    "1.2.3.4\r",    "255.255.255.255", "0.0.0.0",
		"12.34.56.78",	    "1.2.3.256",    "1.2.3.0004",      "001.002.003.004",
		"1.2.3.4x",	    "1.2.3.4 ",	    "1.2.3",	       "1.2.3.4/32",
		"1.2.3.4-5",	    "1.2.3.4:5:x",  "1.2.3.4.5",       "1..2.3",
		"999.1.1.1",	    "1.2.3.4\t# c", "1.2.3.",	       "1.2.3.4 :6:",
		"255.255.255.2555", "1.2.3.4\r\r",  "1.2.3.4;",	       "2001:db8::1",
	};
	static const enum zone_rbldnsd_type types[] = {
		ZONE_RBLDNSD_AUTO,
		ZONE_RBLDNSD_IP4SET,
		ZONE_RBLDNSD_IP4TRIE,
		ZONE_RBLDNSD_IP4TSET,
	};
	char slow[64], fast[128];
	(void)state;
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			size_t n = strlen(lines[i]);
			const char *probe =
				isdigit((unsigned char)lines[i][0]) && !strchr(lines[i], ':')
					? "1.2.3.4"
					: "0.0.0.1";
			outcome_t a, b;
			memcpy(slow, lines[i], n);
			memcpy(fast, lines[i], n);
			fast[n] = '\n';
			memset(fast + n + 1, '#', 40);
			fast[n + 41] = '\n';
			a = parse_outcome(types[t], slow, n, probe);
			b = parse_outcome(types[t], fast, n + 42, probe);
			if (a.ret != b.ret || a.err.line != b.err.line ||
			    strcmp(a.err.message, b.err.message) != 0 ||
			    a.n_entries != b.n_entries || a.a != b.a) {
				fail_msg("type %d, line '%s': general path %d '%s' (%zu entries, A "
					 "%08x), "
					 "fast path %d '%s' (%zu entries, A %08x)",
					 (int)types[t], lines[i], a.ret, a.err.message, a.n_entries,
					 (unsigned)a.a, b.ret, b.err.message, b.n_entries,
					 (unsigned)b.a);
			}
		}
	}
}

/* How many builder entries a line becomes: ip4set pieces are whole ranges per level. */
static void test_ip4set_pieces(void **state)
{
	static const struct {
		const char *data;
		size_t n_entries;
	} cases[] = {
		{ "1.2.3.4\n", 1 },
		{ "1.2.3.0/25\n", 1 }, /* one /32-level range, not 128 entries */
		{ "1.2.3.0/24\n", 1 },
		{ "1.2.3.0-1.2.3.255\n", 1 },	    /* promoted to one /24 */
		{ "1.2.3.0-1.2.4.255\n", 1 },	    /* two /24s in one range */
		{ "1.2.3.128-1.2.5.127\n", 3 },	    /* /32s, a /24, /32s */
		{ "1.2.3.250-1.3.0.5\n", 3 },	    /* /32s, /24s, /32s */
		{ "0.0.0.0-255.255.255.255\n", 1 }, /* 256 /8s in one range */
		{ "10.0.0.0/7\n", 1 },
		{ "1.2.3.4 :5:\n1.2.3.5 :5:\n", 2 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		zone_rbldnsd_error_t err;
		uint32_t def;
		zone_builder_t *b = new_builder(&def);
		assert_int_equal(zone_rbldnsd_parse(b, ZONE_RBLDNSD_IP4SET, cases[i].data,
						    strlen(cases[i].data), def, &err),
				 0);
		if (zone_builder_count(b) != cases[i].n_entries) {
			fail_msg("'%s': %zu entries, expected %zu", cases[i].data,
				 zone_builder_count(b), cases[i].n_entries);
		}
		zone_builder_free(b);
	}
}

/* Lines of exactly 4096 bytes pass; 4097 fail, also with CRLF and as the last line. */
static void test_long_lines(void **state)
{
	const size_t max = 4096;
	char *data = malloc(max + 32);
	zone_snapshot_t *s;
	(void)state;
	assert_non_null(data);

	memset(data, '#', max);
	memcpy(data + max, "\n1.2.3.4\n", 9);
	s = parse_ok("comment of 4096 bytes", ZONE_RBLDNSD_IP4SET, data, max + 9);
	assert_non_null(zone_snapshot_lookup_ip4(s, 0x01020304));
	zone_snapshot_unref(s);

	memcpy(data + max, "\r\n1.2.3.4\n", 10);
	s = parse_ok("comment of 4096 bytes with CRLF", ZONE_RBLDNSD_IP4SET, data, max + 10);
	zone_snapshot_unref(s);

	memset(data, '#', max + 1);
	memcpy(data + max + 1, "\n1.2.3.4\n", 9);
	check_error("line of 4097 bytes", ZONE_RBLDNSD_IP4SET, data, max + 10, 1,
		    "longer than 4096");

	memcpy(data, "1.2.3.4\n", 8);
	memset(data + 8, '#', max + 1);
	check_error("last line of 4097 bytes without newline", ZONE_RBLDNSD_IP4SET, data, max + 9,
		    2, "longer than 4096");
	free(data);
}

/* TXT text over 255 bytes, and substitution past the template limit. */
static void test_long_templates(void **state)
{
	char *data = malloc(8192);
	size_t n;
	(void)state;
	assert_non_null(data);

	n = (size_t)snprintf(data, 8192, "1.2.3.4 :2:");
	memset(data + n, 'x', 255);
	n += 255;
	data[n++] = '\n';
	zone_snapshot_unref(parse_ok("TXT of 255 bytes", ZONE_RBLDNSD_IP4SET, data, n));

	n = (size_t)snprintf(data, 8192, "1.2.3.4\n1.2.3.5 ");
	memset(data + n, 'y', 256);
	n += 256;
	check_error("TXT of 256 bytes", ZONE_RBLDNSD_IP4SET, data, n, 2, "longer than 255");

	n = (size_t)snprintf(data, 8192, "$1 ");
	memset(data + n, 'z', 2500);
	n += 2500;
	n += (size_t)snprintf(data + n, 8192 - n, "\n1.2.3.4 $1\n1.2.3.5 $1$1\n");
	check_error("substitution too long", ZONE_RBLDNSD_IP4SET, data, n, 3,
		    "longer than 4000 bytes after substitution");
	free(data);
}

static void test_type_parse(void **state)
{
	static const struct {
		const char *name;
		int ret;
		enum zone_rbldnsd_type type;
	} cases[] = {
		{ "auto", 0, ZONE_RBLDNSD_AUTO },
		{ "ip4set", 0, ZONE_RBLDNSD_IP4SET },
		{ "ip4trie", 0, ZONE_RBLDNSD_IP4TRIE },
		{ "ip4tset", 0, ZONE_RBLDNSD_IP4TSET },
		{ "ip6trie", 0, ZONE_RBLDNSD_IP6TRIE },
		{ "IP6TSET", 0, ZONE_RBLDNSD_IP6TSET },
		{ "dnset", IPBL_EINVAL, 0 },
		{ "", IPBL_EINVAL, 0 },
		{ "ip4set ", IPBL_EINVAL, 0 },
	};
	enum zone_rbldnsd_type t;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = ZONE_RBLDNSD_IP6TSET;
		assert_int_equal(zone_rbldnsd_type_parse(cases[i].name, &t), cases[i].ret);
		if (cases[i].ret == 0) {
			assert_int_equal(t, cases[i].type);
		}
	}
	assert_int_equal(zone_rbldnsd_type_parse(NULL, &t), IPBL_EINVAL);
}

static void test_bad_arguments(void **state)
{
	zone_rbldnsd_error_t err;
	uint32_t def;
	zone_builder_t *b = new_builder(&def);
	(void)state;
	assert_int_equal(zone_rbldnsd_parse(NULL, ZONE_RBLDNSD_AUTO, "1.2.3.4\n", 8, def, &err),
			 IPBL_EINVAL);
	assert_int_equal(zone_rbldnsd_parse(b, ZONE_RBLDNSD_AUTO, NULL, 8, def, &err), IPBL_EINVAL);
	assert_int_equal(zone_rbldnsd_parse(b, ZONE_RBLDNSD_AUTO, NULL, 0, def, &err), 0);
	assert_int_equal(
		zone_rbldnsd_parse(b, (enum zone_rbldnsd_type)42, "1.2.3.4\n", 8, def, &err),
		IPBL_EINVAL);
	/* err may be NULL */
	assert_int_equal(zone_rbldnsd_parse(b, ZONE_RBLDNSD_AUTO, "x\n", 2, def, NULL),
			 IPBL_EPARSE);
	zone_builder_free(b);
}

/* "TYPE:PATH" and plain paths, as [dns] data gives them. */
static void test_spec_parse(void **state)
{
	(void)state;
	enum zone_rbldnsd_type t;
	assert_string_equal(zone_rbldnsd_spec_parse("ip6trie:/var/lib/x", &t), "/var/lib/x");
	assert_int_equal(t, ZONE_RBLDNSD_IP6TRIE);
	assert_string_equal(zone_rbldnsd_spec_parse("IP4SET:a:b", &t), "a:b");
	assert_int_equal(t, ZONE_RBLDNSD_IP4SET);
	assert_string_equal(zone_rbldnsd_spec_parse("/srv/list", &t), "/srv/list");
	assert_int_equal(t, ZONE_RBLDNSD_AUTO);
	/* not a type name: the whole value is the path */
	assert_string_equal(zone_rbldnsd_spec_parse("c:/list", &t), "c:/list");
	assert_int_equal(t, ZONE_RBLDNSD_AUTO);
	assert_string_equal(zone_rbldnsd_spec_parse("averyveryverylongname:/x", &t),
			    "averyveryverylongname:/x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_cases),       cmocka_unit_test(test_error_cases),
		cmocka_unit_test(test_ip4set_pieces),  cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_long_templates), cmocka_unit_test(test_type_parse),
		cmocka_unit_test(test_bad_arguments),  cmocka_unit_test(test_fast_path_agrees),
		cmocka_unit_test(test_spec_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
