# SPDX-License-Identifier: BSD-2-Clause
# The spamtrap SMTP listener ([trap]) in the real ipbld: sessions over loopback with smtplib
# and a raw socket client, the spool, the listing that follows a trap hit, and the limits.
# 127.0.0.1 is the configured proxy (PROXY/XCLIENT); ordinary clients connect from 127.0.0.2
# (all of 127/8 is loopback on Linux). Loopback peers are never listed (RFC 6890), so the
# listing checks use public addresses passed by the proxy.

import json
import re
import smtplib
import socket
import struct
import time

import pytest

from conftest import run_ipbl, wait_until

TRAP = "@trap.example.org, spam@example.net"
CLIENT = "127.0.0.2"
PROXY = "127.0.0.1"
TIMEOUT = 5.0
# public addresses (not special-purpose), so that a trap hit can list them
PUBLIC_V1 = "45.33.32.156"
PUBLIC_V2 = "45.33.32.158"
PUBLIC_XCLIENT = "45.33.32.157"

TRAP_CONF = {
    "trap": {
        "listen": "127.0.0.1:0",
        "addresses": TRAP,
        "proxy_from": PROXY,
        "hostname": "trap.test",
        "max_message_size": "4K",
        "max_recipients": 3,
        "max_sessions_per_ip": 5,
    }
}


def trap_port(d):
    """The trap's port: from the READY line (trap=ADDR:PORT) or the start-up log line."""
    m = re.search(r"\btrap=127\.0\.0\.1:(\d+)", d.ready_line or "")
    if m:
        return int(m.group(1))
    return int(d.wait_log(r"trap: spamtrap ready listen=127\.0\.0\.1:(\d+)").group(1))


@pytest.fixture(scope="module")
def trapd(module_daemons):
    return module_daemons(conf=TRAP_CONF)


class Raw:
    """A line-level SMTP client on a plain socket, for what smtplib will not do."""

    def __init__(self, port, src=CLIENT):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT,
                                             source_address=(src, 0))
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """One (possibly multi-line) reply: (code, text of all lines)."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed; got %r" % (b"".join(lines) + self.buf))
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3]), b"\n".join(lines).decode("latin-1")

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def closed(self):
        """True when the server closes the connection (bounded wait)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except ConnectionResetError:
                return True
            if not chunk:
                return True
            self.buf += chunk
        return False

    def close(self):
        self.sock.close()


def smtp(port, src=CLIENT):
    return smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT, source_address=(src, 0))


def message(subject, body="buy now"):
    return "From: a@sender.example\r\nSubject: %s\r\n\r\n%s\r\n" % (subject, body)


def spooled(d, peer, since=0):
    """Wait for the log line of a spooled trap hit for peer after log offset since."""
    return d.wait_log(r"trap: trap hit spooled peer=%s " % re.escape(peer), TIMEOUT, since)


def listed(d, ip):
    r = run_ipbl(d, "lookup", "--json", ip)
    if r.returncode != 0:
        return False
    return json.loads(r.stdout).get("listed") is True


def still_serving(d):
    """A fresh session gets its greeting and a NOOP answer."""
    with smtp(trap_port(d)) as s:
        assert s.noop()[0] == 250


def test_trap_address_is_accepted_and_spooled(trapd):
    since = trapd.log_offset()
    with smtp(trap_port(trapd)) as s:
        code, text = s.ehlo("client.example")
        assert code == 250
        assert b"PIPELINING" in text and b"SIZE 4096" in text and b"8BITMIME" in text
        assert b"XCLIENT" not in text  # only proxies are told
        refused = s.sendmail("a@sender.example", ["Spam@Example.NET", "x@trap.example.org"],
                             message("direct"))
        assert refused == {}
    line = spooled(trapd, CLIENT, since).group(0)
    assert "rcpts=2" in trapd.log()[since:]
    assert line


def test_other_recipients_get_550(trapd):
    with smtp(trap_port(trapd)) as s:
        s.ehlo("client.example")
        s.mail("a@sender.example")
        code, _ = s.rcpt("someone@example.org")
        assert code == 550
        code, _ = s.rcpt("x@sub.trap.example.org")
        assert code == 550
        code, _ = s.rcpt("x@trap.example.org")
        assert code == 250
        s.rset()
        code, _ = s.verify("spam@example.net")
        assert code == 252
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        with smtp(trap_port(trapd)) as s:
            s.sendmail("a@sender.example", ["postmaster@example.org"], message("nope"))


def test_proxy_v1_peer_is_listed(trapd):
    since = trapd.log_offset()
    c = Raw(trap_port(trapd), src=PROXY)
    c.send("PROXY TCP4 %s 127.0.0.1 40000 25\r\n" % PUBLIC_V1)
    assert c.reply()[0] == 220
    code, text = c.cmd("EHLO bot.example")
    assert code == 250 and "XCLIENT" in text
    assert c.cmd("MAIL FROM:<a@sender.example>")[0] == 250
    assert c.cmd("RCPT TO:<v1@trap.example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(message("proxied") + ".\r\n")
    assert c.reply()[0] == 250
    assert c.cmd("QUIT")[0] == 221
    c.close()
    spooled(trapd, PUBLIC_V1, since)
    # the engine consumes the spool: the source becomes listed
    wait_until(lambda: listed(trapd, PUBLIC_V1), 15, interval=0.25,
               what="%s listed after a trap hit" % PUBLIC_V1)


def test_proxy_v2_and_xclient(trapd):
    since = trapd.log_offset()
    c = Raw(trap_port(trapd), src=PROXY)
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    addrs = socket.inet_aton(PUBLIC_V2) + socket.inet_aton("127.0.0.1") + struct.pack("!HH", 40001, 25)
    c.send(sig + bytes([0x21, 0x11]) + struct.pack("!H", len(addrs)) + addrs)
    assert c.reply()[0] == 220
    assert c.cmd("HELO bot.example")[0] == 250
    assert c.cmd("MAIL FROM:<>")[0] == 250
    assert c.cmd("RCPT TO:<v2@trap.example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(message("v2") + ".\r\n")
    assert c.reply()[0] == 250
    c.close()
    spooled(trapd, PUBLIC_V2, since)

    # XCLIENT, as Postfix's smtpd_proxy_filter or an MTA in front of the trap sends it
    c = Raw(trap_port(trapd), src=PROXY)
    assert c.reply()[0] == 220
    assert c.cmd("EHLO mta.example")[0] == 250
    assert c.cmd("XCLIENT ADDR=%s NAME=[UNAVAILABLE] HELO=bot.example" % PUBLIC_XCLIENT)[0] == 220
    assert c.cmd("EHLO mta.example")[0] == 250
    assert c.cmd("MAIL FROM:<a@sender.example>")[0] == 250
    assert c.cmd("RCPT TO:<spam@example.net>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(message("xclient") + ".\r\n")
    assert c.reply()[0] == 250
    c.close()
    spooled(trapd, PUBLIC_XCLIENT, since)


def test_proxy_refused_from_others(trapd):
    c = Raw(trap_port(trapd), src=CLIENT)
    c.send("PROXY TCP4 %s 127.0.0.1 40000 25\r\n" % PUBLIC_V1)
    code, text = c.reply()
    assert code == 220  # the greeting, sent at connect
    code, text = c.reply()
    assert code == 421 and "PROXY" in text
    assert c.closed()
    c.close()
    c = Raw(trap_port(trapd), src=CLIENT)
    c.reply()
    c.cmd("EHLO x.example")
    assert c.cmd("XCLIENT ADDR=%s" % PUBLIC_V1)[0] == 550
    c.close()
    still_serving(trapd)


def test_oversize_message(trapd):
    big = message("big", "x" * 70 + ("\r\n" + "x" * 70) * 80)  # over 4K
    with smtp(trap_port(trapd)) as s:
        s.ehlo("client.example")
        # smtplib declares the size (SIZE=) and is refused at MAIL
        with pytest.raises(smtplib.SMTPSenderRefused) as e:
            s.sendmail("a@sender.example", ["big@trap.example.org"], big)
        assert e.value.smtp_code == 552
        assert s.noop()[0] == 250
    # undeclared: refused at the end of the data, and the session goes on
    c = Raw(trap_port(trapd))
    c.reply()
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<a@sender.example>")
    c.cmd("RCPT TO:<big@trap.example.org>")
    assert c.cmd("DATA")[0] == 354
    c.send(big + ".\r\n")
    assert c.reply()[0] == 552
    assert c.cmd("NOOP")[0] == 250
    c.close()
    still_serving(trapd)


def test_long_lines(trapd):
    c = Raw(trap_port(trapd))
    c.reply()
    c.cmd("EHLO client.example")
    assert c.cmd("NOOP " + "a" * 1200)[0] == 500
    assert c.cmd("NOOP")[0] == 250
    assert c.cmd("MAIL FROM:<a@sender.example>")[0] == 250
    assert c.cmd("RCPT TO:<long@trap.example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send("Subject: long\r\n\r\n" + "y" * 1100 + "\r\n.\r\n")
    code, _ = c.reply()
    assert 500 <= code < 600
    assert c.cmd("QUIT")[0] == 221
    c.close()
    still_serving(trapd)


def test_too_many_recipients(trapd):
    with smtp(trap_port(trapd)) as s:
        s.ehlo("client.example")
        s.mail("a@sender.example")
        for i in range(3):
            assert s.rcpt("r%d@trap.example.org" % i)[0] == 250
        assert s.rcpt("r3@trap.example.org")[0] == 452
        assert s.rcpt("r4@trap.example.org")[0] == 452
        code, _ = s.data(message("many"))
        assert code == 250


def test_pipelining(trapd):
    since = trapd.log_offset()
    c = Raw(trap_port(trapd))
    c.reply()
    c.send("EHLO p.example\r\nMAIL FROM:<a@sender.example>\r\nRCPT TO:<p@trap.example.org>\r\n"
           "RCPT TO:<no@where.example>\r\nDATA\r\n" + message("pipelined") + ".\r\n"
           "MAIL FROM:<a@sender.example>\r\nRCPT TO:<q@trap.example.org>\r\nRSET\r\nQUIT\r\n")
    codes = [c.reply()[0] for _ in range(10)]
    assert codes == [250, 250, 250, 550, 354, 250, 250, 250, 250, 221]
    assert c.closed()
    c.close()
    spooled(trapd, CLIENT, since)


def test_vanish_mid_data(trapd):
    spool_tmp = trapd.data_dir / "spool" / "trap" / "tmp"
    c = Raw(trap_port(trapd))
    c.reply()
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<a@sender.example>")
    c.cmd("RCPT TO:<gone@trap.example.org>")
    assert c.cmd("DATA")[0] == 354
    c.send("Subject: never finished\r\n\r\nhalf")
    time.sleep(0.2)
    c.close()
    wait_until(lambda: not any(spool_tmp.iterdir()), TIMEOUT, what="tmp spool file removed")
    assert "gone@trap.example.org" not in trapd.log()
    still_serving(trapd)


def test_bare_lf_and_nul(trapd):
    c = Raw(trap_port(trapd))
    c.reply()
    c.cmd("EHLO client.example")
    c.send("NOOP\n")
    assert c.reply()[0] == 500
    c.cmd("MAIL FROM:<a@sender.example>")
    c.cmd("RCPT TO:<lf@trap.example.org>")
    assert c.cmd("DATA")[0] == 354
    c.send("Subject: bare lf\n\nbody\n.\nstill data\r\n.\r\n")
    assert c.reply()[0] == 554
    # NUL bytes in a body are kept, the message accepted
    c.cmd("MAIL FROM:<a@sender.example>")
    c.cmd("RCPT TO:<nul@trap.example.org>")
    assert c.cmd("DATA")[0] == 354
    c.send(b"Subject: nul\r\n\r\na\x00b\r\n.\r\n")
    assert c.reply()[0] == 250
    c.close()
    still_serving(trapd)


def test_sessions_per_ip(trapd):
    port = trap_port(trapd)
    held = []
    try:
        for _ in range(5):
            c = Raw(port, src="127.0.0.9")
            assert c.reply()[0] == 220
            held.append(c)
        extra = Raw(port, src="127.0.0.9")
        code, text = extra.reply()
        assert code == 421
        assert extra.closed()
        extra.close()
        still_serving(trapd)  # from another address
    finally:
        for c in held:
            c.close()


def test_listen_backlog_is_kept(trapd):
    """The listener keeps the backlog the trap asked for (1,024): libevent must not listen()
    again with its default of 128, or a burst of new sessions overflows the accept queue."""
    import subprocess
    port = trap_port(trapd)
    out = subprocess.run(["ss", "-ltnH", "sport = :%d" % port], capture_output=True, text=True,
                         timeout=10, check=True).stdout.split()
    # State Recv-Q Send-Q Local:Port Peer:Port; for a listening socket Send-Q is the backlog
    assert out[0] == "LISTEN" and int(out[2]) == 1024, out


# ---- swaks, the SMTP test tool mail admins use ----------------------------------------

def swaks(port, *args, src=CLIENT):
    import subprocess
    return subprocess.run(["swaks", "--server", "127.0.0.1:%d" % port, "--local-interface", src,
                           "--from", "a@sender.example", "--helo", "client.example",
                           "--timeout", "5"] + list(args),
                          capture_output=True, text=True, timeout=30)


def test_swaks_pipelined_delivery_to_a_trap(trapd):
    since = trapd.log_offset()
    r = swaks(trap_port(trapd), "--to", "x@trap.example.org", "--pipeline",
              "--header", "Subject: swaks pipelined")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "<-  250" in r.stdout
    spooled(trapd, CLIENT, since)


def test_swaks_other_recipient_refused(trapd):
    r = swaks(trap_port(trapd), "--to", "someone@elsewhere.example")
    assert r.returncode != 0
    assert "<** 550" in r.stdout


def test_swaks_xclient_from_the_proxy_lists_the_real_client(trapd):
    ip = "45.33.32.159"
    r = swaks(trap_port(trapd), "--to", "spam@example.net", "--xclient-addr", ip,
              "--header", "Subject: swaks via xclient", src=PROXY)
    assert r.returncode == 0, r.stdout + r.stderr
    wait_until(lambda: listed(trapd, ip), TIMEOUT, what="%s listed after a trap hit" % ip)
    # the same from a client that is not a proxy is refused
    r = swaks(trap_port(trapd), "--to", "spam@example.net", "--xclient-addr", "45.33.32.160")
    assert r.returncode != 0
    assert not listed(trapd, "45.33.32.160")
