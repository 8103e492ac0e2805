"""Markdown tables from the results dict: medians over rounds, dnsd/best-other ratios, targets.

Ratio convention: dnsd / best of Knot, NSD and gdnsd. For costs (CPU, instructions, latency,
memory) best = lowest and a ratio below 1 is good; for QPS best = highest and above 1 is good.
"""
import statistics

from . import xdp_run

OTHERS = ["knot", "nsd", "gdnsd"]
LABEL = {"knot": "Knot DNS", "nsd": "NSD", "gdnsd": "gdnsd", "dnsd": "**dnsd**", "null": "null responder",
         "dnsd-flip": "**dnsd, flipping**", "dnsd-steady": "**dnsd, steady**"}


def med(runs, field):
    values = [r[field] for r in runs or [] if r.get(field) is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    if value is None:
        return "n/a"
    if isinstance(value, int) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def ratio(a, b):
    return None if a is None or not b else a / b


def _mib(kib):
    return None if not kib else kib / 1024


class Row:
    """The medians shown for one server in one mix."""

    def __init__(self, tests, ir=None, rss=None):
        low, high, unthrottled = tests.get("10k"), tests.get("high"), tests.get("max")
        self.cpu_low = med(low, "cpu_us_per_q")
        self.cpu_low_stat = med(low, "cpu_stat_us_per_q")
        self.cpu_high = med(high, "cpu_us_per_q")
        self.cpu_max = med(unthrottled, "cpu_us_per_q")
        self.p50 = med(low, "p50_us")
        self.p99 = med(low, "p99_us")
        self.p999 = med(low, "p999_us")
        self.lmax = med(low, "max_us")
        self.qps = med(unthrottled, "qps")
        # How busy the server core was while unthrottled: near 100% means max QPS is the server's
        # limit; well below means dnsperf (or the load core) was the limit.
        self.per_core = 1e6 / self.cpu_max if self.cpu_max else None
        self.busy = med([{"b": r["cpu_sched_s"] / r["run_s"] * 100} for r in unthrottled or [] if r["run_s"]], "b")
        self.lost = [sum(r["lost"] for r in runs or []) for runs in (low, high, unthrottled)]
        self.errors = sum(r["errors"] for runs in (low, high, unthrottled) for r in runs or [])
        self.bytes = med(low, "avg_response_bytes")
        self.ir = ir
        self.rss = _mib(rss[0]) if rss else None

    def cells(self):
        return [fmt(self.cpu_low), fmt(self.cpu_low_stat), fmt(self.cpu_high), fmt(self.cpu_max),
                fmt(self.p50, 0), fmt(self.p99, 0), fmt(self.p999, 0), fmt(self.lmax, 0), fmt(self.qps), fmt(self.busy, 0), fmt(self.per_core), "/".join(str(x) for x in self.lost),
                str(self.errors), fmt(self.ir, 0), fmt(self.rss, 1), fmt(self.bytes, 0)]


COST_FIELDS = ["cpu_low", "cpu_low_stat", "cpu_high", "cpu_max", "p50", "p99", "p999", "lmax"]


def _ratio_cells(dnsd, rows, versus):
    """dnsd divided by the best of `versus` for every column that has a meaning as a ratio."""
    def best(field, highest=False):
        values = [getattr(rows[n], field) for n in versus if n in rows and getattr(rows[n], field) is not None]
        return (max if highest else min)(values) if values else None
    cells = [fmt(ratio(getattr(dnsd, f), best(f))) for f in COST_FIELDS]
    cells += [fmt(ratio(dnsd.qps, best("qps", highest=True))), "", fmt(ratio(dnsd.per_core, best("per_core", True))),
              "", "", fmt(ratio(dnsd.ir, best("ir"))),
              fmt(ratio(dnsd.rss, best("rss"))), ""]
    return cells


def mix_table(results, mix, high_rate):
    names = [n for n in ["knot", "nsd", "gdnsd", "dnsd", "null"] if n in results[mix]]
    rows = {}
    for n in names:
        ir = (results["callgrind"].get(mix, {}).get(n) or {}).get("ir_per_q")
        rows[n] = Row(results[mix][n], ir, results["rss"].get(n))
    head = ["server", "CPU µs/q @10k", "(stat)", f"CPU µs/q @{high_rate // 1000}k", "CPU µs/q unthrottled",
            "p50 µs @10k", "p99 µs @10k", "p99.9 µs @10k", "max µs @10k", "max QPS", "core % at max", "QPS per core",
            "lost 10k/high/max", "errors", "Ir/q (callgrind)",
            "peak RSS MiB", "resp. bytes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n in names:
        lines.append(f"| {LABEL[n]} | " + " | ".join(rows[n].cells()) + " |")
    if "dnsd" in rows and any(o in rows for o in OTHERS):
        lines.append("| dnsd / best other | " + " | ".join(_ratio_cells(rows["dnsd"], rows, OTHERS)) + " |")
    if "dnsd" in rows and "null" in rows:
        lines.append("| dnsd / null | " + " | ".join(_ratio_cells(rows["dnsd"], rows, ["null"])) + " |")
    return "\n".join(lines), rows


def flip_table(results, high_rate):
    flip = results["flip"]
    rows = {n: Row(flip[n]) for n in ("dnsd", "dnsd-flip") if n in flip}
    head = ["server", "CPU µs/q @10k", "(stat)", f"CPU µs/q @{high_rate // 1000}k", "CPU µs/q unthrottled",
            "p50 µs @10k", "p99 µs @10k", "p99.9 µs @10k", "max µs @10k", "max QPS", "core % at max", "QPS per core",
            "lost 10k/high/max", "errors"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n, row in rows.items():
        label = LABEL["dnsd-steady" if n == "dnsd" else n]
        lines.append(f"| {label} | " + " | ".join(row.cells()[:len(head) - 1]) + " |")
    if len(rows) == 2:
        a, b = rows["dnsd-flip"], rows["dnsd"]
        cells = [fmt(ratio(getattr(a, f), getattr(b, f))) for f in COST_FIELDS] + [fmt(ratio(a.qps, b.qps)), "", fmt(ratio(a.per_core, b.per_core)), "", ""]
        lines.append("| flipping / steady | " + " | ".join(cells) + " |")
    return "\n".join(lines), rows


class VariantRow:
    """The medians shown for one server in the TCP or two-thread phase (10k and unthrottled)."""

    def __init__(self, tests):
        low, unthrottled = tests.get("10k"), tests.get("max")
        self.cpu_low = med(low, "cpu_us_per_q")
        self.cpu_low_stat = med(low, "cpu_stat_us_per_q")
        self.cpu_max = med(unthrottled, "cpu_us_per_q")
        self.p50 = med(low, "p50_us")
        self.p99 = med(low, "p99_us")
        self.qps = med(unthrottled, "qps")
        # Server CPU / wall time, all threads: up to 100% per server thread.
        self.busy = med([{"b": r["cpu_sched_s"] / r["run_s"] * 100} for r in unthrottled or [] if r["run_s"]], "b")
        self.top_thread = med(unthrottled, "top_thread_pct")
        self.lost = [sum(r["lost"] for r in runs or []) for runs in (low, unthrottled)]
        self.errors = sum(r["errors"] for runs in (low, unthrottled) for r in runs or [])
        self.bytes = med(low, "avg_response_bytes")
        self.reconnections = sum(r.get("reconnections", 0) for runs in (low, unthrottled) for r in runs or [])

    def cells(self, tcp=False):
        return [fmt(self.cpu_low), fmt(self.cpu_low_stat), fmt(self.cpu_max), fmt(self.p50, 0), fmt(self.p99, 0),
                fmt(self.qps), fmt(self.busy, 0), fmt(self.top_thread, 0), "/".join(str(x) for x in self.lost),
                str(self.errors)] + ([str(self.reconnections)] if tcp else []) + [fmt(self.bytes, 0)]


VARIANT_COST_FIELDS = ["cpu_low", "cpu_low_stat", "cpu_max", "p50", "p99"]


def variant_table(results, key):
    """Mix 1 over TCP or with two server threads, with dnsd / best other (and / null)."""
    names = [n for n in ["knot", "nsd", "gdnsd", "dnsd", "null"] if n in results.get(key, {})]
    rows = {n: VariantRow(results[key][n]) for n in names}
    tcp = key == "tcp"
    head = ["server", "CPU µs/q @10k", "(stat)", "CPU µs/q unthrottled", "p50 µs @10k", "p99 µs @10k",
            "max QPS", "server CPU % at max", "busiest thread % of server CPU", "lost 10k/max", "errors"]
    head += ["reconnections"] if tcp else []
    head += ["resp. bytes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n in names:
        lines.append(f"| {LABEL[n]} | " + " | ".join(rows[n].cells(tcp)) + " |")

    def ratio_line(label, versus):
        def best(field, highest=False):
            values = [getattr(rows[v], field) for v in versus if v in rows and getattr(rows[v], field) is not None]
            return (max if highest else min)(values) if values else None
        d = rows["dnsd"]
        cells = [fmt(ratio(getattr(d, f), best(f))) for f in VARIANT_COST_FIELDS]
        cells += [fmt(ratio(d.qps, best("qps", highest=True)))] + [""] * (len(head) - 1 - len(cells) - 1)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if "dnsd" in rows and any(o in rows for o in OTHERS):
        ratio_line("dnsd / best other", OTHERS)
    if "dnsd" in rows and "null" in rows:
        ratio_line("dnsd / null", ["null"])
    return "\n".join(lines), rows


def scaling_table(results, low_rate):
    scaling = results["scaling"]
    names = sorted({n for per in scaling.values() for n in per}, key=["knot", "nsd", "gdnsd", "dnsd"].index)
    head = ["records"] + [f"{LABEL[n]} {what}" for n in names
                          for what in ("load s", f"CPU µs/q @{low_rate // 1000}k", "RSS MiB")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for size, per in scaling.items():
        cells = [f"{int(size):,}"]
        for n in names:
            d = per.get(n)
            if not d or "error" in d:
                cells += ["failed", "", ""]
                continue
            cells += [fmt(d["load_s"]), fmt(med(d["runs"], "cpu_us_per_q")), fmt(_mib(d["rss"][0]), 1)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(results, static_rows, profile_rows, flip_rows, tcp_rows=None, threads2_rows=None):
    """The issue's targets, each with the measured ratio and whether it is met."""
    out = []

    def check(text, value, limit, higher_is_better=False):
        if value is None:
            out.append(f"| {text} | n/a | {limit} | not measured |")
            return
        ok = value >= limit if higher_is_better else value <= limit
        out.append(f"| {text} | {value:.3f} | {'≥' if higher_is_better else '≤'} {limit} | {'met' if ok else '**missed**'} |")

    def best(rows, field, highest=False):
        values = [getattr(rows[n], field) for n in OTHERS if n in rows and getattr(rows[n], field) is not None]
        return (max if highest else min)(values) if values else None

    d = static_rows.get("dnsd")
    if d:
        check("static CPU/q @10k vs best other", ratio(d.cpu_low, best(static_rows, "cpu_low")), 0.8)
        check("static CPU/q @high vs best other", ratio(d.cpu_high, best(static_rows, "cpu_high")), 0.8)
        check("static CPU/q unthrottled vs best other", ratio(d.cpu_max, best(static_rows, "cpu_max")), 0.8)
        check("static Ir/q vs best other", ratio(d.ir, best(static_rows, "ir")), 0.8)
        check("static p99 @10k vs best other", ratio(d.p99, best(static_rows, "p99")), 1.0)
        bound = "" if (d.busy or 0) >= 90 else f" (dnsperf-bound: server core {d.busy or 0:.0f}% busy)"
        check("static max QPS vs best other" + bound, ratio(d.qps, best(static_rows, "qps", True)), 1.0, True)
        check("static QPS per core (1 / CPU unthrottled) vs best other",
              ratio(d.per_core, best(static_rows, "per_core", True)), 1.0, True)
        null = static_rows.get("null")
        if null:
            check("static CPU/q @10k vs null responder", ratio(d.cpu_low, null.cpu_low), 1.5)
            check("static CPU/q unthrottled vs null responder", ratio(d.cpu_max, null.cpu_max), 1.5)
        knot = static_rows.get("knot")
        if knot:
            check("peak RSS vs Knot (same zone)", ratio(d.rss, knot.rss), 1.0)
    p = profile_rows.get("dnsd")
    if p and d:
        check("profile CPU/q @10k vs dnsd static", ratio(p.cpu_low, d.cpu_low), 1.1)
        check("profile CPU/q unthrottled vs dnsd static", ratio(p.cpu_max, d.cpu_max), 1.1)
        check("profile Ir/q vs dnsd static Ir/q", ratio(p.ir, d.ir), 1.1)
    f, s = flip_rows.get("dnsd-flip"), flip_rows.get("dnsd")
    if f and s:
        check("flipping CPU/q @10k vs steady profile", ratio(f.cpu_low, s.cpu_low), 1.1)
        check("flipping CPU/q unthrottled vs steady profile", ratio(f.cpu_max, s.cpu_max), 1.1)
        out.append(f"| flipping: errors + lost queries | {f.errors + sum(f.lost)} | = 0 | "
                   f"{'met' if f.errors + sum(f.lost) == 0 else '**missed**'} |")
    t = (threads2_rows or {}).get("dnsd")
    if t:
        check("2 threads: static CPU/q @10k vs best other", ratio(t.cpu_low, best(threads2_rows, "cpu_low")), 0.8)
        check("2 threads: static CPU/q unthrottled vs best other",
              ratio(t.cpu_max, best(threads2_rows, "cpu_max")), 0.8)
        check("2 threads: static p99 @10k vs best other", ratio(t.p99, best(threads2_rows, "p99")), 1.0)
        check("2 threads: static max QPS vs best other (dnsperf shares the cores: load-generator-bound)",
              ratio(t.qps, best(threads2_rows, "qps", True)), 1.0, True)
    c = (tcp_rows or {}).get("dnsd")
    if c:
        check("TCP: static CPU/q @10k vs best other", ratio(c.cpu_low, best(tcp_rows, "cpu_low")), 0.8)
        check("TCP: static CPU/q unthrottled vs best other", ratio(c.cpu_max, best(tcp_rows, "cpu_max")), 0.8)
        check("TCP: static p99 @10k vs best other", ratio(c.p99, best(tcp_rows, "p99")), 1.0)
    sizes = sorted(results["scaling"], key=int)
    if len(sizes) >= 2:
        first, last = results["scaling"][sizes[0]].get("dnsd"), results["scaling"][sizes[-1]].get("dnsd")
        if first and last and "runs" in first and "runs" in last:
            check(f"dnsd CPU/q at {int(sizes[-1]):,} vs {int(sizes[0]):,} records",
                  ratio(med(last["runs"], "cpu_us_per_q"), med(first["runs"], "cpu_us_per_q")), 1.1)
        for size in sizes:
            dn, kn = results["scaling"][size].get("dnsd"), results["scaling"][size].get("knot")
            if dn and kn and "rss" in dn and "rss" in kn:
                check(f"RSS vs Knot at {int(size):,} records", ratio(dn["rss"][0], kn["rss"][0]), 1.0)
    return "\n".join(["| target | measured | limit | |", "|---|---|---|---|"] + out)


def xdp_table(results):
    """bench/xdp.py's figures (its own servers on a veth pair), or why it did not run."""
    x = results.get("xdp") or {}
    if x.get("status") != "run":
        return f"Not run: {x.get('reason') or 'AF_XDP phase skipped (--no-xdp)'}."
    data = x["data"]
    head = ["server", "CPU µs/q @10k", "CPU µs/q unthrottled", "max QPS", "lost"]
    lines = [f"`{x['command']}`, {data.get('rounds', '?')} round(s):", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in xdp_run.SERVERS:
        server = data["servers"].get(name)
        if isinstance(server, dict):
            lines.append(f"| {name} | " + " | ".join(
                fmt(server.get(f)) if f != "lost" else str(server.get(f, "n/a")) for f in xdp_run.FIELDS) + " |")
    lines.append(f"| dnsd-xdp / knot-xdp | {fmt(xdp_run.ratio(data, '10k'))} | {fmt(xdp_run.ratio(data, 'max'))} | | |")
    return "\n".join(lines)


def render(results, meta, goals_md=""):
    high = meta["high_rate"]
    static, static_rows = mix_table(results, "static", high)
    profile, profile_rows = mix_table(results, "profile", high)
    flip, flip_rows = flip_table(results, high) if results["flip"] else ("(not run)", {})
    parts = [
        f"# dnsd side-by-side benchmark ({meta['mode']})", "",
        f"- date: {meta['date']}; host: `nproc` = {meta['nproc']}, CPU: {meta['cpu']}, kernel {meta['kernel']}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) +
        f"; dnsd built from {meta.get('revision', '?')}",
        f"- command: `{meta['command']}`; wall time {meta['wall_s'] / 60:.1f} min",
        f"- every server: 1 server thread, pinned to CPU 1; dnsperf (1 client, ≤100 outstanding, "
        f"1 s timeout) pinned to CPU 0; both at nice {meta['nice']}; {meta['rounds']} interleaved "
        f"round(s), medians shown",
        f"- fixed rates: {meta['low_rate']} and {high} QPS for {meta['fixed_s']} s each; "
        f"unthrottled for {meta['max_s']} s; callgrind: {meta['callgrind_n']} queries, busy minus idle run",
        f"- zone: bench.test., {meta['records']:,} records ({meta['hosts']} hosts with A, AAAA and an "
        f"out-of-zone CNAME; {meta['profiles']} profile names)",
        f"- load average at start / end: {meta['load_start']} / {meta['load_end']}", "",
        "## Mix 1: static names (40% A, 20% AAAA, 15% CNAME, 15% NXDOMAIN, 10% SOA)", "", static, "",
        "## Mix 2: health-routed names only", "",
        "dnsd answers `app-N.bench.test.` from its profiles (priority method, both tenants up, TTL 1); "
        "Knot, NSD and gdnsd have no health routing and serve the same names as static A records "
        "with the same answer (`127.0.0.2`, TTL 1).", "", profile, "",
        "## Mix 3: health-routed names while an endpoint flips every 10 ms", "",
        "A second dnsd (probe interval 100 ms, timeout 50 ms, tolerated_failures 0) whose eu tenant "
        "is switched between 503 and up every 10 ms; measured interleaved with the steady dnsd of "
        "mix 2 on the same query file.", "", flip, "",
    ]
    if results["flip"]:
        fl = results["flip"]
        parts += [f"Flipper: {fl['flipper']['flips']} switches ({fl['flipper']['errors']} failed, "
                  f"{fl['flipper']['late']} late); dnsd logged {fl['transitions']} health transitions; "
                  f"answers sampled during flipping: {fl.get('answer_split')}.", ""]
    tcp_rows, threads2_rows = {}, {}
    if results.get("tcp"):
        tcp, tcp_rows = variant_table(results, "tcp")
        o = meta.get("tcp_dnsperf", {})
        parts += ["## Mix 1 over TCP (one server thread)", "",
                  f"The same one-thread servers, pinned to CPU 1, queried with `dnsperf -m tcp -c "
                  f"{o.get('clients', '?')} -T {o.get('threads', '?')}` ({o.get('clients', '?')} TCP "
                  "connections, ≤100 queries outstanding over all of them) from CPU 0, interleaved rounds at "
                  "10k QPS and unthrottled. The null responder speaks UDP only and is left out. At these "
                  "rates dnsperf's single TCP thread is usually the limit, not the server: read CPU µs/q, "
                  "not max QPS. Reconnections (dnsperf's count, all runs): a server closing a connection "
                  "mid-run would show here; 0 means every run kept its 10 connections.", "", tcp, ""]
    if results.get("threads2"):
        threads2, threads2_rows = variant_table(results, "threads2")
        o = meta.get("threads2_dnsperf", {})
        cpus = ",".join(str(c) for c in meta.get("threads2_cpus", [0, 1]))
        parts += ["## Mix 1 with two server threads", "",
                  "A second instance of every server with **two** server threads (Knot `udp-workers: 2`, "
                  "`tcp-workers: 2`; NSD `server-count: 2`, `reuseport: yes`; gdnsd `udp_threads = 2`, "
                  "`tcp_threads = 2`; dnsd `workers = 2`; the null responder with 2 threads, one "
                  f"SO_REUSEPORT socket each), started under `taskset -c {cpus}`: all threads may run on "
                  f"both cores (the bench re-pins threads that pin themselves, such as Knot's UDP workers, "
                  f"back to CPUs {cpus}). dnsperf stays on CPU 0 with `-c {o.get('clients', '?')} -T "
                  f"{o.get('threads', '?')}` ({o.get('clients', '?')} UDP sockets so the kernel's "
                  "SO_REUSEPORT hash spreads them over both server sockets). **dnsperf shares the cores "
                  "with the servers**, so raw max QPS is bounded by the load generator; CPU µs/q is total "
                  "server CPU (every thread and process) per answered query. Server CPU % can reach 200%; "
                  "the busiest thread's share shows whether both threads worked (about 50%) or one did "
                  "it all (near 100%).", "", threads2, ""]
    if results["scaling"]:
        parts += ["## Scaling: zone size", "",
                  "Load time = from process start until a name near the end of the zone file is "
                  "answered. 90% existing names, 10% NXDOMAIN.", "",
                  scaling_table(results, meta["low_rate"]), ""]
    parts += ["## AF_XDP (bench/xdp.py)", "",
              "Knot and dnsd in their AF_XDP modes and through the kernel's sockets, on a veth pair "
              "between network namespaces (loopback has no XDP driver); see bench/README.md.", "",
              xdp_table(results), ""]
    parts += ["## Targets (issue 4)", "",
              targets(results, static_rows, profile_rows, flip_rows, tcp_rows, threads2_rows), ""]
    if goals_md:
        parts += ["## Goals (issue 17)", "",
                  "Ratios against the best of Knot, NSD and gdnsd in this run unless the goal names "
                  "the server; latencies are medians over rounds with each server's min-max over rounds. "
                  "\"not run\" and \"not measured\" are never counted as met.", "", goals_md, ""]
    notes = list(results["checks"])
    if results.get("calibration"):
        notes.append("calibration (unthrottled QPS used to pick the high rate): " +
                     ", ".join(f"{k} {v:,.0f}" for k, v in results["calibration"].items()))
    by_kind = {}
    for name, moved in results.get("pinning", {}).items():
        kind = name.split("-")[0]
        entry = by_kind.setdefault(kind, {"starts": [], "threads": 0, "cpus": set()})
        entry["starts"].append(name)
        entry["threads"] += len(moved)
        entry["cpus"].update(c for _, _, allowed in moved for c in allowed)
    for kind, e in by_kind.items():
        why = " (Knot pins UDP worker i to CPU i mod ncpus, with no option to turn it off)" if kind == "knot" else ""
        notes.append(f"pinning: {kind} set its own thread affinity to CPU {sorted(e['cpus'])} despite taskset"
                     f"{why}: {e['threads']} thread(s) over {len(e['starts'])} instance(s) "
                     f"({', '.join(e['starts'])}). The bench moved them back to the instance's CPUs (CPU 1; "
                     "CPUs 0,1 for the two-thread `-2t` instances) right after start and checks again before "
                     "every measurement; every other server stayed on its CPUs by itself")
    if not by_kind:
        notes.append("pinning: every thread of every server stayed on CPU 1")
    if results["noise"]:
        worst = sorted(results["noise"], key=lambda x: -x[1])[:5]
        notes.append(f"{len(results['noise'])} measurement(s) saw > 5% of CPU 1 used by other processes; "
                     "worst: " + ", ".join(f"{w} {p:.0f}%" for w, p in worst))
    parts += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(parts)
