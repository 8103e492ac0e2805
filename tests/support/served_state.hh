// Test support: owns everything a ServingState points at, for engine tests and the fuzzer.
#pragma once

#include <memory>

#include "dnsd/engine.hh"

namespace test_support {

struct Served {
  dnsd::ServerConfig server;
  dnsd::zone::ZoneSet zones;
  routing::Model model;
  std::unique_ptr<routing::HealthTable> health;
  std::unique_ptr<routing::FlatAddresses> flat;
  dnsd::ServingState state() const { return {&server, &zones, &model, health.get(), flat.get()}; }
};

}  // namespace test_support
