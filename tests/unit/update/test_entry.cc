// dnsd/update/entry.hh: log entries encode, decode and replay.
#include <doctest/doctest.h>

#include "dnsd/update/entry.hh"
#include "update_fixture.hh"

using namespace update_test;

TEST_CASE("entry: what is encoded decodes the same, and replay rebuilds the overlay") {
  update::Entry entry;
  entry.zone = name("example.");
  entry.time = 1'700'000'000;
  entry.key = name("k.");
  entry.serial = 42;
  entry.changes.push_back(
      {true, {name("a.example."), 16, 120, rdata("TXT", "\"t\""), name("k."), 1'700'000'600}});
  entry.changes.push_back(
      {true, {name("b.example."), 16, 60, rdata("TXT", "\"u\""), name("k."), 0}});
  const auto bytes = update::encode(entry);
  const auto decoded = update::decode(bytes);
  REQUIRE(decoded);
  CHECK(decoded->zone == entry.zone);
  CHECK(decoded->serial == entry.serial);
  CHECK(decoded->changes.size() == 2);
  CHECK(decoded->changes[0].record == entry.changes[0].record);
  update::Overlays overlays;
  update::replay(overlays, *decoded);
  update::Entry removal = entry;
  removal.changes = {{false, entry.changes[0].record}};
  removal.serial = 43;
  update::replay(overlays, removal);
  REQUIRE(overlays.size() == 1);
  CHECK(overlays[0].records.size() == 1);
  CHECK(*overlays[0].serial == 43);
}

TEST_CASE("entry: truncated or extended bytes do not decode") {
  update::Entry entry;
  entry.zone = name("example.");
  entry.changes.push_back(
      {true, {name("a.example."), 16, 1, rdata("TXT", "\"t\""), name("k."), 0}});
  auto bytes = update::encode(entry);
  for (std::size_t size = 0; size < bytes.size(); ++size)
    CHECK_FALSE(update::decode(std::span(bytes).first(size)));
  bytes.push_back(0);
  CHECK_FALSE(update::decode(bytes));
}
