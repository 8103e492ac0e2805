#!/usr/bin/env python3
# The AF_XDP path (issue 17, README "AF_XDP mode") against the real dnsd on a veth pair between
# two network namespaces this test creates: dnsd in one with [xdp] on its veth, dig, kdig and
# raw queries from the other. Port 53 of the veth's addresses is taken by XDP; port 5354 of the
# same addresses is served by the same dnsd's sockets only, so each answer through XDP is
# compared byte for byte with the socket path's answer to the same query (same ID, same source
# address). Also: ARP, ICMP and TCP still reach the kernel while XDP is attached, UPDATE is
# left to the sockets, the program is gone after dnsd exits, and the clear errors. SKIPs (never
# passes) when the machine cannot create namespaces or dnsd was built without AF_XDP.
import json
import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import netns  # noqa: E402
from dnswire import build_query, parse_message  # noqa: E402

XDP_PORT, SOCKET_PORT = 53, 5354
BIG_TXT = 30  # TXT records of 100 bytes under big.example.test: over 1232 bytes, TC over UDP

ZONE_TOML = """
[[zone]]
name = "example.test."
default_ttl = 300
ns = ["ns1.example.test."]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
minimum = 60
[[zone.record]]
name = "ns1"
type = "A"
data = "192.0.2.53"
[[zone.record]]
name = "www"
type = "A"
data = "192.0.2.1"
[[zone.record]]
name = "www"
type = "AAAA"
data = "2001:db8::1"
""" + "".join(f'[[zone.record]]\nname = "big"\ntype = "TXT"\ndata = "\\"{i:03d}{"x" * 96}\\""\n'
              for i in range(BIG_TXT)) + """
[[profile]]
name = "app.example.test."
method = "priority"
ttl = 5
[profile.monitor]
protocol = "tcp"
port = 9
interval = "1s"
timeout = "500ms"
[[profile.endpoint]]
name = "first"
target = "192.0.2.10"
priority = 1
status = "always_serve"
[[profile.endpoint]]
name = "second"
target = "192.0.2.11"
priority = 2
"""

# Runs in the client namespace: sends each query (hex) to (host, port) from one socket per
# family, so the source address and port are the same for both paths; prints the answers.
EXCHANGE = r"""
import json, socket, sys
out = []
for host, port, query in json.load(sys.stdin):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(bytes.fromhex(query), (host, port))
    try:
        out.append(s.recv(65535).hex())
    except socket.timeout:
        out.append(None)
    s.close()
print(json.dumps(out))
"""


class XdpPath(dnstest.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("AF_XDP needs root (CI runs the integration tests as root)")
        try:
            cls.pair = netns.VethPair("dx")
        except netns.Unavailable as e:
            raise unittest.SkipTest(str(e))
        try:
            cls.dnsd = cls.start_dnsd()
        except BaseException:
            cls.pair.close()
            raise

    @classmethod
    def start_dnsd(cls):
        p = cls.pair
        listen = ", ".join(f'"{a}:{port}"' for a in (p.server_ip, f"[{p.server_ip6}]")
                           for port in (XDP_PORT, SOCKET_PORT))
        d = dnstest.Dnsd(ZONE_TOML, workers=1, extra_server="")
        d.config.write_text(d.config.read_text().replace(
            f'listen = ["127.0.0.1:{d.port}", "[::1]:{d.port}"]', f"listen = [{listen}]")
            .replace(f'listen = ["127.0.0.1:{d.port}"]', f"listen = [{listen}]")
            + f'\n[xdp]\ninterface = "{p.server_if}"\nport = {XDP_PORT}\n')
        assert f"listen = [{listen}]" in d.config.read_text()
        cls.own(d)
        log = open(d.stderr_path, "wb")
        d.proc = p.popen(p.server, d.argv(), cwd=d.dir, stdout=log, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
        log.close()

        def up():
            text = d.stderr_path.read_text(errors="replace")
            if d.proc.poll() is not None:
                if "built without it" in text:
                    raise unittest.SkipTest("dnsd was built without AF_XDP (libxdp-dev, libbpf-dev)")
                raise AssertionError(f"dnsd exited with {d.proc.returncode}\n{d.stderr_text()}")
            return "dnsd: serving" in text
        dnstest.wait_until(dnstest.START_DEADLINE_S, up, "dnsd to serve")
        return d

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.pair.close()

    def exchange(self, queries: list) -> list:
        """[(host, port, bytes)] -> [answer bytes or None], sent from the client namespace."""
        result = self.pair.run(self.pair.client, [sys.executable, "-c", EXCHANGE],
                               input=json.dumps([(h, p, q.hex()) for h, p, q in queries]),
                               capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        return [bytes.fromhex(a) if a else None for a in json.loads(result.stdout)]

    def dig(self, *args: str) -> str:
        result = self.pair.run(self.pair.client, [dnstest.require_tool("dig"), "+tries=1",
                                                  "+time=3", *args],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result.stdout

    def test_01_answers_through_xdp_are_byte_identical_to_the_socket_paths(self):
        cases = [
            ("static name", build_query("www.example.test.", "A")),
            ("static AAAA", build_query("www.example.test.", "AAAA")),
            ("NXDOMAIN", build_query("nothing.example.test.", "A")),
            ("NODATA", build_query("www.example.test.", "MX")),
            ("health-routed name", build_query("app.example.test.", "A")),
            ("EDNS with DO", build_query("www.example.test.", "A", edns={"udp": 4096, "do": True})),
            ("large answer, no EDNS: TC", build_query("big.example.test.", "TXT")),
            ("large answer, EDNS 1232: TC", build_query("big.example.test.", "TXT",
                                                        edns={"udp": 1232})),
            ("REFUSED (not our zone)", build_query("example.org.", "A")),
            ("CHAOS", build_query("version.bind.", "TXT", "CH")),
        ]
        p = self.pair
        for host in (p.server_ip, p.server_ip6):
            queries = []
            for _, q in cases:
                queries += [(host, XDP_PORT, q), (host, SOCKET_PORT, q)]
            answers = self.exchange(queries)
            for i, (what, q) in enumerate(cases):
                with self.subTest(what, host=host):
                    xdp, sock = answers[2 * i], answers[2 * i + 1]
                    self.assertIsNotNone(sock, "the socket path did not answer")
                    self.assertIsNotNone(xdp, "the XDP path did not answer")
                    self.assertEqual(xdp.hex(), sock.hex())
                    self.assertEqual(xdp[:2], q[:2])
        big = parse_message(answers[2 * 6])
        self.assertIn("tc", big.flags, "the large answer is not truncated")

    def test_02_dig_and_kdig_get_their_answers_through_xdp(self):
        p = self.pair
        out = self.dig(f"@{p.server_ip}", "www.example.test", "A")
        self.assertIn("status: NOERROR", out)
        self.assertRegex(out, r"www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.1")
        self.assertIn("status: NXDOMAIN", self.dig(f"@{p.server_ip6}", "nothing.example.test"))
        self.assertRegex(self.dig(f"@{p.server_ip}", "app.example.test"),
                         r"app\.example\.test\.\s+5\s+IN\s+A\s+192\.0\.2\.10")
        self.assertRegex(self.dig(f"@{p.server_ip}", "+ignore", "+noedns", "big.example.test",
                                  "TXT"), r"flags: qr aa[^;]* tc")
        kdig = self.pair.run(p.client, [dnstest.require_tool("kdig"), "+retry=0", "+timeout=3",
                                        f"@{p.server_ip6}", "www.example.test", "AAAA"],
                             capture_output=True, text=True, timeout=60)
        self.assertIn("status: NOERROR", kdig.stdout, kdig.stderr)
        self.assertIn("2001:db8::1", kdig.stdout)

    def test_03_tcp_arp_icmp_and_update_still_reach_the_kernel(self):
        p = self.pair
        self.assertEqual(p.xdp_program(), "dnsd_xdp")
        # dig +tcp to the XDP port: TCP is passed to the kernel and dnsd's TCP socket answers,
        # the large answer whole.
        out = self.dig("+tcp", f"@{p.server_ip}", "big.example.test", "TXT")
        self.assertIn("status: NOERROR", out)
        self.assertEqual(len(re.findall(r"\s300\s+IN\s+TXT\s", out)), BIG_TXT)
        # ICMP echo (and the ARP before it) answered by the kernel.
        ping = p.run(p.client, [sys.executable, "-c", PING, p.server_ip], capture_output=True,
                     text=True, timeout=30)
        self.assertEqual(ping.stdout.strip(), "echo reply", ping.stderr)
        neigh = subprocess.run(["ip", "-n", p.client, "neigh", "show", p.server_ip],
                               capture_output=True, text=True, timeout=30).stdout
        self.assertRegex(neigh, r"lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2}")
        # UPDATE is not a QUERY: the program passes it, and the socket path refuses it (no key).
        update = build_query("example.test.", "SOA", opcode=5)
        (answer,) = self.exchange([(p.server_ip, XDP_PORT, update)])
        self.assertIsNotNone(answer, "UPDATE to the XDP port got no answer from the sockets")
        self.assertEqual(parse_message(answer).rcode, "REFUSED")

    def test_99_the_program_is_detached_and_the_count_logged_when_dnsd_exits(self):
        p = self.pair
        sent_before = self.exchange([(p.server_ip, XDP_PORT, build_query("www.example.test."))])
        self.assertIsNotNone(sent_before[0])
        self.assertEqual(self.dnsd.stop(), 0, self.dnsd.stderr_text())
        self.assertEqual(p.xdp_program(), "", "the XDP program is still attached")
        log = self.dnsd.stderr_path.read_text(errors="replace")
        m = re.search(r"xdp: stopped, 1 queue\(s\) on \S+: (\d+) answered, (\d+) dropped", log)
        self.assertIsNotNone(m, log)
        # test_01 sent 20 queries per family to the XDP port, test_02 five, and one above.
        self.assertGreaterEqual(int(m.group(1)), 2 * 10 + 4 + 1, log)


# ICMP echo over a raw socket (root): prints "echo reply" or why not.
PING = r"""
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(3)
def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
body = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"dnsd-xdp"
body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
s.sendto(body, (sys.argv[1], 0))
while True:
    try:
        data = s.recv(2048)
    except socket.timeout:
        print("no reply"); break
    if data[20] == 0 and data[24:26] == b"\x12\x34":
        print("echo reply"); break
"""


class XdpErrors(unittest.TestCase):
    """dnsd refuses to start, saying why, when it cannot have the interface."""

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("AF_XDP needs root (CI runs the integration tests as root)")
        try:
            cls.pair = netns.VethPair("de", subnet=214)
        except netns.Unavailable as e:
            raise unittest.SkipTest(str(e))

    @classmethod
    def tearDownClass(cls):
        cls.pair.close()

    def run_dnsd(self, interface: str, prefix: list = ()) -> subprocess.CompletedProcess:
        d = dnstest.Dnsd(ZONE_TOML, workers=1)
        try:
            d.config.write_text(d.config.read_text() + f'\n[xdp]\ninterface = "{interface}"\n')
            os.chmod(d.dir, 0o755)
            os.chmod(d.config, 0o644)
            return self.pair.run(self.pair.server, [*prefix, *d.argv()], capture_output=True,
                                 text=True, timeout=60)
        finally:
            d.cleanup()

    def skip_without_xdp(self, result):
        if "built without it" in result.stderr:
            self.skipTest("dnsd was built without AF_XDP (libxdp-dev, libbpf-dev)")

    def test_an_unknown_interface_is_named_and_dnsd_does_not_start(self):
        result = self.run_dnsd("nosuch0")
        self.skip_without_xdp(result)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("xdp: no interface nosuch0: No such device", result.stderr)
        self.assertNotIn("serving", result.stderr)

    def test_without_privileges_dnsd_says_what_it_needs_and_leaves_the_interface_alone(self):
        setpriv = dnstest.require_tool("setpriv")
        result = self.run_dnsd(self.pair.server_if, [setpriv, "--reuid=65534", "--regid=65534",
                                                     "--clear-groups", "--inh-caps=-all"])
        self.skip_without_xdp(result)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, rf"xdp: cannot \w+ .*{self.pair.server_if}.*"
                                        r"Operation not permitted \(AF_XDP needs root")
        self.assertEqual(self.pair.xdp_program(), "")

    def start_holder(self, prefix: list = ()) -> dnstest.Dnsd:
        """A dnsd with [xdp] on the server's interface, serving (or skipped without AF_XDP)."""
        d = dnstest.Dnsd(ZONE_TOML, workers=1)
        os.chmod(d.dir, 0o777)  # writable for a dnsd that is not root
        d.config.write_text(d.config.read_text() + f'\n[xdp]\ninterface = "{self.pair.server_if}"\n')
        os.chmod(d.config, 0o644)
        log = open(d.stderr_path, "wb")
        d.proc = self.pair.popen(self.pair.server, [*prefix, *d.argv()], cwd=d.dir, stdout=log,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        dnstest.wait_until(dnstest.START_DEADLINE_S,
                           lambda: "dnsd: serving" in d.stderr_path.read_text(errors="replace")
                           or d.proc.poll() is not None, "dnsd to serve")
        if "built without it" in d.stderr_path.read_text(errors="replace"):
            d.stop()
            d.cleanup()
            self.skipTest("dnsd was built without AF_XDP (libxdp-dev, libbpf-dev)")
        return d

    def test_the_three_capabilities_are_enough_without_root(self):
        setpriv = dnstest.require_tool("setpriv")
        caps = "+net_admin,+bpf,+net_raw"
        d = self.start_holder([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                               f"--inh-caps={caps}", f"--ambient-caps={caps}"])
        try:
            self.assertIsNone(d.proc.poll(), d.stderr_text())
            self.assertEqual(self.pair.xdp_program(), "dnsd_xdp")
        finally:
            self.assertEqual(d.stop(), 0, d.stderr_text())
            d.cleanup()
        self.assertEqual(self.pair.xdp_program(), "")

    def test_an_interface_with_another_xdp_program_is_left_to_it(self):
        # A first dnsd holds the interface; a second one is refused and changes nothing.
        d = self.start_holder()
        try:
            self.assertIsNone(d.proc.poll(), d.stderr_text())
            result = self.run_dnsd(self.pair.server_if)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn(f"xdp: {self.pair.server_if} already has an XDP program attached",
                          result.stderr)
            self.assertEqual(self.pair.xdp_program(), "dnsd_xdp")
        finally:
            self.assertEqual(d.stop(), 0, d.stderr_text())
            d.cleanup()
        self.assertEqual(self.pair.xdp_program(), "")


if __name__ == "__main__":
    dnstest.main()
