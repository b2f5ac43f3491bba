#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ipbl web benchmark: wrk against ipbld's /api/v1/lookup/IP and /lookup?ip=IP on loopback.

Builds nothing: it is given a release ipbld and ipbl (arguments, or IPBLD / IPBL in the
environment). It fills a fresh store with a few thousand listings (a few addresses through
the `ipbl` command, so that their pages carry real evidence, the rest inserted with SQLite
in the rows the engine writes for a spamtrap listing), starts ipbld with [web] only, pinned
to one core, and runs `wrk -t1 -c32 -d10s --latency` (pinned to another core) on each URL.
It prints requests per second, p50/p99 latency and ipbld's CPU time per request, and writes
the figures as JSON. The goal of issue #5: at least 20,000 API lookups per second on one
core. See bench/README.md ("The web component") for the method.
"""

import argparse
import hashlib
import http.client
import json
import os
import platform
import random
import re
import resource
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")
START_TIMEOUT = 30.0
GOAL_API_RPS = 20000
TARGET = "45.33.32.156"   # listed through the CLI: two reports and three spamtrap hits
DAY_MS = 86400 * 1000


def log(msg):
    print("web-bench: " + msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def proc_cpu_s(pid):
    """utime+stime of the whole process, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def cpu_busy_s():
    """Seconds of CPU time spent busy on all cores together (/proc/stat), for the noise."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / CLK_TCK


def children_cpu_s():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def taskset(core):
    if core is None or shutil.which("taskset") is None:
        return []
    return ["taskset", "-c", str(core)]


# ---------------------------------------------------------------------------------------------
# The store


def write_conf(work, threads):
    data = os.path.join(work, "data")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(work, "ipbl.conf")
    with open(path, "w") as f:
        f.write("[main]\ndata_dir = %s\nlog_level = warning\n\n"
                "[web]\nlisten = 127.0.0.1:0\nbase_url = http://127.0.0.1:8080\n"
                "max_connections = 256\nthreads = %d\n"
                "; wrk's connections all come from 127.0.0.1\n"
                "max_connections_per_ip = 0\ntimeout = 10s\n"
                "; the login phase fails a login many times from one client\n"
                "login_attempts = 1000\n" % (data, threads))
    return path, os.path.join(data, "ipbl.db")


def run_ipbl(ipbl, conf, *args, stdin=""):
    r = subprocess.run([ipbl, "-c", conf] + list(args), input=stdin, capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0:
        raise BenchError("ipbl %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return r.stdout


def spam(n, ip):
    """A spam message with a Received chain, so the lookup page shows the hops."""
    return ("Received: from mx.recipient.example (mx.recipient.example [10.1.2.3])\r\n"
            "\tby mail.recipient.example with ESMTP id A%d; Tue, 1 Jan 2030 00:00:02 +0000\r\n"
            "Received: from bad.example (host.bad.example [%s])\r\n"
            "\tby mx.recipient.example with ESMTP id B%d; Tue, 1 Jan 2030 00:00:01 +0000\r\n"
            "From: a@bad.example\r\nSubject: offer %d\r\n\r\ncheap pills %d\r\n"
            % (n, ip, n, n, n))


def fill_cli(ipbl, conf, n_addresses):
    """TARGET and a few more addresses through the listing engine, as in real use."""
    for name in ("alice", "bob"):
        run_ipbl(ipbl, conf, "reporter", "add", name)
    targets = [TARGET] + ["45.33.32.%d" % (160 + i) for i in range(n_addresses - 1)]
    n = 0
    for ip in targets:
        for who in ("alice", "bob"):
            n += 1
            run_ipbl(ipbl, conf, "report", "--reporter", who, "-", stdin=spam(n, ip))
        for k in range(3):
            run_ipbl(ipbl, conf, "trap", "--peer", ip, "--helo", "bad.example", "--to",
                     "trap%d@trap.example" % k, "-",
                     stdin="Subject: trap %d %s\r\n\r\nbuy now\r\n" % (k, ip))
    return targets


def fill_sqlite(db, n, seed=5782):
    """n more listed addresses, each with two spamtrap hits, inserted in the rows the engine
    writes for a trap listing (the CLI's own listing is the template). Only the web component
    runs in this benchmark, so no zone journal is written for them."""
    rng = random.Random(seed)
    con = sqlite3.connect(db, timeout=10)
    try:
        code, text = con.execute(
            "SELECT reason_code, reason_text FROM listings WHERE reason_code LIKE "
            "'listed_traps%' LIMIT 1").fetchone() or ("listed_traps",
                                                     "2 spamtrap hits in the past 24 hours")
        now = int(time.time() * 1000)
        seen = set(r[0] for r in con.execute("SELECT ip FROM listings"))
        rows_l, rows_t, rows_a = [], [], []
        while len(rows_l) < n:
            # public unicast space, away from the special-purpose blocks
            ip = "%d.%d.%d.%d" % (rng.randint(11, 99), rng.randint(0, 255),
                                  rng.randint(0, 255), rng.randint(1, 254))
            if ip in seen:
                continue
            seen.add(ip)
            t = now - rng.randint(60, 3600) * 1000
            for k in range(2):
                dig = hashlib.sha256(("%s/%d" % (ip, k)).encode()).hexdigest()
                rows_t.append(("bench@trap.example", ip, "bench.example", t + k, dig))
            rows_l.append((ip, t, t + 1, t + 1 + DAY_MS, code, text))
            rows_a.append((t, "engine", "listed", ip, text))
        with con:
            con.executemany("INSERT INTO trap_hits (trap_address, ip, helo, received_ms, "
                            "digest) VALUES (?, ?, ?, ?, ?)", rows_t)
            con.executemany("INSERT INTO listings (ip, listed, listed_since_ms, "
                            "last_evidence_ms, delist_at_ms, reason_code, reason_text) "
                            "VALUES (?, 1, ?, ?, ?, ?, ?)", rows_l)
            con.executemany("INSERT INTO audit (at_ms, actor, action, ip, detail) "
                            "VALUES (?, ?, ?, ?, ?)", rows_a)
        total = con.execute("SELECT count(*) FROM listings WHERE listed = 1").fetchone()[0]
        return total, [r[0] for r in rows_l]
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# The daemon


class Daemon:
    def __init__(self, ipbld, conf, work, core):
        self.log_path = os.path.join(work, "ipbld.log")
        self.log_file = open(self.log_path, "wb")
        rfd, wfd = os.pipe()
        try:
            self.proc = subprocess.Popen(taskset(core) + [ipbld, "-c", conf, "--ready-fd",
                                                          str(wfd)],
                                         stdin=subprocess.DEVNULL, stdout=self.log_file,
                                         stderr=self.log_file, pass_fds=(wfd,))
        finally:
            os.close(wfd)
        try:
            line = self._ready(rfd)
        finally:
            os.close(rfd)
        m = re.search(r"\bweb=(\d+\.\d+\.\d+\.\d+):(\d+)", line)
        if not m:
            self.stop()
            raise BenchError("no web endpoint in READY line %r" % line)
        self.base = "http://%s:%s" % (m.group(1), m.group(2))

    def _ready(self, rfd):
        deadline = time.monotonic() + START_TIMEOUT
        buf = b""
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self.stop()
                raise BenchError("ipbld did not become ready; log:\n" + self.log_text())
            r, _, _ = select.select([rfd], [], [], min(left, 0.2))
            if r:
                chunk = os.read(rfd, 4096)
                if not chunk:
                    time.sleep(0.05)
                buf += chunk
        return buf.split(b"\n", 1)[0].decode()

    @property
    def pid(self):
        return self.proc.pid

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log_file.close()


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


# ---------------------------------------------------------------------------------------------
# Deputy logins beside the lookups

CSRF_RE = re.compile(rb'name="csrf" value="([^"]+)"')
DEPUTY = "bench"
DEPUTY_PASSWORD = "a long enough bench password"


class LoginLoad:
    """A thread that fails deputy logins (a wrong password: the full argon2id check) as fast
    as ipbld takes them, until stopped; counts the answers by status."""

    def __init__(self, base):
        self.host, self.port = urllib.parse.urlsplit(base).netloc.split(":")
        self.stopped = threading.Event()
        self.statuses = {}
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection(self.host, int(self.port), timeout=10)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.getheader("Set-Cookie") or "", r.read()
        finally:
            c.close()

    def _attempt(self):
        status, cookie, page = self._request("GET", "/deputy/login")
        m = CSRF_RE.search(page)
        if status != 200 or not m:
            raise BenchError("GET /deputy/login: %d without a form" % status)
        body = urllib.parse.urlencode({"name": DEPUTY, "password": "wrong password",
                                       "csrf": m.group(1).decode()})
        status, _, _ = self._request("POST", "/deputy/login", body,
                                     {"Cookie": cookie.split(";", 1)[0],
                                      "Content-Type": "application/x-www-form-urlencoded"})
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def _run(self):
        while not self.stopped.is_set():
            self._attempt()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(15)


def logins_phase(args, work):
    """API lookups with wrk while deputy logins fail beside them (their password checks run on
    the slow-work thread), with [web] threads = 1 and = 2 (ipbld on one core in both)."""
    rows = []
    for threads in (1, 2):
        conf, _ = write_conf(work, threads)
        d = Daemon(args.ipbld, conf, work, args.server_core)
        try:
            url = d.base + "/api/v1/lookup/" + TARGET
            run_wrk(url, args, args.load_core, args.warmup)
            with LoginLoad(d.base) as load:
                r = parse_wrk(run_wrk(url, args, args.load_core, args.duration))
            r["threads"] = threads
            r["logins_checked"] = load.statuses.get(403, 0)
            r["logins_limited"] = load.statuses.get(429, 0)
            log("threads = %d: %.0f lookups/s, p99 %.2f ms, %d failed logins checked" % (
                threads, r["rps"], r["p99_us"] / 1000, r["logins_checked"]))
            rows.append(r)
        finally:
            d.stop()
    return rows


def logins_table(rows, duration):
    lines = ["| [web] threads | lookups/s | p50 ms | p99 ms | failed logins checked/s |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append("| %d | %s | %s | %s | %.1f |" % (
            r["threads"], fmt(r["rps"]), fmt(r["p50_us"] / 1000, "%.2f"),
            fmt(r["p99_us"] / 1000, "%.2f"), r["logins_checked"] / duration))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# wrk

UNITS = {"us": 1.0, "ms": 1000.0, "s": 1e6, "m": 60e6}


def to_us(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if not m:
        raise BenchError("cannot read wrk's time %r" % text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(out):
    """Requests/s, total requests, latency percentiles (µs), errors from wrk --latency."""
    res = {"errors": 0, "non_2xx": 0}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if not m:
        raise BenchError("no Requests/sec in wrk's output:\n" + out)
    res["rps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in ([0-9.]+)(us|ms|s|m)", out)
    res["requests"] = int(m.group(1)) if m else None
    for pct in ("50", "75", "90", "99"):
        m = re.search(r"^\s+%s(?:\.0+)?%%\s+([0-9.]+(?:us|ms|s|m))\s*$" % pct, out, re.M)
        res["p%s_us" % pct] = to_us(m.group(1)) if m else None
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        res["errors"] = sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        res["non_2xx"] = int(m.group(1))
    return res


def run_wrk(url, args, core, duration):
    cmd = taskset(core) + ["wrk", "-t%d" % args.threads, "-c%d" % args.connections,
                           "-d%ds" % duration, "--latency", url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30)
    if r.returncode != 0:
        raise BenchError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr))
    return r.stdout


def measure(d, url, args):
    if args.warmup > 0:
        run_wrk(url, args, args.load_core, args.warmup)
    cpu0, t0, busy0, wrk0 = proc_cpu_s(d.pid), time.monotonic(), cpu_busy_s(), children_cpu_s()
    out = run_wrk(url, args, args.load_core, args.duration)
    cpu1, t1, busy1, wrk1 = proc_cpu_s(d.pid), time.monotonic(), cpu_busy_s(), children_cpu_s()
    res = parse_wrk(out)
    res["cpu_s"] = cpu1 - cpu0
    res["wall_s"] = t1 - t0
    res["cpu_pct"] = 100.0 * res["cpu_s"] / res["wall_s"]
    res["cpu_us_per_req"] = (1e6 * res["cpu_s"] / res["requests"]) if res["requests"] else None
    # what one core could answer if ipbld had it to itself: independent of how fast wrk is
    res["rps_per_core"] = 1e6 / res["cpu_us_per_req"] if res["cpu_us_per_req"] else None
    res["wrk_cpu_pct"] = 100.0 * (wrk1 - wrk0) / res["wall_s"]
    # other processes on the machine, in % of one core (includes taskset and the kernel)
    res["other_cpu_pct"] = 100.0 * ((busy1 - busy0) - res["cpu_s"] - (wrk1 - wrk0)) / res["wall_s"]
    res["wrk"] = out
    return res


# ---------------------------------------------------------------------------------------------


def fmt(v, spec="%.0f"):
    return "-" if v is None else spec % v


def table(rows):
    head = ("URL", "bytes", "req/s", "p50 ms", "p99 ms", "ipbld CPU µs/req",
            "req/s per ipbld core", "ipbld CPU %", "wrk CPU %", "others CPU %", "errors")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in rows:
        lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %d |" % (
            name, r["bytes"], fmt(r["rps"]), fmt(r["p50_us"] / 1000, "%.2f"),
            fmt(r["p99_us"] / 1000, "%.2f"), fmt(r["cpu_us_per_req"], "%.1f"),
            fmt(r["rps_per_core"]), fmt(r["cpu_pct"]), fmt(r["wrk_cpu_pct"]),
            fmt(r["other_cpu_pct"]), r["errors"] + r["non_2xx"]))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ipbld", default=os.environ.get("IPBLD"))
    ap.add_argument("--ipbl", default=os.environ.get("IPBL"))
    ap.add_argument("--work", default=os.path.join(HERE, "results", "web-work"),
                    help="scratch directory (emptied first)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "web-latest.json"))
    ap.add_argument("--listings", type=int, default=5000,
                    help="listed addresses inserted with SQLite (default 5000)")
    ap.add_argument("--cli-addresses", type=int, default=5,
                    help="addresses listed through the ipbl command (default 5)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each run")
    ap.add_argument("--threads", type=int, default=1, help="wrk's threads")
    ap.add_argument("--server-threads", type=int, default=0,
                    help="ipbld's [web] threads for the main runs (default 0: one per CPU "
                    "it may use, as shipped; 1 when pinned to one core)")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--server-core", type=int, default=0)
    ap.add_argument("--load-core", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="3 s runs, 1 s warm-up")
    args = ap.parse_args(argv)
    if args.quick:
        args.duration, args.warmup = 3, 1
    if (os.cpu_count() or 1) < 2:
        args.server_core = args.load_core = None
    for what, path in (("--ipbld", args.ipbld), ("--ipbl", args.ipbl)):
        if not path or not os.access(path, os.X_OK):
            ap.error("%s: not an executable: %r" % (what, path))
    if shutil.which("wrk") is None:
        ap.error("wrk is not installed (scripts/bootstrap installs it)")

    args.work = os.path.abspath(args.work)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    conf, db = write_conf(args.work, args.server_threads)
    t = time.monotonic()
    targets = fill_cli(args.ipbl, conf, args.cli_addresses)
    password = os.path.join(args.work, "password")
    with open(password, "w") as f:
        f.write(DEPUTY_PASSWORD + "\n")
    run_ipbl(args.ipbl, conf, "deputy", "add", DEPUTY, "--password-file", password)
    total, _ = fill_sqlite(db, args.listings)
    log("store: %d listed addresses (%d through ipbl) in %.1f s" % (
        total, len(targets), time.monotonic() - t))

    d = Daemon(args.ipbld, conf, args.work, args.server_core)
    try:
        urls = [("/api/v1/lookup/" + TARGET, "API (JSON)"), ("/lookup?ip=" + TARGET, "page (HTML)")]
        rows, results = [], {}
        for path, name in urls:
            status, body = fetch(d.base + path)
            if status != 200:
                raise BenchError("GET %s: %d %r" % (path, status, body[:200]))
            if path.startswith("/api/") and json.loads(body).get("listed") is not True:
                raise BenchError("%s is not listed: %r" % (TARGET, body[:300]))
            if path.startswith("/lookup") and b"is listed</h1>" not in body:
                raise BenchError("the lookup page does not say listed")
            log("wrk %s (%d bytes): %d s" % (path, len(body), args.duration))
            r = measure(d, d.base + path, args)
            r["bytes"] = len(body)
            r["path"] = path
            rows.append(("`%s`" % path, r))
            results[name] = r
        if d.proc.poll() is not None:
            raise BenchError("ipbld exited during the run; log:\n" + d.log_text())
    finally:
        d.stop()
    log("API lookups while deputy logins fail beside them: [web] threads = 1, then 2")
    logins = logins_phase(args, args.work)

    api = results["API (JSON)"]
    goal_ok = api["rps"] >= GOAL_API_RPS and api["errors"] + api["non_2xx"] == 0
    info = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": "%s, %d CPUs, kernel %s" % (platform.processor() or platform.machine(),
                                               os.cpu_count() or 0, platform.release()),
        "listed": total, "duration_s": args.duration, "connections": args.connections,
        "threads": args.threads, "server_threads": args.server_threads,
        "server_core": args.server_core,
        "load_core": args.load_core,
    }
    print()
    print("ipbld web, %d listed addresses; [web] threads = %d; wrk -t%d -c%d -d%ds --latency; "
          "ipbld on core %s, wrk on core %s" % (total, args.server_threads, args.threads,
                                                args.connections, args.duration,
                                                args.server_core, args.load_core))
    print()
    print(table(rows))
    print()
    print("- %s at least %d API lookups/s on one core (measured %.0f/s with p99 %.2f ms; "
          "ipbld's CPU time allows %.0f/s on a core of its own)" % (
              "**PASS**" if goal_ok else "**FAIL**", GOAL_API_RPS, api["rps"],
              (api["p99_us"] or 0) / 1000, api["rps_per_core"] or 0))
    print()
    print("API lookups while one client fails deputy logins (argon2id) as fast as it can:")
    print()
    print(logins_table(logins, args.duration))
    print()
    noisy = [n for n, r in results.items() if r["other_cpu_pct"] > 15]
    if noisy:
        print("- note: other processes used more than 15 %% of a core during %s: the figures "
              "are lower than on a quiet machine" % ", ".join(noisy))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"info": info, "results": results, "logins": logins,
                   "goal_api_rps": GOAL_API_RPS,
                   "goal_met": goal_ok}, f, indent=1)
    log("figures in %s" % args.out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log("error: %s" % e)
        sys.exit(1)
