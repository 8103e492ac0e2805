// The fast path: answers a query from the prepared answers when it is a plain one (one question,
// class IN, no EDNS options, nothing to chase) and its answer fits; otherwise it declines and the
// engine asks the general path (general_answer.hh).
#pragma once

#include <optional>
#include <span>

#include "dnsd/serving.hh"

namespace dnsd {

std::optional<Reply> answer_prepared(const ServingState& state, Scratch& scratch,
                                     std::span<const std::uint8_t> query,
                                     const Client& client) noexcept;

}  // namespace dnsd
