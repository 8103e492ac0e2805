#!/usr/bin/env python3
# Operator files that hang, bloat or silently empty a zone (issue 12), against the real dnsd:
# a FIFO master file on reload (and SIGTERM right behind it), a FIFO state file at start,
# /dev/zero as a header value_file, a big garbage master file (bounded log lines, API body and
# memory), a truncated or emptied master file (the old zone keeps answering), the record-drop
# guard and its per-zone override, and $INCLUDE of the admin token file (no secret in any output).
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import admin_client  # noqa: E402
import dnstest  # noqa: E402

ZONE = "example.test."
HOSTS = 1000
REJECT_DEADLINE_S = 10.0  # generous for sanitizer builds; a FIFO used to block for ever


def zone_text(hosts: int, first: int = 0) -> str:
    lines = ["$TTL 300",
             "@ IN SOA ns1 hostmaster 1 3600 600 604800 60",
             "@ IN NS ns1",
             "ns1 IN A 192.0.2.53"]
    lines += [f"host{i} IN A 10.0.{i // 250}.{i % 250 + 1}" for i in range(first, first + hosts)]
    return "\n".join(lines) + "\n"


def vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


class FileHazards(dnstest.ServerTestCase):

    def start_dnsd(self, *, zone_extra: str = "", master: str = "", admin: bool = True,
                   state_file: str = "", fifo_state: bool = False,
                   extra_toml: str = "", files: dict = None) -> dnstest.Dnsd:
        self.admin_port = dnstest.free_port(ipv6=False)
        toml = f'[[zone]]\nname = "{ZONE}"\nfile = "example.test.zone"\n{zone_extra}'
        if admin:
            toml += admin_client.admin_toml(self.admin_port, "admin.token", state_file=state_file)
        dnsd = dnstest.Dnsd(toml + extra_toml)
        self.zone_file = dnsd.dir / "example.test.zone"
        self.zone_file.write_text(master or zone_text(HOSTS))
        self.token = admin_client.write_token(dnsd.dir / "admin.token")
        for name, text in (files or {}).items():
            (dnsd.dir / name).write_text(text)
            (dnsd.dir / name).chmod(0o600)
        if fifo_state:
            os.mkfifo(dnsd.dir / state_file)
        self.own(dnsd).start()
        self.dnsd = dnsd
        self.admin = admin_client.AdminClient(self.admin_port, self.token)
        return dnsd

    def tearDown(self):
        # One dnsd per test: stopped (and checked for a clean exit) here, not at class end.
        type(self).tearDownClass()

    def log(self) -> str:
        return self.dnsd.stderr_path.read_text(errors="replace")

    def answer(self, qname: str):
        resp = dnstest.dig(self.dnsd.port, qname)
        return resp.rcode, sorted(r.rdata for r in resp.answer)

    def assert_old_zone_answers(self):
        self.assertEqual(self.answer(f"host{HOSTS - 1}.{ZONE}"), ("NOERROR", ["10.0.3.250"]))
        self.assertEqual(self.answer(f"host0.{ZONE}"), ("NOERROR", ["10.0.0.1"]))

    def sighup_and_wait(self, marker: str) -> float:
        """SIGHUP, then the seconds until `marker` is logged once more than before."""
        before = self.log().count(marker)
        started = time.monotonic()
        os.kill(self.dnsd.proc.pid, signal.SIGHUP)
        dnstest.wait_until(REJECT_DEADLINE_S, lambda: self.log().count(marker) > before,
                           f"{marker!r} in the log")
        return time.monotonic() - started

    def replace_zone_file(self, text):
        tmp = self.zone_file.with_suffix(".new")
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            tmp.write_text(text)
        os.replace(tmp, self.zone_file)

    # --- FIFOs

    def test_fifo_master_file_on_reload_is_rejected_at_once(self):
        self.start_dnsd()
        self.zone_file.unlink()
        os.mkfifo(self.zone_file)
        took = self.sighup_and_wait("dnsd: reload rejected")
        print(f"fifo master file: reload rejected after {took:.3f}s", file=sys.stderr)
        self.assertIn('example.test.zone": not a regular file (it is a FIFO)', self.log())
        self.assert_old_zone_answers()
        # The admin API is not stuck behind it either.
        _, body = self.admin.post("/api/v1/reload")
        self.assertFalse(body["ok"], body)
        self.assertTrue(any("not a regular file" in e for e in body["errors"]), body)

    def test_sigterm_right_after_a_reload_of_a_fifo_stops_dnsd(self):
        dnsd = self.start_dnsd()
        self.zone_file.unlink()
        os.mkfifo(self.zone_file)
        pid = dnsd.proc.pid
        os.kill(pid, signal.SIGHUP)
        os.kill(pid, signal.SIGTERM)
        started = time.monotonic()
        try:
            code = dnsd.proc.wait(timeout=dnstest.STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            self.fail(f"dnsd did not stop within {dnstest.STOP_DEADLINE_S}s of SIGTERM "
                      f"(a reload blocked on the FIFO?)\n{dnsd.stderr_text()}")
        print(f"SIGTERM during a FIFO reload: exit {code} after {time.monotonic() - started:.3f}s",
              file=sys.stderr)
        dnsd.proc, dnsd.exit_code = None, code  # stopped here, not by tearDown
        self.assertEqual(code, 0, dnsd.stderr_text())

    def test_fifo_state_file_at_start_is_reported_and_dnsd_serves(self):
        dnsd = self.start_dnsd(state_file="state.json", fifo_state=True)
        dnstest.wait_until(REJECT_DEADLINE_S, lambda: "state.json" in self.log(), "state file line")
        self.assertIn('state.json": not a regular file (it is a FIFO)', self.log())
        self.assert_old_zone_answers()
        # And it stops on SIGTERM (it used to hang in start, never reaching its signal loop).
        self.assertEqual(dnsd.stop(), 0, dnsd.stderr_text())

    # --- devices and big files

    def check_config(self, config: Path, memory_limit: int = 1 << 30):
        """dnsd --check-config with a memory cap, so a runaway read fails, not the host: an
        address-space cap, or under AddressSanitizer (which reserves terabytes of address space
        at start) its own resident-memory cap."""
        env = dict(os.environ)
        def cap():
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        if dnstest.sanitized_build():
            env["ASAN_OPTIONS"] = ":".join(filter(None, (
                env.get("ASAN_OPTIONS"), f"hard_rss_limit_mb={memory_limit >> 20}")))
            cap = None
        return subprocess.run([dnstest.dnsd_binary(), "--check-config", str(config)],
                              capture_output=True, text=True, timeout=60, preexec_fn=cap, env=env)

    def test_dev_zero_value_file_is_refused_by_check_config(self):
        dnsd = dnstest.Dnsd(
            f'[[zone]]\nname = "{ZONE}"\nfile = "example.test.zone"\n'
            '[[profile]]\nname = "ci.example.test."\nmethod = "priority"\n'
            '[profile.monitor]\nprotocol = "http"\n'
            '[[profile.monitor.header]]\nname = "Authorization"\nvalue_file = "/dev/zero"\n'
            '[[profile.endpoint]]\nname = "eu"\ntarget = "192.0.2.1"\npriority = 1\n')
        try:
            (dnsd.dir / "example.test.zone").write_text(zone_text(10))
            started = time.monotonic()
            proc = self.check_config(dnsd.config)
            took = time.monotonic() - started
            print(f"/dev/zero value_file: check-config exit {proc.returncode} after {took:.3f}s",
                  file=sys.stderr)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertIn('value_file: cannot read "/dev/zero": not a regular file', proc.stderr)
        finally:
            dnsd.cleanup()

    def test_big_garbage_master_file_gives_a_bounded_error(self):
        dnsd = self.start_dnsd()
        hwm_before = vm_hwm_kib(dnsd.proc.pid)
        # 24 MB: under the default max_zone_file_size, so it is read; lines of 1 MB and of bytes
        # that are no text at all, as a file of the wrong kind would have.
        line = bytes(range(1, 256)) * 4096  # 1 MB, newline-free
        garbage = ((b"x" * (1 << 20) + b"\n") * 4 + (line.replace(b"\n", b" ") + b"\n") * 20 +
                   b"\x7f\x80 IN \x01\x02 junk\n" * 10000)
        self.replace_zone_file(garbage)
        started = time.monotonic()
        _, body = self.admin.post("/api/v1/reload")
        took = time.monotonic() - started
        self.assertFalse(body["ok"], body)
        body_size = len(str(body))
        longest = max(len(line) for line in self.log().splitlines())
        hwm_after = vm_hwm_kib(dnsd.proc.pid)
        print(f"garbage 24 MB: rejected after {took:.3f}s, API body {body_size} bytes, longest log "
              f"line {longest} bytes, VmHWM {hwm_before} -> {hwm_after} KiB", file=sys.stderr)
        # The load keeps 50 errors and counts the rest; the API may trim its list further.
        self.assertLessEqual(len(body["errors"]), 52)
        self.assertRegex(self.log(), r"and 99[0-9][0-9] more errors \(only the first 50")
        self.assertLess(body_size, 64 * 1024)
        self.assertLess(longest, 2048)
        # The text is read once (24 MB); no copy of a 1 MB line, no million-line report.
        self.assertLess(hwm_after - hwm_before, 80 * 1024)
        self.assert_old_zone_answers()

    def test_master_file_over_the_size_limit_is_refused_unread(self):
        dnsd = self.start_dnsd()
        hwm_before = vm_hwm_kib(dnsd.proc.pid)
        tmp = self.zone_file.with_suffix(".new")
        with open(tmp, "wb") as f:
            f.truncate(200 << 20)  # 200 MB of NUL bytes, sparse: cheap to make
        os.replace(tmp, self.zone_file)
        took = self.sighup_and_wait("dnsd: reload rejected")
        hwm_after = vm_hwm_kib(dnsd.proc.pid)
        print(f"200 MB file: rejected after {took:.3f}s, VmHWM {hwm_before} -> {hwm_after} KiB",
              file=sys.stderr)
        self.assertIn("209715200 bytes, larger than the limit of 67108864 bytes", self.log())
        self.assertLess(hwm_after - hwm_before, 16 * 1024)
        self.assert_old_zone_answers()

    # --- truncated and emptied files, the record-drop guard

    def test_truncated_master_file_on_reload_is_rejected_and_the_old_zone_answers(self):
        self.start_dnsd()
        text = self.zone_file.read_text()
        # Cut inside a line, where what is left still parses: "10.0.1.12" cut to "10.0.1.1".
        cut = text.index("host300 IN A 10.0.1.51") + len("host300 IN A 10.0.1.5")
        self.replace_zone_file(text[:cut])
        self.sighup_and_wait("dnsd: reload rejected")
        self.assertIn("zone example.test.: the reload would drop 699 of its 1003 records", self.log())
        self.assertIn("max_record_drop", self.log())
        self.assert_old_zone_answers()

    def test_emptied_master_file_is_rejected_and_the_old_zone_answers(self):
        # The SOA and NS come from the TOML, so an empty master file is a valid, nearly empty zone.
        self.start_dnsd(
            zone_extra='ns = ["ns1"]\n[zone.soa]\nmname = "ns1"\nrname = "hostmaster"\nserial = 1\n',
            master=zone_text(HOSTS).split("\n", 3)[3])
        self.replace_zone_file("")
        self.sighup_and_wait("dnsd: reload rejected")
        self.assertIn("the reload would drop", self.log())
        self.assert_old_zone_answers()

    def test_record_drop_guard_and_its_per_zone_override(self):
        dnsd = self.start_dnsd()
        self.replace_zone_file(zone_text(400))
        self.sighup_and_wait("dnsd: reload rejected")
        self.assertIn("the reload would drop 600 of its 1003 records (403 left, 59.8%), more than "
                      "max_record_drop = 50% allows", self.log())
        self.assert_old_zone_answers()
        # The operator means it: max_record_drop = 100 in this [[zone]], for this reload.
        config = dnsd.config.read_text()
        dnsd.config.write_text(config.replace('file = "example.test.zone"\n',
                                              'file = "example.test.zone"\nmax_record_drop = 100\n'))
        self.sighup_and_wait("dnsd: reloaded ")
        self.assertEqual(self.answer(f"host{HOSTS - 1}.{ZONE}")[0], "NXDOMAIN")
        self.assertEqual(self.answer(f"host399.{ZONE}"), ("NOERROR", ["10.0.1.150"]))

    # --- secrets

    def test_include_of_a_secret_file_is_refused_and_the_secret_never_shown(self):
        # A header secret as operators write it ("Basic <base64>"): read as a record, its second
        # word was quoted back as an unknown record type, in every output below.
        auth = "Basic ZmlsZS1ndWFyZDpzM2NyZXQtcGFzc3dvcmQ="
        probe_port = dnstest.free_port(ipv6=False)  # nobody listens: the probe just fails
        dnsd = self.start_dnsd(files={"tenant.auth": auth + "\n"}, extra_toml=(
            '\n[[profile]]\nname = "ci.example.test."\nmethod = "priority"\n'
            f'[profile.monitor]\nprotocol = "http"\nport = {probe_port}\n'
            '[[profile.monitor.header]]\nname = "Authorization"\nvalue_file = "tenant.auth"\n'
            '[[profile.endpoint]]\nname = "eu"\ntarget = "127.0.0.1"\npriority = 1\n'))
        outputs = []
        for secret_file in ("tenant.auth", "admin.token"):
            self.replace_zone_file(zone_text(HOSTS) + f"$INCLUDE {secret_file}\n")
            _, body = self.admin.post("/api/v1/reload")
            self.assertFalse(body["ok"], body)
            self.assertNotIn(auth.split()[1], str(body))
            self.assertTrue(any(f'{secret_file}": it is configured as a secret file' in e
                                for e in body["errors"]), body)
            check = self.check_config(dnsd.config)
            self.assertEqual(check.returncode, 1)
            self.assertIn("it is configured as a secret file", check.stderr)
            outputs += [str(body), check.stdout, check.stderr]
            dnsctl = os.environ.get("DNSCTL_BIN")
            if dnsctl:
                proc = subprocess.run([dnsctl, "--server", f"127.0.0.1:{self.admin_port}",
                                       "--token-file", str(dnsd.dir / "admin.token"), "reload"],
                                      capture_output=True, text=True, timeout=30)
                self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
                outputs += [proc.stdout, proc.stderr]
        outputs.append(self.log())
        for out in outputs:
            self.assertNotIn(auth.split()[1], out)
            self.assertNotIn(self.token.removeprefix("tok-"), out)
        self.assert_old_zone_answers()

if __name__ == "__main__":
    dnstest.main()
