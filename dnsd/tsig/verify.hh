// TSIG verification (RFC 8945 §5.2, §5.4): a request against a keyring, and a response or a
// multi-message sequence against the key its request was signed with. Results are values; the
// clock is a parameter. Nothing here allocates (OpenSSL's HMAC context aside) or throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include "dnsd/tsig/hmac.hh"
#include "dnsd/tsig/key.hh"
#include "dnsd/wire/reader.hh"

namespace dnsd::tsig {

enum class Status : std::uint8_t {
  none,      // no TSIG RR: unsigned (the caller's policy decides; transfers need a key)
  ok,        // the MAC verified, the time is within the fudge, the MAC is long enough
  formerr,   // TSIG misplaced, repeated or malformed, or a MAC too short or too long: FORMERR
  badkey,    // unknown key name, or the key's algorithm differs (§5.2.1)
  badsig,    // the MAC did not verify (§5.2.2)
  badtime,   // the MAC verified but the time is outside the fudge (§5.2.3)
  badtrunc,  // the MAC verified but is shorter than the key's policy allows (§5.2.4)
};
std::string_view status_text(Status status) noexcept;

struct Verified {
  Status status = Status::none;
  const Key* key = nullptr;  // the keyring's key for ok, badsig, badtime and badtrunc
  Mac request_mac;           // as received (truncated if it was): what the response covers first
  std::size_t message_size = 0;  // the request up to its TSIG RR
  std::uint16_t original_id = 0;
  std::uint64_t time_signed = 0;
  std::uint16_t fudge = 0;
  wire::WireName key_name;  // as received: error responses echo them (§5.3.2)
  wire::WireName algorithm_name;
};

// The steps of verify_request() that need no MAC, so no allocation (a query thread may call it):
// the TSIG RR found and its key looked up. Status none, formerr or badkey is final; otherwise
// `key` is set and the status stays none until the MAC is checked.
Verified identify_request(std::span<const std::uint8_t> message, const Keyring& keyring) noexcept;

// Verifies a request (query, AXFR/IXFR, UPDATE, NOTIFY) against the keyring at time `now`.
Verified verify_request(std::span<const std::uint8_t> message, const Keyring& keyring,
                        std::chrono::sys_seconds now) noexcept;

// The request as the server answers it: its TSIG RR cut off and ARCOUNT lowered, in place.
// For a request whose status is none or formerr, the message is returned unchanged.
std::span<std::uint8_t> strip_tsig(std::span<std::uint8_t> message,
                                   const Verified& verified) noexcept;

// Verifies the messages of a response to a request we signed, in order (RFC 8945 §5.3.1).
// The first message must be signed; later ones may come unsigned, up to 99 in a row, each then
// covered by the next signed one. A sequence must end on a signed message (ends_signed()).
// Holds `key` by pointer: the key must outlive the Verifier.
class Verifier {
 public:
  Verifier(const Key& key, std::span<const std::uint8_t> request_mac) noexcept : key_(&key) {
    prior_.assign(request_mac);
  }

  // ok for a signed message that verified; none for an accepted unsigned one; badkey, badsig,
  // badtime or badtrunc when the server reports that TSIG error, or when our check finds it.
  Status verify(std::span<const std::uint8_t> message, std::chrono::sys_seconds now) noexcept;
  bool ends_signed() const noexcept { return signed_count_ > 0 && unsigned_run_ == 0; }

 private:
  const Key* key_;
  Mac prior_;
  Hmac hmac_;
  unsigned signed_count_ = 0;
  unsigned unsigned_run_ = 0;
};

}  // namespace dnsd::tsig
