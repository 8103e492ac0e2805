// Canonical RR form and ordering (see canonical.hh).
#include "dnsd/dnssec/canonical.hh"

#include <algorithm>

#include "dnsd/wire/name.hh"
#include "dnsd/wire/types.hh"

namespace dnsd::dnssec {
namespace {

namespace rrtype = wire::rrtype;

// Lower-cases the uncompressed name at `at` in place; returns where it ends (or the end).
std::size_t lower_name(std::vector<std::uint8_t>& rdata, std::size_t at) {
  while (at < rdata.size()) {
    const std::size_t length = rdata[at];
    if (length == 0) return at + 1;
    for (std::size_t i = at + 1; i <= at + length && i < rdata.size(); ++i)
      rdata[i] = wire::ascii_lower(rdata[i]);
    at += 1 + length;
  }
  return rdata.size();
}

}  // namespace

std::vector<std::uint8_t> canonical_rdata(std::uint16_t type, std::span<const std::uint8_t> in) {
  std::vector<std::uint8_t> rdata(in.begin(), in.end());
  constexpr std::uint16_t dname = 39;
  switch (type) {
    case rrtype::ns:
    case rrtype::cname:
    case rrtype::ptr:
    case dname:
      lower_name(rdata, 0);
      break;
    case rrtype::mx:
      lower_name(rdata, 2);
      break;
    case rrtype::srv:
      lower_name(rdata, 6);
      break;
    case rrtype::soa:
      lower_name(rdata, lower_name(rdata, 0));
      break;
    default:
      break;
  }
  return rdata;
}

std::uint8_t rrsig_labels(std::span<const std::uint8_t> owner) noexcept {
  std::uint8_t labels = 0;
  for (std::size_t at = 0; at < owner.size() && owner[at] != 0; at += 1 + owner[at]) ++labels;
  if (owner.size() > 2 && owner[0] == 1 && owner[1] == '*') --labels;  // RFC 4034 §3.1.3
  return labels;
}

std::vector<std::uint8_t> signed_data(std::span<const std::uint8_t> rrsig_head,
                                      std::span<const std::uint8_t> owner, std::uint16_t type,
                                      std::uint32_t original_ttl,
                                      const std::vector<std::vector<std::uint8_t>>& rdatas) {
  std::vector<std::vector<std::uint8_t>> sorted;
  for (const auto& rdata : rdatas) sorted.push_back(canonical_rdata(type, rdata));
  std::sort(sorted.begin(), sorted.end());  // lexicographic over unsigned bytes: §6.3
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::array<std::uint8_t, wire::max_name_size> lowered;
  const auto name = wire::lower_into(owner, lowered);
  std::vector<std::uint8_t> out(rrsig_head.begin(), rrsig_head.end());
  for (const auto& rdata : sorted) {
    out.insert(out.end(), name.begin(), name.end());
    const std::uint8_t fixed[] = {static_cast<std::uint8_t>(type >> 8),
                                  static_cast<std::uint8_t>(type),
                                  0,
                                  1,
                                  static_cast<std::uint8_t>(original_ttl >> 24),
                                  static_cast<std::uint8_t>(original_ttl >> 16),
                                  static_cast<std::uint8_t>(original_ttl >> 8),
                                  static_cast<std::uint8_t>(original_ttl),
                                  static_cast<std::uint8_t>(rdata.size() >> 8),
                                  static_cast<std::uint8_t>(rdata.size())};
    out.insert(out.end(), std::begin(fixed), std::end(fixed));
    out.insert(out.end(), rdata.begin(), rdata.end());
  }
  return out;
}

}  // namespace dnsd::dnssec
