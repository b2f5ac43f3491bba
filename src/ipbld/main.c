/* SPDX-License-Identifier: BSD-2-Clause */
/* ipbld: the daemon. Parses argv, loads the config, starts the components its sections
 * switch on, and runs the control loop (signals, reload timer) until SIGTERM. */
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsd/dnsd.h"
#include "engine/engine.h"
#include "engine/follow.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/mem.h"
#include "lib/paths.h"
#include "store/store.h"
#include "trap/spool.h"
#include "trap/trap.h"
#include "web/web.h"

#define LOG_TAG "main"
#include "lib/log.h"

#ifndef IPBL_VERSION
#define IPBL_VERSION "0.1.0"
#endif

typedef struct {
	const char *conf_path;
	int ready_fd;
	bool check_only;
	const char *only;
} options_t;

#define ENGINE_TICK_MS 100 /* journal poll and expiry: a change reaches DNS within ~0.2 s */
#define SPOOL_BATCH 500	   /* trap hits taken from the spool per tick */

/* The listing engine as the daemon runs it: its own store connection and clock, and the
 * follower that feeds the DNS snapshots. */
typedef struct {
	store_t *store;
	ipbl_clock_t *clock;
	engine_t *engine;
	engine_follow_t *follow;
	char spool[4096];		/* the trap spool, "" when [trap] is off */
	atomic_uint_fast64_t trap_hits; /* recorded from the spool (read by /metrics) */
} daemon_engine_t;

typedef struct {
	struct event_base *base;
	dnsd_t *dns;
	daemon_engine_t eng;
	web_t *web;
	trap_t *trap;
	bool stopping;
} daemon_t;

static void usage(FILE *f)
{
	fprintf(f, "usage: ipbld [-c FILE] [--ready-fd N] [--check-config] [--only COMPONENT]\n"
		   "\n"
		   "The ipbl daemon: serves the blocklist zone over DNS and runs the components\n"
		   "that the config file's sections switch on. Runs in the foreground and logs\n"
		   "to stderr; SIGHUP reloads data files, SIGUSR1 logs statistics, SIGTERM stops.\n"
		   "\n"
		   "  -c, --config FILE   config file (default: $IPBL_CONF, ./ipbl.conf,\n"
		   "                      /etc/ipbl/ipbl.conf)\n"
		   "      --ready-fd N    write \"READY dns=ADDR:PORT,...\" to fd N once serving\n"
		   "      --check-config  check the config and exit (0 = good)\n"
		   "      --only NAME     run only this component (dns)\n"
		   "  -h, --help          this help\n"
		   "  -V, --version       print the version\n"
		   "\n"
		   "See ipbld(8) and ipbl.conf(5).\n");
}

static int parse_args(int argc, char **argv, options_t *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	*o = (options_t){ .ready_fd = -1 };
	int ch;
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf_path = optarg;
			break;
		case 'r': {
			char *end = NULL;
			long fd = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || fd < 0 || fd > 65535) {
				fprintf(stderr,
					"ipbld: --ready-fd: '%s' is not a file descriptor\n",
					optarg);
				return 2;
			}
			o->ready_fd = (int)fd;
			break;
		}
		case 'k':
			o->check_only = true;
			break;
		case 'o':
			if (strcmp(optarg, "dns") != 0) {
				fprintf(stderr,
					"ipbld: --only: unknown component '%s' (known: dns)\n",
					optarg);
				return 2;
			}
			o->only = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("ipbld %s\n", IPBL_VERSION);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ipbld: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (o->conf_path == NULL) {
		o->conf_path = ipbl_conf_default_path();
	}
	return 0;
}

static void handle_signal(daemon_t *dm, int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		ipbl_log_notice("stopping on signal %d", (int)sig);
		dm->stopping = true;
		event_base_loopbreak(dm->base);
		break;
	case SIGHUP:
		ipbl_log_notice("reloading data on SIGHUP");
		if (dm->dns) {
			dnsd_reload(dm->dns, true);
		}
		break;
	case SIGUSR1:
		if (dm->dns) {
			dnsd_log_stats(dm->dns);
		}
		if (dm->trap) {
			trap_log_stats(dm->trap);
		}
		break;
	default:
		break;
	}
}

/* Signals stay blocked in every thread and arrive here, through a signalfd (STYLE B4): no
 * handler runs at an arbitrary point, and none is lost to a thread that happens to run. */
static void on_signalfd(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		handle_signal(arg, (int)si.ssi_signo);
	}
}

static void on_reload_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	daemon_t *dm = arg;
	if (dm->dns) {
		dnsd_reload(dm->dns, false);
	}
}

/* One spooled trap message: a trap hit for its peer. 0 = done with it (the file goes). */
static int take_spooled(void *arg, const trap_spooled_t *s)
{
	daemon_engine_t *de = arg;
	char ip[IPBL_IPADDR_STRLEN];
	ipbl_ipaddr_format(&s->peer, ip);
	char digest[ENGINE_DIGEST_LEN];
	engine_trap_digest(&s->peer, s->msg, s->len, digest);
	engine_trap_hit_t hit = {
		.trap_address = s->trap_address,
		.ip = s->peer,
		.helo = s->helo,
		.digest = digest,
		.time_ms = s->received_ms,
		.kind = engine_evidence_kind(s->msg, s->len),
	};
	engine_result_t r;
	int ret = engine_trap_hit(de->engine, &hit, &r);
	if (ret == IPBL_EINVAL) {
		ipbl_log_notice("trap hit from %s ignored: a %s address is never listed", ip,
				ipbl_ipaddr_kind_name(ipbl_ipaddr_kind(&s->peer)));
		return 0;
	}
	if (ret != 0) {
		ipbl_log_err("cannot record the trap hit from %s (%s): %s; keeping %s", ip,
			     ipbl_strerror(ret), store_errmsg(de->store), s->path);
		return ret;
	}
	atomic_fetch_add_explicit(&de->trap_hits, 1, memory_order_relaxed);
	ipbl_log_info("trap hit %s peer=%s to=%s%s", r.duplicate ? "(duplicate)" : "recorded", ip,
		      s->trap_address, r.decision.listed && !r.was_listed ? " listed" : "");
	return 0;
}

/* The lookup page's view of the [dns] data files: any thread (dnsd_file_match locks). */
static void file_match(void *arg, const ipbl_ipaddr_t *ip, zone_match_t *out)
{
	dnsd_file_match(arg, ip, out);
}

/* /metrics: the counters of the components that are not the web's own. Runs on a web server
 * thread: it reads only atomics. */
static void write_metrics(void *arg, ipbl_buf_t *b)
{
	daemon_t *dm = arg;
	if (dm->dns != NULL) {
		dnsd_write_metrics(dm->dns, b);
	}
	ipbl_buf_printf(
		b,
		"# HELP ipbl_trap_hits_total Spamtrap messages recorded as trap hits.\n"
		"# TYPE ipbl_trap_hits_total counter\n"
		"ipbl_trap_hits_total %llu\n",
		(unsigned long long)atomic_load_explicit(&dm->eng.trap_hits, memory_order_relaxed));
}

static void on_engine_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	daemon_t *dm = arg;
	bool changed = false, busy = false;
	if (dm->eng.spool[0]) {
		size_t n = 0;
		int ret = trap_spool_each(dm->eng.spool, SPOOL_BATCH, take_spooled, &dm->eng, &n);
		if (ret != 0 && n == 0) {
			ipbl_log_debug("trap spool: %s", ipbl_strerror(ret));
		}
	}
	/* errors are logged by the follower and the next tick tries again; what did change
	 * is published either way */
	if (engine_follow_tick(dm->eng.follow, &changed, &busy) != 0) {
		ipbl_log_debug("engine tick failed; retrying on the next one");
	}
	if (changed && dm->dns) {
		dnsd_source_changed(dm->dns);
	}
}

/* Open the store, the clock and the engine, and load the listed set. */
static int engine_open(daemon_engine_t *de, const ipbl_conf_t *conf)
{
	char path[4096], err[1024];
	int ret = ipbl_paths_make_data_dir(conf);
	if (ret != 0) {
		ipbl_log_err("cannot create the data directory %s (%s)",
			     ipbl_conf_str(conf, "main", "data_dir"), ipbl_strerror(ret));
		return ret;
	}
	if (ipbl_conf_bool(conf, "testing", "manual_clock")) {
		ret = ipbl_paths_clock(conf, path, sizeof(path));
		if (ret == 0) {
			ret = ipbl_clock_manual_open(path, &de->clock);
		}
		if (ret != 0) {
			ipbl_log_err("cannot open the manual clock (%s)", ipbl_strerror(ret));
			return ret;
		}
		ipbl_log_warning("[testing] manual_clock is on: time is what `ipbl clock` sets");
	} else {
		de->clock = ipbl_clock_system();
	}
	ret = ipbl_paths_store(conf, path, sizeof(path));
	if (ret == 0) {
		ret = store_open("sqlite", path, &de->store, err, sizeof(err));
		if (ret != 0) {
			de->store = NULL;
			ipbl_log_err("cannot open the store: %s", err);
			return ret;
		}
	}
	ret = engine_new(conf, de->store, de->clock, &de->engine, err, sizeof(err));
	if (ret != 0) {
		ipbl_log_err("%s", err);
		return ret;
	}
	if (ipbl_conf_has_section(conf, "trap") &&
	    ipbl_paths_trap_spool(conf, de->spool, sizeof(de->spool)) != 0) {
		ipbl_log_err("the trap spool path is too long");
		return IPBL_ERANGE;
	}
	ret = engine_follow_new(de->engine, &de->follow);
	if (ret != 0) {
		ipbl_log_err("cannot load the listed addresses (%s): %s", ipbl_strerror(ret),
			     store_errmsg(de->store));
	}
	return ret;
}

static void engine_close(daemon_engine_t *de)
{
	engine_follow_free(de->follow);
	engine_free(de->engine);
	store_close(de->store);
	ipbl_clock_free(de->clock);
	memset(de, 0, sizeof(*de));
}

static void announce_ready(daemon_t *dm, int ready_fd)
{
	char line[1024];
	ipbl_buf_t b;
	ipbl_buf_init(&b, line, sizeof(line));
	ipbl_buf_puts(&b, "READY");
	if (dm->dns) {
		ipbl_buf_puts(&b, " dns=");
		dnsd_format_listen(dm->dns, &b);
	}
	if (dm->web) {
		ipbl_buf_puts(&b, " web=");
		web_format_listen(dm->web, &b);
	}
	if (dm->trap) {
		ipbl_buf_puts(&b, " trap=");
		trap_format_listen(dm->trap, &b);
	}
	ipbl_log_notice("serving%s", line + 5);
	if (ready_fd < 0) {
		return;
	}
	ipbl_buf_puts(&b, "\n");
	ssize_t w = write(ready_fd, b.data, b.len);
	if (w != (ssize_t)b.len) {
		ipbl_log_warning("cannot write the ready line to fd %d (%s)", ready_fd,
				 strerror(errno));
	}
	close(ready_fd);
}

/* The control loop: signals and the reload timer, until SIGTERM or SIGINT. */
static int run(daemon_t *dm, int ready_fd)
{
	struct event *sev = NULL;
	struct event *timer = NULL;
	struct event *tick = NULL;
	int ret = 0;
	sigset_t handled;
	sigemptyset(&handled);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGHUP);
	sigaddset(&handled, SIGUSR1);
	int sfd = signalfd(-1, &handled, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		ipbl_log_err("cannot create a signalfd (%s)", strerror(errno));
		return ipbl_errno();
	}
	sev = event_new(dm->base, sfd, EV_READ | EV_PERSIST, on_signalfd, dm);
	if (sev == NULL || event_add(sev, NULL) != 0) {
		ret = IPBL_ENOMEM;
		goto out;
	}
	if (dm->dns) {
		long long ms = dnsd_reload_interval_ms(dm->dns);
		struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
		timer = event_new(dm->base, -1, EV_PERSIST, on_reload_timer, dm);
		if (timer == NULL || event_add(timer, &tv) != 0) {
			ret = IPBL_ENOMEM;
			goto out;
		}
	}
	if (dm->eng.follow) {
		struct timeval tv = { .tv_sec = 0, .tv_usec = ENGINE_TICK_MS * 1000 };
		tick = event_new(dm->base, -1, EV_PERSIST, on_engine_tick, dm);
		if (tick == NULL || event_add(tick, &tv) != 0) {
			ret = IPBL_ENOMEM;
			goto out;
		}
	}
	/* the signals stay blocked (signals that arrived before this are pending and are read
	 * from the signalfd now) */
	announce_ready(dm, ready_fd);
	event_base_dispatch(dm->base);
out:
	if (tick) {
		event_free(tick);
	}
	if (timer) {
		event_free(timer);
	}
	if (sev) {
		event_free(sev);
	}
	close(sfd);
	return ret;
}

int main(int argc, char **argv)
{
	ipbl_log_set_ident("ipbld");
	options_t o;
	int ret = parse_args(argc, argv, &o);
	if (ret != 0) {
		return ret;
	}
	char err[1024];
	ipbl_conf_t *conf = NULL;
	if (ipbl_conf_load(o.conf_path, &conf, err, sizeof(err)) != 0) {
		ipbl_log_err("%s", err);
		return 1;
	}
	enum ipbl_log_level level = IPBL_LOG_INFO;
	if (ipbl_log_level_parse(ipbl_conf_str(conf, "main", "log_level"), &level) == 0) {
		ipbl_log_set_level(level);
	}
	bool want_dns = ipbl_conf_has_section(conf, "dns");
	if (!want_dns && (o.only != NULL || (!ipbl_conf_has_section(conf, "web") &&
					     !ipbl_conf_has_section(conf, "trap")))) {
		ipbl_log_err("%s: nothing to run: no [dns], [web] or [trap] section%s", o.conf_path,
			     o.only ? " (--only dns needs [dns])" : "");
		ipbl_conf_free(conf);
		return 1;
	}
	if (o.check_only) {
		printf("%s: configuration ok\n", o.conf_path);
		ipbl_conf_free(conf);
		return 0;
	}

	/* threads started from here inherit a mask with every signal blocked: only the main
	 * thread handles signals, once its handlers are in place */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	signal(SIGPIPE, SIG_IGN);
	evthread_use_pthreads();

	daemon_t dm = { 0 };
	dm.base = event_base_new();
	if (dm.base == NULL) {
		ipbl_log_err("cannot create the event loop");
		ipbl_conf_free(conf);
		return 1;
	}
	int status = 1;
	if (want_dns && dnsd_new(conf, &dm.dns) != 0) {
		goto out;
	}
	if (o.only == NULL) {
		if (engine_open(&dm.eng, conf) != 0) {
			goto out;
		}
		if (dm.dns != NULL) {
			dnsd_set_source(dm.dns, engine_follow_fill, dm.eng.follow);
			dnsd_source_changed(dm.dns);
		}
		if (ipbl_conf_has_section(conf, "web")) {
			if (web_new(conf, &dm.web) != 0) {
				goto out;
			}
			web_set_metrics_hook(dm.web, write_metrics, &dm);
			if (dm.dns != NULL) {
				web_set_file_match_hook(dm.web, file_match, dm.dns);
			}
		}
		if (ipbl_conf_has_section(conf, "trap") &&
		    trap_new(conf, dm.eng.clock, &dm.trap) != 0) {
			goto out;
		}
	}
	if (dm.dns != NULL && dnsd_start(dm.dns) != 0) {
		goto out;
	}
	if (dm.web != NULL && web_start(dm.web) != 0) {
		goto out;
	}
	if (dm.trap != NULL && trap_start(dm.trap) != 0) {
		goto out;
	}
	if (run(&dm, o.ready_fd) != 0) {
		ipbl_log_err("cannot run the control loop");
		goto out;
	}
	status = dm.stopping ? 0 : 1;
out:
	trap_free(dm.trap); /* first: no new hits while the rest stops */
	web_free(dm.web);
	dnsd_free(dm.dns);
	engine_close(&dm.eng);
	event_base_free(dm.base);
	ipbl_conf_free(conf);
	libevent_global_shutdown();
	if (status == 0) {
		ipbl_log_notice("stopped");
	}
	return status;
}
