// The engine: tries the fast path (prepared_answer.cc), and when it declines, the general path
// (general_answer.cc). No answering of its own: both paths frame through framing.hh.
#include "dnsd/engine.hh"

#include "dnsd/general_answer.hh"
#include "dnsd/prepared_answer.hh"
#include "dnsd/wire/reader.hh"

namespace dnsd {

Reply answer(const ServingState& state, Scratch& scratch, std::span<const std::uint8_t> query,
             const Client& client) noexcept {
  if (query.size() < wire::header_size) return {};  // not even a header: nothing to answer
  if (auto reply = answer_prepared(state, scratch, query, client)) return *reply;
  return answer_general(state, scratch, query, client);
}

}  // namespace dnsd
