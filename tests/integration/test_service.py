#!/usr/bin/env python3
# Operating dnsd (issue 6, service part): the real dnsd as a service. sd_notify READY/STOPPING to
# a real AF_UNIX datagram socket, graceful SIGTERM with a backlog of queries, dropping root to
# nobody on port 53, running unprivileged with CAP_NET_BIND_SERVICE (setpriv), journald log
# format and log_level, the /metrics page (dumped on SIGUSR1, checked by promtool), and the
# systemd unit (systemd-analyze verify). Root-only cases skip when not root.
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from dnstest import build_query, udp_exchange, wait_until  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
UNIT_FILE = REPO_ROOT / "conf" / "dnsd.service"
IS_ROOT = os.geteuid() == 0
STOP_BOUND_S = 5.0  # SIGTERM to exit: 200 ms to notice + at most 2 s of draining + slack

ZONE_TOML = '[[zone]]\nname = "example.test."\nfile = "example.test.zone"\n'


class ServiceDnsd(dnstest.Server):
    """dnsd on any loopback host and port, with its own environment and an optional wrapper."""

    name = "dnsd"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, server_extra: str = "",
                 log_level: str = "info", env: dict = None, wrapper: list = (), workers: int = 1):
        super().__init__()
        self.host = host
        if port:
            self.port = port
        self.wrapper = list(wrapper)
        self.env = dict(os.environ, **(env or {}))
        # Readable by an unprivileged dnsd (setpriv): the temp dir is 0700 root by default.
        os.chmod(self.dir, 0o755)
        shutil.copy(dnstest.EXAMPLE_ZONE, self.dir / "example.test.zone")
        os.chmod(self.dir / "example.test.zone", 0o644)
        listen = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"
        self.config = self.dir / "dnsd.toml"
        self.config.write_text(f'log_level = "{log_level}"\n[server]\nlisten = ["{listen}"]\n'
                               f"workers = {workers}\n{server_extra}\n{ZONE_TOML}")
        os.chmod(self.config, 0o644)

    def argv(self) -> list:
        return self.wrapper + [dnstest.dnsd_binary(), "--config", str(self.config)]

    def ready(self) -> bool:
        return udp_exchange(self.port, build_query("example.test.", "SOA"), host=self.host,
                            timeout_s=0.3) is not None

    def answers(self, qname: str = "example.test.", qtype: str = "SOA") -> bool:
        """dig gets an authoritative NOERROR answer, over UDP and over TCP."""
        return all(resp.rcode == "NOERROR" and "aa" in resp.flags and resp.answer
                   for resp in (dnstest.dig(self.port, qname, qtype, host=self.host, tcp=tcp)
                                for tcp in (False, True)))

    def proc_status(self) -> dict:
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.split()
        return fields


def reap(server: dnstest.Server, deadline_s: float) -> int:
    """Waits for a server the test itself stopped; its exit code (tearDown then skips it)."""
    code = server.proc.wait(timeout=deadline_s)
    server.proc = None
    server.exit_code = code
    return code


def free_loopback_port53() -> str:
    """A 127.x.y.z address whose port 53 is free on UDP and TCP."""
    rng = random.Random()
    for _ in range(100):
        host = f"127.{rng.randrange(1, 255)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
        if all(dnstest._bindable(socket.AF_INET, kind, host, 53)
               for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM)):
            return host
    raise RuntimeError("no 127.x address with a free port 53")


def account(name: str):
    import pwd
    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def wait_stopped(pid: int) -> None:
    """Until every thread of pid is stopped (SIGSTOP delivered)."""
    def stopped():
        tasks = Path(f"/proc/{pid}/task")
        return all(Path(t, "stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
                   for t in tasks.iterdir())
    wait_until(5.0, stopped, "dnsd to be stopped by SIGSTOP")


class NotifyListener:
    """systemd's side of sd_notify: a bound AF_UNIX datagram socket, as $NOTIFY_SOCKET."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="notify-it-"))
        os.chmod(self.dir, 0o755)
        self.path = str(self.dir / "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o777)

    def next_message(self, deadline_s: float) -> str:
        self.sock.settimeout(deadline_s)
        try:
            return self.sock.recv(4096).decode()
        except socket.timeout:
            return ""

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class NotifyTest(dnstest.ServerTestCase):
    def test_ready_after_sockets_are_bound_and_stopping_at_sigterm(self):
        systemd = NotifyListener()
        self.addCleanup(systemd.close)
        dnsd = self.own(ServiceDnsd(env={"NOTIFY_SOCKET": systemd.path}))
        # Started without waiting for answers: READY=1 alone must mean "serving".
        dnsd.proc = subprocess.Popen(dnsd.argv(), cwd=dnsd.dir, env=dnsd.env,
                                     stdout=open(dnsd.stderr_path, "wb"), stderr=subprocess.STDOUT)
        dnstest._LIVE_SERVERS.append(dnsd)
        ready = systemd.next_message(dnstest.START_DEADLINE_S)
        self.assertTrue(ready.startswith("READY=1\nSTATUS=serving 1 zones"), repr(ready))
        self.assertTrue(dnsd.answers(), "READY=1 was sent before dnsd answered")
        os.kill(dnsd.proc.pid, signal.SIGTERM)
        stopping = systemd.next_message(STOP_BOUND_S)
        self.assertEqual(stopping, "STOPPING=1\nSTATUS=stopping")
        self.assertEqual(reap(dnsd, STOP_BOUND_S), 0)


    def test_watchdog_keepalives_come_at_half_the_period(self):
        systemd = NotifyListener()
        self.addCleanup(systemd.close)
        dnsd = self.own(ServiceDnsd(env={"NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "400000"}))
        dnsd.start()
        self.assertTrue(systemd.next_message(dnstest.START_DEADLINE_S).startswith("READY=1"))
        start = time.monotonic()
        for _ in range(3):
            self.assertEqual(systemd.next_message(2.0), "WATCHDOG=1")
        # Three keep-alives every 200 ms: well under the 400 ms period each time.
        self.assertLess(time.monotonic() - start, 3 * 0.4)


class GracefulStopTest(dnstest.ServerTestCase):
    # The backlog queued while dnsd is stopped: large enough that answering it takes longer than
    # the stop sequence (so a server that stops without draining loses some), small enough for
    # dnsd's 4 MB receive buffer. Answers come back over several sockets, each with its own
    # buffer, read by one thread each.
    BURST = 4000
    CLIENTS = 4

    def test_every_query_sent_before_sigterm_is_answered(self):
        dnsd = self.own(ServiceDnsd(workers=1).start())
        socks = []
        for _ in range(self.CLIENTS):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.addCleanup(sock.close)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            sock.connect((dnsd.host, dnsd.port))
            socks.append(sock)
        answered = set()
        done = threading.Event()

        def receive(sock):
            sock.settimeout(0.2)
            while not done.is_set():
                try:
                    answered.add(struct.unpack("!H", sock.recv(4096)[:2])[0])
                except socket.timeout:
                    continue
                except OSError:
                    return
        receivers = [threading.Thread(target=receive, args=(sock,)) for sock in socks]
        for receiver in receivers:
            receiver.start()
        try:
            # A steady loop of queries while dnsd runs, then a backlog it has not read yet when
            # SIGTERM arrives (it is stopped while they are queued, then continued with the
            # signal pending): both must be answered before it exits.
            sent = 0
            for qid in range(2000):
                socks[qid % self.CLIENTS].send(build_query("example.test.", "SOA", qid=qid))
                sent += 1
            os.kill(dnsd.proc.pid, signal.SIGSTOP)
            wait_stopped(dnsd.proc.pid)
            for qid in range(sent, sent + self.BURST):
                socks[qid % self.CLIENTS].send(build_query("example.test.", "A", qid=qid))
            sent += self.BURST
            os.kill(dnsd.proc.pid, signal.SIGTERM)
            signalled = time.monotonic()
            os.kill(dnsd.proc.pid, signal.SIGCONT)
            code = reap(dnsd, STOP_BOUND_S + 5)
            elapsed = time.monotonic() - signalled
            # Answers sent before exit are already in our sockets: this only waits for the readers.
            try:
                wait_until(5.0, lambda: len(answered) >= sent, f"{sent} answers")
            except TimeoutError:
                pass  # the assertion below says what is missing

        finally:
            done.set()
            for receiver in receivers:
                receiver.join()
        self.assertEqual(code, 0, dnsd.stderr_text())
        self.assertLess(elapsed, STOP_BOUND_S)
        missing = sorted(set(range(sent)) - answered)
        self.assertEqual(len(missing), 0, f"{len(missing)} of {sent} queries sent before SIGTERM got "
                                          f"no answer (first ids: {missing[:8]})")

    def test_sigint_stops_gracefully_too(self):
        dnsd = self.own(ServiceDnsd().start())
        os.kill(dnsd.proc.pid, signal.SIGINT)
        self.assertEqual(reap(dnsd, STOP_BOUND_S), 0)
        self.assertIn("dnsd: Interrupt received, stopping", dnsd.stderr_path.read_text())

    def test_tcp_query_in_flight_is_answered_and_idle_connections_close(self):
        dnsd = self.own(ServiceDnsd(workers=1).start())
        idle = dnstest.TcpConn(dnsd.port, dnsd.host, timeout_s=5)
        busy = dnstest.TcpConn(dnsd.port, dnsd.host, timeout_s=5)
        self.addCleanup(idle.close)
        self.addCleanup(busy.close)
        busy.send(build_query("example.test.", "SOA", qid=1))
        self.assertIsNotNone(busy.recv())  # both connections are accepted and served
        os.kill(dnsd.proc.pid, signal.SIGSTOP)
        wait_stopped(dnsd.proc.pid)
        busy.send(build_query("example.test.", "NS", qid=2))
        os.kill(dnsd.proc.pid, signal.SIGTERM)
        os.kill(dnsd.proc.pid, signal.SIGCONT)
        reply = busy.recv()
        self.assertIsNotNone(reply, "the query sent before SIGTERM got no answer")
        self.assertEqual(dnstest.parse_message(reply).id, 2)
        self.assertTrue(busy.closed_by_peer(STOP_BOUND_S), "connection left open after its answer")
        self.assertTrue(idle.closed_by_peer(STOP_BOUND_S), "idle connection left open at stop")
        self.assertEqual(reap(dnsd, STOP_BOUND_S), 0)


class PrivilegeTest(dnstest.ServerTestCase):
    def check_runs_as_nobody(self, dnsd):
        uid, gid = account("nobody")
        status = dnsd.proc_status()
        self.assertEqual(status["Uid"], [str(uid)] * 4)
        self.assertEqual(status["Gid"], [str(gid)] * 4)
        self.assertNotIn("0", status.get("Groups", []))
        return status

    def test_root_binds_port_53_then_drops_to_the_configured_user(self):
        if not IS_ROOT:
            self.skipTest("needs root")
        host = free_loopback_port53()
        dnsd = self.own(ServiceDnsd(host=host, port=53, server_extra='user = "nobody"').start())
        status = self.check_runs_as_nobody(dnsd)
        self.assertEqual(int(status["CapEff"][0], 16), 0, "capabilities survived the switch")
        self.assertTrue(dnsd.answers())
        self.assertIn("running as user nobody", dnsd.stderr_text())

    def test_unprivileged_with_cap_net_bind_service(self):
        if not IS_ROOT:
            self.skipTest("needs root to start setpriv")
        setpriv = dnstest.require_tool("setpriv")
        uid, gid = account("nobody")
        wrapper = [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                   "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service"]
        dnsd = self.own(ServiceDnsd(host=free_loopback_port53(), port=53, wrapper=wrapper).start())
        status = self.check_runs_as_nobody(dnsd)
        self.assertEqual(int(status["CapEff"][0], 16), 1 << 10)  # CAP_NET_BIND_SERVICE only
        self.assertTrue(dnsd.answers())

    def test_unprivileged_without_the_capability_fails_to_bind_port_53(self):
        if not IS_ROOT:
            self.skipTest("needs root to start setpriv")
        setpriv = dnstest.require_tool("setpriv")
        uid, gid = account("nobody")
        dnsd = ServiceDnsd(host=free_loopback_port53(), port=53,
                           wrapper=[setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                                    "--inh-caps=-all"])
        self.addCleanup(dnsd.cleanup)
        proc = subprocess.run(dnsd.argv(), capture_output=True, text=True, timeout=30,
                              env=dnsd.env)
        self.assertEqual(proc.returncode, 1)
        self.assertRegex(proc.stderr, r"cannot listen on .*:53/udp: Permission denied")

    def test_a_user_that_cannot_be_switched_to_is_an_error(self):
        if not IS_ROOT:
            self.skipTest("needs root to start setpriv")
        setpriv = dnstest.require_tool("setpriv")
        uid, gid = account("nobody")
        dnsd = ServiceDnsd(server_extra='user = "root"',
                           wrapper=[setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups"])
        self.addCleanup(dnsd.cleanup)
        proc = subprocess.run(dnsd.argv(), capture_output=True, text=True, timeout=30,
                              env=dnsd.env)
        self.assertEqual(proc.returncode, 1)
        self.assertIn(f"cannot drop privileges: running as uid {uid}, not root", proc.stderr)


class LoggingTest(dnstest.ServerTestCase):
    def start_with_journal(self, log_level: str) -> ServiceDnsd:
        dnsd = ServiceDnsd(log_level=log_level)
        dnsd.stderr_path.write_bytes(b"")  # Server.start reopens this very file (same inode)
        st = os.stat(dnsd.stderr_path)
        dnsd.env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        return self.own(dnsd.start())

    def test_journal_lines_carry_syslog_priorities(self):
        dnsd = self.start_with_journal("info")
        os.kill(dnsd.proc.pid, signal.SIGHUP)  # a reload, logged at info
        wait_until(5.0, lambda: "dnsd: reloaded" in dnsd.stderr_path.read_text(), "the reload line")
        self.assertEqual(dnsd.stop(), 0)
        lines = dnsd.stderr_path.read_text().splitlines()
        self.assertTrue(any(line.startswith("<6>dnsd: serving 1 zones") for line in lines), lines)
        self.assertTrue(any(line.startswith("<6>dnsd: reloaded") for line in lines), lines)
        self.assertTrue(all(re.match(r"<[3467]>\S", line) for line in lines), lines)

    def test_log_level_warning_hides_info_lines(self):
        dnsd = self.own(ServiceDnsd(log_level="warning").start())
        self.assertEqual(dnsd.stop(), 0)
        self.assertNotIn("serving", dnsd.stderr_path.read_text())
        plain = self.own(ServiceDnsd(log_level="info").start())
        self.assertEqual(plain.stop(), 0)
        self.assertRegex(plain.stderr_path.read_text(),
                         rf"(?m)^{dnstest.LOG_TIMESTAMP}dnsd: serving 1 zones")


def metric(text: str, name: str, labels: dict) -> float:
    """The value of the one sample `name` whose labels include `labels`."""
    found = []
    for line in text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            found.append(float(m.group(3)))
    if len(found) != 1:
        raise AssertionError(f"{len(found)} samples of {name} {labels}")
    return found[0]


class MetricsTest(dnstest.ServerTestCase):
    def test_counters_after_real_queries_pass_promtool(self):
        promtool = dnstest.require_tool("promtool")
        dump = Path(tempfile.mkdtemp(prefix="metrics-it-")) / "metrics.prom"
        self.addCleanup(shutil.rmtree, dump.parent, True)
        dnsd = self.own(ServiceDnsd(workers=2, env={"DNSD_METRICS_DUMP": str(dump)}).start())
        for _ in range(3):
            self.assertEqual(dnstest.dig(dnsd.port, "example.test.", "A").rcode, "NOERROR")
        for _ in range(2):
            self.assertEqual(dnstest.dig(dnsd.port, "nope.example.test.", "AAAA").rcode, "NXDOMAIN")
        self.assertEqual(dnstest.dig(dnsd.port, "example.org.", "A").rcode, "REFUSED")
        self.assertEqual(dnstest.dig(dnsd.port, "example.test.", "MX", tcp=True).rcode, "NOERROR")
        # 8 TXT records of 200 bytes do not fit 1232 bytes: truncated over UDP.
        self.assertIn("tc", dnstest.dig(dnsd.port, "bigtxt.example.test.", "TXT").flags)
        # No answer for a datagram shorter than a header, nor for one too large to be a query.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
            raw.sendto(b"\x12\x34\x00", (dnsd.host, dnsd.port))
            raw.sendto(build_query("example.test.", "A") + bytes(5000), (dnsd.host, dnsd.port))
        dropped = lambda text: metric(text, "dnsd_queries_dropped_total", {"transport": "udp"})  # noqa: E731

        def dumped():
            os.kill(dnsd.proc.pid, signal.SIGUSR1)
            text = dump.read_text() if dump.exists() else ""
            return text if text and dropped(text) == 2 else None
        text = wait_until(5.0, dumped, "the metrics dump with both drops counted", poll_s=0.1)

        check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                               text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr + text)
        q = "dnsd_queries_total"
        self.assertEqual(metric(text, q, {"transport": "udp", "rcode": "NOERROR", "qtype": "A"}), 3)
        self.assertEqual(metric(text, q, {"transport": "udp", "rcode": "NXDOMAIN", "qtype": "AAAA"}), 2)
        self.assertEqual(metric(text, q, {"transport": "udp", "rcode": "REFUSED", "qtype": "A"}), 1)
        self.assertEqual(metric(text, q, {"transport": "tcp", "rcode": "NOERROR", "qtype": "MX"}), 1)
        self.assertEqual(metric(text, q, {"transport": "udp", "rcode": "NOERROR", "qtype": "TXT"}), 1)
        self.assertEqual(metric(text, "dnsd_responses_truncated_total", {"transport": "udp"}), 1)
        self.assertEqual(metric(text, "dnsd_responses_truncated_total", {"transport": "tcp"}), 0)
        self.assertEqual(metric(text, "dnsd_config_generation", {}), 1)

        self.assertEqual(dnsd.stop(), 0)
        final = dump.read_text()  # rewritten at stop
        self.assertEqual(metric(final, q, {"transport": "udp", "rcode": "NOERROR", "qtype": "A"}), 3)


    def test_probe_metrics_and_endpoint_states_from_real_probes(self):
        # Two IP endpoints probed over TCP: eu on a port we listen on (Online), us on a port
        # nobody listens on (Degraded, reason refused). log_level debug shows every verdict.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)

        def accept_and_close():  # a full accept queue would make the probes time out
            while True:
                try:
                    listener.accept()[0].close()
                except OSError:
                    return
        acceptor = threading.Thread(target=accept_and_close, daemon=True)
        acceptor.start()
        self.addCleanup(acceptor.join, 5)
        self.addCleanup(listener.shutdown, socket.SHUT_RDWR)
        closed_port = dnstest.free_port(ipv6=False)
        profile = (f'[[profile]]\nname = "tm.example.test."\nmethod = "priority"\nttl = 1\n'
                   f'[profile.monitor]\nprotocol = "tcp"\nport = {listener.getsockname()[1]}\n'
                   f'interval = "100ms"\ntimeout = "80ms"\ntolerated_failures = 0\n'
                   f'[[profile.endpoint]]\nname = "eu"\ntarget = "127.0.0.1"\npriority = 1\n'
                   f'[[profile.endpoint]]\nname = "us"\ntarget = "127.0.0.2"\npriority = 2\n'
                   f'[profile.endpoint.monitor]\nport = {closed_port}\n')
        dump = Path(tempfile.mkdtemp(prefix="metrics-it-")) / "metrics.prom"
        self.addCleanup(shutil.rmtree, dump.parent, True)
        dnsd = ServiceDnsd(log_level="debug", env={"DNSD_METRICS_DUMP": str(dump)})
        dnsd.config.write_text(dnsd.config.read_text() + profile)
        self.own(dnsd.start())

        def settled():
            os.kill(dnsd.proc.pid, signal.SIGUSR1)
            text = dump.read_text() if dump.exists() else ""
            try:
                ok = metric(text, "dnsd_probe_results_total", {"outcome": "ok"})
                refused = metric(text, "dnsd_probe_results_total", {"outcome": "refused"})
                states = (metric(text, "dnsd_endpoint_state", {"endpoint": "eu", "state": "Online"}),
                          metric(text, "dnsd_endpoint_state", {"endpoint": "us", "state": "Degraded"}))
            except AssertionError:
                return None
            return text if ok >= 2 and refused >= 2 and states == (1, 1) else None
        text = wait_until(10.0, settled, "eu Online and us Degraded in the metrics", poll_s=0.1)
        promtool = dnstest.require_tool("promtool")
        check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                               text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        transitions = "dnsd_endpoint_transitions_total"
        self.assertEqual(metric(text, transitions, {"endpoint": "eu", "from": "CheckingEndpoint", "to": "Online"}), 1)
        self.assertEqual(metric(text, transitions, {"endpoint": "us", "from": "CheckingEndpoint", "to": "Degraded"}), 1)
        self.assertEqual(metric(text, transitions, {"endpoint": "us", "from": "CheckingEndpoint", "to": "Online"}), 0)
        self.assertEqual(metric(text, "dnsd_endpoint_state", {"endpoint": "eu", "state": "Degraded"}), 0)
        results = sum(metric(text, "dnsd_probe_results_total", {"outcome": o})
                      for o in ("ok", "timeout", "refused", "tls", "dns", "status", "body", "other"))
        self.assertEqual(metric(text, "dnsd_probe_duration_seconds_count", {}), results)
        self.assertEqual(metric(text, "dnsd_probe_duration_seconds_bucket", {"le": "+Inf"}), results)
        # Loopback connects take well under a second.
        self.assertEqual(metric(text, "dnsd_probe_duration_seconds_bucket", {"le": "1"}), results)
        log = dnsd.stderr_path.read_text()
        self.assertIn("probe: profile=tm.example.test. endpoint=us CheckingEndpoint -> Degraded", log)
        self.assertRegex(log, rf"(?m)^{dnstest.LOG_TIMESTAMP}probe: verdict "
                              r"profile=tm\.example\.test\. endpoint=eu state=Online ok rtt=\d+ms$")


class UnitFileTest(dnstest.ServerTestCase):
    def test_systemd_analyze_verify_accepts_the_unit(self):
        analyze = dnstest.require_tool("systemd-analyze")
        text = UNIT_FILE.read_text()
        for key in ("Type=notify", "ExecStart=/usr/sbin/dnsd --config", "AmbientCapabilities=CAP_NET_BIND_SERVICE",
                    "NoNewPrivileges=yes", "ProtectSystem=strict", "ExecReload=/bin/kill -HUP $MAINPID"):
            self.assertIn(key, text)
        # verify wants the programs to exist: point them at the build under test.
        work = Path(tempfile.mkdtemp(prefix="unit-it-"))
        self.addCleanup(shutil.rmtree, work, True)
        unit = work / "dnsd.service"
        unit.write_text(text.replace("/usr/sbin/dnsd", dnstest.dnsd_binary()))
        proc = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                              timeout=60)
        problems = [line for line in (proc.stdout + proc.stderr).splitlines()
                    if "dnsd.service" in line]
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(problems, [])


if __name__ == "__main__":
    dnstest.main()
