// `dnsctl watch`: follows GET /api/v1/events until SIGINT/SIGTERM or `count` events, and
// reconnects with Last-Event-ID when the connection drops.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tools/dnsctl/client.hh"

namespace dnsctl {

struct WatchOptions {
  bool json = false;                   // one JSON object per line instead of a human line
  std::uint64_t count = 0;             // stop after this many events; 0: until interrupted
  std::optional<std::uint64_t> since;  // first connection: only events after this seq
};

// An exit code (exit_code.hh): 0 after `count` events or an interrupt.
int watch(const Client& client, const WatchOptions& options);

}  // namespace dnsctl
