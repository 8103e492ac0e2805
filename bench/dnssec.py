#!/usr/bin/env python3
"""bench/dnssec.py: what DO=1 costs a signed dnsd, with Knot DNS signing online as the anchor.

    bench/dnssec.py --dnsd build/daemon/dnsd --dnsctl build/tools/dnsctl \\
        --tenant-sim build/tools/tenant_sim [--rounds 4] [--seconds 4] [--knot-mode onlinesign]

The zone and the two mixes of bench/compare_builds.py (mix 1 static, mix 2 health-routed: A for
app-0..9, which Knot serves as static stand-ins), signed: dnsd with one ECDSA P-256 key made by
`dnsctl keygen` ([zone.dnssec]), Knot 3.2 with ECDSA P-256 and either mod-onlinesign (every
answer signed when it is given; --knot-mode onlinesign, the default) or automatic signing of
the zone at load (`dnssec-signing: on`; --knot-mode signing). One server thread each, pinned to
CPU 1, dnsperf on CPU 0. A third mix, static-positive, is mix 1 without its missing names (whose
compact denial is signed on demand). Every (server, mix, rate) runs with DO=0 and DO=1 (dnsperf -D)
in interleaved rounds (the order turns each round), at 10k QPS and unthrottled; the report gives
medians of server CPU per answered query and the ratio DO=1 / DO=0 (goal <= 1.2 for dnsd).
Loopback only; it stops, by PID, what it started. Results: bench/results/dnssec.md and .json.
"""
import argparse
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
sys.dont_write_bytecode = True

from harness import load, phases, procs, servers, tenants, zonegen  # noqa: E402

HOSTS, PROFILES, QUERIES = 1000, 10, 20000
GOAL = 1.2


class SignedKnot(servers.Knot):
    """Knot with the zone signed by ECDSA P-256 (one combined key, as dnsd's default)."""

    def __init__(self, name, root, port, mode):
        super().__init__(name, root, port)
        self.mode = mode

    def write_config(self):
        super().write_config()
        # Knot keeps the keys it makes in the KASP database under `storage`, which must exist.
        os.makedirs(os.path.join(self.dir, "db"), exist_ok=True)
        path = os.path.join(self.dir, "knot.conf")
        with open(path) as f:
            text = f.read()
        policy = ("policy:\n  - id: bench\n    algorithm: ecdsap256sha256\n"
                  "    single-type-signing: on\n    nsec3: off\n")
        if self.mode == "onlinesign":
            policy += "mod-onlinesign:\n  - id: bench\n    policy: bench\n"
            zone_options = "    module: mod-onlinesign/bench\n"
        else:
            zone_options = "    dnssec-signing: on\n    dnssec-policy: bench\n"
        text = text.replace("zone:\n", policy + "zone:\n", 1)
        text = text.replace("    file: bench.test.zone\n",
                            "    file: bench.test.zone\n" + zone_options, 1)
        with open(path, "w") as f:
            f.write(text)


def dnsd_key(dnsctl, work):
    keys = os.path.join(work, "keys")
    os.makedirs(keys, mode=0o700)
    subprocess.run([dnsctl, "keygen", zonegen.ORIGIN, "--dir", keys], check=True,
                   stdout=subprocess.DEVNULL, timeout=60)
    found = glob.glob(os.path.join(keys, "K*.key"))
    if len(found) != 1:
        sys.exit(f"dnssec bench: dnsctl keygen left {len(found)} key files in {keys}")
    return found[0]


def has_rrsig(port, name, qtype="A"):
    """True when a DO=1 query for name gets an RRSIG in its answer (kdig, 1 s timeout)."""
    out = subprocess.run(["kdig", "@127.0.0.1", "-p", str(port), "+dnssec", "+norec", "+time=1",
                          "+retry=0", name, qtype], capture_output=True, text=True, timeout=10)
    return any(" RRSIG " in line.replace("\t", " ") for line in out.stdout.splitlines()
               if not line.startswith(";"))


def start_all(args, work, started):
    """Starts the tenants, dnsd and Knot, each appended to `started` as it starts (so a failure
    part-way still stops what did start)."""
    zone = os.path.join(work, "dnsd.zone")
    zonegen.write_static_zone(zone, HOSTS)
    knot_zone = os.path.join(work, "knot.zone")
    zonegen.write_static_zone(knot_zone, HOSTS, PROFILES)
    queries = {"static": os.path.join(work, "static.q"), "profile": os.path.join(work, "profile.q"),
               "static-positive": os.path.join(work, "positive.q")}
    zonegen.static_queries(queries["static"], HOSTS, QUERIES)
    zonegen.profile_queries(queries["profile"], PROFILES, QUERIES)
    # Mix 1 without its missing names: with DO their compact denial is signed per name on
    # demand (cached per thread), which this separates from the cost of positive answers.
    with open(queries["static"]) as f, open(queries["static-positive"], "w") as out:
        out.writelines(line for line in f if not line.startswith("nx-"))
    tport = procs.free_port(("127.0.0.2", "127.0.0.3"))
    for ip, region in (("127.0.0.2", "eu"), ("127.0.0.3", "us")):
        started.append(tenants.Tenant(args.tenant_sim, work, ip, tport, procs.free_port((ip,)), region))
    profiles = {"count": PROFILES, "eu": "127.0.0.2", "us": "127.0.0.3", "port": tport,
                "interval": "1s", "timeout": "500ms"}
    dnsd = servers.Dnsd("dnsd", work, procs.free_port(), profiles=profiles)
    dnsd.binary = args.dnsd
    dnsd.extra_config = f'[zone.dnssec]\nkey_files = ["{dnsd_key(args.dnsctl, work)}"]\n'
    dnsd.prepare(zone)
    started.append(dnsd)
    dnsd.start(zonegen.last_name_static(HOSTS))
    knot = SignedKnot("knot", work, procs.free_port(), args.knot_mode)
    knot.prepare(knot_zone)
    started.append(knot)
    knot.start(zonegen.last_name_static(HOSTS))
    checks = []
    for server in (dnsd, knot):
        signed = procs.wait_until(60, lambda s=server: has_rrsig(s.port, "www-0.bench.test."), 0.2)
        if not signed:
            raise RuntimeError(f"{server.name}: no RRSIG with DO=1 after 60 s; see {server.proc.log_path}")
    # The routed names answer their priority-1 endpoint once the probes have run.
    routed = procs.wait_until(30, lambda: has_rrsig(dnsd.port, "app-0.bench.test."), 0.2)
    checks.append(f"dnsd app-0 signed with DO=1: {bool(routed)}")
    return {"dnsd": dnsd, "knot": knot}, queries, checks


def cpu_rounds(servers_by_name, queries, args, work):
    results = {}
    tests = [("10k", 10000), ("max", None)]
    order = [(name, do) for name in servers_by_name for do in (False, True)]
    for rnd in range(args.rounds):
        turn = order[rnd % len(order):] + order[:rnd % len(order)]
        for mix, qfile in queries.items():
            ok = ("NOERROR", "NXDOMAIN") if mix == "static" else ("NOERROR",)
            for test, rate in tests:
                for name, do in turn:
                    tag = f"{mix}-{test}-{name}-do{int(do)}-{rnd}"
                    r = load.measure(servers_by_name[name], qfile, os.path.join(work, tag + ".txt"),
                                     args.seconds, rate=rate, ok_rcodes=ok, dnssec=do)
                    results.setdefault(f"{mix}/{test}/{name}/do{int(do)}", []).append(r)
        phases.log(f"round {rnd + 1}/{args.rounds} done")
    return results


def report(results, args, checks, versions):
    lines = [
        "# DO=1 against DO=0: CPU per query, signed dnsd and Knot DNS (issue 16)",
        "",
        f"`{' '.join(sys.argv)}`; {args.rounds} interleaved rounds of {args.seconds} s per run, "
        f"one server thread on CPU 1, dnsperf on CPU 0. Knot: {versions.get('knot', '?')}, "
        f"{args.knot_mode}. Medians of server CPU us per answered query; goal DO=1/DO=0 <= {GOAL}.",
        "",
        "| mix | rate | server | DO=0 us/q | DO=1 us/q | DO=1 / DO=0 | DO=1 bytes/answer | errors+lost |",
        "|---|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for mix in ("static", "static-positive", "profile"):
        for test in ("10k", "max"):
            for name in ("dnsd", "knot"):
                runs = {do: results.get(f"{mix}/{test}/{name}/do{do}", []) for do in (0, 1)}
                cpu = {do: phases.median([r["cpu_us_per_q"] for r in runs[do]]) for do in (0, 1)}
                size = phases.median([r["avg_response_bytes"] for r in runs[1]])
                bad = sum(r.get("errors", 0) + r["lost"] for do in (0, 1) for r in runs[do])
                ratio = cpu[1] / cpu[0] if cpu[0] and cpu[1] else None
                if name == "dnsd" and mix != "static" and ratio is not None:
                    verdicts.append(ratio <= GOAL)
                shown = f"{ratio:.3f}" if ratio is not None else "?"
                lines.append(f"| {mix} | {test} | {name} | {cpu[0] or 0:.3f} | {cpu[1] or 0:.3f} | "
                             f"{shown} | {size or 0:.0f} | {bad} |")
    lines += ["", "Every round (us/query), DO=0 | DO=1:"]
    for key in sorted({k.rsplit("/", 1)[0] for k in results}):
        cells = [" ".join(f"{r['cpu_us_per_q']:.3f}" for r in results.get(f"{key}/do{do}", []))
                 for do in (0, 1)]
        lines.append(f"- {key}: {cells[0]} | {cells[1]}")
    lines += ["", "Checks: " + "; ".join(checks),
              f"dnsd DO=1/DO=0 within {GOAL} on positive answers (static-positive, profile): "
              f"{'yes' if verdicts and all(verdicts) else 'NO'}",
              "static: 15% of its names are missing and distinct; with DO they take the general "
              "path (compact denial), each NSEC signed on demand when first seen, then read from "
              "the per-thread cache ([zone.dnssec] denial_cache_size, 4-way sets, least recently used out)."]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dnsd", required=True, help="the dnsd binary")
    ap.add_argument("--dnsctl", required=True, help="the dnsctl binary (makes the zone's key)")
    ap.add_argument("--tenant-sim", required=True, help="tools/tenant_sim binary")
    ap.add_argument("--knot-mode", choices=("onlinesign", "signing"), default="onlinesign")
    ap.add_argument("--rounds", type=int, default=4, help="interleaved rounds (default 4)")
    ap.add_argument("--seconds", type=float, default=4, help="seconds per dnsperf run (default 4)")
    ap.add_argument("--nice", type=int, default=-10 if os.geteuid() == 0 else 0)
    ap.add_argument("--out", default=os.path.join(BENCH, "results", "dnssec.md"))
    args = ap.parse_args()
    for tool in ("dnsd", "dnsctl", "tenant_sim"):  # the servers run in their own directories
        setattr(args, tool, os.path.abspath(getattr(args, tool)))
    if os.cpu_count() < 2:
        sys.exit("dnssec bench: needs 2 CPUs (server on CPU 1, load on CPU 0)")
    procs.pin_self(0)
    servers.NICE = args.nice
    load.QUIET_MAX_S = 3.0
    work = tempfile.mkdtemp(prefix="dnsd-dnssec-")
    started = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    try:
        by_name, queries, checks = start_all(args, work, started)
        results = cpu_rounds(by_name, queries, args, work)
        knot_version = subprocess.run(["knotd", "--version"], capture_output=True, text=True,
                                      timeout=10).stdout.strip()
        text = report(results, args, checks, {"knot": knot_version})
        print(text)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)
        with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
            json.dump({"args": vars(args), "checks": checks, "runs": results}, f, indent=1)
        return 0
    finally:
        for thing in reversed(started):
            try:
                thing.stop()
            except Exception as error:  # keep stopping the rest
                phases.log(f"stop failed: {error}")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
