"""A minimal UDP DNS client: readiness checks, cross-server answer checks, answer sampling.

Not a load generator (dnsperf is). Parses just enough of a reply to compare servers.
"""
import random
import socket
import struct

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "AAAA": 28}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
STRAY_REPLIES = 64  # replies to earlier (timed-out) queries that ask() reads past before giving up


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def make_query(qname, qtype, qid):
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + encode_name(qname) + struct.pack(">HH", TYPES[qtype], 1)


def skip_name(msg, pos):
    while True:
        length = msg[pos]
        if length & 0xC0 == 0xC0:
            return pos + 2
        pos += 1 + length
        if length == 0:
            return pos


def parse_reply(msg):
    """{'id', 'rcode', 'aa', 'answers': [(type name, rdata text)]} or None if it is not a reply."""
    if len(msg) < 12:
        return None
    qid, flags, qd, an = struct.unpack(">HHHH", msg[:8])
    if not flags & 0x8000:
        return None
    pos = 12
    for _ in range(qd):
        pos = skip_name(msg, pos) + 4
    answers = []
    for _ in range(an):
        pos = skip_name(msg, pos)
        rtype, _cls, _ttl, rdlen = struct.unpack(">HHIH", msg[pos:pos + 10])
        rdata = msg[pos + 10:pos + 10 + rdlen]
        pos += 10 + rdlen
        if rtype == 1 and rdlen == 4:
            text = socket.inet_ntop(socket.AF_INET, rdata)
        elif rtype == 28 and rdlen == 16:
            text = socket.inet_ntop(socket.AF_INET6, rdata)
        else:
            text = f"{rdlen} bytes"
        answers.append((TYPE_NAMES.get(rtype, str(rtype)), text))
    return {"id": qid, "rcode": RCODES.get(flags & 0xF, str(flags & 0xF)), "aa": bool(flags & 0x0400),
            "answers": answers}


class Client:
    """One socket, one outstanding query at a time."""

    def __init__(self, port, host="127.0.0.1", timeout_s=0.2):
        self.where = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout_s)
        self.rng = random.Random(7)

    def ask(self, qname, qtype="A"):
        qid = self.rng.randrange(65536)
        try:
            self.sock.sendto(make_query(qname, qtype, qid), self.where)
            for _ in range(STRAY_REPLIES + 1):  # a late reply to an earlier query is skipped, not waited on forever
                data, _ = self.sock.recvfrom(4096)
                reply = parse_reply(data)
                if reply and reply["id"] == qid:
                    return reply
        except OSError:  # timeout or ICMP port unreachable: not up yet
            return None
        return None

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
