// Signing a zone ahead (see zone_signatures.hh): one pass over its nodes, every signature
// appended to one arena, the views made once the arena stops growing.
#include "dnsd/dnssec/zone_signatures.hh"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "dnsd/wire/types.hh"

namespace dnsd::dnssec {
namespace {

namespace rrtype = wire::rrtype;
using Bytes = std::vector<std::uint8_t>;
constexpr std::uint16_t cds = 59, cdnskey = 60;

bool is_key_set(std::uint16_t type) {
  return type == rrtype::dnskey || type == cds || type == cdnskey;
}

// A range of the arena, turned into an RdataList when the arena is final.
struct Range {
  std::uint32_t offset = 0, bytes = 0, count = 0;
};

}  // namespace

Validity validity_at(const SigningPolicy& policy, std::int64_t now) noexcept {
  return {static_cast<std::uint32_t>(now - policy.inception_offset.count()),
          static_cast<std::uint32_t>(now + policy.validity.count())};
}

std::vector<std::uint8_t> type_bitmap(std::vector<std::uint16_t> types) {
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  Bytes out;
  for (std::size_t i = 0; i < types.size();) {
    const std::uint8_t window = static_cast<std::uint8_t>(types[i] >> 8);
    std::array<std::uint8_t, 32> bits{};
    std::size_t length = 0;
    for (; i < types.size() && (types[i] >> 8) == window; ++i) {
      const std::uint8_t low = static_cast<std::uint8_t>(types[i]);
      bits[low / 8] |= static_cast<std::uint8_t>(0x80 >> (low % 8));
      length = low / 8 + 1;
    }
    out.push_back(window);
    out.push_back(static_cast<std::uint8_t>(length));
    out.insert(out.end(), bits.begin(), bits.begin() + static_cast<std::ptrdiff_t>(length));
  }
  return out;
}

std::vector<std::uint8_t> compact_nsec(std::span<const std::uint8_t> owner,
                                       std::vector<std::uint16_t> types) {
  std::array<std::uint8_t, wire::max_name_size> lowered;
  const auto name = wire::lower_into(owner, lowered);
  Bytes out = {1, 0};  // the label \000 (RFC 9824 §3.1: the immediate lexicographic successor)
  out.insert(out.end(), name.begin(), name.end());
  const Bytes bitmap = type_bitmap(std::move(types));
  out.insert(out.end(), bitmap.begin(), bitmap.end());
  return out;
}

std::size_t compact_nsec_into(std::span<const std::uint8_t> owner,
                              std::span<const std::uint16_t> types_in,
                              std::span<std::uint8_t> out) noexcept {
  std::array<std::uint16_t, 64> types{};
  if (types_in.size() > types.size() || owner.size() + 2 > out.size()) return 0;
  std::copy(types_in.begin(), types_in.end(), types.begin());
  const auto sorted = std::span(types.data(), types_in.size());
  std::sort(sorted.begin(), sorted.end());
  std::size_t at = 0;
  out[at++] = 1;
  out[at++] = 0;
  for (const std::uint8_t byte : owner) out[at++] = wire::ascii_lower(byte);
  for (std::size_t i = 0; i < sorted.size();) {
    const std::uint8_t window = static_cast<std::uint8_t>(sorted[i] >> 8);
    std::array<std::uint8_t, 32> bits{};
    std::size_t length = 0;
    for (; i < sorted.size() && (sorted[i] >> 8) == window; ++i) {
      const std::uint8_t low = static_cast<std::uint8_t>(sorted[i]);
      bits[low / 8] |= static_cast<std::uint8_t>(0x80 >> (low % 8));
      length = std::max<std::size_t>(length, low / 8 + 1);
    }
    if (at + 2 + length > out.size()) return 0;
    out[at++] = window;
    out[at++] = static_cast<std::uint8_t>(length);
    for (std::size_t b = 0; b < length; ++b) out[at++] = bits[b];
  }
  return at;
}

class ZoneSigner {
 public:
  ZoneSigner(const zone::Zone& zone, const routing::Model& model, const ZoneKeys& keys,
             std::int64_t now)
      : model_(model), out_(std::make_unique<ZoneSignatures>()) {
    out_->zone_ = &zone;
    out_->keys_ = &keys;
    out_->validity_ = validity_at(keys.policy, now);
    static std::atomic<std::uint64_t> runs{0};
    out_->id_ = ++runs;
  }

  std::unique_ptr<ZoneSignatures> run(std::string* error) {
    const zone::Zone& zone = *out_->zone_;
    rrsets_.resize(zone.rrset_count());
    for (const zone::Node& node : zone.nodes()) {
      if (!sign_node(node)) {
        *error = fmt::format("zone {}: OpenSSL could not sign {}", zone.origin().to_text(),
                             node.owner.to_text());
        return nullptr;
      }
    }
    finish();
    return std::move(out_);
  }

 private:
  // Below a zone cut nothing is authoritative (RFC 4035 §2.2): glue stays unsigned.
  bool below_cut(const zone::Node& node) const {
    const zone::Zone& zone = *out_->zone_;
    auto name = wire::Name::from_wire(node.owner.wire());
    while (name && name->size() > zone.origin().size()) {
      *name = name->parent();
      const zone::Node* above = zone.find(name->wire());
      if (above && above->is_zone_cut) return true;
    }
    return false;
  }

  // Appends one RRSIG per applicable key over (owner, type, ttl, rdatas).
  bool sign(std::span<const std::uint8_t> owner, std::uint16_t type, std::uint32_t ttl,
            std::vector<Bytes> rdatas, Range& range) {
    const ZoneKeys& keys = *out_->keys_;
    const bool split = keys.split();
    RRsetToSign rrset{owner, type, ttl, std::move(rdatas)};
    range.offset = static_cast<std::uint32_t>(out_->bytes_.size());
    const auto sign_with = [&](const SigningKey& key) {
      const auto rrsig = sign_rrset(key, rrset, out_->validity_);
      if (rrsig) {
        append(*rrsig);
        ++range.count;
      }
      return rrsig.has_value();
    };
    for (const SigningKey& key : keys.keys) {
      // Split keys: KSKs over the key sets, ZSKs over the rest (RFC 6781 §3.1).
      if (split && (key.flags() == flags_ksk) != is_key_set(type)) continue;
      if (!sign_with(key)) return false;
    }
    // A KSK being rolled (published or retired) signs the key sets beside the active one.
    if (is_key_set(type))
      for (const SigningKey& key : keys.key_set_signers)
        if (!sign_with(key)) return false;
    range.bytes = static_cast<std::uint32_t>(out_->bytes_.size()) - range.offset;
    return true;
  }

  void append(std::span<const std::uint8_t> rdata) {
    out_->bytes_.push_back(static_cast<std::uint8_t>(rdata.size() >> 8));
    out_->bytes_.push_back(static_cast<std::uint8_t>(rdata.size()));
    out_->bytes_.insert(out_->bytes_.end(), rdata.begin(), rdata.end());
  }

  bool sign_node(const zone::Node& node) {
    const zone::Zone& zone = *out_->zone_;
    NodeRanges ranges;
    const bool below = below_cut(node);
    std::vector<std::uint16_t> types = {rrtype::rrsig, rrtype::nsec};
    for (const zone::RRset& rrset : node.rrsets) {
      types.push_back(rrset.type);
      // At a cut only the DS is the parent's data (RFC 4035 §2.2); the NS belongs to the child.
      if (below || (node.is_zone_cut && rrset.type != rrtype::ds)) continue;
      std::vector<Bytes> rdatas;
      for (const auto rdata : rrset.rdatas) rdatas.emplace_back(rdata.begin(), rdata.end());
      if (!sign(node.owner.wire(), rrset.type, rrset.ttl, std::move(rdatas),
                rrsets_[zone.rrset_index(rrset)]))
        return false;
    }
    if (!below) {
      ranges.nsec.offset = static_cast<std::uint32_t>(out_->bytes_.size());
      const Bytes nsec = compact_nsec(node.owner.wire(), types);
      append(nsec);
      ranges.nsec.count = 1;
      ranges.nsec.bytes = static_cast<std::uint32_t>(out_->bytes_.size()) - ranges.nsec.offset;
      if (!sign(node.owner.wire(), rrtype::nsec, zone.negative_ttl(), {nsec}, ranges.nsec_sigs))
        return false;
    }
    ranges.first_endpoint = static_cast<std::uint32_t>(endpoints_.size());
    if (node.profile && !below && !node.is_zone_cut && !sign_endpoints(node)) return false;
    nodes_.push_back(ranges);
    return true;
  }

  // The record profile_answer.cc writes when the pick is this endpoint alone.
  bool sign_endpoints(const zone::Node& node) {
    const routing::Profile& profile = model_.profiles[*node.profile];
    for (const routing::Endpoint& endpoint : profile.endpoints) {
      Range range;
      std::uint16_t type = 0;
      Bytes rdata;
      if (endpoint.kind == routing::TargetKind::name && !profile.flatten) {
        type = rrtype::cname;
        rdata = endpoint.target_wire;
      } else if (endpoint.kind == routing::TargetKind::ipv4) {
        type = rrtype::a;
        rdata.assign(endpoint.address.begin(), endpoint.address.begin() + 4);
      } else if (endpoint.kind == routing::TargetKind::ipv6) {
        type = rrtype::aaaa;
        rdata.assign(endpoint.address.begin(), endpoint.address.end());
      }
      if (type != 0 && !sign(node.owner.wire(), type, profile.ttl, {rdata}, range)) return false;
      endpoints_.push_back(range);
    }
    return true;
  }

  zone::RdataList view(const Range& range) const {
    return zone::RdataList(out_->bytes_.data() + range.offset, range.bytes, range.count);
  }

  void finish() {
    for (const Range& range : rrsets_) out_->rrset_sigs_.push_back(view(range));
    for (const NodeRanges& node : nodes_) {
      out_->node_denials_.push_back({view(node.nsec), view(node.nsec_sigs)});
      out_->first_endpoint_.push_back(node.first_endpoint);
    }
    for (const Range& range : endpoints_) out_->endpoint_sigs_.push_back(view(range));
  }

  struct NodeRanges {
    Range nsec, nsec_sigs;
    std::uint32_t first_endpoint = 0;
  };
  const routing::Model& model_;
  std::unique_ptr<ZoneSignatures> out_;
  std::vector<Range> rrsets_;
  std::vector<NodeRanges> nodes_;
  std::vector<Range> endpoints_;
};

zone::RdataList ZoneSignatures::endpoint_rrsigs(const zone::Node& node,
                                                std::size_t endpoint) const noexcept {
  const std::size_t at = first_endpoint_[zone_->node_index(node)] + endpoint;
  return at < endpoint_sigs_.size() ? endpoint_sigs_[at] : zone::RdataList{};
}

std::unique_ptr<ZoneSignatures> sign_zone(const zone::Zone& zone, const routing::Model& model,
                                          const ZoneKeys& keys, std::int64_t now,
                                          std::string* error) {
  return ZoneSigner(zone, model, keys, now).run(error);
}

std::unique_ptr<Signatures> sign_zones(const zone::ZoneSet& zones, const routing::Model& model,
                                       std::span<const ZoneKeys> keys, std::int64_t now,
                                       std::vector<std::string>& errors) {
  if (keys.empty()) return nullptr;
  auto out = std::make_unique<Signatures>();
  out->zones_.resize(zones.zones().size());
  for (const auto& zone : zones.zones()) {
    const ZoneKeys* found = nullptr;
    for (const auto& candidate : keys)
      if (candidate.origin == zone->origin().lowercased()) found = &candidate;
    if (!found || found->keys.empty()) continue;
    std::string error;
    auto signed_zone = sign_zone(*zone, model, *found, now, &error);
    if (!signed_zone) {
      errors.push_back(error);
      continue;
    }
    const SigningPolicy& policy = found->policy;
    const std::int64_t expires = now + policy.validity.count();
    const std::int64_t refresh = expires - policy.refresh.count();
    out->refresh_at_ = out->count_ == 0 ? refresh : std::min(out->refresh_at_, refresh);
    out->expires_at_ = out->count_ == 0 ? expires : std::min(out->expires_at_, expires);
    out->zones_[zone->index()] = std::move(signed_zone);
    ++out->count_;
  }
  return out;
}

}  // namespace dnsd::dnssec
