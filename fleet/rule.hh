// The fleet's voting rule: from every vantage's verdict on one endpoint to the one state all
// instances answer by. Pure and deterministic (votes are taken in vantage-name order, so every
// instance given the same votes decides the same); no I/O, no clock, no etcd.
//
// Rules (a vote is a live vantage's Online or Degraded; see below for the rest):
// - `majority` (default): Degraded only when more vantages vote Degraded than Online; a tie
//   stays Online (a vantage still reaches the endpoint, so the fleet keeps answering it).
// - `at_least:N`: Online when at least N vantages vote Online, else Degraded. When fewer than N
//   vantages vote, all of them must vote Online (N is capped at the number of votes), so a dead
//   vantage never fails an endpoint over by itself.
// - `fraction:F` (0 <= F < 1): Online when more than F of the votes are Online (Route 53's
//   health-checker threshold; its default is 0.18).
// A vantage still CheckingEndpoint (no verdict yet) or Stopped (a config fact, not an
// observation) abstains: it is not a vote and not in the denominator. When live vantages exist
// but none votes, the endpoint is CheckingEndpoint. With no live vantage at all (every lease
// expired, or etcd unreachable) the instance falls back to its own local verdict. A local
// verdict of Stopped always wins (the endpoint's child profile is disabled here).
// Split views: when one region is cut off from a tenant, its vantage votes Degraded alone;
// `majority` and `fraction:0.18` keep the endpoint Online on every instance (the cut-off
// instance shows its own Degraded view in status); `at_least:N` with N equal to the number of
// vantages fails it over everywhere as soon as any one region loses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "routing/health_table.hh"

namespace fleet {

struct Rule {
  enum class Kind : std::uint8_t { majority, at_least, fraction };
  Kind kind = Kind::majority;
  std::uint32_t at_least = 1;  // Kind::at_least: Online votes needed (>= 1)
  double fraction = 0.18;      // Kind::fraction: share of Online votes to exceed, in [0, 1)
  friend bool operator==(const Rule&, const Rule&) = default;
};

// As the config writes it: "majority", "at_least:2", "fraction:0.18".
std::string to_string(const Rule& rule);

// One vantage's verdict on one endpoint, as published to the fleet.
struct Vote {
  std::string vantage;  // the instance's vantage name ("eu-west"); unique in one decision
  routing::MonitorStatus status = routing::MonitorStatus::checking_endpoint;
  routing::Reason reason = routing::Reason::none;
  std::string detail;  // the reason as the probe said it ("http 503"); empty: to_string(reason)
  std::chrono::system_clock::time_point since{};  // when this vantage's verdict last changed
  bool live = true;  // false: the vantage's lease expired; named in the explanation, not counted
};

struct Decision {
  routing::MonitorStatus status = routing::MonitorStatus::checking_endpoint;
  routing::Reason reason = routing::Reason::none;  // the most common Degraded reason, else none
  std::uint32_t online = 0;                        // live Online votes
  std::uint32_t degraded = 0;                      // live Degraded votes
  std::uint32_t abstained = 0;                     // live vantages CheckingEndpoint or Stopped
  std::uint32_t dead = 0;                          // vantages whose lease expired
  bool local = false;                              // no live vantage: the local verdict was used
  // "majority of 3 live vantages: 2 Degraded (eu-west: http 503 since 10:02:11Z, us-east:
  //  timeout since 10:02:12Z), 1 Online (ap-south) -> Degraded"
  std::string explanation;
};

// The fleet state of one endpoint. `votes` in any order (they are sorted by vantage name here);
// `local` is this instance's own verdict, used only when no vantage is live.
Decision decide(const Rule& rule, std::span<const Vote> votes, const Vote& local);

}  // namespace fleet
