# Our client side against a real server: knotd (Knot DNS) serves a zone whose AXFR needs a TSIG
# key. Our signed request must be accepted by knotd, and our Verifier must accept knotd's signed
# multi-message answer (RFC 8945 §5.3.1), and reject it with one byte altered.
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "support"))
import peers  # noqa: E402
from dnstest import Knotd, parse_message  # noqa: E402

CLIENT = os.environ.get("TSIG_CLIENT_BIN", "")
ZONE = "example.test."
RECORDS = 3000  # about 200 kB: knotd needs several 64 kB messages


def zone_file(directory: Path) -> Path:
    path = directory / "example.test.zone"
    lines = [f"$ORIGIN {ZONE}", "$TTL 300",
             "@ SOA ns.example.test. host.example.test. 1 3600 600 86400 300", "@ NS ns",
             "ns A 192.0.2.1"]
    lines += [f'r{i} TXT "transfer record {i} of the tsig multi-message test, padded out"'
              for i in range(RECORDS)]
    path.write_text("\n".join(lines) + "\n")
    return path


def with_key(knot: Knotd, algorithm: str) -> None:
    """Adds the test key and an ACL that allows AXFR only with it."""
    text = knot.config.read_text()
    key = (f"key:\n  - id: {peers.KEY_NAME}\n    algorithm: {algorithm}\n"
           f"    secret: {peers.SECRETS[algorithm]}\n"
           f"acl:\n  - id: xfr\n    key: {peers.KEY_NAME}\n    action: transfer\n")
    text = text.replace("zone:\n", key + "zone:\n")
    text = text.replace(f"  - domain: {ZONE}\n", f"  - domain: {ZONE}\n    acl: xfr\n")
    knot.config.write_text(text)


def axfr(port: int, request: bytes) -> list[bytes]:
    """Sends the request over TCP; returns the answer messages up to the closing SOA."""
    messages, soas = [], 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(len(request).to_bytes(2, "big") + request)
        deadline = time.monotonic() + 20
        while soas < 2:
            size = int.from_bytes(peers.read_exact(conn, 2, deadline), "big")
            message = peers.read_exact(conn, size, deadline)
            messages.append(message)
            parsed = parse_message(message)
            soas += sum(1 for record in parsed.answer if record.type == "SOA")
            if parsed.rcode != "NOERROR":
                break
    return messages


def client(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLIENT, *args], capture_output=True, text=True, timeout=60)


class KnotTransfer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.knot = Knotd({ZONE: zone_file(Path(cls.tmp.name))})
        with_key(cls.knot, "hmac-sha256")
        cls.knot.start()

    @classmethod
    def tearDownClass(cls):
        cls.knot.stop()
        cls.knot.cleanup()
        cls.tmp.cleanup()

    def transfer(self, secret: str) -> tuple[Path, list[bytes]]:
        work = Path(self.tmp.name)
        result = client("request", "hmac-sha256", secret, ZONE, str(work / "request.bin"), str(work / "mac.bin"))
        self.assertEqual(result.returncode, 0, result.stderr)
        return work, axfr(self.knot.port, (work / "request.bin").read_bytes())

    def verify(self, work: Path, messages: list[bytes], secret: str) -> subprocess.CompletedProcess:
        (work / "stream.bin").write_bytes(b"".join(len(m).to_bytes(2, "big") + m for m in messages))
        return client("verify", "hmac-sha256", secret, str(work / "mac.bin"), str(work / "stream.bin"))

    def test_knot_accepts_our_request_and_we_verify_its_multi_message_answer(self):
        secret = peers.SECRETS["hmac-sha256"]
        work, messages = self.transfer(secret)
        self.assertGreaterEqual(len(messages), 3, "the zone should need several messages")
        self.assertEqual(parse_message(messages[0]).rcode, "NOERROR", self.knot.stderr_text())
        result = self.verify(work, messages, secret)
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn(f"messages {len(messages)}, ends signed: yes", result.stdout)

    def test_one_altered_byte_in_a_later_message_fails_our_verifier(self):
        secret = peers.SECRETS["hmac-sha256"]
        work, messages = self.transfer(secret)
        second = bytearray(messages[1])
        second[len(second) // 2] ^= 0x01  # inside a record's data, not the TSIG
        result = self.verify(work, [messages[0], bytes(second), *messages[2:]], secret)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn("message 2: BADSIG", result.stdout)

    def test_a_request_signed_with_another_secret_is_refused_by_knot_and_we_read_its_error(self):
        wrong = peers.SECRETS["hmac-sha1"]
        work, messages = self.transfer(wrong)
        self.assertEqual(len(messages), 1)
        self.assertEqual(parse_message(messages[0]).rcode, "NOTAUTH")
        result = self.verify(work, messages, wrong)
        self.assertIn("message 1: BADSIG", result.stdout)


if __name__ == "__main__":
    if not CLIENT:
        sys.exit("TSIG_CLIENT_BIN is not set: run through ctest")
    unittest.main(verbosity=2)
