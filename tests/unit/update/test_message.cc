// dnsd/update/message.hh: UPDATE sections read into records.
#include <doctest/doctest.h>

#include "dnsd/update/message.hh"
#include "update_fixture.hh"

using namespace update_test;
namespace rc = dnsd::wire::rcode;

TEST_CASE("parse: the zone, prerequisite and update sections become records") {
  const auto bytes =
      message("Example.", {record("a._acme-challenge.example.", "ANY", wire::rrclass::any)},
              {record("A._acme-challenge.example.", "TXT", wire::rrclass::in, 120, "\"t\"")});
  update::Message parsed;
  std::string why;
  REQUIRE(update::parse(bytes, parsed, why) == rc::noerror);
  CHECK(parsed.zone == name("example."));
  CHECK(parsed.prerequisites.size() == 1);
  REQUIRE(parsed.updates.size() == 1);
  CHECK(parsed.updates[0].owner == name("a._acme-challenge.example."));  // lower-cased
  CHECK(parsed.updates[0].ttl == 120);
  CHECK(parsed.updates[0].rdata == rdata("TXT", "\"t\""));
}

TEST_CASE("parse: a compressed name in CNAME rdata is stored uncompressed") {
  auto bytes = message("example.", {}, {});
  bytes[9] = 1;  // NSCOUNT
  const std::uint8_t rr[] = {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'x', 0xc0, 12};
  bytes.insert(bytes.end(), std::begin(rr), std::end(rr));
  update::Message parsed;
  std::string why;
  REQUIRE(update::parse(bytes, parsed, why) == rc::noerror);
  CHECK(parsed.updates[0].rdata == rdata("CNAME", "x.example."));
}

TEST_CASE("parse: malformed messages are FORMERR with a reason") {
  update::Message parsed;
  std::string why;
  SUBCASE("two zone records") {
    auto bytes = message("example.", {}, {});
    bytes[5] = 2;
    CHECK(update::parse(bytes, parsed, why) == rc::formerr);
  }
  SUBCASE("a zone section that is not SOA") {
    auto bytes = message("example.", {}, {});
    bytes[12 + 9] = 1;  // the type's low byte after "example."
    CHECK(update::parse(bytes, parsed, why) == rc::formerr);
    CHECK(why.find("SOA") != std::string::npos);
  }
  SUBCASE("a truncated record") {
    auto bytes = message("example.", {}, {record("a.example.", "TXT", 1, 60, "\"x\"")});
    bytes.pop_back();
    CHECK(update::parse(bytes, parsed, why) == rc::formerr);
  }
  SUBCASE("more records than max_records") {
    auto bytes = message("example.", {}, {});
    bytes[8] = 0x20;  // NSCOUNT 8192
    CHECK(update::parse(bytes, parsed, why) == rc::formerr);
  }
}
