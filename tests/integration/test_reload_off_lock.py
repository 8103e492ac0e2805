#!/usr/bin/env python3
# Reload off the lock (issue 10): a reload builds the next generation without the Runtime's
# mutex and on its own admin thread, so GET /api/v1/status and /metrics are answered while a
# big zone is still being built, and the reload then serves the new zone. How fast they answer
# is bench/reload_latency.py's business; this only checks that they answer before it returns.
import http.client
import sys
import threading
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from admin_client import admin_toml, write_token  # noqa: E402

# Big enough that building it takes far longer (a second or more) than one status request.
HOSTS = 200_000
# A big zone loads slowly on a loaded host or under the sanitizers.
dnstest.START_DEADLINE_S = 120.0
RELOAD_TIMEOUT_S = 300.0


def write_zone(path: Path, extra: str = "") -> None:
    with open(path, "w") as f:
        f.write("$ORIGIN example.test.\n$TTL 300\n"
                "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n")
        for i in range(HOSTS):
            f.write(f"host-{i} IN A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\n")
        f.write(extra)


class ReloadOffTheLock(dnstest.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.admin_port = dnstest.free_port(ipv6=False)
        dnsd = dnstest.Dnsd('[[zone]]\nname = "example.test."\nfile = "example.test.zone"\n' +
                            admin_toml(cls.admin_port, "admin.token"))
        cls.token = write_token(dnsd.dir / "admin.token")
        write_zone(dnsd.dir / "example.test.zone")
        cls.dnsd = cls.own(dnsd.start())

    def request(self, method: str, path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=RELOAD_TIMEOUT_S)
        try:
            conn.request(method, path, headers={"Authorization": f"Bearer {self.token}"})
            resp = conn.getresponse()
            resp.read()
            return resp.status
        finally:
            conn.close()

    def test_status_and_metrics_answer_while_a_big_zone_reloads(self):
        write_zone(self.dnsd.dir / "example.test.zone", "added IN A 192.0.2.99\n")
        returned = threading.Event()
        reload_status = []

        def reload():
            reload_status.append(self.request("POST", "/api/v1/reload"))
            returned.set()

        worker = threading.Thread(target=reload)
        worker.start()
        try:
            dnstest.wait_until(RELOAD_TIMEOUT_S, lambda: "dnsd: reloading" in
                               self.dnsd.stderr_path.read_text(errors="replace"), "the reload to start")
            answered_during = []
            while not returned.is_set() and not answered_during:
                codes = (self.request("GET", "/api/v1/status"), self.request("GET", "/metrics"))
                if not returned.is_set():
                    answered_during.append(codes)
        finally:
            worker.join(RELOAD_TIMEOUT_S)
        self.assertEqual(reload_status, [200], self.dnsd.stderr_text())
        self.assertEqual(answered_during, [(200, 200)],
                         "status and metrics were answered only after the reload had returned")
        answer = dnstest.dig(self.dnsd.port, "added.example.test.").answer
        self.assertEqual([r.rdata for r in answer], ["192.0.2.99"])


if __name__ == "__main__":
    dnstest.main()
