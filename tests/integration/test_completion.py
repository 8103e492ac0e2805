#!/usr/bin/env python3
# bash completion of dnsctl (packaging/bash-completion/dnsctl), driven through bash itself:
# the file is sourced, `complete -p` must name its function, and COMP_WORDS/COMP_CWORD lines
# are completed as bash would. Profile and endpoint names come from a real dnsd's admin API
# (through the real dnsctl); with the server down the names are empty, commands still complete.
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from admin_client import admin_toml, write_token  # noqa: E402

COMPLETION = dnstest.REPO_ROOT / "packaging" / "bash-completion" / "dnsctl"
ZONE = "example.test."


def dnsctl_binary() -> str:
    path = os.environ.get("DNSCTL_BIN") or str(dnstest.REPO_ROOT / "build" / "tools" / "dnsctl")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"dnsctl not found: {path} (set DNSCTL_BIN)")
    return path


def complete(line: str, env: dict) -> list:
    """The words bash's completion offers for `line` (the cursor at its end), the way readline
    calls the function: COMP_WORDS split on blanks, the last word possibly empty."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    script = (f"source {shlex.quote(str(COMPLETION))}\n"
              f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
              f"COMP_CWORD={len(words) - 1}\n"
              f"COMP_LINE={shlex.quote(line)}\nCOMP_POINT=${{#COMP_LINE}}\n"
              "_dnsctl dnsctl \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True,
                          text=True, timeout=30, env=env)
    if proc.returncode != 0:
        raise AssertionError(f"bash failed: {proc.stderr}")
    return sorted(w for w in proc.stdout.splitlines() if w)


class CompletionTest(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = Path(tempfile.mkdtemp(prefix="completion-it-"))
        write_token(cls.work / "admin.token")
        cls.admin_port = dnstest.free_port(ipv6=False)
        dead_port = dnstest.free_port(ipv6=False)  # nothing listens: probes fail, names stay
        monitor = f'[profile.monitor]\nprotocol = "tcp"\nport = {dead_port}\ninterval = "1s"\n'
        body = (tenants.zone_toml(ZONE) +
                tenants.profile_toml(f"app.{ZONE}", monitor,
                                     [tenants.EndpointSpec("eu", "127.0.0.21", 1),
                                      tenants.EndpointSpec("us", "127.0.0.22", 2)]) +
                tenants.profile_toml(f"api.{ZONE}", monitor,
                                     [tenants.EndpointSpec("blue", "127.0.0.23", 1)]) +
                admin_toml(cls.admin_port, "admin.token"))
        cls.dnsd = cls.own(dnstest.Dnsd(body, [cls.work / "admin.token"]).start())
        # dnsctl by name, as an operator types it: its directory first on PATH.
        cls.env = dict(os.environ, PATH=f"{Path(dnsctl_binary()).parent}:{os.environ['PATH']}",
                       DNSCTL_SERVER=f"127.0.0.1:{cls.admin_port}",
                       DNSCTL_TOKEN_FILE=str(cls.dnsd.dir / "admin.token"))
        cls.env.pop("DNSCTL_TOKEN", None)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_sourcing_the_file_registers_the_completion_function_for_dnsctl(self):
        proc = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                               f"source {shlex.quote(str(COMPLETION))} && complete -p dnsctl"],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), "complete -F _dnsctl dnsctl")

    def test_commands_complete_from_the_first_word(self):
        self.assertEqual(complete("dnsctl ", self.env),
                         ["disable", "enable", "explain", "reload", "secondaries", "status",
                          "wait-propagated", "watch"])
        self.assertEqual(complete("dnsctl di", self.env), ["disable"])
        self.assertEqual(complete("dnsctl --server 127.0.0.1:1 e", self.env), ["enable", "explain"])

    def test_options_complete_per_command(self):
        self.assertEqual(complete("dnsctl --", self.env),
                         ["--json", "--server", "--token-file", "--version"])
        self.assertEqual(complete(f"dnsctl disable app.{ZONE} eu --", self.env),
                         ["--from", "--json", "--server", "--token-file", "--until"])
        self.assertEqual(complete("dnsctl explain --", self.env),
                         ["--ecs", "--json", "--server", "--token-file"])
        self.assertEqual(complete("dnsctl watch --", self.env),
                         ["--count", "--json", "--server", "--since", "--token-file"])
        self.assertEqual(complete("dnsctl secondaries --c", self.env), ["--check"])
        # The value of an option is the user's own: nothing offered.
        self.assertEqual(complete("dnsctl disable --until ", self.env), [])

    def test_profile_names_come_from_dnsctl_status(self):
        self.assertEqual(complete("dnsctl disable ", self.env), [f"api.{ZONE}", f"app.{ZONE}"])
        self.assertEqual(complete("dnsctl explain ap", self.env), [f"api.{ZONE}", f"app.{ZONE}"])
        self.assertEqual(complete("dnsctl enable api", self.env), [f"api.{ZONE}"])

    def test_endpoint_names_are_those_of_the_profile_given(self):
        self.assertEqual(complete(f"dnsctl disable app.{ZONE} ", self.env), ["eu", "us"])
        self.assertEqual(complete(f"dnsctl enable api.{ZONE} ", self.env), ["blue"])
        # status PROFILE ENDPOINT, and --json is a flag: the next word is no option value.
        self.assertEqual(complete("dnsctl --json status ap", self.env), [f"api.{ZONE}", f"app.{ZONE}"])
        self.assertEqual(complete(f"dnsctl status --json app.{ZONE} ", self.env), ["eu", "us"])
        self.assertEqual(complete(f"dnsctl disable --until 2h app.{ZONE} u", self.env), ["us"])
        # explain's second word is a client address, not an endpoint.
        self.assertEqual(complete(f"dnsctl explain app.{ZONE} ", self.env), [])

    def test_server_and_token_file_of_the_command_line_are_used(self):
        env = {k: v for k, v in self.env.items() if not k.startswith("DNSCTL_")}
        self.assertEqual(complete("dnsctl disable ", env), [])  # no token: no names
        line = (f"dnsctl --server 127.0.0.1:{self.admin_port} "
                f"--token-file {self.dnsd.dir / 'admin.token'} disable app")
        self.assertEqual(complete(line, env), [f"app.{ZONE}"])

    def test_no_names_when_the_server_is_not_reachable(self):
        env = dict(self.env, DNSCTL_SERVER=f"127.0.0.1:{dnstest.free_port(ipv6=False)}")
        self.assertEqual(complete("dnsctl disable ", env), [])
        self.assertEqual(complete(f"dnsctl disable app.{ZONE} ", env), [])
        self.assertEqual(complete("dnsctl re", env), ["reload"])


if __name__ == "__main__":
    dnstest.main()
