# SPDX-License-Identifier: BSD-2-Clause
# Nothing acknowledged is lost: writers (`ipbl report` and `ipbl trap`, several at once) file
# evidence while the test SIGKILLs writers at random moments and SIGKILLs and restarts ipbld.
# Afterwards every acknowledged report and trap hit is in the store exactly once, the stored
# listing of every address equals what the policy decides from all the evidence, and DNS
# answers the same. Bounded: writers run for DURATION seconds.

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time

import dns.rcode

from conftest import IPBL, name4, run_ipbl, wait_until

DURATION = 12.0
WRITERS = 3
IPS = ["45.33.%d.%d" % (32 + i // 8, 10 + i % 8) for i in range(12)]
REPORTERS = ["r1", "r2", "r3"]


def digest(kind, ip, body):
    """The engine's digest of a message: line ends normalised, prefixed by kind and IP."""
    lines = body.split("\n")
    norm = "\n".join(line.rstrip("\r \t") for line in lines)
    prefix = ("report:%s:" if kind == "report" else "trap:%s:") % ip
    return hashlib.blake2b((prefix + norm).encode(), digest_size=32).hexdigest()


class Writer(threading.Thread):
    """Files evidence in a loop; kills some of its own ipbl processes mid-run."""

    def __init__(self, d, idx, stop_at):
        super().__init__(daemon=True)
        self.d, self.idx, self.stop_at = d, idx, stop_at
        self.rng = random.Random(1000 + idx)
        self.acked = []  # (kind, id, ip)
        self.killed = 0
        self.failed = []

    def one(self, n):
        ip = self.rng.choice(IPS)
        body = "Subject: crash test %d-%d\n\nspam %d %d\n" % (self.idx, n, self.idx, n)
        if self.rng.random() < 0.2:
            kind, args = "trap", ["trap", "--peer", ip, "--json", "-"]
        else:
            kind = "report"
            args = ["report", "--reporter", self.rng.choice(REPORTERS), "--ip", ip, "--json",
                    "-"]
        p = subprocess.Popen([IPBL, "-c", str(self.d.conf_path)] + args, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        kill_after = self.rng.uniform(0.0, 0.08) if self.rng.random() < float(os.environ.get("CRASH_P", "0.3")) else None
        try:
            if kill_after is not None:
                p.stdin.write(body)
                p.stdin.close()
                time.sleep(kill_after)
                p.send_signal(signal.SIGKILL)
                p.wait(timeout=30)
                self.killed += 1
                out = p.stdout.read() if p.returncode == 0 else ""
            else:
                out, err = p.communicate(body, timeout=60)
                if p.returncode != 0:
                    self.failed.append((p.returncode, err))
        finally:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
        if p.returncode == 0 and out:
            r = json.loads(out)
            self.acked.append((kind, r["id"], ip, body))

    def run(self):
        n = 0
        while time.monotonic() < self.stop_at:
            self.one(n)
            n += 1


def test_kill_9_anything_loses_nothing(daemon):
    d = daemon(start=False)
    d.write_conf()
    for name in REPORTERS:
        assert run_ipbl(d, "reporter", "add", name).returncode == 0
    d.start()
    stop_at = time.monotonic() + DURATION
    writers = [Writer(d, i, stop_at) for i in range(WRITERS)]
    for w in writers:
        w.start()
    rng = random.Random(7)
    restarts = 0
    while time.monotonic() < stop_at - 1.0:
        time.sleep(rng.uniform(0.5, 2.0))
        if os.environ.get("CRASH_NO_DAEMON_KILL"):
            continue
        d.kill()  # SIGKILL, whatever it was doing
        d.start()
        restarts += 1
    for w in writers:
        w.join(timeout=120)
        assert not w.is_alive()
    for w in writers:
        # a writer that was not killed always succeeds: the store waits instead of failing
        assert w.failed == [], w.failed[:3]
    acked = [a for w in writers for a in w.acked]
    killed = sum(w.killed for w in writers)
    min_restarts = 0 if os.environ.get("CRASH_NO_DAEMON_KILL") else 3
    assert len(acked) > 50 and killed > 5 and restarts >= min_restarts, (len(acked), killed,
                                                                       restarts)

    db = sqlite3.connect(str(d.data_dir / "ipbl.db"), timeout=30)
    try:
        stored = {"report": {d_: (i, ip) for i, ip, d_ in
                             db.execute("SELECT id, ip, digest FROM reports")},
                  "trap": {d_: (i, ip) for i, ip, d_ in
                           db.execute("SELECT id, ip, digest FROM trap_hits")}}
        # every acknowledged message is stored under its own digest with the id and address
        # the writer was told (the digest is the engine's: BLAKE2b-256 of kind:IP: + body)
        for kind, rid, ip, body in acked:
            dg = digest(kind, ip, body)
            assert stored[kind].get(dg) == (rid, ip), (
                "acknowledged %s %d for %s is missing or different" % (kind, rid, ip))
    finally:
        db.close()

    # the daemon catches up (expiry, journal) and then the stored state, the policy's
    # decision from all evidence, and DNS agree for every address
    time.sleep(0.5)
    db = sqlite3.connect(str(d.data_dir / "ipbl.db"), timeout=30)
    try:
        stored = dict(db.execute("SELECT ip, listed FROM listings"))
    finally:
        db.close()
    for ip in IPS:
        r = run_ipbl(d, "lookup", "--json", ip)
        if r.returncode == 3:
            assert ip not in stored
            continue
        assert r.returncode == 0, r.stderr
        decided = json.loads(r.stdout)["listed"]
        assert bool(stored.get(ip)) == decided, ip
        want = dns.rcode.NOERROR if decided else dns.rcode.NXDOMAIN
        wait_until(lambda: d.query(name4(ip)).rcode() == want, 1.0,
                   what="DNS for %s agrees with the store" % ip)
