// SOA check: asks one secondary which serial it serves for a zone (UDP, TSIG when the
// secondary has a key), within a bounded time. Blocks its caller for at most the timeout, so
// call it from a thread that may wait (the admin side), never from the query path.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dnsd/notify/secondary.hh"
#include "dnsd/wire/name.hh"
#include "dnsd/zone/serial.hh"

namespace dnsd::notify {

struct SoaCheck {
  std::optional<std::uint32_t> serial;  // set when the secondary answered with the zone's SOA
  std::string error;  // "" with a serial; else "timeout", "REFUSED", "BADSIG", "no SOA", ...
};

// One query, resent every `timeout / 3` until an answer or the timeout (UDP loses datagrams).
SoaCheck check_soa(const Secondary& secondary, const wire::Name& zone,
                   std::chrono::milliseconds timeout);

// Every zone of one secondary at once: one socket, one query per zone (each its own ID), all
// within one `timeout`. Results in the order of `zones`.
std::vector<SoaCheck> check_soa_zones(const Secondary& secondary, std::span<const wire::Name> zones,
                                      std::chrono::milliseconds timeout);

// Every secondary at once (one thread each), so the whole check takes one timeout, not one
// per secondary: results in the order of `secondaries`.
std::vector<SoaCheck> check_soa_all(std::span<const Secondary> secondaries, const wire::Name& zone,
                                    std::chrono::milliseconds timeout);
// Every zone of every secondary within one timeout (one thread per secondary, each asking all
// zones at once): out[zone][secondary].
std::vector<std::vector<SoaCheck>> check_soa_all(std::span<const Secondary> secondaries,
                                                 std::span<const wire::Name> zones,
                                                 std::chrono::milliseconds timeout);

// How many of `checks` serve `wanted` or newer: "propagated to N of M secondaries".
std::size_t count_serving(std::span<const SoaCheck> checks, std::uint32_t wanted) noexcept;

// "Has it fetched the current one": the served serial is `wanted` or newer (RFC 1982 §3.2).
constexpr bool serves_at_least(std::uint32_t served, std::uint32_t wanted) noexcept {
  return served == wanted || zone::serial_gt(served, wanted);
}

}  // namespace dnsd::notify
