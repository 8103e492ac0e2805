# A real etcd cluster on loopback for tests and examples: N members (etcd-server 3.4) with free
# ports, data in a temp dir, a unique cluster token; health and leader through the members' own
# HTTP API; members killed, stopped, frozen and restarted by PID. Optional TLS (an openssl CA,
# server and client certificates, --client-cert-auth) and RBAC auth (a root user). Works in a
# network namespace with only lo. Standard library only.
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dnstest  # noqa: E402

START_DEADLINE_S = 30.0  # a loaded CI machine: three members and an election
STOP_DEADLINE_S = 10.0

_LIVE_CLUSTERS: list = []


def _openssl(*args: str, cwd: Path) -> None:
    proc = subprocess.run([dnstest.require_tool("openssl"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"openssl {args[0]} failed: {proc.stderr}")


class Certificates:
    """A CA, a server certificate for 127.0.0.1/::1/localhost, a client certificate, and a
    second CA that signed nothing here (the 'wrong CA' of a client)."""

    def __init__(self, directory: Path):
        self.dir = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.ca, self.ca_key = directory / "ca.pem", directory / "ca.key"
        self.server, self.server_key = directory / "server.pem", directory / "server.key"
        self.client, self.client_key = directory / "client.pem", directory / "client.key"
        self.wrong_ca = directory / "wrong-ca.pem"
        self._ca(self.ca, self.ca_key, "dnsd test etcd CA")
        self._ca(self.wrong_ca, directory / "wrong-ca.key", "dnsd test other CA")
        self._leaf("server", self.server, self.server_key,
                   "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n"
                   "extendedKeyUsage=serverAuth,clientAuth\n")
        # No CommonName: with auth enabled, etcd 3.4's gateway refuses a client certificate that
        # has one ("CommonName of client sending a request against gateway will be ignored").
        self._leaf("client", self.client, self.client_key, "extendedKeyUsage=clientAuth\n",
                   subject="/O=dnsd tests/OU=etcd client")

    def _ca(self, cert: Path, key: Path, name: str) -> None:
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
                 "-subj", f"/CN={name}", cwd=self.dir)

    def _leaf(self, name: str, cert: Path, key: Path, extensions: str,
              subject: str = "") -> None:
        ext = self.dir / f"{name}.ext"
        ext.write_text(extensions)
        csr = self.dir / f"{name}.csr"
        _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", subject or f"/CN={name}",
                 cwd=self.dir)
        _openssl("x509", "-req", "-in", str(csr), "-CA", str(self.ca), "-CAkey", str(self.ca_key),
                 "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile", str(ext),
                 cwd=self.dir)


class Member:
    def __init__(self, cluster: "EtcdCluster", index: int):
        self.cluster = cluster
        self.name = f"m{index}"
        self.client_port = dnstest.free_port(ipv6=cluster.ipv6)
        self.peer_port = dnstest.free_port(ipv6=False)
        self.data_dir = cluster.dir / self.name
        self.log_path = cluster.dir / f"{self.name}.log"
        self.proc: Optional[subprocess.Popen] = None
        self.frozen = False

    @property
    def endpoint(self) -> str:
        return f"{self.cluster.scheme}://127.0.0.1:{self.client_port}"

    @property
    def endpoint6(self) -> str:
        """The same member on ::1 (only with EtcdCluster(ipv6=True))."""
        return f"{self.cluster.scheme}://[::1]:{self.client_port}"

    def client_urls(self) -> str:
        return ",".join([self.endpoint] + ([self.endpoint6] if self.cluster.ipv6 else []))

    @property
    def peer_url(self) -> str:
        return f"http://127.0.0.1:{self.peer_port}"

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.alive() else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def argv(self) -> list:
        c = self.cluster
        argv = [dnstest.require_tool("etcd"), "--name", self.name, "--data-dir", str(self.data_dir),
                "--listen-client-urls", self.client_urls(),
                "--advertise-client-urls", self.client_urls(),
                "--listen-peer-urls", self.peer_url, "--initial-advertise-peer-urls", self.peer_url,
                "--initial-cluster", c.initial_cluster, "--initial-cluster-token", c.token,
                "--initial-cluster-state", "new", "--log-outputs", "stderr",
                "--logger", "zap"]
        if c.progress_notify_interval:
            argv += ["--experimental-watch-progress-notify-interval", c.progress_notify_interval]
        argv += c.extra_args
        if c.certs is not None:
            argv += ["--cert-file", str(c.certs.server), "--key-file", str(c.certs.server_key),
                     "--trusted-ca-file", str(c.certs.ca), "--client-cert-auth"]
        return argv

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv(), cwd=self.cluster.dir, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.frozen = False

    def kill(self) -> None:
        """SIGKILL: the member dies without a word to its peers or clients."""
        if self.alive():
            if self.frozen:
                os.kill(self.proc.pid, signal.SIGCONT)
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.frozen = False

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_DEADLINE_S."""
        if not self.alive():
            return
        if self.frozen:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.frozen = False
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def freeze(self) -> None:
        """SIGSTOP: connections stay open and nothing answers (a hung host)."""
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)
        self.frozen = False

    def log_text(self, tail_lines: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return f"--- etcd {self.name}: no log ---"
        return f"--- etcd {self.name} ({self.log_path}) ---\n" + "\n".join(lines[-tail_lines:])


class EtcdCluster:
    """with EtcdCluster(3, tls=True, auth=True) as cluster: ... members stopped and the temp
    dir removed on exit, also when a test fails or the interpreter exits early."""

    def __init__(self, size: int = 3, *, tls: bool = False, auth: bool = False,
                 progress_notify_interval: Optional[str] = None, extra_args: tuple = (),
                 ipv6: bool = False):
        self.dir = Path(tempfile.mkdtemp(prefix="etcd-it-"))
        self.ipv6 = ipv6  # members listen on ::1 too (endpoint6); needs dnstest.HAS_IPV6
        self.token = f"dnsd-test-{uuid.uuid4().hex}"
        self.progress_notify_interval = progress_notify_interval
        self.extra_args = list(extra_args)  # e.g. ("--auth-token-ttl", "2")
        self.certs = Certificates(self.dir / "certs") if tls else None
        self.scheme = "https" if tls else "http"
        self.user = "root" if auth else ""
        self.password = f"pw-{uuid.uuid4().hex}" if auth else ""
        self.members = [Member(self, i) for i in range(size)]
        self.initial_cluster = ",".join(f"{m.name}={m.peer_url}" for m in self.members)
        self._auth = auth

    # -- lifecycle

    def __enter__(self) -> "EtcdCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def start(self) -> "EtcdCluster":
        _LIVE_CLUSTERS.append(self)
        try:
            for m in self.members:
                m.start()
            self.wait_healthy()
            if self._auth:
                self._enable_auth()
        except BaseException:
            self.cleanup()
            raise
        return self

    def stop_all(self) -> None:
        for m in self.members:
            m.stop()

    def cleanup(self) -> None:
        self.stop_all()
        if self in _LIVE_CLUSTERS:
            _LIVE_CLUSTERS.remove(self)
        shutil.rmtree(self.dir, ignore_errors=True)

    def restart(self, member: Member) -> None:
        """Starts a stopped or killed member again on its data dir, and waits until it serves."""
        member.start()
        dnstest.wait_until(START_DEADLINE_S, lambda: self.healthy(member),
                           f"etcd {member.name} to serve again")

    # -- what clients need

    @property
    def endpoints(self) -> list:
        return [m.endpoint for m in self.members]

    def client_env(self, *, wrong_ca: bool = False, members: Optional[list] = None,
                   ipv6: bool = False) -> dict:
        """ETCD_* variables for the test driver: endpoints (of `members`, in that order; all by
        default; on ::1 if asked), TLS files, user and password."""
        env = {"ETCD_ENDPOINTS": ",".join(m.endpoint6 if ipv6 else m.endpoint
                                          for m in (members or self.members))}
        if self.certs is not None:
            env.update(ETCD_CA=str(self.certs.wrong_ca if wrong_ca else self.certs.ca),
                       ETCD_CERT=str(self.certs.client), ETCD_KEY=str(self.certs.client_key))
        if self.user:
            env.update(ETCD_USER=self.user, ETCD_PASSWORD=self.password)
        return env

    def etcdctl(self, *args: str, members: Optional[list] = None,
                user: bool = True) -> subprocess.CompletedProcess:
        argv = [dnstest.require_tool("etcdctl"), "--dial-timeout=3s", "--command-timeout=5s",
                "--endpoints", ",".join(m.endpoint for m in (members or self.live_members()))]
        if self.certs is not None:
            argv += ["--cacert", str(self.certs.ca), "--cert", str(self.certs.client),
                     "--key", str(self.certs.client_key)]
        if user and self.user and self._auth_enabled:
            argv += ["--user", f"{self.user}:{self.password}"]
        return subprocess.run(argv + list(args), capture_output=True, text=True, timeout=30,
                              env={**os.environ, "ETCDCTL_API": "3"})

    _auth_enabled = False

    def _enable_auth(self) -> None:
        for args in (("user", "add", f"{self.user}:{self.password}"), ("auth", "enable")):
            proc = self.etcdctl(*args)
            if proc.returncode != 0:
                raise AssertionError(f"etcdctl {args[0]} {args[1]} failed: {proc.stderr}")
        self._auth_enabled = True

    # -- state

    def live_members(self) -> list:
        return [m for m in self.members if m.alive() and not m.frozen]

    def _get(self, member: Member, path: str, timeout_s: float = 1.0) -> str:
        context = None
        if self.certs is not None:
            context = ssl.create_default_context(cafile=str(self.certs.ca))
            context.load_cert_chain(str(self.certs.client), str(self.certs.client_key))
        with urllib.request.urlopen(member.endpoint + path, timeout=timeout_s,
                                    context=context) as answer:
            return answer.read().decode(errors="replace")

    def post(self, member: Member, path: str, body: dict, token: str = "",
             timeout_s: float = 2.0) -> dict:
        """A gateway call (/v3/...); etcd's error answers come back as their JSON too."""
        context = None
        if self.certs is not None:
            context = ssl.create_default_context(cafile=str(self.certs.ca))
            context.load_cert_chain(str(self.certs.client), str(self.certs.client_key))
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = token
        request = urllib.request.Request(member.endpoint + path, data=json.dumps(body).encode(),
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout_s, context=context) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as e:
            return json.loads(e.read())

    def auth_token(self, member: Optional[Member] = None) -> str:
        """A fresh auth token of the root user."""
        answer = self.post(member or self.live_members()[0], "/v3/auth/authenticate",
                           {"name": self.user, "password": self.password})
        return answer["token"]

    def healthy(self, member: Member) -> bool:
        """The member answers /health with a leader (etcd 3.4: {"health":"true"})."""
        if not member.alive() or member.frozen:
            return False
        try:
            return json.loads(self._get(member, "/health")).get("health") == "true"
        except (OSError, ValueError, urllib.error.URLError):
            return False

    def wait_healthy(self, deadline_s: float = START_DEADLINE_S) -> None:
        def all_up():
            for m in self.members:
                if m.proc is not None and m.proc.poll() is not None:
                    raise AssertionError(f"etcd {m.name} exited with {m.proc.returncode}\n"
                                         f"{m.log_text()}")
            return all(self.healthy(m) for m in self.live_members())
        try:
            dnstest.wait_until(deadline_s, all_up, "the etcd cluster to be healthy", poll_s=0.1)
        except TimeoutError as e:
            raise AssertionError(f"{e}\n{self.logs()}") from None

    def leader(self, deadline_s: float = START_DEADLINE_S) -> Member:
        """The member that is leader now (its /metrics say etcd_server_is_leader 1, which needs
        no auth); waits through an election."""
        def find() -> Optional[Member]:
            for m in self.live_members():
                try:
                    if "\netcd_server_is_leader 1" in self._get(m, "/metrics"):
                        return m
                except (OSError, urllib.error.URLError):
                    continue
            return None
        return dnstest.wait_until(deadline_s, find, "an etcd leader", poll_s=0.1)

    def kill_leader(self) -> Member:
        leader = self.leader()
        leader.kill()
        return leader

    def logs(self) -> str:
        return "\n".join(m.log_text() for m in self.members)


@atexit.register
def _stop_leftovers() -> None:
    for cluster in list(_LIVE_CLUSTERS):
        cluster.cleanup()


if __name__ == "__main__":  # a smoke run: python3 tests/support/etcd.py [--tls] [--auth]
    started = time.monotonic()
    with EtcdCluster(3, tls="--tls" in sys.argv, auth="--auth" in sys.argv) as cluster:
        print(f"healthy after {time.monotonic() - started:.1f}s: {cluster.endpoints}")
        leader = cluster.kill_leader()
        print(f"killed leader {leader.name} (pid {leader.proc.pid if leader.proc else '-'}); "
              f"new leader {cluster.leader().name}")
        cluster.restart(leader)
        print(f"{leader.name} back; etcdctl: {cluster.etcdctl('endpoint', 'health').stderr.strip()}")
