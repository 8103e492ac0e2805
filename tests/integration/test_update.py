# Dynamic updates (RFC 2136, issue 13): the real nsupdate -y adding and deleting TXT records
# under _acme-challenge. over UDP and TCP, each change served by the very next dig, the serial
# bumped, kept across a reload and a restart (the update log replayed, a torn tail cut off, the
# entry fdatasync'd before the answer, seen with strace); config and master-file records kept;
# and each refusal: no key, an unknown key, a bad MAC, a name or type outside the key's policy,
# a zone not served, every failing prerequisite, an oversized update, a flood from one key (six
# in a row, and 300 sent at once while queries go on).
# None of those changes anything (checked with dig); each gets its RCODE and a log line, and
# the answer to a verified key is signed whatever its RCODE. And fairness (issue 13/12): while
# another client floods, unsigned or signed with its own key, nsupdate's first try succeeds.
from __future__ import annotations

import base64
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from dnswire import encode_name, parse_message  # noqa: E402
from secondaries import KnotSecondary  # noqa: E402
from xfr_client import signed, tsig_of  # noqa: E402

KEY = "acme-key.example."
SECRET = base64.b64encode(b"update-secret-update-secret-0123").decode()
WRONG_SECRET = base64.b64encode(b"not-the-secret-not-the-secret-01").decode()
FLOOD_KEY = "flood-key.example."
BURST_KEY = "burst-key.example."
BURST = 300  # UPDATE messages sent at once, without waiting for answers
SMALL_KEY = "small-key.example."
ZONE = "example.test."
OTHER = "other.test."  # served, but not in the key's update_zones
FILE_ZONE = "file.test."  # read from a master file
FILE_ZONE_TEXT = f"""$ORIGIN {FILE_ZONE}
$TTL 300
@   IN SOA ns1 hostmaster 5 3600 300 604800 60
@   IN NS  ns1
ns1 IN A   192.0.2.53
fixed._acme-challenge IN TXT "from the master file"
"""
CHALLENGE = f"_acme-challenge.{ZONE}"

CONFIG = f"""
[[key]]
name = "{KEY}"
secret_file = "acme.secret"
update_zones = ["{ZONE}", "{FILE_ZONE}"]
update_ttl_max = 3600

[[key]]
name = "{FLOOD_KEY}"
secret_file = "acme.secret"
update_zones = ["{ZONE}"]
update_rate = 2

[[key]]
name = "{SMALL_KEY}"
secret_file = "acme.secret"
update_zones = ["{ZONE}"]
update_max_records = 2

[[key]]
name = "{BURST_KEY}"
secret_file = "acme.secret"
update_zones = ["{ZONE}"]
update_rate = 2

[[key]]
name = "no-policy.example."
secret_file = "acme.secret"

[[zone]]
name = "{ZONE}"
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 100
[[zone.record]]
name = "ns1"
type = "A"
data = "192.0.2.53"
[[zone.record]]
name = "fixed._acme-challenge"
type = "TXT"
data = '"from the config"'

[[zone]]
name = "{OTHER}"
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 7

[[zone]]
name = "{FILE_ZONE}"
file = "file.test.zone"
"""

TYPE = {"A": 1, "SOA": 6, "TXT": 16, "ANY": 255}
CLASS = {"IN": 1, "NONE": 254, "ANY": 255}


def rr(name: str, rtype: str, rclass: str = "IN", ttl: int = 0, rdata: bytes = b"") -> bytes:
    return encode_name(name) + struct.pack("!HHIH", TYPE[rtype], CLASS[rclass], ttl,
                                           len(rdata)) + rdata


def txt(text: str) -> bytes:
    return bytes([len(text)]) + text.encode()


def update_message(zone: str, prereqs=(), updates=(), qid: int = 0x1234) -> bytes:
    header = struct.pack("!HHHHHH", qid, 5 << 11, 1, len(prereqs), len(updates), 0)
    return header + encode_name(zone) + struct.pack("!HH", 6, 1) + b"".join(prereqs) + \
        b"".join(updates)


class Updates(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dnsd = dnstest.Dnsd(CONFIG, extra_server='update_log = "updates.log"')
        (cls.dnsd.dir / "acme.secret").write_text(SECRET + "\n")
        (cls.dnsd.dir / "acme.secret").chmod(0o600)
        (cls.dnsd.dir / "file.test.zone").write_text(FILE_ZONE_TEXT)
        cls.own(cls.dnsd).start()
        cls.port = cls.dnsd.port

    # --- helpers -----------------------------------------------------------------------------

    def nsupdate(self, commands: str, *, key: str = KEY, secret: str = SECRET, tcp: bool = False,
                 signed_with_key: bool = True) -> subprocess.CompletedProcess:
        argv = [dnstest.require_tool("nsupdate")]
        if signed_with_key:
            argv += ["-y", f"hmac-sha256:{key}:{secret}"]
        if tcp:
            argv.append("-v")
        script = f"server 127.0.0.1 {self.port}\nzone {ZONE}\n{commands}\nsend\n"
        return subprocess.run(argv, input=script, capture_output=True, text=True, timeout=60)

    def txt_records(self, name: str = CHALLENGE, tcp: bool = False) -> list:
        resp = dnstest.dig(self.port, name, "TXT", tcp=tcp)
        return sorted(r.rdata for r in resp.answer if r.type == "TXT")

    def serial(self, zone: str = ZONE) -> int:
        resp = dnstest.dig(self.port, zone, "SOA")
        return int(resp.answer[0].rdata.split()[2])

    def exchange(self, message: bytes, tcp: bool = False) -> bytes:
        if tcp:
            reply = dnstest.tcp_exchange(self.port, message, timeout_s=10)
        else:
            reply = dnstest.udp_exchange(self.port, message, timeout_s=10)
        self.assertIsNotNone(reply, "no response")
        return reply

    def send_signed(self, prereqs=(), updates=(), *, zone: str = ZONE, key: str = KEY,
                    tcp: bool = False) -> str:
        reply = self.exchange(signed(update_message(zone, prereqs, updates), key, SECRET), tcp)
        return parse_message(reply).rcode

    def log_lines(self, *needles: str) -> list:
        text = self.dnsd.stderr_path.read_text(errors="replace")
        return [line for line in text.splitlines()
                if "update:" in line and all(n in line for n in needles)]

    def wait_log(self, *needles: str) -> list:
        return dnstest.wait_until(10, lambda: self.log_lines(*needles),
                                  f"a log line with {needles}")

    def assert_unchanged(self, before_serial: int, name: str = CHALLENGE, before_txt=None):
        self.assertEqual(self.serial(), before_serial)
        if before_txt is not None:
            self.assertEqual(self.txt_records(name), before_txt)

    # --- what works --------------------------------------------------------------------------

    def test_nsupdate_adds_and_deletes_over_udp_each_served_by_the_next_query(self):
        name = f"udp.{CHALLENGE}"
        before = self.serial()
        proc = self.nsupdate(f'update add {name} 120 TXT "token-udp"')
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(self.txt_records(name), ['"token-udp"'])
        resp = dnstest.dig(self.port, name, "TXT")
        self.assertEqual(resp.answer[0].ttl, 120)
        self.assertIn("aa", resp.flags)
        added = self.serial()
        self.assertEqual(added, before + 1)
        self.assertTrue(self.log_lines(f"key={KEY}", "rcode=NOERROR", "add", "token-udp"))
        proc = self.nsupdate(f'update delete {name} 120 TXT "token-udp"')
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(self.txt_records(name), [])
        self.assertEqual(dnstest.dig(self.port, name, "TXT").rcode, "NXDOMAIN")
        self.assertEqual(self.serial(), added + 1)

    def test_nsupdate_adds_and_deletes_over_tcp(self):
        name = f"tcp.{CHALLENGE}"
        proc = self.nsupdate(f'update add {name} 120 TXT "token-tcp"', tcp=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(self.txt_records(name, tcp=True), ['"token-tcp"'])
        self.assertTrue(self.log_lines("transport=tcp", "token-tcp"))
        proc = self.nsupdate(f"update delete {name} TXT", tcp=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(self.txt_records(name), [])

    def test_the_response_is_signed_with_the_request_key(self):
        reply = self.exchange(signed(update_message(ZONE), KEY, SECRET))
        self.assertEqual(parse_message(reply).rcode, "NOERROR")
        tsig = tsig_of(reply)
        self.assertIsNotNone(tsig)
        self.assertEqual(tsig.key, KEY)
        self.assertEqual(tsig.error, 0)

    def test_refusals_to_a_known_key_are_signed_with_it_too(self):
        # RFC 8945 §5.3: only a TSIG failure (BADKEY, BADSIG, BADTIME) goes back unsigned; a
        # policy refusal or a failing prerequisite is an answer to a verified request.
        cases = [
            ("REFUSED", (), [rr(f"www.{ZONE}", "TXT", ttl=60, rdata=txt("x"))]),
            ("NXDOMAIN", [rr(f"missing.{ZONE}", "ANY", "ANY")], ()),
            ("NOTZONE", (), [rr(f"_acme-challenge.{OTHER}", "TXT", ttl=60, rdata=txt("x"))]),
        ]
        for rcode, prereqs, updates in cases:
            with self.subTest(rcode=rcode):
                reply = self.exchange(signed(update_message(ZONE, prereqs, updates), KEY, SECRET))
                self.assertEqual(parse_message(reply).rcode, rcode)
                tsig = tsig_of(reply)
                self.assertIsNotNone(tsig, f"{rcode} went back unsigned")
                self.assertEqual((tsig.key, tsig.error), (KEY, 0))

    def test_a_delete_of_a_config_record_is_refused_and_the_record_stays(self):
        name = f"fixed.{CHALLENGE}"
        before = self.serial()
        proc = self.nsupdate(f"update delete {name} TXT")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("REFUSED", proc.stdout + proc.stderr)
        self.assertEqual(self.txt_records(name), ['"from the config"'])
        self.assert_unchanged(before)
        self.wait_log("rcode=REFUSED", "config or master file")

    def test_a_delete_of_a_master_file_record_is_refused_and_the_record_stays(self):
        name = f"fixed._acme-challenge.{FILE_ZONE}"
        before = self.serial(FILE_ZONE)
        for update in (rr(name, "TXT", "ANY"), rr(name, "ANY", "ANY"),
                       rr(name, "TXT", "NONE", rdata=txt("from the master file"))):
            with self.subTest(update=update):
                self.assertEqual(self.send_signed(updates=[update], zone=FILE_ZONE), "REFUSED")
        self.assertEqual(self.txt_records(name), ['"from the master file"'])
        self.assertEqual(self.serial(FILE_ZONE), before)
        self.wait_log(f"zone={FILE_ZONE}", "rcode=REFUSED", "config or master file")
        # Updates in the same zone work beside it; the master file's record stays as it was.
        added = f"new._acme-challenge.{FILE_ZONE}"
        self.assertEqual(self.send_signed(updates=[rr(added, "TXT", ttl=60, rdata=txt("n"))],
                                          zone=FILE_ZONE), "NOERROR")
        self.assertEqual(self.txt_records(added), ['"n"'])
        self.assertEqual(self.send_signed(updates=[rr(added, "TXT", "ANY")], zone=FILE_ZONE),
                         "NOERROR")
        self.assertEqual(self.txt_records(name), ['"from the master file"'])

    # --- refusals ----------------------------------------------------------------------------

    def test_an_unsigned_update_is_refused(self):
        before = self.serial()
        proc = self.nsupdate(f'update add nokey.{CHALLENGE} 120 TXT "x"', signed_with_key=False)
        self.assertIn("REFUSED", proc.stdout + proc.stderr)
        self.assertEqual(self.send_signed(), "NOERROR")  # the server still answers
        reply = self.exchange(update_message(ZONE, updates=[
            rr(f"nokey.{CHALLENGE}", "TXT", ttl=60, rdata=txt("x"))]))
        self.assertEqual(parse_message(reply).rcode, "REFUSED")
        self.assert_unchanged(before, f"nokey.{CHALLENGE}", [])
        self.wait_log("key=none", "rcode=REFUSED", "not signed")

    def test_an_unknown_key_gets_notauth_badkey(self):
        before = self.serial()
        message = update_message(ZONE, updates=[rr(f"unknown.{CHALLENGE}", "TXT", ttl=60,
                                                   rdata=txt("x"))])
        reply = self.exchange(signed(message, "someone.example.", SECRET))
        self.assertEqual(parse_message(reply).rcode, "NOTAUTH")
        self.assertEqual(tsig_of(reply).error_text, "BADKEY")
        self.assert_unchanged(before, f"unknown.{CHALLENGE}", [])
        self.wait_log("key=someone.example.", "rcode=NOTAUTH", "BADKEY")

    def test_a_bad_mac_gets_notauth_badsig(self):
        before = self.serial()
        proc = self.nsupdate(f'update add badmac.{CHALLENGE} 120 TXT "x"', secret=WRONG_SECRET)
        self.assertNotEqual(proc.returncode, 0)
        message = update_message(ZONE, updates=[rr(f"badmac.{CHALLENGE}", "TXT", ttl=60,
                                                   rdata=txt("x"))])
        reply = self.exchange(signed(message, KEY, WRONG_SECRET))
        self.assertEqual(parse_message(reply).rcode, "NOTAUTH")
        self.assertEqual(tsig_of(reply).error_text, "BADSIG")
        self.assert_unchanged(before, f"badmac.{CHALLENGE}", [])
        self.wait_log(f"key={KEY}", "rcode=NOTAUTH", "BADSIG")

    def test_a_name_outside_the_policy_is_refused(self):
        before = self.serial()
        proc = self.nsupdate(f'update add www.{ZONE} 120 TXT "x"')
        self.assertIn("REFUSED", proc.stdout + proc.stderr)
        self.assert_unchanged(before, f"www.{ZONE}", [])
        self.wait_log("rcode=REFUSED", "name outside the update policy")

    def test_a_type_outside_the_policy_is_refused(self):
        before = self.serial()
        proc = self.nsupdate(f"check-names no\nupdate add a.{CHALLENGE} 120 A 192.0.2.1")
        self.assertIn("REFUSED", proc.stdout + proc.stderr)
        self.assertEqual(dnstest.dig(self.port, f"a.{CHALLENGE}", "A").answer, [])
        self.assert_unchanged(before)
        self.wait_log("rcode=REFUSED", "type outside the update policy")

    def test_a_ttl_outside_the_policy_is_refused(self):
        before = self.serial()
        self.assertEqual(self.send_signed(updates=[
            rr(f"ttl.{CHALLENGE}", "TXT", ttl=86400, rdata=txt("x"))]), "REFUSED")
        self.assert_unchanged(before, f"ttl.{CHALLENGE}", [])
        self.wait_log("rcode=REFUSED", "TTL 86400")

    def test_a_key_without_an_update_policy_is_refused(self):
        self.assertEqual(self.send_signed(key="no-policy.example.", updates=[
            rr(f"np.{CHALLENGE}", "TXT", ttl=60, rdata=txt("x"))]), "REFUSED")
        self.assertEqual(self.txt_records(f"np.{CHALLENGE}"), [])
        self.wait_log("key=no-policy.example.", "may not update")

    def test_a_zone_not_served_gets_notauth_and_another_zone_of_ours_refused(self):
        self.assertEqual(self.send_signed(zone="elsewhere.example.", updates=[
            rr("_acme-challenge.elsewhere.example.", "TXT", ttl=60, rdata=txt("x"))]), "NOTAUTH")
        self.wait_log("rcode=NOTAUTH", "not served here")
        before_other = int(dnstest.dig(self.port, OTHER, "SOA").answer[0].rdata.split()[2])
        self.assertEqual(self.send_signed(zone=OTHER, updates=[
            rr(f"_acme-challenge.{OTHER}", "TXT", ttl=60, rdata=txt("x"))]), "REFUSED")
        self.assertEqual(int(dnstest.dig(self.port, OTHER, "SOA").answer[0].rdata.split()[2]),
                         before_other)
        self.wait_log(f"may not update zone {OTHER}")

    def test_a_record_outside_the_zone_gets_notzone(self):
        before = self.serial()
        self.assertEqual(self.send_signed(updates=[
            rr(f"_acme-challenge.{OTHER}", "TXT", ttl=60, rdata=txt("x"))]), "NOTZONE")
        self.assert_unchanged(before)
        self.wait_log("rcode=NOTZONE")

    def test_each_failing_prerequisite_gets_its_rcode_and_changes_nothing(self):
        fixed = f"fixed.{CHALLENGE}"
        add = rr(f"pre.{CHALLENGE}", "TXT", ttl=60, rdata=txt("pre"))
        cases = [
            ("NXDOMAIN", rr(f"missing.{ZONE}", "ANY", "ANY")),        # name is in use
            ("NXRRSET", rr(fixed, "A", "ANY")),                      # RRset exists
            ("YXDOMAIN", rr(fixed, "ANY", "NONE")),                  # name is not in use
            ("YXRRSET", rr(fixed, "TXT", "NONE")),                   # RRset does not exist
            ("NXRRSET", rr(fixed, "TXT", "IN", rdata=txt("other"))),  # RRset equals
            ("FORMERR", rr(fixed, "TXT", "ANY", ttl=5)),             # TTL must be 0
            ("NOTZONE", rr(f"x.{OTHER}", "ANY", "ANY")),
        ]
        before = self.serial()
        for rcode, prereq in cases:
            with self.subTest(rcode=rcode):
                self.assertEqual(self.send_signed([prereq], [add]), rcode)
                self.wait_log(f"rcode={rcode}", "prerequisite")
        self.assert_unchanged(before, f"pre.{CHALLENGE}", [])
        # and the prerequisites that hold let the update through
        holding = [rr(fixed, "ANY", "ANY"), rr(fixed, "TXT", "ANY"),
                   rr(f"pre.{CHALLENGE}", "ANY", "NONE"),
                   rr(fixed, "TXT", "IN", rdata=txt("from the config"))]
        self.assertEqual(self.send_signed(holding, [add]), "NOERROR")
        self.assertEqual(self.txt_records(f"pre.{CHALLENGE}"), ['"pre"'])
        self.assertEqual(self.send_signed(updates=[rr(f"pre.{CHALLENGE}", "ANY", "ANY")]),
                         "NOERROR")
        self.assertEqual(self.txt_records(f"pre.{CHALLENGE}"), [])

    def test_nsupdate_prereq_nxdomain_fails_with_yxdomain(self):
        proc = self.nsupdate(f"prereq nxdomain fixed.{CHALLENGE}\n"
                             f'update add p2.{CHALLENGE} 60 TXT "x"')
        self.assertIn("YXDOMAIN", proc.stdout + proc.stderr)
        self.assertEqual(self.txt_records(f"p2.{CHALLENGE}"), [])

    def test_an_oversized_update_is_refused_whole(self):
        before = self.serial()
        updates = [rr(f"big{i}.{CHALLENGE}", "TXT", ttl=60, rdata=txt(f"r{i}")) for i in range(3)]
        self.assertEqual(self.send_signed(updates=updates, key=SMALL_KEY), "REFUSED")
        for i in range(3):
            self.assertEqual(self.txt_records(f"big{i}.{CHALLENGE}"), [])
        self.assert_unchanged(before)
        self.wait_log(f"key={SMALL_KEY}", "rcode=REFUSED", "at most 2")
        # A message with more records than dnsd reads at all (4096) is a FORMERR: 4100 deletes,
        # each owner a pointer to the zone name.
        header = struct.pack("!HHHHHH", 7, 5 << 11, 1, 0, 4100, 0)
        message = header + encode_name(ZONE) + struct.pack("!HH", 6, 1) + \
            (b"\xc0\x0c" + struct.pack("!HHIH", 16, 255, 0, 0)) * 4100
        self.assertEqual(parse_message(self.exchange(signed(message, KEY, SECRET), tcp=True)).rcode,
                         "FORMERR")
        self.assert_unchanged(before)

    def test_the_record_limit_counts_what_the_key_holds_across_updates(self):
        # update_max_records = 2 is what the key holds at once, not per message: two single adds
        # pass, a third is refused whole, and after a delete there is room again.
        names = [f"held{i}.{CHALLENGE}" for i in range(3)]
        add = [[rr(n, "TXT", ttl=60, rdata=txt("h"))] for n in names]
        try:
            self.assertEqual(self.send_signed(updates=add[0], key=SMALL_KEY), "NOERROR")
            self.assertEqual(self.send_signed(updates=add[1], key=SMALL_KEY), "NOERROR")
            before = self.serial()
            refusals = len(self.log_lines(f"key={SMALL_KEY}", "would hold 3 records"))
            self.assertEqual(self.send_signed(updates=add[2], key=SMALL_KEY), "REFUSED")
            self.assert_unchanged(before, names[2], [])
            dnstest.wait_until(10, lambda: len(self.log_lines(
                f"key={SMALL_KEY}", "rcode=REFUSED", "would hold 3 records")) > refusals,
                "the refusal's log line")
            self.assertEqual(self.send_signed(updates=[rr(names[0], "TXT", "ANY")],
                                              key=SMALL_KEY), "NOERROR")
            self.assertEqual(self.send_signed(updates=add[2], key=SMALL_KEY), "NOERROR")
            self.assertEqual(self.txt_records(names[2]), ['"h"'])
        finally:
            for n in names:
                self.send_signed(updates=[rr(n, "TXT", "ANY")], key=SMALL_KEY)

    def test_a_flood_from_one_key_is_rate_limited(self):
        rcodes = []
        for i in range(6):
            rcodes.append(self.send_signed(key=FLOOD_KEY, updates=[
                rr(f"flood{i}.{CHALLENGE}", "TXT", ttl=60, rdata=txt("f"))]))
        # update_rate = 2: the bucket holds two; refills one every 30 s, so at most one more.
        self.assertEqual(rcodes[:2], ["NOERROR", "NOERROR"])
        self.assertGreaterEqual(rcodes.count("REFUSED"), 3, rcodes)
        refused = [i for i, r in enumerate(rcodes) if r == "REFUSED"]
        for i in refused:
            self.assertEqual(self.txt_records(f"flood{i}.{CHALLENGE}"), [])
        lines = self.wait_log(f"key={FLOOD_KEY}", "over its rate")
        self.assertLess(len(lines), len(refused) + 1)
        # other keys are not limited by it
        self.assertEqual(self.send_signed(), "NOERROR")

    def test_a_burst_from_one_key_is_held_to_its_rate_and_queries_are_answered(self):
        # 300 signed UPDATEs sent at once from one socket: the query threads hand them to the
        # update thread's queue (16 slots) or drop them when it is full, and every one is either
        # answered or counted in a "queue full: dropped=N" line (at most one a second). Queries
        # are answered meanwhile, the key's rate (2 a minute) caps what is applied, and its
        # refusals are logged at most once a second.
        names = [f"burst{i}.{CHALLENGE}" for i in range(BURST)]
        messages = [signed(update_message(ZONE, updates=[rr(n, "TXT", ttl=60, rdata=txt("b"))],
                                          qid=0x4000 + i), BURST_KEY, SECRET)
                    for i, n in enumerate(names)]
        before = self.serial()
        drop_lines_before = len(self.log_lines("queue full: dropped="))
        start = time.monotonic()
        probes = 0

        def probe_answered() -> bool:
            nonlocal probes
            probes += 1
            return dnstest.udp_exchange(self.port, signed(update_message(ZONE, qid=0x7777), KEY,
                                                          SECRET), timeout_s=2) is not None

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:  # room for every answer (root may go past rmem_max)
                s.setsockopt(socket.SOL_SOCKET, 33, 4 << 20)  # SO_RCVBUFFORCE
            except OSError:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            for m in messages:
                s.sendto(m, ("127.0.0.1", self.port))
            self.assertIsNotNone(dnstest.dig(self.port, ZONE, "SOA", allow_none=True),
                                 "a query went unanswered during the burst")
            # The update thread takes the oldest message first: once a later update from
            # another key is answered, every queued one has been answered (on loopback the
            # answers are in this socket's buffer by then).
            dnstest.wait_until(60, probe_answered, "the update thread to get through the burst")
            s.setblocking(False)
            answered = set()
            while True:
                try:
                    answered.add(struct.unpack("!H", s.recv(65535)[:2])[0])
                except BlockingIOError:
                    break
        elapsed = time.monotonic() - start
        self.assertTrue(answered <= {0x4000 + i for i in range(BURST)}, answered)
        # Every message not answered was counted as dropped (probes may have been dropped too).
        unanswered = BURST - len(answered)

        def dropped() -> int:
            lines = self.log_lines("queue full: dropped=")[drop_lines_before:]
            return sum(int(re.search(r"dropped=(\d+)", line).group(1)) for line in lines)
        dnstest.wait_until(10, lambda: dropped() >= unanswered,
                           f"{unanswered} dropped messages to be reported")
        self.assertLessEqual(dropped(), unanswered + probes - 1)
        applied = self.log_lines(f"key={BURST_KEY}", "rcode=NOERROR")
        allowed = 2 + int(elapsed // 30) + 1  # the bucket, and what refills while it runs
        self.assertGreaterEqual(len(applied), 1, "nothing from the burst was applied")
        self.assertLessEqual(len(applied), allowed, applied)
        self.assertEqual(self.serial(), before + len(applied))
        over = self.log_lines(f"key={BURST_KEY}", "rcode=REFUSED", "over its rate")
        self.assertGreaterEqual(len(over), 1)
        self.assertLessEqual(len(over), int(elapsed) + 2, f"{len(over)} lines in {elapsed:.1f} s")
        # Clean up what went through.
        deletes = [rr(n, "ANY", "ANY") for n in names]
        self.assertEqual(self.send_signed(updates=deletes, tcp=True), "NOERROR")
        self.assertEqual(self.serial(), before + len(applied) + 1)

    def test_no_secret_in_the_log(self):
        self.nsupdate(f'update add s.{CHALLENGE} 60 TXT "x"', secret=WRONG_SECRET)
        text = self.dnsd.stderr_path.read_text(errors="replace")
        self.assertNotIn(SECRET, text)
        self.assertNotIn(WRONG_SECRET, text)


HOSTILE_KEY = "hostile-key.example."
HOSTILE_SECRET = base64.b64encode(b"hostile-secret-hostile-secret-01").decode()
FAIR_CONFIG = f"""
[[key]]
name = "{KEY}"
secret_file = "acme.secret"
update_zones = ["{ZONE}"]

[[key]]
name = "{HOSTILE_KEY}"
secret_file = "hostile.secret"
update_zones = ["{ZONE}"]
update_rate = 600

[[zone]]
name = "{ZONE}"
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 100
[[zone.record]]
name = "ns1"
type = "A"
data = "192.0.2.53"
"""
FLOOD_LIMIT = 400_000  # messages a flood sends at most
FLOOD_SECONDS = 90  # ... and for at most this long
FLOOD_RATE = 40_000  # messages a second it aims at (paced in bursts, never above)
TRIES = 5  # nsupdate runs during each flood, each over UDP and over TCP


def stands_for(line: str) -> int:
    """How many refused UPDATEs one of dnsd's refusal lines says."""
    if m := re.search(r"\((\d+) more suppressed\)", line):
        return 1 + int(m.group(1))
    if m := re.search(r" (\d+) more refused UPDATE messages suppressed", line):
        return int(m.group(1))
    return 1


class Flood(threading.Thread):
    """Sends `messages` round and round from `source` to dnsd until stopped, bounded in count
    and time, at no more than FLOOD_RATE a second; answers are left unread."""

    def __init__(self, port: int, source: str, messages: list):
        super().__init__(daemon=True)
        self.port, self.source, self.messages = port, source, messages
        self.stopped = threading.Event()
        self.sent = 0

    def run(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((self.source, 0))
            start = time.monotonic()
            while not self.stopped.is_set() and self.sent < FLOOD_LIMIT:
                elapsed = time.monotonic() - start
                if elapsed > FLOOD_SECONDS:
                    break
                if self.sent > elapsed * FLOOD_RATE:
                    time.sleep(0.001)  # pacing only: nothing waits on it
                    continue
                for _ in range(200):
                    try:
                        s.sendto(self.messages[self.sent % len(self.messages)],
                                 ("127.0.0.1", self.port))
                    except BlockingIOError:
                        pass
                    self.sent += 1

    def __enter__(self):
        self.start()
        dnstest.wait_until(10, lambda: self.sent > 1000, "the flood to start")
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.join(30)


class FairShare(dnstest.ServerTestCase):
    """Issue 13/12: a hostile sender cannot starve another client's updates. While one client
    floods (unsigned UPDATEs; then a burst signed with its own valid key) from 127.0.0.2 or
    127.0.0.3, nsupdate -y from 127.0.0.1 with its own key succeeds on its first and only try
    (-r 0), every time, over UDP and TCP; and the flood's log lines stay bounded."""

    @classmethod
    def setUpClass(cls):
        cls.dnsd = dnstest.Dnsd(FAIR_CONFIG, extra_server='update_log = "updates.log"')
        for name, secret in (("acme.secret", SECRET), ("hostile.secret", HOSTILE_SECRET)):
            (cls.dnsd.dir / name).write_text(secret + "\n")
            (cls.dnsd.dir / name).chmod(0o600)
        cls.own(cls.dnsd).start()
        cls.port = cls.dnsd.port

    def log_lines(self, *needles: str) -> list:
        text = self.dnsd.stderr_path.read_text(errors="replace")
        return [line for line in text.splitlines()
                if "update:" in line and all(n in line for n in needles)]

    def certbot_like_updates(self, tag: str):
        """TRIES adds and deletes, each its own nsupdate with one try, over UDP and TCP."""
        for i in range(TRIES):
            for tcp in (False, True):
                name = f"{tag}{i}{'t' if tcp else 'u'}.{CHALLENGE}"
                with self.subTest(try_=i, tcp=tcp):
                    argv = [dnstest.require_tool("nsupdate"), "-y", f"hmac-sha256:{KEY}:{SECRET}",
                            "-r", "0", "-u", "10", "-t", "10"] + (["-v"] if tcp else [])
                    script = (f"server 127.0.0.1 {self.port}\nlocal 127.0.0.1\nzone {ZONE}\n"
                              f'update add {name} 120 TXT "{tag}"\nsend\n')
                    start = time.monotonic()
                    proc = subprocess.run(argv, input=script, capture_output=True, text=True,
                                          timeout=60)
                    took = time.monotonic() - start
                    self.assertEqual(proc.returncode, 0,
                                     f"first try failed after {took:.1f} s: "
                                     f"{proc.stdout}{proc.stderr}")
                    resp = dnstest.dig(self.port, name, "TXT")
                    self.assertEqual([r.rdata for r in resp.answer], [f'"{tag}"'])

    def test_an_unsigned_flood_is_answered_before_the_queue_and_logged_once_a_second(self):
        # Each as large as dnsd takes over UDP (4 KiB): 300 deletes at the zone's name
        # (compressed), which the update thread on its own would parse whole, one by one.
        delete = struct.pack("!HHHIH", 0xc00c, TYPE["TXT"], CLASS["ANY"], 0, 0)
        junk = [update_message(ZONE, qid=i)[:4] + struct.pack("!HHHH", 1, 0, 300, 0) +
                update_message(ZONE)[12:] + delete * 300 for i in range(64)]
        lines_before = len(self.log_lines("client=127.0.0.2"))
        start = time.monotonic()
        with Flood(self.port, "127.0.0.2", junk) as flood:
            self.certbot_like_updates("calm")
        # Every refusal dnsd received is said in a line (its own, plus "(N more suppressed)"),
        # each prefix's line at most once a second (the update thread looks five times a second).
        def said() -> int:
            return sum(stands_for(ln) for ln in self.log_lines("client=127.0.0.2")[lines_before:])
        dnstest.wait_until(10, lambda: said() >= 1000, "the flood's refusals to be logged")
        lines = self.log_lines("client=127.0.0.2")[lines_before:]
        elapsed = time.monotonic() - start
        self.assertLessEqual(len(lines), elapsed + 3, f"{len(lines)} lines in {elapsed:.1f} s")
        self.assertLessEqual(said(), flood.sent)
        self.assertTrue(all("rcode=REFUSED" in ln or "more refused" in ln for ln in lines), lines)
        print(f"\n  unsigned flood: sent={flood.sent} in {elapsed:.1f} s, logged so far="
              f"{said()} in {len(lines)} lines", file=sys.stderr)

    def test_a_signed_burst_holds_at_most_half_the_queue(self):
        names = [f"h{i}.{CHALLENGE}" for i in range(400)]
        burst = [signed(update_message(ZONE, updates=[rr(f"hostile.{CHALLENGE}", "TXT", "ANY"),
                                                      rr(f"hostile.{CHALLENGE}", "TXT", ttl=60,
                                                         rdata=txt(n))], qid=i),
                        HOSTILE_KEY, HOSTILE_SECRET) for i, n in enumerate(names)]
        start = time.monotonic()
        with Flood(self.port, "127.0.0.3", burst) as flood:
            self.certbot_like_updates("busy")
        elapsed = time.monotonic() - start
        # The hostile key's own lines: what it had applied (its rate: 600 a minute, a minute's
        # worth at once) and its rate refusals at most once a second.
        applied = self.log_lines(f"key={HOSTILE_KEY}", "rcode=NOERROR")
        over = self.log_lines(f"key={HOSTILE_KEY}", "over its rate")
        self.assertLessEqual(len(applied), 600 + 10 * (elapsed + 1))
        self.assertLessEqual(len(over), elapsed + 3)
        self.assertGreater(flood.sent, len(applied))
        shares = dnstest.wait_until(10, lambda: self.log_lines("queue full: dropped="),
                                    "the share refusals to be reported")
        # Its messages beyond half the queue were turned away, and said so.
        self.assertTrue(any(re.search(r"over_share=[1-9]", ln) for ln in shares), shares)
        self.assertLessEqual(len(shares), elapsed + 3)
        print(f"\n  signed burst: sent={flood.sent} in {elapsed:.1f} s, applied={len(applied)}, "
              f"rate lines={len(over)}, queue lines={len(shares)}", file=sys.stderr)


DURABLE_CONFIG = f"""
[[key]]
name = "{KEY}"
secret_file = "acme.secret"
update_zones = ["{ZONE}"]

[[key]]
name = "{SMALL_KEY}"
secret_file = "acme.secret"
update_zones = ["{ZONE}"]
update_expire = "3s"

[[zone]]
name = "{ZONE}"
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 100
[[zone.record]]
name = "ns1"
type = "A"
data = "192.0.2.53"
"""


class Durable(dnstest.ServerTestCase):
    """The update log: every applied update is on disk before its answer, replayed at start."""

    @classmethod
    def setUpClass(cls):
        cls.dnsd = dnstest.Dnsd(DURABLE_CONFIG, extra_server='update_log = "updates.log"')
        (cls.dnsd.dir / "acme.secret").write_text(SECRET + "\n")
        (cls.dnsd.dir / "acme.secret").chmod(0o600)
        cls.own(cls.dnsd).start()
        cls.port = cls.dnsd.port

    def add(self, name: str, text: str, key: str = KEY) -> str:
        message = update_message(ZONE, updates=[rr(name, "TXT", ttl=60, rdata=txt(text))])
        reply = dnstest.udp_exchange(self.port, signed(message, key, SECRET), timeout_s=10)
        return parse_message(reply).rcode

    def txt_records(self, name: str) -> list:
        return sorted(r.rdata for r in dnstest.dig(self.port, name, "TXT").answer)

    def serial(self) -> int:
        return int(dnstest.dig(self.port, ZONE, "SOA").answer[0].rdata.split()[2])

    def stderr(self) -> str:
        return self.dnsd.stderr_path.read_text(errors="replace")

    def test_1_updates_survive_a_restart_and_a_reload(self):
        name = f"keep.{CHALLENGE}"
        self.assertEqual(self.add(name, "kept"), "NOERROR")
        serial = self.serial()
        self.assertGreater(serial, 100)
        self.dnsd.stop()
        self.dnsd.start()
        self.assertEqual(self.txt_records(name), ['"kept"'])
        self.assertEqual(self.serial(), serial)
        self.assertIn("replayed 1 entries", self.stderr())
        # a reload (with a changed config) keeps the dynamic records on top of the new one
        self.dnsd.config.write_text(self.dnsd.config.read_text().replace(
            'data = "192.0.2.53"', 'data = "192.0.2.54"'))
        os.kill(self.dnsd.proc.pid, signal.SIGHUP)
        dnstest.wait_until(20, lambda: dnstest.dig(self.port, f"ns1.{ZONE}", "A").answer
                           and dnstest.dig(self.port, f"ns1.{ZONE}", "A").answer[0].rdata
                           == "192.0.2.54", "the reload")
        self.assertEqual(self.txt_records(name), ['"kept"'])
        self.assertEqual(self.add(f"after-reload.{CHALLENGE}", "x"), "NOERROR")
        self.assertEqual(self.txt_records(f"after-reload.{CHALLENGE}"), ['"x"'])

    def test_2_a_torn_log_tail_is_cut_at_start_and_the_rest_served(self):
        name = f"torn.{CHALLENGE}"
        self.assertEqual(self.add(name, "before the crash"), "NOERROR")
        self.dnsd.stop()
        with open(self.dnsd.dir / "updates.log", "ab") as log:
            log.write(b"\x00\x00\x01\x00\xde\xad\xbe")  # half an entry: a crash mid-append
        self.dnsd.start()
        self.assertEqual(self.txt_records(name), ['"before the crash"'])
        self.assertIn("cut a torn last entry", self.stderr())
        self.assertEqual(self.add(f"after-torn.{CHALLENGE}", "y"), "NOERROR")
        self.dnsd.stop()
        self.dnsd.start()
        self.assertEqual(self.txt_records(f"after-torn.{CHALLENGE}"), ['"y"'])
        self.assertNotIn("cut a torn last entry", self.stderr())

    def test_3_records_of_an_expiring_key_are_removed_and_the_removal_logged(self):
        name = f"expiring.{CHALLENGE}"
        self.assertEqual(self.add(name, "short-lived", key=SMALL_KEY), "NOERROR")
        self.assertEqual(self.txt_records(name), ['"short-lived"'])
        serial = self.serial()
        dnstest.wait_until(30, lambda: self.txt_records(name) == [], "the record to expire")
        self.assertGreater(self.serial(), serial)
        self.assertIn("update: expired zone=example.test.", self.stderr())
        self.dnsd.stop()  # the removal is in the log too
        self.dnsd.start()
        self.assertEqual(self.txt_records(name), [])

    def test_4_the_entry_is_synced_before_the_answer_is_sent(self):
        # strace on the running dnsd: the thread that answers the update called fdatasync on the
        # update log, and it returned, before that thread sent the answer (a crash after the
        # answer never loses what the client was told had been applied).
        trace = self.dnsd.dir / "strace.out"
        pid = self.dnsd.proc.pid
        strace = subprocess.Popen(
            [dnstest.require_tool("strace"), "-f", "-qq", "-xx", "-s", "4",
             "-e", "trace=fdatasync,sendto,sendmsg,sendmmsg", "-o", str(trace), "-p", str(pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            # Attached to every thread once a query's answer shows in the trace.
            dnstest.wait_until(30, lambda: self.txt_records(CHALLENGE) is not None
                               and trace.exists() and "send" in trace.read_text(),
                               "strace to attach")
            message = update_message(ZONE, updates=[rr(f"synced.{CHALLENGE}", "TXT", ttl=60,
                                                       rdata=txt("synced"))], qid=0x5a5a)
            reply = dnstest.udp_exchange(self.port, signed(message, KEY, SECRET), timeout_s=30)
            self.assertEqual(parse_message(reply).rcode, "NOERROR")
            # The answer: ID 5a5a, QR and opcode UPDATE (a8), NOERROR.
            answer = re.compile(r'^(\d+) +sendto\(\d+, "\\x5a\\x5a\\xa8\\x00"')
            dnstest.wait_until(30, lambda: any(answer.match(line) for line in
                                               trace.read_text().splitlines()),
                               "the update's answer in the trace")
        finally:
            strace.send_signal(signal.SIGINT)  # detaches; dnsd runs on
            strace.communicate(timeout=30)
        lines = trace.read_text().splitlines()
        index = next(i for i, line in enumerate(lines) if answer.match(line))
        tid = answer.match(lines[index]).group(1)
        before = [line for line in lines[:index] if line.split(" ", 1)[0] == tid]
        self.assertTrue(before, "\n".join(lines))
        # The same thread's last traced call before the answer: fdatasync, returned 0.
        synced = re.match(rf"^{tid} +(?:fdatasync\((\d+)\)|<\.\.\. fdatasync resumed>\)) += 0$",
                          before[-1])
        self.assertIsNotNone(synced, "\n".join(lines))
        call = next(line for line in reversed(before) if "fdatasync(" in line)
        fd = re.search(r"fdatasync\((\d+)", call).group(1)
        self.assertEqual(os.readlink(f"/proc/{pid}/fd/{fd}"),
                         str((self.dnsd.dir / "updates.log").resolve()))
        self.assertEqual(self.txt_records(f"synced.{CHALLENGE}"), ['"synced"'])


class FollowedByKnot(dnstest.ServerTestCase):
    """A published zone: an update gets the next serial, an IXFR diff and a NOTIFY."""

    @classmethod
    def setUpClass(cls):
        port = dnstest.free_port()
        cls.knot = cls.own(KnotSecondary(ZONE, port, KEY, SECRET))
        state = Path(dnstest.tempfile.mkdtemp(prefix="update-serials-"))
        cls.state = state
        config = DURABLE_CONFIG + (
            f'[[zone.transfer]]\nkey = "{KEY}"\n'
            f'\n[[secondary]]\naddress = "127.0.0.1"\nport = {cls.knot.port}\nkey = "{KEY}"\n'
            f'\n[publish]\nserial_policy = "increment"\nstate_directory = "{state}"\n')
        cls.dnsd = dnstest.Dnsd(config)
        cls.dnsd.config.write_text(cls.dnsd.config.read_text().replace(f":{cls.dnsd.port}",
                                                                       f":{port}"))
        cls.dnsd.port = port
        (cls.dnsd.dir / "acme.secret").write_text(SECRET + "\n")
        (cls.dnsd.dir / "acme.secret").chmod(0o600)
        cls.own(cls.dnsd).start()
        cls.knot.start()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        import shutil
        shutil.rmtree(cls.state, ignore_errors=True)

    def knot_txt(self, name: str) -> list:
        resp = dnstest.dig(self.knot.port, name, "TXT", allow_none=True)
        return sorted(r.rdata for r in resp.answer) if resp else None

    def test_the_secondary_gets_the_added_and_the_deleted_record_by_ixfr(self):
        name = f"knot.{CHALLENGE}"
        dnstest.wait_until(60, lambda: dnstest.dig(self.knot.port, ZONE, "SOA",
                                                   allow_none=True), "knot to load the zone")
        message = update_message(ZONE, updates=[rr(name, "TXT", ttl=60, rdata=txt("for-knot"))])
        reply = dnstest.udp_exchange(self.dnsd.port, signed(message, KEY, SECRET), timeout_s=10)
        self.assertEqual(parse_message(reply).rcode, "NOERROR")
        dnstest.wait_until(60, lambda: self.knot_txt(name) == ['"for-knot"'],
                           "knot to serve the added record")
        message = update_message(ZONE, updates=[rr(name, "TXT", "ANY")])
        reply = dnstest.udp_exchange(self.dnsd.port, signed(message, KEY, SECRET), timeout_s=10)
        self.assertEqual(parse_message(reply).rcode, "NOERROR")
        dnstest.wait_until(60, lambda: self.knot_txt(name) == [], "knot to drop the record")
        knot_log = self.knot.stderr_path.read_text(errors="replace")
        self.assertIn("IXFR", knot_log)
        soa = dnstest.dig(self.dnsd.port, ZONE, "SOA").answer[0].rdata.split()[2]
        self.assertEqual(dnstest.dig(self.knot.port, ZONE, "SOA").answer[0].rdata.split()[2], soa)


if __name__ == "__main__":
    unittest.main(verbosity=2)
