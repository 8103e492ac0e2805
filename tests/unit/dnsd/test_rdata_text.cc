// dnsd/wire/rdata_text: every supported type parsed and printed back, plus the errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"

namespace {

using dnsd::wire::Name;
namespace rrtype = dnsd::wire::rrtype;

const Name origin = *Name::from_text("example.com.");

std::vector<std::uint8_t> parse(std::uint16_t type, std::string_view text) {
  std::string error;
  auto rdata = dnsd::wire::rdata_from_text(type, text, origin, &error);
  INFO("parsing " << text << ": " << error);
  REQUIRE(rdata);
  return *rdata;
}

std::string parse_error(std::uint16_t type, std::string_view text) {
  std::string error;
  CHECK_FALSE(dnsd::wire::rdata_from_text(type, text, origin, &error));
  return error;
}

struct RoundTrip {
  std::uint16_t type;
  std::string_view text;
  std::string_view printed;  // presentation form rdata_to_text gives back
};

}  // namespace

TEST_CASE(
    "rdata: every supported type prints back in presentation form and re-parses to the same "
    "bytes") {
  const RoundTrip cases[] = {
      {rrtype::a, "192.0.2.1", "192.0.2.1"},
      {rrtype::aaaa, "2001:DB8:0:0::1", "2001:db8::1"},
      {rrtype::ns, "ns1", "ns1.example.com."},
      {rrtype::cname, "target.example.net.", "target.example.net."},
      {rrtype::ptr, "@", "example.com."},
      {rrtype::mx, "10 mail", "10 mail.example.com."},
      {rrtype::txt, R"("hello world" bare)", R"("hello world" "bare")"},
      {rrtype::txt, R"("quote \" and \\ and tab\009")", R"("quote \" and \\ and tab\009")"},
      {rrtype::txt, R"("")", R"("")"},
      {rrtype::txt, R"(semi;colon)", R"("semi;colon")"},
      {rrtype::srv, "0 5 5060 sip", "0 5 5060 sip.example.com."},
      {rrtype::srv, "1 0 443 .", "1 0 443 ."},
      {rrtype::caa, R"(0 issue "letsencrypt.org")", R"(0 issue "letsencrypt.org")"},
      {rrtype::caa, R"(128 iodef "mailto:sec@example.com")",
       R"(128 iodef "mailto:sec@example.com")"},
      {rrtype::soa, "ns1 hostmaster 2024010101 1h 10m 1w 60",
       "ns1.example.com. hostmaster.example.com. 2024010101 3600 600 604800 60"},
      {65280, R"(\# 3 abcdef)", R"(\# 3 ABCDEF)"},
      {65280, R"(\# 0)", R"(\# 0)"},
      {65280, R"(\# 4 0102 0304)", R"(\# 4 01020304)"},
      {rrtype::a, R"(\# 4 C0000201)", "192.0.2.1"},
  };
  for (const auto& c : cases) {
    INFO(dnsd::wire::type_to_text(c.type) << " " << c.text);
    const auto rdata = parse(c.type, c.text);
    const auto printed = dnsd::wire::rdata_to_text(c.type, rdata);
    CHECK(printed == c.printed);
    CHECK(parse(c.type, printed) == rdata);
  }
}

TEST_CASE("rdata: the wire form is the RFC 1035 layout") {
  CHECK(parse(rrtype::a, "192.0.2.1") == std::vector<std::uint8_t>{192, 0, 2, 1});
  CHECK(parse(rrtype::mx, "10 a.") == std::vector<std::uint8_t>{0, 10, 1, 'a', 0});
  CHECK(parse(rrtype::txt, R"("ab" c)") == std::vector<std::uint8_t>{2, 'a', 'b', 1, 'c'});
  CHECK(parse(rrtype::caa, R"(0 issue "ca")") ==
        std::vector<std::uint8_t>{0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a'});
  const auto soa = parse(rrtype::soa, ". . 1 2 3 4 5");
  CHECK(soa == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0,
                                         0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5});
}

TEST_CASE("rdata: a TXT string holds at most 255 bytes, and a record may hold several") {
  const std::string max(255, 'x');
  CHECK(parse(rrtype::txt, "\"" + max + "\"").size() == 256);
  CHECK(parse(rrtype::txt, "\"" + max + "\" \"" + max + "\"").size() == 512);
  CHECK(parse_error(rrtype::txt, "\"" + max + "x\"").find("longer than 255") != std::string::npos);
}

TEST_CASE("rdata: bad data is refused with what was expected") {
  struct Bad {
    std::uint16_t type;
    std::string_view text;
    std::string_view fragment;
  };
  const Bad cases[] = {
      {rrtype::a, "192.0.2.300", "bad IPv4 address \"192.0.2.300\" (expected e.g. 192.0.2.1)"},
      {rrtype::a, "192.0.2.1 192.0.2.2", "expected 1 field (<IPv4 address>), got 2"},
      {rrtype::aaaa, "192.0.2.1", "bad IPv6 address"},
      {rrtype::mx, "10", "expected 2 fields (<preference> <exchange>), got 1"},
      {rrtype::mx, "70000 mail", "bad preference \"70000\" (expected a number from 0 to 65535)"},
      {rrtype::ns, "\"quoted\"", "a name is never quoted"},
      {rrtype::cname, "a..b", "bad target name"},
      {rrtype::txt, "", "expected one or more strings"},
      {rrtype::txt, "\"open", "unterminated quoted string"},
      {rrtype::txt, "\"\\300\"", "above 255"},
      {rrtype::srv, "0 5 sip", "expected 4 fields"},
      {rrtype::caa, "0 is-sue \"x\"", "bad CAA tag"},
      {rrtype::caa, "256 issue \"x\"", "bad flags"},
      {rrtype::soa, "ns1 hostmaster 1 1h 10m 1w", "expected 7 fields"},
      {rrtype::soa, "ns1 hostmaster 1 1x 10m 1w 60", "bad SOA refresh \"1x\""},
      {rrtype::soa, "ns1 host@example.com 1 1h 10m 1w 60", "write the mailbox as a name"},
      {rrtype::hinfo, "\"PC\" \"Linux\"", "expected the generic form \\# <length> <hex>"},
      {65280, "\\# 4 ABCD", "\\# says 4 bytes but the hex data has 2"},
      {65280, "\\# 2 ABC", "odd number of hex digits"},
      {65280, "\\# 1 ZZ", "bad hex data"},
      {65280, "\\#", "expected \\# <length> <hex data>"},
      {rrtype::a, "\\# 3 C00002", "the \\# data is not a valid A record"},
  };
  for (const auto& c : cases) {
    INFO(dnsd::wire::type_to_text(c.type) << " " << c.text);
    const auto error = parse_error(c.type, c.text);
    INFO("error: " << error);
    CHECK(error.find(c.fragment) != std::string::npos);
  }
}

TEST_CASE("rdata: malformed wire data prints in the generic form instead of failing") {
  const std::vector<std::uint8_t> short_a{192, 0, 2};
  CHECK(dnsd::wire::rdata_to_text(rrtype::a, short_a) == "\\# 3 C00002");
  const std::vector<std::uint8_t> unterminated_name{3, 'w', 'w', 'w'};
  CHECK(dnsd::wire::rdata_to_text(rrtype::ns, unterminated_name) == "\\# 4 03777777");
  CHECK(dnsd::wire::rdata_to_text(rrtype::txt, {}) == "\\# 0");
}

TEST_CASE("rdata: TTLs take plain seconds or BIND units, up to 2^31 - 1") {
  using dnsd::wire::ttl_from_text;
  CHECK(ttl_from_text("3600") == 3600u);
  CHECK(ttl_from_text("0") == 0u);
  CHECK(ttl_from_text("1h30m") == 5400u);
  CHECK(ttl_from_text("1H") == 3600u);
  CHECK(ttl_from_text("1d") == 86400u);
  CHECK(ttl_from_text("2w") == 1209600u);
  CHECK(ttl_from_text("2147483647") == 2147483647u);
  CHECK_FALSE(ttl_from_text("2147483648"));
  CHECK_FALSE(ttl_from_text(""));
  CHECK_FALSE(ttl_from_text("1x"));
  CHECK_FALSE(ttl_from_text("h"));
  CHECK_FALSE(ttl_from_text("1h30"));
  CHECK_FALSE(ttl_from_text("-1"));
}

TEST_CASE(
    "rdata: an SOA whose names hold an escaped @ prints and parses back; a bare @ is refused") {
  // Found by fuzz.master_file: "$ORIGIN e00@N" made names with an '@' in a label, which print
  // as \@, and the rname check took the escaped '@' for a mail address.
  const auto rdata =
      parse(rrtype::soa, "ns1.e\\@n.example.com. hostmaster.e\\@n.example.com. 1 2 3 4 5");
  const std::string text = dnsd::wire::rdata_to_text(rrtype::soa, rdata);
  CHECK(text.find("\\@") != std::string::npos);
  CHECK(parse(rrtype::soa, text) == rdata);
  CHECK(parse_error(rrtype::soa, "ns1 hostmaster@example.com. 1 2 3 4 5").find("mailbox") !=
        std::string::npos);
  CHECK(parse_error(rrtype::soa, "ns1 hostmaster\\\\@example.com. 1 2 3 4 5").find("mailbox") !=
        std::string::npos);  // an escaped backslash, then a bare '@'
}
