/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for src/mail: one made-up Received line per MTA format (peer, HELO, rDNS, by-host,
 * authentication), the trust walk (rules 4-5 of the corpus README), the trusted list parser,
 * and the message reader (LF/CRLF, forwarded message/rfc822 plain, base64 and QP). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/ipaddr.h"
#include "mail/message.h"
#include "mail/received.h"
#include "mail/walk.h"

typedef struct {
	const char *name;
	const char *field; /* unfolded value, without "Received:" */
	const char *peer;  /* expected peer, or NULL: no peer */
	const char *helo;  /* expected HELO, or NULL: not checked */
	const char *rdns;  /* expected rDNS, or NULL: not checked */
	const char *by;	   /* expected by-host, or NULL: not checked */
	bool auth;
} rcvd_case_t;

static const rcvd_case_t rcvd_cases[] = {
	{ "postfix helo (rdns [ip])",
	  "from gw.alpha.test (mail.alpha.test [81.2.69.160]) by mx.beta.test (Postfix) with ESMTP "
	  "id 4AB1C for <u@beta.test>; Tue, 3 Mar 2020 10:00:00 +0000 (UTC)",
	  "81.2.69.160", "gw.alpha.test", "mail.alpha.test", "mx.beta.test", false },
	{ "postfix unknown [ip]",
	  "from spamhost.test (unknown [81.2.69.161]) by mx.beta.test (Postfix) with SMTP id 1",
	  "81.2.69.161", "spamhost.test", "", "mx.beta.test", false },
	{ "old postfix unknown[ip] with HELO literal",
	  "from 81.2.69.1 (unknown[81.2.69.162]) by mx.beta.test (Postfix) with SMTP id 2",
	  "81.2.69.162", "81.2.69.1", NULL, "mx.beta.test", false },
	{ "postfix IPv6: prefix with TLS comments",
	  "from six.alpha.test (six.alpha.test [IPv6:2a00:1450:4001:81c::2005]) (using TLSv1.3 "
	  "with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) (No client certificate requested) "
	  "by mx.beta.test (Postfix) with ESMTPS id 7 for <u@beta.test>",
	  "2a00:1450:4001:81c::2005", "six.alpha.test", "six.alpha.test", "mx.beta.test", false },
	{ "postfix ESMTPSA, HELO literal [127.0.0.1]",
	  "from [127.0.0.1] (unknown [81.2.69.163]) (using TLSv1.2 with cipher X (256/256 bits)) "
	  "by "
	  "smtp.beta.test (Postfix) with ESMTPSA id 9",
	  "81.2.69.163", "[127.0.0.1]", NULL, "smtp.beta.test", true },
	{ "sendmail may be forged",
	  "from laptop (dsl-7.isp.test [81.2.69.164] (may be forged)) by relay.gamma.test "
	  "(8.14.7/8.14.7) with ESMTP id x1 for <u@gamma.test>",
	  "81.2.69.164", "laptop", "dsl-7.isp.test", "relay.gamma.test", false },
	{ "sendmail authenticated bits=0, HELO is an IP literal",
	  "from 10.9.8.7 (dial-1.isp.test [81.2.69.165]) (authenticated bits=0) by "
	  "smtp.gamma.test (8.15.2/8.15.2) with ESMTP id x2",
	  "81.2.69.165", "10.9.8.7", "dial-1.isp.test", "smtp.gamma.test", true },
	{ "exim rdns ([ip]:port helo=x)",
	  "from host-9.isp.test ([81.2.69.166]:51234 helo=WORKSTATION) by mx.delta.test with esmtp "
	  "(Exim 4.96) (envelope-from <a@isp.test>) id 1q-000 for u@delta.test",
	  "81.2.69.166", "WORKSTATION", "host-9.isp.test", "mx.delta.test", false },
	{ "exim from [ip] (helo=x)",
	  "from [81.2.69.167] (helo=pc) by mx.delta.test with esmtpsa (Exim 4.96) id 1q-001",
	  "81.2.69.167", "pc", NULL, "mx.delta.test", true },
	{ "exim IPv6 literal with port",
	  "from v6.isp.test ([2a00:1450:4001:81c::2006]:40222 helo=v6.isp.test) by mx.delta.test "
	  "with esmtp id 1q-002",
	  "2a00:1450:4001:81c::2006", "v6.isp.test", NULL, "mx.delta.test", false },
	{ "old exim ip.port",
	  "from box.isp.test ([81.2.69.168.40001]) by mx.delta.test with esmtp (v3.35) id 1Q",
	  "81.2.69.168", NULL, NULL, "mx.delta.test", false },
	{ "qmail rdns (HELO x) (ip)",
	  "from dsl-3.isp.test (HELO [192.168.0.2]) (81.2.69.169) by mail.eps.test with SMTP; 1 "
	  "Jan "
	  "2020 00:00:00 -0000",
	  "81.2.69.169", "[192.168.0.2]", NULL, "mail.eps.test", false },
	{ "qmail empty HELO",
	  "from unknown (HELO ) (81.2.69.170) by mail.eps.test with SMTP; 1 Jan 2020 00:00:00 "
	  "-0000",
	  "81.2.69.170", NULL, NULL, "mail.eps.test", false },
	{ "qmail ident@ip",
	  "from relay.zeta.test (bob@81.2.69.171) by mail.eps.test with SMTP; 1 Jan 2020",
	  "81.2.69.171", "relay.zeta.test", NULL, "mail.eps.test", false },
	{ "qmail invoked by uid: no peer",
	  "(qmail 1234 invoked by uid 1001); 1 Jan 2020 00:00:00 -0000", NULL, NULL, NULL, NULL,
	  false },
	{ "qmail invoked from network[ip]: no peer",
	  "(qmail 77 messnum 9 invoked from network[81.2.69.172/x.isp.test]); 1 Jan 2020", NULL,
	  NULL, NULL, NULL, false },
	{ "qmail-ldap bracketed HELO and peer, by-clause is an IP",
	  "from unknown (HELO [81.2.69.1]) ([81.2.69.173]) (envelope-sender <a@b.test>) by "
	  "81.2.69.2 "
	  "(qmail-ldap-1.03) with SMTP for <c@d.test>; 1 Jan 2020",
	  "81.2.69.173", "[81.2.69.1]", NULL, "81.2.69.2", false },
	{ "qmail-scanner remark: no peer",
	  "from someone@eta.test by mail.eps.test by uid 502 with qmail-scanner-1.20 "
	  "(Clear:RC:0(81.2.69.174):. Processed in 0.2 secs); 1 Jan 2020",
	  NULL, NULL, NULL, "mail.eps.test", false },
	{ "exchange 2010 (ip) by host (ip)",
	  "from edge.theta.test (81.2.69.175) by HUB01.theta.local (10.1.2.3) with Microsoft SMTP "
	  "Server id 14.3.498.0; Mon, 1 Jan 2020 00:00:00 +0000",
	  "81.2.69.175", "edge.theta.test", NULL, "HUB01.theta.local", false },
	{ "exchange online IPv6 internal hop",
	  "from AB1PR01CA0001.prod.outlook.test (2603:10a6:20b:21c::21) by "
	  "CD2PR02MB0002.prod.outlook"
	  ".test (2603:10b6:208:34e::12) with Microsoft SMTP Server (version=TLS1_2) id 15.20.1",
	  "2603:10a6:20b:21c::21", NULL, NULL, "CD2PR02MB0002.prod.outlook.test", false },
	/* HTTPS here is MAPI over HTTP: an authenticated client submission */
	{ "exchange (::1) with HTTPS",
	  "from EF3PR03MB0003.prod.outlook.test (::1) by GH4PR04MB0004.prod.outlook.test with "
	  "HTTPS; "
	  "Wed, 2 Aug 2023 20:09:22 +0000",
	  "::1", NULL, NULL, "GH4PR04MB0004.prod.outlook.test", true },
	{ "exchange SMTPSVC from [ip] ([ip])",
	  "from [81.2.69.176] ([81.2.69.176]) by old.iota.test with Microsoft "
	  "SMTPSVC(6.0.3790.4675); "
	  "Wed, 1 Jan 2020",
	  "81.2.69.176", "[81.2.69.176]", NULL, "old.iota.test", false },
	{ "communigate account ... HELO [literal]",
	  "from [81.2.69.177] (account u@kappa.test HELO [10.10.10.10]) by cgp.kappa.test "
	  "(CommuniGate Pro SMTP 6.3) with ESMTPSA id 5 for v@kappa.test",
	  "81.2.69.177", "[81.2.69.177]", NULL, "cgp.kappa.test", true },
	{ "smtpd rdns(ip), claiming to be",
	  "from dsl-5.isp.test(81.2.69.178), claiming to be \"pc.lambda.test\" via SMTP by "
	  "gate.lambda.test, id smtpdAAA; Sun Nov 13 15:38:52 2005",
	  "81.2.69.178", "dsl-5.isp.test", NULL, "gate.lambda.test", false },
	{ "smap rdns(ip) via csmap",
	  "from nodnsquery(81.2.69.179) by gw.mu.test via csmap (V4.1) id srcAAA", "81.2.69.179",
	  "nodnsquery", NULL, "gw.mu.test", false },
	{ "xmail (ip:port)",
	  "from list.nu.test (81.2.69.180:23198) by mx.nu.test with [XMail 1.27 ESMTP Server] id "
	  "<S1>",
	  "81.2.69.180", "list.nu.test", NULL, "mx.nu.test", false },
	{ "mdaemon [(ip)] and by [ip]",
	  "from out.xi.test [(81.2.69.181)] by mx.xi.test (81.2.69.3) (MDaemon PRO v19.0.2) with "
	  "ESMTP "
	  "id md1.msg",
	  "81.2.69.181", "out.xi.test", NULL, "mx.xi.test", false },
	{ "mdaemon host [ip] by host [ip]",
	  "from pc [81.2.69.182] by scan.xi.test [81.2.69.4] with SMTP (MDaemon.PRO.v5.0.6.R)",
	  "81.2.69.182", "pc", NULL, "scan.xi.test", false },
	{ "fetchmail host [ip] by localhost with POP3",
	  "from pop.omicron.test [81.2.69.183] by localhost with POP3 (fetchmail-6.4.0) for "
	  "<me@local> "
	  "(single-drop); Mon, 1 Jan 2020",
	  "81.2.69.183", "pop.omicron.test", NULL, "localhost", false },
	{ "ipv4-mapped IPv6 literal",
	  "from pi.test ([::ffff:81.2.69.184]) by mx.pi.test with esmtp; Mon, 1 Jan 2020",
	  "81.2.69.184", NULL, NULL, "mx.pi.test", false },
	{ "upper-case FROM/BY",
	  "FROM [10.0.0.9] (h-1.rho.test [81.2.69.185]) BY mx.rho.test ID 434B.1 ; 11 Oct 2005",
	  "81.2.69.185", "[10.0.0.9]", "h-1.rho.test", "mx.rho.test", false },
	{ "rdns with trailing dot (Gmail)",
	  "from out.sigma.test (mail-out.sigma.test. [81.2.69.186]) by mx.google.test with ESMTPS "
	  "id x.1 for <u@gmail.test> (version=TLS1_2 cipher=X bits=128/128)",
	  "81.2.69.186", "out.sigma.test", "mail-out.sigma.test.", "mx.google.test", false },
	{ "gmail by-only line with IPv6 by-host: no peer",
	  "by 2002:a19:c1cd:0:0:0:0:0 with SMTP id r1csp1lff; Fri, 25 Sep 2020 10:19:08 -0700",
	  NULL, NULL, NULL, "2002:a19:c1cd:0:0:0:0:0", false },
	{ "postfix local pickup: no peer",
	  "by mail.tau.test (Postfix, from userid 1000) id D3F; Tue, 15 May 2001 17:31:22 -0400",
	  NULL, NULL, NULL, "mail.tau.test", false },
	{ "sendmail (from user@localhost): no peer",
	  "(from alice@localhost) by box.tau.test (8.15.2/Submit) id 29A; Mon, 10 Oct 2022", NULL,
	  NULL, NULL, "box.tau.test", false },
	{ "LMTP hand-off without address: no peer",
	  "from mx.upsilon.test by store.upsilon.test (Dovecot) with LMTP id Y1 ; Tue, 07 Jul 2015",
	  NULL, "mx.upsilon.test", NULL, "store.upsilon.test", false },
	{ "MMDF from host by host: no peer",
	  "from a.phi.test by b.phi.test with SMTP id <aa1@b>; 15 Apr 2001 02:36:50 +0100", NULL,
	  "a.phi.test", NULL, "b.phi.test", false },
	{ "empty literal []: no peer",
	  "from x.chi.test (x.chi.test []) by mx.chi.test (Postfix) with ESMTP id 9B", NULL, NULL,
	  NULL, "mx.chi.test", false },
	{ "for clause address is not the peer",
	  "from PC_7 by hub.psi.test via smtpd (for mail.psi.test [81.2.69.187]) with SMTP; 3 Jul "
	  "2002",
	  NULL, "PC_7", NULL, "hub.psi.test", false },
	{ "by-clause address is not the peer",
	  "from a.omega.test ([81.2.69.188]) by localhost (b.omega.test [127.0.0.1]) (amavisd-new, "
	  "port 10024) with ESMTP id k8",
	  "81.2.69.188", "a.omega.test", NULL, "localhost", false },
	{ "bare IP HELO without TCP-info: no peer",
	  "from 81.2.69.189 by 81.2.69.190; Thu, 02 Dec 2004 10:55:50 -0500", NULL, "81.2.69.189",
	  NULL, "81.2.69.190", false },
	{ "webmail via HTTP",
	  "from [81.2.69.191] by web1.alpha.test via HTTP; Wed, 09 Mar 2011 11:19:45 GMT",
	  "81.2.69.191", NULL, NULL, "web1.alpha.test", true },
	{ "webmail bare client IP with HTTP",
	  "from 81.2.69.194 (SquirrelMail authenticated user bob) by www.alpha.test with HTTP; "
	  "Thu, 6 "
	  "Dec 2001 09:21:06 -0000",
	  "81.2.69.194", NULL, NULL, "www.alpha.test", true },
	{ "bare IP with HTTP in a comment only is not webmail",
	  "from 81.2.69.195 (via HTTP proxy) by mx.alpha.test with SMTP id 1", NULL, NULL, NULL,
	  "mx.alpha.test", false },
	{ "opensmtpd",
	  "from out.beta.test (out.beta.test [81.2.69.196]) by mx.gamma.test (OpenSMTPD) with "
	  "ESMTPS "
	  "id 5f1e2d3c (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) for <u@gamma.test>",
	  "81.2.69.196", "out.beta.test", "out.beta.test", "mx.gamma.test", false },
	{ "haraka",
	  "from out.delta.test (out.delta.test [81.2.69.197]) by mx.epsilon.test (Haraka/3.0.2) "
	  "with "
	  "ESMTPS id 7A1B-4C2D envelope-from <a@delta.test> (cipher=TLS_AES_256_GCM_SHA384)",
	  "81.2.69.197", "out.delta.test", "out.delta.test", "mx.epsilon.test", false },
	{ "courier mapped IPv6 with AUTH",
	  "from pc.zeta.test (dsl-8.isp.test [::ffff:81.2.69.198]) (AUTH: LOGIN bob, TLS: TLSv1.2) "
	  "by "
	  "mail.zeta.test with ESMTPSA; Mon, 01 Jan 2020 00:00:00 +0000",
	  "81.2.69.198", "pc.zeta.test", "dsl-8.isp.test", "mail.zeta.test", true },
	{ "oracle messaging server (iCloud style) with HELO literal",
	  "from [10.0.1.5] (unknown [81.2.69.199]) by ms.eta.test (Oracle Communications Messaging "
	  "Server 8.1.0.1.20210330 64bit (built Mar 30 2021)) with ESMTPSA id <0Q@ms.eta.test>",
	  "81.2.69.199", "[10.0.1.5]", NULL, "ms.eta.test", true },
	{ "google internal IPv6 peer",
	  "from mail-yw1-x1130.google.test (mail-yw1-x1130.google.test. [2607:f8b0:4864:20::1130]) "
	  "by "
	  "mx.google.test with ESMTPS id a1si2 for <u@theta.test> (version=TLS1_3 cipher=X "
	  "bits=256/256)",
	  "2607:f8b0:4864:20::1130", NULL, "mail-yw1-x1130.google.test.", "mx.google.test", false },
	{ "fetchmail IMAP line",
	  "from imap.iota.test [81.2.69.200] by localhost with IMAP (fetchmail-6.4.37) for "
	  "<me@localhost> "
	  "(single-drop); Mon, 01 Jan 2024 00:00:00 +0100 (CET)",
	  "81.2.69.200", "imap.iota.test", NULL, "localhost", false },
	{ "AUTH: comment",
	  "from pc ([81.2.69.192]) (AUTH: LOGIN bob@beta.test) by smtp.beta.test "
	  "with esmtp; Tue, 06 Jan 2004",
	  "81.2.69.192", "pc", NULL, "smtp.beta.test", true },
	{ "0.0.0.0 verified", "from a.test ([0.0.0.0] verified) by b.test (x) with ESMTP id 6",
	  "0.0.0.0", NULL, NULL, "b.test", false },
	{ "yahoo from IP (EHLO name): the from-host is the peer",
	  "from 81.2.69.195 (EHLO smtp.alpha.test) by 10.217.135.74 with SMTP; Thu, 22 Feb 2024",
	  "81.2.69.195", "smtp.alpha.test", "", "10.217.135.74", false },
	{ "bare IP from-host with an HELO comment and a TCP-info address: the address",
	  "from 127.0.0.1 (EHLO web.alpha.test) (81.2.69.196) by smtp.alpha.test with SMTP",
	  "81.2.69.196", "web.alpha.test", NULL, "smtp.alpha.test", false },
	{ "garbage", "apparently", NULL, NULL, NULL, NULL, false },
	{ "empty", "", NULL, NULL, NULL, NULL, false },
	{ "unbalanced parentheses", "from x (y [81.2.69.193] (z by q", "81.2.69.193", NULL, NULL,
	  NULL, false },
	{ "unbalanced bracket", "from x ([81.2.69 by q", NULL, NULL, NULL, NULL, false },
	{ "zone index in literal",
	  "from a.test ([fe80::1%4]) by a.test ([fe80::1%4]) with mapi id 15.20.1", "fe80::1", NULL,
	  NULL, NULL, false },
};

static void check_addr(const char *want, const ipbl_ipaddr_t *got, const char *name)
{
	ipbl_ipaddr_t w;
	if (ipbl_ipaddr_parse(ipbl_str(want), &w) != 0) {
		fail_msg("%s: bad expected address %s", name, want);
	}
	ipbl_ipaddr_unmap(&w);
	char buf[IPBL_IPADDR_STRLEN];
	if (!ipbl_ipaddr_eq(&w, got)) {
		fail_msg("%s: peer %s, want %s", name, ipbl_ipaddr_format(got, buf), want);
	}
}

static void test_received_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rcvd_cases) / sizeof(rcvd_cases[0]); i++) {
		const rcvd_case_t *c = &rcvd_cases[i];
		mail_received_hop_t h;
		mail_received_parse(ipbl_str(c->field), &h);
		if (c->peer == NULL) {
			if (h.has_peer) {
				char buf[IPBL_IPADDR_STRLEN];
				fail_msg("%s: unexpected peer %s", c->name,
					 ipbl_ipaddr_format(&h.peer, buf));
			}
		} else {
			if (!h.has_peer) {
				fail_msg("%s: no peer, want %s", c->name, c->peer);
			}
			check_addr(c->peer, &h.peer, c->name);
		}
		if (c->helo && strcmp(c->helo, h.helo) != 0) {
			fail_msg("%s: helo '%s', want '%s'", c->name, h.helo, c->helo);
		}
		if (c->rdns && strcmp(c->rdns, h.rdns) != 0) {
			fail_msg("%s: rdns '%s', want '%s'", c->name, h.rdns, c->rdns);
		}
		if (c->by && strcmp(c->by, h.by) != 0) {
			fail_msg("%s: by '%s', want '%s'", c->name, h.by, c->by);
		}
		if (c->auth != h.auth) {
			fail_msg("%s: auth %d, want %d", c->name, h.auth, c->auth);
		}
	}
}

/* Every prefix of every case, without a NUL after it: no crash, no read past the end. */
static void test_received_truncated(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rcvd_cases) / sizeof(rcvd_cases[0]); i++) {
		const char *f = rcvd_cases[i].field;
		size_t n = strlen(f);
		for (size_t k = 0; k <= n; k++) {
			char *copy = malloc(k ? k : 1);
			assert_non_null(copy);
			memcpy(copy, f, k);
			mail_received_hop_t h;
			mail_received_parse((ipbl_str_t){ .ptr = copy, .len = k }, &h);
			free(copy);
		}
	}
}

/* ---- the walk ---- */

#define MAX_HOPS 8

typedef struct {
	const char *name;
	const char *trusted;
	const char *fields[MAX_HOPS]; /* top first, NULL-terminated */
	const char *want;	      /* source, or NULL: undetermined */
	const char *reason;	      /* a part of the reason, or NULL */
} walk_case_t;

static const walk_case_t walk_cases[] = {
	{ "no trusted: top peer is the source",
	  "",
	  { "from a.test (unknown [81.2.69.10]) by mx.test (Postfix) with ESMTP id 1",
	    "from b.test (b.test [81.2.69.11]) by a.test with SMTP id 2", NULL },
	  "81.2.69.10",
	  "first untrusted" },
	{ "trusted IP then source; lower hops ignored",
	  "81.2.69.20,mx.test",
	  { "from relay.test (relay.test [81.2.69.20]) by mx.test with ESMTP id 1",
	    "from spam.test (unknown [81.2.69.21]) by relay.test with SMTP id 2",
	    "from x.test (x.test [81.2.69.20]) by spam.test with SMTP id 3", NULL },
	  "81.2.69.21",
	  NULL },
	{ "CIDR trusted, loopback and private hops passed",
	  "81.2.69.0/28",
	  { "from localhost (localhost [127.0.0.1]) by mx.test with ESMTP id 1",
	    "from in.test ([10.1.1.1]) by localhost with ESMTP id 2",
	    "from gw.test (gw.test [81.2.69.14]) by in.test with ESMTP id 3",
	    "from fe.test ([fe80::1]) by gw.test with ESMTP id 4",
	    "from cg.test ([100.64.1.1]) by fe.test with ESMTP id 5",
	    "from ula.test ([fd00::5]) by cg.test with ESMTP id 6",
	    "from src.test ([2a00:1450:4001:81c::2005]) by ula.test with ESMTP id 7", NULL },
	  "2a00:1450:4001:81c::2005",
	  NULL },
	{ "no-peer hops skipped",
	  "mx.test",
	  { "(qmail 1 invoked by uid 2); 1 Jan 2020", "by mx.test (Postfix, from userid 5) id 1",
	    "apparently", "from src.test (src.test [81.2.69.30]) by mx.test with SMTP id 2", NULL },
	  "81.2.69.30",
	  NULL },
	{ "authenticated hop is not trusted (rule 5)",
	  "81.2.69.40",
	  { "from relay ([81.2.69.40]) by mx.test with esmtp id 1",
	    "from pc ([81.2.69.41]) by relay with esmtpa id 2",
	    "from other ([81.2.69.42]) by pc with esmtp id 3", NULL },
	  "81.2.69.41",
	  "authenticated" },
	{ "ipv4-mapped peer matched by IPv4 trusted entry",
	  "81.2.69.50",
	  { "from a ([::ffff:81.2.69.50]) by mx.test with esmtp id 1",
	    "from b ([81.2.69.51]) by a with esmtp id 2", NULL },
	  "81.2.69.51",
	  NULL },
	{ "all trusted or private: undetermined",
	  "81.2.69.60",
	  { "from a ([81.2.69.60]) by mx.test with esmtp id 1",
	    "from b (b [192.168.1.1]) by a with esmtp id 2",
	    "from localhost (u@localhost) by b with ESMTP id 3", NULL },
	  NULL,
	  "no untrusted peer" },
	{ "private only: undetermined",
	  "",
	  { "from klqe (unknown [192.168.50.50]) by mx.test (Postfix) with ESMTP id 1", NULL },
	  NULL,
	  NULL },
	{ "no Received at all", "", { NULL }, NULL, "no Received fields" },
	{ "documentation peer is never blamed",
	  "",
	  { "from a (a [192.0.2.7]) by mx.test with esmtp id 1",
	    "from b (b [81.2.69.70]) by a with esmtp id 2", NULL },
	  NULL,
	  "documentation" },
	{ "trusted IPv6 /64",
	  "2001:67c:2e8::/48",
	  { "from a ([IPv6:2001:67c:2e8:1::1]) by mx.test with esmtp id 1",
	    "from b ([IPv6:2a00:1450:4001:81c::1]) by a with esmtp id 2", NULL },
	  "2a00:1450:4001:81c::1",
	  NULL },
	{ "trusted host name matches the checked rDNS a trusted receiver recorded",
	  "relay.mine.test",
	  { "from relay.mine.test (relay.mine.test [81.2.69.70]) by mx.mine.test (Postfix) with "
	    "ESMTP id 1",
	    "from spam.test (unknown [81.2.69.71]) by relay.mine.test (Postfix) with SMTP id 2",
	    NULL },
	  "81.2.69.71",
	  NULL },
	{ "trusted host name is never matched against the HELO",
	  "relay.mine.test",
	  { "from relay.mine.test (unknown [81.2.69.72]) by mx.mine.test (Postfix) with ESMTP id 1",
	    NULL },
	  "81.2.69.72",
	  NULL },
	{ "trusted host name against an rDNS marked (may be forged): not trusted",
	  "RELAY.mine.test.",
	  { "from x (relay.mine.test [81.2.69.73] (may be forged)) by mx.mine.test (8.17.1) with "
	    "ESMTP id 1",
	    NULL },
	  "81.2.69.73",
	  NULL },
	{ "trusted host name against qmail's unchecked leading name: not trusted",
	  "relay.mine.test",
	  { "from relay.mine.test (HELO relay) (81.2.69.74) by mx.mine.test with SMTP; 1 Jan 2020",
	    NULL },
	  "81.2.69.74",
	  NULL },
	{ "trusted host name: case and trailing dot do not matter",
	  "Relay.Mine.Test",
	  { "from r (relay.mine.test. [81.2.69.75]) by mx.mine.test with ESMTP id 1",
	    "from spam.test (unknown [81.2.69.76]) by relay.mine.test with SMTP id 2", NULL },
	  "81.2.69.76",
	  NULL },
};

static void test_walk_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(walk_cases) / sizeof(walk_cases[0]); i++) {
		const walk_case_t *c = &walk_cases[i];
		mail_trusted_t t;
		char err[256];
		assert_int_equal(mail_walk_trusted_parse(c->trusted, &t, err, sizeof(err)), 0);
		mail_received_hop_t hops[MAX_HOPS];
		enum mail_walk_verdict verdicts[MAX_HOPS];
		size_t n = 0;
		while (n < MAX_HOPS && c->fields[n]) {
			mail_received_parse(ipbl_str(c->fields[n]), &hops[n]);
			n++;
		}
		mail_walk_result_t r;
		mail_walk_run(hops, n, &t, verdicts, &r);
		if (c->want == NULL) {
			if (r.found) {
				fail_msg("%s: found a source, want undetermined", c->name);
			}
		} else {
			if (!r.found) {
				fail_msg("%s: undetermined (%s), want %s", c->name, r.reason,
					 c->want);
			}
			check_addr(c->want, &r.source, c->name);
			assert_int_equal(verdicts[r.source_index], MAIL_HOP_SOURCE);
			for (size_t k = r.source_index + 1; k < n; k++) {
				assert_int_equal(verdicts[k], MAIL_HOP_NOT_REACHED);
			}
		}
		if (c->reason && strstr(r.reason, c->reason) == NULL) {
			fail_msg("%s: reason '%s' lacks '%s'", c->name, r.reason, c->reason);
		}
		mail_walk_trusted_fini(&t);
	}
}

static void test_trusted_parse(void **state)
{
	(void)state;
	mail_trusted_t t;
	char err[256];
	assert_int_equal(
		mail_walk_trusted_parse(" 81.2.69.1 , 10.0.0.0/8,mx.example.org,,2001:db8::/32", &t,
					err, sizeof(err)),
		0);
	assert_int_equal(t.n_prefixes, 3);
	assert_int_equal(t.n_names, 1);
	assert_string_equal(t.names[0], "mx.example.org");
	ipbl_ipaddr_t a;
	assert_int_equal(ipbl_ipaddr_parse(ipbl_str("10.200.1.1"), &a), 0);
	assert_true(mail_walk_is_trusted(&t, &a));
	assert_int_equal(ipbl_ipaddr_parse(ipbl_str("11.0.0.1"), &a), 0);
	assert_false(mail_walk_is_trusted(&t, &a));
	mail_walk_trusted_fini(&t);

	assert_int_equal(mail_walk_trusted_parse("10.0.0.0/33", &t, err, sizeof(err)), IPBL_EPARSE);
	assert_non_null(strstr(err, "10.0.0.0/33"));
	assert_int_equal(mail_walk_trusted_parse("bad name!", &t, err, sizeof(err)), IPBL_EPARSE);
	assert_int_equal(mail_walk_trusted_parse(NULL, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_prefixes + t.n_names, 0);
	mail_walk_trusted_fini(&t);
}

/* ---- the message reader ---- */

#define INNER_TOP "from mx.inner.test (mx.inner.test [81.2.69.90]) by in.test with ESMTP id 1"
#define INNER_SRC "from src.test (unknown [81.2.69.91]) by mx.inner.test with SMTP id 2"
#define WRAP "from fw.test (fw.test [81.2.69.99]) by top.test with ESMTP id 0"

/* INNER message in base64 and quoted-printable (made with base64 and quopri). */
#define INNER_B64                                                                                  \
	"UmVjZWl2ZWQ6IGZyb20gbXguaW5uZXIudGVzdCAobXguaW5uZXIudGVzdCBbODEuMi42OS45MF0p\r\n"         \
	"IGJ5IGluLnRlc3Qgd2l0aCBFU01UUCBpZCAxClJlY2VpdmVkOiBmcm9tIHNyYy50ZXN0ICh1bmtu\r\n"         \
	"b3duIFs4MS4yLjY5LjkxXSkgYnkgbXguaW5uZXIudGVzdCB3aXRoIFNNVFAgaWQgMgpTdWJqZWN0\r\n"         \
	"OiBpbm5lcgoKYm9keQo=\r\n"

typedef struct {
	const char *name;
	const char *data;
	size_t n;
	const char *first;
	const char *second;
	int attached;
	int ret; /* expected return value */
} msg_case_t;

static const msg_case_t msg_cases[] = {
	{ "LF, folded field",
	  "Received: from mx.inner.test (mx.inner.test [81.2.69.90])\n\tby in.test with ESMTP id "
	  "1\n"
	  "X-Originating-IP: 81.2.69.1\n"
	  "Received: " INNER_SRC "\nSubject: s\n\nbody\n",
	  2, "from mx.inner.test (mx.inner.test [81.2.69.90])\tby in.test with ESMTP id 1",
	  INNER_SRC, 0, 0 },
	{ "CRLF, folded field",
	  "Received: from mx.inner.test (mx.inner.test [81.2.69.90])\r\n by in.test with ESMTP id "
	  "1\r\nReceived: " INNER_SRC "\r\nSubject: s\r\n\r\nbody\r\n",
	  2, "from mx.inner.test (mx.inner.test [81.2.69.90]) by in.test with ESMTP id 1",
	  INNER_SRC, 0, 0 },
	{ "forward as message/rfc822",
	  "Received: " WRAP "\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n"
	  "--B\nContent-Type: text/plain\n\nsee\n--B\nContent-Type: message/rfc822\n\n"
	  "Received: " INNER_TOP "\nReceived: " INNER_SRC "\nSubject: inner\n\nbody\n--B--\n",
	  2, INNER_TOP, INNER_SRC, 1, 0 },
	{ "forward as base64 message/rfc822",
	  "Received: " WRAP
	  "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
	  "--B\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: "
	  "base64\r\n\r\n" INNER_B64 "--B--\r\n",
	  2, INNER_TOP, INNER_SRC, 1, 0 },
	{ "forward as quoted-printable message/rfc822",
	  "Received: " WRAP "\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
	  "--B\nContent-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable\n\n"
	  "Received: from mx.inner.test (mx.inner.test [81.2.69.90]) by in.test with ESMTP i=\nd "
	  "1\n"
	  "Received: " INNER_SRC "\nSubject: inner\n\nbody=3D\n--B--\n",
	  2, INNER_TOP, INNER_SRC, 1, 0 },
	{ "multipart without message/rfc822 uses the top header",
	  "Received: " WRAP "\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
	  "--B\nContent-Type: text/plain\n\nReceived: " INNER_SRC "\n--B--\n",
	  1, WRAP, NULL, 0, 0 },
	{ "ARF with text/rfc822-headers: that header is the spam's",
	  "Received: " WRAP "\nMIME-Version: 1.0\nContent-Type: multipart/report; "
	  "report-type=feedback-report; boundary=B\n\n--B\nContent-Type: text/plain\n\nreport\n"
	  "--B\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n\n"
	  "--B\nContent-Type: text/rfc822-headers\n\nReceived: " INNER_TOP "\nReceived: " INNER_SRC
	  "\nSubject: inner\n\n--B--\n",
	  2, INNER_TOP, INNER_SRC, 1, 0 },
	{ "mbox From line before the header",
	  "From someone@alpha.test  Thu Dec  2 10:55:56 2004\nReceived: " INNER_TOP
	  "\nReceived: " INNER_SRC "\nSubject: s\n\nbody\n",
	  2, INNER_TOP, INNER_SRC, 0, 0 },
	{ "no body at all", "Received: " INNER_SRC "\nSubject: s\n", 1, INNER_SRC, NULL, 0, 0 },
	{ "quoted boundary with a message/rfc822 part after a text part",
	  "Received: " WRAP "\nContent-Type: multipart/mixed;\n boundary=\"=_a b;c\"\n\n"
	  "--=_a b;c\nContent-Type: text/plain\n\nx\n--=_a b;c\nContent-type :\n message/rfc822\n\n"
	  "Received: " INNER_TOP "\nReceived: " INNER_SRC "\n\nbody\n--=_a b;c--\n",
	  2, INNER_TOP, INNER_SRC, 1, 0 },
	{ "no header at all", "just a line of text\n", 0, NULL, NULL, 0, IPBL_EFORMAT },
	{ "empty input", "", 0, NULL, NULL, 0, IPBL_EFORMAT },
};

static void test_message_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(msg_cases) / sizeof(msg_cases[0]); i++) {
		const msg_case_t *c = &msg_cases[i];
		mail_message_received_t m;
		char err[256];
		int ret =
			mail_message_received_parse(c->data, strlen(c->data), &m, err, sizeof(err));
		if (ret != c->ret) {
			fail_msg("%s: returned %d (%s), want %d", c->name, ret, ret ? err : "",
				 c->ret);
		}
		if (ret != 0) {
			continue;
		}
		if (m.n != c->n) {
			fail_msg("%s: %zu fields, want %zu", c->name, m.n, c->n);
		}
		if (c->first && strcmp(m.fields[0], c->first) != 0) {
			fail_msg("%s: field 1 '%s', want '%s'", c->name, m.fields[0], c->first);
		}
		if (c->second && strcmp(m.fields[1], c->second) != 0) {
			fail_msg("%s: field 2 '%s', want '%s'", c->name, m.fields[1], c->second);
		}
		assert_int_equal(m.attached, c->attached);
		mail_message_received_fini(&m);
	}
}

/* The fast header reader must give exactly the fields GMime's whole-message parse gives. */
static void check_same_as_gmime(const char *name, const char *data, size_t len)
{
	mail_message_received_t fast, ref;
	char err[256];
	int r1 = mail_message_received_parse(data, len, &fast, err, sizeof(err));
	int r2 = mail_message_received_parse_gmime(data, len, &ref, err, sizeof(err));
	if (r1 != r2) {
		fail_msg("%s: fast reader returned %d, GMime %d", name, r1, r2);
	}
	if (r1 == 0) {
		if (fast.n != ref.n || fast.attached != ref.attached) {
			fail_msg(
				"%s: fast reader %zu fields (attached %d), GMime %zu (attached %d)",
				name, fast.n, fast.attached, ref.n, ref.attached);
		}
		for (size_t i = 0; i < fast.n; i++) {
			if (strcmp(fast.fields[i], ref.fields[i]) != 0) {
				fail_msg("%s: field %zu differs:\n fast  '%s'\n GMime '%s'", name,
					 i + 1, fast.fields[i], ref.fields[i]);
			}
		}
		if ((fast.subject == NULL) != (ref.subject == NULL) ||
		    (fast.subject != NULL && strcmp(fast.subject, ref.subject) != 0)) {
			fail_msg("%s: Subject differs:\n fast  '%s'\n GMime '%s'", name,
				 fast.subject ? fast.subject : "(none)",
				 ref.subject ? ref.subject : "(none)");
		}
		mail_message_received_fini(&fast);
		mail_message_received_fini(&ref);
	}
}

static void test_fast_reader_matches_gmime(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(msg_cases) / sizeof(msg_cases[0]); i++) {
		check_same_as_gmime(msg_cases[i].name, msg_cases[i].data,
				    strlen(msg_cases[i].data));
	}
	static const char *const odd[] = {
		"Received: from a (a [81.2.69.1]) by b with SMTP id 1\nnot a header line\n"
		"Received: from c (c [81.2.69.2]) by d with SMTP id 2\n\nbody\n",
		" leading continuation\nReceived: from a (a [81.2.69.1]) by b id 1\n\n",
		"Received : from a (a [81.2.69.1]) by b id 1\n\n",
		"Content-Type: multipart/mixed; boundary=X\nContent-Type: text/plain\n"
		"Received: from a (a [81.2.69.1]) by b id 1\n\n--X\nContent-Type: "
		"message/rfc822\n\n"
		"Received: from c (c [81.2.69.2]) by d id 2\n\n--X--\n",
		"Content-Type: (comment) multipart/mixed; boundary=X\n"
		"Received: from a (a [81.2.69.1]) by b id 1\n\n--X\nContent-Type: "
		"message/rfc822\n\n"
		"Received: from c (c [81.2.69.2]) by d id 2\n\n--X--\n",
		"Content-Type: multipart/mixed; boundary*=us-ascii''X\n"
		"Received: from a (a [81.2.69.1]) by b id 1\n\n--X\nContent-Type: "
		"message/rfc822\n\n"
		"Received: from c (c [81.2.69.2]) by d id 2\n\n--X--\n",
		"Content-Type: multipart/mixed\nReceived: from a (a [81.2.69.1]) by b id 1\n\n"
		"--X\nContent-Type: message/rfc822\n\nReceived: from c (c [81.2.69.2]) by d id 2\n",
		"Received: from a\r\n (a [81.2.69.1])\r\n\tby b id 1\r\n\r\n",
		"Received: from a (a [81.2.69.1]) by b id 1",
		"Received:\n\n",
		"\n\nReceived: from a (a [81.2.69.1]) by b id 1\n",
		/* the Subject too */
		"Subject: Our March\r\n newsletter\r\n"
		"Received: from a (a [81.2.69.1]) by b id 1\r\nSubject: second\r\n\r\nbody\r\n",
		"Received: from a (a [81.2.69.1]) by b id 1\nSubject: =?UTF-8?B?w4l0w6k=?=\n\n",
		"Subject:\n\nno subject text\n",
		"From: a@example.net\n\nno subject at all\n",
	};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "odd input %zu", i + 1);
		check_same_as_gmime(name, odd[i], strlen(odd[i]));
	}
	/* a NUL byte in the header goes to GMime as well */
	static const char nul[] = "Received: from a (a [81.2.69.1])\0 by b id 1\n\nbody\n";
	check_same_as_gmime("NUL in the header", nul, sizeof(nul) - 1);
}

/* The Subject is the one of the message the source finder reads: the spam itself, or the
 * one a report carries as message/rfc822; unfolded, not decoded. */
static void test_subject_of_the_spam(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *data;
		const char *subject; /* NULL: none */
	} cases[] = {
		{ "the spam itself",
		  "Received: from a (a [81.2.69.1]) by b id 1\nSubject: Cheap\n pills\n\nx\n",
		  "Cheap pills" },
		{ "encoded stays encoded", "Subject:  =?UTF-8?Q?caf=C3=A9?= \n\nx\n",
		  "=?UTF-8?Q?caf=C3=A9?=" },
		{ "the forwarded spam, not the report",
		  "Subject: Fwd: spam\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
		  "Content-Type: text/plain\n\nSee attached.\n--B\nContent-Type: message/rfc822\n\n"
		  "Received: from c (c [81.2.69.2]) by d id 2\nSubject: Our March newsletter\n\n"
		  "hello\n--B--\n",
		  "Our March newsletter" },
		{ "an attached spam without one",
		  "Subject: Fwd: spam\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
		  "Content-Type: message/rfc822\n\nReceived: from c (c [81.2.69.2]) by d id 2\n\n"
		  "hello\n--B--\n",
		  NULL },
		{ "none", "Received: from a (a [81.2.69.1]) by b id 1\n\nx\n", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mail_message_received_t m;
		char err[256];
		assert_int_equal(mail_message_received_parse(cases[i].data, strlen(cases[i].data),
							     &m, err, sizeof(err)),
				 0);
		if (cases[i].subject == NULL
			    ? m.subject != NULL
			    : m.subject == NULL || strcmp(m.subject, cases[i].subject) != 0) {
			fail_msg("%s: subject '%s', want '%s'", cases[i].name,
				 m.subject ? m.subject : "(none)",
				 cases[i].subject ? cases[i].subject : "(none)");
		}
		mail_message_received_fini(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_received_table),
		cmocka_unit_test(test_received_truncated),
		cmocka_unit_test(test_walk_table),
		cmocka_unit_test(test_trusted_parse),
		cmocka_unit_test(test_message_table),
		cmocka_unit_test(test_fast_reader_matches_gmime),
		cmocka_unit_test(test_subject_of_the_spam),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
