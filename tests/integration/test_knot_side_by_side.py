#!/usr/bin/env python3
# Side by side with Knot DNS (the reference, as Knot's own tests-extra compare with BIND): the same
# zone file in knotd and dnsd, every query of cases.py (plus the plain ones again over TCP) sent
# to both, and rcode, header flags, OPT and each section compared. A difference fails unless
# EXPLAINED_DIFFERENCES names it with the RFC that justifies it.
# DNSD_IT_TARGET=knot puts a second knotd in dnsd's place (validates this harness: 0 differences).
import concurrent.futures
import dataclasses
import fnmatch
import sys
from pathlib import Path
from typing import Callable, Optional

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases  # noqa: E402
import dnstest  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Explained:
    id: str
    case: str               # fnmatch pattern over the case name
    aspect: str             # reply | rcode | flags | edns | edns-options | question | <section>
    knot: Optional[object]  # the value Knot gives (None = any)
    dnsd: Optional[object]  # the value dnsd gives (None = any)
    why: str                # the RFC (and the issue) that makes dnsd's answer right too
    when: Optional[Callable] = None  # extra condition on (knot response, dnsd response)


def _only_cd(knot, dnsd) -> bool:
    """The flags differ by CD alone, set by dnsd only."""
    return knot is not None and dnsd is not None and set(dnsd.flags) ^ set(knot.flags) == {"cd"} \
        and "cd" in dnsd.flags


EXPLAINED_DIFFERENCES = [
    Explained("notify", "NOTIFY is REFUSED", "rcode", "NOTAUTH", "REFUSED",
              "RFC 1996 §3.10 leaves the refusal code open; RFC 1035 §4.1.1 REFUSED = refused "
              "for policy. dnsd does not take NOTIFY yet (issue #2); Knot answers NOTAUTH from "
              "its ACL check."),
    Explained("update", "UPDATE is REFUSED", "rcode", "NOTAUTH", "REFUSED",
              "RFC 2136 §2.2/§3.3: REFUSED when the server will not perform an update for "
              "policy reasons. This zone has no [[key]] with an update policy, so dnsd "
              "refuses (README Dynamic updates); Knot answers NOTAUTH from its ACL check."),
    Explained("xfr", "[AI]XFR over *", "rcode", "NOTAUTH", "REFUSED",
              "RFC 1035 §4.1.1 gives zone transfer as the example of REFUSED; RFC 5936 §2.2.1 "
              "allows it. These zones have no transfer ACL, so dnsd refuses; Knot answers "
              "NOTAUTH for a transfer its ACL denies."),
    Explained("qdcount2", "QDCOUNT 2 is FORMERR (RFC 9619)", "reply", "no reply", "reply",
              "RFC 9619 §4: a QUERY with QDCOUNT > 1 is malformed and is answered FORMERR. "
              "Knot 3.2 predates RFC 9619 and drops it."),
    Explained("qdcount2", "QDCOUNT 2 is FORMERR (RFC 9619)", "rcode", "-", "FORMERR",
              "RFC 9619 §4 (see the reply entry)."),
    Explained("ede", "*", "edns-options", ("EDE: 20 (Not Authoritative)",), (),
              "RFC 8914 §3: Extended DNS Errors are optional (MAY); Knot adds EDE 20 to "
              "REFUSED for names outside its zones, dnsd sends none."),
    Explained("cookies", "DNS COOKIE*", "edns-options", (), None,
              "RFC 7873 §5.2.3: a server that implements cookies answers a client cookie with "
              "a server cookie; this Knot runs without mod-cookies (test_cookies compares "
              "dnsd with a Knot that has it, secret for secret)."),
    *[Explained("opt-owner", "OPT owned by a name other than the root is FORMERR", aspect, None,
                None, "RFC 6891 §6.1.2: the OPT's OWNER MUST be 0 (the root); an OPT that breaks "
                "the spec is malformed and FORMERR (§6.1.1). Knot 3.2 ignores the owner.")
      for aspect in ("rcode", "flags", "edns", "answer")],
    *[Explained("ecs-family", "Client Subnet with an unknown family is FORMERR*", aspect, None,
                None, "RFC 7871 §6 and §7.1: a malformed ECS option (an unknown FAMILY) is "
                "answered FORMERR; Knot 3.2 without its geoip module ignores the option.")
      for aspect in ("rcode", "flags", "answer")],
    Explained("cd-copied", "*", "flags", None, None,
              "RFC 4035 §3.1.6: the name server MUST copy the CD bit from the query to the "
              "response; dnsd does, Knot 3.2 (no DNSSEC zone) clears it.", when=_only_cd),
    Explained("chaos-aa", "CHAOS *", "flags", ("qr",), ("aa", "qr"),
              "RFC 4892 §2 leaves the id.server/version.bind answer to the server, and RFC 1035 "
              "§4.1.1 sets AA when the responder is the authority for the name: dnsd is the "
              "only source of its own CHAOS data (BIND sets AA there too); Knot does not."),
    Explained("any-choice", "ANY *", "answer", None, None,
              "RFC 8482 §4.1: the responder picks which one RRset answers ANY (both answer "
              "one complete RRset; test_answers checks that for dnsd)."),
    Explained("garbage", "garbage: *", "reply", None, None,
              "RFC 1035 §4.1.1 / issue #2: a message that cannot be parsed is dropped or "
              "answered FORMERR; both are correct, and test_answers checks dnsd survives."),
    Explained("garbage", "garbage: *", "rcode", None, None,
              "RFC 1035 §4.1.1 (see the reply entry)."),
]

# Knot behaviour that cases.py encodes as per-target overrides must be explained above.
_OVERRIDE_IDS = {c.knot["why"] for c in cases.ALL_CASES if c.knot}


def tcp_variants() -> list:
    """The plain UDP cases again over TCP (same expectations, another transport)."""
    return [dataclasses.replace(c, name=f"{c.name} [tcp]", tcp=True)
            for c in cases.ZONE_CASES
            if not c.tcp and not c.options and c.raw is None and "tc" not in c.flags]


def edns_view(resp) -> object:
    if resp is None or resp.edns is None:
        return None
    return (resp.edns.version, resp.edns.udp, tuple(sorted(resp.edns.flags)))


def compare(knot, dnsd) -> list:
    """[(aspect, knot value, dnsd value)] for every aspect where the two responses differ."""
    if knot is None or dnsd is None:
        if knot is None and dnsd is None:
            return []
        return [("reply", "no reply" if knot is None else "reply",
                 "no reply" if dnsd is None else "reply")] + \
            ([("rcode", "-", dnsd.rcode)] if knot is None else [("rcode", knot.rcode, "-")])
    diffs = []
    for aspect, get in (("rcode", lambda r: r.rcode), ("opcode", lambda r: r.opcode),
                        ("flags", lambda r: tuple(sorted(r.flags))),
                        ("edns", edns_view),
                        ("edns-options", lambda r: tuple(sorted(r.edns.options)) if r.edns else ()),
                        ("question", lambda r: tuple(r.question))):
        a, b = get(knot), get(dnsd)
        if a != b:
            diffs.append((aspect, a, b))
    for sec in ("answer", "authority", "additional"):
        a = sorted(r.key() for r in knot.section(sec))
        b = sorted(r.key() for r in dnsd.section(sec))
        if a != b:
            diffs.append((sec, [str(r) for r in knot.section(sec)],
                          [str(r) for r in dnsd.section(sec)]))
    return diffs


def explain(case_name: str, aspect: str, knot_value, dnsd_value, knot=None,
            dnsd=None) -> Optional[Explained]:
    for e in EXPLAINED_DIFFERENCES:
        if fnmatch.fnmatchcase(case_name, e.case) and e.aspect == aspect \
                and (e.knot is None or e.knot == knot_value) \
                and (e.dnsd is None or e.dnsd == dnsd_value) \
                and (e.when is None or e.when(knot, dnsd)):
            return e
    return None


class SideBySide(dnstest.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        zones = {"example.test.": dnstest.EXAMPLE_ZONE}
        cls.knot = cls.own(dnstest.Knotd(zones).start())
        if dnstest.target_kind() == "knot":
            cls.dnsd = cls.own(dnstest.Knotd(zones).start())
        else:
            cls.dnsd = cls.own(dnstest.start_target(with_other_zone=False))

    def test_overrides_are_explained(self):
        known = {e.id for e in EXPLAINED_DIFFERENCES}
        self.assertEqual(_OVERRIDE_IDS - known, set())

    def test_same_queries_same_answers(self):
        queries = cases.ALL_CASES + tcp_variants()
        self.assertGreaterEqual(len(queries), 60)

        def ask_both(case):
            return cases.run_case(case, self.knot.port), cases.run_case(case, self.dnsd.port)
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(ask_both, queries))

        identical = explained = 0
        unexplained = []
        explained_lines = []
        for case, (knot, dnsd) in zip(queries, results):
            diffs = compare(knot, dnsd)
            if not diffs:
                identical += 1
                continue
            bad = []
            for aspect, a, b in diffs:
                e = explain(case.name, aspect, a, b, knot, dnsd)
                if e is None:
                    bad.append(f"    {aspect}: knot={a!r}\n    {' ' * len(aspect)}  dnsd={b!r}")
                else:
                    explained_lines.append(f"  {case.name}: {aspect} knot={a!r} dnsd={b!r} "
                                           f"[{e.id}]")
            if bad:
                unexplained.append(f"  {case.name} ({case.qname} {case.qclass} {case.qtype}"
                                   f"{' tcp' if case.tcp else ''}):\n" + "\n".join(bad))
            else:
                explained += 1

        summary = (f"side-by-side: {len(queries)} queries, {identical} identical, "
                   f"{explained} explained differences")
        if unexplained:
            summary += f", {len(unexplained)} unexplained"
        print(summary, flush=True)
        if explained_lines:
            print("explained:\n" + "\n".join(explained_lines), flush=True)
        self.assertEqual(unexplained, [], "unexplained differences from Knot:\n"
                         + "\n".join(unexplained) + f"\n{summary}")


if __name__ == "__main__":
    dnstest.main()
