// libFuzzer target: any bytes as a zone transfer request (AXFR, IXFR, or a signed SOA query),
// through the steps the TCP server takes: is_transfer_query, TSIG verification, the Transfer's
// decision (question, ACL, journal) and every response message. Must not crash; every message
// must be a well-formed DNS message within 65535 bytes, and the sequence must end.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/xfr/transfer.hh"
#include "routing/address_range.hh"

namespace {

using namespace dnsd;

void require(bool condition) {
  if (!condition) std::abort();
}

zone::Record record(const char* owner, const char* type, const char* rdata) {
  static const auto origin = *wire::Name::from_text("example.");
  const auto code = *wire::type_from_text(type);
  return zone::Record{*wire::Name::from_text(owner), code, 300,
                      *wire::rdata_from_text(code, rdata, origin, nullptr)};
}

zone::Record soa(int serial) {
  const std::string text =
      "ns1.example. h.example. " + std::to_string(serial) + " 3600 600 86400 300";
  return record("example.", "SOA", text.c_str());
}

// example. at serial 3 with a journal from 1, transferable by the key xfr-key. from anywhere
// and without a key from 127.0.0.0/8.
struct Source : xfr::ZoneSource {
  std::unique_ptr<zone::Zone> zone;
  std::unique_ptr<zone::Journal> journal;
  xfr::Acl acl;
  tsig::Keyring keyring;

  explicit Source(tsig::Keyring ring) : keyring(std::move(ring)) {
    const auto origin = *wire::Name::from_text("example.");
    zone::ZoneBuilder builder(origin);
    for (const auto& r :
         {soa(3), record("example.", "NS", "ns1.example."),
          record("ns1.example.", "A", "192.0.2.53"), record("example.", "MX", "10 mail.example."),
          record("mail.example.", "AAAA", "2001:db8::25"),
          record("www.example.", "CNAME", "mail.example."),
          record("sub.example.", "NS", "ns.sub.example."),
          record("ns.sub.example.", "A", "192.0.2.54")})
      builder.add_record(r.owner, r.type, r.ttl, r.rdata);
    zone = std::move(builder).build().zone;
    require(zone != nullptr);
    journal = std::make_unique<zone::Journal>(zone::Journal::Limits{});
    for (int serial = 1; serial < 3; ++serial) {
      zone::Diff diff{soa(serial), {}, soa(serial + 1), {}};
      diff.added.push_back(record("t.example.", "TXT", std::to_string(serial).c_str()));
      if (serial > 1) diff.removed.push_back(record("t.example.", "TXT", "1"));
      journal->append(std::move(diff));
    }
    xfr::AclEntry by_key;
    by_key.key = *wire::Name::from_text("xfr-key.");
    xfr::AclEntry by_address;
    routing::AddressRange range;
    std::string why;
    require(routing::parse_range("127.0.0.0/8", range, why));
    by_address.address = range;
    acl.entries = {by_key, by_address};
  }
  xfr::Keys keys() const override { return {&keyring, nullptr}; }
  std::optional<xfr::Transferable> find(std::span<const std::uint8_t> origin) const override {
    if (!wire::names_equal(origin, zone->origin().wire())) return std::nullopt;
    return xfr::Transferable{zone.get(), journal.get(), &acl, nullptr};
  }
};

routing::ClientInfo client(const char* address) {
  routing::ClientInfo info;
  require(inet_pton(AF_INET, address, info.address.data()) == 1);
  return info;
}

// Every section of the message parses and the parse ends at its last byte.
void require_well_formed(std::span<const std::uint8_t> message) {
  require(message.size() >= wire::header_size && message.size() <= xfr::max_message_size);
  wire::Reader reader(message);
  const auto header = reader.header();
  wire::WireName name;
  for (unsigned i = 0; i < header.qdcount && reader.ok(); ++i) reader.name(name), reader.skip(4);
  const unsigned records = unsigned{header.ancount} + header.nscount + header.arcount;
  for (unsigned i = 0; i < records && reader.ok(); ++i) reader.skip_rr();
  require(reader.ok() && reader.remaining() == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The key of the seeds (tests/fuzz/corpus_xfr), so signed seeds verify.
  static const Source source(tsig::Keyring(
      {*tsig::make_key("xfr-key.", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0")}));
  static std::vector<std::uint8_t>* buffer = new std::vector<std::uint8_t>(xfr::max_message_size);
  static const routing::ClientInfo clients[] = {client("127.0.0.1"), client("192.0.2.1")};
  const std::span<const std::uint8_t> request(data, size);
  const bool is_transfer = xfr::is_transfer_query(request);
  // Seeds are signed at 1700000000; the fuzzer then sees both in-window and BADTIME.
  const std::chrono::sys_seconds now{std::chrono::seconds(1'700'000'000)};
  const auto verified = tsig::verify_request(request, source.keyring, now);
  for (const auto& from : clients) {
    for (bool udp : {false, true}) {
      xfr::Transfer transfer(request, verified, from, source, udp);
      if (is_transfer) require(!transfer.description().empty());
      std::size_t messages = 0;
      while (const std::size_t n = transfer.next(*buffer, now)) {
        require_well_formed({buffer->data(), n});
        require(++messages < 100);  // the zone fits in one message; diffs in a few
      }
      require(transfer.done());
      if (!transfer.is_transfer()) require(messages <= 1);
    }
  }
  return 0;
}
