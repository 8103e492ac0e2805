"""The goals of issue 17, each measured against its target from one run's results: a list of
rows (for the JSON output) and the Markdown table of them.

Ratios are dnsd / the best of Knot, NSD and gdnsd in the same run (never the null responder)
unless the goal names the server. Latencies are medians over rounds, with the min-max over
rounds beside them: one round's p99.9 or maximum on a shared machine says little alone.
A goal whose phase did not run, or whose figure is missing, is "not run" or "not measured",
never "met".
"""
from . import report, xdp_run

OTHERS = report.OTHERS
NAMES = {"knot": "Knot", "nsd": "NSD", "gdnsd": "gdnsd", "null": "null responder"}
NOISY_PCT = 5  # as phases.py: more of CPU 1 than this used by others marks a measurement noisy
THREADS2_SATURATED_PCT = 180  # of 200%: below, the two-thread server was not the limit


def evaluate(results):
    """Every goal as a dict: id, goal, measured (a ratio, or None), detail, spread, target,
    status ("met", "missed", "not measured", "not run") and why (what stands in the way, when
    the bench can tell)."""
    rows = []
    for mix, label in (("static", "static mix"), ("profile", "health-routed mix")):
        rows += _udp_10k(results, mix, label)
    rows += _udp_unthrottled(results)
    rows += _tcp(results)
    rows += _rss(results)
    rows += _threads2(results)
    rows += _xdp(results)
    return rows


def markdown(rows):
    head = ["goal", "measured", "spread over rounds (min-max)", "target", "", "what stands in the way"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        measured = "n/a" if r["measured"] is None else f"{r['measured']:.2f}"
        if r["detail"]:
            measured += f" ({r['detail']})"
        status = {"met": "met", "missed": "**missed**"}.get(r["status"], r["status"])
        lines.append(f"| {r['goal']} | {measured} | {r['spread'] or ''} | {r['target']} | {status} | "
                     f"{r['why'] or ''} |")
    return "\n".join(lines)


# ---- one goal row -----------------------------------------------------------------------------
def _row(gid, goal, target, limit, measured=None, detail="", spread="", why="", higher_is_better=False,
         status=None):
    if status is None:
        if measured is None:
            status = "not measured"
        else:
            status = "met" if (measured >= limit if higher_is_better else measured <= limit) else "missed"
    return {"id": gid, "goal": goal, "measured": measured, "detail": detail, "spread": spread,
            "target": target, "limit": limit, "higher_is_better": higher_is_better, "status": status,
            "why": why if status != "met" else ""}


def _not_run(gid, goal, target, limit, reason, higher_is_better=False):
    return _row(gid, goal, target, limit, why=reason, status="not run", higher_is_better=higher_is_better)


def _ratio(a, b):
    return None if a is None or not b else a / b


def _best(rows, field, names=OTHERS, highest=False):
    """(name, value) of the best of names for field: lowest for costs, highest for QPS."""
    have = [(n, getattr(rows[n], field)) for n in names if n in rows and getattr(rows[n], field) is not None]
    if not have:
        return None, None
    return (max if highest else min)(have, key=lambda x: x[1])


def _values(runs, field):
    return [r[field] for r in runs or [] if r.get(field) is not None]


def _spread(tests_by_name, test, field, names):
    """"dnsd 55-70 / Knot 20-31 µs (3 rounds)": each server's min-max over rounds."""
    parts, rounds = [], 0
    for n in names:
        values = _values(tests_by_name.get(n, {}).get(test), field)
        if not values:
            continue
        rounds = max(rounds, len(values))
        lo, hi = min(values), max(values)
        parts.append(f"{NAMES.get(n, n)} {_num(lo)}" + (f"-{_num(hi)}" if len(values) > 1 else ""))
    if not parts:
        return ""
    return " / ".join(parts) + f" µs ({rounds} round{'s' if rounds != 1 else ''})"


def _num(value):
    return report.fmt(value, 0 if value is None or abs(value) >= 100 else 1 if abs(value) >= 10 else 2)


def _pair(dnsd_value, other, other_value, unit):
    return f"dnsd {_num(dnsd_value)}, {NAMES.get(other, other)} {_num(other_value)} {unit}"


def _noise(runs):
    """The median share of CPU 1 that other processes took during these runs, if it was noisy."""
    values = sorted(_values(runs, "foreign_cpu1_pct"))
    if values and values[len(values) // 2] > NOISY_PCT:
        return f"CPU 1 shared: others took {values[len(values) // 2]:.0f}% of it (median over dnsd's runs)"
    return ""


def _join(*parts):
    return "; ".join(p for p in parts if p)


def _rows(results, key, cls=report.Row):
    return {n: cls(tests) for n, tests in results.get(key, {}).items() if isinstance(tests, dict) and n in
            OTHERS + ["dnsd", "null"]}


# ---- the goals --------------------------------------------------------------------------------
LATENCIES = [("p50", "p50_us", "p50"), ("p999", "p999_us", "p99.9"), ("lmax", "max_us", "max latency")]


def _udp_10k(results, mix, label):
    """CPU per query ≤ 0.8x and p50, p99.9, max ≤ the best other server's, at 10k QPS."""
    rows = _rows(results, mix)
    gid = f"udp10k.{mix}"
    goal = f"UDP @10k, {label}: "
    d = rows.get("dnsd")
    if not d:
        return [_not_run(f"{gid}.cpu", goal + "CPU/q vs best other", "≤ 0.80×", 0.8, "no dnsd results")]
    out = []
    other, value = _best(rows, "cpu_low")
    null = rows.get("null")
    floor = ""
    if null and null.cpu_low and value and null.cpu_low / value > 0.8:
        floor = f"floor: the null responder costs {null.cpu_low / value:.2f}× {NAMES[other]}"
    out.append(_row(f"{gid}.cpu", goal + "CPU/q vs best other", "≤ 0.80×", 0.8, _ratio(d.cpu_low, value),
                    _pair(d.cpu_low, other, value, "µs/q") if other else "",
                    why=_join(floor, _noise(results[mix]["dnsd"].get("10k")))))
    for attr, field, what in LATENCIES:
        other, value = _best(rows, attr)
        why = ""
        null_value = getattr(null, attr) if null else None
        if null_value is not None and value and null_value > value:
            why = (f"the null responder's {what} is {_num(null_value)} µs ({null_value / value:.2f}× "
                   f"{NAMES[other]}'s): the machine's share, not dnsd's alone")
        out.append(_row(f"{gid}.{attr}", goal + f"{what} vs best other", "≤ 1.00×", 1.0,
                        _ratio(getattr(d, attr), value),
                        _pair(getattr(d, attr), other, value, "µs") if other else "",
                        spread=_spread(results[mix], "10k", field, ["dnsd", other] if other else ["dnsd"]),
                        why=_join(why, _noise(results[mix]["dnsd"].get("10k")))))
    return out


def _udp_unthrottled(results):
    rows = _rows(results, "static")
    goal = ("UDP unthrottled, static mix: CPU/q vs best other (through the kernel's sockets likely "
            "out of reach; see the AF_XDP rows)")
    d = rows.get("dnsd")
    if not d:
        return [_not_run("udpmax.static.cpu", goal, "≤ 0.80×", 0.8, "no dnsd results")]
    other, value = _best(rows, "cpu_max")
    null = rows.get("null")
    why = ""
    if null and null.cpu_max and value:
        why = f"kernel path: the null responder alone costs {null.cpu_max / value:.2f}× {NAMES[other]}"
    return [_row("udpmax.static.cpu", goal, "≤ 0.80×", 0.8, _ratio(d.cpu_max, value),
                 _pair(d.cpu_max, other, value, "µs/q") if other else "", why=why)]


def _tcp(results):
    """Against gdnsd, as the issue names it."""
    specs = [("tcp.cpu10k", "TCP: CPU/q @10k vs gdnsd", "cpu_low", None, "≤ 0.80×", 0.8),
             ("tcp.cpumax", "TCP: CPU/q unthrottled vs gdnsd", "cpu_max", None, "≤ 0.80×", 0.8),
             ("tcp.p50", "TCP: p50 @10k vs gdnsd", "p50", "p50_us", "≤ 1.00×", 1.0),
             ("tcp.p99", "TCP: p99 @10k vs gdnsd", "p99", "p99_us", "≤ 1.00×", 1.0)]
    rows = _rows(results, "tcp", report.VariantRow)
    if "dnsd" not in rows or "gdnsd" not in rows:
        reason = "TCP phase skipped (--no-tcp)" if not results.get("tcp") else "no dnsd or gdnsd results"
        return [_not_run(gid, goal, target, limit, reason) for gid, goal, _, _, target, limit in specs]
    d, g = rows["dnsd"], rows["gdnsd"]
    out = []
    for gid, goal, attr, field, target, limit in specs:
        unit = "µs" if field else "µs/q"
        out.append(_row(gid, goal, target, limit, _ratio(getattr(d, attr), getattr(g, attr)),
                        _pair(getattr(d, attr), "gdnsd", getattr(g, attr), unit),
                        spread=_spread(results["tcp"], "10k", field, ["dnsd", "gdnsd"]) if field else ""))
    return out


def _rss(results):
    out = []
    rss = results.get("rss", {})
    goal = "peak RSS, small zone (mix 1, 3,005 records) vs Knot"
    if rss.get("dnsd") and rss.get("knot"):
        out.append(_row("rss.small_zone", goal, "≤ 1.00×", 1.0, _ratio(rss["dnsd"][0], rss["knot"][0]),
                        _pair(rss["dnsd"][0] / 1024, "knot", rss["knot"][0] / 1024, "MiB"),
                        why=_rss_why(results.get("rss_split", {}).get("dnsd"),
                                     results.get("rss_split", {}).get("knot"))))
    else:
        out.append(_not_run("rss.small_zone", goal, "≤ 1.00×", 1.0, "no RSS for dnsd or Knot"))
    goal = "peak RSS at 1,000 records (scaling run) vs Knot"
    scaling = results.get("scaling", {})
    at = scaling.get(1000) or scaling.get("1000") or {}
    dn, kn = at.get("dnsd") or {}, at.get("knot") or {}
    if dn.get("rss") and kn.get("rss"):
        out.append(_row("rss.1000", goal, "≤ 1.00×", 1.0, _ratio(dn["rss"][0], kn["rss"][0]),
                        _pair(dn["rss"][0] / 1024, "knot", kn["rss"][0] / 1024, "MiB"),
                        why=_rss_why(dn.get("rss_split"), kn.get("rss_split"))))
    else:
        reason = "scaling run skipped (--no-scaling)" if not scaling else "no 1,000-record run for dnsd or Knot"
        out.append(_not_run("rss.1000", goal, "≤ 1.00×", 1.0, reason))
    return out


def _rss_why(dnsd, knot):
    """Which part of the resident memory is larger: mapped files (the binary and its shared
    libraries) or anonymous memory (heap, stacks, the zone). Read at the end of the runs."""
    if not dnsd or not knot:
        return ""
    mib = lambda kib: f"{kib / 1024:.1f}"  # noqa: E731
    return (f"file-backed (binary, shared libraries) dnsd {mib(dnsd['file'])} vs Knot {mib(knot['file'])} MiB, "
            f"anonymous dnsd {mib(dnsd['anon'] + dnsd['shmem'])} vs Knot {mib(knot['anon'] + knot['shmem'])} MiB")


def _threads2(results):
    """dnsd with 2 threads against dnsd with 1 (CPU per query), and against every other
    two-thread server (max QPS)."""
    specs = [("threads2.cpu10k", "2 threads: dnsd CPU/q @10k vs dnsd with 1 thread", "≤ 1.00×", 1.0),
             ("threads2.cpumax", "2 threads: dnsd CPU/q unthrottled vs dnsd with 1 thread", "≤ 1.00×", 1.0),
             ("threads2.maxqps", "2 threads: dnsd max QPS vs every other 2-thread server", "≥ 1.00×", 1.0)]
    two = _rows(results, "threads2", report.VariantRow)
    one = _rows(results, "static").get("dnsd")
    if "dnsd" not in two or not one:
        reason = "two-thread phase skipped (--no-threads2)" if not results.get("threads2") else "no dnsd results"
        return [_not_run(gid, goal, target, limit, reason, higher_is_better=gid.endswith("maxqps"))
                for gid, goal, target, limit in specs]
    d = two["dnsd"]
    out = [_row(specs[0][0], specs[0][1], specs[0][2], 1.0, _ratio(d.cpu_low, one.cpu_low),
                f"2 threads {_num(d.cpu_low)}, 1 thread {_num(one.cpu_low)} µs/q"),
           _row(specs[1][0], specs[1][1], specs[1][2], 1.0, _ratio(d.cpu_max, one.cpu_max),
                f"2 threads {_num(d.cpu_max)}, 1 thread {_num(one.cpu_max)} µs/q")]
    other, value = _best(two, "qps", highest=True)
    why = ""
    if d.busy is not None and d.busy < THREADS2_SATURATED_PCT:
        why = f"dnsperf-bound: dnsd's threads used {d.busy:.0f}% of 200% (dnsperf shares the cores)"
    out.append(_row(specs[2][0], specs[2][1], specs[2][2], 1.0, _ratio(d.qps, value),
                    _pair(d.qps, other, value, "QPS") if other else "", why=why, higher_is_better=True))
    return out


def _xdp(results):
    specs = [("xdp.cpumax", "AF_XDP: server CPU/q unthrottled vs Knot's XDP mode", "max"),
             ("xdp.cpu10k", "AF_XDP: server CPU/q @10k vs Knot's XDP mode", "10k")]
    x = results.get("xdp") or {}
    if x.get("status") != "run":
        reason = x.get("reason") or "AF_XDP phase skipped (--no-xdp)"
        return [_not_run(gid, goal, "≤ 0.80×", 0.8, reason) for gid, goal, _ in specs]
    servers = x["data"]["servers"]
    out = []
    for gid, goal, test in specs:
        field = f"cpu_us_per_q_{test}"
        out.append(_row(gid, goal, "≤ 0.80×", 0.8, xdp_run.ratio(x["data"], test),
                        f"dnsd {_num(servers['dnsd-xdp'][field])}, Knot {_num(servers['knot-xdp'][field])} µs/q"))
    return out
