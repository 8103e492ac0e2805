#!/usr/bin/env python3
# Secrets stay secret, and probes say what really went wrong (issue 12). A real dnsd, started as
# root and dropping to nobody, probes two real tenants (tools/tenant_sim) over plain http: EU
# checks Basic auth (so the Authorization header must really be sent), US answers 10 MB of
# response header. Checked: no core dumps and not dumpable (/proc/PID/limits, and the owner of
# /proc/PID/status, which the kernel gives to root for an undumpable process), core_dumps = true
# undoes it, one warning line per endpoint sending Authorization over plain http (and a config
# error when that is not allowed), "http: response header too large" as the probe's reason, and
# that no secret is in the log, the --check-config output, /api/v1/status or /metrics; the probe
# secret and the admin token are each in memory a fixed number of times, however many requests.
import base64
import os
import re
import secrets
import subprocess
import sys
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from admin_client import AdminClient, admin_toml, write_token  # noqa: E402
from tenants import EU_IP, US_IP, EndpointSpec, ProbeSettings  # noqa: E402

SETTINGS = ProbeSettings(interval_s=0.5, timeout_s=0.4, tolerated=0)
SLACK_S = 5.0
PLAIN = "plain.tm.test."  # EU: Basic auth over plain http
BIG = "big.tm.test."      # US: a 10 MB response header
USER = "probe-user"
PROBES = 10  # before the wiping, 8 probes left 4 copies of the Authorization value
REQUESTS = 200  # admin API requests, each carrying the token
IS_ROOT = os.geteuid() == 0


def proc_limits_core(pid: int) -> tuple:
    """(soft, hard) of "Max core file size" in /proc/PID/limits, as text."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            fields = line[len("Max core file size"):].split()
            return fields[0], fields[1]
    raise AssertionError(f"no core limit in /proc/{pid}/limits")


def proc_uid(pid: int) -> int:
    """The real uid the process runs as (Uid: line of /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid in /proc/{pid}/status")


class SecretsScenario(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.password = "pw-" + secrets.token_hex(12)
        cls.authorization = tenants.basic_auth_value(USER, cls.password)
        cls.eu = cls.own(tenants.Tenant("eu", EU_IP, user=USER, password=cls.password).start())
        cls.us = cls.own(tenants.Tenant("us", US_IP, mode="huge-header").start())
        cls.admin_port = dnstest.free_port(ipv6=False)
        cls.dnsd = cls.own(cls.make_dnsd())
        cls.token = write_token(cls.dnsd.dir / "admin.token")
        tenants.write_auth_file(cls.dnsd.dir / "eu.auth", USER, cls.password)
        cls.dnsd.start()
        cls.api = AdminClient(cls.admin_port, cls.token)

    @classmethod
    def make_dnsd(cls, server_extra: str = "", admin_port: int = 0) -> dnstest.Dnsd:
        user = 'user = "nobody"\n' if IS_ROOT else ""
        body = (tenants.zone_toml("tm.test.")
                + admin_toml(admin_port or cls.admin_port, "admin.token")
                + tenants.profile_toml(PLAIN, SETTINGS.monitor_toml(
                    protocol="http", port=cls.eu.port, auth_file="eu.auth"),
                    [EndpointSpec("eu", EU_IP, 1)])
                + tenants.profile_toml(BIG, SETTINGS.monitor_toml(protocol="http",
                                                                  port=cls.us.port),
                                       [EndpointSpec("us", US_IP, 1)]))
        dnsd = tenants.ScenarioDnsd(body, extra_server=user + server_extra)
        # debug: every verdict is logged too, so the log says as much as dnsd ever says.
        dnsd.config.write_text(dnsd.config.read_text().replace('log_level = "info"',
                                                                'log_level = "debug"', 1))
        return dnsd

    def secret_forms(self) -> dict:
        """Every form a leak could take: header value, its base64, the password, the token."""
        return {
            "Authorization value": self.authorization,
            "base64 credentials": self.authorization.split(" ", 1)[1],
            "user:password": f"{USER}:{self.password}",
            "password": self.password,
            "admin token": self.token,
        }

    def assertNoSecret(self, text: str, where: str):
        self.assertTrue(text, f"{where} is empty: nothing was checked")
        for what, secret in self.secret_forms().items():
            # Not assertNotIn: its message would quote the text, secret and all.
            self.assertFalse(secret in text, f"the {what} appears in {where}")

    def wait_state(self, profile: str, endpoint: str, state: str) -> dict:
        found = {}

        def reached():
            found.update(self.api.endpoint(profile, endpoint))
            return found.get("state") == state
        dnstest.wait_until(SETTINGS.first_verdict_worst_s() + SLACK_S, reached,
                           f"{profile} {endpoint} to be {state}")
        return found

    # --- core dumps

    @unittest.skipUnless(IS_ROOT, "dropping to nobody needs root")
    def test_no_core_dumps_and_not_dumpable(self):
        pid = self.dnsd.proc.pid
        self.assertEqual(proc_limits_core(pid), ("0", "0"))
        status = Path(f"/proc/{pid}/status")
        self.assertEqual(proc_uid(pid), tenants_uid("nobody"))  # it did drop to nobody ...
        self.assertEqual(status.stat().st_uid, 0)  # ... yet its /proc files are root's: undumpable

    @unittest.skipUnless(IS_ROOT, "dropping to nobody needs root")
    def test_core_dumps_true_allows_them(self):
        dnsd = self.make_dnsd("core_dumps = true\n", admin_port=dnstest.free_port(ipv6=False))
        self.addCleanup(dnsd.cleanup)
        self.addCleanup(dnsd.stop)
        write_token(dnsd.dir / "admin.token")
        tenants.write_auth_file(dnsd.dir / "eu.auth", USER, self.password)
        dnsd.start()
        pid = dnsd.proc.pid
        soft, hard = proc_limits_core(pid)
        self.assertEqual(soft, hard)
        self.assertEqual(proc_uid(pid), tenants_uid("nobody"))
        self.assertEqual(Path(f"/proc/{pid}/status").stat().st_uid, tenants_uid("nobody"))
        self.assertIn("dnsd: core dumps allowed", tenants.read_log(dnsd))

    @unittest.skipUnless(IS_ROOT, "reading another user's /proc/PID/mem needs root")
    def test_the_probe_secret_is_in_memory_twice_however_many_probes_ran(self):
        if dnstest.sanitized_build():
            # Its readable mappings include terabytes of shadow memory, and its allocator keeps
            # freed blocks in quarantine: the count is the production build's property.
            self.skipTest("an AddressSanitizer build's memory is not a production build's")
        # What a core dump would hold: its Secret and the header list curl sends, nothing freed.
        dnstest.wait_until(SETTINGS.interval_s * 1.1 * PROBES + SLACK_S,
                           lambda: self.eu.pings() >= PROBES, f"{PROBES} probes of eu")
        # A probe caught mid-request holds one more, live copy for microseconds: looked at again.
        seen = []
        needle = self.authorization.encode()
        try:
            dnstest.wait_until(3.0, lambda: seen.append(copies_in_memory(self.dnsd.proc.pid,
                                                                         needle)) or seen[-1] == 2,
                               "two copies")
        except TimeoutError:
            self.fail(f"the Authorization value is in dnsd's memory {seen[-1]} times, not 2")

    @unittest.skipUnless(IS_ROOT, "reading another user's /proc/PID/mem needs root")
    def test_the_admin_token_is_in_memory_once_however_many_requests_ran(self):
        if dnstest.sanitized_build():
            self.skipTest("an AddressSanitizer build's memory is not a production build's")
        # Each request carries the token; its header field and the read buffer are wiped once
        # it is handled (before, copies piled up in freed memory: 12 after these 220 requests).
        # A token sent as a cookie (refused) is wiped too.
        for _ in range(REQUESTS):
            self.assertEqual(self.api.get("/api/v1/status")[0], 200)
        for _ in range(REQUESTS // 10):
            code, _, _ = AdminClient(self.admin_port, None).request(
                "GET", "/api/v1/status", {"Cookie": f"dnsd_token={self.token}"})
            self.assertEqual(code, 401)
        seen = []
        try:
            dnstest.wait_until(3.0, lambda: seen.append(copies_in_memory(
                self.dnsd.proc.pid, self.token.encode())) or seen[-1] == 1, "one copy")
        except TimeoutError:
            self.fail(f"the admin token is in dnsd's memory {seen[-1]} times after "
                      f"{REQUESTS + REQUESTS // 10} requests, not once")

    def test_the_systemd_unit_allows_no_core_file(self):
        # systemd-analyze verify of the unit: test_service.UnitFileTest.
        unit = (dnstest.REPO_ROOT / "conf" / "dnsd.service").read_text()
        self.assertIn("\nLimitCORE=0\n", unit)

    # --- credentials over plain http

    def test_one_warning_per_endpoint_sending_authorization_over_http(self):
        self.wait_state(PLAIN, "eu", "Online")  # the header was sent: the tenant checks it
        log = tenants.read_log(self.dnsd)
        warnings = [dnstest.log_message(line) for line in log.splitlines()
                    if "over plain http" in line]
        self.assertEqual(warnings, [f"probe: profile={PLAIN} endpoint=eu sends Authorization "
                                    f"over plain http"])

    def test_plain_http_credentials_refused_when_not_allowed(self):
        config = self.dnsd.config.read_text().replace(
            "[server]\n", "[server]\nallow_plain_http_credentials = false\n", 1)
        strict = self.dnsd.dir / "strict.toml"
        strict.write_text(config)
        proc = subprocess.run([dnstest.dnsd_binary(), "--check-config", str(strict)],
                              capture_output=True, text=True, timeout=30)
        output = proc.stdout + proc.stderr
        self.assertEqual(proc.returncode, 1, output)
        self.assertRegex(output, r"strict\.toml:\d+: profile\[0\]\.monitor\.protocol: sends "
                                 r"Authorization over plain http")
        self.assertEqual(len(re.findall("over plain http", output)), 1, output)
        self.assertNoSecret(output, "--check-config output (refused)")

    # --- what probes say

    def test_a_huge_response_header_is_named_as_such(self):
        endpoint = self.wait_state(BIG, "us", "Degraded")
        self.assertEqual(endpoint["last_failure"]["detail"], "http: response header too large")
        transitions = tenants.transitions(tenants.read_log(self.dnsd), BIG, "us")
        self.assertTrue(transitions, "no state change logged for us")
        self.assertEqual(transitions[-1].reason, "http: response header too large")

    # --- no secret anywhere

    def test_no_secret_in_log_check_config_status_or_metrics(self):
        self.wait_state(PLAIN, "eu", "Online")
        self.wait_state(BIG, "us", "Degraded")
        # The search itself works: the secrets are where the test put them.
        self.assertIn(self.authorization, (self.dnsd.dir / "eu.auth").read_text())
        self.assertIn(self.token, (self.dnsd.dir / "admin.token").read_text())
        check = self.dnsd.check_config()
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertNoSecret(check.stdout + check.stderr, "--check-config output")
        code, status, _ = self.api.request("GET", "/api/v1/status")
        self.assertEqual(code, 200)
        self.assertNoSecret(repr(status), "/api/v1/status")
        code, metrics = self.api.get("/metrics")
        self.assertEqual(code, 200)
        self.assertNoSecret(str(metrics), "/metrics")
        self.assertNoSecret(tenants.read_log(self.dnsd), "the dnsd log")


def copies_in_memory(pid: int, needle: bytes) -> int:
    """How often needle is in the readable mappings of pid (what a core dump would hold)."""
    count = 0
    with open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
            span, perms = line.split()[:2]
            if "r" not in perms or line.endswith("[vsyscall]"):
                continue
            low, high = (int(x, 16) for x in span.split("-"))
            try:
                mem.seek(low)
                count += mem.read(high - low).count(needle)
            except OSError:  # a mapping that cannot be read (guard pages, device memory)
                continue
    return count


def tenants_uid(name: str) -> int:
    import pwd
    return pwd.getpwnam(name).pw_uid


if __name__ == "__main__":
    dnstest.main()
