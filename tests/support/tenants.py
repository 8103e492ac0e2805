# Failover-test support: simulated tenants (tools/tenant_sim) as stoppable processes with their
# control API, the tenants' TLS certificate and Basic-auth file, a dnsd config builder for the
# Traffic Manager scenario, the bounds the probe settings imply, and the state-change log parser.
# Used by tests/integration/test_failover.py and bench/failover.py. Standard library only.
from __future__ import annotations

import base64
import dataclasses
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dnstest  # noqa: E402

EU_IP, US_IP = "127.0.0.2", "127.0.0.3"
PROFILE_ZONE = "tm.test."
TENANT_ZONE = "tenant.test."
EU_NAME, US_NAME = f"eu.{TENANT_ZONE}", f"us.{TENANT_ZONE}"


def tenant_sim_binary() -> str:
    """tenant_sim under test: $TENANT_SIM_BIN (set by CTest), else the default build tree."""
    path = os.environ.get("TENANT_SIM_BIN") or str(dnstest.REPO_ROOT / "build" / "tools" /
                                                     "tenant_sim")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"tenant_sim not found or not executable: {path} (set TENANT_SIM_BIN)")
    return os.path.abspath(path)  # tenants run in their own directories


# ------------------------------------------------------------------------------------------
# Credentials: one self-signed certificate for both tenants, and the Authorization header file


def make_tenant_cert(directory: Path) -> tuple:
    """(cert, key) paths; the certificate is its own CA file. SANs cover both tenant names and
    both addresses, so FQDN and IP endpoints verify alike."""
    cert, key = directory / "tenant-cert.pem", directory / "tenant-key.pem"
    proc = subprocess.run(
        [dnstest.require_tool("openssl"), "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", f"/CN={EU_NAME.rstrip('.')}",
         "-addext", f"subjectAltName=DNS:{EU_NAME.rstrip('.')},DNS:{US_NAME.rstrip('.')},"
                    f"IP:{EU_IP},IP:{US_IP}",
         "-keyout", str(key), "-out", str(cert)],
        capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise AssertionError(f"openssl req failed: {proc.stderr}")
    return cert, key


def basic_auth_value(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def write_auth_file(path: Path, user: str, password: str) -> Path:
    """The header value as dnsd reads it with value_file (no trailing newline, mode 600)."""
    path.write_text(basic_auth_value(user, password))
    path.chmod(0o600)
    return path


# ------------------------------------------------------------------------------------------
# Tenants

_READY = re.compile(r"tenant_sim: listening on (\S+):(\d+) \((https?)\) control on (\S+):(\d+)")


class Tenant(dnstest.Server):
    """One tenant_sim process. port=0 lets it pick; the real ports are read from its ready line."""

    def __init__(self, region: str, ip: str, *, port: int = 0, cert: Optional[Path] = None,
                 key: Optional[Path] = None, user: str = "", password: str = "",
                 mode: str = "up"):
        self.name = f"tenant_sim-{region}"
        super().__init__()
        self.binary = tenant_sim_binary()
        self.region, self.ip = region, ip
        self.port = port
        self.control_port = 0
        self.cert, self.key, self.user, self.password, self.initial_mode = (
            cert, key, user, password, mode)

    def argv(self) -> list:
        argv = [self.binary, "--listen", f"{self.ip}:{self.port}", "--control", f"{self.ip}:0",
                "--region", self.region, "--mode", self.initial_mode]
        if self.cert:
            argv += ["--tls-cert", str(self.cert), "--tls-key", str(self.key)]
        if self.user:
            argv += ["--user", self.user, "--password", self.password]
        return argv

    def ready(self) -> bool:
        try:
            m = _READY.search(self.stderr_path.read_text(errors="replace"))
        except OSError:
            return False
        if not m:
            return False
        self.port, self.control_port = int(m.group(2)), int(m.group(5))
        return True

    def _control(self, method: str, path: str) -> tuple:
        conn = http.client.HTTPConnection(self.ip, self.control_port, timeout=5)
        try:
            conn.request(method, path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode(errors="replace")
        finally:
            conn.close()

    def set_mode(self, mode: str, ms: Optional[int] = None) -> None:
        status, body = self._control("POST", f"/mode/{mode}" + (f"?ms={ms}" if ms is not None
                                                                 else ""))
        if status != 200:
            raise AssertionError(f"{self.name}: POST /mode/{mode} -> {status} {body}")

    def set_client_mode(self, mode: str, clients: list, ms: Optional[int] = None) -> None:
        """`mode` only for connections from the addresses in `clients`; "default" forgets it."""
        path = f"/mode?mode={mode}&clients={','.join(clients)}" + (
            f"&ms={ms}" if ms is not None else "")
        status, body = self._control("POST", path)
        if status != 200:
            raise AssertionError(f"{self.name}: POST {path} -> {status} {body}")

    def mode(self) -> str:
        return json.loads(self._control("GET", "/mode")[1])["mode"]

    def client_modes(self) -> dict:
        return json.loads(self._control("GET", "/mode")[1])["clients"]

    def client_pings(self) -> dict:
        """Pings counted per client source address: {"127.0.0.21": 3, ...}."""
        return self.stats()["clients"]

    def stats(self) -> dict:
        return json.loads(self._control("GET", "/stats")[1])

    def pings(self) -> int:
        return int(self.stats()["pings"])


def https_ping_status(tenant: Tenant, ca_file: Path, authorization: str) -> int:
    """GET /http/ping as a probe would send it (verified TLS, by address); the HTTP status.
    The tenant counts it as a ping."""
    context = ssl.create_default_context(cafile=str(ca_file))
    conn = http.client.HTTPSConnection(tenant.ip, tenant.port, timeout=5, context=context)
    try:
        conn.request("GET", "/http/ping", headers={"Authorization": authorization})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def _port_free_on(ip: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((ip, port))
            return True
        except OSError:
            return False


def start_tenant_pair(cert: Path, key: Path, user: str, password: str,
                      attempts: int = 20) -> tuple:
    """EU on 127.0.0.2 and US on 127.0.0.3 on the same port (the profile monitor has one port).
    EU picks a free port; if US cannot have it too, both are retried (bounded)."""
    last_error = ""
    for _ in range(attempts):
        eu = Tenant("eu", EU_IP, cert=cert, key=key, user=user, password=password).start()
        if not _port_free_on(US_IP, eu.port):
            eu.stop()
            eu.cleanup()
            continue
        us = Tenant("us", US_IP, port=eu.port, cert=cert, key=key, user=user, password=password)
        try:
            return eu, us.start()
        except AssertionError as e:  # lost a race for the port: try another one
            last_error = str(e)
            us.cleanup()
            eu.stop()
            eu.cleanup()
    raise AssertionError(f"could not start two tenants on a shared port: {last_error}")


# ------------------------------------------------------------------------------------------
# Probe settings and the bounds they imply


@dataclasses.dataclass(frozen=True)
class ProbeSettings:
    interval_s: float = 1.0
    timeout_s: float = 0.5
    tolerated: int = 1
    successes: int = 1
    expected_status: str = "200-200"

    # The scheduler starts each probe one interval after the previous one started, jittered by
    # ±10% (probe/scheduler.cc), and an endpoint is Degraded after tolerated + 1 failures in a row.

    def degrade_worst_s(self) -> float:
        """Latest Degraded after the failure starts: the (tolerated+1)-th failing probe starts at
        most (tolerated+1) jittered intervals later and ends at most one timeout after that."""
        return (self.tolerated + 1) * self.interval_s * 1.1 + self.timeout_s

    def degrade_best_s(self) -> float:
        """Earliest Degraded: the first failing probe may start at once, the others each at least
        0.9 interval after the previous one."""
        return self.tolerated * self.interval_s * 0.9

    def recover_worst_s(self) -> float:
        """Latest Online again: a probe in flight may still fail (up to a timeout), then
        `successes` more probes, each at most 1.1 interval apart."""
        return self.successes * self.interval_s * 1.1 + self.timeout_s

    def first_verdict_worst_s(self) -> float:
        """Latest first transition after dnsd starts: the first probe lands within
        min(interval, 1 s) (Scheduler::schedule_first), then as degrade_worst_s."""
        return min(self.interval_s, 1.0) + self.degrade_worst_s()

    def ms(self, seconds: float) -> str:
        return f"{round(seconds * 1000)}ms"

    def monitor_toml(self, *, protocol: str, port: int, ca_file: str = "",
                     auth_file: str = "") -> str:
        lines = ["[profile.monitor]",
                 f'protocol = "{protocol}"',
                 f"port = {port}",
                 'path = "/http/ping"',
                 f'expected_status = "{self.expected_status}"',
                 f'interval = "{self.ms(self.interval_s)}"',
                 f'timeout = "{self.ms(self.timeout_s)}"',
                 f"tolerated_failures = {self.tolerated}",
                 f"successes_to_recover = {self.successes}"]
        if ca_file:
            lines.append(f'ca_file = "{ca_file}"')
        if auth_file:
            lines += ["", "[[profile.monitor.header]]", 'name = "Authorization"',
                      f'value_file = "{auth_file}"']
        return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# dnsd config for the scenario


def zone_toml(name: str, records: tuple = ()) -> str:
    """A zone with SOA and NS; records are (owner, type, data)."""
    out = (f'\n[[zone]]\nname = "{name}"\ndefault_ttl = 60\nns = ["ns1.{name}"]\n'
           f'[zone.soa]\nmname = "ns1.{name}"\nrname = "hostmaster.{name}"\nserial = 1\n'
           f"minimum = 60\n"
           f'[[zone.record]]\nname = "ns1"\ntype = "A"\ndata = "127.0.0.1"\n')
    for owner, rtype, data in records:
        out += f'[[zone.record]]\nname = "{owner}"\ntype = "{rtype}"\ndata = "{data}"\n'
    return out


def tenant_zone_toml() -> str:
    """The tenants' public names, served by dnsd itself so the probes resolve through it."""
    return zone_toml(TENANT_ZONE, (("eu", "A", EU_IP), ("us", "A", US_IP)))


@dataclasses.dataclass
class EndpointSpec:
    name: str
    target: str
    priority: int
    enabled: bool = True

    def toml(self) -> str:
        return (f'\n[[profile.endpoint]]\nname = "{self.name}"\ntarget = "{self.target}"\n'
                f"priority = {self.priority}\nenabled = {'true' if self.enabled else 'false'}\n")


def profile_toml(name: str, monitor: str, endpoints: list, *, ttl: int = 1,
                 all_degraded: str = "first", flatten: Optional[bool] = None) -> str:
    """flatten=None leaves the key out (dnsd's default: flattened at a zone apex only)."""
    flat = "" if flatten is None else f'flatten = {"true" if flatten else "false"}\n'
    return (f'\n[[profile]]\nname = "{name}"\nmethod = "priority"\nttl = {ttl}\n'
            f'all_degraded = "{all_degraded}"\n{flat}'
            + monitor + "".join(e.toml() for e in endpoints))


class ScenarioDnsd(dnstest.Dnsd):
    """dnsd whose [resolver] is itself: the body may say {DNSD_PORT}, filled in once the port is
    known (dnstest.Dnsd picks it)."""

    def __init__(self, body: str, files=(), **kwargs):
        super().__init__("", files, **kwargs)
        text = self.config.read_text()
        self.config.write_text(text + f'\n[resolver]\nservers = ["127.0.0.1:{self.port}"]\n' +
                               body.replace("{DNSD_PORT}", str(self.port)))


class StubUnbound(dnstest.Unbound):
    """unbound with a stub-zone per name in zones, all pointing at one dnsd port."""

    def __init__(self, zones: list, stub_port: int):
        super().__init__(zones[0], stub_port)
        extra = "".join(f'stub-zone:\n    name: "{z}"\n    stub-addr: 127.0.0.1@{stub_port}\n'
                        for z in zones[1:])
        self.config.write_text(self.config.read_text() + extra)


def who(resp) -> str:
    """Which tenant an answer names: 'eu', 'us', 'eu+us', or what else it holds."""
    names = {EU_NAME: "eu", US_NAME: "us", EU_IP: "eu", US_IP: "us"}
    cnames = [r.rdata.lower() for r in resp.answer if r.type == "CNAME"]
    if cnames:
        return names.get(cnames[0], cnames[0])
    addresses = sorted(r.rdata for r in resp.answer if r.type in ("A", "AAAA"))
    if not addresses:
        return f"empty {resp.rcode}"
    return "+".join(names.get(a, a) for a in addresses)


# ------------------------------------------------------------------------------------------
# dnsd's state-change log

_TRANSITION = re.compile(r'^probe: profile=(\S+) endpoint=(\S+) (\w+) -> (\w+)'
                         r'(?: reason="(.*)"| rtt=(\d+)ms)?$')


@dataclasses.dataclass(frozen=True)
class Transition:
    profile: str
    endpoint: str
    old: str
    new: str
    reason: Optional[str]
    line: str


def transitions(stderr_text: str, profile: Optional[str] = None,
                endpoint: Optional[str] = None) -> list:
    """Every state-change line (in order), optionally of one profile and endpoint. Lines that
    start like a transition but do not parse are returned with old=new='?' so they fail loudly."""
    out = []
    for stamped in stderr_text.splitlines():
        line = dnstest.log_message(stamped)  # Transition.line is the message, without the time
        if not line.startswith("probe: profile="):
            continue
        m = _TRANSITION.match(line)
        t = (Transition(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), line) if m
             else Transition("?", "?", "?", "?", None, line))
        if profile is not None and t.profile not in (profile, "?"):
            continue
        if endpoint is not None and t.endpoint not in (endpoint, "?"):
            continue
        out.append(t)
    return out


def state_in_log(stderr_text: str, profile: str, endpoint: str) -> str:
    """An endpoint's state as its last state-change line says (CheckingEndpoint before any)."""
    mine = transitions(stderr_text, profile, endpoint)
    return mine[-1].new if mine else "CheckingEndpoint"


def read_log(server: dnstest.Server) -> str:
    try:
        return server.stderr_path.read_text(errors="replace")
    except OSError:
        return ""
