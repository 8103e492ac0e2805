"""dnsperf runs (pinned to the load core) and what one measurement reports.

A measurement = server CPU before, one bounded dnsperf run, server CPU after. CPU per query is
divided by *answered* queries, so a server that drops load does not look cheaper.
"""
import re
import subprocess
import time

from . import procs, servers

LOAD_CPU = 0
QUIET_MAX_S = 0.0  # set by bench/run: how long a measurement may wait for the server core to calm down


def wait_for_quiet(max_s, threshold_pct=20.0, window_s=0.2):
    """Waits (at most max_s) until other processes use less than threshold_pct of the server
    core, so a neighbour's burst (a compile) does not land in one server's turn. Returns the
    last busy percentage seen."""
    deadline = time.monotonic() + max_s
    while True:
        b0 = procs.cpu1_busy_s()
        time.sleep(window_s)
        busy = (procs.cpu1_busy_s() - b0) / window_s * 100
        if busy < threshold_pct or time.monotonic() >= deadline:
            return busy


def percentile(sorted_values, q):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), int(round(q / 100.0 * len(sorted_values) + 0.5))))
    return sorted_values[rank - 1]


def _grab(pattern, text, cast=float, default=0):
    m = re.search(pattern, text)
    return cast(m.group(1)) if m else default


def dnsperf(port, qfile, out_path, seconds=None, rate=None, runs=None, outstanding=100,
            verbose=False, timeout_s=1, mode="udp", clients=1, threads=1, dnssec=False,
            host="127.0.0.1", netns=None):
    """One bounded dnsperf run; returns its counters (and per-query latencies if verbose).
    clients = sockets (TCP: connections), spread over `threads` dnsperf threads; dnssec: the
    queries set DO (dnsperf -D); netns: run inside that network namespace (bench/xdp.py).
    Bounded twice: by -l and/or -n, and by a subprocess timeout."""
    if not seconds and not runs:
        raise ValueError("dnsperf needs seconds (-l) or runs (-n): an unbounded run is never started")
    cmd = servers.pinned(LOAD_CPU, ["dnsperf", "-s", host, "-p", str(port), "-m", mode,
           "-d", qfile, "-t", str(timeout_s), "-q", str(outstanding), "-c", str(clients),
           "-T", str(threads)])
    if seconds:
        cmd += ["-l", str(seconds)]
    if rate:
        cmd += ["-Q", str(int(rate))]
    if runs:
        cmd += ["-n", str(runs)]
    if verbose:
        cmd += ["-v"]
    if dnssec:
        cmd += ["-D"]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    bound_s = (seconds or 600) + 10 * timeout_s + 30
    with open(out_path, "w") as out:
        subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=bound_s, check=False)
    with open(out_path) as f:
        text = f.read()
    result = {
        "sent": _grab(r"Queries sent:\s+(\d+)", text, int),
        "completed": _grab(r"Queries completed:\s+(\d+)", text, int),
        "lost": _grab(r"Queries lost:\s+(\d+)", text, int),
        "run_s": _grab(r"Run time \(s\):\s+([\d.]+)", text),
        "qps": _grab(r"Queries per second:\s+([\d.]+)", text),
        "avg_latency_s": _grab(r"Average Latency \(s\):\s+([\d.]+)", text),
        "max_latency_s": _grab(r"Average Latency \(s\):.*max ([\d.]+)\)", text),
        "avg_response_bytes": _grab(r"response (\d+)", text, int),
        # TCP only: a reconnection means the server closed a connection during the run.
        "reconnections": _grab(r"Reconnections:\s+(\d+)", text, int),
        "rcodes": {k: int(v) for k, v in re.findall(r"([A-Z]+) (\d+) \(", _line("Response codes:", text))},
    }
    if verbose:
        latencies = []
        for line in text.splitlines():
            if line.startswith("> ") and not line.startswith("> T "):
                try:
                    latencies.append(float(line.rsplit(None, 1)[1]))
                except (ValueError, IndexError):
                    pass
        latencies.sort()
        result["p50_us"] = _us(percentile(latencies, 50))
        result["p99_us"] = _us(percentile(latencies, 99))
        result["p999_us"] = _us(percentile(latencies, 99.9))
        result["max_us"] = _us(latencies[-1] if latencies else None)
    return result


def _line(prefix, text):
    for line in text.splitlines():
        if line.strip().startswith(prefix):
            return line
    return ""


def _us(seconds):
    return None if seconds is None else seconds * 1e6


def measure(server, qfile, out_path, seconds, rate=None, verbose=False, ok_rcodes=("NOERROR", "NXDOMAIN"),
            **dnsperf_options):
    """Server CPU (tree-wide) around one dnsperf run. rate=None: unthrottled. An answer whose
    rcode is not in ok_rcodes counts as an error. dnsperf_options: mode, clients, threads."""
    server.check_pinning()
    busy_before = wait_for_quiet(QUIET_MAX_S) if QUIET_MAX_S > 0 else None
    threads0 = server.proc.thread_run_ns()
    stat0, sched0 = server.proc.cpu_s()
    busy0 = procs.cpu1_busy_s()
    t0 = time.monotonic()
    r = dnsperf(server.port, qfile, out_path, seconds=seconds, rate=rate, verbose=verbose, **dnsperf_options)
    wall = time.monotonic() - t0
    stat1, sched1 = server.proc.cpu_s()
    busy1 = procs.cpu1_busy_s()
    threads1 = server.proc.thread_run_ns()
    answered = max(1, r["completed"])
    r["cpu_stat_s"] = stat1 - stat0
    r["cpu_sched_s"] = sched1 - sched0
    r["cpu_us_per_q"] = (sched1 - sched0) / answered * 1e6
    r["cpu_stat_us_per_q"] = (stat1 - stat0) / answered * 1e6
    # Core-1 time that was not this server's: other processes on the machine (noise indicator).
    r["foreign_cpu1_pct"] = max(0.0, (busy1 - busy0) - (stat1 - stat0)) / wall * 100
    r["cpu1_busy_before_pct"] = busy_before
    r["errors"] = sum(v for k, v in r["rcodes"].items() if k not in ok_rcodes)
    # Share of the server's CPU taken by its busiest thread: about 50% when two workers split
    # the load evenly, near 100% when one did all of it (e.g. every client socket hashed to it).
    used = sorted((ns - threads0.get(tid, 0) for tid, ns in threads1.items()), reverse=True)
    r["top_thread_pct"] = used[0] / sum(used) * 100 if used and sum(used) > 0 else None
    return r
