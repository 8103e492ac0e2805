# Real clients verify what our TSIG code signs: dig (BIND 9) and kdig (Knot) query a loopback
# responder that answers with bytes from tsig_responder (our signer). Each good case has a
# corrupted twin that the same client must reject, so no check here passes by not looking.
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

RESPONDER = os.environ.get("TSIG_RESPONDER_BIN", "")


def respond(algorithm: str, request: bytes, *options: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        request_path, response_path = Path(tmp, "request.bin"), Path(tmp, "response.bin")
        request_path.write_bytes(request)
        subprocess.run([RESPONDER, algorithm, str(request_path), str(response_path), *options], check=True,
                       timeout=30)
        return response_path.read_bytes()


def exchange(client: list[str], algorithm: str, *options: str, tcp: bool = False) -> str:
    """Runs the client against a one-shot responder; returns the client's stdout and stderr."""
    sock = peers.tcp_listener() if tcp else peers.udp_socket()
    port = sock.getsockname()[1]
    command = [part.replace("{port}", str(port)) for part in client]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        if tcp:
            conn, request = peers.receive_tcp_message(sock, deadline)
            conn.sendall(respond(algorithm, request, *options))
            conn.close()
        else:
            sock.settimeout(10)
            request, address = sock.recvfrom(65535)
            sock.sendto(respond(algorithm, request, *options), address)
    finally:
        sock.close()
        out, err = peers.finish(proc)
    return out + err


def dig(algorithm: str, *args: str, tcp: bool = False) -> list[str]:
    return peers.dig("{port}", peers.key_arg(algorithm), *args, tcp=tcp)


def kdig(algorithm: str, *args: str, tcp: bool = False) -> list[str]:
    return peers.kdig("{port}", peers.key_arg(algorithm), *args, tcp=tcp)


class DigVerifiesOurSignature(unittest.TestCase):
    def test_dig_accepts_a_signed_answer_for_each_algorithm(self):
        for algorithm in peers.SECRETS:
            with self.subTest(algorithm=algorithm):
                out = exchange(dig(algorithm, "example.org", "TXT"), algorithm)
                self.assertIn('"dnsd message 1"', out)
                self.assertIn("NOERROR", out.split("TSIG PSEUDOSECTION")[-1], out)
                self.assertNotIn("Couldn't verify", out)
                self.assertNotIn("could not be validated", out)
                self.assertNotIn("failure", out)

    def test_dig_rejects_the_same_answer_with_one_mac_bit_flipped(self):
        for algorithm in ("hmac-sha256", "hmac-sha1"):
            with self.subTest(algorithm=algorithm):
                out = exchange(dig(algorithm, "example.org", "TXT"), algorithm, "--corrupt", "1")
                self.assertIn("tsig verify failure", out)
                self.assertIn("could not be validated", out)

    def test_dig_verifies_our_badtime_answer_and_reports_the_clock_skew(self):
        out = exchange(dig("hmac-sha256", "example.org", "TXT"), "hmac-sha256", "--skew", "3600")
        self.assertIn("status: NOTAUTH", out)
        self.assertIn("BADTIME", out)
        # dig checks the MAC before reporting the server's error: a good MAC reads as clock skew.
        self.assertIn("clocks are unsynchronized", out)
        self.assertNotIn("tsig verify failure", out)
        corrupted = exchange(dig("hmac-sha256", "example.org", "TXT"), "hmac-sha256", "--skew", "3600",
                             "--corrupt", "1")
        self.assertIn("tsig verify failure", corrupted)

    def test_dig_accepts_a_signed_multi_message_axfr(self):
        out = exchange(dig("hmac-sha256", "example.org", "AXFR"), "hmac-sha256", "--messages", "4", tcp=True)
        self.assertEqual(out.count("\tSOA\t"), 2, out)
        self.assertIn('"dnsd message 3"', out)
        self.assertIn("XFR size: 4 records (messages 4", out)
        self.assertNotIn("failed", out.lower())

    def test_dig_rejects_an_axfr_whose_third_message_mac_is_altered(self):
        out = exchange(dig("hmac-sha256", "example.org", "AXFR"), "hmac-sha256", "--messages", "4",
                       "--corrupt", "3", tcp=True)
        self.assertIn("tsig verify failure", out)


class KdigVerifiesOurSignature(unittest.TestCase):
    def test_kdig_accepts_a_signed_answer(self):
        for algorithm in ("hmac-sha256", "hmac-sha512"):
            with self.subTest(algorithm=algorithm):
                out = exchange(kdig(algorithm, "example.org", "TXT"), algorithm)
                self.assertIn('"dnsd message 1"', out)
                self.assertIn("NOERROR", out.split("TSIG PSEUDOSECTION")[-1], out)
                self.assertNotIn(";; ERROR", out)

    def test_kdig_rejects_a_flipped_mac_bit(self):
        out = exchange(kdig("hmac-sha256", "example.org", "TXT"), "hmac-sha256", "--corrupt", "1")
        self.assertIn("failed to verify TSIG", out)

    def test_kdig_accepts_a_signed_axfr_and_rejects_one_with_an_altered_first_message(self):
        # kdig 3.2 checks the TSIG of a transfer's first message only (a later corrupted MAC
        # passes it); the chain of later messages is dig's test above.
        out = exchange(kdig("hmac-sha256", "example.org", "AXFR"), "hmac-sha256", "--messages", "4", tcp=True)
        self.assertIn("(4 messages, 4 records)", out)
        self.assertNotIn(";; ERROR", out)
        bad = exchange(kdig("hmac-sha256", "example.org", "AXFR"), "hmac-sha256", "--messages", "4",
                       "--corrupt", "1", tcp=True)
        self.assertIn("failed to verify TSIG", bad)

if __name__ == "__main__":
    if not RESPONDER:
        sys.exit("TSIG_RESPONDER_BIN is not set: run through ctest")
    unittest.main(verbosity=2)
