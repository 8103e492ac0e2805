#!/usr/bin/env python3
# dnsd behind a real resolver: unbound with a stub-zone for example.test pointing at dnsd,
# queried with dig (RD set). unbound uses 0x20 (use-caps-for-id), so dnsd must echo the case.
# DNSD_IT_TARGET=knot puts knotd behind unbound instead (validates this harness).
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import dnstest  # noqa: E402
from cases import BIGTXT_COUNT, SOA_NEG, Z  # noqa: E402
from dnstest import rr  # noqa: E402

TTL_SLACK_S = 10  # the resolver hands out the remaining TTL; allow for a slow run


class ThroughUnbound(dnstest.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.auth = cls.own(dnstest.start_target(with_other_zone=False))
        cls.resolver = cls.own(dnstest.Unbound(Z, cls.auth.port).start())

    def resolve(self, qname, qtype="A"):
        resp = dnstest.dig(self.resolver.port, qname, qtype, rd=True)
        # A resolver answer: RD echoed, RA set, not authoritative.
        self.assertTrue({"qr", "rd", "ra"} <= resp.flags, str(resp))
        self.assertNotIn("aa", resp.flags, str(resp))
        return resp

    def assertRecords(self, got, expected):
        """Same records; each TTL at most the zone's and no more than TTL_SLACK_S below it."""
        def no_ttl(r):
            owner, _ttl, *rest = r.key()
            return (owner, *rest)
        want = {no_ttl(rr(s)): rr(s).ttl for s in expected}
        self.assertEqual(sorted(no_ttl(r) for r in got), sorted(want),
                         "\n".join(str(r) for r in got))
        for r in got:
            self.assertTrue(want[no_ttl(r)] - TTL_SLACK_S <= r.ttl <= want[no_ttl(r)],
                            f"TTL of {r}")

    def test_a(self):
        resp = self.resolve(f"www.{Z}")
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertRecords(resp.answer, [f"www.{Z} 300 IN A 192.0.2.80"])

    def test_aaaa_mixed_case_query(self):
        resp = self.resolve("MAIL.Example.TEST.", "AAAA")
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertRecords(resp.answer, [f"mail.{Z} 600 IN AAAA 2001:db8::25"])

    def test_cname_chain(self):
        resp = self.resolve(f"chain1.{Z}")
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertRecords(resp.answer, [f"chain1.{Z} 3600 IN CNAME chain2.{Z}",
                                         f"chain2.{Z} 3600 IN CNAME chain3.{Z}",
                                         f"chain3.{Z} 3600 IN CNAME www.{Z}",
                                         f"www.{Z} 300 IN A 192.0.2.80"])

    def test_nxdomain(self):
        resp = self.resolve(f"nx.{Z}")
        self.assertEqual(resp.rcode, "NXDOMAIN", str(resp))
        self.assertEqual(resp.answer, [])
        self.assertRecords(resp.authority, [SOA_NEG])

    def test_nodata(self):
        resp = self.resolve(f"www.{Z}", "MX")
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertEqual(resp.answer, [])
        self.assertRecords(resp.authority, [SOA_NEG])

    def test_wildcard(self):
        resp = self.resolve(f"anything.wild.{Z}")
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertRecords(resp.answer, [f"anything.wild.{Z} 3600 IN A 192.0.2.100"])

    def test_wildcard_cname(self):
        resp = self.resolve(f"x.cw.{Z}")
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertRecords(resp.answer, [f"x.cw.{Z} 120 IN CNAME www.{Z}",
                                         f"www.{Z} 300 IN A 192.0.2.80"])

    def test_truncated_answer_fetched_over_tcp_by_the_resolver(self):
        # 1.8 KB does not fit unbound's EDNS buffer: dnsd sets TC, unbound retries over TCP.
        resp = dnstest.dig(self.resolver.port, f"bigtxt.{Z}", "TXT", rd=True, tcp=True)
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertEqual(len(resp.answer), BIGTXT_COUNT, str(resp))

    def test_cached_answer_served_again(self):
        first = self.resolve(f"ns1.{Z}")
        second = self.resolve(f"ns1.{Z}")
        self.assertEqual([r.rdata for r in first.answer], ["192.0.2.53"])
        self.assertEqual([r.rdata for r in second.answer], ["192.0.2.53"])


if __name__ == "__main__":
    dnstest.main()
