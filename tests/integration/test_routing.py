#!/usr/bin/env python3
# Routing methods end to end (issue 5): weighted, multivalue and subnet profiles, always_serve
# endpoints, a disabled profile, and query type against endpoint type, asked with dig (with
# +subnet for EDNS Client Subnet) against the real dnsd. Two simulated tenants (tools/tenant_sim)
# on 127.0.0.2 (EU) and 127.0.0.3 (US) are probed over HTTP; EU goes down mid-test and comes back.
# Every wait is a condition with a deadline.
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import dnstest  # noqa: E402
import mmdb_writer  # noqa: E402
import tenants  # noqa: E402
from tenants import EU_IP, EU_NAME, US_IP, ProbeSettings, who  # noqa: E402

FAST = ProbeSettings(interval_s=0.3, timeout_s=0.25, tolerated=1)
SLACK_S = 1.5
POLL_S = 0.02
ZONE = tenants.PROFILE_ZONE
STANDBY_IP = "127.0.0.9"  # nothing listens there: only an always_serve endpoint can answer it

WEIGHTED = f"weighted.{ZONE}"
MULTI = f"multi.{ZONE}"
SUBNET = f"subnet.{ZONE}"
ALWAYS = f"always.{ZONE}"
OFF = f"off.{ZONE}"
CNAME = f"cname.{ZONE}"
CHILD = f"child.{ZONE}"
PARENT = f"parent.{ZONE}"
SPARE_IP = "127.0.0.10"
GEO = f"geo.{ZONE}"
GEO_PARENT = f"geo-parent.{ZONE}"
PERF = f"perf.{ZONE}"
PERF_RTT = f"perf-rtt.{ZONE}"


def endpoint(name, target, extra=""):
    target_line = f'target = "{target}"\n' if target else ""
    return f'\n[[profile.endpoint]]\nname = "{name}"\n{target_line}{extra}'


def profile(name, method, monitor, endpoints, extra=""):
    return (f'\n[[profile]]\nname = "{name}"\nmethod = "{method}"\nttl = 1\n{extra}' + monitor +
            "".join(endpoints))


class RoutingMethods(dnstest.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.eu, cls.us = tenants.start_tenant_pair(None, None, "", "")
        cls.own(cls.eu)
        cls.own(cls.us)
        m = FAST.monitor_toml(protocol="http", port=cls.eu.port)
        body = (tenants.zone_toml(ZONE) + tenants.tenant_zone_toml() +
                profile(WEIGHTED, "weighted", m,
                        [endpoint("eu", EU_IP, "weight = 1\n"), endpoint("us", US_IP, "weight = 1\n")]) +
                profile(MULTI, "multivalue", m,
                        [endpoint("eu", EU_IP), endpoint("us", US_IP),
                         endpoint("standby", STANDBY_IP, 'status = "always_serve"\n'),
                         endpoint("v6", "::1", 'status = "always_serve"\n')], "max_return = 2\n") +
                profile(SUBNET, "subnet", m,
                        [endpoint("eu", EU_IP, 'ranges = ["10.0.0.0/8"]\n'),
                         endpoint("us", US_IP, 'ranges = ["10.1.0.0/16", "192.0.2.10-192.0.2.20"]\n'),
                         endpoint("standby", STANDBY_IP, 'status = "always_serve"\n')]) +
                profile(ALWAYS, "priority", m,
                        [endpoint("standby", STANDBY_IP, 'priority = 1\nstatus = "always_serve"\n'),
                         endpoint("us", US_IP, "priority = 2\n")]) +
                profile(OFF, "priority", m, [endpoint("eu", EU_IP)], 'status = "disabled"\n') +
                profile(CNAME, "priority", m, [endpoint("eu", EU_NAME)]) +
                profile(CHILD, "priority", m,
                        [endpoint("eu", EU_IP, "priority = 1\n"), endpoint("us", US_IP, "priority = 2\n"),
                         endpoint("spare", SPARE_IP, 'priority = 3\nstatus = "always_serve"\n')]) +
                profile(PARENT, "priority", m,
                        [endpoint("child", "", f'profile = "{CHILD}"\npriority = 1\nmin_child_endpoints = 2\n'),
                         endpoint("standby", STANDBY_IP, 'priority = 2\nstatus = "always_serve"\n')]))
        geo = ('geoip_database = "geo.mmdb"\n', [endpoint("eu", EU_IP, 'regions = ["DE"]\n'),
                                                   endpoint("us", US_IP, 'regions = ["WORLD"]\n'
                                                            'subnet_override = ["10.1.2.0/24"]\n')])
        body += (profile(GEO, "geographic", m, geo[1], geo[0]) +
                 profile(GEO_PARENT, "geographic", m, geo[1], geo[0] + 'fallback = "parent_region"\n'))
        perf = [endpoint("eu", EU_IP, 'location = "westeurope"\n'),
                endpoint("us", US_IP, 'location = "eastus"\n')]
        body += (profile(PERF, "performance", m, perf, geo[0]) +
                 '[profile.latency]\n"GEO-EU" = { westeurope = 10, eastus = 90 }\n'
                 'US = { westeurope = 90, eastus = 12 }\n' +
                 profile(PERF_RTT, "performance", m, perf))
        # The tests' own GeoIP database: Germany is 10/8 except 10.3/16, which is California.
        cls.geo_db = Path(tempfile.mkdtemp(prefix="routing-geo-")) / "geo.mmdb"
        mmdb_writer.write(cls.geo_db, [("10.0.0.0/8", mmdb_writer.location("EU", "DE")),
                                       ("10.3.0.0/16", mmdb_writer.location("NA", "US", "CA"))])
        cls.started_at = time.monotonic()
        cls.dnsd = cls.own(tenants.ScenarioDnsd(body, [cls.geo_db]).start())
        shutil.rmtree(cls.geo_db.parent, ignore_errors=True)

    # --- helpers

    def ask(self, qname, qtype="A", *options):
        resp = dnstest.dig(self.dnsd.port, qname, qtype, *options)
        self.assertIn("aa", resp.flags, str(resp))
        return resp

    def addresses(self, resp):
        return sorted(r.rdata for r in resp.answer if r.type in ("A", "AAAA"))

    def ecs(self, resp):
        """dig's CLIENT-SUBNET line: 'address/source/scope'."""
        for option in (resp.edns.options if resp.edns else []):
            if option.startswith("CLIENT-SUBNET:"):
                return option.split(":", 1)[1].strip()
        return None

    def state_of(self, name, endpoint_name):
        return tenants.state_in_log(tenants.read_log(self.dnsd), name, endpoint_name)

    def wait_state(self, name, endpoint_name, state, deadline_s):
        try:
            dnstest.wait_until(deadline_s, lambda: self.state_of(name, endpoint_name) == state,
                               f"{name} {endpoint_name} to be {state}", POLL_S)
        except TimeoutError as e:
            self.fail(f"{e}\n{self.dnsd.stderr_text(20)}")

    def wait_answer(self, what, predicate, deadline_s):
        seen = []

        def check():
            value = predicate()
            seen.append(value)
            return value[0]
        try:
            dnstest.wait_until(deadline_s, check, what, POLL_S)
        except TimeoutError:
            self.fail(f"{what}: last seen {seen[-1][1] if seen else '?'}\n{self.dnsd.stderr_text(20)}")

    def setUp(self):
        for t in (self.eu, self.us):
            if t.mode() != "up":
                t.set_mode("up")
        first = max(0.0, self.started_at + FAST.first_verdict_worst_s() - time.monotonic())
        for name in (WEIGHTED, MULTI, SUBNET, CHILD, GEO, GEO_PARENT, PERF, PERF_RTT):
            for e in ("eu", "us"):
                self.wait_state(name, e, "Online", first + FAST.recover_worst_s() + SLACK_S)
        self.wait_state(PARENT, "child", "Online", SLACK_S)

    def take_eu_down(self):
        self.eu.set_mode("503")
        for name in (WEIGHTED, MULTI, SUBNET):
            self.wait_state(name, "eu", "Degraded", FAST.degrade_worst_s() + SLACK_S)

    def bring_eu_back(self):
        self.eu.set_mode("up")
        for name in (WEIGHTED, MULTI, SUBNET):
            self.wait_state(name, "eu", "Online", FAST.recover_worst_s() + SLACK_S)

    # --- weighted

    def test_weighted_answers_both_then_only_the_healthy_one(self):
        seen = {who(self.ask(WEIGHTED)) for _ in range(40)}
        # Weights 1:1 over 40 answers: missing one tenant has probability 2^-39.
        self.assertEqual(seen, {"eu", "us"})
        self.take_eu_down()
        answers = [who(self.ask(WEIGHTED)) for _ in range(30)]
        self.assertEqual(set(answers), {"us"}, "a Degraded endpoint was drawn")
        self.bring_eu_back()
        self.wait_answer("weighted to draw EU again",
                         lambda: (lambda w: (w == "eu", w))(who(self.ask(WEIGHTED))),
                         FAST.recover_worst_s() + SLACK_S)

    # --- multivalue

    def test_multivalue_answers_up_to_max_return_of_the_asked_family(self):
        self.assertEqual(self.addresses(self.ask(MULTI)), [EU_IP, US_IP])
        self.assertEqual(self.addresses(self.ask(MULTI, "AAAA")), ["::1"])
        self.take_eu_down()
        # EU is out: US and the always_serve standby, still two addresses.
        self.assertEqual(self.addresses(self.ask(MULTI)), [US_IP, STANDBY_IP])
        self.bring_eu_back()
        self.assertEqual(self.addresses(self.ask(MULTI)), [EU_IP, US_IP])

    # --- subnet and ECS

    def test_subnet_routes_by_ecs_with_the_scope_of_the_match(self):
        resp = self.ask(SUBNET, "A", "+subnet=10.1.2.0/24")
        self.assertEqual(self.addresses(resp), [US_IP], str(resp))
        self.assertEqual(self.ecs(resp), "10.1.2.0/24/16", str(resp))
        resp = self.ask(SUBNET, "A", "+subnet=10.2.0.0/16")
        self.assertEqual(self.addresses(resp), [EU_IP], str(resp))
        self.assertEqual(self.ecs(resp), "10.2.0.0/16/15", str(resp))
        resp = self.ask(SUBNET, "A", "+subnet=192.0.2.12/32")
        self.assertEqual(self.addresses(resp), [US_IP], str(resp))
        self.assertEqual(self.ecs(resp), "192.0.2.12/32/30", str(resp))  # .12-.15 in .10-.20
        # No ECS: the source address 127.0.0.1 matches no range: the fallback endpoint.
        resp = self.ask(SUBNET)
        self.assertEqual(self.addresses(resp), [STANDBY_IP], str(resp))
        self.assertIsNone(self.ecs(resp), str(resp))

    def test_subnet_passes_a_down_match_to_the_fallback(self):
        self.take_eu_down()
        resp = self.ask(SUBNET, "A", "+subnet=10.2.0.0/16")
        self.assertEqual(self.addresses(resp), [STANDBY_IP], str(resp))
        self.assertEqual(self.addresses(self.ask(SUBNET, "A", "+subnet=10.1.0.0/16")), [US_IP])
        self.bring_eu_back()
        self.assertEqual(self.addresses(self.ask(SUBNET, "A", "+subnet=10.2.0.0/16")), [EU_IP])

    def test_malformed_ecs_is_formerr(self):
        # FAMILY 3 does not exist (RFC 7871 §6): dig sends the raw option.
        resp = dnstest.dig(self.dnsd.port, SUBNET, "A", "+ednsopt=8:00031800")
        self.assertEqual((resp.rcode, resp.answer), ("FORMERR", []), str(resp))
        # Bits set past SOURCE PREFIX-LENGTH 20 (10.1.15.0): FORMERR as well.
        resp = dnstest.dig(self.dnsd.port, SUBNET, "A", "+ednsopt=8:000114000a010f")
        self.assertEqual(resp.rcode, "FORMERR", str(resp))

    # --- geographic

    def test_geographic_routes_by_ecs_location_with_the_database_scope(self):
        resp = self.ask(GEO, "A", "+subnet=10.1.0.0/16")
        self.assertEqual(self.addresses(resp), [EU_IP], str(resp))
        # 10.1.0.0 (routed by location, the database holds 10.0.0.0/15 as one network) must stay
        # clear of the override 10.1.2.0/24 below: scope 23, not the database's 15.
        self.assertEqual(self.ecs(resp), "10.1.0.0/16/23", str(resp))
        resp = self.ask(GEO, "A", "+subnet=10.200.0.0/16")
        self.assertEqual((self.addresses(resp), self.ecs(resp)), ([EU_IP], "10.200.0.0/16/9"), str(resp))
        resp = self.ask(GEO, "A", "+subnet=10.3.0.0/16")
        self.assertEqual(self.addresses(resp), [US_IP], str(resp))  # US-CA: only WORLD matches
        self.assertEqual(self.addresses(self.ask(GEO)), [US_IP])  # 127.0.0.1: not in the database
        # A subnet override pins 10.1.2.0/24 (in Germany) to the US endpoint.
        resp = self.ask(GEO, "A", "+subnet=10.1.2.0/24")
        self.assertEqual((self.addresses(resp), self.ecs(resp)), ([US_IP], "10.1.2.0/24/24"), str(resp))
        resp = self.ask(GEO, "A", "+subnet=10.1.3.0/24")
        self.assertEqual((self.addresses(resp), self.ecs(resp)), ([EU_IP], "10.1.3.0/24/24"), str(resp))

    def test_geographic_serves_a_degraded_match_unless_parent_region(self):
        self.take_eu_down()
        for name in (GEO, GEO_PARENT):
            self.wait_state(name, "eu", "Degraded", FAST.degrade_worst_s() + SLACK_S)
        # Traffic Manager's behaviour by default: the German endpoint, though Degraded.
        self.assertEqual(self.addresses(self.ask(GEO, "A", "+subnet=10.1.0.0/16")), [EU_IP])
        # fallback = "parent_region": up to WORLD, whose endpoint is healthy.
        self.assertEqual(self.addresses(self.ask(GEO_PARENT, "A", "+subnet=10.1.0.0/16")), [US_IP])
        self.bring_eu_back()
        self.wait_state(GEO_PARENT, "eu", "Online", FAST.recover_worst_s() + SLACK_S)
        self.assertEqual(self.addresses(self.ask(GEO_PARENT, "A", "+subnet=10.1.0.0/16")), [EU_IP])

    # --- performance

    def test_performance_lowest_latency_from_the_client_region_then_next_closest(self):
        self.assertEqual(self.addresses(self.ask(PERF, "A", "+subnet=10.1.0.0/16")), [EU_IP])
        self.assertEqual(self.addresses(self.ask(PERF, "A", "+subnet=10.3.0.0/16")), [US_IP])
        self.assertIn(who(self.ask(PERF_RTT)), ("eu", "us"))  # by the probes' round trips
        self.take_eu_down()
        for name in (PERF, PERF_RTT):
            self.wait_state(name, "eu", "Degraded", FAST.degrade_worst_s() + SLACK_S)
        self.assertEqual(self.addresses(self.ask(PERF, "A", "+subnet=10.1.0.0/16")), [US_IP])
        self.assertEqual(self.addresses(self.ask(PERF_RTT)), [US_IP])
        self.bring_eu_back()
        self.wait_state(PERF, "eu", "Online", FAST.recover_worst_s() + SLACK_S)
        self.assertEqual(self.addresses(self.ask(PERF, "A", "+subnet=10.1.0.0/16")), [EU_IP])

    # --- nested profiles

    def test_nested_child_fails_one_by_one_past_min_child_endpoints(self):
        self.assertEqual(self.addresses(self.ask(PARENT)), [EU_IP])  # the child's own pick
        self.eu.set_mode("503")
        self.wait_state(CHILD, "eu", "Degraded", FAST.degrade_worst_s() + SLACK_S)
        # US and the always_serve spare are Online: 2 = min_child_endpoints, still Online.
        self.assertEqual(self.addresses(self.ask(PARENT)), [US_IP])
        self.assertEqual(self.state_of(PARENT, "child"), "Online")
        self.us.set_mode("503")
        self.wait_state(CHILD, "us", "Degraded", FAST.degrade_worst_s() + SLACK_S)
        # One Online child endpoint left: the parent's child endpoint is Degraded at once (the
        # prober derives it on the child's transition), and the parent answers its standby.
        self.wait_state(PARENT, "child", "Degraded", SLACK_S)
        self.assertEqual(self.addresses(self.ask(PARENT)), [STANDBY_IP])
        lines = tenants.transitions(tenants.read_log(self.dnsd), PARENT, "child")
        self.assertEqual(lines[-1].reason, "too few child endpoints Online", lines[-1].line)
        self.assertEqual(self.addresses(self.ask(CHILD)), [SPARE_IP])  # the child alone
        self.us.set_mode("up")
        self.wait_state(PARENT, "child", "Online", FAST.recover_worst_s() + SLACK_S)
        self.assertEqual(self.addresses(self.ask(PARENT)), [US_IP])
        # Derived lines only: a probe verdict would carry an rtt or an HTTP reason.
        for t in tenants.transitions(tenants.read_log(self.dnsd), PARENT, "child"):
            self.assertIn(t.reason, (None, "too few child endpoints Online"), t.line)
            self.assertNotIn(" rtt=", t.line, "the nested endpoint was probed")

    # --- statuses and answer types

    def test_always_serve_is_answered_and_never_probed(self):
        self.assertEqual(self.addresses(self.ask(ALWAYS)), [STANDBY_IP])
        self.assertNotIn("endpoint=standby", tenants.read_log(self.dnsd))
        self.assertNotIn("endpoint=v6", tenants.read_log(self.dnsd))

    def test_disabled_profile_is_nxdomain(self):
        resp = self.ask(OFF)
        self.assertEqual(resp.rcode, "NXDOMAIN", str(resp))
        self.assertEqual([r.type for r in resp.authority], ["SOA"], str(resp))

    def test_query_type_against_endpoint_type(self):
        resp = self.ask(ALWAYS, "AAAA")  # an A endpoint: NODATA
        self.assertEqual((resp.rcode, resp.answer), ("NOERROR", []), str(resp))
        for qtype in ("A", "AAAA", "TXT", "MX"):
            resp = self.ask(CNAME, qtype)
            self.assertEqual([(r.type, r.rdata.lower()) for r in resp.answer][:1],
                             [("CNAME", EU_NAME)], str(resp))


if __name__ == "__main__":
    dnstest.main()
