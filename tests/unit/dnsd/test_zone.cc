#include <doctest/doctest.h>

#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/zone/zone.hh"

using namespace dnsd;

namespace {

// Builds a zone from "owner TYPE rdata" lines and returns its errors, joined.
std::string build_errors(const std::vector<std::string>& lines, bool profile_at_www = false) {
  const auto origin = *wire::Name::from_text("example.");
  zone::ZoneBuilder builder(origin);
  std::string added_errors;
  for (const auto& line : lines) {
    const auto first = line.find(' '), second = line.find(' ', first + 1);
    const auto owner = *wire::Name::from_text(line.substr(0, first));
    const auto type = *wire::type_from_text(line.substr(first + 1, second - first - 1));
    auto rdata = wire::rdata_from_text(type, line.substr(second + 1), origin, nullptr);
    REQUIRE(rdata);
    added_errors += builder.add_record(owner, type, 300, std::move(*rdata));
  }
  if (profile_at_www)
    added_errors += builder.add_profile(*wire::Name::from_text("www.example."), 0);
  auto result = std::move(builder).build();
  std::string all = added_errors;
  for (const auto& error : result.errors) all += error + "\n";
  CHECK((result.zone == nullptr) == !result.errors.empty());
  return all;
}

const std::vector<std::string> minimal = {"example. SOA ns.example. h.example. 1 2 3 4 5",
                                          "example. NS ns.example."};

std::vector<std::string> with(std::vector<std::string> extra) {
  auto lines = minimal;
  lines.insert(lines.end(), extra.begin(), extra.end());
  return lines;
}

}  // namespace

TEST_CASE("zone: a minimal zone builds and its nodes are found case-insensitively") {
  CHECK(build_errors(minimal).empty());
}

TEST_CASE("zone: SOA and NS are required at the apex") {
  CHECK(build_errors({"example. NS ns.example."}).find("no SOA") != std::string::npos);
  CHECK(build_errors({"example. SOA ns.example. h.example. 1 2 3 4 5"}).find("no NS") !=
        std::string::npos);
  CHECK(build_errors(with({"www.example. SOA ns.example. h.example. 1 2 3 4 5"}))
            .find("outside the zone apex") != std::string::npos);
}

TEST_CASE("zone: an SOA whose rdata cannot hold its five numbers is refused") {
  // The config's parser never makes one; a diff (dynamic update, IXFR) could carry any bytes.
  const auto origin = *wire::Name::from_text("example.");
  zone::ZoneBuilder builder(origin);
  const std::vector<std::uint8_t> short_soa{0, 0, 0, 0, 0, 1};  // two root names and 4 bytes
  CHECK(builder.add_record(origin, wire::rrtype::soa, 300, short_soa).empty());
  const auto ns = *wire::rdata_from_text(wire::rrtype::ns, "ns.example.", origin, nullptr);
  CHECK(builder.add_record(origin, wire::rrtype::ns, 300, ns).empty());
  const auto result = std::move(builder).build();
  CHECK(result.zone == nullptr);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0] == "example.: SOA rdata too short for its numbers");
}

TEST_CASE("zone: CNAME stands alone at its name") {
  CHECK(build_errors(with({"www.example. CNAME a.example.", "www.example. A 192.0.2.1"}))
            .find("CNAME and other data") != std::string::npos);
  CHECK(build_errors(with({"www.example. CNAME a.example.", "www.example. CNAME b.example."}))
            .find("more than one CNAME") != std::string::npos);
}

TEST_CASE("zone: only glue below a zone cut, nothing outside the zone") {
  CHECK(build_errors(with({"sub.example. NS ns.sub.example.", "ns.sub.example. A 192.0.2.1"}))
            .empty());
  CHECK(build_errors(with({"sub.example. NS ns.sub.example.", "x.sub.example. TXT \"no\""}))
            .find("below the zone cut") != std::string::npos);
  CHECK(build_errors(with({"www.example.org. A 192.0.2.1"})).find("outside the zone") !=
        std::string::npos);
}

TEST_CASE("zone: a profile name holds no static data") {
  CHECK(build_errors(minimal, true).empty());
  CHECK(build_errors(with({"www.example. TXT \"x\""}), true).find("profile name") !=
        std::string::npos);
  CHECK(build_errors(with({"www.example. CNAME a.example."}), true).find("CNAME and other data") !=
        std::string::npos);
}

TEST_CASE("zone: identical records are kept once and the first TTL stands") {
  const auto origin = *wire::Name::from_text("example.");
  zone::ZoneBuilder builder(origin);
  for (const auto& line : minimal) {
    const auto first = line.find(' '), second = line.find(' ', first + 1);
    const auto type = *wire::type_from_text(line.substr(first + 1, second - first - 1));
    builder.add_record(*wire::Name::from_text(line.substr(0, first)), type, 300,
                       *wire::rdata_from_text(type, line.substr(second + 1), origin, nullptr));
  }
  const std::vector<std::uint8_t> address{192, 0, 2, 1};
  builder.add_record(*wire::Name::from_text("WWW.example."), wire::rrtype::a, 60, address);
  builder.add_record(*wire::Name::from_text("www.example."), wire::rrtype::a, 120, address);
  auto result = std::move(builder).build();
  REQUIRE(result.zone);
  const auto* node = result.zone->find(*wire::Name::from_text("www.example."));
  REQUIRE(node);
  REQUIRE(node->find(wire::rrtype::a));
  CHECK(node->find(wire::rrtype::a)->rdatas.size() == 1);
  CHECK(node->find(wire::rrtype::a)->ttl == 60);
}
