// Resolver: what a flattened endpoint publishes from a resolution (pure part).
#include <doctest/doctest.h>

#include "probe/resolver.hh"

TEST_CASE("resolver: published TTL is the smaller of record TTL and profile TTL") {
  probe::Resolution r;
  r.v4 = {{127, 0, 0, 2}};
  r.ttl = std::chrono::seconds(300);
  CHECK(probe::address_list(r, 1).ttl == 1);
  r.ttl = std::chrono::seconds(5);
  CHECK(probe::address_list(r, 60).ttl == 5);
  r.ttl = std::chrono::seconds(0);
  CHECK(probe::address_list(r, 60).ttl == 0);
}

TEST_CASE("resolver: addresses are capped per family") {
  probe::Resolution r;
  for (std::uint8_t i = 0; i < 12; ++i) r.v4.push_back({10, 0, 0, i});
  r.v6.push_back({});
  r.v6[0][15] = 1;
  const auto list = probe::address_list(r, 30);
  CHECK(list.v4_count == routing::max_flat_addresses);
  CHECK(list.v4[7] == std::array<std::uint8_t, 4>{10, 0, 0, 7});
  CHECK(list.v6_count == 1);
  CHECK(list.v6[0][15] == 1);
}
