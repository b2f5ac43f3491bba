# SPDX-License-Identifier: BSD-2-Clause
# `ipbl explain`: the real command on every bounce of tests/data/bounces, the contract's exit
# codes, and the status of an address on our own list as the store has it (listed by a trap
# hit, then delisted by itself 24 hours later on the manual clock, and never seen at all).

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IPBL = os.environ.get("IPBL", str(REPO / "build" / "src" / "cli" / "ipbl"))
BOUNCES = REPO / "tests" / "data" / "bounces"
ZONE = "bl.example.org"
BASE_URL = "http://127.0.0.1:8080"
OURS = BOUNCES / "gmail_dsn_ours.txt"  # names our zone and the address below
OURS_IP = "185.97.44.12"
SPAMCOP = BOUNCES / "exim_spamcop.txt"
BY_URL = BOUNCES / "postfix_ours_by_url.txt"  # no zone, only a link to BASE_URL


def write_conf(d, dns=True, web=True, store=None):
    d = Path(d)
    text = "[main]\ndata_dir = %s\n" % (d / "data")
    if store is not None:
        text += "[store]\npath = %s\n" % store
    if dns:
        text += "[dns]\nlisten = 127.0.0.1:0\nzone = %s\n" % ZONE
    if web:
        text += "[web]\nlisten = 127.0.0.1:0\nbase_url = %s\n" % BASE_URL
    text += "[policy]\nexpire = 24h\n[testing]\nmanual_clock = yes\n"
    conf = d / "ipbl.conf"
    conf.write_text(text)
    return conf


def ipbl(conf, *args, stdin=None):
    return subprocess.run([IPBL, "-c", str(conf)] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=60,
                          input=stdin if stdin is not None else "")


def ok(r):
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout


def expected(name):
    """The .expected fields of a bounce as a dict."""
    out = {}
    for line in (BOUNCES / (name + ".expected")).read_text().splitlines():
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def one_line(text):
    """Wrapped output as one line, for phrases that may span a line break."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def conf(tmp_path):
    c = write_conf(tmp_path)
    ok(ipbl(c, "clock", "set", "2030-01-01T00:00:00Z"))
    return c


BOUNCE_NAMES = sorted(p.stem for p in BOUNCES.glob("*.txt"))


@pytest.mark.parametrize("name", BOUNCE_NAMES)
def test_every_bounce(conf, name):
    want = expected(name)
    r = ipbl(conf, "explain", BOUNCES / (name + ".txt"))
    if want["kind"] == "none":
        assert r.returncode == 3, (r.stdout, r.stderr)
        assert r.stdout == ""
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("undetermined: "), r.stderr
        return
    out = ok(r)
    flat = one_line(out)
    assert r.stderr == ""
    assert out.splitlines()[0].strip()  # a title first
    assert "What happened" in out and "What to do next" in out
    assert "  1. " in out
    if want["ip"]:
        assert want["ip"] in flat
    if want["kind"] == "blocklist":
        assert "blocklist problem" not in flat
        if want["ours"] == "yes":
            assert "This address on our list" in out
    else:
        assert "This is not a blocklist problem." in flat
        assert "This address on our list" not in out
    if want["recipient"]:
        assert want["recipient"] in flat
    # whose address it is: only that case's step, with the reason; both when unknown
    sender = want["sender"].split(" ", 1)
    if sender[0] == "provider":
        assert "Whose address it is" in out and sender[1].strip("()") in flat
        assert "belongs to the mail server you send through" in flat
        assert "If you run the mail server" not in flat
    elif sender[0] == "own":
        assert "Whose address it is" in out and sender[1].strip("()") in flat
        assert "is your own, so the fix is on your side" in flat
        assert "belongs to" not in flat
    elif want["kind"] == "blocklist" and "1. Do not keep resending" in flat:
        assert "Whose address it is" not in out
        assert "If you send through a provider" in flat and "If you run the mail server" in flat
    for line in out.splitlines():
        # wrapped for a terminal; only a single long word (a URL) may stick out
        assert len(line) <= 76 or " " not in line.strip(), line


def test_stdin_is_the_default(conf):
    by_file = ok(ipbl(conf, "explain", SPAMCOP))
    assert ok(ipbl(conf, "explain", stdin=SPAMCOP.read_text())) == by_file
    assert ok(ipbl(conf, "explain", "-", stdin=SPAMCOP.read_text())) == by_file
    assert "the SpamCop Blocking List" in one_line(by_file)
    assert "https://www.spamcop.net/bl.shtml" in by_file


def test_exit_codes(conf, tmp_path):
    r = ipbl(conf, "explain", tmp_path / "missing.txt")
    assert r.returncode == 1 and r.stderr.startswith("ipbl: explain: "), r.stderr
    r = ipbl(conf, "explain", SPAMCOP, SPAMCOP)
    assert r.returncode == 2 and "usage: ipbl explain" in r.stderr
    r = ipbl(conf, "explain", "--no-such-option")
    assert r.returncode == 2
    r = ipbl(conf, "explain", stdin="")
    assert r.returncode == 3 and r.stderr.startswith("undetermined: ")
    r = ipbl(conf, "explain", "--help")
    assert r.returncode == 0 and "usage: ipbl explain" in r.stdout
    r = ipbl(tmp_path / "no-such.conf", "explain", SPAMCOP)
    assert r.returncode in (1, 2) and r.stderr.startswith("ipbl: explain: ")


def test_ours_by_our_link_alone(conf):
    out = one_line(ok(ipbl(conf, "explain", BY_URL)))
    assert "on our blocklist %s" % ZONE in out
    assert "This address on our list" in out and "We have no record of 203.0.113.22" in out


def test_ours_never_seen(conf):
    out = one_line(ok(ipbl(conf, "explain", OURS)))
    assert "our blocklist %s" % ZONE in out
    assert "We have no record of %s" % OURS_IP in out


def test_ours_listed_then_delisted_by_itself(conf):
    r = ipbl(conf, "trap", "--peer", OURS_IP, "--helo", "spammer.example", "-",
             stdin="Subject: cheap pills\n\nbuy now\n")
    assert "status: listed" in ok(r)
    out = one_line(ok(ipbl(conf, "explain", OURS)))
    assert "%s is on this list now" % OURS_IP in out
    assert "spamtrap" in out  # the policy's reason sentence
    assert "24 hours after the last spam report or spamtrap hit" in out
    assert "2030-01-02T00:00:00Z (in about 24 hours)" in out
    assert "%s/lookup?ip=%s" % (BASE_URL, OURS_IP) in out
    assert "ends by itself" in out
    ok(ipbl(conf, "clock", "advance", "23h"))
    out = one_line(ok(ipbl(conf, "explain", OURS)))
    assert "(in about 60 minutes)" in out
    ok(ipbl(conf, "clock", "advance", "2h"))
    out = one_line(ok(ipbl(conf, "explain", OURS)))
    assert "%s is not on this list any more" % OURS_IP in out


def test_ours_listed_by_a_data_file(tmp_path):
    """An address the operator lists by hand ([dns] data): listed, no end by itself; a data
    file that cannot be read is named on stderr and the answer still comes."""
    hand = tmp_path / "hand.txt"
    hand.write_text("185.97.44.0/24\n")
    c = write_conf(tmp_path)
    text = c.read_text().replace("zone = %s\n" % ZONE,
                                 "zone = %s\ndata = ip4set:%s\ndata = %s\n"
                                 % (ZONE, hand, tmp_path / "missing.txt"))
    c.write_text(text)
    ok(ipbl(c, "clock", "set", "2030-01-01T00:00:00Z"))
    r = ipbl(c, "explain", OURS)
    out = one_line(ok(r))
    assert "%s is on this list now" % OURS_IP in out
    assert "as part of 185.97.44.0/24" in out
    assert "stays until the operator of the list removes it" in out
    assert "waiting does not end it" in out
    assert "ends by itself" not in out and "1970" not in out
    assert "missing.txt: cannot read data file" in r.stderr


def test_store_only_opened_for_our_list(tmp_path):
    bad = tmp_path / "not-a-dir"
    bad.write_text("a file where the store's directory should be")
    c = write_conf(tmp_path, store=bad / "ipbl.db")
    # another list's bounce needs nothing from the store
    ok(ipbl(c, "explain", SPAMCOP))
    # ours does: an unreachable store is an operational error
    r = ipbl(c, "explain", OURS)
    assert r.returncode == 1 and r.stderr.startswith("ipbl: explain: "), r.stderr
    assert r.stdout == ""


def test_without_our_zone_or_web(tmp_path):
    c = write_conf(tmp_path, dns=False, web=False)
    out = one_line(ok(ipbl(c, "explain", OURS)))
    # without [dns] we have no zone: bl.example.org is just some other list
    assert "the blocklist %s" % ZONE in out
    assert "This address on our list" not in out
    assert "We do not run %s" % ZONE in out
    c = write_conf(tmp_path, dns=True, web=False)
    out = one_line(ok(ipbl(c, "explain", OURS)))
    assert "our blocklist %s" % ZONE in out
    # a bounce that names no zone, only a link to our pages, is ours only with [web]
    assert "our blocklist" not in one_line(ok(ipbl(c, "explain", BY_URL)))
    # the reply quotes the list's link once; without [web] we add none of our own
    assert out.count("%s/lookup?ip=" % BASE_URL) == 1
