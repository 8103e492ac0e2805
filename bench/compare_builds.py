#!/usr/bin/env python3
"""bench/compare_builds.py: one dnsd build against another, for "no regression" claims.

    bench/compare_builds.py --before OLD/dnsd --after NEW/dnsd --tenant-sim build/tools/tenant_sim
    bench/compare_builds.py --before B/dnsd --after B/dnsd --after-config rrl-on.toml ...

Both builds serve the same zone and the same 10 health-routed profiles as bench/run (mix 1
static, mix 2 health-routed), each with one server thread pinned to CPU 1, dnsperf on CPU 0. The
two are measured in interleaved rounds (before, after, before, after, ...) at 10k QPS and
unthrottled, and reported as medians of server CPU per query with the ratio after / before;
then, unless --no-callgrind, instructions per query under callgrind (deterministic, so one run).
A ratio <= 1 + --tolerance (default 0.02) is "ok". Loopback only; it stops what it started.
"""
import argparse
import os
import shutil
import signal
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
sys.dont_write_bytecode = True

from harness import callgrind, load, phases, procs, servers, tenants, zonegen  # noqa: E402

HOSTS, PROFILES = 1000, 10


def start_all(args, work):
    zone = os.path.join(work, "static.zone")
    zonegen.write_static_zone(zone, HOSTS)
    queries = {"static": os.path.join(work, "static.q"), "profile": os.path.join(work, "profile.q")}
    zonegen.static_queries(queries["static"], HOSTS, args.callgrind_n)
    zonegen.profile_queries(queries["profile"], PROFILES, args.callgrind_n)
    tport = procs.free_port(("127.0.0.2", "127.0.0.3"))
    started = []
    for ip, region in (("127.0.0.2", "eu"), ("127.0.0.3", "us")):
        started.append(tenants.Tenant(args.tenant_sim, work, ip, tport, procs.free_port((ip,)), region))
    profiles = {"count": PROFILES, "eu": "127.0.0.2", "us": "127.0.0.3", "port": tport,
                "interval": "1s", "timeout": "500ms"}
    builds = {}
    for name, binary in (("before", args.before), ("after", args.after)):
        server = servers.Dnsd(name, work, procs.free_port(), profiles=profiles)
        server.binary = binary  # shadows the class attribute bench/run sets for every instance
        if name == "after" and args.after_config:
            with open(args.after_config) as f:
                server.extra_config = f.read()
        server.prepare(zone)
        server.start(zonegen.last_name_static(HOSTS))
        started.append(server)
        builds[name] = server
    return builds, queries, started


def cpu_rounds(builds, queries, args, work):
    results = {}
    tests = [("10k", 10000, args.seconds), ("max", None, args.seconds)]
    for rnd in range(args.rounds):
        for mix, qfile in queries.items():
            ok = ("NOERROR", "NXDOMAIN") if mix == "static" else ("NOERROR",)
            for test, rate, seconds in tests:
                for name in ("before", "after") if rnd % 2 == 0 else ("after", "before"):
                    out = os.path.join(work, f"{mix}-{test}-{name}-{rnd}.txt")
                    r = load.measure(builds[name], qfile, out, seconds, rate=rate, ok_rcodes=ok)
                    results.setdefault((mix, test, name), []).append(r)
        phases.log(f"round {rnd + 1}/{args.rounds} done")
    return results


def instructions(builds, queries, work):
    out = {}
    for name, server in builds.items():
        server.stop()
        for mix, qfile in queries.items():
            r = callgrind.instructions_per_query(server, zonegen.last_name_static(HOSTS), qfile,
                                                 os.path.join(work, "callgrind", mix, name))
            out[(mix, name)] = r["ir_per_q"]
            phases.log(f"callgrind {mix} {name}: {r['ir_per_q'] or 0:.0f} Ir/query")
    return out


def report(cpu, ir, tolerance):
    lines = ["| measure | before | after | after / before | |", "|---|---|---|---|---|"]
    spread = ["", "Every round (us/query), before | after:"]
    worst = 0.0

    def row(label, before, after):
        nonlocal worst
        if not before or not after:
            lines.append(f"| {label} | {before} | {after} | ? | |")
            return
        ratio = after / before
        worst = max(worst, ratio)
        verdict = "ok" if ratio <= 1 + tolerance else "REGRESSION"
        lines.append(f"| {label} | {before:.3f} | {after:.3f} | {ratio:.3f} | {verdict} |")

    for mix in ("static", "profile"):
        for test in ("10k", "max"):
            runs = {n: [r["cpu_us_per_q"] for r in cpu.get((mix, test, n), [])] for n in ("before", "after")}
            row(f"{mix}: CPU us/query at {test}", phases.median(runs["before"]), phases.median(runs["after"]))
            spread.append(f"- {mix} {test}: " + " ".join(f"{v:.3f}" for v in runs["before"]) + " | " +
                          " ".join(f"{v:.3f}" for v in runs["after"]))
    for mix in ("static", "profile"):
        if (mix, "before") in ir:
            row(f"{mix}: callgrind Ir/query", ir[(mix, "before")], ir[(mix, "after")])
    lines += spread
    lines.append("")
    lines.append(f"worst ratio {worst:.3f}: {'ok' if worst <= 1 + tolerance else 'REGRESSION'} "
                 f"(tolerance {tolerance:.0%})")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="the dnsd binary to compare against")
    ap.add_argument("--after", required=True, help="the dnsd binary under test")
    ap.add_argument("--tenant-sim", required=True, help="tools/tenant_sim binary")
    ap.add_argument("--after-config", help="TOML appended to the after build's config (e.g. an "
                    "[rrl] section, to compare a feature on against off with one binary)")
    ap.add_argument("--rounds", type=int, default=4, help="interleaved rounds (default 4)")
    ap.add_argument("--seconds", type=float, default=4, help="seconds per dnsperf run (default 4)")
    ap.add_argument("--callgrind-n", type=int, default=20000, help="queries per callgrind run")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--tolerance", type=float, default=0.02)
    ap.add_argument("--nice", type=int, default=-10 if os.geteuid() == 0 else 0)
    args = ap.parse_args()
    if os.cpu_count() < 2:
        sys.exit("compare_builds: needs 2 CPUs (server on CPU 1, load on CPU 0)")
    procs.pin_self(0)
    servers.NICE = args.nice
    load.QUIET_MAX_S = 3.0
    work = tempfile.mkdtemp(prefix="dnsd-compare-")
    started = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    try:
        builds, queries, started = start_all(args, work)
        cpu = cpu_rounds(builds, queries, args, work)
        ir = {} if args.no_callgrind else instructions(builds, queries, work)
        text = report(cpu, ir, args.tolerance)
        print(text)
        return 0 if "REGRESSION" not in text else 1
    finally:
        for thing in reversed(started):
            try:
                thing.stop()
            except Exception as error:  # keep stopping the rest
                phases.log(f"stop failed: {error}")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
