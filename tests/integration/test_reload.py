#!/usr/bin/env python3
# Reload (issue 6): SIGHUP re-reads the config. Endpoints that did not change keep their health
# (a Degraded tenant stays Degraded, so traffic does not flap back to it), new endpoints start in
# CheckingEndpoint, a config with errors is rejected whole with its errors logged, and queries
# under load during many reloads all get an answer from the old or the new table.
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from tenants import EU_NAME, US_NAME, EndpointSpec, ProbeSettings, who  # noqa: E402

SETTINGS = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 2.0
CI = f"ci.{tenants.PROFILE_ZONE}"
ALT = f"alt.{tenants.PROFILE_ZONE}"
USER, PASSWORD = "ci-probe", "pw-reload-test-0123"


def alt_profile(target: str) -> str:
    """A profile whose one endpoint has no monitor to pass: it only tells the configs apart."""
    return tenants.profile_toml(ALT, "", [EndpointSpec("only", target, 1)])


class Reload(dnstest.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.creds = Path(tempfile.mkdtemp(prefix="reload-creds-"))
        cert, key = tenants.make_tenant_cert(cls.creds)
        auth = tenants.write_auth_file(cls.creds / "tenant.auth", USER, PASSWORD)
        cls.eu, cls.us = tenants.start_tenant_pair(cert, key, USER, PASSWORD)
        cls.own(cls.eu)
        cls.own(cls.us)
        monitor = SETTINGS.monitor_toml(protocol="https", port=cls.eu.port, ca_file=cert.name,
                                        auth_file=auth.name)
        cls.ci_profile = tenants.profile_toml(
            CI, monitor, [EndpointSpec("eu", EU_NAME, 1), EndpointSpec("us", US_NAME, 2)])
        body = (tenants.zone_toml(tenants.PROFILE_ZONE) + tenants.tenant_zone_toml() +
                cls.ci_profile)
        cls.dnsd = cls.own(tenants.ScenarioDnsd(body, [cert, auth]).start())
        cls.base = cls.dnsd.config.read_text()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.creds, ignore_errors=True)

    # --- helpers

    def log(self):
        return tenants.read_log(self.dnsd)

    def count(self, text):
        return self.log().count(text)

    def state_of(self, endpoint):
        return tenants.state_in_log(self.log(), CI, endpoint)

    def wait_state(self, endpoint, state, deadline_s):
        dnstest.wait_until(deadline_s, lambda: self.state_of(endpoint) == state,
                           f"{endpoint} to be {state}")

    def write_config(self, extra: str):
        tmp = self.dnsd.config.with_suffix(".new")
        tmp.write_text(self.base + extra)
        os.replace(tmp, self.dnsd.config)  # atomically: a reload never reads half a file

    def sighup_and_wait(self, marker="dnsd: reloaded "):
        before = self.count(marker)
        os.kill(self.dnsd.proc.pid, signal.SIGHUP)
        dnstest.wait_until(10, lambda: self.count(marker) > before, f"'{marker}' in the log")

    def ask(self, qname):
        return dnstest.dig(self.dnsd.port, qname)

    def setUp(self):
        self.eu.set_mode("up")
        self.us.set_mode("up")
        self.write_config("")
        self.sighup_and_wait()
        self.wait_state("eu", "Online", SETTINGS.first_verdict_worst_s() + SLACK_S)
        self.wait_state("us", "Online", SETTINGS.first_verdict_worst_s() + SLACK_S)

    # --- tests

    def test_degraded_endpoint_stays_degraded_across_reload(self):
        self.eu.set_mode("503")
        self.wait_state("eu", "Degraded", SETTINGS.degrade_worst_s() + SLACK_S)
        self.assertEqual(who(self.ask(CI)), "us")
        mark = len(tenants.transitions(self.log(), CI))
        self.write_config(alt_profile("a.example.net."))
        self.sighup_and_wait()
        # Had eu restarted in CheckingEndpoint it would be served again at once.
        self.assertEqual(who(self.ask(CI)), "us", "traffic flapped back to a Degraded endpoint")
        self.assertEqual([r.rdata for r in self.ask(ALT).answer], ["a.example.net."])
        self.assertRegex(self.log(), r"dnsd: reloaded .*: 2 profiles, 3 endpoints, 2 kept their health")
        # Probing went on with the carried hysteresis: no transition back through CheckingEndpoint.
        after = tenants.transitions(self.log(), CI)[mark:]
        self.assertFalse([t for t in after if "CheckingEndpoint" in (t.old, t.new)],
                         "\n".join(t.line for t in after))
        self.eu.set_mode("up")
        self.wait_state("eu", "Online", SETTINGS.recover_worst_s() + SLACK_S)
        dnstest.wait_until(SLACK_S, lambda: who(self.ask(CI)) == "eu", "ci to answer eu")

    def test_changed_endpoint_starts_in_checking_endpoint(self):
        self.eu.set_mode("503")
        self.wait_state("eu", "Degraded", SETTINGS.degrade_worst_s() + SLACK_S)
        # Same names, but eu now probes another path: a new identity, so no health is carried.
        changed = self.ci_profile.replace('path = "/http/ping"', 'path = "/http/ping?v=2"')
        mark = len(tenants.transitions(self.log(), CI, "eu"))
        self.dnsd.config.write_text(self.base.replace(self.ci_profile, changed))
        self.sighup_and_wait()
        self.assertRegex(self.log(), r"dnsd: reloaded .*: 1 profiles, 2 endpoints, 0 kept their health")
        # CheckingEndpoint is served until the tolerated failures are spent, then Degraded again.
        lines = dnstest.wait_until(
            SETTINGS.first_verdict_worst_s() + SLACK_S,
            lambda: tenants.transitions(self.log(), CI, "eu")[mark:], "a new eu transition")
        self.assertEqual((lines[0].old, lines[0].new), ("CheckingEndpoint", "Degraded"))

    def test_config_with_errors_is_rejected_whole_and_the_old_one_stays(self):
        self.write_config(alt_profile("a.example.net."))
        self.sighup_and_wait()
        bad = alt_profile("b.example.net.").replace("ttl = 1", "ttl = -5") + "\n[bogus]\nx = 1\n"
        self.write_config(bad)
        self.sighup_and_wait("dnsd: reload rejected: ")
        log = self.log()
        self.assertIn("dnsd: reload rejected: 2 errors", log)
        self.assertIn("the running config stays", log)
        self.assertRegex(log, r"dnsd: reload: \S*dnsd\.toml:\d+: profile\[1\]\.ttl: ")
        self.assertRegex(log, r"dnsd: reload: \S*dnsd\.toml:\d+: bogus: unknown key")
        self.assertEqual([r.rdata for r in self.ask(ALT).answer], ["a.example.net."])
        self.assertEqual(who(self.ask(CI)), "eu")
        self.assertTrue(self.dnsd.alive())

    def test_queries_under_load_never_fail_during_many_reloads(self):
        answers = {"a.example.net.", "b.example.net."}
        self.write_config(alt_profile("a.example.net."))
        self.sighup_and_wait()
        stop = threading.Event()
        problems, counts = [], [0]
        qname = ALT

        def loop(exchange):
            query = dnstest.build_query(qname, "A")
            while not stop.is_set():
                raw = exchange(self.dnsd.port, query, timeout_s=2.0)
                counts[0] += 1
                if raw is None:
                    problems.append("no answer")
                    continue
                msg = dnstest.parse_message(raw)
                got = {r.rdata for r in msg.answer}
                if msg.rcode != "NOERROR" or len(got) != 1 or not got <= answers:
                    problems.append(f"{msg.rcode} {got}")

        # Two UDP loops and one TCP loop: both servers read the table through the same slot.
        workers = [threading.Thread(target=loop, args=(exchange,))
                   for exchange in (dnstest.udp_exchange, dnstest.udp_exchange, dnstest.tcp_exchange)]
        perf = self.start_dnsperf(qname)
        for w in workers:
            w.start()
        reloads = 30
        try:
            for i in range(reloads):
                self.write_config(alt_profile("b.example.net." if i % 2 == 0 else "a.example.net."))
                self.sighup_and_wait()
        finally:
            stop.set()
            for w in workers:
                w.join()
        perf_out = perf.communicate(timeout=60)[0]
        self.assertEqual(problems, [], f"{len(problems)} bad answers of {counts[0]}")
        self.assertGreater(counts[0], reloads)
        self.assertEqual(perf.returncode, 0, perf_out)
        self.assertRegex(perf_out, r"Queries lost:\s+0 \(0\.00%\)", perf_out)
        self.assertRegex(perf_out, r"NOERROR \d+ \(100\.00%\)", perf_out)
        print(f"  [{reloads} reloads, {counts[0]} checked queries, dnsperf: "
              f"{self.completed(perf_out)}]", file=sys.stderr, end=" ", flush=True)

    def start_dnsperf(self, qname):
        data = self.dnsd.dir / "queries.txt"
        data.write_text(f"{qname} A\n")
        # Rate-bounded so a shared CI machine is not overloaded into dropping packets for reasons
        # of its own; long enough to span every reload.
        return subprocess.Popen(
            [dnstest.require_tool("dnsperf"), "-s", "127.0.0.1", "-p", str(self.dnsd.port),
             "-d", str(data), "-l", "8", "-Q", "2000", "-c", "4", "-t", "5"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    @staticmethod
    def completed(text):
        for line in text.splitlines():
            if "Queries completed" in line:
                return line.strip()
        return "?"


if __name__ == "__main__":
    dnstest.main()
