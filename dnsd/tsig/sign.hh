// TSIG signing (RFC 8945 §5.3): the response to a verified request, each message of a
// multi-message response (AXFR, IXFR over TCP), and our own requests (NOTIFY, SOA checks).
// Writes through wire::Writer within its limit: false when the TSIG RR does not fit, never throws.
#pragma once

#include <chrono>
#include <span>

#include "dnsd/tsig/hmac.hh"
#include "dnsd/tsig/key.hh"
#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/writer.hh"

namespace dnsd::tsig {

// Appends the TSIG RR that answers `request` to `response` (the whole response so far, header
// first, with the request's ID) and sets the RCODE the status calls for:
//   ok:       signed, the request MAC first (§5.3);
//   badtime:  NOTAUTH, signed; time signed is the request's, other data our time (§5.2.3);
//   badtrunc: NOTAUTH, signed;
//   badkey, badsig: NOTAUTH, unsigned: the request's key and algorithm names, MAC size 0 (§5.3.2);
//   formerr:  FORMERR, no TSIG (§5.1);  none: nothing to do.
// For an error the response should hold only the header and question. False when the RR does
// not fit the writer's limit (or OpenSSL failed): the response is then as it was.
bool sign_response(wire::Writer& response, const Verified& request,
                   std::chrono::sys_seconds now) noexcept;

// Signs a request of ours; `mac` receives its MAC, which the Verifier of the response needs.
bool sign_request(wire::Writer& request, const Key& key, std::chrono::sys_seconds now,
                  Mac& mac) noexcept;

// Signs the messages of one multi-message response in order (RFC 8945 §5.3.1): the first covers
// the request MAC and every TSIG variable; each later one the previous MAC, itself and the
// timers only. Every message is signed, which the RFC allows and peers prefer. Holds `key` by
// pointer: the key must outlive the Signer.
class Signer {
 public:
  Signer(const Key& key, std::span<const std::uint8_t> request_mac) noexcept : key_(&key) {
    prior_.assign(request_mac);
  }

  // False when the RR does not fit (or OpenSSL failed); the sequence is then unchanged, so the
  // caller may send a smaller message instead.
  bool sign(wire::Writer& message, std::chrono::sys_seconds now) noexcept;

 private:
  const Key* key_;
  Mac prior_;
  bool first_ = true;
};

}  // namespace dnsd::tsig
