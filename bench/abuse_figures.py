#!/usr/bin/env python3
"""bench/abuse_figures.py: the "after" figures of issue 12's findings that no test prints,
measured against a real dnsd on loopback, each bounded in count and time.

    bench/abuse_figures.py [--dnsd build/daemon/dnsd] [tcp-flood] [slow-readers] [rrl]

tcp-flood     256 half-sent TCP connections (a length prefix and one byte) kept open from one
              address (and, second run, from 16), reconnecting whenever dnsd closes one, for
              25 s; meanwhile 25 fresh TCP queries from another address, one a second, each
              given 2 s. Prints how many were answered and how long the flood kept reconnecting
              (issue 12 at bb40d72: 0/25 answered over 25 s).
slow-readers  256 connections (8 addresses x 32, the per-client limit) each asking for 200 answers
              of 15 kB and reading none; the bytes dnsd's side holds in the kernel (ss Send-Q,
              every state) and the sockets in FIN-WAIT-1, sampled until 15 s after the idle
              timeout (at bb40d72: about 545 MB in FIN-WAIT-1).
rrl           a burst of UDP queries for a 1 kB TXT from one address with [rrl] at its defaults
              (rate 20, slip 2, /24), counted as answered / slipped / dropped, the bytes out per
              byte in, and a bystander in another /24 asking every 50 ms; then the same burst with
              RRL off (at bb40d72: 99,998 of 99,998 answered, 22.9x).

Default server settings (tcp_max_connections 256, per client 32, tcp_io_timeout 500ms,
tcp_idle_timeout 10s). It starts its own dnsd on a free port and stops it by PID.
"""
import argparse
import os
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
import dnstest  # noqa: E402
from dnswire import build_query, parse_message  # noqa: E402

ZONE = "example.test."
IDLE_S = 10


def start(extra_toml: str = "", workers: int = 2) -> dnstest.Dnsd:
    dnsd = dnstest.Dnsd(extra_toml + f'[[zone]]\nname = "{ZONE}"\nfile = "z.zone"\n',
                        workers=workers, tcp_idle_timeout=f"{IDLE_S}s", tcp_max_connections=256)
    txt1k = " ".join(f'"{c * 200}"' for c in "abcde")
    lines = [f"$ORIGIN {ZONE}", "$TTL 300",
             f"@ SOA ns1 hostmaster 1 3600 600 86400 300", "@ NS ns1", "ns1 A 192.0.2.53",
             "www A 192.0.2.80", f"txt1k TXT {txt1k}"]
    lines += [f'big TXT "{i:03d} {"y" * 240}"' for i in range(60)]  # a 15 kB answer
    (dnsd.dir / "z.zone").write_text("\n".join(lines) + "\n")
    return dnsd.start()


# --- tcp-flood

class Flood(threading.Thread):
    def __init__(self, port, addresses, per_address, seconds, max_connects):
        super().__init__(daemon=True)
        self.port, self.addresses, self.per_address = port, addresses, per_address
        self.seconds, self.max_connects = seconds, max_connects
        self.connects = 0
        self.last_connect_at = 0.0
        self.stop = threading.Event()

    def run(self):
        sel = selectors.DefaultSelector()
        start = time.monotonic()
        open_by = {a: 0 for a in self.addresses}
        try:
            while not self.stop.is_set() and time.monotonic() - start < self.seconds:
                for a in self.addresses:
                    while open_by[a] < self.per_address and self.connects < self.max_connects:
                        s = socket.socket()
                        s.setblocking(False)
                        s.bind((a, 0))
                        self.connects += 1
                        self.last_connect_at = time.monotonic() - start
                        if s.connect_ex(("127.0.0.1", self.port)) not in (0, 115):
                            s.close()
                            continue
                        sel.register(s, selectors.EVENT_WRITE, [a, False])
                        open_by[a] += 1
                for key, _ in sel.select(timeout=0.05):
                    s, (a, sent) = key.fileobj, key.data
                    try:
                        if not sent:
                            s.send(b"\x00\x20\x12")
                            key.data[1] = True
                            sel.modify(s, selectors.EVENT_READ, key.data)
                            continue
                        if s.recv(4096):
                            continue
                    except BlockingIOError:
                        continue
                    except OSError:
                        pass
                    sel.unregister(s)
                    s.close()
                    open_by[a] -= 1
        finally:
            for key in list(sel.get_map().values()):
                key.fileobj.close()
            sel.close()


def honest(port, qid, timeout_s=2.0) -> bool:
    end = time.monotonic() + timeout_s
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout_s,
                                      source_address=("127.0.0.2", 0)) as s:
            q = build_query(f"www.{ZONE}", "A", qid=qid)
            s.sendall(struct.pack("!H", len(q)) + q)
            data = b""
            while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
                s.settimeout(max(0.01, end - time.monotonic()))
                chunk = s.recv(65536)
                if not chunk:
                    return False
                data += chunk
        return parse_message(data[2:]).rcode == "NOERROR" and time.monotonic() <= end
    except OSError:
        return False


def tcp_flood(args):
    for addresses in (["127.0.0.1"], [f"127.0.0.{10 + i}" for i in range(16)]):
        dnsd = start()
        try:
            flood = Flood(dnsd.port, addresses, 256 // len(addresses) + (4 if len(addresses) > 1 else 0),
                          args.flood_s, args.flood_max_connects)
            flood.start()
            time.sleep(1.0)  # bench pacing: the flood builds up before the first honest query
            answered, t0 = 0, time.monotonic()
            for i in range(25):
                answered += honest(dnsd.port, 0x4000 + i)
                time.sleep(max(0.0, t0 + (i + 1) * (args.flood_s - 2) / 25 - time.monotonic()))
            span = time.monotonic() - t0
            reconnecting = flood.is_alive() and flood.connects < args.flood_max_connects
            flood.stop.set()
            flood.join(args.flood_s + 10)
            print(f"tcp-flood from {len(addresses)} address(es): honest TCP queries answered "
                  f"{answered}/25 over {span:.1f} s (2 s each); attacker {flood.connects} connects, "
                  f"last at {flood.last_connect_at:.1f} s, still reconnecting at the end: "
                  f"{reconnecting}", flush=True)
        finally:
            dnsd.stop()
            dnsd.cleanup()


# --- slow-readers

def kernel_queues(port, peers):
    """(bytes in Send-Q of dnsd's sockets to peers, FIN-WAIT-1 sockets, their bytes)."""
    out = subprocess.run(["ss", "-tnH", "state", "all", "sport", "=", f":{port}"],
                         capture_output=True, text=True, timeout=20).stdout
    total = fw = fw_bytes = 0
    for line in out.splitlines():
        f = line.split()
        if len(f) < 5 or f[4].rsplit(":", 1)[0] not in peers:
            continue
        total += int(f[2])
        if f[0] == "FIN-WAIT-1":
            fw += 1
            fw_bytes += int(f[2])
    return total, fw, fw_bytes


def slow_readers(args):
    dnsd = start()
    readers = [f"127.0.0.{40 + i}" for i in range(8)]
    q = build_query(f"big.{ZONE}", "TXT")
    framed = struct.pack("!H", len(q)) + q
    conns = []
    try:
        for a in readers:
            for _ in range(32):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.bind((a, 0))
                s.settimeout(5)
                s.connect(("127.0.0.1", dnsd.port))
                try:
                    s.sendall(framed * 200)
                except OSError:
                    pass
                conns.append(s)
        t0 = time.monotonic()
        peak = peak_fw = peak_fw_bytes = 0
        at_idle = None
        while time.monotonic() - t0 < IDLE_S + 15:
            total, fw, fw_bytes = kernel_queues(dnsd.port, set(readers))
            peak, peak_fw, peak_fw_bytes = max(peak, total), max(peak_fw, fw), max(peak_fw_bytes, fw_bytes)
            if at_idle is None and time.monotonic() - t0 >= IDLE_S + 2:
                at_idle = (total, fw, fw_bytes)
            time.sleep(0.5)  # sampling period of the measurement
        end = kernel_queues(dnsd.port, set(readers))
        print(f"slow-readers: {len(conns)} connections; dnsd's Send-Q peak {peak} bytes; "
              f"FIN-WAIT-1 peak {peak_fw} sockets / {peak_fw_bytes} bytes; at idle+2 s "
              f"{at_idle[0]} bytes ({at_idle[1]} in FIN-WAIT-1); at idle+15 s {end[0]} bytes "
              f"({end[1]} in FIN-WAIT-1)", flush=True)
    finally:
        for s in conns:
            s.close()
        dnsd.stop()
        dnsd.cleanup()


# --- rrl

def burst(port, source, count, qname, deadline_s=60.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((source, 0))
    s.setblocking(False)
    kinds, sent_bytes, got_bytes = {}, 0, 0
    start = time.monotonic()

    def drain():
        nonlocal got_bytes
        while True:
            try:
                data = s.recv(65535)
            except BlockingIOError:
                return
            got_bytes += len(data)
            qid, flags, _, an = struct.unpack("!HHHH", data[:8])
            kinds[qid] = "slipped" if flags & 0x0200 and an == 0 else "answered" if an else "other"
    try:
        for i in range(count):
            q = build_query(qname, "TXT", qid=i & 0xFFFF, edns=dict(version=0, udp=1232))
            sent_bytes += s.sendto(q, ("127.0.0.1", port))
            if i % 32 == 31:
                drain()
            if time.monotonic() - start > deadline_s:
                count = i + 1
                break
        sent_s = time.monotonic() - start
        last, seen = time.monotonic(), -1
        while time.monotonic() - last < 1.0 and time.monotonic() - start < deadline_s + 5:
            drain()
            if len(kinds) != seen:
                seen, last = len(kinds), time.monotonic()
            time.sleep(0.01)  # polling a non-blocking socket; bounded by the quiet period
    finally:
        s.close()
    v = list(kinds.values())
    return dict(sent=count, answered=v.count("answered"), slipped=v.count("slipped"),
                other=v.count("other"), dropped=count - len(kinds), seconds=round(sent_s, 2),
                amplification=round(got_bytes / max(1, sent_bytes), 2))


def rrl(args):
    # qids wrap at 65536: keep a burst under it so every reply is told apart.
    count = min(args.rrl_queries, 65535)
    for label, section in (("on (defaults)", "[rrl]\nenabled = true\n"), ("off", "")):
        dnsd = start(section, workers=2)
        try:
            other, stop = [], threading.Event()

            def bystander():
                while not stop.is_set() and len(other) < 2000:
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                        s.bind(("127.0.1.3", 0))  # another /24 than the flooding source
                        s.settimeout(2)
                        q = build_query(f"txt1k.{ZONE}", "TXT", edns=dict(version=0, udp=1232))
                        s.sendto(q, ("127.0.0.1", dnsd.port))
                        try:
                            data = s.recv(65535)
                            other.append(struct.unpack("!H", data[6:8])[0] > 0)
                        except OSError:
                            other.append(False)
                    stop.wait(0.05)
            t = threading.Thread(target=bystander)
            t.start()
            try:
                got = burst(dnsd.port, "127.0.0.2", count, f"txt1k.{ZONE}")
            finally:
                stop.set()
                t.join(10)
            print(f"rrl {label}: one source sent {got['sent']} in {got['seconds']} s: answered "
                  f"{got['answered']}, slipped {got['slipped']}, dropped {got['dropped']}, other "
                  f"{got['other']}; bytes out per byte in {got['amplification']}x; bystander "
                  f"(127.0.1.3) answered {sum(other)}/{len(other)}", flush=True)
        finally:
            dnsd.stop()
            dnsd.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("parts", nargs="*", default=["tcp-flood", "slow-readers", "rrl"])
    ap.add_argument("--dnsd", default=os.environ.get("DNSD_BIN", "build/daemon/dnsd"))
    ap.add_argument("--flood-s", type=float, default=25.0)
    ap.add_argument("--flood-max-connects", type=int, default=1_000_000)
    ap.add_argument("--rrl-queries", type=int, default=20000)
    args = ap.parse_args()
    os.environ["DNSD_BIN"] = os.path.abspath(args.dnsd)
    print(f"# {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} load "
          f"{open('/proc/loadavg').read().split()[:3]} dnsd {args.dnsd}", flush=True)
    for part in args.parts:
        {"tcp-flood": tcp_flood, "slow-readers": slow_readers, "rrl": rrl}[part](args)


if __name__ == "__main__":
    main()
