#!/usr/bin/env python3
"""bench/latency.py: the UDP latency tail at a fixed rate, dnsd against Knot (and NSD, gdnsd).

    bench/latency.py --dnsd build/daemon/dnsd                 4 rounds x 5 s, about 3 minutes
    bench/latency.py --dnsd ... --rounds 2 --seconds 3 --servers knot,nsd,gdnsd,dnsd
    bench/latency.py --dnsd build/daemon/dnsd --baseline /tmp/dnsd-main   before/after, interleaved

Starts the servers as bench/run does (the whole process pinned to CPU 1, dnsperf on CPU 0, dnsd
probing 10 profiles x 2 tenants every second), then runs interleaved rounds of dnsperf at a fixed
rate (default 10k QPS) for each server and mix (static names; health-routed names, which only
dnsd serves as profiles and the others as plain records). Prints p50 / p99.9 / max per run, how
many queries took over 1 ms, the server CPU per query and how busy CPU 1 was with other
processes, then the medians and spreads with the ratio dnsd / best other. Bounded: every dnsperf
run is bounded by the harness, the whole run by rounds x servers x mixes x seconds.
"""
import argparse
import os
import shutil
import signal
import re
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
sys.dont_write_bytecode = True

from harness import load, procs, servers, tenants, zonegen  # noqa: E402

KINDS = {"knot": servers.Knot, "nsd": servers.Nsd, "gdnsd": servers.Gdnsd}


def slow_count(out_path, limit_s=0.001):
    """Queries in a verbose dnsperf output that took longer than limit_s (the stalls)."""
    count = 0
    with open(out_path) as f:
        for line in f:
            if line.startswith("> ") and not line.startswith("> T "):
                try:
                    count += float(line.rsplit(None, 1)[1]) > limit_s
                except (ValueError, IndexError):
                    pass
    return count


def set_autogroup_nice(pid, nice):
    """With CONFIG_SCHED_AUTOGROUP on (kernel.sched_autogroup_enabled), every session is one
    scheduling entity: a thread's nice value weighs it only against threads of its own session,
    and every session gets an equal share of a busy core. pid None: this process, moved to a
    session of its own first (so only it and its children, dnsperf, are affected)."""
    if pid is None:
        try:
            os.setsid()
        except PermissionError:  # already a session leader
            pass
        pid = os.getpid()
    with open(f"/proc/{pid}/autogroup", "w") as f:
        f.write(str(nice))


def sched_attribution(data, pid, threshold_s=0.0002):
    """From a `perf sched record`: every wait of pid's busiest thread (the query thread) to run
    that was over threshold_s, and what ran on CPU 1 meanwhile: pid's own threads by name, other
    processes by command. Text, for printing."""
    text = subprocess.run(["perf", "sched", "timehist", "-i", data], capture_output=True, text=True,
                          timeout=300).stdout
    rows = []  # (end, cpu, task, sched delay s, run s)
    for line in text.splitlines()[3:]:
        p = line.split()
        if len(p) < 6:
            continue
        try:
            rows.append((float(p[0]), p[1], " ".join(p[2:-3]), float(p[-2]) / 1e3, float(p[-1]) / 1e3))
        except ValueError:
            continue
    own = re.compile(rf"^(.*)\[(\d+)/{pid}\]$")
    run_by_tid = {}
    for _, _, task, _, run in rows:
        m = own.match(task)
        if m:
            run_by_tid[m.group(2)] = run_by_tid.get(m.group(2), 0) + run
    if not run_by_tid:
        return "  perf sched: no dnsd thread seen"
    query = max(run_by_tid, key=run_by_tid.get)
    cpu1 = [r for r in rows if r[1] == "[0001]"]
    blame, waits, total = {}, 0, 0.0
    for end, _, task, delay, run in rows:
        if f"[{query}/{pid}]" not in task or delay < threshold_s:
            continue
        waits, total = waits + 1, total + delay
        start, stop = end - run - delay, end - run
        for end2, _, task2, _, run2 in cpu1:
            if end2 > start and end2 - run2 < stop:
                m = own.match(task2)
                key = f"dnsd {m.group(1)}" if m else re.sub(r"\[\d+(/\d+)?\]$", "", task2)
                blame[key] = blame.get(key, 0) + min(end2, stop) - max(end2 - run2, start)
    lines = [f"  perf sched: query thread {query} waited > {threshold_s * 1e3:g} ms {waits} times, "
             f"{total * 1e3:.1f} ms in all; on CPU 1 meanwhile:"]
    for key, seconds in sorted(blame.items(), key=lambda kv: -kv[1])[:8]:
        lines.append(f"  {seconds * 1e3:9.1f} ms  {key}")
    return "\n".join(lines)


def fmt_ms(us):
    return "-" if us is None else f"{us / 1000:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dnsd", required=True, help="the dnsd binary (a Release or RelWithDebInfo build)")
    ap.add_argument("--baseline", help="a second dnsd binary, run as server 'base' in the same rounds")
    ap.add_argument("--tenant-sim", help="tools/tenant_sim (default: next to --dnsd's build)")
    ap.add_argument("--servers", default="knot,dnsd", help="comma list of knot,nsd,gdnsd,dnsd")
    ap.add_argument("--mixes", default="static,profile")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--profiles", type=int, default=10)
    ap.add_argument("--nice", type=int, default=-10 if os.geteuid() == 0 else 0)
    ap.add_argument("--autogroup-nice", type=int,
                    help="root: this script (and so dnsperf) in a session of its own, and every server's "
                         "autogroup, at this nice value (see bench/README.md: nice alone does not order "
                         "processes of different sessions)")
    ap.add_argument("--perf-sched", type=float, metavar="SECONDS",
                    help="root: in round 1, record `perf sched` on every CPU for this long during dnsd's "
                         "runs and print what ran on CPU 1 while dnsd's query thread waited to run")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    names = args.servers.split(",") + (["base"] if args.baseline else [])
    mixes = args.mixes.split(",")
    tenant_sim = args.tenant_sim or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(args.dnsd))),
                                                 "tools", "tenant_sim")

    procs.pin_self(load.LOAD_CPU)
    if args.autogroup_nice is not None:
        set_autogroup_nice(None, args.autogroup_nice)
    servers.NICE = args.nice
    servers.Dnsd.binary = os.path.abspath(args.dnsd)
    work = tempfile.mkdtemp(prefix="dnsd-latency-")
    started = []
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        zone_static, zone_full = os.path.join(work, "static.zone"), os.path.join(work, "full.zone")
        zonegen.write_static_zone(zone_static, args.hosts)
        zonegen.write_static_zone(zone_full, args.hosts, profile_equivalents=args.profiles)
        qfiles = {"static": os.path.join(work, "static.q"), "profile": os.path.join(work, "profile.q")}
        zonegen.static_queries(qfiles["static"], args.hosts, 20000)
        zonegen.profile_queries(qfiles["profile"], args.profiles, 20000)
        ready = zonegen.last_name_static(args.hosts)

        tport = procs.free_port(("127.0.0.2", "127.0.0.3"))
        for ip, region in (("127.0.0.2", "eu"), ("127.0.0.3", "us")):
            started.append(tenants.Tenant(tenant_sim, work, ip, tport, procs.free_port((ip,)), region))
        steady = {"count": args.profiles, "eu": "127.0.0.2", "us": "127.0.0.3", "port": tport,
                  "interval": "1s", "timeout": "500ms"}
        running = {}
        for name in names:
            if name in ("dnsd", "base"):
                s = servers.Dnsd(name, work, procs.free_port(), profiles=steady).prepare(zone_static)
                if name == "base":
                    s.binary = os.path.abspath(args.baseline)
            else:
                s = KINDS[name](name, work, procs.free_port()).prepare(zone_full)
            started.append(s)
            running[name] = s.start(ready)
            if args.autogroup_nice is not None:
                set_autogroup_nice(s.proc.pid, args.autogroup_nice)
            print(f"# {name}: pid {s.proc.pid} port {s.port}", flush=True)

        runs = {}  # (mix, name) -> [result]
        print(f"# {args.rounds} rounds x {args.seconds} s at {args.rate} QPS; latencies in ms; "
              f"cpu in us/q; foreign = other processes' share of CPU 1")
        print(f"{'round':>5} {'mix':8} {'server':6} {'p50':>7} {'p99.9':>7} {'max':>7} {'>1ms':>5} "
              f"{'cpu':>6} {'lost':>5} {'foreign':>7}")
        for rnd in range(args.rounds):
            for mix in mixes:
                for name in names:
                    out = os.path.join(work, f"{mix}-{name}-{rnd}.txt")
                    recorder = None
                    if args.perf_sched and name == "dnsd" and rnd == 0:
                        data = os.path.join(work, f"sched-{mix}.data")
                        recorder = subprocess.Popen(
                            ["perf", "sched", "record", "-a", "-o", data, "--", "sleep",
                             str(min(args.perf_sched, args.seconds))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    r = load.measure(running[name], qfiles[mix], out, args.seconds, rate=args.rate,
                                     verbose=True, ok_rcodes=("NOERROR", "NXDOMAIN"))
                    r["slow"] = slow_count(out)
                    if recorder:
                        recorder.wait(timeout=args.seconds + 60)
                        attribution = sched_attribution(data, running[name].proc.pid)
                    runs.setdefault((mix, name), []).append(r)
                    print(f"{rnd + 1:>5} {mix:8} {name:6} {fmt_ms(r['p50_us']):>7} {fmt_ms(r['p999_us']):>7} "
                          f"{fmt_ms(r['max_us']):>7} {r['slow']:>5} {r['cpu_us_per_q']:>6.1f} {r['lost']:>5} "
                          f"{r['foreign_cpu1_pct']:>6.1f}%", flush=True)
                    if recorder:
                        print(attribution, flush=True)
        print("\n# medians over rounds [min-max]; ratio = dnsd / best other server (median); "
              "base = dnsd / --baseline")
        for mix in mixes:
            for key, label in (("p50_us", "p50 ms"), ("p999_us", "p99.9 ms"), ("max_us", "max ms"),
                               ("slow", ">1 ms"), ("cpu_us_per_q", "cpu us/q")):
                meds = {}
                cells = []
                for name in names:
                    values = [r[key] for r in runs[(mix, name)] if r[key] is not None]
                    if not values:
                        continue
                    meds[name] = statistics.median(values)
                    scale = 1000 if key.endswith("_us") else 1
                    cells.append(f"{name} {meds[name] / scale:.3f} [{min(values) / scale:.3f}-{max(values) / scale:.3f}]")
                others = [v for n, v in meds.items() if n not in ("dnsd", "base")]
                ratio = ""
                if "dnsd" in meds and others and min(others) > 0:
                    ratio = f"  ratio {meds['dnsd'] / min(others):.2f}"
                if "dnsd" in meds and meds.get("base"):
                    ratio += f"  base {meds['dnsd'] / meds['base']:.2f}"
                print(f"{mix:8} {label:9} " + "; ".join(cells) + ratio)
    finally:
        for thing in reversed(started):
            try:
                thing.stop()
            except Exception as error:  # keep stopping the rest
                print(f"stop failed: {error}", file=sys.stderr)
        if args.keep:
            print(f"# kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
