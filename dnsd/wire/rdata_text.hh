// Record data in presentation format (RFC 1035 §5.1, RFC 3597 §5) <-> uncompressed wire form.
// Shared by the TOML records and the master-file reader, so a record type is parsed in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/wire/name.hh"

namespace dnsd::wire {

// Parses the rdata of one record, e.g. for MX: "10 mail" (relative names use `origin`).
// Supports A, AAAA, NS, CNAME, PTR, MX, TXT (one or more quoted or bare strings), SRV, CAA,
// SOA, and the generic "\# <length> <hex>" form for any type. On failure, nullopt and *error
// says what is wrong and what was expected.
std::optional<std::vector<std::uint8_t>> rdata_from_text(std::uint16_t type, std::string_view text,
                                                         const Name& origin, std::string* error);

// Presentation form of wire rdata (names absolute); the generic form for unknown types.
std::string rdata_to_text(std::uint16_t type, std::span<const std::uint8_t> rdata);

}  // namespace dnsd::wire
