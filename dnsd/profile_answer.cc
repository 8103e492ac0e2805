// Health-routed answers. Query type against endpoint type as Traffic Manager answers it:
// any type on an FQDN endpoint gets the CNAME; A on an IPv6 endpoint (or AAAA on IPv4) is NODATA.
#include "dnsd/profile_answer.hh"

#include <algorithm>

#include "dnsd/dnssec/on_demand.hh"
#include "dnsd/framing.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

namespace rrtype = wire::rrtype;
using Bytes = std::span<const std::uint8_t>;

Bytes answer_profile_at(SectionWriter& answer, routing::ProfileId profile_id, Bytes owner,
                        std::uint16_t qtype, std::size_t depth) noexcept;

bool put_address(SectionWriter& answer, Bytes owner, std::uint16_t type, std::uint32_t ttl,
                 Bytes address) noexcept {
  return put_endpoint_record(answer.writer, answer.sections, owner, type, ttl, address);
}

// The records written for one pick, kept (copied) for signing them as one RRset.
struct Written {
  std::array<std::array<std::uint8_t, 16>, 32> rdata{};
  std::size_t count = 0;
  std::size_t size = 4;
  std::uint32_t ttl = 0;
  std::size_t endpoint = 0;  // of the first record
  bool fits = true;
  void add(Bytes address, std::uint32_t record_ttl, std::size_t from) noexcept {
    if (count == 0) endpoint = from;
    if (count == rdata.size()) {
      fits = false;
      return;
    }
    std::copy(address.begin(), address.end(), rdata[count++].begin());
    size = address.size();
    ttl = record_ttl;  // one TTL per RRset: the writer uses one per pick
  }
};

// Writes the picked endpoints' addresses of one family. Returns how many it wrote, or -1 when
// the first endpoint is an FQDN whose addresses have not been resolved yet.
int put_addresses(SectionWriter& answer, const routing::Profile& profile, const routing::Pick& pick,
                  Bytes owner, std::uint16_t type, Written& out) noexcept {
  const bool want_v6 = type == rrtype::aaaa;
  int written = 0;
  for (std::size_t i = 0; i < pick.count; ++i) {
    const routing::Endpoint& endpoint = profile.endpoints[pick.endpoints[i]];
    if (endpoint.kind == routing::TargetKind::name) {
      routing::AddressList list;
      if (!answer.state.flat->load(endpoint.health_id, list)) {
        if (i == 0) return -1;
        continue;
      }
      const std::uint32_t ttl = std::min(profile.ttl, list.ttl);
      const std::size_t count = want_v6 ? list.v6_count : list.v4_count;
      for (std::size_t k = 0; k < count; ++k) {
        const Bytes address = want_v6 ? Bytes(list.v6[k]) : Bytes(list.v4[k]);
        if (!put_address(answer, owner, type, ttl, address)) return written;
        out.add(address, ttl, pick.endpoints[i]);
        ++written;
      }
    } else if ((endpoint.kind == routing::TargetKind::ipv6) == want_v6) {
      const Bytes address(endpoint.address.data(), want_v6 ? 16 : 4);
      if (!put_address(answer, owner, type, profile.ttl, address)) return written;
      out.add(address, profile.ttl, pick.endpoints[i]);
      ++written;
    }
  }
  return written;
}

// The address types the health-routed name can answer, over every endpoint of its profile
// and of the profiles nested in it, less `denied`: what its NODATA's NSEC lists (with RRSIG
// and NSEC). The union, not the current pick, so the proof does not change with health, and a
// resolver using cached NSECs (RFC 8198) denies only the type it was told of, whatever the
// next failover brings. Never CNAME: validators take a NODATA proof with the CNAME bit as
// bogus (RFC 4035 §5.4), and while an FQDN is picked every type gets the CNAME, no NODATA.
struct AnswerableTypes {
  bool a = false, aaaa = false;
  void collect(const routing::Model& model, routing::ProfileId id, std::size_t depth) noexcept {
    if (depth >= routing::max_nesting) return;  // conf/ refuses deeper nesting and loops
    const routing::Profile& profile = model.profiles[id];
    for (const routing::Endpoint& endpoint : profile.endpoints) {
      if (endpoint.kind == routing::TargetKind::ipv4) a = true;
      if (endpoint.kind == routing::TargetKind::ipv6) aaaa = true;
      if (endpoint.kind == routing::TargetKind::name && profile.flatten) a = aaaa = true;
      if (endpoint.kind == routing::TargetKind::profile) collect(model, endpoint.child, depth + 1);
    }
  }
};

// NODATA at the health-routed name being answered, `denied` being the type asked for.
void put_profile_nodata(SectionWriter& answer, Bytes owner, std::uint16_t denied) noexcept {
  const zone::Node* node = answer.profile_node;
  if (!answer.dnssec || !node || !node->profile) {
    answer.put_negative(node, owner);
    return;
  }
  AnswerableTypes answerable;
  answerable.collect(*answer.state.model, *node->profile, 0);
  std::array<std::uint16_t, 2> types{};
  std::size_t count = 0;
  if (answerable.a && denied != rrtype::a) types[count++] = rrtype::a;
  if (answerable.aaaa && denied != rrtype::aaaa) types[count++] = rrtype::aaaa;
  if (count == 0) {  // nothing to add: the NSEC made ahead says it all
    answer.put_negative(node, owner);
    return;
  }
  answer.put_negative(node, owner, std::span(types.data(), count));
}

// RFC 4035 §3.1.1 for the records just written: one endpoint's own record of the node's
// profile was signed ahead (dnssec/zone_signatures.hh); any other set (several picks, a nested
// profile's, flattened addresses) is signed on demand. Sets TC when the RRSIGs do not fit.
void put_endpoint_rrsigs(SectionWriter& answer, Bytes owner, std::uint16_t type, std::uint32_t ttl,
                         std::size_t endpoint, bool own_profile,
                         std::span<const Bytes> rdatas) noexcept {
  if (!answer.dnssec || rdatas.empty()) return;
  zone::RdataList rrsigs;
  if (own_profile && rdatas.size() == 1 && answer.profile_node && !answer.synthesized)
    rrsigs = answer.dnssec->endpoint_rrsigs(*answer.profile_node, endpoint);
  if (rrsigs.size() == 0) rrsigs = dnssec::sign_on_demand(*answer.dnssec, owner, type, ttl, rdatas);
  if (!answer.put_rrsigs(owner, type, ttl, rrsigs, answer.sections.answer))
    answer.sections.tc = true;
}

}  // namespace

Bytes answer_profile(SectionWriter& answer, routing::ProfileId profile_id, Bytes owner,
                     std::uint16_t qtype) noexcept {
  return answer_profile_at(answer, profile_id, owner, qtype, 0);
}

namespace {

// depth: how many nested profiles were entered on the way here (conf/ bounds it by
// routing::max_nesting and refuses loops; the check here only guards the recursion).
Bytes answer_profile_at(SectionWriter& answer, routing::ProfileId profile_id, Bytes owner,
                        std::uint16_t qtype, std::size_t depth) noexcept {
  const routing::Profile& profile = answer.state.model->profiles[profile_id];
  if (!profile.enabled) {  // a disabled profile does not exist for clients (Traffic Manager)
    answer.sections.rcode = wire::rcode::nxdomain;
    answer.put_negative(nullptr, owner);
    return {};
  }
  const routing::Pick pick =
      routing::pick(profile, *answer.state.health, answer.client.info, framing::want_for(qtype));
  answer.sections.ecs_scope = std::max(answer.sections.ecs_scope, pick.scope_prefix);
  if (pick.count == 0) {  // every endpoint disabled by the operator: the name exists, no data
    put_profile_nodata(answer, owner, qtype);
    return {};
  }
  const routing::Endpoint& first = profile.endpoints[pick.endpoints[0]];
  if (first.kind == routing::TargetKind::profile) {
    // A nested profile answers for its parent's name: the child's own pick, under the owner
    // the client asked for (Traffic Manager returns the child's endpoint).
    if (depth + 1 >= routing::max_nesting) {
      answer.sections.rcode = wire::rcode::servfail;
      return {};
    }
    return answer_profile_at(answer, first.child, owner, qtype, depth + 1);
  }
  if (first.kind == routing::TargetKind::name && !profile.flatten) {
    // Only one CNAME may exist at a name (RFC 2181 §10.1), so only the first pick is answered.
    if (!put_endpoint_record(answer.writer, answer.sections, owner, rrtype::cname, profile.ttl,
                             first.target_wire))
      return {};
    const Bytes target[] = {first.target_wire};
    put_endpoint_rrsigs(answer, owner, rrtype::cname, profile.ttl, pick.endpoints[0], depth == 0,
                        target);
    return first.target_wire;
  }
  std::uint16_t type = qtype;
  if (qtype == rrtype::any)
    type = first.kind == routing::TargetKind::ipv6 ? rrtype::aaaa : rrtype::a;
  if (type != rrtype::a && type != rrtype::aaaa) {
    put_profile_nodata(answer, owner, type);
    return {};
  }
  Written records;
  const int written = put_addresses(answer, profile, pick, owner, type, records);
  if (written > 0 && !answer.sections.tc && records.fits) {
    std::array<Bytes, 32> rdatas;
    for (std::size_t i = 0; i < records.count; ++i)
      rdatas[i] = Bytes(records.rdata[i].data(), records.size);
    put_endpoint_rrsigs(answer, owner, type, records.ttl, records.endpoint, depth == 0,
                        std::span(rdatas.data(), records.count));
  }
  if (written < 0) {
    answer.sections.rcode = wire::rcode::servfail;  // not resolved yet: ask again soon
    answer.sections.aa = false;
  } else if (written == 0 && !answer.sections.tc) {
    put_profile_nodata(answer, owner, type);
  }
  return {};
}

}  // namespace

}  // namespace dnsd
