// counted(): what the query counters are told of one engine Reply. The one place where the
// engine's reply meets the counters, so that the counters (and metrics/) need not see the engine.
#pragma once

#include "dnsd/engine.hh"
#include "dnsd/query_counters.hh"

namespace dnsd {

inline QueryOutcome counted(const Reply& reply) noexcept {
  if (reply.kind != Reply::Kind::send) return {};
  const bool tc = reply.bytes.size() > 2 && (reply.bytes[2] & 0x02) != 0;  // RFC 1035 §4.1.1
  return {true, reply.rcode, response_qtype(reply.bytes), tc};
}

}  // namespace dnsd
