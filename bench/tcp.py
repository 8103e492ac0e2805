#!/usr/bin/env python3
"""bench/tcp.py: dnsd's TCP path against gdnsd and Knot (issue 17), and nothing else.

    bench/tcp.py [--dnsd build/daemon/dnsd] [--rounds 3] [--fixed-s 5] [--max-s 4]
                 [--servers gdnsd,knot,dnsd,null] [--baseline OTHER_DNSD_BINARY]

Mix 1 (static names, 1,000 hosts) over TCP as bench/run's TCP phase asks it: dnsperf -m tcp -c 10
-T 1 (10 connections, at most 100 queries outstanding) pinned to CPU 0, each server one thread
pinned to CPU 1. Each round runs every server at 10k QPS (latencies) and then unthrottled, the
servers interleaved, so a neighbour's burst is spread over all of them. Prints per run and the
medians: server CPU per answered query, p50 / p99 / p99.9 / max at 10k, QPS unthrottled, and the
ratios dnsd/gdnsd; --baseline adds a second dnsd build ("dnsd-base") to the same rounds, for a
before/after comparison. "null" is bench/null_tcp_responder.c (built here with cc): it echoes
each query back with QR set, one read and one write per wake-up, and so shows what the kernel's
TCP path costs without any DNS work (its "answers" are not DNS answers: ignore its rcodes).
About 3 minutes by default. Loopback only; stops what it started, by PID.
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from harness import load, procs, servers, zonegen  # noqa: E402

class DnsdBase(servers.Dnsd):
    """Another dnsd build in the same rounds (--baseline)."""
    binary = None


class NullTcp(servers.Server):
    """The TCP floor: bench/null_tcp_responder.c (echo with QR set), ready once it accepts."""
    kind = "null-tcp"
    binary = None

    def prepare(self, zone_path):
        return self

    def command(self):
        return [self.binary, "127.0.0.1", str(self.port)]

    def start(self, ready_name, ready_timeout_s=30, wrap=(), tag=""):
        self.proc = procs.Proc(servers.pinned(set(self.cpus), self.command()), self.dir,
                               os.path.join(self.dir, "server.log"))

        def accepts():
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return True
            except OSError:
                return False
        if not procs.wait_until(ready_timeout_s, accepts, 0.01):
            raise RuntimeError(f"{self.name} not accepting; see {self.proc.log_path}")
        self.repinned += self.proc.enforce_affinity(self.cpus)
        return self


def build_null(work):
    out = os.path.join(work, "null_tcp_responder")
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-o", out, os.path.join(BENCH, "null_tcp_responder.c")],
                   check=True, timeout=120)
    return out


CLASSES = {"null": NullTcp, "gdnsd": servers.Gdnsd, "knot": servers.Knot, "nsd": servers.Nsd, "dnsd": servers.Dnsd,
           "dnsd-base": DnsdBase}
TCP = {"mode": "tcp", "clients": 10, "threads": 1}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(a, b):
    return None if a is None or not b else a / b


def run(args, work):
    hosts = 1000
    zone = os.path.join(work, "static.zone")
    queries = os.path.join(work, "static.q")
    zonegen.write_static_zone(zone, hosts)
    zonegen.static_queries(queries, hosts, 20000)
    ready = zonegen.last_name_static(hosts)
    servers.Dnsd.binary = os.path.realpath(args.dnsd)
    names = args.servers.split(",")
    if "null" in names:
        NullTcp.binary = build_null(work)
    if args.baseline:
        DnsdBase.binary = os.path.realpath(args.baseline)
        names.append("dnsd-base")
    started = []
    results = {name: {"10k": [], "max": []} for name in names}
    try:
        for name in names:
            server = CLASSES[name](name, work, procs.free_port()).prepare(zone)
            started.append(server)
            server.start(ready)
        by_name = dict(zip(names, started))
        for rnd in range(args.rounds):
            for test, rate, seconds, verbose in (("10k", 10000, args.fixed_s, True),
                                                  ("max", None, args.max_s, False)):
                for name in names:
                    out = os.path.join(work, f"{name}-{test}-{rnd}.txt")
                    r = load.measure(by_name[name], queries, out, seconds, rate=rate, verbose=verbose, **TCP)
                    results[name][test].append(r)
                    print(f"round {rnd + 1} {test:>3} {name:9} cpu {r['cpu_us_per_q']:6.2f} us/q  "
                          f"qps {r['qps']:9,.0f}  p50 {fmt(r.get('p50_us'), 0):>6}  "
                          f"p99 {fmt(r.get('p99_us'), 0):>6}  p99.9 {fmt(r.get('p999_us'), 0):>6}  "
                          f"max {fmt(r.get('max_us'), 0):>7} us  lost {r['lost']}  "
                          f"reconnects {r['reconnections']}  other CPU1 {r['foreign_cpu1_pct']:.0f}%",
                          flush=True)
    finally:
        for server in reversed(started):
            server.stop()
    return results


def summary(results):
    rows = {}
    for name, tests in results.items():
        rows[name] = {
            "cpu10k": median(r["cpu_us_per_q"] for r in tests["10k"]),
            "cpumax": median(r["cpu_us_per_q"] for r in tests["max"]),
            "qpsmax": median(r["qps"] for r in tests["max"]),
            "p50": median(r.get("p50_us") for r in tests["10k"]),
            "p99": median(r.get("p99_us") for r in tests["10k"]),
            "p999": median(r.get("p999_us") for r in tests["10k"]),
            "max": median(r.get("max_us") for r in tests["10k"]),
            "busy": median(r["foreign_cpu1_pct"] for r in tests["10k"] + tests["max"]),
        }
    print("\nmedians | CPU us/q @10k | CPU us/q unthrottled | QPS unthrottled | p50 | p99 | p99.9 | max (us, @10k)"
          " | other load on CPU 1")
    for name, row in rows.items():
        print(f"{name:9} | {fmt(row['cpu10k'])} | {fmt(row['cpumax'])} | {fmt(row['qpsmax'], 0)} | "
              f"{fmt(row['p50'], 0)} | {fmt(row['p99'], 0)} | {fmt(row['p999'], 0)} | {fmt(row['max'], 0)} | "
              f"{fmt(row['busy'], 0)}%")
    keys = ("cpu10k", "cpumax", "p50", "p99", "p999", "max")
    for a, b in (("dnsd", "gdnsd"), ("dnsd-base", "gdnsd"), ("dnsd", "dnsd-base"), ("null", "gdnsd"),
                 ("dnsd", "null")):
        if a in rows and b in rows:
            print(f"{a}/{b} | " + " | ".join(f"{key} {fmt(ratio(rows[a][key], rows[b][key]))}" for key in keys))
    if "dnsd" in rows and "gdnsd" in rows:
        print("targets: cpu10k and cpumax <= 0.80, p50 and p99 <= 1.00")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dnsd", default=os.path.join(REPO, "build", "daemon", "dnsd"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--fixed-s", type=int, default=5, help="seconds per 10k QPS run")
    ap.add_argument("--max-s", type=int, default=4, help="seconds per unthrottled run")
    ap.add_argument("--servers", default="gdnsd,knot,dnsd,null",
                    help="comma-separated: gdnsd,knot,nsd,dnsd,null")
    ap.add_argument("--baseline", help="another dnsd binary, run as dnsd-base in the same rounds")
    args = ap.parse_args()
    if "dnsd" in args.servers.split(",") and not os.access(args.dnsd, os.X_OK):
        sys.exit(f"bench/tcp.py: {args.dnsd} missing (build dnsd first)")
    procs.pin_self(0)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dnsd-tcp-bench-") as work:
        summary(run(args, work))
    print(f"({time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
