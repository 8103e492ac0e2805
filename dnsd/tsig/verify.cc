// TSIG verification: the checks of RFC 8945 §5.2 in its order (key, MAC, time, truncation),
// shared by requests and by the messages of a response sequence.
#include "dnsd/tsig/verify.hh"

#include <algorithm>

#include "dnsd/tsig/record.hh"

namespace dnsd::tsig {
namespace {

bool within_fudge(std::uint64_t time_signed, std::uint16_t fudge,
                  std::chrono::sys_seconds now) noexcept {
  const std::int64_t ours = now.time_since_epoch().count();
  const std::int64_t theirs = static_cast<std::int64_t>(time_signed);  // 48 bits: fits
  const std::int64_t skew = ours > theirs ? ours - theirs : theirs - ours;
  return skew <= fudge;
}

// The MAC, time and truncation checks of one signed message. `hmac` has been started with the
// key and fed what precedes the message (a prior MAC, unsigned messages of a sequence).
Status check_signed(Hmac& hmac, const Key& key, std::span<const std::uint8_t> message,
                    const Record& record, bool timers_only, std::chrono::sys_seconds now) noexcept {
  const std::size_t digest = digest_size(key.algorithm);
  // §5.2.2.1: longer than the digest, or shorter than max(10, half of it): FORMERR.
  if (record.mac.size() > digest || record.mac.size() < shortest_mac(digest))
    return Status::formerr;
  const auto unsigned_part = message.first(record.offset);
  feed_message(hmac, unsigned_part, record.original_id,
               static_cast<std::uint16_t>(arcount_of(message) - 1));
  feed_variables(hmac,
                 {record.key_name.wire(), record.algorithm_name.wire(), record.time_signed,
                  record.fudge, record.error, record.other},
                 timers_only);
  Digest computed;
  // A digest OpenSSL could not compute cannot match: BADSIG rather than a status of its own.
  if (hmac.finish(computed) != digest) return Status::badsig;
  // §5.2.2.1: a truncated MAC is compared with as many leading bytes of ours.
  if (!macs_equal(std::span(computed).first(record.mac.size()), record.mac)) return Status::badsig;
  // §5.2.3: the time is checked only after the MAC, so an attacker cannot probe our clock.
  if (!within_fudge(record.time_signed, record.fudge, now)) return Status::badtime;
  const std::size_t policy =
      key.min_mac_size == 0 ? digest : std::max(key.min_mac_size, shortest_mac(digest));
  if (record.mac.size() < policy) return Status::badtrunc;
  return Status::ok;
}

Status status_of_error(std::uint16_t error) noexcept {
  switch (error) {
    case tsig_error::badkey:
      return Status::badkey;
    case tsig_error::badtime:
      return Status::badtime;
    case tsig_error::badtrunc:
      return Status::badtrunc;
    default:
      return Status::badsig;
  }
}

}  // namespace

std::string_view status_text(Status status) noexcept {
  switch (status) {
    case Status::none:
      return "unsigned";
    case Status::ok:
      return "ok";
    case Status::formerr:
      return "FORMERR";
    case Status::badkey:
      return "BADKEY";
    case Status::badsig:
      return "BADSIG";
    case Status::badtime:
      return "BADTIME";
    case Status::badtrunc:
      return "BADTRUNC";
  }
  return "unknown";
}

namespace {

// identify_request() and the record it found, which verify_request() checks the MAC of.
Verified identify(std::span<const std::uint8_t> message, const Keyring& keyring,
                  Record& record) noexcept {
  Verified verified;
  const Find found = find_record(message, record);
  if (found == Find::none) return verified;
  if (found == Find::malformed) {
    verified.status = Status::formerr;
    return verified;
  }
  verified.message_size = record.offset;
  verified.original_id = record.original_id;
  verified.time_signed = record.time_signed;
  verified.fudge = record.fudge;
  verified.key_name = record.key_name;
  verified.algorithm_name = record.algorithm_name;
  const auto algorithm = algorithm_from_wire(record.algorithm_name.wire());
  verified.key = algorithm ? keyring.find(record.key_name.wire(), *algorithm) : nullptr;
  if (!verified.key) verified.status = Status::badkey;
  return verified;
}

}  // namespace

Verified identify_request(std::span<const std::uint8_t> message, const Keyring& keyring) noexcept {
  Record record;
  return identify(message, keyring, record);
}

Verified verify_request(std::span<const std::uint8_t> message, const Keyring& keyring,
                        std::chrono::sys_seconds now) noexcept {
  Record record;
  Verified verified = identify(message, keyring, record);
  if (!verified.key) return verified;
  Hmac hmac;
  hmac.start(verified.key->algorithm, verified.key->secret);
  verified.status = check_signed(hmac, *verified.key, message, record, false, now);
  if (verified.status != Status::formerr) verified.request_mac.assign(record.mac);
  return verified;
}

std::span<std::uint8_t> strip_tsig(std::span<std::uint8_t> message,
                                   const Verified& verified) noexcept {
  if (verified.status == Status::none || verified.status == Status::formerr) return message;
  const auto arcount = static_cast<std::uint16_t>(arcount_of(message) - 1);
  message[10] = static_cast<std::uint8_t>(arcount >> 8);
  message[11] = static_cast<std::uint8_t>(arcount);
  return message.first(verified.message_size);
}

Status Verifier::verify(std::span<const std::uint8_t> message,
                        std::chrono::sys_seconds now) noexcept {
  Record record;
  const Find found = find_record(message, record);
  if (found == Find::malformed) return Status::formerr;
  if (unsigned_run_ == 0) {
    hmac_.start(key_->algorithm, key_->secret);
    feed_prior_mac(hmac_, prior_.view());
  }
  if (found == Find::none) {
    // §5.3.1: the first message must be signed, and at most 99 may pass unsigned in a row.
    if (signed_count_ == 0 || unsigned_run_ >= 99) return Status::badsig;
    ++unsigned_run_;
    hmac_.update(message);
    return Status::none;
  }
  unsigned_run_ = 0;
  const auto algorithm = algorithm_from_wire(record.algorithm_name.wire());
  if (algorithm != key_->algorithm || !wire::names_equal(record.key_name.wire(), key_->name.wire()))
    return Status::badkey;
  // §5.3.2: the server's BADKEY and BADSIG come unsigned; there is nothing to check.
  if (record.error != tsig_error::noerror && record.mac.empty())
    return status_of_error(record.error);
  const Status status = check_signed(hmac_, *key_, message, record, signed_count_ > 0, now);
  if (status != Status::ok) return status;
  prior_.assign(record.mac);
  ++signed_count_;
  // A signed error from the server (BADTIME with its clock, BADTRUNC) verified: report it.
  return record.error == tsig_error::noerror ? Status::ok : status_of_error(record.error);
}

}  // namespace dnsd::tsig
