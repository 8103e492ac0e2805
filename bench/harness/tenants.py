"""Simulated tenants (tools/tenant_sim) for the health-routed mixes, and the 10 ms health flipper.

Tenants and the flipper run on the load core, so the server core only carries the server.
"""
import http.client
import os
import threading
import time

from . import load, procs


class Tenant:
    def __init__(self, binary, root, ip, port, control_port, region):
        self.ip, self.port, self.control_port, self.region = ip, port, control_port, region
        self.log_path = os.path.join(root, f"tenant-{region}-{ip}.log")
        self.proc = procs.Proc(
            ["taskset", "-c", str(load.LOAD_CPU), binary, "--listen", f"{ip}:{port}",
             "--control", f"{ip}:{control_port}", "--region", region], root, self.log_path)
        if not procs.wait_until(10, self._ready, 0.02):
            raise RuntimeError(f"tenant_sim {ip}:{port} did not start; see {self.log_path}")

    def _ready(self):
        if not self.proc.alive():
            raise RuntimeError(f"tenant_sim {self.ip}:{self.port} exited; see {self.log_path}")
        with open(self.log_path, errors="replace") as f:
            return "listening on" in f.read()

    def set_mode(self, mode):
        conn = http.client.HTTPConnection(self.ip, self.control_port, timeout=2)
        try:
            conn.request("POST", f"/mode/{mode}")
            return conn.getresponse().status == 200
        finally:
            conn.close()

    def stop(self):
        self.proc.stop()


class Flipper:
    """Switches one tenant between 503 and up every period_s, on one keep-alive connection.

    Bounded twice: it stops after max_seconds or max_flips, whichever comes first."""

    def __init__(self, tenant, period_s=0.010, max_seconds=600):
        self.tenant, self.period_s, self.max_seconds = tenant, period_s, max_seconds
        self.max_flips = int(max_seconds / period_s) + 1
        self.flips = 0
        self.errors = 0
        self.late = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flipper", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _post(self, conn, mode):
        conn.request("POST", f"/mode/{mode}")
        response = conn.getresponse()
        response.read()
        return response.status == 200

    def _run(self):
        conn = http.client.HTTPConnection(self.tenant.ip, self.tenant.control_port, timeout=1)
        start = time.monotonic()
        while not self._stop.is_set() and self.flips < self.max_flips:
            now = time.monotonic()
            if now - start > self.max_seconds:
                break
            try:
                ok = self._post(conn, "503" if self.flips % 2 == 0 else "up")
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(self.tenant.ip, self.tenant.control_port, timeout=1)
            self.flips += 1
            self.errors += 0 if ok else 1
            due = start + self.flips * self.period_s
            delay = due - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
            else:
                self.late += 1
        conn.close()

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=10)
        self.tenant.set_mode("up")
        return {"flips": self.flips, "errors": self.errors, "late": self.late}
