# SPDX-License-Identifier: BSD-2-Clause
# `ipbl source` over the shared Received-chain corpus (../shared/corpus/received beside the
# repo): every case must give its expected source IP (compared by address value), or exit 3
# with "undetermined: ..." on stderr. The corpus is read in place, never copied.

import csv
import ipaddress
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import IPBL, REPO

CORPUS = Path(os.environ.get("IPBL_RECEIVED_CORPUS",
                             str(REPO.parent / "shared" / "corpus" / "received")))
EXPECTED = CORPUS / "expected.tsv"


def load_cases():
    if not EXPECTED.is_file():
        return []
    with EXPECTED.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


CASES = load_cases()


def addr(text):
    """The address value of text, IPv4-mapped IPv6 folded to IPv4."""
    a = ipaddress.ip_address(text.strip())
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped is not None:
        return a.ipv4_mapped
    return a


def run_source(case, *extra):
    args = [IPBL, "source"] + list(extra)
    if case["trusted"]:
        args += ["--trusted", case["trusted"]]
    args.append(str(CORPUS / case["file"]))
    return subprocess.run(args, capture_output=True, timeout=30)


@pytest.mark.skipif(not CASES, reason="corpus not found at %s" % CORPUS)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(case):
    p = run_source(case)
    stdout = p.stdout.decode("utf-8", "replace")
    stderr = p.stderr.decode("utf-8", "replace")
    assert "runtime error:" not in stderr and "Sanitizer" not in stderr, stderr
    if case["expected_ip"] == "UNDETERMINED":
        assert p.returncode == 3, "exit %d, stdout %r, stderr %r" % (p.returncode, stdout, stderr)
        assert stdout == ""
        assert stderr.startswith("undetermined: "), stderr
        return
    assert p.returncode == 0, "exit %d, stderr %r (%s)" % (p.returncode, stderr, case["note"])
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout
    assert addr(lines[0]) == addr(case["expected_ip"]), "got %s, want %s (%s)" % (
        lines[0], case["expected_ip"], case["note"])


@pytest.mark.skipif(not CASES, reason="corpus not found at %s" % CORPUS)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case_json(case):
    p = run_source(case, "--json")
    doc = json.loads(p.stdout.decode("utf-8"))
    assert set(doc) >= {"ip", "hops", "reason"}
    assert isinstance(doc["reason"], str) and doc["reason"]
    if case["expected_ip"] == "UNDETERMINED":
        assert p.returncode == 3
        assert doc["ip"] is None
    else:
        assert p.returncode == 0
        assert addr(doc["ip"]) == addr(case["expected_ip"])
        assert [h["verdict"] for h in doc["hops"]].count("source") == 1


def test_source_usage_errors(tmp_path):
    msg = tmp_path / "m.eml"
    msg.write_bytes(b"Received: from a (a [81.2.69.10]) by mx.test with SMTP id 1\n"
                    b"Subject: s\n\nbody\n")
    p = subprocess.run([IPBL, "source", "--trusted", "10.0.0.0/33", str(msg)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "10.0.0.0/33" in p.stderr
    p = subprocess.run([IPBL, "source", str(tmp_path / "missing.eml")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1
    p = subprocess.run([IPBL, "source", "-"], input=msg.read_text(), capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0 and p.stdout == "81.2.69.10\n"
