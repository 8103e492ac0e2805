#!/usr/bin/env python3
# A random-name flood with DO=1 against a signed zone (issue 16): rate limiting decides before
# the on-demand signature of each new name's compact-denial NSEC, so a dropped response costs no
# signature and a slipped one (TC) carries none. Counted by dnsd's own metrics
# (dnsd_dnssec_signatures_total, dnsd_dnssec_denial_cache_total): with [rrl] on, exactly one
# signature per response sent whole; with [rrl] off, one per name. One UDP worker (per address):
# the cache and the slip sequence are that thread's, so the counts are exact.
import os
import re
import shutil
import struct
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from admin_client import AdminClient, admin_toml, write_token  # noqa: E402
from dnswire import build_query  # noqa: E402
import test_dnssec as signed  # noqa: E402  (keygen, zone_body, ZONE)

RATE = 20          # [rrl] responses per second per bucket
SLIP = 2
FLOOD = 400        # random names asked
QUIET_S = 1.0      # "dropped": no reply within this long after the last one came
DEADLINE_S = 30.0  # bound on one flood, sending and receiving


def flood(port: int, source: str, count: int, tag: str) -> dict:
    """Sends `count` DO=1 queries for new names from `source` as fast as it can; classifies
    the replies: whole (signed: an RRSIG in authority), slipped (TC, nothing but the question),
    or other; no reply within QUIET_S after the last one is a drop."""
    def query(qid):
        return build_query(f"{tag}-{qid}-{os.getpid()}.{signed.ZONE}", "A", qid=qid,
                           edns=dict(version=0, udp=1232, do=True))

    def classify(data):
        _, flags, _, ancount, nscount, arcount = struct.unpack("!HHHHHH", data[:12])
        if flags & 0x0200 and ancount == nscount == arcount == 0:
            return "slipped"
        # RRSIG is type 46: b"\x00\x2e\x00\x01" (type, class IN) after an owner name.
        return "signed" if b"\x00\x2e\x00\x01" in data[12:] else "unsigned"

    replies, sent_s = dnstest.udp_burst(port, source, count, query, classify, QUIET_S, DEADLINE_S)
    kinds = list(replies.values())
    return {k: kinds.count(k) for k in ("signed", "slipped", "unsigned")} | {
        "dropped": count - len(replies), "sent_s": round(sent_s, 3)}


def counter(page: str, family: str, label: str, value: str) -> int:
    m = re.search(r'(?m)^%s\{%s="%s"\} (\S+)$' % (family, label, value), page)
    assert m, f"no {family}{{{label}={value}}} in the metrics page"
    return int(float(m.group(1)))


class FloodCase(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.keydir = Path(tempfile.mkdtemp(prefix="dnssec-keys-"))
        cls.key = signed.keygen(cls.keydir)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.keydir, ignore_errors=True)

    def start_dnsd(self, rrl: bool):
        admin_port = dnstest.free_port(ipv6=False)
        rrl_toml = (f"\n[rrl]\nenabled = true\nrate = {RATE}\nslip = {SLIP}\nwindow = \"5s\"\n"
                    "ipv4_prefix = 32\n" if rrl else "")
        dnsd = dnstest.Dnsd(rrl_toml + signed.zone_body([self.key]) +
                            admin_toml(admin_port, "admin.token"), files=[self.key], workers=1)
        os.chmod(dnsd.dir / self.key.name, 0o600)
        token = write_token(dnsd.dir / "admin.token")
        self.own(dnsd.start())

        def metrics() -> str:
            code, body, _ = AdminClient(admin_port, token).request("GET", "/metrics")
            self.assertEqual(code, 200)
            return body if isinstance(body, str) else body.decode()
        return dnsd, metrics

    def counts(self, page: str) -> tuple:
        return (counter(page, "dnsd_dnssec_signatures_total", "kind", "on_demand"),
                counter(page, "dnsd_dnssec_denial_cache_total", "result", "miss"),
                counter(page, "dnsd_dnssec_denial_cache_total", "result", "hit"))

    def test_with_rrl_only_responses_sent_whole_cost_a_signature(self):
        dnsd, metrics = self.start_dnsd(rrl=True)
        signatures0, misses0, _ = self.counts(metrics())
        got = flood(dnsd.port, "127.0.0.2", FLOOD, "rrl")
        print(f"# [rrl] on, {FLOOD} new names: {got}", file=sys.stderr)
        signatures, misses, _ = self.counts(metrics())
        self.assertEqual(got["unsigned"], 0, got)
        self.assertGreater(got["slipped"], 0, got)
        self.assertGreater(got["dropped"], 0, got)
        # One key: one signature, and one cache miss, per response sent whole; none for the
        # dropped and slipped ones.
        self.assertEqual(signatures - signatures0, got["signed"], got)
        self.assertEqual(misses - misses0, got["signed"], got)
        # The bucket's bounds (as integration.rrl): a quarter second's worth through the prefix
        # gate, one second's at once, then `rate` a second while the flood is being sent.
        self.assertLessEqual(got["signed"], RATE * (1.25 + got["sent_s"]) + 1, got)
        # A name asked again is a hit and still answered signed (TCP: never limited).
        for _ in range(2):
            resp = dnstest.kdig(dnsd.port, f"again.{signed.ZONE}", "A", "+dnssec", tcp=True)
            self.assertIn("NSEC", [r.type for r in resp.authority], str(resp))
        _, _, hits = self.counts(metrics())
        self.assertGreaterEqual(hits, 1)

    def test_without_rrl_every_new_name_costs_a_signature(self):
        dnsd, metrics = self.start_dnsd(rrl=False)
        signatures0, _, _ = self.counts(metrics())
        got = flood(dnsd.port, "127.0.0.2", 100, "open")
        print(f"# [rrl] off, 100 new names: {got}", file=sys.stderr)
        signatures, _, _ = self.counts(metrics())
        self.assertEqual(got["slipped"] + got["unsigned"], 0, got)
        self.assertGreaterEqual(got["signed"], 90, got)
        # A reply lost on its way back was still signed, so what dnsd counts is at least what
        # came back signed (and at most one per name).
        self.assertGreaterEqual(signatures - signatures0, got["signed"])
        self.assertLessEqual(signatures - signatures0, 100)


if __name__ == "__main__":
    dnstest.main()
