#!/usr/bin/env python3
"""bench/fleet.py: a fleet of three dnsd instances through a real three-member etcd (issue 14).

    bench/fleet.py                       every part, 20 flips, 10,000 endpoints
    bench/fleet.py --part flips          flip latency only
    bench/fleet.py --part writes --endpoints 2000
    bench/fleet.py --part cpu            CPU per query, fleet on vs off (bench/compare_builds.py)

flips: each instance probes from its own vantage (its own pair of tenant_sim processes: primary
  127.0.0.2, backup 127.0.0.3, one port per pair), rule majority. A cycle fails the primary for
  eu-west (no decision moves), then for us-east: us-east's probe is the deciding one. The time
  is from that probe's state-change line on us-east's stderr to the last of the three instances'
  "fleet: ... Online -> Degraded" lines (each line stamped as it arrives through a pipe), i.e.
  until every instance has the decision in the health word queries read; then back up (the
  recovery of us-east's probe decides again). 10 cycles = 20 flips. Median and max.
writes: P profiles x 8 endpoints (all on one tenant pair per vantage, so a probe serves every
  endpoint), rule majority. dnsd_fleet_etcd_writes_total summed over the three instances, per
  second: steady (everything Online, after convergence) and in a storm (the primary fails for
  every vantage: every endpoint flips at once), until every instance has decided every endpoint.
cpu: bench/compare_builds.py with the same dnsd before (no [fleet]) and after (--after-config
  with [fleet] on a one-member etcd).
Loopback only; it stops what it started, by PID.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(REPO / "tests" / "support"))

import admin_client  # noqa: E402
import dnstest  # noqa: E402
import etcd  # noqa: E402
import tenants  # noqa: E402
from tenants import ProbeSettings  # noqa: E402

VANTAGES = ("eu-west", "us-east", "ap-south")
PRIMARY, BACKUP = "127.0.0.2", "127.0.0.3"
SETTINGS = ProbeSettings(interval_s=0.2, timeout_s=0.15, tolerated=0)


# The write count must not move with probe noise (a flap of the shared probe flips every
# endpoint): slower, tolerant probes for the writes part.
STEADY = ProbeSettings(interval_s=1.0, timeout_s=0.8, tolerated=2)


def profile_toml(name: str, port: int, endpoints: int, settings: ProbeSettings = SETTINGS) -> str:
    out = (f'\n[[profile]]\nname = "{name}"\nmethod = "priority"\nttl = 1\n'
           f'[profile.monitor]\nprotocol = "http"\nport = {port}\npath = "/http/ping"\n'
           f'expected_status = "200-200"\ninterval = "{settings.ms(settings.interval_s)}"\n'
           f'timeout = "{settings.ms(settings.timeout_s)}"\n'
           f"tolerated_failures = {settings.tolerated}\nsuccesses_to_recover = 1\n")
    for i in range(endpoints):
        target = PRIMARY if i < endpoints - 1 else BACKUP
        out += (f'\n[[profile.endpoint]]\nname = "e{i}"\ntarget = "{target}"\n'
                f"priority = {i + 1}\n")
    return out


def start_pair(name: str) -> tuple:
    """A primary (127.0.0.2) and a backup (127.0.0.3) tenant on one port below the ephemeral
    range (dnstest.free_port), retried when the port is taken on either address (bounded)."""
    last = ""
    for _ in range(20):
        port = dnstest.free_port(ipv6=False)
        primary = tenants.Tenant(f"p-{name}", PRIMARY,
                                 port=port)
        try:
            primary.start()
        except AssertionError as e:
            last = str(e)
            primary.cleanup()
            continue
        backup = tenants.Tenant(f"b-{name}", BACKUP,
                                port=port)
        try:
            return primary, backup.start()
        except AssertionError as e:
            last = str(e)
            backup.cleanup()
            primary.stop()
            primary.cleanup()
    raise AssertionError(f"no port for a tenant pair: {last}")


class Instance:
    """One dnsd whose stderr lines are stamped (time.monotonic()) as they arrive."""

    def __init__(self, work: Path, index: int, cluster, tenant_port: int, profiles: str,
                 prefix: str):
        self.dir = work / f"dnsd{index}"
        self.dir.mkdir()
        self.port = dnstest.free_port(ipv6=False)
        self.admin_port = dnstest.free_port(ipv6=False)
        self.token = admin_client.write_token(self.dir / "admin.token")
        endpoints = ", ".join(f'"{e}"' for e in cluster.endpoints)
        (self.dir / "dnsd.toml").write_text(
            f'log_level = "info"\n[server]\nlisten = ["127.0.0.1:{self.port}"]\nworkers = 1\n'
            + tenants.zone_toml("tm.test.") + profiles
            + admin_client.admin_toml(self.admin_port, "admin.token")
            + f'\n[fleet]\nname = "dns-{index}"\nvantage = "{VANTAGES[index]}"\n'
              f'endpoints = [{endpoints}]\nprefix = "{prefix}"\nlease_ttl = "5s"\n')
        self.lines, self.lock = [], threading.Lock()
        self.proc = subprocess.Popen([dnstest.dnsd_binary(), "--config", "dnsd.toml"],
                                     cwd=self.dir, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL, text=True, bufsize=1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.api = admin_client.AdminClient(self.admin_port, self.token)
        dnstest.wait_until(20, self._up, f"dns-{index} to answer")

    def _read(self):
        for line in self.proc.stderr:
            with self.lock:
                self.lines.append((time.monotonic(), line.rstrip("\n")))

    def _up(self):
        q = dnstest.build_query("tm.test.", "SOA")
        return dnstest.udp_exchange(self.port, q, timeout_s=0.3) is not None

    def mark(self) -> int:
        with self.lock:
            return len(self.lines)

    def find(self, since: int, pattern: re.Pattern):
        with self.lock:
            for at, line in self.lines[since:]:
                if pattern.search(line):
                    return at
        return None

    def count(self, since: int, pattern: re.Pattern) -> int:
        with self.lock:
            return sum(1 for _, line in self.lines[since:] if pattern.search(line))

    def writes(self) -> int:
        code, body = self.api.get("/metrics")
        m = re.search(r"^dnsd_fleet_etcd_writes_total (\d+)", body, re.M)
        return int(m.group(1)) if m else 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Fleet:
    def __init__(self, work: Path, profiles_for_port):
        self.cluster = etcd.EtcdCluster(3).start()
        self.pairs, self.instances = [], []
        prefix = f"/bench-{os.getpid()}/"
        try:
            for i in range(3):
                p, b = start_pair(VANTAGES[i])
                self.pairs.append((p, b))
                self.instances.append(Instance(work, i, self.cluster, p.port,
                                               profiles_for_port(p.port), prefix))
        except BaseException:
            self.stop()
            raise

    def stop(self):
        for d in self.instances:
            d.stop()
        for p, b in self.pairs:
            for t in (p, b):
                t.stop()
                t.cleanup()
        self.cluster.cleanup()


def flips(work: Path, count: int) -> dict:
    qname = "app.tm.test."
    fleet = Fleet(work, lambda port: profile_toml(qname, port, 2))
    T = dnstest.LOG_TIMESTAMP  # log lines start with it (README "Logs")
    probe_down = re.compile(rf"^{T}probe: profile={re.escape(qname)} endpoint=e0 Online -> Degraded")
    probe_up = re.compile(rf"^{T}probe: profile={re.escape(qname)} endpoint=e0 Degraded -> Online")
    fleet_down = re.compile(rf"^{T}fleet: profile={re.escape(qname)} endpoint=e0 Online -> Degraded")
    fleet_up = re.compile(rf"^{T}fleet: profile={re.escape(qname)} endpoint=e0 Degraded -> Online")
    eu, us = fleet.pairs[0][0], fleet.pairs[1][0]
    deciding = fleet.instances[1]
    times, missed = [], 0

    def answers(want):
        return all(dnstest.dig(d.port, qname).answer[0].rdata == want for d in fleet.instances)

    def one_flip(tenant, mode, probe_re, fleet_re, want):
        marks = [d.mark() for d in fleet.instances]
        tenant.set_mode(mode)
        t0 = dnstest.wait_until(10, lambda: deciding.find(marks[1], probe_re), "the deciding probe")
        ends = dnstest.wait_until(10, lambda: [d.find(m, fleet_re) for d, m in
                                               zip(fleet.instances, marks)]
                                  if all(d.find(m, fleet_re) for d, m in
                                         zip(fleet.instances, marks)) else None,
                                  "all three to decide")
        dnstest.wait_until(5, lambda: answers(want), f"all three to answer {want}")
        return max(ends) - t0

    try:
        dnstest.wait_until(30, lambda: answers(PRIMARY), "all three to answer the primary")
        for cycle in range(count // 2):
            eu.set_mode("503")  # one vantage: nothing moves
            dnstest.wait_until(10, lambda: fleet.instances[0].api.endpoint(qname, "e0")
                               ["local_status"] == "Degraded", "eu-west's own view")
            time.sleep(SETTINGS.interval_s * (cycle % 4) / 4)  # a random-ish probe phase
            try:
                times.append(one_flip(us, "503", probe_down, fleet_down, BACKUP))
                times.append(one_flip(us, "up", probe_up, fleet_up, PRIMARY))
            except TimeoutError:
                missed += 1
            eu.set_mode("up")
            dnstest.wait_until(10, lambda: fleet.instances[0].api.endpoint(qname, "e0")
                               ["local_status"] == "Online", "eu-west back")
    finally:
        fleet.stop()
    return {"flips": len(times), "missed": missed,
            "median_ms": statistics.median(times) * 1000 if times else None,
            "max_ms": max(times) * 1000 if times else None}


def writes(work: Path, endpoints: int, steady_s: float) -> dict:
    per_profile = 8
    profiles = endpoints // per_profile
    fleet = Fleet(work, lambda port: "".join(profile_toml(f"p{i}.tm.test.", port, per_profile, STEADY)
                                             for i in range(profiles)))
    decided = re.compile(rf"^{dnstest.LOG_TIMESTAMP}fleet: profile=\S+ endpoint=e\d+ Online -> Degraded")
    n = profiles * (per_profile - 1)  # the primaries: every one flips in the storm
    try:
        def total():
            return sum(d.writes() for d in fleet.instances)
        # Converged: every instance wrote its first verdict for every endpoint and nothing moves.
        last = [-1]

        def settled():
            now = total()
            done = now == last[0] and now >= 3 * profiles * per_profile
            last[0] = now
            return done
        dnstest.wait_until(600, settled, "the first verdicts to be written", poll_s=2.0)
        before, t0 = total(), time.monotonic()
        time.sleep(steady_s)
        steady = (total() - before) / (time.monotonic() - t0)
        marks = [d.mark() for d in fleet.instances]
        before, t0 = total(), time.monotonic()
        for p, _ in fleet.pairs:
            p.set_mode("503")
        dnstest.wait_until(900, lambda: all(d.count(m, decided) >= n for d, m in
                                            zip(fleet.instances, marks)),
                           "every instance to decide every endpoint Degraded", poll_s=0.5)
        took = time.monotonic() - t0
        storm_writes = total() - before
    finally:
        fleet.stop()
    return {"endpoints": profiles * per_profile, "steady_per_s": steady,
            "storm_writes": storm_writes, "storm_s": took, "storm_per_s": storm_writes / took}


def cpu(work: Path, rounds: int) -> str:
    cluster = etcd.EtcdCluster(1).start()
    try:
        extra = work / "fleet-on.toml"
        extra.write_text(f'\n[fleet]\nname = "bench"\nvantage = "here"\n'
                         f'endpoints = ["{cluster.endpoints[0]}"]\n')
        binary = dnstest.dnsd_binary()
        sim = os.environ.get("TENANT_SIM_BIN") or str(REPO / "build" / "tools" / "tenant_sim")
        proc = subprocess.run([sys.executable, str(BENCH / "compare_builds.py"), "--before", binary,
                               "--after", binary, "--after-config", str(extra), "--tenant-sim", sim,
                               "--rounds", str(rounds), "--no-callgrind"],
                              capture_output=True, text=True, timeout=3600)
        return proc.stdout + proc.stderr
    finally:
        cluster.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=("flips", "writes", "cpu", "all"), default="all")
    ap.add_argument("--flips", type=int, default=20)
    ap.add_argument("--endpoints", type=int, default=10000)
    ap.add_argument("--steady-s", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        work = Path(tmp)
        if args.part in ("flips", "all"):
            (work / "flips").mkdir()
            r = flips(work / "flips", args.flips)
            print(f"flip to all three deciding: {r['flips']} flips, median "
                  f"{r['median_ms']:.1f} ms, max {r['max_ms']:.1f} ms, missed {r['missed']}")
        if args.part in ("writes", "all"):
            (work / "writes").mkdir()
            r = writes(work / "writes", args.endpoints, args.steady_s)
            print(f"etcd writes, {r['endpoints']} endpoints x 3 vantages: steady "
                  f"{r['steady_per_s']:.2f}/s; storm {r['storm_writes']} writes in "
                  f"{r['storm_s']:.1f} s = {r['storm_per_s']:.0f}/s")
        if args.part in ("cpu", "all"):
            (work / "cpu").mkdir()
            print(cpu(work / "cpu", args.rounds))


if __name__ == "__main__":
    main()
