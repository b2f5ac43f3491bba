# SPDX-License-Identifier: BSD-2-Clause
# Data reloads: files rewritten by rename or in place are served within reload_interval + 1 s,
# SIGHUP reloads at once, a bad file is rejected with FILE:LINE while the old data keeps
# serving, and swaps under continuous query load lose no query and never mix states.
# Also start-up failures: a missing data file or a bad config exit 1 with a clear error.

import random
import re
import signal
import threading
import time

import dns.exception
import dns.rcode
import pytest

from conftest import ZONE, check_answer, name4, name6, rrset_values, run_ipbl, wait_until

RELOAD_INTERVAL = 1.0
RELOAD_DEADLINE = RELOAD_INTERVAL + 1.0  # the spec's promise for a changed file


def a_of(d, ip):
    """The A value served for ip, or None when NXDOMAIN."""
    r = d.query(name4(ip) if ":" not in ip else name6(ip), "A")
    if r.rcode() == dns.rcode.NXDOMAIN:
        return None
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    vals = rrset_values(r, "A")
    assert len(vals) == 1, r
    return vals[0]


def reload_daemon(daemon, content, interval="1s", v6=None):
    data = {"r.txt": content}
    dns_conf = {"data": ["ip4set:{data}/r.txt"], "reload_interval": interval}
    if v6 is not None:
        data["r6.txt"] = v6
        dns_conf["data"].append("ip6trie:{data}/r6.txt")
    return daemon(conf={"dns": dns_conf}, data=data)


def wait_for_a(d, ip, want, timeout, what):
    """Poll until ip answers A want (None: NXDOMAIN); returns seconds it took."""
    t0 = time.monotonic()
    wait_until(lambda: a_of(d, ip) == want, timeout, 0.05,
               "%s: %s to answer %s" % (what, ip, want or "NXDOMAIN"))
    return time.monotonic() - t0


def test_reload_after_atomic_rename(daemon):
    d = reload_daemon(daemon, "192.0.2.1 :127.0.0.3:old $\n192.0.2.2\n")
    serial0 = d.soa_serial()
    assert serial0 == d.serials()[-1]
    assert abs(serial0 - time.time()) < 30, "first serial %d is not the unix time" % serial0
    check_answer(d, "192.0.2.1", "127.0.0.3", "old 192.0.2.1")
    since = d.log_offset()
    d.write_data("r.txt", "192.0.2.1 :127.0.0.4:new $\n192.0.2.9\n", atomic=True)
    wait_for_a(d, "192.0.2.1", "127.0.0.4", RELOAD_DEADLINE, "atomic rename")
    serial1 = d.wait_loaded(since)
    assert serial1 > serial0
    assert d.soa_serial() == serial1
    check_answer(d, "192.0.2.1", "127.0.0.4", "new 192.0.2.1")
    check_answer(d, "192.0.2.9", "127.0.0.2",
                 "Blocked - see http://127.0.0.1:8080/lookup?ip=192.0.2.9")
    check_answer(d, "192.0.2.2", None, None)
    assert serial1 == serial0 + 1 or abs(serial1 - time.time()) < 30, (serial0, serial1)
    # An empty file is valid: nothing listed but the test points.
    since = d.log_offset()
    d.write_data("r.txt", "")
    wait_for_a(d, "192.0.2.1", None, RELOAD_DEADLINE, "empty file")
    assert d.wait_loaded(since) > serial1
    assert a_of(d, "192.0.2.9") is None
    assert a_of(d, "127.0.0.2") == "127.0.0.2"


def test_reload_after_in_place_write(daemon):
    d = reload_daemon(daemon, "192.0.2.1 :127.0.0.3:old $\n", v6="2001:db8::1/128\n")
    serial0 = d.soa_serial()
    since = d.log_offset()
    # Different size, same inode.
    d.write_data("r.txt", "192.0.2.1 :127.0.0.4:new and longer $\n", atomic=False)
    wait_for_a(d, "192.0.2.1", "127.0.0.4", RELOAD_DEADLINE, "in-place write")
    serial1 = d.wait_loaded(since)
    assert serial1 > serial0
    # Same size, same inode, only the mtime changes; written in a later second than the
    # previous write so that even a whole-second mtime differs.
    time.sleep(1.05 - (time.time() % 1.0))
    since = d.log_offset()
    d.write_data("r.txt", "192.0.2.1 :127.0.0.5:new and LONGER $\n", atomic=False)
    wait_for_a(d, "192.0.2.1", "127.0.0.5", RELOAD_DEADLINE, "same-size in-place write")
    assert d.wait_loaded(since) > serial1
    # The second file is watched too.
    d.write_data("r6.txt", "2001:db8::2/128\n", atomic=False)
    wait_for_a(d, "2001:db8::2", "127.0.0.2", RELOAD_DEADLINE, "in-place write of the v6 file")
    assert a_of(d, "2001:db8::1") is None
    check_answer(d, "192.0.2.1", "127.0.0.5", "new and LONGER 192.0.2.1")


def test_sighup_reloads_now(daemon):
    d = reload_daemon(daemon, "192.0.2.1 :127.0.0.3:old $\n", interval="1h")
    serial0 = d.soa_serial()
    d.write_data("r.txt", "192.0.2.1 :127.0.0.4:new $\n")
    time.sleep(1.5)
    assert a_of(d, "192.0.2.1") == "127.0.0.3", "reloaded without SIGHUP (reload_interval 1h)"
    since = d.log_offset()
    d.sighup()
    took = wait_for_a(d, "192.0.2.1", "127.0.0.4", 2.0, "SIGHUP")
    assert took < 2.0
    serial1 = d.wait_loaded(since)
    assert serial1 > serial0 and d.soa_serial() == serial1
    check_answer(d, "192.0.2.1", "127.0.0.4", "new 192.0.2.1")


def expect_reject_line(d, fname, lineno, serial, write):
    """Declare, provoke (write()) and wait for the error line of a rejected data file; returns
    the line. Matched loosely here (FILE:LINE, message, serial); the exact wording of the spec
    is checked last by assert_spec_reject_format, after the behaviour."""
    loose = r"^ipbld: error: dns: (\S*/)?%s:%d: .+keeping serial %d\)?$" % (
        re.escape(fname), lineno, serial)
    d.expect_error(loose)
    since = d.log_offset()
    write()
    return d.wait_log(loose, RELOAD_DEADLINE + 1.0, since).group(0)


def assert_spec_reject_format(line, fname, lineno, serial):
    """The spec: "ipbld: error: dns: FILE:LINE: message (keeping serial S)"."""
    exact = r"^ipbld: error: dns: (\S*/)?%s:%d: .+ \(keeping serial %d\)$" % (
        re.escape(fname), lineno, serial)
    assert re.search(exact, line), "rejection logged as %r; the spec says " \
        "'ipbld: error: dns: FILE:LINE: message (keeping serial S)'" % line


@pytest.mark.parametrize("bad_line", ["1.2.3.4/33", "not-an-address", "192.0.2.300"])
def test_bad_file_is_rejected_and_old_data_kept(daemon, bad_line):
    d = reload_daemon(daemon, "192.0.2.1 :127.0.0.3:old $\n")
    serial0 = d.soa_serial()
    bad = "# line 1\n192.0.2.1 :127.0.0.4:new $\n%s\n192.0.2.7\n" % bad_line
    line = expect_reject_line(d, "r.txt", 3, serial0, lambda: d.write_data("r.txt", bad))
    # Still the old data, the old serial, nothing from the bad file.
    check_answer(d, "192.0.2.1", "127.0.0.3", "old 192.0.2.1")
    assert a_of(d, "192.0.2.7") is None
    assert d.soa_serial() == serial0
    assert d.serials()[-1] == serial0, "a bad file was loaded"
    # Fixed: loaded again.
    since = d.log_offset()
    d.write_data("r.txt", bad.replace(bad_line + "\n", ""))
    wait_for_a(d, "192.0.2.1", "127.0.0.4", RELOAD_DEADLINE, "fixed file")
    assert d.wait_loaded(since) > serial0
    assert a_of(d, "192.0.2.7") == "127.0.0.2"
    assert_spec_reject_format(line, "r.txt", 3, serial0)


def test_bad_ipv6_file_is_rejected(daemon):
    d = reload_daemon(daemon, "192.0.2.1\n", v6="2001:db8::/64 :127.0.0.3:six $\n")
    serial0 = d.soa_serial()
    line = expect_reject_line(d, "r6.txt", 2, serial0, lambda: d.write_data(
        "r6.txt", "2001:db8:1::/64\n2001:db8::/129\n"))
    assert a_of(d, "2001:db8::1") == "127.0.0.3"
    assert a_of(d, "2001:db8:1::1") is None
    assert d.soa_serial() == serial0
    assert_spec_reject_format(line, "r6.txt", 2, serial0)


# ---------------------------------------------------------------------------------------------
# Swaps under load

N_STATIC = 30000
SWAPS = 5
LOAD_SECONDS_MAX = 12.0


def state_file(k, static):
    """Data for state k: 10.0.0.1 answers 127.0.0.(10+k) with 'state k'; 10.0.0.2 is listed
    only in even states; the static entries never change."""
    lines = ["10.0.0.1 :127.0.0.%d:state %d $" % (10 + k, k)]
    if k % 2 == 0:
        lines.append("10.0.0.2 :127.0.0.%d:even state %d $" % (10 + k, k))
    lines += static
    return "\n".join(lines) + "\n"


class Client(threading.Thread):
    """Sends queries one after another over UDP and checks each answer against the states."""

    def __init__(self, d, static_ips, seed, stop):
        super().__init__(daemon=True)
        self.d, self.static_ips, self.rng, self.stop_ev = d, static_ips, random.Random(seed), stop
        self.sent = self.timeouts = self.servfail = 0
        self.errors = []
        self.states_seen = set()
        self.last_state = 0
        self.last_serial = 0

    def note_state(self, k, what):
        if k < self.last_state:
            self.errors.append("%s: state %d after state %d (went back)" % (what, k, self.last_state))
        self.last_state = max(self.last_state, k)
        self.states_seen.add(k)

    def check(self, kind, r):
        rc = r.rcode()
        if rc == dns.rcode.SERVFAIL:
            self.servfail += 1
            return
        a = rrset_values(r, "A")
        txt = rrset_values(r, "TXT")
        if kind in ("A1", "TXT1", "ANY1"):
            if rc != dns.rcode.NOERROR:
                self.errors.append("10.0.0.1 %s: %s" % (kind, dns.rcode.to_text(rc)))
                return
            ka = int(a[0].rsplit(".", 1)[1]) - 10 if a else None
            m = re.fullmatch(r"state (\d+) 10\.0\.0\.1", txt[0]) if txt else None
            kt = int(m.group(1)) if m else None
            if kind == "ANY1" and (ka is None or kt is None or ka != kt):
                self.errors.append("ANY mixes states: A %s TXT %s" % (a, txt))
                return
            k = ka if ka is not None else kt
            if k is None or not 0 <= k <= SWAPS:
                self.errors.append("10.0.0.1 %s: unexpected answer A %s TXT %s" % (kind, a, txt))
                return
            self.note_state(k, "10.0.0.1 " + kind)
        elif kind == "A2":
            if rc == dns.rcode.NXDOMAIN:
                return
            k = int(a[0].rsplit(".", 1)[1]) - 10 if a else -1
            if rc != dns.rcode.NOERROR or k % 2 or not 0 <= k <= SWAPS:
                self.errors.append("10.0.0.2: %s A %s" % (dns.rcode.to_text(rc), a))
                return
            self.note_state(k, "10.0.0.2")
        elif kind == "STATIC":
            if rc != dns.rcode.NOERROR or a != ["127.0.0.2"]:
                self.errors.append("static entry: %s A %s" % (dns.rcode.to_text(rc), a))
        elif kind == "UNLISTED":
            if rc != dns.rcode.NXDOMAIN:
                self.errors.append("unlisted entry: %s" % dns.rcode.to_text(rc))
        elif kind == "SOA":
            serial = r.answer[0][0].serial if r.answer else None
            if rc != dns.rcode.NOERROR or serial is None or serial < self.last_serial:
                self.errors.append("SOA: %s serial %s after %s" % (
                    dns.rcode.to_text(rc), serial, self.last_serial))
            else:
                self.last_serial = serial

    def run(self):
        kinds = [("A1", "1.0.0.10", "A"), ("TXT1", "1.0.0.10", "TXT"), ("ANY1", "1.0.0.10", "ANY"),
                 ("A2", "2.0.0.10", "A"), ("STATIC", None, "A"), ("UNLISTED", "3.0.0.10", "A"),
                 ("SOA", "", "SOA")]
        deadline = time.monotonic() + LOAD_SECONDS_MAX
        i = 0
        while not self.stop_ev.is_set() and time.monotonic() < deadline:
            kind, label, qtype = kinds[i % len(kinds)]
            i += 1
            if kind == "STATIC":
                qname = name4(self.rng.choice(self.static_ips))
            else:
                qname = (label + "." if label else "") + ZONE + "."
            self.sent += 1
            try:
                r = self.d.query(qname, qtype, timeout=2.0)
            except dns.exception.Timeout:
                self.timeouts += 1
                continue
            except Exception as e:  # noqa: BLE001 - any other failure is a lost query too
                self.errors.append("%s %s: %r" % (qname, qtype, e))
                continue
            self.check(kind, r)


def test_swaps_under_query_load(daemon):
    rng = random.Random(4242)
    static_ips = sorted({"172.%d.%d.%d" % (rng.randrange(16, 32), rng.randrange(256),
                                           rng.randrange(256)) for _ in range(N_STATIC)})
    static = static_ips[:]
    d = reload_daemon(daemon, state_file(0, static))
    assert a_of(d, "10.0.0.1") == "127.0.0.10"
    stop = threading.Event()
    clients = [Client(d, static_ips, seed, stop) for seed in (1, 2)]
    for c in clients:
        c.start()
    try:
        for k in range(1, SWAPS + 1):
            time.sleep(0.9)
            d.write_data("r.txt", state_file(k, static), atomic=True)
            if k % 2 == 0:
                d.sighup()
        wait_for_a(d, "10.0.0.1", "127.0.0.%d" % (10 + SWAPS), RELOAD_DEADLINE + 1.0,
                   "last swap")
        time.sleep(0.3)
    finally:
        stop.set()
        for c in clients:
            c.join(timeout=LOAD_SECONDS_MAX + 5)
    for c in clients:
        assert not c.is_alive(), "query thread did not finish"
    total = sum(c.sent for c in clients)
    print("queries sent during swaps: %d; states seen: %s" % (
        total, [sorted(c.states_seen) for c in clients]))
    for c in clients:
        assert c.timeouts == 0, "%d of %d queries got no answer within 2 s" % (c.timeouts, c.sent)
        assert c.servfail == 0, "%d SERVFAIL answers" % c.servfail
        assert not c.errors, "%d wrong answers, first: %s" % (len(c.errors), c.errors[:5])
    assert total > 500, "too few queries to mean anything: %d" % total
    seen = set().union(*(c.states_seen for c in clients))
    assert len(seen) >= 3, "clients saw only states %s: reloads did not happen under load" % seen
    assert d.alive()


# ---------------------------------------------------------------------------------------------
# Start-up failures


def test_missing_data_file_at_startup(daemon):
    d = daemon(conf={"dns": {"data": "ip4set:{data}/nope.txt"}}, start=False)
    d.expect_error(r"^ipbld: error: .*nope\.txt")
    rc = d.run_to_exit()
    assert rc == 1, "exit status %s, want 1; log:\n%s" % (rc, d.log())
    assert re.search(r"^ipbld: error: .*nope\.txt", d.log(), re.M), d.log()


@pytest.mark.parametrize("key,value", [("ttl", "banana"), ("listen", "127.0.0.1:99999"),
                                       ("edns_udp_size", "100")])
def test_bad_config_exits_1_with_file_line_key(daemon, key, value):
    d = daemon(conf={"dns": {key: value}}, start=False)
    d.write_conf()
    lines = d.conf_path.read_text().splitlines()
    lineno = lines.index("%s = %s" % (key, value)) + 1
    pattern = r"^ipbld: error: .*ipbld\.conf:%d: %s: \S" % (lineno, re.escape(key))
    d.expect_error(pattern)
    rc = d.run_to_exit()
    assert rc == 1, "exit status %s, want 1; log:\n%s" % (rc, d.log())
    assert re.search(pattern, d.log(), re.M), "want /%s/ in:\n%s" % (pattern, d.log())
    # The CLI checks the same file the same way (exit 2: bad input, FILE:LINE: key).
    p = run_ipbl(d, "config", "check")
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert re.search(r"ipbld\.conf:%d: %s: " % (lineno, re.escape(key)), p.stderr), p.stderr


def test_cli_accepts_the_daemon_config(daemon):
    d = daemon()
    p = run_ipbl(d, "config", "check")
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)


def test_missing_zone_is_a_config_error(daemon):
    d = daemon(conf={"dns": {"zone": None}}, start=False)
    d.expect_error(r"^ipbld: error: .*zone")
    rc = d.run_to_exit()
    assert rc == 1, "exit status %s, want 1; log:\n%s" % (rc, d.log())
    assert re.search(r"^ipbld: error: .*zone", d.log(), re.M), d.log()


# ---------------------------------------------------------------------------------------------
# Signals and shutdown


def test_sighup_storm_under_load(daemon):
    d = reload_daemon(daemon, "192.0.2.1 :127.0.0.3:steady $\n")
    stop = threading.Event()
    results = {"sent": 0, "bad": [], "timeouts": 0}

    def load():
        deadline = time.monotonic() + LOAD_SECONDS_MAX
        while not stop.is_set() and time.monotonic() < deadline:
            results["sent"] += 1
            try:
                r = d.query(name4("192.0.2.1"), "ANY", timeout=2.0)
            except dns.exception.Timeout:
                results["timeouts"] += 1
                continue
            got = (dns.rcode.to_text(r.rcode()), rrset_values(r, "A"), rrset_values(r, "TXT"))
            if got != ("NOERROR", ["127.0.0.3"], ["steady 192.0.2.1"]):
                results["bad"].append(got)

    t = threading.Thread(target=load, daemon=True)
    t.start()
    try:
        for _ in range(40):
            d.sighup()
            time.sleep(0.025)
        time.sleep(0.5)
    finally:
        stop.set()
        t.join(LOAD_SECONDS_MAX + 5)
    assert not t.is_alive()
    assert results["timeouts"] == 0, results
    assert not results["bad"], results["bad"][:5]
    assert d.alive()
    check_answer(d, "192.0.2.1", "127.0.0.3", "steady 192.0.2.1")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_with_open_clients_and_load(daemon, sig):
    """SIGTERM/SIGINT with idle TCP clients (idle timeout 30 s) and UDP queries in flight: the
    daemon exits 0 soon, without waiting for the idle clients."""
    d = daemon(conf={"dns": {"data": "ip4set:{data}/r.txt", "tcp_idle_timeout": "30s"}},
               data={"r.txt": "192.0.2.1\n"})
    assert "tcp_idle_timeout = 30s" in d.conf_path.read_text()
    conns = [d.tcp_connect() for _ in range(5)]
    conns[0].sendall(b"\x00")  # half a length prefix
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                d.query(name4("192.0.2.1"), "A", timeout=0.5)
            except Exception:  # noqa: BLE001 - the daemon is going away
                pass

    t = threading.Thread(target=load, daemon=True)
    t.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    d.signal(sig)
    rc = d.wait_exit(10.0)
    took = time.monotonic() - t0
    stop.set()
    t.join(5)
    for s in conns:
        s.close()
    d.exit_expected = True  # teardown: only the log checks remain
    assert rc == 0, "exit status %s after %s; log:\n%s" % (rc, sig.name, d.log())
    assert took < 5.0, "took %.1f s to exit after %s" % (took, sig.name)
