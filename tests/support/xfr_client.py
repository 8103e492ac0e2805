# Integration-test support for zone transfers: TSIG (RFC 8945) signing of requests in Python,
# with hooks to spoil the MAC; the TSIG RR of a response and its MAC check; IXFR requests; and
# TCP readers for a message sequence. Standard library only; knows no server.
from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import socket
import struct
import time
from typing import Callable, Optional

from dnswire import build_query, encode_name, parse_message, read_name

TYPE_TSIG = 250
CLASS_ANY = 255
TSIG_ERRORS = {0: "NOERROR", 16: "BADSIG", 17: "BADKEY", 18: "BADTIME", 22: "BADTRUNC"}


# ------------------------------------------------------------------------------------------
# Requests


def ixfr_query(zone: str, serial: int, qid: Optional[int] = None) -> bytes:
    """An IXFR request: the question and the client's SOA in the authority section
    (RFC 1995 §3); only its serial matters to the server."""
    query = build_query(zone, "IXFR", qid=qid)
    rdata = (encode_name("ns1." + zone) + encode_name("hostmaster." + zone) +
             struct.pack("!IIIII", serial & 0xffffffff, 3600, 600, 86400, 300))
    soa = encode_name(zone) + struct.pack("!HHIH", 6, 1, 300, len(rdata)) + rdata
    return query[:8] + struct.pack("!H", 1) + query[10:] + soa


@dataclasses.dataclass
class SignedRequest:
    """A request with its TSIG RR last, and where the RR's fields start (for cutting it)."""
    message: bytes
    mac: bytes  # as sent (after any spoiling): the MAC the response covers first
    tsig_at: int  # the TSIG RR (its owner, the key name)
    rdlength_at: int  # the RDLENGTH field
    algorithm_at: int  # the algorithm name, first field of the RDATA
    mac_size_at: int  # the MAC Size field; the MAC follows it
    other_size_at: int  # the Other Len field; Other Data follows it


def sign_request(message: bytes, key: str, secret_b64: str, when: Optional[int] = None, *,
                 algorithm: str = "hmac-sha256.", fudge: int = 300, other: bytes = b"",
                 spoil: Callable[[bytes], bytes] = lambda mac: mac) -> SignedRequest:
    """Appends a TSIG RR (RFC 8945 §4.2) signed at `when` (default now). `spoil` turns the
    correct MAC into the one sent: truncated, lengthened, bits flipped."""
    when = int(time.time()) if when is None else when
    key_name, algorithm_name = encode_name(key.lower()), encode_name(algorithm.lower())
    qid = struct.unpack("!H", message[:2])[0]
    timers = struct.pack("!HIH", when >> 32, when & 0xffffffff, fudge)
    variables = (key_name + struct.pack("!HI", CLASS_ANY, 0) + algorithm_name + timers +
                 struct.pack("!HH", 0, len(other)) + other)  # §4.3.3; error 0
    digest = {"hmac-sha256.": hashlib.sha256, "hmac-sha384.": hashlib.sha384,
              "hmac-sha512.": hashlib.sha512, "hmac-sha1.": hashlib.sha1}[algorithm.lower()]
    mac = spoil(hmac.new(base64.b64decode(secret_b64), message + variables, digest).digest())
    rdata = (algorithm_name + timers + struct.pack("!H", len(mac)) + mac +
             struct.pack("!HHH", qid, 0, len(other)) + other)
    arcount = struct.unpack("!H", message[10:12])[0] + 1
    head = message[:10] + struct.pack("!H", arcount) + message[12:]
    rdlength_at = len(head) + len(key_name) + 8
    algorithm_at = rdlength_at + 2
    mac_size_at = algorithm_at + len(algorithm_name) + 8
    return SignedRequest(
        head + key_name + struct.pack("!HHIH", TYPE_TSIG, CLASS_ANY, 0, len(rdata)) + rdata, mac,
        len(head), rdlength_at, algorithm_at, mac_size_at, mac_size_at + 2 + len(mac) + 4)


def signed(message: bytes, key: str, secret_b64: str, when: Optional[int] = None) -> bytes:
    """The message signed with hmac-sha256 at `when` (default now)."""
    return sign_request(message, key, secret_b64, when).message


# ------------------------------------------------------------------------------------------
# The TSIG RR of a response


@dataclasses.dataclass
class Tsig:
    offset: int  # where the RR starts: the response without it is message[:offset]
    key: str
    algorithm: str
    time_signed: int
    fudge: int
    mac: bytes
    original_id: int
    error: int
    other: bytes

    @property
    def error_text(self) -> str:
        return TSIG_ERRORS.get(self.error, str(self.error))


def tsig_of(message: bytes) -> Optional[Tsig]:
    """The TSIG RR if it is the last record of the message, else None."""
    qd, an, ns, ar = struct.unpack("!HHHH", message[4:12])
    off = 12
    for _ in range(qd):
        off = read_name(message, off)[1] + 4
    start = rtype = None
    for _ in range(an + ns + ar):
        start = off
        off = read_name(message, off)[1]
        rtype, _, _, rdlength = struct.unpack("!HHIH", message[off:off + 10])
        off += 10 + rdlength
    if rtype != TYPE_TSIG:
        return None
    key, off = read_name(message, start)
    algorithm, off = read_name(message, off + 10)
    high, low, fudge, mac_size = struct.unpack("!HIHH", message[off:off + 10])
    mac = message[off + 10:off + 10 + mac_size]
    off += 10 + mac_size
    original_id, error, other_size = struct.unpack("!HHH", message[off:off + 6])
    other = message[off + 6:off + 6 + other_size]
    return Tsig(start, key, algorithm, high << 32 | low, fudge, mac, original_id, error, other)


def response_mac_ok(response: bytes, request_mac: bytes, secret_b64: str) -> bool:
    """Checks the MAC of the first (or only) message answering a request whose MAC was
    `request_mac` (RFC 8945 §4.3.1, §4.3.3), hmac-sha256."""
    tsig = tsig_of(response)
    if tsig is None:
        return False
    arcount = struct.unpack("!H", response[10:12])[0] - 1
    unsigned = (struct.pack("!H", tsig.original_id) + response[2:10] + struct.pack("!H", arcount) +
                response[12:tsig.offset])
    variables = (encode_name(tsig.key.lower()) + struct.pack("!HI", CLASS_ANY, 0) +
                 encode_name(tsig.algorithm.lower()) +
                 struct.pack("!HIHHH", tsig.time_signed >> 32, tsig.time_signed & 0xffffffff,
                             tsig.fudge, tsig.error, len(tsig.other)) + tsig.other)
    expected = hmac.new(base64.b64decode(secret_b64),
                        struct.pack("!H", len(request_mac)) + request_mac + unsigned + variables,
                        hashlib.sha256).digest()
    return hmac.compare_digest(expected[:len(tsig.mac)], tsig.mac) and len(tsig.mac) >= 16


# ------------------------------------------------------------------------------------------
# TCP


def read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError(f"closed after {len(data)} of {size} bytes")
        data += chunk
    return data


def read_message(conn: socket.socket) -> Optional[bytes]:
    """One length-prefixed message, or None when the peer closed cleanly before it."""
    first = conn.recv(1)
    if not first:
        return None
    size = int.from_bytes(first + read_exact(conn, 2 - len(first)), "big")
    return read_exact(conn, size)


def tcp_raw_messages(port: int, request: bytes, deadline_s: float = 30) -> list:
    """Sends the request over TCP; the raw messages until the closing SOA, an error rcode or
    a single-SOA answer."""
    out, soas = [], 0
    deadline = time.monotonic() + deadline_s
    with socket.create_connection(("127.0.0.1", port), timeout=deadline_s) as conn:
        conn.sendall(len(request).to_bytes(2, "big") + request)
        while soas < 2 and time.monotonic() < deadline:
            raw = read_message(conn)
            if raw is None:
                break
            out.append(raw)
            message = parse_message(raw)
            soas += sum(1 for rr in message.answer if rr.type == "SOA")
            if message.rcode != "NOERROR" or (len(out) == 1 and len(message.answer) == 1):
                break
    return out


def tcp_messages(port: int, request: bytes, deadline_s: float = 30) -> list:
    """The same, parsed."""
    return [parse_message(raw) for raw in tcp_raw_messages(port, request, deadline_s)]


def stalling_connection(port: int) -> socket.socket:
    """A TCP connection with a small receive window (set before connecting), never read."""
    conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    conn.settimeout(10)
    conn.connect(("127.0.0.1", port))
    return conn
