#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ipbl listing-engine benchmark (issue #3), three parts:

  writes   reports, trap hits and expiries per second through the engine on a SQLite store,
           in-process, one core (bench_engine);
  latency  the time from a filed report or trap hit (the `ipbl` command's exit) until ipbld
           answers the address with 127.0.0.2, while dnsload keeps it under query load;
  expiry   a store with N listings (1,000,000 by default) that all end at the same moment:
           ipbld serves them under a steady query load, the manual clock jumps 25 h, and we
           record how long delisting them all takes and every DNS answer's latency meanwhile.

Builds nothing: it is given the binaries. Loopback only; every wait is bounded. Prints a
summary and writes the figures to --out (JSON). See bench/README.md for the method.
"""

import argparse
import json
import os
import random
import select
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_dataset  # noqa: E402

ZONE = "bl.example.org"
START_TIMEOUT = 120.0   # ipbld with 1M listings loads them before READY
SERVER_CORES = [0]      # as run.py: the server on core 0, load and driver on core 1
LOAD_CORES = [1]
SOCKETS = 16

PROFILES = {
    # expiry: 200,000 rather than 1,000,000 listings, which take about 10 minutes to delist
    # as the engine stands (see bench/README.md); --expire-n 1000000 --expire-budget 1200
    "full": dict(reports=50000, traps=20000, listings=300, lat_rate=20000, expire_n=200000,
                 expire_rate=20000, baseline_s=10, expire_budget_s=150),
    "quick": dict(reports=10000, traps=4000, listings=60, lat_rate=10000, expire_n=100000,
                  expire_rate=10000, baseline_s=4, expire_budget_s=60),
}


def log(msg):
    print("engine-bench: " + msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def taskset(cores):
    return ["taskset", "-c", ",".join(str(c) for c in cores)]


def cpu_busy_s():
    """(busy, steal) seconds of both cores so far, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    tck = os.sysconf("SC_CLK_TCK")
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / tck, v[7] / tck


def proc_cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return 0.0
    fields = data[data.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def noise(b0, b1, wall, own_s):
    """Percent of the two cores used by other processes (not ipbld, dnsload or the commands
    we ran), and host steal, over wall seconds: how noisy the machine was."""
    other = (b1[0] - b0[0]) - own_s
    return {"other_busy_pct": round(max(other, 0) * 100 / (2 * wall), 1),
            "steal_pct": round((b1[1] - b0[1]) * 100 / (2 * wall), 1)}


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    i = int(round(p / 100.0 * (len(sorted_vals) - 1)))
    return sorted_vals[min(i, len(sorted_vals) - 1)]


# ---------------------------------------------------------------------------------------------
# DNS

def ip4_qname(ip):
    return ".".join(reversed(ip.split("."))) + "." + ZONE


def dns_query(name, qid):
    wire = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.split("."):
        wire += bytes([len(label)]) + label.encode()
    return wire + b"\0" + struct.pack(">HH", 1, 1)


def answers_listed(resp, qid):
    """True when resp answers qid with NOERROR and an A record 127.0.0.2."""
    if len(resp) < 12:
        return False
    rid, flags, _, ancount = struct.unpack(">HHHH", resp[:8])
    return rid == qid and (flags & 0xF) == 0 and ancount > 0 and b"\x7f\x00\x00\x02" in resp[12:]


def wait_listed(port, ip, timeout, interval=0.001):
    """Polls 127.0.0.1:port for ip until it answers 127.0.0.2; returns the monotonic time of
    that answer, or None after timeout seconds. One query every `interval`; an answer to any
    of them counts (a late answer to an earlier query is as good)."""
    name = ip4_qname(ip)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        deadline = time.monotonic() + timeout
        sent = set()
        qid = random.randrange(65536)
        while time.monotonic() < deadline:
            qid = (qid + 1) & 0xFFFF
            sent.add(qid)
            try:
                s.send(dns_query(name, qid))
            except BlockingIOError:
                pass
            end = time.monotonic() + interval
            while True:
                left = end - time.monotonic()
                r, _, _ = select.select([s], [], [], max(left, 0))
                if not r:
                    break
                try:
                    resp = s.recv(2048)
                except (BlockingIOError, ConnectionRefusedError):
                    continue
                t = time.monotonic()
                if len(resp) >= 2 and struct.unpack(">H", resp[:2])[0] in sent and \
                        answers_listed(resp, struct.unpack(">H", resp[:2])[0]):
                    return t
        return None
    finally:
        s.close()


def write_queries(path, n, seed):
    """n query names of random public IPv4 addresses (nearly all unlisted: NXDOMAIN)."""
    rng = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(n):
            f.write(gen_dataset.ip4_qname(gen_dataset.rand_public4(rng)) + "\n")


class Load:
    """dnsload in open loop at a fixed rate, run by a thread in chunks of chunk_s seconds
    until stop(): dnsload prints its figures only when it ends, so a long run is a series of
    short ones (the gap between two is a few milliseconds)."""

    def __init__(self, cfg, port, rate, queries, chunk_s):
        self.cmd = taskset(LOAD_CORES) + [cfg.dnsload, "-s", "127.0.0.1:%d" % port, "-f",
                                          queries, "-m", "open", "-r", str(rate), "-K",
                                          "-S", str(SOCKETS), "-d", str(chunk_s)]
        self.chunk_s = chunk_s
        self.chunks = []
        self.error = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        # bounded: one chunk at most 3600 / chunk_s times
        for _ in range(int(3600 / self.chunk_s)):
            if self._stop.is_set():
                return
            t = time.monotonic()
            try:
                p = subprocess.run(self.cmd, capture_output=True, text=True,
                                   timeout=self.chunk_s + 30)
            except subprocess.TimeoutExpired as e:
                self.error = "dnsload hung: %s" % e
                return
            if p.returncode != 0:
                self.error = "dnsload failed (%d): %s" % (p.returncode, p.stderr.strip())
                return
            res = json.loads(p.stdout.strip().splitlines()[-1])
            res["t_start"] = t
            self.chunks.append(res)

    def start(self):
        self._thread.start()

    def mark(self):
        """The start time of the chunk that begins next (waits for it, at most chunk_s + 5 s),
        so a phase can begin on a chunk boundary."""
        n = len(self.chunks)
        deadline = time.monotonic() + self.chunk_s + 5
        while len(self.chunks) == n and time.monotonic() < deadline and not self.error:
            time.sleep(0.002)
        return time.monotonic()

    def halt(self):
        """Lets the running chunk finish (idempotent; no error raised)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.chunk_s + 40)

    def stop(self):
        """halt(), then every chunk, or BenchError when dnsload failed."""
        self.halt()
        if self.error:
            raise BenchError(self.error)
        return self.chunks


def merge_chunks(chunks, t_from=None):
    """Totals of dnsload chunks (those started at or after t_from, when given)."""
    sel = [c for c in chunks if t_from is None or c["t_start"] >= t_from - 0.001]
    out = {"chunks": len(sel)}
    for k in ("sent", "received", "lost", "skipped", "slow_10ms"):
        out[k] = sum(c.get(k, 0) for c in sel)
    out["max_us"] = max((c["lat_us"]["max"] for c in sel), default=None)
    out["p999_us_worst_chunk"] = max((c["lat_us"]["p999"] for c in sel), default=None)
    p999 = sorted(c["lat_us"]["p999"] for c in sel)
    out["p999_us_median_chunk"] = p999[len(p999) // 2] if p999 else None
    out["p99_us_worst_chunk"] = max((c["lat_us"]["p99"] for c in sel), default=None)
    out["max_lag_us"] = max((c.get("max_lag_us", 0) for c in sel), default=None)
    # the share of answers over 10 ms, and the answers that would have to be over 10 ms for
    # the p99.9 to be: slow <= 0.1 % means p99.9 < 10 ms over the whole run
    recv = max(out["received"], 1)
    out["slow_pct"] = round(100.0 * out["slow_10ms"] / recv, 4)
    out["p999_under_10ms"] = out["slow_10ms"] <= recv / 1000
    per_sec_max = []
    for c in sel:
        per_sec_max += c.get("per_sec", {}).get("max_us", [])
    out["per_sec_max_us"] = per_sec_max
    return out


# ---------------------------------------------------------------------------------------------
# ipbld

class Daemon:
    def __init__(self, cfg, workdir, conf_extra=""):
        self.cfg = cfg
        self.workdir = workdir
        self.conf = os.path.join(workdir, "ipbl.conf")
        self.logpath = os.path.join(workdir, "ipbld.log")
        self.proc = None
        self.port = None
        with open(self.conf, "w") as f:
            f.write("[main]\ndata_dir = %s\n\n[dns]\nlisten = 127.0.0.1:0\nzone = %s\n"
                    "\n[policy]\n%s" % (os.path.join(workdir, "data"), ZONE, conf_extra))

    def ipbl(self, args, stdin=None, timeout=60):
        t0 = time.monotonic()
        p = subprocess.run([self.cfg.ipbl, "-c", self.conf] + args, input=stdin,
                           capture_output=True, text=True, timeout=timeout)
        t1 = time.monotonic()
        if p.returncode != 0:
            raise BenchError("ipbl %s: exit %d: %s" % (" ".join(args), p.returncode,
                                                       p.stderr.strip()))
        return p.stdout, t0, t1

    def start(self):
        rfd, wfd = os.pipe()
        t0 = time.monotonic()
        try:
            with open(self.logpath, "w") as logf:
                self.proc = subprocess.Popen(
                    taskset(SERVER_CORES) + [self.cfg.ipbld, "-c", self.conf, "--ready-fd",
                                             str(wfd)],
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
                elif self.proc.poll() is not None:
                    break
        finally:
            os.close(rfd)
            if wfd >= 0:
                os.close(wfd)
        line = buf.decode(errors="replace").strip()
        if not line.startswith("READY"):
            raise BenchError("ipbld did not become ready: %s" % self.log_tail())
        self.port = int(line.split("dns=", 1)[1].split(",")[0].split()[0].rsplit(":", 1)[1])
        return time.monotonic() - t0

    def log_text(self):
        try:
            with open(self.logpath, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=5):
        return " | ".join(self.log_text().strip().splitlines()[-n:])

    def zone_loads(self):
        """[(ip4_hosts, ms)] of every 'zone loaded' line so far. The log is read on from where
        the last call stopped: the driver shares a core with the load generator, and reading
        the whole log ten times a second during a long expiry took CPU from it."""
        if not hasattr(self, "_loads") or self._log_pos > os.path.getsize(self.logpath):
            self._loads, self._log_pos, self._partial = [], 0, b""
        with open(self.logpath, "rb") as f:
            f.seek(self._log_pos)
            data = self._partial + f.read()
            self._log_pos = f.tell()
        lines = data.split(b"\n")
        self._partial = lines.pop()  # a line not finished yet
        for raw in lines:
            line = raw.decode(errors="replace")
            if "zone loaded" in line:
                kv = dict(t.split("=", 1) for t in line.split() if "=" in t)
                self._loads.append((int(kv.get("ip4_hosts", -1)), int(kv.get("ms", -1))))
        return list(self._loads)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


# ---------------------------------------------------------------------------------------------
# 1. writes per second in-process

def part_writes(cfg, prof):
    d = os.path.join(cfg.work, "writes")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    cmd = taskset(SERVER_CORES) + [cfg.bench_engine, "-d", d, "-n", str(prof["reports"]),
                                   "-t", str(prof["traps"])]
    log("writes: %d reports, %d trap hits, then expiry (bench_engine)"
        % (prof["reports"], prof["traps"]))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise BenchError("bench_engine failed (%d): %s" % (p.returncode, p.stderr.strip()))
    res = json.loads(p.stdout.strip().splitlines()[-1])
    shutil.rmtree(d, ignore_errors=True)
    return res


# ---------------------------------------------------------------------------------------------
# 2. report-to-answer latency under query load

def message(tag):
    return ("From: spammer@example.net\nTo: victim@example.org\nSubject: offer %s\n"
            "Message-ID: <%s@example.net>\n\nBuy now. %s\n" % (tag, tag, tag))


def list_one(dm, ip, kind, n):
    """Files what lists ip: two reports from two reporters, or one trap hit. Returns the
    acknowledgement time (the last command's exit) and the commands' own wall time."""
    if kind == "reports":
        out1, a0, _ = dm.ipbl(["report", "--reporter", "r1", "--ip", ip, "-"],
                              stdin=message("%d-a" % n))
        out2, _, ack = dm.ipbl(["report", "--reporter", "r2", "--ip", ip, "-"],
                               stdin=message("%d-b" % n))
        out = out2
    else:
        out, a0, ack = dm.ipbl(["trap", "--peer", ip, "-"], stdin=message("%d-t" % n))
    if "status: listed" not in out:
        raise BenchError("%s for %s did not list it: %s" % (kind, ip, out.strip()))
    return ack, ack - a0


def latency_series(dm, n, rng, timeout_each=10.0, budget_s=240.0):
    """n listings of fresh addresses, alternating two reports and one trap hit."""
    rows = []
    t_end = time.monotonic() + budget_s
    for i in range(n):
        if time.monotonic() > t_end:
            log("latency: time budget spent after %d listings" % i)
            break
        ip = gen_dataset.ip4_str(gen_dataset.rand_public4(rng))
        kind = "reports" if i % 2 == 0 else "trap"
        ack, cli_s = list_one(dm, ip, kind, i)
        t = wait_listed(dm.port, ip, timeout_each)
        rows.append({"kind": kind, "cli_s": cli_s,
                     "latency_s": None if t is None else max(t - ack, 0.0)})
        # the next filing comes a little later, as real reports do (and the tick's phase moves)
        time.sleep(rng.uniform(0, 0.05))
    return rows


def summarize_latency(rows):
    out = {}
    for kind in ("all", "reports", "trap"):
        sel = [r for r in rows if kind == "all" or r["kind"] == kind]
        lat = sorted(r["latency_s"] for r in sel if r["latency_s"] is not None)
        cli = sorted(r["cli_s"] for r in sel)
        out[kind] = {
            "n": len(sel),
            "timeouts": sum(1 for r in sel if r["latency_s"] is None),
            "p50_ms": round(pct(lat, 50) * 1000, 1) if lat else None,
            "p99_ms": round(pct(lat, 99) * 1000, 1) if lat else None,
            "max_ms": round(lat[-1] * 1000, 1) if lat else None,
            "cli_p50_ms": round(pct(cli, 50) * 1000, 1) if cli else None,
        }
    return out


def part_latency(cfg, prof, queries):
    d = os.path.join(cfg.work, "latency")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    dm = Daemon(cfg, d)
    for r in ("r1", "r2"):
        dm.ipbl(["reporter", "add", r])
    dm.start()
    load = Load(cfg, dm.port, prof["lat_rate"], queries, 5)
    log("latency: %d listings through the ipbl command, ipbld under %d qps"
        % (prof["listings"], prof["lat_rate"]))
    rng = random.Random(3)
    try:
        load.start()
        t_mark = load.mark()  # filing starts with the second chunk: the load is steady
        rows = latency_series(dm, prof["listings"], rng)
        chunks = load.stop()
    finally:
        load.halt()
        dm.stop()
    res = summarize_latency(rows)
    res["load"] = merge_chunks(chunks, t_from=t_mark)
    res["load"].pop("per_sec_max_us", None)
    res["rate_qps"] = prof["lat_rate"]
    loads = dm.zone_loads()
    res["zone_builds"] = len(loads)
    shutil.rmtree(d, ignore_errors=True)
    return res


# ---------------------------------------------------------------------------------------------
# 3. expiring N listings at once

def make_store(cfg, dm, n, t_ms):
    """Fills dm's store with n listed addresses, each held by one trap hit at t_ms, so all of
    them end at t_ms + 24 h (the default [policy] expire). A template per (n, schema version)
    is kept in the work directory and copied, since filling takes a while."""
    dm.ipbl(["reporter", "add", "bench"])  # creates the store with the current schema
    db = os.path.join(dm.workdir, "data", "ipbl.db")
    con = sqlite3.connect(db)
    version = con.execute("PRAGMA user_version").fetchone()[0]
    con.close()
    tmpl = os.path.join(cfg.work, "expire-%d-v%d-t%d.db" % (n, version, t_ms))
    if not os.path.exists(tmpl):
        log("expiry: building a store of %d listings (kept as %s)" % (n, tmpl))
        t0 = time.monotonic()
        con = sqlite3.connect(db)
        con.execute("PRAGMA synchronous = OFF")
        rng = random.Random(11)
        ips = set()
        while len(ips) < n:
            ips.add(gen_dataset.rand_public4(rng))
        texts = sorted(gen_dataset.ip4_str(a) for a in ips)  # the store's key order
        expire = t_ms + 24 * 3600 * 1000
        reason = ("caught by spamtrap 1 time in the past day (score 5, threshold 5); listed "
                  "until 24 hours after the last hit")
        with con:
            con.executemany(
                "INSERT INTO trap_hits (trap_address, ip, helo, received_ms, digest) "
                "VALUES ('trap@example.org', ?, 'spammer.example.net', ?, ?)",
                ((ip, t_ms, "%064x" % i) for i, ip in enumerate(texts)))
            con.executemany(
                "INSERT INTO listings (ip, listed, listed_since_ms, last_evidence_ms, "
                "delist_at_ms, reason_code, reason_text) VALUES (?, 1, ?, ?, ?, "
                "'listed_traps', ?)",
                ((ip, t_ms, t_ms, expire, reason) for ip in texts))
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        shutil.copyfile(db, tmpl + ".tmp")
        os.replace(tmpl + ".tmp", tmpl)
        log("expiry: store built in %.1f s" % (time.monotonic() - t0))
    else:
        for suffix in ("-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        shutil.copyfile(tmpl, db)
    return db


def listed_count(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
    try:
        return con.execute("SELECT count(*) FROM listings WHERE listed = 1").fetchone()[0]
    finally:
        con.close()


def part_expiry(cfg, prof, queries, n):
    d = os.path.join(cfg.work, "expiry")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    dm = Daemon(cfg, d)
    with open(dm.conf, "a") as f:
        f.write("\n[testing]\nmanual_clock = yes\n")
    t_ms = 1796000000000  # a fixed moment (2026-11-30), so the template can be reused
    os.makedirs(os.path.join(d, "data"), exist_ok=True)
    dm.ipbl(["clock", "set", "@%d" % (t_ms // 1000)])
    db = make_store(cfg, dm, n, t_ms)
    res = {"listings": n}
    res["start_to_ready_s"] = round(dm.start(), 3)
    loads = dm.zone_loads()
    if not loads or loads[-1][0] != n:
        raise BenchError("ipbld serves %s addresses, expected %d" % (loads[-1:] or "no", n))
    res["snapshot_build_ms"] = loads[-1][1]
    rate = prof["expire_rate"]
    load = Load(cfg, dm.port, rate, queries, 5)
    chunks = []
    try:
        log("expiry: baseline, %d qps for %d s with %d listed" % (rate, prof["baseline_s"], n))
        load.start()
        load.mark()  # the first chunk warms up and is not counted
        t_base = time.monotonic()
        time.sleep(max(prof["baseline_s"] - 1, 0))
        t_adv = load.mark()  # the expiry starts with a chunk
        b_adv, c_adv = cpu_busy_s(), proc_cpu_s(dm.proc.pid)
        dm.ipbl(["clock", "advance", "25h"])
        t_clock = time.monotonic()
        log("expiry: clock advanced 25 h; waiting (at most %d s) until nothing is listed"
            % prof["expire_budget_s"])
        progress = []
        t_zero = None
        seen = 0
        while time.monotonic() < t_clock + prof["expire_budget_s"]:
            loads = dm.zone_loads()
            for hosts, ms in loads[seen:]:
                progress.append((round(time.monotonic() - t_clock, 2), hosts, ms))
            seen = len(loads)
            if loads and loads[-1][0] == 0:
                t_zero = time.monotonic()
                b_end, c_end = cpu_busy_s(), proc_cpu_s(dm.proc.pid)
                break
            if dm.proc.poll() is not None:
                raise BenchError("ipbld exited: %s" % dm.log_tail())
            time.sleep(0.5)
        chunks = load.stop()
    finally:
        load.halt()
        remaining = None
        try:
            remaining = listed_count(db)
        except sqlite3.Error:
            pass
        dm.stop()
    res["expired_all"] = t_zero is not None
    res["expire_s"] = round(t_zero - t_clock, 2) if t_zero else None
    res["remaining_listed"] = remaining
    done = n - (remaining or 0)
    res["delisted_per_s"] = round(done / ((t_zero or time.monotonic()) - t_clock))
    res["baseline"] = merge_chunks([c for c in chunks
                                    if t_base - 0.01 <= c["t_start"] < t_adv - 0.01])
    res["during"] = merge_chunks(chunks, t_from=t_adv)
    if t_zero:
        gen = sum(c["self_cpu_s"]["user"] + c["self_cpu_s"]["sys"] for c in chunks
                  if c["t_start"] >= t_adv - 0.01)
        res["during"]["ipbld_cpu_s"] = round(c_end - c_adv, 1)
        res["during"]["noise"] = noise(b_adv, b_end, t_zero - t_adv, (c_end - c_adv) + gen)
    builds = [ms for _, hosts, ms in progress]
    res["zone_builds_during"] = len(builds)
    res["zone_build_ms_max"] = max(builds, default=None)
    res["progress"] = progress[:: max(1, len(progress) // 40)]
    res["rate_qps"] = rate
    shutil.rmtree(d, ignore_errors=True)
    return res


# ---------------------------------------------------------------------------------------------

def report(res):
    lines = []
    w = res.get("writes")
    if w:
        r, t, e = w["reports"], w["traps"], w.get("expiry", {})
        lines.append("writes (in-process, SQLite, one core):")
        lines.append("  reports   %6d  %5.0f/s (last half %5.0f/s, per CPU s %5.0f)  "
                     "lat p50 %d us p99 %d us max %d us  listed %d"
                     % (r["n"], r["per_s"], r["per_s_last_half"], r["per_cpu_s"],
                        r["lat_us"]["p50"], r["lat_us"]["p99"], r["lat_us"]["max"],
                        r["listed"]))
        lines.append("  trap hits %6d  %5.0f/s (last half %5.0f/s, per CPU s %5.0f)  "
                     "lat p50 %d us p99 %d us max %d us  listed %d"
                     % (t["n"], t["per_s"], t["per_s_last_half"], t["per_cpu_s"],
                        t["lat_us"]["p50"], t["lat_us"]["p99"], t["lat_us"]["max"],
                        t["listed"]))
        if e:
            lines.append("  expiry    %6d  %5.0f/s (per CPU s %5.0f)  batch of %d: p50 %.1f ms "
                         "max %.1f ms" % (e["delisted"], e["per_s"], e["per_cpu_s"],
                                          e["batch_size"], e["batch_ms"]["p50"],
                                          e["batch_ms"]["max"]))
        lines.append("  goal >= 5000 reports/s: %s"
                     % ("PASS" if r["per_s_last_half"] >= 5000 else "FAIL"))
    lat = res.get("latency")
    if lat:
        lines.append("report-to-answer latency at %d qps:" % lat["rate_qps"])
        for k in ("all", "reports", "trap"):
            s = lat[k]
            lines.append("  %-8s n=%d timeouts=%d p50 %s ms p99 %s ms max %s ms (command %s ms)"
                         % (k, s["n"], s["timeouts"], s["p50_ms"], s["p99_ms"], s["max_ms"],
                            s["cli_p50_ms"]))
        ld = lat["load"]
        lines.append("  load: sent %d lost %d >10ms %d max %s us"
                     % (ld["sent"], ld["lost"], ld["slow_10ms"], ld["max_us"]))
        ok = lat["all"]["timeouts"] == 0 and lat["all"]["p99_ms"] is not None and \
            lat["all"]["p99_ms"] < 1000
        lines.append("  goal p99 < 1 s: %s" % ("PASS" if ok else "FAIL"))
    x = res.get("expiry")
    if x:
        lines.append("expiry of %d listings at %d qps:" % (x["listings"], x["rate_qps"]))
        lines.append("  all delisted: %s in %s s (%d/s); remaining %s; zone builds %d (max %s ms)"
                     % (x["expired_all"], x["expire_s"], x["delisted_per_s"],
                        x["remaining_listed"], x["zone_builds_during"], x["zone_build_ms_max"]))
        for ph in ("baseline", "during"):
            s = x[ph]
            lines.append("  %-8s sent %d lost %d >10ms %d (%.3f %%) max %s us p99.9 worst "
                         "chunk %s us, median chunk %s us"
                         % (ph, s["sent"], s["lost"], s["slow_10ms"], s["slow_pct"],
                            s["max_us"], s["p999_us_worst_chunk"], s["p999_us_median_chunk"]))
        if "noise" in x["during"]:
            lines.append("  during: ipbld CPU %s s; other processes %s %% of both cores, "
                         "steal %s %%" % (x["during"]["ipbld_cpu_s"],
                                          x["during"]["noise"]["other_busy_pct"],
                                          x["during"]["noise"]["steal_pct"]))
        lines.append("  goal no answer slower than 10 ms: %s"
                     % ("PASS" if x["during"]["slow_10ms"] == 0 and x["during"]["lost"] == 0
                        else "FAIL"))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description="ipbl listing-engine benchmark (bench/README.md)")
    ap.add_argument("--ipbld", default=os.environ.get("IPBLD"), help="ipbld binary")
    ap.add_argument("--ipbl", default=os.environ.get("IPBL"), help="ipbl binary")
    ap.add_argument("--bench-engine", default=os.environ.get("BENCH_ENGINE"),
                    help="bench_engine binary")
    ap.add_argument("--dnsload", default=os.environ.get("DNSLOAD"), help="dnsload binary")
    ap.add_argument("--work", required=True, help="scratch directory")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "engine.json"))
    ap.add_argument("--quick", action="store_true", help="smaller runs (~1.5 min)")
    ap.add_argument("--only", choices=("writes", "latency", "expiry"), action="append",
                    help="run only this part (repeatable)")
    ap.add_argument("--expire-n", type=int, default=None,
                    help="listings for the expiry part (default 200000, 100000 with --quick)")
    ap.add_argument("--expire-budget", type=int, default=None,
                    help="seconds the expiry part may take (default 150, 60 with --quick)")
    cfg = ap.parse_args(argv)
    for k in ("ipbld", "ipbl", "bench_engine", "dnsload"):
        if not getattr(cfg, k) or not os.access(getattr(cfg, k), os.X_OK):
            ap.error("--%s: not an executable: %r" % (k.replace("_", "-"), getattr(cfg, k)))
    prof = dict(PROFILES["quick" if cfg.quick else "full"])
    if cfg.expire_budget:
        prof["expire_budget_s"] = cfg.expire_budget
    parts = cfg.only or ["writes", "latency", "expiry"]
    os.makedirs(cfg.work, exist_ok=True)
    try:
        os.sched_setaffinity(0, set(LOAD_CORES))
    except OSError:
        pass
    queries = os.path.join(cfg.work, "engine-queries.txt")
    if not os.path.exists(queries):
        write_queries(queries, 20000, 29)
    res = {"profile": "quick" if cfg.quick else "full",
           "time": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    t0 = time.monotonic()
    try:
        if "writes" in parts:
            res["writes"] = part_writes(cfg, prof)
        if "latency" in parts:
            res["latency"] = part_latency(cfg, prof, queries)
        if "expiry" in parts:
            res["expiry"] = part_expiry(cfg, prof, queries, cfg.expire_n or prof["expire_n"])
    except (BenchError, subprocess.TimeoutExpired) as e:
        log("failed: %s" % e)
        return 1
    res["duration_s"] = round(time.monotonic() - t0, 1)
    os.makedirs(os.path.dirname(os.path.abspath(cfg.out)), exist_ok=True)
    with open(cfg.out, "w") as f:
        json.dump(res, f, indent=1)
    print(report(res))
    log("done in %.0f s; figures in %s" % (res["duration_s"], cfg.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
