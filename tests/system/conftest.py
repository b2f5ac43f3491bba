# SPDX-License-Identifier: BSD-2-Clause
# System-test fixtures: start the real ipbld on loopback with kernel-chosen ports, query it
# with dnspython, rewrite its data files, signal it, and check its exit and log on teardown.

import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest

REPO = Path(__file__).resolve().parents[2]
IPBLD = os.environ.get("IPBLD", str(REPO / "build" / "src" / "ipbld" / "ipbld"))
IPBL = os.environ.get("IPBL", str(REPO / "build" / "src" / "cli" / "ipbl"))
ZONE = "bl.example.org"
DEFAULT_TXT = "Blocked - see http://127.0.0.1:8080/lookup?ip=$"
QUERY_TIMEOUT = 2.0
READY_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0

# Lines that fail a test whatever it declared: sanitizer reports.
SANITIZER_RE = re.compile(
    r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|WARNING: ThreadSanitizer"
    r"|ERROR: MemorySanitizer"
)
ERROR_RE = re.compile(r"\berror:")


def have_ipv6():
    """True when a socket can bind ::1 on this machine."""
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    except OSError:
        return False
    try:
        s.bind(("::1", 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


HAVE_IPV6 = have_ipv6()


def wait_until(pred, timeout, interval=0.05, what="condition"):
    """Poll pred() until it returns a truthy value (returned) or timeout seconds pass (fail)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            pytest.fail("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# Names and wire helpers shared by the test modules.


def name4(ip, zone=ZONE):
    """Reversed-octet name of an IPv4 address inside zone: 1.2.3.4 -> 4.3.2.1.zone."""
    return ".".join(reversed(ip.split("."))) + "." + zone + "."


def nibbles6(ip):
    """The 32 nibbles of an IPv6 address, most significant first (lower-case hex)."""
    import ipaddress

    return "%032x" % int(ipaddress.IPv6Address(ip))


def name6(ip, zone=ZONE, upper=False):
    """Reversed-nibble name of an IPv6 address inside zone (RFC 5782 section 2.4)."""
    n = nibbles6(ip)
    if upper:
        n = n.upper()
    return ".".join(reversed(n)) + "." + zone + "."


def rfc5952(ip):
    """RFC 5952 text of an IPv6 address: lower case, longest run (>= 2) of zero groups
    compressed (first on ties), leading zeros dropped, mixed notation for ::ffff:a.b.c.d."""
    import ipaddress

    a = ipaddress.IPv6Address(ip)
    v = int(a)
    if v >> 32 == 0xFFFF:
        return "::ffff:%s" % ipaddress.IPv4Address(v & 0xFFFFFFFF)
    groups = [(v >> (112 - 16 * i)) & 0xFFFF for i in range(8)]
    best_start, best_len = -1, 0
    i = 0
    while i < 8:
        if groups[i] == 0:
            j = i
            while j < 8 and groups[j] == 0:
                j += 1
            if j - i > best_len:
                best_start, best_len = i, j - i
            i = j
        else:
            i += 1
    hexes = ["%x" % g for g in groups]
    if best_len < 2:
        return ":".join(hexes)
    left = ":".join(hexes[:best_start])
    right = ":".join(hexes[best_start + best_len:])
    return left + "::" + right


def encode_name(name):
    """Uncompressed wire form of a dotted name (no escapes; '.' or '' is the root)."""
    out = b""
    for label in name.rstrip(".").split(".") if name not in (".", "") else []:
        b = label.encode("ascii")
        out += bytes([len(b)]) + b
    return out + b"\x00"


def header(qid=0x1234, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def question(name, qtype=1, qclass=1):
    return encode_name(name) + struct.pack("!HH", qtype, qclass)


def opt_rr(payload=1232, ext_rcode=0, version=0, flags=0, options=b"", owner=b"\x00"):
    """An OPT pseudo-RR (RFC 6891) as raw bytes."""
    ttl = (ext_rcode << 24) | (version << 16) | flags
    return owner + struct.pack("!HHIH", 41, payload, ttl, len(options)) + options


def parse_header(wire):
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", wire[:12])
    return {
        "id": qid,
        "qr": flags >> 15,
        "opcode": (flags >> 11) & 0xF,
        "aa": (flags >> 10) & 1,
        "tc": (flags >> 9) & 1,
        "rd": (flags >> 8) & 1,
        "ra": (flags >> 7) & 1,
        "z": (flags >> 4) & 7,
        "rcode": flags & 0xF,
        "qd": qd,
        "an": an,
        "ns": ns,
        "ar": ar,
    }


def rrset_values(msg, rdtype, section="answer"):
    """Text of every rdata of type rdtype in a section (A: '127.0.0.2'; TXT: joined string)."""
    rdtype = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
    out = []
    for rrset in getattr(msg, section):
        if rrset.rdtype != rdtype:
            continue
        for rd in rrset:
            if rdtype == dns.rdatatype.TXT:
                out.append(b"".join(rd.strings).decode("latin-1"))
            else:
                out.append(rd.to_text())
    return out


def txt_strings(msg):
    """Each TXT rdata of the answer as its tuple of character-strings (bytes)."""
    return [tuple(rd.strings) for rrset in msg.answer if rrset.rdtype == dns.rdatatype.TXT
            for rd in rrset]


def tcp_send_recv(sock, payloads, count=None, timeout=QUERY_TIMEOUT):
    """Send length-prefixed messages in one sendall, read count (default len) responses."""
    sock.settimeout(timeout)
    sock.sendall(b"".join(struct.pack("!H", len(p)) + p for p in payloads))
    out = []
    for _ in range(len(payloads) if count is None else count):
        hdr = recv_exact(sock, 2)
        (n,) = struct.unpack("!H", hdr)
        out.append(recv_exact(sock, n))
    return out


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


# ---------------------------------------------------------------------------------------------
# The daemon.


def _format_value(v):
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


class Daemon:
    """One ipbld process with its own directory, config, data files and log.

    conf: {section: {key: value}} merged over the defaults; a value None removes the key; a list
    value writes the key once per item (repeatable keys such as [dns] data).
    """

    def __init__(self, workdir, conf=None, data=None, name="ipbld"):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.data_dir = self.dir / "data"
        self.data_dir.mkdir(exist_ok=True)
        self.conf_path = self.dir / "ipbld.conf"
        self.log_path = self.dir / "stderr.log"
        self.proc = None
        self.expected_errors = []
        self.endpoints = []  # [(family, host, port)] in READY order
        self.ready_line = None
        self.stopped = False
        self.exit_expected = False
        self.returncode = None
        listen = "127.0.0.1:0, [::1]:0" if HAVE_IPV6 else "127.0.0.1:0"
        self.conf = {
            "main": {"data_dir": str(self.data_dir), "log_level": "info"},
            "dns": {
                "listen": listen,
                "zone": ZONE,
                "txt": DEFAULT_TXT,
                "reload_interval": "1s",
            },
        }
        for name_, content in (data or {}).items():
            self.write_data(name_, content)
        for section, kv in (conf or {}).items():
            sec = self.conf.setdefault(section, {})
            for k, v in kv.items():
                if v is None:
                    sec.pop(k, None)
                else:
                    sec[k] = v

    # -- files --------------------------------------------------------------------------------

    def path(self, name):
        return self.data_dir / name

    def write_data(self, name, content, atomic=True):
        """Write a data file: atomically (temp file + rename, the default) or in place."""
        p = self.path(name)
        raw = content.encode() if isinstance(content, str) else content
        if atomic:
            tmp = p.with_name(".%s.tmp" % p.name)
            with open(tmp, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, p)
        else:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, raw, 0)
            finally:
                os.close(fd)
        return p

    def write_conf(self):
        lines = []
        for section, kv in self.conf.items():
            lines.append("[%s]" % section)
            for k, v in kv.items():
                for item in v if isinstance(v, (list, tuple)) else [v]:
                    text = _format_value(item).replace("{data}", str(self.data_dir))
                    lines.append("%s = %s" % (k, text))
            lines.append("")
        # atomically: ipbl processes started by a test may read it while it is rewritten
        tmp = self.conf_path.with_name(".%s.tmp" % self.conf_path.name)
        tmp.write_text("\n".join(lines))
        os.replace(tmp, self.conf_path)

    # -- life cycle ---------------------------------------------------------------------------

    def expect_error(self, pattern):
        """Declare that log lines with 'error:' matching regex pattern are expected."""
        self.expected_errors.append(re.compile(pattern))

    def start(self, expect_ready=True):
        self.write_conf()
        rfd, wfd = os.pipe()
        self.log_file = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [IPBLD, "-c", str(self.conf_path), "--ready-fd", str(wfd)],
                stdin=subprocess.DEVNULL,
                stdout=self.log_file,
                stderr=self.log_file,
                pass_fds=(wfd,),
                cwd=str(self.dir),
            )
        finally:
            os.close(wfd)
        if not expect_ready:
            os.close(rfd)
            return self
        try:
            line = self._read_ready(rfd)
        finally:
            os.close(rfd)
        self.ready_line = line
        self.endpoints = parse_ready(line)
        if not self.endpoints:
            pytest.fail("%s: READY line has no dns endpoint: %r" % (self.name, line))
        return self

    def _read_ready(self, rfd):
        deadline = time.monotonic() + READY_TIMEOUT
        buf = b""
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                pytest.fail("%s: no READY line within %.0f s; log:\n%s"
                            % (self.name, READY_TIMEOUT, self.log()))
            r, _, _ = select.select([rfd], [], [], min(left, 0.2))
            if r:
                chunk = os.read(rfd, 4096)
                if not chunk:
                    break
                buf += chunk
            elif self.proc.poll() is not None:
                break
        if b"\n" not in buf:
            rc = self.wait_exit(STOP_TIMEOUT)
            self.stopped = True
            pytest.fail("%s: exited (status %s) or closed the ready fd before READY (%r); log:\n%s"
                        % (self.name, rc, buf, self.log()))
        return buf.split(b"\n", 1)[0].decode()

    def run_to_exit(self, timeout=READY_TIMEOUT):
        """Start a daemon that is expected to fail at start-up; returns its exit status (None
        if it had to be killed) once it has exited. No READY is expected."""
        self.exit_expected = True
        self.start(expect_ready=False)
        return self.wait_exit(timeout)

    def wait_exit(self, timeout):
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.returncode = None
        return self.returncode

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def signal(self, sig):
        assert self.proc.poll() is None, "%s died (status %s); log:\n%s" % (
            self.name, self.proc.returncode, self.log())
        self.proc.send_signal(sig)

    def sighup(self):
        self.signal(signal.SIGHUP)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, bounded wait; returns a list of problems (empty when clean)."""
        problems = []
        if self.stopped or self.proc is None:
            return problems
        self.stopped = True
        if self.exit_expected:
            if self.proc.poll() is None:
                self.kill()
                problems.append("%s was expected to exit by itself" % self.name)
        elif self.proc.poll() is not None:
            problems.append("%s had already exited with status %s before teardown"
                            % (self.name, self.proc.returncode))
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.returncode = self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                stacks = thread_stacks(self.proc.pid)
                self.kill()
                rc = self.returncode = None
                problems.append("%s did not exit within %.0f s of SIGTERM (killed); its "
                                "threads were:\n%s" % (self.name, STOP_TIMEOUT, stacks))
            if rc is not None and rc != 0:
                problems.append("%s exited with status %s after SIGTERM" % (self.name, rc))
        self.log_file.close()
        problems += self.log_problems()
        return problems

    def log_problems(self):
        problems = []
        for line in self.log().splitlines():
            if SANITIZER_RE.search(line):
                problems.append("sanitizer report: %s" % line)
            elif ERROR_RE.search(line) and not any(p.search(line) for p in self.expected_errors):
                problems.append("unexpected error line: %s" % line)
        return problems

    # -- log ----------------------------------------------------------------------------------

    def log(self):
        try:
            return self.log_path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_offset(self):
        """Current size of the log: pass to wait_log(since=) to see only later lines."""
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def wait_log(self, pattern, timeout=5.0, since=0):
        """Wait (bounded) for a log line matching regex pattern after byte offset since;
        returns the re.Match."""
        rx = re.compile(pattern)

        def find():
            text = self.log_path.read_bytes()[since:].decode("utf-8", "replace")
            for line in text.splitlines():
                m = rx.search(line)
                if m:
                    return m
            if not self.alive():
                pytest.fail("%s exited (status %s) while waiting for /%s/; log:\n%s"
                            % (self.name, self.proc.returncode, pattern, self.log()))
            return None

        deadline = time.monotonic() + timeout
        while True:
            m = find()
            if m:
                return m
            if time.monotonic() >= deadline:
                pytest.fail("%s: no log line /%s/ within %.1f s; log:\n%s"
                            % (self.name, pattern, timeout, self.log()))
            time.sleep(0.05)

    # -- network ------------------------------------------------------------------------------

    def endpoint(self, family=4):
        for fam, host, port in self.endpoints:
            if fam == family:
                return host, port
        pytest.fail("%s has no IPv%d endpoint (READY %r)" % (self.name, family, self.ready_line))

    @property
    def port(self):
        return self.endpoint(4)[1]

    def make_query(self, name, rdtype="A", rdclass="IN", rd=True, **kw):
        q = dns.message.make_query(name, rdtype, rdclass, **kw)
        if not rd:
            q.flags &= ~dns.flags.RD
        return q

    def query(self, name, rdtype="A", tcp=False, family=4, timeout=QUERY_TIMEOUT, **kw):
        """One query with dnspython over UDP (default) or TCP; returns the response."""
        q = name if isinstance(name, dns.message.Message) else self.make_query(name, rdtype, **kw)
        host, port = self.endpoint(family)
        if tcp:
            return dns.query.tcp(q, host, port=port, timeout=timeout)
        return dns.query.udp(q, host, port=port, timeout=timeout)

    def udp_raw(self, wire, family=4, timeout=QUERY_TIMEOUT, expect_reply=True):
        """Send raw bytes over UDP; returns the reply bytes, or None if none came in timeout."""
        host, port = self.endpoint(family)
        s = socket.socket(socket.AF_INET6 if family == 6 else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.settimeout(timeout)
            s.connect((host, port))
            s.send(wire)
            try:
                return s.recv(65535)
            except socket.timeout:
                return None
        finally:
            s.close()

    def tcp_connect(self, family=4, timeout=QUERY_TIMEOUT):
        host, port = self.endpoint(family)
        s = socket.create_connection((host, port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def serials(self):
        """Serials of every 'zone loaded' log line so far, in order."""
        return [int(x) for x in re.findall(r"dns: zone loaded serial=(\d+)", self.log())]

    def wait_loaded(self, since, timeout=5.0):
        """Wait for a 'zone loaded' line after log offset since; returns its serial."""
        return int(self.wait_log(r"dns: zone loaded serial=(\d+)", timeout, since).group(1))

    def soa_serial(self):
        r = self.query(ZONE + ".", "SOA")
        assert r.rcode() == dns.rcode.NOERROR, r
        return r.answer[0][0].serial


def thread_stacks(pid):
    """Every thread's stack of a running process (gdb), to say where a hang was."""
    if not shutil.which("gdb"):
        return "(gdb is not installed)"
    r = subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt"],
                       capture_output=True, text=True, timeout=60)
    return "\n".join(line for line in r.stdout.splitlines()
                     if line.startswith(("#", "Thread")))


def run_ipbl(d, *args, timeout=30, input_text=None):
    """Run the ipbl CLI with the daemon's config (-c), stdin input_text (else empty);
    returns the CompletedProcess."""
    return subprocess.run([IPBL, "-c", str(d.conf_path)] + list(args), capture_output=True,
                          text=True, timeout=timeout, cwd=str(d.dir),
                          input=input_text if input_text is not None else "")


def parse_ready(line):
    """'READY dns=127.0.0.1:40123,[::1]:40124 ...' -> [(4, '127.0.0.1', 40123), (6, '::1', 40124)]."""
    out = []
    if not line.startswith("READY"):
        pytest.fail("not a READY line: %r" % line)
    for tok in line.split()[1:]:
        key, _, val = tok.partition("=")
        if key != "dns":
            continue
        for ep in val.split(","):
            m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\]:(\d+)", ep)
            if m:
                out.append((6, m.group(1), int(m.group(2))))
                continue
            m = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+):(\d+)", ep)
            if not m:
                pytest.fail("bad endpoint %r in READY line %r" % (ep, line))
            out.append((4, m.group(1), int(m.group(2))))
    return out


class DaemonPool:
    """Starts daemons under one directory and stops them all, collecting problems."""

    def __init__(self, base):
        self.base = Path(base)
        self.daemons = []

    def __call__(self, conf=None, data=None, start=True, name=None):
        idx = len(self.daemons)
        d = Daemon(self.base / ("d%d" % idx), conf=conf, data=data,
                   name=name or "ipbld#%d" % idx)
        self.daemons.append(d)
        if start:
            d.start()
        return d

    def stop_all(self):
        problems = []
        for d in self.daemons:
            problems += d.stop()
        if problems:
            pytest.fail("daemon teardown:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def daemon(tmp_path):
    """Factory: daemon(conf={...}, data={...}, start=True) -> a started Daemon. Every daemon is
    stopped with SIGTERM at teardown, which asserts exit status 0 and a clean log."""
    pool = DaemonPool(tmp_path)
    yield pool
    pool.stop_all()


@pytest.fixture(scope="module")
def module_daemons(tmp_path_factory):
    """The same factory with module scope, for daemons shared by the tests of one file."""
    pool = DaemonPool(tmp_path_factory.mktemp("module"))
    yield pool
    pool.stop_all()


def pytest_report_header(config):
    return "ipbld: %s (exists: %s); ipbl: %s; IPv6 loopback: %s" % (
        IPBLD, os.path.exists(IPBLD), IPBL, HAVE_IPV6)



# ---------------------------------------------------------------------------------------------
# The standard data set used by several modules, and what it must answer.

LONG_TXT = "L" * 990 + " $"  # a [dns] txt template: 1001 bytes for "192.0.2.60"
TXT255 = "x" * 245 + "$"  # 255 bytes after '$' -> "192.0.2.61"
TXT256 = "y" * 246 + "$"  # 256 bytes after '$' -> "192.0.2.62"

STD_IP4 = """\
# ip4set data for the system tests
; entries before any default line: A 127.0.0.2 and the [dns] txt template
192.0.2.1
198.51.100.0/24
!198.51.100.77
10.20.0.0-10.20.3.255
127.0.0.1
203.0.113.16/28 :127.0.0.3:Range $ listed
192.0.2.2 :127.0.0.4:Own text for $

:127.0.0.10:Default from file: $ (twice $)
192.0.2.50
192.0.2.51 :127.0.0.11
192.0.2.52 :127.0.0.12:
192.0.2.53 Just text for $
192.0.2.54 :13:Short A form $
192.0.2.55   # a comment after the entry
192.0.2.61 :127.0.0.6:%s
192.0.2.62 :127.0.0.7:%s
""" % (TXT255, TXT256)

STD_IP6 = """\
# ip6trie data for the system tests
2001:db8:1::/64
2001:db8:2::5/128
:127.0.0.20:v6 default $
2001:db8:3::/48 :127.0.0.6:v6 range $
!2001:db8:3::1
2001:db8:4::/64
"""


def std_conf(extra_dns=None, extra_main=None):
    """Config overrides that serve the standard data ({data} is the daemon's data dir)."""
    conf = {"dns": {"data": ["ip4set:{data}/ip4.txt", "ip6trie:{data}/ip6.txt"]}}
    conf["dns"].update(extra_dns or {})
    if extra_main:
        conf["main"] = dict(extra_main)
    return conf


def std_daemon(factory, extra_dns=None, extra_main=None, start=True):
    """A daemon serving the standard data set."""
    return factory(conf=std_conf(extra_dns, extra_main),
                   data={"ip4.txt": STD_IP4, "ip6.txt": STD_IP6}, start=start)


def long_daemon(factory, extra_dns=None, start=True):
    """A daemon whose [dns] txt template is LONG_TXT (data files keep TXT within 255 bytes):
    192.0.2.60 answers 127.0.0.2 with the long TXT, 192.0.2.61 a short one."""
    conf = {"dns": {"txt": LONG_TXT, "data": "ip4set:{data}/long.txt"}}
    conf["dns"].update(extra_dns or {})
    return factory(conf=conf, data={"long.txt": "192.0.2.60\n192.0.2.61 :127.0.0.4:short $\n"},
                   start=start)


def dtxt(ip):
    """The [dns] txt template expanded for ip."""
    return DEFAULT_TXT.replace("$", ip)


# (address, A or None for NXDOMAIN, TXT or None for no TXT record)
STD_EXPECT = [
    ("192.0.2.1", "127.0.0.2", dtxt("192.0.2.1")),
    ("192.0.2.2", "127.0.0.4", "Own text for 192.0.2.2"),
    ("192.0.2.3", None, None),
    ("192.0.2.50", "127.0.0.10", "Default from file: 192.0.2.50 (twice 192.0.2.50)"),
    ("192.0.2.51", "127.0.0.11", "Default from file: 192.0.2.51 (twice 192.0.2.51)"),
    ("192.0.2.52", "127.0.0.12", None),
    ("192.0.2.53", "127.0.0.10", "Just text for 192.0.2.53"),
    ("192.0.2.54", "127.0.0.13", "Short A form 192.0.2.54"),
    ("192.0.2.55", "127.0.0.10", "Default from file: 192.0.2.55 (twice 192.0.2.55)"),
    ("192.0.2.56", None, None),
    ("192.0.2.60", None, None),
    ("192.0.2.61", "127.0.0.6", TXT255.replace("$", "192.0.2.61")),
    ("192.0.2.62", "127.0.0.7", TXT256.replace("$", "192.0.2.62")),
    ("198.51.99.255", None, None),
    ("198.51.100.0", "127.0.0.2", dtxt("198.51.100.0")),
    ("198.51.100.76", "127.0.0.2", dtxt("198.51.100.76")),
    ("198.51.100.77", None, None),
    ("198.51.100.78", "127.0.0.2", dtxt("198.51.100.78")),
    ("198.51.100.255", "127.0.0.2", dtxt("198.51.100.255")),
    ("198.51.101.0", None, None),
    ("10.19.255.255", None, None),
    ("10.20.0.0", "127.0.0.2", dtxt("10.20.0.0")),
    ("10.20.2.17", "127.0.0.2", dtxt("10.20.2.17")),
    ("10.20.3.255", "127.0.0.2", dtxt("10.20.3.255")),
    ("10.20.4.0", None, None),
    ("203.0.113.15", None, None),
    ("203.0.113.16", "127.0.0.3", "Range 203.0.113.16 listed"),
    ("203.0.113.31", "127.0.0.3", "Range 203.0.113.31 listed"),
    ("203.0.113.32", None, None),
    ("127.0.0.1", None, None),  # test point: never listed, although the data lists it
    ("127.0.0.2", "127.0.0.2", dtxt("127.0.0.2")),  # test point: always listed
    ("127.0.0.3", None, None),
    ("2001:db8:1::", "127.0.0.2", dtxt("2001:db8:1::")),
    ("2001:db8:1:0:ffff:ffff:ffff:ffff", "127.0.0.2", dtxt("2001:db8:1:0:ffff:ffff:ffff:ffff")),
    ("2001:db8:1:1::", None, None),
    ("2001:db8:0:ffff:ffff:ffff:ffff:ffff", None, None),
    ("2001:db8:2::4", None, None),
    ("2001:db8:2::5", "127.0.0.2", dtxt("2001:db8:2::5")),
    ("2001:db8:2::6", None, None),
    ("2001:db8:2:ffff:ffff:ffff:ffff:ffff", None, None),
    ("2001:db8:3::", "127.0.0.6", "v6 range 2001:db8:3::"),
    ("2001:db8:3::1", None, None),
    ("2001:db8:3::2", "127.0.0.6", "v6 range 2001:db8:3::2"),
    ("2001:db8:3:0:1:0:0:1", "127.0.0.6", "v6 range 2001:db8:3:0:1::1"),
    ("2001:db8:3:0:1:1:1:1", "127.0.0.6", "v6 range 2001:db8:3:0:1:1:1:1"),
    ("2001:db8:3:1::", "127.0.0.6", "v6 range 2001:db8:3:1::"),
    ("2001:db8:3:abcd:0:0:1:0", "127.0.0.6", "v6 range 2001:db8:3:abcd::1:0"),
    ("2001:db8:3:ffff:ffff:ffff:ffff:ffff", "127.0.0.6",
     "v6 range 2001:db8:3:ffff:ffff:ffff:ffff:ffff"),
    ("2001:db8:4::", "127.0.0.20", "v6 default 2001:db8:4::"),
    ("2001:db8:4:0:ffff::", "127.0.0.20", "v6 default 2001:db8:4:0:ffff::"),
    ("2001:db8:4:1::", None, None),
    ("::ffff:192.0.2.1", "127.0.0.2", dtxt("::ffff:192.0.2.1")),  # mapped: IPv4 data
    ("::ffff:192.0.2.2", "127.0.0.4", "Own text for ::ffff:192.0.2.2"),
    ("::ffff:198.51.100.77", None, None),
    ("::ffff:192.0.2.3", None, None),
    ("::ffff:127.0.0.2", "127.0.0.2", dtxt("::ffff:127.0.0.2")),  # test point
    ("::ffff:127.0.0.1", None, None),  # test point
    ("::192.0.2.1", None, None),  # IPv4-compatible (deprecated) is not IPv4-mapped
    ("::ffff:0:c000:201", None, None),  # SIIT ::ffff:0:0:0/96 is not IPv4-mapped either
    ("64:ff9b::c000:201", None, None),  # nor is NAT64
    ("::ffff:c000:200", None, None),  # ::ffff:192.0.2.0
]


def name_of(ip, upper=False):
    return name6(ip, upper=upper) if ":" in ip else name4(ip)


def check_answer(d, ip, a, txt, tcp=False, family=4, upper=False):
    """Assert the A, TXT and ANY answers for ip (a None: NXDOMAIN; txt None: no TXT)."""
    qname = name_of(ip, upper)
    # Long answers need EDNS over UDP (512 bytes without it).
    edns = {"use_edns": 0, "payload": 4096} if txt is not None and len(txt) > 300 else {}
    for qtype in ("A", "TXT", "ANY"):
        r = d.query(qname, qtype, tcp=tcp, family=family, **edns)
        where = "%s %s (%s)%s" % (qname, qtype, ip, " tcp" if tcp else "")
        if a is None:
            assert r.rcode() == dns.rcode.NXDOMAIN, "%s: want NXDOMAIN, got %s" % (
                where, dns.rcode.to_text(r.rcode()))
            assert not r.answer, "%s: NXDOMAIN with answers %s" % (where, r.answer)
            continue
        assert r.rcode() == dns.rcode.NOERROR, "%s: want NOERROR, got %s" % (
            where, dns.rcode.to_text(r.rcode()))
        want_a = [a] if qtype in ("A", "ANY") else []
        want_txt = [txt] if qtype in ("TXT", "ANY") and txt is not None else []
        assert rrset_values(r, "A") == want_a, "%s: A %r, want %r" % (
            where, rrset_values(r, "A"), want_a)
        assert rrset_values(r, "TXT") == want_txt, "%s: TXT %r, want %r" % (
            where, rrset_values(r, "TXT"), want_txt)
        assert len(r.answer) == len(want_a) + len(want_txt), "%s: extra answers %s" % (
            where, r.answer)


def check_baseline(d, tcp=False, family=4):
    """Every STD_EXPECT answer is right (the standard data must be loaded)."""
    for ip, a, txt in STD_EXPECT:
        check_answer(d, ip, a, txt, tcp=tcp, family=family)
