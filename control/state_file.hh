// State file: the last known endpoint states, probe histories and manual overrides, written
// now and then while dnsd runs and read once at start, so a restart does not flap traffic
// while the first probes run. JSON, written to a temporary file and renamed into place.
//
// An endpoint's saved state is restored only when its profile, name, target, probe host and
// monitor fingerprint are unchanged. The fingerprint covers every monitor setting and header
// *name* but no header value: no secret, not even hashed, goes into the file.
#pragma once

#include <string>

#include "control/generation.hh"
#include "control/overrides.hh"

namespace control {

// Writes the file; returns an error message, empty on success. Needs no lock of the Runtime's:
// the HealthTable is atomic and ProbeHistory has its own mutex (the Runtime keeps `generation`
// alive and passes a copy of its overrides, and never runs two of these at once).
std::string save_state(const std::string& path, const Generation& generation,
                       const Overrides& overrides, WallClock::time_point now);

struct RestoreReport {
  bool found = false;         // false when there was no file (a first start)
  std::string error;          // malformed: restoring stopped there (a bad version restores nothing)
  std::size_t endpoints = 0;  // endpoints whose state was restored
  std::size_t overrides = 0;  // overrides restored (windows that ended meanwhile are dropped)
};

// Restores into a Generation that no Prober runs yet, and into `overrides`.
RestoreReport restore_state(const std::string& path, Generation& generation, Overrides& overrides,
                            WallClock::time_point now);

}  // namespace control
