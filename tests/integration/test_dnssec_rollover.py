#!/usr/bin/env python3
# DNSSEC key rollover driven by dnsctl (issue 16), checked by a validating unbound whose trust
# anchor is the KSK's DS (as test_dnssec does). With TTLs of 4 s (DNSKEY) and 1 s (answers) and
# a propagation delay of 1 s, a ZSK rollover (pre-publish: publish, activate, remove) and a KSK
# rollover (double KSK, CDS following the active KSK) run while a bounded loop asks unbound every ~100 ms for a static
# name, a NODATA, a missing name and a health-routed name: not one answer may be SERVFAIL or
# lack the AD bit. kdig shows the DNSKEY set and the signers each stage promises; a step taken
# too early is refused with the time to come back; the states survive a restart of dnsd. A
# combined key (CSK) rolls the KSK's way. Also: a KSK/ZSK split (flags 257 + 256) validates
# and each key signs what it should.
import base64
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import admin_client  # noqa: E402
import dnstest  # noqa: E402
import dnswire  # noqa: E402
import tenants  # noqa: E402
from tenants import EU_IP, US_IP, EndpointSpec, ProbeSettings  # noqa: E402

ZONE = "roll.test."
ROUTED = f"ip.{ZONE}"
# The DNSKEY set (the zone's default TTL, as SOA and NS) outlives the answers (1 s), as in most
# zones: a resolver then validates fresh answers with a cached DNSKEY set, which is what makes
# a step taken too early show as bogus (with equal TTLs both expire together and hide it).
TTL = 4      # the DNSKEY TTL, and the zone's largest TTL
DATA_TTL = 1
DELAY = 1    # [zone.dnssec] propagation_delay
FAST = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
STEP_DEADLINE_S = 30  # a step's wait is TTL + DELAY = 5 s; the rest is a loaded machine
LOOP_PERIOD_S = 0.1
LOOP_MAX_ROUNDS = 3000  # ~5 minutes at most, whatever happens
QUERIES = ((f"www.{ZONE}", "A"),       # static
           (f"www.{ZONE}", "TXT"),     # NODATA
           (f"nope.{ZONE}", "A"),      # a missing name (compact denial)
           (ROUTED, "A"))              # health-routed


def dnsctl_binary() -> str:
    return os.environ.get("DNSCTL_BIN") or str(dnstest.REPO_ROOT / "build" / "tools" / "dnsctl")


def keygen(directory: Path, flags: int) -> Path:
    proc = subprocess.run([dnsctl_binary(), "keygen", ZONE, "--dir", str(directory),
                           "--flags", str(flags)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return Path(proc.stdout.strip())


def file_tag(key: Path) -> int:
    """K<zone>+<alg>+<tag>.key"""
    return int(key.name.rsplit("+", 1)[1].split(".")[0])


def dnskey_tag(rdata: str) -> int:
    """RFC 4034 Appendix B over the DNSKEY rdata in presentation form."""
    flags, proto, alg, key = rdata.split(None, 3)
    wire = struct.pack("!HBB", int(flags), int(proto), int(alg)) + \
        base64.b64decode(key.replace(" ", ""))
    acc = sum(b << 8 if i % 2 == 0 else b for i, b in enumerate(wire))
    return (acc + (acc >> 16)) & 0xFFFF


def zone_toml(key_files: list) -> str:
    files = ", ".join(f'"{Path(f).name}"' for f in key_files)
    out = (f'\n[[zone]]\nname = "{ZONE}"\ndefault_ttl = {TTL}\nns = ["ns1.{ZONE}"]\n'
           f'[zone.soa]\nmname = "ns1.{ZONE}"\nrname = "hostmaster.{ZONE}"\nserial = 1\n'
           f"minimum = {DATA_TTL}\n")
    for owner, rtype, data in (("ns1", "A", "127.0.0.1"), ("www", "A", "192.0.2.1"),
                               ("www", "AAAA", "2001:db8::1")):
        out += (f'[[zone.record]]\nname = "{owner}"\ntype = "{rtype}"\ndata = "{data}"\n'
                f"ttl = {DATA_TTL}\n")
    return out + f'[zone.dnssec]\nkey_files = [{files}]\npropagation_delay = "{DELAY}s"\n'


class ValidatingUnbound(dnstest.Unbound):
    """unbound validating with `ds_line` as trust anchor, the zone stubbed to dnsd."""

    def __init__(self, stub_port: int, ds_line: str):
        super().__init__(ZONE, stub_port)
        self.anchor = self.dir / "anchor.ds"
        self.anchor.write_text(ds_line + "\n")
        text = self.config.read_text()
        text = text.replace('    module-config: "iterator"\n',
                            '    module-config: "validator iterator"\n'
                            f'    trust-anchor-file: "{self.anchor}"\n'
                            "    val-log-level: 2\n")
        text = text.replace(f'    domain-insecure: "{ZONE}"\n', "")
        self.config.write_text(text)


class QueryLoop(threading.Thread):
    """Asks unbound QUERIES every LOOP_PERIOD_S (bounded in rounds) and keeps every answer
    that is not validated: SERVFAIL, or no AD bit. A query unbound does not answer in time is
    counted apart (a loaded machine), never as validated."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.stop_event = threading.Event()
        self.paused = threading.Event()
        self.bad: list = []
        self.validated = {q: 0 for q in QUERIES}
        self.unanswered = 0
        self.rounds = 0

    def run(self):
        while not self.stop_event.is_set() and self.rounds < LOOP_MAX_ROUNDS:
            if not self.paused.is_set():
                self.rounds += 1
                for qname, qtype in QUERIES:
                    self.ask(qname, qtype)
            self.stop_event.wait(LOOP_PERIOD_S)

    def ask(self, qname: str, qtype: str):
        query = dnswire.build_query(qname, qtype, flags=["rd"], edns=dict(do=True))
        answer = dnswire.udp_exchange(self.port, query, timeout_s=2.0)
        if answer is None:
            self.unanswered += 1
            return
        rcode, ad = answer[3] & 0xF, bool(answer[3] & 0x20)
        if rcode not in (0, 3) or not ad:
            self.bad.append(f"{time.strftime('%H:%M:%S')} {qname} {qtype}: rcode {rcode} "
                            f"ad={ad}")
        else:
            self.validated[(qname, qtype)] += 1

    def finish(self):
        self.stop_event.set()
        self.join(timeout=10)


class RolloverRig(dnstest.ServerTestCase):
    """One dnsd (admin API on, the keys given), tenant_sim endpoints for the routed name, and a
    validating unbound anchored at the DS of `anchor`."""

    @classmethod
    def start_rig(cls, keys: list, anchor: Path):
        cls.keydir = Path(tempfile.mkdtemp(prefix="rollover-keys-"))  # for add_key's keys
        eu, us = tenants.start_tenant_pair(None, None, "", "")
        cls.eu, cls.us = cls.own(eu), cls.own(us)
        cls.admin_port = dnstest.free_port()
        profile = tenants.profile_toml(
            ROUTED, FAST.monitor_toml(protocol="http", port=cls.eu.port),
            [EndpointSpec("eu", EU_IP, 1), EndpointSpec("us", US_IP, 2)], ttl=1)
        cls.dnsd = cls.own(tenants.ScenarioDnsd(
            zone_toml(keys) + profile +
            admin_client.admin_toml(cls.admin_port, "admin.token"), files=keys))
        cls.token = admin_client.write_token(cls.dnsd.dir / "admin.token")
        for key in keys:
            os.chmod(cls.dnsd.dir / key.name, 0o600)
        cls.dnsd.start()
        cls.unbound = cls.own(ValidatingUnbound(cls.dnsd.port, cls.ds(anchor)).start())
        dnstest.wait_until(FAST.first_verdict_worst_s() + 10, lambda: cls.routed_answer(),
                           "the routed name to answer")

    @classmethod
    def ds(cls, key: Path) -> str:
        proc = subprocess.run([dnsctl_binary(), "ds", str(key)], capture_output=True, text=True,
                              timeout=30)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    @classmethod
    def routed_answer(cls):
        resp = dnstest.dig(cls.dnsd.port, ROUTED, "A")
        return [r.rdata for r in resp.answer if r.type == "A"]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.keydir, ignore_errors=True)

    def dnsctl(self, *args) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNSCTL_")}
        env["DNSCTL_SERVER"] = f"127.0.0.1:{self.admin_port}"
        env["DNSCTL_TOKEN_FILE"] = str(self.dnsd.dir / "admin.token")
        proc = subprocess.run([dnsctl_binary(), *args], capture_output=True, text=True,
                              timeout=60, env=env)
        self.assertNotIn(self.token, proc.stdout + proc.stderr, "dnsctl printed the token")
        return proc

    def ok(self, *args) -> str:
        proc = self.dnsctl(*args)
        self.assertEqual(proc.returncode, 0, f"dnsctl {' '.join(args)}: {proc.stderr}\n"
                                             f"{self.dnsd.stderr_text(30)}")
        return proc.stdout

    def key_list(self) -> dict:
        import json
        return {k["tag"]: k for k in json.loads(self.ok("--json", "key", "list", ZONE))["keys"]}

    def add_key(self, flags: int) -> Path:
        """A new key file into key_files, then `dnsctl reload`: it comes in created."""
        key = keygen(self.keydir, flags)
        shutil.copy(key, self.dnsd.dir / key.name)
        os.chmod(self.dnsd.dir / key.name, 0o600)
        text = self.dnsd.config.read_text()
        self.dnsd.config.write_text(text.replace("key_files = [", f'key_files = ["{key.name}", '))
        self.ok("reload")
        self.assertEqual(self.key_list()[file_tag(key)]["state"], "created")
        return key

    def wait_allowed(self, tag: int):
        """Until the server's not_before for the key's next step has passed (its own clock)."""
        not_before = self.key_list()[tag]["next"]["not_before"]
        at = time.mktime(time.strptime(not_before, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        self.assertLess(at - time.time(), STEP_DEADLINE_S, not_before)
        dnstest.wait_until(STEP_DEADLINE_S, lambda: time.time() >= at + 0.5,
                           f"{not_before} for key {tag}", 0.1)

    def refused_too_early(self, action: str, tag: int, words: str):
        proc = self.dnsctl("key", action, ZONE, str(tag))
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn(words, proc.stderr)
        self.assertRegex(proc.stderr, r"wait until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

    def apex(self) -> dict:
        """kdig +dnssec at dnsd: DNSKEY tags, the tags signing the DNSKEY set, the CDS tags,
        and the tags signing www A."""
        def sigs(resp, covered):
            return sorted(int(r.rdata.split()[6]) for r in resp.answer
                          if r.type == "RRSIG" and r.rdata.split()[0] == covered)
        keys = dnstest.kdig(self.dnsd.port, ZONE, "DNSKEY", "+dnssec")
        cds = dnstest.kdig(self.dnsd.port, ZONE, "CDS", "+dnssec")
        www = dnstest.kdig(self.dnsd.port, f"www.{ZONE}", "A", "+dnssec")
        return {"dnskey": sorted(dnskey_tag(r.rdata) for r in keys.answer if r.type == "DNSKEY"),
                "dnskey_signers": sigs(keys, "DNSKEY"),
                "cds": sorted(int(r.rdata.split()[0]) for r in cds.answer if r.type == "CDS"),
                "www_signers": sigs(www, "A")}

    def assertApex(self, **want):
        got = self.apex()
        for name, tags in want.items():
            self.assertEqual(got[name], sorted(tags), f"{name}: {got}")

    def start_loop(self) -> QueryLoop:
        loop = QueryLoop(self.unbound.port)
        loop.start()
        self.addCleanup(loop.finish)
        return loop

    def assertAllValidated(self, loop: QueryLoop):
        loop.finish()
        print(f"\n  query loop: {loop.rounds} rounds, validated "
              f"{sum(loop.validated.values())}, not validated {len(loop.bad)}, unanswered "
              f"{loop.unanswered}", file=sys.stderr)
        self.assertEqual(loop.bad, [], f"answers not validated ({len(loop.bad)}):\n" +
                         "\n".join(loop.bad[:20]) + "\n" + self.unbound.stderr_text(40))
        for query, count in loop.validated.items():
            self.assertGreater(count, 10, f"{query} validated only {count} times "
                                          f"({loop.unanswered} unanswered)")

    def restart_dnsd(self, loop: QueryLoop):
        """dnsd down and up again; the loop pauses meanwhile (an outage is no rollover's
        doing), and resumes once unbound validates again."""
        loop.paused.set()
        time.sleep(LOOP_PERIOD_S * 3)  # lets a round in flight end (bounded, not a wait-for)
        self.dnsd.stop()
        self.dnsd.start()

        def validated():
            resp = dnstest.dig(self.unbound.port, f"www.{ZONE}", "A", "+dnssec", rd=True)
            return "ad" in resp.flags and resp.rcode == "NOERROR"
        dnstest.wait_until(STEP_DEADLINE_S, validated, "unbound to validate after the restart",
                           0.2)
        loop.paused.clear()

    def roll_signing_key(self, old: int, zsk):
        """Rolls the KSK `old`; with `zsk` None it is a combined key (CSK), which signs the
        answers too, so they move to the new key on activation."""
        loop = self.start_loop()
        new_key = self.add_key(257)
        new = file_tag(new_key)
        others = [zsk] if zsk else []
        self.ok("key", "publish", ZONE, str(new))
        self.assertApex(dnskey=[old, new] + others, dnskey_signers=[old, new], cds=[old],
                        www_signers=[zsk or old])
        self.refused_too_early("activate", new, "DNSKEY TTL not yet passed")
        self.wait_allowed(new)
        self.ok("key", "activate", ZONE, str(new))
        # CDS asks the parent for the new key's DS; the old key still signs the DNSKEY set for
        # resolvers that hold the old DS.
        self.assertApex(dnskey=[old, new] + others, dnskey_signers=[old, new], cds=[new],
                        www_signers=[zsk or new])
        self.refused_too_early("remove", old, "TTLs not yet passed")
        # The parent takes its time: resolvers keep the old DS while the DNSKEY set they
        # cached expires, and fetch the new one, which must still validate from the old DS.
        target = loop.rounds + (TTL + DELAY) / LOOP_PERIOD_S
        dnstest.wait_until(STEP_DEADLINE_S, lambda: loop.rounds >= target,
                           "traffic under the old DS past the DNSKEY TTL", 0.1)

        # The parent publishes the new DS: here the validator's anchor changes. Its restart is
        # an outage of the resolver, not of the zone, so the loop pauses meanwhile.
        loop.paused.set()
        time.sleep(LOOP_PERIOD_S * 3)
        self.unbound.stop()
        self.unbound.anchor.write_text(self.ds(new_key) + "\n")
        self.unbound.start()
        loop.paused.clear()

        self.wait_allowed(old)
        self.ok("key", "remove", ZONE, str(old))
        self.assertApex(dnskey=[new] + others, dnskey_signers=[new], cds=[new],
                        www_signers=[zsk or new])
        target = loop.rounds + 2 * TTL / LOOP_PERIOD_S
        dnstest.wait_until(STEP_DEADLINE_S, lambda: loop.rounds >= target, "more rounds", 0.1)
        self.assertAllValidated(loop)


class SplitKeysCase(RolloverRig):
    """A KSK (257) and a ZSK (256): the KSK signs the key sets only, the ZSK the rest, and a
    validator anchored at the KSK's DS validates every answer kind."""

    @classmethod
    def setUpClass(cls):
        scratch = Path(tempfile.mkdtemp(prefix="rollover-new-"))
        cls.ksk, cls.zsk = keygen(scratch, 257), keygen(scratch, 256)
        cls.start_rig([cls.ksk, cls.zsk], cls.ksk)
        shutil.rmtree(scratch, ignore_errors=True)

    def test_split_keys_sign_their_share_and_validate(self):
        ksk, zsk = file_tag(self.ksk), file_tag(self.zsk)
        self.assertApex(dnskey=[ksk, zsk], dnskey_signers=[ksk], cds=[ksk], www_signers=[zsk])
        for qname, qtype in QUERIES + ((ZONE, "DNSKEY"),):
            resp = dnstest.dig(self.unbound.port, qname, qtype, "+dnssec", rd=True)
            self.assertIn("ad", resp.flags, f"{qname} {qtype} not validated\n{resp}")
        states = self.key_list()
        self.assertEqual({t: k["state"] for t, k in states.items()},
                         {ksk: "active", zsk: "active"})
        self.assertEqual(states[ksk]["role"], "KSK")
        self.assertEqual(states[zsk]["role"], "ZSK")
        # The first start wrote the state file beside the keys.
        self.assertTrue((self.dnsd.dir / f"{ZONE}key-states").exists())


class ZskRolloverCase(RolloverRig):
    @classmethod
    def setUpClass(cls):
        scratch = Path(tempfile.mkdtemp(prefix="rollover-new-"))
        cls.ksk, cls.zsk = keygen(scratch, 257), keygen(scratch, 256)
        cls.start_rig([cls.ksk, cls.zsk], cls.ksk)
        shutil.rmtree(scratch, ignore_errors=True)

    def test_zsk_rollover_never_serves_a_bogus_answer(self):
        ksk, old = file_tag(self.ksk), file_tag(self.zsk)
        loop = self.start_loop()
        new_key = self.add_key(256)
        new = file_tag(new_key)
        # Created: loaded but nowhere in the zone yet.
        self.assertApex(dnskey=[ksk, old], www_signers=[old])

        self.ok("key", "publish", ZONE, str(new))
        self.assertApex(dnskey=[ksk, old, new], dnskey_signers=[ksk], cds=[ksk],
                        www_signers=[old])
        self.refused_too_early("activate", new, "DNSKEY TTL not yet passed")
        published = self.key_list()[new]

        # The state, with its time, survives a restart (and the wait counts from publishing).
        self.restart_dnsd(loop)
        self.assertEqual(self.key_list()[new]["since"], published["since"])
        self.assertEqual(self.key_list()[new]["state"], "published")
        self.assertApex(dnskey=[ksk, old, new], www_signers=[old])

        self.wait_allowed(new)
        out = self.ok("key", "activate", ZONE, str(new))
        self.assertIn(f"key {new} activated", out)
        states = self.key_list()
        self.assertEqual((states[new]["state"], states[old]["state"]), ("active", "retired"))
        self.assertApex(dnskey=[ksk, old, new], dnskey_signers=[ksk], cds=[ksk],
                        www_signers=[new])
        self.refused_too_early("remove", old, "TTLs not yet passed")

        self.wait_allowed(old)
        self.ok("key", "remove", ZONE, str(old))
        self.assertEqual(self.key_list()[old]["state"], "removed")
        self.assertApex(dnskey=[ksk, new], dnskey_signers=[ksk], cds=[ksk], www_signers=[new])
        # A little more traffic on the final key set, through caches that held the old one.
        target = loop.rounds + 2 * TTL / LOOP_PERIOD_S
        dnstest.wait_until(STEP_DEADLINE_S, lambda: loop.rounds >= target, "more rounds", 0.1)
        self.assertAllValidated(loop)
        self.assertIn(f"dnssec: key step taken, zone re-signed zone={ZONE} key={new} "
                      "action=activate",
                      self.dnsd.stderr_text(400))


class KskRolloverCase(RolloverRig):
    """Double KSK (RFC 7583 §3.3.2): the new KSK is published and signs the DNSKEY set beside
    the old one; activating it moves CDS/CDNSKEY to it; the parent's DS is changed (here: the
    validator's anchor) and the old KSK removed after the TTLs."""

    @classmethod
    def setUpClass(cls):
        scratch = Path(tempfile.mkdtemp(prefix="rollover-new-"))
        cls.ksk, cls.zsk = keygen(scratch, 257), keygen(scratch, 256)
        cls.start_rig([cls.ksk, cls.zsk], cls.ksk)
        shutil.rmtree(scratch, ignore_errors=True)

    def test_ksk_rollover_moves_cds_and_never_serves_a_bogus_answer(self):
        self.roll_signing_key(file_tag(self.ksk), file_tag(self.zsk))

class CskRolloverCase(RolloverRig):
    """One combined key (flags 257, no ZSK) rolled the same way: double signatures on the key
    sets while both are in the DNSKEY set, the answers signed by whichever is active."""

    @classmethod
    def setUpClass(cls):
        scratch = Path(tempfile.mkdtemp(prefix="rollover-new-"))
        cls.ksk = keygen(scratch, 257)
        cls.start_rig([cls.ksk], cls.ksk)
        shutil.rmtree(scratch, ignore_errors=True)

    def test_csk_rollover_moves_cds_and_never_serves_a_bogus_answer(self):
        self.roll_signing_key(file_tag(self.ksk), None)


class RefusalCase(RolloverRig):
    """The API's answers for steps that make no sense: unknown zone or tag, bad action, the
    only active key retired; none changes anything."""

    @classmethod
    def setUpClass(cls):
        scratch = Path(tempfile.mkdtemp(prefix="rollover-new-"))
        cls.ksk = keygen(scratch, 257)
        cls.start_rig([cls.ksk], cls.ksk)
        shutil.rmtree(scratch, ignore_errors=True)

    def test_pointless_steps_are_refused(self):
        api = admin_client.AdminClient(self.admin_port, self.token)
        tag = file_tag(self.ksk)
        code, body = api.post(f"/api/v1/zones/{ZONE}/keys/{tag}/retire")
        self.assertEqual(code, 409, body)
        self.assertIn("only active KSK", body["error"])
        code, body = api.post(f"/api/v1/zones/other.test./keys/{tag}/retire")
        self.assertEqual(code, 404, body)
        code, body = api.post(f"/api/v1/zones/{ZONE}/keys/{(tag + 1) % 65536}/publish")
        self.assertEqual(code, 404, body)
        code, body = api.post(f"/api/v1/zones/{ZONE}/keys/{tag}/explode")
        self.assertEqual(code, 404, body)
        code, body = api.post(f"/api/v1/zones/{ZONE}/keys/{tag}/retire")
        self.assertEqual(admin_client.AdminClient(self.admin_port, "wrong").post(
            f"/api/v1/zones/{ZONE}/keys/{tag}/retire")[0], 401)
        self.assertEqual(self.key_list()[tag]["state"], "active")
        # A single combined key: CSK, and dnsctl key list prints it as a table.
        self.assertEqual(self.key_list()[tag]["role"], "CSK")
        out = self.ok("key", "list", ZONE)
        self.assertRegex(out, rf"{tag}\s+CSK\s+active")


    def test_a_step_whose_reload_fails_changes_nothing(self):
        key = self.add_key(256)
        tag = file_tag(key)
        states = self.dnsd.dir / f"{ZONE}key-states"
        before = states.read_text()
        config = self.dnsd.config.read_text()
        self.dnsd.config.write_text(config + "\nno_such_key = 1\n")
        try:
            proc = self.dnsctl("key", "publish", ZONE, str(tag))
            self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
            self.assertIn("the config did not reload, so nothing changed", proc.stderr)
            self.assertIn("no_such_key", proc.stderr)
            self.assertEqual(states.read_text(), before)
            self.assertEqual(self.key_list()[tag]["state"], "created")
        finally:
            self.dnsd.config.write_text(config)
        self.ok("key", "publish", ZONE, str(tag))
        self.assertEqual(self.key_list()[tag]["state"], "published")
        self.ok("key", "remove", ZONE, str(tag))  # published only: at once

    def test_a_malformed_state_file_is_a_reload_error_naming_file_and_line(self):
        states = self.dnsd.dir / f"{ZONE}key-states"
        before = states.read_text()
        states.write_text(before + "12345 257 sleeping 2026-12-06T00:00:00Z\n")
        try:
            proc = self.dnsctl("reload")
            self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
            self.assertIn("key_states", proc.stderr)
            self.assertIn(f"{ZONE}key-states", proc.stderr)
            self.assertRegex(proc.stderr, r"line \d+: expected")
        finally:
            states.write_text(before)
        self.ok("reload")


if __name__ == "__main__":
    dnstest.main()
