// Test support for the geographic and performance tests: a client at an address and a region
// code from its text, both failing the test when the text does not parse.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "routing/address_range.hh"
#include "routing/geo_database.hh"
#include "routing/pick.hh"

namespace routing_test {

inline routing::ClientInfo client_at(const std::string& address) {
  routing::AddressRange parsed;
  std::string why;
  REQUIRE(routing::parse_range(address, parsed, why));
  return routing::ClientInfo{parsed.first, parsed.v6, 0, false};
}

inline routing::RegionCode region(const std::string& text) {
  routing::RegionCode code{};
  std::string why;
  REQUIRE_MESSAGE(routing::parse_region(text, code, why), why);
  return code;
}

}  // namespace routing_test
