// Record type mnemonics.
#include "dnsd/wire/types.hh"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

#include "dnsd/wire/name.hh"

namespace dnsd::wire {
namespace {

constexpr std::array<std::pair<std::uint16_t, std::string_view>, 22> k_types{{
    {rrtype::a, "A"},           {rrtype::ns, "NS"},       {rrtype::cname, "CNAME"},
    {rrtype::soa, "SOA"},       {rrtype::ptr, "PTR"},     {rrtype::hinfo, "HINFO"},
    {rrtype::mx, "MX"},         {rrtype::txt, "TXT"},     {rrtype::aaaa, "AAAA"},
    {rrtype::srv, "SRV"},       {rrtype::naptr, "NAPTR"}, {rrtype::opt, "OPT"},
    {rrtype::ds, "DS"},         {rrtype::rrsig, "RRSIG"}, {rrtype::nsec, "NSEC"},
    {rrtype::dnskey, "DNSKEY"}, {rrtype::nsec3, "NSEC3"}, {rrtype::svcb, "SVCB"},
    {rrtype::https, "HTTPS"},   {rrtype::axfr, "AXFR"},   {rrtype::any, "ANY"},
    {rrtype::caa, "CAA"},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(static_cast<std::uint8_t>(a[i])) !=
        ascii_lower(static_cast<std::uint8_t>(b[i])))
      return false;
  return true;
}

}  // namespace

std::string type_to_text(std::uint16_t type) {
  for (const auto& [code, text] : k_types)
    if (code == type) return std::string(text);
  return fmt::format("TYPE{}", type);
}

std::optional<std::uint16_t> type_from_text(std::string_view text) {
  for (const auto& [code, mnemonic] : k_types)
    if (iequals(mnemonic, text)) return code;
  if (text.size() > 4 && iequals(text.substr(0, 4), "TYPE")) {
    unsigned value = 0;
    const auto digits = text.substr(4);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc{} && end == digits.data() + digits.size() && value <= 65535)
      return static_cast<std::uint16_t>(value);
  }
  return std::nullopt;
}

}  // namespace dnsd::wire
