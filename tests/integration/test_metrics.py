#!/usr/bin/env python3
# Metrics an operator alerts on (issue 15): per-endpoint probe results, transitions and their
# times move when a real tenant (tools/tenant_sim) starts answering 503; the answer gauge flips
# with the failover dig sees; build info and process metrics match the running dnsd; the
# read-only metrics token reads /metrics and is refused everywhere else; promtool accepts the
# live page and the examples in examples/prometheus (config, rules, and the rules' unit tests).
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from admin_client import AdminClient, write_token  # noqa: E402
from admin_scenario import CI, TenantsAndAdmin  # noqa: E402
from tenants import ProbeSettings, who  # noqa: E402

SETTINGS = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 3.0
PASSWORD = "pw-metrics-test-8231"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "prometheus"
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"')


def samples(text: str, name: str, labels: dict) -> list:
    """Values of every sample `name` whose labels include `labels`."""
    found = []
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if not m or m.group(1) != name:
            continue
        got = dict(LABEL.findall(m.group(2) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            found.append(float(m.group(3)))
    return found


def metric(text: str, name: str, **labels) -> float:
    """The value of the one sample `name` with these labels (profile defaults to CI)."""
    if "endpoint" in labels or name.startswith("dnsd_profile_"):
        labels.setdefault("profile", CI)
    found = samples(text, name, labels)
    if len(found) != 1:
        raise AssertionError(f"{len(found)} samples of {name} {labels}")
    return found[0]


class Metrics(TenantsAndAdmin):

    @classmethod
    def setUpClass(cls):
        # An absolute path: the scenario copies only its own files next to the config.
        cls.metrics_dir = Path(tempfile.mkdtemp(prefix="metrics-token-"))
        cls.metrics_token = write_token(cls.metrics_dir / "metrics.token")
        try:
            cls.start_scenario(prefix="metrics-creds-", settings=SETTINGS, password=PASSWORD,
                               admin_extra=f'metrics_token_file = "{cls.metrics_dir}/metrics.token"\n')
        except BaseException:
            shutil.rmtree(cls.metrics_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.metrics_dir, ignore_errors=True)

    def setUp(self):
        self.eu.set_mode("up")
        self.us.set_mode("up")
        for name in ("eu", "us"):
            self.api.post(f"/api/v1/endpoints/{CI}/{name}/enable")
        self.wait_metrics(lambda t: metric(t, "dnsd_endpoint_state", endpoint="eu", state="Online") == 1 and
                          metric(t, "dnsd_endpoint_state", endpoint="us", state="Online") == 1,
                          "eu and us Online", SETTINGS.first_verdict_worst_s() + SETTINGS.recover_worst_s() + SLACK_S)

    def scrape(self, token=None) -> str:
        code, body, headers = AdminClient(self.admin_port, token or self.metrics_token).request("GET", "/metrics")
        self.assertEqual(code, 200, body)
        self.assertTrue(headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"))
        return body

    def wait_metrics(self, predicate, what: str, deadline_s: float) -> str:
        def ready():
            text = self.scrape()
            return text if predicate(text) else None
        return dnstest.wait_until(deadline_s, ready, what, poll_s=0.1)

    def answer(self) -> str:
        return who(dnstest.dig(self.dnsd.port, CI))

    # --- the read-only token

    def test_the_metrics_token_reads_metrics_and_is_refused_everywhere_else(self):
        page = self.scrape(self.metrics_token)
        self.assertIn("dnsd_endpoint_state", page)
        self.assertEqual(AdminClient(self.admin_port, self.token).request("GET", "/metrics")[0], 200)
        self.assertEqual(AdminClient(self.admin_port, None).request("GET", "/metrics")[0], 401)
        scraper = AdminClient(self.admin_port, self.metrics_token)
        for method, path in (("GET", "/api/v1/status"), ("POST", f"/api/v1/endpoints/{CI}/eu/disable"),
                             ("POST", "/api/v1/reload"), ("GET", "/api/v1/secondaries"),
                             ("GET", f"/api/v1/explain?profile={CI}&client=192.0.2.1"),
                             ("POST", "/metrics")):
            code, body, _ = scraper.request(method, path)
            self.assertEqual(code, 403, f"{method} {path}: {body}")
            self.assertNotIn(self.metrics_token, str(body))
        # The refused disable changed nothing.
        self.assertFalse(self.api.endpoint(CI, "eu")["admin_disabled"])
        self.assertEqual(self.answer(), "eu")
        for secret in (self.token, self.metrics_token, PASSWORD):
            self.assertNotIn(secret, page)
            self.assertNotIn(secret, self.dnsd.stderr_path.read_text())

    def test_labels_come_from_the_config_never_from_queries(self):
        for i in range(20):
            dnstest.dig(self.dnsd.port, f"client-name-{i}.{CI}", allow_none=True)
        page = self.scrape()
        self.assertNotIn("client-name-", page)
        endpoints = {dict(LABEL.findall(m.group(2) or "")).get("endpoint")
                     for m in map(SAMPLE.match, page.splitlines()) if m and m.group(2)}
        self.assertEqual(endpoints - {None}, {"eu", "us"})

    # --- build and process

    def test_build_info_and_process_metrics_match_the_running_dnsd(self):
        page = self.scrape()
        version = subprocess.run([dnstest.dnsd_binary(), "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.split()[-1]
        self.assertEqual(metric(page, "dnsd_build_info", version=version), 1)
        pid = self.dnsd.proc.pid
        now = time.time()
        start = metric(page, "process_start_time_seconds")
        self.assertLessEqual(start, now)
        self.assertGreater(start, now - 3600)
        self.assertGreaterEqual(metric(page, "process_cpu_seconds_total"), 0)
        rss_kb = int(re.search(r"(?m)^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))
        rss = metric(page, "process_resident_memory_bytes")
        self.assertGreater(rss, 1 << 20)
        self.assertLess(abs(rss - rss_kb * 1024), 64 << 20)  # a scrape apart
        soft = re.search(r"(?m)^Max open files\s+(\d+)", Path(f"/proc/{pid}/limits").read_text()).group(1)
        self.assertEqual(metric(page, "process_max_fds"), int(soft))
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        self.assertLess(abs(metric(page, "process_open_fds") - fds), 16)  # probes come and go
        self.assertGreater(metric(page, "process_open_fds"), 3)

    # --- per endpoint, and the answer

    def test_endpoint_series_move_and_the_answer_gauge_flips_on_failover(self):
        before = self.scrape()
        status_before = metric(before, "dnsd_endpoint_probe_results_total", endpoint="eu", outcome="status")
        us_status_before = metric(before, "dnsd_endpoint_probe_results_total", endpoint="us", outcome="status")
        moved_before = metric(before, "dnsd_endpoint_transitions_total", endpoint="eu", **{"from": "Online", "to": "Degraded"})
        self.assertEqual(metric(before, "dnsd_profile_answer", endpoint="eu"), 1)
        self.assertEqual(metric(before, "dnsd_profile_answer", endpoint="us"), 0)
        self.assertEqual(metric(before, "dnsd_profile_status", status="Online"), 1)
        self.assertEqual(self.answer(), "eu")

        failed_at = time.time()
        self.eu.set_mode("503")
        page = self.wait_metrics(lambda t: metric(t, "dnsd_profile_answer", endpoint="eu") == 0,
                                 "eu out of the answer", SETTINGS.degrade_worst_s() + SLACK_S)
        self.assertEqual(self.answer(), "us")
        self.assertEqual(metric(page, "dnsd_profile_answer", endpoint="us"), 1)
        self.assertEqual(metric(page, "dnsd_endpoint_state", endpoint="eu", state="Degraded"), 1)
        self.assertEqual(metric(page, "dnsd_profile_status", status="Degraded"), 1)
        self.assertEqual(metric(page, "dnsd_profile_all_degraded"), 0)
        self.assertGreaterEqual(metric(page, "dnsd_endpoint_probe_results_total", endpoint="eu", outcome="status")
                                - status_before, SETTINGS.tolerated + 1)
        self.assertEqual(metric(page, "dnsd_endpoint_probe_results_total", endpoint="us", outcome="status"),
                         us_status_before)
        self.assertEqual(metric(page, "dnsd_endpoint_transitions_total", endpoint="eu",
                                **{"from": "Online", "to": "Degraded"}) - moved_before, 1)
        transition = metric(page, "dnsd_endpoint_last_transition_timestamp_seconds", endpoint="eu")
        self.assertGreaterEqual(transition, failed_at - 0.5)
        self.assertLessEqual(transition, time.time() + 0.5)
        # The RTT is from the last success, which stops moving while the probes still run:
        # an alert tells a stale RTT by the two timestamps.
        success = metric(page, "dnsd_endpoint_probe_last_success_timestamp_seconds", endpoint="eu")
        self.assertLess(success, transition)
        self.wait_metrics(lambda t: metric(t, "dnsd_endpoint_last_probe_timestamp_seconds", endpoint="eu")
                          > transition, "a later eu probe", SETTINGS.interval_s * 3 + SLACK_S)
        self.assertEqual(metric(self.scrape(), "dnsd_endpoint_probe_last_success_timestamp_seconds",
                                endpoint="eu"), success)
        self.assertEqual(metric(page, "dnsd_endpoint_probe_interval_seconds", endpoint="eu"),
                         SETTINGS.interval_s)

        self.us.set_mode("503")
        page = self.wait_metrics(lambda t: metric(t, "dnsd_profile_all_degraded") == 1,
                                 "all degraded", SETTINGS.degrade_worst_s() + SLACK_S)
        self.assertEqual(metric(page, "dnsd_profile_answer", endpoint="eu"), 1)  # the fallback: first

        self.eu.set_mode("up")
        self.us.set_mode("up")
        page = self.wait_metrics(lambda t: metric(t, "dnsd_profile_answer", endpoint="eu") == 1 and
                                 metric(t, "dnsd_profile_all_degraded") == 0 and
                                 metric(t, "dnsd_endpoint_state", endpoint="eu", state="Online") == 1,
                                 "eu back in the answer", SETTINGS.recover_worst_s() + SLACK_S)
        self.assertGreaterEqual(metric(page, "dnsd_endpoint_transitions_total", endpoint="eu",
                                       **{"from": "Degraded", "to": "Online"}), 1)
        self.assertEqual(self.answer(), "eu")

    # --- promtool

    def test_promtool_accepts_the_live_page_and_the_examples(self):
        promtool = dnstest.require_tool("promtool")
        check = subprocess.run([promtool, "check", "metrics"], input=self.scrape(), capture_output=True,
                               text=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        # The config names its token file relatively: give it one, as an operator would.
        work = Path(tempfile.mkdtemp(prefix="metrics-prom-"))
        self.addCleanup(shutil.rmtree, work, True)
        for name in ("prometheus.yml", "dnsd.rules.yml", "dnsd.rules.test.yml"):
            shutil.copy(EXAMPLES / name, work / name)
        write_token(work / "dnsd-metrics.token")
        for argv in (["check", "config", "prometheus.yml"], ["check", "rules", "dnsd.rules.yml"],
                     ["test", "rules", "dnsd.rules.test.yml"]):
            run = subprocess.run([promtool, *argv], cwd=work, capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 0, f"promtool {' '.join(argv)}:\n{run.stdout}{run.stderr}")
        # Every dnsd_ metric the rules use is one dnsd serves (fleet metrics only with [fleet]).
        page = self.scrape()
        used = set(re.findall(r"\bdnsd_[a-z_]+", (EXAMPLES / "dnsd.rules.yml").read_text()))
        served = set(re.findall(r"(?m)^# TYPE (dnsd_[a-z_]+)", page)) | {"dnsd_fleet_connected"}
        self.assertEqual(used - served, set())


if __name__ == "__main__":
    dnstest.main()
