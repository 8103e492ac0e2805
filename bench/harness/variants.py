"""The two other setups of issue 4 for mix 1 (static names): every server with two server threads,
and queries over TCP. Holds how each is set up (CPUs, dnsperf options, servers); phases.py runs them.
"""
from . import procs, servers

# Two threads: the servers may run on both cores (two threads cannot share the one server core
# and still show what a second thread buys); dnsperf stays on CPU 0 with two threads of its own,
# so it shares a core with the servers and bounds their raw QPS.
# 8 client sockets, not 2: with SO_REUSEPORT the kernel hashes each client socket to one server
# socket, and 2 clients often both landed on the same worker (the other stayed idle).
THREADS2_CPUS = frozenset({0, 1})
THREADS2_DNSPERF = {"clients": 8, "threads": 2}
THREADS2_SERVERS = ["knot", "nsd", "gdnsd", "dnsd", "null"]

# TCP: 10 connections from one dnsperf thread (≤100 queries outstanding over all of them), so
# a server that answers one query per connection per event-loop pass (NSD) is not starved by a
# single connection (about 3.5k QPS over one, 9k over ten, in a trial). Runs are seconds long,
# far below every idle timeout in servers.py, and no server has a per-connection query limit
# (NSD tcp-query-count 0 = unlimited); dnsperf's reconnection count (in the report) would show
# a server closing a connection mid-run.
TCP_DNSPERF = {"mode": "tcp", "clients": 10, "threads": 1}
TCP_SERVERS = ["knot", "nsd", "gdnsd", "dnsd"]  # the null responder speaks UDP only


def tests(cfg):
    """(label, rate, seconds, verbose): the 10k fixed rate with latencies, then unthrottled."""
    return [("10k", cfg.low_rate, cfg.fixed_s, True), ("max", None, cfg.max_s, False)]


def two_thread_servers(work, zone_full, zone_static):
    """A second instance of every server, configured with two server threads, not started."""
    def make(cls, name, zone):
        return cls(f"{name}-2t", work, procs.free_port(), threads=2, cpus=THREADS2_CPUS).prepare(zone)
    return {
        "knot": make(servers.Knot, "knot", zone_full),
        "nsd": make(servers.Nsd, "nsd", zone_full),
        "gdnsd": make(servers.Gdnsd, "gdnsd", zone_full),
        "dnsd": make(servers.Dnsd, "dnsd", zone_static),
        "null": make(servers.Null, "null", None),
    }
