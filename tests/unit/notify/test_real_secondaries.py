# The notify library against real secondaries on loopback: knotd (Knot DNS 3.2) and nsd (NSD
# 4.6) each secondary for example.test. with a tiny python primary that serves its SOA and
# AXFR. Both need TSIG on NOTIFY (their ACLs name a key). Our NOTIFY must be acknowledged, make
# them ask the primary and transfer the new serial, which our SOA check then reads; a wrong
# key, a closed port and a silent peer are reported as such.
from __future__ import annotations

import os
import re
import socket
import struct
import subprocess
import sys
import threading
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "support"))
from dnstest import (HAS_IPV6, Server, build_query, encode_name, free_port, main,  # noqa: E402
                     parse_message, require_tool, udp_exchange, wait_until)

DRIVER = os.environ.get("NOTIFY_DRIVER_BIN", "")
ZONE = "example.test."
KEY_NAME = "notify-key.example."
SECRET = "EI0rzl89yWdSZfL1YNvGxz718/vIrJp+/LePRG1gXkU="  # test key only
WRONG_SECRET = "BucNKTFmr1QXWNgS5pg2BC/tWgk="
KEY = f"hmac-sha256:{KEY_NAME}:{SECRET}"
WRONG_KEY = f"hmac-sha256:{KEY_NAME}:{WRONG_SECRET}"


# ------------------------------------------------------------------------------------------
# The primary: SOA over UDP and TCP, AXFR (and IXFR answered AXFR-style) over TCP.


class Primary:
    def __init__(self):
        self.port = free_port(ipv6=False)
        self.serial = 1
        self.queries: list[tuple[str, str]] = []  # (transport, qtype)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.udp.settimeout(0.1)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(8)
        self.tcp.settimeout(0.1)
        self.threads = [threading.Thread(target=f, daemon=True) for f in (self.serve_udp, self.serve_tcp)]
        for t in self.threads:
            t.start()

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join()
        self.udp.close()
        self.tcp.close()

    def asked(self, transport: str, qtype: str) -> int:
        with self.lock:
            return sum(1 for q in self.queries if q == (transport, qtype))

    def records(self) -> list[bytes]:
        """The zone's RRs in wire form, SOA first (owner as a pointer to the question)."""
        def rr(owner: bytes, rtype: int, rdata: bytes) -> bytes:
            return owner + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata
        apex = b"\xc0\x0c"
        soa = (encode_name("ns1.example.test.") + encode_name("host.example.test.") +
               struct.pack("!IIIII", self.serial, 3600, 600, 86400, 300))
        return [rr(apex, 6, soa), rr(apex, 2, encode_name("ns1.example.test.")),
                rr(encode_name("ns1.example.test."), 1, socket.inet_aton("127.0.0.1")),
                rr(encode_name("www.example.test."), 1,
                   socket.inet_aton(f"192.0.2.{self.serial % 250 + 1}"))]

    def answer(self, query: bytes, transport: str) -> bytes | None:
        if len(query) < 12:
            return None
        qid, flags, qd = struct.unpack("!HHH", query[:6])
        end = 12
        while end < len(query) and query[end] != 0:
            end += query[end] + 1
        end += 5
        if qd != 1 or end > len(query):
            return None
        qname = query[12:end - 4]
        qtype = struct.unpack("!H", query[end - 4:end - 2])[0]
        with self.lock:
            self.queries.append((transport, {6: "SOA", 251: "IXFR", 252: "AXFR"}.get(qtype, str(qtype))))
        if qname.lower() != encode_name(ZONE):
            return struct.pack("!HHHHHH", qid, 0x8405, 1, 0, 0, 0) + query[12:end]
        records = self.records()
        if qtype in (251, 252) and transport == "tcp":
            answer = records + [records[0]]  # AXFR: SOA first and last (RFC 5936 §2.2)
        else:
            answer = records[:1]  # SOA (and IXFR over UDP: "too big, use TCP")
        return (struct.pack("!HHHHHH", qid, 0x8400, 1, len(answer), 0, 0) + query[12:end] +
                b"".join(answer))

    def serve_udp(self):
        while not self.stop.is_set():
            try:
                query, peer = self.udp.recvfrom(65535)
            except socket.timeout:
                continue
            reply = self.answer(query, "udp")
            if reply:
                self.udp.sendto(reply, peer)

    def serve_tcp(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    while True:
                        head = conn.recv(2, socket.MSG_WAITALL)
                        if len(head) < 2:
                            break
                        query = conn.recv(struct.unpack("!H", head)[0], socket.MSG_WAITALL)
                        reply = self.answer(query, "tcp")
                        if reply:
                            conn.sendall(struct.pack("!H", len(reply)) + reply)
                except OSError:
                    pass


# ------------------------------------------------------------------------------------------
# The secondaries


def soa_ready(port: int) -> bool:
    return udp_exchange(port, build_query(ZONE, "SOA"), timeout_s=0.3) is not None


class KnotSecondary(Server):
    name = "knotd"

    def __init__(self, primary_port: int):
        super().__init__()
        self.binary = require_tool("knotd")
        listen = ", ".join(f"{a}@{self.port}" for a in ("127.0.0.1", "::1")[:1 + HAS_IPV6])
        allowed = ", ".join(("127.0.0.1", "::1")[:1 + HAS_IPV6])
        self.config = self.dir / "knot.conf"
        self.config.write_text(
            "server:\n"
            f"    listen: [ {listen} ]\n"
            f"    rundir: {self.dir}\n"
            "log:\n  - target: stderr\n    any: info\n"
            f"database:\n    storage: {self.dir}\n"
            f"key:\n  - id: {KEY_NAME}\n    algorithm: hmac-sha256\n    secret: {SECRET}\n"
            f"remote:\n  - id: primary\n    address: 127.0.0.1@{primary_port}\n"
            f"acl:\n  - id: notify_with_key\n    address: [ {allowed} ]\n    key: {KEY_NAME}\n"
            "    action: notify\n"
            f"template:\n  - id: default\n    storage: {self.dir}\n    zonefile-sync: -1\n"
            "    journal-content: none\n    semantic-checks: off\n"
            f"zone:\n  - domain: {ZONE}\n    master: primary\n    acl: notify_with_key\n")

    def argv(self) -> list:
        return [self.binary, "-c", str(self.config)]

    def ready(self) -> bool:
        return soa_ready(self.port)


class NsdSecondary(Server):
    name = "nsd"

    def __init__(self, primary_port: int):
        super().__init__()
        self.binary = require_tool("nsd")
        self.config = self.dir / "nsd.conf"
        self.config.write_text(
            "server:\n"
            "    ip-address: 127.0.0.1\n"
            f"    port: {self.port}\n"
            "    do-ip6: no\n"
            f'    zonesdir: "{self.dir}"\n'
            '    database: ""\n'
            f'    pidfile: "{self.dir}/nsd.pid"\n'
            f'    xfrdfile: "{self.dir}/xfrd.state"\n'
            f'    xfrdir: "{self.dir}"\n'
            f'    zonelistfile: "{self.dir}/zone.list"\n'
            '    username: ""\n'
            '    chroot: ""\n'
            "    verbosity: 2\n"
            "remote-control:\n    control-enable: no\n"
            f'key:\n    name: "{KEY_NAME}"\n    algorithm: hmac-sha256\n    secret: "{SECRET}"\n'
            f"zone:\n    name: {ZONE}\n    zonefile: example.test.zone\n"
            f"    allow-notify: 127.0.0.1 {KEY_NAME}\n"
            f"    request-xfr: 127.0.0.1@{primary_port} NOKEY\n")

    def argv(self) -> list:
        return [self.binary, "-d", "-c", str(self.config)]

    def ready(self) -> bool:
        return soa_ready(self.port)


# ------------------------------------------------------------------------------------------
# The driver


def driver(*args: str) -> str:
    proc = subprocess.run([DRIVER, *args], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"notify_driver {' '.join(args)} exited {proc.returncode}\n"
                             f"{proc.stdout}{proc.stderr}")
    return proc.stdout + proc.stderr


def states(output: str) -> dict[str, dict[str, str]]:
    """secondary -> its fields, from the driver's "state ..." lines."""
    out = {}
    for line in output.splitlines():
        if line.startswith("state "):
            fields = dict(re.findall(r"(\w+)=(\S+(?: \S+)*?)(?= \w+=|$)", line[6:]))
            out[fields["secondary"]] = fields
    return out


def notify(serial: int, *secondaries: str, interval_ms: int = 200, sends: int = 5) -> dict:
    return states(driver("notify", ZONE, str(serial), str(interval_ms), str(sends), *secondaries))


def served_serial(target: str) -> str:
    return driver("soa", ZONE, "1000", target).strip()


class RealSecondaries(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.primary = Primary()
        cls.knot = KnotSecondary(cls.primary.port).start()
        cls.nsd = NsdSecondary(cls.primary.port).start()
        cls.knot_at = f"127.0.0.1@{cls.knot.port}"
        cls.nsd_at = f"127.0.0.1@{cls.nsd.port}"
        # Both bootstrap from the primary on their own: serial 1 first.
        for at in (cls.knot_at, cls.nsd_at):
            wait_until(30, lambda: served_serial(at) == "serial=1", f"{at} to serve serial 1")

    @classmethod
    def tearDownClass(cls):
        for server in (cls.knot, cls.nsd):
            server.stop()
        cls.primary.close()
        for server in (cls.knot, cls.nsd):
            server.cleanup()

    def logs(self) -> str:
        return self.knot.stderr_text() + "\n" + self.nsd.stderr_text()

    def test_1_both_secondaries_ack_a_signed_notify_and_fetch_the_new_serial(self):
        self.primary.serial = 2
        soa_before = self.primary.asked("udp", "SOA") + self.primary.asked("tcp", "SOA")
        result = notify(2, f"{self.knot_at}/{KEY}", f"{self.nsd_at}/{KEY}")
        for at in (self.knot_at, self.nsd_at):
            shown = at.replace("@", ":")
            self.assertEqual(result[shown]["phase"], "acked", f"{result}\n{self.logs()}")
            self.assertEqual(result[shown]["acked"], "2")
            self.assertEqual(result[shown]["error"], "none")
        # Told, they ask the primary for its SOA and transfer: our SOA check sees serial 2.
        for at in (self.knot_at, self.nsd_at):
            wait_until(30, lambda: served_serial(f"{at}/{KEY}") == "serial=2",
                       f"{at} to serve serial 2")
        self.assertGreater(self.primary.asked("udp", "SOA") + self.primary.asked("tcp", "SOA"),
                           soa_before)
        knot_log = self.knot.stderr_text(400)
        self.assertRegex(knot_log, r"notify, incoming, remote 127\.0\.0\.1@\d+.*serial 2")
        primary = rf"127\.0\.0\.1@{self.primary.port}"
        self.assertRegex(knot_log, rf"refresh, remote {primary}, remote serial 2, zone is outdated")
        self.assertRegex(knot_log, r"serial 1 -> 2")
        nsd_log = self.nsd.stderr_text(400)
        self.assertRegex(nsd_log, r"notify for example\.test\. from 127\.0\.0\.1 serial 2")
        self.assertRegex(nsd_log, r"serial 1 is updated to 2")

    def test_2_a_wrong_key_is_refused_by_both_and_reported_as_a_tsig_error(self):
        result = notify(3, f"{self.knot_at}/{WRONG_KEY}", f"{self.nsd_at}/{WRONG_KEY}",
                        interval_ms=50, sends=2)
        for at in (self.knot_at, self.nsd_at):
            state = result[at.replace("@", ":")]
            self.assertEqual(state["phase"], "gave up", result)
            self.assertEqual(state["error"], "BADSIG", result)  # NOTAUTH, TSIG error BADSIG
            self.assertEqual(state["acked"], "none")

    def test_3_without_a_key_or_with_an_unknown_one_the_acl_refuses(self):
        unsigned = notify(3, self.knot_at, self.nsd_at, interval_ms=50, sends=2)
        knot = unsigned[self.knot_at.replace("@", ":")]
        nsd = unsigned[self.nsd_at.replace("@", ":")]
        self.assertEqual((knot["phase"], knot["error"]), ("gave up", "NOTAUTH"), unsigned)
        self.assertEqual((nsd["phase"], nsd["error"]), ("gave up", "REFUSED"), unsigned)
        other_key = f"hmac-sha256:other-key.example.:{SECRET}"
        unknown = notify(3, f"{self.knot_at}/{other_key}", f"{self.nsd_at}/{other_key}",
                         interval_ms=50, sends=2)
        for at in (self.knot_at, self.nsd_at):
            state = unknown[at.replace("@", ":")]
            self.assertEqual((state["phase"], state["error"]), ("gave up", "BADKEY"), unknown)

    @unittest.skipUnless(HAS_IPV6, "no ::1 in this container")
    def test_4_knot_acks_over_ipv6(self):
        self.primary.serial = 4
        result = notify(4, f"::1@{self.knot.port}/{KEY}")
        self.assertEqual(result[f"[::1]:{self.knot.port}"]["phase"], "acked", result)
        wait_until(30, lambda: served_serial(f"::1@{self.knot.port}") == "serial=4",
                   "knot to serve serial 4 over ::1")

    def test_5_a_closed_port_is_retried_then_given_up(self):
        port = free_port(ipv6=False)
        output = driver("notify", ZONE, "5", "30", "3", f"127.0.0.1@{port}")
        state = states(output)[f"127.0.0.1:{port}"]
        self.assertEqual(state["phase"], "gave up")
        self.assertEqual(state["attempts"], "3")
        self.assertEqual(state["error"], "port unreachable")
        self.assertEqual(output.count("notify: sent"), 3, output)
        self.assertIn("notify: gave up", output)

    def test_6_a_silent_peer_times_out(self):
        silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        silent.bind(("127.0.0.1", 0))
        try:
            port = silent.getsockname()[1]
            output = driver("notify", ZONE, "6", "30", "3", f"127.0.0.1@{port}")
            state = states(output)[f"127.0.0.1:{port}"]
            self.assertEqual((state["phase"], state["error"]), ("gave up", "timeout"))
            self.assertEqual(served_serial(f"127.0.0.1@{port}"), "error=timeout")
        finally:
            silent.close()

    def test_7_no_secret_reaches_the_log(self):
        output = driver("notify", ZONE, "7", "30", "2", f"{self.knot_at}/{WRONG_KEY}")
        self.assertNotIn(WRONG_SECRET, output)
        self.assertIn(f"key={KEY_NAME}", output)


if __name__ == "__main__":
    if not DRIVER:
        sys.exit("NOTIFY_DRIVER_BIN is not set: run through ctest")
    main()
