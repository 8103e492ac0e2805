# Catalog zone (RFC 9432 v2): a real Knot DNS secondary with `catalog-role: interpret` and a
# template whose primary is dnsd (TSIG key) transfers dnsd's catalog, then transfers and serves
# the member zones it lists; a [[zone]] added to dnsd's config and reloaded (SIGHUP) reaches
# Knot through the catalog alone, without touching Knot's config: the reload gives the catalog
# the next serial by itself and dnsd's signed NOTIFY ([[secondary]]) makes Knot fetch it at once
# (its SOA refresh is an hour away, and nobody asks it by hand).
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402

KEY = "xfr-key.example."
SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="  # test key only
CATALOG = "catalog.invalid."
DEADLINE_S = 30  # Knot's transfers and catalog processing, on a loaded CI machine


def member_zone(name: str, address: str) -> str:
    """A [[zone]] without profiles (those are not transferred yet), transferable with the key."""
    return f"""
[[zone]]
name = "{name}"
default_ttl = 300
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
[[zone.record]]
name = "ns1"
type = "A"
data = "192.0.2.53"
[[zone.record]]
name = "www"
type = "A"
data = "{address}"
[[zone.transfer]]
key = "{KEY}"
"""


def catalog_toml(serial: int) -> str:
    # No `zones` key: every zone with [[zone.transfer]] entries is a member.
    return f"""
[catalog]
name = "{CATALOG}"
serial = {serial}
[[catalog.transfer]]
key = "{KEY}"
"""


KEY_TOML = f'[[key]]\nname = "{KEY}"\nsecret_file = "xfr.secret"\n'
# Knot is dnsd's [[secondary]]: told of every new serial by NOTIFY, signed with the key.
SECONDARY_TOML = '[[secondary]]\naddress = "127.0.0.1"\nport = {port}\nkey = "' + KEY + '"\n'
FIRST = KEY_TOML + member_zone("example.test.", "192.0.2.80") + catalog_toml(1)
# The reload adds a zone and leaves the catalog's configured serial alone: dnsd must move the
# serial itself (by [publish] serial_policy, default increment) for Knot to see a newer catalog.
SECOND = (KEY_TOML + member_zone("example.test.", "192.0.2.80") +
          member_zone("added.test.", "192.0.2.81") + catalog_toml(1))


class KnotCatalogSecondary(dnstest.Server):
    """knotd whose only configured zone is the catalog; its members come from the catalog."""

    name = "knotd"

    def __init__(self, primary_port: int):
        super().__init__()
        self.binary = dnstest.require_tool("knotd")
        self.socket = self.dir / "knot.sock"
        listen = ", ".join(f"{a}@{self.port}" for a in ("127.0.0.1", "::1")[:1 + dnstest.HAS_IPV6])
        self.config = self.dir / "knot.conf"
        self.config.write_text(
            "server:\n"
            f"    listen: [ {listen} ]\n"
            f"    rundir: {self.dir}\n"
            "log:\n  - target: stderr\n    any: info\n"
            f"database:\n    storage: {self.dir}\n"
            f"control:\n    listen: {self.socket}\n"
            f"key:\n  - id: {KEY}\n    algorithm: hmac-sha256\n    secret: {SECRET}\n"
            f"remote:\n  - id: dnsd\n    address: 127.0.0.1@{primary_port}\n    key: {KEY}\n"
            "template:\n"
            f"  - id: default\n    storage: {self.dir}\n    zonefile-sync: -1\n"
            "    journal-content: none\n"
            # What every member zone gets: dnsd as its primary, with the same key.
            f"  - id: member\n    storage: {self.dir}\n    master: dnsd\n"
            "    zonefile-sync: -1\n    journal-content: none\n"
            # dnsd's NOTIFY for the catalog is taken from loopback with the key.
            f"acl:\n  - id: notify\n    address: 127.0.0.0/8\n    key: {KEY}\n"
            "    action: notify\n"
            f"zone:\n  - domain: {CATALOG}\n    master: dnsd\n    acl: notify\n"
            "    catalog-role: interpret\n    catalog-template: member\n")

    def argv(self) -> list:
        return [self.binary, "-c", str(self.config)]

    def ready(self) -> bool:
        # Up once it answers at all (REFUSED for a zone it does not hold yet is an answer).
        q = dnstest.build_query(CATALOG, "SOA")
        return dnstest.udp_exchange(self.port, q, timeout_s=0.3) is not None

    def knotc(self, *args: str) -> subprocess.CompletedProcess:
        knotc = dnstest.require_tool("knotc")
        return dnstest._run([knotc, "-s", str(self.socket), *args], 30)

    def catalog_serial(self):
        # Knot does not answer queries for a catalog it interprets (REFUSED): ask knotc.
        status = self.knotc("zone-status", CATALOG).stdout
        match = re.search(r"serial: (\d+)", status)
        return int(match.group(1)) if match else None


def addresses(port: int, qname: str) -> list:
    answer = dnstest.dig(port, qname, "A", allow_none=True)
    if answer is None or answer.rcode != "NOERROR":
        return []
    return [rr.rdata for rr in answer.answer if rr.type == "A"]


def soa_serial(port: int, zone: str):
    answer = dnstest.dig(port, zone, "SOA", allow_none=True)
    if answer is None or answer.rcode != "NOERROR" or not answer.answer:
        return None
    return int(answer.answer[0].rdata.split()[2])


class CatalogToKnot(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        # Each needs the other's port: both are picked first, then dnsd's config names Knot.
        cls.dnsd = dnstest.Dnsd(FIRST)
        (cls.dnsd.dir / "xfr.secret").write_text(SECRET + "\n")
        cls.knot = KnotCatalogSecondary(cls.dnsd.port)
        cls.secondary = SECONDARY_TOML.format(port=cls.knot.port)
        cls.dnsd.config.write_text(cls.dnsd.config.read_text().replace(
            FIRST, cls.secondary + FIRST))
        cls.own(cls.dnsd).start()
        cls.own(cls.knot).start()

    def dnsd_log(self) -> str:
        return self.dnsd.stderr_path.read_text(errors="replace")

    def wait_served_by_knot(self, qname: str, address: str) -> None:
        dnstest.wait_until(DEADLINE_S, lambda: addresses(self.knot.port, qname) == [address],
                           f"Knot to serve {qname} A {address}", poll_s=0.2)

    def test_dnsd_serves_the_catalog_records_by_transfer(self):
        proc = dnstest._run([dnstest.require_tool("dig"), "@127.0.0.1", "-p", str(self.dnsd.port),
                             "-y", f"hmac-sha256:{KEY}:{SECRET}", "+nocmd", "+nostats",
                             CATALOG, "AXFR"], 30)
        records = [line.split() for line in proc.stdout.splitlines()
                   if line and not line.startswith(";") and "\tTSIG\t" not in line]
        self.assertEqual(records[0][3], "SOA", proc.stdout)
        self.assertIn(["invalid.", "invalid."], [r[4:6] for r in records if r[3] == "SOA"])
        self.assertIn([f"version.{CATALOG}", "0", "IN", "TXT", '"2"'], records)
        self.assertIn([CATALOG, "0", "IN", "NS", "invalid."], records)
        # example.test. (and added.test. once the reload test has run), each under its id.
        members = {r[4]: r[0] for r in records if r[3] == "PTR"}
        self.assertEqual(members.get("example.test."), f"1b4132c087a4d979.zones.{CATALOG}",
                         proc.stdout)
        for owner in members.values():
            self.assertRegex(owner, rf"^[0-9a-f]{{16}}\.zones\.{re.escape(CATALOG)}$")

    def test_knot_transfers_the_catalog_then_serves_its_member(self):
        self.wait_served_by_knot("www.example.test.", "192.0.2.80")
        log = self.dnsd_log()
        self.assertRegex(log, rf"(AXFR|IXFR) {re.escape(CATALOG)} from 127\.0\.0\.1 key "
                              rf"{re.escape(KEY)}: full zone")
        self.assertRegex(log, rf"(AXFR|IXFR) example\.test\. from 127\.0\.0\.1 key "
                              rf"{re.escape(KEY)}: full zone")
        # A zone of Knot's now, from the catalog alone.
        self.assertRegex(self.knot.knotc("zone-status", "example.test.").stdout,
                         rf"\[example\.test\.\] role: slave .*catalog: {re.escape(CATALOG)}")

    def test_a_zone_added_and_reloaded_reaches_knot_through_the_catalog(self):
        self.wait_served_by_knot("www.example.test.", "192.0.2.80")
        self.assertEqual(addresses(self.knot.port, "www.added.test."), [])
        tmp = self.dnsd.config.with_suffix(".new")
        serial = soa_serial(self.dnsd.port, CATALOG)
        dnstest.wait_until(DEADLINE_S, lambda: self.knot.catalog_serial() == serial,
                           f"Knot to hold the catalog at serial {serial}", poll_s=0.2)
        tmp.write_text(self.dnsd.config.read_text().replace(FIRST, SECOND))
        os.replace(tmp, self.dnsd.config)  # atomically: a reload never reads half a file
        marker = "dnsd: reloaded "
        before = self.dnsd_log().count(marker)
        os.kill(self.dnsd.proc.pid, signal.SIGHUP)
        dnstest.wait_until(10, lambda: self.dnsd_log().count(marker) > before, "the reload")
        # The configured serial stayed 1: the catalog's new members gave it the next serial.
        after = soa_serial(self.dnsd.port, CATALOG)
        self.assertIsNotNone(after)
        self.assertTrue(0 < (after - serial) % 2**32 < 2**31, (serial, after))  # RFC 1982 newer
        self.assertEqual(addresses(self.dnsd.port, "www.added.test."), ["192.0.2.81"])
        # No knotc zone-refresh: dnsd's NOTIFY alone makes Knot fetch the new catalog.
        self.wait_served_by_knot("www.added.test.", "192.0.2.81")
        self.assertEqual(addresses(self.knot.port, "www.example.test."), ["192.0.2.80"])
        self.assertEqual(self.knot.catalog_serial(), after)
        self.assertRegex(self.knot.stderr_path.read_text(errors="replace"),
                         rf"\[{re.escape(CATALOG)}\] notify, incoming, remote 127\.0\.0\.1")


if __name__ == "__main__":
    dnstest.main()
