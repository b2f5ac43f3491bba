/* SPDX-License-Identifier: BSD-2-Clause */
/* The [trap] component's life cycle: settings from the config, listening sockets, the spool
 * directories, the thread, and the counters line. The event loop itself is listener.c. */
#include "trap/trap_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/loop.h"
#include "lib/net.h"
#include "lib/paths.h"
#include "trap/spool.h"

#define LOG_TAG "trap"
#include "lib/log.h"

#define BACKLOG 1024

bool trap_proxy_allowed(const trap_t *t, const ipbl_ipaddr_t *peer)
{
	return ipbl_prefixes_contain(t->proxy_from, t->n_proxy_from, peer);
}

static int read_addresses(trap_t *t, const char *file)
{
	size_t n = ipbl_conf_count(t->conf, "trap", "addresses");
	if (n == 0) {
		ipbl_log_err("%s: [trap] addresses: at least one trap address is required", file);
		return IPBL_ECONF;
	}
	const char **list = calloc(n, sizeof(*list));
	if (list == NULL) {
		return IPBL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		list[i] = ipbl_conf_str_at(t->conf, "trap", "addresses", i);
	}
	char err[512] = "";
	int ret = trap_addrs_new(list, n, &t->addrs, err, sizeof(err));
	free(list);
	if (ret == IPBL_ECONF) {
		ipbl_log_err("%s: [trap] addresses: %s", file, err);
	}
	return ret;
}

static int read_proxy_from(trap_t *t, const char *file)
{
	const char *bad = NULL;
	int ret = ipbl_conf_prefixes(t->conf, "trap", "proxy_from", &t->proxy_from,
				     &t->n_proxy_from, &bad);
	if (ret == IPBL_ECONF) {
		ipbl_log_err("%s: [trap] proxy_from: '%s' is not an IP address or CIDR prefix",
			     file, bad);
	}
	return ret;
}

static int read_settings(trap_t *t)
{
	const ipbl_conf_t *c = t->conf;
	const char *file = ipbl_conf_path(c);
	int ret = read_addresses(t, file);
	if (ret == 0) {
		ret = read_proxy_from(t, file);
	}
	if (ret != 0) {
		return ret;
	}
	const char *host = ipbl_conf_str(c, "trap", "hostname");
	char sys[256] = "";
	if (host == NULL || host[0] == '\0') {
		if (gethostname(sys, sizeof(sys) - 1) != 0 || sys[0] == '\0') {
			snprintf(sys, sizeof(sys), "localhost");
		}
		host = sys;
	}
	if (strlen(host) > 255 || strpbrk(host, " \t\r\n") != NULL) {
		ipbl_log_err("%s: [trap] hostname: '%s' is not a host name", file, host);
		return IPBL_ECONF;
	}
	t->hostname = strdup(host);
	if (t->hostname == NULL) {
		return IPBL_ENOMEM;
	}
	t->max_sessions = (unsigned)ipbl_conf_int(c, "trap", "max_sessions");
	t->max_sessions_per_ip = (unsigned)ipbl_conf_int(c, "trap", "max_sessions_per_ip");
	t->idle_timeout_ms = ipbl_conf_duration_ms(c, "trap", "idle_timeout");
	t->session_timeout_ms = ipbl_conf_duration_ms(c, "trap", "session_timeout");
	t->sconf = (trap_session_conf_t){
		.hostname = t->hostname,
		.addrs = t->addrs,
		.max_message_bytes = (uint64_t)ipbl_conf_size(c, "trap", "max_message_size"),
		.max_recipients = (unsigned)ipbl_conf_int(c, "trap", "max_recipients"),
		.max_errors = (unsigned)ipbl_conf_int(c, "trap", "max_errors"),
		.max_commands_before_mail =
			(unsigned)ipbl_conf_int(c, "trap", "max_commands_before_mail"),
		.stats = &t->stats,
	};
	return 0;
}

static int open_spool(trap_t *t)
{
	char path[4096];
	int ret = ipbl_paths_trap_spool(t->conf, path, sizeof(path));
	if (ret == 0) {
		ret = trap_spool_prepare(path);
	}
	if (ret != 0) {
		ipbl_log_err("cannot create the spool directory dir=%s (%s)", path,
			     ipbl_strerror(ret));
		return ret;
	}
	t->spool_dir = strdup(path);
	return t->spool_dir ? 0 : IPBL_ENOMEM;
}

static int bind_all(trap_t *t)
{
	size_t n = 0;
	const ipbl_conf_addr_t *addrs = ipbl_conf_addrs(t->conf, "trap", "listen", &n);
	if (n == 0 || n > TRAP_LISTEN_MAX) {
		ipbl_log_err("%s: [trap] listen: give 1 to %d addresses", ipbl_conf_path(t->conf),
			     TRAP_LISTEN_MAX);
		return IPBL_ECONF;
	}
	for (size_t i = 0; i < n; i++) {
		char text[IPBL_CONF_ADDR_STRLEN];
		int fd = -1;
		int ret = ipbl_net_tcp_listen(&addrs[i], BACKLOG, &fd);
		if (ret == 0) {
			t->fds[i] = fd;
			t->n_listen = i + 1;
			t->bound[i] = addrs[i];
			ret = ipbl_net_local_port(t->fds[i], &t->bound[i].port);
		}
		if (ret != 0) {
			ipbl_log_err("cannot listen for SMTP on %s (%s)",
				     ipbl_conf_addr_format(&addrs[i], text), ipbl_strerror(ret));
			return ret;
		}
	}
	return 0;
}

int trap_new(const ipbl_conf_t *conf, ipbl_clock_t *clock, trap_t **out)
{
	trap_t *t = calloc(1, sizeof(*t));
	if (t == NULL) {
		return IPBL_ENOMEM;
	}
	t->conf = conf;
	t->clock = clock;
	t->stop_fd = -1;
	for (size_t i = 0; i < TRAP_LISTEN_MAX; i++) {
		t->fds[i] = -1;
	}
	int ret = read_settings(t);
	if (ret == 0) {
		ret = open_spool(t);
	}
	if (ret == 0) {
		ret = bind_all(t);
	}
	if (ret == 0) {
		t->stop_fd = ipbl_wakeup_new();
		ret = t->stop_fd < 0 ? t->stop_fd : 0;
	}
	if (ret != 0) {
		trap_free(t);
		return ret;
	}
	char listen[512];
	ipbl_buf_t b;
	ipbl_buf_init(&b, listen, sizeof(listen));
	trap_format_listen(t, &b);
	ipbl_log_info("spamtrap ready listen=%s addresses=%zu proxy_from=%zu spool=%s", listen,
		      ipbl_conf_count(conf, "trap", "addresses"), t->n_proxy_from, t->spool_dir);
	*out = t;
	return 0;
}

int trap_start(trap_t *t)
{
	if (t->running) {
		return 0;
	}
	int ret = trap_listener_start(t);
	if (ret != 0) {
		ipbl_log_err("cannot start the spamtrap thread (%s)", ipbl_strerror(ret));
		return ret;
	}
	t->running = true;
	return 0;
}

void trap_stop(trap_t *t)
{
	if (t == NULL || !t->running) {
		return;
	}
	trap_listener_stop(t);
	t->running = false;
}

void trap_format_listen(const trap_t *t, ipbl_buf_t *b)
{
	for (size_t i = 0; i < t->n_listen; i++) {
		char text[IPBL_CONF_ADDR_STRLEN];
		ipbl_buf_printf(b, "%s%s", i ? "," : "", ipbl_conf_addr_format(&t->bound[i], text));
	}
}

void trap_free(trap_t *t)
{
	if (t == NULL) {
		return;
	}
	trap_stop(t);
	for (size_t i = 0; i < TRAP_LISTEN_MAX; i++) {
		if (t->fds[i] >= 0) {
			close(t->fds[i]);
		}
	}
	if (t->stop_fd >= 0) {
		close(t->stop_fd);
	}
	trap_addrs_free(t->addrs);
	free(t->proxy_from);
	free(t->hostname);
	free(t->spool_dir);
	free(t);
}

void trap_log_stats(trap_t *t)
{
	char line[2048];
	ipbl_buf_t b;
	ipbl_buf_init(&b, line, sizeof(line));
	ipbl_buf_printf(&b, "active=%u", atomic_load_explicit(&t->n_active, memory_order_relaxed));
#define TRAP_STATS_PRINT(name, help)                                                               \
	ipbl_buf_printf(&b, " " #name "=%llu", (unsigned long long)trap_stats_get(&t->stats.name));
	TRAP_STATS_MAP(TRAP_STATS_PRINT)
#undef TRAP_STATS_PRINT
	ipbl_log_notice("stats %s", line);
}
