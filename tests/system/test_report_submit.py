# SPDX-License-Identifier: BSD-2-Clause
# `ipbl report` without --reporter: the reporter is NAME from the submit+NAME address the report
# was delivered to (mail piped from the MTA; docs/report.md). --reporter, when given, wins.

import json

import pytest

from conftest import REPO, run_ipbl

DATA = REPO / "tests" / "data" / "mail"
SOURCE = "89.160.20.135"  # the source of tests/data/mail/forward_rfc822.eml


@pytest.fixture
def store(daemon):
    d = daemon(conf={"testing": {"manual_clock": "yes"}}, start=False)
    d.write_conf()
    assert run_ipbl(d, "clock", "set", "2030-01-01T00:00:00Z").returncode == 0
    return d


def piped(delivered_to, to="To: Kim <kim@rcpt.example>"):
    """A forwarded report as the MTA hands it to the pipe."""
    fwd = (DATA / "forward_rfc822.eml").read_text()
    head, _, rest = fwd.partition("\n")
    # the wrapper's own To: line is replaced; the delivery field goes on top
    rest = "\n".join(to if line.startswith("To: ") else line for line in rest.split("\n"))
    return (delivered_to + "\n" if delivered_to else "") + head + "\n" + rest


def test_submit_address_names_the_reporter(store):
    d = store
    msg = piped("Delivered-To: submit+kim@bl.rcpt.example")
    r = run_ipbl(d, "report", "--json", "-", input_text=msg)
    assert r.returncode == 2 and "no reporter named kim" in r.stderr, r.stderr
    # kim's mail host is the MX that received the spam: a trusted relay
    assert run_ipbl(d, "reporter", "add", "kim", "--mailhost", "216.160.83.57").returncode == 0
    r = run_ipbl(d, "report", "--json", "-", input_text=msg)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ip"] == SOURCE


def test_reporter_option_wins_over_the_address(store):
    d = store
    assert run_ipbl(d, "reporter", "add", "lee").returncode == 0
    msg = piped("Delivered-To: submit+nobody@bl.rcpt.example")
    r = run_ipbl(d, "report", "--reporter", "lee", "--json", "-", input_text=msg)
    assert r.returncode == 0, r.stderr


def test_to_field_is_the_last_resort(store):
    d = store
    assert run_ipbl(d, "reporter", "add", "mia", "--mailhost", "216.160.83.57").returncode == 0
    msg = piped("Delivered-To: ipbl@localhost", to="To: submit+mia@bl.rcpt.example")
    r = run_ipbl(d, "report", "--json", "-", input_text=msg)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ip"] == SOURCE
    # a forged Delivered-To below the MTA's own does not count (there is no reporter "ghost")
    msg = piped("Delivered-To: ipbl@localhost\nDelivered-To: submit+ghost@bl.rcpt.example",
                to="To: submit+mia@bl.rcpt.example")
    r = run_ipbl(d, "report", "--json", "-", input_text=msg)
    assert r.returncode == 0, r.stderr
