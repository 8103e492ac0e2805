#!/usr/bin/env python3
"""bench/axfr.py: dnsd's zone transfer out against Knot DNS's, and what a transfer costs queries.

    bench/axfr.py                                   1,000,000 records, 3 transfers per server
    bench/axfr.py --records 100000 --runs 5 --json axfr.json
    bench/axfr.py --binary build/daemon/dnsd --qps-seconds 10 --rate 20000

Writes one zone (bench/harness/zonegen.py write_transfer_zone: A, AAAA, MX, TXT, CNAME, NS
delegations with glue), starts Knot DNS and dnsd on loopback, each with one query thread and
every thread pinned to CPU 1, the zone transferable with one TSIG key (hmac-sha256). Then:

1. Per server: the load time (start until the last name of the file is answered), the peak RSS
   of the load and the idle RSS once loaded. One `kdig -k KEY AXFR` each (kdig verifies every
   MAC and decodes every record; the two servers' records, sorted, must be the same).
   Then --runs AXFRs, alternating the servers, each by harness/axfrclient.py on CPU 0 (it counts
   records and checks the SOA first and last, reading headers only, so the client costs little):
   the transfer's wall time, the server's RSS before it and its peak during it (VmHWM, reset
   before each transfer through /proc/PID/clear_refs), and the server's CPU time.
2. Per server: dnsperf on CPU 0 for --qps-seconds (and at most a fixed number of queries) over
   a mixed query file, once alone and once while the client runs AXFRs back to back on CPU 0
   too: QPS, dnsperf's average and max latency, the ratio, and where the server's CPU went.

Prints the tables at the end; --json FILE keeps every measurement. Loopback only; everything it
starts is stopped by PID; the work directory is removed unless --keep.
"""
import argparse
import base64
import datetime
import json
import os
import secrets
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from harness import load, phases, procs, servers, zonegen  # noqa: E402

ZONE = zonegen.ORIGIN
KEY_NAME, KEY_ALGORITHM = "xfr-key.bench.", "hmac-sha256"
QUERIES = 100000        # lines of the dnsperf query file
QUERY_RUNS = 50         # dnsperf -n: at most QUERIES * QUERY_RUNS queries per run
SETTLE_TIMEOUT_S = 15   # for the idle RSS to stop moving after the zone is loaded
ORDER = ("knot", "dnsd")
LABEL = {"knot": "Knot DNS", "dnsd": "dnsd"}
MIB = 1024.0


def default_binary():
    return os.path.join(REPO, "build", "daemon", "dnsd")


def write_key(work):
    """A fresh TSIG secret: the servers get it in their configs, the clients in a 0600 key file
    (kdig -k format), so it is on no command line and in no output."""
    secret = base64.b64encode(secrets.token_bytes(32)).decode()
    path = os.path.join(work, "xfr.key")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(f"{KEY_ALGORITHM}:{KEY_NAME}:{secret}\n")
    return (KEY_ALGORITHM, KEY_NAME, secret), path


def settled_rss_kib(pid, timeout_s=SETTLE_TIMEOUT_S):
    """VmRSS once it has moved by less than 1% over half a second (or at the deadline)."""
    last = [procs.rss_kib(pid)[0]]

    def steady():
        time.sleep(0.5)
        now = procs.rss_kib(pid)[0]
        stable = abs(now - last[0]) <= last[0] / 100
        last[0] = now
        return stable
    procs.wait_until(timeout_s, steady, 0)
    return last[0]


def start(name, work, zone, key, ready_name, binary):
    cls = {"knot": servers.Knot, "dnsd": servers.Dnsd}[name]
    server = cls(name, work, procs.free_port())
    server.transfer_key = key
    if name == "dnsd":
        server.binary = binary
    server.prepare(zone)
    server.start(ready_name, ready_timeout_s=300)
    return server


def loaded(server):
    _, load_peak = procs.rss_kib(server.proc.pid)
    idle = settled_rss_kib(server.proc.pid)
    phases.log(f"{server.name}: zone answered after {server.load_time_s:.2f} s, "
               f"load peak {load_peak / MIB:.1f} MiB, idle {idle / MIB:.1f} MiB")
    return {"load_s": server.load_time_s, "load_peak_kib": load_peak, "idle_rss_kib": idle}


def client_command(server, key_file, expect, loop_s=None):
    cmd = [sys.executable, "-B", "-m", "harness.axfrclient", "--port", str(server.port),
           "--zone", ZONE, "--key-file", key_file, "--expect", str(expect)]
    if loop_s is not None:
        cmd += ["--loop-seconds", str(loop_s)]
    return servers.pinned(load.LOAD_CPU, cmd)


def kdig_check(server, key_file, expect, work):
    """One AXFR by kdig, which verifies the TSIG of every message: records, wall time, errors.
    Leaves the records it printed, sorted, in work/kdig-NAME.sorted for same_records()."""
    out_path = os.path.join(work, f"kdig-{server.name}.txt")
    cmd = servers.pinned(load.LOAD_CPU, ["kdig", "@127.0.0.1", "-p", str(server.port), "-k",
                                         key_file, "+noall", "+answer", "AXFR", ZONE])
    t0 = time.monotonic()
    with open(out_path, "w") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True, timeout=600)
    wall = time.monotonic() - t0
    records, problems = [], []
    with open(out_path) as f:
        for line in f:
            if line.startswith(";"):
                problems.append(line.strip())
            elif line.strip() and "\tTSIG\t" not in line:
                records.append(line)
    problems += [line for line in proc.stderr.splitlines() if line.strip()]
    os.unlink(out_path)
    records.sort()
    with open(os.path.join(work, f"kdig-{server.name}.sorted"), "w") as f:
        f.writelines(records)
    ok = proc.returncode == 0 and len(records) == expect and not problems
    phases.log(f"{server.name}: kdig AXFR {len(records)} records in {wall:.2f} s"
               f"{'' if ok else ' FAILED: ' + '; '.join(problems[:3])}")
    return {"records": len(records), "wall_s": wall, "exit": proc.returncode,
            "problems": problems[:5], "ok": ok}


def same_records(work, names):
    """Compares the sorted kdig outputs of two servers: (lines only in one of them, examples)."""
    paths = [os.path.join(work, f"kdig-{name}.sorted") for name in names]
    differ, examples = 0, []
    with open(paths[0]) as a, open(paths[1]) as b:
        x, y = a.readline(), b.readline()
        while x or y:
            if x == y:
                x, y = a.readline(), b.readline()
                continue
            differ += 1
            if x and (not y or x < y):
                examples.append(f"only {names[0]}: {x.strip()}")
                x = a.readline()
            else:
                examples.append(f"only {names[1]}: {y.strip()}")
                y = b.readline()
    for path in paths:
        os.unlink(path)
    return differ, examples[:5]


def transfer_once(server, key_file, expect):
    """One AXFR by the counting client: its figures plus the server's memory and CPU."""
    pid = server.proc.pid
    reset = procs.reset_peak_rss(pid)
    before, _ = procs.rss_kib(pid)
    _, sched0 = server.proc.cpu_s()
    proc = subprocess.run(client_command(server, key_file, expect), cwd=BENCH,
                          capture_output=True, text=True, timeout=900)
    _, sched1 = server.proc.cpu_s()
    _, peak = procs.rss_kib(pid)
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {"error": f"client said: {proc.stderr.strip()}"}
    result.update({"rss_before_kib": before, "peak_kib": peak, "peak_reset": reset,
                   "server_cpu_s": sched1 - sched0})
    return result


def transfers(running, key_file, expect, runs):
    out = {name: [] for name in running}
    for rnd in range(runs):
        for name in ORDER if rnd % 2 == 0 else ORDER[::-1]:
            r = transfer_once(running[name], key_file, expect)
            out[name].append(r)
            phases.log(f"{name}: AXFR {rnd + 1}/{runs}: " + (
                f"{r['records']} records, {r['messages']} messages, {r['seconds']:.2f} s, "
                f"RSS {r['rss_before_kib'] / MIB:.1f} -> peak {r['peak_kib'] / MIB:.1f} MiB, "
                f"server CPU {r['server_cpu_s']:.2f} s" if not r.get("error") else
                f"FAILED: {r['error']}"))
    return out


def read_line(pipe, timeout_s):
    ready, _, _ = select.select([pipe], [], [], timeout_s)
    return pipe.readline().decode() if ready else ""


def thread_cpu(before, after):
    """CPU seconds per thread over an interval, busiest first, as [(tid, s)]."""
    return sorted(((tid, (ns - before.get(tid, 0)) / 1e9) for tid, ns in after.items()),
                  key=lambda item: -item[1])


def dnsperf_run(server, qfile, out_path, args):
    threads0 = server.proc.thread_run_ns()
    _, sched0 = server.proc.cpu_s()
    r = load.dnsperf(server.port, qfile, out_path, seconds=args.qps_seconds, rate=args.rate,
                     runs=QUERY_RUNS)
    _, sched1 = server.proc.cpu_s()
    r["server_cpu_s"] = sched1 - sched0
    r["threads_cpu_s"] = thread_cpu(threads0, server.proc.thread_run_ns())
    return r


def queries_during_transfers(server, qfile, key_file, expect, args, work):
    """dnsperf alone, then dnsperf while AXFRs run back to back on another connection."""
    server.check_pinning()
    alone = dnsperf_run(server, qfile, os.path.join(work, f"dnsperf-{server.name}-alone.txt"), args)
    loop_s = args.qps_seconds + 1  # outlasts dnsperf, which starts once the first request is out
    client = procs.Proc(client_command(server, key_file, expect, loop_s), BENCH,
                        os.path.join(work, f"client-{server.name}.log"), stdout=subprocess.PIPE)
    try:
        if '"started"' not in read_line(client.popen.stdout, 30):
            raise RuntimeError(f"the AXFR client did not start; see {client.log_path}")
        time.sleep(0.2)  # the first transfer is under way (its request is sent right after)
        _, client0 = client.cpu_s()
        during = dnsperf_run(server, qfile, os.path.join(work, f"dnsperf-{server.name}-axfr.txt"),
                             args)
        _, client1 = client.cpu_s()
        window_end = time.monotonic()
        rest, _ = client.popen.communicate(timeout=loop_s + 900)
    finally:
        client.stop()
    results = [json.loads(line) for line in rest.decode().splitlines() if line.strip()]
    completed = [r for r in results if not r.get("error")]
    during["client_cpu_s"] = client1 - client0
    during["axfrs_completed"] = len(completed)
    during["axfrs_failed"] = len(results) - len(completed)
    during["axfrs_in_window"] = sum(1 for r in completed if r["ended_at"] <= window_end)
    during["axfr_median_s"] = statistics.median([r["seconds"] for r in completed]) if completed else None
    during["axfr_records_per_s"] = during["axfrs_in_window"] * expect / max(during["run_s"], 1e-9)
    # The busiest thread alone answers the queries; what else ran during the AXFRs is the
    # transfer's (dnsd's transfer thread, Knot's TCP worker).
    query_tid = alone["threads_cpu_s"][0][0]
    query_s = dict(during["threads_cpu_s"]).get(query_tid, 0.0)
    during["query_thread_cpu_s"] = query_s
    during["other_threads_cpu_s"] = during["server_cpu_s"] - query_s
    for tag, r in (("alone", alone), ("during AXFRs", during)):
        phases.log(f"{server.name}: dnsperf {tag}: {r['qps']:.0f} QPS, avg {r['avg_latency_s'] * 1e3:.3f} ms, "
                   f"max {r['max_latency_s'] * 1e3:.1f} ms, lost {r['lost']}, server CPU {r['server_cpu_s']:.2f} s")
    return {"alone": alone, "during": during}


# ---- report ------------------------------------------------------------------------------------

def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"


def _fmt(value, spec):
    return "-" if value is None else format(value, spec)


def summary(results):
    """Per server: the medians and peaks the table shows (also written to the JSON)."""
    out = {}
    for name, r in results["servers"].items():
        ok = [t for t in r["transfers"] if not t.get("error")]
        out[name] = {
            "load_s": r["load"]["load_s"],
            "load_peak_mib": r["load"]["load_peak_kib"] / MIB,
            "idle_rss_mib": r["load"]["idle_rss_kib"] / MIB,
            "axfr_median_s": _median([t["seconds"] for t in ok]),
            "axfr_min_s": min((t["seconds"] for t in ok), default=None),
            "axfr_max_s": max((t["seconds"] for t in ok), default=None),
            "rss_before_mib": _median([t["rss_before_kib"] for t in ok]) / MIB if ok else None,
            "axfr_peak_mib": max((t["peak_kib"] for t in ok), default=0) / MIB if ok else None,
            "axfr_extra_mib": max((t["peak_kib"] - t["rss_before_kib"] for t in ok), default=0) / MIB
            if ok else None,
            "server_cpu_s": _median([t["server_cpu_s"] for t in ok]),
            "client_cpu_s": _median([t["client_cpu_s"] for t in ok]),
            "messages": ok[0]["messages"] if ok else None,
            "mb": ok[0]["bytes"] / 1e6 if ok else None,
            "failed": len(r["transfers"]) - len(ok),
            "kdig_s": r["kdig"]["wall_s"], "kdig_ok": r["kdig"]["ok"],
        }
        if "qps" in r:
            a, d = r["qps"]["alone"], r["qps"]["during"]
            out[name].update({"qps_alone": a["qps"], "qps_during": d["qps"],
                              "qps_ratio": d["qps"] / a["qps"] if a["qps"] else None})
    return out


def render(meta, results, s):
    k, d = s["knot"], s["dnsd"]
    rows = [
        ("zone load time (s)", "load_s", ".2f"),
        ("RSS peak during load (MiB)", "load_peak_mib", ".1f"),
        ("RSS idle, zone loaded (MiB)", "idle_rss_mib", ".1f"),
        (f"AXFR wall time, median of {meta['runs']} (s)", "axfr_median_s", ".3f"),
        ("AXFR wall time, fastest (s)", "axfr_min_s", ".3f"),
        ("AXFR wall time, slowest (s)", "axfr_max_s", ".3f"),
        ("RSS before the AXFR (MiB)", "rss_before_mib", ".1f"),
        ("RSS peak during the AXFR (MiB)", "axfr_peak_mib", ".1f"),
        ("the AXFR's own memory: peak - before (MiB)", "axfr_extra_mib", ".1f"),
        ("server CPU per AXFR, median (s)", "server_cpu_s", ".3f"),
        ("the counting client's CPU during the AXFR, median (s)", "client_cpu_s", ".3f"),
        ("messages per AXFR", "messages", ",d"),
        ("MB per AXFR (with length prefixes)", "mb", ".1f"),
        ("kdig -k AXFR, verifying every MAC (s)", "kdig_s", ".2f"),
    ]
    lines = [f"AXFR of {ZONE} ({meta['records']:,} records, {meta['expect']:,} transferred with the "
             f"closing SOA), TSIG {KEY_ALGORITHM}, TCP on loopback; servers on CPU {servers.SERVER_CPU}, "
             f"clients on CPU {load.LOAD_CPU}",
             "", "| measure | Knot DNS | dnsd | dnsd / Knot |", "|---|---|---|---|"]
    for label, field, spec in rows:
        lines.append(f"| {label} | {_fmt(k[field], spec)} | {_fmt(d[field], spec)} | "
                     f"{_ratio(d[field], k[field]) if spec != ',d' else ''} |")
    failed = {n: v["failed"] for n, v in s.items() if v["failed"] or not v["kdig_ok"]}
    if failed:
        lines.append(f"\nFAILED transfers (see the JSON): {failed}")
    lines.append("\nkdig's records of both transfers: " + (
        "the same" if not results["records_differ"] else
        f"DIFFER in {results['records_differ']} lines, e.g. {results['records_differ_examples'][:2]}"))
    measured = [(n, results["servers"][n]["qps"]) for n in ORDER if "qps" in results["servers"][n]]
    if measured:
        rate = f"-Q {meta['rate']}" if meta["rate"] else "unthrottled"
        lines += ["", f"Queries alone and while AXFRs run back to back on another connection "
                      f"(dnsperf -l {meta['qps_seconds']}, {rate}, mixed queries over UDP)", "",
                  "| server | QPS alone | QPS during AXFRs | during / alone | avg latency alone (ms) "
                  "| avg during (ms) | max alone (ms) | max during (ms) | lost alone / during |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, q in measured:
            a, dd = q["alone"], q["during"]
            lines.append(
                f"| {LABEL[name]} | {a['qps']:,.0f} | {dd['qps']:,.0f} | {_ratio(dd['qps'], a['qps'])} "
                f"| {a['avg_latency_s'] * 1e3:.3f} | {dd['avg_latency_s'] * 1e3:.3f} "
                f"| {a['max_latency_s'] * 1e3:.1f} | {dd['max_latency_s'] * 1e3:.1f} "
                f"| {a['lost']} / {dd['lost']} |")
        lines += ["", "| server | AXFRs done in the window | ≈ records/s transferred "
                      "| server CPU alone (s) | during: query thread (s) | during: other threads (s) "
                      "| AXFR client CPU (s) |",
                  "|---|---|---|---|---|---|---|"]
        for name, q in measured:
            a, dd = q["alone"], q["during"]
            lines.append(
                f"| {LABEL[name]} | {dd['axfrs_in_window']} | {dd['axfr_records_per_s']:,.0f} "
                f"| {a['server_cpu_s']:.2f} | {dd['query_thread_cpu_s']:.2f} "
                f"| {dd['other_threads_cpu_s']:.2f} | {dd['client_cpu_s']:.2f} |")
    lines += ["", f"{meta['date']}, {meta['command']}; dnsd {meta['revision']}, Knot {meta['knot']}, "
                  f"load average {meta['load_start']} -> {meta['load_end']}"]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000, help="records in the zone (default 1,000,000)")
    ap.add_argument("--runs", type=int, default=3, help="AXFRs per server; the median is reported")
    ap.add_argument("--json", help="write every measurement to this file")
    ap.add_argument("--binary", default=default_binary(), help="dnsd (default build/daemon/dnsd)")
    ap.add_argument("--qps-seconds", type=int, default=10, help="dnsperf -l of each QPS run (0: skip)")
    ap.add_argument("--rate", type=int, help="dnsperf -Q (default: unthrottled)")
    ap.add_argument("--nice", type=int, default=-10 if os.geteuid() == 0 else 0,
                    help="nice value for the servers, dnsperf and the clients (default -10 as root, "
                         "else 0; 0 = off), as bench/run: a busy shared machine preempts them less")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (configs, logs)")
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    if args.records < 100 or args.runs < 1 or args.qps_seconds < 0:
        ap.error("--records >= 100, --runs >= 1, --qps-seconds >= 0")
    if os.cpu_count() < 2:
        sys.exit("bench: needs 2 CPUs (servers on CPU 1, clients on CPU 0)")
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"bench: {args.binary} missing (build dnsd first, or give --binary)")

    procs.pin_self(load.LOAD_CPU)
    servers.NICE = args.nice
    work = tempfile.mkdtemp(prefix="dnsd-axfr-")
    started_at = time.monotonic()
    load_start = " ".join(open("/proc/loadavg").read().split()[:3])

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    running = {}
    try:
        zone = os.path.join(work, "bench.test.zone")
        hosts, ready_name = zonegen.write_transfer_zone(zone, args.records)
        qfile = os.path.join(work, "queries.txt")
        zonegen.transfer_queries(qfile, hosts, QUERIES)
        key, key_file = write_key(work)
        expect = args.records + 1  # the SOA opens and closes the transfer
        phases.log(f"zone of {args.records:,} records ({hosts:,} hosts) in {work}")
        results = {"servers": {}}
        for name in ORDER:  # one after the other, so that each load has CPU 1 to itself
            running[name] = start(name, work, zone, key, ready_name, args.binary)
            results["servers"][name] = {"port": running[name].port, "load": loaded(running[name])}
        for name in ORDER:
            results["servers"][name]["kdig"] = kdig_check(running[name], key_file, expect, work)
        differ, examples = same_records(work, ORDER)
        results["records_differ"], results["records_differ_examples"] = differ, examples
        phases.log("both servers transferred the same records" if not differ else
                   f"the transfers differ in {differ} records: {examples}")
        for name, runs in transfers(running, key_file, expect, args.runs).items():
            results["servers"][name]["transfers"] = runs
        if args.qps_seconds:
            for name in ("dnsd", "knot"):
                results["servers"][name]["qps"] = queries_during_transfers(
                    running[name], qfile, key_file, expect, args, work)
        for name, server in running.items():
            results["servers"][name]["repinned"] = server.repinned + server.check_pinning()
        versions = servers.versions(args.binary)
        meta = {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
                "command": "bench/axfr.py " + " ".join(sys.argv[1:]), "records": args.records,
                "expect": expect, "runs": args.runs, "qps_seconds": args.qps_seconds,
                "rate": args.rate, "queries": QUERIES, "query_runs": QUERY_RUNS,
                "revision": _revision(), "knot": versions["knot"], "dnsperf": versions["dnsperf"],
                "nproc": os.cpu_count(), "load_start": load_start,
                "load_end": " ".join(open("/proc/loadavg").read().split()[:3]),
                "wall_s": time.monotonic() - started_at}
        s = summary(results)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"meta": meta, "summary": s, "results": results}, f, indent=1, default=str)
        print(render(meta, results, s))
        bad = results["records_differ"] or any(v["failed"] or not v["kdig_ok"] for v in s.values())
        return 1 if bad else 0
    finally:
        for server in running.values():
            server.stop()
        if args.keep:
            phases.log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _revision():
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    try:
        out = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10, env=env)
        return out.stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


if __name__ == "__main__":
    sys.exit(main())
