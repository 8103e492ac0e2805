"""The bench, phase by phase: setup, answer check, calibration, interleaved rounds, TCP, flipping
health, two server threads, callgrind, scaling. Each phase fills one part of the results dict that
report.py renders.
"""
import os
import statistics
import sys
import time

from . import callgrind, dnsclient, load, procs, servers, tenants, variants, xdp_run, zonegen

OTHERS = ["knot", "nsd", "gdnsd"]
ORDER = ["knot", "nsd", "gdnsd", "dnsd", "null"]  # one round = A B C D E, every round the same
T0 = time.monotonic()


def log(message):
    print(f"[bench {time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Bench:
    def __init__(self, cfg, work, binaries):
        self.cfg, self.work, self.bin = cfg, work, binaries
        self.started = []  # everything to stop on the way out, newest last
        self.results = {"static": {}, "profile": {}, "flip": {}, "callgrind": {"static": {}, "profile": {}},
                        "rss": {}, "load_time": {}, "scaling": {}, "checks": [], "noise": [], "pinning": {},
                        "tcp": {}, "threads2": {}, "rss_split": {}, "xdp": {}}
        servers.Null.binary = binaries["null"]
        servers.Dnsd.binary = binaries["dnsd"]

    # ---- setup --------------------------------------------------------------------------------
    def setup(self):
        c, w = self.cfg, self.work
        self.zone_static = os.path.join(w, "static.zone")
        self.zone_full = os.path.join(w, "full.zone")
        zonegen.write_static_zone(self.zone_static, c.hosts)
        self.records = zonegen.write_static_zone(self.zone_full, c.hosts, profile_equivalents=c.profiles)
        self.q_static = os.path.join(w, "static.q")
        self.q_profile = os.path.join(w, "profile.q")
        zonegen.static_queries(self.q_static, c.hosts, c.callgrind_n)
        zonegen.profile_queries(self.q_profile, c.profiles, c.callgrind_n)
        self.ready_name = zonegen.last_name_static(c.hosts)

        # Tenants: eu/us up for mix 2 (127.0.0.2/.3); eu/us for mix 3 on .4/.5, eu flipped.
        tport = procs.free_port(("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"))
        cports = [procs.free_port((ip,)) for ip in ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")]
        self.tenants = {}
        for (ip, region), cport in zip([("127.0.0.2", "eu"), ("127.0.0.3", "us"),
                                        ("127.0.0.4", "eu-flip"), ("127.0.0.5", "us-flip")], cports):
            self.tenants[region] = self._keep(tenants.Tenant(self.bin["tenant_sim"], w, ip, tport, cport, region))
        steady = {"count": c.profiles, "eu": "127.0.0.2", "us": "127.0.0.3", "port": tport,
                  "interval": "1s", "timeout": "500ms"}
        self.flip_profiles = {"count": c.profiles, "eu": "127.0.0.4", "us": "127.0.0.5", "port": tport,
                              "interval": "100ms", "timeout": "50ms"}

        port = procs.free_port
        self.servers = {
            "knot": servers.Knot("knot", w, port()).prepare(self.zone_full),
            "nsd": servers.Nsd("nsd", w, port()).prepare(self.zone_full),
            "gdnsd": servers.Gdnsd("gdnsd", w, port()).prepare(self.zone_full),
            "dnsd": servers.Dnsd("dnsd", w, port(), profiles=steady).prepare(self.zone_static),
            "null": servers.Null("null", w, port()).prepare(None),
        }
        for name in ORDER:
            self._start(self.servers[name])
            log(f"{name}: answering on 127.0.0.1:{self.servers[name].port} "
                f"after {self.servers[name].load_time_s * 1000:.0f} ms")
        self._wait_profiles(self.servers["dnsd"], "127.0.0.2")

    def _keep(self, thing):
        self.started.append(thing)
        return thing

    def _start(self, server, **kw):
        if server not in self.started:
            self.started.append(server)
        ready_name = kw.pop("ready_name", self.ready_name)
        return server.start(ready_name, **kw)

    def _wait_profiles(self, dnsd, expected_ip, timeout_s=15):
        """Until every profile answers its priority-1 endpoint: the probes have run."""
        names = [f"app-{i}.bench.test." for i in range(self.cfg.profiles)]
        with dnsclient.Client(dnsd.port) as client:
            def all_healthy():
                for name in names:
                    reply = client.ask(name)
                    if not reply or [a[1] for a in reply["answers"]] != [expected_ip]:
                        return False
                return True
            if not procs.wait_until(timeout_s, all_healthy, 0.05):
                self.results["checks"].append(f"{dnsd.name}: profiles not all answering {expected_ip} "
                                              f"after {timeout_s}s (probes not Online?)")

    def _record_pinning(self, thing):
        if isinstance(thing, servers.Server) and thing.repinned:
            self.results["pinning"].setdefault(thing.name, []).extend(thing.repinned)
            thing.repinned = []

    def shutdown(self):
        while self.started:
            thing = self.started.pop()
            self._record_pinning(thing)
            try:
                thing.stop()
            except Exception as error:  # keep stopping the rest
                log(f"stop failed: {error}")

    # ---- answer check -------------------------------------------------------------------------
    def check_answers(self, sample=300):
        """Every server must answer the sampled queries like Knot does (rcode and answer RRs)."""
        with open(self.q_static) as f:
            queries = [line.split() for _, line in zip(range(sample), f)]
        queries += [[f"app-{i}.bench.test", "A"] for i in range(self.cfg.profiles)]
        replies = {}
        for name in ["knot", "nsd", "gdnsd", "dnsd"]:
            with dnsclient.Client(self.servers[name].port) as client:
                replies[name] = [client.ask(q, t) for q, t in queries]
        mismatches = 0
        for i, (q, t) in enumerate(queries):
            ref = replies["knot"][i]
            for name in ["nsd", "gdnsd", "dnsd"]:
                got = replies[name][i]
                same = ref and got and ref["rcode"] == got["rcode"] and ref["aa"] == got["aa"] and \
                    sorted(ref["answers"]) == sorted(got["answers"])
                if not same:
                    mismatches += 1
                    if mismatches <= 10:
                        self.results["checks"].append(
                            f"answer differs for `{q} {t}`: knot {_short(ref)}, {name} {_short(got)}")
        self.results["checks"].append(f"answer check: {len(queries)} queries x 4 servers, "
                                      f"{mismatches} differ from Knot")
        log(f"answer check: {mismatches} mismatches over {len(queries)} queries")

    # ---- calibration --------------------------------------------------------------------------
    def calibrate(self):
        """The high fixed rate: 75% of the slowest server's unthrottled rate, in steps of 5k."""
        if self.cfg.high_rate:
            self.high_rate = self.cfg.high_rate
        else:
            rates = {}
            for name in ORDER:
                r = load.measure(self.servers[name], self.q_static, self._out(f"cal-{name}"), self.cfg.cal_s)
                rates[name] = r["qps"]
            slowest = min(rates.values())
            self.high_rate = max(self.cfg.low_rate, int(slowest * 0.75 / 5000) * 5000)
            self.results["calibration"] = rates
        log(f"high fixed rate: {self.high_rate} QPS")

    def _out(self, tag):
        d = os.path.join(self.work, "out")
        os.makedirs(d, exist_ok=True)
        return os.path.join(d, tag + ".txt")

    # ---- interleaved rounds -------------------------------------------------------------------
    def _tests(self):
        c = self.cfg
        return [("10k", c.low_rate, c.fixed_s, True), ("high", self.high_rate, c.fixed_s, False),
                ("max", None, c.max_s, False)]

    def rounds(self):
        mixes = [("static", self.q_static, ORDER, ("NOERROR", "NXDOMAIN")),
                 ("profile", self.q_profile, ["knot", "nsd", "gdnsd", "dnsd"], ("NOERROR",))]
        for rnd in range(self.cfg.rounds):
            for mix, qfile, names, ok in mixes:
                for test, rate, seconds, verbose in self._tests():
                    for name in names:
                        r = load.measure(self.servers[name], qfile, self._out(f"{mix}-{test}-{name}-{rnd}"),
                                         seconds, rate=rate, verbose=verbose, ok_rcodes=ok)
                        self.results[mix].setdefault(name, {}).setdefault(test, []).append(r)
                        self._note_noise(f"{mix}/{test}/{name}/round {rnd + 1}", r)
            log(f"round {rnd + 1}/{self.cfg.rounds} done")
        for name in ORDER:
            self.results["rss"][name] = self.servers[name].proc.peak_rss_kib()
            self.results["rss_split"][name] = self.servers[name].proc.rss_split_kib()
            self.results["load_time"][name] = self.servers[name].load_time_s

    def _note_noise(self, what, r):
        if r["foreign_cpu1_pct"] > 5:
            self.results["noise"].append((what, r["foreign_cpu1_pct"]))

    # ---- mix 1 over TCP, and with two server threads --------------------------------------------
    def tcp(self):
        """Interleaved rounds over TCP against the running one-thread servers (CPU 1)."""
        self._variant_rounds("tcp", {n: self.servers[n] for n in variants.TCP_SERVERS},
                             variants.TCP_DNSPERF, note_noise=True)

    def two_threads(self):
        """A two-thread instance of every server, started for this phase only."""
        two = variants.two_thread_servers(self.work, self.zone_full, self.zone_static)
        try:
            for name in variants.THREADS2_SERVERS:
                self._start(two[name])
                log(f"{two[name].name}: answering on 127.0.0.1:{two[name].port} (2 threads) "
                    f"after {two[name].load_time_s * 1000:.0f} ms")
            # No noise notes: the "foreign" share of CPU 1 assumes the server runs on CPU 1 only.
            self._variant_rounds("threads2", {n: two[n] for n in variants.THREADS2_SERVERS},
                                 variants.THREADS2_DNSPERF, note_noise=False)
            for name in variants.THREADS2_SERVERS:
                self.results["rss"][two[name].name] = two[name].proc.peak_rss_kib()
        finally:
            for server in two.values():
                if server in self.started:
                    self.started.remove(server)
                self._record_pinning(server)
                server.stop()

    def _variant_rounds(self, key, by_name, dnsperf_options, note_noise):
        for rnd in range(self.cfg.rounds):
            for test, rate, seconds, verbose in variants.tests(self.cfg):
                for name, server in by_name.items():
                    r = load.measure(server, self.q_static, self._out(f"{key}-{test}-{name}-{rnd}"), seconds,
                                     rate=rate, verbose=verbose, **dnsperf_options)
                    self.results[key].setdefault(name, {}).setdefault(test, []).append(r)
                    if note_noise:
                        self._note_noise(f"{key}/{test}/{name}/round {rnd + 1}", r)
            log(f"{key}: round {rnd + 1}/{self.cfg.rounds} done")

    # ---- mix 3: health flipping every 10 ms ---------------------------------------------------
    def flipping(self):
        c = self.cfg
        flip = servers.Dnsd("dnsd-flip", self.work, procs.free_port(), profiles=self.flip_profiles)
        flip.prepare(self.zone_static)
        self._start(flip)
        self._wait_profiles(flip, "127.0.0.4")
        transitions0 = flip.probe_transitions()
        flipper = tenants.Flipper(self.tenants["eu-flip"], period_s=0.010,
                                  max_seconds=c.rounds * 2 * (2 * c.fixed_s + c.max_s + 10) + 30).start()
        pair = {"dnsd": self.servers["dnsd"], "dnsd-flip": flip}
        out = self.results["flip"]
        try:
            for rnd in range(c.rounds):
                for test, rate, seconds, verbose in self._tests():
                    for name, server in pair.items():
                        r = load.measure(server, self.q_profile, self._out(f"flip-{test}-{name}-{rnd}"),
                                         seconds, rate=rate, verbose=verbose, ok_rcodes=("NOERROR",))
                        out.setdefault(name, {}).setdefault(test, []).append(r)
            out["answer_split"] = self._answer_split(flip)
        finally:
            out["flipper"] = flipper.stop()
        out["transitions"] = flip.probe_transitions() - transitions0
        out["rss"] = flip.proc.peak_rss_kib()
        self.started.remove(flip)
        self._record_pinning(flip)
        flip.stop()
        log(f"flipping: {out['flipper']['flips']} flips, {out['transitions']} health transitions logged")

    def _answer_split(self, server, count=400):
        """Which endpoint answered, sampled during flipping: proof that the answer really moved."""
        split = {}
        with dnsclient.Client(server.port) as client:
            for i in range(count):
                reply = client.ask(f"app-{i % self.cfg.profiles}.bench.test.")
                key = "lost" if reply is None else ",".join(a[1] for a in reply["answers"]) or reply["rcode"]
                split[key] = split.get(key, 0) + 1
                time.sleep(0.002)
        return split

    # ---- callgrind ----------------------------------------------------------------------------
    def instructions(self):
        for name in ORDER:
            self.servers[name].stop()  # fresh instances under valgrind
        mixes = [("static", self.q_static, ORDER)]
        if self.cfg.callgrind_profile:
            mixes.append(("profile", self.q_profile, ["knot", "nsd", "gdnsd", "dnsd"]))
        for mix, qfile, names in mixes:
            for name in names:
                server = self.servers[name]
                r = callgrind.instructions_per_query(
                    server, self.ready_name, qfile, os.path.join(self.work, "callgrind", mix, name))
                self.results["callgrind"][mix][name] = r
                log(f"callgrind {mix} {name}: {r['ir_per_q'] or 0:.0f} Ir/query "
                    f"({r['answered']} answered, {r['lost']} lost)")

    # ---- scaling ------------------------------------------------------------------------------
    def scaling(self):
        c = self.cfg
        for size in c.sizes:
            zone = os.path.join(self.work, f"scale-{size}.zone")
            qfile = os.path.join(self.work, f"scale-{size}.q")
            zonegen.write_scaling_zone(zone, size)
            zonegen.scaling_queries(qfile, size, 20000)
            ready = zonegen.last_name_scaling(size)
            running = {}
            out = self.results["scaling"].setdefault(size, {})
            for name in c.scaling_servers:
                cls = {"knot": servers.Knot, "nsd": servers.Nsd, "gdnsd": servers.Gdnsd, "dnsd": servers.Dnsd}[name]
                server = cls(f"{name}-{size}", self.work, procs.free_port()).prepare(zone)
                try:
                    self._start(server, ready_name=ready, ready_timeout_s=c.scaling_load_timeout_s)
                except RuntimeError as error:
                    out[name] = {"error": str(error)}
                    log(f"scaling {size}: {name} failed: {error}")
                    self.started.remove(server)
                    server.stop()
                    continue
                running[name] = server
                out[name] = {"load_s": server.load_time_s, "runs": []}
                log(f"scaling {size}: {name} answering after {server.load_time_s:.2f} s")
            for rnd in range(c.scaling_rounds):
                for name, server in running.items():
                    r = load.measure(server, qfile, self._out(f"scale-{size}-{name}-{rnd}"), c.fixed_s,
                                     rate=c.low_rate)
                    out[name]["runs"].append(r)
            for name, server in running.items():
                out[name]["rss"] = server.proc.peak_rss_kib()
                out[name]["rss_split"] = server.proc.rss_split_kib()
                self._record_pinning(server)
                self.started.remove(server)
                server.stop()
            os.unlink(zone)
            for name in running:  # the hard links
                for sub in ("bench.test.zone", os.path.join("zones", "bench.test")):
                    p = os.path.join(self.work, f"{name}-{size}", sub)
                    if os.path.exists(p):
                        os.unlink(p)

    # ---- AF_XDP (bench/xdp.py, its own servers on a veth pair) ----------------------------------
    def xdp(self, build_dir, no_build):
        """Runs bench/xdp.py when this machine allows it; otherwise records why not."""
        log("AF_XDP: checking whether bench/xdp.py can run")
        self.results["xdp"] = xdp_run.run(self.work, self.cfg.rounds, self.cfg.mode == "quick",
                                          build_dir, no_build, log)
        log(f"AF_XDP: {self.results['xdp'].get('reason') or 'done'}")


def _short(reply):
    if reply is None:
        return "no reply"
    return f"{reply['rcode']}{' aa' if reply['aa'] else ''} {reply['answers']}"
