# SPDX-License-Identifier: BSD-2-Clause
# The public pages and the deputy console of the real ipbld in headless Chromium (Debian's
# chromium, chromium-driver and python3-selenium), on loopback: the lookup page of a listed
# address (status, reason, the countdown script running under the page's CSP, the SVG chart),
# a challenge filed through the form and followed at its case link, and a deputy who logs in,
# delists an address from the console and sees DNS answer NXDOMAIN within a second, and a
# bounce pasted into the explainer, answered with whose address it is and what to do. Every
# step leaves a screenshot in $IPBL_ARTIFACTS (default: a pytest temporary directory); the
# same pages are also shot at a phone's size (390x844) and must not scroll sideways.

import base64
import json
import os
import socket
import time
from pathlib import Path

import dns.rcode
import pytest

from conftest import REPO, name4, run_ipbl, wait_until

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
IP_LOOKUP = "45.33.32.156"      # (a) two reports and a trap hit
IP_CHALLENGE = "45.33.32.157"   # (b) two reports; one is challenged
IP_DELIST = "45.33.32.158"      # (c) a trap hit; a deputy delists it
PASSWORD = "correct horse battery staple"
WAIT = 10.0          # any page or element
PAGE_LOAD = 20.0     # driver.get
PHONE = (390, 844)   # an iPhone 12-14 viewport in CSS pixels

if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.skip("chromium and chromium-driver are not installed (scripts/bootstrap)",
                allow_module_level=True)


def ok(r):
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout


def free_port():
    """A TCP port on 127.0.0.1 that is free now: the case links carry [web] base_url, so the
    browser can follow them only when base_url names the port the server really listens on."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def report(d, reporter, ip, n):
    out = ok(run_ipbl(d, "report", "--reporter", reporter, "--ip", ip, "--json", "-",
                      input_text="Subject: offer %d\n\ncheap pills %d\n" % (n, n)))
    return json.loads(out)["id"]


def trap(d, ip):
    ok(run_ipbl(d, "trap", "--peer", ip, "--helo", "spammer.example", "--to",
                "honey@trap.example.org", "-", input_text="Subject: t\n\nbuy now\n"))


def rcode(d, ip):
    return d.query(name4(ip), "A").rcode()


@pytest.fixture(scope="module")
def site(module_daemons, tmp_path_factory):
    """One daemon with [dns] and [web] at 2030-01-01 01:00 (manual clock): IP_LOOKUP with
    reports from alice and bob and a trap hit at 00:00, IP_CHALLENGE with two reports,
    IP_DELIST with a trap hit; all listed. Returns (daemon, base URL, {name: report ids})."""
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    conf = {"web": {"listen": "127.0.0.1:%d" % port, "base_url": base, "timeout": "5s",
                    "case_rate": "20"},
            "testing": {"manual_clock": "yes"}}
    d = module_daemons(conf=conf, start=False, name="ipbld-browser")
    d.write_conf()
    ok(run_ipbl(d, "clock", "set", "2030-01-01T00:00:00Z"))
    for name in ("alice", "bob"):
        ok(run_ipbl(d, "reporter", "add", name))
    ids = {"lookup": [report(d, "alice", IP_LOOKUP, 1), report(d, "bob", IP_LOOKUP, 2)],
           "challenge": [report(d, "alice", IP_CHALLENGE, 3), report(d, "bob", IP_CHALLENGE, 4)]}
    trap(d, IP_LOOKUP)
    trap(d, IP_DELIST)
    ok(run_ipbl(d, "clock", "advance", "1h"))
    d.start()
    for ip in (IP_LOOKUP, IP_CHALLENGE, IP_DELIST):
        wait_until(lambda: rcode(d, ip) == dns.rcode.NOERROR, 2.0, what="%s listed" % ip)
    return d, base, ids


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """The screenshot directory: $IPBL_ARTIFACTS, else a temporary one (printed)."""
    env = os.environ.get("IPBL_ARTIFACTS")
    path = Path(env) if env else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    print("\nbrowser screenshots in %s" % path)
    return path


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        # running as root in CI: Chromium's sandbox needs user namespaces it cannot have
        "--no-sandbox", "--headless=new", "--disable-gpu", "--window-size=1280,1600",
        # containers give /dev/shm 64 MB, too little for the renderer
        "--disable-dev-shm-usage",
        "--user-data-dir=%s" % tmp_path_factory.mktemp("chromium-profile"),
        # loopback only: no name but ours resolves, and none of the browser's own traffic
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--no-proxy-server", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-default-apps", "--disable-extensions", "--no-first-run",
        "--no-default-browser-check", "--disable-domain-reliability",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(CHROMEDRIVER, log_path=str(tmp_path_factory.mktemp("chromedriver")
                                                 / "chromedriver.log"))
    drv = webdriver.Chrome(service=service, options=opts)
    try:
        drv.set_page_load_timeout(PAGE_LOAD)
        drv.set_script_timeout(WAIT)
        drv.implicitly_wait(0)
        yield drv
    finally:
        drv.quit()


class Page:
    """The browser with the site's base URL, bounded waits and numbered screenshots."""

    def __init__(self, drv, base, shots, prefix):
        self.drv, self.base, self.dir, self.prefix = drv, base, shots, prefix
        self.n = 0

    def get(self, path):
        self.drv.get(self.base + path)
        self.wait_ready()

    def wait_ready(self):
        WebDriverWait(self.drv, WAIT).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def wait(self, cond, what):
        try:
            return WebDriverWait(self.drv, WAIT, poll_frequency=0.1).until(cond)
        except TimeoutException:
            self.shot("timeout")
            pytest.fail("browser: timed out after %.0f s waiting for %s at %s"
                        % (WAIT, what, self.drv.current_url))

    def find(self, css):
        return self.wait(lambda d: d.find_element(By.CSS_SELECTOR, css), css)

    def text(self):
        return self.drv.find_element(By.TAG_NAME, "body").text

    def shot(self, name, full=False):
        """A PNG of the viewport, or with full of the whole page (through the DevTools
        protocol, which selenium's save_screenshot does not reach)."""
        self.n += 1
        path = self.dir / ("%s%02d-%s.png" % (self.prefix, self.n, name))
        if full:
            m = self.drv.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            png = self.drv.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": m["width"], "height": m["height"],
                         "scale": 1}})
            path.write_bytes(base64.b64decode(png["data"]))
        else:
            assert self.drv.save_screenshot(str(path)), path
        return path

    def fill(self, fields):
        for name, value in fields.items():
            el = self.find('[name="%s"]' % name)
            el.clear()
            el.send_keys(value)

    def submit(self, form_css):
        """Click the form's submit button and wait for the next page to load."""
        form = self.find(form_css)
        old = self.drv.find_element(By.TAG_NAME, "html")
        form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        self.wait(lambda d: _stale(old), "the next page after submitting %s" % form_css)
        self.wait_ready()

    def console_errors(self):
        """SEVERE console entries (CSP violations, script errors); the favicon that every
        page lacks is not one."""
        return [e for e in self.drv.get_log("browser")
                if e.get("level") == "SEVERE" and "favicon.ico" not in e.get("message", "")]


def _stale(el):
    try:
        el.tag_name
        return False
    except Exception:  # StaleElementReferenceException: the old page is gone
        return True


@pytest.fixture
def page(driver, site, shots, request):
    _, base, _ = site
    driver.get_log("browser")  # drop what earlier tests left
    prefix = {"test_lookup_page": "a", "test_challenge_and_case_link": "b",
              "test_deputy_delists": "c", "test_explainer": "e",
              "test_phone_size": "p"}.get(request.node.name, "x")
    return Page(driver, base, shots, prefix)


# ---- (a) the lookup page ------------------------------------------------------------------


def test_lookup_page(site, page):
    d, _, ids = site
    page.get("/lookup?ip=" + IP_LOOKUP)
    # the countdown as the server wrote it: 24 h after the evidence at 00:00, now 01:00
    cd = page.find("#countdown")
    assert cd.get_attribute("data-seconds") == str(23 * 3600)
    source = page.drv.page_source
    assert 'data-seconds="82800">in about 23 hours</strong>' in source
    page.shot("lookup-top")

    assert page.find("h1").text == "%s is listed" % IP_LOOKUP
    body = page.text()
    assert ("%s is listed: mail servers that use this list refuse or mark mail" % IP_LOOKUP
            in body)
    assert "Why: 2 spam reports in the past 7 days from 2 different reporters, and 1 " \
           "spamtrap hit" in body
    for rid in ids["lookup"]:
        assert "Spam report #%d" % rid in body
    assert "alice" not in body and "honey@trap.example.org" not in body

    # the inline script runs (its hash is in the CSP): a second later it has counted the
    # figure down past the whole hour the server wrote
    page.wait(lambda dr: cd.text == "in about 22 hours 59 minutes",
              "the countdown to tick (it says %r)" % cd.text)
    assert page.console_errors() == []

    # the chart: drawn, not empty, with report and trap bars and the shaded listing
    svg = page.find("svg[role=img]")
    page.drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", svg)
    assert svg.is_displayed()
    assert svg.size["width"] >= 300 and svg.size["height"] >= 100, svg.size
    for cls in ("reports", "traps", "listed-period"):
        rects = svg.find_elements(By.CSS_SELECTOR, "rect.%s" % cls)
        assert rects, "no rect.%s in the chart" % cls
        assert all(r.size["width"] > 0 and r.size["height"] > 0 for r in rects), cls
    title = svg.find_element(By.TAG_NAME, "title").get_attribute("textContent")
    assert title.startswith("Spam reports and spamtrap hits per hour"), title
    page.shot("lookup-chart")
    page.shot("lookup-full", full=True)


# ---- (b) a challenge and its case link ----------------------------------------------------


def test_challenge_and_case_link(site, page):
    d, base, ids = site
    challenged = ids["challenge"][1]
    page.get("/dispute/challenge")
    assert page.find("h1").text == "Challenge a report"
    page.fill({"report": str(challenged), "ip": IP_CHALLENGE,
               "name": "Sam Sender, list manager", "address": "abuse@sender.example",
               "why": "The recipient subscribed and confirmed.",
               "evidence": "Confirmed opt-in: 2029-12-01T10:00:00Z from 198.51.100.7"})
    page.shot("challenge-form")
    page.submit('form[action="/dispute/challenge"]')
    page.shot("challenge-filed")
    body = page.text()
    assert "The report no longer counts while your challenge is open" in body, body

    # one of two reporters is left: the address leaves DNS within a second
    wait_until(lambda: rcode(d, IP_CHALLENGE) == dns.rcode.NXDOMAIN, 1.0,
               what="%s out of DNS after the challenge" % IP_CHALLENGE)

    link = page.find('a[href^="%s/case/"]' % base)
    href = link.get_attribute("href")
    link.click()
    page.wait(lambda dr: dr.current_url == href, "the case page")
    page.wait_ready()
    assert page.find("h1").text.endswith(": a challenged report")
    body = page.text()
    assert "This case is open: waiting for a deputy." in body, body
    assert "The recipient subscribed and confirmed." in body
    assert "Sam Sender, list manager" in body
    page.shot("case-page")
    assert page.console_errors() == []


# ---- (c) a deputy delists from the console ------------------------------------------------


def test_deputy_delists(site, page, tmp_path):
    d, _, _ = site
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    ok(run_ipbl(d, "deputy", "add", "dana", "--password-file", str(pw)))
    assert rcode(d, IP_DELIST) == dns.rcode.NOERROR

    page.get("/deputy/")  # not logged in: sent to the login form
    page.wait(lambda dr: dr.current_url.endswith("/deputy/login"), "the login redirect")
    page.fill({"name": "dana", "password": PASSWORD})
    page.shot("login")
    page.submit('form[action="/deputy/login"]')
    page.wait(lambda dr: dr.current_url.endswith("/deputy/"), "the queue after login")
    assert "Logged in as dana" in page.text()
    page.shot("queue")

    page.get("/deputy/ip?ip=" + IP_DELIST)
    assert IP_DELIST in page.find("h1").text
    body = page.text()
    assert "honey@trap.example.org" in body and "spammer.example" in body  # nothing hidden
    page.shot("evidence")
    page.fill({"reason": "customer cleaned up"})
    t0 = time.monotonic()
    page.submit('form[action="/deputy/delist"]')
    t_page = time.monotonic()
    body = page.text()
    assert "delisted" in body, body
    page.shot("delisted")
    wait_until(lambda: rcode(d, IP_DELIST) == dns.rcode.NXDOMAIN, 1.0,
               what="%s NXDOMAIN within 1 s of the delisting" % IP_DELIST)
    assert time.monotonic() - t0 < 2.0, "from the click to NXDOMAIN took %.2f s (page %.2f s)" % (
        time.monotonic() - t0, t_page - t0)
    assert json.loads(ok(run_ipbl(d, "lookup", "--json", IP_DELIST)))["listed"] is False
    page.get("/deputy/ip?ip=" + IP_DELIST)
    assert "deputy dana" in page.text() and "customer cleaned up" in page.text()
    assert page.console_errors() == []


# ---- (e) the bounce explainer ------------------------------------------------------------


def test_explainer(site, page):
    """A sender pastes a whole bounce (a Postfix DSN that names our list and shows the mail
    was handed over with a password to the provider's server) and reads, in this order, what
    happened, whose address it is, and what to do."""
    bounce = (REPO / "tests" / "data" / "bounces" / "postfix_dsn_ours.txt").read_text()
    page.get("/explain")
    box = page.find("textarea#bounce")
    # send_keys types slowly; the value is set as a paste would set it
    page.drv.execute_script("arguments[0].value = arguments[1]", box, bounce)
    page.shot("explain-form")
    page.submit('form[action="/explain"]')
    body = page.text()
    assert "is on our blocklist bl.example.org" in body, body
    assert body.index("refused your message to rolf@larchwood.example.com") < body.index(
        "handed, with your password, to the mail server smtp.tidewater.example") < body.index(
        "What to do next"), body
    assert "belongs to the mail server you send through" in body
    # only the provider's case: the own-server step is not given
    assert "If you run the mail server" not in body
    page.shot("explain-answer", full=True)
    assert page.console_errors() == []


# ---- the same pages at a phone's size -----------------------------------------------------


def test_phone_size(site, page):
    """Each page laid out for a 390x844 phone screen (mobile emulation honours the pages'
    viewport meta tag) fits its width: nothing makes the page scroll sideways."""
    w, h = PHONE
    page.drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                             {"width": w, "height": h, "deviceScaleFactor": 2, "mobile": True})
    try:
        wide = []
        for name, path in (("home", "/"), ("lookup", "/lookup?ip=" + IP_LOOKUP),
                           ("challenge", "/dispute/challenge"), ("explain", "/explain"),
                           ("login", "/deputy/login"),
                           ("evidence", "/deputy/ip?ip=" + IP_LOOKUP)):
            page.get(path)
            page.shot(name)
            if name == "lookup":
                page.shot(name + "-full", full=True)
                for css in ("svg[role=img]", "table"):  # the widest parts, on screen
                    page.drv.execute_script("arguments[0].scrollIntoView()", page.find(css))
                    page.shot(name + "-" + css.split("[")[0])
            sw, iw = page.drv.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            if sw > iw:
                wide.append("%s is %d px wide in a %d px viewport" % (path, sw, iw))
        assert not wide, wide
    finally:
        page.drv.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
