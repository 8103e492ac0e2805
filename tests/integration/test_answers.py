#!/usr/bin/env python3
# Answers of a real dnsd, asked by real clients (dig, kdig) and by raw sockets: the table in
# cases.py, then TCP framing/pipelining/idle/cap, CHAOS off, the TOML-only zone and IPv6.
# DNSD_IT_TARGET=knot runs the same suite against knotd to validate the harness itself.
import re
import socket
import sys
import time
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases  # noqa: E402
import dnstest  # noqa: E402
from cases import WWW_A, Z  # noqa: E402
from dnstest import TcpConn, build_query, parse_message, wait_until  # noqa: E402

IDLE_TIMEOUT_S = 2.0     # tcp_idle_timeout in the test config
MAX_CONNECTIONS = 16     # tcp_max_connections in the test config
KIND = dnstest.target_kind()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60]


class AnswerTable(dnstest.ServerTestCase):
    """One test per case of cases.ALL_CASES, asked with dig (or raw bytes) over UDP/TCP."""

    @classmethod
    def setUpClass(cls):
        cls.server = cls.own(dnstest.start_target())

    def run_table_case(self, case: cases.Case):
        case = case.for_target(KIND)
        resp = cases.run_case(case, self.server.port)
        found = cases.problems(case, resp)
        if found:
            self.fail(f"{case.name}: {case.qname} {case.qclass} {case.qtype}\n  - "
                      + "\n  - ".join(found) + f"\n--- response ---\n{resp}")
        if case.reply != "yes":
            # Whatever it did with the bad packet, the server must still answer.
            self.assertAlive(self.server)
            after = dnstest.dig(self.server.port, f"www.{Z}", "A")
            self.assertEqual(after.rcode, "NOERROR", f"server unhealthy after {case.name}")


for _i, _case in enumerate(cases.ALL_CASES):
    def _make(c):
        return lambda self: self.run_table_case(c)
    setattr(AnswerTable, f"test_{_i:03d}_{_slug(_case.name)}", _make(_case))


class KdigOverTcp(dnstest.ServerTestCase):
    """The plain cases again, asked by kdig over TCP (a second client, a second transport)."""

    @classmethod
    def setUpClass(cls):
        cls.server = cls.own(dnstest.start_target())

    def test_plain_cases_over_tcp_with_kdig(self):
        plain = [c for c in cases.ZONE_CASES
                 if not c.options and not c.tcp and c.raw is None and c.check is None
                 and "tc" not in c.flags]
        self.assertGreater(len(plain), 40)
        for case in plain:
            with self.subTest(case=case.name):
                case = case.for_target(KIND)
                resp = dnstest.kdig(self.server.port, case.qname, case.qtype, "+edns=0",
                                    qclass=case.qclass, rd=case.rd, tcp=True)
                found = cases.problems(case, resp)
                self.assertEqual(found, [], f"{case.name}\n{resp}")


class TcpBehaviour(dnstest.ServerTestCase):
    """RFC 7766: framing, pipelining, idle timeout, and a connection cap that keeps serving."""

    @classmethod
    def setUpClass(cls):
        cls.server = cls.own(dnstest.start_target())

    def _answer_ok(self, data, qname, rdata):
        self.assertIsNotNone(data, f"no answer for {qname}")
        resp = parse_message(data)
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertEqual([r.rdata for r in resp.answer], [rdata], str(resp))
        self.assertEqual(resp.question[0][0].lower(), qname.lower())
        return resp

    def test_pipelined_queries_on_one_connection(self):
        queries = {0x1001: (f"www.{Z}", "192.0.2.80"), 0x1002: (f"mail.{Z}", "192.0.2.25"),
                   0x1003: (f"ns1.{Z}", "192.0.2.53"), 0x1004: (f"sipserver.{Z}", "192.0.2.60"),
                   0x1005: (f"MiXeD.{Z}", "192.0.2.90")}
        with TcpConn(self.server.port) as conn:
            conn.send(*[build_query(name, "A", qid=qid) for qid, (name, _) in queries.items()])
            seen = set()
            for _ in queries:
                data = conn.recv()
                self.assertIsNotNone(data, f"connection closed after {len(seen)} answers")
                qid = parse_message(data).id
                self.assertIn(qid, queries)
                self._answer_ok(data, *queries[qid])
                seen.add(qid)
            self.assertEqual(seen, set(queries))

    def test_sequential_queries_reuse_the_connection(self):
        with TcpConn(self.server.port) as conn:
            for i in range(5):
                conn.send(build_query(f"www.{Z}", "A", qid=0x2000 + i))
                resp = self._answer_ok(conn.recv(), f"www.{Z}", "192.0.2.80")
                self.assertEqual(resp.id, 0x2000 + i)

    def test_length_prefix_and_message_split_across_writes(self):
        q = build_query(f"www.{Z}", "A", qid=0x3001)
        framed = len(q).to_bytes(2, "big") + q
        with TcpConn(self.server.port) as conn:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for chunk in (framed[:1], framed[1:7], framed[7:]):
                conn.send_raw(chunk)
            self._answer_ok(conn.recv(), f"www.{Z}", "192.0.2.80")

    def test_truncated_over_udp_is_complete_over_tcp_with_same_id(self):
        q = build_query(f"many.{Z}", "A", qid=0x3100)
        udp = parse_message(dnstest.udp_exchange(self.server.port, q))
        self.assertIn("tc", udp.flags)
        tcp = parse_message(dnstest.tcp_exchange(self.server.port, q))
        self.assertNotIn("tc", tcp.flags)
        self.assertEqual(tcp.id, 0x3100)
        self.assertEqual(len(tcp.answer), cases.MANY_COUNT)

    def test_idle_connection_is_closed_after_the_idle_timeout(self):
        with TcpConn(self.server.port) as conn:
            start = time.monotonic()
            closed = wait_until(IDLE_TIMEOUT_S + 8, lambda: conn.closed_by_peer(0.2),
                                "the server to close an idle TCP connection")
            elapsed = time.monotonic() - start
        self.assertTrue(closed)
        self.assertGreaterEqual(elapsed, IDLE_TIMEOUT_S * 0.5,
                                f"closed after {elapsed:.2f}s, before the {IDLE_TIMEOUT_S}s timeout")

    def test_connection_idle_after_a_query_is_closed(self):
        with TcpConn(self.server.port) as conn:
            conn.send(build_query(f"www.{Z}", "A"))
            self._answer_ok(conn.recv(), f"www.{Z}", "192.0.2.80")
            wait_until(IDLE_TIMEOUT_S + 8, lambda: conn.closed_by_peer(0.2),
                       "the server to close the connection after its last answer")

    def test_more_idle_connections_than_the_cap_do_not_stop_service(self):
        idle = []
        try:
            for _ in range(MAX_CONNECTIONS + 8):
                try:
                    idle.append(TcpConn(self.server.port, timeout_s=1))
                except OSError:
                    break  # refused at the door is fine; service must go on
            # UDP is served at once.
            resp = dnstest.dig(self.server.port, f"www.{Z}", "A")
            self.assertEqual(resp.rcode, "NOERROR")

            # TCP is served again within a bounded time (oldest closed, or idle ones timed out).
            def tcp_served():
                try:
                    data = dnstest.tcp_exchange(self.server.port, build_query(f"www.{Z}", "A"),
                                                timeout_s=1)
                except OSError:
                    return False
                return data is not None and parse_message(data).rcode == "NOERROR"
            wait_until(IDLE_TIMEOUT_S + 8, tcp_served, "a TCP query to be served past the cap")
        finally:
            for c in idle:
                c.close()
        self.assertAlive(self.server)

    def test_garbage_over_tcp_does_not_hurt(self):
        for name, make in cases.GARBAGE.items():
            with self.subTest(garbage=name):
                try:
                    with TcpConn(self.server.port) as conn:
                        conn.send(make())
                        data = conn.recv()
                except OSError:
                    data = None
                if data is not None:
                    self.assertEqual(parse_message(data).rcode, "FORMERR")
        for bad in (b"\x00\x00", b"\x00\x05abc"):  # zero length; length beyond what is sent
            with TcpConn(self.server.port) as conn:
                conn.send_raw(bad)
                conn.sock.shutdown(socket.SHUT_WR)
                try:
                    conn.recv()
                except OSError:
                    pass
        self.assertAlive(self.server)
        self.assertEqual(dnstest.dig(self.server.port, f"www.{Z}", "A", tcp=True).rcode,
                         "NOERROR")

    @unittest.skipUnless(dnstest.HAS_IPV6, "this machine has no ::1")
    def test_ipv6_listener_answers_udp_and_tcp(self):
        for tcp in (False, True):
            resp = dnstest.dig(self.server.port, f"www.{Z}", "A", host="::1", tcp=tcp)
            self.assertEqual(resp.rcode, "NOERROR")
            self.assertEqual([str(r) for r in resp.answer], [WWW_A])

    def test_many_udp_queries_all_answered(self):
        """Several workers share the UDP port; every query gets its own answer. Ten in flight
        at a time stays far below any socket buffer, so nothing may be lost."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(dnstest.QUERY_TIME_S)
            for batch in range(20):
                ids = {0x5000 + batch * 10 + i for i in range(10)}
                for qid in ids:
                    s.sendto(build_query(f"www.{Z}", "A", qid=qid),
                             ("127.0.0.1", self.server.port))
                got = set()
                while got != ids:
                    try:
                        data, _ = s.recvfrom(65535)
                    except socket.timeout:
                        self.fail(f"batch {batch}: no answer for {sorted(ids - got)}")
                    resp = parse_message(data)
                    self.assertEqual((resp.rcode, [r.rdata for r in resp.answer]),
                                     ("NOERROR", ["192.0.2.80"]))
                    got.add(resp.id)


class ChaosOff(dnstest.ServerTestCase):
    """Without chaos_version/chaos_identity, version.bind and id.server are REFUSED."""

    @classmethod
    def setUpClass(cls):
        cls.server = cls.own(dnstest.start_target(chaos=False))

    def test_version_bind_refused(self):
        resp = dnstest.dig(self.server.port, "version.bind.", "TXT", qclass="CH")
        self.assertEqual(resp.rcode, "REFUSED", str(resp))
        self.assertEqual(resp.answer, [])

    def test_id_server_refused(self):
        resp = dnstest.dig(self.server.port, "id.server.", "TXT", qclass="CH")
        self.assertEqual(resp.rcode, "REFUSED", str(resp))
        self.assertEqual(resp.answer, [])

    def test_zone_still_served(self):
        self.assertEqual([str(r) for r in dnstest.dig(self.server.port, f"www.{Z}").answer],
                         [WWW_A])


@unittest.skipIf(KIND == "knot", "other.test is defined in dnsd's TOML only")
class TomlZone(dnstest.ServerTestCase):
    """other.test: a zone written entirely in the TOML (SOA fields, ns list, records)."""
    O = "other.test."

    @classmethod
    def setUpClass(cls):
        cls.server = cls.own(dnstest.start_target())

    def ask(self, qname, qtype="A"):
        return dnstest.dig(self.server.port, qname, qtype)

    def test_record(self):
        resp = self.ask(f"www.{self.O}")
        self.assertEqual((resp.rcode, "aa" in resp.flags), ("NOERROR", True), str(resp))
        self.assertEqual([r.key() for r in resp.answer],
                         [dnstest.rr(f"www.{self.O} 300 IN A 192.0.2.7").key()])

    def test_apex_ns_and_glue(self):
        resp = self.ask(self.O, "NS")
        self.assertEqual([r.key() for r in resp.answer],
                         [dnstest.rr(f"{self.O} 300 IN NS ns1.{self.O}").key()], str(resp))
        self.assertEqual([r.key() for r in resp.additional],
                         [dnstest.rr(f"ns1.{self.O} 300 IN A 127.0.0.1").key()], str(resp))

    def test_nxdomain_negative_ttl_is_the_soa_minimum(self):
        resp = self.ask(f"nx.{self.O}")
        self.assertEqual(resp.rcode, "NXDOMAIN", str(resp))
        self.assertEqual(len(resp.authority), 1, str(resp))
        soa = resp.authority[0]
        self.assertEqual((soa.owner.lower(), soa.type), (self.O, "SOA"))
        # RFC 2308 §5: min(SOA TTL 300 from default_ttl, MINIMUM 60) = 60.
        self.assertEqual(soa.ttl, 60, str(resp))
        mname, rname, serial, *_rest, minimum = soa.rdata.split()
        self.assertEqual((mname, rname, serial, minimum),
                         (f"ns1.{self.O}", f"hostmaster.{self.O}", "1", "60"))

    def test_zones_do_not_leak_into_each_other(self):
        resp = self.ask(f"mail.{self.O}")  # exists in example.test only
        self.assertEqual(resp.rcode, "NXDOMAIN", str(resp))


class CheckConfig(unittest.TestCase):
    """dnsd --check-config on the test config: exit 0, and a broken one names file:line: key."""

    @unittest.skipIf(KIND == "knot", "dnsd command line")
    def test_good_config_passes(self):
        d = dnstest.Dnsd('[[zone]]\nname = "example.test."\nfile = "example.test.zone"\n',
                         [dnstest.EXAMPLE_ZONE])
        try:
            proc = d.check_config()
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        finally:
            d.cleanup()

    @unittest.skipIf(KIND == "knot", "dnsd command line")
    def test_unknown_key_is_an_error_with_file_line_key(self):
        d = dnstest.Dnsd('[[zone]]\nname = "example.test."\nfile = "example.test.zone"\n'
                         'colour = "blue"\n', [dnstest.EXAMPLE_ZONE])
        try:
            proc = d.check_config()
            self.assertNotEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            text = proc.stdout + proc.stderr
            self.assertRegex(text, r"dnsd\.toml:\d+: \S*colour\S*: ", text)
        finally:
            d.cleanup()


if __name__ == "__main__":
    dnstest.main()
