#!/usr/bin/env python3
"""bench/dnssec_flood.py: a random-subdomain NXDOMAIN flood with DO=1 against a signed dnsd.

    bench/dnssec_flood.py [--dnsd build/daemon/dnsd] [--dnsctl build/tools/dnsctl]
                          [--seconds 10] [--flood-qps 20000] [--legit-qps 200] [--keep]

One dnsd (one UDP thread: `workers = 1`, listening on 127.0.0.1 only) serves a zone signed with
one ECDSA P-256 key; every new name's compact-denial NSEC (RFC 9824) needs a signature made on
demand. Two dnsperf clients run at once, each bounded by -l (seconds) and -Q (rate):
  - the flood, from 127.0.0.2: A queries with DO=1 for names never asked before (one pass over
    a file of seconds * flood-qps random names, -n 1);
  - a legitimate client, from 127.0.0.3: A queries with DO=1 for 50 existing names at a fixed
    rate (each name under the [rrl] rate).
Run twice: [rrl] off, then [rrl] on (rate 20, slip 2, ipv4_prefix 32, so the two clients are
apart). Reported per run, from dnsd's /metrics: on-demand signatures per second
(dnsd_dnssec_signatures_total{kind="on_demand"}), the denial cache hit ratio
(dnsd_dnssec_denial_cache_total), responses limited (dnsd_rrl_responses_total); from dnsperf:
the legitimate client's answers per second and loss, and the flood's. Loopback only; it stops
only what it started (by PID). For figures, run it on a quiet machine.
"""
import argparse
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(REPO, "tests", "support"))
sys.dont_write_bytecode = True

from harness import load, procs  # noqa: E402
from dnstest import free_port  # noqa: E402  (below the ephemeral range, see common notes)

ZONE = "flood.test."
LEGIT_NAMES = 50
FLOOD_SOURCE, LEGIT_SOURCE = "127.0.0.2", "127.0.0.3"
RRL = '\n[rrl]\nenabled = true\nrate = 20\nslip = 2\nipv4_prefix = 32\nwindow = "5s"\n'


def config(port, admin_port, key, rrl):
    records = "".join(f'[[zone.record]]\nname = "host{i}"\ntype = "A"\ndata = "192.0.2.{i % 250 + 1}"\n'
                      for i in range(LEGIT_NAMES))
    return (f'log_level = "warning"\n[server]\nlisten = ["127.0.0.1:{port}"]\nworkers = 1\n'
            f"{RRL if rrl else ''}\n"
            f'[admin]\nenabled = true\nlisten = "127.0.0.1:{admin_port}"\ntoken_file = "admin.token"\n'
            f'\n[[zone]]\nname = "{ZONE}"\ndefault_ttl = 60\nns = ["ns1.{ZONE}"]\n'
            f'[zone.soa]\nmname = "ns1.{ZONE}"\nrname = "hostmaster.{ZONE}"\nserial = 1\nminimum = 60\n'
            f'[[zone.record]]\nname = "ns1"\ntype = "A"\ndata = "127.0.0.1"\n{records}'
            f'[zone.dnssec]\nkey_files = ["{os.path.basename(key)}"]\n')


def metrics(admin_port, token):
    req = urllib.request.Request(f"http://127.0.0.1:{admin_port}/metrics",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        page = resp.read().decode()

    def value(family, label, val):
        m = re.search(r'(?m)^%s\{%s="%s"\} (\S+)$' % (family, label, val), page)
        return float(m.group(1)) if m else 0.0
    return {"signatures": value("dnsd_dnssec_signatures_total", "kind", "on_demand"),
            "hits": value("dnsd_dnssec_denial_cache_total", "result", "hit"),
            "misses": value("dnsd_dnssec_denial_cache_total", "result", "miss"),
            "slipped": value("dnsd_rrl_responses_total", "action", "slipped"),
            "dropped": value("dnsd_rrl_responses_total", "action", "dropped")}


def dnsperf(port, source, qfile, out, seconds, qps, passes=None):
    cmd = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-a", source, "-d", qfile, "-D",
           "-l", str(seconds), "-Q", str(qps), "-t", "1", "-q", "500"]
    if passes:
        cmd += ["-n", str(passes)]
    return cmd, out


def parse(out_path):
    with open(out_path) as f:
        text = f.read()
    grab = load._grab
    return {"sent": grab(r"Queries sent:\s+(\d+)", text, int),
            "completed": grab(r"Queries completed:\s+(\d+)", text, int),
            "lost": grab(r"Queries lost:\s+(\d+)", text, int),
            "run_s": grab(r"Run time \(s\):\s+([\d.]+)", text)}


def run_one(args, work, key, rrl, flood_q, legit_q):
    name = "rrl-on" if rrl else "rrl-off"
    port, admin_port = free_port(ipv6=False), free_port(ipv6=False)
    directory = os.path.join(work, name)
    os.makedirs(directory)
    shutil.copy(key, directory)
    os.chmod(os.path.join(directory, os.path.basename(key)), 0o600)
    token = secrets.token_hex(16)
    with open(os.path.join(directory, "admin.token"), "w") as f:
        f.write(token + "\n")
    os.chmod(os.path.join(directory, "admin.token"), 0o600)
    with open(os.path.join(directory, "dnsd.toml"), "w") as f:
        f.write(config(port, admin_port, key, rrl))
    server = procs.Proc([args.dnsd, "--config", "dnsd.toml"], directory,
                        os.path.join(directory, "dnsd.log"))
    clients = []
    try:
        def ready():
            if not server.alive():
                return True  # reported below
            try:
                return metrics(admin_port, token) is not None
            except OSError:
                return False
        if not procs.wait_until(60, ready, 0.1) or not server.alive():
            with open(os.path.join(directory, "dnsd.log")) as f:
                raise RuntimeError("dnsd did not start:\n" + "".join(f.readlines()[-20:]))
        before = metrics(admin_port, token)
        legit_out, flood_out = os.path.join(directory, "legit.txt"), os.path.join(directory, "flood.txt")
        for cmd, out in (dnsperf(port, LEGIT_SOURCE, legit_q, legit_out, args.seconds, args.legit_qps),
                         dnsperf(port, FLOOD_SOURCE, flood_q, flood_out, args.seconds, args.flood_qps,
                                 passes=1)):
            clients.append(procs.Proc(cmd, directory, out))
        bound = time.monotonic() + args.seconds + 60
        for client in clients:
            client.popen.wait(timeout=max(1, bound - time.monotonic()))
        after = metrics(admin_port, token)
    finally:
        for client in clients:
            client.stop()
        server.stop()
    legit, flood = parse(legit_out), parse(flood_out)
    delta = {k: after[k] - before[k] for k in after}
    lookups = delta["hits"] + delta["misses"]
    seconds = max(flood["run_s"], 1e-9)
    return {"run": name, "signatures_per_s": delta["signatures"] / seconds,
            "cache_hit_ratio": delta["hits"] / lookups if lookups else None,
            "rrl_slipped": delta["slipped"], "rrl_dropped": delta["dropped"],
            "legit_answers_per_s": legit["completed"] / max(legit["run_s"], 1e-9),
            "legit_loss": legit["lost"] / legit["sent"] if legit["sent"] else None,
            "flood_sent": flood["sent"], "flood_answered": flood["completed"],
            "flood_run_s": flood["run_s"], "metrics_delta": delta}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dnsd", default=os.path.join(REPO, "build", "daemon", "dnsd"))
    parser.add_argument("--dnsctl", default=os.path.join(REPO, "build", "tools", "dnsctl"))
    parser.add_argument("--seconds", type=int, default=10, help="dnsperf -l for both clients")
    parser.add_argument("--flood-qps", type=int, default=20000, help="the flood's dnsperf -Q")
    parser.add_argument("--legit-qps", type=int, default=200, help="the legitimate client's -Q")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    for tool in ("dnsperf", args.dnsd, args.dnsctl):
        if not shutil.which(tool):
            sys.exit(f"dnssec_flood: {tool} not found")
    work = tempfile.mkdtemp(prefix="dnssec-flood-")
    try:
        keygen = subprocess.run([args.dnsctl, "keygen", ZONE, "--dir", work], capture_output=True,
                                text=True, timeout=60)
        if keygen.returncode != 0:
            sys.exit(f"dnssec_flood: dnsctl keygen failed: {keygen.stderr.strip()}")
        key = keygen.stdout.strip()
        rng = random.Random(16)
        flood_q = os.path.join(work, "flood.q")
        with open(flood_q, "w") as f:  # one pass, every name new (-n 1)
            for _ in range(args.seconds * args.flood_qps):
                f.write(f"{rng.getrandbits(64):016x}.{ZONE} A\n")
        legit_q = os.path.join(work, "legit.q")
        with open(legit_q, "w") as f:
            for i in range(LEGIT_NAMES):
                f.write(f"host{i}.{ZONE} A\n")
        results = [run_one(args, work, key, rrl, flood_q, legit_q) for rrl in (False, True)]
        print("| run | on-demand signatures/s | denial cache hit ratio | RRL slipped | RRL dropped "
              "| legit answers/s | legit loss |")
        print("|---|---|---|---|---|---|---|")
        for r in results:
            ratio = "-" if r["cache_hit_ratio"] is None else f"{r['cache_hit_ratio']:.3f}"
            loss = "-" if r["legit_loss"] is None else f"{r['legit_loss'] * 100:.2f}%"
            print(f"| {r['run']} | {r['signatures_per_s']:.0f} | {ratio} | {r['rrl_slipped']:.0f} "
                  f"| {r['rrl_dropped']:.0f} | {r['legit_answers_per_s']:.1f} | {loss} |")
        print(json.dumps(results, indent=1), file=sys.stderr)
    finally:
        if args.keep:
            print(f"dnssec_flood: work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
