// The part of RFC 2136 §3 a query thread decides on its own, before the update thread's queue:
// an UPDATE that can never be applied (no TSIG, a malformed TSIG, a key the keyring does not
// hold) is answered at once, in the very bytes the update thread would write (processor.hh),
// so a flood of it never takes a queue slot. No MAC is computed (OpenSSL allocates) and nothing
// is allocated or locked; a known key's request goes on to the update thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "dnsd/tsig/key.hh"
#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/name.hh"

namespace dnsd::update {

struct Screened {
  std::size_t size = 0;     // the response written; 0: for the update thread (or nothing to send)
  std::uint16_t rcode = 0;  // of the response (REFUSED, NOTAUTH or FORMERR)
  tsig::Status status = tsig::Status::none;
  const tsig::Key* key = nullptr;  // a keyring key: the request goes to the update thread
  wire::WireName key_name;         // as received, for the log line (empty when unsigned)
  bool zone_parsed = false;        // the message parsed: `zone` is what it names
  wire::Name zone;
};

// `request` is an UPDATE (is_update_request()). Answers it into `out` when it can never be
// applied; otherwise returns size 0 with `key` set.
Screened screen(std::span<const std::uint8_t> request, const tsig::Keyring& keys,
                std::span<std::uint8_t> out, std::chrono::sys_seconds now) noexcept;

}  // namespace dnsd::update
