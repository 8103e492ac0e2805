#!/usr/bin/env python3
"""bench/failover.py: how long a tenant failure takes to show in dnsd's answers (issue 3).

    bench/failover.py                          both profiles, 20 cycles each (about 15 minutes)
    bench/failover.py --profile fast           the fastest settings dnsd allows (under a minute)
    bench/failover.py --profile seed --cycles 5

Two simulated tenants (tools/tenant_sim): EU on 127.0.0.2 (priority 1) and US on 127.0.0.3
(priority 2), probed over HTTPS with Basic auth; the endpoints are FQDNs that dnsd serves and
resolves through itself; TTL 1. Each cycle switches EU to 503 and times the first answer naming
US, then switches it back up and times the first answer naming EU. Answers are read with a
Python UDP query loop at --pace-ms. Writes a Markdown table to bench/results/failover.md (the
section of a profile not run this time is kept). Uses the test support in tests/support/.
"""
import argparse
import datetime
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(REPO / "tests" / "support"))

import dnstest  # noqa: E402
import dnswire  # noqa: E402
import tenants  # noqa: E402
from tenants import EU_NAME, US_NAME, EndpointSpec, ProbeSettings  # noqa: E402

QNAME = f"ci.{tenants.PROFILE_ZONE}"
PROFILES = {
    # The seed's Traffic Manager settings (conf/dnsd.toml).
    "seed": ProbeSettings(interval_s=10.0, timeout_s=5.0, tolerated=1),
    # The fastest dnsd accepts: interval 100 ms (the minimum), timeout below it, nothing
    # tolerated. A 50 ms timeout flapped on a loaded 2-CPU host (TLS handshakes over 50 ms).
    "fast": ProbeSettings(interval_s=0.1, timeout_s=0.09, tolerated=0),
}
USER, PASSWORD = "bench", "bench-secret"
SLACK_S = 2.0  # beyond the worst case before a cycle counts as missed


def fmt_s(seconds):
    if seconds is None:
        return "n/a"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


class Run:
    """One profile: two tenants, one dnsd, N cycles."""

    def __init__(self, name, settings, cycles, pace_s, rng, workdir):
        self.name, self.s, self.cycles, self.pace_s, self.rng = name, settings, cycles, pace_s, rng
        self.failover, self.recovery, self.missed = [], [], 0
        self.queries = 0
        cert, key = tenants.make_tenant_cert(workdir)
        auth = tenants.write_auth_file(workdir / "tenant.auth", USER, PASSWORD)
        self.eu, self.us = tenants.start_tenant_pair(cert, key, USER, PASSWORD)
        monitor = settings.monitor_toml(protocol="https", port=self.eu.port, ca_file=cert.name,
                                        auth_file=auth.name)
        body = (tenants.zone_toml(tenants.PROFILE_ZONE) + tenants.tenant_zone_toml() +
                tenants.profile_toml(QNAME, monitor, [EndpointSpec("eu", EU_NAME, 1),
                                                      EndpointSpec("us", US_NAME, 2)], ttl=1))
        self.dnsd = tenants.ScenarioDnsd(body, [cert, auth]).start()

    def stop(self):
        for server in (self.dnsd, self.eu, self.us):
            server.stop()
            server.cleanup()

    def who(self):
        """The tenant dnsd answers now (one UDP query), or None when nothing came back."""
        self.queries += 1
        raw = dnswire.udp_exchange(self.dnsd.port, dnswire.build_query(QNAME, "A"),
                                   timeout_s=1.0)
        return tenants.who(dnswire.parse_message(raw)) if raw else None

    def time_switch(self, want, t0, limit_s):
        """Seconds from t0 to the first answer naming `want`, paced; None past limit_s."""
        for k in range(int(limit_s / self.pace_s) + 2):
            if self.who() == want:
                return time.monotonic() - t0
            if time.monotonic() - t0 > limit_s:
                return None
            delay = t0 + (k + 1) * self.pace_s - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return None

    def online(self, endpoint):
        lines = tenants.transitions(tenants.read_log(self.dnsd), QNAME, endpoint)
        return bool(lines) and lines[-1].new == "Online"

    def settle(self):
        """Both endpoints Online and EU answered (bounded by the settings)."""
        limit = self.s.first_verdict_worst_s() + self.s.recover_worst_s() + SLACK_S
        try:
            dnstest.wait_until(limit, lambda: self.online("eu") and self.online("us") and
                               self.who() == "eu", "both Online, EU answered", 0.02)
        except TimeoutError:
            raise RuntimeError(f"{self.name}: tenants not both Online\n"
                               f"{self.dnsd.stderr_text(20)}") from None

    def cycle(self, i):
        # A random wait puts each switch at a random phase of the probe schedule; otherwise it
        # would land just after the probe that noticed the previous change.
        time.sleep(self.rng.uniform(0, self.s.interval_s))
        t0 = time.monotonic()
        self.eu.set_mode("503")
        took = self.time_switch("us", t0, self.s.degrade_worst_s() + SLACK_S)
        back = None
        if took is not None:
            self.failover.append(took)
            time.sleep(self.rng.uniform(0, self.s.interval_s))
            t1 = time.monotonic()
            self.eu.set_mode("up")
            back = self.time_switch("eu", t1, self.s.recover_worst_s() + SLACK_S)
        if took is None or back is None:
            self.missed += 1
            self.eu.set_mode("up")
            self.settle()
        else:
            self.recovery.append(back)
        print(f"  {self.name} cycle {i + 1}/{self.cycles}: failover {fmt_s(took)}, "
              f"recovery {fmt_s(back)}", file=sys.stderr, flush=True)

    def run(self):
        self.settle()
        started = time.monotonic()
        for i in range(self.cycles):
            self.cycle(i)
        self.wall_s = time.monotonic() - started
        lines = tenants.transitions(tenants.read_log(self.dnsd), QNAME)
        self.unexpected = [t.line for t in lines
                           if not (t.endpoint == "eu" and {t.old, t.new} == {"Online", "Degraded"})
                           and t.old != "CheckingEndpoint"]
        self.eu_lines = sum(1 for t in lines if t.endpoint == "eu" and t.old != "CheckingEndpoint")
        # The probe duration r of the formula, as dnsd logs it for the probe that recovered EU.
        self.rtts_ms = [int(m.group(1)) for t in lines if t.endpoint == "eu" and t.old == "Degraded"
                        for m in [re.search(r" rtt=(\d+)ms$", t.line)] if m]


def summary(samples):
    if not samples:
        return ("n/a",) * 4
    return (fmt_s(min(samples)), fmt_s(statistics.median(samples)), fmt_s(max(samples)),
            fmt_s(statistics.fmean(samples)))


def section(run, pace_s, stamp, host, command):
    s = run.s
    fo_best, fo_worst = s.degrade_best_s(), (s.tolerated + 1) * s.interval_s * 1.1
    fo_mean = (s.tolerated + 0.5) * s.interval_s
    re_worst = s.successes * s.interval_s * 1.1
    re_mean = (s.successes - 0.5) * s.interval_s
    rows = [("failover (EU 503 → first answer US)", fmt_s(fo_best), fmt_s(fo_mean),
             fmt_s(fo_worst), *summary(run.failover), len(run.failover)),
            ("recovery (EU up → first answer EU)", "0 ms", fmt_s(re_mean), fmt_s(re_worst),
             *summary(run.recovery), len(run.recovery))]
    wall = f"{run.wall_s / 60:.1f} min" if run.wall_s >= 60 else f"{run.wall_s:.0f} s"
    out = [f"<!-- failover:{run.name} -->",
           f"## Profile `{run.name}`: interval {fmt_s(s.interval_s)}, "
           f"timeout {fmt_s(s.timeout_s)}, tolerated_failures {s.tolerated}, "
           f"successes_to_recover {s.successes}",
           "",
           f"- run: {stamp}, `{command}`",
           host,
           f"- {run.cycles} cycles in {wall}; {run.queries} queries at "
           f"{pace_s * 1000:g} ms pacing; missed cycles: {run.missed}",
           f"- probe duration r (rtt of the probes that brought EU back, from dnsd's log): "
           + (f"min {min(run.rtts_ms)} ms, median {statistics.median(run.rtts_ms):g} ms, max "
              f"{max(run.rtts_ms)} ms" if run.rtts_ms else "n/a"),
           f"- state-change lines for EU: {run.eu_lines} (expected {2 * run.cycles}); unexpected "
           f"transitions: {len(run.unexpected)}"
           + "".join(f"\n  - `{line}`" for line in run.unexpected[:5]),
           "",
           "| phase | formula best | formula mean | formula worst | min | median | max | mean "
           "| n |",
           "|---|---|---|---|---|---|---|---|---|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    out += ["",
            "Formula columns leave out r and the pacing; the measured columns include both.",
            "",
            "Samples (s): failover " + ", ".join(f"{x:.3f}" for x in run.failover) +
            "; recovery " + ", ".join(f"{x:.3f}" for x in run.recovery),
            f"<!-- /failover:{run.name} -->"]
    return "\n".join(out) + "\n"


HEADER = """# dnsd failover benchmark (issue 3)

Written by `bench/failover.py`. Two simulated tenants (tools/tenant_sim): EU `127.0.0.2`
priority 1, US `127.0.0.3` priority 2, HTTPS with a self-signed certificate given as `ca_file`,
Basic auth from `value_file`, endpoints `eu.tenant.test.` / `us.tenant.test.` served by dnsd
and resolved through it, profile TTL 1. A cycle: wait U(0, interval), switch EU to `503`, time
the first answer naming US; wait U(0, interval), switch EU `up`, time the first answer naming
EU. The times run from the control request to the tenant to the first DNS answer that names
the other tenant, read with a paced UDP query loop (the pacing, given per profile, adds up to
one step of reading error).

## The formula

Probes of an endpoint start one interval after the previous probe started, jittered by ±10%
(`probe/scheduler.cc`); an endpoint is Degraded after `tolerated_failures + 1` failures in a
row and Online again after `successes_to_recover` successes; the answer changes as soon as the
deciding probe completes (no batching). With the failure at a random moment:

    failover ≈ U(0, I) + tolerated·I' + r        recovery ≈ U(0, I) + (successes − 1)·I' + r

where I is the interval, I' ∈ [0.9·I, 1.1·I] and r is the deciding probe's duration (a 503
answers at once: a few ms of DNS lookup, TCP and TLS; a hang would add the whole timeout). So:

- failover: best ≈ tolerated × I × 0.9, mean ≈ (tolerated + ½) × I,
  worst ≈ (tolerated + 1) × I × 1.1 + r  (for a probe that times out: + timeout instead of r)
- recovery: best ≈ 0, mean ≈ (successes − ½) × I, worst ≈ successes × I × 1.1 + r

A client behind a resolver sees the change up to one TTL later (TTL 1 here; unbound counts whole
seconds, so up to 2 s).

"""


def host_line(build_dir):
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    build_type = ""
    cache = Path(build_dir) / "CMakeCache.txt"
    if cache.exists():
        m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", cache.read_text(), re.M)
        build_type = m.group(1) if m else ""
        build_type = build_type or "RelWithDebInfo (the CMakeLists default)"
        if re.search(r"^DNSD_SANITIZE:BOOL=ON$", cache.read_text(), re.M):
            build_type += " with sanitizers"
    version = subprocess.run([os.environ["DNSD_BIN"], "--version"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    return (f"- host: `nproc` = {os.cpu_count()}, CPU: {cpu or '?'}, kernel {platform.release()}; "
            f"{version}, build type {build_type or '?'}")


def write_results(out_path, sections):
    """Replaces the sections of the profiles run now and keeps the others."""
    old = out_path.read_text() if out_path.exists() else ""
    kept = {}
    for name in PROFILES:
        m = re.search(rf"<!-- failover:{name} -->.*?<!-- /failover:{name} -->\n", old, re.S)
        if m:
            kept[name] = m.group(0)
    kept.update(sections)
    text = HEADER
    text += "\n".join(kept[name] for name in PROFILES if name in kept)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", choices=("seed", "fast", "both"), default="both")
    ap.add_argument("--cycles", type=int, default=20)
    ap.add_argument("--pace-ms", type=float, default=10.0, help="query pacing (default 10)")
    ap.add_argument("--build", default=str(REPO / "build"),
                    help="build tree holding daemon/dnsd and tools/tenant_sim (default build/)")
    ap.add_argument("--seed", type=int, default=1, help="PRNG seed of the random waits")
    ap.add_argument("--out", default=str(BENCH / "results" / "failover.md"))
    args = ap.parse_args()
    if args.cycles < 1 or args.cycles > 1000 or not 1 <= args.pace_ms <= 1000:
        ap.error("--cycles must be 1..1000 and --pace-ms 1..1000")
    build = Path(args.build).resolve()
    os.environ.setdefault("DNSD_BIN", str(build / "daemon" / "dnsd"))
    os.environ.setdefault("TENANT_SIM_BIN", str(build / "tools" / "tenant_sim"))
    os.environ["DNSD_BIN"] = os.path.abspath(os.environ["DNSD_BIN"])

    names = list(PROFILES) if args.profile == "both" else [args.profile]
    names.sort(key=lambda n: n != "fast")  # the short one first
    rng = random.Random(args.seed)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["bench/failover.py"] + sys.argv[1:])
    host = host_line(build)
    sections = {}
    for name in names:
        workdir = Path(tempfile.mkdtemp(prefix=f"failover-bench-{name}-"))
        run = None
        try:
            print(f"profile {name}: {PROFILES[name]}", file=sys.stderr, flush=True)
            run = Run(name, PROFILES[name], args.cycles, args.pace_ms / 1000, rng, workdir)
            run.run()
            sections[name] = section(run, args.pace_ms / 1000, stamp, host, command)
            print(sections[name], flush=True)
        finally:
            if run is not None:
                run.stop()
            shutil.rmtree(workdir, ignore_errors=True)
    write_results(Path(args.out), sections)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
