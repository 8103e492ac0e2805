#!/usr/bin/env python3
# The status page (issue 6) in a real headless Chromium driven by Selenium: log in with the
# token through the page's own form, see the tenants' rows, make a tenant fail and watch its row
# change without reloading the page (the page refreshes itself). Needs Debian's chromium,
# chromium-driver and python3-selenium; run with /usr/bin/python3 (CMake does).
import shutil
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from admin_client import admin_toml, write_token  # noqa: E402
from tenants import EU_NAME, US_NAME, EndpointSpec, ProbeSettings  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

SETTINGS = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 3.0
CI = f"ci.{tenants.PROFILE_ZONE}"
USER, PASSWORD = "ci-probe", "pw-page-test-8901"


class StatusPage(dnstest.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.creds = Path(tempfile.mkdtemp(prefix="page-creds-"))
        cert, key = tenants.make_tenant_cert(cls.creds)
        auth = tenants.write_auth_file(cls.creds / "tenant.auth", USER, PASSWORD)
        cls.token = write_token(cls.creds / "admin.token")
        cls.eu, cls.us = tenants.start_tenant_pair(cert, key, USER, PASSWORD)
        cls.own(cls.eu)
        cls.own(cls.us)
        monitor = SETTINGS.monitor_toml(protocol="https", port=cls.eu.port, ca_file=cert.name,
                                        auth_file=auth.name)
        cls.admin_port = dnstest.free_port(ipv6=False)
        body = (tenants.zone_toml(tenants.PROFILE_ZONE) + tenants.tenant_zone_toml() +
                tenants.profile_toml(CI, monitor, [EndpointSpec("eu", EU_NAME, 1),
                                                   EndpointSpec("us", US_NAME, 2)]) +
                admin_toml(cls.admin_port, "admin.token", history=10))
        cls.dnsd = cls.own(tenants.ScenarioDnsd(body, [cert, auth, cls.creds / "admin.token"]).start())
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
        shutil.rmtree(cls.creds, ignore_errors=True)

    def row_state(self, endpoint):
        rows = self.browser.find_elements(By.CSS_SELECTOR, f'tr[data-endpoint="{endpoint}"]')
        return rows[0].get_attribute("data-state") if rows else None

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
        self.assertEqual(self.browser.find_elements(By.CSS_SELECTOR, "tr[data-endpoint]"), [])
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
        answer = self.browser.find_element(By.CSS_SELECTOR, f'section[data-profile="{CI}"] .answer')
        self.assertEqual(answer.text, "eu")
        badge = self.browser.find_element(By.CSS_SELECTOR, 'tr[data-endpoint="eu"] .state')
        green = badge.value_of_css_property("background-color")

        self.eu.set_mode("503")
        self.wait_row("eu", "Degraded", SETTINGS.degrade_worst_s() + SLACK_S)
        badge = self.browser.find_element(By.CSS_SELECTOR, 'tr[data-endpoint="eu"] .state')
        self.assertEqual(badge.text, "Degraded")
        self.assertNotEqual(badge.value_of_css_property("background-color"), green,
                            "a Degraded row is coloured differently from an Online one")
        dnstest.wait_until(SLACK_S, lambda: self.browser.find_element(
            By.CSS_SELECTOR, f'section[data-profile="{CI}"] .answer').text == "us", "answer us")
        ticks = self.browser.find_elements(By.CSS_SELECTOR, 'tr[data-endpoint="eu"] .tick.fail')
        self.assertGreaterEqual(len(ticks), SETTINGS.tolerated + 1, "failed probes on the timeline")
        self.assertNotIn(self.token, self.browser.page_source)

        self.eu.set_mode("up")
        self.wait_row("eu", "Online", SETTINGS.recover_worst_s() + SLACK_S)


if __name__ == "__main__":
    dnstest.main()
