#!/usr/bin/env bash
# bench/dnstap_drops.sh DNSD [QPS]: how many dnstap messages a loaded dnsd logs and drops.
# One UDP worker with [dnstap] into /dev/null, dnsperf for 5 s (at QPS, or unthrottled), then
# the dnsd_dnstap_* counters from a SIGUSR1 metrics dump. Loopback only; stops what it started.
set -euo pipefail
dnsd=$(realpath "$1")
qps=${2:-}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c "import sys; sys.path.insert(0, '$(dirname "$0")/../tests/support'); import dnstest; print(dnstest.free_port(ipv6=False))")
cat > "$work/dnsd.toml" <<EOT
[server]
listen = ["127.0.0.1:$port"]
workers = 1
[dnstap]
file = "/dev/null"
[[zone]]
name = "example.test."
default_ttl = 300
ns = ["ns1.example.test."]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
minimum = 60
[[zone.record]]
name = "www"
type = "A"
data = "192.0.2.1"
EOT
for _ in $(seq 1 200); do echo "www.example.test A"; done > "$work/queries"
DNSD_METRICS_DUMP="$work/metrics" "$dnsd" --config "$work/dnsd.toml" 2> "$work/log" &
pid=$!
for _ in $(seq 1 50); do dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" www.example.test > /dev/null && break; done
timeout 60 dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries" -l 5 -c 4 ${qps:+-Q "$qps"} | grep -E "Queries (sent|completed|per)"
kill -USR1 "$pid"
for _ in $(seq 1 100); do [ -s "$work/metrics" ] && break; sleep 0.1; done
grep '^dnsd_dnstap' "$work/metrics"
