#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ipbl DNS benchmark: ipbld against rbldnsd and a null responder, on loopback.

Builds nothing: it is given the binaries (arguments or IPBLD / NULLRESP / DNSLOAD in the
environment). Every server is pinned to one core (taskset), the load generator to another.
The primary figure is the server's CPU time per answered query (utime+stime deltas from
/proc/PID/stat), which does not depend on how fast the load generator is.
See bench/README.md for the method.
"""

import argparse
import json
import os
import platform
import random
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_dataset  # noqa: E402

ZONE = gen_dataset.ZONE
TXT = "Listed - see http://127.0.0.1:8080/lookup?ip=$"
CLK_TCK = os.sysconf("SC_CLK_TCK")

PROFILES = {
    # dataset sizes and timings; both keep the whole run well under 5 minutes
    "full": dict(hosts=1000000, cidrs=10000, v6=10000, queries=500000, rounds=5, closed_s=3.0,
                 warmup_s=1.0, open_s=5.0, open_rate=20000, swap_base_s=5.0, swap_s=10.0),
    "quick": dict(hosts=100000, cidrs=1000, v6=1000, queries=50000, rounds=3, closed_s=1.5,
                  warmup_s=0.5, open_s=2.0, open_rate=10000, swap_base_s=2.0, swap_s=4.0),
}
INFLIGHT = 64      # closed loop: queries in flight (below what overflows a default UDP buffer)
SOCKETS = 16       # client source ports, so SO_REUSEPORT can spread them over ipbld workers
START_TIMEOUT = 30.0
QUIET_BUSY_PCT = 15.0   # before a measurement, wait until other work on our cores is below this
QUIET_WAIT_MAX = 5.0    # ... for at most this long per measurement
QUIET_BUDGET = 60.0     # ... and this long over the whole run
NOISE_MAX_PCT = 15.0    # a round is "clean" when other work and steal stayed below this


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# /proc readers

def proc_cpu_ticks(pid):
    """(utime, stime) of the whole process in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[11]), int(fields[12])


def thread_cpu_ticks(pid):
    """{tid: (comm, utime+stime ticks)} for every thread of pid."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                data = f.read()
        except OSError:
            continue
        comm = data[data.index("(") + 1:data.rindex(")")]
        fields = data[data.rindex(")") + 2:].split()
        out[int(tid)] = (comm, int(fields[11]) + int(fields[12]))
    return out


def proc_pss_kb(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise BenchError("no Pss in /proc/%d/smaps_rollup" % pid)


def cpu_stat(cores):
    """{core: (busy_ticks, steal_ticks)} from /proc/stat."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if not line.startswith("cpu") or line.startswith("cpu "):
                continue
            parts = line.split()
            n = int(parts[0][3:])
            if n not in cores:
                continue
            v = [int(x) for x in parts[1:]]
            # user nice system idle iowait irq softirq steal
            busy = v[0] + v[1] + v[2] + v[5] + v[6]
            out[n] = (busy, v[7])
    return out


# ---------------------------------------------------------------------------------------------
# DNS probe (used for "time until it answers" and to check a server is up)

def dns_query(name, qtype=1, qid=None):
    qid = random.randrange(65536) if qid is None else qid
    wire = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        wire += bytes([len(label)]) + label.encode()
    return qid, wire + b"\0" + struct.pack(">HH", qtype, 1)


def probe(port, name, deadline, proc=None):
    """Waits until the server at 127.0.0.1:port answers name with an answer record; returns
    the monotonic time of that answer. Sends one query every 5 ms and accepts the answer to
    any of them (queries sent while the server loads are all answered at once)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = set()
    try:
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise BenchError("server exited with status %d" % proc.returncode)
            qid, wire = dns_query(name)
            sent.add(qid)
            try:
                s.send(wire)
            except ConnectionRefusedError:
                pass
            r, _, _ = select.select([s], [], [], 0.005)
            while r:
                try:
                    ans = s.recv(4096)
                except (BlockingIOError, ConnectionRefusedError):
                    break
                if len(ans) >= 12:
                    rid, flags, _, ancount = struct.unpack(">HHHH", ans[:8])
                    if rid in sent and (flags & 0x000F) == 0 and ancount > 0:
                        return time.monotonic()
    finally:
        s.close()
    raise BenchError("no answer for %s on port %d" % (name, port))


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------------------------
# Servers

class Server:
    """One started server process. kind: nullresp | rbldnsd | ipbld."""

    def __init__(self, name, kind, cores, workers=1):
        self.name = name
        self.kind = kind
        self.cores = cores
        self.workers = workers
        self.proc = None
        self.port = None
        self.logpath = None
        self.load = {}

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def log_text(self):
        if self.logpath is None or not os.path.exists(self.logpath):
            return ""
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def log_tail(self, n=5):
        return " | ".join(self.log_text().strip().splitlines()[-n:])


def taskset(cores):
    return ["taskset", "-c", ",".join(str(c) for c in cores)]


def _start_nullresp(cfg, srv, workdir):
    srv.logpath = os.path.join(workdir, srv.name + ".log")
    t0 = time.monotonic()
    with open(srv.logpath, "w") as logf:
        srv.proc = subprocess.Popen(
            taskset(srv.cores) + [cfg.nullresp, "-l", "127.0.0.1:0", "-t", "1800"],
            stdout=subprocess.PIPE, stderr=logf, text=True)
    r, _, _ = select.select([srv.proc.stdout], [], [], START_TIMEOUT)
    line = srv.proc.stdout.readline() if r else ""
    if "listening" not in line:
        raise BenchError("nullresp did not start: %s" % srv.log_tail())
    srv.port = int(line.strip().rsplit(":", 1)[1])
    t1 = probe(srv.port, cfg.probe_name, t0 + START_TIMEOUT, srv.proc)
    srv.load = {"start_to_answer_s": round(t1 - t0, 4)}


def _start_rbldnsd(cfg, srv, datadir, ip4="ip4set.txt", ip6="ip6trie.txt", kind4="ip4set",
                  check="60"):
    srv.logpath = os.path.join(datadir, srv.name + ".log")
    srv.port = free_udp_port()
    zones = ["%s:%s:soa.txt,%s" % (ZONE, kind4, ip4)]
    if ip6:
        zones.append("%s:ip6trie:%s" % (ZONE, ip6))
    cmd = taskset(srv.cores) + [cfg.rbldnsd, "-n", "-a", "-b", "127.0.0.1/%d" % srv.port,
                                "-w", datadir, "-t", "600", "-c", check] + zones
    t0 = time.monotonic()
    with open(srv.logpath, "w") as logf:
        srv.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
    try:
        t1 = probe(srv.port, cfg.probe_name, t0 + START_TIMEOUT, srv.proc)
    except BenchError as e:
        raise BenchError("rbldnsd: %s: %s" % (e, srv.log_tail()))
    srv.load = {"start_to_answer_s": round(t1 - t0, 4)}
    for line in srv.log_text().splitlines():
        # "rbldnsd: zones reloaded, time 0.23e/0.20u sec, ..."
        if "zones reloaded, time" in line:
            try:
                srv.load["self_reported_s"] = float(line.split("time ")[1].split("e/")[0])
            except (IndexError, ValueError):
                pass


def write_ipbld_conf(path, datadir, ip4, ip6, workers, reload_interval):
    lines = [
        "; generated by bench/run.py",
        "[main]",
        "data_dir = %s" % datadir,
        "log_level = info",
        "[dns]",
        "listen = 127.0.0.1:0",
        "zone = %s" % ZONE,
        "txt = %s" % TXT,
        "data = ip4set:%s" % os.path.join(datadir, ip4),
    ]
    if ip6:
        lines.append("data = ip6trie:%s" % os.path.join(datadir, ip6))
    lines += [
        "workers = %d" % workers,
        "ttl = 10m",
        "negative_ttl = 1m",
        "reload_interval = %s" % reload_interval,
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def parse_zone_loaded(text):
    """key=value pairs of every 'zone loaded' log line."""
    out = []
    for line in text.splitlines():
        if "zone loaded" not in line:
            continue
        kv = {}
        for tok in line.split():
            if "=" in tok:
                k, v = tok.split("=", 1)
                try:
                    kv[k] = int(v)
                except ValueError:
                    kv[k] = v
        out.append(kv)
    return out


def _start_ipbld(cfg, srv, datadir, ip4="ip4set.txt", ip6="ip6trie.txt", reload_interval="60s"):
    srv.logpath = os.path.join(datadir, srv.name + ".log")
    conf = os.path.join(datadir, srv.name + ".conf")
    write_ipbld_conf(conf, datadir, ip4, ip6, srv.workers, reload_interval)
    rfd, wfd = os.pipe()
    t0 = time.monotonic()
    try:
        with open(srv.logpath, "w") as logf:
            srv.proc = subprocess.Popen(
                taskset(srv.cores) + [cfg.ipbld, "-c", conf, "--ready-fd", str(wfd)],
                stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                pass_fds=(wfd,))
        os.close(wfd)
        wfd = -1
        buf = b""
        deadline = t0 + START_TIMEOUT
        while b"\n" not in buf and time.monotonic() < deadline:
            r, _, _ = select.select([rfd], [], [], 0.1)
            if r:
                chunk = os.read(rfd, 4096)
                if not chunk:
                    break
                buf += chunk
            elif srv.proc.poll() is not None:
                break
        t_ready = time.monotonic()
    finally:
        os.close(rfd)
        if wfd >= 0:
            os.close(wfd)
    line = buf.decode(errors="replace").strip()
    if not line.startswith("READY"):
        status = srv.proc.poll()
        raise BenchError("ipbld did not become ready%s: %s"
                         % ("" if status is None else " (exit status %d)" % status,
                            srv.log_tail() or "no log output"))
    # READY dns=127.0.0.1:40123[,...]
    first = line.split("dns=", 1)[1].split(",")[0]
    srv.port = int(first.rsplit(":", 1)[1])
    t1 = probe(srv.port, cfg.probe_name, t0 + START_TIMEOUT, srv.proc)
    srv.load = {"start_to_ready_s": round(t_ready - t0, 4), "start_to_answer_s": round(t1 - t0, 4)}
    loaded = parse_zone_loaded(srv.log_text())
    if loaded:
        srv.load["zone_loaded"] = loaded[-1]
        if "ms" in loaded[-1]:
            srv.load["self_reported_s"] = loaded[-1]["ms"] / 1000.0


def _stop_on_error(impl):
    """Wraps a server starter: a server that fails to come up is stopped, not leaked."""
    def start(cfg, srv, *args, **kwargs):
        try:
            impl(cfg, srv, *args, **kwargs)
        except BaseException:
            srv.stop()
            raise
    start.__doc__ = impl.__doc__
    return start


start_nullresp = _stop_on_error(_start_nullresp)
start_rbldnsd = _stop_on_error(_start_rbldnsd)
start_ipbld = _stop_on_error(_start_ipbld)


# ---------------------------------------------------------------------------------------------
# Load runs

class Quiet:
    """Waits (bounded) for a moment when other jobs leave our cores mostly idle."""

    def __init__(self, cores):
        self.cores = cores
        self.budget = QUIET_BUDGET
        self.waited = 0.0
        self.gave_up = 0

    def wait(self):
        t0 = time.monotonic()
        while True:
            a = cpu_stat(self.cores)
            time.sleep(0.25)
            b = cpu_stat(self.cores)
            busy = max(100.0 * ((b[c][0] - a[c][0]) + (b[c][1] - a[c][1])) / CLK_TCK / 0.25
                       for c in self.cores)
            spent = time.monotonic() - t0
            if busy < QUIET_BUSY_PCT:
                break
            if spent > QUIET_WAIT_MAX or self.waited + spent > self.budget:
                self.gave_up += 1
                break
        self.waited += time.monotonic() - t0


QUIET = None


def run_dnsload(cfg, srv, mode, duration, load_cores, label, rate=None, spin=False, quiet=True):
    """Runs dnsload against srv and returns its JSON plus the server's CPU over the run."""
    cmd = taskset(load_cores) + [cfg.dnsload, "-s", "127.0.0.1:%d" % srv.port, "-f",
                                 cfg.queries, "-d", str(duration), "-S", str(SOCKETS),
                                 "-l", label]
    if mode == "closed":
        cmd += ["-m", "closed", "-c", str(INFLIGHT)]
    else:
        # Kernel receive timestamps: a stall of dnsload itself does not count as latency.
        cmd += ["-m", "open", "-r", str(rate), "-K"]
    if spin:
        cmd.append("-P")
    cores = sorted(set(srv.cores) | set(load_cores))
    if quiet and QUIET is not None:
        QUIET.wait()
    threads0 = thread_cpu_ticks(srv.pid)
    core0 = cpu_stat(cores)
    u0, s0 = proc_cpu_ticks(srv.pid)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30)
    t1 = time.monotonic()
    u1, s1 = proc_cpu_ticks(srv.pid)
    core1 = cpu_stat(cores)
    threads1 = thread_cpu_ticks(srv.pid)
    if p.returncode != 0:
        raise BenchError("dnsload failed (%d): %s" % (p.returncode, p.stderr.strip()))
    res = json.loads(p.stdout.strip().splitlines()[-1])
    du, ds = u1 - u0, s1 - s0
    wall = t1 - t0
    recv = max(res["received"], 1)
    res["server_cpu"] = {
        "user_s": du / CLK_TCK,
        "sys_s": ds / CLK_TCK,
        "wall_s": round(wall, 3),
        "util": round((du + ds) / CLK_TCK / wall, 3),
        "us_per_query": round((du + ds) / CLK_TCK * 1e6 / recv, 3),
    }
    # Everything else that ran on the server's cores (other processes, not the load generator)
    # and the host's steal: a high value flags a noisy measurement.
    other = 0
    steal = 0
    for c in srv.cores:
        other += (core1[c][0] - core0[c][0])
        steal += core1[c][1] - core0[c][1]
    other -= du + ds
    if set(load_cores) & set(srv.cores):
        other -= (res["self_cpu_s"]["user"] + res["self_cpu_s"]["sys"]) * CLK_TCK
    res["server_cores"] = {
        "other_busy_pct": round(100.0 * max(other, 0) / CLK_TCK / wall / len(srv.cores), 1),
        "steal_pct": round(100.0 * steal / CLK_TCK / wall / len(srv.cores), 1),
    }
    # The same for the load generator's own core(s) when it has them to itself: a slowed
    # generator leaves the server half idle, which raises its CPU per query (less batching).
    gen_only = [c for c in load_cores if c not in srv.cores]
    if gen_only:
        gen_cpu = res["self_cpu_s"]["user"] + res["self_cpu_s"]["sys"]
        busy = sum(core1[c][0] - core0[c][0] for c in gen_only) / CLK_TCK - gen_cpu
        steal = sum(core1[c][1] - core0[c][1] for c in gen_only) / CLK_TCK
        res["load_cores"] = {
            "other_busy_pct": round(100.0 * max(busy, 0) / wall / len(gen_only), 1),
            "steal_pct": round(100.0 * steal / wall / len(gen_only), 1),
        }
    res["noise_pct"] = max([res["server_cores"]["other_busy_pct"],
                            res["server_cores"]["steal_pct"]] +
                           list(res.get("load_cores", {}).values()))
    per_thread = {}
    for tid, (comm, ticks) in threads1.items():
        d = ticks - threads0.get(tid, (comm, 0))[1]
        if d > 0:
            per_thread["%s/%d" % (comm, tid)] = round(d / CLK_TCK, 2)
    res["server_threads_cpu_s"] = per_thread
    return res


def summarize_closed(runs):
    """Median over the rounds that ran undisturbed (noise <= NOISE_MAX_PCT), or over all rounds
    when none did."""
    clean = [r for r in runs if r["noise_pct"] <= NOISE_MAX_PCT] or runs
    cpu = [r["server_cpu"]["us_per_query"] for r in runs]
    qps = [r["qps"] for r in runs]
    lat = {k: statistics.median(r["lat_us"][k] for r in clean) for k in ("p50", "p99", "p999")}
    return {
        "rounds": len(runs),
        "clean_rounds": len(clean) if clean is not runs else
        sum(1 for r in runs if r["noise_pct"] <= NOISE_MAX_PCT),
        "noise_pct_all": [r["noise_pct"] for r in runs],
        "cpu_us_per_query": round(statistics.median(
            r["server_cpu"]["us_per_query"] for r in clean), 3),
        "cpu_us_per_query_min": min(cpu),
        "cpu_us_per_query_all": cpu,
        "qps_max": round(max(qps)),
        "qps_median": round(statistics.median(qps)),
        "qps_all": [round(q) for q in qps],
        "lat_us": lat,
        "lost": sum(r["lost"] for r in runs),
        "answered": sum(r["received"] for r in runs),
        "server_util_median": statistics.median(r["server_cpu"]["util"] for r in runs),
        "other_busy_pct_max": max(r["server_cores"]["other_busy_pct"] for r in runs),
        "steal_pct_max": max(r["server_cores"]["steal_pct"] for r in runs),
        "rcodes": {k: sum(r[k] for r in runs) for k in ("noerror", "nxdomain", "refused",
                                                       "servfail", "other_rcode")},
    }


# ---------------------------------------------------------------------------------------------
# Swap phase

class Swapper(threading.Thread):
    """Rewrites path (atomic rename) every interval seconds with a slightly different file."""

    def __init__(self, path, base, interval, count):
        super().__init__(daemon=True)
        self.path = path
        self.base = base
        self.interval = interval
        self.count = count
        self.done = 0
        self.write_s = []
        self.stop_evt = threading.Event()

    def run(self):
        rng = random.Random(4242)
        t_next = time.monotonic() + self.interval
        for k in range(self.count):
            if self.stop_evt.wait(max(0.0, t_next - time.monotonic())):
                return
            t_next += self.interval
            tail = ["# swap %d" % (k + 1)]
            for _ in range(1000):
                tail.append(gen_dataset.ip4_str(gen_dataset.rand_public4(rng)))
            t0 = time.monotonic()
            tmp = self.path + ".swap.tmp"
            with open(tmp, "wb") as f:
                f.write(self.base)
                f.write(("\n".join(tail) + "\n").encode())
            os.replace(tmp, self.path)
            self.write_s.append(round(time.monotonic() - t0, 4))
            self.done += 1


def swap_phase(cfg, prof, srv_factory, label, load_cores):
    """Starts a fresh server on its own copy of the data, measures a baseline at a fixed rate,
    then the same rate while the IPv4 file is replaced every second."""
    datadir = os.path.join(cfg.work, "swap-" + label)
    shutil.rmtree(datadir, ignore_errors=True)
    os.makedirs(datadir)
    os.chmod(datadir, 0o755)
    for fn in ("ip4set.txt", "ip6trie.txt", "soa.txt"):
        shutil.copyfile(os.path.join(cfg.data, fn), os.path.join(datadir, fn))
    with open(os.path.join(cfg.data, "ip4set.txt"), "rb") as f:
        base = f.read()
    srv = srv_factory(datadir)
    try:
        base_run = run_dnsload(cfg, srv, "open", prof["swap_base_s"], load_cores,
                               label + "-swap-baseline", rate=prof["open_rate"])
        reloads0 = count_reloads(srv)
        nswaps = int(prof["swap_s"]) - 1
        sw = Swapper(os.path.join(datadir, "ip4set.txt"), base, 1.0, nswaps)
        if QUIET is not None:
            QUIET.wait()
        sw.start()
        swap_run = run_dnsload(cfg, srv, "open", prof["swap_s"], load_cores,
                               label + "-swap", rate=prof["open_rate"], quiet=False)
        sw.stop_evt.set()
        sw.join(timeout=30)
        time.sleep(0.2)
        reloads = count_reloads(srv) - reloads0
        alive = srv.alive()
        errors = [ln for ln in srv.log_text().splitlines() if "error" in ln][:5]
    finally:
        srv.stop()
    return {
        "rate": prof["open_rate"],
        "baseline": brief_open(base_run),
        "swapping": brief_open(swap_run),
        "files_written": sw.done,
        "file_write_s_max": max(sw.write_s) if sw.write_s else None,
        "reloads_logged": reloads,
        "server_alive_after": alive,
        "errors": errors,
        "load": srv.load,
        "per_sec": swap_run["per_sec"],
    }


def count_reloads(srv):
    text = srv.log_text()
    if srv.kind == "rbldnsd":
        return sum(1 for ln in text.splitlines() if "zones reloaded" in ln)
    return sum(1 for ln in text.splitlines() if "zone loaded" in ln)


def brief_open(r):
    return {
        "sent": r["sent"], "received": r["received"], "lost": r["lost"],
        "skipped": r["skipped"],
        "qps": round(r["qps"]), "lat_us": r["lat_us"], "slow_10ms": r["slow_10ms"],
        "max_lag_us": r["max_lag_us"], "cpu_us_per_query": r["server_cpu"]["us_per_query"],
        "server_util": r["server_cpu"]["util"],
        "other_busy_pct": r["server_cores"]["other_busy_pct"],
        "steal_pct": r["server_cores"]["steal_pct"],
    }


# ---------------------------------------------------------------------------------------------
# Memory

def memory_baselines(cfg, specs):
    """PSS with the 100-entry dataset for each server kind (and rbldnsd ip4tset references),
    so that (PSS full - PSS small) / IPv4 hosts is the data's cost per entry."""
    out = {}
    for name, starter in specs:
        srv = starter()
        try:
            time.sleep(0.1)
            out[name] = proc_pss_kb(srv.pid)
        finally:
            srv.stop()
    return out


# ---------------------------------------------------------------------------------------------
# Report

def fmt(v, spec="%.2f"):
    return "-" if v is None else spec % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)


def build_report(res):
    out = []
    m = res["machine"]
    out.append("ipbl DNS benchmark (%s profile) %s" % (res["profile"], res["started"]))
    out.append("machine: %s, %d CPUs, kernel %s; server on core %s, load generator on core %s"
               % (m["cpu"], m["ncpu"], m["kernel"], res["server_core"], res["load_core"]))
    d = res["dataset"]
    out.append("dataset: %d IPv4 /32 + %d IPv4 CIDRs + %d IPv6 /64; %d query names (%s)"
               % (d["ip4_hosts"], d["ip4_cidrs"], d["ip6_64s"], d["queries"],
                  ", ".join("%s %d" % kv for kv in sorted(d["query_mix"].items()))))
    out.append("closed loop: %d in flight over %d sockets, %d rounds x %.1f s (median CPU/query)"
               % (INFLIGHT, SOCKETS, res["params"]["rounds"], res["params"]["closed_s"]))
    out.append("")
    hdr = ("%-11s %5s | %8s %5s %9s %7s %7s %7s %5s | %7s %6s %6s %6s %7s %5s"
           % ("server", "cores", "CPU us/q", "min", "qps max", "p50 us", "p99 us", "p99.9us",
              "clean", "PSS MB", "B/ip4", "load s", "answer", "open us", "lost"))
    out.append(hdr)
    out.append("-" * len(hdr))
    for s in res["servers"]:
        c = s.get("closed") or {}
        o = s.get("open") or {}
        lat = c.get("lat_us", {})
        load_s = s.get("load_s")
        out.append(
            "%-11s %5s | %8s %5s %9s %7s %7s %7s %5s | %7s %6s %6s %6s %7s %5s"
            % (s["name"], ",".join(str(x) for x in s["cores"]),
               fmt(c.get("cpu_us_per_query")), fmt(c.get("cpu_us_per_query_min")),
               fmt(c.get("qps_max"), "%.0f"),
               fmt(lat.get("p50"), "%.0f"), fmt(lat.get("p99"), "%.0f"),
               fmt(lat.get("p999"), "%.0f"),
               "%d/%d" % (c.get("clean_rounds", 0), c.get("rounds", 0)),
               fmt(s.get("pss_kb") and s["pss_kb"] / 1024.0, "%.1f"),
               fmt(s.get("bytes_per_ip4"), "%.1f"), fmt(load_s, "%.3f"),
               fmt(s["load"].get("start_to_answer_s"), "%.3f"),
               fmt(o.get("cpu_us_per_query")), fmt(o.get("lost"), "%d")))
    out.append("CPU us/q: server utime+stime per answered query, median of the clean rounds "
               "(min: best round); qps max: best round;")
    out.append("clean: rounds in which other processes and host steal took < %.0f%% of our "
               "cores; p50..p99.9: closed-loop latency (median);" % NOISE_MAX_PCT)
    out.append("B/ip4: (PSS - PSS with a 100-entry dataset) / IPv4 /32s; load s: ipbld's own "
               "'zone loaded ms=', rbldnsd's start-until-answer;")
    out.append("answer: start until a listed name is answered (same method for all); open us, "
               "lost: CPU/query and lost queries of the open-loop run")
    out.append("")
    out.append("open loop at %d qps (%.0f s): latency in us, to the kernel's receive timestamp"
               % (res["params"]["open_rate"], res["params"]["open_s"]))
    hdr2 = "%-11s | %8s %8s %8s %8s %8s %7s %6s %7s" % (
        "server", "p50", "p99", "p99.9", "max", "lag max", "skipped", "lost", ">10ms")
    out.append(hdr2)
    out.append("-" * len(hdr2))
    for s in res["servers"]:
        o = s.get("open")
        if not o:
            continue
        lat = o["lat_us"]
        out.append("%-11s | %8.0f %8.0f %8.0f %8.0f %8.0f %7d %6d %7d"
                   % (s["name"], lat["p50"], lat["p99"], lat["p999"], lat["max"],
                      o["max_lag_us"], o["skipped"], o["lost"], o["slow_10ms"]))
    if res.get("ip4tset_ref"):
        r = res["ip4tset_ref"]
        out.append("")
        out.append("memory reference: rbldnsd ip4tset with the same %d /32s: %.1f bytes per "
                   "entry (PSS %.1f MB)" % (d["ip4_hosts"], r["bytes_per_ip4"],
                                            r["pss_kb"] / 1024.0))
    for s in res["servers"]:
        if "snapshot_bytes_per_ip4" in s:
            out.append("%s: snapshot size from its own log: %.2f bytes per IPv4 /32 "
                       "(B/ip4 above is the PSS difference against a 100-entry dataset)"
                       % (s["name"], s["snapshot_bytes_per_ip4"]))
            break
    w2 = next((s for s in res["servers"] if s["name"] == "ipbld-w2"), None)
    if w2 and w2.get("closed_threads_cpu_s"):
        out.append("ipbld-w2 CPU seconds per thread in its last closed-loop round: %s"
                   % ", ".join("%s %.2f" % kv for kv in sorted(w2["closed_threads_cpu_s"].items())))
    if res.get("swap"):
        out.append("")
        out.append("data swapped every second (atomic rename of a changed %d-entry file), "
                   "open loop at %d qps:" % (d["ip4_hosts"], res["params"]["open_rate"]))
        hdr3 = ("%-11s | %-8s %8s %7s %6s %7s %8s %8s %8s %8s | %7s"
                % ("server", "phase", "sent", "skipped", "lost", ">10ms", "p99 us", "p99.9us",
                   "max us", "lag max", "reloads"))
        out.append(hdr3)
        out.append("-" * len(hdr3))
        for name, sw in res["swap"].items():
            for phase in ("baseline", "swapping"):
                b = sw[phase]
                out.append("%-11s | %-8s %8d %7d %6d %7d %8.0f %8.0f %8.0f %8.0f | %7s"
                           % (name, phase, b["sent"], b["skipped"], b["lost"], b["slow_10ms"],
                              b["lat_us"]["p99"], b["lat_us"]["p999"], b["lat_us"]["max"],
                              b["max_lag_us"],
                              sw["reloads_logged"] if phase == "swapping" else "-"))
        out.append("lag max: the longest the load generator itself fell behind its schedule "
                   "(host noise); queries more than 5 ms late are skipped, not sent in a burst;")
        out.append("latency is measured to the kernel's receive timestamp (SO_TIMESTAMPNS)")
    out.append("")
    out.append("ratios:")
    for k, v in res["ratios"].items():
        out.append("  %-40s %s" % (k, fmt(v, "%.3f")))
    out.append("")
    out.append("goals:")
    for g in res["goals"]:
        out.append("  [%s] %s" % (g["status"], g["text"]))
    out.append("")
    for n in res["notes"]:
        out.append("note: " + n)
    return "\n".join(out)


def build_markdown(res):
    """The results as the Markdown tables of bench/README.md."""
    d = res["dataset"]
    p = res["params"]
    m = res["machine"]
    out = []
    out.append("Run of %s (%s profile, %.0f s): %d IPv4 /32 + %d CIDRs + %d IPv6 /64, "
               "%d query names; %s, %d CPUs, kernel %s; rbldnsd %s."
               % (res["started"], res["profile"], res.get("elapsed_s", 0), d["ip4_hosts"],
                  d["ip4_cidrs"], d["ip6_64s"], d["queries"], m["cpu"], m["ncpu"], m["kernel"],
                  m["rbldnsd_version"]))
    out.append("")
    out.append("Closed loop (%d in flight, %d source ports, %d rounds of %.0f s):"
               % (p["inflight"], p["sockets"], p["rounds"], p["closed_s"]))
    out.append("")
    out.append("| server | cores | **CPU µs/query** (median) | best round | qps (best) "
               "| p50 µs | p99 µs | p99.9 µs | clean rounds | PSS MB | B per IPv4 | load s "
               "| start to answer s |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in res["servers"]:
        c = s.get("closed") or {}
        lat = c.get("lat_us", {})
        out.append("| %s | %s | **%s** | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                   % (s["name"], ",".join(str(x) for x in s["cores"]),
                      fmt(c.get("cpu_us_per_query")), fmt(c.get("cpu_us_per_query_min")),
                      fmt(c.get("qps_max"), "%.0f"), fmt(lat.get("p50"), "%.0f"),
                      fmt(lat.get("p99"), "%.0f"), fmt(lat.get("p999"), "%.0f"),
                      "%d/%d" % (c.get("clean_rounds", 0), c.get("rounds", 0)),
                      fmt(s.get("pss_kb") and s["pss_kb"] / 1024.0, "%.1f"),
                      fmt(s.get("bytes_per_ip4"), "%.1f"), fmt(s.get("load_s"), "%.3f"),
                      fmt(s["load"].get("start_to_answer_s"), "%.3f")))
    ref = res.get("ip4tset_ref")
    if ref:
        out.append("| rbldnsd ip4tset (memory reference, /32s only) | 0 | | | | | | | | %.1f "
                   "| %.1f | | |" % (ref["pss_kb"] / 1024.0, ref["bytes_per_ip4"]))
    for s in res["servers"]:
        if "snapshot_bytes_per_ip4" in s:
            out.append("")
            out.append("%s's own snapshot: %.2f bytes per IPv4 /32 (`bytes=` of its "
                       "`zone loaded` line)." % (s["name"], s["snapshot_bytes_per_ip4"]))
            break
    out.append("")
    out.append("Open loop at %d qps for %.0f s (latency to the kernel's receive timestamp):"
               % (p["open_rate"], p["open_s"]))
    out.append("")
    out.append("| server | CPU µs/query | p50 µs | p99 µs | p99.9 µs | max µs | generator lag "
               "max µs | skipped | lost | > 10 ms |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for s in res["servers"]:
        o = s.get("open")
        if not o:
            continue
        lat = o["lat_us"]
        out.append("| %s | %.2f | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %d | %d |"
                   % (s["name"], o["cpu_us_per_query"], lat["p50"], lat["p99"], lat["p999"],
                      lat["max"], o["max_lag_us"], o["skipped"], o["lost"], o["slow_10ms"]))
    if res.get("swap"):
        out.append("")
        out.append("Data swapped every second (%d-entry IPv4 file replaced by rename), open loop "
                   "at %d qps; baseline %.0f s without swaps, then %.0f s with swaps:"
                   % (d["ip4_hosts"], p["open_rate"], p["swap_base_s"], p["swap_s"]))
        out.append("")
        out.append("| server | phase | sent | skipped | lost | > 10 ms | p99 µs | p99.9 µs "
                   "| max µs | generator lag max µs | reloads |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for name, sw in res["swap"].items():
            for phase in ("baseline", "swapping"):
                b = sw[phase]
                out.append("| %s | %s | %d | %d | %d | %d | %.0f | %.0f | %.0f | %.0f | %s |"
                           % (name, phase, b["sent"], b["skipped"], b["lost"], b["slow_10ms"],
                              b["lat_us"]["p99"], b["lat_us"]["p999"], b["lat_us"]["max"],
                              b["max_lag_us"],
                              sw["reloads_logged"] if phase == "swapping" else "-"))
    out.append("")
    out.append("| ratio | value |")
    out.append("|---|---|")
    for k, v in res["ratios"].items():
        out.append("| %s | %s |" % (k, fmt(v, "%.3f")))
    out.append("")
    out.append("Goals:")
    out.append("")
    for g in res["goals"]:
        out.append("- **%s** %s" % (g["status"], g["text"]))
    if res.get("notes"):
        out.append("")
        for n in res["notes"]:
            out.append("- note: " + n)
    return "\n".join(out)


def compute_ratios_and_goals(res):
    by = {s["name"]: s for s in res["servers"]}

    def get(name, *path):
        v = by.get(name)
        for p in path:
            if v is None:
                return None
            v = v.get(p)
        return v

    cpu = {n: get(n, "closed", "cpu_us_per_query") for n in by}
    qps = {n: get(n, "closed", "qps_max") for n in by}
    r = {}
    r["cpu/q ipbld-w1 / rbldnsd"] = ratio(cpu.get("ipbld-w1"), cpu.get("rbldnsd"))
    r["cpu/q ipbld-w1 / ceiling (nullresp)"] = ratio(cpu.get("ipbld-w1"), cpu.get("nullresp"))
    r["cpu/q rbldnsd / ceiling (nullresp)"] = ratio(cpu.get("rbldnsd"), cpu.get("nullresp"))
    best = {n: get(n, "closed", "cpu_us_per_query_min") for n in by}
    r["cpu/q best round ipbld-w1 / rbldnsd"] = ratio(best.get("ipbld-w1"), best.get("rbldnsd"))
    r["cpu/q best round ipbld-w1 / ceiling"] = ratio(best.get("ipbld-w1"), best.get("nullresp"))
    r["qps ipbld-w1 / rbldnsd"] = ratio(qps.get("ipbld-w1"), qps.get("rbldnsd"))
    r["qps ipbld-w1 / ceiling (nullresp)"] = ratio(qps.get("ipbld-w1"), qps.get("nullresp"))
    r["qps ipbld-w2 / ipbld-w1"] = ratio(qps.get("ipbld-w2"), qps.get("ipbld-w1"))
    r["PSS ipbld-w1 / rbldnsd"] = ratio(get("ipbld-w1", "pss_kb"), get("rbldnsd", "pss_kb"))
    r["bytes/IPv4 ipbld-w1 / rbldnsd"] = ratio(get("ipbld-w1", "bytes_per_ip4"),
                                               get("rbldnsd", "bytes_per_ip4"))
    r["load s ipbld-w1 (own log) / rbldnsd (until answer)"] = ratio(get("ipbld-w1", "load_s"),
                                                                 get("rbldnsd", "load_s"))
    r["start-to-answer s ipbld-w1 / rbldnsd"] = ratio(
        get("ipbld-w1", "load", "start_to_answer_s"), get("rbldnsd", "load", "start_to_answer_s"))
    res["ratios"] = r

    goals = []

    def goal(ok, text):
        goals.append({"status": "n/a" if ok is None else ("PASS" if ok else "FAIL"),
                      "text": text})

    c = r["cpu/q ipbld-w1 / ceiling (nullresp)"]
    goal(None if c is None else c <= 1.15,
         "CPU per query within 15%% of the null responder (ratio %s)" % fmt(c, "%.3f"))
    s = r["qps ipbld-w2 / ipbld-w1"]
    split = get("ipbld-w2", "closed_threads_cpu_s") or {}
    busy = sorted((v for v in split.values() if v >= 0.05), reverse=True)
    text = ("throughput grows with worker threads (qps w2/w1 %s; busy threads' CPU s in w2: %s)"
            % (fmt(s, "%.3f"), ", ".join("%.2f" % v for v in busy) or "-"))
    if s is not None and res["machine"]["ncpu"] < 3:
        goals.append({"status": "INCONCLUSIVE", "text": text + ": with 2 CPUs the second worker "
                      "and the load generator share a core, so scaling cannot be shown here"})
    else:
        goal(None if s is None else s > 1.0, text)
    ref = (res.get("ip4tset_ref") or {}).get("bytes_per_ip4")
    b = get("ipbld-w1", "bytes_per_ip4")
    snap = get("ipbld-w1", "snapshot_bytes_per_ip4")
    goal(None if b is None or ref is None else b <= ref,
         "memory per IPv4 /32 <= rbldnsd ip4tset's (PSS difference: %s vs %s bytes; ipbld's "
         "snapshot alone: %s bytes)" % (fmt(b, "%.1f"), fmt(ref, "%.1f"), fmt(snap, "%.2f")))
    ls = get("ipbld-w1", "load_s")
    goal(None if ls is None else ls < 0.1 * res["dataset"]["ip4_hosts"] / 1e6,
         "%d entries loaded in under %.3f s (%s s)"
         % (res["dataset"]["ip4_hosts"], 0.1 * res["dataset"]["ip4_hosts"] / 1e6,
            fmt(ls, "%.3f")))
    sw = (res.get("swap") or {}).get("ipbld-w1")
    if sw:
        b, base = sw["swapping"], sw["baseline"]
        swap_s, base_s = res["params"]["swap_s"], res["params"]["swap_base_s"]
        text = ("no query lost or slower than 10 ms while the data is swapped every second "
                "(%d reloads; lost %d, >10 ms %d, max %.1f ms; same rate without swaps: "
                "lost %d, >10 ms %d, max %.1f ms)"
                % (sw["reloads_logged"], b["lost"], b["slow_10ms"], b["lat_us"]["max"] / 1000.0,
                   base["lost"], base["slow_10ms"], base["lat_us"]["max"] / 1000.0))
        if sw["reloads_logged"] == 0 or b["lost"] > base["lost"]:
            goal(False, text)
        elif b["lost"] == 0 and b["slow_10ms"] == 0:
            goal(True, text)
        elif base["slow_10ms"] > 0 and b["slow_10ms"] / swap_s <= 1.5 * base["slow_10ms"] / base_s:
            goals.append({"status": "INCONCLUSIVE",
                          "text": text + ": the machine's own noise floor is above 10 ms"})
        else:
            goal(False, text)
    else:
        goal(None, "no query lost or slower than 10 ms while the data is swapped every second")
    res["goals"] = goals


# ---------------------------------------------------------------------------------------------

def prepare_dataset(cfg, prof):
    want = {k: prof[k] for k in ("hosts", "cidrs", "v6", "queries")}
    want["seed"] = cfg.seed
    meta_path = os.path.join(cfg.data, "meta.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if (meta.get("params") == want and
                all(os.path.exists(os.path.join(cfg.data, fn)) for fn in meta["files"])):
            log("reusing dataset in %s" % cfg.data)
            return meta
    log("generating dataset in %s (%d hosts)" % (cfg.data, prof["hosts"]))
    t0 = time.monotonic()
    ds = gen_dataset.Dataset(prof["hosts"], prof["cidrs"], prof["v6"], cfg.seed)
    meta = ds.write(cfg.data, prof["queries"])
    meta["params"] = want
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    log("dataset generated in %.1f s" % (time.monotonic() - t0))
    return meta


def machine_info():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    rb = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "rbldnsd"],
                        capture_output=True, text=True)
    with open("/proc/loadavg") as f:
        loadavg = f.read().split()[:3]
    return {"cpu": cpu, "ncpu": os.cpu_count(), "kernel": platform.release(),
            "rbldnsd_version": rb.stdout.strip() or "?", "loadavg_at_start": loadavg,
            "python": platform.python_version()}


def main(argv=None):
    ap = argparse.ArgumentParser(description="ipbl DNS benchmark (see bench/README.md)")
    ap.add_argument("--ipbld", default=os.environ.get("IPBLD"), help="ipbld binary ($IPBLD)")
    ap.add_argument("--nullresp", default=os.environ.get("NULLRESP"),
                    help="nullresp binary ($NULLRESP)")
    ap.add_argument("--dnsload", default=os.environ.get("DNSLOAD"),
                    help="dnsload binary ($DNSLOAD)")
    ap.add_argument("--rbldnsd", default=os.environ.get("RBLDNSD", "/usr/sbin/rbldnsd"),
                    help="rbldnsd binary ($RBLDNSD, default /usr/sbin/rbldnsd)")
    ap.add_argument("--quick", action="store_true", help="small dataset, short runs (~1 min)")
    ap.add_argument("--work", default=None,
                    help="scratch directory for datasets and logs (default: "
                         "build-bench/bench-work in the source tree)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest.json"),
                    help="JSON results file")
    ap.add_argument("--seed", type=int, default=5782, help="dataset seed (default 5782)")
    ap.add_argument("--server-core", type=int, default=0, help="core for the servers (0)")
    ap.add_argument("--load-core", type=int, default=1,
                    help="core for the load generator and this script (1)")
    ap.add_argument("--no-swap", action="store_true", help="skip the data swap phase")
    ap.add_argument("--no-rbldnsd", action="store_true", help="skip rbldnsd")
    ap.add_argument("--markdown", metavar="JSON",
                    help="only print the results in JSON (a results file) as the Markdown "
                         "tables of bench/README.md")
    cfg = ap.parse_args(argv)
    if cfg.markdown:
        with open(cfg.markdown) as f:
            res = json.load(f)
        print(build_markdown(res))
        return 0

    for attr in ("nullresp", "dnsload"):
        path = getattr(cfg, attr)
        if not path or not os.access(path, os.X_OK):
            ap.error("--%s: no executable given or found (%r)" % (attr, path))
        setattr(cfg, attr, os.path.abspath(path))
    notes = []
    if cfg.ipbld and os.access(cfg.ipbld, os.X_OK):
        cfg.ipbld = os.path.abspath(cfg.ipbld)
    else:
        notes.append("ipbld not found (%r): its rows are skipped" % cfg.ipbld)
        cfg.ipbld = None
    if not cfg.no_rbldnsd and not os.access(cfg.rbldnsd, os.X_OK):
        notes.append("rbldnsd not found (%r): its rows are skipped" % cfg.rbldnsd)
        cfg.no_rbldnsd = True
    if os.cpu_count() < 2:
        ap.error("needs at least 2 CPUs (server and load generator on different cores)")
    if shutil.which("taskset") is None:
        ap.error("taskset (util-linux) is required")

    profile = "quick" if cfg.quick else "full"
    prof = PROFILES[profile]
    base = cfg.work or os.path.join(os.path.dirname(HERE), "build-bench", "bench-work")
    cfg.work = os.path.abspath(base)
    cfg.data = os.path.join(cfg.work, "data-" + profile)
    os.makedirs(cfg.data, exist_ok=True)
    # rbldnsd started as root drops to its own user: the data must stay readable for it
    d = cfg.data
    while d != "/":
        if os.stat(d).st_mode & 0o005 != 0o005:
            if d.startswith(cfg.work):
                os.chmod(d, 0o755)
            elif not cfg.no_rbldnsd and os.geteuid() == 0:
                ap.error("%s is not readable by other users (rbldnsd runs as rbldns): "
                         "use --work" % d)
        d = os.path.dirname(d)
    # The orchestrator itself (and its dataset rewrites) stays off the server's core.
    os.sched_setaffinity(0, {cfg.load_core})
    global QUIET
    QUIET = Quiet(sorted({cfg.server_core, cfg.load_core}))

    t_start = time.monotonic()
    meta = prepare_dataset(cfg, prof)
    with open(os.path.join(cfg.data, "soa.txt"), "w") as f:
        f.write("$SOA 600 ns.%s hostmaster.%s 0 1h 10m 7d 1m\n$NS 600 ns.%s\n"
                % (ZONE, ZONE, ZONE))
    cfg.queries = os.path.join(cfg.data, "queries.txt")
    cfg.probe_name = meta["probe_listed"]

    sc, lc = [cfg.server_core], [cfg.load_core]
    both = sorted({cfg.server_core, cfg.load_core})
    res = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "profile": profile,
        "machine": machine_info(),
        "server_core": cfg.server_core,
        "load_core": cfg.load_core,
        "dataset": {k: meta[k] for k in ("ip4_hosts", "ip4_cidrs", "ip6_64s", "queries",
                                         "query_mix", "seed")},
        "params": dict(prof, inflight=INFLIGHT, sockets=SOCKETS),
        "binaries": {"ipbld": cfg.ipbld, "nullresp": cfg.nullresp, "dnsload": cfg.dnsload,
                     "rbldnsd": None if cfg.no_rbldnsd else cfg.rbldnsd},
        "servers": [],
        "notes": notes,
    }

    servers = [Server("nullresp", "nullresp", sc)]
    if not cfg.no_rbldnsd:
        servers.append(Server("rbldnsd", "rbldnsd", sc))
    if cfg.ipbld:
        servers.append(Server("ipbld-w1", "ipbld", sc, workers=1))
        servers.append(Server("ipbld-w2", "ipbld", both, workers=2))
        notes.append("ipbld-w2 runs on cores %s; the load generator shares core %d with it, so "
                     "its throughput is a lower bound and its CPU/query includes contention"
                     % (",".join(map(str, both)), cfg.load_core))

    def starter(srv, datadir=None):
        datadir = datadir or cfg.data
        if srv.kind == "nullresp":
            start_nullresp(cfg, srv, cfg.work)
        elif srv.kind == "rbldnsd":
            start_rbldnsd(cfg, srv, datadir)
        else:
            start_ipbld(cfg, srv, datadir)
        return srv

    started = []
    try:
        # 1. Memory baselines with a 100-entry dataset, and rbldnsd's ip4tset reference.
        mem_specs = []
        if not cfg.no_rbldnsd:
            mem_specs.append(("rbldnsd", lambda: start_rbldnsd_small(cfg, sc, "ip4set")))
            mem_specs.append(("rbldnsd-ip4tset-small",
                              lambda: start_rbldnsd_small(cfg, sc, "ip4tset")))
            mem_specs.append(("rbldnsd-ip4tset-full",
                              lambda: start_rbldnsd_tset_full(cfg, sc)))
        if cfg.ipbld:
            mem_specs.append(("ipbld", lambda: start_ipbld_small(cfg, sc)))
        log("memory baselines")
        small = memory_baselines(cfg, mem_specs)
        res["memory_small_pss_kb"] = small
        if "rbldnsd-ip4tset-full" in small:
            res["ip4tset_ref"] = {
                "pss_kb": small["rbldnsd-ip4tset-full"],
                "bytes_per_ip4": round((small["rbldnsd-ip4tset-full"] -
                                        small["rbldnsd-ip4tset-small"]) * 1024.0 /
                                       meta["ip4_hosts"], 2),
            }

        # 2. Start every server on the full dataset (load time, PSS).
        for srv in servers:
            log("starting %s" % srv.name)
            starter(srv)
            started.append(srv)
            time.sleep(0.1)
            entry = {"name": srv.name, "kind": srv.kind, "cores": srv.cores,
                     "workers": srv.workers, "pss_kb": proc_pss_kb(srv.pid), "load": srv.load}
            if srv.kind == "ipbld" and "self_reported_s" in srv.load:
                entry["load_s"] = srv.load["self_reported_s"]
                entry["load_method"] = "own log: zone loaded ms="
                zl = srv.load.get("zone_loaded", {})
                if "bytes" in zl:
                    entry["snapshot_bytes_per_ip4"] = round(zl["bytes"] / meta["ip4_hosts"], 2)
            elif srv.kind == "rbldnsd":
                entry["load_s"] = srv.load["start_to_answer_s"]
                entry["load_method"] = "start until it answers a listed name"
            key = "ipbld" if srv.kind == "ipbld" else srv.kind
            if key in small:
                entry["bytes_per_ip4"] = round((entry["pss_kb"] - small[key]) * 1024.0 /
                                               meta["ip4_hosts"], 2)
            res["servers"].append(entry)
        entries = {e["name"]: e for e in res["servers"]}

        def load_cores_for(srv):
            return lc

        # 3. Warm-up, then interleaved closed-loop rounds (spreads the host's noise evenly).
        for srv in servers:
            run_dnsload(cfg, srv, "closed", prof["warmup_s"], load_cores_for(srv),
                        srv.name + "-warmup")
        closed = {srv.name: [] for srv in servers}
        for rnd in range(prof["rounds"]):
            for srv in servers:
                log("closed loop round %d: %s" % (rnd + 1, srv.name))
                closed[srv.name].append(run_dnsload(cfg, srv, "closed", prof["closed_s"],
                                                    load_cores_for(srv), srv.name))
        for srv in servers:
            entries[srv.name]["closed"] = summarize_closed(closed[srv.name])
            entries[srv.name]["closed_threads_cpu_s"] = closed[srv.name][-1][
                "server_threads_cpu_s"]

        # 4. Open loop at a fixed rate (latency at a realistic load).
        for srv in servers:
            log("open loop %d qps: %s" % (prof["open_rate"], srv.name))
            spin = len(set(srv.cores) & set(lc)) == 0
            r = run_dnsload(cfg, srv, "open", prof["open_s"], load_cores_for(srv),
                            srv.name + "-open", rate=prof["open_rate"], spin=spin)
            entries[srv.name]["open"] = brief_open(r)
            entries[srv.name]["open"]["generator_busy_polls"] = spin
        for srv in servers:
            if not srv.alive():
                notes.append("%s exited during the run: %s" % (srv.name, srv.log_tail()))
            srv.stop()
        started = []

        # 5. Swap phase.
        if not cfg.no_swap:
            res["swap"] = {}
            if not cfg.no_rbldnsd:
                log("swap phase: rbldnsd (-c 1)")
                res["swap"]["rbldnsd"] = swap_phase(
                    cfg, prof, lambda d: start_swap_rbldnsd(cfg, sc, d), "rbldnsd", lc)
            if cfg.ipbld:
                log("swap phase: ipbld-w1 (reload_interval=1s)")
                res["swap"]["ipbld-w1"] = swap_phase(
                    cfg, prof, lambda d: start_swap_ipbld(cfg, sc, d), "ipbld-w1", lc)
            notes.append("swap phase: the load generator sleeps between sends (no busy poll) "
                         "because the file rewrites run on its core")
    finally:
        for srv in started:
            srv.stop()

    res["elapsed_s"] = round(time.monotonic() - t_start, 1)
    res["quiet_wait"] = {"waited_s": round(QUIET.waited, 1), "gave_up": QUIET.gave_up,
                         "threshold_busy_pct": QUIET_BUSY_PCT}
    if QUIET.gave_up:
        notes.append("%d measurements started while other jobs kept our cores over %.0f%% "
                     "busy (waited %.0f s in all)" % (QUIET.gave_up, QUIET_BUSY_PCT,
                                                      QUIET.waited))
    compute_ratios_and_goals(res)
    os.makedirs(os.path.dirname(os.path.abspath(cfg.out)), exist_ok=True)
    with open(cfg.out, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    print(build_report(res))
    print("\nresults: %s (%.0f s)" % (cfg.out, res["elapsed_s"]))
    return 0


def start_rbldnsd_small(cfg, cores, kind4):
    srv = Server("rbldnsd-small-" + kind4, "rbldnsd", cores)
    start_rbldnsd(cfg, srv, cfg.data, ip4="small4.txt",
                  ip6="small6.txt" if kind4 == "ip4set" else None, kind4=kind4)
    return srv


def start_rbldnsd_tset_full(cfg, cores):
    srv = Server("rbldnsd-ip4tset", "rbldnsd", cores)
    start_rbldnsd(cfg, srv, cfg.data, ip4="ip4tset.txt", ip6=None, kind4="ip4tset")
    return srv


def start_ipbld_small(cfg, cores):
    srv = Server("ipbld-small", "ipbld", cores, workers=1)
    start_ipbld(cfg, srv, cfg.data, ip4="small4.txt", ip6="small6.txt")
    return srv


def start_swap_rbldnsd(cfg, cores, datadir):
    srv = Server("rbldnsd-swap", "rbldnsd", cores)
    start_rbldnsd(cfg, srv, datadir, check="1")
    return srv


def start_swap_ipbld(cfg, cores, datadir):
    srv = Server("ipbld-swap", "ipbld", cores, workers=1)
    start_ipbld(cfg, srv, datadir, reload_interval="1s")
    return srv


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print("bench: error: %s" % e, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
