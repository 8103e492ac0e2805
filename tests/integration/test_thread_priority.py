#!/usr/bin/env python3
# Query threads first (issue 17): dnsd's background threads (probing, the control timer,
# re-signing, publishing, the admin API) run below its UDP query threads, as the kernel reports
# them in /proc/PID/task/*/stat, so on a shared core a waking background thread never delays an
# answer. And probing still decides: with the whole dnsd on one core and its query threads
# flooded by bounded bursts, an endpoint that goes down is still taken out of the answer.
import os
import socket
import sys
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from admin_client import admin_toml, write_token  # noqa: E402
from dnswire import build_query  # noqa: E402
from tenants import EU_IP, US_IP, EndpointSpec, ProbeSettings  # noqa: E402

PROBES = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=0)
NAME = f"ip.{tenants.PROFILE_ZONE}"
BACKGROUND_NICE_STEPS = 10   # service/thread_priority.hh
SCHED_BATCH = 3
SLACK_S = 3.0                # scheduling noise on a loaded machine, on top of the probe bound
FLOOD_DEADLINE_S = 60.0      # no flood runs longer than this, whatever happens
FLOOD_SENDERS = 2


def threads(pid: int) -> list:
    """(name, nice, policy) of every thread of pid, from /proc/PID/task/TID/stat."""
    out = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()  # fields[0] is field 3 (state)
        out.append((name, int(fields[16]), int(fields[38])))  # fields 19 (nice), 41 (policy)
    return out


class PinnedDnsd(tenants.ScenarioDnsd):
    """dnsd with all its threads on one CPU, as bench/run starts it."""

    def __init__(self, body, files, cpu):
        super().__init__(body, files, workers=1)
        self.cpu = cpu

    def argv(self):
        return ["taskset", "-c", str(self.cpu), *super().argv()]


class ThreadPriority(dnstest.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.eu, cls.us = tenants.start_tenant_pair(None, None, "", "")
        cls.own(cls.eu)
        cls.own(cls.us)
        token = cls.eu.dir / "admin.token"  # any directory of ours: copied into dnsd's
        write_token(token)
        monitor = PROBES.monitor_toml(protocol="http", port=cls.eu.port)
        body = (tenants.zone_toml(tenants.PROFILE_ZONE) +
                tenants.profile_toml(NAME, monitor, [EndpointSpec("eu", EU_IP, 1),
                                                     EndpointSpec("us", US_IP, 2)]) +
                admin_toml(dnstest.free_port(), "admin.token"))
        cpu = sorted(os.sched_getaffinity(0))[-1]
        cls.dnsd = cls.own(PinnedDnsd(body, [token], cpu).start())
        dnstest.wait_until(PROBES.first_verdict_worst_s() + SLACK_S,
                           lambda: tenants.who(dnstest.dig(cls.dnsd.port, NAME)) == "eu",
                           f"{NAME} to answer eu")

    def test_background_threads_run_below_the_query_threads(self):
        pid = self.dnsd.proc.pid
        process_nice = os.getpriority(os.PRIO_PROCESS, pid)
        listed = threads(pid)
        names = {name for name, _, _ in listed}
        for expected in ("dnsd-udp", "dnsd-probe", "dnsd-timer", "dnsd-resign", "dnsd-publish",
                         "dnsd-admin"):
            self.assertIn(expected, names, f"no thread named {expected}: {sorted(names)}")
        for name, nice, policy in listed:
            if name == "dnsd-udp":
                self.assertEqual((nice, policy), (process_nice, 0), f"query thread {name}")
            elif name in ("dnsd-probe", "dnsd-timer", "dnsd-resign", "dnsd-publish",
                          "dnsd-admin"):
                self.assertEqual(nice, min(19, process_nice + BACKGROUND_NICE_STEPS), name)
                self.assertEqual(policy, SCHED_BATCH, f"{name} is not SCHED_BATCH")

    def test_probes_still_take_a_failed_endpoint_out_under_a_query_flood(self):
        stop = threading.Event()
        sent = [0] * FLOOD_SENDERS
        query = build_query(NAME, "A")

        def flood(index):
            # Bounded by the stop event and FLOOD_DEADLINE_S; replies are not read (the kernel
            # drops them once our receive buffer is full), the point is a busy query thread.
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            start = time.monotonic()
            try:
                while not stop.is_set() and time.monotonic() - start < FLOOD_DEADLINE_S:
                    try:
                        s.sendto(query, ("127.0.0.1", self.dnsd.port))
                        sent[index] += 1
                    except BlockingIOError:
                        time.sleep(0.0005)  # our send buffer is full: let it drain
            finally:
                s.close()
        senders = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(FLOOD_SENDERS)]
        for t in senders:
            t.start()
        try:
            dnstest.wait_until(10, lambda: sum(sent) > 20000, "the flood to get going")
            self.eu.set_mode("503")
            # The verdict is the probes' (read from the log, not asked for: under the flood a dig
            # may lose its reply to a full socket buffer); the answer is checked once it is made.
            dnstest.wait_until(PROBES.degrade_worst_s() + SLACK_S,
                               lambda: tenants.state_in_log(tenants.read_log(self.dnsd), NAME,
                                                            "eu") == "Degraded",
                               "the probes to find eu Degraded while flooded")
            self.assertTrue(all(t.is_alive() for t in senders), "the flood ended before the verdict")
            flooded_sent = sum(sent)
        finally:
            stop.set()
            for t in senders:
                t.join(timeout=FLOOD_DEADLINE_S + 5)
        self.assertGreater(flooded_sent, 20000)
        self.assertEqual(tenants.who(dnstest.dig(self.dnsd.port, NAME)), "us")
        self.eu.set_mode("up")
        self.assertAlive(self.dnsd)


if __name__ == "__main__":
    dnstest.main()
