#!/usr/bin/env python3
# The admin API under abuse (issue 12): hundreds of idle and half-sent connections to the API of
# a real dnsd running under a low descriptor limit must not starve DNS over TCP or the probes of
# the real tenants (tools/tenant_sim), must not lock the operator out of the API, and must not
# make dnsd spin a core. Also: the descriptor limit is raised at start, slow requests are cut at
# request_timeout, the cap closes the oldest idle connection, the Host check (DNS rebinding), and
# the warning when the API listens beyond loopback (in a network namespace of its own).
import http.client
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from admin_scenario import CI, TenantsAndAdmin  # noqa: E402
from tenants import ProbeSettings, who  # noqa: E402

SETTINGS = ProbeSettings(interval_s=0.5, timeout_s=0.4, tolerated=1)
SLACK_S = 3.0
PROCESS_NOFILE = 256     # dnsd's limit during the flood (soft and hard)
START_SOFT_NOFILE = 200  # the soft limit dnsd starts with, below the hard one, to be raised
FLOOD = 400              # more idle connections than dnsd has descriptors
FLOOD_OPENS_MAX = 8 * FLOOD
FLOOD_DEADLINE_S = 60.0
CPU_WINDOW_S = 3.0


def cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (all threads), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def admin_thread_running(pid: int) -> bool:
    """Whether a dnsd-admin thread is running or waiting for a CPU (state R) right now: a
    spinning loop is R whenever sampled, however loaded the machine is, while its share of a
    core (cpu_seconds) shrinks with the load."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "stat").read_text()
        except OSError:
            continue
        comm, rest = text.split("(", 1)[1].rsplit(")", 1)
        if comm == "dnsd-admin" and rest.split()[0] == "R":
            return True
    return False


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Flood:
    """Up to `count` connections to the API, held open: even ones send nothing, odd ones the
    start of a request that never ends (slowloris). top_up() replaces those the server closed,
    at most once a second and for at most FLOOD_OPENS_MAX connections in all, so the attack
    goes on while the test looks (a server that merely times connections out is still flooded)."""

    def __init__(self, port: int, count: int):
        self.port, self.count = port, count
        self.socks, self.opened, self.last_top_up = [], 0, 0.0
        self.end = time.monotonic() + FLOOD_DEADLINE_S
        self.top_up(force=True)

    def _open(self) -> None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        self.opened += 1
        try:
            s.connect(("127.0.0.1", self.port))
            if self.opened % 2:
                s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        except OSError:
            s.close()
            return
        self.socks.append(s)

    def top_up(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_top_up < 1.0:
            return
        self.last_top_up = now
        alive = []
        for s in self.socks:
            if closed_by_peer(s):
                s.close()
            else:
                alive.append(s)
        self.socks = alive
        while (len(self.socks) < self.count and self.opened < FLOOD_OPENS_MAX and
               time.monotonic() < self.end):
            self._open()

    def close(self) -> None:
        for s in self.socks:
            s.close()
        self.socks = []


def closed_by_peer(s: socket.socket) -> bool:
    s.settimeout(0)
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def answers(api) -> bool:
    """Whether an authorized GET /api/v1/status succeeds now."""
    try:
        return bool(api.status())
    except (OSError, AssertionError, http.client.HTTPException):
        return False


def request(port: int, path: str, headers: dict, timeout_s: float = 5.0) -> tuple:
    """(status, body text) of one GET with exactly these headers (Host included)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        conn.putrequest("GET", path, skip_host=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()


class IdleFlood(TenantsAndAdmin):
    """The default limits ([admin] without the new keys, so main's dnsd runs it too)."""

    @classmethod
    def setUpClass(cls):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        cls.hard_at_start = hard
        resource.setrlimit(resource.RLIMIT_NOFILE, (START_SOFT_NOFILE, hard))
        try:
            cls.start_scenario(prefix="abuse-creds-", settings=SETTINGS, password="pw-abuse-3141")
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        resource.prlimit(cls.dnsd.proc.pid, resource.RLIMIT_NOFILE,
                         (PROCESS_NOFILE, PROCESS_NOFILE))

    def test_the_descriptor_limit_is_raised_to_the_hard_limit_at_start(self):
        self.assertIn(f"dnsd: descriptor limit raised from {START_SOFT_NOFILE} to "
                      f"{self.hard_at_start} (the hard limit)", tenants.read_log(self.dnsd))

    def test_idle_connections_starve_neither_dns_nor_probes_nor_the_api(self):
        pid = self.dnsd.proc.pid
        for name in ("eu", "us"):
            dnstest.wait_until(SETTINGS.first_verdict_worst_s() + SLACK_S,
                               lambda: self.api.endpoint(CI, name)["state"] == "Online",
                               f"{name} Online")
        transitions_before = len(tenants.transitions(tenants.read_log(self.dnsd), CI))
        pings_before = self.eu.pings()
        flood = Flood(self.admin_port, FLOOD)
        try:
            findings = {"flood connections held": len(flood.socks)}
            cpu0, t0, samples, running = cpu_seconds(pid), time.monotonic(), 0, 0
            while time.monotonic() - t0 < CPU_WINDOW_S:  # a measurement window, flood sustained
                flood.top_up()
                time.sleep(0.05)
                samples += 1
                running += admin_thread_running(pid)
            cores = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
            findings["dnsd CPU (cores)"] = round(cores, 3)
            findings["admin thread runnable (share of samples)"] = round(running / samples, 2)
            findings["dnsd open descriptors"] = open_fds(pid)

            flood.top_up(force=True)
            tcp = dnstest.dig(self.dnsd.port, CI, tcp=True, allow_none=True)
            findings["DNS over TCP"] = who(tcp) if tcp else "no answer"

            def fresh_status():
                flood.top_up()
                return answers(self.api)
            try:
                dnstest.wait_until(15, fresh_status, "a fresh authorized request", poll_s=0.2)
                findings["fresh API request"] = "answered"
            except TimeoutError:
                findings["fresh API request"] = "not answered in 15 s"

            def probed():
                flood.top_up()
                return self.eu.pings() >= pings_before + 3
            try:
                dnstest.wait_until(SETTINGS.interval_s * 6 + SLACK_S, probed,
                                   "probes reaching eu during the flood", poll_s=0.2)
                findings["probes during the flood"] = "reached eu"
            except TimeoutError:
                findings["probes during the flood"] = "did not reach eu"
            log = tenants.read_log(self.dnsd)
            findings["state changes during the flood"] = [
                t.line for t in tenants.transitions(log, CI)[transitions_before:]]
            findings["flood connections opened in all"] = flood.opened
            print(f"\nflood findings: {findings}", file=sys.stderr)

            self.assertLess(cores, 0.5, findings)
            self.assertLess(running / samples, 0.5, findings)
            self.assertLess(findings["dnsd open descriptors"], PROCESS_NOFILE * 3 // 4, findings)
            self.assertEqual(findings["DNS over TCP"], "eu", findings)
            self.assertEqual(findings["fresh API request"], "answered", findings)
            self.assertEqual(findings["probes during the flood"], "reached eu", findings)
            self.assertEqual(findings["state changes during the flood"], [], findings)
        finally:
            flood.close()
        self.assertEqual(self.api.endpoint(CI, "eu")["state"], "Online")


    def test_with_no_descriptor_left_the_api_backs_off_instead_of_spinning(self):
        # Runs last in this class (unittest sorts by name): it starves dnsd of descriptors
        # outright, probes included, then gives them back.
        pid = self.dnsd.proc.pid
        # Below what is open: every new descriptor fails with EMFILE. Soft limit only, so that
        # it can be raised back without privileges.
        tight = open_fds(pid) - 2
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (tight, PROCESS_NOFILE))
        flood = None
        try:
            flood = Flood(self.admin_port, 50)
            t0, samples, running = time.monotonic(), 0, 0
            while time.monotonic() - t0 < CPU_WINDOW_S:
                flood.top_up()
                time.sleep(0.05)
                samples += 1
                running += admin_thread_running(pid)
            share = running / samples
            print(f"\nout of descriptors: admin thread runnable in {share:.2f} of samples",
                  file=sys.stderr)
            self.assertLess(share, 0.5)
            self.assertIn("admin: cannot accept a connection: Too many open files; trying again "
                          "in 100 ms", tenants.read_log(self.dnsd))
        finally:
            if flood:
                flood.close()
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (PROCESS_NOFILE, PROCESS_NOFILE))
        dnstest.wait_until(10, lambda: answers(self.api), "the API to answer again", poll_s=0.2)


class ConfiguredLimits(TenantsAndAdmin):
    """max_connections, request_timeout and hosts set in [admin]."""

    MAX = 8

    @classmethod
    def setUpClass(cls):
        cls.start_scenario(prefix="abuse-limits-creds-", settings=SETTINGS,
                           password="pw-abuse-limits-2718",
                           admin_extra=f'max_connections = {cls.MAX}\nrequest_timeout = "5s"\n'
                                       'hosts = ["dnsd.test", "Ops.Example.NET."]\n')

    def test_a_request_sent_slowly_is_cut_at_request_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.admin_port), timeout=2)
        try:
            s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")

            def cut():
                try:
                    s.sendall(b"a")  # one more header byte at every poll, never the end
                except OSError:
                    return True
                return closed_by_peer(s)
            dnstest.wait_until(12, cut, "dnsd to close a slowly sent request", poll_s=0.3)
        finally:
            s.close()

    def test_at_the_cap_the_oldest_idle_connection_makes_room(self):
        first = [socket.create_connection(("127.0.0.1", self.admin_port), timeout=2)
                 for _ in range(self.MAX)]
        later = []
        try:
            # Each status request below is accepted only once the idle ones are registered.
            self.api.status()
            later = [socket.create_connection(("127.0.0.1", self.admin_port), timeout=2)
                     for _ in range(self.MAX)]
            self.api.status()  # answered although MAX idle connections were open
            dnstest.wait_until(5, lambda: all(closed_by_peer(s) for s in first),
                               "the oldest idle connections to be closed")
            self.assertIn(f"admin: {self.MAX} connections open (max_connections): closed the "
                          "oldest idle one", tenants.read_log(self.dnsd))
        finally:
            for s in first + later:
                s.close()

    def test_only_ip_literals_localhost_and_configured_names_are_answered(self):
        auth = {"Authorization": f"Bearer {self.token}"}
        port = self.admin_port
        for host in (f"127.0.0.1:{port}", "127.0.0.1", f"[::1]:{port}", f"localhost:{port}",
                     "LOCALHOST", f"dnsd.test:{port}", "DNSD.TEST.", f"ops.example.net:{port}"):
            code, body = request(port, "/api/v1/status", {"Host": host, **auth})
            self.assertEqual(code, 200, f"Host: {host}: {body}")
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example",
                     "dnsd.test.evil.example", f"localhost.evil.example:{port}", "[evil]",
                     f"dnsd.test:{port}x"):
            for path in ("/api/v1/status", "/"):
                code, body = request(port, path, {"Host": host, **auth})
                self.assertEqual(code, 421, f"Host: {host} {path}: {body}")
                self.assertNotIn("profiles", body)
        code, body = request(port, "/api/v1/status", {"Host": "evil.example", **auth})
        self.assertIn("Host", body)


class ListenBeyondLoopback(unittest.TestCase):
    """An API listening on 0.0.0.0 is warned about; it runs in a network namespace of its own
    (unshare -n), whose only interface is its loopback, so nothing outside can reach it."""

    def run_dnsd(self, admin_address: str) -> str:
        """dnsd in a new network namespace with the API on `admin_address`: its log once the
        API is up (the "dnsd: serving" line, which follows it), after a SIGTERM and a clean exit."""
        work = Path(tempfile.mkdtemp(prefix="dnsd-admin-beyond-"))
        proc = None
        try:
            shutil.copy(dnstest.EXAMPLE_ZONE, work / "example.test.zone")
            (work / "admin.token").write_text("tok-" + "5" * 32 + "\n")
            (work / "admin.token").chmod(0o600)
            (work / "dnsd.toml").write_text(
                '[server]\nlisten = ["127.0.0.1:5300"]\n'
                '[[zone]]\nname = "example.test."\nfile = "example.test.zone"\n'
                f'[admin]\nenabled = true\nlisten = "{admin_address}:8053"\n'
                'token_file = "admin.token"\n')
            unshare = ["unshare", "--net"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
            log = work / "stderr.log"
            with open(log, "w") as err:
                proc = subprocess.Popen(
                    unshare + ["sh", "-c", 'ip link set lo up && exec "$0" --config "$1"',
                               dnstest.dnsd_binary(), str(work / "dnsd.toml")],
                    stdout=subprocess.DEVNULL, stderr=err, cwd=work)
            dnstest.wait_until(15, lambda: "dnsd: serving " in log.read_text()
                               or proc.poll() is not None, "the API to listen")
            proc.send_signal(signal.SIGTERM)  # dnsd itself: sh execs it, unshare execs sh
            self.assertEqual(proc.wait(timeout=dnstest.STOP_DEADLINE_S), 0, log.read_text())
            return log.read_text()
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            shutil.rmtree(work, ignore_errors=True)

    def test_an_api_beyond_loopback_is_warned_about_and_loopback_is_not(self):
        if not shutil.which("unshare"):
            self.skipTest("unshare (util-linux) is not installed")
        warning = "admin: the API listens on 0.0.0.0 port 8053, beyond loopback"
        self.assertIn(warning, self.run_dnsd("0.0.0.0"))
        self.assertNotIn("beyond loopback", self.run_dnsd("127.0.0.1"))


if __name__ == "__main__":
    dnstest.main()
