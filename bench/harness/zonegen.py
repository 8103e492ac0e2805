"""Zone files (RFC 1035 master format) and dnsperf query files, all deterministic (fixed seeds).

Every server gets the same records. CNAME targets point outside the zone so that no server chases
them (Knot and NSD would, gdnsd would not), and the answers stay byte-comparable.
"""
import random

ORIGIN = "bench.test."
PROFILE_ANSWER = "127.0.0.2"  # what a healthy profile answers, and what the others serve statically

HEADER = (
    "$ORIGIN bench.test.\n"
    "$TTL 300\n"
    "@ 300 IN SOA ns1.bench.test. hostmaster.bench.test. 1 3600 600 86400 300\n"
    "@ IN NS ns1\n"
    "@ IN NS ns2\n"
    "ns1 IN A 127.0.0.1\n"
    "ns2 IN A 127.0.0.1\n"
)
HEADER_RECORDS = 5


def _ipv6(prefix, i):
    return f"{prefix}::{(i >> 16) & 0xffff:x}:{i & 0xffff:x}"


def _ipv4(i, first_octet=10):
    return f"{first_octet}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def write_static_zone(path, hosts, profile_equivalents=0):
    """The mix-1 zone: per host an A, an AAAA and a CNAME. With profile_equivalents=P it also holds
    app-0..app-P-1 as plain A records with TTL 1: the static stand-in for dnsd's profiles, so
    servers without health routing answer the same bytes. Returns the number of records."""
    with open(path, "w") as f:
        f.write(HEADER)
        for i in range(hosts):
            f.write(f"www-{i} IN A {_ipv4(i)}\n"
                    f"www-{i} IN AAAA 2001:db8::{i:x}\n"
                    f"alias-{i} IN CNAME www-{i}.example.net.\n")
        for i in range(profile_equivalents):
            f.write(f"app-{i} 1 IN A {PROFILE_ANSWER}\n")
    return HEADER_RECORDS + 3 * hosts + profile_equivalents


def write_scaling_zone(path, records):
    """A zone of exactly `records` records: the header plus one A record per name."""
    with open(path, "w") as f:
        f.write(HEADER)
        for i in range(records - HEADER_RECORDS):
            f.write(f"host-{i} IN A {_ipv4(i)}\n")
    return records


def static_queries(path, hosts, count, seed=1):
    """Mix 1: 40% A, 20% AAAA, 15% CNAME, 15% NXDOMAIN, 10% SOA, names spread over the zone."""
    rng = random.Random(seed)
    with open(path, "w") as f:
        for n in range(count):
            pick, i = rng.random(), rng.randrange(hosts)
            if pick < 0.40:
                f.write(f"www-{i}.bench.test A\n")
            elif pick < 0.60:
                f.write(f"www-{i}.bench.test AAAA\n")
            elif pick < 0.75:
                f.write(f"alias-{i}.bench.test A\n")
            elif pick < 0.90:
                f.write(f"nx-{n}.bench.test A\n")
            else:
                f.write("bench.test SOA\n")
    return count


def profile_queries(path, profiles, count, seed=2):
    """Mix 2 and 3: A queries for the health-routed names app-0..app-P-1 only."""
    rng = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(count):
            f.write(f"app-{rng.randrange(profiles)}.bench.test A\n")
    return count


def scaling_queries(path, records, count, seed=3):
    """90% existing names anywhere in the zone, 10% NXDOMAIN."""
    rng = random.Random(seed)
    names = records - HEADER_RECORDS
    with open(path, "w") as f:
        for n in range(count):
            if rng.random() < 0.9:
                f.write(f"host-{rng.randrange(names)}.bench.test A\n")
            else:
                f.write(f"nx-{n}.bench.test A\n")
    return count


def last_name_static(hosts):
    """A name near the end of the file: answered only once the whole zone is loaded."""
    return f"alias-{hosts - 1}.bench.test."


def last_name_scaling(records):
    return f"host-{records - HEADER_RECORDS - 1}.bench.test."


# The transfer zone (bench/axfr.py): what a real zone holds, not one type. Per host: A, AAAA, MX,
# TXT (an SPF-like string) and a CNAME alias; every DELEGATION_EVERY-th host also a delegated
# child with two in-bailiwick NS and their glue (A and AAAA), which a transfer must carry too.
TRANSFER_HOST_RECORDS = 5
TRANSFER_DELEGATION_RECORDS = 4
DELEGATION_EVERY = 4


def write_transfer_zone(path, records):
    """Exactly `records` records: the header, whole hosts (and delegations) while they fit, then
    pad-K A records. Returns (hosts, the name of the last A record in the file)."""
    count, hosts, last = HEADER_RECORDS, 0, "ns2.bench.test."
    with open(path, "w") as f:
        f.write(HEADER)
        while True:
            size = TRANSFER_HOST_RECORDS
            delegated = hosts % DELEGATION_EVERY == 0
            if delegated:
                size += TRANSFER_DELEGATION_RECORDS
            if count + size > records:
                break
            i = hosts
            f.write(f"host-{i} IN A {_ipv4(i)}\n"
                    f"host-{i} IN AAAA {_ipv6('2001:db8:1', i)}\n"
                    f"host-{i} 3600 IN MX 10 host-{i}\n"
                    f'host-{i} IN TXT "v=spf1 ip4:{_ipv4(i)} include:_spf.example.net -all"\n'
                    f"www-{i} 3600 IN CNAME host-{i}\n")
            if delegated:
                f.write(f"sub-{i} 86400 IN NS ns1.sub-{i}\n"
                        f"sub-{i} 86400 IN NS ns2.sub-{i}\n"
                        f"ns1.sub-{i} 86400 IN A {_ipv4(i, 172)}\n"
                        f"ns2.sub-{i} 86400 IN AAAA {_ipv6('2001:db8:2', i)}\n")
            count += size
            hosts += 1
            last = f"host-{i}.bench.test."
        for k in range(records - count):
            f.write(f"pad-{k} IN A {_ipv4(k)}\n")
            last = f"pad-{k}.bench.test."
    return hosts, last


def transfer_queries(path, hosts, count, seed=4):
    """Over the transfer zone: 30% A, 15% AAAA, 10% MX, 10% TXT, 15% CNAME (A query for an
    alias), 10% referrals (below a delegation), 10% NXDOMAIN."""
    rng = random.Random(seed)
    delegations = max(1, (hosts + DELEGATION_EVERY - 1) // DELEGATION_EVERY)
    with open(path, "w") as f:
        for n in range(count):
            pick, i = rng.random(), rng.randrange(max(1, hosts))
            if pick < 0.30:
                f.write(f"host-{i}.bench.test A\n")
            elif pick < 0.45:
                f.write(f"host-{i}.bench.test AAAA\n")
            elif pick < 0.55:
                f.write(f"host-{i}.bench.test MX\n")
            elif pick < 0.65:
                f.write(f"host-{i}.bench.test TXT\n")
            elif pick < 0.80:
                f.write(f"www-{i}.bench.test A\n")
            elif pick < 0.90:
                f.write(f"www.sub-{rng.randrange(delegations) * DELEGATION_EVERY}.bench.test A\n")
            else:
                f.write(f"nx-{n}.bench.test A\n")
    return count
