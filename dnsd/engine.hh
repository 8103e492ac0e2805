// Answer engine: bytes in, bytes out. No I/O, no allocation, no locks, no exceptions, so it can
// be unit-tested and fuzzed directly; the UDP and TCP servers only move bytes to and from it.
#pragma once

#include <span>

#include "dnsd/prepared.hh"
#include "dnsd/serving.hh"

namespace dnsd {

// The fast path over the prepared answers when it covers the query, else the general path.
Reply answer(const ServingState& state, Scratch& scratch, std::span<const std::uint8_t> query,
             const Client& client) noexcept;

}  // namespace dnsd
