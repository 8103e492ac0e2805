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
  std::unique_ptr<dnsd::PreparedAnswers> prepared;  // null until prepare()

  // Encodes the prepared answers, as dnsd does once its zones are loaded.
  void prepare() { prepared = dnsd::PreparedAnswers::build(general_state()); }
  // Without prepared answers: every query takes the general path.
  dnsd::ServingState general_state() const {
    return {&server, &zones, &model, health.get(), flat.get()};
  }
  // As dnsd serves: the prepared answers first, when prepare() was called.
  dnsd::ServingState state() const {
    dnsd::ServingState state = general_state();
    state.prepared = prepared.get();
    return state;
  }
};

}  // namespace test_support
