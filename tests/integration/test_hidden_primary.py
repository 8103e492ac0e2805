# Hidden primary (issue 11): dnsd decides, real Knot DNS 3.2 and NSD 4.6 secondaries serve. Both
# transfer the zone with its health-routed name from dnsd with TSIG (required: dnsd refuses them
# without it), take dnsd's signed NOTIFY on every serial change and fetch it by IXFR. The EU
# tenant fails: both answer the US tenant's CNAME; it recovers: both fail back; an operator
# override and a reload move them too; dnsd restarts and the serial goes on from where it was;
# nine overrides in a row (flapping) end with both on dnsd's last serial.
# Propagation: the admin API, dnsctl, the metrics and the status page (headless Chromium) say
# "propagated to 2 of 2"; with NSD stopped, "1 of 2". Knot and NSD share 127.0.0.1 and each
# has its own key, by which dnsd tells their transfers apart. Runs with /usr/bin/python3 for
# Debian's python3-selenium.
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unittest
import urllib.request
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from secondaries import KnotSecondary, NsdSecondary  # noqa: E402
from tenants import EU_NAME, US_NAME, EndpointSpec, ProbeSettings  # noqa: E402

ZONE = "tm.test."
CI = f"ci.{ZONE}"
KEY = "xfr.tm.test."  # Knot's
SECRET = "a2V5Zm9ydGhlaGlkZGVucHJpbWFyeXRlc3Rvbmx5MTI="  # test key only
NSD_KEY = "nsd.xfr.tm.test."
NSD_SECRET = "bnNkc2Vjb25kYXJ5a2V5Zm9ydGhlaGlkZGVucHJpbWE="  # test key only
WRONG = "b3RoZXJrZXlmb3J0aGVoaWRkZW5wcmltYXJ5dGVzdDE="
ADMIN_TOKEN = "hidden-primary-test-token"
PROBES = ProbeSettings(interval_s=0.5, timeout_s=0.3, tolerated=1)
FOLLOW_S = 15  # a decision reaches both secondaries in about a second; bounded generously


def dnsd_body(secondary_ports: tuple, state_dir: Path) -> str:
    secondaries = "".join(f'\n[[secondary]]\naddress = "127.0.0.1"\nport = {port}\nkey = "{key}"\n'
                          for port, key in zip(secondary_ports, (KEY, NSD_KEY)))
    zone = tenants.zone_toml(ZONE, (("www", "A", "192.0.2.80"),))
    monitor = PROBES.monitor_toml(protocol="http", port=0).replace("port = 0", "port = {TENANT_PORT}")
    return (f'\n[publish]\nserial_policy = "increment"\nstate_directory = "{state_dir}"\n'
            f'\n[admin]\nenabled = true\nlisten = "127.0.0.1:{{ADMIN_PORT}}"\n'
            f'token_file = "admin.token"\n'
            f'\n[[key]]\nname = "{KEY}"\nsecret_file = "xfr.secret"\n'
            f'\n[[key]]\nname = "{NSD_KEY}"\nsecret_file = "nsd.secret"\n' + secondaries + zone +
            f'[[zone.transfer]]\nkey = "{KEY}"\n[[zone.transfer]]\nkey = "{NSD_KEY}"\n' +
            tenants.tenant_zone_toml() +
            tenants.profile_toml(CI, monitor, [EndpointSpec("eu", EU_NAME, 1),
                                               EndpointSpec("us", US_NAME, 2)]))


def cname_at(port: int, name: str = CI) -> str:
    try:
        resp = dnstest.dig(port, name, "CNAME", "+norecurse")
    except dnstest.NoResponse:
        return "no response"
    return tenants.who(resp)


def soa_serial(port: int) -> int:
    resp = dnstest.dig(port, ZONE, "SOA", "+norecurse")
    soa = [r for r in resp.answer if r.type == "SOA"]
    return int(soa[0].rdata.split()[2]) if soa else -1


class HiddenPrimary(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.creds = Path(dnstest.tempfile.mkdtemp(prefix="hidden-primary-"))
        (cls.creds / "xfr.secret").write_text(SECRET + "\n")
        (cls.creds / "xfr.secret").chmod(0o600)
        (cls.creds / "nsd.secret").write_text(NSD_SECRET + "\n")
        (cls.creds / "nsd.secret").chmod(0o600)
        (cls.creds / "admin.token").write_text(ADMIN_TOKEN)
        (cls.creds / "admin.token").chmod(0o600)
        cls.state_dir = cls.creds / "serials"
        cls.state_dir.mkdir()
        cls.eu = cls.own(tenants.Tenant("eu", tenants.EU_IP).start())
        cls.us = cls.own(tenants.Tenant("us", tenants.US_IP, port=cls.eu.port).start())
        cls.admin_port = dnstest.free_port(ipv6=False)
        cls.dnsd = None
        # The secondaries need dnsd's port and dnsd needs theirs: ports first, then start.
        cls.dnsd_port = dnstest.free_port()
        cls.knot = cls.own(KnotSecondary(ZONE, cls.dnsd_port, KEY, SECRET))
        cls.nsd = cls.own(NsdSecondary(ZONE, cls.dnsd_port, NSD_KEY, NSD_SECRET))
        cls.start_dnsd()
        cls.knot.start()
        cls.nsd.start()

    @classmethod
    def make_dnsd(cls) -> tenants.ScenarioDnsd:
        body = dnsd_body((cls.knot.port, cls.nsd.port), cls.state_dir)
        body = body.replace("{TENANT_PORT}", str(cls.eu.port)).replace(
            "{ADMIN_PORT}", str(cls.admin_port))
        dnsd = tenants.ScenarioDnsd(body, [cls.creds / "xfr.secret", cls.creds / "nsd.secret",
                                           cls.creds / "admin.token"])
        # The port the secondaries were configured with, in place of the one dnsd picked.
        dnsd.config.write_text(dnsd.config.read_text().replace(f":{dnsd.port}", f":{cls.dnsd_port}"))
        dnsd.port = cls.dnsd_port
        return dnsd

    @classmethod
    def start_dnsd(cls):
        cls.dnsd = cls.own(cls.make_dnsd().start())

    def both_answer(self, want: str):
        for server in (self.knot, self.nsd):
            dnstest.wait_until(FOLLOW_S, lambda: cname_at(server.port) == want,
                               f"{server.name} to answer {want} for {CI} "
                               f"(dnsd: {cname_at(self.dnsd.port)})")

    def admin(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.admin_port}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def test_1_both_secondaries_transfer_the_decision_and_serve_it(self):
        dnstest.wait_until(FOLLOW_S, lambda: cname_at(self.dnsd.port) == "eu", "dnsd to answer eu")
        self.both_answer("eu")
        # The SOA every one of them shows is the published serial.
        serial = soa_serial(self.dnsd.port)
        for server in (self.knot, self.nsd):
            dnstest.wait_until(FOLLOW_S, lambda: soa_serial(server.port) == serial,
                               f"{server.name} at serial {serial}")
        # A static record came along with the decision.
        www = dnstest.dig(self.knot.port, f"www.{ZONE}", "A", "+norecurse")
        self.assertEqual([r.rdata for r in www.answer], ["192.0.2.80"])

    def test_2_failover_reaches_both_by_notify_and_ixfr_and_fails_back(self):
        self.both_answer("eu")
        before = soa_serial(self.dnsd.port)
        self.eu.set_mode("503")
        dnstest.wait_until(FOLLOW_S, lambda: cname_at(self.dnsd.port) == "us", "dnsd to fail over")
        self.both_answer("us")
        after = soa_serial(self.dnsd.port)
        self.assertGreater(after, before)
        # NOTIFY made them ask, and the change came as a diff, not as the whole zone.
        dnstest.wait_until(FOLLOW_S, lambda: re.search(
            r"IXFR, incoming, remote .* finished", tenants.read_log(self.knot)),
            "knot to log an incoming IXFR")
        self.assertRegex(tenants.read_log(self.knot), r"notify, incoming")
        self.assertRegex(tenants.read_log(self.dnsd), r"IXFR tm\.test\. from 127\.0\.0\.1 key "
                                                      r"xfr\.tm\.test\.: incremental")
        # NSD too (its own key tells its transfers apart): a diff, not the whole zone.
        dnstest.wait_until(FOLLOW_S, lambda: re.search(
            r"IXFR tm\.test\. from 127\.0\.0\.1 key nsd\.xfr\.tm\.test\.: incremental",
            tenants.read_log(self.dnsd)), "dnsd to log NSD's incremental IXFR")
        self.eu.set_mode("up")
        dnstest.wait_until(FOLLOW_S, lambda: cname_at(self.dnsd.port) == "eu", "dnsd to fail back")
        self.both_answer("eu")

    def test_3_an_operator_override_reaches_the_secondaries(self):
        self.both_answer("eu")
        self.admin("POST", "/api/v1/endpoints/ci.tm.test./eu/disable", {})
        try:
            self.both_answer("us")
        finally:
            self.admin("POST", "/api/v1/endpoints/ci.tm.test./eu/enable", {})
        self.both_answer("eu")

    def test_4_transfers_need_the_key_and_carry_one_cname(self):
        def records(*args: str) -> list:
            proc = dnstest._run([dnstest.require_tool("dig"), "@127.0.0.1", "-p",
                                 str(self.dnsd.port), "+nocmd", "+nostats", "+time=5", "+tries=1",
                                 *args, ZONE, "AXFR"], 60)
            return [line.split() for line in proc.stdout.splitlines()
                    if line and not line.startswith(";") and "\tTSIG\t" not in line]
        self.assertEqual(records(), [])  # REFUSED
        self.assertEqual(records("-y", f"hmac-sha256:{KEY}:{WRONG}"), [])  # BADSIG
        signed = records("-y", f"hmac-sha256:{KEY}:{SECRET}")
        self.assertEqual([r[3] for r in (signed[0], signed[-1])], ["SOA", "SOA"])
        cnames = [r for r in signed if r[3] == "CNAME"]
        # One CNAME RRset holds one name: the decision, at the profile's TTL.
        self.assertEqual([(r[0].lower(), r[1], r[4].lower()) for r in cnames],
                         [(CI, "1", EU_NAME)])

    def test_5_the_serial_goes_on_after_a_restart_and_a_reload(self):
        self.both_answer("eu")
        before = soa_serial(self.dnsd.port)
        self.dnsd.stop()
        self.dnsd.start()
        after_restart = soa_serial(self.dnsd.port)
        self.assertGreaterEqual(after_restart, before)  # never backwards
        # A changed record is a new serial, a diff and a NOTIFY.
        text = self.dnsd.config.read_text()
        self.dnsd.config.write_text(text.replace(
            'data = "192.0.2.80"\n', 'data = "192.0.2.80"\n[[zone.record]]\nname = "extra"\n'
            'type = "TXT"\ndata = "reloaded"\n', 1))
        report = self.admin("POST", "/api/v1/reload", {})
        self.assertTrue(report.get("ok"), report)
        after_reload = soa_serial(self.dnsd.port)
        self.assertGreater(after_reload, after_restart)
        for server in (self.knot, self.nsd):
            dnstest.wait_until(FOLLOW_S, lambda: [r.rdata for r in dnstest.dig(
                server.port, f"extra.{ZONE}", "TXT", "+norecurse").answer] == ['"reloaded"'],
                f"{server.name} to serve the reloaded record")

    def test_7_under_flapping_both_end_on_the_latest_serial(self):
        # Overrides as fast as the API takes them: NOTIFYs overtake transfers in flight, and a
        # secondary may be told of a serial while it fetches an older one. Both must end on
        # dnsd's last serial and its answer (nothing batches the flips at dnsd).
        self.both_answer("eu")
        before = soa_serial(self.dnsd.port)
        flips = 9  # odd: the last one leaves eu disabled, so the end differs from the start
        try:
            for i in range(flips):
                action = "disable" if i % 2 == 0 else "enable"
                self.admin("POST", f"/api/v1/endpoints/ci.tm.test./eu/{action}", {})
            dnstest.wait_until(FOLLOW_S, lambda: cname_at(self.dnsd.port) == "us",
                               "dnsd to answer us after the flips")
            last = soa_serial(self.dnsd.port)
            self.assertGreater(last, before)
            for server in (self.knot, self.nsd):
                dnstest.wait_until(FOLLOW_S, lambda: soa_serial(server.port) == last,
                                   f"{server.name} to reach the last serial {last} "
                                   f"(it serves {soa_serial(server.port)})")
            self.both_answer("us")
            self.assertEqual(soa_serial(self.dnsd.port), last, "dnsd moved on by itself")
        finally:
            self.admin("POST", "/api/v1/endpoints/ci.tm.test./eu/enable", {})
        self.both_answer("eu")

    # --- propagation: the API, dnsctl, the metrics and the status page

    def secondaries(self, check: bool = False) -> dict:
        zones = self.admin("GET", "/api/v1/secondaries" + ("?check=1" if check else ""))["zones"]
        self.assertEqual([z["zone"] for z in zones], [ZONE])
        return zones[0]

    def by_port(self, zone: dict) -> dict:
        return {int(s["secondary"].rsplit(":", 1)[1]): s for s in zone["secondaries"]}

    def wait_propagated(self, serial: int, count: int, check: bool = False) -> dict:
        seen = {}

        def reached():
            seen["zone"] = self.secondaries(check)
            return seen["zone"]["serial"] == serial and seen["zone"]["propagated_to"] == count
        try:
            dnstest.wait_until(FOLLOW_S, reached, f"propagated to {count} of 2 at serial {serial}"
                               f"{' (check=1)' if check else ''}")
        except TimeoutError as e:
            self.fail(f"{e}: {json.dumps(seen.get('zone'), indent=1)}")
        self.assertEqual(seen["zone"]["summary"],
                         f"serial {serial}, propagated to {count} of 2 secondaries")
        return seen["zone"]

    def dnsctl(self, *args: str) -> subprocess.CompletedProcess:
        path = os.environ.get("DNSCTL_BIN") or str(dnstest.REPO_ROOT / "build" / "tools" / "dnsctl")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNSCTL_")}
        env.update(DNSCTL_SERVER=f"127.0.0.1:{self.admin_port}",
                   DNSCTL_TOKEN_FILE=str(self.creds / "admin.token"))
        proc = subprocess.run([path, *args], capture_output=True, text=True, timeout=30, env=env)
        self.assertNotIn(ADMIN_TOKEN, proc.stdout + proc.stderr)
        return proc

    def metrics(self) -> str:
        request = urllib.request.Request(f"http://127.0.0.1:{self.admin_port}/metrics",
                                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        check = subprocess.run([dnstest.require_tool("promtool"), "check", "metrics"], input=text,
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr + text)
        return text

    def metric(self, text: str, name: str, secondary_port: int | None = None) -> int | None:
        labels = f'zone="{ZONE}"' + (f',secondary="127.0.0.1:{secondary_port}"'
                                      if secondary_port else "")
        found = re.search(rf"^{name}{{{re.escape(labels)}}} (\d+)$", text, re.M)
        return int(found.group(1)) if found else None

    def assert_metrics(self, serial: int, current: dict):
        # The NOTIFY ack is recorded when its answer arrives, which may come after the transfer.
        def acked():
            text = self.metrics()
            return text if all(self.metric(text, "dnsd_secondary_acked_serial", port) == serial
                               for port, is_current in current.items() if is_current) else None
        text = dnstest.wait_until(FOLLOW_S, acked, f"the acks of serial {serial} in the metrics",
                                  poll_s=0.2)
        self.assertEqual(self.metric(text, "dnsd_zone_serial"), serial, text)
        for port, is_current in current.items():
            self.assertEqual(self.metric(text, "dnsd_secondary_current", port), int(is_current))
            if is_current:
                self.assertEqual(self.metric(text, "dnsd_secondary_serial", port), serial)
                self.assertEqual(self.metric(text, "dnsd_secondary_acked_serial", port), serial)
            else:
                self.assertLess(self.metric(text, "dnsd_secondary_serial", port), serial)

    def page_summary(self) -> tuple:
        """The status page in headless Chromium: the zone's summary and each secondary's row."""
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        options = webdriver.ChromeOptions()
        options.binary_location = dnstest.require_tool("chromium")
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-proxy-server", f"--user-data-dir={self.creds / 'chromium'}"):
            options.add_argument(flag)
        browser = webdriver.Chrome(service=Service(dnstest.require_tool("chromedriver")),
                                   options=options)
        try:
            url = f"http://127.0.0.1:{self.admin_port}/"
            browser.get(url)
            # The page keeps the token in the tab's sessionStorage (issue 12), as a login sets it.
            browser.execute_script("sessionStorage.setItem('dnsd_token', arguments[0])", ADMIN_TOKEN)
            browser.get(url)
            read = ("const s = document.querySelector(`section[data-zone='${arguments[0]}']`);"
                    "if (!s) return null;"
                    "return [s.querySelector('.summary').textContent,"
                    " Array.from(s.querySelectorAll('tr[data-secondary]'))"
                    "   .map(r => [r.dataset.secondary, r.dataset.current])];")
            seen = {}

            def shown():
                seen["page"] = browser.execute_script(read, ZONE)
                return seen["page"] is not None
            dnstest.wait_until(FOLLOW_S, shown, "the status page to show the zone", poll_s=0.2)
            sources = browser.execute_script(
                "return performance.getEntriesByType('resource').map(e => e.name)")
            self.assertTrue(all(u.startswith(f"http://127.0.0.1:{self.admin_port}/")
                                for u in sources), sources)
            return seen["page"][0], sorted(tuple(r) for r in seen["page"][1])
        finally:
            browser.quit()

    def test_6_operators_see_how_far_each_serial_has_propagated(self):
        self.both_answer("eu")
        self.eu.set_mode("503")
        try:
            self.both_answer("us")
            serial = soa_serial(self.dnsd.port)
            # Seen from the transfers alone (each signed with its secondary's own key) ...
            zone = self.wait_propagated(serial, 2)
            for port, s in self.by_port(zone).items():
                self.assertEqual((s["current"], s["serving_serial"], s["seen_by"]),
                                 (True, serial, "transfer"), port)
            # ... and by asking each one's SOA.
            zone = self.wait_propagated(serial, 2, check=True)
            self.assertEqual({s["seen_by"] for s in zone["secondaries"]}, {"soa check"})
            for args in (("secondaries",), ("secondaries", "--check")):
                proc = self.dnsctl(*args)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
                self.assertIn(f"{ZONE}: serial {serial}, propagated to 2 of 2 secondaries",
                              proc.stdout)
            self.assert_metrics(serial, {self.knot.port: True, self.nsd.port: True})
            summary, rows = self.page_summary()
            self.assertEqual(summary, f"serial {serial}, propagated to 2 of 2 secondaries")
            self.assertEqual(rows, sorted((f"127.0.0.1:{p}", "true")
                                          for p in (self.knot.port, self.nsd.port)))

            # NSD stops: Knot's transfer of the next serial must not count for NSD too.
            self.nsd.stop()
            self.eu.set_mode("up")
            dnstest.wait_until(FOLLOW_S, lambda: cname_at(self.knot.port) == "eu",
                               "knot to fail back")
            after = soa_serial(self.dnsd.port)
            self.assertGreater(after, serial)
            for check in (False, True):
                zone = self.wait_propagated(after, 1, check=check)
                knot, nsd = self.by_port(zone)[self.knot.port], self.by_port(zone)[self.nsd.port]
                self.assertTrue(knot["current"], knot)
                self.assertEqual(knot["serving_serial"], after)
                self.assertFalse(nsd["current"], nsd)
                self.assertEqual(nsd["serving_serial"], serial)  # its last sighting
            self.assertIsNotNone(nsd["error"], nsd)  # the failed SOA check says why
            for args in (("secondaries",), ("secondaries", "--check")):
                proc = self.dnsctl(*args)
                self.assertEqual(proc.returncode, 5, proc.stdout + proc.stderr)
                self.assertIn(f"{ZONE}: serial {after}, propagated to 1 of 2 secondaries",
                              proc.stdout)
            self.assert_metrics(after, {self.knot.port: True, self.nsd.port: False})
        finally:
            self.eu.set_mode("up")
            if not self.nsd.alive():
                self.nsd.start()
        self.both_answer("eu")
        self.wait_propagated(soa_serial(self.dnsd.port), 2, check=True)


if __name__ == "__main__":
    dnstest.main()
