// Building the prepared answers. Each block is what the general path (general_answer.hh) writes
// after the question for a query made up here, so the two paths cannot disagree on content; the
// unit tests compare them query by query. In a signed zone the general path is also asked with
// DO, and what it adds to a positive block (the RRSIG runs) is kept as where and what to write,
// once writing them from the signatures has given the same bytes.
#include "dnsd/prepared.hh"

#include <algorithm>
#include <cstring>
#include <functional>

#include "dnsd/dnssec/zone_signatures.hh"
#include "dnsd/framing.hh"
#include "dnsd/general_answer.hh"
#include "dnsd/query.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

namespace rrtype = wire::rrtype;
using Bytes = std::span<const std::uint8_t>;

constexpr std::size_t max_block_size = 16 * 1024;  // beyond this, pointers could not move

// A query for (owner, qtype, IN) with no EDNS, or with an OPT that sets DO (RFC 3225).
std::vector<std::uint8_t> make_query(Bytes owner, std::uint16_t qtype, bool dnssec_ok = false) {
  const std::uint8_t arcount = dnssec_ok ? 1 : 0;
  std::vector<std::uint8_t> query = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, arcount};
  query.insert(query.end(), owner.begin(), owner.end());
  query.insert(query.end(),
               {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype), 0, 1});
  if (dnssec_ok) query.insert(query.end(), {0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0});
  return query;
}

constexpr std::size_t opt_size = 11;  // the OPT the general path answers make_query's with

// Positions (from `start`) of the compression pointers in the records from `start` on, as
// Writer::put_rdata compresses them: owners, and the names in NS, CNAME, PTR, MX and SOA rdata.
// wire::Reader checks every pointer aims back into the packet, past the header.
bool scan_pointers(Bytes response, std::size_t start, std::size_t records,
                   std::vector<std::uint16_t>& out) {
  wire::Reader reader(response);
  reader.skip(start);
  const auto name = [&] {
    wire::WireName ignored;
    reader.name(ignored);
    if (reader.last_pointer() != wire::Reader::no_pointer)
      out.push_back(static_cast<std::uint16_t>(reader.last_pointer() - start));
  };
  for (std::size_t i = 0; i < records && reader.ok(); ++i) {
    name();
    const std::uint16_t type = reader.u16();
    reader.skip(6);  // class, ttl
    const std::size_t rdlength = reader.u16();
    const std::size_t rdata_end = reader.pos() + rdlength;
    if (type == rrtype::ns || type == rrtype::cname || type == rrtype::ptr) {
      name();
    } else if (type == rrtype::mx) {
      reader.skip(2);
      name();
    } else if (type == rrtype::soa) {
      name();
      name();
    }
    if (reader.pos() > rdata_end) return false;
    reader.skip(rdata_end - reader.pos());
  }
  return reader.ok() && reader.remaining() == 0;
}

// Where the first SOA's serial field is, from `start`, in the records from `start` on; no_serial
// when none of them is an SOA. The serial follows MNAME and RNAME (RFC 1035 §3.3.13).
std::uint16_t find_serial(Bytes response, std::size_t start, std::size_t records) {
  wire::Reader reader(response);
  reader.skip(start);
  for (std::size_t i = 0; i < records && reader.ok(); ++i) {
    wire::WireName ignored;
    reader.name(ignored);
    const std::uint16_t type = reader.u16();
    reader.skip(6);  // class, ttl
    const std::size_t rdlength = reader.u16();
    const std::size_t rdata_end = reader.pos() + rdlength;
    if (type == rrtype::soa) {
      reader.name(ignored);
      reader.name(ignored);
      if (!reader.ok() || reader.pos() + 20 != rdata_end) return PreparedBlock::no_serial;
      return static_cast<std::uint16_t>(reader.pos() - start);
    }
    reader.skip(rdlength);
  }
  return PreparedBlock::no_serial;
}

// A run found in a signed response, before the builder files it.
struct FoundRrsigs {
  PreparedRrsigs run;  // head_offset unset
  std::vector<std::uint8_t> head;
};

// Which signatures a run holds: from the owner (lower-cased, uncompressed) and the type its
// RRSIGs cover, sets `run.rrset` or `run.node` and `run.endpoint`; false when it cannot tell.
using RrsigSource = std::function<bool(std::span<const std::uint8_t> owner, std::uint16_t covered,
                                       PreparedRrsigs& run)>;

// Compares `block` (what follows the question in the unsigned response) with the records of
// `signed_response` from `start` on (by section in `counts`) and returns its RRSIG runs; false
// when the signed response is not the block with RRSIG runs added.
bool find_rrsig_runs(std::span<const std::uint8_t> block,
                     std::span<const std::uint8_t> signed_response, std::size_t start,
                     std::array<std::uint16_t, 3> counts, const RrsigSource& source,
                     std::vector<FoundRrsigs>& out) {
  wire::Reader reader(signed_response);
  reader.skip(start);
  std::size_t at = 0;  // in `block`, where the next record not an RRSIG must be
  bool in_run = false;
  std::size_t section = 0, left = counts[0];
  while (reader.ok()) {
    while (left == 0 && section < 2) left = counts[++section];
    if (left == 0) break;
    --left;
    const std::size_t record = reader.pos();
    wire::WireName owner;
    reader.name(owner);
    const std::size_t owner_end = reader.pos();
    const std::uint16_t type = reader.u16();
    reader.skip(6);  // class, ttl
    const std::size_t rdlength = reader.u16();
    const std::size_t rdata = reader.pos();
    reader.skip(rdlength);
    if (!reader.ok()) return false;
    if (type != wire::rrtype::rrsig) {
      const auto bytes = signed_response.subspan(record, reader.pos() - record);
      if (at + bytes.size() > block.size() ||
          std::memcmp(block.data() + at, bytes.data(), bytes.size()) != 0)
        return false;
      at += bytes.size();
      in_run = false;
      continue;
    }
    const auto head = signed_response.subspan(record, owner_end + 8 - record);
    if (in_run && out.back().run.section == section &&
        std::equal(head.begin(), head.end(), out.back().head.begin(), out.back().head.end()))
      continue;  // the next signature of the same run
    if (rdlength < 2 || head.size() > 255 || at > 0xffff) return false;
    FoundRrsigs found;
    found.run.at = static_cast<std::uint16_t>(at);
    found.run.section = static_cast<std::uint8_t>(section);
    found.head.assign(head.begin(), head.end());
    std::array<std::uint8_t, wire::max_name_size> lowered;
    const std::uint16_t covered =
        static_cast<std::uint16_t>(signed_response[rdata] << 8 | signed_response[rdata + 1]);
    if (!source(wire::lower_into(owner.wire(), lowered), covered, found.run)) return false;
    out.push_back(std::move(found));
    in_run = true;
  }
  return reader.ok() && at == block.size();
}

}  // namespace

class PreparedBuilder {
 public:
  explicit PreparedBuilder(const ServingState& general)
      : general_(general),
        scratch_(std::make_unique<Scratch>()),
        out_(std::make_unique<PreparedAnswers>()) {}

  std::unique_ptr<PreparedAnswers> run() {
    std::vector<const zone::Zone*> zones;
    for (const auto& zone : general_.zones->zones()) zones.push_back(zone.get());
    // A nested zone's names replace the parent's copies (its apex, the parent's glue): parents
    // first. Zones of one origin length cannot nest, so their order does not matter.
    std::sort(zones.begin(), zones.end(), [](const zone::Zone* a, const zone::Zone* b) {
      return a->origin().size() < b->origin().size();
    });
    for (const zone::Zone* zone : zones) add_zone(*zone);
    build_index();
    return std::move(out_);
  }

 private:
  // Asks the general path and keeps what follows the question, if the answer is one to keep.
  std::uint32_t block_from_query(Bytes owner, std::uint16_t qtype, bool movable_pointers = false) {
    const std::vector<std::uint8_t> query = make_query(owner, qtype);
    const Client client{Transport::tcp, {}};
    const Reply reply = answer_general(general_, *scratch_, query, client);
    if (reply.kind != Reply::Kind::send || reply.truncated ||
        (reply.rcode != wire::rcode::noerror && reply.rcode != wire::rcode::nxdomain))
      return PreparedAnswers::no_block;
    wire::Reader reader(reply.bytes);
    const wire::Header header = reader.header();
    PreparedBlock block;
    block.qtype = qtype;
    block.answer = header.ancount;
    block.authority = header.nscount;
    block.additional = header.arcount;
    block.rcode = static_cast<std::uint8_t>(reply.rcode);
    block.aa = (header.flags & framing::flag_aa) != 0;
    block.qname_size = static_cast<std::uint8_t>(owner.size());
    const std::uint32_t index =
        add_block(block, reply.bytes, wire::header_size + owner.size() + 4, movable_pointers);
    if (index != PreparedAnswers::no_block && signatures_ && !movable_pointers)
      sign_static(index, owner, qtype);
    return index;
  }

  // A positive block's signed form: the general path's answer to the same query with DO. Its
  // RRSIG runs are over RRsets of the zone, found by owner and covered type.
  void sign_static(std::uint32_t index, Bytes owner, std::uint16_t qtype) {
    if (out_->blocks_[index].rcode != wire::rcode::noerror || out_->blocks_[index].answer == 0)
      return;
    const std::vector<std::uint8_t> query = make_query(owner, qtype, true);
    const Reply reply = answer_general(general_, *scratch_, query, Client{Transport::tcp, {}});
    if (reply.kind != Reply::Kind::send || reply.truncated || reply.rcode != wire::rcode::noerror)
      return;
    wire::Reader reader(reply.bytes);
    const wire::Header header = reader.header();
    if (header.arcount == 0) return;
    const zone::Zone& zone = signatures_->zone();
    plan_rrsigs(index, reply.bytes, wire::header_size + owner.size() + 4,
                {header.ancount, header.nscount, static_cast<std::uint16_t>(header.arcount - 1)},
                opt_size, [&zone](Bytes name, std::uint16_t covered, PreparedRrsigs& run) {
                  const zone::Node* node = zone.find(name);
                  run.rrset = node ? node->find(covered) : nullptr;
                  return run.rrset != nullptr;
                });
  }

  // Files the RRSIG runs of `signed_response` for block `index`, then writes the block signed
  // as the query path will and keeps them only if that gives `signed_response` (up to `tail`
  // bytes, its OPT) byte for byte; otherwise the block stays unsignable (general path).
  void plan_rrsigs(std::uint32_t index, Bytes signed_response, std::size_t start,
                   std::array<std::uint16_t, 3> counts, std::size_t tail,
                   const RrsigSource& source) {
    const Bytes block_bytes = out_->bytes(out_->blocks_[index]);
    const std::vector<std::uint8_t> unsigned_block(block_bytes.begin(), block_bytes.end());
    std::vector<FoundRrsigs> found;
    if (!find_rrsig_runs(unsigned_block, signed_response, start, counts, source, found)) return;
    const std::size_t first = out_->rrsigs_.size(), arena = out_->bytes_.size();
    for (FoundRrsigs& run : found) {
      run.run.head_offset = static_cast<std::uint32_t>(out_->bytes_.size());
      run.run.head_size = static_cast<std::uint8_t>(run.head.size());
      out_->bytes_.insert(out_->bytes_.end(), run.head.begin(), run.head.end());
      out_->rrsigs_.push_back(run.run);
    }
    PreparedBlock& block = out_->blocks_[index];
    block.first_rrsigs = static_cast<std::uint32_t>(first);
    block.rrsigs_count = static_cast<std::uint16_t>(found.size());
    std::vector<std::uint8_t> written(signed_response.size());
    const SignedBody body = out_->write_signed(block, *signatures_, written);
    const Bytes expected = signed_response.subspan(start);
    if (body.size != 0 && body.size + tail == expected.size() && body.counts == counts &&
        std::equal(written.begin(), written.begin() + static_cast<std::ptrdiff_t>(body.size),
                   expected.begin())) {
      block.signable = true;
      return;
    }
    block.rrsigs_count = 0;
    out_->rrsigs_.resize(first);
    out_->bytes_.resize(arena);
  }

  // Keeps what follows the question (at `start`) of `response` as a block.
  std::uint32_t add_block(PreparedBlock block, Bytes response, std::size_t start,
                          bool movable_pointers = false) {
    const Bytes bytes = response.subspan(start);
    if (bytes.size() > max_block_size) return PreparedAnswers::no_block;
    if (movable_pointers) {
      std::vector<std::uint16_t> pointers;
      if (!scan_pointers(response, start, block.answer + block.authority + block.additional,
                         pointers))
        return PreparedAnswers::no_block;
      block.first_pointer = static_cast<std::uint32_t>(out_->pointers_.size());
      block.pointer_count = static_cast<std::uint16_t>(pointers.size());
      out_->pointers_.insert(out_->pointers_.end(), pointers.begin(), pointers.end());
    }
    block.serial_at =
        find_serial(response, start, block.answer + block.authority + block.additional);
    block.zone = static_cast<std::uint32_t>(zone_index_);
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
    zone_index_ = zone.index();
    signatures_ = general_.signatures ? general_.signatures->find(zone.index()) : nullptr;
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

  void fill(const zone::Zone& zone, const zone::Node& node, PreparedAnswers::Entry& entry,
            std::uint32_t negative) {
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

  // Writes a question for `owner` and runs `fill` on a writer after it.
  template <typename Fill>
  Bytes write_response(Bytes owner, Sections& sections, Fill fill) {
    wire::Writer writer(scratch_->response, scratch_->response.size());
    writer.put_bytes(std::array<std::uint8_t, wire::header_size>{});
    writer.put_name(owner);
    writer.put_u16(0);
    writer.put_u16(wire::rrclass::in);
    fill(writer, sections);
    return writer.packet();
  }

  // Writes a question for `owner`, runs `fill` on a writer after it, and keeps the rest.
  template <typename Fill>
  std::uint32_t write_block(Bytes owner, Fill fill) {
    Sections sections;
    const Bytes packet = write_response(owner, sections, fill);
    if (sections.tc || sections.rcode != wire::rcode::noerror) return PreparedAnswers::no_block;
    PreparedBlock block;
    block.answer = sections.answer;
    block.authority = sections.authority;
    block.additional = sections.additional;
    block.aa = true;
    return add_block(block, packet, wire::header_size + owner.size() + 4);
  }

  // An endpoint block's signed form: its record with the endpoint's RRSIGs after it, as
  // profile_answer.cc writes them when the pick is that endpoint alone.
  void sign_endpoint(std::uint32_t index, Bytes owner, const zone::Node& node, std::size_t endpoint,
                     std::uint16_t type, std::uint32_t ttl, Bytes rdata) {
    Sections sections;
    const Bytes packet = write_response(owner, sections, [&](wire::Writer& writer, Sections& s) {
      put_endpoint_record(writer, s, owner, type, ttl, rdata);
      for (const auto rrsig : signatures_->endpoint_rrsigs(node, endpoint))
        if (writer.put_rr(owner, rrtype::rrsig, wire::rrclass::in, ttl, rrsig)) ++s.answer;
    });
    if (sections.tc) return;
    const std::vector<std::uint8_t> copy(packet.begin(), packet.end());  // scratch_ is reused
    plan_rrsigs(index, copy, wire::header_size + owner.size() + 4,
                {sections.answer, sections.authority, sections.additional}, 0,
                [&](Bytes, std::uint16_t covered, PreparedRrsigs& run) {
                  run.node = &node;
                  run.endpoint = static_cast<std::uint32_t>(endpoint);
                  return covered == type;
                });
  }

  // Per endpoint, the answer profile_answer.cc writes when the pick is that endpoint alone:
  // the CNAME to an FQDN outside the zone, or the endpoint's own address. Other endpoints
  // (flattened names, nested profiles) are answered by the general path.
  void add_endpoint_blocks(const zone::Zone& zone, const zone::Node& node,
                           PreparedAnswers::Entry& entry) {
    const routing::Profile& profile = general_.model->profiles[*node.profile];
    entry.first_endpoint = static_cast<std::uint32_t>(out_->endpoint_blocks_.size());
    const Bytes owner = node.owner.wire();
    for (std::size_t i = 0; i < profile.endpoints.size(); ++i) {
      const routing::Endpoint& endpoint = profile.endpoints[i];
      std::uint32_t index = PreparedAnswers::no_block;
      std::uint16_t type = 0;
      Bytes rdata;
      if (endpoint.kind == routing::TargetKind::name) {
        if (!profile.flatten && !wire::is_subdomain(endpoint.target_wire, zone.origin().wire())) {
          type = rrtype::cname;
          rdata = endpoint.target_wire;
        }
      } else if (endpoint.kind == routing::TargetKind::ipv4 ||
                 endpoint.kind == routing::TargetKind::ipv6) {
        const bool v6 = endpoint.kind == routing::TargetKind::ipv6;
        type = v6 ? rrtype::aaaa : rrtype::a;
        rdata = Bytes(endpoint.address.data(), v6 ? 16 : 4);
      }
      if (type != 0) {
        index = write_block(owner, [&](wire::Writer& writer, Sections& sections) {
          put_endpoint_record(writer, sections, owner, type, profile.ttl, rdata);
        });
        if (index != PreparedAnswers::no_block) out_->blocks_[index].qtype = type;
      }
      if (index != PreparedAnswers::no_block && out_->blocks_[index].answer != 1)
        index = PreparedAnswers::no_block;
      if (index != PreparedAnswers::no_block && signatures_)
        sign_endpoint(index, owner, node, i, type, profile.ttl, rdata);
      out_->endpoint_blocks_.push_back(index);
    }
  }

  // A later entry with the same name (a nested zone's) takes the slot of the earlier one.
  void build_index() {
    out_->index_.build(static_cast<std::uint32_t>(out_->entries_.size()),
                       [&](std::uint32_t i) { return out_->name_of(i); });
  }

  const ServingState& general_;
  std::size_t zone_index_ = 0;                          // of the zone whose blocks are being made
  const dnssec::ZoneSignatures* signatures_ = nullptr;  // its signatures, when it is signed
  std::unique_ptr<Scratch> scratch_;
  std::unique_ptr<PreparedAnswers> out_;
};

std::unique_ptr<PreparedAnswers> PreparedAnswers::build(const ServingState& general) {
  return PreparedBuilder(general).run();
}

}  // namespace dnsd
