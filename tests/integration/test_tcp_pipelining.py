# Pipelined DNS over TCP (RFC 7766 §6.2.1.1) against the real dnsd, which reads what the kernel
# holds in one go, answers every whole query in it and writes the answers in one call (issue 17):
# every query is answered, in order, whatever the split of the byte stream; a batch larger than
# one read buffer; answers too large for the socket's buffer, completed while the client reads
# them slowly; and the batching itself, seen from the kernel's count of the segments dnsd sent.
# No timing assertions; every wait has a deadline.
from __future__ import annotations

import socket
import struct
import subprocess
import sys
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from dnswire import TcpConn, build_query, parse_message  # noqa: E402

ZONE = "example.test."
HOSTS = 50
BIG_TXT = 60  # TXT strings at big.example.test: an answer of about 15 kB

ZONES_TOML = f"""
[[zone]]
name = "{ZONE}"
file = "example.test.zone"
"""


def zone_file(directory: Path) -> None:
    lines = [f"$ORIGIN {ZONE}", "$TTL 300",
             f"@ SOA ns1.{ZONE} hostmaster.{ZONE} 1 3600 600 86400 300",
             "@ NS ns1", "ns1 A 192.0.2.53"]
    lines += [f"host-{i} A 10.0.{i // 256}.{i % 256}" for i in range(HOSTS)]
    lines += [f'big TXT "{i:03d} {"y" * 240}"' for i in range(BIG_TXT)]
    (directory / "example.test.zone").write_text("\n".join(lines) + "\n")


def framed(message: bytes) -> bytes:
    return struct.pack("!H", len(message)) + message


def mixed_queries(count: int, first_id: int) -> list:
    """(id, qname, expected rcode): names that exist, and every fifth one that does not."""
    out = []
    for i in range(count):
        if i % 5 == 4:
            out.append((first_id + i, f"nx-{i}.{ZONE}", "NXDOMAIN"))
        else:
            out.append((first_id + i, f"host-{i % HOSTS}.{ZONE}", "NOERROR"))
    return out


def server_data_segments(port: int, client_port: int) -> int:
    """Data segments dnsd's side of one connection has sent (the kernel's count, via ss)."""
    out = subprocess.run(["ss", "-tinH", "state", "established", "sport", "=", f":{port}",
                          "dport", "=", f":{client_port}"],
                         capture_output=True, text=True, timeout=20).stdout
    for field in out.split():
        if field.startswith("data_segs_out:"):
            return int(field.split(":", 1)[1])
    raise AssertionError(f"no data_segs_out for the connection in: {out!r}")


class TcpPipelining(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dnsd = dnstest.Dnsd(ZONES_TOML, tcp_idle_timeout="10s")
        zone_file(cls.dnsd.dir)
        cls.own(cls.dnsd).start()
        cls.port = cls.dnsd.port

    def tearDown(self):
        self.assertAlive(self.dnsd)

    def check_in_order(self, conn: TcpConn, expected: list) -> None:
        for n, (qid, qname, rcode) in enumerate(expected):
            data = conn.recv()
            self.assertIsNotNone(data, f"connection closed after {n} of {len(expected)} answers")
            response = parse_message(data)
            self.assertEqual(response.id, qid, f"answer {n} out of order")
            self.assertEqual(response.rcode, rcode, qname)
            self.assertEqual(response.question[0][0].lower(), qname.lower())

    def test_a_hundred_pipelined_queries_in_one_write_are_all_answered_in_order(self):
        expected = mixed_queries(100, 0x1000)
        with TcpConn(self.port, timeout_s=10) as conn:
            conn.send(*(build_query(qname, "A", qid=qid) for qid, qname, _ in expected))
            self.check_in_order(conn, expected)

    def test_queries_split_anywhere_in_the_stream_are_all_answered_in_order(self):
        # Cut points inside the length prefix, inside a message, and right after one.
        expected = mixed_queries(30, 0x2000)
        stream = b"".join(framed(build_query(qname, "A", qid=qid)) for qid, qname, _ in expected)
        with TcpConn(self.port, timeout_s=10) as conn:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            at, step = 0, 1
            while at < len(stream):
                conn.send_raw(stream[at:at + step])
                at += step
                step = step % 53 + 7  # 1, 8, 15, ...: lands on every offset of a frame in turn
            self.check_in_order(conn, expected)

    def test_a_batch_larger_than_the_read_buffer_is_all_answered_in_order(self):
        # About 90 kB of queries in one write: more than one read of 64 kB, and answers
        # beyond what one write takes.
        expected = mixed_queries(2500, 0)
        queries = [build_query(qname, "A", qid=qid) for qid, qname, _ in expected]
        with TcpConn(self.port, timeout_s=20) as conn:
            conn.send(*queries)
            self.check_in_order(conn, expected)

    def test_answers_too_large_for_the_socket_buffer_are_completed_for_a_slow_reader(self):
        q = build_query(f"big.{ZONE}", "TXT", qid=0x3333)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(10)
            sock.connect(("127.0.0.1", self.port))
            sock.sendall(framed(q) * 20)  # about 300 kB of answers, written as we read
            data = b""
            answers = 0
            while answers < 20:
                chunk = sock.recv(1000)  # small reads: dnsd's writes stop and resume
                self.assertTrue(chunk, f"connection closed after {answers} answers")
                data += chunk
                while len(data) >= 2 and len(data) >= 2 + struct.unpack("!H", data[:2])[0]:
                    size = struct.unpack("!H", data[:2])[0]
                    response = parse_message(data[2:2 + size])
                    self.assertEqual((response.id, len(response.answer)), (0x3333, BIG_TXT))
                    data = data[2 + size:]
                    answers += 1
            self.assertEqual(data, b"")

    def test_pipelined_answers_leave_in_one_write(self):
        # 100 queries arrive in one segment, so dnsd reads them at once; their answers (about
        # 6 kB, below loopback's segment size) then go out in one segment. Answering them one
        # write each sent about one segment per answer.
        expected = mixed_queries(100, 0x4000)
        with TcpConn(self.port, timeout_s=10) as conn:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # One answered query first: the connection is accepted and served before the batch.
            conn.send(build_query(f"host-1.{ZONE}", "A", qid=1))
            self.assertEqual(parse_message(conn.recv()).id, 1)
            before = server_data_segments(self.port, conn.sock.getsockname()[1])
            conn.send(*(build_query(qname, "A", qid=qid) for qid, qname, _ in expected))
            self.check_in_order(conn, expected)
            sent = server_data_segments(self.port, conn.sock.getsockname()[1]) - before
        print(f"# 100 pipelined answers: {sent} data segments from dnsd", file=sys.stderr)
        self.assertLessEqual(sent, 5, "pipelined answers were not written together")


if __name__ == "__main__":
    dnstest.main()
