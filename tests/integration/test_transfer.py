# Zone transfers out (issue 11): real dig -y / kdig -y AXFR and IXFR against dnsd with a TSIG
# key and a per-zone ACL, a real Knot DNS secondary doing the initial AXFR with TSIG and then
# serving the zone, and the refusals: no key, unknown key, wrong secret, time outside the fudge,
# an address outside the ACL, more transfers than max_transfers, a client that stops reading, an
# incoming NOTIFY (REFUSED: dnsd is a primary only).
# Every algorithm (HMAC-SHA1/256/384/512) signs a whole transfer that dig or kdig verifies, with
# key and algorithm names written in another case in dnsd's config than by the client, and a
# secret read from an environment variable.
from __future__ import annotations

import os
import sys
import time
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from dnswire import build_query, parse_message  # noqa: E402
from xfr_client import signed, stalling_connection, tcp_messages  # noqa: E402

KEY = "xfr-key.example."
SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="
WRONG_SECRET = "b3RoZXJvdGhlcm90aGVyb3RoZXJvdGhlcm90aGVyMTI="
ZONE = "example.test."
RECORDS = 20000  # about 3 MB of TXT: more than the socket buffers hold, for stalled clients
MAX_TRANSFERS = 2

# One key per other algorithm: (name as dnsd's config writes it, algorithm as the config writes
# it, secret, how the config gives the secret). Clients use the names in lower case.
ALGORITHM_KEYS = {
    "hmac-sha1": ("SHA1-Key.Example.", "HMAC-SHA1", "c2hhMXNoYTFzaGExc2hhMTI=", "file"),
    "hmac-sha384": ("sha384-key.EXAMPLE.", "Hmac-Sha384",
                    "c2hhMzg0c2hhMzg0c2hhMzg0c2hhMzg0c2hhMzg0c2hhMzg0c2hhMzg0MTI=", "file"),
    "hmac-sha512": ("SHA512-KEY.example.", "HMAC-SHA512",
                    "c2hhNTEyc2hhNTEyc2hhNTEyc2hhNTEyc2hhNTEyc2hhNTEyc2hhNTEyc2hhNTEyc2hhNTEy",
                    "env"),
}
SHA512_ENV = "DNSD_TEST_XFR_SHA512_SECRET"


def algorithm_keys_toml() -> str:
    out = ""
    for algorithm, (name, written, _, source) in ALGORITHM_KEYS.items():
        secret = (f'secret_env = "{SHA512_ENV}"' if source == "env"
                  else f'secret_file = "{algorithm}.secret"')
        out += f'[[key]]\nname = "{name}"\nalgorithm = "{written}"\n{secret}\n'
    return out


def algorithm_transfers_toml() -> str:
    return "".join(f'[[zone.transfer]]\nkey = "{name}"\n'
                   for name, _, _, _ in ALGORITHM_KEYS.values())


ZONES_TOML = f"""
[[key]]
name = "{KEY}"
secret_file = "xfr.secret"
{algorithm_keys_toml()}
[[zone]]
name = "{ZONE}"
file = "example.test.zone"
[[zone.transfer]]
key = "{KEY}"
{algorithm_transfers_toml()}
[[zone]]
name = "other.test."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 5
[[zone.transfer]]
key = "{KEY}"
address = "192.0.2.0/24"
"""


def zone_file(directory: Path) -> Path:
    path = directory / "example.test.zone"
    lines = [f"$ORIGIN {ZONE}", "$TTL 300",
             "@ SOA ns1.example.test. hostmaster.example.test. 42 3600 600 86400 300",
             "@ NS ns1", "ns1 A 192.0.2.53", "www A 192.0.2.80"]
    padding = "x" * 100
    lines += [f'r{i} TXT "record {i} of the transfer test {padding}"' for i in range(RECORDS)]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_algorithm_secrets(dnsd: dnstest.Dnsd) -> None:
    """The secret files of ALGORITHM_KEYS, and the variable dnsd reads the env one from."""
    for algorithm, (_, _, secret, source) in ALGORITHM_KEYS.items():
        if source == "file":
            (dnsd.dir / f"{algorithm}.secret").write_text(secret + "\n")
        else:
            dnsd.env = dict(os.environ, **{SHA512_ENV: secret})


def dig_lines(port: int, *args: str) -> list:
    proc = dnstest._run([dnstest.require_tool("dig"), "@127.0.0.1", "-p", str(port), "+nocmd",
                         "+nostats", "+time=5", "+tries=1", *args], 60)
    return [line for line in proc.stdout.splitlines() if line and not line.startswith(";")]


class Transfers(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dnsd = dnstest.Dnsd(ZONES_TOML, tcp_idle_timeout="2s",
                                extra_server=f"max_transfers = {MAX_TRANSFERS}")
        zone_file(cls.dnsd.dir)
        (cls.dnsd.dir / "xfr.secret").write_text(SECRET + "\n")
        write_algorithm_secrets(cls.dnsd)
        cls.own(cls.dnsd).start()
        cls.port = cls.dnsd.port

    def test_every_algorithm_signs_a_whole_transfer_the_client_verifies(self):
        # dig checks the MAC of every signed message of the transfer (and at most 99 unsigned
        # ones between), kdig the first; either prints a failure and stops on a bad one.
        for algorithm, (name, _, secret, _) in ALGORITHM_KEYS.items():
            for tool in ("dig", "kdig"):
                with self.subTest(algorithm=algorithm, tool=tool):
                    proc = dnstest._run(
                        [dnstest.require_tool(tool), "@127.0.0.1", "-p", str(self.port), "-y",
                         f"{algorithm}:{name.lower()}:{secret}", "+noall", "+answer", ZONE,
                         "AXFR"], 60)
                    out = proc.stdout + proc.stderr
                    records = [line for line in proc.stdout.splitlines() if line and
                               not line.startswith(";") and "TSIG" not in line]
                    self.assertEqual(len(records), RECORDS + 5, out[-500:])
                    self.assertIn("SOA", records[0].split())
                    self.assertIn("SOA", records[-1].split())
                    for failure in ("failed", "failure", "ERROR", "BADSIG", "BADKEY"):
                        self.assertNotIn(failure, out)
        # The same key name under another algorithm is not that key: BADKEY.
        name, _, secret, _ = ALGORITHM_KEYS["hmac-sha512"]
        lines = dig_lines(self.port, "-y", f"hmac-sha256:{name.lower()}:{secret}", ZONE, "AXFR")
        self.assertTrue(any("BADKEY" in line for line in lines), lines)

    def test_dig_y_axfr_gets_the_whole_zone_signed(self):
        lines = dig_lines(self.port, "-y", f"hmac-sha256:{KEY}:{SECRET}", ZONE, "AXFR")
        records = [line for line in lines if "\tTSIG\t" not in line]
        self.assertEqual(len(records), RECORDS + 5, "\n".join(lines[:5]))
        self.assertIn("\tSOA\t", records[0])
        self.assertIn("\tSOA\t", records[-1])
        self.assertTrue(any("NOERROR" in line for line in lines if "\tTSIG\t" in line))

    def test_kdig_y_ixfr_from_an_old_serial_is_the_whole_zone_and_from_ours_one_soa(self):
        kdig = dnstest.require_tool("kdig")
        key = f"hmac-sha256:{KEY}:{SECRET}"
        proc = dnstest._run([kdig, "@127.0.0.1", "-p", str(self.port), "-y", key, "+noall",
                             "+answer", f"IXFR={40}", ZONE], 60)
        records = [line for line in proc.stdout.splitlines() if line and "TSIG" not in line
                   and not line.startswith(";")]
        self.assertEqual(len(records), RECORDS + 5, proc.stdout[:500] + proc.stderr)
        proc = dnstest._run([kdig, "@127.0.0.1", "-p", str(self.port), "-y", key, "+noall",
                             "+answer", "IXFR=42", ZONE], 60)
        records = [line for line in proc.stdout.splitlines() if line and "TSIG" not in line
                   and not line.startswith(";")]
        self.assertEqual(len(records), 1, proc.stdout + proc.stderr)
        self.assertIn("SOA", records[0])

    def test_a_request_without_a_key_is_refused(self):
        messages = tcp_messages(self.port, build_query(ZONE, "AXFR"))
        self.assertEqual([m.rcode for m in messages], ["REFUSED"])

    def test_an_unknown_key_a_wrong_secret_and_a_time_outside_the_fudge_get_tsig_errors(self):
        unknown = dig_lines(self.port, "-y", f"hmac-sha256:someone.example.:{SECRET}", ZONE,
                            "AXFR")
        self.assertTrue(any("BADKEY" in line for line in unknown), unknown)
        wrong = dig_lines(self.port, "-y", f"hmac-sha256:{KEY}:{WRONG_SECRET}", ZONE, "AXFR")
        self.assertTrue(any("BADSIG" in line for line in wrong), wrong)
        old = signed(build_query(ZONE, "AXFR"), KEY, SECRET, int(time.time()) - 3600)
        messages = tcp_messages(self.port, old)
        self.assertEqual([m.rcode for m in messages], ["NOTAUTH"])
        good = signed(build_query(ZONE, "AXFR"), KEY, SECRET, int(time.time()))
        self.assertEqual(tcp_messages(self.port, good)[0].rcode, "NOERROR")

    def test_an_address_outside_the_acl_is_refused_even_with_the_key(self):
        lines = dig_lines(self.port, "-y", f"hmac-sha256:{KEY}:{SECRET}", "other.test.", "AXFR")
        self.assertEqual([line for line in lines if "\tTSIG\t" not in line], [])
        good = signed(build_query("other.test.", "AXFR"), KEY, SECRET, int(time.time()))
        self.assertEqual([m.rcode for m in tcp_messages(self.port, good)], ["REFUSED"])

    def test_ixfr_over_udp_is_refused_signed_or_not(self):
        # Transfers are offered over TCP only: the UDP workers answer queries and nothing else
        # (no lock, no allocation, no log line per packet), so a flood of UDP IXFR costs what
        # any refused query costs. RFC 1995 §2 lets a server answer IXFR over UDP; it need not.
        kdig = dnstest.require_tool("kdig")
        proc = dnstest._run([kdig, "@127.0.0.1", "-p", str(self.port), "+notcp", "-y",
                             f"hmac-sha256:{KEY}:{SECRET}", "IXFR=40", ZONE], 30)
        self.assertIn("REFUSED", proc.stdout + proc.stderr, proc.stdout + proc.stderr)
        reply = dnstest.udp_exchange(self.port, build_query(ZONE, "IXFR"))
        self.assertEqual(parse_message(reply).rcode, "REFUSED")

    def test_an_incoming_notify_is_refused_signed_or_not_and_changes_nothing(self):
        # dnsd is a primary only: a NOTIFY (RFC 1996) to it, even signed with a key that may
        # transfer the zone, is REFUSED over UDP and TCP, and the zone's serial stays.
        notify = build_query(ZONE, "SOA", opcode=4, flags=["aa"])
        for request in (notify, signed(notify, KEY, SECRET, int(time.time()))):
            reply = parse_message(dnstest.udp_exchange(self.port, request))
            self.assertEqual((reply.rcode, reply.answer), ("REFUSED", []))
            replies = tcp_messages(self.port, request)
            self.assertEqual([m.rcode for m in replies], ["REFUSED"])
        soa = dnstest.dig(self.port, ZONE, "SOA")
        self.assertEqual(soa.answer[0].rdata.split()[2], "42")

    def test_axfr_over_udp_is_not_a_transfer(self):
        reply = dnstest.udp_exchange(self.port, build_query(ZONE, "AXFR"))
        self.assertIsNotNone(reply)
        self.assertEqual(parse_message(reply).rcode, "NOTIMP")  # RFC 5936 §4.2, as Knot
        self.assertEqual(parse_message(reply).answer, [])

    def test_stalled_clients_hold_at_most_max_transfers_and_queries_keep_being_answered(self):
        request = signed(build_query(ZONE, "AXFR"), KEY, SECRET, int(time.time()))
        stalled = []
        for _ in range(MAX_TRANSFERS):
            conn = stalling_connection(self.port)
            conn.sendall(len(request).to_bytes(2, "big") + request)
            stalled.append(conn)  # never read: the transfer blocks on a full socket
        try:
            started = time.monotonic()
            refused = 0
            for _ in range(20):
                messages = tcp_messages(self.port, request, deadline_s=10)
                refused += messages[0].rcode == "REFUSED"
            self.assertGreaterEqual(refused, 18)
            self.assertLess(time.monotonic() - started, 10, "refusals must come at once")
            self.assertEqual(dnstest.dig(self.port, "www.example.test.", "A").rcode, "NOERROR")
            self.assertEqual(dnstest.dig(self.port, "www.example.test.", "A", tcp=True).rcode,
                             "NOERROR")
        finally:
            for conn in stalled:
                conn.close()
        # Once the stalled ones are closed (or timed out), a transfer goes through again.
        dnstest.wait_until(15, lambda: tcp_messages(self.port, signed(
            build_query(ZONE, "AXFR"), KEY, SECRET, int(time.time())))[0].rcode == "NOERROR",
            "a transfer slot to come free")

    def test_a_client_that_stops_reading_is_closed_within_the_write_timeout(self):
        request = signed(build_query(ZONE, "AXFR"), KEY, SECRET, int(time.time()))
        conn = stalling_connection(self.port)
        conn.sendall(len(request).to_bytes(2, "big") + request)
        try:
            self.assertEqual(dnstest.dig(self.port, "www.example.test.", "A").rcode, "NOERROR")
            log = self.dnsd.stderr_path
            dnstest.wait_until(20, lambda: "not completed" in log.read_text(errors="replace"),
                               "the stalled transfer to be closed and logged")
        finally:
            conn.close()


class KnotSecondary(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dnsd = dnstest.Dnsd(ZONES_TOML, extra_server=f"max_transfers = {MAX_TRANSFERS}")
        zone_file(cls.dnsd.dir)
        (cls.dnsd.dir / "xfr.secret").write_text(SECRET + "\n")
        write_algorithm_secrets(cls.dnsd)
        cls.own(cls.dnsd).start()
        knot = dnstest.Knotd({})
        text = knot.config.read_text()
        text = text.replace("zone:\n", (
            f"key:\n  - id: {KEY}\n    algorithm: hmac-sha256\n    secret: {SECRET}\n"
            f"remote:\n  - id: primary\n    address: 127.0.0.1@{cls.dnsd.port}\n"
            f"    key: {KEY}\n"
            f"zone:\n  - domain: {ZONE}\n    master: primary\n"))
        knot.config.write_text(text)
        cls.knot = cls.own(knot)
        cls.knot.start()  # ready: it answers the SOA of example.test, i.e. the AXFR is done

    def test_axfr_over_udp_is_answered_as_knot_answers_it(self):
        ours = parse_message(dnstest.udp_exchange(self.dnsd.port, build_query(ZONE, "AXFR")))
        knots = parse_message(dnstest.udp_exchange(self.knot.port, build_query(ZONE, "AXFR")))
        self.assertEqual((ours.rcode, ours.answer), (knots.rcode, knots.answer))

    def test_knot_transfers_the_zone_with_tsig_and_serves_it(self):
        answer = dnstest.dig(self.knot.port, "www.example.test.", "A")
        self.assertEqual(answer.rcode, "NOERROR")
        self.assertEqual([rr.rdata for rr in answer.answer], ["192.0.2.80"])
        soa = dnstest.dig(self.knot.port, ZONE, "SOA")
        self.assertIn(" 42 ", soa.answer[0].rdata)
        txt = dnstest.dig(self.knot.port, f"r{RECORDS - 1}.{ZONE}", "TXT")
        self.assertEqual(len(txt.answer), 1)
        self.assertIn("AXFR example.test. from 127.0.0.1 key xfr-key.example.: full zone",
                      self.dnsd.stderr_path.read_text(errors="replace"))


if __name__ == "__main__":
    dnstest.main()
