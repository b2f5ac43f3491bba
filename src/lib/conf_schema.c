/* SPDX-License-Identifier: BSD-2-Clause */
/* The one table of every configuration key. The parser, `ipbl config defaults`, the sample
 * config (etc/ipbl.conf.sample) and ipbl.conf(5) are all generated from it: add a key here
 * and nowhere else. Keep sections in the order the sample should show them. */
#include "lib/conf.h"

#define MS(s) ((long long)(s)*1000)

/* clang-format off: one key per entry reads better than what the formatter makes of it */
const ipbl_conf_key_t ipbl_conf_schema[] = {
	/* [main] */
	{ "main", "data_dir", IPBL_CONF_PATH, "/var/lib/ipbl", 0, 0, NULL, false, false, false,
	  "directory for the store, spool and snapshots unless set otherwise" },
	{ "main", "log_level", IPBL_CONF_ENUM, "info", 0, 0, "err|warning|notice|info|debug", false,
	  false, true, "most verbose log level written to stderr" },

	/* [store] */
	{ "store", "path", IPBL_CONF_PATH, NULL, 0, 0, NULL, false, false, false,
	  "SQLite database file (default: DATA_DIR/ipbl.db)" },

	/* [dns] */
	{ "dns", "listen", IPBL_CONF_ADDRS, "127.0.0.1:5353", 0, 0, NULL, false, false, false,
	  "UDP and TCP addresses to answer on; port 0 picks a free port and logs it" },
	{ "dns", "zone", IPBL_CONF_STRING, NULL, 0, 0, NULL, false, true, false,
	  "the list's zone apex, e.g. bl.example.org (required)" },
	{ "dns", "txt", IPBL_CONF_STRING, NULL, 0, 0, NULL, false, false, true,
	  "TXT template, '$' becomes the IP (default: Blocked - see BASE_URL/lookup?ip=$)" },
	{ "dns", "data", IPBL_CONF_PATH, NULL, 0, 0, NULL, true, false, true,
	  "rbldnsd data file to serve too, optionally TYPE:FILE (ip4set, ip6trie, ...)" },
	{ "dns", "workers", IPBL_CONF_INT, "0", 0, 256, NULL, false, false, false,
	  "UDP worker threads, each with its own socket; 0 = one per CPU" },
	{ "dns", "ttl", IPBL_CONF_DURATION, "10m", MS(0), MS(86400 * 7), NULL, false, false, true,
	  "TTL of A, TXT, SOA and NS answers" },
	{ "dns", "negative_ttl", IPBL_CONF_DURATION, "1m", MS(0), MS(86400), NULL, false, false,
	  true, "SOA minimum: how long resolvers cache 'not listed' (RFC 2308)" },
	{ "dns", "ns", IPBL_CONF_LIST, NULL, 0, 0, NULL, false, false, true,
	  "name servers of the zone, comma-separated (default: ns.ZONE)" },
	{ "dns", "soa_mname", IPBL_CONF_STRING, NULL, 0, 0, NULL, false, false, true,
	  "SOA primary server name (default: the first ns)" },
	{ "dns", "soa_rname", IPBL_CONF_STRING, NULL, 0, 0, NULL, false, false, true,
	  "SOA mailbox in DNS form (default: hostmaster.ZONE)" },
	{ "dns", "soa_refresh", IPBL_CONF_DURATION, "1h", MS(1), MS(86400 * 30), NULL, false, false,
	  true, "SOA refresh interval for secondaries" },
	{ "dns", "soa_retry", IPBL_CONF_DURATION, "10m", MS(1), MS(86400 * 30), NULL, false, false,
	  true, "SOA retry interval for secondaries" },
	{ "dns", "soa_expire", IPBL_CONF_DURATION, "7d", MS(1), MS(86400 * 365), NULL, false, false,
	  true, "SOA expire time for secondaries" },
	{ "dns", "edns_udp_size", IPBL_CONF_INT, "1232", 512, 4096, NULL, false, false, false,
	  "largest UDP answer sent to EDNS clients, in bytes" },
	{ "dns", "tcp_max_clients", IPBL_CONF_INT, "256", 1, 65536, NULL, false, false, false,
	  "TCP connections served at once; more wait in the kernel backlog" },
	{ "dns", "tcp_idle_timeout", IPBL_CONF_DURATION, "10s", MS(1), MS(3600), NULL, false, false,
	  false, "an idle TCP connection is closed after this long" },
	{ "dns", "reload_interval", IPBL_CONF_DURATION, "1s", 100, MS(3600), NULL, false, false,
	  false, "how often data files are checked for changes" },

	/* [web] */
	{ "web", "listen", IPBL_CONF_ADDRS, "127.0.0.1:8080", 0, 0, NULL, false, false, false,
	  "HTTP address of the lookup page and the API" },
	{ "web", "base_url", IPBL_CONF_STRING, "http://127.0.0.1:8080", 0, 0, NULL, false, false,
	  true, "public URL of the web component, used in links and the default TXT" },
	{ "web", "trusted_proxy", IPBL_CONF_LIST, NULL, 0, 0, NULL, false, false, true,
	  "reverse proxies (addresses or CIDR prefixes) whose X-Forwarded-For names the client: "
	  "its last address then counts for the per-client limits" },
	{ "web", "max_report_size", IPBL_CONF_SIZE, "10M", 1024, 1024LL * 1024 * 1024, NULL, false,
	  false, false, "largest request body taken (a report or a bounce); larger ones get 413" },
	{ "web", "max_connections", IPBL_CONF_INT, "256", 1, 65536, NULL, false, false, false,
	  "HTTP connections served at once, per listen address; more are refused" },
	{ "web", "max_connections_per_ip", IPBL_CONF_INT, "32", 0, 65536, NULL, false, false, false,
	  "HTTP connections at once from one client address; 0 = no limit" },
	{ "web", "threads", IPBL_CONF_INT, "0", 0, 256, NULL, false, false, false,
	  "server threads per listen address, each with its own store connection; 0 = one per "
	  "CPU the daemon may use" },
	{ "web", "timeout", IPBL_CONF_DURATION, "10s", MS(1), MS(3600), NULL, false, false, false,
	  "an HTTP connection idle this long (whole seconds) is closed" },
	{ "web", "case_rate", IPBL_CONF_INT, "5", 1, 10000, NULL, false, false, false,
	  "dispute cases one client address, and one filer address, may open per hour" },
	{ "web", "login_attempts", IPBL_CONF_INT, "5", 1, 1000, NULL, false, false, false,
	  "failed deputy logins per name (4 times as many per client) before a lockout" },
	{ "web", "login_lockout", IPBL_CONF_DURATION, "15m", MS(1), MS(86400), NULL, false, false,
	  false, "how long failed logins are counted, and a locked-out login waits" },
	{ "web", "session_lifetime", IPBL_CONF_DURATION, "8h", MS(60), MS(30 * 86400), NULL, false,
	  false, false, "a deputy console session ends this long after its login" },

	/* [trap] */
	{ "trap", "listen", IPBL_CONF_ADDRS, "127.0.0.1:2525", 0, 0, NULL, false, false, false,
	  "SMTP address of the spamtrap listener" },
	{ "trap", "addresses", IPBL_CONF_LIST, NULL, 0, 0, NULL, false, false, true,
	  "trap addresses, comma-separated; @domain means every address at that domain" },
	{ "trap", "proxy_from", IPBL_CONF_LIST, NULL, 0, 0, NULL, false, false, true,
	  "peers allowed to pass the real client address (PROXY protocol or XCLIENT)" },
	{ "trap", "hostname", IPBL_CONF_STRING, NULL, 0, 0, NULL, false, false, false,
	  "name in the 220 greeting and the EHLO reply (default: the system host name)" },
	{ "trap", "max_message_size", IPBL_CONF_SIZE, "10M", 1024, 100LL * 1024 * 1024, NULL, false,
	  false, false, "larger messages are refused with 552 (advertised as SIZE)" },
	{ "trap", "max_recipients", IPBL_CONF_INT, "100", 1, 10000, NULL, false, false, false,
	  "recipients per message; further RCPT commands get 452" },
	{ "trap", "max_sessions", IPBL_CONF_INT, "1000", 1, 100000, NULL, false, false, false,
	  "SMTP sessions at once; more get 421 at connect" },
	{ "trap", "max_sessions_per_ip", IPBL_CONF_INT, "20", 1, 100000, NULL, false, false, false,
	  "sessions at once from one client address; more get 421 at connect" },
	{ "trap", "idle_timeout", IPBL_CONF_DURATION, "5m", MS(1), MS(3600), NULL, false, false,
	  false, "a session that sends nothing for this long gets 421 and is closed" },
	{ "trap", "session_timeout", IPBL_CONF_DURATION, "10m", MS(1), MS(86400), NULL, false,
	  false, false, "a session that lasts longer than this gets 421 and is closed" },
	{ "trap", "max_errors", IPBL_CONF_INT, "10", 1, 1000, NULL, false, false, false,
	  "refused commands a session may make; the next one gets 421 and is closed" },
	{ "trap", "max_commands_before_mail", IPBL_CONF_INT, "20", 1, 10000, NULL, false, false,
	  false, "commands allowed without a MAIL command; the next one gets 421 and is closed" },

	/* [policy] */
	{ "policy", "expire", IPBL_CONF_DURATION, "24h", MS(60), MS(86400 * 365), NULL, false,
	  false, true, "a listing ends this long after the last evidence" },
	{ "policy", "threshold", IPBL_CONF_INT, "5", 1, 100000, NULL, false, false, true,
	  "points a score must reach to list an IP (docs/policy.md)" },
	{ "policy", "thin_evidence", IPBL_CONF_INT, "0", 0, 1000, NULL, false, false, true,
	  "this many scored reports and trap hits or fewer is thin evidence; 0 = off" },
	{ "policy", "thin_expire", IPBL_CONF_DURATION, "12h", MS(60), MS(86400 * 365), NULL, false,
	  false, true, "thin evidence lists for at most this long after the last evidence" },
	{ "policy", "report_max_age", IPBL_CONF_DURATION, "7d", MS(60), MS(86400 * 365), NULL,
	  false, false, true, "reports this old or older are ignored" },
	{ "policy", "report_decay", IPBL_CONF_DURATION, "48h", MS(0), MS(86400 * 365), NULL, false,
	  false, true, "a report's weight falls linearly from fresh to old over this age" },
	{ "policy", "report_weight_fresh", IPBL_CONF_INT, "4", 0, 1000, NULL, false, false, true,
	  "points of a report at age 0" },
	{ "policy", "report_weight_old", IPBL_CONF_INT, "1", 0, 1000, NULL, false, false, true,
	  "points of a report from report_decay on; at most report_weight_fresh" },
	{ "policy", "reporter_window", IPBL_CONF_DURATION, "7d", MS(0), MS(86400 * 365), NULL,
	  false, false, true, "a reporter's reports of one IP score once per window; 0 = each" },
	{ "policy", "min_reporters", IPBL_CONF_INT, "2", 1, 1000, NULL, false, false, true,
	  "reports without spamtrap hits list an IP only from this many distinct reporters" },
	{ "policy", "fine_keep_percent", IPBL_CONF_INT, "50", 0, 100, NULL, false, false, true,
	  "each fine keeps this percent of a reporter's weight (two fines at 50: 25%)" },
	{ "policy", "trap_window", IPBL_CONF_DURATION, "24h", MS(60), MS(86400 * 365), NULL, false,
	  false, true, "spamtrap hits count while younger than this" },
	{ "policy", "trap_weight", IPBL_CONF_INT, "5", 0, 1000, NULL, false, false, true,
	  "points per spamtrap hit while there are fewer than trap_square_from" },
	{ "policy", "trap_square_from", IPBL_CONF_INT, "6", 1, 1000000, NULL, false, false, true,
	  "from this many spamtrap hits the trap score is the count squared" },

	/* [testing] */
	{ "testing", "manual_clock", IPBL_CONF_BOOL, "no", 0, 0, NULL, false, false, false,
	  "a clock that only `ipbl clock` moves; for tests, never in production" },
};
/* clang-format on */

const size_t ipbl_conf_schema_len = sizeof(ipbl_conf_schema) / sizeof(ipbl_conf_schema[0]);
