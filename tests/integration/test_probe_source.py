#!/usr/bin/env python3
# Probe source addresses (issue 14): [server] probe_source_ipv4 makes every probe of a dnsd
# leave from that address, HTTPS connects and the c-ares lookups of endpoint names alike; that
# is what gives each instance of a fleet its own vantage. Two real dnsd processes (vantages
# 127.0.0.21 and 127.0.0.22), two real tenant_sim tenants (EU 127.0.0.2, US 127.0.0.3, HTTPS),
# a small DNS responder in this process that records who asks, and dig.
import shutil
import socket
import struct
import sys
import tempfile
import threading
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from tenants import EU_IP, EU_NAME, US_IP, US_NAME, EndpointSpec, ProbeSettings, who  # noqa: E402

VANTAGE_A, VANTAGE_B = "127.0.0.21", "127.0.0.22"
# A TLS handshake to tenant_sim took 540 ms under AddressSanitizer on a loaded machine.
SETTINGS = ProbeSettings(interval_s=1.0, timeout_s=0.9, tolerated=1)
CI = f"ci.{tenants.PROFILE_ZONE}"
SLACK_S = 2.0  # process wake-ups and TLS handshakes on a loaded machine
DEADLINE_S = SETTINGS.first_verdict_worst_s() + SLACK_S


class Responder:
    """UDP DNS on 127.0.0.1: A records for the tenant names (TTL 1), NOERROR/empty for the rest;
    records the source address of every query."""

    ADDRESSES = {EU_NAME.lower(): EU_IP, US_NAME.lower(): US_IP}

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", dnstest.free_port(ipv6=False)))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.sources = set()
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()

    def seen(self) -> set:
        with self.lock:
            return set(self.sources)

    def _serve(self):
        while self.running:
            try:
                query, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.sources.add(peer[0])
            reply = self._answer(query)
            if reply:
                self.sock.sendto(reply, peer)

    def _answer(self, query: bytes):
        if len(query) < 12:
            return None
        qname, end = _read_qname(query)
        qtype = struct.unpack("!H", query[end:end + 2])[0]
        question = query[12:end + 4]
        address = self.ADDRESSES.get(qname.lower())
        answers = b""
        if address and qtype == 1:
            answers = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 1, 4) +
                       socket.inet_aton(address))
        flags = 0x8400 | (query[2] & 0x01) << 8  # QR, AA, RD copied
        header = query[:2] + struct.pack("!HHHHH", flags, 1, 1 if answers else 0, 0, 0)
        return header + question + answers


def _read_qname(msg: bytes) -> tuple:
    labels, off = [], 12
    while msg[off]:
        labels.append(msg[off + 1:off + 1 + msg[off]].decode())
        off += 1 + msg[off]
    return ".".join(labels) + ".", off + 1


class Vantage(dnstest.Dnsd):
    """dnsd whose probes leave from `source` and whose names resolve through the responder."""

    def __init__(self, source: str, resolver_port: int, tenant_port: int, files):
        self.name = f"dnsd-{source}"
        monitor = SETTINGS.monitor_toml(protocol="https", port=tenant_port,
                                        ca_file=Path(files[0]).name)
        body = (tenants.zone_toml(tenants.PROFILE_ZONE) +
                f'\n[resolver]\nservers = ["127.0.0.1:{resolver_port}"]\n' +
                tenants.profile_toml(CI, monitor, [EndpointSpec("eu", EU_NAME, 1),
                                                   EndpointSpec("us", US_NAME, 2)], ttl=1))
        super().__init__(body, files, extra_server=f'probe_source_ipv4 = "{source}"\n')


class ProbeSource(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.creds = Path(tempfile.mkdtemp(prefix="probe-source-creds-"))
        cert, key = tenants.make_tenant_cert(cls.creds)
        cls.responder = Responder()
        cls.eu, cls.us = tenants.start_tenant_pair(cert, key, "", "")
        cls.own(cls.eu)
        cls.own(cls.us)
        cls.a = cls.own(Vantage(VANTAGE_A, cls.responder.port, cls.eu.port, [cert]).start())
        cls.b = cls.own(Vantage(VANTAGE_B, cls.responder.port, cls.eu.port, [cert]).start())

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.responder.stop()
            shutil.rmtree(cls.creds, ignore_errors=True)

    def setUp(self):
        for tenant in (self.eu, self.us):
            tenant.set_mode("up")
            tenant.set_client_mode("default", [VANTAGE_A, VANTAGE_B])
        for dnsd in (self.a, self.b):
            self.wait_state(dnsd, "eu", "Online")

    def state(self, dnsd, endpoint):
        return tenants.state_in_log(tenants.read_log(dnsd), CI, endpoint)

    def wait_state(self, dnsd, endpoint, state):
        dnstest.wait_until(DEADLINE_S, lambda: self.state(dnsd, endpoint) == state,
                           f"{dnsd.name}: {endpoint} {state}")

    def answer(self, dnsd) -> str:
        return who(dnstest.dig(dnsd.port, CI, "A"))

    def test_probes_and_lookups_leave_from_the_configured_source(self):
        want = {VANTAGE_A, VANTAGE_B}
        for tenant in (self.eu, self.us):
            dnstest.wait_until(DEADLINE_S, lambda t=tenant: set(t.client_pings()) >= want,
                               f"{tenant.name} pinged from both vantages")
            self.assertEqual(set(tenant.client_pings()), want)
        dnstest.wait_until(DEADLINE_S, lambda: self.responder.seen() >= want,
                           "lookups from both vantages")
        self.assertEqual(self.responder.seen(), want)

    def test_a_tenant_failing_for_one_vantage_fails_over_that_instance_only(self):
        before = self.eu.client_pings().get(VANTAGE_B, 0)
        self.eu.set_client_mode("503", [VANTAGE_A])
        self.wait_state(self.a, "eu", "Degraded")
        dnstest.wait_until(DEADLINE_S, lambda: self.answer(self.a) == "us", "A answers us")
        # B has since probed EU more often than it takes to degrade, and got 200 each time.
        dnstest.wait_until(
            DEADLINE_S,
            lambda: self.eu.client_pings().get(VANTAGE_B, 0) - before > SETTINGS.tolerated + 1,
            "B probed EU enough to have degraded")
        self.assertEqual(self.state(self.b, "eu"), "Online")
        self.assertEqual(self.answer(self.b), "eu")

        self.eu.set_client_mode("up", [VANTAGE_A])
        self.wait_state(self.a, "eu", "Online")
        dnstest.wait_until(DEADLINE_S, lambda: self.answer(self.a) == "eu", "A answers eu again")


if __name__ == "__main__":
    dnstest.main()
