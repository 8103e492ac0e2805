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

// A TTL or SOA timer in BIND form: plain seconds ("3600") or units s/m/h/d/w, case-insensitive,
// combined ("1h30m"). Values above 2147483647 are refused (RFC 2181 §8). nullopt when malformed.
std::optional<std::uint32_t> ttl_from_text(std::string_view text);

// True when rdata_from_text knows the presentation format of this type (others need "\#").
bool has_text_format(std::uint16_t type);

}  // namespace dnsd::wire
