# Real secondaries of dnsd for tests and benches: knotd (Knot DNS 3.2) and nsd (NSD 4.6) on a
# loopback port, each transferring one zone from dnsd with a TSIG key and taking its signed
# NOTIFY. Stopped by PID like every dnstest.Server.
from __future__ import annotations

import dnstest


def _answers_chaos(port: int, name: str) -> bool:
    query = dnstest.build_query(name, "TXT", qclass="CH")
    return dnstest.udp_exchange(port, query, timeout_s=0.3) is not None


class KnotSecondary(dnstest.Server):
    name = "knotd"

    def __init__(self, zone: str, primary_port: int, key: str, secret: str):
        super().__init__()
        self.binary = dnstest.require_tool("knotd")
        self.config = self.dir / "knot.conf"
        self.config.write_text(
            f"server:\n    listen: 127.0.0.1@{self.port}\n    rundir: {self.dir}\n"
            "log:\n  - target: stderr\n    any: info\n"
            f"database:\n    storage: {self.dir}\n"
            f"key:\n  - id: {key}\n    algorithm: hmac-sha256\n    secret: {secret}\n"
            f"remote:\n  - id: dnsd\n    address: 127.0.0.1@{primary_port}\n    key: {key}\n"
            f"acl:\n  - id: notify\n    address: 127.0.0.0/8\n    key: {key}\n"
            "    action: notify\n"
            f"template:\n  - id: default\n    storage: {self.dir}\n    zonefile-sync: -1\n"
            "    journal-content: changes\n"
            f"zone:\n  - domain: {zone}\n    master: dnsd\n    acl: notify\n")

    def argv(self) -> list:
        return [self.binary, "-c", str(self.config)]

    def ready(self) -> bool:
        return _answers_chaos(self.port, "version.server.")


class NsdSecondary(dnstest.Server):
    name = "nsd"

    def __init__(self, zone: str, primary_port: int, key: str, secret: str):
        super().__init__()
        self.binary = dnstest.require_tool("nsd")
        self.config = self.dir / "nsd.conf"
        self.config.write_text(
            "server:\n    ip-address: 127.0.0.1\n"
            f"    port: {self.port}\n    do-ip6: no\n"
            f'    zonesdir: "{self.dir}"\n    database: ""\n'
            f'    pidfile: "{self.dir}/nsd.pid"\n    xfrdfile: "{self.dir}/xfrd.state"\n'
            f'    xfrdir: "{self.dir}"\n    zonelistfile: "{self.dir}/zone.list"\n'
            '    username: ""\n    chroot: ""\n    verbosity: 2\n'
            # NSD reloads at most once per xfrd-reload-timeout (default 1 s) after a transfer.
            "    xfrd-reload-timeout: 0\n"
            "remote-control:\n    control-enable: no\n"
            f'key:\n    name: "{key}"\n    algorithm: hmac-sha256\n    secret: "{secret}"\n'
            f"zone:\n    name: {zone}\n    zonefile: {zone}zone\n"
            f"    allow-notify: 127.0.0.0/8 {key}\n"
            f"    request-xfr: 127.0.0.1@{primary_port} {key}\n")

    def argv(self) -> list:
        return [self.binary, "-d", "-c", str(self.config)]

    def ready(self) -> bool:
        return _answers_chaos(self.port, "id.server.")
