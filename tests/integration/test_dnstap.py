#!/usr/bin/env python3
# dnstap query logging (issue 15) against the real dnsd, read back with Debian's own tools:
# fstrm_capture (fstrm-bin) reads the Frame Streams unix socket, dnstap-ldns decodes what it
# wrote, or the file dnsd wrote itself. Each dig query (UDP and TCP, IPv4 and IPv6, from a
# source port we choose) must appear as an AUTH_QUERY and an AUTH_RESPONSE with the right
# addresses, ports, name and rcode; a reader that stops reading must not stop the answers (it
# costs dropped messages, counted); with dnstap off nothing connects and nothing is counted.
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from dnswire import build_query  # noqa: E402

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
data = "127.0.0.1"
[[zone.record]]
name = "www"
type = "A"
data = "192.0.2.1"
"""
CONTENT_TYPE = "protobuf:dnstap.Dnstap"
STEADY_QUERIES = 6000  # 12,000 messages through queues of 1024
STALL_QUERIES = 20000  # bound on the queries sent at a stalled reader
STALL_DEADLINE_S = 60.0


class Capture:
    """fstrm_capture on a unix socket, writing what it reads to a file; stopped by PID."""

    def __init__(self, directory: Path):
        self.socket = directory / "dnstap.sock"
        self.output = directory / "captured.fstrm"
        self.log = open(directory / "fstrm_capture.log", "wb")
        self.proc = subprocess.Popen(
            [dnstest.require_tool("fstrm_capture"), "-t", CONTENT_TYPE, "-u", str(self.socket),
             "-w", str(self.output)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        dnstest.wait_until(10, lambda: self.socket.exists() or self.proc.poll() is not None,
                           "fstrm_capture to listen")
        assert self.proc.poll() is None, f"fstrm_capture exited with {self.proc.returncode}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def decode(path: Path) -> list:
    """dnstap-ldns -y: one dict per message, with the DNS message's text under 'dns'."""
    proc = subprocess.run([dnstest.require_tool("dnstap-ldns"), "-r", str(path), "-y"],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"dnstap-ldns failed ({proc.returncode}): {proc.stderr}")
    messages = []
    for doc in proc.stdout.split("\n---"):
        fields, dns = {}, []
        for line in doc.splitlines():
            m = re.match(r"^\s*(\w+): (.*)$", line)
            if line.startswith("    "):  # the DNS message, as ldns prints it
                dns.append(line.strip())
            elif m:
                fields[m.group(1)] = m.group(2).strip().strip('"')
        if "type" in fields:
            fields["dns"] = "\n".join(dns)
            messages.append(fields)
    return messages


def question(message: dict) -> str:
    m = re.search(r"(?m)^;(\S+)\s+IN\s+(\S+)$", message["dns"])
    return f"{m.group(1)} {m.group(2)}" if m else ""


def rcode(message: dict) -> str:
    m = re.search(r"rcode: (\w+)", message["dns"])
    return m.group(1) if m else ""


def dnstap_toml(where: str, extra: str = "") -> str:
    return f'[dnstap]\n{where}\nidentity = "ns-tap"\nversion = "dnsd-test"\n{extra}\n'


def metrics(dnsd: dnstest.Dnsd, dump: Path) -> str:
    """The /metrics page, dumped by dnsd on SIGUSR1 (DNSD_METRICS_DUMP)."""
    dump.unlink(missing_ok=True)
    os.kill(dnsd.proc.pid, signal.SIGUSR1)
    dnstest.wait_until(10, dump.exists, "the metrics dump")
    return dump.read_text()


def counter(page: str, name: str) -> int:
    m = re.search(r"(?m)^%s (\S+)$" % name, page)
    return int(float(m.group(1))) if m else -1


def start_dnsd(toml: str, dump: Path = None, workers: int = 2) -> dnstest.Dnsd:
    dnsd = dnstest.Dnsd(ZONE_TOML + toml, workers=workers)
    if dump:
        dnsd.env = dict(os.environ, DNSD_METRICS_DUMP=str(dump))
    return dnsd.start()


class DnstapLogging(dnstest.ServerTestCase):
    def ask_each_way(self, port: int) -> list:
        """One dig per transport and family, each from its own source port and name:
        (name, qtype, transport, family, host, source port, rcode)."""
        hosts = [("127.0.0.1", "INET")] + ([("::1", "INET6")] if dnstest.HAS_IPV6 else [])
        asked = []
        for host, family in hosts:
            for tcp in (False, True):
                source = dnstest.free_port(ipv6=":" in host)
                transport = "TCP" if tcp else "UDP"
                name = f"q-{transport}-{family}.example.test.".lower()
                qtype, expected = ("A", "NXDOMAIN")
                if not asked:
                    name, expected = "www.example.test.", "NOERROR"
                r = dnstest.dig(port, name, qtype, "-b", f"{host}#{source}", host=host, tcp=tcp)
                self.assertEqual(r.rcode, expected)
                asked.append((name, qtype, transport, family, host, source, expected))
        return asked

    def assert_logged(self, messages: list, asked: list, identity: str = "ns-tap"):
        for name, qtype, transport, family, host, source, expected in asked:
            mine = [m for m in messages if question(m) == f"{name} {qtype}"
                    and m.get("socket_protocol") == transport]
            kinds = sorted(m.get("type") for m in mine)
            self.assertEqual(kinds, ["AUTH_QUERY", "AUTH_RESPONSE"], f"{name} {transport}: {mine}")
            for m in mine:
                self.assertEqual(m.get("socket_family"), family, m)
                self.assertEqual(m.get("query_address"), host, m)
                self.assertEqual(m.get("query_port"), str(source), m)
                self.assertIn("query_time", m)
            query = next(m for m in mine if m["type"] == "AUTH_QUERY")
            response = next(m for m in mine if m["type"] == "AUTH_RESPONSE")
            self.assertEqual(rcode(query), "NOERROR", query)  # a query's header, QR clear
            self.assertNotIn("qr", re.search(r"flags: ?([^;]*);", query["dns"]).group(1).split())
            self.assertIn("qr", re.search(r"flags: ?([^;]*);", response["dns"]).group(1).split())
            self.assertEqual(rcode(response), expected, response)
            self.assertIn("response_time", response)
        self.assertTrue(all(m.get("identity") == identity for m in messages), messages[:1])
        self.assertTrue(all(m.get("version") == "dnsd-test" for m in messages), messages[:1])

    def test_queries_and_responses_reach_a_unix_socket_reader(self):
        directory = Path(self.own(dnstest.Dnsd("")).dir)  # a temp dir cleaned with the class
        capture = Capture(directory)
        try:
            dump = directory / "metrics.txt"
            dnsd = self.own(start_dnsd(dnstap_toml(f'socket = "{capture.socket}"'), dump))
            asked = self.ask_each_way(dnsd.port)
            page = metrics(dnsd, dump)
            self.assertEqual(counter(page, "dnsd_dnstap_dropped_total"), 0, page)
            self.assertGreaterEqual(counter(page, "dnsd_dnstap_sent_total"), 2 * len(asked))
            self.assertEqual(dnsd.stop(), 0, dnsd.stderr_text())  # flushes the writer
        finally:
            capture.stop()
        self.assert_logged(decode(capture.output), asked)

    def test_queries_and_responses_go_to_a_file(self):
        dnsd = dnstest.Dnsd(ZONE_TOML + dnstap_toml('file = "dnstap.fstrm"'))
        self.own(dnsd.start())
        asked = self.ask_each_way(dnsd.port)
        self.assertEqual(dnsd.stop(), 0, dnsd.stderr_text())
        self.assert_logged(decode(dnsd.dir / "dnstap.fstrm"), asked)

    def test_a_steady_stream_is_logged_whole_while_the_reader_keeps_up(self):
        # fstrm wakes its writer at a queue fill level, else once a second: if the slots ran
        # out before that level, the writer slept and most messages were dropped (57% at
        # 1000 queries/s, seen; 90% here). Under load fstrm can still miss a wake-up (its
        # signal is sent without the lock) and sleep up to a second: a bound, not zero.
        directory = Path(self.own(dnstest.Dnsd("")).dir)
        dump = directory / "metrics.txt"
        dnsd = self.own(start_dnsd(dnstap_toml(f'file = "{directory / "tap.fstrm"}"',
                                               "queue_size = 1024"), dump, workers=1))
        query = build_query("www.example.test.", "A")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(dnstest.QUERY_TIME_S)
            for _ in range(STEADY_QUERIES):
                s.sendto(query, ("127.0.0.1", dnsd.port))
                while s.recv(4096)[:2] != query[:2]:
                    pass
        page = metrics(dnsd, dump)
        sent = counter(page, "dnsd_dnstap_sent_total")
        dropped = counter(page, "dnsd_dnstap_dropped_total")
        print(f"steady stream: {sent} sent, {dropped} dropped", file=sys.stderr)
        self.assertGreaterEqual(sent + dropped, 2 * STEADY_QUERIES)
        self.assertLess(dropped * 2, sent + dropped, page)

    def test_only_queries_when_responses_are_off(self):
        dnsd = dnstest.Dnsd(ZONE_TOML + dnstap_toml('file = "dnstap.fstrm"', "responses = false"))
        self.own(dnsd.start())
        dnstest.dig(dnsd.port, "www.example.test.")
        self.assertEqual(dnsd.stop(), 0, dnsd.stderr_text())
        mine = [m for m in decode(dnsd.dir / "dnstap.fstrm")
                if question(m) == "www.example.test. A"]
        self.assertEqual([m["type"] for m in mine], ["AUTH_QUERY"])

    def test_a_reader_that_stops_reading_costs_messages_not_answers(self):
        directory = Path(self.own(dnstest.Dnsd("")).dir)
        capture = Capture(directory)
        try:
            dump = directory / "metrics.txt"
            dnsd = self.own(start_dnsd(
                dnstap_toml(f'socket = "{capture.socket}"', "queue_size = 64"), dump, workers=1))
            dnstest.dig(dnsd.port, "www.example.test.")  # connected and writing
            os.kill(capture.proc.pid, signal.SIGSTOP)
            query = build_query("www.example.test.", "A")
            answered, sent, dropped = 0, 0, 0
            end = time.monotonic() + STALL_DEADLINE_S
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(dnstest.QUERY_TIME_S)
                while sent < STALL_QUERIES and time.monotonic() < end:
                    for _ in range(1000):  # every query is answered, one at a time
                        s.sendto(query, ("127.0.0.1", dnsd.port))
                        sent += 1
                        while True:
                            reply = s.recv(4096)
                            if reply[:2] == query[:2]:
                                break
                        answered += 1
                    dropped = counter(metrics(dnsd, dump), "dnsd_dnstap_dropped_total")
                    if dropped > 0:
                        break
            print(f"stalled reader: {dropped} dropped after {sent} queries, all answered",
                  file=sys.stderr)
            self.assertEqual(answered, sent)
            self.assertGreater(dropped, 0, f"nothing dropped after {sent} queries")
            # Still answering, and the drops still grow, while the reader sleeps.
            for _ in range(200):
                self.assertIsNotNone(dnstest.udp_exchange(dnsd.port, query))
            self.assertGreater(counter(metrics(dnsd, dump), "dnsd_dnstap_dropped_total"), dropped)
            # Stopping does not hang on the sleeping reader.
            self.assertEqual(dnsd.stop(), 0, dnsd.stderr_text())
            self.assertIn("does not read", dnsd.stderr_text())
        finally:
            capture.stop()

    def test_off_by_default_nothing_connects_and_nothing_is_counted(self):
        directory = Path(self.own(dnstest.Dnsd("")).dir)
        capture = Capture(directory)
        try:
            dump = directory / "metrics.txt"
            dnsd = self.own(start_dnsd("", dump))
            dnstest.dig(dnsd.port, "www.example.test.")
            dnstest.dig(dnsd.port, "www.example.test.", tcp=True)
            page = metrics(dnsd, dump)
            self.assertNotIn("dnsd_dnstap", page)
            self.assertNotIn("dnstap", dnsd.stderr_text())
            self.assertEqual(dnsd.stop(), 0, dnsd.stderr_text())
        finally:
            capture.stop()
        frames = decode(capture.output) if capture.output.exists() else []
        self.assertEqual(frames, [])

    def test_config_errors_name_the_file_line_and_key(self):
        cases = [
            ('socket = "a.sock"\nfile = "b.fstrm"', "dnstap.file", "either socket or file"),
            ("queries = true", "dnstap.socket", "is required"),
            ('file = "x"\nqueue_size = 100', "dnstap.queue_size", "power of two"),
            ('file = "x"\nidentity = "' + "n" * 256 + '"', "dnstap.identity", "at most 255"),
            ('file = "x"\nbuffer = 3', "dnstap.buffer", ""),
        ]
        for body, key, text in cases:
            dnsd = dnstest.Dnsd(ZONE_TOML + "[dnstap]\n" + body + "\n")
            try:
                proc = dnsd.check_config()
                self.assertNotEqual(proc.returncode, 0, body)
                out = proc.stdout + proc.stderr
                # The key's own line, or the table's when the key is missing.
                lines = dnsd.config.read_text().splitlines()
                name = key.split(".")[1]
                at = [i for i, t in enumerate(lines) if t.startswith(name + " =")] or \
                    [lines.index("[dnstap]")]
                self.assertRegex(out, rf"dnsd\.toml:{at[-1] + 1}: {re.escape(key)}", out)
                self.assertIn(text, out)
            finally:
                dnsd.cleanup()

    def test_a_file_that_cannot_be_written_stops_the_start_with_the_reason(self):
        dnsd = dnstest.Dnsd(ZONE_TOML + dnstap_toml('file = "no/such/dir/dnstap.fstrm"'))
        self.own(dnsd)
        dnsd.proc = subprocess.Popen(dnsd.argv(), cwd=dnsd.dir, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        out, _ = dnsd.proc.communicate(timeout=30)
        self.assertEqual(dnsd.proc.returncode, 1)
        dnsd.proc = None
        self.assertIn("dnstap: cannot write", out.decode())
        self.assertIn("No such file or directory", out.decode())


if __name__ == "__main__":
    dnstest.main()
