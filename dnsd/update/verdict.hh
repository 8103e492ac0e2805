// Verdict: what a step of update processing decided: an RCODE and, when it is not NOERROR, why
// (for the log line; never sent to the client, never holding a secret).
#pragma once

#include <cstdint>
#include <string>

#include "dnsd/wire/types.hh"

namespace dnsd::update {

struct Verdict {
  std::uint16_t rcode = wire::rcode::noerror;
  std::string why;
  bool ok() const noexcept { return rcode == wire::rcode::noerror; }
};

}  // namespace dnsd::update
