# SPDX-License-Identifier: BSD-2-Clause
# `ipbl source` over the project's own golden cases, tests/data/mail/NAME.eml with
# NAME.expected (format: tests/data/mail/README.md). Each case runs the real binary twice:
# plain (exit code and the one line of output) and --json (address, and when the case gives
# them the parsed peers, the walk's verdicts and whether the spam was an attachment).

import ipaddress
import json
import subprocess
from pathlib import Path

import pytest

from conftest import IPBL, REPO

DATA = REPO / "tests" / "data" / "mail"
KEYS = {"trusted", "ip", "peers", "verdicts", "attached", "reason"}


def load_expected(path):
    """The key: value lines of an .expected file ('#' starts a comment line)."""
    exp = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        assert sep and key in KEYS, "%s:%d: bad line %r" % (path.name, n, line)
        assert key not in exp, "%s:%d: %s given twice" % (path.name, n, key)
        exp[key] = value.strip()
    assert "ip" in exp, "%s: no ip: line" % path.name
    return exp


CASES = sorted(p.stem for p in DATA.glob("*.eml"))


def addr(text):
    a = ipaddress.ip_address(text.strip())
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped is not None:
        return a.ipv4_mapped
    return a


def run(name, exp, *extra):
    args = [IPBL, "source"] + list(extra)
    if "trusted" in exp:
        args += ["--trusted", exp["trusted"]]
    args.append(str(DATA / (name + ".eml")))
    p = subprocess.run(args, capture_output=True, timeout=30)
    stderr = p.stderr.decode("utf-8", "replace")
    assert "runtime error:" not in stderr and "Sanitizer" not in stderr, stderr
    return p, stderr


def test_every_case_has_expected():
    assert len(CASES) >= 30
    for name in CASES:
        assert (DATA / (name + ".expected")).is_file(), name
    for p in DATA.glob("*.expected"):
        assert (DATA / (p.stem + ".eml")).is_file(), p.name


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    exp = load_expected(DATA / (name + ".expected"))
    want = exp["ip"]

    p, stderr = run(name, exp)
    stdout = p.stdout.decode("utf-8", "replace")
    if want == "undetermined":
        assert p.returncode == 3, (p.returncode, stdout, stderr)
        assert stdout == "" and stderr.startswith("undetermined: "), stderr
    else:
        assert p.returncode == 0, (p.returncode, stderr)
        assert stdout.count("\n") == 1, stdout
        assert addr(stdout) == addr(want), "got %s, want %s" % (stdout.strip(), want)

    p, stderr = run(name, exp, "--json")
    doc = json.loads(p.stdout.decode("utf-8"))
    if want == "undetermined":
        assert p.returncode == 3 and doc["ip"] is None, doc
    else:
        assert p.returncode == 0 and addr(doc["ip"]) == addr(want), doc
    hops = doc["hops"]
    if "peers" in exp:
        got = [h["peer"] or "-" for h in hops]
        want_peers = exp["peers"].split()
        assert len(got) == len(want_peers), "peers %s, want %s" % (got, want_peers)
        for g, w in zip(got, want_peers):
            assert (g == "-") == (w == "-") and (w == "-" or addr(g) == addr(w)), (
                "peers %s, want %s" % (got, want_peers))
    if "verdicts" in exp:
        assert [h["verdict"] for h in hops] == exp["verdicts"].split(), hops
    if "attached" in exp:
        assert exp["attached"] in ("yes", "no")
        assert doc["attached"] == (exp["attached"] == "yes"), doc
    if "reason" in exp:
        assert exp["reason"] in doc["reason"], doc["reason"]
