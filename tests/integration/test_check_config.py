#!/usr/bin/env python3
# dnsd --check-config and its --print (issue 15), on the shipped conf/ copied as a clean checkout
# has it: it checks clean, its zones printed as master-file text load in kzonecheck, a record
# appended at the end of the file (the TOML trap) gives a warning naming its line, and a TOML
# syntax error is one line. Then the log: a real dnsd with log_format = "json" writes one JSON
# object per line, and without it each line starts with an RFC 3339 timestamp.
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def clean_conf(into: Path) -> Path:
    """conf/ as a fresh clone has it: the tracked files only (no conf/demo/ that scripts/demo
    makes). Returns the copied dnsd.toml."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "conf"], capture_output=True,
                            text=True, check=False)
    names = listed.stdout.split() if listed.returncode == 0 and listed.stdout.strip() else \
        [str(p.relative_to(REPO)) for p in (REPO / "conf").rglob("*")
         if p.is_file() and "demo" not in p.relative_to(REPO / "conf").parts]
    for name in names:
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, target)
    return into / "conf" / "dnsd.toml"


def check(config: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([dnstest.dnsd_binary(), "--check-config", *options, str(config)],
                          capture_output=True, text=True, timeout=60, check=False)


def zones_of(printed: str) -> dict:
    """The --print text cut into zones: origin -> its master-file text."""
    zones, origin = {}, None
    for line in printed.splitlines(keepends=True):
        m = re.match(r"^\$ORIGIN (\S+)$", line)
        if m:
            origin = m.group(1)
            zones[origin] = ""
        if origin:
            zones[origin] += line
    return zones


class CheckConfigTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="check-config-it-"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.config = clean_conf(self.dir)

    def test_the_shipped_config_checks_clean_from_a_clean_checkout(self):
        self.assertFalse((self.config.parent / "demo").exists())
        proc = check(self.config)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "", "the shipped config gives warnings or errors")
        self.assertRegex(proc.stdout, r"dnsd\.toml: ok \(2 zones, 1 profiles, 2 endpoints\)\n$")

    def test_print_gives_master_files_that_kzonecheck_loads(self):
        kzonecheck = dnstest.require_tool("kzonecheck")
        proc = check(self.config, "--print")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("dnsd.toml: ok (2 zones", proc.stderr)
        zones = zones_of(proc.stdout)
        self.assertEqual(sorted(zones), ["tenants.demo.", "tm.example.com."], proc.stdout)
        tm = zones["tm.example.com."]
        self.assertRegex(tm, r"(?m)^tm\.example\.com\.\t3600\tIN\tSOA\tns1\.tm\.example\.com\. ")
        self.assertIn("ns1.tm.example.com.\t3600\tIN\tA\t127.0.0.1\n", tm)
        # The profile: how it routes, and its answer before any probe (priority 1: eu).
        self.assertIn("; profile cloudintegration.tm.example.com.: method priority, ttl 1", tm)
        self.assertIn("cloudintegration.tm.example.com.\t1\tIN\tCNAME\teu.tenants.demo.\n", tm)
        self.assertIn("us.tenants.demo.\t60\tIN\tA\t127.0.0.3\n", zones["tenants.demo."])
        for origin, text in zones.items():
            path = self.dir / f"{origin}zone"
            path.write_text(text)
            zc = subprocess.run([kzonecheck, "-o", origin, str(path)], capture_output=True,
                                text=True, timeout=60, check=False)
            self.assertEqual(zc.returncode, 0, f"kzonecheck {origin}:\n{zc.stdout}{zc.stderr}\n"
                                               f"{text}")

    def test_a_record_appended_at_the_end_is_a_warning_and_print_shows_where_it_went(self):
        original = self.config.read_text()
        self.config.write_text(original + '\n[[zone.record]]\nname = "www"\ntype = "CNAME"\n'
                               'data = "cloudintegration"\n\n'
                               '[[zone.record]]\nname = "cloudintegration"\ntype = "TXT"\n'
                               'data = "\\"meant for tm.example.com.\\""\n')
        # TOML: after the [[profile]] tables, [[zone.record]] still extends the last [[zone]].
        line = len(original.splitlines()) + 8  # blank, www's 4 lines, blank, header, then name
        proc = check(self.config, "--print")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        warnings = [w for w in proc.stderr.splitlines() if w.startswith("warning: ")]
        self.assertEqual(len(warnings), 1, proc.stderr)
        self.assertTrue(warnings[0].startswith(
            f"warning: {self.config}:{line}: zone[1].record[3].name: "), warnings[0])
        self.assertIn("cloudintegration.tm.example.com. is a [[profile]]", warnings[0])
        self.assertIn("was it meant for zone tm.example.com.?", warnings[0])
        self.assertIn("1 warning)", proc.stderr)
        self.assertIn("cloudintegration.tenants.demo.\t60\tIN\tTXT\t",
                      zones_of(proc.stdout)["tenants.demo."])

    def test_a_record_naming_its_zone_turns_the_trap_into_an_error(self):
        original = self.config.read_text()
        self.config.write_text(original + '\n[[zone.record]]\nzone = "tm.example.com."\n'
                               'name = "www"\ntype = "A"\ndata = "192.0.2.1"\n')
        proc = check(self.config)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        lines = proc.stderr.splitlines()
        self.assertEqual(len(lines), 2, proc.stderr)
        self.assertTrue(lines[0].startswith(
            f"error: {self.config}:{len(original.splitlines()) + 3}: zone[1].record[2].zone: "),
            lines[0])
        self.assertEqual(lines[1], "dnsd: 1 error in the config")

    def test_an_endpoint_target_without_its_dot_is_a_warning_with_file_line_key(self):
        text = self.config.read_text().replace('target = "us.tenants.demo."',
                                               'target = "us.tenants.demo"')
        self.config.write_text(text)
        line = text.splitlines().index('target = "us.tenants.demo"') + 1
        proc = check(self.config)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stderr, rf"^warning: {re.escape(str(self.config))}:{line}: "
                                      r"profile\[0\]\.endpoint\[1\]\.target: \"us\.tenants\.demo\" "
                                      r"has no trailing dot")

    def test_toml_syntax_errors_are_one_line_each(self):
        for broken in ('[server\nworkers = 1\n', 'a = "open\nb = 1\n', 'a = {b = 1\n}\n'):
            self.config.write_text(broken)
            proc = check(self.config)
            self.assertEqual(proc.returncode, 1, proc.stdout)
            lines = proc.stderr.splitlines()
            self.assertEqual(len(lines), 2, proc.stderr)
            self.assertRegex(lines[0], rf"^error: {re.escape(str(self.config))}:1: syntax error"
                                       r"( in [a-z -]+)? \(column \d+\): \S")
            self.assertEqual(lines[1], "dnsd: 1 error in the config")


class LogFormatTest(dnstest.ServerTestCase):
    def start(self, extra_server: str) -> dnstest.Dnsd:
        dnsd = dnstest.Dnsd('[[zone]]\nname = "example.test."\nfile = "example.test.zone"\n',
                            [dnstest.EXAMPLE_ZONE], extra_server=extra_server)
        # Not the journal, whatever runs the tests: the text format then starts with the time.
        dnsd.env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
        self.addCleanup(dnsd.cleanup)
        self.own(dnsd.start())
        self.addCleanup(dnsd.stop)  # first of the two: stopped, then its directory removed
        return dnsd

    def reload_and_stop(self, dnsd: dnstest.Dnsd) -> list:
        os.kill(dnsd.proc.pid, signal.SIGHUP)
        dnstest.wait_until(10, lambda: "dnsd: reloaded" in dnsd.stderr_path.read_text(),
                           "the reload line")
        self.assertEqual(dnsd.stop(), 0)
        return dnsd.stderr_path.read_text().splitlines()

    def test_json_lines_parse_one_by_one_from_a_running_dnsd(self):
        lines = self.reload_and_stop(self.start('log_format = "json"'))
        self.assertGreaterEqual(len(lines), 4, lines)
        records = []
        for line in lines:
            record = json.loads(line)  # every line alone, as a shipper reads it
            self.assertRegex(record["ts"], RFC3339)
            self.assertIn(record["level"], ("error", "warning", "info", "debug"))
            self.assertIsInstance(record["msg"], str)
            records.append(record)
        serving = [r for r in records if r["msg"].startswith("dnsd: serving 1 zones")]
        self.assertEqual(len(serving), 1, lines)
        self.assertEqual(serving[0]["module"], "dnsd")
        self.assertEqual(serving[0]["level"], "info")
        self.assertTrue(any(r["msg"].startswith("dnsd: reloaded") for r in records), lines)

    def test_text_lines_start_with_an_rfc3339_timestamp(self):
        lines = self.reload_and_stop(self.start(""))
        self.assertGreaterEqual(len(lines), 4, lines)
        for line in lines:
            stamp, _, message = line.partition(" ")
            self.assertRegex(stamp, RFC3339, line)
            self.assertTrue(message, line)
        self.assertTrue(any(dnstest.log_message(line).startswith("dnsd: serving 1 zones")
                            for line in lines), lines)


if __name__ == "__main__":
    dnstest.main()
