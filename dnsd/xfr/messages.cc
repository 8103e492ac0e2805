// Transfer::next: the response messages. A full transfer is the SOA, every other RRset of the
// zone, the SOA again (RFC 5936 §2.2); an incremental one is the new SOA, then per diff the old
// SOA, the removed records, the new SOA and the added records, then the new SOA (RFC 1995 §4).
#include <algorithm>

#include "dnsd/wire/types.hh"
#include "dnsd/xfr/transfer.hh"

namespace dnsd::xfr {
namespace {

namespace rrtype = wire::rrtype;

// Room kept below the message limit for the TSIG RR (RFC 8945 §4.2): its owner (the key name),
// type, class, TTL and RDLENGTH, then the algorithm name, a full MAC and 16 bytes of fields.
std::size_t tsig_size(const tsig::Key& key) noexcept {
  return key.name.size() + 10 + tsig::algorithm_wire(key.algorithm).size() +
         tsig::digest_size(key.algorithm) + 16;
}
constexpr std::uint16_t k_flag_qr = 0x8000, k_flag_aa = 0x0400;

}  // namespace

bool Transfer::start_message(wire::Writer& writer, std::uint16_t rcode) noexcept {
  // AA only on the transfer itself; a refusal says nothing about authority (as the engine).
  const std::uint16_t flags = is_transfer() ? k_flag_qr | k_flag_aa : k_flag_qr;
  bool ok = writer.put_u16(id_) && writer.put_u16(flags | rcode);
  // The question is copied into the first message only (RFC 5936 §2.2.1 allows it in later
  // ones too; BIND and Knot DNS leave it out).
  const bool question = messages_ == 0 && qname_.size != 0;  // size 0: none parsed
  ok = ok && writer.put_u16(question ? 1 : 0) && writer.put_u16(0) && writer.put_u16(0) &&
       writer.put_u16(0);
  if (question)
    ok = ok && writer.put_name(qname_.wire(), false) && writer.put_u16(qtype_) &&
         writer.put_u16(qclass_);
  return ok;
}

std::size_t Transfer::error_message(std::span<std::uint8_t> buffer,
                                    std::chrono::sys_seconds now) noexcept {
  phase_ = Phase::end;
  std::uint16_t rcode = wire::rcode::refused;
  if (verdict_ == Verdict::formerr) rcode = wire::rcode::formerr;
  if (verdict_ == Verdict::notimp) rcode = wire::rcode::notimp;
  wire::Writer writer(buffer, std::min(buffer.size(), max_message_size));
  if (!start_message(writer, rcode)) return 0;
  // sign_response sets NOTAUTH and the TSIG error for a TSIG failure, and signs REFUSED and the
  // others when the request verified; an unsigned request gets an unsigned answer.
  if (verified_.status != tsig::Status::none && !tsig::sign_response(writer, verified_, now))
    return 0;
  ++messages_;
  return writer.size();
}

bool Transfer::body_peek(Item& item) const noexcept {
  if (verdict_ == Verdict::incremental) {
    if (outer_ >= diffs_.size()) return false;
    const zone::Diff& diff = diffs_[outer_];
    const zone::Record* record = nullptr;
    if (inner_ == 0) record = &diff.old_soa;
    if (inner_ == 1) record = &diff.removed[item_];
    if (inner_ == 2) record = &diff.new_soa;
    if (inner_ == 3) record = &diff.added[item_];
    item = {record->owner.wire(), record->type, record->ttl, record->rdata};
    return true;
  }
  const auto nodes = zone_.zone->nodes();
  if (outer_ >= nodes.size()) return false;
  const zone::RRset& rrset = nodes[outer_].rrsets[inner_];
  item = {nodes[outer_].owner.wire(), rrset.type, rrset.ttl, *rdata_};
  return true;
}

void Transfer::body_advance() noexcept {
  if (verdict_ == Verdict::incremental) {
    ++item_;
    // Parts 1 and 3 may be empty: skip to the next part that has a record, or the next diff.
    for (;;) {
      if (outer_ >= diffs_.size()) return;
      const zone::Diff& diff = diffs_[outer_];
      const std::size_t size = inner_ == 1   ? diff.removed.size()
                               : inner_ == 3 ? diff.added.size()
                                             : 1;
      if (item_ < size) return;
      item_ = 0;
      if (++inner_ == 4) inner_ = 0, ++outer_;
    }
  }
  if (++rdata_ != zone_.zone->nodes()[outer_].rrsets[inner_].rdatas.end()) return;
  ++inner_;
  seek_rrset();
}

void Transfer::seek_rrset() noexcept {
  const auto nodes = zone_.zone->nodes();
  // From (outer_, inner_) on, skipping the apex SOA: it opens and closes the transfer instead.
  for (;; ++inner_) {
    while (outer_ < nodes.size() && inner_ >= nodes[outer_].rrsets.size()) ++outer_, inner_ = 0;
    if (outer_ >= nodes.size()) return;
    const zone::RRset& rrset = nodes[outer_].rrsets[inner_];
    if (outer_ == 0 && rrset.type == rrtype::soa) continue;
    rdata_ = rrset.rdatas.begin();
    return;
  }
}

bool Transfer::peek(Item& item) const noexcept {
  if (phase_ == Phase::body) return body_peek(item);
  if (phase_ == Phase::end) return false;
  const zone::Node& apex = zone_.zone->apex();
  const zone::RRset* soa = apex.find(rrtype::soa);
  item = {apex.owner.wire(), rrtype::soa, soa->ttl, soa->rdatas.front()};
  return true;
}

void Transfer::advance() noexcept {
  if (phase_ == Phase::first_soa) {
    if (verdict_ == Verdict::soa_only) {
      phase_ = Phase::end;
      return;
    }
    phase_ = Phase::body;
    outer_ = 0, inner_ = 0, item_ = 0;
    if (verdict_ == Verdict::full) {
      seek_rrset();
    } else {
      item_ = static_cast<std::size_t>(-1);  // part 0 of diff 0, via the same stepping
      body_advance();
    }
  } else if (phase_ == Phase::body) {
    body_advance();
  } else {
    phase_ = Phase::end;
    return;
  }
  Item item;
  if (phase_ == Phase::body && !body_peek(item)) phase_ = Phase::last_soa;
}

std::size_t Transfer::next(std::span<std::uint8_t> buffer, std::chrono::sys_seconds now) noexcept {
  if (phase_ == Phase::end) return 0;
  if (!is_transfer()) return error_message(buffer, now);
  wire::Writer writer(buffer, std::min(buffer.size(), max_message_size));
  const std::size_t full_limit = writer.limit();
  const std::size_t reserve = signer_ ? tsig_size(*verified_.key) : 0;
  writer.set_limit(full_limit > reserve ? full_limit - reserve : 0);
  if (!start_message(writer, wire::rcode::noerror)) return phase_ = Phase::end, 0;
  std::uint16_t count = 0;
  Item item;
  while (count < 0xffff && peek(item)) {
    const auto mark = writer.mark();
    if (!writer.put_rr(item.owner, item.type, wire::rrclass::in, item.ttl, item.rdata)) {
      writer.rollback(mark);
      break;
    }
    ++count;
    advance();
  }
  if (count == 0) {
    description_ += "; a record does not fit in one message, transfer cut short";
    phase_ = Phase::end;
    return 0;
  }
  writer.patch_u16(6, count);
  writer.set_limit(full_limit);
  if (signer_ && !signer_->sign(writer, now)) {
    description_ += "; the TSIG RR did not fit, transfer cut short";
    phase_ = Phase::end;
    return 0;
  }
  ++messages_;
  records_ += count;
  return writer.size();
}

}  // namespace dnsd::xfr
