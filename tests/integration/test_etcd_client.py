#!/usr/bin/env python3
# fleet::EtcdClient against a real etcd cluster on loopback (issue 14), through
# tests/support/etcd_driver: key-value round trip, leases (revoke, TTL), the watch (order, resume,
# a killed leader, a frozen member), every member down or frozen, TLS with client certificates and
# a wrong CA, RBAC auth with an expiring token and a password that never shows. Prints the
# put→watch latency over 100 puts. No mocks: etcd-server 3.4 from Debian.
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import unittest
import unittest.mock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import etcd  # noqa: E402

REPLY_DEADLINE_S = 30.0  # any single driver command; the client's own bounds are far below


def driver_binary() -> str:
    path = os.environ.get("ETCD_DRIVER_BIN")
    if path:
        return path
    build = Path(__file__).resolve().parents[2] / "build" / "tests" / "support" / "etcd_driver"
    return str(build)


class Driver:
    """One etcd_driver process (one EtcdClient). Replies and watch events arrive on separate
    queues; everything it printed is kept, to check that no secret was."""

    def __init__(self, env: dict):
        self.proc = subprocess.Popen([driver_binary()], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **env})
        self.replies: queue.Queue = queue.Queue()
        self.events: queue.Queue = queue.Queue()
        self.output: list = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)
            message = json.loads(line)
            (self.replies if "cmd" in message else self.events).put(message)

    def __call__(self, *words, deadline_s: float = REPLY_DEADLINE_S) -> dict:
        self.proc.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.proc.stdin.flush()
        try:
            return self.replies.get(timeout=deadline_s)
        except queue.Empty:
            raise AssertionError(f"driver gave no answer to {words} within {deadline_s}s") from None

    def ok(self, *words, **kw) -> dict:
        reply = self(*words, **kw)
        if reply["error"]:
            raise AssertionError(f"{' '.join(map(str, words))}: {reply['error']}")
        return reply

    def event(self, deadline_s: float = REPLY_DEADLINE_S) -> dict:
        try:
            return self.events.get(timeout=deadline_s)
        except queue.Empty:
            raise AssertionError(f"no watch event within {deadline_s}s") from None

    def events_until(self, predicate, deadline_s: float) -> list:
        """Watch events until one satisfies predicate (included), within the deadline."""
        seen, end = [], time.monotonic() + deadline_s
        while True:
            seen.append(self.event(max(0.0, end - time.monotonic())))
            if predicate(seen[-1]):
                return seen

    def close(self) -> str:
        """Ends the driver (by its PID) and returns its stderr."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=REPLY_DEADLINE_S)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self._reader.join(timeout=5)
        stderr = self.proc.stderr.read()
        for pipe in (self.proc.stdout, self.proc.stderr):
            pipe.close()
        return stderr


class ClusterTest(unittest.TestCase):
    cluster_args: dict = {}
    cluster_size = 3

    @classmethod
    def setUpClass(cls):
        cls.cluster = etcd.EtcdCluster(cls.cluster_size, **cls.cluster_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.cleanup()

    def setUp(self):
        self.drivers = []

    def tearDown(self):
        for d in self.drivers:
            d.close()
        touched = False  # a test that stopped or froze members restores them
        for m in self.cluster.members:
            if m.frozen:
                m.thaw()
                touched = True
            if not m.alive():
                m.start()
                touched = True
        if touched:
            self.cluster.wait_healthy()

    def driver(self, **env) -> Driver:
        base = self.cluster.client_env(members=env.pop("members", None),
                                       wrong_ca=env.pop("wrong_ca", False),
                                       ipv6=env.pop("ipv6", False))
        d = Driver({**base, **{k: str(v) for k, v in env.items()}})
        self.drivers.append(d)
        return d


class KeyValueAndLeaseTest(ClusterTest):
    # A 1 s progress notification keeps a quiet watch from being taken for a dead one.
    cluster_args = {"progress_notify_interval": "1s"}

    def test_put_get_and_remove_round_trip(self):
        d = self.driver()
        d.ok("put", "/kv/a", "alpha")
        d.ok("put", "/kv/b", "beta")
        d.ok("put", "/kw/c", "outside")
        got = d.ok("get", "/kv/")
        self.assertEqual([(kv["key"], kv["value"]) for kv in got["kvs"]],
                         [("/kv/a", "alpha"), ("/kv/b", "beta")])
        self.assertGreaterEqual(got["revision"], max(kv["rev"] for kv in got["kvs"]))
        d.ok("remove", "/kv/a")
        self.assertEqual([kv["key"] for kv in d.ok("get", "/kv/")["kvs"]], ["/kv/b"])

    def test_a_revoked_lease_takes_its_keys(self):
        d = self.driver()
        lease = d.ok("grant", 60)["lease"]
        d.ok("put", "/lease/revoked", "v", lease)
        d.ok("keepalive", lease)
        self.assertEqual([kv["lease"] for kv in d.ok("get", "/lease/revoked")["kvs"]], [lease])
        d.ok("revoke", lease)
        self.assertEqual(d.ok("get", "/lease/revoked")["kvs"], [])
        self.assertEqual(d("keepalive", lease)["error"], "lease expired")

    def test_a_lease_kept_alive_stays_and_one_left_alone_expires(self):
        d = self.driver()
        kept, left = d.ok("grant", 2)["lease"], d.ok("grant", 2)["lease"]
        d.ok("put", "/ttl/kept", "v", kept)
        d.ok("put", "/ttl/left", "v", left)
        # keep_alive on `kept` until `left` is gone: the TTL did that, and `kept` outlived it.
        def left_gone():
            d.ok("keepalive", kept)
            return not d.ok("get", "/ttl/left")["kvs"]
        dnstest.wait_until(20.0, left_gone, "the key of the lease left alone to expire", 0.2)
        self.assertEqual(len(d.ok("get", "/ttl/kept")["kvs"]), 1)
        self.assertEqual(d("keepalive", left)["error"], "lease expired")

    def test_watch_sees_puts_and_deletes_in_order_and_resumes_from_a_revision(self):
        d = self.driver()
        start = d.ok("get", "/w/")["revision"]
        d.ok("watch", "/w/", start)
        for words in (("put", "/w/a", "1"), ("put", "/w/b", "2"), ("remove", "/w/a"),
                      ("put", "/w/a", "3"), ("put", "/elsewhere", "x"), ("put", "/w/end", "")):
            d.ok(*words)
        seen = d.events_until(lambda e: e["key"] == "/w/end", 15.0)
        self.assertEqual([(e["event"], e["key"], e["value"]) for e in seen],
                         [("put", "/w/a", "1"), ("put", "/w/b", "2"), ("remove", "/w/a", ""),
                          ("put", "/w/a", "3"), ("put", "/w/end", "")])
        revisions = [e["rev"] for e in seen]
        self.assertEqual(revisions, sorted(revisions))
        d.ok("stop")
        self.assertEqual(d.event(10.0), {"watch_end": "", "t_ns": unittest.mock.ANY})
        self.assertEqual(d("put", "/w/late", "x")["error"], "stopped")  # later calls: at once
        # A new client resumes after the second event: the rest, nothing before.
        again = self.driver()
        again.ok("watch", "/w/", revisions[1])
        resumed = again.events_until(lambda e: e.get("key") == "/w/end", 15.0)
        self.assertEqual([(e["event"], e["key"]) for e in resumed],
                         [("remove", "/w/a"), ("put", "/w/a"), ("put", "/w/end")])

    def test_a_watch_from_a_compacted_revision_ends_with_compacted(self):
        d = self.driver()
        first = d.ok("get", "/cp/")["revision"]
        for i in range(3):
            d.ok("put", "/cp/k", str(i))
        now = d.ok("get", "/cp/")["revision"]
        compact = self.cluster.etcdctl("compact", str(now))
        self.assertEqual(compact.returncode, 0, compact.stderr)
        d.ok("watch", "/cp/", first)
        end = d.event(15.0)
        self.assertTrue(end.get("watch_end", "").startswith("compacted"), end)

    def test_one_client_serves_several_threads_at_once(self):
        d = self.driver()
        d.ok("parallel", "/par/", 8, 25, deadline_s=120.0)
        self.assertEqual(len(d.ok("get", "/par/")["kvs"]), 8 * 25)

    def test_put_to_watch_event_latency_over_100_puts(self):
        d = self.driver()
        got = d.ok("latency", "/latency/", 100, deadline_s=120.0)
        self.assertEqual(got["n"], 100)
        print(f"\nput→watch event latency on loopback over 100 puts: median "
              f"{got['median_ms']:.2f} ms, max {got['max_ms']:.2f} ms, min {got['min_ms']:.2f} ms",
              file=sys.stderr)


class MemberFailureTest(ClusterTest):
    cluster_args = {"progress_notify_interval": "1s"}

    def test_calls_and_the_watch_go_on_when_the_leader_is_killed(self):
        leader = self.cluster.leader()
        others = [m for m in self.cluster.members if m is not leader]
        # The leader first: the client is connected to the member that dies.
        d = self.driver(members=[leader, *others], ETCD_TIMEOUT_MS=1000)
        start = d.ok("get", "/lk/")["revision"]
        d.ok("watch", "/lk/", start)
        d.ok("put", "/lk/before", "0")
        self.assertEqual(d.event(15.0)["key"], "/lk/before")
        leader.kill()
        killed_at = time.monotonic()
        # Calls may fail while a new leader is elected (the client rides out `timeout`), and
        # then go on through another member.
        dnstest.wait_until(20.0, lambda: not d("put", "/lk/after", "1")["error"],
                           "a put through another member", 0.05)
        recovered_s = time.monotonic() - killed_at
        for i in range(2, 6):
            d.ok("put", f"/lk/after{i}", str(i))
        seen = d.events_until(lambda e: e.get("key") == "/lk/after5", 20.0)
        self.assertNotIn("watch_end", [k for e in seen for k in e])
        keys = [e["key"] for e in seen]
        self.assertEqual(keys[-5:], ["/lk/after", "/lk/after2", "/lk/after3", "/lk/after4",
                                     "/lk/after5"])
        print(f"\nleader killed: first put through another member after {recovered_s:.2f}s",
              file=sys.stderr)

    def test_a_watch_on_a_frozen_member_moves_to_another_one(self):
        follower = next(m for m in self.cluster.members if m is not self.cluster.leader())
        others = [m for m in self.cluster.members if m is not follower]
        watcher = self.driver(members=[follower, *others], ETCD_WATCH_SILENCE_MS=3000)
        writer = self.driver(members=others)
        start = writer.ok("get", "/fz/")["revision"]
        watcher.ok("watch", "/fz/", start)
        writer.ok("put", "/fz/before", "0")
        self.assertEqual(watcher.event(15.0)["key"], "/fz/before")
        follower.freeze()  # its connections stay open; nothing comes through them
        writer.ok("put", "/fz/during", "1")
        # Within the silence window (3 s) plus a reconnect, from the last revision seen.
        got = watcher.event(20.0)
        self.assertEqual((got.get("key"), got.get("value")), ("/fz/during", "1"))


    def test_a_watch_on_a_member_that_lost_its_leader_does_not_stay_open(self):
        # Without etcd's "require leader" metadata the member would keep the stream open (its
        # progress notifications flowing) while it has no quorum; with it, the member cancels
        # the watch, the client tries the others (frozen: silent) and reports the failure.
        lone, *others = self.cluster.members
        d = self.driver(members=[lone, *others], ETCD_TIMEOUT_MS=1000,
                        ETCD_WATCH_SILENCE_MS=2000)
        d.ok("watch", "/nl/", 0)
        d.ok("put", "/nl/a", "1")
        self.assertEqual(d.event(15.0)["key"], "/nl/a")
        for m in others:
            m.freeze()
        end = d.event(45.0)
        self.assertIn("watch_end", end)
        self.assertIn("no endpoint answered", end["watch_end"])


class AllMembersDownTest(ClusterTest):
    def test_calls_fail_within_their_bound_when_every_member_is_frozen(self):
        d = self.driver(ETCD_TIMEOUT_MS=1000)
        d.ok("put", "/down/a", "1")
        for m in self.cluster.members:
            m.freeze()
        # Each endpoint may take the full timeout to fail: at most (members + 1) × timeout.
        bound_ms = (len(self.cluster.members) + 1) * 1000
        for words in (("put", "/down/b", "2"), ("get", "/down/"), ("grant", 5)):
            got = d(*words)
            self.assertTrue(got["error"], words)
            self.assertLess(got["elapsed_ms"], bound_ms + 1000, got)
        # A watch stuck on a silent member returns at once on stop(), and so does a call.
        d.ok("watch", "/down/", 0)
        stopped = d.ok("stop", deadline_s=10.0)
        self.assertEqual(d.event(10.0).get("watch_end"), "")
        self.assertLess(stopped["elapsed_ms"], 1000, stopped)

    def test_calls_and_the_watch_end_with_an_error_when_every_member_is_stopped(self):
        d = self.driver(ETCD_TIMEOUT_MS=1000)
        d.ok("watch", "/down/", 0)
        d.ok("put", "/down/w", "1")
        self.assertEqual(d.event(15.0)["key"], "/down/w")
        self.cluster.stop_all()
        end = d.event(15.0)
        self.assertIn("watch_end", end)
        self.assertIn("no endpoint answered", end["watch_end"])
        got = d("put", "/down/c", "3")
        self.assertIn("none of 3 endpoints answered", got["error"])
        self.assertLess(got["elapsed_ms"], 1000 + 1000, got)  # refused at once: timeout + slack


class TlsAndAuthTest(ClusterTest):
    cluster_size = 1
    cluster_args = {"tls": True, "auth": True, "extra_args": ("--auth-token-ttl", "2"),
                    "ipv6": dnstest.HAS_IPV6}

    def assert_no_password(self, d: Driver) -> None:
        stderr = d.close()
        self.drivers.remove(d)
        text = "".join(d.output) + stderr
        self.assertNotIn(self.cluster.password, text)

    def test_tls_with_a_client_certificate_and_auth_work(self):
        d = self.driver()
        d.ok("put", "/tls/a", "1")
        self.assertEqual(d.ok("get", "/tls/")["kvs"][0]["value"], "1")
        self.assert_no_password(d)

    @unittest.skipUnless(dnstest.HAS_IPV6, "no ::1 here")
    def test_an_ipv6_endpoint_works(self):
        d = self.driver(ipv6=True)
        self.assertTrue(
            self.cluster.client_env(ipv6=True)["ETCD_ENDPOINTS"].startswith("https://[::1]:"))
        d.ok("put", "/tls6/a", "1")
        self.assertEqual(d.ok("get", "/tls6/")["kvs"][0]["value"], "1")

    def test_a_wrong_ca_fails_clearly(self):
        d = self.driver(wrong_ca=True, ETCD_TIMEOUT_MS=1000)
        error = d("put", "/tls/b", "1")["error"]
        self.assertIn("certificate", error)
        self.assert_no_password(d)

    def test_no_client_certificate_fails_clearly(self):
        d = self.driver(ETCD_CERT="", ETCD_KEY="", ETCD_TIMEOUT_MS=1000)
        error = d("put", "/tls/c", "1")["error"]
        self.assertTrue(error)
        self.assert_no_password(d)

    def test_a_wrong_password_fails_and_no_password_shows(self):
        d = self.driver(ETCD_PASSWORD=self.cluster.password + "-wrong")
        error = d("put", "/auth/a", "1")["error"]
        self.assertIn("authentication failed", error)
        watch_end = (d.ok("watch", "/auth/", 0), d.event(15.0))[1]
        self.assertIn("authentication failed", watch_end["watch_end"])
        stderr = d.close()
        self.drivers.remove(d)
        self.assertNotIn(self.cluster.password, "".join(d.output) + stderr)

    def test_an_expired_token_is_renewed(self):
        d = self.driver()
        d.ok("put", "/auth/before", "1")
        # Tokens taken after the client's last call expire after its token (simple tokens,
        # --auth-token-ttl 2). Asking etcd about a token renews it, so each is asked once: the
        # first one refused proves the client's token expired too.
        member = self.cluster.members[0]
        probes = [self.cluster.auth_token(member) for _ in range(25)]

        def a_probe_refused():
            answer = self.cluster.post(member, "/v3/kv/range", {"key": "eA=="},
                                       token=probes.pop(0))
            return "error" in answer
        dnstest.wait_until(20.0, a_probe_refused, "a token to expire", 0.5)
        d.ok("put", "/auth/after", "2")
        self.assertEqual(len(d.ok("get", "/auth/")["kvs"]), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
