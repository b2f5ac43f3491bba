# SPDX-License-Identifier: BSD-2-Clause
# The [web] component of the real ipbld over HTTP on loopback: every route of the contract,
# the report API end to end (a report filed over HTTP lists the address in DNS within a
# second, and the JSON lookup is exactly `ipbl lookup --json`), and hostile clients (script
# injection, wrong methods, oversized and malformed requests, a client that stalls).

import http.client
import json
import re
import socket
import sqlite3
import time
import urllib.parse
from pathlib import Path

import dns.rcode
import pytest

from conftest import name4, run_ipbl, wait_until

REPO = Path(__file__).resolve().parents[2]
IP = "45.33.32.156"  # an ordinary global address (reserved ones are never listed)
KEY_RE = re.compile(r"^api key: ([0-9a-f]{64})$", re.M)
HTTP_TIMEOUT = 5.0

WEB = {
    "web": {"listen": "127.0.0.1:0", "base_url": "http://127.0.0.1:8080",
            "max_report_size": "64K", "timeout": "2s", "max_connections_per_ip": "16"},
    "testing": {"manual_clock": "yes"},
}


def spam(n, ip=IP):
    return ("Received: from mx.recipient.example (mx.recipient.example [10.1.2.3])\r\n"
            "\tby mail.recipient.example with ESMTP id A%d; Tue, 1 Jan 2030 00:00:02 +0000\r\n"
            "Received: from bad.example (host.bad.example [%s])\r\n"
            "\tby mx.recipient.example with ESMTP id B%d; Tue, 1 Jan 2030 00:00:01 +0000\r\n"
            "From: a@bad.example\r\nSubject: offer %d\r\n\r\ncheap <b>pills</b> %d\r\n"
            % (n, ip, n, n, n))


def web_endpoint(d):
    """(host, port) of the web component from the READY line ('web=127.0.0.1:PORT')."""
    for tok in (d.ready_line or "").split()[1:]:
        key, _, val = tok.partition("=")
        if key == "web":
            m = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+):(\d+)", val.split(",")[0])
            assert m, "bad web endpoint in READY line %r" % d.ready_line
            return m.group(1), int(m.group(2))
    m = re.search(r"web: listening on (\d+\.\d+\.\d+\.\d+):(\d+)", d.log())
    if m:
        return m.group(1), int(m.group(2))
    pytest.fail("no web endpoint in READY line %r or log:\n%s" % (d.ready_line, d.log()))


class Client:
    def __init__(self, d):
        self.host, self.port = web_endpoint(d)

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=HTTP_TIMEOUT)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def get(self, path):
        return self.request("GET", path)

    def report(self, key, body):
        return self.request("POST", "/api/v1/reports", body=body.encode(),
                            headers={"Authorization": "Bearer " + key,
                                     "Content-Type": "message/rfc822"})

    def raw(self, data, timeout=HTTP_TIMEOUT):
        """Send raw bytes; return what came back until the server closed (bounded)."""
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        out = b""
        try:
            try:
                s.sendall(data)
            except OSError:
                pass
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                out += chunk
        finally:
            s.close()
        return out


def ok(r):
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout


@pytest.fixture
def web(daemon):
    """A daemon with [web] and the manual clock at 2030-01-01, and reporters alice, bob and
    the banned eve; returns (daemon, client, {name: key})."""
    d = daemon(conf=WEB, start=False)
    d.write_conf()
    ok(run_ipbl(d, "clock", "set", "2030-01-01T00:00:00Z"))
    keys = {}
    for name in ("alice", "bob", "eve"):
        keys[name] = KEY_RE.search(ok(run_ipbl(d, "reporter", "add", name))).group(1)
    ok(run_ipbl(d, "reporter", "ban", "eve"))
    d.start()
    return d, Client(d), keys


def test_healthz_metrics_and_headers(web):
    d, c, _ = web
    status, h, body = c.get("/healthz")
    assert status == 200 and body == b"ok\n"
    status, h, body = c.get("/metrics")
    assert status == 200
    assert h["content-type"].startswith("text/plain; version=0.0.4")
    text = body.decode()
    for name in ("ipbl_web_requests_total{code=\"200\"}", "ipbl_reports_received_total",
                 "ipbl_listed", "process_start_time_seconds", "ipbl_trap_hits_total 0"):
        assert name in text, text
    # the DNS component's counters are on the same page, and move with the queries
    def dns_count(text, label):
        m = re.search(r'^ipbl_dns_queries_total\{rcode="%s"\} (\d+)$' % label, text, re.M)
        assert m, text
        return int(m.group(1))
    before = dns_count(text, "NXDOMAIN")
    for _ in range(3):
        assert d.query(name4("45.33.32.201"), "A").rcode() == dns.rcode.NXDOMAIN
    text = c.get("/metrics")[2].decode()
    assert dns_count(text, "NXDOMAIN") == before + 3
    assert re.search(r'^ipbl_dns_queries_by_type_total\{qtype="A"\} [1-9]', text, re.M)
    status, h, body = c.get("/lookup?ip=45.33.32.200")
    assert status == 200
    assert h["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["cache-control"] == "no-store"
    assert h["content-type"] == "text/html; charset=utf-8"
    page = body.decode()
    assert "45.33.32.200 is not listed" in page
    assert "No spam reports or spamtrap hits" in page
    assert "<script" not in page
    status, h, body = c.request("HEAD", "/lookup?ip=45.33.32.200")
    assert status == 200 and body == b""


def test_report_over_http_lists_in_dns_and_lookups_agree(web):
    d, c, keys = web
    status, h, body = c.report(keys["alice"], spam(1))
    assert status == 201, body
    r1 = json.loads(body)
    assert r1["ip"] == IP and r1["status"] == "not listed" and isinstance(r1["id"], int)
    assert "duplicate" not in r1
    assert h["location"] == "/api/v1/lookup/" + IP

    # the same spam again: stored once
    status, _, body = c.report(keys["alice"], spam(1).replace("\r\n", "\n"))
    assert status == 201 and json.loads(body)["duplicate"] is True
    assert json.loads(body)["id"] == r1["id"]

    # a second reporter: listed, and DNS says so within a second
    status, _, body = c.report(keys["bob"], spam(2))
    assert status == 201 and json.loads(body)["status"] == "listed", body
    wait_until(lambda: d.query(name4(IP), "A").rcode() == dns.rcode.NOERROR, 1.0,
               what="%s listed in DNS" % IP)

    # the JSON API is exactly `ipbl lookup --json`
    status, h, body = c.get("/api/v1/lookup/" + IP)
    assert status == 200 and h["content-type"] == "application/json"
    api = json.loads(body)
    cli = json.loads(ok(run_ipbl(d, "lookup", "--json", IP)))
    assert api == cli
    assert api["listed"] is True and api["reports"] == 2
    assert api["delist_at"] == "2030-01-02T00:00:00Z" and api["seconds_to_delist"] == 86400

    status, _, body = c.get("/lookup?ip=" + IP)
    page = body.decode()
    assert status == 200 and IP + " is listed" in page
    assert "in about 1 day" in page and "2030-01-02T00:00:00Z" in page
    assert "History" in page
    # reporters are never named on the public page
    assert "alice" not in page and "bob" not in page

    status, _, body = c.get("/metrics")
    assert "ipbl_reports_received_total 3\n" in body.decode()
    assert "ipbl_listed 1\n" in body.decode()


def test_report_refusals(web):
    d, c, keys = web
    status, h, body = c.request("POST", "/api/v1/reports", body=spam(1).encode())
    assert status == 401 and h["www-authenticate"].startswith("Bearer")
    assert "error" in json.loads(body)
    status, _, body = c.report("0" * 64, spam(1))
    assert status == 401 and "error" in json.loads(body)
    status, _, body = c.report(keys["eve"], spam(1))
    assert status == 403 and "banned" in json.loads(body)["error"]
    status, _, body = c.report(keys["alice"], "")
    assert status == 400 and "error" in json.loads(body)
    status, _, body = c.report(keys["alice"], "From: a@b.example\r\nSubject: x\r\n\r\nno hops\r\n")
    assert status == 422
    j = json.loads(body)
    assert j["error"] and j["reason"]
    status, _, body = c.report(keys["alice"], "x" * (64 * 1024 + 1))
    assert status == 413 and "error" in json.loads(body)
    # nothing of it was stored
    r = run_ipbl(d, "lookup", IP)
    assert r.returncode == 3
    status, _, body = c.get("/api/v1/lookup/" + IP)
    assert status == 404 and "error" in json.loads(body)


def test_bad_input_and_methods(web):
    d, c, _ = web
    status, _, body = c.get("/lookup")
    assert status == 400 and b"Which address?" in body
    hostile = "<script>alert(1)</script>"
    status, _, body = c.get("/lookup?ip=" + urllib.parse.quote(hostile))
    page = body.decode()
    assert status == 400 and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
    status, _, body = c.get("/lookup?ip=192.168.1.10")
    assert status == 200 and b"is a private address" in body
    status, _, body = c.get("/api/v1/lookup/not-an-ip")
    assert status == 400 and "error" in json.loads(body)
    status, h, _ = c.request("DELETE", "/lookup?ip=" + IP)
    assert status == 405 and h["allow"] == "GET, HEAD"
    status, h, _ = c.request("GET", "/api/v1/reports")
    assert status == 405 and h["allow"] == "POST"
    status, _, _ = c.get("/nothing/here")
    assert status == 404


def test_explain_page(web):
    d, c, _ = web
    status, _, body = c.get("/explain")
    assert status == 200 and b"<textarea" in body
    bounce = ("550 5.7.1 Service unavailable; client host [%s] blocked using bl.spamcop.net "
              "<script>x</script>" % IP)
    status, _, body = c.request("POST", "/explain",
                                body=urllib.parse.urlencode({"bounce": bounce}),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    page = body.decode()
    assert status == 200 and IP in page
    assert "<script" not in page
    # no zone named, only a link to our base_url (host in another case): our list
    bounce = "550 5.7.1 Rejected: Blocked - see HTTP://127.0.0.1:8080/lookup?ip=" + IP
    status, _, body = c.request("POST", "/explain",
                                body=urllib.parse.urlencode({"bounce": bounce}),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    page = body.decode()
    assert status == 200 and "our blocklist" in page and IP in page
    # whose address it is, and why we think so
    bounce = (REPO / "tests" / "data" / "bounces" / "postfix_dsn_ours.txt").read_text()
    status, _, body = c.request("POST", "/explain",
                                body=urllib.parse.urlencode({"bounce": bounce}),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    page = body.decode()
    assert status == 200 and "handed, with your password, to the mail server" in page
    assert "Whose address" in page and "a mail server you send through" in page
    assert "If you run the mail server" not in page
    # ... but not a link elsewhere that quotes ours
    bounce = ("550 5.7.1 Rejected: see http://evil.example/?u=http://127.0.0.1:8080/lookup?ip="
              + IP)
    status, _, body = c.request("POST", "/explain",
                                body=urllib.parse.urlencode({"bounce": bounce}),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "our blocklist" not in body.decode()


def test_explain_and_lookup_refuse_bad_input(web):
    d, c, _ = web
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def explain(body, headers=form):
        status, _, page = c.request("POST", "/explain", body=body, headers=headers)
        return status, page.decode("utf-8")  # strict: every page is valid UTF-8

    status, page = explain(b"bounce=")
    assert status == 400 and "Nothing to explain" in page
    status, page = explain(b"other=1")
    assert status == 400
    status, page = explain(b"bounce=%G1oops")
    assert status == 400 and "broken %-escape" in page
    status, page = explain(b"bounce=x", headers={"Content-Type": "application/json"})
    assert status == 415 and "text/plain" in page
    status, _, _ = c.request("POST", "/explain", body=b"bounce=" + b"x" * (65 * 1024),
                             headers=form)
    assert status == 413
    # bad UTF-8 in the bounce is shown as U+FFFD, never as raw bytes
    status, page = explain(b"bounce=550+5.7.1+blocked+%FF%FE+" + IP.encode() +
                           b"+bl.spamcop.net")
    assert status == 200 and "\ufffd" in page and IP in page
    # ... and in a looked-up address it is a 400 with a readable page
    status, _, body = c.get("/lookup?ip=%FF%FE1.2.3.4")
    assert status == 400 and body.decode("utf-8")
    status, _, body = c.get("/api/v1/lookup/%FF")
    assert status == 400 and "error" in json.loads(body)
    # an unknown API path is a JSON 404, an unknown page an HTML one
    status, h, body = c.get("/api/v2/lookup/" + IP)
    assert status == 404 and h["content-type"].startswith("application/json")
    assert json.loads(body)["error"]
    status, h, _ = c.get("/no/such/page")
    assert status == 404 and h["content-type"].startswith("text/html")


def test_too_many_header_fields(web):
    d, c, _ = web
    head = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    out = c.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n")
    assert out.startswith(b"HTTP/1.1 431 "), out[:200]
    assert b"more than 100 header fields" in out
    # a usual browser request is far below the limit
    head = b"".join(b"X-H%d: v\r\n" % i for i in range(90))
    out = c.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + head + b"\r\n")
    assert out.startswith(b"HTTP/1.1 200 "), out[:200]
    assert c.get("/healthz")[0] == 200


def test_hostile_clients(web):
    d, c, _ = web
    for data in (b"GARBAGE\r\n\r\n", b"\x16\x03\x01\x00\x05hello",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n"):
        out = c.raw(data)
        assert out == b"" or re.match(rb"HTTP/1\.[01] (4\d\d)", out), out[:200]
        assert c.get("/healthz")[0] == 200
    # a client that sends half a request and stalls is dropped after [web] timeout (2 s)
    s = socket.create_connection((c.host, c.port), timeout=6)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        while True:
            try:
                if not s.recv(4096):
                    break
            except (socket.timeout, ConnectionResetError):
                break
        took = time.monotonic() - t0
        assert 1.0 <= took < 5.5, took
    finally:
        s.close()
    assert c.get("/healthz")[0] == 200


def test_healthz_says_when_the_store_is_broken(web):
    """/healthz reads the store: 503 once the store file is damaged, and the daemon keeps
    answering (DNS too) instead of crashing."""
    d, c, _ = web
    assert c.get("/healthz")[:1] == (200,)
    path = d.data_dir / "ipbl.db"
    db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    # fold the WAL into the file, so that what the daemon reads next comes from the file
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    d.expected_errors.append(re.compile(r"store|database|malformed|not a database"))
    with open(path, "r+b") as f:
        f.write(b"\0" * 4096 * 4)  # the header and the first pages
    status, _, body = c.get("/healthz")
    assert (status, body) == (503, b"store unreachable\n")
    assert d.alive()
    assert c.get("/api/v1/lookup/" + IP)[0] in (500, 503)
    assert d.alive()
