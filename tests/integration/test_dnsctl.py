#!/usr/bin/env python3
# dnsctl (issue 15) against a real dnsd probing real tenants (tools/tenant_sim): status of one
# profile and of one endpoint in detail, "no such profile", --json on every command, --version,
# enable without an override, a maintenance window to come, and `watch` following the event
# stream (GET /api/v1/events). The tests named *_with_history need the status fields and the
# event stream of the "history" work (/work/helpers/contract15.md); they fail until it merges.
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from admin_scenario import CI, TenantsAndAdmin  # noqa: E402
from tenants import ProbeSettings, who  # noqa: E402

SETTINGS = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 2.0
PASSWORD = "pw-dnsctl-test-9413"
TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
WATCH_DEADLINE_S = 30


def dnsctl_binary() -> str:
    path = os.environ.get("DNSCTL_BIN") or str(dnstest.REPO_ROOT / "build" / "tools" / "dnsctl")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"dnsctl not found: {path} (set DNSCTL_BIN)")
    return path


class LineReader:
    """A running dnsctl whose stdout lines are collected by a thread, so that a test can wait
    for a line with a deadline instead of blocking on a read."""

    def __init__(self, argv: list, env: dict):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.seen: list = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, predicate, what: str) -> str:
        def found():
            while not self.lines.empty():
                self.seen.append(self.lines.get())
            return next((line for line in self.seen if predicate(line)), None)
        dnstest.wait_until(WATCH_DEADLINE_S, lambda: found() or self.proc.poll() is not None, what)
        if not found():
            raise AssertionError(f"dnsctl watch exited {self.proc.returncode} before {what}: "
                                 f"{self.proc.stderr.read()}")
        return found()

    def stop(self) -> tuple:
        """SIGINT, as an operator's Ctrl-C; (exit code, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=WATCH_DEADLINE_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("dnsctl watch did not end on SIGINT")
        return code, self.proc.stderr.read()


class DnsctlTest(TenantsAndAdmin):

    @classmethod
    def setUpClass(cls):
        cls.start_scenario(prefix="dnsctl-creds-", settings=SETTINGS, password=PASSWORD)

    def setUp(self):
        self.eu.set_mode("up")
        for name in ("eu", "us"):
            self.api.post(f"/api/v1/endpoints/{CI}/{name}/enable")
        for name in ("eu", "us"):
            self.wait_state(name, "Online", SETTINGS.first_verdict_worst_s() + SLACK_S)

    def wait_state(self, endpoint, state, deadline_s):
        dnstest.wait_until(deadline_s, lambda: self.api.endpoint(CI, endpoint)["state"] == state,
                           f"{endpoint} to be {state} in the status")

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNSCTL_")}
        env["DNSCTL_SERVER"] = f"127.0.0.1:{self.admin_port}"
        env["DNSCTL_TOKEN_FILE"] = str(self.creds / "admin.token")
        return env

    def dnsctl(self, *args) -> subprocess.CompletedProcess:
        proc = subprocess.run([dnsctl_binary(), *args], capture_output=True, text=True,
                              timeout=30, env=self.env())
        self.assertNotIn(self.token, proc.stdout + proc.stderr, "dnsctl printed the token")
        self.assertNotIn(PASSWORD, proc.stdout + proc.stderr)
        return proc

    def ok(self, *args) -> str:
        proc = self.dnsctl(*args)
        self.assertEqual(proc.returncode, 0, f"dnsctl {' '.join(args)}: {proc.stderr}")
        return proc.stdout

    def degrade_eu(self):
        self.eu.set_mode("503")
        self.wait_state("eu", "Degraded", SETTINGS.degrade_worst_s() + SLACK_S)

    # --- status PROFILE [ENDPOINT]

    def test_status_profile_shows_that_profile_however_it_is_spelled(self):
        for spelling in (CI, CI.rstrip(".").upper()):
            out = self.ok("status", spelling)
            self.assertRegex(out.splitlines()[0], r"^PROFILE\s+ENDPOINT\s+TARGET")
            rows = out.split("\n\n")[0].splitlines()[1:]  # the table ends at the blank line
            self.assertEqual([line.split()[1] for line in rows], ["eu", "us"], out)
            self.assertIn(f"{CI} (priority) answers: eu", out)

    def test_status_profile_endpoint_gives_the_reason_then_the_failure_as_history(self):
        self.degrade_eu()
        out = self.ok("status", CI, "eu")
        self.assertTrue(out.startswith(f"{CI} eu: target "), out)
        self.assertRegex(out, r"monitor status:\s+Degraded")
        self.assertRegex(out, rf"last failure:\s+{TIME}: .*503")
        self.assertRegex(out, r"in the answer:\s+no")
        self.assertRegex(out, r"recent probes:\s+[+x]*x ")
        self.eu.set_mode("up")
        self.wait_state("eu", "Online", SETTINGS.recover_worst_s() + SLACK_S)
        out = self.ok("status", CI, "eu")
        self.assertRegex(out, r"monitor status:\s+Online")
        self.assertNotIn("reason:", out, "a past failure is not the current reason")
        self.assertRegex(out, rf"last failure:\s+{TIME}: .*503")
        self.assertRegex(out, r"consecutive failures:\s+0")

    def test_status_detail_has_since_monitor_and_transitions_with_history(self):
        self.degrade_eu()
        out = self.ok("status", CI, "eu")
        self.assertRegex(out, rf"monitor status:\s+Degraded since {TIME}")
        self.assertRegex(out, r"reason:\s+.*503")
        self.assertRegex(out, r"monitor:\s+https port \d+ path /\S*, every ")
        self.assertRegex(out, rf"transitions \(oldest first\):\n(    {TIME}  \S+ -> \S+ .*\n)*"
                              rf"    {TIME}  Online -> Degraded  .*503")
        table = self.ok("status")
        self.assertRegex(table, rf"{CI}\s+eu\s+\S+\s+1\s+Enabled\s+Degraded\s+{TIME}\s")
        self.assertRegex(table, rf"{CI} \(priority\) answers: us; monitor status \w+")

    def test_unknown_names_exit_1_and_say_so(self):
        proc = self.dnsctl("status", "nope.tm.test.")
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, "")
        self.assertIn("no such profile: nope.tm.test.", proc.stderr)
        proc = self.dnsctl("status", CI, "ap")
        self.assertEqual(proc.returncode, 1)
        self.assertIn(f"no such endpoint: ap in {CI} (it has eu, us)", proc.stderr)
        proc = self.dnsctl("enable", "nope.tm.test.", "eu")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("no such profile: nope.tm.test.", proc.stderr)

    # --- enable, windows

    def test_enable_without_an_override_says_there_is_nothing_to_enable(self):
        out = self.ok("enable", CI, "eu")
        self.assertEqual(out, "eu has no override; nothing to enable\n")
        self.ok("disable", CI, "eu")
        self.assertEqual(self.ok("enable", CI, "eu"), f"enabled eu in {CI}\n")
        self.assertEqual(who(dnstest.dig(self.dnsd.port, CI)), "eu")

    def test_a_window_to_come_reads_disabled_from_until_and_a_current_one_disabled_until(self):
        self.ok("disable", CI, "eu", "--from", "1h", "--until", "2h")
        out = self.ok("status")
        self.assertRegex(out, rf"{CI}\s+eu\s+\S+\s+1\s+Enabled, disabled from {TIME} until {TIME}")
        self.assertEqual(who(dnstest.dig(self.dnsd.port, CI)), "eu")
        self.ok("disable", CI, "eu", "--until", "2h")
        self.assertRegex(self.ok("status"), rf"{CI}\s+eu\s+\S+\s+1\s+Disabled until {TIME}  ")
        self.assertRegex(self.ok("status", CI, "eu"), rf"status:\s+Disabled until {TIME}\n")
        self.assertEqual(self.ok("enable", CI, "eu"), f"enabled eu in {CI}\n")

    # --- --json, --version

    def test_json_parses_for_every_command(self):
        for args in (["status"], ["status", CI], ["status", CI, "eu"], ["enable", CI, "eu"],
                     ["disable", CI, "eu", "--until", "1h"], ["enable", CI, "eu"],
                     ["explain", CI, "192.0.2.1"], ["reload"], ["secondaries"], ["--version"]):
            proc = self.dnsctl("--json", *args)
            self.assertIn(proc.returncode, (0, 5), f"{args}: {proc.stderr}")  # 5: secondaries
            self.assertIsInstance(json.loads(proc.stdout), dict, args)
        self.assertEqual(json.loads(self.ok("--json", "status", CI))["name"], CI)
        self.assertEqual(json.loads(self.ok("--json", "status", CI, "eu"))["name"], "eu")
        nothing = json.loads(self.ok("--json", "enable", CI, "eu"))
        self.assertEqual(nothing["changed"], False)

    def test_version_names_the_project_version_and_commit(self):
        cmake = (dnstest.REPO_ROOT / "CMakeLists.txt").read_text()
        version = re.search(r"project\(dnsd VERSION (\S+)", cmake).group(1)
        out = subprocess.run([dnsctl_binary(), "--version"], capture_output=True, text=True,
                             timeout=30, env={"PATH": os.environ["PATH"]}).stdout
        self.assertRegex(out, rf"^dnsctl {re.escape(version)}( \(commit [0-9a-f]+(\+dirty)?\))?\n$")
        self.assertEqual(json.loads(self.ok("--json", "--version"))["version"], version)

    # --- watch

    def test_watch_prints_the_transition_after_a_tenant_goes_503_with_history(self):
        watcher = LineReader([dnsctl_binary(), "--json", "watch"], self.env())
        try:
            self.degrade_eu()
            line = watcher.wait_for(
                lambda line: '"Degraded"' in line and '"eu"' in line, "the Degraded transition")
        finally:
            code, stderr = watcher.stop()
        self.assertEqual(code, 0, f"watch did not exit cleanly on SIGINT: {stderr}")
        for seen in watcher.seen:
            json.loads(seen)  # one JSON object per line
        event = json.loads(line)
        self.assertEqual((event["type"], event["profile"], event["to"]),
                         ("transition", CI, "Degraded"))
        # --count 1 from just before it: exactly that transition, as a human line with its time.
        out = self.ok("watch", "--count", "1", "--since", str(event["seq"] - 1))
        self.assertRegex(out, rf"^{TIME} transition {re.escape(CI)}/eu: Online -> Degraded "
                              r"\(.*503.*\)\n$")


if __name__ == "__main__":
    dnstest.main()
