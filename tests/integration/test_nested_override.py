#!/usr/bin/env python3
# Issue 10, one health writer: switching off by hand every endpoint of a nested child profile
# (admin API) degrades the parent's nested endpoint at once, so the parent fails over to its
# next endpoint instead of answering NODATA from an empty child; enabling fails back. The same
# for an override on the nested endpoint itself and for a maintenance window ending by itself.
# Real dnsd, real tenants (tools/tenant_sim) probed over HTTP, real dig; every wait has a deadline.
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from admin_client import AdminClient, admin_toml, write_token  # noqa: E402
from tenants import EU_IP, US_IP, US_NAME, ProbeSettings  # noqa: E402

FAST = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 2.0
ZONE = tenants.PROFILE_ZONE
CHILD = f"child.{ZONE}"
PARENT = f"parent.{ZONE}"
DEGRADED_LINE = (f'probe: profile={PARENT} endpoint=child Online -> Degraded '
                 f'reason="too few child endpoints Online"')
ONLINE_LINE = f"probe: profile={PARENT} endpoint=child Degraded -> Online"


def utc(seconds_from_now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds_from_now))


def endpoint(name, extra):
    return f'\n[[profile.endpoint]]\nname = "{name}"\n{extra}'


def profile(name, monitor, endpoints):
    return (f'\n[[profile]]\nname = "{name}"\nmethod = "priority"\nttl = 1\n' + monitor +
            "".join(endpoints))


class NestedOverride(dnstest.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.creds = Path(tempfile.mkdtemp(prefix="nested-override-"))
        cls.token = write_token(cls.creds / "admin.token")
        cls.eu, cls.us = tenants.start_tenant_pair(None, None, "", "")
        cls.own(cls.eu)
        cls.own(cls.us)
        m = FAST.monitor_toml(protocol="http", port=cls.eu.port)
        cls.admin_port = dnstest.free_port(ipv6=False)
        # The child answers EU's address first, US's second; the parent's second endpoint is a
        # plain FQDN (a CNAME to US's public name), probed like any other.
        body = (tenants.zone_toml(ZONE) + tenants.tenant_zone_toml() +
                profile(CHILD, m, [endpoint("eu", f'target = "{EU_IP}"\npriority = 1\n'),
                                   endpoint("us", f'target = "{US_IP}"\npriority = 2\n')]) +
                profile(PARENT, m, [endpoint("child", f'profile = "{CHILD}"\npriority = 1\n'),
                                    endpoint("fallback", f'target = "{US_NAME}"\npriority = 2\n')]) +
                admin_toml(cls.admin_port, "admin.token"))
        cls.dnsd = cls.own(tenants.ScenarioDnsd(body, [cls.creds / "admin.token"]).start())
        cls.api = AdminClient(cls.admin_port, cls.token)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.creds, ignore_errors=True)

    def setUp(self):
        for p, e in ((CHILD, "eu"), (CHILD, "us"), (PARENT, "child"), (PARENT, "fallback")):
            self.post(f"/api/v1/endpoints/{p}/{e}/enable")
        bound = FAST.first_verdict_worst_s() + SLACK_S
        for p, e in ((CHILD, "eu"), (CHILD, "us"), (PARENT, "child"), (PARENT, "fallback")):
            self.wait_state(p, e, "Online", bound)
        dnstest.wait_until(bound, lambda: self.answer() == "child", "the parent to pick its child")

    # --- helpers

    def post(self, path):
        code, body = self.api.post(path)
        self.assertEqual(code, 200, f"POST {path}: {body}")

    def wait_state(self, profile_name, endpoint_name, state, deadline_s):
        dnstest.wait_until(
            deadline_s, lambda: self.api.endpoint(profile_name, endpoint_name)["state"] == state,
            f"{profile_name} {endpoint_name} to be {state} in the status")

    def answer(self):
        """'child' (the child's pick, EU's address), 'fallback' (the CNAME to US), or the rest."""
        resp = dnstest.dig(self.dnsd.port, PARENT)
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertIn("aa", resp.flags, str(resp))
        if not resp.answer:
            return "NODATA"
        first = resp.answer[0]
        if first.type == "A" and first.rdata == EU_IP:
            return "child"
        if first.type == "CNAME" and first.rdata.lower() == US_NAME:
            return "fallback"
        return str(resp)

    def log(self):
        return tenants.read_log(self.dnsd)

    # --- the cases

    def test_disabling_both_child_endpoints_fails_the_parent_over_and_enabling_fails_back(self):
        degraded_before = self.log().count(DEGRADED_LINE)
        self.post(f"/api/v1/endpoints/{CHILD}/eu/disable")
        # US is still there: the child answers it, and stays available to the parent.
        resp = dnstest.dig(self.dnsd.port, PARENT)
        self.assertEqual([r.rdata for r in resp.answer], [US_IP], str(resp))
        self.assertEqual(self.api.endpoint(PARENT, "child")["state"], "Online")
        self.post(f"/api/v1/endpoints/{CHILD}/us/disable")
        # The writer derives the nested endpoint on the override itself: the very next query.
        self.assertEqual(self.answer(), "fallback")
        self.assertEqual(self.api.endpoint(PARENT, "child")["state"], "Degraded")
        self.assertEqual(self.log().count(DEGRADED_LINE), degraded_before + 1, self.log())
        # Probing goes on underneath: the child's endpoints are Online, only switched off.
        for name in ("eu", "us"):
            self.assertEqual(self.api.endpoint(CHILD, name)["state"], "Disabled")
        online_before = self.log().count(ONLINE_LINE)
        self.post(f"/api/v1/endpoints/{CHILD}/us/enable")
        resp = dnstest.dig(self.dnsd.port, PARENT)
        self.assertEqual([r.rdata for r in resp.answer], [US_IP], str(resp))
        self.post(f"/api/v1/endpoints/{CHILD}/eu/enable")
        self.assertEqual(self.answer(), "child")
        self.assertEqual(self.api.endpoint(PARENT, "child")["state"], "Online")
        dnstest.wait_until(SLACK_S, lambda: self.log().count(ONLINE_LINE) > online_before,
                           "the nested endpoint's Online line")

    def test_an_override_on_the_nested_endpoint_itself_fails_the_parent_over(self):
        self.post(f"/api/v1/endpoints/{PARENT}/child/disable")
        self.assertEqual(self.answer(), "fallback")
        self.assertEqual(self.api.endpoint(PARENT, "child")["state"], "Disabled")
        self.post(f"/api/v1/endpoints/{PARENT}/child/enable")
        self.assertEqual(self.answer(), "child")

    def test_a_maintenance_window_on_the_child_endpoints_ends_by_itself_and_fails_back(self):
        until = utc(3)
        for name in ("eu", "us"):
            self.post(f"/api/v1/endpoints/{CHILD}/{name}/disable?until={until}")
        self.assertEqual(self.answer(), "fallback")
        # The timer ends both windows (it wakes at least once a second) through the same writer.
        dnstest.wait_until(3 + SLACK_S + 1, lambda: self.answer() == "child", "the window to end")
        self.assertEqual(self.api.endpoint(PARENT, "child")["state"], "Online")


if __name__ == "__main__":
    dnstest.main()
