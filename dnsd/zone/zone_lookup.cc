// "The algorithm" of RFC 1034 §4.3.2, step 3, for one zone: find the node (zone cuts on the
// way down first, then the exact name, then a wildcard per RFC 4592) and say what it holds
// for the asked type. Nothing is written here (zone_answer.cc does that); nothing allocates.
#include <array>

#include "dnsd/wire/types.hh"
#include "dnsd/zone/zone.hh"

namespace dnsd::zone {
namespace {

using Bytes = std::span<const std::uint8_t>;
namespace rrtype = wire::rrtype;

// Label start offsets of an uncompressed name, first label first.
std::size_t label_starts(Bytes name, std::array<std::uint8_t, 128>& starts) noexcept {
  std::size_t count = 0;
  for (std::size_t pos = 0; name[pos] != 0; pos += 1 + name[pos])
    starts[count++] = static_cast<std::uint8_t>(pos);
  return count;
}

std::size_t label_count(Bytes name) noexcept {
  std::size_t count = 0;
  for (std::size_t pos = 0; name[pos] != 0; pos += 1 + name[pos]) ++count;
  return count;
}

// Step 3.a: "the whole of QNAME is matched, we have found the node". What it holds for the
// type: the RRset, a CNAME to follow ("if the data at the node is a CNAME ... change QNAME to
// the canonical name"), a profile that answers, or nothing (NODATA).
Lookup at_node(const Node& node, std::uint16_t qtype, const Node& closest, bool wildcard) noexcept {
  Lookup found{Lookup::Kind::nodata, &node, nullptr, &closest, wildcard};
  // RFC 8482 §4.1: ANY gets one RRset, the lowest type, so the choice is stable whatever order
  // the zone was written in.
  if (qtype == rrtype::any && !node.profile) {
    if (!node.rrsets.empty()) {
      found.kind = Lookup::Kind::hit;
      found.rrset = &node.rrsets.front();
    }
    return found;
  }
  if ((found.rrset = node.find(qtype))) {
    found.kind = Lookup::Kind::hit;
  } else if (node.profile) {
    found.kind = Lookup::Kind::profile;
  } else if ((found.rrset = node.find(rrtype::cname))) {
    found.kind = Lookup::Kind::cname;
  }
  return found;
}

}  // namespace

// Walks down from the apex one label at a time (step 3): a zone cut on the way means a
// referral (3.b), a missing label ends at the closest encloser (3.c), where a wildcard child
// answers in the name's stead (RFC 4592 §3.3.1) or else the name does not exist.
Lookup Zone::lookup(Bytes lowered, std::uint16_t qtype) const noexcept {
  std::array<std::uint8_t, 128> starts;
  const std::size_t labels = label_starts(lowered, starts);
  const std::size_t origin_labels = label_count(origin_.wire());
  const Node* closest = &apex();
  for (std::size_t i = labels - origin_labels; i-- > 0;) {
    const Node* node = find(lowered.subspan(starts[i]));
    if (!node) {
      if (!closest->has_wildcard_child) return {Lookup::Kind::nxdomain, closest, nullptr, closest};
      std::array<std::uint8_t, wire::max_name_size + 2> source{1, '*'};
      const auto owner = closest->owner.wire();
      std::copy(owner.begin(), owner.end(), source.begin() + 2);
      const Node* star = find(Bytes(source.data(), owner.size() + 2));
      return at_node(*star, qtype, *closest, true);
    }
    // 3.b: "a match would take us out of the authoritative data": a referral. But DS belongs
    // to the parent side of a cut (RFC 4035 §3.1.4.1), so at the cut itself it is answered.
    if (node->is_zone_cut && !(i == 0 && qtype == rrtype::ds))
      return {Lookup::Kind::referral, node, node->find(rrtype::ns), node};
    closest = node;
  }
  return at_node(*closest, qtype, *closest, false);
}

}  // namespace dnsd::zone
