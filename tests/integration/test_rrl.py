#!/usr/bin/env python3
# Response rate limiting (issue 12), BIND-style against the real dnsd: a burst from 127.0.0.2
# well above the rate is counted as answered, slipped (TC, no answer) and dropped (no reply),
# with bounds derived from [rrl]; meanwhile 127.0.0.3 gets every answer; TCP from the limited
# address is answered; an exempt address is never limited; the counters pass promtool and the
# log says so at a bounded rate; a client with a valid server cookie (RFC 7873) is never limited.
# One UDP worker, so the slip sequence is exact.
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from admin_client import AdminClient, admin_toml, write_token  # noqa: E402
from dnswire import build_query, parse_message  # noqa: E402

RATE = 20          # responses per second per bucket
WINDOW_S = 5       # a flooding source stays limited this long after it stops
SLIP = 2
BURST = 600        # queries in the burst
QUIET_S = 1.0      # "dropped": no reply within this long after the last one came
DEADLINE_S = 30.0  # bound on any one burst, sending and receiving
ZONE = "example.test."
BIG = "big.example.test."

ZONES_TOML = f"""
[rrl]
enabled = true
rate = {RATE}
window = "{WINDOW_S}s"
slip = {SLIP}
ipv4_prefix = 32
exempt = ["127.0.0.4/32"]

[[zone]]
name = "{ZONE}"
file = "example.test.zone"
"""


def zone_file(directory: Path) -> None:
    # About 1,000 bytes of TXT: the amplification an attacker would aim at a victim.
    strings = " ".join(f'"{c * 200}"' for c in "abcde")
    lines = [f"$ORIGIN {ZONE}", "$TTL 300",
             "@ SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300",
             "@ NS ns1", "ns1 A 192.0.2.53", f"big TXT {strings}"]
    (directory / "example.test.zone").write_text("\n".join(lines) + "\n")


def burst(port: int, source: str, count: int, options: bytes = b"") -> dict:
    """Sends `count` EDNS queries for the big TXT from `source` as fast as it can, reading
    replies as they come; a query with no reply QUIET_S after the last reply is dropped.
    `options`: EDNS options (wire form) carried by every query."""
    def query(qid):
        return build_query(BIG, "TXT", qid=qid, edns=dict(version=0, udp=1232, options=options))

    def classify(data):
        _, flags, _, ancount = struct.unpack("!HHHH", data[:8])
        return ("slipped" if flags & 0x0200 and ancount == 0 else
                "answered" if ancount > 0 else "other")

    replies, sent_s = dnstest.udp_burst(port, source, count, query, classify, QUIET_S, DEADLINE_S)
    kinds = list(replies.values())
    return {"answered": kinds.count("answered"), "slipped": kinds.count("slipped"),
            "other": kinds.count("other"), "dropped": count - len(replies), "sent_s": sent_s}


def ask_from(port: int, source: str, qname: str, qtype: str, timeout_s: float = 2.0):
    """One EDNS query over UDP from `source`: the reply's (flags, ancount), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(timeout_s)
        q = build_query(qname, qtype, edns=dict(version=0, udp=1232))
        s.sendto(q, ("127.0.0.1", port))
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            try:
                data = s.recv(65535)
            except socket.timeout:
                return None
            if data[:2] == q[:2]:
                return struct.unpack("!HH", data[2:4] + data[6:8])
    return None


class RateLimiting(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.admin_port = dnstest.free_port(ipv6=False)
        dnsd = dnstest.Dnsd(ZONES_TOML + admin_toml(cls.admin_port, "admin.token"), workers=1)
        zone_file(dnsd.dir)
        cls.token = write_token(dnsd.dir / "admin.token")
        cls.dnsd = cls.own(dnsd.start())

    def metrics(self) -> str:
        code, body, _ = AdminClient(self.admin_port, self.token).request("GET", "/metrics")
        self.assertEqual(code, 200)
        return body if isinstance(body, str) else body.decode()

    def rrl_counter(self, page: str, action: str) -> int:
        m = re.search(r'(?m)^dnsd_rrl_responses_total\{action="%s"\} (\S+)$' % action, page)
        self.assertIsNotNone(m, f"no dnsd_rrl_responses_total for {action}")
        return int(float(m.group(1)))

    def test_a_burst_is_limited_while_others_tcp_and_exempt_are_answered(self):
        before = self.metrics()
        slipped0, dropped0 = (self.rrl_counter(before, a) for a in ("slipped", "dropped"))
        # 127.0.0.3 asks once every 50 ms during the burst: under the rate, every one answered.
        other = []
        stop = threading.Event()

        def bystander():
            while not stop.is_set() and len(other) < 40:
                other.append(ask_from(self.dnsd.port, "127.0.0.3", BIG, "TXT"))
                stop.wait(0.05)
        thread = threading.Thread(target=bystander)
        thread.start()
        try:
            got = burst(self.dnsd.port, "127.0.0.2", BURST)
        finally:
            stop.set()
            thread.join(timeout=DEADLINE_S)
        print(f"# one source, {BURST} queries in {got['sent_s']:.2f} s: answered "
              f"{got['answered']}, slipped {got['slipped']}, dropped {got['dropped']}",
              file=sys.stderr)

        # Bounds from the config: the prefix gate passes a quarter second's worth (RATE / 4),
        # then the answer's fresh bucket one second's (RATE), and never more than RATE per
        # second after that; limited ones are all debited, so a source that keeps over the
        # rate gets nothing more.
        self.assertEqual(got["other"], 0)
        self.assertGreaterEqual(got["answered"], RATE)
        self.assertLessEqual(got["answered"], RATE * (1.25 + got["sent_s"]) + 1)
        limited = BURST - got["answered"]
        # One worker: exactly every SLIP-th limited response was slipped, the rest dropped.
        self.assertEqual(got["slipped"], limited // SLIP)
        self.assertEqual(got["dropped"], limited - limited // SLIP)
        after = self.metrics()
        self.assertEqual(self.rrl_counter(after, "slipped") - slipped0, got["slipped"])
        self.assertEqual(self.rrl_counter(after, "dropped") - dropped0, got["dropped"])

        self.assertGreater(len(other), 5)
        self.assertTrue(all(r is not None and r[0] & 0x0200 == 0 and r[1] > 0 for r in other),
                        f"127.0.0.3 missed answers: {other}")

        # Still limited (the window), yet TCP from the same address is answered in full.
        resp = dnstest.dig(self.dnsd.port, BIG, "TXT", "-b", "127.0.0.2", tcp=True)
        self.assertEqual(resp.rcode, "NOERROR")
        self.assertEqual(len(resp.answer), 1)

        # The log said so, once for this bucket (a line per bucket per 5 s at most).
        lines = [l for l in self.dnsd.stderr_path.read_text().splitlines() if "rrl: limiting" in l]
        mine = [l for l in lines if "client=127.0.0.2 " in l]
        self.assertGreaterEqual(len(mine), 1, "\n".join(lines))
        self.assertLessEqual(len(mine), 1 + int(got["sent_s"] // 5) + 1, "\n".join(lines))
        self.assertIn("class=answer qname=big.example.test.", mine[0])

    def test_an_exempt_address_is_never_limited(self):
        got = burst(self.dnsd.port, "127.0.0.4", 300)
        self.assertEqual(got["answered"], 300, got)

    def test_a_client_with_a_valid_server_cookie_is_never_limited(self):
        # RFC 7873 §5.2.5: a valid server cookie shows the source address is not forged, so
        # RRL lets it through (cookies are on by default, with a random secret). A control
        # address sending only a client cookie is limited by the same burst.
        client_cookie = bytes.fromhex("2464c4abcf10c957")
        hello = struct.pack("!HH", 10, 8) + client_cookie
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.5", 0))
            s.settimeout(5)
            s.sendto(build_query(BIG, "TXT", edns=dict(version=0, udp=1232, options=hello)),
                     ("127.0.0.1", self.dnsd.port))
            reply = parse_message(s.recv(65535))
        cookies = [o for o in reply.edns.options if o.startswith("OPT=10:")]
        self.assertEqual(len(cookies), 1, reply.edns.options)
        cookie = bytes.fromhex(cookies[0].split(": ")[1])
        self.assertEqual((cookie[:8], len(cookie)), (client_cookie, 24))
        valid = struct.pack("!HH", 10, len(cookie)) + cookie
        with_cookie = burst(self.dnsd.port, "127.0.0.5", 300, valid)
        control = burst(self.dnsd.port, "127.0.0.6", 300, hello)
        print(f"# 300 queries each: valid server cookie answered {with_cookie['answered']}, "
              f"client cookie only answered {control['answered']}", file=sys.stderr)
        self.assertLess(control["answered"], 300, f"the control was not limited: {control}")
        self.assertEqual(with_cookie["answered"], 300, with_cookie)

    def test_metrics_pass_promtool(self):
        page = self.metrics()
        check = subprocess.run([dnstest.require_tool("promtool"), "check", "metrics"],
                               input=page, capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn('dnsd_rrl_responses_total{action="slipped"}', page)


if __name__ == "__main__":
    dnstest.main()
