"""A small AXFR client over TCP with TSIG (RFC 5936, RFC 8945): counts what arrives, checks it.

It signs the request, then reads the length-prefixed messages and reads only their headers
(rcode, ANCOUNT, ARCOUNT), so that the client costs little next to the server it measures. It
parses records in full only in the first message (the first record must be the SOA) and in the
message that reaches the expected count (its last record must be the SOA). The MACs of the
responses are not verified here: bench/axfr.py has kdig verify them once per server.

    python3 -B -m harness.axfrclient --port P --zone bench.test. --key-file KEY --expect N
        [--loop-seconds S] [--max-transfers K]

The key file holds `algorithm:name:secret` (kdig's -k format), so the secret never appears on a
command line. Prints one JSON line per transfer; with --loop-seconds, transfers back to back
until that time has passed (at most --max-transfers), after a first line {"event": "started"}.
"""
import argparse
import base64
import hashlib
import hmac
import json
import socket
import struct
import sys
import time

from .dnsclient import skip_name, encode_name

TYPE_SOA, TYPE_AXFR, TYPE_TSIG, CLASS_IN, CLASS_ANY = 6, 252, 250, 1, 255
DIGESTS = {"hmac-sha256": hashlib.sha256, "hmac-sha384": hashlib.sha384,
           "hmac-sha512": hashlib.sha512, "hmac-sha1": hashlib.sha1}
FUDGE_S = 300
RECV_BYTES = 1 << 20


class Key:
    def __init__(self, algorithm, name, secret_b64):
        if algorithm not in DIGESTS:
            raise ValueError(f"unsupported TSIG algorithm {algorithm}")
        self.algorithm, self.name = algorithm, name if name.endswith(".") else name + "."
        self.secret = base64.b64decode(secret_b64)

    @classmethod
    def from_file(cls, path):
        with open(path) as f:
            algorithm, name, secret = f.read().strip().split(":", 2)
        return cls(algorithm, name, secret)


def signed_axfr_request(zone, key, qid, now=None):
    """An AXFR query for zone with a TSIG RR (RFC 8945 §4.3.3) signed at now."""
    message = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + encode_name(zone) + \
        struct.pack(">HH", TYPE_AXFR, CLASS_IN)
    when = int(time.time() if now is None else now)
    key_name, algorithm = encode_name(key.name), encode_name(key.algorithm + ".")
    time_signed = struct.pack(">HI", when >> 32, when & 0xffffffff)
    variables = (key_name + struct.pack(">HI", CLASS_ANY, 0) + algorithm + time_signed +
                 struct.pack(">HHH", FUDGE_S, 0, 0))
    mac = hmac.new(key.secret, message + variables, DIGESTS[key.algorithm]).digest()
    rdata = (algorithm + time_signed + struct.pack(">H", FUDGE_S) + struct.pack(">H", len(mac)) +
             mac + struct.pack(">HHH", qid, 0, 0))
    tsig = key_name + struct.pack(">HHIH", TYPE_TSIG, CLASS_ANY, 0, len(rdata)) + rdata
    return message[:10] + struct.pack(">H", 1) + message[12:] + tsig


def answer_types(msg):
    """The types of the answer records of one message, in order."""
    qdcount, ancount = struct.unpack_from(">HH", msg, 4)
    pos = 12
    for _ in range(qdcount):
        pos = skip_name(msg, pos) + 4
    types = []
    for _ in range(ancount):
        pos = skip_name(msg, pos)
        rtype, _cls, _ttl, rdlength = struct.unpack_from(">HHIH", msg, pos)
        types.append(rtype)
        pos += 10 + rdlength
    return types


def transfer(port, zone, key, expect, host="127.0.0.1", timeout_s=300):
    """One AXFR; a dict with records, messages, signed (messages with a TSIG RR), bytes, seconds
    (request sent to closing SOA received), first_byte_s, client_cpu_s (this process, user and
    system, over those seconds) and error (None when it checked out)."""
    result = {"records": 0, "messages": 0, "signed": 0, "bytes": 0, "seconds": None,
              "first_byte_s": None, "client_cpu_s": None, "error": None}
    cpu_started = time.process_time()
    started = time.monotonic()
    request = signed_axfr_request(zone, key, qid=int(started * 1000) & 0xffff)
    try:
        _read_transfer(host, port, request, expect, timeout_s, started, cpu_started, result)
    except OSError as error:  # refused, reset, or no byte for timeout_s
        result["error"] = f"{type(error).__name__}: {error}"
    return result


def _read_transfer(host, port, request, expect, timeout_s, started, cpu_started, result):
    deadline = started + timeout_s
    with socket.create_connection((host, port), timeout=timeout_s) as conn:
        conn.sendall(struct.pack(">H", len(request)) + request)
        buf = bytearray()
        while result["seconds"] is None and result["error"] is None:
            if time.monotonic() > deadline:
                result["error"] = f"timed out after {timeout_s} s"
                break
            chunk = conn.recv(RECV_BYTES)
            if not chunk:
                result["error"] = "connection closed before the closing SOA"
                break
            if result["first_byte_s"] is None:
                result["first_byte_s"] = time.monotonic() - started
            result["bytes"] += len(chunk)
            buf += chunk
            used = _consume(buf, result, expect)
            del buf[:used]
            if result["seconds"] is None and result["error"] is None and \
                    result["records"] >= expect:
                result["seconds"] = time.monotonic() - started
                result["client_cpu_s"] = time.process_time() - cpu_started


def _consume(buf, result, expect):
    """Reads the whole messages at the start of buf into result; returns the bytes used."""
    pos, end = 0, len(buf)
    while end - pos >= 2:
        size = buf[pos] << 8 | buf[pos + 1]
        if end - pos - 2 < size:
            break
        start = pos + 2
        pos = start + size
        rcode = buf[start + 3] & 0xF
        ancount = buf[start + 6] << 8 | buf[start + 7]
        arcount = buf[start + 10] << 8 | buf[start + 11]
        result["messages"] += 1
        result["signed"] += arcount > 0
        if rcode:
            result["error"] = f"rcode {rcode} in message {result['messages']}"
            return pos
        if result["messages"] == 1 and (ancount == 0 or
                                        answer_types(bytes(buf[start:pos]))[0] != TYPE_SOA):
            result["error"] = "the first record is not the SOA"
            return pos
        result["records"] += ancount
        if result["records"] >= expect:
            # This message holds record `expect`: it must be the last one, and the SOA.
            if result["records"] != expect:
                result["error"] = f"{result['records']} records, {expect} expected"
            elif answer_types(bytes(buf[start:pos]))[-1] != TYPE_SOA:
                result["error"] = "the last record is not the SOA"
            elif arcount == 0:
                result["error"] = "the last message is not signed"
            return pos
    return pos


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--zone", required=True)
    ap.add_argument("--key-file", required=True, help="algorithm:name:secret (kdig -k format)")
    ap.add_argument("--expect", type=int, required=True,
                    help="records of the whole transfer, the SOA counted twice")
    ap.add_argument("--loop-seconds", type=float, help="transfer back to back for this long")
    ap.add_argument("--max-transfers", type=int, default=1000)
    ap.add_argument("--timeout-s", type=float, default=300)
    args = ap.parse_args()
    key = Key.from_file(args.key_file)
    if args.loop_seconds is None:
        result = transfer(args.port, args.zone, key, args.expect, args.host, args.timeout_s)
        print(json.dumps(result), flush=True)
        return 0 if result["error"] is None else 1
    print(json.dumps({"event": "started"}), flush=True)
    until = time.monotonic() + args.loop_seconds
    failed = 0
    for _ in range(args.max_transfers):
        if time.monotonic() >= until:
            break
        result = transfer(args.port, args.zone, key, args.expect, args.host, args.timeout_s)
        result["ended_at"] = time.monotonic()
        print(json.dumps(result), flush=True)
        failed += result["error"] is not None
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
