# SPDX-License-Identifier: BSD-2-Clause
# `ipbl reporter add|fine|ban|show`: every exit code, the API key printed once and stored only
# as a hash, standing changes reflected in show, and an audit row per change.

import hashlib
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IPBL = os.environ.get("IPBL", str(REPO / "build" / "src" / "cli" / "ipbl"))
KEY_RE = re.compile(r"^api key: ([0-9a-f]{64})$", re.M)


def write_conf(d, manual=True, store=None, extra=""):
    d = Path(d)
    conf = d / "ipbl.conf"
    text = "[main]\ndata_dir = %s\n[store]\npath = %s\n" % (
        d / "data", store if store is not None else d / "data" / "ipbl.db")
    if manual:
        text += "[testing]\nmanual_clock = yes\n"
    conf.write_text(text + extra)
    return conf


def ipbl(conf, *args):
    return subprocess.run([IPBL, "-c", str(conf)] + list(args), capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def env(tmp_path):
    conf = write_conf(tmp_path)
    return conf, tmp_path / "data" / "ipbl.db"


def db_rows(db, sql, args=()):
    c = sqlite3.connect(str(db))
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


def show(conf, name):
    r = ipbl(conf, "reporter", "show", name)
    assert r.returncode == 0, r.stderr
    return dict(line.split(": ", 1) for line in r.stdout.splitlines())


def test_add_prints_key_once_and_stores_only_its_hash(env):
    conf, db = env
    r = ipbl(conf, "reporter", "add", "alice", "--mailhost", "192.0.2.1, 2001:db8::/32,mx.example.org")
    assert r.returncode == 0, r.stderr
    keys = KEY_RE.findall(r.stdout)
    assert len(keys) == 1, r.stdout
    key = keys[0]
    assert "not" in r.stdout.lower() and "again" in r.stdout.lower()
    # the key never appears in clear anywhere in the database files, nor in show
    for f in db.parent.iterdir():
        if f.name.startswith("ipbl.db"):
            raw = f.read_bytes()
            assert key.encode() not in raw, f
            assert bytes.fromhex(key) not in raw, f
    rows = db_rows(db, "SELECT name, api_key_hash, mailhosts, standing, fines FROM reporters")
    assert len(rows) == 1
    name, h, hosts, standing, fines = rows[0]
    assert (name, standing, fines) == ("alice", "good", 0)
    assert h.startswith("b2:") and key not in h and len(h) == 67
    assert hosts == "192.0.2.1,2001:db8::/32,mx.example.org"
    for table in ("reporters", "audit"):
        for row in db_rows(db, "SELECT * FROM %s" % table):
            assert key not in " ".join(str(v) for v in row)
    s = show(conf, "alice")
    assert key not in ipbl(conf, "reporter", "show", "alice").stdout
    assert s["name"] == "alice" and s["standing"] == "good" and s["fines"] == "0"
    assert s["mailhosts"] == "192.0.2.1,2001:db8::/32,mx.example.org"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["created"])
    audit = db_rows(db, "SELECT actor, action, detail FROM audit")
    assert [(a, b) for a, b, _ in audit] == [("operator", "reporter added")]
    assert "alice" in audit[0][2]


def test_two_adds_give_different_keys(env):
    conf, _ = env
    k1 = KEY_RE.findall(ipbl(conf, "reporter", "add", "r1").stdout)
    k2 = KEY_RE.findall(ipbl(conf, "reporter", "add", "r2").stdout)
    assert len(k1) == 1 and len(k2) == 1 and k1 != k2



def test_key_verifies_against_stored_hash(env):
    """The stored hash is BLAKE2b-256 of the key text (what the web API compares)."""
    conf, db = env
    key = KEY_RE.findall(ipbl(conf, "reporter", "add", "carol").stdout)[0]
    (h,) = db_rows(db, "SELECT api_key_hash FROM reporters WHERE name='carol'")[0]
    assert h == "b2:" + hashlib.blake2b(key.encode(), digest_size=32).hexdigest()
    wrong = ("0" if key[0] != "0" else "1") + key[1:]
    assert h != "b2:" + hashlib.blake2b(wrong.encode(), digest_size=32).hexdigest()


def test_created_uses_manual_clock(env):
    conf, _ = env
    r = ipbl(conf, "clock", "set", "2030-05-06T07:08:09Z")
    assert r.returncode == 0, r.stderr
    assert ipbl(conf, "reporter", "add", "dave").returncode == 0
    assert show(conf, "dave")["created"] == "2030-05-06T07:08:09Z"


def test_fine_and_ban_reflected_in_show_with_audit(env):
    conf, db = env
    assert ipbl(conf, "reporter", "add", "bob").returncode == 0
    r = ipbl(conf, "reporter", "fine", "bob")
    assert r.returncode == 0, r.stderr
    s = show(conf, "bob")
    assert (s["standing"], s["fines"]) == ("fined", "1")
    assert ipbl(conf, "reporter", "fine", "bob").returncode == 0
    s = show(conf, "bob")
    assert (s["standing"], s["fines"]) == ("fined", "2")
    r = ipbl(conf, "reporter", "ban", "bob")
    assert r.returncode == 0, r.stderr
    s = show(conf, "bob")
    assert (s["standing"], s["fines"]) == ("banned", "2")
    # a fine does not lift a ban
    assert ipbl(conf, "reporter", "fine", "bob").returncode == 0
    s = show(conf, "bob")
    assert (s["standing"], s["fines"]) == ("banned", "3")
    actions = [r[0] for r in db_rows(db, "SELECT action FROM audit WHERE actor='operator' "
                                         "ORDER BY id")]
    assert actions == ["reporter added", "reporter fined", "reporter fined", "reporter banned",
                       "reporter fined"]
    for (detail,) in db_rows(db, "SELECT detail FROM audit"):
        assert "bob" in detail


@pytest.mark.parametrize("action", ["fine", "ban", "show"])
def test_unknown_reporter_exit_3(env, action):
    conf, db = env
    r = ipbl(conf, "reporter", action, "nobody")
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert "nobody" in r.stderr.splitlines()[0]
    assert r.stdout == ""
    assert db_rows(db, "SELECT count(*) FROM audit") == [(0,)]


def test_duplicate_exit_2(env):
    conf, db = env
    assert ipbl(conf, "reporter", "add", "erin").returncode == 0
    r = ipbl(conf, "reporter", "add", "erin", "--mailhost", "192.0.2.9")
    assert r.returncode == 2
    assert "reporter erin already exists" in r.stderr
    assert "api key" not in r.stdout
    assert db_rows(db, "SELECT count(*) FROM reporters") == [(1,)]
    assert db_rows(db, "SELECT count(*) FROM audit") == [(1,)]
    assert show(conf, "erin")["mailhosts"] == ""


@pytest.mark.parametrize("name", ["", "bad name", "a/b", "x" * 64, "caf\u00e9", "semi;colon"])
def test_bad_name_exit_2(env, name):
    conf, db = env
    r = ipbl(conf, "reporter", "add", name)
    assert r.returncode == 2, (name, r.stderr)
    assert "name" in r.stderr
    assert not db.exists() or db_rows(db, "SELECT count(*) FROM reporters") == [(0,)]


@pytest.mark.parametrize("name", ["a", "A.b_c-9", "x" * 63])
def test_good_names(env, name):
    conf, _ = env
    r = ipbl(conf, "reporter", "add", name)
    assert r.returncode == 0, r.stderr
    assert show(conf, name)["name"] == name


@pytest.mark.parametrize("hosts,bad", [
    ("192.0.2.1,bad host", "bad host"),
    ("10.0.0.0/33", "10.0.0.0/33"),
    ("mx.example.org,192.0.2.0/abc", "192.0.2.0/abc"),
    ("192.0.2.1,exa_mple!.org", "exa_mple!.org"),
])
def test_bad_mailhost_exit_2_names_it(env, hosts, bad):
    conf, db = env
    r = ipbl(conf, "reporter", "add", "frank", "--mailhost", hosts)
    assert r.returncode == 2, r.stderr
    assert bad in r.stderr
    assert not db.exists() or db_rows(db, "SELECT count(*) FROM reporters") == [(0,)]


@pytest.mark.parametrize("args", [
    [],
    ["add"],
    ["add", "a", "b"],
    ["frobnicate", "a"],
    ["show", "a", "--mailhost", "192.0.2.1"],
    ["add", "a", "--nope"],
])
def test_usage_exit_2(env, args):
    conf, _ = env
    r = ipbl(conf, "reporter", *args)
    assert r.returncode == 2, (args, r.stderr)
    assert r.stderr


def test_help_exit_0(env):
    conf, _ = env
    r = ipbl(conf, "reporter", "--help")
    assert r.returncode == 0 and "reporter add" in r.stdout


def test_unopenable_store_exit_1(tmp_path):
    store = tmp_path / "no" / "such" / "dir" / "ipbl.db"
    conf = write_conf(tmp_path, store=store)
    for args in (["add", "gina"], ["show", "gina"], ["fine", "gina"], ["ban", "gina"]):
        r = ipbl(conf, "reporter", *args)
        assert r.returncode == 1, (args, r.stderr)
        lines = r.stderr.splitlines()
        assert str(store) in lines[0], lines
        assert "api key" not in r.stdout


def test_unreadable_store_file_exit_1(tmp_path):
    # a directory where the database file should be
    store = tmp_path / "isadir"
    store.mkdir()
    conf = write_conf(tmp_path, store=store)
    r = ipbl(conf, "reporter", "add", "hank")
    assert r.returncode == 1, r.stderr
    assert str(store) in r.stderr.splitlines()[0]


def test_unreadable_config_exit_1(tmp_path):
    r = ipbl(tmp_path / "missing.conf", "reporter", "show", "x")
    assert r.returncode == 1, r.stderr
    assert "missing.conf" in r.stderr


def test_bad_config_exit_2_with_file_line(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("[main]\ndata_dir = %s\nno_such_key = 1\n" % (tmp_path / "data"))
    r = ipbl(conf, "reporter", "show", "x")
    assert r.returncode == 2, r.stderr
    assert "bad.conf:3" in r.stderr


def test_default_store_path_under_data_dir(tmp_path):
    conf = tmp_path / "ipbl.conf"
    data = tmp_path / "deep" / "data"
    conf.write_text("[main]\ndata_dir = %s\n" % data)
    r = ipbl(conf, "reporter", "add", "ivan")
    assert r.returncode == 0, r.stderr
    assert (data / "ipbl.db").exists()
    # the system clock: no manual clock file appears
    assert not (data / "clock").exists()
    assert show(conf, "ivan")["standing"] == "good"


def test_config_from_environment(tmp_path):
    conf = write_conf(tmp_path)
    env = dict(os.environ, IPBL_CONF=str(conf))
    r = subprocess.run([IPBL, "reporter", "add", "judy"], capture_output=True, text=True,
                       env=env, cwd=str(tmp_path), timeout=60)
    assert r.returncode == 0, r.stderr
    assert show(conf, "judy")["name"] == "judy"
