#!/usr/bin/env python3
# Admin API (issue 6): bearer token, status, disable/enable overrides that take effect on the
# next query and survive reloads, reload through the API, explain, and maintenance windows that
# end by themselves. Real dnsd, real tenants (tools/tenant_sim), real dig.
import calendar
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from admin_client import AdminClient  # noqa: E402
from admin_scenario import CI, USER, TenantsAndAdmin  # noqa: E402
from tenants import EU_NAME, US_NAME, ProbeSettings, who  # noqa: E402

SETTINGS = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 2.0
PASSWORD = "pw-admin-test-4567"
HISTORY = 5
GARBAGE_LINES = 2000
GARBAGE_ZONE = """
[[zone]]
name = "garbage.test."
file = "garbage.zone"
ns = ["ns1.garbage.test."]
soa = { mname = "ns1.garbage.test.", rname = "h.garbage.test.", serial = 1, refresh = 60, retry = 60, expire = 600, minimum = 60 }
"""


def utc(seconds_from_now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds_from_now))


class Admin(TenantsAndAdmin):

    @classmethod
    def setUpClass(cls):
        cls.start_scenario(prefix="admin-creds-", settings=SETTINGS, password=PASSWORD,
                           history=HISTORY)
        cls.good_config = cls.dnsd.config.read_text()

    def setUp(self):
        self.dnsd.config.write_text(self.good_config)
        self.eu.set_mode("up")
        for name in ("eu", "us"):
            self.api.post(f"/api/v1/endpoints/{CI}/{name}/enable")
        for name in ("eu", "us"):
            self.wait_state(name, "Online", SETTINGS.first_verdict_worst_s() + SLACK_S)

    def wait_state(self, endpoint, state, deadline_s):
        dnstest.wait_until(deadline_s, lambda: self.api.endpoint(CI, endpoint)["state"] == state,
                           f"{endpoint} to be {state} in the status")

    def answer(self):
        return who(dnstest.dig(self.dnsd.port, CI))

    # --- authentication

    def test_every_call_needs_the_token(self):
        for token in (None, "wrong-" + self.token, self.token[:-1], ""):
            client = AdminClient(self.admin_port, token)
            for method, path in (("GET", "/api/v1/status"), ("POST", "/api/v1/reload"),
                                 ("POST", f"/api/v1/endpoints/{CI}/eu/disable"),
                                 ("GET", f"/api/v1/explain?profile={CI}&client=192.0.2.1"),
                                 ("GET", "/metrics"), ("GET", "/nope")):
                code, body, headers = client.request(method, path)
                self.assertEqual(code, 401, f"{method} {path} with token {token!r}")
                self.assertEqual(headers.get("WWW-Authenticate"), "Bearer")
                self.assertNotIn(self.token, str(body))
        self.assertEqual(self.answer(), "eu", "a refused disable must change nothing")

    def test_the_status_page_itself_needs_no_token_and_holds_no_data(self):
        client = AdminClient(self.admin_port, None)
        for path in ("/", "/status.js", "/status.css"):
            code, body, _ = client.request("GET", path)
            self.assertEqual(code, 200, path)
            self.assertNotIn("eu.", body)
            self.assertNotIn(self.token, body)

    def test_a_cookie_is_never_accepted(self):
        client = AdminClient(self.admin_port, None)
        for method, path in (("GET", "/api/v1/status"), ("POST", f"/api/v1/endpoints/{CI}/eu/disable")):
            code, _, _ = client.request(method, path, {"Cookie": f"dnsd_token={self.token}"})
            self.assertEqual(code, 401, f"{method} {path}")
        self.assertEqual(self.answer(), "eu")

    def test_the_bearer_scheme_is_case_insensitive(self):
        client = AdminClient(self.admin_port, None)
        for value in (f"bearer {self.token}", f"BEARER {self.token}", f"Bearer   {self.token}",
                      f"bEaReR {self.token}"):
            code, body, _ = client.request("GET", "/api/v1/status", {"Authorization": value})
            self.assertEqual(code, 200, f"{value.split()[0]!r}: {body}")
        for value in (f"Basic {self.token}", f"Bearer{self.token}", f"Bearers {self.token}",
                      "Bearer ", self.token):
            code, _, _ = client.request("GET", "/api/v1/status", {"Authorization": value})
            self.assertEqual(code, 401, repr(value.replace(self.token, "TOKEN")))

    # --- status

    def test_status_shows_states_history_and_the_current_answer(self):
        self.eu.set_mode("503")
        self.wait_state("eu", "Degraded", SETTINGS.degrade_worst_s() + SLACK_S)
        dnstest.wait_until(SLACK_S * 2, lambda: len(self.api.endpoint(CI, "eu")["history"]) == HISTORY,
                           "a full history")
        status = self.api.status()
        profile = next(p for p in status["profiles"] if p["name"] == CI)
        self.assertEqual(profile["method"], "priority")
        self.assertEqual(profile["answer"]["endpoints"], ["us"])
        self.assertEqual(profile["answer"]["targets"], [US_NAME])
        eu = next(e for e in profile["endpoints"] if e["name"] == "eu")
        us = next(e for e in profile["endpoints"] if e["name"] == "us")
        self.assertEqual(eu["state"], "Degraded")
        self.assertEqual(eu["last_failure"]["reason"], "unexpected http status")
        self.assertIn("503", eu["last_failure"]["detail"])
        self.assertGreaterEqual(eu["consecutive_failures"], SETTINGS.tolerated + 1)
        self.assertFalse(eu["history"][-1]["ok"])
        self.assertEqual(eu["history"][-1]["http_status"], 503)
        self.assertRegex(eu["last_probe"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(us["state"], "Online")
        self.assertIsInstance(us["latency_ms"], int)
        self.assertEqual(us["consecutive_failures"], 0)
        self.assertEqual(self.answer(), "us")
        # No secret anywhere in the API or the log.
        text = str(status) + tenants.read_log(self.dnsd)
        for secret in (PASSWORD, tenants.basic_auth_value(USER, PASSWORD), self.token):
            self.assertNotIn(secret, text)

    # --- overrides

    def test_disable_takes_effect_on_the_next_query_and_survives_reloads(self):
        self.assertEqual(self.answer(), "eu")
        code, body = self.api.post(f"/api/v1/endpoints/{CI}/eu/disable")
        self.assertEqual(code, 200, body)
        self.assertEqual(self.answer(), "us")
        eu = self.api.endpoint(CI, "eu")
        self.assertEqual(eu["state"], "Disabled")
        self.assertEqual(eu["monitor_status"], "Online", "probing goes on underneath")
        self.assertEqual(eu["override"], {"from": None, "until": None})
        code, body = self.api.post("/api/v1/reload")
        self.assertEqual(code, 200, body)
        self.assertTrue(body["ok"])
        self.assertEqual(body["carried"], 2)
        self.assertEqual(self.answer(), "us")
        marker = "dnsd: reloaded "
        before = tenants.read_log(self.dnsd).count(marker)
        os.kill(self.dnsd.proc.pid, signal.SIGHUP)
        dnstest.wait_until(10, lambda: tenants.read_log(self.dnsd).count(marker) > before, "SIGHUP reload")
        self.assertEqual(self.api.endpoint(CI, "eu")["state"], "Disabled")
        self.assertEqual(self.answer(), "us")
        code, body = self.api.post(f"/api/v1/endpoints/{CI}/eu/enable")
        self.assertEqual(code, 200, body)
        self.assertEqual(self.answer(), "eu")
        self.assertEqual(self.api.endpoint(CI, "eu")["state"], "Online")

    def test_unknown_endpoints_and_bad_requests_are_refused(self):
        code, body = self.api.post(f"/api/v1/endpoints/{CI}/nope/disable")
        self.assertEqual(code, 404)
        self.assertIn("no endpoint nope", body["error"])
        code, body = self.api.post(f"/api/v1/endpoints/{CI}/eu/disable?until=tomorrow")
        self.assertEqual(code, 400)
        code, body = self.api.post(f"/api/v1/endpoints/{CI}/eu/disable?until={utc(-60)}")
        self.assertEqual(code, 400)
        self.assertIn("past", body["error"])
        self.assertEqual(self.api.get("/api/v1/reload")[0], 405)
        self.assertEqual(self.api.post("/")[0], 405)
        self.assertEqual(self.api.get("/api/v1/nothing")[0], 404)
        self.assertEqual(self.answer(), "eu")

    def test_a_far_future_until_is_kept_exactly_or_refused(self):
        # The wall clock counts nanoseconds in 64 bits: 2262-04-11T23:47:16Z is its last second.
        # Unix seconds that wrap, as nanoseconds, to about a day from now (year 2611): once
        # accepted and kept as tomorrow.
        wraps_to_tomorrow = str(2**64 // 10**9 + int(time.time()) + 86400)
        for far in ("9999-12-31T23:59:59Z", "2262-04-11T23:47:17Z", "99999999999",
                    "99999999999999999999999", wraps_to_tomorrow):
            code, body = self.api.post(f"/api/v1/endpoints/{CI}/eu/disable?until={far}")
            self.assertEqual(code, 400, f"until={far}: {body}")
            self.assertIn("until is out of range", body["error"])
            self.assertIn("2262-04-11T23:47:16Z", body["error"])
            self.assertEqual(self.answer(), "eu", f"until={far} changed nothing")
        code, body = self.api.post(f"/api/v1/endpoints/{CI}/eu/disable?from=-1&until=2200-01-01T00:00:00Z")
        self.assertEqual(code, 400, body)
        self.assertIn("from is out of range", body["error"])
        for kept in ("2200-01-01T00:00:00Z", "2262-04-11T23:47:16Z"):
            code, body = self.api.post(f"/api/v1/endpoints/{CI}/eu/disable?until={kept}")
            self.assertEqual(code, 200, body)
            self.assertEqual(self.api.endpoint(CI, "eu")["override"]["until"], kept)
            self.assertEqual(self.answer(), "us")
        self.api.post(f"/api/v1/endpoints/{CI}/eu/enable")

    def test_maintenance_window_ends_by_itself(self):
        code, body = self.api.post(f"/api/v1/endpoints/{CI}/eu/disable?until={utc(2)}")
        self.assertEqual(code, 200, body)
        self.assertEqual(self.answer(), "us")
        self.assertIsNotNone(self.api.endpoint(CI, "eu")["override"]["until"])
        t0 = time.monotonic()
        dnstest.wait_until(5, lambda: self.answer() == "eu", "the window to end")
        self.assertLessEqual(time.monotonic() - t0, 4.0)
        self.assertIsNone(self.api.endpoint(CI, "eu")["override"])
        self.assertIn("admin: maintenance window ended", tenants.read_log(self.dnsd))

    def test_a_window_in_the_future_starts_by_itself(self):
        start = time.time() + 2
        start_text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start))
        start_s = calendar.timegm(time.strptime(start_text, "%Y-%m-%dT%H:%M:%SZ"))
        code, body = self.api.post(
            f"/api/v1/endpoints/{CI}/eu/disable?from={start_text}&until={utc(30)}")
        self.assertEqual(code, 200, body)
        if time.time() < start_s - 0.2:
            self.assertEqual(self.answer(), "eu", "disabled before the window started")
        dnstest.wait_until(5, lambda: self.answer() == "us", "the window to start")
        self.assertEqual(self.api.endpoint(CI, "eu")["state"], "Disabled")

    # --- reload

    def test_reload_with_errors_is_reported_and_changes_nothing(self):
        self.dnsd.config.write_text(self.good_config + "\n[bogus]\nkey = 1\n")
        code, body = self.api.post("/api/v1/reload")
        self.assertEqual(code, 422, body)
        self.assertFalse(body["ok"])
        self.assertEqual(len(body["errors"]), 1)
        self.assertRegex(body["errors"][0], r"dnsd\.toml:\d+: bogus: unknown key \"bogus\"")
        self.assertFalse(self.api.status()["last_reload"]["ok"])
        self.assertEqual(self.answer(), "eu")

    def test_a_reload_with_a_huge_garbage_file_answers_a_bounded_error_list(self):
        garbage = self.dnsd.dir / "garbage.zone"
        # Long lines, and lines whose record type is not even UTF-8 (quoted as it is).
        garbage.write_bytes(b"".join(
            b"g%d " % i + (b"Z" * 500 if i % 2 == 0 else b"\xff" * 20 + b"\xc3\xa9" * 100) +
            b" IN BOGUS yyy\n" for i in range(GARBAGE_LINES)))
        self.dnsd.config.write_text(self.good_config + GARBAGE_ZONE)
        try:
            code, body, _ = self.api.request("POST", "/api/v1/reload")
            size = len(json.dumps(body))
            print(f"\nreload with {GARBAGE_LINES} bad lines: HTTP {code}, {size} bytes of JSON",
                  file=sys.stderr)
            self.assertEqual(code, 422)
            errors = body["errors"]
            self.assertEqual(len(errors), 51)
            self.assertTrue(all(len(e) <= 201 for e in errors), [len(e) for e in errors])
            self.assertRegex(errors[0], r"garbage\.zone:1: .*unknown record type")
            # conf/ reports the first 50 and how many more (the API bounds what it sends too).
            self.assertRegex(errors[-1], rf"dnsd\.toml: and {GARBAGE_LINES - 50} more errors "
                                         r"\(only the first 50 are reported\)$")
            self.assertLess(size, 20_000)
            status = self.api.status()
            self.assertEqual(len(status["last_reload"]["errors"]), 51)
            self.assertEqual(self.answer(), "eu")
        finally:
            garbage.unlink()

    # --- metrics

    def test_metrics_count_queries_reloads_and_endpoint_states(self):
        def scrape():
            code, body, headers = AdminClient(self.admin_port, self.token).request("GET", "/metrics")
            self.assertEqual(code, 200)
            self.assertTrue(headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"))
            return body if isinstance(body, str) else body.decode()
        def value(page, pattern):
            m = re.search(r"(?m)^" + pattern + r" (\S+)$", page)
            return float(m.group(1)) if m else 0.0
        before = scrape()
        queries = r'dnsd_queries_total\{transport="udp",rcode="NOERROR",qtype="A"\}'
        for _ in range(5):
            self.answer()
        code, _ = self.api.post("/api/v1/reload")
        self.assertEqual(code, 200)
        after = scrape()
        self.assertGreaterEqual(value(after, queries) - value(before, queries), 5)
        self.assertEqual(value(after, "dnsd_config_generation") - value(before, "dnsd_config_generation"), 1)
        self.assertEqual(value(after, "dnsd_config_last_reload_success"), 1)
        self.assertEqual(value(after, r'dnsd_endpoint_state\{profile="%s",endpoint="eu",state="Online"\}'
                               % re.escape(CI)), 1)
        self.assertNotIn(self.token, after)
        self.assertEqual(AdminClient(self.admin_port, None).request("GET", "/metrics")[0], 401)

    # --- explain

    def test_explain_names_the_method_and_every_endpoint_looked_at(self):
        self.eu.set_mode("503")
        self.wait_state("eu", "Degraded", SETTINGS.degrade_worst_s() + SLACK_S)
        code, body = self.api.get(f"/api/v1/explain?profile={CI}&client=192.0.2.10")
        self.assertEqual(code, 200, body)
        steps = "\n".join(body["steps"])
        self.assertIn("uses the priority method", steps)
        self.assertRegex(steps, r"priority 1: eu \(.*\): Degraded, skipped")
        self.assertRegex(steps, r"priority 2: us \(.*\): Online, available")
        self.assertIn("chosen: us", steps)
        self.assertEqual(body["answer"]["endpoints"], ["us"])
        code, body = self.api.get(f"/api/v1/explain?profile={CI}&client=192.0.2.10&ecs=198.51.100.0/24")
        self.assertEqual(code, 200, body)
        self.assertEqual(body["ecs"], "198.51.100.0/24")
        self.assertEqual(body["answer"]["endpoints"], ["us"])
        for bad in ("client=not-an-ip", "client=192.0.2.10&ecs=198.51.100.0/33",
                    "client=192.0.2.10&ecs=198.51.100.0"):
            code, body = self.api.get(f"/api/v1/explain?profile={CI}&{bad}")
            self.assertEqual(code, 400, bad)
        code, body = self.api.get("/api/v1/explain?profile=nope.test.&client=192.0.2.1")
        self.assertEqual(code, 404)


    # --- dnsctl

    def dnsctl(self, *args, token_file=None, server=None, env_token=None):
        path = os.environ.get("DNSCTL_BIN") or str(dnstest.REPO_ROOT / "build" / "tools" / "dnsctl")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNSCTL_")}
        env["DNSCTL_SERVER"] = server or f"127.0.0.1:{self.admin_port}"
        if env_token is not None:
            env["DNSCTL_TOKEN"] = env_token
        else:
            env["DNSCTL_TOKEN_FILE"] = str(token_file or self.creds / "admin.token")
        proc = subprocess.run([path, *args], capture_output=True, text=True, timeout=30, env=env)
        self.assertNotIn(self.token, proc.stdout + proc.stderr, "dnsctl printed the token")
        self.assertNotIn(PASSWORD, proc.stdout + proc.stderr)
        return proc

    def test_dnsctl_status_is_a_table_of_endpoints(self):
        proc = self.dnsctl("status")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertRegex(lines[0], r"^PROFILE\s+ENDPOINT\s+TARGET\s+PRIORITY\s+STATUS\s+MONITOR STATUS")
        self.assertRegex(proc.stdout, rf"{CI}\s+eu\s+{EU_NAME}\s+1\s+Enabled\s+Online\s+\S+\s+\d+ms\s+0")
        self.assertRegex(proc.stdout, rf"{CI}\s+us\s+{US_NAME}\s+2\s+Enabled\s+Online")
        self.assertIn(f"{CI} (priority) answers: eu", proc.stdout)

    def test_dnsctl_disable_with_until_enable_explain_and_reload(self):
        proc = self.dnsctl("disable", CI, "eu", "--until", "30m")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), f"disabled eu in {CI}")
        self.assertEqual(self.answer(), "us")
        status = self.dnsctl("status").stdout
        self.assertRegex(status, rf"{CI}\s+eu\s+\S+\s+1\s+Disabled until \d{{4}}-")
        until = self.api.endpoint(CI, "eu")["override"]["until"]
        left = calendar.timegm(time.strptime(until, "%Y-%m-%dT%H:%M:%SZ")) - time.time()
        self.assertTrue(29 * 60 < left <= 30 * 60 + 1, f"until {until} is {left:.0f}s away")
        proc = self.dnsctl("explain", CI, "192.0.2.1", env_token=self.token)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("eu (", proc.stdout)
        self.assertIn("disabled by an operator, skipped", proc.stdout)
        self.assertIn("chosen: us", proc.stdout)
        proc = self.dnsctl("reload")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), "reloaded: 2 endpoints, 2 kept their health")
        self.assertEqual(self.answer(), "us")
        proc = self.dnsctl("enable", CI, "eu")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.answer(), "eu")

    def test_dnsctl_errors_are_clear(self):
        wrong = self.creds / "wrong.token"
        wrong.write_text("not-the-token-0123456789\n")
        proc = self.dnsctl("status", token_file=wrong)
        self.assertEqual(proc.returncode, 4)
        self.assertIn("refused the admin token", proc.stderr)
        down = dnstest.free_port(ipv6=False)
        proc = self.dnsctl("status", server=f"127.0.0.1:{down}")
        self.assertEqual(proc.returncode, 3)
        self.assertIn(f"cannot reach dnsd's admin API at 127.0.0.1:{down}", proc.stderr)
        proc = self.dnsctl("disable", CI, "nope")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("no endpoint nope", proc.stderr)
        proc = self.dnsctl("status", token_file=self.creds / "missing.token")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("cannot read the token file", proc.stderr)
        self.dnsd.config.write_text(self.good_config + "\n[bogus]\nkey = 1\n")
        proc = self.dnsctl("reload")
        self.assertEqual(proc.returncode, 1)
        self.assertRegex(proc.stderr, r"dnsd\.toml:\d+: bogus: unknown key")
        self.assertIn("reload rejected", proc.stderr)


if __name__ == "__main__":
    dnstest.main()
