#!/usr/bin/env python3
# State file (issue 6): endpoint states, probe histories and manual overrides survive a restart,
# so traffic does not flap back to a Degraded tenant while the first probes run.
import json
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from admin_scenario import CI, USER, TenantsAndAdmin  # noqa: E402
from tenants import ProbeSettings, who  # noqa: E402

# A 1 s interval: without the state file, eu would be CheckingEndpoint (and served) for at least
# 0.9 s after the restart, far longer than the first query below takes.
SETTINGS = ProbeSettings(interval_s=1.0, timeout_s=0.5, tolerated=1)
SLACK_S = 2.0
PASSWORD = "pw-state-test-2345"


class StateFile(TenantsAndAdmin):

    @classmethod
    def setUpClass(cls):
        cls.start_scenario(prefix="state-creds-", settings=SETTINGS, password=PASSWORD,
                           state_file="dnsd.state")

    def state(self, endpoint):
        return self.api.endpoint(CI, endpoint)

    def test_states_and_overrides_survive_a_restart(self):
        dnstest.wait_until(SETTINGS.first_verdict_worst_s() + SLACK_S,
                           lambda: self.state("us")["state"] == "Online", "us Online")
        self.eu.set_mode("503")
        dnstest.wait_until(SETTINGS.first_verdict_worst_s() + SETTINGS.degrade_worst_s() + SLACK_S,
                           lambda: self.state("eu")["state"] == "Degraded", "eu Degraded")
        until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        code, body = self.api.post(f"/api/v1/endpoints/{CI}/eu/disable?until={until}")
        self.assertEqual(code, 200, body)
        history_before = self.state("eu")["history"]
        self.assertEqual(self.dnsd.stop(), 0)

        saved = (self.dnsd.dir / "dnsd.state").read_text()
        for secret in (PASSWORD, tenants.basic_auth_value(USER, PASSWORD), self.token):
            self.assertNotIn(secret, saved)
        self.assertEqual(json.loads(saved)["version"], 1)

        self.dnsd.start()
        # The first answer after the restart already avoids eu: it was restored Degraded and
        # disabled, not CheckingEndpoint.
        self.assertEqual(who(dnstest.dig(self.dnsd.port, CI)), "us")
        self.assertIn("dnsd: state restored from", self.dnsd.stderr_text())
        self.assertRegex(self.dnsd.stderr_text(), r"state restored from \S+: 2 endpoints, 1 overrides")
        eu = self.state("eu")
        self.assertEqual(eu["state"], "Disabled")
        self.assertEqual(eu["monitor_status"], "Degraded")
        self.assertEqual(eu["override"]["until"], until)
        self.assertEqual(eu["history"][:len(history_before)], history_before)
        # Enabled again, it stays out of the answer: its restored state is Degraded.
        self.assertEqual(self.api.post(f"/api/v1/endpoints/{CI}/eu/enable")[0], 200)
        self.assertEqual(who(dnstest.dig(self.dnsd.port, CI)), "us")
        self.eu.set_mode("up")
        dnstest.wait_until(SETTINGS.recover_worst_s() + SLACK_S,
                           lambda: who(dnstest.dig(self.dnsd.port, CI)) == "eu", "eu back")


if __name__ == "__main__":
    dnstest.main()
