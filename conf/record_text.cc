// Shared record-type and record-data parsing for TOML records and master files.
#include "conf/record_text.hh"

#include <fmt/format.h>

#include "conf/errors.hh"
#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"

namespace conf {

namespace {
constexpr std::string_view k_types_expected =
    "expected one of A, AAAA, CNAME, TXT, MX, SRV, CAA, NS, PTR, SOA, or TYPEnnn with \\# data";
}

std::optional<std::uint16_t> record_type_from_text(std::string_view text, std::string* error) {
  const auto type = dnsd::wire::type_from_text(text);
  if (!type) {
    *error = fmt::format("unknown record type {} ({})", excerpt(text), k_types_expected);
    return std::nullopt;
  }
  if (dnsd::wire::is_meta_type(*type) || *type == dnsd::wire::rrtype::axfr ||
      *type == dnsd::wire::rrtype::ixfr) {
    *error = fmt::format("record type {} is a query type and cannot be stored in a zone ({})",
                         dnsd::wire::type_to_text(*type), k_types_expected);
    return std::nullopt;
  }
  return type;
}

std::optional<std::vector<std::uint8_t>> record_data_from_text(std::uint16_t type,
                                                               std::string_view text,
                                                               const dnsd::wire::Name& origin,
                                                               std::string* error) {
  std::string why;
  auto rdata = dnsd::wire::rdata_from_text(type, text, origin, &why);
  if (!rdata)
    *error = fmt::format("bad {} data {}: {}", dnsd::wire::type_to_text(type), excerpt(text), why);
  return rdata;
}

}  // namespace conf
