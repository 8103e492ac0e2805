// Rate limiting before signing (see udp_answer.hh). The answer is made once with on-demand
// signing deferred: a signature found in the thread's cache is used, a missing one is left out
// (the response otherwise as signed, so it classifies the same). Rate limiting then decides on
// that response; only a response that is sent and owed a signature is answered again, signed.
// The second answer costs far less than the signature it makes (an ECDSA or Ed25519 signing).
#include "dnsd/udp_answer.hh"

#include "dnsd/dnssec/on_demand.hh"

namespace dnsd {

UdpReply answer_udp(const ServingState& state, Scratch& scratch,
                    std::span<const std::uint8_t> query, const Client& client, RrlTable& rrl,
                    RrlWorker& worker, const RrlConfig& limits,
                    const RrlTable::Timing& timing) noexcept {
  if (!limits.enabled) return {answer(state, scratch, query, client), RrlAction::send};
  dnssec::defer_on_demand();
  UdpReply out{answer(state, scratch, query, client), RrlAction::send};
  if (out.reply.kind != Reply::Kind::send) {
    dnssec::end_deferral(false);
    return out;
  }
  // The gate inline: a client under the rate costs one hash and one compare-and-swap.
  if (!rrl.pass_gate(client.info, limits, timing))
    out.action = rrl_limit(rrl, worker, limits, client.info, out.reply, state.zones, timing);
  const bool sent_whole = out.action == RrlAction::send;
  if (dnssec::end_deferral(sent_whole) && sent_whole)
    out.reply = answer(state, scratch, query, client);
  if (out.action == RrlAction::slip) {
    // The reply is in the caller's scratch, so it may be cut down in place.
    auto* response = const_cast<std::uint8_t*>(out.reply.bytes.data());
    out.reply.bytes = out.reply.bytes.first(rrl_truncate(response, out.reply.bytes.size()));
  }
  return out;
}

}  // namespace dnsd
