// Test support for control/: the zone every test config starts from, and a Generation loaded
// from inline TOML. A config that does not load fails the test; nothing here is under test.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "conf/load.hh"
#include "control/generation.hh"

namespace control_test {

// tm.test. with its one name server: tests append the profiles they need.
inline const std::string zone_toml = R"([[zone]]
name = "tm.test."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
[[zone.record]]
name = "ns1"
type = "A"
data = "127.0.0.1"
)";

// `path` is the name the config is loaded as (relative file names in it resolve beside it).
inline std::unique_ptr<control::Generation> generation(const std::string& toml,
                                                       const std::string& path = "inline.toml") {
  auto loaded = conf::load_string(toml, path);
  std::string errors;
  for (const auto& e : loaded.errors) errors += e.to_string() + "\n";
  REQUIRE_MESSAGE(loaded.config, errors);
  return std::make_unique<control::Generation>(std::move(loaded.config));
}

}  // namespace control_test
