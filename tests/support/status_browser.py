# The status page in a real headless Chromium (Debian's chromium, chromium-driver and
# python3-selenium; run with /usr/bin/python3), for tests that read it on a running dnsd. The
# page redraws itself every second, so everything is read in one script against the DOM as it
# is at that instant, and every read is waited on with a deadline.
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dnstest  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402


class StatusBrowser:
    """One headless Chromium; open() logs in to one dnsd's page as the page's own login does
    (the token in the tab's sessionStorage, bound to that origin)."""

    def __init__(self, profile_dir: Path):
        options = webdriver.ChromeOptions()
        options.binary_location = dnstest.require_tool("chromium")
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-proxy-server", "--window-size=1280,800",
                     f"--user-data-dir={profile_dir}"):
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service(dnstest.require_tool("chromedriver")),
                                       options=options)

    def open(self, admin_port: int, token: str) -> None:
        url = f"http://127.0.0.1:{admin_port}/"
        self.driver.get(url)
        self.driver.execute_script("sessionStorage.setItem('dnsd_token', arguments[0])", token)
        self.driver.get(url)
        dnstest.wait_until(10, lambda: self.driver.title == "dnsd status", "the status page")

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def quit(self) -> None:
        self.driver.quit()
