# `dnsctl wait-propagated` (issue 13): dnsd as hidden primary, a real Knot DNS secondary. After a
# reload that changes a record, wait-propagated returns 0 only once the secondary serves the new
# serial (Knot is frozen with SIGSTOP first, so the command must wait, and `dig` at Knot right
# after it returns shows the serial and the record); with Knot stopped it exits 5 at its timeout
# naming Knot; an older --serial is served at once, a future one is not; an unpublished zone is
# an error. And the README's certbot hook: certbot's manual authenticator, its auth hook ending in
# wait-propagated, gets a certificate from pebble, which asks only Knot; and the README's own key
# file command and hooks (nsupdate -k, then wait-propagated), taken from README.md as written.
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from secondaries import KnotSecondary  # noqa: E402

ZONE = "example.test."  # the zone dnstest's readiness check asks for
KEY = "xfr.example.test."
SECRET = "d2FpdHByb3BhZ2F0ZWR0ZXN0a2V5b25seTAxMjM0NTY="  # test key only
ADMIN_TOKEN = "wait-propagated-test-token"
UPDATE_KEY = "acme-key.example."  # the README's update key, in its hooks' key file
UPDATE_SECRET = "cmVhZG1lLWhvb2stdXBkYXRlLWtleS10ZXN0LW9ubHkh"  # test key only
FOLLOW_S = 30  # a serial reaches Knot in about a second; bounded generously
DNSCTL_S = 120  # how long a dnsctl run may take at most, for subprocess


def dnsd_zones(state_dir: Path) -> str:
    return (f'\n[publish]\nserial_policy = "increment"\nstate_directory = "{state_dir}"\n'
            '\n[admin]\nenabled = true\nlisten = "127.0.0.1:{ADMIN_PORT}"\n'
            'token_file = "admin.token"\n'
            f'\n[[key]]\nname = "{KEY}"\nsecret_file = "xfr.secret"\n'
            f'\n[[key]]\nname = "{UPDATE_KEY}"\nsecret_file = "acme.key"\n'
            f'update_zones = ["{ZONE}"]\n'
            f'\n[[secondary]]\naddress = "127.0.0.1"\nport = {{KNOT_PORT}}\nkey = "{KEY}"\n'
            f'\n[[zone]]\nname = "{ZONE}"\ndefault_ttl = 60\nns = ["ns1.{ZONE}"]\n'
            f'[zone.soa]\nmname = "ns1.{ZONE}"\nrname = "hostmaster.{ZONE}"\nserial = 1\n'
            'minimum = 60\n'
            '[[zone.record]]\nname = "ns1"\ntype = "A"\ndata = "127.0.0.1"\n'
            '[[zone.record]]\nname = "www"\ntype = "A"\ndata = "192.0.2.7"\n'
            f'[[zone.transfer]]\nkey = "{KEY}"\n')


def soa_serial(port: int) -> int:
    resp = dnstest.dig(port, ZONE, "SOA", allow_none=True)
    soa = [r for r in resp.answer if r.type == "SOA"] if resp else []
    return int(soa[0].rdata.split()[2]) if soa else -1


def txt(port: int, name: str) -> list:
    resp = dnstest.dig(port, name, "TXT", allow_none=True)
    return [r.rdata for r in resp.answer if r.type == "TXT"] if resp else []


AUTH_HOOK = """#!/usr/bin/python3
# certbot --manual-auth-hook: adds the challenge's TXT record to dnsd (here by config and reload;
# in production nsupdate, see README), and after the last one waits for the secondaries.
import os, pathlib, subprocess
log = pathlib.Path(os.environ["HOOK_LOG"])
with log.open("a") as out:
    out.write(f"auth {os.environ['CERTBOT_DOMAIN']} "
              f"remaining={os.environ['CERTBOT_REMAINING_CHALLENGES']}\\n")
config = pathlib.Path(os.environ["DNSD_CONFIG"])
owner = "_acme-challenge." + os.environ["CERTBOT_DOMAIN"].removesuffix(".example.test")
config.write_text(config.read_text().replace(
    "[[zone.transfer]]", f'[[zone.record]]\\nname = "{owner}"\\ntype = "TXT"\\n'
    f'data = "{os.environ["CERTBOT_VALIDATION"]}"\\n[[zone.transfer]]', 1))
subprocess.run([os.environ["DNSCTL"], "reload"], check=True)
if os.environ["CERTBOT_REMAINING_CHALLENGES"] == "0":
    waited = subprocess.run([os.environ["DNSCTL"], "wait-propagated", "example.test",
                             "--timeout", "60"])
    with log.open("a") as out:
        out.write(f"waited: exit {waited.returncode}\\n")
"""


class WaitPropagated(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.creds = Path(dnstest.tempfile.mkdtemp(prefix="wait-propagated-"))
        for name, text in (("xfr.secret", SECRET + "\n"), ("admin.token", ADMIN_TOKEN),
                           ("acme.key", UPDATE_SECRET + "\n")):
            (cls.creds / name).write_text(text)
            (cls.creds / name).chmod(0o600)
        (cls.creds / "serials").mkdir()
        cls.admin_port = dnstest.free_port(ipv6=False)
        cls.dnsd = cls.own(dnstest.Dnsd(dnsd_zones(cls.creds / "serials"),
                                        [cls.creds / "xfr.secret", cls.creds / "admin.token",
                                         cls.creds / "acme.key"]))
        cls.knot = cls.own(KnotSecondary(ZONE, cls.dnsd.port, KEY, SECRET))
        cls.dnsd.config.write_text(cls.dnsd.config.read_text().replace(
            "{ADMIN_PORT}", str(cls.admin_port)).replace("{KNOT_PORT}", str(cls.knot.port)))
        cls.dnsd.start()
        cls.knot.start()
        cls.changes = 0

    @classmethod
    def tearDownClass(cls):
        if cls.knot.proc is not None:  # never leave it frozen: SIGTERM would not end it
            os.kill(cls.knot.proc.pid, signal.SIGCONT)
        super().tearDownClass()
        shutil.rmtree(cls.creds, ignore_errors=True)

    def dnsctl_argv(self, *args: str) -> tuple:
        path = os.environ.get("DNSCTL_BIN") or str(dnstest.REPO_ROOT / "build" / "tools" / "dnsctl")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNSCTL_")}
        env.update(DNSCTL_SERVER=f"127.0.0.1:{self.admin_port}",
                   DNSCTL_TOKEN_FILE=str(self.creds / "admin.token"))
        return [path, *args], env

    def dnsctl(self, *args: str) -> subprocess.CompletedProcess:
        argv, env = self.dnsctl_argv(*args)
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=DNSCTL_S, env=env)
        self.assertNotIn(ADMIN_TOKEN, proc.stdout + proc.stderr)
        return proc

    def change_a_record(self) -> tuple:
        """Adds a TXT record by a reload; returns (its name, the new serial)."""
        before = soa_serial(self.dnsd.port)
        type(self).changes += 1
        name = f"change{self.changes}.{ZONE}"
        text = self.dnsd.config.read_text()
        self.dnsd.config.write_text(text.replace(
            '[[zone.transfer]]', f'[[zone.record]]\nname = "change{self.changes}"\ntype = "TXT"\n'
            f'data = "v{self.changes}"\n[[zone.transfer]]', 1))
        reload = self.dnsctl("reload")
        self.assertEqual(reload.returncode, 0, reload.stderr)
        after = soa_serial(self.dnsd.port)
        self.assertGreater(after, before)
        return name, after

    def test_1_returns_only_once_the_secondary_serves_the_new_serial(self):
        serial = soa_serial(self.dnsd.port)
        dnstest.wait_until(FOLLOW_S, lambda: soa_serial(self.knot.port) == serial,
                           f"knot at serial {serial}")
        pid = self.knot.proc.pid
        os.kill(pid, signal.SIGSTOP)  # frozen: it neither answers nor fetches
        try:
            name, new = self.change_a_record()
            self.assertEqual(soa_serial(self.knot.port), -1)  # no answer while frozen
            argv, env = self.dnsctl_argv("wait-propagated", ZONE, "--timeout", "90")
            err_path = self.creds / "wait.err"
            with open(err_path, "w") as err:
                waiting = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True,
                                           env=env)
            try:
                # It has asked at least once, and is still waiting for Knot.
                dnstest.wait_until(FOLLOW_S, lambda: f"127.0.0.1:{self.knot.port} did not answer"
                                   in err_path.read_text(), "dnsctl to report it is waiting")
                self.assertIsNone(waiting.poll(), err_path.read_text())
            finally:
                os.kill(pid, signal.SIGCONT)
            out, _ = waiting.communicate(timeout=DNSCTL_S)
        finally:
            os.kill(pid, signal.SIGCONT)
        # Returned 0, and at that moment Knot serves the new serial and the new record.
        self.assertEqual(waiting.returncode, 0, err_path.read_text())
        at_return = soa_serial(self.knot.port)
        self.assertGreaterEqual(at_return, new)
        self.assertEqual(txt(self.knot.port, name), [f'"v{self.changes}"'])
        self.assertIn(f"{ZONE} serial {new}: served by 1 of 1 secondaries", out)
        self.assertNotIn(ADMIN_TOKEN, out + err_path.read_text())

    def test_2_an_older_serial_is_served_at_once_and_a_future_one_is_not(self):
        serial = soa_serial(self.dnsd.port)
        done = self.dnsctl("wait-propagated", ZONE, "--timeout", "60")
        self.assertEqual(done.returncode, 0, done.stderr)
        older = self.dnsctl("wait-propagated", ZONE, "--serial", str(serial - 1), "--timeout", "0")
        self.assertEqual(older.returncode, 0, older.stderr)
        future = self.dnsctl("wait-propagated", ZONE, "--serial", str(serial + 100),
                             "--timeout", "2")
        self.assertEqual(future.returncode, 5, future.stderr)
        self.assertIn(f"127.0.0.1:{self.knot.port} serves serial {serial}", future.stderr)

    def test_3_with_the_secondary_stopped_it_exits_5_at_the_timeout_naming_it(self):
        self.knot.stop()
        try:
            _, new = self.change_a_record()
            proc = self.dnsctl("wait-propagated", ZONE, "--timeout", "3s")
            self.assertEqual(proc.returncode, 5, proc.stdout + proc.stderr)
            self.assertIn(f"{ZONE} serial {new}: served by 0 of 1 secondaries after 3s", proc.stderr)
            self.assertIn(f"127.0.0.1:{self.knot.port} did not answer", proc.stderr)
        finally:
            self.knot.start()
        # Back: it fetches the serial and the same command now returns 0.
        proc = self.dnsctl("wait-propagated", ZONE, "--timeout", "60")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertGreaterEqual(soa_serial(self.knot.port), new)

    def test_4_usage_errors_and_an_unpublished_zone(self):
        proc = self.dnsctl("wait-propagated", "other.test.", "--timeout", "5")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("zone other.test. is not published", proc.stderr)
        for bad in (("--timeout", "soon"), ("--serial", "-1"), ("--serial", "4294967296")):
            proc = self.dnsctl("wait-propagated", ZONE, *bad)
            self.assertEqual(proc.returncode, 2, f"{bad}: {proc.stderr}")

    def certbot_against_pebble(self, work: Path, hook_args: list, env: dict,
                               domain: str = "app.example.test") -> tuple:
        """Runs certbot 2.1's manual authenticator with hook_args for domain and *.domain
        against pebble, which asks only the Knot secondary (a record that has
        not reached Knot fails the validation). Returns (certbot's CompletedProcess, pebble's
        log)."""
        pebble_bin, certbot = dnstest.require_tool("pebble"), dnstest.require_tool("certbot")
        work.mkdir(exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem"),
                        "-subj", "/CN=pebble", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True, timeout=60)
        acme_port = dnstest.free_port(ipv6=False)
        (work / "pebble.json").write_text(json.dumps({"pebble": {
            "listenAddress": f"127.0.0.1:{acme_port}",
            "managementListenAddress": f"127.0.0.1:{dnstest.free_port(ipv6=False)}",
            "certificate": str(work / "cert.pem"), "privateKey": str(work / "key.pem"),
            "httpPort": dnstest.free_port(ipv6=False), "tlsPort": dnstest.free_port(ipv6=False),
            "ocspResponderURL": "", "externalAccountBindingRequired": False}}))
        env = dict(env, REQUESTS_CA_BUNDLE=str(work / "cert.pem"))
        with open(work / "pebble.log", "w") as log:
            pebble = subprocess.Popen(
                [pebble_bin, "-config", str(work / "pebble.json"),
                 "-dnsserver", f"127.0.0.1:{self.knot.port}"],
                stdout=log, stderr=subprocess.STDOUT, cwd=work,
                env={**os.environ, "PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0"})
        try:
            def listening() -> bool:
                try:
                    socket.create_connection(("127.0.0.1", acme_port), 0.5).close()
                    return True
                except OSError:
                    return pebble.poll() is not None  # ended: the assert below says so
            dnstest.wait_until(FOLLOW_S, listening, "pebble to listen")
            self.assertIsNone(pebble.poll(), (work / "pebble.log").read_text())
            run = subprocess.run(
                [certbot, "certonly", "--manual", "--preferred-challenges", "dns", *hook_args,
                 "-d", domain, "-d", f"*.{domain}",
                 "--server", f"https://127.0.0.1:{acme_port}/dir",
                 "--config-dir", str(work / "etc"), "--work-dir", str(work / "lib"),
                 "--logs-dir", str(work / "logs"), "--agree-tos",
                 "--register-unsafely-without-email", "--non-interactive"],
                capture_output=True, text=True, timeout=DNSCTL_S * 2, env=env)
        finally:
            pebble.terminate()
            try:
                pebble.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pebble.kill()
                pebble.wait()
        return run, (work / "pebble.log").read_text()

    def test_5_certbot_validated_at_the_secondary_after_the_hook_waited(self):
        # The README's exact wait, end to end: certbot 2.1's manual authenticator with an auth
        # hook ending in `dnsctl wait-propagated`, against pebble asking only the Knot secondary.
        work = self.creds / "acme"
        work.mkdir(exist_ok=True)
        hook = work / "auth-hook"
        hook.write_text(AUTH_HOOK)
        hook.chmod(0o755)
        argv, env = self.dnsctl_argv("reload")
        env.update(DNSCTL=argv[0], DNSD_CONFIG=str(self.dnsd.config), HOOK_LOG=str(work / "log"))
        run, pebble_log = self.certbot_against_pebble(work, ["--manual-auth-hook", str(hook)],
                                                      env)
        hook_log = (work / "log").read_text() if (work / "log").exists() else ""
        detail = f"{run.stdout}\n{run.stderr}\n{hook_log}\n{pebble_log}"
        self.assertEqual(run.returncode, 0, detail)
        # Two challenges on one name (the wildcard's is the base name's); the wait came last.
        self.assertEqual(hook_log, "auth app.example.test remaining=1\n"
                                   "auth app.example.test remaining=0\nwaited: exit 0\n", detail)
        self.assertTrue((work / "etc" / "live" / "app.example.test" / "fullchain.pem").exists())
        self.assertNotIn(ADMIN_TOKEN, detail)

    def test_6_the_readme_key_file_and_hooks_as_written(self):
        # README "Propagation hook for certbot": its key file command and its two hooks, taken
        # from README.md and run with only the paths, the port and the zone put in: nsupdate -k
        # adds each challenge record to dnsd by RFC 2136, the last auth hook waits with
        # `dnsctl wait-propagated`, pebble asks only Knot, and the cleanup hook deletes them.
        readme = (dnstest.REPO_ROOT / "README.md").read_text()
        section = re.split(r"\n#{2,4} ", readme.split("#### Propagation hook for certbot", 1)[1],
                           maxsplit=1)[0]
        blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
        key_file = [b for b in blocks if "printf 'key \"" in b]
        auth = [b for b in blocks if "/etc/dnsd/acme-auth:" in b]
        cleanup = [b for b in blocks if "/etc/dnsd/acme-cleanup:" in b]
        self.assertEqual((len(key_file), len(auth), len(cleanup)), (1, 1, 1), section)
        work = self.creds / "readme-hooks"
        work.mkdir(exist_ok=True)

        def as_here(text: str) -> str:
            return (text.replace("/etc/dnsd/", f"{self.creds}/")
                    .replace("server 127.0.0.1 53\n", f"server 127.0.0.1 {self.dnsd.port}\n")
                    .replace("tm.example.com", ZONE.rstrip(".")))

        made = subprocess.run(["sh", "-ec", as_here(key_file[0])], capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assertEqual((self.creds / "acme-nsupdate.key").stat().st_mode & 0o077, 0)
        hooks = []
        for name, text in (("acme-auth", auth[0]), ("acme-cleanup", cleanup[0])):
            hooks.append(self.creds / name)
            self.assertIn("server 127.0.0.1 53\n", text)  # what as_here() puts the port in
            hooks[-1].write_text(as_here(text))
            hooks[-1].chmod(0o755)
        challenge = f"_acme-challenge.hooks.{ZONE}"  # test_5 left app's records in the config
        self.assertEqual(txt(self.dnsd.port, challenge), [])
        serial_before = soa_serial(self.dnsd.port)
        argv, env = self.dnsctl_argv("reload")
        env["PATH"] = f"{Path(argv[0]).parent}:{env.get('PATH', '/usr/bin:/bin')}"
        run, pebble_log = self.certbot_against_pebble(
            work, ["--manual-auth-hook", str(hooks[0]), "--manual-cleanup-hook", str(hooks[1])],
            env, domain="hooks.example.test")
        detail = f"{run.stdout}\n{run.stderr}\n{pebble_log}\n{self.dnsd.stderr_text(30)}"
        self.assertEqual(run.returncode, 0, detail)
        self.assertTrue((work / "etc" / "live" / "hooks.example.test" / "fullchain.pem").exists())
        # The last auth hook waited: wait-propagated's result line is in certbot's report of it.
        self.assertRegex(run.stdout + run.stderr,
                         rf"{re.escape(ZONE)} serial \d+: served by 1 of 1 secondaries", detail)
        # dnsd took both records and both deletes from the hooks' key, and nothing is left.
        log = self.dnsd.stderr_path.read_text(errors="replace")
        for change in (f'changes="add {challenge} 120 TXT', f'changes="delete {challenge} '):
            lines = [line for line in log.splitlines()
                     if f"update: key={UPDATE_KEY} zone={ZONE}" in line
                     and "rcode=NOERROR" in line and change in line]
            self.assertEqual(len(lines), 2, f"{change}:\n{log}")
        self.assertEqual(txt(self.dnsd.port, challenge), [])
        self.assertGreater(soa_serial(self.dnsd.port), serial_before)
        for text in (detail, log):
            self.assertNotIn(UPDATE_SECRET, text)
            self.assertNotIn(ADMIN_TOKEN, text)

if __name__ == "__main__":
    dnstest.main()
