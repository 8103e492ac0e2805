// dnsd/update/overlay.hh: RFC 2136 §3.4 on the overlay, whole or not at all, the config's
// records never touched, and the served zone built from both.
#include <doctest/doctest.h>

#include "dnsd/update/overlay.hh"
#include "dnsd/zone/soa.hh"
#include "update_fixture.hh"

using namespace update_test;
namespace rc = dnsd::wire::rcode;
namespace cls = dnsd::wire::rrclass;

namespace {
const auto k_key = name("k.");
const char* k_owner = "_acme-challenge.example.";
}  // namespace

TEST_CASE("overlay: an add, a repeated add and a delete of one record") {
  const auto zone = base_zone();
  update::ZoneOverlay overlay{name("example."), std::nullopt, {}};
  const std::vector<update::Record> add{record(k_owner, "TXT", cls::in, 120, "\"t\"")};
  auto applied = update::apply(overlay, *zone, add, k_key, 0);
  CHECK(applied.verdict.ok());
  CHECK(applied.changes.size() == 1);
  CHECK(overlay.records.size() == 1);
  CHECK(update::apply(overlay, *zone, add, k_key, 0).changes.empty());  // already there
  const std::vector<update::Record> del{record(k_owner, "TXT", cls::none, 0, "\"t\"")};
  applied = update::apply(overlay, *zone, del, k_key, 0);
  CHECK(applied.changes.size() == 1);
  CHECK_FALSE(applied.changes[0].add);
  CHECK(overlay.records.empty());
}

TEST_CASE("overlay: a delete that would remove a config record is refused and nothing applies") {
  const auto zone = base_zone();
  update::ZoneOverlay overlay{name("example."), std::nullopt, {}};
  const std::vector<update::Record> updates{
      record(k_owner, "TXT", cls::in, 120, "\"first\""),
      record("fixed._acme-challenge.example.", "TXT", cls::any)};
  const auto applied = update::apply(overlay, *zone, updates, k_key, 0);
  CHECK(applied.verdict.rcode == rc::refused);
  CHECK(overlay.records.empty());  // the add before it did not happen either
  for (const auto& other :
       {record("fixed._acme-challenge.example.", "ANY", cls::any),
        record("fixed._acme-challenge.example.", "TXT", cls::none, 0, "\"config\"")}) {
    const std::vector<update::Record> one{other};
    CHECK(update::apply(overlay, *zone, one, k_key, 0).verdict.rcode == rc::refused);
  }
}

TEST_CASE("overlay: the served zone holds config and overlay records and the overlay's serial") {
  const auto zone = base_zone();
  update::ZoneOverlay overlay{name("example."), std::nullopt, {}};
  const std::vector<update::Record> add{record(k_owner, "TXT", cls::in, 120, "\"t\"")};
  REQUIRE(update::apply(overlay, *zone, add, k_key, 0).verdict.ok());
  overlay.serial = update::next_serial(overlay, zone->serial());
  CHECK(*overlay.serial == 11);
  const auto built = update::merge_zone(*zone, &overlay);
  REQUIRE(built.zone);
  CHECK(built.zone->serial() == 11);
  CHECK(built.zone->find(name(k_owner)) != nullptr);
  CHECK(built.zone->find(name("fixed._acme-challenge.example.")) != nullptr);
  CHECK(update::next_serial(overlay, 5) == 12);   // the overlay's is newer
  CHECK(update::next_serial(overlay, 50) == 51);  // the operator moved the config's on
}

TEST_CASE("overlay: a CNAME next to other data is ignored, as RFC 2136 §3.4.2.2 says") {
  const auto zone = base_zone();
  update::ZoneOverlay overlay{name("example."), std::nullopt, {}};
  const std::vector<update::Record> add{
      record("fixed._acme-challenge.example.", "CNAME", cls::in, 60, "x.example.")};
  const auto applied = update::apply(overlay, *zone, add, k_key, 0);
  CHECK(applied.verdict.ok());
  CHECK(applied.changes.empty());
}
