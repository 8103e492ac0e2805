# Zone transfers, bad input and faults (issue 11): AXFR and IXFR with no key, an unknown key,
# a spoiled MAC, a time outside the fudge; MACs truncated below what RFC 8945 §5.2.2.1 allows;
# TSIG records cut short or with lying lengths; IXFR from a serial ahead of ours; 100 transfer
# requests at once while queries are timed; idle and half-sent connections. Each must end in a
# clear answer or a bounded wait, queries keep being answered, and no secret reaches the log.
from __future__ import annotations

import base64
import socket
import struct
import sys
import threading
import time
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from dnswire import build_query, parse_message  # noqa: E402
from xfr_client import (ixfr_query, read_message, response_mac_ok, sign_request,  # noqa: E402
                        signed, tsig_of)

KEY = "xfr-key.example."
SECRET = "ZmF1bHRzZmF1bHRzZmF1bHRzZmF1bHRzZmF1bHRzMTI="
WRONG_SECRET = "d3Jvbmd3cm9uZ3dyb25nd3Jvbmd3cm9uZ3dyb25nMTI="
ZONE = "example.test."
SERIAL = 42
RECORDS = 5000  # about 750 kB of TXT: a transfer takes a while, 100 of them far longer
ZONE_RECORDS = RECORDS + 5  # SOA, NS, ns1 A, www A, the TXT records, SOA again
MAX_TRANSFERS = 10  # the default
IDLE_TIMEOUT_S = 3
QUERY_DEADLINE_S = 1.0  # every query during the faults is answered within this

ZONES_TOML = f"""
[[key]]
name = "{KEY}"
secret_file = "xfr.secret"

[[zone]]
name = "{ZONE}"
file = "example.test.zone"
[[zone.transfer]]
key = "{KEY}"
"""


def zone_file(directory: Path) -> None:
    lines = [f"$ORIGIN {ZONE}", "$TTL 300",
             f"@ SOA ns1.example.test. hostmaster.example.test. {SERIAL} 3600 600 86400 300",
             "@ NS ns1", "ns1 A 192.0.2.53", "www A 192.0.2.80"]
    lines += [f'r{i} TXT "record {i} of the fault test {"x" * 100}"' for i in range(RECORDS)]
    (directory / "example.test.zone").write_text("\n".join(lines) + "\n")


def exchange(port: int, request: bytes, deadline_s: float = 10) -> tuple:
    """Sends one request on a new connection and reads until the server closes it (the
    transfer thread closes after its last message). Returns (raw messages, closed)."""
    out = []
    end = time.monotonic() + deadline_s
    with socket.create_connection(("127.0.0.1", port), timeout=deadline_s) as conn:
        conn.sendall(len(request).to_bytes(2, "big") + request)
        while time.monotonic() < end:
            conn.settimeout(max(0.01, end - time.monotonic()))
            try:
                raw = read_message(conn)
            except (socket.timeout, ConnectionError):
                return out, False
            if raw is None:
                return out, True
            out.append(raw)
    return out, False


def timed_query(port: int, tcp: bool) -> tuple:
    """(seconds, rcode or None) of one query for www.example.test A, with our deadline."""
    query = build_query("www.example.test.", "A")
    started = time.monotonic()
    try:
        reply = (dnstest.tcp_exchange if tcp else dnstest.udp_exchange)(
            port, query, timeout_s=QUERY_DEADLINE_S)
    except OSError:
        reply = None
    return time.monotonic() - started, parse_message(reply).rcode if reply else None


class QueryClock:
    """A thread that keeps asking UDP and TCP queries in turn while a fault runs, and records
    how long each took; a query unanswered within QUERY_DEADLINE_S is recorded as None."""

    def __init__(self, port: int):
        self.port = port
        self.results = []  # (transport, seconds, rcode or None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        tcp = False
        while not self._stop.is_set():
            seconds, rcode = timed_query(self.port, tcp)
            self.results.append(("tcp" if tcp else "udp", seconds, rcode))
            tcp = not tcp

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(QUERY_DEADLINE_S * 3)

    def worst(self) -> float:
        return max(seconds for _, seconds, _ in self.results)

    def check(self, test: unittest.TestCase, what: str) -> None:
        failed = [r for r in self.results if r[2] != "NOERROR"]
        test.assertGreater(len(self.results), 4, f"too few queries measured during {what}")
        test.assertEqual(failed, [], f"queries not answered NOERROR in time during {what}")
        test.assertLess(self.worst(), QUERY_DEADLINE_S)
        print(f"# {what}: {len(self.results)} queries (UDP and TCP in turn), worst "
              f"{self.worst() * 1000:.1f} ms", file=sys.stderr)


class TransferFaults(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dnsd = dnstest.Dnsd(ZONES_TOML, tcp_idle_timeout=f"{IDLE_TIMEOUT_S}s",
                                tcp_max_connections=256,
                                # 100 requests at once from 127.0.0.1: above the default
                                # per-client limit (32), which would close some unanswered.
                                extra_server=f"max_transfers = {MAX_TRANSFERS}\n"
                                "tcp_max_connections_per_client = 256")
        zone_file(cls.dnsd.dir)
        (cls.dnsd.dir / "xfr.secret").write_text(SECRET + "\n")
        cls.own(cls.dnsd).start()
        cls.port = cls.dnsd.port

    def tearDown(self):
        self.assertAlive(self.dnsd)
        self.assertEqual(dnstest.dig(self.port, "www.example.test.", "A").rcode, "NOERROR")
        self.assertEqual(dnstest.dig(self.port, "www.example.test.", "A", tcp=True).rcode,
                         "NOERROR")
        log = self.dnsd.stderr_path.read_text(errors="replace")
        for secret in (SECRET, WRONG_SECRET):
            for form in (secret, base64.b64decode(secret).hex()):
                self.assertNotIn(form.lower(), log.lower(), "a secret in dnsd's log")

    # ------------------------------------------------------------------------------------
    # Helpers

    def one_error(self, request: bytes, rcode: str, logged: str | None = None) -> bytes:
        """The request gets one message with `rcode` and no records, then the connection
        closes; returns that message. With `logged`, dnsd must log that line once more."""
        log = self.dnsd.stderr_path
        before = log.read_text(errors="replace").count(logged) if logged else 0
        messages, closed = exchange(self.port, request)
        if logged:
            dnstest.wait_until(10, lambda: log.read_text(errors="replace").count(logged) > before,
                               f"dnsd to log {logged!r}")
        self.assertEqual([parse_message(m).rcode for m in messages], [rcode])
        self.assertEqual(parse_message(messages[0]).answer, [], "transfer data in an error")
        self.assertTrue(closed, "the connection stays open after the error")
        return messages[0]

    def assert_whole_zone(self, messages: list) -> None:
        answers = [rr for m in messages for rr in parse_message(m).answer]
        self.assertEqual(len(answers), ZONE_RECORDS)
        self.assertEqual((answers[0].type, answers[-1].type), ("SOA", "SOA"))

    def requests(self, qtype: str) -> bytes:
        return build_query(ZONE, "AXFR") if qtype == "AXFR" else ixfr_query(ZONE, SERIAL - 2)

    # ------------------------------------------------------------------------------------
    # Keys, MACs and times

    def test_without_a_key_the_wrong_key_a_bad_mac_or_time_axfr_and_ixfr_are_refused(self):
        now = int(time.time())
        for qtype in ("AXFR", "IXFR"):
            # Each refusal is one log line: the zone, the client, the key's name, the TSIG error.
            def logged(key: str, verdict: str) -> str:
                return f"dnsd: {qtype} {ZONE} from 127.0.0.1 key {key}: {verdict}"
            with self.subTest(qtype, case="no key"):
                reply = self.one_error(self.requests(qtype), "REFUSED",
                                       logged("none", "REFUSED"))
                self.assertIsNone(tsig_of(reply), "an unsigned request gets an unsigned answer")
            with self.subTest(qtype, case="unknown key"):
                reply = self.one_error(signed(self.requests(qtype), "other.example.", SECRET),
                                       "NOTAUTH", logged("other.example.", "TSIG error (BADKEY)"))
                tsig = tsig_of(reply)
                self.assertEqual((tsig.error_text, tsig.mac, tsig.key),
                                 ("BADKEY", b"", "other.example."))  # §5.3.2: unsigned
            with self.subTest(qtype, case="wrong secret"):
                reply = self.one_error(signed(self.requests(qtype), KEY, WRONG_SECRET), "NOTAUTH",
                                       logged(KEY, "TSIG error (BADSIG)"))
                self.assertEqual((tsig_of(reply).error_text, tsig_of(reply).mac), ("BADSIG", b""))
            with self.subTest(qtype, case="MAC bytes flipped"):
                request = sign_request(self.requests(qtype), KEY, SECRET,
                                       spoil=lambda mac: bytes(b ^ 0xff for b in mac[:4]) + mac[4:])
                reply = self.one_error(request.message, "NOTAUTH",
                                       logged(KEY, "TSIG error (BADSIG)"))
                tsig = tsig_of(reply)
                self.assertEqual((tsig.error_text, tsig.mac, tsig.key),
                                 ("BADSIG", b"", KEY))
            for skew in (-3600, 3600):
                with self.subTest(qtype, case=f"time {skew:+} s"):
                    request = sign_request(self.requests(qtype), KEY, SECRET, now + skew)
                    reply = self.one_error(request.message, "NOTAUTH",
                                           logged(KEY, "TSIG error (BADTIME)"))
                    tsig = tsig_of(reply)
                    self.assertEqual(tsig.error_text, "BADTIME")
                    # §5.2.3: signed, the request's time echoed, ours in Other Data.
                    self.assertTrue(response_mac_ok(reply, request.mac, SECRET))
                    self.assertEqual(tsig.time_signed, now + skew)
                    self.assertEqual(len(tsig.other), 6)
                    self.assertLess(abs(int.from_bytes(tsig.other, "big") - time.time()), 60)

    def test_a_mac_shorter_than_rfc_8945_allows_or_longer_than_the_digest_is_formerr(self):
        # §5.2.2.1: a MAC Size above the digest size, or below max(10, half of it) (16 bytes for
        # hmac-sha256), "MUST cause the DNS message to be dropped and RCODE 1 (FORMERR) to be
        # returned": FORMERR, no TSIG RR, no transfer.
        for size in (0, 1, 10, 15, 33, 64):
            with self.subTest(mac_size=size):
                request = sign_request(build_query(ZONE, "AXFR"), KEY, SECRET,
                                       spoil=lambda mac: (mac * 2)[:size])
                self.assertIsNone(tsig_of(self.one_error(request.message, "FORMERR")))

    def test_a_truncation_rfc_8945_allows_but_our_policy_does_not_is_badtrunc_signed(self):
        # §5.2.4: 16 to 31 bytes of an hmac-sha256 MAC verify as truncated MACs; the key accepts
        # the full digest only, so BADTRUNC, signed over the truncated request MAC (§5.2.2.1).
        for size in (16, 31):
            with self.subTest(mac_size=size):
                request = sign_request(build_query(ZONE, "AXFR"), KEY, SECRET,
                                       spoil=lambda mac: mac[:size])
                reply = self.one_error(
                    request.message, "NOTAUTH",
                    f"dnsd: AXFR {ZONE} from 127.0.0.1 key {KEY}: TSIG error (BADTRUNC)")
                self.assertEqual(tsig_of(reply).error_text, "BADTRUNC")
                self.assertTrue(response_mac_ok(reply, request.mac, SECRET))
        # A truncated MAC that is wrong is BADSIG: the MAC is checked before the truncation.
        request = sign_request(build_query(ZONE, "AXFR"), KEY, SECRET,
                               spoil=lambda mac: bytes(16))
        self.assertEqual(tsig_of(self.one_error(request.message, "NOTAUTH")).error_text, "BADSIG")

    # ------------------------------------------------------------------------------------
    # Malformed TSIG records

    def test_a_tsig_record_cut_short_or_with_lying_lengths_is_formerr_never_a_transfer(self):
        request = sign_request(build_query(ZONE, "AXFR"), KEY, SECRET, other=b"\x00\x01" * 3)
        whole = request.message
        key_size = len(KEY) + 1
        cuts = {
            "no TSIG bytes at all (ARCOUNT says one)": request.tsig_at,
            "inside the key name": request.tsig_at + 4,
            "inside TYPE and CLASS": request.tsig_at + key_size + 3,
            "before RDLENGTH": request.rdlength_at,
            "inside the algorithm name": request.algorithm_at + 5,
            "inside Time Signed": request.mac_size_at - 5,
            "inside MAC Size": request.mac_size_at + 1,
            "inside the MAC": request.mac_size_at + 2 + 12,
            "inside Original ID and Error": request.other_size_at - 3,
            "inside Other Len": request.other_size_at + 1,
            "inside Other Data": request.other_size_at + 2 + 3,
            "one byte short": len(whole) - 1,
        }
        cases = {f"cut {where}": whole[:at] for where, at in cuts.items()}
        rdlength = struct.unpack("!H", whole[request.rdlength_at:request.rdlength_at + 2])[0]

        def with_u16(at: int, value: int, tail: bytes = b"") -> bytes:
            return whole[:at] + struct.pack("!H", value) + whole[at + 2:] + tail
        for lie in (rdlength - 1, rdlength + 1, 0, 0xffff):
            cases[f"RDLENGTH {lie} for {rdlength}"] = with_u16(request.rdlength_at, lie)
        cases["RDLENGTH covering 4 bytes more, which follow"] = with_u16(
            request.rdlength_at, rdlength + 4, b"\x00" * 4)
        cases["MAC Size 40 for 32 bytes"] = with_u16(request.mac_size_at, 40)
        cases["MAC Size 0xffff"] = with_u16(request.mac_size_at, 0xffff)
        cases["Other Len 7 for 6 bytes"] = with_u16(request.other_size_at, 7)
        cases["Other Len 5 for 6 bytes"] = with_u16(request.other_size_at, 5)
        cases["two TSIG records"] = (whole[:10] + struct.pack("!H", 2) + whole[12:] +
                                     whole[request.tsig_at:])
        for case, message in cases.items():
            with self.subTest(case):
                reply = self.one_error(message, "FORMERR")
                self.assertEqual(parse_message(reply).counts[3], 0, "a TSIG RR on FORMERR")
                self.assertEqual(dnstest.dig(self.port, "www.example.test.", "A").rcode,
                                 "NOERROR")
        # The untouched request still transfers: the cuts, not the request, were refused.
        messages, closed = exchange(self.port, whole, deadline_s=30)
        self.assert_whole_zone(messages)

    # ------------------------------------------------------------------------------------
    # IXFR from a serial ahead of ours

    def test_ixfr_from_a_serial_ahead_of_ours_is_our_soa_alone(self):
        # RFC 1995 §2: "the same or newer version number" than ours gets "a single SOA record
        # of the server's current version". Newer in serial arithmetic (RFC 1982): up to
        # 2^31 - 1 ahead; 2^31 + 1 ahead wraps round to behind, which is the whole zone.
        for ahead in (0, 1, 1000, 2**31 - 1):
            with self.subTest(ahead=ahead):
                request = sign_request(ixfr_query(ZONE, SERIAL + ahead), KEY, SECRET)
                messages, closed = exchange(self.port, request.message)
                self.assertEqual(len(messages), 1)
                reply = parse_message(messages[0])
                self.assertEqual(reply.rcode, "NOERROR")
                self.assertEqual([(rr.type, rr.rdata.split()[2]) for rr in reply.answer],
                                 [("SOA", str(SERIAL))])
                self.assertEqual(reply.counts[1:3], (1, 0))
                self.assertTrue(response_mac_ok(messages[0], request.mac, SECRET))
                self.assertTrue(closed)
        messages, _ = exchange(self.port, signed(ixfr_query(ZONE, SERIAL + 2**31 + 1), KEY,
                                                 SECRET), deadline_s=30)
        self.assert_whole_zone(messages)

    # ------------------------------------------------------------------------------------
    # Load and idle clients

    def test_100_transfer_requests_at_once_get_the_zone_or_refused_and_queries_flow(self):
        outcomes = [None] * 100
        start = threading.Barrier(len(outcomes))

        def transfer(i: int):
            request = signed(build_query(ZONE, "AXFR"), KEY, SECRET)
            try:
                start.wait(10)
                outcomes[i] = read_transfer(self.port, request)
            except Exception as error:  # recorded, asserted below
                outcomes[i] = ("error", repr(error))

        threads = [threading.Thread(target=transfer, args=(i,), daemon=True)
                   for i in range(len(outcomes))]
        with QueryClock(self.port) as clock:
            for thread in threads:
                thread.start()
            end = time.monotonic() + 60
            for thread in threads:
                thread.join(max(0.0, end - time.monotonic()))
        hung = sum(thread.is_alive() for thread in threads)
        self.assertEqual(hung, 0, "transfer requests without an outcome after 60 s")
        whole = sum(o == ("zone", ZONE_RECORDS) for o in outcomes)
        refused = sum(o[0] == "REFUSED" for o in outcomes)
        self.assertEqual(whole + refused, len(outcomes),
                         [o for o in outcomes if o != ("zone", ZONE_RECORDS) and o[0] != "REFUSED"])
        self.assertGreaterEqual(whole, 1)
        self.assertGreaterEqual(refused, 1, "100 at once, 10 slots: some must be refused")
        print(f"# 100 transfer requests at once: {whole} whole zones, {refused} REFUSED",
              file=sys.stderr)
        clock.check(self, "100 transfer requests at once")

    def test_idle_and_half_sent_connections_are_closed_within_the_idle_timeout(self):
        request = signed(build_query(ZONE, "AXFR"), KEY, SECRET)
        framed = len(request).to_bytes(2, "big") + request
        sends = {"nothing": b"", "one byte of the length": framed[:1],
                 "the length only": framed[:2], "half the request": framed[:len(framed) // 2],
                 "all but one byte": framed[:-1]}
        with QueryClock(self.port) as clock:
            conns = {}
            for what, data in sends.items():
                conn = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                conn.sendall(data)
                conns[what] = (conn, time.monotonic())
            try:
                for what, (conn, sent) in conns.items():
                    with self.subTest(what):
                        conn.settimeout(IDLE_TIMEOUT_S + 3)
                        try:
                            self.assertEqual(conn.recv(1), b"", "an answer to a partial request")
                        except ConnectionResetError:
                            pass
                        except socket.timeout:
                            self.fail(f"{what}: still open {IDLE_TIMEOUT_S + 3} s later")
                        self.assertLess(time.monotonic() - sent, IDLE_TIMEOUT_S + 1.5)
            finally:
                for conn, _ in conns.values():
                    conn.close()
        clock.check(self, "idle and half-sent connections")

    def test_a_finished_transfer_keeps_its_connection_only_until_the_idle_timeout(self):
        # A secondary may ask again on the same connection (Knot asks SOA, then IXFR), so the
        # connection stays open after the last message, but only for the idle timeout.
        started = time.monotonic()
        messages, closed = exchange(self.port, signed(build_query(ZONE, "AXFR"), KEY, SECRET),
                                    deadline_s=IDLE_TIMEOUT_S + 3)
        self.assertTrue(closed)
        self.assertLess(time.monotonic() - started, IDLE_TIMEOUT_S + 3)
        self.assert_whole_zone(messages)


def read_transfer(port: int, request: bytes) -> tuple:
    """("zone", records) when the server sent a sequence and closed, (rcode,) otherwise.
    Reads headers only (100 of these run at once): the record count is the sum of ANCOUNTs,
    and the first and last messages must hold the SOA."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(len(request).to_bytes(2, "big") + request)
        records, first, last = 0, None, None
        while True:
            raw = read_message(conn)
            if raw is None:
                break
            if raw[3] & 0x0f:
                return (parse_message(raw).rcode,)
            records += struct.unpack("!H", raw[6:8])[0]
            first, last = first or raw, raw
    if first is None:
        return ("closed without an answer",)
    if parse_message(first).answer[0].type != "SOA" or parse_message(last).answer[-1].type != "SOA":
        return ("no SOA at the ends", records)
    return ("zone", records)


if __name__ == "__main__":
    dnstest.main()
