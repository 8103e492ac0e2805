# Integration-test support, the wire half: Response/RR types shared with the dig parser, a query
# builder that can also lie (bad counts, opcodes, OPT), a response decoder, and UDP/TCP senders.
# Standard library only; no server knowledge here.
from __future__ import annotations

import dataclasses
import random
import socket
import struct
import time
from typing import Iterable, Optional

QUERY_TIME_S = 2  # per-query timeout: generous, sanitizer builds are slow

# ------------------------------------------------------------------------------------------
# Responses


_NAME_RDATA_TYPES = {"NS", "CNAME", "SOA", "MX", "SRV", "PTR", "DNAME", "A", "AAAA"}


@dataclasses.dataclass(frozen=True)
class RR:
    owner: str
    ttl: int
    cls: str
    type: str
    rdata: str

    def key(self, ignore_case: bool = True) -> tuple:
        """Comparison key. Names compare case-insensitively (RFC 4343), in the owner and in the
        rdata of the types whose rdata is names and numbers; text (TXT, CAA) stays exact."""
        if not ignore_case:
            return (self.owner, self.ttl, self.cls.upper(), self.type.upper(), self.rdata)
        rdata = self.rdata.lower() if self.type.upper() in _NAME_RDATA_TYPES else self.rdata
        return (self.owner.lower(), self.ttl, self.cls.upper(), self.type.upper(), rdata)

    def __str__(self) -> str:
        return f"{self.owner} {self.ttl} {self.cls} {self.type} {self.rdata}"


def rr(text: str) -> RR:
    """Parses 'owner ttl class type rdata...' (presentation format, as dig prints it)."""
    parts = text.split(None, 4)
    if len(parts) < 4:
        raise ValueError(f"not a record: {text!r}")
    rdata = " ".join(parts[4].split()) if len(parts) == 5 else ""
    if parts[3].upper() == "TXT" or '"' in rdata:
        rdata = parts[4].strip() if len(parts) == 5 else ""
    return RR(parts[0], int(parts[1]), parts[2], parts[3], rdata)


@dataclasses.dataclass
class Edns:
    version: int
    udp: int
    flags: frozenset
    options: list  # strings as the client prints them, e.g. "EDE: 20 (Not Authoritative)"


@dataclasses.dataclass
class Response:
    opcode: str
    rcode: str
    id: int
    flags: frozenset
    counts: tuple  # (qd, an, ns, ar) as in the header (ar includes the OPT record)
    edns: Optional[Edns]
    question: list  # [(name, class, type)]
    answer: list
    authority: list
    additional: list  # without the OPT pseudo-record
    raw_text: str = ""
    transport: str = "udp"

    def section(self, name: str) -> list:
        return {"answer": self.answer, "authority": self.authority,
                "additional": self.additional}[name]

    def __str__(self) -> str:
        lines = [f"{self.opcode} {self.rcode} id={self.id} flags={' '.join(sorted(self.flags))} "
                 f"counts={self.counts}"]
        if self.edns:
            lines.append(f"  EDNS v{self.edns.version} udp={self.edns.udp} "
                         f"flags={' '.join(sorted(self.edns.flags))} options={self.edns.options}")
        lines.append(f"  question: {self.question}")
        for sec in ("answer", "authority", "additional"):
            for r in self.section(sec):
                lines.append(f"  {sec}: {r}")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# Raw wire: build queries (also malformed ones), parse responses, send over UDP/TCP

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "HINFO": 13, "MX": 15, "TXT": 16, "AAAA": 28,
         "SRV": 33, "OPT": 41, "DS": 43, "DNSKEY": 48, "IXFR": 251, "AXFR": 252, "ANY": 255,
         "CAA": 257}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
CLASSES = {"IN": 1, "CH": 3, "HS": 4, "NONE": 254, "ANY": 255}
CLASS_NAMES = {v: k for k, v in CLASSES.items()}
OPCODES = {0: "QUERY", 1: "IQUERY", 2: "STATUS", 4: "NOTIFY", 5: "UPDATE"}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED",
          6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE", 16: "BADVERS",
          23: "BADCOOKIE"}
FLAG_BITS = [("qr", 15), ("aa", 10), ("tc", 9), ("rd", 8), ("ra", 7), ("ad", 5), ("cd", 4)]


def encode_name(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split(".") if name not in (".", "") else []:
        raw = label.encode()
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def build_query(qname: str = "www.example.test.", qtype="A", qclass="IN", *,
                qid: Optional[int] = None, opcode: int = 0, flags: Iterable[str] = (),
                qdcount: Optional[int] = None, questions: Optional[list] = None,
                edns: Optional[dict] = None) -> bytes:
    """A query message. questions overrides the single (qname, qtype, qclass); qdcount overrides
    the header count (to lie about it); edns=dict(version=0, udp=1232, do=False) adds an OPT."""
    qid = random.randrange(0x10000) if qid is None else qid
    bits = opcode << 11
    for name, bit in FLAG_BITS:
        if name in flags:
            bits |= 1 << bit
    qs = questions if questions is not None else [(qname, qtype, qclass)]
    body = b""
    for name, t, c in qs:
        t = TYPES[t] if isinstance(t, str) else t
        c = CLASSES[c] if isinstance(c, str) else c
        body += encode_name(name) + struct.pack("!HH", t, c)
    arcount = 0
    if edns is not None:
        ttl = (edns.get("version", 0) << 16) | (0x8000 if edns.get("do") else 0)
        opts = edns.get("options", b"")
        body += b"\x00" + struct.pack("!HHIH", 41, edns.get("udp", 1232), ttl, len(opts)) + opts
        arcount = 1
    header = struct.pack("!HHHHHH", qid, bits, len(qs) if qdcount is None else qdcount, 0, 0,
                         arcount)
    return header + body


class WireError(Exception):
    pass


def _read_name(msg: bytes, off: int) -> tuple:
    labels = []
    jumped = False
    end = off
    hops = 0
    while True:
        if off >= len(msg):
            raise WireError("name runs past the message")
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise WireError("truncated pointer")
            if not jumped:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumped = True
            hops += 1
            if hops > 64:
                raise WireError("compression loop")
            continue
        if n == 0:
            if not jumped:
                end = off + 1
            break
        label = msg[off + 1:off + 1 + n]
        if len(label) != n:
            raise WireError("label runs past the message")
        labels.append("".join(chr(b) if 0x21 <= b <= 0x7E and chr(b) not in '.\\"();'
                              else (f"\\{chr(b)}" if chr(b) in '.\\"();' else f"\\{b:03d}")
                              for b in label))
        off += 1 + n
    return (".".join(labels) + "." if labels else "."), end


def read_name(msg: bytes, off: int) -> tuple:
    """The name at `off` in presentation form (pointers followed) and the offset after it."""
    return _read_name(msg, off)


def _txt_strings(data: bytes) -> str:
    out = []
    i = 0
    while i < len(data):
        n = data[i]
        s = data[i + 1:i + 1 + n]
        i += 1 + n
        chars = []
        for b in s:
            c = chr(b)
            if c in '"\\':
                chars.append("\\" + c)
            elif 0x20 <= b <= 0x7E:
                chars.append(c)
            else:
                chars.append(f"\\{b:03d}")
        out.append('"' + "".join(chars) + '"')
    return " ".join(out)


def _rdata_text(msg: bytes, t: int, off: int, rdlen: int) -> str:
    data = msg[off:off + rdlen]
    if t == 1 and rdlen == 4:
        return socket.inet_ntop(socket.AF_INET, data)
    if t == 28 and rdlen == 16:
        return socket.inet_ntop(socket.AF_INET6, data)
    if t in (2, 5):
        return _read_name(msg, off)[0]
    if t == 6:
        mname, o = _read_name(msg, off)
        rname, o = _read_name(msg, o)
        return f"{mname} {rname} " + " ".join(str(v) for v in struct.unpack("!IIIII", msg[o:o + 20]))
    if t == 15:
        return f"{struct.unpack('!H', data[:2])[0]} {_read_name(msg, off + 2)[0]}"
    if t == 33:
        prio, weight, port = struct.unpack("!HHH", data[:6])
        return f"{prio} {weight} {port} {_read_name(msg, off + 6)[0]}"
    if t in (13, 16):
        return _txt_strings(data)
    if t == 257:
        flags, taglen = data[0], data[1]
        tag = data[2:2 + taglen].decode()
        return f'{flags} {tag} {_txt_strings(bytes([len(data) - 2 - taglen]) + data[2 + taglen:])}'
    return f"\\# {rdlen} {data.hex().upper()}" if rdlen else "\\# 0"


def parse_message(msg: bytes) -> Response:
    """Decodes a response into the same Response shape that dig() returns."""
    if len(msg) < 12:
        raise WireError(f"message of {len(msg)} bytes is shorter than a header")
    qid, bits, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    flags = frozenset(name for name, bit in FLAG_BITS if bits & (1 << bit))
    opcode = (bits >> 11) & 0xF
    rcode = bits & 0xF
    off = 12
    question = []
    for _ in range(qd):
        name, off = _read_name(msg, off)
        t, c = struct.unpack("!HH", msg[off:off + 4])
        off += 4
        question.append((name, CLASS_NAMES.get(c, f"CLASS{c}"), TYPE_NAMES.get(t, f"TYPE{t}")))
    sections = ([], [], [])
    edns = None
    for idx, count in enumerate((an, ns, ar)):
        for _ in range(count):
            name, off = _read_name(msg, off)
            if off + 10 > len(msg):
                raise WireError("record header runs past the message")
            t, c, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
            off += 10
            if off + rdlen > len(msg):
                raise WireError("rdata runs past the message")
            if t == 41:
                rcode |= (ttl >> 24) << 4
                options = []
                o = off
                while o + 4 <= off + rdlen:
                    code, olen = struct.unpack("!HH", msg[o:o + 4])
                    options.append(f"OPT={code}: {msg[o + 4:o + 4 + olen].hex()}")
                    o += 4 + olen
                edns = Edns((ttl >> 16) & 0xFF, c, frozenset(["do"] if ttl & 0x8000 else []),
                            options)
            else:
                sections[idx].append(RR(name, ttl, CLASS_NAMES.get(c, f"CLASS{c}"),
                                        TYPE_NAMES.get(t, f"TYPE{t}"),
                                        _rdata_text(msg, t, off, rdlen)))
            off += rdlen
    return Response(OPCODES.get(opcode, f"RESERVED{opcode}"), RCODES.get(rcode, f"RCODE{rcode}"),
                    qid, flags, (qd, an, ns, ar), edns, question, *sections)


def udp_exchange(port: int, payload: bytes, host: str = "127.0.0.1",
                 timeout_s: float = QUERY_TIME_S) -> Optional[bytes]:
    """Sends one datagram, returns the first reply with the same ID, or None on timeout."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout_s)
        s.sendto(payload, (host, port))
        end = time.monotonic() + timeout_s
        while True:
            s.settimeout(max(0.01, end - time.monotonic()))
            try:
                data, _ = s.recvfrom(65535)
            except socket.timeout:
                return None
            if len(payload) < 2 or data[:2] == payload[:2] or len(data) < 2:
                return data
            if time.monotonic() >= end:
                return None


class TcpConn:
    """A TCP connection with 2-byte length framing (RFC 1035 §4.2.2, RFC 7766)."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout_s: float = QUERY_TIME_S):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.create_connection((host, port), timeout=timeout_s) \
            if family == socket.AF_INET else socket.socket(family, socket.SOCK_STREAM)
        if family == socket.AF_INET6:
            self.sock.settimeout(timeout_s)
            self.sock.connect((host, port))
        self._buf = b""

    def send(self, *messages: bytes) -> None:
        """Sends all messages in one write (pipelining)."""
        self.sock.sendall(b"".join(struct.pack("!H", len(m)) + m for m in messages))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self, n: int) -> bool:
        while len(self._buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                return False
            self._buf += chunk
        return True

    def recv(self) -> Optional[bytes]:
        """One framed message, or None if the server closed the connection."""
        if not self._fill(2):
            return None
        n = struct.unpack("!H", self._buf[:2])[0]
        if not self._fill(2 + n):
            return None
        msg, self._buf = self._buf[2:2 + n], self._buf[2 + n:]
        return msg

    def closed_by_peer(self, timeout_s: float) -> bool:
        """True once the peer has closed (EOF or reset) within timeout_s; False if still open."""
        self.sock.settimeout(timeout_s)
        try:
            return self.sock.recv(1) == b""
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def tcp_exchange(port: int, payload: bytes, host: str = "127.0.0.1",
                 timeout_s: float = QUERY_TIME_S) -> Optional[bytes]:
    with TcpConn(port, host, timeout_s) as conn:
        conn.send(payload)
        return conn.recv()
