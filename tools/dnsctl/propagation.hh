// What `dnsctl wait-propagated` waits for, decided from one answer of
// GET /api/v1/secondaries?zone=Z&check=1: which secondaries do not yet serve a serial. Pure
// (JSON in, text out), so it is tested without a server.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dnsctl {

// RFC 1982 serial arithmetic: `have` is `want` or newer (a distance of exactly 2^31 is
// undefined by the RFC and counts as not newer).
bool serial_at_least(std::uint32_t have, std::uint32_t want) noexcept;

// One line per secondary of `zone` (an element of "zones") that does not serve `serial` or
// newer *now*: it must have answered this request's SOA check ("answered"), so a secondary
// that is down does not count by what it served before. E.g.
// "127.0.0.1:5301 serves serial 7" or "127.0.0.1:5302 did not answer (timeout)".
std::vector<std::string> missing_secondaries(const nlohmann::json& zone, std::uint32_t serial);

// "120", "90s", "2m", "1h" as seconds; -1 when it is none of these.
long parse_seconds(const std::string& text) noexcept;

}  // namespace dnsctl
