// The general path: answers any query, by parsing it whole and running the RFC 1034 lookup
// (zone_answer.cc). The prepared answers are made by running it (prepared.cc), and the engine
// falls back to it whenever the fast path declines; it never looks at the prepared answers.
#pragma once

#include <span>

#include "dnsd/serving.hh"

namespace dnsd {

Reply answer_general(const ServingState& state, Scratch& scratch,
                     std::span<const std::uint8_t> query, const Client& client) noexcept;

}  // namespace dnsd
