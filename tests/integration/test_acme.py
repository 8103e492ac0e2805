# certbot's DNS-01 challenge through dnsd, end to end, offline (issue 13): the real certbot with
# its dns-rfc2136 plugin against Debian's pebble test CA, which validates by asking dnsd. Each
# step is checked: certbot's zone lookup (an SOA query, TSIG-signed, RD clear, over TCP), the TXT
# records it adds (TTL 120, watched with dig while it runs), the certificate (both names), and
# the cleanup (nothing left, serial moved). Also nsupdate -y by hand, as the README shows it.
# DNSD_IT_TARGET=knot runs the same checks against knotd with the same key and policy, which
# shows the harness itself is right.
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402

ZONE = "example.test."
KEY = "acme.example.test."
SECRET = "YWNtZS10ZXN0LWtleS1hY21lLXRlc3Qta2V5LWFjbWUhIQ=="
NAMES = ("www.example.test", "*.example.test")
CHALLENGES = ("_acme-challenge.www.example.test.", "_acme-challenge.example.test.")
CERTBOT_TTL = 120  # certbot-dns-rfc2136 adds its records with this TTL
RUN_DEADLINE_S = 240.0  # certbot, pebble and dnsd on a loaded machine: bounded, not a margin
# The tutorial's case: the parent zone stays at its DNS provider and delegates only the
# challenge name to dnsd (NS records at the parent), so dnsd serves it as a zone of its own.
DELEGATED_ZONE = "_acme-challenge.example.org."
DELEGATED_NAMES = ("example.org", "*.example.org")
DELEGATED_ZONE_TEXT = f"""$ORIGIN {DELEGATED_ZONE}
$TTL 300
@   IN SOA ns1.example.test. hostmaster.example.test. 1 3600 300 604800 60
@   IN NS  ns1.example.test.
"""
ZONE_TEXT = f"""$ORIGIN {ZONE}
$TTL 300
@   IN SOA ns1.example.test. hostmaster.example.test. 7 3600 300 604800 60
@   IN NS  ns1
ns1 IN A   127.0.0.1
www IN A   127.0.0.1
"""

# The key may add and delete TXT records (the default type) at the challenge names: the default
# "_acme-challenge" covers _acme-challenge.www too (a relative name stands for that name at every
# node of the zone). The delegated zone is configured as README "Certificates for the custom
# domain" does it. Neither zone is offered for transfer: dnsd answers certbot's signed SOA query
# (its zone lookup) for every zone it serves.
DNSD_TOML = f"""
[[key]]
name = "{KEY}"
algorithm = "hmac-sha256"
secret_file = "acme.secret"
update_zones = ["{ZONE}", "{DELEGATED_ZONE}"]
update_names = ["_acme-challenge", "{DELEGATED_ZONE}"]

[[zone]]
name = "{ZONE}"
file = "example.test.zone"

[[zone]]
name = "{DELEGATED_ZONE}"
ns = ["ns1.example.test."]
[zone.soa]
mname = "ns1.example.test."
rname = "hostmaster.example.test."
serial = 1
"""


class KnotUpdates(dnstest.Server):
    """knotd with the same zone, key and policy (harness check: DNSD_IT_TARGET=knot)."""

    name = "knotd"

    def __init__(self, zones: dict, secret: Path):
        """zones maps zone name -> master file."""
        super().__init__()
        owners = list(CHALLENGES) + [DELEGATED_ZONE]
        self.config = self.dir / "knot.conf"
        self.config.write_text(
            f"server:\n    listen: 127.0.0.1@{self.port}\n    rundir: {self.dir}\n"
            f"key:\n  - id: {KEY}\n    algorithm: hmac-sha256\n"
            f"    secret: {secret.read_text().strip()}\n"
            f"acl:\n  - id: acme\n    key: {KEY}\n    action: update\n"
            "    update-owner: name\n    update-owner-match: equal\n"
            f"    update-owner-name: [ {', '.join(owners)} ]\n    update-type: [ TXT ]\n"
            f"database:\n    storage: {self.dir}\n"
            "log:\n  - target: stderr\n    any: info\n"
            f"template:\n  - id: default\n    storage: {self.dir}\n    zonefile-sync: -1\n"
            "    journal-content: changes\n"
            "zone:\n" + "".join(f"  - domain: {name}\n    file: {path}\n    acl: acme\n"
                                 for name, path in zones.items()))
        self.config.chmod(0o600)

    def argv(self) -> list:
        return [dnstest.require_tool("knotd"), "-c", str(self.config)]


class Pebble(dnstest.Server):
    """Debian's pebble test CA on 127.0.0.1, validating DNS-01 by asking dns_port. Its own TLS
    certificate is made here with openssl; certbot trusts exactly that one."""

    name = "pebble"

    def __init__(self, dns_port: int):
        super().__init__()
        self.management_port = dnstest.free_port(ipv6=False)
        self.dns_port = dns_port
        self.ca = self.dir / "pebble.pem"
        subprocess.run(
            [dnstest.require_tool("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=pebble",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(self.dir / "pebble.key"),
             "-out", str(self.ca)], check=True, capture_output=True, timeout=60)
        self.config = self.dir / "pebble.json"
        self.config.write_text(
            '{"pebble": {'
            f'"listenAddress": "127.0.0.1:{self.port}", '
            f'"managementListenAddress": "127.0.0.1:{self.management_port}", '
            f'"certificate": "{self.ca}", "privateKey": "{self.dir / "pebble.key"}", '
            '"httpPort": 5002, "tlsPort": 5001, "ocspResponderURL": "", '
            '"externalAccountBindingRequired": false}}\n')
        # NOSLEEP: validate at once, not after 0-15 s; NONCEREJECT=0: no random badNonce.
        # PEBBLE_VA_ALWAYS_VALID stays unset: pebble must really find the TXT records.
        self.env = {k: v for k, v in os.environ.items() if k != "PEBBLE_VA_ALWAYS_VALID"}
        self.env.update(PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0")

    def argv(self) -> list:
        return [dnstest.require_tool("pebble"), "-config", str(self.config),
                "-dnsserver", f"127.0.0.1:{self.dns_port}"]

    def stop(self):
        # Go's default SIGTERM action ends pebble by the signal: that is its clean stop.
        code = super().stop()
        return 0 if code == -signal.SIGTERM else code

    def ready(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False


def serial(port: int, zone: str = ZONE) -> int:
    resp = dnstest.dig(port, zone, "SOA")
    soa = [r for r in resp.answer if r.type == "SOA"]
    assert soa, f"no SOA in the answer:\n{resp.raw_text}"
    return int(soa[0].rdata.split()[2])


def txt_records(port: int, name: str) -> tuple:
    """(rcode, [(ttl, rdata)]) of a TXT query for name, RD clear, over UDP."""
    resp = dnstest.dig(port, name, "TXT")
    return resp.rcode, [(r.ttl, r.rdata) for r in resp.answer if r.type == "TXT"]


class AcmeThroughDns(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.creds = Path(dnstest.tempfile.mkdtemp(prefix="acme-it-"))
        (cls.creds / "example.test.zone").write_text(ZONE_TEXT)
        (cls.creds / "delegated.zone").write_text(DELEGATED_ZONE_TEXT)
        secret = cls.creds / "acme.secret"
        secret.write_text(SECRET + "\n")
        secret.chmod(0o600)
        cls.is_dnsd = dnstest.target_kind() == "dnsd"
        if not cls.is_dnsd:
            cls.dns = cls.own(KnotUpdates({ZONE: cls.creds / "example.test.zone",
                                           DELEGATED_ZONE: cls.creds / "delegated.zone"},
                                          secret).start())
        else:
            cls.dns = cls.own(dnstest.Dnsd(
                DNSD_TOML, [cls.creds / "example.test.zone", secret],
                extra_server='update_log = "updates.log"\n').start())
        cls.pebble = cls.own(Pebble(cls.dns.port).start())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        dnstest.shutil.rmtree(cls.creds, ignore_errors=True)

    def dns_log(self) -> str:
        return self.dns.stderr_path.read_text(errors="replace")

    def signed_soa_answers(self, zone: str) -> "int | None":
        """How many signed SOA queries for zone dnsd answered (it logs each one, as it does a
        secondary's: "SOA ZONE from CLIENT key KEY: SOA only (serial N)..."); None for knotd."""
        if not self.is_dnsd:
            return None
        line = re.compile(rf"^(?:{dnstest.LOG_TIMESTAMP})?dnsd: SOA {re.escape(zone)} from 127\.0\.0\.1 key {re.escape(KEY)}: "
                          r"SOA only", re.M)
        return len(line.findall(self.dns_log()))

    def assertNoSecret(self, text: str, where: str):
        self.assertNotIn(SECRET, text, f"the TSIG secret appears in {where}")

    # --- certbot's zone lookup: exactly the query it sends

    def test_the_signed_soa_query_with_rd_clear_over_tcp_finds_the_zone(self):
        before = self.signed_soa_answers(ZONE)
        resp = dnstest.dig(self.dns.port, ZONE, "SOA", "-y", f"hmac-sha256:{KEY}:{SECRET}",
                           tcp=True)
        self.assertEqual(resp.rcode, "NOERROR", resp.raw_text)
        self.assertIn("aa", resp.flags, resp.raw_text)
        self.assertNotIn("rd", resp.flags, resp.raw_text)
        self.assertEqual([(r.owner, r.type) for r in resp.answer], [(ZONE, "SOA")], resp.raw_text)
        # dig checks the response's TSIG: signed with the same key, and it verified.
        self.assertIn("TSIG PSEUDOSECTION", resp.raw_text)
        self.assertNotRegex(resp.raw_text, r"(?i)verify|BADSIG|BADKEY|BADTIME")
        # certbot walks up from the challenge name: below the apex there is no SOA to find.
        below = dnstest.dig(self.dns.port, CHALLENGES[0], "SOA", "-y",
                            f"hmac-sha256:{KEY}:{SECRET}", tcp=True)
        self.assertNotIn("SOA", [r.type for r in below.answer], below.raw_text)
        if before is not None:
            self.assertEqual(self.signed_soa_answers(ZONE) - before, 1,
                             f"dnsd did not log the signed SOA answer:\n{self.dns_log()}")
        self.assertNoSecret(self.dns_log(), "the DNS server's log")

    # --- the whole ACME run

    def test_certbot_gets_a_certificate_for_both_names_and_leaves_nothing_behind(self):
        """www.example.test and *.example.test: two challenge names in example.test."""
        self.certbot_run(NAMES, ZONE, {CHALLENGES[0]: 1, CHALLENGES[1]: 1}, "NXDOMAIN")

    def test_certbot_updates_a_challenge_zone_delegated_from_the_parent(self):
        """The README's setup: the parent (example.org, at a DNS provider) delegates only
        _acme-challenge.example.org to dnsd; certbot finds that zone by its SOA and adds both
        records (example.org and *.example.org share the name) at its apex."""
        self.certbot_run(DELEGATED_NAMES, DELEGATED_ZONE, {DELEGATED_ZONE: 2}, "NOERROR",
                         csr=True)

    def certbot_run(self, names: tuple, zone: str, challenges: dict, rcode_when_empty: str,
                    csr: bool = False):
        """Runs certbot for names; challenges maps each challenge name to the number of TXT
        records it must get. Checks every step, and that afterwards the names are as before.
        csr: sign a CSR made beforehand (the tutorial's `cf custom-domain-get-csr` file) with
        --csr, as the README's command does, instead of letting certbot make the key."""
        port = self.dns.port
        serial_before = serial(port, zone)
        soa_before = self.signed_soa_answers(zone)
        for name in challenges:
            self.assertEqual(txt_records(port, name), (rcode_when_empty, []))
        work = self.creds / f"certbot-{zone}"
        ini = self.creds / "rfc2136.ini"
        ini.write_text(f"dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = {port}\n"
                       f"dns_rfc2136_name = {KEY}\ndns_rfc2136_secret = {SECRET}\n"
                       "dns_rfc2136_algorithm = HMAC-SHA256\n")
        ini.chmod(0o600)
        env = dict(os.environ, REQUESTS_CA_BUNDLE=str(self.pebble.ca))
        out_path = self.creds / f"certbot-{zone}.out"
        argv = [dnstest.require_tool("certbot"), "certonly", "--non-interactive",
                "--config-dir", str(work / "config"), "--work-dir", str(work / "work"),
                "--logs-dir", str(work / "logs"),
                "--server", f"https://127.0.0.1:{self.pebble.port}/dir",
                "--agree-tos", "--register-unsafely-without-email",
                "--dns-rfc2136", "--dns-rfc2136-credentials", str(ini),
                "--dns-rfc2136-propagation-seconds", "1"]
        for name in names:
            argv += ["-d", name]
        work.mkdir()
        if csr:
            subprocess.run(
                [dnstest.require_tool("openssl"), "req", "-new", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(work / "key1.pem"),
                 "-out", str(work / "key1_unsigned.pem"), "-subj", f"/CN={names[-1]}",
                 "-addext", "subjectAltName=" + ",".join(f"DNS:{n}" for n in names)],
                check=True, capture_output=True, timeout=60)
            argv += ["--csr", "key1_unsigned.pem"]  # writes 0000_cert.pem etc. here
            cert = work / "0000_cert.pem"
        else:
            argv += ["--cert-name", "it"]
            cert = work / "config" / "live" / "it" / "cert.pem"
        with open(out_path, "wb") as out:
            certbot = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env=env, cwd=work)
        # Watch the challenge names with dig while certbot runs: the records stay up at least
        # the propagation second plus pebble's validation, so a dig loop sees them.
        seen = {name: set() for name in challenges}
        end = time.monotonic() + RUN_DEADLINE_S
        try:
            while certbot.poll() is None and time.monotonic() < end:
                for name in challenges:
                    seen[name].update(txt_records(port, name)[1])
        finally:
            if certbot.poll() is None:
                certbot.kill()
            certbot.wait()
        output = out_path.read_text(errors="replace")
        self.assertEqual(certbot.returncode, 0, f"certbot failed:\n{output}\n"
                         f"{self.pebble.stderr_text(30)}\n{self.dns.stderr_text(30)}")

        # Each challenge name got its TXT records (key authorization digests, 43 base64url
        # characters), with certbot's TTL.
        for name, count in challenges.items():
            self.assertEqual(len(seen[name]), count, f"{name}: {seen[name]}")
            for ttl, rdata in seen[name]:
                self.assertEqual(ttl, CERTBOT_TTL, name)
                self.assertRegex(rdata, r'^"[A-Za-z0-9_-]{43}"$', name)

        text = subprocess.run([dnstest.require_tool("openssl"), "x509", "-in", str(cert), "-noout",
                               "-text"], capture_output=True, text=True, check=True).stdout
        sans = re.search(r"X509v3 Subject Alternative Name:.*\n\s*(.*)", text).group(1)
        self.assertEqual(sorted(s.strip() for s in sans.split(",")),
                         sorted(f"DNS:{name}" for name in names), text)
        self.assertRegex(text, r"Issuer: CN ?= ?Pebble Intermediate CA", text)

        # The cleanup deleted every record it added, and with them the names it created; the
        # serial moved (one add and one delete per record).
        for name in challenges:
            self.assertEqual(txt_records(port, name), (rcode_when_empty, []), name)
        serial_after = serial(port, zone)
        self.assertGreater(serial_after, serial_before)
        self.assertLess(serial_after - serial_before, 2**31)

        # certbot found the zone with a signed SOA query over TCP before each update, and dnsd
        # logged every update: an add with TTL 120 and a delete per record.
        if soa_before is not None:
            self.assertGreaterEqual(self.signed_soa_answers(zone) - soa_before,
                                    2 * sum(challenges.values()))
            log = self.dns_log()
            for name, count in challenges.items():
                for change in (f"add {name} {CERTBOT_TTL} TXT", f"delete {name} "):
                    lines = [line for line in log.splitlines()
                             if dnstest.log_message(line).startswith(f"update: key={KEY} zone={zone} ")
                             and "rcode=NOERROR" in line and f'changes="{change}' in line]
                    self.assertEqual(len(lines), count, f"{change!r} log lines:\n{log}")
        # No secret in any output: the DNS server's log, pebble's, certbot's output and logs.
        self.assertNoSecret(self.dns_log(), "the DNS server's log")
        self.assertNoSecret(self.pebble.stderr_path.read_text(errors="replace"), "pebble's log")
        self.assertNoSecret(output, "certbot's output")
        for log in (work / "logs").glob("*"):
            self.assertNoSecret(log.read_text(errors="replace"), f"certbot's {log.name}")

    # --- nsupdate -y by hand, as in the README

    def test_nsupdate_adds_and_deletes_a_challenge_record_over_udp_and_tcp(self):
        port = self.dns.port
        for zone, name, rcode_when_empty in ((ZONE, CHALLENGES[1], "NXDOMAIN"),
                                             (DELEGATED_ZONE, DELEGATED_ZONE, "NOERROR")):
            for transport in ("udp", "tcp"):
                with self.subTest(name=name, transport=transport):
                    start = serial(port, zone)
                    value = f"by-hand-over-{transport}"
                    self.nsupdate(transport, zone, f"update add {name} {CERTBOT_TTL} TXT {value}")
                    self.assertEqual(txt_records(port, name),
                                     ("NOERROR", [(CERTBOT_TTL, f'"{value}"')]))
                    added = serial(port, zone)
                    self.assertGreater(added, start)
                    self.nsupdate(transport, zone, f"update delete {name} TXT {value}")
                    self.assertEqual(txt_records(port, name), (rcode_when_empty, []))
                    self.assertGreater(serial(port, zone), added)

    def nsupdate(self, transport: str, zone: str, line: str):
        script = (f"server 127.0.0.1 {self.dns.port}\nzone {zone}\n{line}\nsend\nanswer\n")
        argv = [dnstest.require_tool("nsupdate"), "-y", f"hmac-sha256:{KEY}:{SECRET}", "-t", "10"]
        if transport == "tcp":
            argv.append("-v")
        proc = subprocess.run(argv, input=script, capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, f"nsupdate {line!r}:\n{proc.stdout}{proc.stderr}\n"
                         f"{self.dns.stderr_text(20)}")
        self.assertIn("status: NOERROR", proc.stdout)


if __name__ == "__main__":
    dnstest.main()
