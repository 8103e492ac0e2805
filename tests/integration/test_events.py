#!/usr/bin/env python3
# The event stream and endpoint history (issue 15): GET /api/v1/events (server-sent events of
# transitions, overrides and reloads, replayed after Last-Event-ID or ?since=, at most 8 streams)
# and the status API's since, transitions, monitor, latency_stale and profile monitor_status.
# Real dnsd, real tenants (tools/tenant_sim); the stream is read with a raw socket.
import json
import re
import socket
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
from admin_scenario import CI, TenantsAndAdmin  # noqa: E402
from tenants import ProbeSettings  # noqa: E402

SETTINGS = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 2.0
PASSWORD = "pw-events-test-8812"
MAX_STREAMS = 8
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class EventReader:
    """One GET /api/v1/events over a raw socket: the head, then events parsed as they come."""

    def __init__(self, port: int, token: str, *, last_id=None, since=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        target = "/api/v1/events" + (f"?since={since}" if since is not None else "")
        lines = [f"GET {target} HTTP/1.1", f"Host: 127.0.0.1:{port}",
                 f"Authorization: Bearer {token}", "Accept: text/event-stream"]
        if last_id is not None:
            lines.append(f"Last-Event-ID: {last_id}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        head_lines = head.decode().split("\r\n")
        self.status = int(head_lines[0].split()[1]) if head_lines[0] else 0
        self.headers = {k.strip().lower(): v.strip() for k, _, v in
                        (line.partition(":") for line in head_lines[1:])}

    def next_event(self, deadline: float):
        """The next event as {"id", "event", "data"}, or None if the deadline passed first."""
        while b"\n\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                raise EOFError("the server ended the stream")
            self.buffer += chunk
        frame, _, self.buffer = self.buffer.partition(b"\n\n")
        fields = {}
        for line in frame.decode().split("\n"):
            if line.startswith(":"):
                continue  # a keepalive comment
            name, _, value = line.partition(": ")
            fields[name] = value
        if "data" not in fields:
            return self.next_event(deadline)
        return {"id": int(fields["id"]), "event": fields["event"],
                "data": json.loads(fields["data"])}

    def wait_for(self, predicate, deadline_s: float, what: str, seen: list):
        """Reads events (appending each to `seen`) until one satisfies predicate."""
        deadline = time.monotonic() + deadline_s
        while True:
            event = self.next_event(deadline)
            if event is None:
                raise AssertionError(f"no event {what} within {deadline_s:.1f}s; saw {seen[-5:]}")
            seen.append(event)
            if predicate(event):
                return event

    def close(self):
        self.sock.close()


class Events(TenantsAndAdmin):

    @classmethod
    def setUpClass(cls):
        cls.start_scenario(prefix="events-creds-", settings=SETTINGS, password=PASSWORD)

    def setUp(self):
        self.readers = []
        self.eu.set_mode("up")
        for name in ("eu", "us"):
            self.api.post(f"/api/v1/endpoints/{CI}/{name}/enable")
        for name in ("eu", "us"):
            self.wait_endpoint(name, lambda e: e["monitor_status"] == "Online", "Online")

    def tearDown(self):
        for reader in self.readers:
            reader.close()

    def reader(self, **kwargs) -> EventReader:
        reader = EventReader(self.admin_port, self.token, **kwargs)
        self.readers.append(reader)
        return reader

    def wait_endpoint(self, name, predicate, what, deadline_s=None):
        deadline_s = deadline_s or SETTINGS.first_verdict_worst_s() + SLACK_S
        return dnstest.wait_until(deadline_s, lambda: (lambda e: e if predicate(e) else None)(
            self.api.endpoint(CI, name)), f"{name} to be {what}")

    def profile(self):
        return next(p for p in self.api.status()["profiles"] if p["name"] == CI)

    def mark(self, reader, seen):
        """A reload as a marker: returns its seq, after which everything is this test's."""
        code, _ = self.api.post("/api/v1/reload")
        self.assertEqual(code, 200)
        return reader.wait_for(lambda e: e["event"] == "reload", 10, "reload", seen)["id"]

    # --- the stream

    def test_transitions_overrides_and_reloads_arrive_in_order(self):
        reader = self.reader()
        self.assertEqual(reader.status, 200)
        self.assertEqual(reader.headers.get("content-type"), "text/event-stream")
        seen = []
        # Disabling us happens in this test alone: its event marks where the replay of earlier
        # tests' events ends; everything awaited below comes after it.
        self.assertEqual(self.api.post(f"/api/v1/endpoints/{CI}/us/disable")[0], 200)
        disabled = reader.wait_for(
            lambda e: e["event"] == "override" and e["data"]["action"] == "disable", 10,
            "disable", seen)
        mark = disabled["id"]
        self.assertEqual({k: disabled["data"][k] for k in ("profile", "endpoint", "action",
                                                           "from", "until")},
                         {"profile": CI, "endpoint": "us", "action": "disable", "from": None,
                          "until": None})
        self.assertRegex(disabled["data"]["at"], RFC3339)

        self.assertEqual(self.api.post("/api/v1/reload")[0], 200)
        reload = reader.wait_for(lambda e: e["id"] > mark and e["event"] == "reload", 10,
                                 "reload", seen)["data"]
        self.assertEqual((reload["type"], reload["ok"], reload["errors"], reload["endpoints"]),
                         ("reload", True, [], 2))

        self.eu.set_mode("503")
        down = reader.wait_for(
            lambda e: e["id"] > mark and e["event"] == "transition" and
            e["data"]["endpoint"] == "eu",
            SETTINGS.degrade_worst_s() + SLACK_S, "eu transition", seen)["data"]
        self.assertEqual((down["profile"], down["from"], down["to"], down["reason"]),
                         (CI, "Online", "Degraded", "unexpected http status"))
        self.assertIn("503", down["detail"])
        self.assertNotIn(PASSWORD, json.dumps(down))

        until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        self.assertEqual(
            self.api.post(f"/api/v1/endpoints/{CI}/us/disable?until={until}")[0], 200)
        window = reader.wait_for(lambda e: e["id"] > mark and e["event"] == "override", 10,
                                 "window", seen)["data"]
        self.assertEqual((window["action"], window["until"]), ("window", until))
        self.assertEqual(self.api.post(f"/api/v1/endpoints/{CI}/us/enable")[0], 200)
        enabled = reader.wait_for(lambda e: e["id"] > mark and e["event"] == "override", 10,
                                  "enable", seen)
        self.assertEqual(enabled["data"]["action"], "enable")

        self.eu.set_mode("up")
        up = reader.wait_for(
            lambda e: e["id"] > mark and e["event"] == "transition" and
            e["data"]["endpoint"] == "eu",
            SETTINGS.recover_worst_s() + SLACK_S, "eu recovery", seen)["data"]
        self.assertEqual((up["from"], up["to"], up["reason"], up["detail"]),
                         ("Degraded", "Online", "none", ""))

        # Every event after the marker, numbered one by one, the id being the data's seq.
        live = [e for e in seen if e["id"] >= mark]
        self.assertEqual([e["id"] for e in live], list(range(mark, mark + len(live))))
        for e in live:
            self.assertEqual((e["id"], e["event"]), (e["data"]["seq"], e["data"]["type"]))

        # Reconnecting after the disable replays only what came later, by header or by query.
        for kwargs in ({"last_id": disabled["id"]}, {"since": disabled["id"]}):
            again = self.reader(**kwargs)
            self.assertEqual(again.status, 200)
            replay = []
            again.wait_for(lambda e: e["id"] == up["seq"], 10, "the recovery, replayed", replay)
            self.assertEqual(replay[0]["id"], disabled["id"] + 1, kwargs)
            self.assertEqual([e["id"] for e in replay],
                             list(range(disabled["id"] + 1, up["seq"] + 1)))

    def test_a_bad_last_event_id_is_refused(self):
        for kwargs in ({"last_id": "x1"}, {"since": "-3"}):
            bad = self.reader(**kwargs)
            self.assertEqual(bad.status, 400, kwargs)

    def test_the_stream_needs_the_token(self):
        refused = EventReader(self.admin_port, "wrong-" + self.token)
        self.readers.append(refused)
        self.assertEqual(refused.status, 401)

    def test_a_ninth_stream_gets_503_and_a_closed_one_frees_its_place(self):
        # Streams of earlier tests end when a write to them fails: reloads make writes.
        streams = []

        def fill():
            self.api.post("/api/v1/reload")
            while len(streams) < MAX_STREAMS:
                r = EventReader(self.admin_port, self.token)
                if r.status != 200:
                    r.close()
                    return False
                streams.append(r)
            return True
        try:
            dnstest.wait_until(30, fill, "8 streams to open")
            ninth = EventReader(self.admin_port, self.token)
            self.assertEqual(ninth.status, 503)
            self.assertIn("retry-after", ninth.headers)
            ninth.close()
            # Requests still have their connections while 8 streams are open.
            self.assertEqual(self.api.get("/api/v1/status")[0], 200)
            streams.pop().close()
            replacement = []

            def reopen():
                self.api.post("/api/v1/reload")
                r = EventReader(self.admin_port, self.token)
                if r.status == 200:
                    replacement.append(r)
                    return True
                r.close()
                return False
            dnstest.wait_until(30, reopen, "the closed stream's place to free")
            streams += replacement
        finally:
            for r in streams:
                r.close()

    def test_a_client_that_never_reads_does_not_stall_status_requests(self):
        idle = socket.socket()
        idle.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        idle.connect(("127.0.0.1", self.admin_port))
        idle.sendall((f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{self.admin_port}\r\n"
                      f"Authorization: Bearer {self.token}\r\n\r\n").encode())
        try:
            started = time.monotonic()
            for _ in range(30):
                self.assertEqual(self.api.post("/api/v1/reload")[0], 200)
                self.assertEqual(self.api.get("/api/v1/status")[0], 200)
            took = time.monotonic() - started
            print(f"  [30 reloads + status with a stream not read: {took:.2f}s]",
                  file=sys.stderr, end=" ", flush=True)
        finally:
            idle.close()

    # --- the status API's history fields

    def test_status_shows_since_transitions_monitor_and_profile_status(self):
        eu = self.api.endpoint(CI, "eu")
        self.assertRegex(eu["since"], RFC3339)
        self.assertEqual(eu["transitions"][-1]["to"], "Online")
        self.assertEqual(eu["monitor"], {
            "protocol": "https", "port": self.eu.port, "path": "/http/ping",
            "interval_s": 0.3, "timeout_s": 0.25, "tolerated_failures": 1,
            "expected_status": ["200"]})
        self.assertFalse(eu["latency_stale"])
        self.assertEqual(self.profile()["monitor_status"], "Online")

        self.eu.set_mode("503")
        down = self.wait_endpoint("eu", lambda e: e["monitor_status"] == "Degraded", "Degraded",
                                  SETTINGS.degrade_worst_s() + SLACK_S)
        self.assertEqual(self.profile()["monitor_status"], "Degraded")
        last = down["transitions"][-1]
        self.assertEqual((last["from"], last["to"], last["reason"]),
                         ("Online", "Degraded", "unexpected http status"))
        self.assertEqual(down["since"], last["at"])
        self.assertEqual(down["last_failure"]["reason"], "unexpected http status")
        # No success within two intervals: the latency shown is the last good one, stale.
        self.wait_endpoint("eu", lambda e: e["latency_stale"], "latency stale",
                           2 * SETTINGS.interval_s * 1.1 + SLACK_S)

        self.eu.set_mode("up")
        up = self.wait_endpoint("eu", lambda e: e["monitor_status"] == "Online", "Online again",
                                SETTINGS.recover_worst_s() + SLACK_S)
        last = up["transitions"][-1]
        self.assertEqual((last["from"], last["to"], last["reason"]),
                         ("Degraded", "Online", "none"))
        self.assertEqual(up["since"], last["at"])
        self.assertIn("503", up["transitions"][-2]["detail"])
        # The failure stays as history, with its time (a later single failure, such as a slow
        # lookup on a loaded machine, may have replaced it without a transition).
        self.assertRegex(up["last_failure"]["at"], RFC3339)
        self.assertNotEqual(up["last_failure"]["reason"], "none")
        self.assertTrue(up["last_failure"]["detail"])
        self.assertEqual(self.profile()["monitor_status"], "Online")
        self.wait_endpoint("eu", lambda e: not e["latency_stale"], "latency fresh", SLACK_S)

        # A reload carries the history of an unchanged endpoint over.
        before = self.api.endpoint(CI, "eu")
        self.assertEqual(self.api.post("/api/v1/reload")[0], 200)
        after = self.api.endpoint(CI, "eu")
        self.assertEqual(after["since"], before["since"])
        self.assertEqual(after["transitions"][:len(before["transitions"])],
                         before["transitions"])

    def test_the_admin_token_and_tenant_password_appear_in_no_event(self):
        reader = self.reader(since=0)
        seen = []
        self.mark(reader, seen)
        text = json.dumps(seen)
        self.assertNotIn(self.token, text)
        self.assertNotIn(PASSWORD, text)


if __name__ == "__main__":
    dnstest.main()
