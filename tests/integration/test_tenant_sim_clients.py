#!/usr/bin/env python3
# tools/tenant_sim's per-client modes (issue 14): a mode set for chosen client source addresses
# applies to connections from those addresses only; every other client keeps the default mode.
# Real tenant_sim process, real HTTP clients bound to 127.0.0.21/.22/.23 as their source.
import http.client
import re
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402

TENANT_IP = "127.0.0.2"
A, B, C = "127.0.0.21", "127.0.0.22", "127.0.0.23"
TIMEOUT_S = 5.0
HANG_TIMEOUT_S = 0.5  # a hanging tenant never answers: the client's own timeout ends the wait


def ping(tenant: tenants.Tenant, source: str, timeout_s: float = TIMEOUT_S) -> object:
    """The status of GET /http/ping sent from `source`, or the exception's class name."""
    conn = http.client.HTTPConnection(tenant.ip, tenant.port, timeout=timeout_s,
                                      source_address=(source, 0))
    try:
        conn.request("GET", "/http/ping")
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except (OSError, http.client.HTTPException) as e:
        return type(e).__name__
    finally:
        conn.close()


class TenantSimClientModes(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tenant = cls.own(tenants.Tenant("eu", TENANT_IP).start())

    def setUp(self):
        self.tenant.set_mode("up")
        self.tenant.set_client_mode("default", [A, B, C])

    def test_a_mode_for_two_clients_leaves_the_third_on_the_default(self):
        self.tenant.set_client_mode("503", [A, B])
        self.assertEqual(ping(self.tenant, A), 503)
        self.assertEqual(ping(self.tenant, B), 503)
        self.assertEqual(ping(self.tenant, C), 200)
        self.assertEqual(self.tenant.mode(), "up")
        self.assertEqual(self.tenant.client_modes(), {A: "503", B: "503"})

        self.tenant.set_client_mode("up", [A])  # back to up for one of them
        self.assertEqual(ping(self.tenant, A), 200)
        self.assertEqual(ping(self.tenant, B), 503)

    def test_a_client_own_mode_outlasts_a_change_of_the_default_until_forgotten(self):
        self.tenant.set_client_mode("up", [A])
        self.tenant.set_mode("503")
        self.assertEqual(ping(self.tenant, A), 200)
        self.assertEqual(ping(self.tenant, C), 503)
        self.tenant.set_client_mode("default", [A])
        self.assertEqual(ping(self.tenant, A), 503)
        self.assertEqual(self.tenant.client_modes(), {})

    def test_refuse_for_one_client_resets_its_connections_only(self):
        self.tenant.set_client_mode("refuse", [B])
        self.assertIn(ping(self.tenant, B), ("ConnectionResetError", "RemoteDisconnected"))
        self.assertEqual(ping(self.tenant, A), 200)

    def test_hang_and_slow_for_one_client(self):
        self.tenant.set_client_mode("hang", [C])
        self.assertEqual(ping(self.tenant, C, HANG_TIMEOUT_S), "TimeoutError")
        self.assertEqual(ping(self.tenant, A), 200)
        self.tenant.set_client_mode("slow", [C], ms=50)
        self.assertEqual(ping(self.tenant, C), 200)
        self.assertEqual(self.tenant.client_modes(), {C: "slow"})

    def test_pings_are_counted_per_source_address(self):
        before = self.tenant.client_pings()
        for _ in range(3):
            self.assertEqual(ping(self.tenant, A), 200)
        self.assertEqual(ping(self.tenant, B), 200)
        after = self.tenant.client_pings()
        self.assertEqual(after.get(A, 0) - before.get(A, 0), 3)
        self.assertEqual(after.get(B, 0) - before.get(B, 0), 1)

    def test_bad_requests_are_refused_and_change_nothing(self):
        self.tenant.set_client_mode("503", [A])
        for path, fragment in [
                ("/mode?mode=503&clients=127.0.0.21,nonsense", 'not an IP address: "nonsense"'),
                ("/mode?mode=503&clients=", 'not an IP address: ""'),
                ("/mode?mode=sideways&clients=127.0.0.22", "unknown mode"),
                ("/mode?mode=slow&clients=127.0.0.22", "slow needs ms=N"),
                ("/mode?clients=127.0.0.22", "mode=<mode> is required")]:
            status, body = self.tenant._control("POST", path)
            self.assertEqual(status, 400, path)
            self.assertIn(fragment, body, path)
        self.assertEqual(self.tenant.client_modes(), {A: "503"})
        self.assertEqual(self.tenant.mode(), "up")

    def test_help_documents_the_per_client_modes(self):
        out = subprocess.run([tenants.tenant_sim_binary(), "--help"], capture_output=True,
                             text=True, timeout=TIMEOUT_S)
        self.assertEqual(out.returncode, 0)
        self.assertIn("POST /mode?mode=MODE&clients=A,B", out.stdout)
        self.assertIn("mode=default&clients=A,B", out.stdout)

    def test_help_documents_every_mode_the_control_api_accepts_and_every_option(self):
        out = subprocess.run([tenants.tenant_sim_binary(), "--help"], capture_output=True,
                             text=True, timeout=TIMEOUT_S)
        self.assertEqual(out.returncode, 0)
        self.assertEqual(out.stderr, "")
        # The modes, as the simulator itself lists them when refusing an unknown one.
        status, body = self.tenant._control("POST", "/mode/sideways")
        self.assertEqual(status, 400)
        listed = re.search(r"expected one of (.+)\)", body)
        self.assertIsNotNone(listed, body)
        modes = listed.group(1).split(", ")
        self.assertIn("huge-header", modes)
        documented = re.findall(r"^  (\S+) +\S", out.stdout.split("Modes:\n", 1)[1], re.M)
        self.assertEqual(sorted(documented), sorted(modes))
        for mode in modes:  # each one listed is accepted, for one client (the default stays up)
            self.tenant.set_client_mode(mode, [C], ms=1)
            self.assertEqual(self.tenant.client_modes(), {C: mode})
            self.tenant.set_client_mode("default", [C])
        self.assertEqual(self.tenant.mode(), "up")
        # Every option the usage line names has its own line under Options.
        usage = out.stdout.split("Serves GET", 1)[0]
        options = out.stdout.split("Options:\n", 1)[1].split("Control API", 1)[0]
        for option in set(re.findall(r"--[a-z-]+", usage)):
            self.assertRegex(options, rf"(?m)^  (--\S+ \S+ )?{option}\b", option)


if __name__ == "__main__":
    dnstest.main()
