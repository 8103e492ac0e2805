// One outgoing zone transfer (AXFR RFC 5936, IXFR RFC 1995): the decision on a request and
// the response messages, produced one at a time into the caller's buffer, each TSIG-signed
// when the request was. No I/O and no clock of its own: the caller sends and times out.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "dnsd/tsig/sign.hh"
#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/xfr/source.hh"
#include "routing/pick_types.hh"

namespace dnsd::xfr {

enum class Verdict : std::uint8_t {
  full,         // AXFR, or IXFR answered AXFR-style (RFC 1995 §4: the journal lacks the serial)
  incremental,  // IXFR from the journal's diffs
  soa_only,     // IXFR: the client is current or ahead, or asked over UDP (RFC 1995 §2)
  refused,      // unknown zone, not allowed by the ACL, or a zone with health-routed names
  tsig_error,   // BADKEY, BADSIG, BADTIME, BADTRUNC or a malformed TSIG: the TSIG error answer
  formerr,      // not one AXFR/IXFR question, or IXFR without the client's SOA
  notimp,       // AXFR over UDP (RFC 5936 §4.2, answered as Knot DNS does)
};
std::string_view verdict_text(Verdict verdict) noexcept;

// The largest DNS message over TCP; a message leaves room for its TSIG RR below it.
inline constexpr std::size_t max_message_size = 65535;

// True for a query (opcode QUERY, QR clear) with one question of type AXFR or IXFR, or of type
// SOA signed with TSIG (a secondary checking the serial, which needs a signed answer): what the
// TCP server hands to a Transfer instead of the answer engine.
bool is_transfer_query(std::span<const std::uint8_t> message) noexcept;

class Transfer {
 public:
  // `request` is the message as received (its TSIG RR may still be there: only the header,
  // question and authority sections are read); `verified` is what tsig::verify_request said of
  // it. `source` is asked once, here; what it returns is kept alive by the Transfer.
  Transfer(std::span<const std::uint8_t> request, const tsig::Verified& verified,
           const routing::ClientInfo& client, const ZoneSource& source, bool udp = false);

  Verdict verdict() const noexcept { return verdict_; }
  bool is_transfer() const noexcept { return verdict_ <= Verdict::soa_only; }
  // One line for the log: type, zone, client, key, verdict and why. Never a secret.
  const std::string& description() const noexcept { return description_; }

  // Writes the next response message into `buffer` (at most max_message_size bytes of it are
  // used) and returns its size; 0 once the sequence is done (or a record or the TSIG RR could
  // not fit, which is logged in description()). Error verdicts give one message.
  std::size_t next(std::span<std::uint8_t> buffer, std::chrono::sys_seconds now) noexcept;
  bool done() const noexcept { return phase_ == Phase::end; }
  // The zone the client has at our serial once done(): given whole or by diffs, or told it is
  // current (IXFR); null for a refusal and for an SOA query (which only learns the serial).
  const zone::Zone* zone() const noexcept {
    return is_transfer() && qtype_ != wire::rrtype::soa ? zone_.zone : nullptr;
  }
  // The key the request was signed with and verified by; null when unsigned (or not verified).
  const tsig::Key* key() const noexcept {
    return verified_.status == tsig::Status::ok ? verified_.key : nullptr;
  }
  std::size_t messages() const noexcept { return messages_; }
  std::size_t records() const noexcept { return records_; }

 private:
  enum class Phase : std::uint8_t { first_soa, body, last_soa, end };
  struct Item {
    std::span<const std::uint8_t> owner;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::span<const std::uint8_t> rdata;
  };

  std::optional<std::uint32_t> parse(std::span<const std::uint8_t> request, bool& ok);
  void decide(const routing::ClientInfo& client, const ZoneSource& source, bool udp,
              std::optional<std::uint32_t> client_serial);
  bool peek(Item& item) const noexcept;
  void advance() noexcept;
  bool body_peek(Item& item) const noexcept;
  void body_advance() noexcept;
  void seek_rrset() noexcept;
  std::size_t error_message(std::span<std::uint8_t> buffer, std::chrono::sys_seconds now) noexcept;
  bool start_message(wire::Writer& writer, std::uint16_t rcode) noexcept;

  tsig::Verified verified_;
  std::optional<tsig::Signer> signer_;
  wire::WireName qname_;  // as received, echoed in the question
  std::uint16_t qtype_ = 0;
  std::uint16_t qclass_ = 0;
  std::uint16_t id_ = 0;
  Transferable zone_;
  Verdict verdict_ = Verdict::formerr;
  std::string description_;
  std::span<const zone::Diff> diffs_;
  // The cursor: a node and RRset of the zone (full) or a diff and its part (incremental).
  Phase phase_ = Phase::first_soa;
  std::size_t outer_ = 0;            // node or diff
  std::size_t inner_ = 0;            // RRset, or part: 0 old SOA, 1 removed, 2 new SOA, 3 added
  std::size_t item_ = 0;             // record in the part
  zone::RdataList::iterator rdata_;  // rdata in the RRset
  std::size_t messages_ = 0;
  std::size_t records_ = 0;
};

}  // namespace dnsd::xfr
