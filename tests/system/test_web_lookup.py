# SPDX-License-Identifier: BSD-2-Clause
# The lookup page of the real ipbld against evidence filed with the `ipbl` command under the
# manual clock: the status and reason sentences, the countdown, the server-drawn chart (well
# formed SVG with the right bars and shading), the evidence entries with their weights after
# ageing, the history after a delisting, and that no reporter name or trap address ever
# reaches the page.

import json
import re
import urllib.parse
import xml.etree.ElementTree as ET

from conftest import name4, run_ipbl, wait_until
from test_web import KEY_RE, WEB, Client, ok, spam

IP = "45.33.32.156"
TRAP_ADDRESS = "secret-trap@trap.example"
SVG = "{http://www.w3.org/2000/svg}"
REPORTERS = ("alice", "bob")


def setup_daemon(daemon):
    d = daemon(conf=WEB, start=False)
    d.write_conf()
    ok(run_ipbl(d, "clock", "set", "2030-01-01T00:00:00Z"))
    for name in REPORTERS:
        assert KEY_RE.search(ok(run_ipbl(d, "reporter", "add", name)))
    d.start()
    return d, Client(d)


def report(d, who, n):
    out = ok(run_ipbl(d, "report", "--reporter", who, "-", input_text=spam(n)))
    assert "ip: " + IP in out, out
    return int(re.search(r"report: (\d+)", out).group(1))


def trap(d, n):
    msg = "From: x@bad.example\r\nSubject: trap %d\r\n\r\nbuy now %d\r\n" % (n, n)
    ok(run_ipbl(d, "trap", "--peer", IP, "--helo", "bad.example", "--to", TRAP_ADDRESS, "-",
                input_text=msg))


def page(c, ip=IP):
    status, h, body = c.get("/lookup?ip=" + ip)
    assert status == 200, body[:500]
    assert h["content-type"] == "text/html; charset=utf-8"
    return h, body.decode()


def svg_of(text):
    """The chart's <svg> element, parsed as XML (it must be well formed on its own)."""
    start = text.index("<svg")
    end = text.index("</svg>", start) + len("</svg>")
    return ET.fromstring(text[start:end])


def rects(svg, cls):
    return [r for r in svg.iter(SVG + "rect") if r.get("class") == cls]


def private_bits_absent(text):
    for secret in REPORTERS + (TRAP_ADDRESS, "secret-trap", "trap.example"):
        assert secret not in text, "%r on the public page" % secret


def test_listed_page_with_evidence_chart_and_countdown(daemon):
    d, c = setup_daemon(daemon)
    r1 = report(d, "alice", 1)                      # 00:00
    ok(run_ipbl(d, "clock", "advance", "1h"))
    r2 = report(d, "bob", 2)                        # 01:00: two reporters, listed
    ok(run_ipbl(d, "clock", "advance", "1h"))
    trap(d, 1)                                      # 02:00
    ok(run_ipbl(d, "clock", "advance", "1h"))       # now 03:00

    h, text = page(c)
    # the countdown script is allowed by its hash, and by nothing else
    csp = h["content-security-policy"]
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/]+=*';", csp), csp
    assert "unsafe-inline'; form" not in csp.split("script-src")[1]

    # status in one sentence, the reason with its counts, listed since
    assert "<h1>%s is listed</h1>" % IP in text
    assert "%s is listed: mail servers that use this list refuse or mark mail" % IP in text
    assert ("Why: 2 spam reports in the past 7 days from 2 different reporters, and 1 "
            "spamtrap hit") in text
    assert 'Listed since <time datetime="2030-01-01T01:00:00Z">' in text
    assert "Listed once in the past 60 days, 2 hours in total." in text

    # the countdown: 24 h after the trap hit at 02:00, i.e. 23 hours from now; the same
    # number as the JSON API
    api = c.get("/api/v1/lookup/" + IP)
    seconds = json.loads(api[2])["seconds_to_delist"]
    assert seconds == 23 * 3600
    assert ('Delisted automatically <strong id="countdown" data-seconds="%d">in about 23 '
            'hours</strong>, at <time datetime="2030-01-02T02:00:00Z">' % seconds) in text
    assert "A time to delisting of 0 means the listing has run out" in text
    assert text.count("<script") == 1

    # the chart: well-formed SVG, a report bar in the hours 00 and 01, a trap bar at 02,
    # one open listing period shaded from 01:00 to the right edge (the end of hour 03)
    svg = svg_of(text)
    assert svg.tag == SVG + "svg"
    assert svg.get("role") == "img"
    title = svg.find(SVG + "title")
    assert title is not None and title.text.startswith("Spam reports and spamtrap hits per hour")
    assert "2 spam reports and 1 spamtrap hit" in svg.find(SVG + "desc").text
    assert len(rects(svg, "reports")) == 2
    assert len(rects(svg, "traps")) == 1
    shaded = rects(svg, "listed-period")
    assert len(shaded) == 1
    # 670 units for 168 hours: from 01:00 to 04:00 is 3 hours wide, ending at the right edge
    x, w = float(shaded[0].get("x")), float(shaded[0].get("width"))
    assert abs(w - 3 * 670 / 168) < 0.02 and abs(x + w - 710) < 0.02
    bar_titles = [g.find(SVG + "title").text for g in svg.iter(SVG + "g")
                  if g.get("class") == "bar"]
    assert "2030-01-01 02:00 UTC: 0 spam reports, 1 spamtrap hit" in bar_titles

    # the evidence: each event to the second with its weight after ageing; the score now
    # (3.812 + 3.875 + 5 = 12.687) against the threshold
    assert ("Score now: <strong>12.6</strong> points (reports 7.6, spamtraps 5.0) against a "
            "threshold of <strong>5.0</strong>") in text
    rows = re.findall(r'<tr><td><time datetime="([^"]+)">[^<]*</time></td><td>([^<]+)</td>'
                      r'<td class="weight">([0-9.]+)</td>', text)
    assert rows == [("2030-01-01T02:00:00Z", "Spamtrap hit", "5.0"),
                    ("2030-01-01T01:00:00Z", "Spam report #%d" % r2, "3.8"),
                    ("2030-01-01T00:00:00Z", "Spam report #%d" % r1, "3.8")], rows
    # the hops: the blamed one marked, with why
    assert '<li class="blamed"><strong>Blamed:</strong> from <code>%s</code>' % IP in text
    assert "the first server outside the reporter's own systems" in text

    # what to do next, by who you are
    assert "If you send mail through your provider's server" in text
    assert "For the administrator of %s" % IP in text
    assert "Both reports and spamtraps" in text
    assert "the listing ends by itself 1 day after the last spam report" in text

    private_bits_absent(text)
    # the JSON is no more talkative
    private_bits_absent(api[2].decode())


def test_history_after_delisting_and_unlisted_pages(daemon):
    d, c = setup_daemon(daemon)
    report(d, "alice", 1)
    ok(run_ipbl(d, "clock", "advance", "1h"))
    report(d, "bob", 2)                             # listed at 01:00 until 01:00 next day
    ok(run_ipbl(d, "clock", "advance", "26h"))      # 03:00 the next day: expired
    wait_until(lambda: '"listed":false' in c.get("/api/v1/lookup/" + IP)[2].decode(), 3.0,
               what="the daemon's expiry tick")
    # the daemon's tick records the delisting at 03:00 the next day

    def delisted_page():
        return ">delisted<" in page(c)[1]
    wait_until(delisted_page, 3.0, what="a delisted entry in the history")
    _, text = page(c)
    assert "<h1>%s is not listed</h1>" % IP in text
    assert "%s is not listed: this list does not stop mail from it." % IP in text
    # listed from 01:00 to 03:00 the next day: 26 hours
    assert "Listed once in the past 60 days, 1.1 days in total." in text
    assert "countdown" not in text and "<script" not in text
    svg = svg_of(text)
    shaded = rects(svg, "listed-period")
    assert len(shaded) == 1
    assert abs(float(shaded[0].get("width")) - 26 * 670 / 168) < 0.02
    # the reports still show, aged, and neither counts alone any more
    assert text.count("Spam report #") == 2
    private_bits_absent(text)

    # an address never seen, a reserved one, and the RFC 5782 test points
    _, text = page(c, "45.33.32.200")
    assert "45.33.32.200 is not listed." in text and "never been listed" in text
    _, text = page(c, "10.1.2.3")
    assert "is a private address" in text and "never lists" in text
    _, text = page(c, "127.0.0.2")
    assert "RFC 5782" in text and 'always answers "listed"' in text
    _, text = page(c, "127.0.0.1")
    assert "RFC 5782" in text and 'always answers "not listed"' in text
    _, text = page(c, "::ffff:127.0.0.2")
    assert "IPv4-mapped" in text


# ---- addresses that the operator's [dns] data files list ----------------------------------

FILE_NET = "45.33.40.0/24"
FILE_CONF = dict(WEB, dns={"data": ["ip4set:{data}/hand.txt", "ip6trie:{data}/hand6.txt"]})
FILE_DATA = {"hand.txt": FILE_NET + "\n!45.33.40.7\n", "hand6.txt": "2a01:4f8:c17:1::/64\n"}


def lookup_json(d, ip):
    r = run_ipbl(d, "lookup", "--json", ip)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_data_file_entries_are_explained(daemon):
    d = daemon(conf=FILE_CONF, data=FILE_DATA, start=False)
    d.write_conf()
    ok(run_ipbl(d, "clock", "set", "2030-01-01T00:00:00Z"))
    d.start()
    c = Client(d)
    assert d.query(name4("45.33.40.9"), "A").answer[0][0].address == "127.0.0.2"

    # the ipbl command reads the files itself; the API asks the running DNS component
    cli = lookup_json(d, "45.33.40.9")
    assert cli["listed"] is True and cli["reason_code"] == "data_file", cli
    assert cli["data_file"] == {"range": "45.33.40.8-45.33.40.255", "a": "127.0.0.2"}
    assert cli["delist_at"] is None and cli["seconds_to_delist"] is None
    assert "45.33.40.8-45.33.40.255" in cli["reason"]
    status, _, body = c.get("/api/v1/lookup/45.33.40.9")
    assert status == 200 and json.loads(body) == cli
    text = ok(run_ipbl(d, "lookup", "45.33.40.9"))
    assert "status: listed" in text and "data file: listed as part of 45.33.40.8-" in text

    _, html = page(c, "45.33.40.9")
    assert "45.33.40.9 is listed" in html
    assert "has listed 45.33.40.8-45.33.40.255 by hand" in html
    assert "stays until the operator removes it" in html
    assert "/dispute/ask?ip=45.33.40.9" in html
    assert "<script>" not in html  # no countdown: the entry does not end by itself

    # the page's "ask about this listing" form takes the address
    from test_web_cases import ASK, Browser
    status, _, form = Browser(d).submit("/dispute/ask", "/dispute/ask",
                                        dict(ASK, ip="45.33.40.9"))
    assert status == 200 and "no record here" not in form, form[:800]

    # the excluded address and one outside: no record at all
    for ip in ("45.33.40.7", "45.33.41.1"):
        r = run_ipbl(d, "lookup", ip)
        assert r.returncode == 3, (ip, r.stdout, r.stderr)
        status, _, _ = c.get("/api/v1/lookup/" + ip)
        assert status == 404

    # IPv6: the prefix that matched
    six = lookup_json(d, "2a01:4f8:c17:1::25")
    assert six["data_file"]["range"] == "2a01:4f8:c17:1::/64", six
    status, _, body = c.get("/api/v1/lookup/2a01:4f8:c17:1::25")
    assert status == 200 and json.loads(body) == six
    _, html = page(c, "2a01:4f8:c17:1::25")
    assert "has listed 2a01:4f8:c17:1::/64 by hand" in html

    # the bounce explainer says the same of a bounce that names our list
    bounce = ("550 5.7.1 Service unavailable; client host [45.33.40.9] blocked using "
              "bl.example.org")
    status, _, body = c.request("POST", "/explain",
                                body=urllib.parse.urlencode({"bounce": bounce}),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    html = re.sub(r"\s+", " ", body.decode())
    assert status == 200 and "45.33.40.9 is on this list now" in html, html
    assert "stays until the operator of the list removes it" in html


def test_listing_inside_a_data_file_range(daemon):
    d = daemon(conf=FILE_CONF, data=FILE_DATA, start=False)
    d.write_conf()
    ok(run_ipbl(d, "clock", "set", "2030-01-01T00:00:00Z"))
    for name in REPORTERS:
        assert KEY_RE.search(ok(run_ipbl(d, "reporter", "add", name)))
    d.start()
    c = Client(d)
    ip = "45.33.40.20"
    for n, who in enumerate(REPORTERS):
        ok(run_ipbl(d, "report", "--reporter", who, "-", input_text=spam(n, ip)))
    cli = lookup_json(d, ip)
    # the policy's listing comes first, with its countdown; the data file is said as well
    assert cli["listed"] is True and cli["reason_code"] != "data_file", cli
    assert cli["seconds_to_delist"] > 0
    assert cli["data_file"]["range"] == "45.33.40.8-45.33.40.255"
    status, _, body = c.get("/api/v1/lookup/" + ip)
    assert status == 200 and json.loads(body) == cli
    _, html = page(c, ip)
    assert "also part of 45.33.40.8-45.33.40.255" in html
    assert "Delisting" in html
    # past the automatic delisting, the file still lists it
    ok(run_ipbl(d, "clock", "advance", "25h"))
    later = lookup_json(d, ip)
    assert later["listed"] is True and later["reason_code"] == "data_file", later
    assert later["reports"] == cli["reports"] == 2
    _, html = page(c, ip)
    assert "by hand" in html and "History" in html
