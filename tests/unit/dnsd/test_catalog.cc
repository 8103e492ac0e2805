// zone::build_catalog and catalog_member_id: the RFC 9432 v2 records, member ids that never
// change for a name (pinned here: a change would make every consumer drop and re-add zones),
// and the errors a bad member list gets.
#include <doctest/doctest.h>

#include <vector>

#include "dnsd/zone/catalog.hh"
#include "zone_text.hh"

using namespace dnsd;

namespace {

std::vector<wire::Name> names(const std::vector<std::string>& texts) {
  std::vector<wire::Name> out;
  for (const auto& text : texts) out.push_back(*wire::Name::from_text(text));
  return out;
}

std::string joined(const std::vector<std::string>& errors) {
  std::string all;
  for (const auto& error : errors) all += error + "\n";
  return all;
}

}  // namespace

TEST_CASE("catalog: member ids are the SHA-256 prefix of the lower-cased wire name") {
  // python3: hashlib.sha256(b"\x02tm\x07example\x03com\x00").hexdigest()[:16]
  CHECK(zone::catalog_member_id(*wire::Name::from_text("tm.example.com.")) == "b33c170c0725db6e");
  CHECK(zone::catalog_member_id(*wire::Name::from_text("TM.Example.COM.")) == "b33c170c0725db6e");
  CHECK(zone::catalog_member_id(*wire::Name::from_text("example.test.")) == "1b4132c087a4d979");
}

TEST_CASE("catalog: SOA, NS invalid., version 2 and one PTR per member, all with TTL 0") {
  const auto members = names({"tm.example.com.", "Example.TEST."});
  auto result = zone::build_catalog(*wire::Name::from_text("catalog.invalid."), 7, members);
  INFO(joined(result.errors));
  REQUIRE(result.zone);
  CHECK(result.zone->serial() == 7);
  CHECK(zone_text::records_of(*result.zone) ==
        std::vector<std::string>{
            "catalog.invalid. 0 NS invalid.",  // the zone's RRset order; AXFR puts the SOA first
            "catalog.invalid. 0 SOA invalid. invalid. 7 3600 600 2147483646 0",
            "version.catalog.invalid. 0 TXT \"2\"",
            "1b4132c087a4d979.zones.catalog.invalid. 0 PTR example.test.",
            "b33c170c0725db6e.zones.catalog.invalid. 0 PTR tm.example.com.",
        });
}

TEST_CASE("catalog: the same members give the same records, in any order") {
  const auto origin = *wire::Name::from_text("catalog.invalid.");
  const auto one = zone::build_catalog(origin, 1, names({"a.example.", "b.example."}));
  const auto two = zone::build_catalog(origin, 1, names({"B.example.", "a.example."}));
  REQUIRE(one.zone);
  REQUIRE(two.zone);
  CHECK(zone_text::records_of(*one.zone) == zone_text::records_of(*two.zone));
}

TEST_CASE("catalog: an empty catalog is a valid zone with no members") {
  const auto result = zone::build_catalog(*wire::Name::from_text("catalog.invalid."), 1, {});
  REQUIRE(result.zone);
  CHECK(zone_text::records_of(*result.zone).size() == 3);
}

TEST_CASE("catalog: a member listed twice, in any case, is an error") {
  const auto result = zone::build_catalog(*wire::Name::from_text("catalog.invalid."), 1,
                                          names({"a.example.", "A.EXAMPLE."}));
  CHECK_FALSE(result.zone);
  CHECK(joined(result.errors).find("A.EXAMPLE. is listed twice") != std::string::npos);
}

TEST_CASE("catalog: a catalog name too long to hold member names under it is an error") {
  // 241 bytes of name: version.<origin> fits, <16 hex digits>.zones.<origin> does not.
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(59, 'x') + ".";
  const auto result =
      zone::build_catalog(*wire::Name::from_text(long_name), 1, names({"a.example."}));
  CHECK_FALSE(result.zone);
  CHECK(joined(result.errors).find("longer than 255 bytes") != std::string::npos);
}
