#!/usr/bin/env python3
# The status page (issue 6) in a real headless Chromium driven by Selenium: log in with the
# token through the page's own form, see the tenants' rows, make a tenant fail and watch its row
# change without reloading the page (the page refreshes itself). The token stays out of cookies
# (issue 12): the page keeps it in the tab's sessionStorage and sends it as a header; every
# response carries CSP and the other hardening headers; a foreign Host is refused (DNS
# rebinding). Needs Debian's chromium, chromium-driver and python3-selenium; run with
# /usr/bin/python3 (CMake does).
import http.client
import sys
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


class StatusPage(TenantsAndAdmin):

    @classmethod
    def setUpClass(cls):
        cls.start_scenario(prefix="page-creds-", settings=SETTINGS, password=PASSWORD, history=10)
        options = webdriver.ChromeOptions()
        options.binary_location = dnstest.require_tool("chromium")
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-proxy-server", f"--user-data-dir={cls.creds / 'profile'}"):
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

    def wait_row(self, endpoint, state, deadline_s):
        try:
            dnstest.wait_until(deadline_s, lambda: self.row_state(endpoint) == state,
                               f"the {endpoint} row to show {state}", poll_s=0.1)
        except TimeoutError as e:
            self.fail(f"{e}; row shows {self.row_state(endpoint)}\n{self.dnsd.stderr_text(20)}")

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
        ticks = self.js("return document.querySelectorAll(`tr[data-endpoint='eu'] .tick.fail`).length")
        self.assertGreaterEqual(ticks, SETTINGS.tolerated + 1, "failed probes on the timeline")
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
