# SPDX-License-Identifier: BSD-2-Clause
# The web component's threads, with the real ipbld over HTTP on loopback: [web] threads server
# threads, each with its own store connection, so that a request waiting for the store holds
# up only its own thread's clients; and the slow-work thread, which takes a deputy login's
# password check off the server threads, so that lookups are answered while it runs.

import ctypes
import ctypes.util
import sqlite3
import threading
import time

import pytest

from conftest import run_ipbl
from test_web import IP, KEY_RE, WEB, Client, ok, spam
from test_web_cases import PASSWORD, Browser, make_site
from test_web_cases import WEB as CASES_WEB


def _report_in_background(c, key, body):
    """POST a report from another thread; returns (thread, result list)."""
    out = []

    def run():
        try:
            out.append(c.report(key, body)[0])
        except OSError as e:  # recorded for the assertion
            out.append(e)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


@pytest.mark.parametrize("threads", [1, 4])
def test_slow_request_holds_up_only_its_own_thread(daemon, threads):
    """[web] threads: each server thread has its own store connection, so a request that
    waits (here a report whose write waits for a lock another process holds on the store)
    holds up only its own thread's clients. With one thread the lookup waits behind it."""
    conf = {section: dict(kv) for section, kv in WEB.items()}
    conf["web"]["threads"] = str(threads)
    d = daemon(conf=conf, start=False)
    d.write_conf()
    key = KEY_RE.search(ok(run_ipbl(d, "reporter", "add", "alice"))).group(1)
    d.start()
    c = Client(d)
    not_listed = c.get("/api/v1/lookup/" + IP)[0]
    assert not_listed == 404
    db = sqlite3.connect(str(d.data_dir / "ipbl.db"), timeout=30, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")  # the store's write lock; readers go on (WAL)
        t, result = _report_in_background(c, key, spam(1))
        time.sleep(0.5)  # let the report reach its thread and wait for the lock
        assert t.is_alive(), result
        lookup = {}

        def look():
            lookup["status"] = c.get("/api/v1/lookup/" + IP)[0]
            lookup["report_pending"] = t.is_alive()
        lt = threading.Thread(target=look, daemon=True)
        lt.start()
        lt.join(2.0)
        if threads > 1:
            assert lookup == {"status": 404, "report_pending": True}
        else:
            assert lt.is_alive(), "one thread answered a lookup while it waited for a lock"
    finally:
        db.execute("ROLLBACK")
        db.close()
    t.join(15)
    lt.join(15)
    assert result == [201]
    # one thread: the lookup was answered after the report was stored, and saw it
    assert lookup["status"] == (404 if threads > 1 else 200)



def slow_argon2id(password, opslimit):
    """An argon2id string for password with opslimit passes over 64 MiB (libsodium's own
    function through ctypes): a check of it takes seconds instead of tens of milliseconds."""
    name = ctypes.util.find_library("sodium")
    assert name, "libsodium is not installed"
    lib = ctypes.CDLL(name)
    assert lib.sodium_init() >= 0
    out = ctypes.create_string_buffer(128)  # crypto_pwhash_STRBYTES
    pw = password.encode()
    rc = lib.crypto_pwhash_str(out, pw, ctypes.c_ulonglong(len(pw)),
                               ctypes.c_ulonglong(opslimit), ctypes.c_size_t(64 << 20))
    assert rc == 0
    return out.value.decode()


def test_login_check_runs_beside_lookups(daemon, tmp_path):
    """One server thread: a deputy login whose password check takes seconds does not hold up
    a lookup sent meanwhile (the check runs on the slow-work thread), and the login then
    succeeds, with its session."""
    conf = {section: dict(kv) for section, kv in CASES_WEB.items()}
    conf["web"]["threads"] = "1"
    d, _ = make_site(daemon, tmp_path, conf)
    db = sqlite3.connect(str(d.data_dir / "ipbl.db"), timeout=30, isolation_level=None)
    db.execute("UPDATE deputies SET password_hash = ? WHERE name = 'dana'",
                (slow_argon2id(PASSWORD, 40),))
    db.close()
    b = Browser(d)
    token = b.csrf("/deputy/login")
    login = {}

    def log_in():
        login["status"] = b.post("/deputy/login", {"name": "dana", "password": PASSWORD,
                                                   "csrf": token})[0]
    t = threading.Thread(target=log_in, daemon=True)
    t.start()
    time.sleep(0.3)  # the login reaches the server and its check starts
    assert t.is_alive(), login
    c = Client(d)
    assert c.get("/api/v1/lookup/" + IP)[0] == 200
    assert t.is_alive(), "the password check was over before the lookup was answered"
    t.join(60)
    assert login == {"status": 303}
    assert b.get("/deputy/")[0] == 200


def test_concurrent_logins_cannot_overrun_the_lockout(daemon, tmp_path):
    """Eight wrong passwords for one name sent at once, while each check takes about a
    second: only login_attempts (3) of them are checked at all; the others are refused as
    locked out before any password work (before the fix all eight were checked, since the
    failures were counted only after each check)."""
    d, _ = make_site(daemon, tmp_path, CASES_WEB)
    db = sqlite3.connect(str(d.data_dir / "ipbl.db"), timeout=30, isolation_level=None)
    db.execute("UPDATE deputies SET password_hash = ? WHERE name = 'dana'",
               (slow_argon2id(PASSWORD, 40),))
    db.close()
    browsers = [Browser(d) for _ in range(8)]
    tokens = [b.csrf("/deputy/login") for b in browsers]
    statuses = []
    lock = threading.Lock()

    def attempt(b, token):
        status = b.post("/deputy/login", {"name": "dana", "password": "wrong password",
                                          "csrf": token})[0]
        with lock:
            statuses.append(status)
    threads = [threading.Thread(target=attempt, args=bt, daemon=True)
               for bt in zip(browsers, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # the three that were checked answer once their check is over, when the name is
    # already locked: 429 as well
    assert statuses == [429] * 8, statuses
    assert d.log().count("failed deputy login from") == 3, d.log()
