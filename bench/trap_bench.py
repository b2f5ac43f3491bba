#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ipbl spamtrap benchmark: the [trap] listener of the real release ipbld on loopback.

Three phases, each on a fresh ipbld ([dns] and [trap] on 127.0.0.1, port 0) with its own
data directory, so the listening engine drains the spool into its own SQLite store:

  smtp-source  Postfix's smtp-source (20 parallel sessions, one message per session, then
               the same messages over 20 sessions that stay connected). Its client is
               127.0.0.1, which is never listed: the engine takes every spooled message and
               drops it by design ("a loopback address is never listed"). We count those.
  proxy        A small asyncio client that starts every session with a PROXY v1 header from
               a distinct global address (the daemon has proxy_from = 127.0.0.1), so every
               message becomes a trap hit in the store and lists its address; checked with
               SQLite and one DNS query.
  idle         10,000 TCP connections to the listener that read the 220 greeting and then
               stay idle: ipbld's VmRSS before and with them open (goal: under 100 MB), and
               the CPU time it uses while they idle for 10 s.

smtp-source is not installed: when WORK/postfix/ does not hold it yet, the script fetches the
Debian package with `apt-get download postfix` and unpacks it with `dpkg -x` (no MTA is
configured or started). When that fails, the smtp-source phase is skipped with a message and
the others still run. See bench/README.md ("The spamtrap listener") for the method.
"""

import argparse
import asyncio
import glob
import json
import os
import platform
import random
import re
import resource
import select
import selectors
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")
START_TIMEOUT = 30.0
DRAIN_TIMEOUT = 120.0
ZONE = "bl.example.org"
TRAP_RCPT = "spam@trap.example.org"
SENDER = "sender@example.net"
GOAL_IDLE_RSS_MB = 100.0


def log(msg):
    print("trap-bench: " + msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


class Skip(Exception):
    pass


def proc_cpu_s(pid):
    """utime+stime of the whole process (all threads), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise BenchError("no %s in /proc/%d/status" % (key, pid))


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
# smtp-source from the Debian package, unpacked and never installed


def find_smtp_source(root):
    tool = os.path.join(root, "usr", "sbin", "smtp-source")
    libs = os.path.join(root, "usr", "lib", "postfix")
    if os.access(tool, os.X_OK) and os.path.isdir(libs):
        return tool, libs
    return None


def fetch_smtp_source(pfdir):
    """(smtp-source, its library directory, package version); raises Skip with the reason
    when the package cannot be had. Downloads once: later runs reuse WORK/postfix/."""
    root = os.path.join(pfdir, "root")
    found = find_smtp_source(root)
    if found is None:
        if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
            raise Skip("apt-get or dpkg is not available to fetch the postfix package")
        dl = os.path.join(pfdir, "download")
        shutil.rmtree(dl, ignore_errors=True)
        os.makedirs(dl)
        log("fetching smtp-source: apt-get download postfix (into %s; not installed)" % dl)
        try:
            r = subprocess.run(["apt-get", "download", "postfix"], cwd=dl, capture_output=True,
                               text=True, timeout=180)
        except subprocess.TimeoutExpired:
            raise Skip("apt-get download postfix did not finish within 180 s")
        debs = glob.glob(os.path.join(dl, "postfix_*.deb"))
        if r.returncode != 0 or not debs:
            raise Skip("apt-get download postfix failed (exit %d): %s" % (
                r.returncode, (r.stderr or r.stdout).strip()[-500:]))
        shutil.rmtree(root, ignore_errors=True)
        r = subprocess.run(["dpkg", "-x", debs[0], root], capture_output=True, text=True,
                           timeout=120)
        if r.returncode != 0:
            raise Skip("dpkg -x %s failed: %s" % (debs[0], r.stderr.strip()))
        found = find_smtp_source(root)
        if found is None:
            raise Skip("the postfix package has no usr/sbin/smtp-source")
    tool, libs = found
    env = dict(os.environ, LD_LIBRARY_PATH=libs)
    r = subprocess.run(["ldd", tool], capture_output=True, text=True, env=env, timeout=30)
    if "not found" in r.stdout:
        raise Skip("smtp-source misses libraries: %s" % " ".join(
            l.strip() for l in r.stdout.splitlines() if "not found" in l))
    version = "?"
    debs = glob.glob(os.path.join(pfdir, "download", "postfix_*.deb"))
    if debs:
        m = re.match(r"postfix_([^_]+)_", os.path.basename(debs[0]))
        version = m.group(1) if m else "?"
    return tool, libs, version


# ---------------------------------------------------------------------------------------------
# The daemon


class Daemon:
    def __init__(self, ipbld, work, name, trap_extra, core):
        self.dir = os.path.join(work, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.data)
        self.conf = os.path.join(self.dir, "ipbl.conf")
        with open(self.conf, "w") as f:
            f.write("[main]\ndata_dir = %s\n\n[dns]\nlisten = 127.0.0.1:0\nzone = %s\n\n"
                    "[trap]\nlisten = 127.0.0.1:0\naddresses = @trap.example.org\n%s"
                    % (self.data, ZONE, trap_extra))
        self.spool = os.path.join(self.data, "spool", "trap")
        self.db = os.path.join(self.data, "ipbl.db")
        self.log_path = os.path.join(self.dir, "ipbld.log")
        self.log_file = open(self.log_path, "wb")
        rfd, wfd = os.pipe()
        try:
            self.proc = subprocess.Popen(taskset(core) + [ipbld, "-c", self.conf, "--ready-fd",
                                                          str(wfd)],
                                         stdin=subprocess.DEVNULL, stdout=self.log_file,
                                         stderr=self.log_file, pass_fds=(wfd,))
        finally:
            os.close(wfd)
        try:
            line = self._ready(rfd)
        finally:
            os.close(rfd)
        m = re.search(r"\btrap=(\d+\.\d+\.\d+\.\d+):(\d+)", line)
        d = re.search(r"\bdns=(\d+\.\d+\.\d+\.\d+):(\d+)", line)
        if not m or not d:
            self.stop()
            raise BenchError("no trap= or dns= endpoint in READY line %r" % line)
        self.trap = (m.group(1), int(m.group(2)))
        self.dns = (d.group(1), int(d.group(2)))

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

    def alive(self):
        if self.proc.poll() is not None:
            raise BenchError("ipbld exited (%s); log:\n%s" % (self.proc.returncode,
                                                               self.log_text()[-3000:]))

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def spool_files(self):
        return sum(len(os.listdir(os.path.join(self.spool, d))) for d in ("tmp", "new"))

    def bad_files(self):
        return len(os.listdir(os.path.join(self.spool, "bad")))

    def store_counts(self):
        """(trap_hits rows, listed addresses), read with SQLite beside the running daemon."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=10)
        try:
            hits = con.execute("SELECT count(*) FROM trap_hits").fetchone()[0]
            listed = con.execute("SELECT count(*) FROM listings WHERE listed = 1").fetchone()[0]
            return hits, listed
        finally:
            con.close()

    def wait_drained(self, want_hits=None, timeout=DRAIN_TIMEOUT):
        """Waits until the spool is empty (and, when given, want_hits trap hits are in the
        store). Returns the monotonic time it was seen so, or raises BenchError."""
        deadline = time.monotonic() + timeout
        while True:
            self.alive()
            n = self.spool_files()
            hits = self.store_counts()[0] if want_hits is not None else None
            if n == 0 and (want_hits is None or hits >= want_hits):
                return time.monotonic()
            if time.monotonic() > deadline:
                raise BenchError("spool not drained within %.0f s: %d files left, %s trap "
                                 "hits in the store" % (timeout, n, hits))
            time.sleep(0.05)

    def count_log(self, pattern):
        return len(re.findall(pattern, self.log_text()))

    def stats_line(self, timeout=5.0):
        """Asks for the counters (SIGUSR1) and returns the new `trap: stats` line."""
        before = self.count_log(r"trap: stats ")
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = re.findall(r"trap: stats [^\n]*", self.log_text())
            if len(lines) > before:
                return lines[-1]
            time.sleep(0.05)
        raise BenchError("no trap stats line within %.0f s of SIGUSR1" % timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if not self.log_file.closed:
            self.log_file.close()


# ---------------------------------------------------------------------------------------------
# Phase 1: smtp-source


def run_smtp_source(d, tool, libs, args, keep_connected):
    """One smtp-source run against d; returns its figures (messages counted from its -c
    counter, so a run cut short by the time limit still counts what it did)."""
    cmd = [tool, "-s", str(args.parallel), "-m", str(args.messages), "-t", TRAP_RCPT,
           "-f", SENDER, "-M", "bench.example", "-c"]
    if args.size:
        cmd += ["-l", str(args.size)]
    if keep_connected:
        cmd.append("-d")
    cmd.append("%s:%d" % d.trap)
    env = dict(os.environ, LD_LIBRARY_PATH=libs)
    cpu0, busy0, t0 = proc_cpu_s(d.pid), cpu_busy_s(), time.monotonic()
    child0 = children_cpu_s()
    p = subprocess.Popen(taskset(args.load_core) + cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    cut = False
    try:
        out, err = p.communicate(timeout=args.smtp_timeout)
    except subprocess.TimeoutExpired:
        cut = True
        p.kill()
        out, err = p.communicate(timeout=10)
    t1 = time.monotonic()
    client_cpu = children_cpu_s() - child0
    counts = re.findall(rb"(\d+)\r", out)
    done = int(counts[-1]) if counts else 0
    if p.returncode != 0 and not cut:
        raise BenchError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                              err.decode("utf-8", "replace").strip()))
    # the end-to-end figure: until the engine has taken every spooled message
    t2 = d.wait_drained()
    cpu1, busy1 = proc_cpu_s(d.pid), cpu_busy_s()
    wall = t1 - t0
    res = {
        "mode": "one session per message" if not keep_connected else
                "%d sessions kept connected (-d)" % args.parallel,
        "cmd": " ".join(cmd[:-1]) + " 127.0.0.1:PORT",
        "messages": done, "cut_at_time_limit": cut, "wall_s": wall,
        "messages_per_s": done / wall if wall > 0 else 0,
        "drained_s": t2 - t0,
        "messages_per_s_to_engine": done / (t2 - t0) if t2 > t0 else 0,
        "ipbld_cpu_s": cpu1 - cpu0,
        "ipbld_cpu_us_per_msg": 1e6 * (cpu1 - cpu0) / done if done else None,
        "client_cpu_pct": 100.0 * client_cpu / wall,
        "others_cpu_pct": 100.0 * ((busy1 - busy0) - (cpu1 - cpu0) - client_cpu) / (t2 - t0),
    }
    res["sessions"] = done if not keep_connected else args.parallel
    res["sessions_per_s"] = res["sessions"] / wall if wall > 0 else 0
    return res


def phase_smtp_source(args, tool, libs):
    d = Daemon(args.ipbld, args.work, "smtp-source", "max_sessions_per_ip = 1000\n",
               args.server_core)
    try:
        runs = []
        for keep in (False, True):
            log("smtp-source: %d messages, %d in parallel, %s" % (
                args.messages, args.parallel, "kept connected" if keep else "one per session"))
            runs.append(run_smtp_source(d, tool, libs, args, keep))
        d.alive()
        spooled = d.count_log(r"trap: trap hit spooled peer=127\.0\.0\.1 ")
        dropped = d.count_log(r"trap hit from 127\.0\.0\.1 ignored: a loopback address")
        hits, listed = d.store_counts()
        sent = sum(r["messages"] for r in runs)
        check = {"messages_counted_by_smtp_source": sent, "spooled": spooled,
                 "taken_and_dropped_by_engine": dropped, "trap_hits_in_store": hits,
                 "listed": listed, "spool_left": d.spool_files(), "spool_bad": d.bad_files()}
        if spooled < sent or dropped != spooled or hits != 0 or check["spool_left"] != 0:
            raise BenchError("smtp-source phase does not add up: %r" % check)
        return {"runs": runs, "check": check}
    finally:
        d.stop()


# ---------------------------------------------------------------------------------------------
# Phase 2: PROXY v1 sessions from global addresses, so every hit is recorded


def global_ip(i):
    """The i-th address in 11.0.0.0/8 (globally routable, not special-purpose)."""
    return "11.%d.%d.%d" % ((i // 254) // 256 % 256, (i // 254) % 256, 1 + i % 254)


def message(i, ip, size):
    body = "".join("La de da de da %d.\r\n" % k for k in range(1, 1 + max(1, size // 19)))
    return ("From: <%s>\r\nTo: <%s>\r\nDate: Thu, 3 Dec 2026 09:00:00 +0000\r\n"
            "Message-Id: <bench.%d@%s>\r\n\r\n%s" % (SENDER, TRAP_RCPT, i, ip, body)).encode()


async def smtp_reply(reader, timeout):
    """The last line of one (possibly multi-line) reply."""
    while True:
        line = await asyncio.wait_for(reader.readline(), timeout)
        if not line:
            raise ConnectionError("connection closed")
        if len(line) < 4 or line[3:4] != b"-":
            return line


async def proxy_session(host, port, i, size, timeout):
    ip = global_ip(i)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(("PROXY TCP4 %s 127.0.0.1 %d 25\r\n" % (ip, 1024 + i % 60000)).encode())
        steps = [(None, b"220"), (b"EHLO bench.example\r\n", b"250"),
                 (("MAIL FROM:<%s>\r\n" % SENDER).encode(), b"250"),
                 (("RCPT TO:<%s>\r\n" % TRAP_RCPT).encode(), b"250"),
                 (b"DATA\r\n", b"354"), (message(i, ip, size) + b".\r\n", b"250"),
                 (b"QUIT\r\n", b"221")]
        for cmd, want in steps:
            if cmd is not None:
                writer.write(cmd)
            line = await smtp_reply(reader, timeout)
            if not line.startswith(want):
                raise ConnectionError("session %d: %r after %r" % (i, line, cmd))
    finally:
        writer.close()


async def proxy_load(host, port, n, parallel, size, timeout, deadline):
    queue = list(range(n))
    queue.reverse()
    done = [0]
    errors = []

    async def worker():
        while queue and time.monotonic() < deadline and len(errors) < 10:
            i = queue.pop()
            try:
                await proxy_session(host, port, i, size, timeout)
                done[0] += 1
            except (OSError, asyncio.TimeoutError, ConnectionError) as e:
                errors.append("%s: %s" % (type(e).__name__, e))

    await asyncio.gather(*(worker() for _ in range(parallel)))
    return done[0], errors


def dns_query_a(server, name, timeout=2.0):
    """The A records of name, by one UDP query (None when no answer in time)."""
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(q, server)
        try:
            resp = s.recv(4096)
        except socket.timeout:
            return None
    an = struct.unpack(">H", resp[6:8])[0]
    pos = len(q)   # the header, then the question as it was sent
    out = []
    for _ in range(an):
        while resp[pos] != 0 and resp[pos] < 0xc0:
            pos += resp[pos] + 1
        pos += 2 if resp[pos] >= 0xc0 else 1
        typ, _, _, rdlen = struct.unpack(">HHIH", resp[pos:pos + 10])
        pos += 10
        if typ == 1 and rdlen == 4:
            out.append(socket.inet_ntoa(resp[pos:pos + 4]))
        pos += rdlen
    return out


def phase_proxy(args):
    d = Daemon(args.ipbld, args.work, "proxy", "proxy_from = 127.0.0.1\n", args.server_core)
    try:
        n = args.proxy_sessions
        log("PROXY v1 client: %d sessions from distinct global addresses, %d in parallel"
            % (n, args.parallel))
        cpu0, busy0, t0 = proc_cpu_s(d.pid), cpu_busy_s(), time.monotonic()
        client0 = resource.getrusage(resource.RUSAGE_SELF)
        done, errors = asyncio.run(proxy_load(d.trap[0], d.trap[1], n, args.parallel,
                                              args.size or 213, 10.0,
                                              t0 + args.smtp_timeout))
        t1 = time.monotonic()
        client1 = resource.getrusage(resource.RUSAGE_SELF)
        if errors:
            raise BenchError("PROXY client: %d errors, first: %s" % (len(errors), errors[0]))
        t2 = d.wait_drained(want_hits=done)
        cpu1, busy1 = proc_cpu_s(d.pid), cpu_busy_s()
        hits, listed = d.store_counts()
        probe = global_ip(0).split(".")
        answer = dns_query_a(d.dns, "%s.%s" % (".".join(reversed(probe)), ZONE))
        # the zone follows the store within a tick or two: ask again for a moment
        deadline = time.monotonic() + 5
        while answer != ["127.0.0.2"] and time.monotonic() < deadline:
            time.sleep(0.1)
            answer = dns_query_a(d.dns, "%s.%s" % (".".join(reversed(probe)), ZONE))
        client_cpu = (client1.ru_utime + client1.ru_stime) - (client0.ru_utime +
                                                                client0.ru_stime)
        res = {
            "sessions": done, "cut_at_time_limit": done < n, "wall_s": t1 - t0,
            "sessions_per_s": done / (t1 - t0),
            "drained_s": t2 - t0, "sessions_per_s_to_store": done / (t2 - t0),
            "ipbld_cpu_s": cpu1 - cpu0, "ipbld_cpu_us_per_session": 1e6 * (cpu1 - cpu0) / done,
            "client_cpu_pct": 100.0 * client_cpu / (t1 - t0),
            "others_cpu_pct": 100.0 * ((busy1 - busy0) - (cpu1 - cpu0) - client_cpu) / (t2 - t0),
            "trap_hits_in_store": hits, "listed": listed, "spool_bad": d.bad_files(),
            "dns_probe": {"ip": global_ip(0), "answer": answer},
        }
        if hits != done or listed != done or answer != ["127.0.0.2"] or res["spool_bad"]:
            raise BenchError("PROXY phase does not add up: %r" % res)
        return res
    finally:
        d.stop()


# ---------------------------------------------------------------------------------------------
# Phase 3: idle sessions


def open_idle(host, port, n, timeout, in_flight=64):
    """n connections that have each read the 220 greeting. Returns (sockets, refused lines,
    errors); raises BenchError past the time limit. At most in_flight connections wait for
    their greeting at a time: the listener's accept queue holds 128 (libevent's default
    backlog), and past it Linux answers with SYN cookies whose connections are then lost
    (the client sees them established, the server never accepts them)."""
    sel = selectors.DefaultSelector()
    greeted, refused, errors = [], [], []
    bufs = {}
    opened = 0
    deadline = time.monotonic() + timeout
    try:
        while len(greeted) + len(refused) + len(errors) < n:
            if time.monotonic() > deadline:
                raise BenchError("only %d of %d idle sessions greeted within %.0f s" % (
                    len(greeted), n, timeout))
            while opened < n and len(bufs) < in_flight:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex((host, port))
                bufs[s] = b""
                sel.register(s, selectors.EVENT_READ)
                opened += 1
            for key, _ in sel.select(timeout=0.5):
                s = key.fileobj
                try:
                    chunk = s.recv(1024)
                except BlockingIOError:
                    continue
                except OSError as e:
                    chunk, err = None, e
                if not chunk:
                    errors.append(str(err) if chunk is None else "closed before the greeting")
                    sel.unregister(s)
                    del bufs[s]
                    s.close()
                    continue
                bufs[s] += chunk
                if b"\r\n" in bufs[s]:
                    sel.unregister(s)
                    line = bufs.pop(s)
                    if line.startswith(b"220 "):
                        greeted.append(s)
                    else:
                        refused.append(line.decode("ascii", "replace").strip())
                        s.close()
    except BaseException:
        for s in greeted + list(bufs):
            s.close()
        raise
    finally:
        sel.close()
    return greeted, refused, errors


def quit_all(socks, timeout):
    """Sends QUIT on every socket and counts the 221 replies (bounded by timeout)."""
    sel = selectors.DefaultSelector()
    bufs = {}
    for s in socks:
        try:
            s.send(b"QUIT\r\n")
            bufs[s] = b""
            sel.register(s, selectors.EVENT_READ)
        except OSError:
            pass
    ok = 0
    deadline = time.monotonic() + timeout
    while bufs and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            try:
                chunk = s.recv(1024)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if chunk:
                bufs[s] += chunk
            if not chunk or b"\r\n" in bufs[s]:
                if bufs[s].startswith(b"221 "):
                    ok += 1
                sel.unregister(s)
                del bufs[s]
    sel.close()
    for s in socks:
        s.close()
    return ok


def phase_idle(args):
    n = args.idle
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = n + 256
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            raise BenchError("the fd limit is %d (hard): %d idle sessions need %d, for this "
                             "script and for ipbld" % (hard, n, need))
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    limit = n + 100
    d = Daemon(args.ipbld, args.work, "idle",
               "max_sessions = %d\nmax_sessions_per_ip = %d\n" % (limit, limit),
               args.server_core)
    try:
        time.sleep(1.0)   # let the start-up settle (zone load, first engine tick)
        rss0, hwm0 = proc_status_kb(d.pid, "VmRSS"), proc_status_kb(d.pid, "VmHWM")
        log("idle: opening %d connections (ipbld VmRSS %.1f MB before)" % (n, rss0 / 1024))
        t0 = time.monotonic()
        socks, refused, errors = open_idle(d.trap[0], d.trap[1], n, args.idle_open_timeout)
        t_open = time.monotonic() - t0
        try:
            if refused or errors:
                raise BenchError("idle: %d greeted, %d refused (%s), %d errors (%s)" % (
                    len(socks), len(refused), refused[:1], len(errors), errors[:1]))
            time.sleep(1.0)
            rss1 = proc_status_kb(d.pid, "VmRSS")
            cpu0, t1 = proc_cpu_s(d.pid), time.monotonic()
            log("idle: %d sessions open in %.1f s, VmRSS %.1f MB; holding them %d s"
                % (len(socks), t_open, rss1 / 1024, args.idle_seconds))
            time.sleep(args.idle_seconds)
            cpu1, t2 = proc_cpu_s(d.pid), time.monotonic()
            rss2, hwm2 = proc_status_kb(d.pid, "VmRSS"), proc_status_kb(d.pid, "VmHWM")
            stats = d.stats_line()
            d.alive()
        finally:
            quit_ok = quit_all(socks, 30.0)
        m = re.search(r"\bactive=(\d+)", stats)
        active = int(m.group(1)) if m else None
        rss_mb = max(rss1, rss2) / 1024
        res = {
            "sessions": n, "open_s": t_open, "active_reported_by_ipbld": active,
            "rss_before_mb": rss0 / 1024, "rss_with_sessions_mb": rss1 / 1024,
            "rss_after_idle_mb": rss2 / 1024, "hwm_before_mb": hwm0 / 1024,
            "hwm_mb": hwm2 / 1024,
            "rss_per_session_bytes": 1024.0 * (max(rss1, rss2) - rss0) / n,
            "idle_s": t2 - t1, "idle_cpu_s": cpu1 - cpu0,
            "idle_cpu_pct": 100.0 * (cpu1 - cpu0) / (t2 - t1),
            "quit_221": quit_ok, "goal_mb": GOAL_IDLE_RSS_MB,
            "goal_met": rss_mb < GOAL_IDLE_RSS_MB and active == n and quit_ok == n,
            "stats": stats,
        }
        if active != n or quit_ok != n:
            raise BenchError("idle: ipbld reports %s active sessions, %d of %d answered QUIT"
                             % (active, quit_ok, n))
        return res
    finally:
        d.stop()


# ---------------------------------------------------------------------------------------------


def report(info, results):
    print()
    print("ipbld spamtrap listener, release build; ipbld on core %s, clients on core %s; %s"
          % (info["server_core"], info["load_core"], info["machine"]))
    print()
    ss = results.get("smtp_source")
    if isinstance(ss, dict) and "runs" in ss:
        print("smtp-source (Postfix %s), from 127.0.0.1 (hits dropped by the engine by design):"
              % info.get("postfix", "?"))
        print()
        print("| mode | sessions | messages | wall s | sessions/s | messages/s | until taken by "
              "the engine, msgs/s | ipbld CPU µs/msg | smtp-source CPU % | others CPU % |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in ss["runs"]:
            one = r["sessions"] == r["messages"]
            print("| %s | %d | %d%s | %.2f | %s | %.0f | %.0f | %.0f | %.0f | %.0f |" % (
                r["mode"], r["sessions"], r["messages"],
                " (cut)" if r["cut_at_time_limit"] else "", r["wall_s"],
                "%.0f" % r["sessions_per_s"] if one else "-", r["messages_per_s"],
                r["messages_per_s_to_engine"], r["ipbld_cpu_us_per_msg"] or 0,
                r["client_cpu_pct"], r["others_cpu_pct"]))
        c = ss["check"]
        print()
        print("- spooled %d, taken and dropped by the engine %d (127.0.0.1 is never listed), "
              "trap hits in the store %d, spool left %d" % (
                  c["spooled"], c["taken_and_dropped_by_engine"], c["trap_hits_in_store"],
                  c["spool_left"]))
    elif ss is not None:
        print("smtp-source: SKIPPED, no figure (%s)" % ss)
    px = results.get("proxy")
    if px:
        print()
        print("PROXY v1 client (Python asyncio), %d sessions from distinct global addresses, "
              "one message each:" % px["sessions"])
        print()
        print("- %.0f sessions/s at the listener; %.0f/s until every hit was in the store "
              "(%d trap hits, %d listed; DNS %s -> %s); ipbld %.0f µs CPU a session; client "
              "CPU %.0f %%" % (
                  px["sessions_per_s"], px["sessions_per_s_to_store"], px["trap_hits_in_store"],
                  px["listed"], px["dns_probe"]["ip"], ",".join(px["dns_probe"]["answer"]),
                  px["ipbld_cpu_us_per_session"], px["client_cpu_pct"]))
    idle = results.get("idle")
    if idle:
        print()
        print("- %s %d idle sessions: VmRSS %.1f MB before, %.1f MB with them open (goal < %.0f "
              "MB), %.0f bytes a session; ipbld reports active=%s; CPU while idle %.3f s over "
              "%.1f s (%.2f %% of a core); opened in %.1f s; %d answered QUIT with 221" % (
                  "**PASS**" if idle["goal_met"] else "**FAIL**", idle["sessions"],
                  idle["rss_before_mb"], max(idle["rss_with_sessions_mb"],
                                             idle["rss_after_idle_mb"]),
                  idle["goal_mb"], idle["rss_per_session_bytes"],
                  idle["active_reported_by_ipbld"], idle["idle_cpu_s"], idle["idle_s"],
                  idle["idle_cpu_pct"], idle["open_s"], idle["quit_221"]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ipbld", default=os.environ.get("IPBLD"))
    ap.add_argument("--work", default=os.path.join(HERE, "results", "trap-work"),
                    help="scratch directory; WORK/postfix keeps the unpacked package")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "trap-latest.json"))
    ap.add_argument("--messages", type=int, default=None,
                    help="per smtp-source run (default 5000, 1000 with --quick)")
    ap.add_argument("--parallel", type=int, default=20, help="sessions in parallel")
    ap.add_argument("--size", type=int, default=0,
                    help="message body bytes (smtp-source -l); 0 = smtp-source's default")
    ap.add_argument("--proxy-sessions", type=int, default=None,
                    help="sessions of the PROXY client (default 5000, 1000 with --quick)")
    ap.add_argument("--smtp-timeout", type=float, default=60.0,
                    help="time limit of each load run, seconds")
    ap.add_argument("--idle", type=int, default=10000, help="idle sessions")
    ap.add_argument("--idle-seconds", type=float, default=None,
                    help="how long the idle sessions are held (default 10, 5 with --quick)")
    ap.add_argument("--idle-open-timeout", type=float, default=60.0)
    ap.add_argument("--only", choices=("smtp-source", "proxy", "idle"))
    ap.add_argument("--server-core", type=int, default=0)
    ap.add_argument("--load-core", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="1,000 messages a run, 5 s idle")
    args = ap.parse_args(argv)
    for name, full, quick in (("messages", 5000, 1000), ("proxy_sessions", 5000, 1000),
                              ("idle_seconds", 10.0, 5.0)):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if (os.cpu_count() or 1) < 2:
        args.server_core = args.load_core = None
    if not args.ipbld or not os.access(args.ipbld, os.X_OK):
        ap.error("--ipbld: not an executable: %r" % args.ipbld)
    args.ipbld = os.path.abspath(args.ipbld)
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)

    info = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": "%s, %d CPUs, kernel %s" % (platform.processor() or platform.machine(),
                                               os.cpu_count() or 0, platform.release()),
        "server_core": args.server_core, "load_core": args.load_core,
        "messages": args.messages, "parallel": args.parallel,
    }
    results = {}
    if args.only in (None, "smtp-source"):
        try:
            tool, libs, info["postfix"] = fetch_smtp_source(os.path.join(args.work, "postfix"))
            results["smtp_source"] = phase_smtp_source(args, tool, libs)
        except Skip as e:
            log("SKIPPED the smtp-source figure: %s" % e)
            results["smtp_source"] = str(e)
    if args.only in (None, "proxy"):
        results["proxy"] = phase_proxy(args)
    if args.only in (None, "idle"):
        results["idle"] = phase_idle(args)
    report(info, results)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"info": info, "results": results}, f, indent=1)
    log("figures in %s" % args.out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log("error: %s" % e)
        sys.exit(1)
