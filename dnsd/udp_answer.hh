// One UDP query to the datagram sent back: the engine's answer, then response rate limiting
// ([rrl]), and only then the on-demand signatures the answer needs (dnssec/on_demand.hh), so
// that under a random-name flood a dropped response costs no signature and a slipped one (TC)
// carries none. No lock, no I/O, and no allocation but the signature a sent answer owes (a miss
// in dnssec/on_demand.hh): the UDP server and the unit tests call it alike.
#pragma once

#include <span>

#include "dnsd/engine.hh"
#include "dnsd/rrl.hh"

namespace dnsd {

struct UdpReply {
  Reply reply;  // as answer() gives it; when slipped, its bytes cut down to the slip form
  RrlAction action = RrlAction::send;
};

// `limits` and `timing` are the batch's (RrlTable::timing(now, limits)); with rate limiting off
// this is answer(). A response the engine drops is never counted by rate limiting.
UdpReply answer_udp(const ServingState& state, Scratch& scratch,
                    std::span<const std::uint8_t> query, const Client& client, RrlTable& rrl,
                    RrlWorker& worker, const RrlConfig& limits,
                    const RrlTable::Timing& timing) noexcept;

}  // namespace dnsd
