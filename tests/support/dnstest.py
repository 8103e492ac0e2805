# Integration-test support: free ports, wait_until, server launchers (dnsd, knotd, unbound) that
# stop by PID and show the server's stderr on failure, and dig/kdig runners that parse the full
# output. The wire codec and raw senders live in dnswire.py (re-exported here).
# Standard library only (Debian's /usr/bin/python3); no sleeps outside wait_until's poll.
from __future__ import annotations

import atexit
import mmap
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Callable, Iterable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dnswire import (QUERY_TIME_S, RR, Edns, Response, TcpConn, WireError,  # noqa: E402,F401
                     build_query, encode_name, parse_message, rr, tcp_exchange, udp_exchange)

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "tests" / "integration" / "data"

# Generous deadlines: sanitizer builds are several times slower than release builds.
START_DEADLINE_S = 10.0
STOP_DEADLINE_S = 10.0

# What starts a dnsd log line outside the journal: an RFC 3339 UTC timestamp and a space
# (README "Logs"). Patterns anchored at a line's start put it after their "^".
LOG_TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "


def log_message(line: str) -> str:
    """A dnsd log line without its leading timestamp (unchanged when it has none)."""
    m = re.match(LOG_TIMESTAMP, line)
    return line[m.end():] if m else line


# ------------------------------------------------------------------------------------------
# Waiting and ports


def wait_until(deadline_s: float, predicate: Callable[[], object], what: str = "condition",
               poll_s: float = 0.02):
    """Polls predicate until it returns a truthy value (which is returned) or the deadline passes."""
    end = time.monotonic() + deadline_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= end:
            raise TimeoutError(f"timed out after {deadline_s:.1f}s waiting for {what}")
        time.sleep(poll_s)


def _bindable(family: int, kind: int, host: str, port: int) -> bool:
    s = socket.socket(family, kind)
    try:
        if kind == socket.SOCK_STREAM:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


# Some CI containers have no ::1; then servers listen on 127.0.0.1 only and the IPv6 test skips.
HAS_IPV6 = socket.has_ipv6 and _bindable(socket.AF_INET6, socket.SOCK_DGRAM, "::1", 0)


def _ephemeral_ports() -> range:
    try:
        low, high = (int(v) for v in
                     Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        return range(low, high + 1)
    except (OSError, ValueError):
        return range(32768, 61000)


def free_port(ipv6: bool = HAS_IPV6) -> int:
    """A loopback port free on UDP and TCP, on 127.0.0.1 and (if asked) ::1, chosen below the
    kernel's ephemeral range. dig binds its query socket to a random port of that range with
    SO_REUSEADDR; when it drew the server's own port, its query went to itself and it printed
    its own query as the answer (flags "ad", no "qr": a failover test failed on it in CI)."""
    ephemeral = _ephemeral_ports()
    low, high = 10000, min(ephemeral.start, 65536) - 1
    if high - low < 1000:  # an unusual range: fall back to the kernel's choice
        low = high = 0
    for _ in range(200):
        if high:
            port = random.randint(low, high)
        else:
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            probe.close()
        checks = [(socket.AF_INET, "127.0.0.1")] + ([(socket.AF_INET6, "::1")] if ipv6 else [])
        if all(_bindable(fam, kind, host, port)
               for fam, host in checks for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM)):
            return port
    raise RuntimeError("no free loopback port found")


def require_tool(name: str) -> str:
    """Path of a required client or server; missing tools are a failure, never a skip."""
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}", f"/sbin/{name}") if os.access(p, os.X_OK)),
        None)
    if path is None:
        raise AssertionError(f"required tool '{name}' is not installed (CI installs it)")
    return path


def dnsd_binary() -> str:
    """dnsd under test: $DNSD_BIN (set by CTest), else the default build tree."""
    path = os.environ.get("DNSD_BIN") or str(REPO_ROOT / "build" / "daemon" / "dnsd")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"dnsd binary not found or not executable: {path} (set DNSD_BIN)")
    return path


def sanitized_build() -> bool:
    """Whether dnsd under test is an AddressSanitizer build (scripts/test's build-asan): its
    shadow memory spans terabytes of address space, so address-space caps and memory scans of
    the process do not apply to it."""
    global _SANITIZED
    if _SANITIZED is None:
        # g++ links libasan.so; clang links its runtime into the binary, whose symbols say so.
        linked = subprocess.run(["ldd", dnsd_binary()], capture_output=True, text=True).stdout
        with open(dnsd_binary(), "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            _SANITIZED = "libasan" in linked or m.find(b"__asan_init") != -1
    return _SANITIZED


_SANITIZED: Optional[bool] = None


# ------------------------------------------------------------------------------------------
# dig and kdig runners

_DIG_HEADER = re.compile(r"^;; ->>HEADER<<- opcode: (\S+), status: (\S+), id: (\d+)")
_DIG_FLAGS = re.compile(r"^;; flags:([^;]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), "
                        r"ADDITIONAL: (\d+)")
_DIG_EDNS = re.compile(r"^; EDNS: version: (\d+), flags:([^;]*);(?: MBZ: \S+,)? udp: (\d+)")
_DIG_SECTIONS = {"QUESTION": "question", "ZONE": "question", "ANSWER": "answer",
                 "PREREQUISITE": "answer", "AUTHORITY": "authority", "UPDATE": "authority",
                 "ADDITIONAL": "additional"}


class NoResponse(Exception):
    pass


def parse_dig(text: str) -> list:
    """Parses dig's full output into Responses (several when dig retried or printed more)."""
    out = []
    cur = None
    section = None
    for line in text.splitlines():
        m = _DIG_HEADER.match(line)
        if m:
            cur = Response(m.group(1), m.group(2), int(m.group(3)), frozenset(), (0, 0, 0, 0),
                           None, [], [], [], [], raw_text=text)
            out.append(cur)
            section = None
            continue
        if cur is None:
            continue
        m = _DIG_FLAGS.match(line)
        if m:
            cur.flags = frozenset(m.group(1).split())
            cur.counts = tuple(int(m.group(i)) for i in range(2, 6))
            continue
        m = _DIG_EDNS.match(line)
        if m:
            cur.edns = Edns(int(m.group(1)), int(m.group(3)), frozenset(m.group(2).split()), [])
            continue
        if line.startswith(";; ") and line.rstrip().endswith("SECTION:"):
            word = line[3:].split()[0]
            section = _DIG_SECTIONS.get(word)
            if word == "OPT":  # OPT PSEUDOSECTION
                section = "opt"
            continue
        if line.startswith("; ") and section in (None, "opt") and cur.edns is not None:
            opt = line[2:].strip()
            if opt and not opt.startswith("EDNS:"):
                cur.edns.options.append(opt)
            continue
        if not line.strip() or line.startswith(";; "):
            if not line.strip() and section == "question":
                section = None
            continue
        if section == "question" and line.startswith(";"):
            parts = line[1:].split()
            cur.question.append((parts[0], parts[1], parts[2]))
        elif section in ("answer", "authority", "additional") and not line.startswith(";"):
            cur.section(section).append(rr(line))
    return out


def _run(argv: list, timeout_s: float) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s)


def dig(port: int, qname: str, qtype: str = "A", *options: str, qclass: str = "IN",
        host: str = "127.0.0.1", rd: bool = False, tcp: bool = False,
        allow_none: bool = False) -> Optional[Response]:
    """One query with dig; returns the last response printed. dig does not retry over TCP on TC
    (+ignore) and does not renegotiate EDNS on BADVERS (+noednsneg)."""
    argv = [require_tool("dig"), f"@{host}", "-p", str(port), "+nocmd", "+nostats", "+nocookie",
            "+noidnout", "+nottlunits", "+ignore", "+noednsneg", f"+time={QUERY_TIME_S}",
            "+tries=1", "+rec" if rd else "+norec"]
    if tcp:
        argv.append("+tcp")
    argv += list(options) + ["-c", qclass, "-t", qtype, "-q", qname]
    proc = _run(argv, QUERY_TIME_S * 3 + 5)
    responses = parse_dig(proc.stdout)
    if not responses:
        if allow_none:
            return None
        raise NoResponse(f"no response from dig (exit {proc.returncode}): {' '.join(argv)}\n"
                         f"{proc.stdout}{proc.stderr}")
    resp = responses[-1]
    resp.transport = "tcp" if tcp else "udp"
    return resp


_KDIG_HEADER = re.compile(r"^;; ->>HEADER<<- opcode: (\S+); status: (\S+); id: (\d+)")
_KDIG_FLAGS = re.compile(r"^;; Flags:([^;]*); QUERY: (\d+); ANSWER: (\d+); AUTHORITY: (\d+); "
                         r"ADDITIONAL: (\d+)")
_KDIG_EDNS = re.compile(r"^;; Version: (\d+); flags:([^;]*); UDP size: (\d+) B")


def parse_kdig(text: str) -> list:
    out = []
    cur = None
    section = None
    for line in text.splitlines():
        m = _KDIG_HEADER.match(line)
        if m:
            cur = Response(m.group(1), m.group(2), int(m.group(3)), frozenset(), (0, 0, 0, 0),
                           None, [], [], [], [], raw_text=text)
            out.append(cur)
            section = None
            continue
        if cur is None:
            continue
        m = _KDIG_FLAGS.match(line)
        if m:
            cur.flags = frozenset(m.group(1).split())
            cur.counts = tuple(int(m.group(i)) for i in range(2, 6))
            continue
        m = _KDIG_EDNS.match(line)
        if m:
            cur.edns = Edns(int(m.group(1)), int(m.group(3)), frozenset(m.group(2).split()), [])
            continue
        if line.startswith(";; ") and line.rstrip().endswith("SECTION:"):
            word = line[3:].split()[0]
            section = "opt" if word == "EDNS" else _DIG_SECTIONS.get(word)
            continue
        if section == "opt" and line.startswith(";; ") and cur.edns is not None:
            cur.edns.options.append(line[3:].strip())
            continue
        if not line.strip():
            continue
        if section == "question" and line.startswith(";; "):
            parts = line[3:].split()
            cur.question.append((parts[0], parts[1], parts[2]))
        elif section in ("answer", "authority", "additional") and not line.startswith(";"):
            cur.section(section).append(rr(line))
    return out


def kdig(port: int, qname: str, qtype: str = "A", *options: str, qclass: str = "IN",
         host: str = "127.0.0.1", rd: bool = False, tcp: bool = False) -> Response:
    """One query with kdig (Knot's client), same contract as dig()."""
    qclass = {"HS": "CLASS4"}.get(qclass, qclass)  # kdig does not know the mnemonic
    argv = [require_tool("kdig"), f"@{host}", "-p", str(port), "+nocookie", "+noidn",
            "+ignore", f"+time={QUERY_TIME_S}", "+retry=0", "+rec" if rd else "+norec"]
    if tcp:
        argv.append("+tcp")
    argv += list(options) + ["-c", qclass, "-t", qtype, "-q", qname]
    proc = _run(argv, QUERY_TIME_S * 3 + 5)
    responses = parse_kdig(proc.stdout)
    if not responses:
        raise NoResponse(f"no response from kdig (exit {proc.returncode}): {' '.join(argv)}\n"
                         f"{proc.stdout}{proc.stderr}")
    responses[-1].transport = "tcp" if tcp else "udp"
    return responses[-1]


# ------------------------------------------------------------------------------------------
# Servers

_LIVE_SERVERS: list = []


class Server:
    """A server process in its own temp dir; stopped by PID at teardown (SIGTERM, then SIGKILL)."""

    name = "server"

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix=f"{self.name}-it-"))
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None
        self.stderr_path = self.dir / "stderr.log"
        self.exit_code: Optional[int] = None
        self.env: Optional[dict] = None  # the process environment; None: inherit ours

    def argv(self) -> list:
        raise NotImplementedError

    def ready(self) -> bool:
        """Default readiness: answers an SOA query for example.test over UDP and TCP."""
        q = build_query("example.test.", "SOA")
        return udp_exchange(self.port, q, timeout_s=0.3) is not None and \
            self._tcp_ready(q)

    def _tcp_ready(self, q: bytes) -> bool:
        try:
            return tcp_exchange(self.port, q, timeout_s=0.5) is not None
        except OSError:
            return False

    def start(self) -> "Server":
        err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.argv(), cwd=self.dir, stdout=err, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=self.env)
        err.close()
        _LIVE_SERVERS.append(self)

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode} during start\n"
                                     f"{self.stderr_text()}")
            return self.ready()
        try:
            wait_until(START_DEADLINE_S, up, f"{self.name} on port {self.port} to answer")
        except TimeoutError as e:
            self.stop()
            raise AssertionError(f"{e}\n{self.stderr_text()}") from None
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> Optional[int]:
        """SIGTERM, wait, SIGKILL if needed; returns the exit code."""
        if self.proc is None:
            return self.exit_code
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.exit_code = self.proc.returncode
        self.proc = None
        return self.exit_code

    def stderr_text(self, tail_lines: int = 80) -> str:
        try:
            lines = self.stderr_path.read_text(errors="replace").splitlines()
        except OSError:
            return f"--- {self.name}: no stderr captured ---"
        return (f"--- {self.name} stderr (last {min(tail_lines, len(lines))} of {len(lines)} lines, "
                f"{self.stderr_path}) ---\n" + "\n".join(lines[-tail_lines:]))

    def cleanup(self) -> None:
        if self in _LIVE_SERVERS:
            _LIVE_SERVERS.remove(self)
        shutil.rmtree(self.dir, ignore_errors=True)


class Dnsd(Server):
    name = "dnsd"

    def __init__(self, zones_toml: str, files: Iterable[Path] = (), *, chaos: bool = True,
                 workers: int = 2, udp_payload: int = 1232, tcp_idle_timeout: str = "2s",
                 tcp_max_connections: int = 16, extra_server: str = ""):
        super().__init__()
        self.binary = dnsd_binary()
        for f in files:
            shutil.copy(f, self.dir / Path(f).name)
        listen = ", ".join(f'"{a}:{self.port}"' for a in ("127.0.0.1", "[::1]")[:1 + HAS_IPV6])
        chaos_lines = 'chaos_version = "dnsd-test"\nchaos_identity = "ns-test"\n' if chaos else ""
        self.config = self.dir / "dnsd.toml"
        self.config.write_text(
            'log_level = "info"\n'
            "[server]\n"
            f"listen = [{listen}]\n"
            f"workers = {workers}\n"
            f"udp_payload = {udp_payload}\n"
            f'tcp_idle_timeout = "{tcp_idle_timeout}"\n'
            f"tcp_max_connections = {tcp_max_connections}\n"
            f"{chaos_lines}{extra_server}\n"
            f"{zones_toml}")

    def argv(self) -> list:
        return [self.binary, "--config", str(self.config)]

    def check_config(self) -> subprocess.CompletedProcess:
        return _run([self.binary, "--check-config", str(self.config)], 30)


class Knotd(Server):
    name = "knotd"

    def __init__(self, zones: dict, *, chaos: bool = True, tcp_idle_timeout_s: int = 2,
                 tcp_max_clients: int = 16, cookie_secret: Optional[str] = None):
        """zones maps zone name -> path of its master file. cookie_secret (32 hex digits) turns
        on mod-cookies with that server secret (RFC 9018 cookies, BADCOOKIE for every bad one)."""
        super().__init__()
        self.binary = require_tool("knotd")
        zone_lines = []
        for name, path in zones.items():
            shutil.copy(path, self.dir / Path(path).name)
            zone_lines.append(f"  - domain: {name}\n    file: {self.dir / Path(path).name}\n")
        listen = ", ".join(f"{a}@{self.port}" for a in ("127.0.0.1", "::1")[:1 + HAS_IPV6])
        version = '"dnsd-test"' if chaos else '""'
        identity = '"ns-test"' if chaos else '""'
        self.config = self.dir / "knot.conf"
        self.config.write_text(
            "server:\n"
            f"    listen: [ {listen} ]\n"
            f"    rundir: {self.dir}\n"
            f"    tcp-idle-timeout: {tcp_idle_timeout_s}\n"
            f"    tcp-max-clients: {tcp_max_clients}\n"
            f"    version: {version}\n"
            f"    identity: {identity}\n"
            "database:\n"
            f"    storage: {self.dir}\n"
            "log:\n"
            "  - target: stderr\n"
            "    any: info\n"
            + (f"mod-cookies:\n  - id: shared\n    secret: 0x{cookie_secret}\n"
               "    badcookie-slip: 1\n" if cookie_secret else "") +
            "template:\n"
            "  - id: default\n"
            + ("    global-module: mod-cookies/shared\n" if cookie_secret else "") +
            f"    storage: {self.dir}\n"
            "    semantic-checks: on\n"
            "    dnssec-signing: off\n"
            "    zonefile-sync: -1\n"
            "    zonefile-load: whole\n"
            "    journal-content: none\n"
            "zone:\n" + "".join(zone_lines))

    def argv(self) -> list:
        return [self.binary, "-c", str(self.config)]


class Unbound(Server):
    name = "unbound"

    def __init__(self, stub_zone: str, stub_port: int):
        super().__init__()
        self.binary = require_tool("unbound")
        self.config = self.dir / "unbound.conf"
        self.config.write_text(
            "server:\n"
            f"    interface: 127.0.0.1@{self.port}\n"
            "    do-ip6: no\n"
            "    do-daemonize: no\n"
            "    use-syslog: no\n"
            f"    logfile: \"\"\n"
            "    verbosity: 1\n"
            '    chroot: ""\n'
            '    username: ""\n'
            f'    directory: "{self.dir}"\n'
            f'    pidfile: "{self.dir}/unbound.pid"\n'
            "    do-not-query-localhost: no\n"
            '    module-config: "iterator"\n'
            "    access-control: 127.0.0.0/8 allow\n"
            f"    domain-insecure: \"{stub_zone}\"\n"
            "    num-threads: 1\n"
            "    qname-minimisation: no\n"
            "    use-caps-for-id: yes\n"
            # RFC 6761 names (test., invalid.) are blocked by default; let the stub through.
            f'    local-zone: "{stub_zone.rstrip(".").split(".")[-1]}." nodefault\n'
            "remote-control:\n"
            "    control-enable: no\n"
            "stub-zone:\n"
            f'    name: "{stub_zone}"\n'
            f"    stub-addr: 127.0.0.1@{stub_port}\n")

    def argv(self) -> list:
        return [self.binary, "-d", "-c", str(self.config)]

    def ready(self) -> bool:
        q = build_query("ready.invalid.", "A", flags=["rd"])
        return udp_exchange(self.port, q, timeout_s=0.3) is not None


def server_logs() -> str:
    return "\n".join(s.stderr_text() for s in _LIVE_SERVERS)


@atexit.register
def _stop_leftovers() -> None:
    """Servers whose test class never reached tearDownClass (setUpClass failed half-way)."""
    for s in _LIVE_SERVERS:
        if s.proc is not None:
            s.stop()


# ------------------------------------------------------------------------------------------
# The server under test for the answer suite: dnsd by default, knotd to validate the harness.


EXAMPLE_ZONE = DATA_DIR / "example.test.zone"

# The TOML-only zone of the contract: no master file, records inline.
OTHER_ZONE_TOML = """
[[zone]]
name = "other.test."
default_ttl = 300
ns = ["ns1.other.test."]
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
data = "192.0.2.7"
"""


def target_kind() -> str:
    """DNSD_IT_TARGET=knot runs the answer suite against knotd (validates the harness)."""
    kind = os.environ.get("DNSD_IT_TARGET", "dnsd")
    if kind not in ("dnsd", "knot"):
        raise AssertionError(f"DNSD_IT_TARGET must be dnsd or knot, not {kind!r}")
    return kind


def start_target(*, chaos: bool = True, with_other_zone: bool = True) -> Server:
    """Starts the server under test with example.test (and other.test for dnsd)."""
    if target_kind() == "knot":
        return Knotd({"example.test.": EXAMPLE_ZONE}, chaos=chaos).start()
    zones = '[[zone]]\nname = "example.test."\nfile = "example.test.zone"\n'
    if with_other_zone:
        zones += OTHER_ZONE_TOML
    return Dnsd(zones, [EXAMPLE_ZONE], chaos=chaos).start()


# ------------------------------------------------------------------------------------------
# unittest glue: show server stderr when a test fails, and fail on a non-zero server exit.


class _Result(unittest.TextTestResult):
    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._dump(test)

    def addError(self, test, err):
        super().addError(test, err)
        self._dump(test)

    def _dump(self, test):
        live = [s for s in _LIVE_SERVERS if s.proc is not None]
        if live:
            self.stream.writeln(f"\n=== server logs for {test} ===")
            for s in live:
                self.stream.writeln(s.stderr_text(40))


class ServerTestCase(unittest.TestCase):
    """Base class: subclasses start servers in setUpClass and register them with own()."""

    _servers: list

    @classmethod
    def own(cls, server: Server) -> Server:
        if not hasattr(cls, "_servers") or cls._servers is None:
            cls._servers = []
        cls._servers.append(server)
        return server

    @classmethod
    def tearDownClass(cls):
        problems = []
        for s in reversed(getattr(cls, "_servers", None) or []):
            if s.proc is not None and s.proc.poll() is not None:
                problems.append(f"{s.name} died during the tests (exit {s.proc.returncode})\n"
                                f"{s.stderr_text()}")
            code = s.stop()
            if code not in (0, None) and not problems:
                problems.append(f"{s.name} exited with {code} after SIGTERM (sanitizer report?)\n"
                                f"{s.stderr_text()}")
            if not problems:
                s.cleanup()
        cls._servers = []
        if problems:
            raise AssertionError("\n".join(problems))

    def assertAlive(self, server: Server):
        if not server.alive():
            self.fail(f"{server.name} is not running\n{server.stderr_text()}")


def main() -> None:
    runner = unittest.TextTestRunner(verbosity=2, resultclass=_Result, stream=sys.stderr)
    program = unittest.main(testRunner=runner, exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)


def udp_burst(port: int, source: str, count: int, query, classify, quiet_s: float = 1.0,
              deadline_s: float = 30.0):
    """Sends query(qid) for qid in 0..count-1 from `source` to 127.0.0.1:port as fast as it
    can, reading replies as they come (a large receive buffer, drained every 32 sends), until
    none has come for `quiet_s`; the whole is bounded by `deadline_s`. Returns ({qid:
    classify(reply bytes)}, seconds spent sending); a qid missing from the dict got no reply."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((source, 0))
    s.setblocking(False)
    replies = {}
    start = time.monotonic()

    def drain():
        while True:
            try:
                data = s.recv(65535)
            except BlockingIOError:
                return
            replies[int.from_bytes(data[:2], "big")] = classify(data)
    try:
        for qid in range(count):
            s.sendto(query(qid), ("127.0.0.1", port))
            if qid % 32 == 31:
                drain()
            if time.monotonic() - start > deadline_s:
                raise AssertionError("the burst took longer than its deadline")
        sent_s = time.monotonic() - start
        last = time.monotonic()
        seen = -1
        while time.monotonic() - last < quiet_s and time.monotonic() - start < deadline_s:
            drain()
            if len(replies) != seen:
                seen, last = len(replies), time.monotonic()
            time.sleep(0.01)  # polling a socket; the bound is the quiet period above
    finally:
        s.close()
    return replies, sent_s
