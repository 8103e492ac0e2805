// What the AF_XDP path is told by the config ([xdp]; the daemon fills it from conf's section).
#pragma once

#include <cstdint>
#include <string>

namespace dnsd::xdp {

struct Settings {
  std::string interface;  // empty: the AF_XDP path is off (the default)
  std::uint16_t port = 53;
  unsigned queues = 1;  // receive queues 0..queues-1, one socket and one thread each
  bool enabled() const noexcept { return !interface.empty(); }
};

}  // namespace dnsd::xdp
