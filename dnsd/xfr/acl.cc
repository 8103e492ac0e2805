// Acl::allows: the per-entry conjunction, the disjunction over entries.
#include "dnsd/xfr/acl.hh"

#include <algorithm>

#include "routing/address_range.hh"

namespace dnsd::xfr {
namespace {

bool in_range(const routing::AddressRange& range, const routing::ClientInfo& client) noexcept {
  std::array<std::uint8_t, 16> bytes = client.address;
  bool v6 = client.is_ipv6;
  // A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).
  static constexpr std::uint8_t k_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (v6 && !range.v6 && std::equal(k_mapped, k_mapped + 12, bytes.begin())) {
    std::copy(bytes.begin() + 12, bytes.end(), bytes.begin());
    std::fill(bytes.begin() + 4, bytes.end(), 0);
    v6 = false;
  }
  if (v6 != range.v6) return false;
  return routing::contains(range, routing::to_number(bytes, v6));
}

}  // namespace

bool Acl::allows(const routing::ClientInfo& client, const tsig::Key* key) const noexcept {
  for (const auto& entry : entries) {
    if (entry.key && (!key || !wire::names_equal(entry.key->wire(), key->name.wire()))) continue;
    if (entry.address && !in_range(*entry.address, client)) continue;
    return true;
  }
  return false;
}

}  // namespace dnsd::xfr
