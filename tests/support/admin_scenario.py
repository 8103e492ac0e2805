# Integration-test support: the scenario the admin API, state file and status page tests share.
# Two HTTPS tenants (tools/tenant_sim) behind Basic auth with one certificate, and a dnsd probing
# them for profile ci.tm.test. (eu first, us second), its admin API on a free port behind a fresh
# bearer token. Standard library only; it starts servers but asserts nothing.
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from admin_client import AdminClient, admin_toml, write_token  # noqa: E402
from tenants import EU_NAME, US_NAME, EndpointSpec, ProbeSettings  # noqa: E402

CI = f"ci.{tenants.PROFILE_ZONE}"
USER = "ci-probe"


class TenantsAndAdmin(dnstest.ServerTestCase):
    """Base class: setUpClass calls start_scenario(); tearDownClass removes the credentials."""

    @classmethod
    def start_scenario(cls, *, prefix: str, settings: ProbeSettings, password: str,
                       history: int = 5, state_file: str = "", admin_extra: str = "") -> None:
        """Sets cls.creds (a temporary directory holding certificate, auth file and token),
        cls.token, cls.eu, cls.us, cls.admin_port, cls.dnsd (started) and cls.api. Each test
        passes its own password, so a leaked secret names the test it came from."""
        cls.creds = Path(tempfile.mkdtemp(prefix=prefix))
        cert, key = tenants.make_tenant_cert(cls.creds)
        auth = tenants.write_auth_file(cls.creds / "tenant.auth", USER, password)
        cls.token = write_token(cls.creds / "admin.token")
        cls.eu, cls.us = tenants.start_tenant_pair(cert, key, USER, password)
        cls.own(cls.eu)
        cls.own(cls.us)
        monitor = settings.monitor_toml(protocol="https", port=cls.eu.port, ca_file=cert.name,
                                        auth_file=auth.name)
        cls.admin_port = dnstest.free_port(ipv6=False)
        body = (tenants.zone_toml(tenants.PROFILE_ZONE) + tenants.tenant_zone_toml() +
                tenants.profile_toml(CI, monitor, [EndpointSpec("eu", EU_NAME, 1),
                                                   EndpointSpec("us", US_NAME, 2)]) +
                admin_toml(cls.admin_port, "admin.token", history=history, state_file=state_file,
                           extra=admin_extra))
        cls.dnsd = cls.own(tenants.ScenarioDnsd(body, [cert, auth, cls.creds / "admin.token"]).start())
        cls.api = AdminClient(cls.admin_port, cls.token)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.creds, ignore_errors=True)
