// Times as key files and the key state file write them: UTC, whole seconds, RFC 3339
// ("2026-12-06T09:13:02Z").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dnsd::dnssec {

std::string utc_text(std::int64_t seconds);
std::optional<std::int64_t> utc_from_text(std::string_view text);

}  // namespace dnsd::dnssec
