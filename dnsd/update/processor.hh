// One UPDATE from request bytes to a decision and the response bytes (RFC 2136 §3, in its
// order): TSIG (RFC 8945), the zone (§3.1), the key's policy and rate, prerequisites (§3.2),
// prescan and policy of the update section (§3.3, §3.4.1), then the section applied to a copy
// of the zone's overlay (§3.4.2) and the result checked to build. Pure apart from the rate
// buckets: what to log, store and publish is the caller's (control/updater.cc), which runs it on
// the update thread.
#pragma once

#include <chrono>
#include <span>
#include <vector>

#include "dnsd/tsig/verify.hh"
#include "dnsd/update/overlay.hh"
#include "dnsd/update/policy.hh"
#include "dnsd/update/rate.hh"
#include "dnsd/zone/zone.hh"

namespace dnsd::update {

struct Context {
  const tsig::Keyring* keyring = nullptr;
  std::span<const Policy> policies;
  const zone::ZoneSet* served = nullptr;  // the zones as served (config and overlay)
  const zone::ZoneSet* base = nullptr;    // the zones of the config alone
  const Overlays* overlays = nullptr;
  std::chrono::sys_seconds now{};
  RateLimiter* rate = nullptr;
  RateLimiter::Clock::time_point rate_now{};
};

struct Outcome {
  bool answer = true;  // false: a response (QR set), which gets none
  Verdict verdict;
  tsig::Verified tsig;
  bool zone_parsed = false;  // the zone section can be echoed
  wire::Name zone;
  std::uint16_t zone_class = 0;
  const Policy* policy = nullptr;
  bool rate_limited = false;
  std::vector<Change> changes;       // what the update did (empty: nothing, or refused)
  std::optional<ZoneOverlay> after;  // the zone's overlay with the changes and next serial
  std::size_t update_count = 0;      // records in the update section
};

Outcome decide(std::span<const std::uint8_t> request, const Context& context);

// Writes the response (header, the zone section echoed, TSIG) into `out`; returns its size,
// 0 when nothing is to be sent.
std::size_t respond(std::span<const std::uint8_t> request, const Outcome& outcome,
                    std::span<std::uint8_t> out, std::chrono::sys_seconds now);

}  // namespace dnsd::update
