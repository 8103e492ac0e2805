// Glue and additional-section targets, found once when the zone is built (Knot's glue_t):
// for each NS, MX and SRV RRset, the nodes of this zone that its rdata names.
#include <array>

#include "dnsd/wire/types.hh"
#include "dnsd/zone/zone.hh"

namespace dnsd::zone {
namespace {

using Bytes = std::span<const std::uint8_t>;
namespace rrtype = wire::rrtype;

// Where the host name starts in the rdata of a type whose rdata names a host (RFC 1035 §3.3.9,
// §3.3.11; RFC 2782), or -1 for a type that causes no additional section processing.
int target_offset(std::uint16_t type) noexcept {
  if (type == rrtype::ns) return 0;
  if (type == rrtype::mx) return 2;
  if (type == rrtype::srv) return 6;
  return -1;
}

}  // namespace

// A referral's NS targets below the cut are glue that must fit (RFC 9471 §3), targets
// elsewhere in this zone ("sibling glue") go in if there is room; so do the targets of NS, MX
// and SRV answers (RFC 1035 §4.1). Names outside the zone are left to resolvers.
void Zone::attach_glue() {
  std::vector<std::pair<std::size_t, std::size_t>> ranges(nodes_.size());  // into glues_
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    const Node& node = nodes_[n];
    ranges[n].first = glues_.size();
    for (const RRset& rrset : node.rrsets) {
      const int offset = target_offset(rrset.type);
      if (offset < 0) continue;
      const bool referral = node.is_zone_cut && rrset.type == rrtype::ns;
      for (const Bytes rdata : rrset.rdatas) {
        const Bytes target = rdata.subspan(static_cast<std::size_t>(offset));
        if (!wire::is_subdomain(target, origin_.wire())) continue;
        std::array<std::uint8_t, wire::max_name_size> lowered;
        const Node* holder = find(wire::lower_into(target, lowered));
        if (!holder) continue;
        const bool in_bailiwick = referral && wire::is_subdomain(target, node.owner.wire());
        glues_.push_back(Glue{rrset.type, target, holder, in_bailiwick});
      }
    }
    ranges[n].second = glues_.size();
  }
  // glues_ is complete: only now may nodes point into it.
  for (std::size_t n = 0; n < nodes_.size(); ++n)
    nodes_[n].glues =
        std::span<const Glue>(glues_).subspan(ranges[n].first, ranges[n].second - ranges[n].first);
}

}  // namespace dnsd::zone
