#!/usr/bin/env python3
# Online DNSSEC signing (issue 16) checked by real validators: BIND's delv with the zone's key
# as trust anchor, and unbound (trust-anchor-file with the DS from `dnsctl ds`, stub-zone to
# dnsd) for every answer kind: positive, CNAME out of the zone, NODATA, NXDOMAIN (compact
# denial, RFC 9824), wildcard, referral (signed DS, and the NSEC of an insecure delegation),
# and a health-routed name before and after a failover (tenant_sim 503), NODATA at that name
# (its NSEC lists the name's address types, so an aggressive-NSEC unbound still gets its A).
# Bad cases: a missing key file is a config error naming the file and the key; no expired
# signature is ever served.
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import dnswire  # noqa: E402
import tenants  # noqa: E402
from tenants import EU_IP, US_IP, EndpointSpec, ProbeSettings  # noqa: E402

ZONE = "signed.test."
ROUTED = f"ip.{ZONE}"
MIXED = f"mixed.{ZONE}"  # an IPv4 and an IPv6 endpoint
FAST = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 2.0
POLL_S = 0.05


def dnsctl_binary() -> str:
    return os.environ.get("DNSCTL_BIN") or str(dnstest.REPO_ROOT / "build" / "tools" / "dnsctl")


def keygen(directory: Path, *extra: str) -> Path:
    proc = subprocess.run([dnsctl_binary(), "keygen", ZONE, "--dir", str(directory), *extra],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return Path(proc.stdout.strip())


def zone_body(key_files: list, extra_dnssec: str = "") -> str:
    files = ", ".join(f'"{Path(f).name}"' for f in key_files)
    return (tenants.zone_toml(ZONE, (
        ("www", "A", "192.0.2.1"), ("www", "AAAA", "2001:db8::1"),
        ("alias", "CNAME", "target.example."),
        ("*.wild", "A", "192.0.2.7"),
        ("child", "NS", "ns.child"), ("ns.child", "A", "192.0.2.53"),
        # DS 12345 13 2 abab...: generic form (RFC 3597), TOML-escaped backslash.
        ("child", "DS", "\\\\# 36 30390d02" + "ab" * 32),
        ("plain", "NS", "ns.plain"), ("ns.plain", "A", "192.0.2.54"),
    )) + f"[zone.dnssec]\nkey_files = [{files}]\n{extra_dnssec}")


class DnssecCase(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.keydir = Path(__import__("tempfile").mkdtemp(prefix="dnssec-keys-"))
        cls.key = keygen(cls.keydir)
        eu, us = tenants.start_tenant_pair(None, None, "", "")  # plain HTTP, no auth
        cls.eu, cls.us = cls.own(eu), cls.own(us)
        profile = tenants.profile_toml(
            ROUTED, FAST.monitor_toml(protocol="http", port=cls.eu.port),
            [EndpointSpec("eu", EU_IP, 1), EndpointSpec("us", US_IP, 2)], ttl=1)
        profile += tenants.profile_toml(
            MIXED, FAST.monitor_toml(protocol="http", port=cls.eu.port),
            [EndpointSpec("eu", EU_IP, 1), EndpointSpec("v6", "::1", 2)], ttl=1)
        cls.dnsd = cls.own(tenants.ScenarioDnsd(zone_body([cls.key]) + profile,
                                                files=[cls.key]))
        os.chmod(cls.dnsd.dir / cls.key.name, 0o600)
        cls.dnsd.start()
        ds = subprocess.run([dnsctl_binary(), "ds", str(cls.key)], capture_output=True,
                            text=True, timeout=30)
        assert ds.returncode == 0, ds.stderr
        cls.ds_line = ds.stdout.strip()
        resp = dnstest.dig(cls.dnsd.port, ZONE, "DNSKEY")
        cls.dnskey = [r for r in resp.answer if r.type == "DNSKEY"][0]
        cls.anchors = cls.dnsd.dir / "anchors.conf"
        flags, proto, alg, key = cls.dnskey.rdata.split(None, 3)
        cls.anchors.write_text(f'trust-anchors {{ {ZONE} static-key {flags} {proto} {alg} '
                               f'"{key.replace(" ", "")}"; }};\n')
        cls.unbound = cls.own(ValidatingUnbound(cls.dnsd.port, cls.ds_line).start())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        import shutil
        shutil.rmtree(cls.keydir, ignore_errors=True)

    def delv(self, qname, qtype="A"):
        proc = subprocess.run(
            [dnstest.require_tool("delv"), "@127.0.0.1", "-p", str(self.dnsd.port),
             "-a", str(self.anchors), f"+root={ZONE}", "+nortrace", "+nomtrace", qname, qtype],
            capture_output=True, text=True, timeout=60)
        return proc.stdout + proc.stderr

    def assertValidated(self, qname, qtype="A", negative=False):
        out = self.delv(qname, qtype)
        want = "; fully validated" if not negative else "resolution failed"
        if negative:
            # delv reports a validated negative answer as "; negative response, fully validated"
            self.assertRegex(out, r"negative response, fully validated|fully validated", out)
        else:
            self.assertIn(want, out, out)
        resp = dnstest.dig(self.unbound.port, qname, qtype, "+dnssec", rd=True)
        self.assertIn("ad", resp.flags, f"unbound did not validate {qname} {qtype}\n{resp}")
        return resp

    def test_positive_answer_validates_and_carries_rrsig(self):
        resp = dnstest.kdig(self.dnsd.port, f"www.{ZONE}", "A", "+dnssec")
        self.assertEqual(sorted(r.type for r in resp.answer), ["A", "RRSIG"], str(resp))
        self.assertValidated(f"www.{ZONE}", "A")

    def test_without_do_the_answer_has_no_rrsig(self):
        resp = dnstest.dig(self.dnsd.port, f"www.{ZONE}", "A")
        self.assertEqual([r.type for r in resp.answer], ["A"], str(resp))

    def test_dnskey_and_cds_are_at_the_apex(self):
        resp = dnstest.dig(self.dnsd.port, ZONE, "CDS", "+dnssec")
        self.assertIn("CDS", [r.type for r in resp.answer], str(resp))
        cds = [r for r in resp.answer if r.type == "CDS"][0].rdata.split()
        self.assertEqual(" ".join(cds[:3]), " ".join(self.ds_line.split()[3:6]), str(resp))
        self.assertValidated(ZONE, "DNSKEY")

    def test_cname_out_of_the_zone_validates(self):
        self.assertValidated(f"alias.{ZONE}", "CNAME")

    def test_nodata_is_a_compact_nsec_at_the_name(self):
        resp = dnstest.dig(self.dnsd.port, f"www.{ZONE}", "TXT", "+dnssec")
        nsec = [r for r in resp.authority if r.type == "NSEC"]
        self.assertEqual(len(nsec), 1, str(resp))
        self.assertTrue(nsec[0].rdata.startswith(f"\\000.www.{ZONE}"), str(resp))
        self.assertValidated(f"www.{ZONE}", "TXT", negative=True)

    def test_missing_name_is_nodata_with_nxname_unless_co(self):
        resp = dnstest.dig(self.dnsd.port, f"nope.{ZONE}", "A", "+dnssec")
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        nsec = [r for r in resp.authority if r.type == "NSEC"]
        self.assertEqual(len(nsec), 1, str(resp))
        self.assertIn("TYPE128", nsec[0].rdata.upper(), str(resp))
        self.assertValidated(f"nope.{ZONE}", "A", negative=True)
        # Without DO it is still the plain NXDOMAIN.
        self.assertEqual(dnstest.dig(self.dnsd.port, f"nope.{ZONE}", "A").rcode, "NXDOMAIN")

    def test_co_flag_gets_nxdomain(self):
        # dig 9.18 sends no CO flag (RFC 9824 §4: the EDNS flag after DO, 0x4000): a raw query.
        query = bytearray(dnswire.build_query(f"nope2.{ZONE}", "A", edns=dict(do=True)))
        query[-4] |= 0x40  # the OPT's TTL: ext-rcode, version, then the flags' high byte
        response = dnswire.udp_exchange(self.dnsd.port, bytes(query))
        self.assertIsNotNone(response)
        self.assertEqual(response[3] & 0xf, 3, "NXDOMAIN with CO")
        query[-4] &= ~0x40 & 0xff
        response = dnswire.udp_exchange(self.dnsd.port, bytes(query))
        self.assertEqual(response[3] & 0xf, 0, "NOERROR without CO")

    def test_nxname_query_is_formerr(self):
        resp = dnstest.dig(self.dnsd.port, f"www.{ZONE}", "TYPE128", "+dnssec")
        self.assertEqual(resp.rcode, "FORMERR", str(resp))

    def test_wildcard_answer_validates(self):
        resp = dnstest.dig(self.dnsd.port, f"any.wild.{ZONE}", "A", "+dnssec")
        self.assertIn("RRSIG", [r.type for r in resp.answer], str(resp))
        self.assertValidated(f"any.wild.{ZONE}", "A")

    def test_referral_carries_signed_ds_or_nsec_and_unsigned_ns(self):
        resp = dnstest.dig(self.dnsd.port, f"www.child.{ZONE}", "A", "+dnssec")
        types = [r.type for r in resp.authority]
        self.assertIn("DS", types, str(resp))
        sigs = [r.rdata.split()[0] for r in resp.authority if r.type == "RRSIG"]
        self.assertEqual(sigs, ["DS"], f"only the DS is signed at a cut\n{resp}")
        self.assertFalse([r for r in resp.additional if r.type == "RRSIG"], str(resp))
        resp = dnstest.dig(self.dnsd.port, f"www.plain.{ZONE}", "A", "+dnssec")
        self.assertIn("NSEC", [r.type for r in resp.authority], str(resp))
        self.assertValidated(f"child.{ZONE}", "DS")
        self.assertValidated(f"plain.{ZONE}", "DS", negative=True)

    def test_health_routed_name_validates_before_and_after_failover(self):
        def answer():
            resp = dnstest.dig(self.dnsd.port, ROUTED, "A", "+dnssec")
            return [r.rdata for r in resp.answer if r.type == "A"]
        dnstest.wait_until(FAST.first_verdict_worst_s() + SLACK_S * 3,
                           lambda: answer() == [EU_IP], "the EU endpoint to answer", POLL_S)
        self.assertValidated(ROUTED, "A")
        self.eu.set_mode("503")
        try:
            dnstest.wait_until(FAST.degrade_worst_s() + SLACK_S, lambda: answer() == [US_IP],
                               "the failover to US", POLL_S)
            out = self.delv(ROUTED, "A")
            self.assertIn("; fully validated", out, out)
            self.assertIn(US_IP, out, out)
        finally:
            self.eu.set_mode("up")

    def test_nodata_at_a_health_routed_name_lists_its_address_types(self):
        # TXT and AAAA at a profile of IPv4 endpoints: NODATA that delv and unbound validate,
        # whose NSEC lists A (what the name answers) but neither the type asked for nor CNAME.
        for qtype in ("TXT", "AAAA"):
            resp = dnstest.kdig(self.dnsd.port, ROUTED, qtype, "+dnssec")
            self.assertEqual(resp.rcode, "NOERROR", str(resp))
            self.assertEqual(resp.answer, [], str(resp))
            nsec = [r for r in resp.authority if r.type == "NSEC"]
            self.assertEqual(len(nsec), 1, str(resp))
            types = nsec[0].rdata.split()[1:]
            self.assertIn("A", types, str(resp))
            self.assertNotIn(qtype, types, str(resp))
            self.assertNotIn("CNAME", types, str(resp))
            self.assertValidated(ROUTED, qtype, negative=True)
        # Both families at a profile of an IPv4 and an IPv6 endpoint, whatever the pick.
        resp = dnstest.kdig(self.dnsd.port, MIXED, "TXT", "+dnssec")
        types = [r for r in resp.authority if r.type == "NSEC"][0].rdata.split()[1:]
        self.assertEqual(sorted(t for t in types if t in ("A", "AAAA", "CNAME", "TXT")),
                         ["A", "AAAA"], str(resp))
        self.assertValidated(MIXED, "TXT", negative=True)
        # A resolver reusing cached NSECs (RFC 8198, unbound aggressive-nsec) still gets the
        # address after a NODATA at the name: its NSEC did not deny A. A fresh unbound, so
        # neither the A nor the NSEC is cached from another test.
        fresh = self.own(ValidatingUnbound(self.dnsd.port, self.ds_line, aggressive=True).start())
        resp = dnstest.dig(fresh.port, ROUTED, "TXT", "+dnssec", rd=True)
        self.assertIn("ad", resp.flags, str(resp))
        self.assertEqual(resp.answer, [], str(resp))
        resp = dnstest.dig(fresh.port, ROUTED, "A", "+dnssec", rd=True)
        self.assertIn("ad", resp.flags, str(resp))
        self.assertTrue([r for r in resp.answer if r.type == "A"],
                        f"the cached NSEC denied A at {ROUTED}\n{resp}")

    def test_no_expired_signature_is_served(self):
        now = int(time.time())
        for qname, qtype in ((f"www.{ZONE}", "A"), (ZONE, "DNSKEY"), (f"nope.{ZONE}", "A")):
            resp = dnstest.dig(self.dnsd.port, qname, qtype, "+dnssec")
            for r in resp.answer + resp.authority:
                if r.type == "RRSIG":
                    expiration = r.rdata.split()[4]
                    self.assertGreater(time.mktime(time.strptime(expiration, "%Y%m%d%H%M%S")) -
                                       time.timezone, now, str(resp))


class ValidatingUnbound(dnstest.Unbound):
    """unbound validating with the zone's DS as trust anchor, the zone stubbed to dnsd."""

    def __init__(self, stub_port: int, ds_line: str, aggressive: bool = False):
        super().__init__(ZONE, stub_port)
        anchor = self.dir / "anchor.ds"
        anchor.write_text(ds_line + "\n")
        text = self.config.read_text()
        text = text.replace('    module-config: "iterator"\n',
                            '    module-config: "validator iterator"\n'
                            f'    trust-anchor-file: "{anchor}"\n'
                            "    val-log-level: 2\n" +
                            ("    aggressive-nsec: yes\n" if aggressive else ""))
        text = text.replace(f'    domain-insecure: "{ZONE}"\n', "")
        self.config.write_text(text)


class ShortValidityCase(dnstest.ServerTestCase):
    """Signatures valid 12 s, re-signed when 8 s are left: answers are watched across a
    re-signing, and none may carry an expired (or nearly expired) signature."""

    def test_resigned_before_expiry(self):
        keydir = Path(__import__("tempfile").mkdtemp(prefix="dnssec-keys-"))
        key = keygen(keydir, "--algorithm", "ed25519")
        dnsd = self.own(dnstest.Dnsd(zone_body([key], 'validity = "12s"\nrefresh = "8s"\n'
                                              'inception_offset = "0s"\n'), files=[key]))
        os.chmod(dnsd.dir / key.name, 0o600)
        dnsd.start()
        expirations = set()

        def check():
            resp = dnstest.dig(dnsd.port, f"www.{ZONE}", "A", "+dnssec")
            now = time.time()
            for r in resp.answer:
                if r.type == "RRSIG":
                    exp = time.mktime(time.strptime(r.rdata.split()[4], "%Y%m%d%H%M%S")) - \
                        time.timezone
                    self.assertGreater(exp, now, f"an expired signature was served\n{resp}")
                    expirations.add(exp)
            return len(expirations) >= 2
        dnstest.wait_until(30, check, "a second signing run", 0.2)
        self.assertIn("dnssec: re-signed", dnsd.stderr_text(200))
        import shutil
        shutil.rmtree(keydir, ignore_errors=True)


class ConfigErrorCase(dnstest.ServerTestCase):
    def test_missing_key_file_is_a_config_error_naming_file_and_key(self):
        dnsd = dnstest.Dnsd(zone_body(["Kmissing.key"]))
        self.addCleanup(dnsd.cleanup)
        proc = dnsd.check_config()
        self.assertNotEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        text = proc.stdout + proc.stderr
        self.assertIn("Kmissing.key", text)
        self.assertRegex(text, r"zone\[0\]\.dnssec\.key_files\[0\]", text)
        self.assertRegex(text, r"dnsd\.toml:\d+", text)

    def test_signed_zone_with_transfers_is_refused(self):
        keydir = Path(__import__("tempfile").mkdtemp(prefix="dnssec-keys-"))
        self.addCleanup(__import__("shutil").rmtree, keydir, True)
        key = keygen(keydir)
        dnsd = dnstest.Dnsd(zone_body([key]) + '[[zone.transfer]]\naddress = "127.0.0.1"\n',
                            files=[key])
        self.addCleanup(dnsd.cleanup)
        proc = dnsd.check_config()
        out = proc.stdout + proc.stderr
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertIn("zone[0].dnssec", out)
        self.assertIn("secondaries would serve its DNSKEY without signatures", out)

    def test_key_file_content_never_appears_in_errors(self):
        keydir = Path(__import__("tempfile").mkdtemp(prefix="dnssec-keys-"))
        key = keygen(keydir)
        text = key.read_text()
        body = text[text.index("-----BEGIN"):].splitlines()[1]
        key.write_text(text.replace("zone: signed.test.", "zone: other.test."))
        dnsd = dnstest.Dnsd(zone_body([key]), files=[key])
        self.addCleanup(dnsd.cleanup)
        os.chmod(dnsd.dir / key.name, 0o600)
        proc = dnsd.check_config()
        out = proc.stdout + proc.stderr
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertIn("is for zone other.test.", out)
        self.assertNotIn(body[:16], out)
        import shutil
        shutil.rmtree(keydir, ignore_errors=True)


if __name__ == "__main__":
    dnstest.main()
