// dnstap settings: where the query log goes and what it holds ([dnstap] in the config; conf/
// fills them in and checks them, the daemon opens the Sink with them at start).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace dnsd::dnstap {

struct Settings {
  // Exactly one of these when dnstap is on; both empty: off (the default).
  std::string socket;     // a Frame Streams reader's unix socket (fstrm_capture, a collector)
  std::string file;       // a Frame Streams file, replaced at start
  bool queries = true;    // AUTH_QUERY messages
  bool responses = true;  // AUTH_RESPONSE messages
  // In every message's envelope; empty: left out. Unset: the host name and "dnsd <version>"
  // (Knot's defaults are its host name and version too), filled in by Sink::open.
  std::optional<std::string> identity;
  std::optional<std::string> version;
  // Messages each query thread may have waiting for the writer (a power of two, fstrm's limits
  // 2..16384); past it messages are dropped and counted, never waited for.
  std::size_t queue_size = 512;

  bool enabled() const noexcept { return !socket.empty() || !file.empty(); }
};

// Longest identity or version, so that a message's envelope fits its slot (sink.hh).
inline constexpr std::size_t k_max_label = 255;

}  // namespace dnsd::dnstap
