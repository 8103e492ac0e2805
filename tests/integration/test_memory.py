#!/usr/bin/env python3
"""What dnsd maps, and when (issue 17, peak RSS): libcurl and the TLS, Kerberos, LDAP and SSH
libraries behind it are loaded only by what uses them (HTTP(S)/TCP probes, the fleet). A server
that only serves zones never maps them; one with an HTTP probe maps libcurl and probes as before
(the answer follows the tenant); one that needs libcurl and cannot load it refuses to start and
names the library."""
from __future__ import annotations

import os
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from tenants import EU_IP, US_IP, EndpointSpec  # noqa: E402

# libcurl and the libraries only it brings in (Debian 12's libcurl4 links GnuTLS through librtmp,
# and Kerberos, LDAP, SSH); dnsd's own libcrypto is not among them.
CURL_AND_DEPENDENTS = ("libcurl.so", "libgnutls.so", "libssh2.so", "libldap", "libkrb5.so",
                       "librtmp.so", "libnghttp2.so", "libp11-kit.so")
PROFILE = f"www.{tenants.PROFILE_ZONE}"


def mapped_libraries(pid: int) -> set:
    """Base names of the shared objects mapped into the process."""
    names = set()
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and fields[5].startswith("/"):
                names.add(os.path.basename(fields[5]))
    return names


def curl_family(names: set) -> list:
    return sorted(n for n in names if any(n.startswith(c) for c in CURL_AND_DEPENDENTS))


def thread_names(pid: int) -> list:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            out.append(Path(f"/proc/{pid}/task/{task}/comm").read_text().strip())
        except OSError:
            pass  # the thread ended meanwhile
    return out


def probed_body(port: int) -> str:
    monitor = tenants.ProbeSettings().monitor_toml(protocol="http", port=port)
    return (tenants.zone_toml(tenants.PROFILE_ZONE) +
            tenants.profile_toml(PROFILE, monitor,
                                 [EndpointSpec("eu", EU_IP, 1), EndpointSpec("us", US_IP, 2)]))


class MemoryTest(unittest.TestCase):
    def own(self, server):
        self.addCleanup(server.cleanup)
        self.addCleanup(server.stop)
        return server

    def test_a_zone_only_server_never_maps_libcurl(self):
        dnsd = self.own(dnstest.Dnsd(tenants.zone_toml("example.test."), workers=1).start())
        self.assertEqual(dnstest.dig(dnsd.port, "example.test.", "SOA").rcode, "NOERROR")
        names = mapped_libraries(dnsd.proc.pid)
        self.assertTrue(any(n.startswith("libc.so") for n in names), names)  # maps are read
        self.assertEqual(curl_family(names), [])
        self.assertNotIn("dnsd-probe", thread_names(dnsd.proc.pid))
        # Nor the AF_XDP libraries, loaded only when [xdp] is set (integration.xdp uses them).
        self.assertEqual(sorted(n for n in names if n.startswith(("libbpf.so", "libxdp.so",
                                                                   "libelf"))), [])

    def test_a_server_with_an_http_probe_maps_libcurl_and_follows_the_tenant(self):
        eu, us = tenants.start_tenant_pair(None, None, "", "")
        for tenant in (eu, us):
            self.own(tenant)
        dnsd = self.own(dnstest.Dnsd(probed_body(eu.port), workers=1))
        dnsd.ready = lambda: tenants.who(dnstest.dig(dnsd.port, PROFILE, allow_none=True)
                                         or _NoAnswer()) == "eu"
        dnsd.start()
        names = mapped_libraries(dnsd.proc.pid)
        self.assertTrue(any(n.startswith("libcurl.so.4") for n in names), sorted(names))
        eu.set_mode("503")
        dnstest.wait_until(30, lambda: tenants.who(dnstest.dig(dnsd.port, PROFILE)) == "us",
                           "the answer to move to us once eu answers 503")
        eu.set_mode("up")
        dnstest.wait_until(30, lambda: tenants.who(dnstest.dig(dnsd.port, PROFILE)) == "eu",
                           "the answer to come back to eu")

    def test_a_server_that_needs_libcurl_and_cannot_load_it_refuses_to_start(self):
        dnsd = self.own(dnstest.Dnsd(probed_body(8080), workers=1))
        # The loader searches LD_LIBRARY_PATH first: a libcurl.so.4 there that is no library
        # makes the dlopen fail as a missing or broken install would.
        broken = dnsd.dir / "lib"
        broken.mkdir()
        (broken / "libcurl.so.4").write_text("not a shared object\n")
        env = dict(os.environ, LD_LIBRARY_PATH=str(broken))
        proc = subprocess.run([dnsd.binary, "--config", str(dnsd.config)], env=env,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("cannot load libcurl.so.4", proc.stderr)
        self.assertIn("needed by the probes or the fleet", proc.stderr)


class _NoAnswer:
    answer: list = []
    rcode = "none"


if __name__ == "__main__":
    dnstest.main()
