#!/usr/bin/env python3
# A tiny writer of the MaxMind DB format (GeoIP2/GeoLite2 layout), so tests build their own
# geolocation database: networks -> {continent, country, subdivision}. Standard library only.
# Format: https://maxmind.github.io/MaxMind-DB/ (IPv6 tree, IPv4 under ::/96, 24-bit records).
#   python3 mmdb_writer.py OUT.mmdb NETWORK=CONTINENT/COUNTRY[/SUBDIVISION] ...
from __future__ import annotations

import ipaddress
import struct
import sys
import time


def _control(kind: int, size: int) -> bytes:
    if size < 29:
        head, extra = size, b""
    elif size < 29 + 256:
        head, extra = 29, bytes([size - 29])
    elif size < 285 + 65536:
        head, extra = 30, struct.pack(">H", size - 285)
    else:
        head, extra = 31, struct.pack(">I", size - 65821)[1:]
    if kind <= 7:
        return bytes([(kind << 5) | head]) + extra
    return bytes([head, kind - 7]) + extra


def encode(value) -> bytes:
    if isinstance(value, str):
        raw = value.encode()
        return _control(2, len(raw)) + raw
    if isinstance(value, dict):
        out = _control(7, len(value))
        for k, v in value.items():
            out += encode(k) + encode(v)
        return out
    if isinstance(value, list):
        return _control(11, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, tuple):  # (kind, int): uint16 5, uint32 6, uint64 9
        kind, number = value
        raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
        return _control(kind, len(raw)) + raw
    raise TypeError(f"cannot encode {value!r}")


def location(continent: str, country: str, subdivision: str = "") -> dict:
    record = {"continent": {"code": continent}, "country": {"iso_code": country}}
    if subdivision:
        record["subdivisions"] = [{"iso_code": subdivision}]
    return record


def _bits(network: ipaddress._BaseNetwork) -> list:
    if network.version == 4:
        value, length = int(network.network_address), 96 + network.prefixlen
        value |= 0  # IPv4 lives under ::/96
    else:
        value, length = int(network.network_address), network.prefixlen
    return [(value >> (127 - i)) & 1 for i in range(length)] if network.version == 6 else \
        [0] * 96 + [(value >> (31 - i)) & 1 for i in range(network.prefixlen)]


def build(networks: list) -> bytes:
    """networks: [(\"10.0.0.0/8\", record dict)]; more specific networks override."""
    data = b""
    offsets = {}
    root = [None, None]  # a node: [left, right]; a slot holds None, a node (list) or ("data", offset)
    for text, record in sorted(networks, key=lambda n: ipaddress.ip_network(n[0]).prefixlen +
                               (96 if ipaddress.ip_network(n[0]).version == 4 else 0)):
        key = repr(record)
        if key not in offsets:
            offsets[key] = len(data)
            data += encode(record)
        bits = _bits(ipaddress.ip_network(text))
        node = root
        for depth, bit in enumerate(bits):
            last = depth == len(bits) - 1
            if last:
                node[bit] = ("data", offsets[key])
                break
            slot = node[bit]
            if slot is None or isinstance(slot, tuple):
                slot = [slot, slot]  # split a covering network's leaf
                node[bit] = slot
            node = slot
    # Number nodes breadth-first.
    order, index = [root], {id(root): 0}
    i = 0
    while i < len(order):
        for child in order[i]:
            if isinstance(child, list):
                index[id(child)] = len(order)
                order.append(child)
        i += 1
    count = len(order)

    def record_value(slot) -> int:
        if slot is None:
            return count
        if isinstance(slot, tuple):
            return count + 16 + slot[1]
        return index[id(slot)]
    tree = b"".join(record_value(n[0]).to_bytes(3, "big") + record_value(n[1]).to_bytes(3, "big")
                    for n in order)
    metadata = {
        "node_count": (6, count), "record_size": (5, 24), "ip_version": (5, 6),
        "database_type": "dnsd-test-City", "languages": ["en"],
        "binary_format_major_version": (5, 2), "binary_format_minor_version": (5, 0),
        "build_epoch": (9, int(time.time())), "description": {"en": "dnsd test geolocation"},
    }
    return tree + bytes(16) + data + b"\xab\xcd\xefMaxMind.com" + encode(metadata)


def write(path, networks: list) -> None:
    with open(path, "wb") as f:
        f.write(build(networks))


if __name__ == "__main__":
    entries = []
    for arg in sys.argv[2:]:
        network, where = arg.split("=", 1)
        entries.append((network, location(*where.split("/"))))
    write(sys.argv[1], entries)
