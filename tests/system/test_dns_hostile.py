# SPDX-License-Identifier: BSD-2-Clause
# Hostile input: hand-built malformed DNS packets with the rcode the spec gives each, a bounded
# flood of random and mutated packets over UDP, and abusive TCP clients (short length prefixes,
# zero lengths, slowloris, resets). Afterwards the daemon still answers everything right and
# exits 0 on SIGTERM.

import random
import socket
import struct
import time

import dns.exception
import dns.message
import dns.rcode
import pytest

from conftest import (
    QUERY_TIMEOUT,
    ZONE,
    check_answer,
    check_baseline,
    dtxt,
    header,
    name4,
    opt_rr,
    parse_header,
    question,
    recv_exact,
    std_daemon,
)

SEED = 1035
FLOOD_SECONDS = 5.0
FLOOD_MAX_PACKETS = 100000

NOERROR, FORMERR, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 3, 4, 5

LISTED = name4("192.0.2.1")
Q_LISTED = question(LISTED, 1)


def labels_name(labels):
    """Wire name from raw label byte strings (lengths are not checked)."""
    return b"".join(bytes([len(x)]) + x for x in labels) + b"\x00"


ZONE_WIRE = labels_name([b"bl", b"example", b"org"])


def name_of_size(total):
    """A wire name of exactly total bytes that ends in the zone (labels of at most 63)."""
    left = total - len(ZONE_WIRE)
    labels = []
    while left > 0:
        n = min(63, left - 1)
        if left - (n + 1) == 1:  # never leave a single byte (it cannot hold a label)
            n -= 1
        labels.append(b"a" * n)
        left -= n + 1
    wire = b"".join(bytes([len(x)]) + x for x in labels) + ZONE_WIRE
    assert len(wire) == total
    return wire


def rr(owner=b"\x00", rtype=1, rclass=1, ttl=0, rdata=b"\x7f\x00\x00\x02"):
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


# (name, packet, (rcode, qd)): the reply's rcode and QDCOUNT: 0, 1 (the question echoed byte for
# byte) or None (0 or 1: the spec leaves it to whether the question was parsed first).
MALFORMED = [
    ("header only, QDCOUNT 0", header(0x1001, qd=0), (FORMERR, 0)),
    ("QDCOUNT 0 with trailing question", header(0x1002, qd=0) + Q_LISTED, (FORMERR, 0)),
    ("QDCOUNT 2, one question", header(0x1003, qd=2) + Q_LISTED, (FORMERR, None)),
    ("QDCOUNT 2, two questions", header(0x1004, qd=2) + Q_LISTED + Q_LISTED, (FORMERR, None)),
    ("ANCOUNT 1", header(0x1005, an=1) + Q_LISTED + rr(b"\xc0\x0c"), (FORMERR, None)),
    ("NSCOUNT 1", header(0x1006, ns=1) + Q_LISTED + rr(b"\xc0\x0c"), (FORMERR, None)),
    ("ANCOUNT 1 without the record", header(0x1007, an=1) + Q_LISTED, (FORMERR, None)),
    ("pointer self-loop", header(0x1008) + b"\xc0\x0c" + b"\x00\x01\x00\x01", (FORMERR, 0)),
    ("pointer past the end", header(0x1009) + b"\xc0\xff" + b"\x00\x01\x00\x01", (FORMERR, 0)),
    ("pointer after a label", header(0x100A) + b"\x01a\xc0\x0c\x00\x01\x00\x01", (FORMERR, 0)),
    ("pointer chain", header(0x100B) + b"\xc0\x0e\xc0\x10\x01a\x00\x00\x01\x00\x01",
     (FORMERR, 0)),
    ("forward pointer to a valid name",
     header(0x100C) + b"\x011\xc0\x14" + b"\x00\x01\x00\x01" + ZONE_WIRE, (FORMERR, 0)),
    ("label type 0x40", header(0x100D) + b"\x41a" + ZONE_WIRE + b"\x00\x01\x00\x01",
     (FORMERR, 0)),
    ("label type 0x80", header(0x100E) + b"\x81a" + ZONE_WIRE + b"\x00\x01\x00\x01",
     (FORMERR, 0)),
    ("label length 64", header(0x100F) + b"\x40" + b"a" * 64 + ZONE_WIRE + b"\x00\x01\x00\x01",
     (FORMERR, 0)),
    ("label length 63", header(0x1010) + b"\x3f" + b"a" * 63 + ZONE_WIRE + b"\x00\x01\x00\x01",
     (NXDOMAIN, 1)),
    ("name of 255 bytes", header(0x1011) + name_of_size(255) + b"\x00\x01\x00\x01",
     (NXDOMAIN, 1)),
    ("name of 256 bytes", header(0x1012) + name_of_size(256) + b"\x00\x01\x00\x01",
     (FORMERR, 0)),
    ("127 labels (255 bytes, outside the zone)",
     header(0x1013) + labels_name([b"a"] * 127) + b"\x00\x01\x00\x01", (REFUSED, 1)),
    ("122 labels (254 bytes, in the zone)",
     header(0x1014) + b"\x011" * 119 + ZONE_WIRE + b"\x00\x01\x00\x01", (NXDOMAIN, 1)),
    ("128 labels (257 bytes)", header(0x1015) + labels_name([b"a"] * 128) + b"\x00\x01\x00\x01",
     (FORMERR, 0)),
    ("name without its root label", header(0x1016) + b"\x011\x012\x01",
     (FORMERR, 0)),
    ("question without QTYPE/QCLASS", header(0x1017) + Q_LISTED[:-4], (FORMERR, 0)),
    ("question with 1 byte of QTYPE", header(0x1018) + Q_LISTED[:-3], (FORMERR, 0)),
    ("question without QCLASS", header(0x1019) + Q_LISTED[:-2], (FORMERR, 0)),
    ("question with 1 byte of QCLASS", header(0x101A) + Q_LISTED[:-1], (FORMERR, 0)),
    ("two OPT records", header(0x101B, ar=2) + Q_LISTED + opt_rr() + opt_rr(), (FORMERR, None)),
    ("OPT owner not root", header(0x101C, ar=1) + Q_LISTED + opt_rr(owner=b"\xc0\x0c"),
     (FORMERR, None)),
    ("OPT owner 'a'", header(0x101D, ar=1) + Q_LISTED + opt_rr(owner=b"\x01a\x00"),
     (FORMERR, None)),
    ("OPT in the authority section", header(0x101E, ns=1) + Q_LISTED + opt_rr(),
     (FORMERR, None)),
    ("OPT in the answer section", header(0x101F, an=1) + Q_LISTED + opt_rr(), (FORMERR, None)),
    ("ARCOUNT 1 without the record", header(0x1020, ar=1) + Q_LISTED, (FORMERR, None)),
    ("OPT with RDLENGTH past the end",
     header(0x1021, ar=1) + Q_LISTED + opt_rr()[:-2] + b"\x00\x20", (FORMERR, None)),
    ("junk after the question", header(0x1022) + Q_LISTED + b"\x00\x00", (FORMERR, None)),
    ("junk after the OPT", header(0x1023, ar=1) + Q_LISTED + opt_rr() + b"junk",
     (FORMERR, None)),
    # Not malformed, for contrast: the same packets done right.
    ("valid query", header(0x1024) + Q_LISTED, (NOERROR, 1)),
    ("valid query with OPT", header(0x1025, ar=1) + Q_LISTED + opt_rr(), (NOERROR, 1)),
    ("wrong class", header(0x1026) + question(LISTED, 1, 3), (REFUSED, 1)),
    ("opcode STATUS", header(0x1027, flags=2 << 11) + Q_LISTED, (NOTIMP, None)),
]

# Packets that must get no reply at all.
SILENT = [("%d bytes" % n, header(0x2000 + n)[:n]) for n in range(12)] + [
    ("QR=1 query", header(0x2100, flags=0x8100) + Q_LISTED),
    ("QR=1 header only", header(0x2101, flags=0x8000, qd=0)),
    ("QR=1 FORMERR-looking", header(0x2102, flags=0x8001, qd=2)),
    ("QR=1 NOTIFY", header(0x2103, flags=0x8000 | (4 << 11)) + question(ZONE, 6)),
    ("QR=1 with OPT", header(0x2104, flags=0x8000, ar=1) + Q_LISTED + opt_rr()),
    ("QR=1 truncated", header(0x2105, flags=0x8000)[:12] + b"\x05ab"),
]


@pytest.fixture
def std(daemon):
    return std_daemon(daemon)


def check_reply(name, packet, resp, rcode, qd):
    assert resp is not None, "%s: no reply (want rcode %d)" % (name, rcode)
    assert len(resp) >= 12, "%s: reply of %d bytes" % (name, len(resp))
    h = parse_header(resp)
    qid = struct.unpack("!H", packet[:2])[0]
    assert h["id"] == qid, "%s: id %#x, want %#x" % (name, h["id"], qid)
    assert h["qr"] == 1, name
    assert h["rcode"] == rcode, "%s: rcode %d (%s), want %d (%s)" % (
        name, h["rcode"], dns.rcode.to_text(h["rcode"]), rcode, dns.rcode.to_text(rcode))
    if rcode in (FORMERR, REFUSED, NOTIMP):
        assert h["an"] == 0 and h["ns"] == 0, "%s: %s" % (name, h)
    if qd is None:
        assert h["qd"] in (0, 1), "%s: QDCOUNT %d" % (name, h["qd"])
    else:
        assert h["qd"] == qd, "%s: QDCOUNT %d, want %d" % (name, h["qd"], qd)
    if h["qd"] == 1:
        # The question as sent (the first one), byte for byte.
        qend = 12 + packet[12:].index(b"\x00") + 5
        assert resp[12:qend] == packet[12:qend], "%s: question not echoed" % name
    elif h["ar"] == 0:
        assert len(resp) == 12, "%s: QDCOUNT 0 but %d bytes" % (name, len(resp))


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_packet_rcodes(std, case):
    name, packet, (rcode, qd) = case
    resp = std.udp_raw(packet)
    check_reply(name, packet, resp, rcode, qd)


def test_malformed_over_tcp(std):
    """The same rules over TCP: one connection, all packets, answers in order."""
    with std.tcp_connect() as s:
        s.settimeout(QUERY_TIMEOUT)
        for name, packet, (rcode, qd) in MALFORMED:
            s.sendall(struct.pack("!H", len(packet)) + packet)
            (n,) = struct.unpack("!H", recv_exact(s, 2))
            check_reply(name + " (tcp)", packet, recv_exact(s, n), rcode, qd)


def test_silent_drops(std):
    """Short packets and responses (QR=1) get no reply. All are sent from one socket, followed
    by a valid query: the valid answer must be the only datagram that comes back."""
    host, port = std.endpoint(4)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    try:
        for _, packet in SILENT:
            s.send(packet)
        marker = header(0x7E7E) + Q_LISTED
        s.send(marker)
        got = []
        deadline = time.monotonic() + QUERY_TIMEOUT
        seen_marker_at = None
        while time.monotonic() < deadline:
            if seen_marker_at and time.monotonic() > seen_marker_at + 0.5:
                break
            s.settimeout(0.1)
            try:
                got.append(s.recv(65535))
            except socket.timeout:
                continue
            if got[-1][:2] == b"\x7e\x7e" and seen_marker_at is None:
                seen_marker_at = time.monotonic()
        assert seen_marker_at is not None, "no answer to the valid query after the silent ones"
        others = [g for g in got if g[:2] != b"\x7e\x7e"]
        assert not others, "replies to packets that must be dropped: %s" % [
            (g[:12].hex(), [n for n, p in SILENT if p[:2] == g[:2]]) for g in others]
    finally:
        s.close()


def flood_packets(rng):
    """Random, truncated and mutated packets."""
    valid = [
        header(rng.randrange(65536)) + Q_LISTED,
        header(rng.randrange(65536), ar=1) + Q_LISTED + opt_rr(4096),
        header(rng.randrange(65536)) + question(name4("192.0.2.62"), 16),
        header(rng.randrange(65536)) + question(ZONE, 255),
    ]
    templates = [p for _, p, _ in MALFORMED] + [p for _, p in SILENT] + valid
    kind = rng.randrange(8)
    if kind == 0:
        return rng.randbytes(rng.choice([0, 1, 5, 11, 12, 13, 40, 300, 512, 1500]))
    if kind == 1:
        return rng.choice(templates)
    if kind == 2:  # a template cut short
        p = rng.choice(templates)
        return p[:rng.randrange(len(p) + 1)]
    if kind in (3, 4):  # byte flips in a template
        p = bytearray(rng.choice(templates))
        for _ in range(rng.randrange(1, 6)):
            if p:
                p[rng.randrange(len(p))] = rng.getrandbits(8)
        return bytes(p)
    if kind == 5:  # random header counts, random labels with random lengths and pointers
        body = b""
        for _ in range(rng.randrange(1, 40)):
            r = rng.random()
            if r < 0.1:
                body += bytes([0xC0 | rng.randrange(64), rng.getrandbits(8)])
            elif r < 0.15:
                body += bytes([rng.choice([0x40, 0x80, 0x7F, 0xBF])])
            else:
                n = rng.choice([0, 1, 2, 63, 64, rng.randrange(64)])
                body += bytes([n]) + rng.randbytes(min(n, 70))
        return struct.pack("!HHHHHH", rng.randrange(65536), rng.randrange(65536) & ~0x8000,
                           rng.randrange(4), rng.randrange(3), rng.randrange(3),
                           rng.randrange(3)) + body + rng.randbytes(rng.randrange(12))
    if kind == 6:  # many OPTs / options with bad lengths
        opts = b"".join(struct.pack("!HH", rng.randrange(65536), rng.randrange(300)) + b"x" *
                        rng.randrange(20) for _ in range(rng.randrange(5)))
        n = rng.randrange(1, 4)
        return header(rng.randrange(65536), ar=n) + Q_LISTED + b"".join(
            opt_rr(rng.randrange(65536), version=rng.choice([0, 0, 1]), options=opts)
            for _ in range(n))
    # a long name made of pointers into the packet
    ptrs = b"".join(struct.pack("!H", 0xC000 | rng.randrange(12, 80)) for _ in range(20))
    return header(rng.randrange(65536)) + b"\x01a" * rng.randrange(10) + ptrs + b"\x00\x01\x00\x01"


def test_udp_flood_then_normal_answers(std):
    seed = SEED
    print("flood seed %d" % seed)
    rng = random.Random(seed)
    host, port = std.endpoint(4)
    socks = []
    for _ in range(4):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect((host, port))
        s.setblocking(False)
        socks.append(s)
    sent = replies = 0
    start = time.monotonic()
    try:
        while sent < FLOOD_MAX_PACKETS and time.monotonic() - start < FLOOD_SECONDS:
            s = socks[sent % len(socks)]
            try:
                s.send(flood_packets(rng))
                sent += 1
            except (BlockingIOError, ConnectionRefusedError):
                pass
            if sent % 64 == 0:
                for s2 in socks:
                    while True:
                        try:
                            s2.recv(65535)
                            replies += 1
                        except (BlockingIOError, ConnectionRefusedError):
                            break
            if sent % 500 == 0:
                assert std.alive(), "daemon died during the flood after %d packets; log:\n%s" % (
                    sent, std.log())
    finally:
        for s in socks:
            s.close()
    print("flood: %d packets in %.1f s, %d replies" % (sent, time.monotonic() - start, replies))
    assert sent > 1000, "flood too small to mean anything (%d packets)" % sent
    assert replies > 0
    assert std.alive(), std.log()
    check_baseline(std)
    check_baseline(std, tcp=True)


def test_tcp_short_and_zero_lengths(std):
    # A length prefix bigger than what follows, then close.
    for declared, body in ((256, Q_LISTED), (65535, b"x" * 100), (40, header(0x3001))):
        with std.tcp_connect() as s:
            s.sendall(struct.pack("!H", declared) + header(0x3000) + body)
    # Half a length prefix, then close.
    with std.tcp_connect() as s:
        s.sendall(b"\x00")
    # A zero length prefix followed by a real query: the server may close the connection or
    # skip the empty message, but must not hang others or crash.
    with std.tcp_connect() as s:
        s.sendall(b"\x00\x00" + struct.pack("!H", 12 + len(Q_LISTED)) + header(0x3002) + Q_LISTED)
        s.settimeout(QUERY_TIMEOUT)
        try:
            s.recv(65535)
        except (socket.timeout, ConnectionResetError):
            pass
    # A query, then a reset before the (long) answer is read: the daemon must survive the
    # failed write (SIGPIPE/EPIPE/ECONNRESET).
    for _ in range(20):
        s = std.tcp_connect()
        q = dns.message.make_query(name4("192.0.2.62"), "TXT")
        w = q.to_wire()
        s.sendall((struct.pack("!H", len(w)) + w) * 30)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    # Many connections opened and closed at once.
    conns = [std.tcp_connect() for _ in range(50)]
    for s in conns:
        s.close()
    assert std.alive(), std.log()
    check_answer(std, "192.0.2.1", "127.0.0.2", dtxt("192.0.2.1"), tcp=True)
    r = std.query(name4("192.0.2.62"), "TXT", tcp=True)
    assert r.rcode() == dns.rcode.NOERROR and r.answer


def test_slowloris_does_not_block_others(daemon):
    idle_timeout = 3.0
    d = std_daemon(daemon, extra_dns={"tcp_idle_timeout": "3s"})
    w = header(0x3100) + Q_LISTED
    slow = []
    for i in range(20):
        s = d.tcp_connect()
        if i % 3 == 0:
            s.sendall(b"\x00")  # half a length prefix
        elif i % 3 == 1:
            s.sendall(struct.pack("!H", len(w)) + w[:7])  # half a message
        # else: connected and silent
        slow.append(s)
    t_open = time.monotonic()
    # Others are served promptly meanwhile, over UDP and TCP.
    for _ in range(10):
        t0 = time.monotonic()
        r = d.query(LISTED, "A")
        assert r.rcode() == dns.rcode.NOERROR
        r = d.query(LISTED, "TXT", tcp=True)
        assert r.rcode() == dns.rcode.NOERROR
        assert time.monotonic() - t0 < 1.0, "answers slowed down by idle TCP clients"
    # The idle and half-finished connections are closed after tcp_idle_timeout.
    deadline = t_open + idle_timeout + 2.0
    open_ = list(slow)
    while open_ and time.monotonic() < deadline:
        still = []
        for s in open_:
            s.settimeout(0.05)
            try:
                data = s.recv(100)
                if data:
                    still.append(s)  # unexpected data; keep reading until closed
            except socket.timeout:
                still.append(s)
            except (ConnectionResetError, OSError):
                pass
        open_ = still
    n_open = len(open_)
    for s in slow:
        s.close()
    assert n_open == 0, "%d of %d idle/slow connections still open %.1f s after " \
        "tcp_idle_timeout (%.0f s)" % (n_open, len(slow), 2.0, idle_timeout)
    check_answer(d, "192.0.2.2", "127.0.0.4", "Own text for 192.0.2.2", tcp=True)


def test_tcp_max_clients(daemon):
    d = std_daemon(daemon, extra_dns={"tcp_max_clients": 4, "tcp_idle_timeout": "2s"})
    conns = []
    for _ in range(12):
        try:
            conns.append(d.tcp_connect())
        except OSError:
            pass
    # UDP keeps working whatever TCP does.
    r = d.query(LISTED, "A")
    assert r.rcode() == dns.rcode.NOERROR
    for s in conns:
        s.close()
    # Once they are gone, TCP serves again (bounded by the idle timeout at worst).
    deadline = time.monotonic() + 5.0
    while True:
        try:
            r = d.query(LISTED, "A", tcp=True, timeout=1.0)
            break
        except (OSError, EOFError, dns.exception.Timeout):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert r.rcode() == dns.rcode.NOERROR

