#!/usr/bin/env python3
# Failover end to end (issue 3): two simulated tenants (tools/tenant_sim) on 127.0.0.2 (EU,
# priority 1) and 127.0.0.3 (US, priority 2), probed over HTTPS with Basic auth, and the real
# dnsd answering for them, asked with dig. dnsd also serves the tenants' zone and resolves the
# endpoint names through itself. Every wait has a deadline computed from the probe settings.
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import tenants  # noqa: E402
from tenants import (EU_IP, EU_NAME, US_IP, US_NAME, EndpointSpec, ProbeSettings,  # noqa: E402
                     who)

# The scenario: interval 1 s, timeout 0.5 s, one tolerated failure, TTL 1.
MAIN = ProbeSettings(interval_s=1.0, timeout_s=0.5, tolerated=1)
# For tests that only need a steady state to be reached: faster, still one tolerated failure so
# a slow TLS handshake on a loaded (or sanitizer) build does not flip the state.
FAST = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
TTL = 1
# Scheduling noise on top of the bounds: process wake-ups, a dig per poll, sanitizer builds.
SLACK_S = 1.0
POLL_S = 0.02
# unbound keeps time in whole seconds: a record with TTL 1 stays usable until the second after
# next, so it may be served up to TTL + 1 s after it was fetched.
UNBOUND_CLOCK_S = 1.0

CI = f"ci.{tenants.PROFILE_ZONE}"      # CNAME profile
APEX = "flat.test."                     # profile at a zone apex: flattened to A/AAAA
IPS = f"ip.{tenants.PROFILE_ZONE}"     # IP endpoints
STANDBY_IP = "127.0.0.9"
STANDBY_NAME = f"standby.{tenants.TENANT_ZONE}"

USER = "ci-probe"
PASSWORD = "pw-" + secrets.token_hex(12)       # what the tenants accept
WRONG_PASSWORD = "wrong-" + secrets.token_hex(12)


class Creds:
    """Certificate and Basic-auth file, made once per run."""
    _dir = None

    @classmethod
    def get(cls):
        if cls._dir is None:
            cls._dir = Path(tempfile.mkdtemp(prefix="failover-creds-"))
            cls.cert, cls.key = tenants.make_tenant_cert(cls._dir)
            cls.auth = tenants.write_auth_file(cls._dir / "tenant.auth", USER, PASSWORD)
        return cls

    @classmethod
    def remove(cls):
        if cls._dir is not None:
            shutil.rmtree(cls._dir, ignore_errors=True)
            cls._dir = None


def monitor(settings: ProbeSettings, port: int) -> str:
    creds = Creds.get()
    return settings.monitor_toml(protocol="https", port=port, ca_file=creds.cert.name,
                                 auth_file=creds.auth.name)


def note(text: str) -> None:
    """Measured figures, shown next to the test names in verbose output."""
    print(f"  [{text}]", file=sys.stderr, end=" ", flush=True)


class FailoverCase(dnstest.ServerTestCase):
    """Two tenants and one dnsd per class; subclasses give the settings and the profiles."""

    settings = MAIN

    @classmethod
    def profiles(cls, port: int) -> str:
        raise NotImplementedError

    @classmethod
    def extra_zones(cls) -> str:
        return ""

    @classmethod
    def setUpClass(cls):
        creds = Creds.get()
        cls.eu, cls.us = tenants.start_tenant_pair(creds.cert, creds.key, USER, PASSWORD)
        cls.own(cls.eu)
        cls.own(cls.us)
        body = (tenants.zone_toml(tenants.PROFILE_ZONE) + tenants.tenant_zone_toml() +
                cls.extra_zones() + cls.profiles(cls.eu.port))
        cls.started_at = time.monotonic()
        cls.dnsd = cls.own(tenants.ScenarioDnsd(body, [creds.cert, creds.auth]).start())

    # --- queries

    def ask(self, qname, qtype="A", port=None, rd=False):
        resp = dnstest.dig(port or self.dnsd.port, qname, qtype, rd=rd)
        if port is None:
            self.assertIn("aa", resp.flags, str(resp))
        return resp

    def now_who(self, qname):
        return who(self.ask(qname))

    def wait_answer(self, qname, want, deadline_s, bound_text):
        """Polls dnsd until the answer names `want`; returns the time it was first seen."""
        seen = []

        def check():
            got = self.now_who(qname)
            seen.append(got)
            return time.monotonic() if got == want else None
        try:
            return dnstest.wait_until(deadline_s, check, f"{qname} to answer {want}", POLL_S)
        except TimeoutError:
            self.fail(f"{qname} still answers {seen[-1] if seen else '?'}, not {want}, after "
                      f"{deadline_s:.2f}s: {bound_text}\n{self.dnsd.stderr_text(20)}")

    # --- the state-change log

    def log_text(self):
        return tenants.read_log(self.dnsd)

    def all_transitions(self):
        return tenants.transitions(self.log_text())

    def transitions_since(self, mark, profile, endpoint):
        return [t for t in self.all_transitions()[mark:]
                if t.profile in (profile, "?") and t.endpoint in (endpoint, "?")]

    def state_of(self, profile, endpoint):
        return tenants.state_in_log(self.log_text(), profile, endpoint)

    def wait_state(self, profile, endpoint, state, deadline_s):
        try:
            dnstest.wait_until(deadline_s, lambda: self.state_of(profile, endpoint) == state,
                               f"{profile} {endpoint} to be {state}", POLL_S)
        except TimeoutError as e:
            self.fail(f"{e}\n{self.dnsd.stderr_text(20)}")

    def assertNoSecret(self):
        text = self.log_text()
        for secret in (PASSWORD, WRONG_PASSWORD, tenants.basic_auth_value(USER, PASSWORD),
                       tenants.basic_auth_value(USER, PASSWORD).split()[1],
                       tenants.basic_auth_value(USER, WRONG_PASSWORD).split()[1]):
            self.assertNotIn(secret, text, "a Basic-auth secret appears in dnsd's stderr")

    # --- tenants

    @classmethod
    def restart_eu(cls, password):
        """Replaces the EU tenant by one on the same port that accepts another password."""
        old = cls.eu
        old.stop()
        cls._servers.remove(old)
        old.cleanup()
        creds = Creds.get()
        cls.eu = cls.own(tenants.Tenant("eu", EU_IP, port=old.port, cert=creds.cert,
                                        key=creds.key, user=USER, password=password).start())

    def run_failover(self, qname, fail, reason, recover, *, watch_pings=True, profiles=(CI,)):
        """EU fails (fail()), the answer moves to US within the bound and not before the
        tolerated failures are spent, EU recovers, the answer moves back; one log line per
        transition of each profile, with the reason, and no secret in the log."""
        s = self.settings
        self.assertEqual(self.now_who(qname), "eu")
        mark = len(self.all_transitions())
        worst = s.degrade_worst_s()
        bound = (f"bound {worst:.2f}s + {SLACK_S}s slack = (tolerated {s.tolerated} + 1) x "
                 f"interval {s.interval_s}s x 1.1 + timeout {s.timeout_s}s")

        pings_before = self.eu.pings()
        t0 = time.monotonic()
        fail()
        # A probe answered between reading the counter and the switch would blur which ping
        # was the first failed one; then only the time bounds are checked.
        unambiguous = watch_pings and self.eu.pings() == pings_before
        first_failed_at = None
        answers_after_first_failure = []
        switched_at = None
        end = t0 + worst + SLACK_S
        while time.monotonic() < end:
            if unambiguous and first_failed_at is None and self.eu.pings() > pings_before:
                first_failed_at = time.monotonic()
            got = self.now_who(qname)
            if first_failed_at is not None and not answers_after_first_failure:
                answers_after_first_failure.append(got)
            if got == "us":
                switched_at = time.monotonic()
                break
            self.assertEqual(got, "eu", f"{qname} during failover")
            time.sleep(POLL_S)
        failing_probes = self.eu.pings() - pings_before if unambiguous else None
        if switched_at is None:
            self.fail(f"{qname} did not fail over to US within {worst + SLACK_S:.2f}s ({bound})"
                      f"\n{self.dnsd.stderr_text(20)}")
        elapsed = switched_at - t0
        self.assertLessEqual(elapsed, worst + SLACK_S, bound)
        # Not immediate: the tolerated failures are honoured.
        best = s.degrade_best_s()
        self.assertGreaterEqual(
            elapsed, best,
            f"failed over after {elapsed:.2f}s, before tolerated {s.tolerated} x interval "
            f"{s.interval_s}s x 0.9 = {best:.2f}s: a tolerated failure was not tolerated")
        if unambiguous:
            # Read right after the switch; the next probe is at least 0.9 interval away.
            self.assertGreaterEqual(
                failing_probes, s.tolerated + 1,
                f"the answer moved after {failing_probes} failing probes; Degraded needs "
                f"tolerated {s.tolerated} + 1")
        if unambiguous and s.tolerated > 0:
            self.assertIsNotNone(first_failed_at, "the answer moved before a failed probe was seen")
            self.assertEqual(answers_after_first_failure[:1], ["eu"],
                             "right after the first failed probe the answer must still be EU")
            gap = switched_at - first_failed_at
            self.assertGreaterEqual(
                gap, s.tolerated * s.interval_s * 0.9 - 0.2,
                f"switched {gap:.2f}s after the first failed probe; {s.tolerated} more failures "
                f"at least 0.9 x {s.interval_s}s apart were needed")
        for profile in profiles:
            self.wait_state(profile, "eu", "Degraded", SLACK_S)

        t1 = time.monotonic()
        recover()
        back = s.recover_worst_s()
        back_at = self.wait_answer(
            qname, "eu", back + SLACK_S,
            f"bound {back:.2f}s + {SLACK_S}s slack = successes {s.successes} x interval "
            f"{s.interval_s}s x 1.1 + timeout {s.timeout_s}s, from the recovery at "
            f"+{t1 - t0:.2f}s")
        for profile in profiles:
            self.wait_state(profile, "eu", "Online", SLACK_S)
            lines = self.transitions_since(mark, profile, "eu")
            text = "\n".join(t.line for t in lines)
            self.assertEqual([(t.old, t.new) for t in lines],
                             [("Online", "Degraded"), ("Degraded", "Online")],
                             f"one line per transition expected:\n{text}")
            self.assertRegex(lines[0].reason or "", reason, text)
            self.assertRegex(lines[1].line, r" rtt=\d+ms$", text)
            self.assertEqual(self.transitions_since(mark, profile, "us"), [],
                             "US never changed state")
        self.assertNoSecret()
        note(f"{qname} failover {elapsed:.2f}s (bounds {best:.2f}..{worst + SLACK_S:.2f}s), "
             f"failback {back_at - t1:.2f}s (bound {back + SLACK_S:.2f}s)")
        return elapsed


# ------------------------------------------------------------------------------------------


class PriorityFailover(FailoverCase):
    """The issue's scenario: a CNAME profile and an apex profile on the same two tenants (the
    probes are shared), and unbound in front of dnsd."""

    @classmethod
    def extra_zones(cls):
        return tenants.zone_toml(APEX)

    @classmethod
    def profiles(cls, port):
        endpoints = [EndpointSpec("eu", EU_NAME, 1), EndpointSpec("us", US_NAME, 2)]
        return (tenants.profile_toml(CI, monitor(MAIN, port), endpoints, ttl=TTL) +
                tenants.profile_toml(APEX, monitor(MAIN, port), endpoints, ttl=TTL))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.resolver = cls.own(tenants.StubUnbound([tenants.PROFILE_ZONE, tenants.TENANT_ZONE,
                                                    APEX], cls.dnsd.port).start())

    def setUp(self):
        """Both tenants up, both endpoints Online, EU answered."""
        if self.eu.password != PASSWORD:
            self.restart_eu(PASSWORD)
        for t in (self.eu, self.us):
            if t.mode() != "up":
                t.set_mode("up")
        first = max(0.0, self.started_at + MAIN.first_verdict_worst_s() - time.monotonic())
        for profile in (CI, APEX):
            for endpoint in ("eu", "us"):
                self.wait_state(profile, endpoint, "Online",
                                first + MAIN.recover_worst_s() + SLACK_S)
        self.wait_answer(CI, "eu", SLACK_S, "both endpoints are Online")

    def test_answer_is_a_cname_to_eu_with_ttl_1(self):
        resp = self.ask(CI)
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertEqual(resp.answer[0].key(), dnstest.rr(f"{CI} {TTL} IN CNAME {EU_NAME}").key(),
                         str(resp))
        # dnsd follows a CNAME only inside the zone; anything more must be the target's own data.
        self.assertTrue(all(r.owner.lower() == EU_NAME for r in resp.answer[1:]), str(resp))

    def test_503_fails_over_and_back(self):
        self.run_failover(CI, lambda: self.eu.set_mode("503"), r"^http 503$",
                          lambda: self.eu.set_mode("up"), profiles=(CI, APEX))

    def test_hang_fails_over_on_timeout_and_back(self):
        self.run_failover(CI, lambda: self.eu.set_mode("hang"), r"^timeout after 500ms$",
                          lambda: self.eu.set_mode("up"), profiles=(CI, APEX))

    def test_refused_connection_fails_over_and_back(self):
        # A closed port never sees the probe: only the time bounds tell the failures apart.
        self.run_failover(CI, lambda: self.eu.set_mode("refuse"), r"^connection refused$",
                          lambda: self.eu.set_mode("up"), watch_pings=False, profiles=(CI, APEX))

    def test_wrong_password_with_200_only_fails_over_and_back(self):
        # The tenant is restarted to accept another password: dnsd's probe now gets 403. A probe
        # landing in the restart gap is refused; the one that degrades it is a 403 either way.
        self.assertEqual(MAIN.expected_status, "200-200")
        self.assertEqual(tenants.https_ping_status(self.eu, Creds.get().cert,
                                                   tenants.basic_auth_value(USER, PASSWORD)), 200)
        self.run_failover(CI, lambda: self.restart_eu(WRONG_PASSWORD), r"^http 403$",
                          lambda: self.restart_eu(PASSWORD), watch_pings=False,
                          profiles=(CI, APEX))

    def test_apex_profile_is_flattened_and_fails_over(self):
        resp = self.ask(APEX)
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertEqual([r.key() for r in resp.answer],
                         [dnstest.rr(f"{APEX} {TTL} IN A {EU_IP}").key()], str(resp))
        self.run_failover(APEX, lambda: self.eu.set_mode("503"), r"^http 503$",
                          lambda: self.eu.set_mode("up"), profiles=(CI, APEX))
        resp = self.ask(APEX)
        self.assertEqual([r.key() for r in resp.answer],
                         [dnstest.rr(f"{APEX} {TTL} IN A {EU_IP}").key()], str(resp))

    def resolve(self, qname):
        """Through unbound: the CNAME chain and the tenant's address must agree."""
        resp = dnstest.dig(self.resolver.port, qname, "A", rd=True)
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        target = who(resp)
        addresses = [r.rdata for r in resp.answer if r.type == "A"]
        self.assertEqual(addresses, [{"eu": EU_IP, "us": US_IP}.get(target, "?")], str(resp))
        for r in resp.answer:
            if r.type == "CNAME":
                self.assertLessEqual(r.ttl, TTL, str(resp))
        return target

    def switch_seen_through_unbound(self, want, bound_s):
        """Polls dnsd then unbound; returns (dnsd switched, unbound switched, longest poll round)
        as monotonic times and seconds. dnsd_at is the start of the last round in which dnsd
        still gave the old answer, so it is never later than the real switch."""
        dnsd_at = unbound_at = None
        longest = 0.0
        before_last_old = time.monotonic()
        end = time.monotonic() + bound_s
        while time.monotonic() < end and unbound_at is None:
            started = time.monotonic()
            from_dnsd = self.now_who(CI)
            if dnsd_at is None:
                if from_dnsd == want:
                    dnsd_at = before_last_old  # dnsd switched after this old answer was asked for
                else:
                    before_last_old = started
            elif from_dnsd != want:
                self.fail(f"dnsd went back to {from_dnsd} after answering {want}")
            from_unbound = self.resolve(CI)
            if from_unbound == want:
                unbound_at = time.monotonic()
                if dnsd_at is None:  # dnsd switched between the two queries of this round
                    dnsd_at = started
            longest = max(longest, time.monotonic() - started + POLL_S)
            time.sleep(POLL_S)
        if unbound_at is None:
            self.fail(f"unbound did not move to {want} within {bound_s:.2f}s "
                      f"(dnsd switched: {dnsd_at is not None})")
        return dnsd_at, unbound_at, longest

    def test_unbound_follows_failover_within_the_ttl(self):
        self.assertEqual(self.resolve(CI), "eu")
        for mode, want, bound in (("503", "us", MAIN.degrade_worst_s()),
                                  ("up", "eu", MAIN.recover_worst_s())):
            t0 = time.monotonic()
            self.eu.set_mode(mode)
            dnsd_at, unbound_at, round_s = self.switch_seen_through_unbound(
                want, bound + TTL + UNBOUND_CLOCK_S + 2 * SLACK_S)
            self.assertLessEqual(dnsd_at - t0, bound + SLACK_S, f"dnsd moved to {want} late")
            # Measured from the last round that still saw the old answer at dnsd, so one poll
            # round of reading error is added, plus unbound's own answer time.
            stale_bound = TTL + UNBOUND_CLOCK_S + round_s + 0.25
            stale = unbound_at - dnsd_at
            self.assertLessEqual(
                stale, stale_bound,
                f"unbound served the old target {stale:.2f}s after dnsd moved to {want}; "
                f"allowed: TTL {TTL}s + {UNBOUND_CLOCK_S}s (unbound counts whole seconds) + one "
                f"poll round {round_s:.2f}s + 0.25s = {stale_bound:.2f}s")
            note(f"{want}: dnsd +{dnsd_at - t0:.2f}s, unbound +{unbound_at - t0:.2f}s "
                 f"(stale {stale:.2f}s <= {stale_bound:.2f}s)")
            # Once moved, unbound stays moved.
            for _ in range(3):
                self.assertEqual(self.resolve(CI), want)
        self.wait_state(CI, "eu", "Online", SLACK_S)

    def test_state_change_log_lines(self):
        # Every transition line parses; CheckingEndpoint is left exactly once per endpoint and
        # profile; the secret never shows.
        lines = self.all_transitions()
        self.assertTrue(lines, self.log_text())
        for t in lines:
            self.assertNotEqual(t.old, "?", f"unparsable state-change line: {t.line}")
            self.assertIn(t.old, ("CheckingEndpoint", "Online", "Degraded", "Disabled"), t.line)
            self.assertIn(t.new, ("Online", "Degraded", "Disabled"), t.line)
            self.assertNotEqual(t.old, t.new, t.line)
            if t.new == "Degraded":
                self.assertTrue(t.reason, f"a Degraded line needs a reason: {t.line}")
        for profile in (CI, APEX):
            for endpoint in ("eu", "us"):
                first = [t for t in lines if t.profile == profile and t.endpoint == endpoint
                         and t.old == "CheckingEndpoint"]
                self.assertEqual([(t.old, t.new) for t in first], [("CheckingEndpoint", "Online")],
                                 "\n".join(t.line for t in lines))
        self.assertNoSecret()


class ForbiddenAccepted(FailoverCase):
    """expected_status "200-299,403": a wrong password is still a live tenant."""

    settings = ProbeSettings(interval_s=1.0, timeout_s=0.5, tolerated=1,
                             expected_status="200-299,403")

    @classmethod
    def profiles(cls, port):
        return tenants.profile_toml(CI, monitor(cls.settings, port),
                                    [EndpointSpec("eu", EU_NAME, 1),
                                     EndpointSpec("us", US_NAME, 2)], ttl=TTL)

    def test_wrong_password_stays_online(self):
        s = self.settings
        self.wait_state(CI, "eu", "Online", s.first_verdict_worst_s() + SLACK_S)
        self.assertEqual(self.now_who(CI), "eu")
        mark = len(self.all_transitions())
        self.restart_eu(WRONG_PASSWORD)
        self.assertEqual(tenants.https_ping_status(self.eu, Creds.get().cert,
                                                   tenants.basic_auth_value(USER, PASSWORD)), 403)
        # Enough probes to have degraded it had 403 been a failure; the answer never moves.
        probes = s.tolerated + 2
        target = self.eu.pings() + probes  # the check above was a ping too
        deadline = probes * s.interval_s * 1.1 + s.timeout_s + SLACK_S

        def probed_enough():
            self.assertEqual(self.now_who(CI), "eu")
            return self.eu.pings() >= target
        dnstest.wait_until(deadline, probed_enough, f"{probes} probes answered 403", POLL_S)
        self.assertEqual(self.transitions_since(mark, CI, "eu"), [])
        self.assertEqual(self.state_of(CI, "eu"), "Online")
        self.assertNoSecret()


class UnresolvableEndpoint(FailoverCase):
    """The priority-1 endpoint's name is NXDOMAIN in dnsd's own tenant zone."""

    @classmethod
    def profiles(cls, port):
        return tenants.profile_toml(
            CI, monitor(MAIN, port),
            [EndpointSpec("eu", f"gone.{tenants.TENANT_ZONE}", 1), EndpointSpec("us", US_NAME, 2)],
            ttl=TTL)

    def test_name_that_does_not_resolve_is_degraded_with_reason_dns(self):
        resp = self.ask(f"gone.{tenants.TENANT_ZONE}")
        self.assertEqual(resp.rcode, "NXDOMAIN", str(resp))
        worst = MAIN.first_verdict_worst_s()
        deadline = max(0.0, self.started_at + worst + SLACK_S - time.monotonic())
        switched = self.wait_answer(CI, "us", deadline,
                                    f"bound {worst:.2f}s + {SLACK_S}s = first probe within "
                                    f"{min(MAIN.interval_s, 1.0)}s + (tolerated 1 + 1) x 1s x 1.1 "
                                    f"+ timeout 0.5s, from dnsd's start")
        self.assertGreaterEqual(switched - self.started_at, MAIN.degrade_best_s(),
                                "degraded before the tolerated failure was spent")
        self.wait_state(CI, "eu", "Degraded", SLACK_S)
        lines = tenants.transitions(self.log_text(), CI, "eu")
        self.assertEqual([(t.old, t.new) for t in lines], [("CheckingEndpoint", "Degraded")],
                         "\n".join(t.line for t in lines))
        self.assertEqual(lines[0].reason, "dns: NXDOMAIN", lines[0].line)
        self.assertEqual(self.state_of(CI, "us"), "Online")
        self.assertEqual(self.now_who(CI), "us")


class AllDegradedFirst(FailoverCase):
    """all_degraded = "first" with FQDN endpoints; a disabled endpoint is never answered."""

    settings = FAST

    @classmethod
    def profiles(cls, port):
        return tenants.profile_toml(CI, monitor(FAST, port),
                                    [EndpointSpec("standby", STANDBY_NAME, 3, enabled=False),
                                     EndpointSpec("eu", EU_NAME, 1),
                                     EndpointSpec("us", US_NAME, 2)],
                                    ttl=TTL, all_degraded="first")

    def hold(self, qname, want, probes):
        """Keeps asking while each tenant answers `probes` more probes: the answer never moves."""
        s = self.settings
        target = {t: t.pings() + probes for t in (self.eu, self.us)}

        def steady():
            resp = self.ask(qname)
            self.assertEqual(resp.rcode, "NOERROR", str(resp))
            self.assertEqual(who(resp), want, str(resp))
            return all(t.pings() >= n for t, n in target.items())
        dnstest.wait_until(probes * s.interval_s * 1.1 + s.timeout_s + SLACK_S, steady,
                           f"{probes} more probes on each tenant", POLL_S)

    def test_both_down_answers_the_top_endpoint_never_the_disabled_one(self):
        s = self.settings
        for endpoint in ("eu", "us"):
            self.wait_state(CI, endpoint, "Online", s.first_verdict_worst_s() + SLACK_S)
        self.hold(CI, "eu", 2)
        self.eu.set_mode("503")
        self.wait_answer(CI, "us", s.degrade_worst_s() + SLACK_S, "EU degraded")
        self.us.set_mode("503")
        self.wait_state(CI, "us", "Degraded", s.degrade_worst_s() + SLACK_S)
        self.assertEqual(self.state_of(CI, "eu"), "Degraded")
        # Nothing available: the documented answer is the top enabled endpoint, not an empty
        # NOERROR and not the disabled standby.
        self.hold(CI, "eu", 3)
        self.us.set_mode("up")
        self.wait_answer(CI, "us", s.recover_worst_s() + SLACK_S, "US back, EU still down")
        self.eu.set_mode("up")
        self.wait_answer(CI, "eu", s.recover_worst_s() + SLACK_S, "EU back")
        self.assertNotIn("endpoint=standby", self.log_text())
        self.assertNoSecret()


class IpEndpoints(FailoverCase):
    """IP endpoints answer A records; all_degraded = "all" answers every enabled one."""

    settings = FAST

    @classmethod
    def profiles(cls, port):
        return tenants.profile_toml(IPS, monitor(FAST, port),
                                    [EndpointSpec("standby", STANDBY_IP, 1, enabled=False),
                                     EndpointSpec("eu", EU_IP, 2), EndpointSpec("us", US_IP, 3)],
                                    ttl=TTL, all_degraded="all")

    def setUp(self):
        for t in (self.eu, self.us):
            if t.mode() != "up":
                t.set_mode("up")
        first = max(0.0, self.started_at + FAST.first_verdict_worst_s() - time.monotonic())
        for endpoint in ("eu", "us"):
            self.wait_state(IPS, endpoint, "Online", first + FAST.recover_worst_s() + SLACK_S)
        self.wait_answer(IPS, "eu", SLACK_S, "both endpoints are Online")

    def test_a_has_ttl_1_and_aaaa_is_nodata(self):
        resp = self.ask(IPS)
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertEqual([r.key() for r in resp.answer],
                         [dnstest.rr(f"{IPS} {TTL} IN A {EU_IP}").key()], str(resp))
        resp = self.ask(IPS, "AAAA")
        self.assertEqual(resp.rcode, "NOERROR", str(resp))
        self.assertEqual(resp.answer, [], str(resp))
        self.assertEqual([r.type for r in resp.authority], ["SOA"], str(resp))

    def test_503_fails_over_and_back(self):
        self.run_failover(IPS, lambda: self.eu.set_mode("503"), r"^http 503$",
                          lambda: self.eu.set_mode("up"), profiles=(IPS,))

    def test_both_down_answers_every_enabled_address(self):
        s = self.settings
        self.eu.set_mode("503")
        self.us.set_mode("503")
        for endpoint in ("eu", "us"):
            self.wait_state(IPS, endpoint, "Degraded", s.degrade_worst_s() + SLACK_S)
        target = {t: t.pings() + 3 for t in (self.eu, self.us)}

        def steady():
            resp = self.ask(IPS)
            self.assertEqual(resp.rcode, "NOERROR", str(resp))
            self.assertEqual(sorted(r.key() for r in resp.answer),
                             sorted(dnstest.rr(f"{IPS} {TTL} IN A {ip}").key()
                                    for ip in (EU_IP, US_IP)), str(resp))
            return all(t.pings() >= n for t, n in target.items())
        dnstest.wait_until(3 * s.interval_s * 1.1 + s.timeout_s + SLACK_S, steady,
                           "3 more probes on each tenant", POLL_S)
        resp = self.ask(IPS, "AAAA")
        self.assertEqual((resp.rcode, resp.answer), ("NOERROR", []), str(resp))
        self.eu.set_mode("up")
        self.wait_answer(IPS, "eu", s.recover_worst_s() + SLACK_S, "EU back")
        self.us.set_mode("up")
        self.wait_state(IPS, "us", "Online", s.recover_worst_s() + SLACK_S)


if __name__ == "__main__":
    try:
        dnstest.main()
    finally:
        Creds.remove()
