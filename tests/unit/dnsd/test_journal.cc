// RFC 1982 serial arithmetic and the journal of diffs: bounds by count and bytes, chains that
// cross the wrap-around of serials, and "not available" when the history is gone.
#include <doctest/doctest.h>

#include "dnsd/zone/journal.hh"
#include "dnsd/zone/serial.hh"
#include "zone_text.hh"

using namespace dnsd;

namespace {

std::string soa(std::uint32_t serial) {
  return "example. 3600 SOA ns1.example. hostmaster.example. " + std::to_string(serial) +
         " 3600 600 86400 300";
}

// A diff from `from` to `to` that adds one TXT record with `padding` bytes of text.
zone::Diff diff(std::uint32_t from, std::uint32_t to, std::size_t padding = 1) {
  zone::Diff d;
  d.old_soa = zone_text::record("example.", soa(from));
  d.new_soa = zone_text::record("example.", soa(to));
  d.added.push_back(
      zone_text::record("example.", "t.example. 60 TXT \"" + std::string(padding, 'x') + "\""));
  return d;
}

std::vector<std::uint32_t> serials(std::optional<std::span<const zone::Diff>> diffs) {
  std::vector<std::uint32_t> out;
  for (const auto& d : diffs.value()) out.push_back(d.to_serial());
  return out;
}

}  // namespace

TEST_CASE("serial: comparison goes round the circle of 2^32 (RFC 1982 §3.2)") {
  CHECK(zone::serial_lt(1, 2));
  CHECK(zone::serial_lt(0xffffffffu, 0));
  CHECK(zone::serial_lt(0xfffffff0u, 5));
  CHECK(zone::serial_gt(5, 0xfffffff0u));
  CHECK_FALSE(zone::serial_lt(7, 7));
  // Exactly half the circle apart: neither is newer.
  CHECK_FALSE(zone::serial_lt(0, zone::serial_half));
  CHECK_FALSE(zone::serial_gt(0, zone::serial_half));
  CHECK(zone::serial_lt(0, zone::serial_half - 1));
  CHECK(zone::serial_add(0xffffffffu, 2) == 1);
}

TEST_CASE("journal: the diffs since a serial come oldest first; the current serial needs none") {
  zone::Journal journal({10, 1 << 20});
  CHECK_FALSE(journal.since(1).has_value());
  for (std::uint32_t s = 1; s < 5; ++s) journal.append(diff(s, s + 1));
  CHECK(journal.current_serial() == 5u);
  CHECK(serials(journal.since(1)) == std::vector<std::uint32_t>{2, 3, 4, 5});
  CHECK(serials(journal.since(3)) == std::vector<std::uint32_t>{4, 5});
  REQUIRE(journal.since(5).has_value());
  CHECK(journal.since(5)->empty());
  CHECK_FALSE(journal.since(0).has_value());  // older than the history: a full transfer
  CHECK_FALSE(journal.since(9).has_value());  // a serial the zone never had
}

TEST_CASE("journal: beyond max_entries the oldest diffs are dropped") {
  zone::Journal journal({3, 1 << 20});
  for (std::uint32_t s = 1; s <= 5; ++s) journal.append(diff(s, s + 1));
  CHECK(journal.size() == 3);
  CHECK_FALSE(journal.since(2).has_value());
  CHECK(serials(journal.since(3)) == std::vector<std::uint32_t>{4, 5, 6});
}

TEST_CASE("journal: beyond max_bytes the oldest diffs are dropped, and one too large is not kept") {
  const std::size_t one = diff(1, 2, 100).wire_size();
  zone::Journal journal({100, 2 * one});
  for (std::uint32_t s = 1; s <= 4; ++s) journal.append(diff(s, s + 1, 100));
  CHECK(journal.size() == 2);
  CHECK(journal.bytes() == 2 * one);
  CHECK(serials(journal.since(3)) == std::vector<std::uint32_t>{4, 5});
  auto large = diff(5, 6, 200);
  large.added.push_back(large.added.front());
  large.added.front().owner = *wire::Name::from_text("u.example.");
  REQUIRE(large.wire_size() > 2 * one);
  journal.append(std::move(large));  // larger than the whole bound
  CHECK(journal.size() == 0);
  CHECK(journal.bytes() == 0);
  CHECK(journal.current_serial() == 6u);
  CHECK_FALSE(journal.since(5).has_value());
  CHECK(journal.since(6)->empty());
}

TEST_CASE("journal: a chain crosses the wrap-around of serials") {
  zone::Journal journal({10, 1 << 20});
  journal.append(diff(0xfffffffeu, 0xffffffffu));
  journal.append(diff(0xffffffffu, 0));
  journal.append(diff(0, 1));
  CHECK(serials(journal.since(0xfffffffeu)) == std::vector<std::uint32_t>{0xffffffffu, 0, 1});
  CHECK(serials(journal.since(0)) == std::vector<std::uint32_t>{1});
}

TEST_CASE("journal: a diff that does not start at the current serial begins a new history") {
  zone::Journal journal({10, 1 << 20});
  journal.append(diff(1, 2));
  journal.append(diff(2, 3));
  journal.append(diff(10, 11));  // e.g. the zone was reloaded from its file in between
  CHECK(journal.size() == 1);
  CHECK_FALSE(journal.since(1).has_value());
  CHECK(serials(journal.since(10)) == std::vector<std::uint32_t>{11});
}

TEST_CASE("journal: replaying the diffs since a serial on that zone gives the current zone") {
  auto zone = zone_text::build(
      "example.", {soa(1), "example. 3600 NS ns1.example.", "ns1.example. 3600 A 192.0.2.1"});
  const auto first = zone_text::records_of(*zone);
  zone::Journal journal({10, 1 << 20});
  std::vector<std::unique_ptr<zone::Zone>> generations;
  for (std::uint32_t s = 1; s <= 3; ++s) {
    auto d = zone::Diff::starting_at(*zone, s + 1);
    d.added.push_back(
        zone_text::record("example.", "h" + std::to_string(s) + ".example. 60 A 192.0.2.9"));
    auto next = zone::apply(*zone, d);
    REQUIRE(next.zone);
    journal.append(std::move(d));
    generations.push_back(std::move(zone));
    zone = std::move(next.zone);
  }
  auto replayed = std::move(generations.front());
  CHECK(zone_text::records_of(*replayed) == first);
  const auto diffs = journal.since(1);  // held: a span inside a temporary would dangle
  REQUIRE(diffs);
  for (const auto& d : *diffs) {
    auto next = zone::apply(*replayed, d);
    REQUIRE(next.zone);
    replayed = std::move(next.zone);
  }
  CHECK(replayed->serial() == 4);
  CHECK(zone_text::records_of(*replayed) == zone_text::records_of(*zone));
}
