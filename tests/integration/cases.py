# The answer cases for example.test (data/example.test.zone), in presentation format.
# Shared by test_answers.py (asserts each expectation) and test_knot_side_by_side.py (sends the
# same queries to dnsd and knotd and compares). No sockets here beyond run_case().
from __future__ import annotations

import dataclasses
import random
import struct
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from dnstest import build_query  # noqa: E402

Z = "example.test."
# RFC 2308 §5: the negative answer's SOA carries min(SOA TTL 3600, MINIMUM 300) = 300.
SOA_NEG = f"{Z} 300 IN SOA ns1.{Z} hostmaster.{Z} 2024010101 7200 900 1209600 300"
SOA = f"{Z} 3600 IN SOA ns1.{Z} hostmaster.{Z} 2024010101 7200 900 1209600 300"
GLUE_NS1 = [f"ns1.{Z} 3600 IN A 192.0.2.53", f"ns1.{Z} 3600 IN AAAA 2001:db8::53"]
GLUE_NS2 = [f"ns2.{Z} 7200 IN A 192.0.2.54", f"ns2.{Z} 7200 IN AAAA 2001:db8::54"]
SUB_NS = [f"sub.{Z} 86400 IN NS ns.sub.{Z}"]
SUB_GLUE = [f"ns.sub.{Z} 86400 IN A 192.0.2.200", f"ns.sub.{Z} 86400 IN AAAA 2001:db8::200"]
EXT_NS = [f"extdeleg.{Z} 86400 IN NS ns1.example.net.", f"extdeleg.{Z} 86400 IN NS ns2.example.net."]
WWW_A = f"www.{Z} 300 IN A 192.0.2.80"
MANY_COUNT = 40
BIGTXT_COUNT = 8

# RRsets that exist at a name, for RFC 8482 minimal ANY: the answer must be one of them, or HINFO.
APEX_RRSETS = {"SOA": [SOA],
               "NS": [f"{Z} 3600 IN NS ns1.{Z}", f"{Z} 3600 IN NS ns2.{Z}"],
               "A": [f"{Z} 3600 IN A 192.0.2.1"],
               "MX": [f"{Z} 3600 IN MX 10 mail.{Z}", f"{Z} 3600 IN MX 20 mail2.example.net."],
               "TXT": [f'{Z} 3600 IN TXT "v=spf1 -all"'],
               "CAA": [f'{Z} 3600 IN CAA 0 issue "ca.example.net"',
                       f'{Z} 3600 IN CAA 128 iodef "mailto:security@example.test"']}
WWW_RRSETS = {"A": [WWW_A], "AAAA": [f"www.{Z} 300 IN AAAA 2001:db8::80"]}
WILD_RRSETS = {"A": [f"foo.wild.{Z} 3600 IN A 192.0.2.100"],
               "TXT": [f'foo.wild.{Z} 3600 IN TXT "wildcard text"']}


@dataclasses.dataclass
class Case:
    """One query and what must come back. answer/authority/additional: records in presentation
    format, compared as multisets (owner names case-insensitively); None = not checked.
    knot: field overrides applied when the server is knotd, each one an explained difference
    (the key names the entry in test_knot_side_by_side.EXPLAINED_DIFFERENCES)."""
    name: str
    qname: str = ""
    qtype: str = "A"
    qclass: str = "IN"
    options: tuple = ()             # extra dig options
    tcp: bool = False
    rd: bool = False
    raw: Optional[Callable[[], bytes]] = None  # send these bytes instead of using dig
    reply: str = "yes"              # "yes" | "no" (must be dropped) | "maybe" (drop or FORMERR)
    rcode: str = "NOERROR"
    flags: str = "qr aa"
    noflags: str = "tc ra"
    answer: Optional[list] = dataclasses.field(default_factory=list)
    authority: Optional[list] = dataclasses.field(default_factory=list)
    additional: Optional[list] = dataclasses.field(default_factory=list)
    edns: Optional[str] = "v0"      # "v0" OPT version 0 present, "none" absent, None unchecked
    udp: Optional[int] = None       # advertised payload size the OPT must carry
    do: Optional[bool] = None       # DO bit in the response's OPT
    check: Optional[Callable] = None  # extra check(case, response) -> list of problems
    targets: tuple = ("dnsd", "knot")
    knot: dict = dataclasses.field(default_factory=dict)

    def for_target(self, kind: str) -> "Case":
        return dataclasses.replace(self, **{k: v for k, v in self.knot.items() if k != "why"}) \
            if kind == "knot" and self.knot else self


def referral(name: str, qname: str, qtype: str = "A", ns=None, glue=None, **kw) -> Case:
    """RFC 1034 §4.3.2 step 3b: NS of the cut in authority, glue in additional, no AA."""
    return Case(name, qname, qtype, flags="qr", noflags="aa tc ra", answer=[],
                authority=SUB_NS if ns is None else ns,
                additional=SUB_GLUE if glue is None else glue, **kw)


def nodata(name: str, qname: str, qtype: str, **kw) -> Case:
    return Case(name, qname, qtype, answer=kw.pop("answer", []), authority=[SOA_NEG],
                additional=[], **kw)


def nxdomain(name: str, qname: str, qtype: str = "A", **kw) -> Case:
    return Case(name, qname, qtype, rcode="NXDOMAIN", answer=kw.pop("answer", []),
                authority=[SOA_NEG], additional=[], **kw)


def refused(name: str, qname: str, qtype: str = "A", **kw) -> Case:
    return Case(name, qname, qtype, rcode="REFUSED", flags="qr", noflags="aa tc ra", answer=[],
                authority=[], additional=[], **kw)


# ------------------------------------------------------------------------------------------
# Extra checks


def one_rrset_of(rrsets: dict) -> Callable:
    """RFC 8482 §4.1/§4.2: ANY is answered with one RRset that exists at the name, or a
    synthesized HINFO."""
    def check(case: Case, resp) -> list:
        types = {r.type for r in resp.answer}
        if len(types) != 1:
            return [f"ANY answered with {len(types)} RRsets {sorted(types)}, RFC 8482 wants one"]
        (t,) = types
        if t == "HINFO":
            return [] if len(resp.answer) == 1 else ["more than one synthesized HINFO"]
        want = rrsets.get(t)
        if want is None:
            return [f"ANY answered with {t}, which does not exist at {case.qname}"]
        got = sorted(r.key() for r in resp.answer)
        exp = sorted(dnstest.rr(s).key() for s in want)
        # The owner is the qname as asked (a wildcard synthesizes it); compare the rest.
        if [g[1:] for g in got] != [e[1:] for e in exp]:
            return [f"ANY {t} RRset incomplete or wrong: {got} != {exp}"]
        return []
    return check


def clean_truncation(full_count: int) -> Callable:
    """RFC 2181 §9 / RFC 1035 §4.1.1: with TC set, no partial RRset may be left in the answer."""
    def check(case: Case, resp) -> list:
        by_set = {}
        for r in resp.answer:
            by_set.setdefault((r.owner.lower(), r.type), []).append(r)
        qkey = (case.qname.lower().rstrip(".") + ".", case.qtype)
        partial = [k for k, v in by_set.items() if k == qkey and len(v) != full_count]
        return [f"partial RRset {k} ({len(by_set[k])} of {full_count}) in a truncated answer"
                for k in partial]
    return check


def option_not_echoed(code: str) -> Callable:
    """RFC 6891 §6.1.2: unknown options are ignored, not echoed."""
    def check(case: Case, resp) -> list:
        echoed = [o for o in (resp.edns.options if resp.edns else []) if code in o]
        return [f"unknown option echoed: {echoed}"] if echoed else []
    return check


def server_cookie_returned(case: Case, resp) -> list:
    """RFC 7873 §5.2.3 and RFC 9018: the client cookie (8 bytes) and a 16-byte server cookie."""
    cookies = [o for o in (resp.edns.options if resp.edns else []) if "COOKIE" in o]
    if len(cookies) != 1:
        return [f"expected one COOKIE option, got {cookies}"]
    value = cookies[0].split(":", 1)[1].split()[0]
    return [] if len(value) == 48 else [f"COOKIE {value} is not 8 + 16 bytes"]


def question_preserved(case: Case, resp) -> list:
    """0x20 (draft-vixie-dnsext-dns0x20): the question is echoed byte for byte."""
    want = case.qname if case.qname.endswith(".") else case.qname + "."
    got = resp.question[0][0] if resp.question else None
    return [] if got == want else [f"question case not preserved: sent {want!r}, got {got!r}"]


# ------------------------------------------------------------------------------------------
# Raw messages (malformed or not expressible with dig)

def _hdr(qid=0x4242, bits=0, qd=1, an=0, ns=0, ar=0) -> bytes:
    return struct.pack("!HHHHHH", qid, bits, qd, an, ns, ar)


_Q = b"\x03www\x07example\x04test\x00\x00\x01\x00\x01"


def _two_opt() -> bytes:
    q = build_query(edns={})
    return q[:10] + struct.pack("!H", 2) + q[12:] + q[-11:]


def _opt(options: bytes = b"", *, owner: bytes = b"\x00", udp: int = 1232, ttl: int = 0,
         rdlen=None) -> bytes:
    """An OPT record; rdlen overrides the RDLENGTH written (to lie about it)."""
    return owner + struct.pack("!HHIH", 41, udp, ttl, len(options) if rdlen is None else rdlen) \
        + options


def _with_opt(opt: bytes, *, section: str = "additional", question: bytes = _Q,
              bits: int = 0) -> bytes:
    """A query (www.example.test A unless told) with `opt` as the one record of `section`."""
    counts = {"answer": dict(an=1), "authority": dict(ns=1), "additional": dict(ar=1)}[section]
    return _hdr(bits=bits, **counts) + question + opt


def _question(name: str, qtype: int, qclass: int = 1) -> bytes:
    return dnstest.encode_name(name) + struct.pack("!HH", qtype, qclass)


_A_RECORD = dnstest.encode_name("www.example.test.") + struct.pack("!HHIH", 1, 1, 300, 4) + \
    bytes([192, 0, 2, 80])


def _option(code: int, data: bytes) -> bytes:
    return struct.pack("!HH", code, len(data)) + data


# The response a malformed query gets: FORMERR, no answer; whether OPT and the question are
# echoed is left open here (the side-by-side test compares those with Knot).
FORMERR = dict(rcode="FORMERR", flags="qr", noflags="aa tc ra", answer=[], authority=[],
               additional=[], edns=None)


# Where Knot 3.2 ignores what dnsd rejects (explained in the side-by-side test): the answer.
KNOT_ANSWERS_WWW = dict(rcode="NOERROR", flags="qr aa", noflags="tc ra", answer=[WWW_A])


def _q_binary() -> bytes:
    return b"\x04a\x00\xffb" + dnstest.encode_name(Z) + struct.pack("!HH", 1, 1)


GARBAGE = {
    "random-bytes": lambda: random.Random(20240101).randbytes(48),
    "three-bytes": lambda: b"\x12\x34\x00",
    "header-only": lambda: _hdr(),
    "qdcount-overruns": lambda: _hdr(qd=2) + _Q,
    "label-64": lambda: _hdr() + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01",
    "name-over-255": lambda: _hdr() + (b"\x3f" + b"a" * 63) * 5 + b"\x00\x00\x01\x00\x01",
    "pointer-loop": lambda: _hdr() + b"\xc0\x0c\x00\x01\x00\x01",
    "pointer-forward": lambda: _hdr() + b"\xc0\x40\x00\x01\x00\x01",
    "ancount-overruns": lambda: _hdr(an=0xFFFF) + _Q,
    "opt-rdlen-overruns": lambda: build_query(edns={})[:-2] + b"\x00\x10",
    "question-truncated": lambda: _hdr() + _Q[:-3],
    "trailing-bytes": lambda: build_query() + b"\x00\x01\x02",
    "pointer-after-a-label-to-itself": lambda: _hdr() + b"\x03www\xc0\x0c\x00\x01\x00\x01",
    "pointer-into-the-header": lambda: _hdr() + b"\xc0\x02\x00\x01\x00\x01",
    "label-type-0x40": lambda: _hdr() + b"\x41www\x00\x00\x01\x00\x01",
    "label-type-0x80": lambda: _hdr() + b"\x81www\x00\x00\x01\x00\x01",
}


# ------------------------------------------------------------------------------------------
# The table

ZONE_CASES = [
    # --- positive answers: AA, exact TTLs, additional-section processing (RFC 1035 §3.3.9, §3.3.11,
    # RFC 2782 for SRV)
    Case("apex SOA", Z, "SOA", answer=[SOA]),
    Case("apex NS with glue", Z, "NS", answer=APEX_RRSETS["NS"], additional=GLUE_NS1 + GLUE_NS2),
    Case("apex A", Z, "A", answer=APEX_RRSETS["A"]),
    Case("apex MX with in-zone target addresses", Z, "MX", answer=APEX_RRSETS["MX"],
         additional=[f"mail.{Z} 600 IN A 192.0.2.25", f"mail.{Z} 600 IN AAAA 2001:db8::25"]),
    Case("apex TXT", Z, "TXT", answer=APEX_RRSETS["TXT"]),
    Case("apex CAA", Z, "CAA", answer=APEX_RRSETS["CAA"]),
    Case("www A with its own TTL", f"www.{Z}", "A", answer=[WWW_A]),
    Case("www AAAA", f"www.{Z}", "AAAA", answer=WWW_RRSETS["AAAA"]),
    Case("glue name ns2 A (TTL 7200)", f"ns2.{Z}", "A", answer=[GLUE_NS2[0]]),
    Case("multi-string TXT", f"multi.{Z}", "TXT",
         answer=[f'multi.{Z} 3600 IN TXT "first string" "second string" "third"']),
    Case("TXT with escaped quote and backslash", f"quoted.{Z}", "TXT",
         answer=[f'quoted.{Z} 3600 IN TXT "she said \\"hi\\"" "back\\\\slash;semi"']),
    Case("SRV with in-zone target address", f"_sip._tcp.{Z}", "SRV",
         answer=[f"_sip._tcp.{Z} 3600 IN SRV 10 60 5060 sipserver.{Z}",
                 f"_sip._tcp.{Z} 3600 IN SRV 20 0 5061 sip.example.net."],
         additional=[f"sipserver.{Z} 3600 IN A 192.0.2.60"]),
    Case("name under an ENT", f"host.deep.ent.{Z}", "A",
         answer=[f"host.deep.ent.{Z} 3600 IN A 192.0.2.70"]),

    # --- negative answers (RFC 2308): SOA in authority, TTL min(SOA TTL, MINIMUM)
    nxdomain("NXDOMAIN", f"nx.{Z}"),
    nxdomain("NXDOMAIN two labels down", f"a.b.nx.{Z}", "TXT"),
    nxdomain("NXDOMAIN below an ENT", f"nx.deep.ent.{Z}"),
    nodata("NODATA www MX", f"www.{Z}", "MX"),
    nodata("NODATA CNAME type at a non-CNAME", f"www.{Z}", "CNAME"),
    nodata("NODATA apex AAAA", Z, "AAAA"),
    nodata("NODATA SOA below the apex", f"www.{Z}", "SOA"),
    nodata("NODATA NS at a name that is not a cut", f"www.{Z}", "NS"),
    nodata("NODATA DS at the apex (no parent zone here)", Z, "DS"),
    nodata("NODATA for an unknown type (RFC 3597)", f"www.{Z}", "TYPE65000"),
    nxdomain("NXDOMAIN for a long name", ".".join(["x" * 60] * 3) + f".{Z}"),
    nodata("ENT is NODATA", f"ent.{Z}", "A"),
    nodata("deeper ENT is NODATA", f"deep.ent.{Z}", "TXT"),

    # --- CNAME (RFC 1034 §4.3.2 step 3a; RFC 6604 for the rcode at the end of the chain)
    Case("CNAME chain of 3 links followed", f"chain1.{Z}", "A",
         answer=[f"chain1.{Z} 3600 IN CNAME chain2.{Z}", f"chain2.{Z} 3600 IN CNAME chain3.{Z}",
                 f"chain3.{Z} 3600 IN CNAME www.{Z}", WWW_A]),
    Case("CNAME chain for AAAA", f"chain2.{Z}", "AAAA",
         answer=[f"chain2.{Z} 3600 IN CNAME chain3.{Z}", f"chain3.{Z} 3600 IN CNAME www.{Z}",
                 f"www.{Z} 300 IN AAAA 2001:db8::80"]),
    nodata("CNAME chain ending in NODATA", f"chain1.{Z}", "MX",
           answer=[f"chain1.{Z} 3600 IN CNAME chain2.{Z}", f"chain2.{Z} 3600 IN CNAME chain3.{Z}",
                   f"chain3.{Z} 3600 IN CNAME www.{Z}"]),
    Case("qtype CNAME is not chased", f"chain1.{Z}", "CNAME",
         answer=[f"chain1.{Z} 3600 IN CNAME chain2.{Z}"]),
    Case("CNAME out of zone: CNAME only, no authority", f"ext.{Z}", "A",
         answer=[f"ext.{Z} 3600 IN CNAME www.example.org."]),
    Case("CNAME into the wildcard", f"towild.{Z}", "A",
         answer=[f"towild.{Z} 3600 IN CNAME foo.wild.{Z}", f"foo.wild.{Z} 3600 IN A 192.0.2.100"]),
    nxdomain("CNAME to a missing name is NXDOMAIN (RFC 6604)", f"dangling.{Z}",
             answer=[f"dangling.{Z} 3600 IN CNAME nothere.{Z}"]),
    Case("CNAME into the delegation: CNAME then referral", f"todeleg.{Z}", "A",
         answer=[f"todeleg.{Z} 3600 IN CNAME host.sub.{Z}"], authority=SUB_NS,
         additional=SUB_GLUE),
    Case("CNAME loop answered, not chased forever", f"loop1.{Z}", "A",
         answer=[f"loop1.{Z} 3600 IN CNAME loop2.{Z}", f"loop2.{Z} 3600 IN CNAME loop1.{Z}"]),

    # --- wildcards (RFC 4592)
    Case("wildcard A synthesized, owner = qname", f"foo.wild.{Z}", "A",
         answer=WILD_RRSETS["A"]),
    Case("wildcard TXT synthesized", f"foo.wild.{Z}", "TXT", answer=WILD_RRSETS["TXT"]),
    Case("wildcard matches several labels", f"a.b.wild.{Z}", "A",
         answer=[f"a.b.wild.{Z} 3600 IN A 192.0.2.100"]),
    nodata("NODATA at the wildcard", f"foo.wild.{Z}", "MX"),
    Case("explicit name beats the wildcard", f"explicit.wild.{Z}", "A",
         answer=[f"explicit.wild.{Z} 3600 IN A 192.0.2.101"]),
    nodata("explicit name shadows the wildcard's TXT", f"explicit.wild.{Z}", "TXT"),
    nodata("ENT under the wildcard parent is NODATA", f"below.wild.{Z}", "A"),
    nxdomain("ENT blocks the wildcard (RFC 4592 §2.2.2)", f"x.below.wild.{Z}"),
    nodata("wildcard parent itself is an ENT", f"wild.{Z}", "A"),
    Case("the wildcard owner queried literally", f"*.wild.{Z}", "TXT",
         answer=[f'*.wild.{Z} 3600 IN TXT "wildcard text"']),
    Case("wildcard CNAME synthesized and followed", f"foo.cw.{Z}", "A",
         answer=[f"foo.cw.{Z} 120 IN CNAME www.{Z}", WWW_A]),
    Case("wildcard CNAME with qtype CNAME", f"foo.cw.{Z}", "CNAME",
         answer=[f"foo.cw.{Z} 120 IN CNAME www.{Z}"]),

    # --- delegations (RFC 1034 §4.3.2 step 3b): referral, no AA, glue in additional
    referral("referral for the cut's NS", f"sub.{Z}", "NS"),
    referral("referral at the cut", f"sub.{Z}", "A"),
    referral("referral at the cut asked in upper case", f"SUB.{Z}", "NS",
             check=question_preserved),
    referral("referral below the cut", f"host.sub.{Z}", "A"),
    referral("referral two labels below the cut", f"a.deep.sub.{Z}", "TXT"),
    referral("glue name itself is a referral", f"ns.sub.{Z}", "A"),
    nodata("DS at the cut answered by the parent", f"sub.{Z}", "DS"),
    referral("DS below the cut is a referral", f"host.sub.{Z}", "DS"),
    referral("referral with out-of-zone NS (no glue)", f"host.extdeleg.{Z}", "A", ns=EXT_NS,
             glue=[]),
    referral("referral at an out-of-zone-NS cut", f"extdeleg.{Z}", "MX", ns=EXT_NS, glue=[]),
    referral("referral with sibling NS addresses", f"side.{Z}", "A",
             ns=[f"side.{Z} 86400 IN NS ns2.{Z}"], glue=GLUE_NS2),

    # --- out of zone
    refused("out of zone", "www.example.org."),
    refused("parent of the zone", "test.", "SOA"),
    refused("root", ".", "NS"),
    refused("in-zone name in class CH", f"www.{Z}", "A", qclass="CH"),
    refused("in-zone name in class HS", f"www.{Z}", "A", qclass="HS"),

    # --- ANY (RFC 8482)
    Case("ANY at the apex is minimal", Z, "ANY", answer=None, check=one_rrset_of(APEX_RRSETS)),
    Case("ANY at www is minimal", f"www.{Z}", "ANY", answer=None,
         check=one_rrset_of(WWW_RRSETS)),
    Case("ANY over TCP is minimal too", Z, "ANY", tcp=True, answer=None,
         check=one_rrset_of(APEX_RRSETS)),
    Case("ANY at a wildcard is minimal", f"foo.wild.{Z}", "ANY", answer=None,
         check=one_rrset_of(WILD_RRSETS)),
    nxdomain("ANY at a missing name", f"nx.{Z}", "ANY"),
    nodata("ANY at an ENT", f"ent.{Z}", "ANY"),
    referral("ANY below a cut is a referral", f"sub.{Z}", "ANY"),

    # --- case (RFC 4343) and 0x20
    Case("mixed-case owner queried in lower case", f"mixed.{Z}", "A",
         answer=[f"mixed.{Z} 3600 IN A 192.0.2.90"]),
    Case("mixed-case owner queried in upper case", "MIXED.EXAMPLE.TEST.", "A",
         answer=[f"mixed.{Z} 3600 IN A 192.0.2.90"], check=question_preserved),
    Case("upper-case owner two labels", f"upper.case.{Z}", "TXT",
         answer=[f'upper.case.{Z} 3600 IN TXT "upper"']),
    Case("0x20 question echoed", "WwW.ExAmPlE.TeSt.", "A", answer=[WWW_A],
         check=question_preserved),
    nxdomain("0x20 on NXDOMAIN", "No.SuCh.ExAmPlE.tEsT.", check=question_preserved),

    # --- header flags: RD echoed, RA never set (RFC 1035 §4.1.1)
    Case("RD is echoed, RA is not set", f"www.{Z}", "A", rd=True, flags="qr aa rd",
         answer=[WWW_A]),
    Case("RD echoed on NXDOMAIN", f"nx.{Z}", "A", rd=True, rcode="NXDOMAIN", flags="qr aa rd",
         authority=[SOA_NEG]),
    Case("CD and AD in the query", f"www.{Z}", "A", options=("+cdflag", "+adflag"),
         noflags="tc ra ad", answer=[WWW_A]),

    # --- EDNS (RFC 6891)
    Case("no EDNS in, no OPT out", f"www.{Z}", "A", options=("+noedns",), edns="none",
         answer=[WWW_A]),
    Case("OPT echoed with our payload size", f"www.{Z}", "A", options=("+bufsize=4096",),
         udp=1232, answer=[WWW_A]),
    Case("DO bit copied (RFC 3225)", f"www.{Z}", "A", options=("+dnssec",), do=True,
         answer=[WWW_A]),
    Case("no DO in, no DO out", f"www.{Z}", "A", do=False, answer=[WWW_A]),
    Case("EDNS version 1 is BADVERS", f"www.{Z}", "A", options=("+edns=1",), rcode="BADVERS",
         flags="qr", noflags="aa tc ra", answer=[], edns="v0"),
    Case("unknown EDNS option ignored", f"www.{Z}", "A", options=("+ednsopt=65001:abcd",),
         answer=[WWW_A], check=option_not_echoed("65001")),
    Case("DNS COOKIE: a client cookie gets a server cookie (RFC 7873 §5.2.3)", f"www.{Z}", "A",
         options=("+cookie",), answer=[WWW_A], check=server_cookie_returned,
         knot={"check": option_not_echoed("COOKIE"), "why": "cookies"}),
    Case("unknown EDNS flag ignored", f"www.{Z}", "A", options=("+ednsflags=0x20",),
         answer=[WWW_A]),

    # --- size: TC and clean truncation (RFC 1035 §4.2.1, RFC 6891 §7, RFC 2181 §9)
    Case("40 A over UDP without EDNS: TC", f"many.{Z}", "A", options=("+noedns",),
         flags="qr aa tc", noflags="ra", answer=None, edns="none",
         check=clean_truncation(MANY_COUNT)),
    Case("40 A over UDP, bufsize 512: TC", f"many.{Z}", "A", options=("+bufsize=512",),
         flags="qr aa tc", noflags="ra", answer=None, check=clean_truncation(MANY_COUNT)),
    Case("40 A over UDP, bufsize below 512 counts as 512", f"many.{Z}", "A",
         options=("+bufsize=100",), flags="qr aa tc", noflags="ra", answer=None,
         check=clean_truncation(MANY_COUNT)),
    Case("40 A over UDP, bufsize 1232: fits", f"many.{Z}", "A", options=("+bufsize=1232",),
         answer=[f"many.{Z} 3600 IN A 198.51.100.{i}" for i in range(1, MANY_COUNT + 1)]),
    Case("40 A over TCP: complete", f"many.{Z}", "A", tcp=True, options=("+noedns",),
         edns="none",
         answer=[f"many.{Z} 3600 IN A 198.51.100.{i}" for i in range(1, MANY_COUNT + 1)]),
    Case("1.8 KB TXT over UDP, bufsize 1232: TC", f"bigtxt.{Z}", "TXT",
         options=("+bufsize=1232",), flags="qr aa tc", noflags="ra", answer=None,
         check=clean_truncation(BIGTXT_COUNT)),
    Case("1.8 KB TXT over UDP, bufsize 4096: TC at our 1232", f"bigtxt.{Z}", "TXT",
         options=("+bufsize=4096",), flags="qr aa tc", noflags="ra", answer=None,
         check=clean_truncation(BIGTXT_COUNT)),
    Case("1.8 KB TXT over TCP: complete", f"bigtxt.{Z}", "TXT", tcp=True,
         answer=[f'bigtxt.{Z} 3600 IN TXT "{str(i) * 200}"' for i in range(1, BIGTXT_COUNT + 1)]),
    Case("TCP answer carries OPT too", f"www.{Z}", "A", tcp=True, answer=[WWW_A]),

    # --- CHAOS (RFC 4892), configured on
    Case("CHAOS version.bind", "version.bind.", "TXT", qclass="CH", flags="qr",
         noflags="tc ra", answer=['version.bind. 0 CH TXT "dnsd-test"']),
    Case("CHAOS id.server", "id.server.", "TXT", qclass="CH", flags="qr", noflags="tc ra",
         answer=['id.server. 0 CH TXT "ns-test"']),
    refused("CHAOS version.bind with qtype A", "version.bind.", "A", qclass="CH"),
]

RAW_CASES = [
    # --- opcodes (RFC 1035 §4.1.1, RFC 1996, RFC 2136): NOTIFY and UPDATE refused (no policy here)
    Case("NOTIFY is REFUSED", raw=lambda: build_query(Z, "SOA", opcode=4, flags=["aa"]),
         rcode="REFUSED", flags="qr", noflags="aa tc ra", answer=None, authority=None,
         additional=None, edns=None, knot={"rcode": "NOTAUTH", "why": "notify"}),
    Case("UPDATE is REFUSED", raw=lambda: build_query(Z, "SOA", opcode=5),
         rcode="REFUSED", flags="qr", noflags="aa tc ra", answer=None, authority=None,
         additional=None, edns=None, knot={"rcode": "NOTAUTH", "why": "update"}),
    Case("IQUERY is NOTIMP", raw=lambda: build_query(opcode=1), rcode="NOTIMP", flags="qr",
         noflags="aa tc ra", answer=[], edns=None),
    Case("STATUS is NOTIMP", raw=lambda: build_query(opcode=2), rcode="NOTIMP", flags="qr",
         noflags="aa tc ra", answer=[], edns=None),
    Case("opcode 3 is NOTIMP", raw=lambda: build_query(opcode=3), rcode="NOTIMP", flags="qr",
         noflags="aa tc ra", answer=[], edns=None),
    Case("opcode 15 is NOTIMP", raw=lambda: build_query(opcode=15), rcode="NOTIMP", flags="qr",
         noflags="aa tc ra", answer=[], edns=None),
    # --- transfers: these zones have no [[zone.transfer]] entries, so every transfer is refused
    Case("AXFR over TCP is REFUSED", raw=lambda: build_query(Z, "AXFR"), tcp=True,
         rcode="REFUSED", flags="qr", noflags="aa tc ra", answer=[], edns=None,
         knot={"rcode": "NOTAUTH", "why": "xfr"}),
    Case("AXFR over UDP is NOTIMP (RFC 5936 §4.2), as Knot answers it",
         raw=lambda: build_query(Z, "AXFR"),
         rcode="NOTIMP", flags="qr", noflags="aa tc ra", answer=[], edns=None),
    Case("IXFR over TCP is REFUSED", raw=lambda: build_query(Z, "IXFR"), tcp=True,
         rcode="REFUSED", flags="qr", noflags="aa tc ra", answer=[], edns=None,
         knot={"rcode": "NOTAUTH", "why": "xfr"}),
    Case("IXFR over UDP is REFUSED", raw=lambda: build_query(Z, "IXFR"),
         rcode="REFUSED", flags="qr", noflags="aa tc ra", answer=[], edns=None,
         knot={"rcode": "NOTAUTH", "why": "xfr"}),
    # --- header and counts
    Case("QDCOUNT 0 is FORMERR", raw=lambda: build_query(questions=[]), rcode="FORMERR",
         flags="qr", noflags="aa tc ra", answer=[], edns=None),
    Case("QDCOUNT 2 is FORMERR (RFC 9619)",
         raw=lambda: build_query(questions=[(f"www.{Z}", "A", "IN"), (f"mail.{Z}", "A", "IN")]),
         rcode="FORMERR", flags="qr", noflags="aa tc ra", answer=[], edns=None,
         knot={"reply": "no", "why": "qdcount2"}),
    Case("QR set: dropped", raw=lambda: build_query(flags=["qr"]), reply="no"),
    Case("QR set with an answer-like body: dropped",
         raw=lambda: build_query(flags=["qr", "aa"], edns={}), reply="no"),
    Case("two OPT records are FORMERR (RFC 6891 §6.1.1)", raw=_two_opt, rcode="FORMERR",
         flags="qr", noflags="aa tc ra", answer=[], edns=None),
] + [Case(f"garbage: {name}", raw=make, reply="maybe") for name, make in GARBAGE.items()]


PROTOCOL_CASES = [
    # --- malformed OPT records: FORMERR (RFC 6891 §6.1.1, §6.1.2)
    Case("OPT option overrunning the OPT RDATA is FORMERR",
         raw=lambda: _with_opt(_opt(_option(65001, b"abcdefghij")[:6])), **FORMERR),
    Case("OPT with a truncated option header is FORMERR",
         raw=lambda: _with_opt(_opt(b"\x00\x0a")), **FORMERR),
    Case("OPT owned by a name other than the root is FORMERR",
         raw=lambda: _with_opt(_opt(owner=dnstest.encode_name("www.example.test."))), **FORMERR,
         knot={**KNOT_ANSWERS_WWW, "why": "opt-owner"}),
    Case("OPT in the answer section is FORMERR",
         raw=lambda: _with_opt(_opt(), section="answer"), **FORMERR),
    Case("OPT in the authority section is FORMERR",
         raw=lambda: _with_opt(_opt(), section="authority"), **FORMERR),
    Case("OPT RDLENGTH running past the message is FORMERR",
         raw=lambda: _with_opt(_opt(rdlen=16)), **FORMERR),
    Case("Client Subnet with an unknown family is FORMERR (RFC 7871 §7.1)",
         raw=lambda: _with_opt(_opt(_option(8, struct.pack("!HBB", 3, 0, 0)))), **FORMERR,
         knot={**KNOT_ANSWERS_WWW, "why": "ecs-family"}),
    # --- well-formed OPT records
    Case("EDNS version 1 with DO is BADVERS, DO copied",
         raw=lambda: _with_opt(_opt(ttl=(1 << 16) | 0x8000)), rcode="BADVERS", flags="qr",
         noflags="aa tc ra", answer=[], do=True),
    Case("OPT with unknown Z flags: answered, the flags not echoed",
         raw=lambda: _with_opt(_opt(ttl=0x7fff)), answer=[WWW_A]),
    Case("OPT with two unknown options: answered, neither echoed",
         raw=lambda: _with_opt(_opt(_option(65001, b"ab") + _option(65002, b""))),
         answer=[WWW_A]),
    Case("OPT with a Padding option (RFC 7830): answered",
         raw=lambda: _with_opt(_opt(_option(12, bytes(8)))), answer=[WWW_A]),
    Case("UDP payload size 0 counts as 512: TC",
         raw=lambda: _with_opt(_opt(udp=0), question=_question(f"many.{Z}", 1)),
         flags="qr aa tc", noflags="ra", answer=None, check=clean_truncation(MANY_COUNT)),
    Case("UDP payload size 65535 is capped at ours: TC for 1.8 KB",
         raw=lambda: _with_opt(_opt(udp=65535), question=_question(f"bigtxt.{Z}", 16)),
         flags="qr aa tc", noflags="ra", answer=None, check=clean_truncation(BIGTXT_COUNT),
         udp=1232),
    Case("UDP payload size 1500 fits 40 A", raw=lambda: _with_opt(
        _opt(udp=1500), question=_question(f"many.{Z}", 1)),
        answer=[f"many.{Z} 3600 IN A 198.51.100.{i}" for i in range(1, MANY_COUNT + 1)]),

    # --- meta and obsolete query types (RFC 1035 §3.2.3, RFC 6895 §3.1, RFC 2845, RFC 2930)
    # A zone holds no records of these types, so the name has no data of them: NODATA, as Knot
    # answers (RFC 1035 §3.2.3 makes MAILA/MAILB matches of MD/MF and MB/MG/MR, obsolete).
    nodata("qtype OPT is NODATA", f"www.{Z}", "OPT", raw=lambda: build_query(f"www.{Z}", 41),
           edns="none"),
    nodata("qtype MAILA is NODATA", f"www.{Z}", "MAILA",
           raw=lambda: build_query(f"www.{Z}", 254), edns="none"),
    nodata("qtype MAILB is NODATA", f"www.{Z}", "MAILB",
           raw=lambda: build_query(f"www.{Z}", 253), edns="none"),
    nodata("qtype TKEY without a TKEY exchange is NODATA", f"www.{Z}", "TKEY",
           raw=lambda: build_query(f"www.{Z}", 249), edns="none"),
    nodata("qtype TSIG is NODATA", f"www.{Z}", "TSIG", raw=lambda: build_query(f"www.{Z}", 250),
           edns="none"),
    nodata("qtype 128 (meta range) is NODATA", f"www.{Z}", "TYPE128",
           raw=lambda: build_query(f"www.{Z}", 128), edns="none"),
    nodata("qtype 200 (meta range) is NODATA", f"www.{Z}", "TYPE200",
           raw=lambda: build_query(f"www.{Z}", 200), edns="none"),
    nodata("qtype MAILB at a missing name is NXDOMAIN", f"nx.{Z}", "MAILB",
           raw=lambda: build_query(f"nx.{Z}", 253), edns="none", rcode="NXDOMAIN"),
    Case("qtype 0 is NOTIMP", raw=lambda: build_query(f"www.{Z}", 0), rcode="NOTIMP", flags="qr",
         noflags="aa tc ra", answer=[], edns=None),
    Case("qtype ANY over UDP without EDNS", raw=lambda: build_query(f"www.{Z}", "ANY"),
         answer=None, edns="none", check=one_rrset_of(WWW_RRSETS)),

    # --- meta classes (RFC 1035 §3.2.5, RFC 2136 §1.3)
    # QCLASS * matches every class (RFC 1035 §3.2.5): the zone's class IN data, as Knot answers.
    Case("qclass ANY for an in-zone name is answered from class IN",
         raw=lambda: build_query(f"www.{Z}", "A", 255), answer=[WWW_A], edns="none"),
    nxdomain("qclass ANY for a missing name is NXDOMAIN", f"nx.{Z}",
             raw=lambda: build_query(f"nx.{Z}", "A", 255), edns="none"),
    Case("qclass NONE for an in-zone name", raw=lambda: build_query(f"www.{Z}", "A", 254),
         rcode="REFUSED", flags="qr", noflags="aa tc ra", answer=[], edns=None),
    Case("qclass 0", raw=lambda: build_query(f"www.{Z}", "A", 0),
         rcode="REFUSED", flags="qr", noflags="aa tc ra", answer=[], edns=None),
    Case("qclass ANY for version.bind", raw=lambda: build_query("version.bind.", "TXT", 255),
         rcode="REFUSED", flags="qr", noflags="aa tc ra", answer=[], edns=None),

    # --- header bits and counts (RFC 1035 §4.1.1, RFC 2181, RFC 6840 §5.7)
    Case("TC set in a query: answered, TC clear", raw=lambda: build_query(f"www.{Z}",
         flags=["tc"]), answer=[WWW_A], edns="none"),
    Case("Z bit set in a query: answered, Z clear", raw=lambda: _hdr(bits=0x0040) + _Q,
         answer=[WWW_A], edns="none", check=lambda c, r: []),
    Case("AD set in a query: answered, AD clear", raw=lambda: build_query(f"www.{Z}",
         flags=["ad"]), noflags="tc ra ad", answer=[WWW_A], edns="none"),
    Case("RD and CD together are copied", raw=lambda: build_query(f"www.{Z}", flags=["rd", "cd"]),
         flags="qr aa rd cd", answer=[WWW_A], edns="none",
         knot={"flags": "qr aa rd", "why": "cd-copied"}),
    Case("opcode 6 (DSO, RFC 8490) over UDP is NOTIMP", raw=lambda: build_query(opcode=6),
         rcode="NOTIMP", flags="qr", noflags="aa tc ra", answer=[], edns=None),
    Case("QDCOUNT 0 with EDNS is FORMERR", raw=lambda: build_query(questions=[], edns={}),
         **FORMERR),
    Case("a record in the answer section of a query",
         raw=lambda: _hdr(an=1) + _Q + _A_RECORD, answer=[WWW_A], edns="none"),
    Case("a record in the authority section of a query",
         raw=lambda: _hdr(ns=1) + _Q + _A_RECORD, answer=[WWW_A], edns="none"),
    Case("an A record beside the OPT in additional",
         raw=lambda: _hdr(ar=2) + _Q + _A_RECORD + _opt(), answer=[WWW_A]),

    # --- names (RFC 1035 §2.3.4, §4.1.4; RFC 4343)
    Case("a 63-byte label is a name like any other", raw=lambda: _hdr() + _question(
        "x" * 63 + f".{Z}", 1), rcode="NXDOMAIN", answer=[], authority=[SOA_NEG], edns="none"),
    Case("a name of exactly 255 bytes is a name like any other", raw=lambda: _hdr() + _question(
        ".".join(["y" * 63] * 3 + ["z" * 43]) + f".{Z}", 1), rcode="NXDOMAIN", answer=[],
        authority=[SOA_NEG], edns="none"),
    Case("binary label bytes (0x00 and 0xff) in a name", raw=lambda: _hdr() + _q_binary(),
         rcode="NXDOMAIN", answer=[], authority=[SOA_NEG], edns="none"),
]

ALL_CASES = ZONE_CASES + RAW_CASES + PROTOCOL_CASES


def run_case(case: Case, port: int, host: str = "127.0.0.1"):
    """Sends the case's query; returns a Response, or None when no reply came."""
    if case.raw is not None:
        payload = case.raw()
        if case.tcp:
            try:
                data = dnstest.tcp_exchange(port, payload, host=host)
            except OSError:
                data = None
        else:
            data = dnstest.udp_exchange(port, payload, host=host)
        if data is None:
            return None
        resp = dnstest.parse_message(data)
        resp.transport = "tcp" if case.tcp else "udp"
        return resp
    return dnstest.dig(port, case.qname, case.qtype, *case.options, qclass=case.qclass,
                       host=host, rd=case.rd, tcp=case.tcp, allow_none=True)


def _multiset(records) -> list:
    return sorted(r.key() for r in records)


def problems(case: Case, resp) -> list:
    """Every way the response differs from the case's expectations (empty list = pass)."""
    if case.reply == "no":
        return [] if resp is None else [f"expected no reply, got:\n{resp}"]
    if resp is None:
        return [] if case.reply == "maybe" else ["no reply"]
    if case.reply == "maybe":
        return [] if resp.rcode == "FORMERR" else [f"expected no reply or FORMERR, got:\n{resp}"]
    out = []
    if resp.rcode != case.rcode:
        out.append(f"rcode {resp.rcode}, expected {case.rcode}")
    missing = set(case.flags.split()) - resp.flags
    extra = set(case.noflags.split()) & resp.flags
    if missing:
        out.append(f"flags {sorted(missing)} not set")
    if extra:
        out.append(f"flags {sorted(extra)} must not be set")
    for sec in ("answer", "authority", "additional"):
        want = getattr(case, sec)
        if want is None:
            continue
        exp = sorted(dnstest.rr(s).key() for s in want)
        got = _multiset(resp.section(sec))
        if exp != got:
            lost = list((Counter(exp) - Counter(got)).elements())
            surplus = list((Counter(got) - Counter(exp)).elements())
            out.append(f"{sec} differs: missing {lost}, unexpected {surplus}")
    if case.edns == "none" and resp.edns is not None:
        out.append("OPT in the response to a query without EDNS")
    if case.edns == "v0":
        if resp.edns is None:
            out.append("no OPT in the response to an EDNS query")
        elif resp.edns.version != 0:
            out.append(f"OPT version {resp.edns.version}, expected 0")
    if case.udp is not None and (resp.edns is None or resp.edns.udp != case.udp):
        out.append(f"OPT payload size {resp.edns.udp if resp.edns else None}, expected {case.udp}")
    if case.do is not None and (resp.edns is None or ("do" in resp.edns.flags) != case.do):
        out.append(f"DO bit in the response is not {case.do}")
    if resp.question and case.raw is None:
        qn = resp.question[0][0].lower()
        if qn != (case.qname.lower() if case.qname.endswith(".") else case.qname.lower() + "."):
            out.append(f"question name {resp.question[0][0]} is not the one asked")
    if case.check is not None:
        out.extend(case.check(case, resp))
    return out
