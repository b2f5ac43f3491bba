# SPDX-License-Identifier: BSD-2-Clause
# Differential answers against Debian's rbldnsd: both servers load the same generated ip4set and
# ip6trie files and answer thousands of generated queries; rcode, the set of A records and the
# TXT strings must be the same.
#
# Known, deliberate differences, kept out of the comparison:
# - Partial names (empty non-terminals such as "2.0.192.ZONE"): we answer NOERROR/NODATA,
#   rbldnsd NXDOMAIN. Only full names are generated here.
# - Test points: we always list 127.0.0.2 (with the [dns] txt template) and never 127.0.0.1.
#   The data lists 127.0.0.2 with a default value whose text equals our template ("Listed $")
#   and never lists 127.0.0.1, so both servers agree on them.
# - rbldnsd gives no SOA unless the data has $SOA, and adds NS records; we always give the SOA
#   in negative answers. Only rcode and the answer section are compared, never authority.
# - IPv4-mapped names (::ffff:a.b.c.d): we answer them from the IPv4 data, rbldnsd refuses
#   them; none are generated.
# - Entries before any ':' default line get our [dns] txt template, rbldnsd gives no TXT; the
#   files start with a default line.
# - One address listed twice at the same precedence level with different values: rbldnsd
#   returns every value, we return the first; the generator never does that.

import ipaddress
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest

from conftest import ZONE, name4, name6, rfc5952, rrset_values

RBLDNSD = "/usr/sbin/rbldnsd"
SEED = int(os.environ.get("IPBL_DIFF_SEED", "20240611"))

pytestmark = pytest.mark.skipif(not os.access(RBLDNSD, os.X_OK),
                                reason="rbldnsd is not installed (%s)" % RBLDNSD)

V4_VALUES = [None] * 6 + [":127.0.0.3:Three for $", ":4", ":5:", "Text only for $",
                          ":127.0.0.6:Six $ and $ again", ":8:Eight"]
V6_VALUES = [None] * 5 + [":127.0.0.3:Three for $", ":4", ":5:", "Text only for $",
                          ":127.0.0.9:Nine $"]


# ---------------------------------------------------------------------------------------------
# rbldnsd's ip4set precedence: a range is cut into entries at four octet levels (32, 24, 16, 8)
# and the most specific level holding the address wins. Two listings sharing a level entry are
# what this generator must avoid; this mirrors how rbldnsd cuts ranges.


def ip4set_level_keys(first, last):
    """The (level index, entry address) pairs rbldnsd stores for the range [first, last];
    index 0 is /32, 1 is /24, 2 is /16, 3 is /8."""
    keys = set()
    a, b = first, last
    for idx in range(3):
        bits = idx * 8
        if (a | 255) >= b:
            if b - a == 255:
                keys.add((idx + 1, a << bits))
            else:
                for x in range(a, b + 1):
                    keys.add((idx, x << bits))
            return keys
        if a & 255:
            for x in range(a, (a | 255) + 1):
                keys.add((idx, x << bits))
            a = (a >> 8) + 1
        else:
            a >>= 8
        if (b & 255) != 255:
            for x in range(b & ~255, b + 1):
                keys.add((idx, x << bits))
            b = (b >> 8) - 1
        else:
            b >>= 8
    for x in range(a, b + 1):
        keys.add((3, x << 24))
    return keys


def ip4(n):
    return str(ipaddress.IPv4Address(n))


def ip6(n):
    return str(ipaddress.IPv6Address(n))


V4_BASES = [0x0A010000, 0x0A020000, 0xAC100000, 0xC0A80000, 0x64400000]  # a few /16s
V6_BASES = [0x20010DB8 << 96, 0x2A021234 << 96, 0xFD00ABCD << 96]  # a few /32s


def gen_ip4(rng):
    """ip4set file text, the listed ranges and the excluded ranges."""
    lines = [":127.0.0.2:Listed $", "127.0.0.2"]
    used = ip4set_level_keys(0x7F000002, 0x7F000002)
    listed, excluded = [], []
    attempts = n_wide = 0
    while len(listed) < 400 and attempts < 4000:
        attempts += 1
        if len(listed) == 200 and lines[-1][0] != ":":
            lines.append(":127.0.0.7:Second default for $")
        base = rng.choice(V4_BASES)
        kind = rng.choice(["single"] * 5 + ["cidr"] * 3 + ["range"] * 2 + ["wide"])
        if kind == "single":
            first = last = base | rng.randrange(1 << 16)
            text = ip4(first)
        elif kind == "cidr":
            n = rng.choice([17, 18, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32])
            first = (base | rng.randrange(1 << 16)) & ~((1 << (32 - n)) - 1)
            last = first + (1 << (32 - n)) - 1
            text = "%s/%d" % (ip4(first), n)
        elif kind == "wide":
            if n_wide >= 3:
                continue
            n_wide += 1
            n = rng.choice([14, 15, 16])
            first = (base | rng.randrange(1 << 16)) & ~((1 << (32 - n)) - 1) & 0xFFFFFFFF
            last = first + (1 << (32 - n)) - 1
            text = "%s/%d" % (ip4(first), n)
        else:
            first = base | rng.randrange(1 << 16)
            span = rng.choice([rng.randrange(1, 300), rng.randrange(256, 70000)])
            last = min(first + span, 0xFFFFFFFF)
            text = "%s-%s" % (ip4(first), ip4(last))
        if (first >> 24) == 127:
            continue
        keys = ip4set_level_keys(first, last)
        if keys & used:
            continue
        used |= keys
        value = rng.choice(V4_VALUES)
        if value is None and rng.random() < 0.2:
            text += "   # listed for a test"
        lines.append(text + (" " + value if value else ""))
        listed.append((first, last))
    for _ in range(150):
        first, last = rng.choice(listed)
        kind = rng.choice(["single", "single", "cidr", "straddle"])
        if kind == "single" or last - first < 4:
            a = rng.randint(first, last)
            b = a
            text = ip4(a)
        elif kind == "cidr":
            size = 1 << rng.randrange(1, max(2, min(16, (last - first + 1).bit_length() - 1)))
            a = rng.randint(first, last) & ~(size - 1)
            b = a + size - 1
            n = 32 - (size.bit_length() - 1)
            text = "%s/%d" % (ip4(a), n)
        else:
            a = max(0, first - rng.randrange(1, 40))
            b = first + rng.randrange(0, min(40, last - first + 1))
            text = "%s-%s" % (ip4(a), ip4(b))
        if (a >> 24) == 127 or (b >> 24) == 127:
            continue
        lines.append("!" + text)
        excluded.append((a, b))
    return "\n".join(lines) + "\n", listed, excluded


def gen_ip6(rng):
    lines = [":127.0.0.2:Listed $"]
    used = set()
    listed, excluded = [], []
    attempts = 0
    while len(listed) < 250 and attempts < 3000:
        attempts += 1
        base = rng.choice(V6_BASES)
        n = rng.choice([20, 28, 32, 33, 40, 47, 48, 52, 56, 60, 63, 64, 64, 65, 72, 96, 112, 120,
                        124, 127, 128, 128, 128])
        addr = base | rng.getrandbits(96)
        mask = ((1 << 128) - 1) ^ ((1 << (128 - n)) - 1)
        first = addr & mask
        if (first, n) in used:
            continue
        used.add((first, n))
        last = first | ((1 << (128 - n)) - 1)
        text = "%s/%d" % (rfc5952(ip6(first)), n)
        if n == 128 and rng.random() < 0.5:
            text = rfc5952(ip6(first))
        value = rng.choice(V6_VALUES)
        lines.append(text + (" " + value if value else ""))
        listed.append((first, last, n))
    for _ in range(120):
        first, last, n = rng.choice(listed)
        if n == 128:
            continue
        n2 = rng.randint(n + 1, min(128, n + rng.choice([1, 8, 32, 128])))
        addr = rng.randint(first, last)
        mask = ((1 << 128) - 1) ^ ((1 << (128 - n2)) - 1)
        a = addr & mask
        if (a, n2) in used:
            continue
        used.add((a, n2))
        b = a | ((1 << (128 - n2)) - 1)
        lines.append("!%s/%d" % (rfc5952(ip6(a)), n2))
        excluded.append((a, b))
    return "\n".join(lines) + "\n", listed, excluded


def gen_queries(rng, listed4, excluded4, listed6, excluded6):
    names = set()

    def edges(first, last, top):
        out = {first, last, rng.randint(first, last)}
        if first > 0:
            out.add(first - 1)
        if last < top:
            out.add(last + 1)
        return out

    for first, last in listed4 + excluded4:
        for x in edges(first, last, 0xFFFFFFFF):
            if (x >> 24) != 127:
                names.add(name4(ip4(x)))
    for _ in range(300):
        names.add(name4(ip4(rng.choice(V4_BASES) | rng.randrange(1 << 16))))
    names.add(name4("127.0.0.2"))
    top6 = (1 << 128) - 1
    for item in listed6 + excluded6:
        for x in edges(item[0], item[1], top6):
            if x >> 32 != 0xFFFF:
                names.add(name6(ip6(x), upper=rng.random() < 0.2))
    for _ in range(200):
        names.add(name6(ip6(rng.choice(V6_BASES) | rng.getrandbits(96))))
    names = sorted(names)
    rng.shuffle(names)
    return names


# ---------------------------------------------------------------------------------------------
# rbldnsd


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (racy, but rbldnsd binds it at once)."""
    for _ in range(20):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    pytest.fail("no free port")


class Rbldnsd:
    def __init__(self, workdir, datasets):
        self.workdir, self.datasets = workdir, datasets
        self.proc = None
        self.port = None
        self.log_path = os.path.join(workdir, "rbldnsd.log")

    def start(self, probe_name):
        for _ in range(3):
            self.port = free_port()
            self.log = open(self.log_path, "wb")
            cmd = [RBLDNSD, "-n", "-q", "-b", "127.0.0.1/%d" % self.port, "-w", self.workdir,
                   "-t", "600", "-c", "0"] + ["%s:%s:%s" % (ZONE, t, f) for t, f in self.datasets]
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                         stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    r = self.query(probe_name, "A", timeout=0.2)
                    if r.rcode() == dns.rcode.NOERROR:
                        return
                except (dns.exception.Timeout, OSError):
                    pass
                time.sleep(0.05)
            self.stop()
        pytest.fail("rbldnsd did not start; log:\n" + open(self.log_path).read())

    def query(self, name, qtype, timeout=2.0):
        return dns.query.udp(dns.message.make_query(name, qtype), "127.0.0.1", port=self.port,
                             timeout=timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def shared_dir():
    """A directory both servers can read (rbldnsd drops root for its own user)."""
    d = tempfile.mkdtemp(prefix="ipbl-diff-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def write_shared(d, name, text):
    p = os.path.join(d, name)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(p, 0o644)
    return p


def summary(r):
    other = sorted(str(rrset.rdtype) for rrset in r.answer
                   if rrset.rdtype not in (dns.rdatatype.A, dns.rdatatype.TXT))
    return (dns.rcode.to_text(r.rcode()), sorted(rrset_values(r, "A")),
            sorted(rrset_values(r, "TXT")), other)


def compare(ours, theirs, queries):
    """Ask both servers every (name, type); returns the list of differences."""
    diffs = []
    for qname, qtype in queries:
        a = summary(ours.query(qname, qtype))
        b = summary(theirs.query(qname, qtype))
        if a != b:
            diffs.append("%s %s\n      ipbld:   %s\n      rbldnsd: %s" % (qname, qtype, a, b))
    return diffs


def run_differential(daemon, shared_dir, v4_text, v6_text, queries, probe):
    p4 = write_shared(shared_dir, "v4.txt", v4_text)
    p6 = write_shared(shared_dir, "v6.txt", v6_text)
    theirs = Rbldnsd(shared_dir, [("ip4set", "v4.txt"), ("ip6trie", "v6.txt")])
    theirs.start(probe)
    try:
        ours = daemon(conf={"dns": {"data": ["ip4set:" + p4, "ip6trie:" + p6],
                                    "txt": "Listed $"}})
        t0 = time.monotonic()
        diffs = compare(ours, theirs, queries)
        print("%d queries compared in %.1f s" % (len(queries), time.monotonic() - t0))
    finally:
        theirs.stop()
    return diffs


def test_differential_generated(daemon, shared_dir):
    print("differential seed %d (set IPBL_DIFF_SEED to repeat another)" % SEED)
    rng = random.Random(SEED)
    v4_text, listed4, excluded4 = gen_ip4(rng)
    v6_text, listed6, excluded6 = gen_ip6(rng)
    names = gen_queries(rng, listed4, excluded4, listed6, excluded6)
    queries = [(n, "ANY") for n in names]
    queries += [(n, t) for n in rng.sample(names, min(400, len(names))) for t in ("A", "TXT")]
    assert len(queries) > 3000
    diffs = run_differential(daemon, shared_dir, v4_text, v6_text, queries,
                             name4("127.0.0.2"))
    assert not diffs, "seed %d: %d of %d answers differ (data in the test log); first:\n  %s" % (
        SEED, len(diffs), len(queries), "\n  ".join(diffs[:15]))


# The less common ways of writing entries that rbldnsd accepts (man rbldnsd, "ip4set Dataset"
# and "ip6trie Dataset"); a separate test so that one unsupported form does not hide the big
# comparison above.
SYNTAX_V4 = """\
:127.0.0.2:Listed $
$1 See http://bl.example.org/info
$2 for details
127.0.0.2
10.1.2
10.3
10.4.5.6-40
10.5.1.250-10.5.2.5
10.6.128/17
10.7.0.0/24 :127.0.0.3:Explicit $
10.7.0.9 :9
10.7.0.10 :10:
10.7.0.11 Text only $
10.7.0.12 :127.0.0.12:With spaces   and  tabs\t$
10.7.0.13 :127.0.0.13:Text with # hash and ; semicolon $
10.7.0.14 Quote " and backslash \\ in $
10.7.0.15 \u00dcn\u00efc\u00f6d\u00e9 $
10.7.0.16 $1/spammer/$ $2
10.7.0.17 Costs $$5 for $
10.8.0.0/16 ; comment after a range
!10.8.1
!10.8.2.3-10.8.2.9
;10.9.0.1 commented out
#10.9.0.2 commented out
:5:Last default $
10.10.0.1
"""

SYNTAX_V6 = """\
:127.0.0.2:Listed $
2001:db8:ab:cd
2001:db8:0:0:0:0:0:6
2001:DB8::7/128
2001:db8:1::/48 :127.0.0.3:Range $
!2001:db8:1::1
!2001:db8:1:2::/64
2001:db8::/33 :4
2001:db8:8000::/33 :5:
# comment
"""


def test_differential_syntax_forms(daemon, shared_dir):
    rng = random.Random(SEED)
    ips4 = []
    for net in ("10.1.2.0/24", "10.3.0.0/16", "10.4.5.0/24", "10.5.0.0/22", "10.6.0.0/16",
                "10.7.0.0/24", "10.8.0.0/16", "10.9.0.0/30", "10.10.0.0/30"):
        n = ipaddress.IPv4Network(net)
        first, last = int(n.network_address), int(n.broadcast_address)
        ips4 += [first, last, first - 1, last + 1] + [rng.randint(first, last) for _ in range(20)]
    ips4 += [int(ipaddress.IPv4Address(x)) for x in (
        "10.4.5.5", "10.4.5.6", "10.4.5.40", "10.4.5.41", "10.5.1.249", "10.5.1.250",
        "10.5.2.5", "10.5.2.6", "10.6.127.255", "10.6.128.0", "10.7.0.9", "10.7.0.10",
        "10.7.0.11", "10.7.0.12", "10.7.0.13", "10.7.0.14", "10.7.0.15", "10.7.0.16",
        "10.7.0.17", "10.7.0.18", "10.8.0.255", "10.8.1.0", "10.8.1.255", "10.8.2.0",
        "10.8.2.2", "10.8.2.3", "10.8.2.9", "10.8.2.10")]
    ips6 = []
    for net in ("2001:db8:ab:cd::/64", "2001:db8::/125", "2001:db8:1::/48", "2001:db8:1:2::/64",
                "2001:db8::/32"):
        n = ipaddress.IPv6Network(net)
        first, last = int(n.network_address), int(n.broadcast_address)
        ips6 += [first, last, first - 1, last + 1] + [rng.randint(first, last) for _ in range(20)]
    ips6 += [int(ipaddress.IPv6Address(x)) for x in (
        "2001:db8:8000::", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", "2001:db8:2::", "2001:db8::6",
        "2001:db8:1::1", "2001:db8:1::2")]
    names = sorted({name4(ip4(x)) for x in ips4} | {name6(ip6(x)) for x in ips6})
    queries = [(n, t) for n in names for t in ("ANY", "A", "TXT")]
    diffs = run_differential(daemon, shared_dir, SYNTAX_V4, SYNTAX_V6, queries,
                             name4("127.0.0.2"))
    assert not diffs, "%d of %d answers differ; first:\n  %s" % (
        len(diffs), len(queries), "\n  ".join(diffs[:15]))
