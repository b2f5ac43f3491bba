# SPDX-License-Identifier: BSD-2-Clause
# Disputes and the deputy console of the real ipbld over HTTP on loopback: both dispute forms
# (CSRF refused without a token or its cookie), the filer's case link, a challenge suspending
# its report (the address leaves DNS within a second), deputy login with lockout, the queue,
# the full evidence, delisting (NXDOMAIN within a second), voiding a report (its reporter is
# fined), a reply on a case seen at the filer's link, limits per client and per filer
# address, and hostile input (script injection in every field shown back, oversized fields,
# bad UTF-8, the wrong encoding, an oversized body). Challenges by subject line: one case for
# every report of a mailing (two reporters), the same refusal whatever does not match, the
# deputy's decision on all of them.

import http.client
import json
import re
import time
import urllib.parse

import dns.rcode
import pytest

from conftest import name4, run_ipbl, wait_until

IP = "45.33.32.156"
IP2 = "45.33.32.157"
PASSWORD = "correct horse battery staple"
HTTP_TIMEOUT = 10.0
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
LINK_RE = re.compile(r'href="http://127\.0\.0\.1:8080(/case/([0-9a-f]{32}))"')
INJECT = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>'
NO_SUBJECT = "No report that still counts names this address with this subject line"
IP3 = "45.33.32.158"

WEB = {
    "web": {"listen": "127.0.0.1:0", "base_url": "http://127.0.0.1:8080",
            "timeout": "5s", "max_connections_per_ip": "16", "case_rate": "20",
            "login_attempts": "3", "login_lockout": "10m"},
    "testing": {"manual_clock": "yes"},
}


def web_endpoint(d):
    for tok in (d.ready_line or "").split()[1:]:
        key, _, val = tok.partition("=")
        if key == "web":
            m = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+):(\d+)", val.split(",")[0])
            assert m, d.ready_line
            return m.group(1), int(m.group(2))
    m = re.search(r"web: listening on (\d+\.\d+\.\d+\.\d+):(\d+)", d.log())
    assert m, d.log()
    return m.group(1), int(m.group(2))


class Browser:
    """An HTTP client with a cookie jar (name -> value), like a browser without scripts."""

    def __init__(self, d, source="127.0.0.1"):
        self.host, self.port = web_endpoint(d)
        self.source = source
        self.cookies = {}
        self.set_cookies = []  # every Set-Cookie value seen, in order

    def request(self, method, path, body=None, headers=None, cookies=True):
        h = dict(headers or {})
        if cookies and self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        c = http.client.HTTPConnection(self.host, self.port, timeout=HTTP_TIMEOUT,
                                       source_address=(self.source, 0))
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            for k, v in r.getheaders():
                if k.lower() == "set-cookie":
                    self.set_cookies.append(v)
                    name, _, rest = v.partition("=")
                    value = rest.split(";", 1)[0]
                    if "Max-Age=0" in v:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = value
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data.decode("utf-8",
                                                                                     "replace")
        finally:
            c.close()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, raw=None, content_type="application/x-www-form-urlencoded",
             cookies=True):
        body = raw if raw is not None else urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, body=body, headers={"Content-Type": content_type},
                            cookies=cookies)

    def csrf(self, path):
        status, _, page = self.get(path)
        assert status == 200, (path, status, page)
        m = CSRF_RE.search(page)
        assert m, page
        return m.group(1)

    def submit(self, form_path, post_path, fields):
        """Load the form (for its token and cookie), then send it."""
        token = self.csrf(form_path)
        return self.post(post_path, dict(fields, csrf=token))

    def login(self, name="dana", password=PASSWORD):
        return self.submit("/deputy/login", "/deputy/login",
                           {"name": name, "password": password})


def ok(r):
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout


def report(d, reporter, ip, n):
    out = ok(run_ipbl(d, "report", "--reporter", reporter, "--ip", ip, "--json", "-",
                      input_text="Subject: offer %d\n\ncheap pills %d\n" % (n, n)))
    return json.loads(out)["id"]


def nxdomain(d, ip):
    return d.query(name4(ip), "A").rcode() == dns.rcode.NXDOMAIN


def listed(d, ip):
    return d.query(name4(ip), "A").rcode() == dns.rcode.NOERROR


@pytest.fixture
def site(daemon, tmp_path):
    """A daemon with [web] at 2030-01-01 (manual clock), reporters alice and bob who listed
    IP with one report each, and the deputy dana; returns (daemon, {reporter: report id})."""
    return make_site(daemon, tmp_path, WEB)


def make_site(daemon, tmp_path, conf):
    d = daemon(conf=conf, start=False)
    d.write_conf()
    ok(run_ipbl(d, "clock", "set", "2030-01-01T00:00:00Z"))
    for name in ("alice", "bob"):
        ok(run_ipbl(d, "reporter", "add", name))
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    ok(run_ipbl(d, "deputy", "add", "dana", "--password-file", str(pw)))
    ids = {"alice": report(d, "alice", IP, 1), "bob": report(d, "bob", IP, 2)}
    d.start()
    wait_until(lambda: listed(d, IP), 2.0, what="%s listed" % IP)
    return d, ids


ASK = {"ip": IP, "relationship": "mail admin of the network", "name": "Pat Admin, postmaster",
       "address": "postmaster@example.net", "message": "Why is this address listed?\nThanks."}


def challenge_fields(report_id, ip=IP):
    return {"report": str(report_id), "ip": ip, "name": "Sam Sender, list manager",
            "address": "abuse@sender.example", "why": "The recipient subscribed.",
            "evidence": "Confirmed opt-in: 2029-12-01T10:00:00Z from 198.51.100.7"}


def file_case(b, path, fields):
    status, _, page = b.submit(path, path, fields)
    assert status == 200, page
    m = LINK_RE.search(page)
    assert m, page
    return m.group(1), page


# ---- the dispute forms ----------------------------------------------------------------------


def test_ask_form_csrf_and_case_link(site):
    d, _ = site
    b = Browser(d)
    status, h, page = b.get("/dispute/ask?ip=" + IP)
    assert status == 200 and h["content-type"] == "text/html; charset=utf-8"
    assert 'value="%s"' % IP in page and "postmaster@" in page
    cookie = [c for c in b.set_cookies if c.startswith("ipbl_csrf=")]
    assert cookie and "HttpOnly" in cookie[0] and "SameSite=Strict" in cookie[0]
    assert "Secure" not in cookie[0]  # base_url is http here

    # no token, a forged token, a token without its cookie: refused, nothing stored
    status, _, page = b.post("/dispute/ask", ASK)
    assert status == 403 and "Load the form again" in page
    status, _, _ = b.post("/dispute/ask", dict(ASK, csrf="1." + "0" * 64))
    assert status == 403
    token = b.csrf("/dispute/ask")
    status, _, _ = b.post("/dispute/ask", dict(ASK, csrf=token), cookies=False)
    assert status == 403
    other = Browser(d)  # another client's cookie does not go with this token
    other.csrf("/dispute/ask")
    status, _, _ = other.post("/dispute/ask", dict(ASK, csrf=token))
    assert status == 403

    path, page = file_case(b, "/dispute/ask", ASK)
    assert "Case 1 " in page
    status, _, page = b.get(path)
    assert status == 200
    assert "waiting for a deputy" in page
    assert "Why is this address listed?" in page and "Pat Admin, postmaster" in page
    # the filer adds to the case
    status, _, page = b.submit(path, path, {"message": "More details: we run a relay."})
    assert status == 200 and "More details: we run a relay." in page
    status, _, _ = b.post(path, {"message": "no token"})
    assert status == 403
    # wrong or malformed links
    assert b.get("/case/" + "0" * 32)[0] == 404
    assert b.get("/case/" + path[-32:].upper())[0] == 404
    assert b.get("/case/zzz")[0] == 404
    assert b.get("/case/")[0] == 404
    assert b.request("DELETE", path)[0] == 405
    # the public history of the address says a case was opened, without the filer
    status, _, page = b.get("/lookup?ip=" + IP)
    assert "case_opened" in page or "case 1" in page
    assert "Pat Admin" not in page and "postmaster@example.net" not in page


def test_ask_refuses_addresses_without_a_record(site):
    d, _ = site
    b = Browser(d)
    status, _, page = b.submit("/dispute/ask", "/dispute/ask", dict(ASK, ip="45.33.32.200"))
    assert status == 400 and "no record" in page
    status, _, page = b.submit("/dispute/ask", "/dispute/ask", dict(ASK, ip="10.1.2.3"))
    assert status == 400 and "never listed" in page
    status, _, page = b.submit("/dispute/ask", "/dispute/ask", dict(ASK, ip="not-an-ip"))
    assert status == 400 and "not an IP address" in page
    status, _, page = b.submit("/dispute/ask", "/dispute/ask", dict(ASK, address="nobody"))
    assert status == 400 and "not a mail address" in page
    status, _, page = b.submit("/dispute/ask", "/dispute/ask", dict(ASK, message=""))
    assert status == 400 and "is needed" in page


def test_challenge_suspends_the_report_until_a_deputy_decides(site):
    d, ids = site
    b = Browser(d)
    # a report number that does not go with the address is refused, whichever is wrong
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               challenge_fields(ids["alice"], ip=IP2))
    assert status == 400 and "No report with this number" in page
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               challenge_fields(999999))
    assert status == 400 and "No report with this number" in page
    # what is not a number is a subject line, and no report of this address has this one
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               challenge_fields(ids["alice"]) | {"report": "x1"})
    assert status == 400 and NO_SUBJECT in page

    path, page = file_case(b, "/dispute/challenge", challenge_fields(ids["alice"]))
    assert "no longer listed" in page
    wait_until(lambda: nxdomain(d, IP), 1.0, what="%s out of DNS" % IP)
    lk = json.loads(ok(run_ipbl(d, "lookup", "--json", IP)))
    assert lk["listed"] is False and lk["reports"] == 1
    # one open challenge per report
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               challenge_fields(ids["alice"]))
    assert status == 400 and "already challenged" in page

    # the deputy upholds the report from the case: it counts again, the case closes
    dep = Browser(d)
    assert dep.login()[0] == 303
    status, _, page = dep.get("/deputy/")
    assert status == 200 and "challenge of report %d" % ids["alice"] in page
    case_id = re.search(r'href="/deputy/case/(\d+)"', page).group(1)
    token = dep.csrf("/deputy/case/" + case_id)
    status, _, page = dep.post("/deputy/uphold", {"csrf": token, "report": ids["alice"],
                                                  "case": case_id,
                                                  "reason": "The opt-in record is forged."})
    assert status == 200 and "counts again" in page, page
    wait_until(lambda: listed(d, IP), 1.0, what="%s back in DNS" % IP)
    status, _, page = b.get(path)
    assert "closed" in page and "The opt-in record is forged." in page
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               challenge_fields(ids["alice"]))
    assert status == 200  # decided, so it may be challenged again


# ---- challenges by subject line -------------------------------------------------------------


def report_mail(d, reporter, ip, text):
    out = ok(run_ipbl(d, "report", "--reporter", reporter, "--ip", ip, "--json", "-",
                      input_text=text))
    return json.loads(out)["id"]


def newsletter_site(site):
    """One mailing reported by alice and bob against IP3: the same Subject, once RFC 2047
    encoded, in two different messages (so two reports, not one spam counted once)."""
    d, ids = site
    alice = report_mail(d, "alice", IP3, "Subject: =?UTF-8?Q?Our_March_newsletter?=\n"
                                         "To: alice@example.org\n\nHello Alice\n")
    bob = report_mail(d, "bob", IP3, "Subject: Our March\n newsletter\nTo: bob@example.org\n"
                                     "\nHello Bob\n")
    assert alice != bob
    wait_until(lambda: listed(d, IP3), 2.0, what="%s listed" % IP3)
    return d, ids, (alice, bob)


def subject_fields(subject, ip=IP3):
    return dict(challenge_fields(0, ip=ip), report=subject)


def field_error(page):
    m = re.search(r'<p class="err" id="report-err">([^<]*)</p>', page)
    assert m, page
    return m.group(1)


def test_challenge_by_subject_covers_every_report_of_the_mailing(site):
    d, ids, (alice, bob) = newsletter_site(site)
    b = Browser(d)
    status, _, page = b.get("/dispute/challenge")
    assert status == 200 and "Report number or subject line" in page
    assert 'maxlength="998"' in page and "subject line" in page

    # one case for both reports; case and spacing do not matter
    t0 = time.monotonic()
    path, page = file_case(b, "/dispute/challenge", subject_fields("  our MARCH   newsletter "))
    assert "The reports no longer count" in page and "no longer listed" in page, page
    wait_until(lambda: nxdomain(d, IP3), 1.0, what="%s out of DNS" % IP3)
    assert time.monotonic() - t0 < 2.0
    lk = json.loads(ok(run_ipbl(d, "lookup", "--json", IP3)))
    assert lk["listed"] is False and lk["reports"] == 0
    status, _, page = b.get(path)
    assert status == 200 and "<dt>Reports</dt><dd>%d and %d</dd>" % (alice, bob) in page
    # the other address keeps its own reports
    assert listed(d, IP)

    # both are under an open challenge now: nothing left to challenge by this subject
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               subject_fields("Our March newsletter"))
    assert status == 400 and NO_SUBJECT in page

    # the deputy sees both, and upholding from the case counts both again
    dep = Browser(d)
    assert dep.login()[0] == 303
    status, _, page = dep.get("/deputy/")
    assert "challenge of reports %d and %d" % (alice, bob) in page, page
    case_id = re.search(r'href="/deputy/case/(\d+)">\d+</a></td><td>challenge of reports',
                        page).group(1)
    status, _, page = dep.get("/deputy/case/" + case_id)
    assert "Report %d: challenged" % alice in page and "Report %d: challenged" % bob in page
    assert "Uphold the reports" in page and "Void the reports" in page
    token = CSRF_RE.search(page).group(1)
    t0 = time.monotonic()
    status, _, page = dep.post("/deputy/uphold", {"csrf": token, "report": alice,
                                                  "case": case_id, "reason": "Bought list."})
    assert status == 200 and "Reports %d and %d count again" % (alice, bob) in page, page
    wait_until(lambda: listed(d, IP3), 1.0, what="%s back in DNS" % IP3)
    assert time.monotonic() - t0 < 2.0
    lk = json.loads(ok(run_ipbl(d, "lookup", "--json", IP3)))
    assert lk["listed"] is True and lk["reports"] == 2
    status, _, page = b.get(path)
    assert "closed" in page and "Bought list." in page and "the reports stand" in page

    # decided, so the mailing may be challenged again; this time the deputy voids both
    path, page = file_case(b, "/dispute/challenge", subject_fields("OUR MARCH NEWSLETTER"))
    wait_until(lambda: nxdomain(d, IP3), 1.0, what="%s out of DNS" % IP3)
    status, _, page = dep.get("/deputy/")
    case_id = re.search(r'href="/deputy/case/(\d+)">\d+</a></td><td>challenge of reports',
                        page).group(1)
    token = dep.csrf("/deputy/case/" + case_id)
    status, _, page = dep.post("/deputy/void", {"csrf": token, "report": alice,
                                                "case": case_id, "reason": "Opt-in shown."})
    assert status == 200, page
    assert "Reports %d and %d are voided and their reporters fined" % (alice, bob) in page
    for name in ("alice", "bob"):
        shown = ok(run_ipbl(d, "reporter", "show", name))
        assert "standing: fined" in shown and "fines: 1" in shown, shown
    assert nxdomain(d, IP3)
    status, _, page = dep.get("/deputy/case/" + case_id)
    assert "Report %d: voided" % alice in page and "Report %d: voided" % bob in page
    assert "Void the reports" not in page
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               subject_fields("Our March newsletter"))
    assert status == 400 and NO_SUBJECT in page


def test_subject_that_matches_nothing_is_one_refusal(site):
    d, ids, _ = newsletter_site(site)
    b = Browser(d)
    refusals = set()
    for fields in (subject_fields("Our April newsletter"),     # no such subject
                   subject_fields("Our March newsletter", IP),  # another address's reports
                   subject_fields("Our March newsletter", IP2),  # an address never reported
                   subject_fields("offer 1", IP3)):             # IP's subject, not IP3's
        status, _, page = b.submit("/dispute/challenge", "/dispute/challenge", fields)
        assert status == 400, fields
        refusals.add(field_error(page))
    assert len(refusals) == 1 and NO_SUBJECT in refusals.pop()
    assert listed(d, IP3) and listed(d, IP)
    # IP's own subject still finds its report (alice's "offer 1")
    path, page = file_case(b, "/dispute/challenge", subject_fields("Offer 1", IP))
    status, _, page = b.get(path)
    assert "<dt>Report</dt><dd>%d</dd>" % ids["alice"] in page


def test_hostile_subjects(site):
    d, _, _ = newsletter_site(site)
    b = Browser(d)
    # the longest subject a message may have: looked up, not matched, shown back escaped
    long_subject = "<b>" + "x" * 990 + "</b>"
    assert len(long_subject) == 997
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               subject_fields(long_subject + "y"))
    assert status == 400 and NO_SUBJECT in page
    assert "&lt;b&gt;" + "x" * 990 in page and "<b>xxx" not in page
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               subject_fields("y" * 999))
    assert status == 400 and "too long: at most 998 characters" in page
    status, _, page = b.submit("/dispute/challenge", "/dispute/challenge",
                               subject_fields(INJECT))
    assert status == 400 and NO_SUBJECT in page
    assert_escaped(page)
    # a mailing whose subject is the attack itself: found, and escaped wherever shown
    ok(run_ipbl(d, "reporter", "add", "carol"))
    rid = report_mail(d, "carol", IP3, "Subject: %s\n\nhi\n" % INJECT)
    path, page = file_case(b, "/dispute/challenge", subject_fields(INJECT))
    status, _, page = b.get(path)
    assert "<dt>Report</dt><dd>%d</dd>" % rid in page
    assert "<script>" not in page
    assert listed(d, IP3)  # alice's and bob's reports still count


# ---- the deputy console ---------------------------------------------------------------------


def test_login_errors_and_lockout(site):
    d, _ = site
    b = Browser(d)
    # not logged in: pages send to the login, actions are refused
    status, h, _ = b.get("/deputy/")
    assert status == 303 and h["location"] == "/deputy/login"
    assert b.get("/deputy")[0] == 303
    status, _, _ = b.post("/deputy/delist", {"ip": IP, "reason": "x"})
    assert status == 403
    status, _, _ = b.request("GET", "/deputy/", headers={"Cookie": "ipbl_deputy=" + "a" * 64},
                             cookies=False)
    assert status == 303
    # the login form needs its token
    status, _, page = b.post("/deputy/login", {"name": "dana", "password": PASSWORD})
    assert status == 403

    status, _, page = b.login(password="wrong password 1")
    assert status == 403 and "Wrong name or password." in page
    status, _, page = b.login(name="nobody", password=PASSWORD)
    assert status == 403 and "Wrong name or password." in page  # names are not revealed
    status, _, page = b.login(password="wrong password 2")
    assert status == 403
    status, _, page = b.login(password="wrong password 3")
    assert status == 429 and "locked" in page
    # locked: even the right password is refused, without checking it
    status, _, page = b.login()
    assert status == 429 and "locked" in page
    assert "deputy_login" not in ok(run_ipbl(d, "lookup", IP))
    # the lockout ends with its window
    ok(run_ipbl(d, "clock", "advance", "11m"))
    status, h, _ = b.login()
    assert status == 303 and h["location"] == "/deputy/"
    sc = [c for c in b.set_cookies if c.startswith("ipbl_deputy=")][-1]
    assert re.match(r"ipbl_deputy=[0-9a-f]{64}; ", sc)
    for attr in ("Path=/deputy", "HttpOnly", "SameSite=Strict", "Max-Age="):
        assert attr in sc, sc
    assert "Secure" not in sc
    status, _, page = b.get("/deputy/")
    assert status == 200 and "Logged in as dana" in page

    # logout ends the session on the server, not only in the browser
    sid = b.cookies["ipbl_deputy"]
    token = CSRF_RE.search(page).group(1)
    assert b.post("/deputy/logout", {})[0] == 403
    status, _, _ = b.post("/deputy/logout", {"csrf": token})
    assert status == 200 and "ipbl_deputy" not in b.cookies
    status, _, _ = b.request("GET", "/deputy/", headers={"Cookie": "ipbl_deputy=" + sid},
                             cookies=False)
    assert status == 303


def test_session_expires(site):
    d, _ = site
    b = Browser(d)
    assert b.login()[0] == 303
    assert b.get("/deputy/")[0] == 200
    ok(run_ipbl(d, "clock", "advance", "8h"))
    assert b.get("/deputy/")[0] == 303


def test_queue_evidence_delist_void_and_reply(site):
    d, ids = site
    ok(run_ipbl(d, "trap", "--peer", IP, "--helo", "spammer.example", "--to",
                "honey@trap.example.org", "-", input_text="Subject: t\n\nx\n"))
    filer = Browser(d, source="127.0.0.2")
    case_path, _ = file_case(filer, "/dispute/ask", ASK)

    b = Browser(d)
    assert b.login()[0] == 303
    status, _, page = b.get("/deputy/")
    assert status == 200 and "Pat Admin, postmaster" in page and IP in page

    # the full evidence: reporters and trap addresses are shown here
    status, _, page = b.get("/deputy/ip?ip=" + IP)
    assert status == 200
    for text in ("alice", "bob", "honey@trap.example.org", "spammer.example", "Listed"):
        assert text in page, text
    assert b.get("/deputy/ip?ip=nonsense")[0] == 400
    assert b.get("/deputy/nowhere")[0] == 404
    assert b.request("POST", "/deputy/ip")[0] == 405
    token = CSRF_RE.search(page).group(1)

    # every action needs the session's token
    status, _, _ = b.post("/deputy/delist", {"ip": IP, "reason": "x"})
    assert status == 403
    status, _, _ = b.post("/deputy/delist", {"ip": IP, "reason": "x", "csrf": "1." + "0" * 64})
    assert status == 403
    status, _, page = b.post("/deputy/delist", {"ip": IP, "csrf": token})
    assert status == 400 and "reason" in page

    # delist: out of DNS within a second, in the audit log with the deputy's name
    t0 = time.monotonic()
    status, _, page = b.post("/deputy/delist", {"ip": IP, "reason": "customer cleaned up",
                                                "csrf": token})
    assert status == 200 and "delisted" in page, page
    wait_until(lambda: nxdomain(d, IP), 1.0, what="%s out of DNS" % IP)
    assert time.monotonic() - t0 < 2.0
    text = ok(run_ipbl(d, "lookup", "--json", IP))
    assert json.loads(text)["listed"] is False
    status, _, page = b.get("/deputy/ip?ip=" + IP)
    assert "deputy dana" in page and "customer cleaned up" in page

    # reinstate: the delisting was a mistake; back in DNS within a second
    assert 'action="/deputy/reinstate"' in page
    t0 = time.monotonic()
    status, _, page = b.post("/deputy/reinstate", {"ip": IP, "reason": "delisted the wrong one",
                                                   "csrf": token})
    assert status == 200 and "listed again" in page, page
    wait_until(lambda: not nxdomain(d, IP), 1.0, what="%s back in DNS" % IP)
    assert time.monotonic() - t0 < 2.0
    assert json.loads(ok(run_ipbl(d, "lookup", "--json", IP)))["listed"] is True
    status, _, page = b.get("/deputy/ip?ip=" + IP)
    assert "deputy_reinstate" in page and "delisted the wrong one" in page
    assert 'action="/deputy/reinstate"' not in page
    status, _, page = b.post("/deputy/reinstate", {"ip": IP, "reason": "again", "csrf": token})
    assert status == 409, page
    # and delisted again for the rest of this story
    status, _, page = b.post("/deputy/delist", {"ip": IP, "reason": "customer cleaned up",
                                                "csrf": token})
    assert status == 200
    wait_until(lambda: nxdomain(d, IP), 1.0, what="%s out of DNS" % IP)

    # void alice's report: voided, and alice is fined
    status, _, page = b.post("/deputy/void", {"report": ids["alice"], "reason": "opt-in mail",
                                              "csrf": token})
    assert status == 200 and "voided" in page, page
    shown = ok(run_ipbl(d, "reporter", "show", "alice"))
    assert "standing: fined" in shown and "fines: 1" in shown
    status, _, page = b.post("/deputy/void", {"report": 999999, "reason": "x", "csrf": token})
    assert status == 404

    # fine and ban bob
    status, _, page = b.post("/deputy/fine", {"reporter": "bob", "csrf": token})
    assert status == 200 and "fined" in page
    status, _, page = b.post("/deputy/ban", {"reporter": "bob", "csrf": token})
    assert status == 200 and "banned" in page
    assert "standing: banned" in ok(run_ipbl(d, "reporter", "show", "bob"))
    status, _, _ = b.post("/deputy/ban", {"reporter": "nobody", "csrf": token})
    assert status == 404

    # reply on the case and close it; the filer sees it at the link
    status, _, page = b.get("/deputy/")
    case_id = re.search(r'href="/deputy/case/(\d+)"', page).group(1)
    status, _, page = b.get("/deputy/case/" + case_id)
    assert status == 200 and "postmaster@example.net" in page
    status, _, page = b.post("/deputy/reply", {"case": case_id, "csrf": token,
                                               "message": "Spam from a compromised host.\n"
                                                          "Delisted after your fix."})
    assert status == 200
    status, _, page = filer.get(case_path)
    assert "A deputy replied" in page and "Spam from a compromised host." in page
    assert "answered" in page
    status, _, page = b.post("/deputy/reply", {"case": case_id, "csrf": token, "close": "1",
                                               "message": "Closing."})
    assert status == 200 and "closed" in page
    status, _, page = filer.get(case_path)
    assert "closed" in page and "Closing." in page and 'name="message"' not in page
    token2 = filer.csrf("/dispute/ask")
    status, _, page = filer.post(case_path, {"message": "more", "csrf": token2})
    assert status == 409
    status, _, page = b.get("/deputy/")
    assert "Pat Admin" not in page  # closed cases leave the queue
    audit = b.get("/deputy/ip?ip=" + IP)[2]
    assert "case_closed" in audit and "case_reply" in audit


# ---- limits ---------------------------------------------------------------------------------


def test_cases_are_rate_limited_per_client_and_per_address(daemon, tmp_path):
    conf = {"web": dict(WEB["web"], case_rate="2"), "testing": WEB["testing"]}
    d, _ = make_site(daemon, tmp_path, conf)
    b = Browser(d, source="127.0.0.3")
    for i in range(2):
        file_case(b, "/dispute/ask", dict(ASK, address="postmaster%d@example.net" % i))
    status, _, page = b.submit("/dispute/ask", "/dispute/ask",
                               dict(ASK, address="other@example.net"))
    assert status == 429 and "wait" in page
    # another client, but the same filer address twice more: the address limit
    c = Browser(d, source="127.0.0.4")
    file_case(c, "/dispute/ask", dict(ASK, address="Hostmaster@example.net"))
    e = Browser(d, source="127.0.0.5")
    file_case(e, "/dispute/ask", dict(ASK, address="hostmaster@example.net"))
    f = Browser(d, source="127.0.0.6")
    status, _, _ = f.submit("/dispute/ask", "/dispute/ask",
                            dict(ASK, address="hostmaster@EXAMPLE.net"))
    assert status == 429
    # the refusals are counted under their own code on /metrics
    metrics = b.get("/metrics")[2]
    assert 'ipbl_web_requests_total{code="429"} 2' in metrics, metrics
    # the window ends after an hour
    ok(run_ipbl(d, "clock", "advance", "61m"))
    file_case(b, "/dispute/ask", dict(ASK, address="later@example.net"))


def test_limits_count_the_client_behind_a_trusted_proxy(daemon, tmp_path):
    """Behind [web] trusted_proxy the per-client limit counts the X-Forwarded-For client; a
    peer that is not the proxy cannot escape its limit with a forged header."""
    conf = {"web": dict(WEB["web"], case_rate="2", trusted_proxy="127.0.0.7/32"),
            "testing": WEB["testing"]}
    d, _ = make_site(daemon, tmp_path, conf)

    def file_as(b, client, n):
        token = b.csrf("/dispute/ask")
        body = urllib.parse.urlencode(dict(ASK, address="pm%d@example.net" % n, csrf=token))
        return b.request("POST", "/dispute/ask", body=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "X-Forwarded-For": client})[0]

    proxy = Browser(d, source="127.0.0.7")
    # three clients through the proxy, two filings each: all within their own limit of 2
    n = 0
    for client in ("203.0.113.9", "198.51.100.4, 45.33.32.10", "2a01:4f8:c17:1::25"):
        for _ in range(2):
            n += 1
            assert file_as(proxy, client, n) == 200, client
    # the third from the same client (the last address of the header counts) is refused
    assert file_as(proxy, "10.9.9.9, 45.33.32.10", n + 1) == 429
    # not the proxy: X-Forwarded-For is ignored, the peer itself counts
    other = Browser(d, source="127.0.0.8")
    assert file_as(other, "203.0.113.50", 100) == 200
    assert file_as(other, "203.0.113.51", 101) == 200
    assert file_as(other, "203.0.113.52", 102) == 429


def test_https_base_url_makes_cookies_secure(daemon, tmp_path):
    conf = {"web": dict(WEB["web"], base_url="https://bl.example.org"),
            "testing": WEB["testing"]}
    d, _ = make_site(daemon, tmp_path, conf)
    b = Browser(d)
    b.get("/dispute/challenge")
    assert "Secure" in b.set_cookies[-1]
    assert b.login()[0] == 303
    assert "Secure" in b.set_cookies[-1] and b.set_cookies[-1].startswith("ipbl_deputy=")


# ---- hostile input --------------------------------------------------------------------------


def assert_escaped(page):
    assert "<script>" not in page and "<img" not in page, page
    assert "&lt;script&gt;" in page


def test_script_injection_is_escaped_everywhere(site):
    d, ids = site
    b = Browser(d)
    # shown back on a form with errors: every field
    for field in ("ip", "relationship", "name", "address", "message"):
        bad = dict(ASK, **{field: INJECT + (" " if field != "message" else "")})
        if field != "address":
            bad["address"] = "not an address " + INJECT
        status, _, page = b.submit("/dispute/ask", "/dispute/ask", bad)
        assert status == 400, field
        assert_escaped(page)
    for field in ("report", "ip", "name", "address", "why", "evidence"):
        bad = dict(challenge_fields(ids["bob"]), **{field: INJECT})
        status, _, page = b.submit("/dispute/challenge", "/dispute/challenge", bad)
        assert status == 400 or field in ("name", "why", "evidence"), (field, status)
        if status == 400:
            assert_escaped(page)
        else:
            # accepted: restore bob's report for the next round by upholding it
            dep = Browser(d)
            dep.login()
            tok = dep.csrf("/deputy/")
            dep.post("/deputy/uphold", {"report": ids["bob"], "reason": "test", "csrf": tok})
            for path in re.findall(r'href="/deputy/case/(\d+)"', dep.get("/deputy/")[2]):
                dep.post("/deputy/reply", {"case": path, "close": "1", "message": "x",
                                           "csrf": tok})
    # stored and shown: on the filer's page, the queue, the deputy's case page
    fields = dict(ASK, relationship=INJECT, name=INJECT, message=INJECT)
    path, page = file_case(b, "/dispute/ask", fields)
    status, _, page = b.get(path)
    assert status == 200
    assert_escaped(page)
    dep = Browser(d)
    assert dep.login()[0] == 303
    status, _, page = dep.get("/deputy/")
    assert_escaped(page)
    case_id = re.search(r'href="/deputy/case/(\d+)"', page).group(1)
    status, _, page = dep.get("/deputy/case/" + case_id)
    assert_escaped(page)
    token = CSRF_RE.search(page).group(1)
    status, _, page = dep.post("/deputy/reply", {"case": case_id, "message": INJECT,
                                                 "csrf": token})
    assert status == 200
    status, _, page = b.get(path)
    assert_escaped(page)
    status, _, page = dep.post("/deputy/delist", {"ip": IP, "reason": INJECT, "csrf": token})
    assert status == 200
    assert_escaped(dep.get("/deputy/ip?ip=" + IP)[2])
    status, _, page = dep.post("/deputy/fine", {"reporter": INJECT, "csrf": token})
    assert status == 400 or status == 404
    assert "<script>" not in page
    # the login form shows the name back
    status, _, page = Browser(d).login(name=INJECT)
    assert status in (400, 403) and "<script>" not in page


def test_oversized_bad_utf8_and_wrong_encoding(site):
    d, _ = site
    b = Browser(d)
    for field, n in (("relationship", 201), ("name", 201), ("message", 8001),
                     ("address", 300)):
        status, _, page = b.submit("/dispute/ask", "/dispute/ask", dict(ASK, **{field: "a" * n}))
        assert status == 400, field
        assert "too long" in page or "not a mail address" in page, field
    # a multi-byte character counts once: 8000 of them fit
    status, _, page = b.submit("/dispute/ask", "/dispute/ask", dict(ASK, message="é" * 8000))
    assert status == 200, page[:500]
    # bad UTF-8 and control characters
    token = b.csrf("/dispute/ask")
    raw = urllib.parse.urlencode(dict(ASK, csrf=token)).encode()
    for bad in (b"%FF%FE", b"%C0%AF", b"%ED%A0%80", b"a%00b", b"a%1Bb"):
        body = raw.replace(b"name=Pat", b"name=Pat" + bad)
        status, _, page = b.post("/dispute/ask", None, raw=body)
        assert status == 400 and "UTF-8" in page, bad
    status, _, page = b.post("/dispute/ask", None, raw=raw.replace(b"name=Pat", b"name=%G1"))
    assert status == 400
    # not a form
    status, _, _ = b.post("/dispute/ask", None, raw=raw, content_type="text/plain")
    assert status == 415
    # the longest message in a script whose characters take 3 bytes, %-escaped to 9 each
    # (72 KB of form), still fits: the form routes take 256 KiB
    status, _, page = b.submit("/dispute/ask", "/dispute/ask", dict(ASK, message="中" * 8000))
    assert status == 200, page[:500]
    # more fields than any of our forms has
    extra = b"".join(b"&x%d=1" % i for i in range(40))
    status, _, page = b.post("/dispute/ask", None, raw=raw + extra)
    assert status == 400 and "more than 32 fields" in page
    # a body past the 256 KiB these routes take: refused before it is read
    status, _, _ = b.post("/dispute/ask", None, raw=raw + b"&pad=" + b"x" * (260 << 10))
    assert status == 413
    # a CSRF cookie that is not ours is replaced, never echoed
    status, _, page = b.request("GET", "/dispute/ask",
                                headers={"Cookie": "ipbl_csrf=" + INJECT}, cookies=False)
    assert status == 200 and "<script>" not in page
    assert re.match(r"ipbl_csrf=[0-9a-f]{32};", b.set_cookies[-1])


# ---- ipbl deputy ----------------------------------------------------------------------------


def test_cli_deputy(daemon, tmp_path):
    d = daemon(conf=WEB, start=False)
    d.write_conf()
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\r\n")
    r = run_ipbl(d, "deputy", "add", "dana", "--password-file", str(pw))
    assert r.returncode == 0 and r.stdout == "deputy dana added\n", r.stderr
    r = run_ipbl(d, "deputy", "add", "erin", "--password-file", "-", input_text="another pass\n")
    assert r.returncode == 0, r.stderr
    r = run_ipbl(d, "deputy", "list")
    assert r.returncode == 0
    assert [line.split("\t")[0] for line in r.stdout.splitlines()] == ["dana", "erin"]
    for args, why in ((["add", "dana", "--password-file", str(pw)], "already exists"),
                      (["add", "bad name", "--password-file", str(pw)], "character"),
                      (["add", "x" * 64, "--password-file", str(pw)], "1 to 63"),
                      (["add", "fred", "--password-file", "-"], "10 to 1024"),
                      (["add", "fred"], "no terminal"),
                      (["add"], "exactly one NAME"),
                      (["list", "extra"], "no arguments"),
                      (["remove", "dana"], "unknown action")):
        r = run_ipbl(d, "deputy", *args, input_text="short\n")
        assert r.returncode == 2 and why in r.stderr, (args, r.stderr)
    r = run_ipbl(d, "deputy", "add", "fred", "--password-file", str(tmp_path / "missing"))
    assert r.returncode == 1 and "missing" in r.stderr
    # the password is stored hashed, never as given
    db = (d.data_dir / "ipbl.db").read_bytes()
    assert PASSWORD.encode() not in db and b"$argon2id$" in db


def test_cli_deputy_prompts_without_echo(daemon):
    """The password asked on a terminal (a pty): twice, never echoed."""
    import os
    import pty
    import select

    from conftest import IPBL
    d = daemon(conf=WEB, start=False)
    d.write_conf()
    pid, fd = pty.fork()
    if pid == 0:  # the child: ipbl on the pty as its terminal
        os.execv(IPBL, [IPBL, "-c", str(d.conf_path), "deputy", "add", "gina"])
    out = b""
    deadline = time.monotonic() + 20
    answered = 0
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(fd, 1024)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if answered < 2 and out.count(b"Password") > answered and out.endswith(b": "):
                os.write(fd, (PASSWORD + "\n").encode())
                answered += 1
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, out
    assert b"Password again: " in out and b"deputy gina added" in out
    assert PASSWORD.encode() not in out  # no echo
