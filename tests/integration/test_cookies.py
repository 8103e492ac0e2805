#!/usr/bin/env python3
# DNS Cookies (RFC 7873) with RFC 9018 server cookies, end to end: dig and kdig against a real
# dnsd, and dnsd beside a real Knot DNS (mod-cookies) holding the same secret: the same client
# cookie, client address and second give the same server cookie, and each server accepts the
# other's. Secret rotation, malformed options and config errors too.
import struct
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import dnstest  # noqa: E402
from cases import WWW_A, Z  # noqa: E402

SECRET = "e5e973e5a6b2a43f48e7dc849e37bfcf"  # RFC 9018 appendix A's
NEXT_SECRET = "445536bcd2513298075a5d379663c962"
CLIENT_COOKIE = bytes.fromhex("2464c4abcf10c957")
ZONES = '[[zone]]\nname = "example.test."\nfile = "example.test.zone"\n'


def start_dnsd(secret=None, previous=None, extra: str = "") -> dnstest.Dnsd:
    lines = []
    server = dnstest.Dnsd("", [dnstest.EXAMPLE_ZONE])
    if secret:
        (server.dir / "cookie.key").write_text(secret + "\n")
        lines.append('secret_file = "cookie.key"')
    if previous:
        (server.dir / "previous.key").write_text(previous + "\n")
        lines.append('previous_secret_file = "previous.key"')
    section = "[cookies]\n" + "\n".join(lines + [extra]) + "\n" if lines or extra else ""
    text = server.config.read_text()
    server.config.write_text(text + section + ZONES)
    return server


def ask(port: int, cookie: bytes, *, tcp: bool = False, qname: str = f"www.{Z}"):
    """www A with one COOKIE option of these bytes; (rcode, cookie bytes or None, response)."""
    option = struct.pack("!HH", 10, len(cookie)) + cookie
    query = dnstest.build_query(qname, "A", edns={"options": option})
    data = dnstest.tcp_exchange(port, query) if tcp else dnstest.udp_exchange(port, query)
    assert data is not None, "no reply"
    resp = dnstest.parse_message(data)
    found = [o for o in (resp.edns.options if resp.edns else []) if o.startswith("OPT=10:")]
    value = bytes.fromhex(found[0].split(": ")[1]) if found else None
    return resp.rcode, value, resp


class Cookies(dnstest.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.dnsd = cls.own(start_dnsd(SECRET).start())
        cls.knot = cls.own(dnstest.Knotd({"example.test.": dnstest.EXAMPLE_ZONE},
                                         cookie_secret=SECRET).start())

    def test_dig_cookie_gets_a_server_cookie_and_sending_it_back_is_good(self):
        first = dnstest.dig(self.dnsd.port, f"www.{Z}", "A", "+cookie")
        self.assertEqual(first.rcode, "NOERROR")
        cookie = [o for o in first.edns.options if o.startswith("COOKIE:")]
        self.assertEqual(len(cookie), 1, first.raw_text)
        value = cookie[0].split()[1]
        self.assertEqual(len(value), 48, cookie)  # client 8 + server 16 bytes
        self.assertTrue(value[16:24] == "01000000", f"not an RFC 9018 version 1 cookie: {value}")
        again = dnstest.dig(self.dnsd.port, f"www.{Z}", "A", f"+cookie={value}")
        self.assertEqual(again.rcode, "NOERROR", again.raw_text)
        self.assertEqual([str(r) for r in again.answer], [str(dnstest.rr(WWW_A))])
        good = [o for o in again.edns.options if o.startswith("COOKIE:")]
        self.assertEqual(len(good), 1, again.raw_text)
        self.assertIn("(good)", good[0])
        self.assertEqual(good[0].split()[1], value)  # fresh: echoed as it was

    def test_kdig_cookie_gets_a_server_cookie(self):
        resp = dnstest.kdig(self.dnsd.port, f"www.{Z}", "A", "+cookie")
        self.assertEqual(resp.rcode, "NOERROR")
        self.assertRegex(resp.raw_text, r";; COOKIE: [0-9A-F]{16}01000000[0-9A-F]{24}")
        self.assertEqual([str(r) for r in resp.answer], [str(dnstest.rr(WWW_A))])

    def test_same_secret_client_and_second_give_knots_server_cookie(self):
        # Both stamp the current second; ask both until one pair falls in the same second.
        for _ in range(20):
            _, from_knot, _ = ask(self.knot.port, CLIENT_COOKIE)
            _, from_dnsd, _ = ask(self.dnsd.port, CLIENT_COOKIE)
            self.assertIsNotNone(from_knot)
            self.assertIsNotNone(from_dnsd)
            if from_knot[12:16] == from_dnsd[12:16]:  # the timestamps
                self.assertEqual(from_dnsd.hex(), from_knot.hex())
                return
        self.fail("no two answers in the same second after 20 tries")

    def test_a_cookie_minted_by_knot_is_valid_at_dnsd_and_the_other_way(self):
        _, knots, _ = ask(self.knot.port, CLIENT_COOKIE)
        rcode, echoed, resp = ask(self.dnsd.port, knots)
        self.assertEqual(rcode, "NOERROR")
        self.assertEqual(len(resp.answer), 1)
        self.assertEqual(echoed, knots)  # fresh and valid: echoed unchanged
        _, dnsds, _ = ask(self.dnsd.port, CLIENT_COOKIE)
        rcode, _, resp = ask(self.knot.port, dnsds)
        self.assertEqual(rcode, "NOERROR")  # Knot answers BADCOOKIE to any cookie not its own
        self.assertEqual(len(resp.answer), 1)

    def test_a_forged_server_cookie_is_badcookie_over_udp_with_a_fresh_one(self):
        forged = CLIENT_COOKIE + bytes.fromhex("01000000") + bytes(12)
        for port in (self.dnsd.port, self.knot.port):
            rcode, fresh, resp = ask(port, forged)
            self.assertEqual(rcode, "BADCOOKIE", port)
            self.assertEqual(resp.answer, [])
            self.assertEqual(fresh[:8], CLIENT_COOKIE)
            self.assertEqual(len(fresh), 24)
            rcode, _, _ = ask(port, fresh)
            self.assertEqual(rcode, "NOERROR")

    def test_a_forged_server_cookie_over_tcp_is_answered(self):
        forged = CLIENT_COOKIE + bytes.fromhex("01000000") + bytes(12)
        rcode, fresh, resp = ask(self.dnsd.port, forged, tcp=True)
        self.assertEqual(rcode, "NOERROR")
        self.assertEqual(len(resp.answer), 1)
        self.assertEqual(len(fresh), 24)

    def test_a_cookie_of_a_bad_length_is_formerr_at_both(self):
        for length in (7, 9, 15, 41):
            for port in (self.dnsd.port, self.knot.port):
                rcode, cookie, _ = ask(port, bytes(range(length)))
                self.assertEqual(rcode, "FORMERR", (port, length))
                self.assertIsNone(cookie)

    def test_a_client_cookie_alone_is_answered_normally(self):
        # RFC 7873 §5.2.3; Knot's mod-cookies answers BADCOOKIE here instead (§5.2.3 allows a
        # server to, when it insists on cookies), so only dnsd is asked.
        rcode, cookie, resp = ask(self.dnsd.port, CLIENT_COOKIE)
        self.assertEqual(rcode, "NOERROR")
        self.assertEqual(len(resp.answer), 1)
        self.assertEqual(cookie[:8], CLIENT_COOKIE)


class Rotation(dnstest.ServerTestCase):

    def test_the_previous_secret_is_still_accepted_and_answered_with_the_new(self):
        knot = self.own(dnstest.Knotd({"example.test.": dnstest.EXAMPLE_ZONE},
                                      cookie_secret=SECRET).start())
        _, old, _ = ask(knot.port, CLIENT_COOKIE)
        rotated = self.own(start_dnsd(NEXT_SECRET, previous=SECRET).start())
        rcode, renewed, _ = ask(rotated.port, old)
        self.assertEqual(rcode, "NOERROR")
        self.assertNotEqual(renewed, old)  # a cookie of the new secret
        self.assertEqual(ask(rotated.port, renewed)[0], "NOERROR")
        self.assertEqual(ask(knot.port, renewed)[0], "BADCOOKIE")  # Knot still has the old one
        without = self.own(start_dnsd(NEXT_SECRET).start())
        self.assertEqual(ask(without.port, old)[0], "BADCOOKIE")

    def test_without_a_secret_file_a_random_secret_still_round_trips(self):
        server = self.own(start_dnsd().start())
        _, cookie, _ = ask(server.port, CLIENT_COOKIE)
        self.assertEqual(ask(server.port, cookie)[0], "NOERROR")

    def test_cookies_off_ignores_the_option(self):
        server = self.own(start_dnsd(extra="enabled = false").start())
        forged = CLIENT_COOKIE + bytes.fromhex("01000000") + bytes(12)
        rcode, cookie, resp = ask(server.port, forged)
        self.assertEqual((rcode, cookie, len(resp.answer)), ("NOERROR", None, 1))


class ConfigErrors(dnstest.ServerTestCase):

    def test_a_bad_secret_file_is_a_clear_error_that_does_not_quote_it(self):
        server = start_dnsd("not-hex-but-a-secret-ish-value-xx")
        try:
            result = server.check_config()
            self.assertNotEqual(result.returncode, 0)
            out = result.stdout + result.stderr
            self.assertIn("cookies.secret_file", out)
            self.assertIn("32 hex digits", out)
            self.assertNotIn("secret-ish", out)
        finally:
            server.cleanup()

    def test_a_missing_secret_file_is_an_error(self):
        server = start_dnsd(SECRET)
        try:
            (server.dir / "cookie.key").unlink()
            result = server.check_config()
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("cookie.key", result.stdout + result.stderr)
        finally:
            server.cleanup()


if __name__ == "__main__":
    dnstest.main()
