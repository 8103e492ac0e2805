// The TSIG resource record (RFC 8945 §4.2): finding it in a message, writing one, and feeding
// the MAC the bytes §4.3 says it covers. Bounds-checked; no allocation, no exceptions.
#pragma once

#include <cstdint>
#include <span>

#include "dnsd/tsig/hmac.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/writer.hh"

namespace dnsd::tsig {

inline constexpr std::uint16_t rrtype_tsig = 250;
inline constexpr std::uint16_t rcode_notauth = 9;    // RFC 8945 §5.2: the RCODE of TSIG errors
inline constexpr std::uint16_t default_fudge = 300;  // seconds, RFC 8945 §10

// The TSIG ERROR field (RFC 8945 §4.2, IANA "DNS RCODEs").
namespace tsig_error {
inline constexpr std::uint16_t noerror = 0, badsig = 16, badkey = 17, badtime = 18, badtrunc = 22;
}

struct Record {
  std::size_t offset = 0;   // where the TSIG RR starts: the signed message is the bytes before it
  wire::WireName key_name;  // as received (case kept)
  wire::WireName algorithm_name;  // as received
  std::uint64_t time_signed = 0;  // 48 bits, seconds since the epoch
  std::uint16_t fudge = 0;
  std::span<const std::uint8_t> mac;
  std::uint16_t original_id = 0;
  std::uint16_t error = 0;
  std::span<const std::uint8_t> other;
};

enum class Find : std::uint8_t {
  none,       // no TSIG RR: an unsigned message
  found,      // exactly one, the last RR of the additional section, well formed
  malformed,  // a TSIG elsewhere, two of them, bad fields or trailing bytes: FORMERR (§5.1)
};
Find find_record(std::span<const std::uint8_t> message, Record& out) noexcept;

// What the MAC covers after any prior MAC (RFC 8945 §4.3.1-4.3.3).
// The message without its TSIG RR, with the original ID and the ARCOUNT of the message without
// TSIG put in its header.
void feed_message(Hmac& hmac, std::span<const std::uint8_t> message, std::uint16_t original_id,
                  std::uint16_t arcount) noexcept;
// The ARCOUNT field of a message (at least a header long).
std::uint16_t arcount_of(std::span<const std::uint8_t> message) noexcept;
// A prior MAC (the request's, or the previous message's in a sequence): length then bytes.
void feed_prior_mac(Hmac& hmac, std::span<const std::uint8_t> mac) noexcept;

struct Variables {
  std::span<const std::uint8_t> key_name;        // any case: fed and written lower-cased
  std::span<const std::uint8_t> algorithm_name;  // the same
  std::uint64_t time_signed;
  std::uint16_t fudge;
  std::uint16_t error;
  std::span<const std::uint8_t> other;
};
// All TSIG variables (§4.3.3), or only the timers for the later messages of a sequence (§4.3.1).
void feed_variables(Hmac& hmac, const Variables& variables, bool timers_only) noexcept;

// Appends a TSIG RR (names uncompressed) and adds one to ARCOUNT. False when it does not fit
// the writer's limit; the packet is then as it was.
bool put_record(wire::Writer& writer, const Variables& variables, std::span<const std::uint8_t> mac,
                std::uint16_t original_id) noexcept;

}  // namespace dnsd::tsig
