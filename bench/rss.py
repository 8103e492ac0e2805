#!/usr/bin/env python3
"""Peak RSS of dnsd against Knot at one zone size (issue 17: "peak RSS at 1,000 records <= Knot's").

Both servers get the bench's scaling zone (bench/harness zonegen, a zone only, no profiles) and
the same configs as bench/run's "Scaling" phase (bench/harness servers), one query thread each.
Each answers the same bounded set of queries (bench/harness zonegen scaling_queries over UDP), so
the query path has run; then the script prints each server's peak RSS (VmHWM), the ratio, and
dnsd's resident memory by mapping (binary, shared libraries, heap, other anonymous, stack; the
largest libraries by name), read from /proc/PID/smaps.

  bench/rss.py --dnsd build-bench/daemon/dnsd          # a Release build, as bench/run makes
  bench/rss.py --dnsd build/daemon/dnsd --records 10000 --rounds 3
"""
import argparse
import os
import shutil
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
from harness import dnsclient, procs, servers, zonegen  # noqa: E402


def smaps_by_mapping(pid, binary):
    """{category: KiB} and {library base name: KiB} of the resident pages (Rss) per mapping."""
    categories = {"binary": 0, "libraries": 0, "heap": 0, "anonymous": 0, "stack": 0, "other": 0}
    libraries = {}
    binary = os.path.realpath(binary)
    path = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields[0]) > 8 and ":" not in fields[0]:  # a mapping header
                path = fields[5] if len(fields) >= 6 else ""
                continue
            if fields[0] != "Rss:":
                continue
            kib = int(fields[1])
            if path == binary:
                categories["binary"] += kib
            elif ".so" in os.path.basename(path):
                categories["libraries"] += kib
                name = os.path.basename(path)
                libraries[name] = libraries.get(name, 0) + kib
            elif path == "[heap]":
                categories["heap"] += kib
            elif path.startswith("[stack"):
                categories["stack"] += kib
            elif path == "":
                categories["anonymous"] += kib
            else:
                categories["other"] += kib
    return categories, libraries


def ask_all(port, qfile, limit):
    """Sends up to `limit` queries of the file one at a time; returns how many were answered."""
    answered = 0
    with dnsclient.Client(port, timeout_s=0.5) as client, open(qfile) as f:
        for n, line in enumerate(f):
            if n >= limit:
                break
            name, qtype = line.split()
            if client.ask(name + ".", qtype) is not None:
                answered += 1
    return answered


def measure(server, zone, qfile, ready, queries):
    server.prepare(zone)
    server.start(ready, ready_timeout_s=120)
    try:
        answered = ask_all(server.port, qfile, queries)
        hwm = procs.rss_kib(server.proc.pid)[1]
        split = smaps_by_mapping(server.proc.pid, server.binary) if server.kind == "dnsd" else None
        return {"hwm": hwm, "answered": answered, "split": split}
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dnsd", default=os.path.join(REPO, "build-bench", "daemon", "dnsd"))
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--queries", type=int, default=2000, help="queries sent to each server")
    ap.add_argument("--rounds", type=int, default=1, help="start each server this many times")
    args = ap.parse_args()
    if not os.access(args.dnsd, os.X_OK):
        sys.exit(f"rss: {args.dnsd} is not an executable (build dnsd first, or pass --dnsd)")
    if not shutil.which("knotd"):
        sys.exit("rss: knotd not found")
    servers.Dnsd.binary = os.path.abspath(args.dnsd)
    work = tempfile.mkdtemp(prefix="dnsd-rss-")
    try:
        zone = os.path.join(work, "scale.zone")
        qfile = os.path.join(work, "scale.q")
        zonegen.write_scaling_zone(zone, args.records)
        zonegen.scaling_queries(qfile, args.records, args.queries)
        ready = zonegen.last_name_scaling(args.records)
        peaks = {"knot": [], "dnsd": []}
        last_split = None
        for rnd in range(args.rounds):
            for kind, cls in (("knot", servers.Knot), ("dnsd", servers.Dnsd)):
                server = cls(f"{kind}-{rnd}", work, procs.free_port())
                if kind == "dnsd":
                    server.binary = servers.Dnsd.binary
                r = measure(server, zone, qfile, ready, args.queries)
                peaks[kind].append(r["hwm"])
                last_split = r["split"] or last_split
                print(f"round {rnd}: {kind:4} peak RSS {r['hwm'] / 1024:6.2f} MiB "
                      f"({r['answered']}/{args.queries} answered)")
        knot, dnsd = (sorted(peaks[k])[len(peaks[k]) // 2] for k in ("knot", "dnsd"))
        print(f"\n{args.records} records, median of {args.rounds}: dnsd {dnsd / 1024:.2f} MiB, "
              f"Knot {knot / 1024:.2f} MiB, ratio {dnsd / knot:.2f} (goal <= 1.00)")
        categories, libraries = last_split
        print("dnsd resident by mapping (KiB, last round): " +
              ", ".join(f"{k} {v}" for k, v in categories.items()))
        top = sorted(libraries.items(), key=lambda kv: -kv[1])
        print(f"libraries ({len(top)}): " + ", ".join(f"{n} {v}" for n, v in top))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
