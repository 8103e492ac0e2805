#!/usr/bin/env bash
# System calls per TCP query, counted by strace over every thread of one dnsd, in two phases:
# N sequential queries on one connection (each sent after the last answer), then N pipelined
# in one write.
#   bench/tcp_syscalls.sh [DNSD_BIN] [N]      (default build/daemon/dnsd, 2000)
# Prints strace's table and the calls per query of the TCP path (sendmsg, sendto, recvfrom,
# epoll_wait, epoll_ctl, timerfd_settime) for each phase. strace slows dnsd, so a sequential
# client's next query is often there before dnsd looks: compare builds with it, not with a real
# client's count.
# Loopback only; ends the dnsd it started, by PID.
set -euo pipefail
bin=$(realpath "${1:-build/daemon/dnsd}")
n=${2:-2000}
port=${PORT:-28053}
dir=$(mktemp -d)
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cat >"$dir/dnsd.toml" <<TOML
[server]
listen = ["127.0.0.1:$port"]
[[zone]]
name = "example.test."
[zone.soa]
mname = "ns1.example.test."
rname = "hostmaster.example.test."
serial = 1
minimum = 60
[[zone.record]]
name = "@"
type = "NS"
data = "ns1.example.test."
[[zone.record]]
name = "ns1"
type = "A"
data = "192.0.2.53"
[[zone.record]]
name = "www"
type = "A"
data = "192.0.2.1"
TOML
"$bin" --config "$dir/dnsd.toml" 2>"$dir/dnsd.log" & pid=$!
for _ in $(seq 50); do
  dig +short +tcp +tries=1 +time=1 -p "$port" @127.0.0.1 www.example.test >/dev/null 2>&1 && break
  sleep 0.2
done
phase() {  # phase NAME MODE: strace around one client phase, then the per-query counts
  strace -c -f -q -p "$pid" -o "$dir/strace.$1" & spid=$!
  sleep 1
  python3 - "$port" "$n" "$2" <<'PY'
import socket, struct, sys
port, n, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def query(i):
    name = b"\x03www\x07example\x04test\x00"
    m = struct.pack(">HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", 1, 1)
    return struct.pack(">H", len(m)) + m
def answers(s, want):
    buf, got = b"", 0
    while got < want:
        data = s.recv(65536)
        if not data: raise SystemExit("connection closed")
        buf += data
        while len(buf) >= 2 and len(buf) >= 2 + struct.unpack(">H", buf[:2])[0]:
            buf = buf[2 + struct.unpack(">H", buf[:2])[0]:]; got += 1
s = socket.create_connection(("127.0.0.1", port), timeout=15)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
if mode == "sequential":
    for i in range(n):
        s.sendall(query(i)); answers(s, 1)
else:
    s.sendall(b"".join(query(i) for i in range(n))); answers(s, n)
PY
  kill -INT "$spid"; wait "$spid" 2>/dev/null || true
  echo "== $1: $n queries"
  cat "$dir/strace.$1"
  awk -v q="$n" '$NF ~ /^(sendmsg|sendto|recvfrom|epoll_wait|epoll_ctl|timerfd_settime)$/ {
    calls = $4; total += calls
    printf "%-16s %6.2f per query\n", $NF, calls / q }
    END { printf "%-16s %6.2f per query (%d queries)\n", "tcp path", total / q, q }' "$dir/strace.$1"
}
phase sequential sequential
phase pipelined pipelined
