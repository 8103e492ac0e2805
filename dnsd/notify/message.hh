// The messages of a primary's own: NOTIFY (RFC 1996 §3.7) and the SOA query that checks what a
// secondary serves, and the check of a datagram against the request it may answer. Builds into
// a fixed buffer through wire::Writer, parses with wire::Reader; no sockets, no clock of its own.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "dnsd/tsig/hmac.hh"
#include "dnsd/tsig/key.hh"
#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/name.hh"

namespace dnsd::notify {

// RFC 1035 §4.2.1: a request of ours fits plain UDP, TSIG included (a name of 255 bytes, the
// SOA, a key name of 255 and a SHA-512 MAC stay under 1232; 512 is not always enough).
inline constexpr std::size_t max_request_size = 1232;

// A request as sent: its bytes, and what its response is checked against.
struct Request {
  std::array<std::uint8_t, max_request_size> bytes{};
  std::size_t size = 0;
  std::uint16_t id = 0;
  std::uint8_t opcode = 0;
  wire::Name zone;  // the question name, QTYPE SOA, QCLASS IN
  tsig::Mac mac;    // the request MAC when signed: the response's TSIG covers it first
  bool signed_ = false;
  std::span<const std::uint8_t> view() const noexcept { return {bytes.data(), size}; }
};

// NOTIFY (RFC 1996 §3.7): opcode NOTIFY, AA, question ZONE SOA IN, and in the answer section
// the zone's SOA with the new serial. `soa_rdata` is the zone's SOA rdata (its serial is
// replaced by `serial`); empty gives a minimal SOA (root MNAME and RNAME, zero timers), enough
// for a secondary, which reads only the serial (§3.11). Signed with `key` when given.
bool build_notify(Request& out, const wire::Name& zone, std::uint32_t serial,
                  std::span<const std::uint8_t> soa_rdata, std::uint32_t soa_ttl, std::uint16_t id,
                  const tsig::Key* key, std::chrono::sys_seconds now) noexcept;

// A plain query ZONE SOA IN (RD clear), signed with `key` when given.
bool build_soa_query(Request& out, const wire::Name& zone, std::uint16_t id, const tsig::Key* key,
                     std::chrono::sys_seconds now) noexcept;

// What a datagram says about a request.
enum class Outcome : std::uint8_t {
  unrelated,   // not a response to it (QR clear, another ID, opcode or question): ignore it
  ok,          // NOERROR, and signed and verified when the request was signed
  refused,     // an RCODE other than NOERROR (error_text names it)
  tsig_error,  // unsigned when it must be signed, or its TSIG did not verify
  malformed,   // a response to it that does not parse
};

struct Answer {
  Outcome outcome = Outcome::unrelated;
  std::uint16_t rcode = 0;
  tsig::Status tsig = tsig::Status::none;
  std::optional<std::uint32_t> serial;  // the SOA serial of the answer section, if any
};

// Checks `message` against `request`: header and question first (RFC 1996 §3.6: a response
// with the same ID and QNAME), then the TSIG with `key` when the request was signed.
Answer check_response(std::span<const std::uint8_t> message, const Request& request,
                      const tsig::Key* key, std::chrono::sys_seconds now) noexcept;

// "REFUSED", "NOTAUTH", "BADSIG", "unsigned", "malformed", ... for a non-ok Answer.
std::string error_text(const Answer& answer);
// The mnemonic of an RCODE (RFC 6895 §2.3), "RCODE12" for the rest.
std::string rcode_text(std::uint16_t rcode);

}  // namespace dnsd::notify
