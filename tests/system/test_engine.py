# SPDX-License-Identifier: BSD-2-Clause
# The listing engine end to end, told with the manual clock: evidence filed by `ipbl` (a
# separate process) reaches the daemon's DNS answers within a second, `lookup` explains it,
# and the listing ends by itself 24 hours after the last evidence. Also: a trap hit lists on
# its own, a banned reporter counts zero, a deputy's delisting holds until newer evidence,
# one reporter sending 100 reports counts once, and the contract's exit codes and JSON.

import json
import time

import dns.rcode
import pytest

from conftest import IPBLD, ZONE, name4, name6, run_ipbl, wait_until

IP = "45.33.32.156"  # an ordinary global address (reserved ones are never listed)
MANUAL = {"testing": {"manual_clock": "yes"}, "policy": {"expire": "24h"}}
LOOKUP_FIELDS = {"ip", "listed", "reason", "reports", "trap_hits", "first_seen", "last_seen",
                 "listed_since", "delist_at", "seconds_to_delist"}


def ok(r):
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout


def answer(d, ip):
    r = d.query(name4(ip), "A")
    return r.rcode(), [rr.to_text() for rrset in r.answer for rr in rrset]


def wait_listed(d, ip, listed, timeout=1.0):
    """The answer flips within the contract's 1 s of the change."""
    want = dns.rcode.NOERROR if listed else dns.rcode.NXDOMAIN
    wait_until(lambda: answer(d, ip)[0] == want, timeout,
               what="%s %s in DNS" % (ip, "listed" if listed else "delisted"))


def lookup(d, ip):
    return json.loads(ok(run_ipbl(d, "lookup", "--json", ip)))


@pytest.fixture
def eng(daemon):
    d = daemon(conf=MANUAL, start=False)
    d.write_conf()
    ok(run_ipbl(d, "clock", "set", "2030-01-01T00:00:00Z"))
    for name in ("alice", "bob", "carol"):
        ok(run_ipbl(d, "reporter", "add", name))
    d.start()
    return d


def report(d, reporter, ip, body):
    """A report from a trusted feed (--ip): the message only identifies the spam."""
    return run_ipbl(d, "report", "--reporter", reporter, "--ip", ip, "--json", "-",
                    input_text=body)


def test_story_two_reporters_list_then_delist_after_24h(eng):
    d = eng
    assert answer(d, IP)[0] == dns.rcode.NXDOMAIN
    r = json.loads(ok(report(d, "alice", IP, "Subject: pills\n\nbuy\n")))
    assert r["ip"] == IP and r["listed"] is False and r["duplicate"] is False
    r = json.loads(ok(report(d, "bob", IP, "Subject: pills again\n\nbuy now\n")))
    assert r["listed"] is True and r["status"] == "listed"
    t0 = time.monotonic()
    wait_listed(d, IP, True)
    assert time.monotonic() - t0 < 1.0
    rcode, rrs = answer(d, IP)
    assert rrs == ["127.0.0.2"]
    txt = d.query(name4(IP), "TXT")
    assert IP in txt.answer[0][0].to_text()

    lk = lookup(d, IP)
    assert LOOKUP_FIELDS <= set(lk)
    assert lk["listed"] is True and lk["reports"] == 2 and lk["trap_hits"] == 0
    assert "2 reporters" in lk["reason"]
    assert lk["first_seen"] == "2030-01-01T00:00:00Z"
    assert lk["last_seen"] == "2030-01-01T00:00:00Z"
    assert lk["listed_since"] == "2030-01-01T00:00:00Z"
    # 24 hours after the last report
    assert lk["delist_at"] == "2030-01-02T00:00:00Z"
    assert lk["seconds_to_delist"] == 24 * 3600
    text = ok(run_ipbl(d, "lookup", IP))
    assert "status: listed" in text and "delist at: 2030-01-02T00:00:00Z" in text
    assert IP in ok(run_ipbl(d, "list"))

    ok(run_ipbl(d, "clock", "advance", "1439m"))
    time.sleep(0.3)
    assert answer(d, IP)[0] == dns.rcode.NOERROR
    assert lookup(d, IP)["seconds_to_delist"] == 60
    ok(run_ipbl(d, "clock", "advance", "2m"))
    wait_listed(d, IP, False)
    lk = lookup(d, IP)
    assert lk["listed"] is False and lk["delist_at"] is None and lk["seconds_to_delist"] is None
    assert lk["listed_since"] is None
    assert IP not in ok(run_ipbl(d, "list"))
    d.wait_log(r"zone loaded", 2.0)


def test_trap_hit_lists_on_its_own(eng):
    d = eng
    r = run_ipbl(d, "trap", "--peer", IP, "--helo", "spammer.example", "-",
                 input_text="Subject: hello trap\n\nbody\n")
    assert "status: listed" in ok(r)
    wait_listed(d, IP, True)
    lk = lookup(d, IP)
    assert lk["trap_hits"] == 1 and lk["reports"] == 0
    assert "spamtrap" in lk["reason"]


def test_banned_reporter_counts_zero(eng):
    d = eng
    ok(report(d, "alice", IP, "Subject: a\n\n1\n"))
    ok(report(d, "carol", IP, "Subject: b\n\n2\n"))
    wait_listed(d, IP, True)
    out = ok(run_ipbl(d, "reporter", "ban", "carol"))
    assert "banned" in out and "1 address re-decided" in out
    wait_listed(d, IP, False)
    assert lookup(d, IP)["listed"] is False
    # a banned reporter's new reports are refused, and nothing is stored
    r = report(d, "carol", IP, "Subject: c\n\n3\n")
    assert r.returncode == 2 and "banned" in r.stderr
    assert lookup(d, IP)["reports"] == 1


def test_deputy_delisting_holds_until_newer_evidence(eng):
    d = eng
    ok(run_ipbl(d, "trap", "--peer", IP, "-", input_text="Subject: t1\n\nx\n"))
    wait_listed(d, IP, True)
    out = ok(run_ipbl(d, "delist", IP, "--reason", "customer cleaned the host", "--by",
                      "dana"))
    assert "delisted by deputy dana" in out
    wait_listed(d, IP, False)
    lk = lookup(d, IP)
    assert lk["listed"] is False and "deputy" in lk["reason"]
    # evidence from the same moment as the delisting (the clock has not moved) does not
    # undo it
    out = ok(run_ipbl(d, "trap", "--peer", IP, "-", input_text="Subject: t1b\n\nsame time\n"))
    assert "status: not listed" in out
    time.sleep(0.3)
    assert answer(d, IP)[0] == dns.rcode.NXDOMAIN
    # newer evidence counts again
    ok(run_ipbl(d, "clock", "advance", "10m"))
    ok(run_ipbl(d, "trap", "--peer", IP, "-", input_text="Subject: t2\n\ny\n"))
    wait_listed(d, IP, True)


def test_ipv6_listing_answers_on_the_nibble_name(eng):
    d = eng
    ip6 = "2a01:4f8:c17:1::25"
    ok(run_ipbl(d, "trap", "--peer", ip6, "-", input_text="Subject: v6\n\nx\n"))
    name = name6(ip6)
    wait_until(lambda: d.query(name, "A").rcode() == dns.rcode.NOERROR, 1.0,
               what="%s listed in DNS" % ip6)
    assert [rr.to_text() for rrset in d.query(name, "A").answer for rr in rrset] == ["127.0.0.2"]
    # the IPv4-mapped form of an IPv4 address is that address
    ok(run_ipbl(d, "trap", "--peer", "::ffff:45.33.32.77", "-", input_text="Subject: m\n\nx\n"))
    assert lookup(d, "45.33.32.77")["listed"] is True
    wait_listed(d, "45.33.32.77", True)


def test_same_note_for_different_sources_counts_for_each(eng):
    d = eng
    body = "Subject: feed note\n\nspam seen\n"
    a = json.loads(ok(report(d, "alice", IP, body)))
    b = json.loads(ok(report(d, "alice", "45.33.32.157", body)))
    assert a["duplicate"] is False and b["duplicate"] is False and a["id"] != b["id"]
    # a duplicate never creates a record for an address
    c = json.loads(ok(report(d, "bob", IP, body)))
    assert c["duplicate"] is True
    assert run_ipbl(d, "lookup", "45.33.32.200").returncode == 3


def test_backscatter_is_recorded_as_such(eng):
    d = eng
    bounce = ("Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
              "Subject: Undelivered Mail Returned to Sender\n\n"
              "I'm sorry to have to inform you that your message could not be delivered.\n")
    ok(run_ipbl(d, "trap", "--peer", IP, "-", input_text=bounce))
    lk = lookup(d, IP)
    assert lk["listed"] is True and lk["trap_hits"] == 1 and lk["backscatter"] == 1
    ok(run_ipbl(d, "trap", "--peer", IP, "-", input_text="Subject: cheap pills\n\nbuy\n"))
    lk = lookup(d, IP)
    assert lk["trap_hits"] == 2 and lk["backscatter"] == 1


def test_one_reporter_hundred_reports_counts_once(eng):
    d = eng
    for i in range(100):
        ok(report(d, "alice", IP, "Subject: spam %d\n\nbody %d\n" % (i, i)))
    lk = lookup(d, IP)
    assert lk["listed"] is False and lk["reports"] == 100
    assert "1 reporter" in lk["reason"]
    time.sleep(0.3)
    assert answer(d, IP)[0] == dns.rcode.NXDOMAIN


def test_same_message_twice_counts_once(eng):
    d = eng
    body = "Subject: same\r\n\r\nthe same spam   \r\n"
    a = json.loads(ok(report(d, "alice", IP, body)))
    b = json.loads(ok(report(d, "bob", IP, body.replace("\r\n", "\n"))))
    assert b["duplicate"] is True and b["id"] == a["id"]
    assert lookup(d, IP)["reports"] == 1


def test_report_finds_the_source_from_received(eng):
    d = eng
    msg = ("Received: from mx.recipient.example (mx.recipient.example [10.1.2.3])\n"
           "\tby mail.recipient.example with ESMTP id A1; Tue, 1 Jan 2030 00:00:02 +0000\n"
           "Received: from bad.example (host.bad.example [45.33.32.156])\n"
           "\tby mx.recipient.example with ESMTP id B2; Tue, 1 Jan 2030 00:00:01 +0000\n"
           "From: a@bad.example\nSubject: buy\n\nspam\n")
    r = run_ipbl(d, "report", "--reporter", "alice", "-", input_text=msg)
    out = ok(r)
    assert "ip: %s" % IP in out and "report: " in out
    # nothing to blame: exit 3, nothing stored
    r = run_ipbl(d, "report", "--reporter", "bob", "-",
                 input_text="From: a@b.example\nSubject: no hops\n\nx\n")
    assert r.returncode == 3 and r.stderr.startswith("undetermined: ")
    assert lookup(d, IP)["reports"] == 1


def test_exit_codes(eng):
    d = eng
    r = run_ipbl(d, "lookup", "45.33.32.200")
    assert r.returncode == 3 and "45.33.32.200" in r.stderr
    r = run_ipbl(d, "lookup", "not-an-ip")
    assert r.returncode == 2 and "not an IP address" in r.stderr
    r = run_ipbl(d, "delist", "45.33.32.200", "--reason", "x")
    assert r.returncode == 3
    r = run_ipbl(d, "delist", IP)
    assert r.returncode == 2 and "--reason" in r.stderr
    r = run_ipbl(d, "report", "--reporter", "nobody", "--ip", IP, "-", input_text="x\n")
    assert r.returncode == 2 and "nobody" in r.stderr
    r = run_ipbl(d, "report", "--ip", "127.0.0.5", "-", input_text="Subject: x\n\nx\n")
    assert r.returncode == 2 and "never listed" in r.stderr
    r = run_ipbl(d, "trap", "-", input_text="x\n")
    assert r.returncode == 2 and "--peer" in r.stderr
    r = run_ipbl(d, "export", "--format", "bind9")
    assert r.returncode == 2


def test_export_formats(eng, tmp_path):
    d = eng
    ok(run_ipbl(d, "trap", "--peer", IP, "-", input_text="Subject: e\n\ne\n"))
    ok(run_ipbl(d, "trap", "--peer", "2a01:4f8::7", "-", input_text="Subject: e6\n\ne\n"))
    out = tmp_path / "bl.rbldnsd"
    r = run_ipbl(d, "export", "--format", "rbldnsd", str(out))
    assert r.returncode == 0 and "rbldnsd6" in r.stderr
    lines = out.read_text().splitlines()
    assert IP in lines and lines[1].startswith(":127.0.0.2:")
    six = ok(run_ipbl(d, "export", "--format", "rbldnsd6"))
    assert "2a01:4f8::7" in six.splitlines()
    zone = ok(run_ipbl(d, "export", "--format", "zone"))
    assert "$ORIGIN %s." % ZONE in zone
    assert "156.32.33.45\tIN\tA\t127.0.0.2" in zone
    assert '"Blocked - see http://127.0.0.1:8080/lookup?ip=%s"' % IP in zone
    assert "2.0.0.127\tIN\tA\t127.0.0.2" in zone


def test_listings_made_while_daemon_down_are_served_at_start(daemon):
    d = daemon(conf=MANUAL, start=False)
    d.write_conf()
    ok(run_ipbl(d, "clock", "set", "2030-01-01T00:00:00Z"))
    ok(run_ipbl(d, "trap", "--peer", IP, "-", input_text="Subject: early\n\nx\n"))
    d.start()
    assert answer(d, IP)[0] == dns.rcode.NOERROR


def test_web_only_daemon_runs_without_dns(tmp_path):
    """A missing [dns] section switches DNS off; the other components still run."""
    import os
    import signal
    import subprocess
    import urllib.request
    conf = tmp_path / "web.conf"
    conf.write_text("[main]\ndata_dir = %s\n[web]\nlisten = 127.0.0.1:0\n" % (tmp_path / "d"))
    rfd, wfd = os.pipe()
    p = subprocess.Popen([IPBLD, "-c", str(conf), "--ready-fd", str(wfd)], pass_fds=(wfd,),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    os.close(wfd)
    try:
        with os.fdopen(rfd) as r:
            line = r.readline()
        assert line.startswith("READY") and "dns=" not in line and "web=" in line, line
        web = line.split("web=")[1].split()[0]
        with urllib.request.urlopen("http://%s/healthz" % web, timeout=5) as resp:
            assert resp.status == 200
    finally:
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=10)
    assert p.returncode == 0, err
    assert "error:" not in err
