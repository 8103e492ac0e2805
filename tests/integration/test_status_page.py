#!/usr/bin/env python3
# The status page (issue 6) in a real headless Chromium driven by Selenium: log in with the
# token through the page's own form, see the tenants' rows, make a tenant fail and watch its row
# change without reloading the page (the page refreshes itself). The token stays out of cookies
# (issue 12): the page keeps it in the tab's sessionStorage and sends it as a header; every
# response carries CSP and the other hardening headers; a foreign Host is refused (DNS
# rebinding). Issue 15: the all-degraded flag, since, the last failure's time, the probed state
# of a disabled endpoint, stale latency and the latency sparkline. Needs Debian's chromium,
# chromium-driver and python3-selenium; run with /usr/bin/python3 (CMake does).
import http.client
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from admin_scenario import CI, TenantsAndAdmin  # noqa: E402
from tenants import ProbeSettings  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

SETTINGS = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 3.0
PASSWORD = "pw-page-test-8901"
HISTORY = 10
ALL_DOWN = "answering eu although Degraded: every endpoint is down"


class StatusPage(TenantsAndAdmin):

    @classmethod
    def setUpClass(cls):
        cls.start_scenario(prefix="page-creds-", settings=SETTINGS, password=PASSWORD, history=HISTORY)
        options = webdriver.ChromeOptions()
        options.binary_location = dnstest.require_tool("chromium")
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-proxy-server", "--window-size=1280,800", f"--user-data-dir={cls.creds / 'profile'}"):
            options.add_argument(flag)
        cls.browser = webdriver.Chrome(service=Service(dnstest.require_tool("chromedriver")),
                                       options=options)

    @classmethod
    def tearDownClass(cls):
        browser = getattr(cls, "browser", None)
        if browser is not None:
            browser.quit()
        super().tearDownClass()

    # The page redraws itself every second, so an element found now may be gone a moment
    # later: everything is read in one script, against the DOM as it is at that instant.
    def js(self, script, *args):
        return self.browser.execute_script(script, *args)

    def row_state(self, endpoint):
        return self.js("const r = document.querySelector(`tr[data-endpoint='${arguments[0]}']`);"
                       "return r ? r.dataset.state : null;", endpoint)

    def badge(self, endpoint):
        """(text, background colour) of the endpoint's state badge."""
        return self.js("const b = document.querySelector(`tr[data-endpoint='${arguments[0]}'] .state`);"
                       "return b ? [b.textContent, getComputedStyle(b).backgroundColor] : null;",
                       endpoint)

    def answer(self):
        return self.js("const a = document.querySelector(`section[data-profile='${arguments[0]}'] .answer`);"
                       "return a ? a.textContent : null;", CI)

    def cell(self, endpoint, selector):
        """(text, title, data-stale) of the first element matching selector in the endpoint's
        row, or None."""
        return self.js("const c = document.querySelector(`tr[data-endpoint='${arguments[0]}'] ${arguments[1]}`);"
                       "return c ? [c.textContent, c.getAttribute('title'), c.dataset.stale || null]"
                       " : null;", endpoint, selector)

    def flag(self):
        return self.js("const f = document.querySelector(`section[data-profile='${arguments[0]}'] .all-degraded`);"
                       "return f ? f.textContent : null;", CI)

    def sparkline(self, endpoint):
        """(data-points, probe marks, failed-probe marks) of the endpoint's sparkline."""
        return self.js("const s = document.querySelector(`tr[data-endpoint='${arguments[0]}'] svg.spark`);"
                       "return s ? [Number(s.dataset.points), s.querySelectorAll('.probe').length,"
                       " s.querySelectorAll('.probe.fail').length] : null;", endpoint)

    def wait_for(self, deadline_s, predicate, what, show):
        try:
            return dnstest.wait_until(deadline_s, predicate, what, poll_s=0.1)
        except TimeoutError as e:
            self.fail(f"{e}; page shows {show()}\n{self.dnsd.stderr_text(20)}")

    def log_in(self):
        url = f"http://127.0.0.1:{self.admin_port}/"
        self.browser.get(url)
        self.js("sessionStorage.clear()")
        self.browser.refresh()
        self.browser.find_element(By.ID, "t").send_keys(self.token)
        self.browser.find_element(By.CSS_SELECTOR, "form button").click()
        dnstest.wait_until(10, lambda: self.browser.title == "dnsd status", "the status page")
        return url

    def wait_row(self, endpoint, state, deadline_s):
        try:
            dnstest.wait_until(deadline_s, lambda: self.row_state(endpoint) == state,
                               f"the {endpoint} row to show {state}", poll_s=0.1)
        except TimeoutError as e:
            self.fail(f"{e}; row shows {self.row_state(endpoint)}\n{self.dnsd.stderr_text(20)}")

    # Issue 15. The page reads fields that the history branch adds (since, latency_stale,
    # profile monitor_status): each is asserted when the API has it, and the page must cope
    # without it.
    def test_page_flags_all_degraded_and_shows_why(self):
        url = self.log_in()
        try:
            self.flags_all_degraded_and_shows_why(url)
        finally:
            self.eu.set_mode("up")
            self.us.set_mode("up")
            self.api.post(f"/api/v1/endpoints/{CI}/us/enable")
            self.js("sessionStorage.clear()")  # the next test logs in from scratch

    def flags_all_degraded_and_shows_why(self, url):
        self.wait_row("eu", "Online", SETTINGS.first_verdict_worst_s() + SLACK_S)
        self.wait_row("us", "Online", SETTINGS.first_verdict_worst_s() + SLACK_S)
        self.assertIsNone(self.flag(), "no all-degraded flag while an endpoint is Online")
        headers = self.js("return [...document.querySelectorAll(`section[data-profile='${arguments[0]}'] th`)]"
                          ".map(h => [h.textContent, h.getAttribute('title')]);", CI)
        self.assertIn("priority", [h[0] for h in headers], "the priority method shows priorities")
        self.assertNotIn("weight", [h[0] for h in headers])
        runs = dict(headers).get("failures in a row")
        self.assertIn("consecutive failed probes", runs or "", headers)
        self.assertEqual(self.cell("us", ".rank")[0], "2")

        # The sparkline: one mark per retained probe (history = HISTORY), none failed yet.
        self.wait_for(HISTORY * SETTINGS.interval_s * 1.1 + SLACK_S,
                      lambda: self.sparkline("eu") == [HISTORY, HISTORY, 0],
                      f"a sparkline of {HISTORY} successful probes", lambda: self.sparkline("eu"))
        self.assertEqual(len(self.api.endpoint(CI, "eu")["history"]), HISTORY)
        self.wait_for(SLACK_S, lambda: (self.cell("eu", ".latency") or [""])[2] == "false",
                      "eu's latency current", lambda: self.cell("eu", ".latency"))
        self.assert_since_shown("eu")

        # Both tenants fail: both Degraded, the answer is the all-degraded fallback, flagged.
        self.eu.set_mode("503")
        self.us.set_mode("503")
        self.wait_row("eu", "Degraded", SETTINGS.degrade_worst_s() + SLACK_S)
        self.wait_row("us", "Degraded", SETTINGS.degrade_worst_s() + SLACK_S)
        self.wait_for(SLACK_S, lambda: self.flag() == ALL_DOWN, "the all-degraded flag", self.flag)
        self.assertTrue(self.api.status()["profiles"][0]["answer"]["all_degraded"])
        shot = Path(tempfile.gettempdir()) / f"dnsd-status-all-degraded-{self.admin_port}.png"
        self.browser.save_screenshot(str(shot))
        print(f"screenshot: {shot}", file=sys.stderr)
        failed = self.sparkline("eu")
        self.assertEqual(failed[0], failed[1], "one mark per probe")
        self.assertGreaterEqual(failed[2], SETTINGS.tolerated + 1, "failed probes marked on the sparkline")
        self.assert_since_shown("eu")
        # No successful probe lately: the latency shown is marked stale.
        if "latency_stale" in self.api.endpoint(CI, "eu"):
            dnstest.wait_until(2 * SETTINGS.interval_s * 1.1 + SLACK_S,
                               lambda: self.api.endpoint(CI, "eu")["latency_stale"], "API latency_stale")
        self.wait_for(2 * SETTINGS.interval_s * 1.1 + SLACK_S,
                      lambda: (self.cell("eu", ".latency") or [""])[2] == "true",
                      "eu's latency marked stale", lambda: self.cell("eu", ".latency"))
        self.assertIn("(stale)", self.cell("eu", ".latency")[0])
        if "monitor_status" in self.api.status()["profiles"][0]:
            self.wait_for(SLACK_S, lambda: self.js(
                "const b = document.querySelector(`section[data-profile='${arguments[0]}'] h2 .state`);"
                "return b && b.textContent === 'Degraded';", CI), "profile Degraded",
                lambda: self.js("return document.querySelector('h2').textContent"))

        # One recovers: the flag goes, the answer is us, and its latency is current again.
        self.us.set_mode("up")
        self.wait_row("us", "Online", SETTINGS.recover_worst_s() + SLACK_S)
        self.wait_for(SLACK_S, lambda: self.flag() is None and self.answer() == "us",
                      "the flag to go and the answer us", lambda: (self.flag(), self.answer()))
        self.wait_for(SLACK_S, lambda: (self.cell("us", ".latency") or [""])[2] == "false",
                      "us's latency current", lambda: self.cell("us", ".latency"))
        # Its last failure stays, with its time (fixed now that it probes ok), shown as past.
        at = self.api.endpoint(CI, "us")["last_failure"]["at"]
        self.assertIsNotNone(at)
        self.wait_for(SLACK_S, lambda: (self.cell("us", ".failure.past .at") or [0, 0])[1] == at,
                      f"us's last failure at {at}", lambda: self.cell("us", ".failure"))
        self.assertIn(self.cell("us", ".failure .at")[0], (at[11:19], f"{at[:10]} {at[11:19]}"))

        # A disabled endpoint still shows what its probe says, and follows it.
        code, body = self.api.post(f"/api/v1/endpoints/{CI}/us/disable")
        self.assertEqual(code, 200, body)
        self.wait_row("us", "Disabled", SLACK_S)
        self.wait_for(SLACK_S, lambda: (self.cell("us", ".probed .state") or [""])[0] == "Online",
                      "us Disabled, probe: Online", lambda: self.cell("us", ".status"))
        self.us.set_mode("503")
        self.wait_for(SETTINGS.degrade_worst_s() + SLACK_S,
                      lambda: (self.cell("us", ".probed .state") or [""])[0] == "Degraded",
                      "us Disabled, probe: Degraded", lambda: self.cell("us", ".status"))
        self.assertEqual(self.row_state("us"), "Disabled")
        self.assertNotIn(self.token, self.browser.page_source)
        sources = self.js("return performance.getEntriesByType('resource').map(e => e.name)")
        self.assertTrue(all(s.startswith(url) for s in sources), sources)

    def assert_since_shown(self, endpoint):
        """The page shows since when the endpoint entered its monitor status, as the API says."""
        since = self.api.endpoint(CI, endpoint).get("since")
        if since is None:  # not in this API yet (the history branch adds it)
            self.assertIsNone(self.cell(endpoint, ".status .since"))
            return
        self.wait_for(SLACK_S, lambda: (self.cell(endpoint, ".status .since") or [0, 0])[1] == since,
                      f"{endpoint} since {since}", lambda: self.cell(endpoint, ".status"))

    def test_page_shows_a_failing_tenant_change_state(self):
        url = f"http://127.0.0.1:{self.admin_port}/"
        self.browser.get(url)
        self.assertIn("token required", self.browser.page_source)
        self.assertIsNone(self.row_state("eu"))
        self.browser.find_element(By.ID, "t").send_keys(self.token)
        self.browser.find_element(By.CSS_SELECTOR, "form button").click()
        dnstest.wait_until(10, lambda: self.browser.title == "dnsd status", "the status page")
        # No external assets: every resource the page loaded came from dnsd itself.
        sources = self.browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        self.assertTrue(all(s.startswith(url) for s in sources), sources)
        self.assertNotRegex(self.browser.page_source, r'(src|href)="https?://')

        self.wait_row("eu", "Online", SETTINGS.first_verdict_worst_s() + SLACK_S)
        self.wait_row("us", "Online", SETTINGS.first_verdict_worst_s() + SLACK_S)
        self.assertEqual(self.answer(), "eu")
        text, green = self.badge("eu")
        self.assertEqual(text, "Online")

        self.eu.set_mode("503")
        self.wait_row("eu", "Degraded", SETTINGS.degrade_worst_s() + SLACK_S)
        text, red = self.badge("eu")
        self.assertEqual(text, "Degraded")
        self.assertNotEqual(red, green, "a Degraded row is coloured differently from an Online one")
        dnstest.wait_until(SLACK_S, lambda: self.answer() == "us", "answer us")
        self.assertGreaterEqual(self.sparkline("eu")[2], SETTINGS.tolerated + 1,
                                "failed probes on the sparkline")
        self.assertNotIn(self.token, self.browser.page_source)

        self.eu.set_mode("up")
        self.wait_row("eu", "Online", SETTINGS.recover_worst_s() + SLACK_S)

        # The token is in no cookie (cookies reach every port of the host), only in this tab's
        # sessionStorage, bound to this origin; the page finds it there after a reload.
        cookies = self.browser.get_cookies()
        self.assertFalse([c["name"] for c in cookies if self.token in str(c)], cookies)
        self.assertEqual(self.js("return document.cookie"), "")
        self.assertEqual(self.js("return sessionStorage.getItem('dnsd_token')"), self.token)
        self.assertNotIn("<script>", self.browser.page_source, "no inline script (CSP)")
        self.browser.refresh()
        dnstest.wait_until(10, lambda: self.browser.title == "dnsd status", "the page after a reload")
        self.wait_row("eu", "Online", SLACK_S)

    def get(self, path, host, token=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_host=True)
            conn.putheader("Host", host)
            if token:
                conn.putheader("Authorization", f"Bearer {token}")
            conn.endheaders()
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode()
        finally:
            conn.close()

    def test_every_response_carries_the_hardening_headers(self):
        host = f"127.0.0.1:{self.admin_port}"
        for path, token, expected in (("/", None, 200), ("/status.js", None, 200),
                                      ("/api/v1/status", self.token, 200),
                                      ("/api/v1/status", None, 401)):
            code, headers, _ = self.get(path, host, token)
            self.assertEqual(code, expected, path)
            csp = headers.get("content-security-policy", "")
            for directive in ("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"):
                self.assertIn(directive, csp, path)
            self.assertNotIn("unsafe-inline", csp)
            self.assertEqual(headers.get("x-frame-options"), "DENY", path)
            self.assertEqual(headers.get("x-content-type-options"), "nosniff", path)
            self.assertEqual(headers.get("referrer-policy"), "no-referrer", path)
            self.assertNotIn("set-cookie", headers, path)

    def test_a_foreign_host_is_refused(self):
        for path, token in (("/", None), ("/api/v1/status", self.token)):
            code, _, body = self.get(path, "evil.example", token)
            self.assertEqual(code, 421, f"{path}: {body}")
            self.assertNotIn("profiles", body)
            code, _, _ = self.get(path, f"localhost:{self.admin_port}", token)
            self.assertEqual(code, 200, path)


if __name__ == "__main__":
    dnstest.main()
