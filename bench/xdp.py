#!/usr/bin/env python3
"""AF_XDP bench (issue 17): dnsd's XDP mode against Knot 3.2's on the same veth, and the kernel
socket path of both for reference. Standalone, as root:

    bench/xdp.py [--rounds 3] [--seconds 5] [--rate 10000] [--json PATH]

It makes its own pair of network namespaces and a veth between them (tests/support/netns.py),
and deletes them on the way out. Each server runs in the server namespace pinned to CPU 1 with
one worker (and one XDP queue: veth has one), dnsperf in the client namespace pinned to CPU 0.
Rounds are interleaved (knot-xdp, dnsd-xdp, knot-sock, dnsd-sock, then again), each server
measured at a fixed rate and unthrottled; figures are medians over rounds. CPU per query is
the server process tree's run time (schedstat, as bench/run's figures; utime+stime, which
counts in 10 ms ticks, is kept alongside as cpu_stat_*) over the queries answered. With veth, the XDP program
itself and the receive side run in softirq on the sender's core and are charged to no server:
both servers' figures leave it out alike.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

from harness import load, procs, servers, zonegen  # noqa: E402
import netns  # noqa: E402

PORT = 53
HOSTS = 1000
ORDER = ("knot-xdp", "dnsd-xdp", "knot-sock", "dnsd-sock")


class InNamespace:
    """A server started inside the server namespace, pinned; ready once dig gets an answer."""

    def start_in(self, pair):
        cmd = ["ip", "netns", "exec", pair.server,
               *servers.pinned(set(self.cpus), self.command())]
        self.proc = procs.Proc(cmd, self.dir, os.path.join(self.dir, "server.log"))

        def ready():
            if not self.proc.alive():
                raise RuntimeError(f"{self.name} exited; see {self.proc.log_path}")
            out = pair.run(pair.client, ["dig", "+short", "+time=1", "+tries=1",
                                         f"@{pair.server_ip}", "-p", str(PORT), "www-0.bench.test"],
                           capture_output=True, text=True, timeout=10).stdout
            return out.strip() != ""
        if not procs.wait_until(60, ready, 0.05):
            raise RuntimeError(f"{self.name} not answering after 60s; see {self.proc.log_path}")
        self.repinned += self.proc.enforce_affinity(self.cpus)
        return self


class Knot(InNamespace, servers.Knot):
    pass


class Dnsd(InNamespace, servers.Dnsd):
    pass


def make(name, root, pair, zone):
    """The server `name` (kind-mode) on the server side of the veth, in XDP mode or not."""
    kind, mode = name.split("-")
    server = (Knot if kind == "knot" else Dnsd)(name, root, PORT)
    server.address = pair.server_ip
    server.xdp_interface = pair.server_if if mode == "xdp" else None
    return server.prepare(zone)


def measure(server, pair, qfile, out_dir, seconds, rate, tag):
    r = load.measure(server, qfile, os.path.join(out_dir, f"{server.name}-{tag}.txt"), seconds,
                     rate=rate, host=pair.server_ip, netns=pair.client, outstanding=200)
    return r


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rate", type=int, default=10000)
    parser.add_argument("--json", help="write the figures here (bench/run reads them)")
    parser.add_argument("--dnsd", default=os.path.join(REPO, "build", "daemon", "dnsd"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--quick", action="store_true", help="2 s runs (bench/run --quick)")
    args = parser.parse_args()
    if args.quick:
        args.seconds = min(args.seconds, 2)
    if os.geteuid() != 0:
        sys.exit("bench/xdp.py: needs root (network namespaces, XDP)")
    servers.Dnsd.binary = os.path.abspath(args.dnsd)
    procs.pin_self(load.LOAD_CPU)
    root = tempfile.mkdtemp(prefix="bench-xdp-")
    zone = os.path.join(root, "bench.test.zone")
    qfile = os.path.join(root, "queries.txt")
    zonegen.write_static_zone(zone, HOSTS)
    zonegen.static_queries(qfile, HOSTS, 100_000)
    results = {name: [] for name in ORDER}
    try:
        run_rounds(args, root, zone, qfile, results)
    except BaseException:
        print(f"bench/xdp.py: failed; logs kept in {root}", file=sys.stderr)
        raise
    report(args, results)
    if args.keep:
        print(f"\nwork directory: {root}", file=sys.stderr)
    else:
        shutil.rmtree(root, ignore_errors=True)


def run_rounds(args, root, zone, qfile, results):
    with netns.VethPair("bx", subnet=215) as pair:
        for round_no in range(args.rounds):
            for name in ORDER:
                server = make(name, root, pair, zone)
                server.start_in(pair)
                try:
                    # Knot answers from its sockets a moment before its XDP workers start.
                    if name.endswith("xdp") and not procs.wait_until(10, pair.xdp_program, 0.05):
                        raise RuntimeError(f"{name}: no XDP program attached; see {server.proc.log_path}")
                    fixed = measure(server, pair, qfile, root, args.seconds, args.rate, f"{round_no}-10k")
                    flood = measure(server, pair, qfile, root, args.seconds, None, f"{round_no}-max")
                finally:
                    server.stop()
                # A server that leaves its program behind would take the next one's queries.
                if pair.xdp_program():
                    subprocess.run(["ip", "-n", pair.server, "link", "set", "dev", pair.server_if,
                                    "xdp", "off"], check=False)
                results[name].append((fixed, flood))
                print(f"round {round_no + 1} {name}: 10k {fixed['cpu_us_per_q']:.2f} us/q "
                      f"(lost {fixed['lost']}), max {flood['qps']:.0f} qps "
                      f"{flood['cpu_us_per_q']:.2f} us/q, foreign cpu1 "
                      f"{fixed['foreign_cpu1_pct']:.0f}%/{flood['foreign_cpu1_pct']:.0f}%",
                      file=sys.stderr)


def report(args, results):
    summary, detail = {}, {}
    med = statistics.median
    for name, runs in results.items():
        # Exactly these keys: bench/run reads them.
        summary[name] = {
            "cpu_us_per_q_10k": round(med(f["cpu_us_per_q"] for f, _ in runs), 3),
            "cpu_us_per_q_max": round(med(m["cpu_us_per_q"] for _, m in runs), 3),
            "max_qps": round(med(m["qps"] for _, m in runs)),
            "lost": sum(f["lost"] + m["lost"] for f, m in runs),
        }
        detail[name] = {
            "spread_10k": sorted(round(f["cpu_us_per_q"], 2) for f, _ in runs),
            "spread_max": sorted(round(m["cpu_us_per_q"], 2) for _, m in runs),
            "stat_10k": round(med(f["cpu_stat_us_per_q"] for f, _ in runs), 2),
            "stat_max": round(med(m["cpu_stat_us_per_q"] for _, m in runs), 2),
            "foreign_cpu1_pct": round(med(m["foreign_cpu1_pct"] for _, m in runs)),
        }

    def ratio(key):
        knot = summary["knot-xdp"][key]
        return round(summary["dnsd-xdp"][key] / knot, 3) if knot else None
    doc = {"rounds": args.rounds, "servers": summary,
           "ratio_cpu_max": ratio("cpu_us_per_q_max"), "ratio_cpu_10k": ratio("cpu_us_per_q_10k")}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
    print(f"## AF_XDP: server CPU per answered query ({args.rounds} interleaved rounds, "
          f"{args.seconds:g} s each, medians; veth, 1 queue, server on CPU 1, dnsperf on CPU 0)\n")
    print("| server | CPU µs/q at 10k QPS (spread) | CPU µs/q unthrottled (spread) | max QPS | "
          "lost | utime+stime µs/q 10k / max | other load on CPU 1 |")
    print("|---|---|---|---|---|---|---|")
    for name in ORDER:
        s, d = summary[name], detail[name]
        print(f"| {name} | {s['cpu_us_per_q_10k']:.2f} ({d['spread_10k'][0]}–{d['spread_10k'][-1]}) | "
              f"{s['cpu_us_per_q_max']:.2f} ({d['spread_max'][0]}–{d['spread_max'][-1]}) | "
              f"{s['max_qps']} | {s['lost']} | {d['stat_10k']} / {d['stat_max']} | "
              f"{d['foreign_cpu1_pct']}% |")
    print(f"\nratio dnsd-xdp / knot-xdp: unthrottled {doc['ratio_cpu_max']}, "
          f"at 10k QPS {doc['ratio_cpu_10k']} (goal <= 0.8)")


if __name__ == "__main__":
    main()
