// Building the prepared answers. Each block is what the general path writes after the question
// for a query made up here, so the two paths cannot disagree on content; the unit tests compare
// them query by query.
#include "dnsd/prepared.hh"

#include <algorithm>
#include <cstring>

#include "dnsd/engine.hh"
#include "dnsd/section_writer.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

namespace rrtype = wire::rrtype;
using Bytes = std::span<const std::uint8_t>;

constexpr std::size_t max_block_size = 16 * 1024;  // beyond this, pointers could not move

std::uint16_t read_u16(const std::uint8_t* at) noexcept { return static_cast<std::uint16_t>(at[0] << 8 | at[1]); }

// A query for (owner, qtype, IN) with no EDNS.
std::vector<std::uint8_t> make_query(Bytes owner, std::uint16_t qtype) {
  std::vector<std::uint8_t> query = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  query.insert(query.end(), owner.begin(), owner.end());
  query.insert(query.end(), {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype), 0, 1});
  return query;
}

// Positions of the compression pointers in a block of records, as Writer::put_rdata compresses
// them (owners, and the names in NS, CNAME, PTR, MX and SOA rdata).
class PointerScan {
 public:
  explicit PointerScan(Bytes block) : block_(block) {}

  bool run(std::size_t records, std::vector<std::uint16_t>& out) {
    for (std::size_t i = 0; i < records; ++i) {
      if (!name(out) || at_ + 10 > block_.size()) return false;
      const std::uint16_t type = read_u16(&block_[at_]);
      const std::size_t rdata_end = at_ + 10 + read_u16(&block_[at_ + 8]);
      at_ += 10;
      bool ok = true;
      if (type == rrtype::ns || type == rrtype::cname || type == rrtype::ptr) ok = name(out);
      else if (type == rrtype::mx) ok = (at_ += 2, name(out));
      else if (type == rrtype::soa) ok = name(out) && name(out);
      if (!ok || at_ > rdata_end) return false;
      at_ = rdata_end;
    }
    return at_ == block_.size();
  }

 private:
  bool name(std::vector<std::uint16_t>& out) {
    while (at_ < block_.size()) {
      const std::uint8_t length = block_[at_];
      if ((length & 0xc0) == 0xc0) {
        out.push_back(static_cast<std::uint16_t>(at_));
        at_ += 2;
        return true;
      }
      at_ += 1 + length;
      if (length == 0) return true;
    }
    return false;
  }

  Bytes block_;
  std::size_t at_ = 0;
};

}  // namespace

class PreparedBuilder {
 public:
  explicit PreparedBuilder(const ServingState& general)
      : general_(general), scratch_(std::make_unique<Scratch>()), out_(std::make_unique<PreparedAnswers>()) {}

  std::unique_ptr<PreparedAnswers> run() {
    std::vector<const zone::Zone*> zones;
    for (const auto& zone : general_.zones->zones()) zones.push_back(zone.get());
    // A nested zone's names replace the parent's copies (its apex, the parent's glue): parents
    // first. Zones of one origin length cannot nest, so their order does not matter.
    std::sort(zones.begin(), zones.end(),
              [](const zone::Zone* a, const zone::Zone* b) { return a->origin().size() < b->origin().size(); });
    for (const zone::Zone* zone : zones) add_zone(*zone);
    build_index();
    return std::move(out_);
  }

 private:
  // Asks the general path and keeps what follows the question, if the answer is one to keep.
  std::uint32_t block_from_query(Bytes owner, std::uint16_t qtype, bool movable_pointers = false) {
    const std::vector<std::uint8_t> query = make_query(owner, qtype);
    const Client client{Transport::tcp, {}};
    const Reply reply = answer(general_, *scratch_, query, client);
    if (reply.kind != Reply::Kind::send) return PreparedAnswers::no_block;
    const std::uint16_t flags = read_u16(&reply.bytes[2]);
    const std::uint8_t rcode = flags & 0xf;
    if ((flags & 0x0200) || (rcode != wire::rcode::noerror && rcode != wire::rcode::nxdomain))
      return PreparedAnswers::no_block;
    const std::size_t question_end = wire::header_size + owner.size() + 4;
    PreparedBlock block;
    block.qtype = qtype;
    block.answer = read_u16(&reply.bytes[6]);
    block.authority = read_u16(&reply.bytes[8]);
    block.additional = read_u16(&reply.bytes[10]);
    block.rcode = rcode;
    block.aa = (flags & 0x0400) != 0;
    block.qname_size = static_cast<std::uint8_t>(owner.size());
    return add_block(block, reply.bytes.subspan(question_end), movable_pointers);
  }

  std::uint32_t add_block(PreparedBlock block, Bytes bytes, bool movable_pointers = false) {
    if (bytes.size() > max_block_size) return PreparedAnswers::no_block;
    if (movable_pointers) {
      std::vector<std::uint16_t> pointers;
      PointerScan scan(bytes);
      if (!scan.run(block.answer + block.authority + block.additional, pointers)) return PreparedAnswers::no_block;
      for (std::uint16_t at : pointers)
        if ((read_u16(&bytes[at]) & 0x3fff) < wire::header_size) return PreparedAnswers::no_block;
      block.first_pointer = static_cast<std::uint32_t>(out_->pointers_.size());
      block.pointer_count = static_cast<std::uint16_t>(pointers.size());
      out_->pointers_.insert(out_->pointers_.end(), pointers.begin(), pointers.end());
    }
    block.offset = static_cast<std::uint32_t>(out_->bytes_.size());
    block.size = static_cast<std::uint16_t>(bytes.size());
    out_->bytes_.insert(out_->bytes_.end(), bytes.begin(), bytes.end());
    out_->blocks_.push_back(block);
    return static_cast<std::uint32_t>(out_->blocks_.size() - 1);
  }

  // The zone's negative answer (the SOA in authority), made for the apex. Every pointer in it
  // aims at the apex in the question or later, so for a longer question all of them move by
  // the difference in length; the rcode is set when it is used (NODATA or NXDOMAIN).
  std::uint32_t negative_block(const zone::Zone& zone) {
    const zone::Node& apex = zone.apex();
    const std::uint32_t index = block_from_query(apex.owner.wire(), absent_type(apex), true);
    if (index == PreparedAnswers::no_block) return index;
    const PreparedBlock& block = out_->blocks_[index];
    const bool soa_only = block.rcode == wire::rcode::noerror && block.aa && block.answer == 0 &&
                          block.authority == 1 && block.additional == 0;
    return soa_only ? index : PreparedAnswers::no_block;
  }

  static bool below_cut(const zone::Zone& zone, const zone::Node& node) {
    Bytes name = node.owner.wire();
    const std::size_t origin_size = zone.origin().size();
    while (name.size() > origin_size) {
      name = name.subspan(1 + name[0]);
      const zone::Node* ancestor = zone.find(name);
      if (ancestor && ancestor->is_zone_cut) return true;
    }
    return false;
  }

  // A name below the apex of another served zone belongs to that zone, whatever the parent holds.
  bool in_deeper_zone(const zone::Zone& zone, Bytes owner) const {
    for (const auto& other : general_.zones->zones())
      if (other->origin().size() > zone.origin().size() && owner.size() > other->origin().size() &&
          wire::is_subdomain(owner, other->origin().wire()))
        return true;
    return false;
  }

  // A type the node does not hold, so that the general path answers NODATA for it.
  static std::uint16_t absent_type(const zone::Node& node) {
    std::uint16_t type = 65280;  // private use (RFC 6895 §3.1)
    while (node.find(type)) ++type;
    return type;
  }

  void add_zone(const zone::Zone& zone) {
    const std::uint32_t negative = negative_block(zone);
    for (const zone::Node& node : zone.nodes()) {
      PreparedAnswers::Entry entry;
      const Bytes owner = node.owner.wire();
      entry.name_offset = static_cast<std::uint32_t>(out_->bytes_.size());
      entry.name_size = static_cast<std::uint8_t>(owner.size());
      out_->bytes_.insert(out_->bytes_.end(), owner.begin(), owner.end());
      if (negative != PreparedAnswers::no_block && !node.is_zone_cut && !below_cut(zone, node) &&
          !in_deeper_zone(zone, owner))
        fill(zone, node, entry, negative);
      out_->entries_.push_back(entry);
    }
  }

  void fill(const zone::Zone& zone, const zone::Node& node, PreparedAnswers::Entry& entry, std::uint32_t negative) {
    entry.nxdomain_below = !node.has_wildcard_child;
    entry.negative_block = negative;
    const Bytes owner = node.owner.wire();
    // An entry's blocks are consecutive: each is appended as it is made.
    entry.first_block = static_cast<std::uint32_t>(out_->blocks_.size());
    bool complete = true;
    for (const zone::RRset& rrset : node.rrsets)
      if (block_from_query(owner, rrset.type) == PreparedAnswers::no_block) complete = false;
    entry.block_count = static_cast<std::uint16_t>(out_->blocks_.size() - entry.first_block);
    // Every other type gets NODATA, or at a CNAME whose target lies outside the zone the CNAME
    // alone. A CNAME into the zone is followed, which depends on the type, and a type left
    // unprepared must not look absent: both stay with the general path.
    const zone::RRset* cname = node.find(rrtype::cname);
    if (complete && !cname) {
      entry.fallback = PreparedAnswers::Default::negative;
    } else if (complete && !wire::is_subdomain(cname->rdatas.front(), zone.origin().wire())) {
      const std::uint32_t own = block_from_query(owner, absent_type(node));
      if (own != PreparedAnswers::no_block && out_->blocks_[own].answer == 1) {
        ++entry.block_count;
        entry.fallback = PreparedAnswers::Default::own;
      }
    }
    entry.kind = PreparedAnswers::Kind::static_node;
    if (node.profile) {
      entry.kind = PreparedAnswers::Kind::profile;
      entry.profile = *node.profile;
      add_endpoint_blocks(zone, node, entry);
    }
  }

  // Writes a question for `owner`, runs `fill` on a SectionWriter after it, and keeps the rest.
  template <typename Fill>
  std::uint32_t write_block(const zone::Zone& zone, Bytes owner, Fill fill) {
    wire::Writer writer(scratch_->response, scratch_->response.size());
    writer.put_bytes(std::array<std::uint8_t, wire::header_size>{});
    writer.put_name(owner);
    writer.put_u16(0);
    writer.put_u16(wire::rrclass::in);
    Sections sections;
    const Client client{Transport::tcp, {}};
    SectionWriter answer{general_, zone, client, writer, sections};
    sections.aa = true;
    fill(answer);
    if (sections.tc || sections.rcode != wire::rcode::noerror) return PreparedAnswers::no_block;
    PreparedBlock block;
    block.answer = sections.answer;
    block.authority = sections.authority;
    block.additional = sections.additional;
    block.aa = true;
    const std::size_t question_end = wire::header_size + owner.size() + 4;
    return add_block(block, writer.packet().subspan(question_end));
  }

  // Per endpoint, the answer profile_answer.cc writes when the pick is that endpoint alone:
  // the CNAME to an FQDN outside the zone, or the endpoint's own address. Other endpoints
  // (flattened names, nested profiles) are answered by the general path.
  void add_endpoint_blocks(const zone::Zone& zone, const zone::Node& node, PreparedAnswers::Entry& entry) {
    const routing::Profile& profile = general_.model->profiles[*node.profile];
    entry.first_endpoint = static_cast<std::uint32_t>(out_->endpoint_blocks_.size());
    const Bytes owner = node.owner.wire();
    for (const routing::Endpoint& endpoint : profile.endpoints) {
      std::uint32_t index = PreparedAnswers::no_block;
      if (endpoint.kind == routing::TargetKind::name) {
        if (!profile.flatten && !wire::is_subdomain(endpoint.target_wire, zone.origin().wire()))
          index = write_block(zone, owner, [&](SectionWriter& answer) {
            if (answer.writer.put_rr(owner, rrtype::cname, wire::rrclass::in, profile.ttl, endpoint.target_wire))
              ++answer.sections.answer;
          });
        if (index != PreparedAnswers::no_block) out_->blocks_[index].qtype = rrtype::cname;
      } else if (endpoint.kind == routing::TargetKind::ipv4 || endpoint.kind == routing::TargetKind::ipv6) {
        const bool v6 = endpoint.kind == routing::TargetKind::ipv6;
        const std::uint16_t type = v6 ? rrtype::aaaa : rrtype::a;
        index = write_block(zone, owner, [&](SectionWriter& answer) {
          if (answer.writer.put_rr(owner, type, wire::rrclass::in, profile.ttl, Bytes(endpoint.address.data(), v6 ? 16 : 4)))
            ++answer.sections.answer;
        });
        if (index != PreparedAnswers::no_block) out_->blocks_[index].qtype = type;
      }
      if (index != PreparedAnswers::no_block && out_->blocks_[index].answer != 1) index = PreparedAnswers::no_block;
      out_->endpoint_blocks_.push_back(index);
    }
  }

  // Open addressing over the entries; a later entry with the same name (a nested zone's)
  // takes the slot of the earlier one.
  void build_index() {
    std::size_t capacity = 16;
    while (capacity < out_->entries_.size() * 2) capacity *= 2;
    out_->index_.assign(capacity, 0);
    for (std::uint32_t i = 0; i < out_->entries_.size(); ++i) {
      const auto& entry = out_->entries_[i];
      const Bytes name(out_->bytes_.data() + entry.name_offset, entry.name_size);
      std::size_t slot = PreparedAnswers::hash(name) & (capacity - 1);
      for (; out_->index_[slot] != 0; slot = (slot + 1) & (capacity - 1)) {
        const auto& other = out_->entries_[out_->index_[slot] - 1];
        if (other.name_size == entry.name_size &&
            std::memcmp(out_->bytes_.data() + other.name_offset, name.data(), name.size()) == 0)
          break;
      }
      out_->index_[slot] = i + 1;
    }
  }

  const ServingState& general_;
  std::unique_ptr<Scratch> scratch_;
  std::unique_ptr<PreparedAnswers> out_;
};

std::unique_ptr<PreparedAnswers> PreparedAnswers::build(const ServingState& general) {
  return PreparedBuilder(general).run();
}

std::uint64_t PreparedAnswers::hash(std::span<const std::uint8_t> lowered) noexcept {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (auto byte : lowered) hash = (hash ^ byte) * 1099511628211ull;
  return hash;
}

const PreparedAnswers::Entry* PreparedAnswers::find(std::span<const std::uint8_t> lowered,
                                                    std::uint64_t hash) const noexcept {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const std::uint32_t position = index_[slot];
    if (position == 0) return nullptr;
    const Entry& entry = entries_[position - 1];
    if (entry.name_size == lowered.size() &&
        std::memcmp(bytes_.data() + entry.name_offset, lowered.data(), lowered.size()) == 0)
      return &entry;
  }
}

}  // namespace dnsd
