"""The servers under test: one config writer and one command line each, one thread each
unless built with threads=2 (the two-thread phase).

Every server gets its own directory holding a hard link to the shared zone file, its own free
loopback port, and is started pinned to its CPUs (`taskset -c 1`, or `-c 0,1` for two threads).
"""
import os
import re
import subprocess
import time

from . import dnsclient, procs

SERVER_CPU = 1
NICE = 0  # set by bench/run: servers and dnsperf get the same priority boost


def pinned(cpus, cmd):
    """cmd pinned to one CPU (an int) or a set of CPUs, with the bench's nice value if it has one."""
    boost = ["nice", "-n", str(NICE)] if NICE else []
    cpu_list = ",".join(str(c) for c in sorted(cpus)) if isinstance(cpus, (set, frozenset)) else str(cpus)
    return ["taskset", "-c", cpu_list, *boost, *cmd]


def _link(src, dst):
    if os.path.exists(dst):
        os.unlink(dst)
    try:
        os.link(src, dst)
    except OSError:
        subprocess.run(["cp", src, dst], check=True)


class Server:
    kind = "?"

    def __init__(self, name, root, port, threads=1, cpus=frozenset({SERVER_CPU})):
        self.name = name
        self.dir = os.path.join(root, name)
        self.port = port
        self.threads = threads  # server (query) threads; every config below honours it
        self.cpus = frozenset(cpus)
        self.proc = None
        self.load_time_s = None
        self.repinned = []  # (pid, tid, cpus it had chosen) for every thread put back on self.cpus
        # (algorithm, name, base64 secret): the zone may be transferred with this TSIG key only
        # (bench/axfr.py); None: no transfers, as bench/run configures them.
        self.transfer_key = None
        # Where it listens, and the interface of its AF_XDP mode (None: off; bench/xdp.py).
        self.address = "127.0.0.1"
        self.xdp_interface = None
        os.makedirs(self.dir, exist_ok=True)

    def prepare(self, zone_path):
        """Writes the config for zone_path; returns self."""
        _link(zone_path, os.path.join(self.dir, "bench.test.zone"))
        self.write_config()
        return self

    def write_config(self):
        pass

    def command(self):
        raise NotImplementedError

    def start(self, ready_name, ready_timeout_s=300, wrap=(), tag=""):
        """Starts pinned, waits until ready_name is answered; records the load time."""
        cmd = pinned(set(self.cpus), [*wrap, *self.command()])
        self.proc = procs.Proc(cmd, self.dir, os.path.join(self.dir, f"server{tag}.log"))
        t0 = self.proc.started
        with dnsclient.Client(self.port, timeout_s=0.1) as client:
            def ready():
                if not self.proc.alive():
                    raise RuntimeError(f"{self.name} exited; see {self.proc.log_path}")
                reply = client.ask(ready_name, "A")
                return reply is not None and self.is_ready_reply(reply)
            if not procs.wait_until(ready_timeout_s, ready, 0.005 if not wrap else 0.1):
                raise RuntimeError(f"{self.name} not answering after {ready_timeout_s}s; see {self.proc.log_path}")
        self.load_time_s = time.monotonic() - t0
        self.repinned += self.proc.enforce_affinity(self.cpus)
        return self

    def check_pinning(self):
        """Threads found off the server core since the last check (and put back)."""
        moved = self.proc.enforce_affinity(self.cpus) if self.proc else []
        self.repinned += moved
        return moved

    @staticmethod
    def is_ready_reply(reply):
        return reply["rcode"] == "NOERROR" and reply["answers"]

    def stop(self):
        if self.proc:
            self.proc.stop()
            self.proc = None


class Knot(Server):
    kind = "knot"

    def write_config(self):
        acl = "    acl: xfr\n" if self.transfer_key else ""
        xdp = (f"xdp:\n    listen: {self.xdp_interface}@{self.port}\n    udp: on\n    tcp: off\n"
               if self.xdp_interface else "")
        with open(os.path.join(self.dir, "knot.conf"), "w") as f:
            f.write(f"""server:
    rundir: "{self.dir}"
    listen: {self.address}@{self.port}
    udp-workers: {self.threads}
    tcp-workers: {self.threads}
    background-workers: 1
{xdp}database:
    storage: "{self.dir}/db"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "{self.dir}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
{self._transfer_sections()}zone:
  - domain: bench.test.
    file: bench.test.zone
{acl}""")

    def _transfer_sections(self):
        if not self.transfer_key:
            return ""
        algorithm, name, secret = self.transfer_key
        return (f"key:\n  - id: {name}\n    algorithm: {algorithm}\n    secret: {secret}\n"
                f"acl:\n  - id: xfr\n    key: {name}\n    action: transfer\n")

    def command(self):
        return ["knotd", "-c", os.path.join(self.dir, "knot.conf")]


class Nsd(Server):
    kind = "nsd"

    def write_config(self):
        # minimal-responses: no NS in AUTHORITY on positive answers, like the others by default.
        # rrl-ratelimit 0: Debian builds NSD with response rate limiting on (200 QPS per /24),
        # which would drop most of the load; the others have no RRL unless configured.
        # reuseport with 2 servers: one socket per server process, as the others have per thread
        # (NSD's own advice for server-count > 1); with 1 it makes no difference.
        with open(os.path.join(self.dir, "nsd.conf"), "w") as f:
            f.write(f"""server:
  server-count: {self.threads}
  ip-address: 127.0.0.1@{self.port}
  port: {self.port}
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "{self.dir}"
  database: ""
  pidfile: "{self.dir}/nsd.pid"
  xfrdfile: "{self.dir}/xfrd.state"
  zonelistfile: "{self.dir}/zone.list"
  verbosity: 0
  hide-version: yes
  minimal-responses: yes
  reuseport: {"yes" if self.threads > 1 else "no"}
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: bench.test.
  zonefile: bench.test.zone
""")

    def command(self):
        return ["nsd", "-d", "-c", os.path.join(self.dir, "nsd.conf")]


class Gdnsd(Server):
    kind = "gdnsd"

    def prepare(self, zone_path):
        os.makedirs(os.path.join(self.dir, "zones"), exist_ok=True)
        _link(zone_path, os.path.join(self.dir, "zones", "bench.test"))
        self.write_config()
        return self

    def write_config(self):
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write(f"""options => {{
  listen => [ 127.0.0.1:{self.port} ]
  udp_threads => {self.threads}
  tcp_threads => {self.threads}
  zones_rfc1035_threads => 1
  run_dir => "{self.dir}/run"
  state_dir => "{self.dir}/state"
}}
""")

    def command(self):
        return ["gdnsd", "-c", self.dir, "start"]


class Null(Server):
    """The do-nothing responder: the floor, not a DNS server."""
    kind = "null"
    binary = None

    def prepare(self, zone_path):
        return self

    def command(self):
        return [self.binary, "127.0.0.1", str(self.port), str(self.threads)]

    @staticmethod
    def is_ready_reply(reply):
        return True


class Dnsd(Server):
    """dnsd; with profiles it serves the health-routed names app-0..app-P-1 itself."""
    kind = "dnsd"
    binary = None

    def __init__(self, name, root, port, profiles=None, **kw):
        super().__init__(name, root, port, **kw)
        self.profiles = profiles  # None or dict(count, eu, us, port, interval, timeout)
        self.extra_config = ""  # TOML appended to the config (compare_builds --after-config)

    def write_config(self):
        lines = [
            'log_level = "warning"',
            "[server]",
            f'listen = ["{self.address}:{self.port}"]',
            f"workers = {self.threads}",
            "udp_payload = 1232",
            'tcp_idle_timeout = "10s"',
            "tcp_max_connections = 256",
            "[[zone]]",
            'name = "bench.test."',
            'file = "bench.test.zone"',
        ]
        if self.transfer_key:
            algorithm, name, secret = self.transfer_key
            secret_path = os.path.join(self.dir, "xfr.secret")
            with open(os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                f.write(secret + "\n")
            lines += ["[[zone.transfer]]", f'key = "{name}"',
                      "[[key]]", f'name = "{name}"', f'algorithm = "{algorithm}"',
                      'secret_file = "xfr.secret"']
        p = self.profiles
        for i in range(p["count"] if p else 0):
            lines += [
                "[[profile]]", f'name = "app-{i}.bench.test."', 'method = "priority"', "ttl = 1",
                "[profile.monitor]", 'protocol = "http"', f"port = {p['port']}", 'path = "/http/ping"',
                f'interval = "{p["interval"]}"', f'timeout = "{p["timeout"]}"', "tolerated_failures = 0",
                'expected_status = "200-200"',
                "[[profile.endpoint]]", 'name = "eu"', f'target = "{p["eu"]}"', "priority = 1",
                "[[profile.endpoint]]", 'name = "us"', f'target = "{p["us"]}"', "priority = 2",
            ]
        with open(os.path.join(self.dir, "dnsd.toml"), "w") as f:
            xdp = (f'[xdp]\ninterface = "{self.xdp_interface}"\nport = {self.port}\n'
                   if self.xdp_interface else "")
            f.write("\n".join(lines) + "\n" + xdp + self.extra_config)

    def command(self):
        return [self.binary, "--config", os.path.join(self.dir, "dnsd.toml")]

    def probe_transitions(self):
        """How many health transitions dnsd logged (one line each, issue 3)."""
        try:
            with open(self.proc.log_path if self.proc else os.path.join(self.dir, "server.log")) as f:
                return sum(1 for line in f if re.search(r"\bprobe: .* -> ", line))
        except OSError:
            return 0


def versions(dnsd_binary):
    def first_line(cmd, pattern=None):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            text = out.stdout + out.stderr
        except (OSError, subprocess.TimeoutExpired):
            return "?"
        if pattern:
            m = re.search(pattern, text)
            return m.group(1) if m else "?"
        return text.strip().splitlines()[0] if text.strip() else "?"
    gdnsd = "?"
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "gdnsd"], capture_output=True, text=True, timeout=10)
        gdnsd = out.stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {
        "dnsd": first_line([dnsd_binary, "--version"], r"dnsd (\S+)"),
        "knot": first_line(["knotd", "-V"], r"version (\S+)"),
        "nsd": first_line(["nsd", "-v"], r"NSD version (\S+)"),
        "gdnsd": gdnsd,
        "dnsperf": first_line(["dnsperf", "-h"], r"Version (\S+)"),
        "valgrind": first_line(["valgrind", "--version"], r"valgrind-(\S+)"),
    }
