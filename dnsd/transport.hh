// Transport: how a query came in (UDP or TCP). A leaf type of its own, so that the query
// counters (and metrics/, which reads them) can name it without seeing the engine.
#pragma once

#include <cstdint>

namespace dnsd {

enum class Transport : std::uint8_t { udp, tcp };

}  // namespace dnsd
