// Transfer: parse the request, decide (zone, ACL, serials), then walk the zone or the journal
// record by record, filling each message until the next record does not fit.
#include "dnsd/xfr/transfer.hh"

#include <fmt/format.h>

#include <algorithm>

#include "dnsd/tsig/record.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/zone/serial.hh"

namespace dnsd::xfr {
namespace {

namespace rrtype = wire::rrtype;

std::string client_text(const routing::ClientInfo& client) {
  if (!client.is_ipv6)
    return fmt::format("{}.{}.{}.{}", client.address[0], client.address[1], client.address[2],
                       client.address[3]);
  std::string out;
  for (int i = 0; i < 16; i += 2)
    out += fmt::format("{}{:x}", i ? ":" : "", client.address[i] << 8 | client.address[i + 1]);
  return out;
}

std::string name_text(std::span<const std::uint8_t> wire) {
  const auto name = wire::Name::from_wire(wire);
  return name ? name->to_text() : "?";
}

bool has_profiles(const zone::Zone& zone) noexcept {
  return std::any_of(zone.nodes().begin(), zone.nodes().end(),
                     [](const zone::Node& node) { return node.profile.has_value(); });
}

}  // namespace

std::string_view verdict_text(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::full:
      return "full zone";
    case Verdict::incremental:
      return "incremental";
    case Verdict::soa_only:
      return "SOA only";
    case Verdict::refused:
      return "REFUSED";
    case Verdict::tsig_error:
      return "TSIG error";
    case Verdict::formerr:
      return "FORMERR";
    case Verdict::notimp:
      return "NOTIMP";
  }
  return "?";
}

bool is_transfer_query(std::span<const std::uint8_t> message) noexcept {
  wire::Reader reader(message);
  const auto header = reader.header();
  if (!reader.ok() || header.qr() || header.opcode() != wire::opcode::query || header.qdcount != 1)
    return false;
  wire::WireName name;
  reader.name(name);
  const auto qtype = reader.u16();
  if (!reader.ok()) return false;
  if (qtype == rrtype::axfr || qtype == rrtype::ixfr) return true;
  if (qtype != rrtype::soa || header.arcount == 0) return false;
  // A signed SOA query: the last record is a TSIG (RFC 8945 §5.1).
  reader.skip(2);  // class
  const unsigned before_last = header.ancount + header.nscount + header.arcount - 1u;
  for (unsigned i = 0; i < before_last && reader.ok(); ++i) reader.skip_rr();
  reader.name(name);
  return reader.ok() && reader.u16() == tsig::rrtype_tsig;
}

Transfer::Transfer(std::span<const std::uint8_t> request, const tsig::Verified& verified,
                   const routing::ClientInfo& client, const ZoneSource& source, bool udp)
    : verified_(verified) {
  bool ok = false;
  const auto client_serial = parse(request, ok);
  if (!ok)
    description_ = "not one AXFR, IXFR or SOA question";
  else
    decide(client, source, udp, client_serial);
  if (verified.status != tsig::Status::none && verified.status != tsig::Status::ok) {
    verdict_ = Verdict::tsig_error;  // answered before anything is said about the zone
    description_ = std::string(tsig::status_text(verified.status));
  }
  if (is_transfer() && verified.status == tsig::Status::ok)
    signer_.emplace(*verified.key, verified_.request_mac.view());
  const std::string key =
      verified.status == tsig::Status::none ? "none" : name_text(verified.key_name.wire());
  const char* what = qtype_ == rrtype::ixfr ? "IXFR" : qtype_ == rrtype::soa ? "SOA" : "AXFR";
  description_ = fmt::format(
      "{} {} from {} key {}: {}{}", what, ok ? name_text(qname_.wire()) : "?", client_text(client),
      key, verdict_text(verdict_), description_.empty() ? "" : fmt::format(" ({})", description_));
}

// Header, one question of type AXFR or IXFR, and for IXFR the client's SOA in the authority
// section (RFC 1995 §3), whose serial is returned.
std::optional<std::uint32_t> Transfer::parse(std::span<const std::uint8_t> request, bool& ok) {
  wire::Reader reader(request);
  const auto header = reader.header();
  id_ = header.id;
  if (!reader.ok() || header.qr() || header.opcode() != wire::opcode::query || header.qdcount != 1)
    return std::nullopt;
  reader.name(qname_);
  // A name that did not parse is no question to echo: what was read of it may not even end in
  // the root label (found by tests/fuzz/fuzz_xfr.cc; the TCP server filters with
  // is_transfer_query first, but a Transfer must be safe on any bytes).
  if (!reader.ok()) {
    qname_ = wire::WireName{};
    return std::nullopt;
  }
  qtype_ = reader.u16();
  qclass_ = reader.u16();
  if (!reader.ok() || (qtype_ != rrtype::axfr && qtype_ != rrtype::ixfr && qtype_ != rrtype::soa))
    return std::nullopt;
  if (qtype_ == rrtype::axfr || qtype_ == rrtype::soa) {
    ok = true;
    return std::nullopt;
  }
  // From here on the question stands: a missing or bad SOA is FORMERR, but only once the
  // zone and the ACL allow the client (decide()), as Knot DNS checks its ACL first.
  ok = true;
  for (std::uint16_t i = 0; i < header.ancount; ++i) reader.skip_rr();
  if (header.nscount < 1) return std::nullopt;
  wire::WireName owner;
  reader.name(owner);
  const auto type = reader.u16();
  reader.skip(6);  // class, TTL
  const auto rdlength = reader.u16();
  const auto rdata_end = reader.pos() + rdlength;
  wire::WireName skipped;
  reader.name(skipped);  // MNAME
  reader.name(skipped);  // RNAME
  const auto serial = reader.u32();
  if (!reader.ok() || type != rrtype::soa || reader.pos() > rdata_end) return std::nullopt;
  return serial;
}

void Transfer::decide(const routing::ClientInfo& client, const ZoneSource& source, bool udp,
                      std::optional<std::uint32_t> client_serial) {
  std::array<std::uint8_t, wire::max_name_size> lowered;
  const auto origin = wire::lower_into(qname_.wire(), lowered);
  verdict_ = Verdict::refused;
  if (udp && qtype_ == rrtype::axfr) {
    verdict_ = Verdict::notimp;
    description_ = "AXFR over UDP";
    return;
  }
  if (qclass_ != wire::rrclass::in) {
    description_ = "not class IN";
    return;
  }
  auto found = source.find(origin);
  const tsig::Key* key = verified_.status == tsig::Status::ok ? verified_.key : nullptr;
  if ((!found || !found->zone) && qtype_ == rrtype::soa && key) {
    // A signed SOA query for a zone not given to secondaries (e.g. certbot's dns-rfc2136
    // looking for the zone to update): the SOA as served, signed; no ACL for a public record.
    auto served = source.find_served(origin);
    if (served && served->zone) {
      zone_ = std::move(*served);
      verdict_ = Verdict::soa_only;
      description_ = fmt::format("serial {} (served zone)", zone_.zone->serial());
      return;
    }
  }
  if (!found || !found->zone) {
    description_ = "not a zone of ours";
    return;
  }
  zone_ = std::move(*found);
  if (!zone_.acl || !zone_.acl->allows(client, key)) {
    description_ = key ? "key or address not in the zone's transfer ACL"
                       : "unsigned, or address not in the zone's transfer ACL";
    return;
  }
  // A secondary serves one answer to everyone: it is given the transfer view of such a zone
  // (publish/view.hh), never the zone with its health-routed names.
  if (has_profiles(*zone_.zone)) {
    description_ = "the zone has health-routed names and no transfer view";
    return;
  }
  const std::uint32_t serial = zone_.zone->serial();
  if (qtype_ == rrtype::soa) {  // a secondary's signed refresh query (RFC 1996 §3.11)
    verdict_ = Verdict::soa_only;
    description_ = fmt::format("serial {}", serial);
    return;
  }
  if (qtype_ == rrtype::ixfr && !client_serial) {
    verdict_ = Verdict::formerr;
    description_ = "IXFR without the client's SOA in the authority section (RFC 1995 §3)";
    return;
  }
  if (qtype_ == rrtype::axfr) {
    verdict_ = Verdict::full;
    return;
  }
  // RFC 1995 §2: "If an IXFR query with the same or newer version number than that of the
  // server is received, it is replied to with a single SOA record of the server's current
  // version"; over UDP, a single SOA tells the client to use TCP.
  if (udp || *client_serial == serial || zone::serial_gt(*client_serial, serial)) {
    verdict_ = Verdict::soa_only;
    description_ = fmt::format("client serial {}, ours {}", *client_serial, serial);
    return;
  }
  std::optional<std::span<const zone::Diff>> diffs;
  if (zone_.journal && zone_.journal->current_serial() == serial)
    diffs = zone_.journal->since(*client_serial);
  if (!diffs) {
    verdict_ = Verdict::full;  // RFC 1995 §4: the whole zone when the diffs are not kept
    description_ = fmt::format("serial {} not in the journal, ours {}", *client_serial, serial);
    return;
  }
  verdict_ = Verdict::incremental;
  diffs_ = *diffs;
  description_ = fmt::format("{} diffs, serial {} to {}", diffs_.size(), *client_serial, serial);
}

}  // namespace dnsd::xfr
