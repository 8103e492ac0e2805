// FORMERR cases (RFC 8945 §5.1, §5.2.2.1), made by editing a request a real client signed:
// a misplaced or repeated TSIG, bad class or TTL, trailing bytes, MACs too short or too long.
#include <doctest/doctest.h>

#include <array>

#include "dnsd/tsig/verify.hh"
#include "peer_keys.hh"

namespace {

using dnsd::tsig::Find;
using dnsd::tsig::Record;
using dnsd::tsig::Status;

// The captured request with its TSIG RR written again with `mac` in place of the real MAC.
std::vector<std::uint8_t> with_mac(const std::vector<std::uint8_t>& original,
                                   std::span<const std::uint8_t> mac) {
  Record record;
  REQUIRE(dnsd::tsig::find_record(original, record) == Find::found);
  std::vector<std::uint8_t> buffer(4096);
  dnsd::wire::Writer writer(buffer, buffer.size());
  REQUIRE(writer.put_bytes(std::span(original).first(record.offset)));
  writer.patch_u16(10, static_cast<std::uint16_t>(dnsd::tsig::arcount_of(original) - 1));
  const dnsd::tsig::Variables variables{record.key_name.wire(), record.algorithm_name.wire(),
                                        record.time_signed,     record.fudge,
                                        record.error,           record.other};
  REQUIRE(dnsd::tsig::put_record(writer, variables, mac, record.original_id));
  return {writer.packet().begin(), writer.packet().end()};
}

Status verify(const std::vector<std::uint8_t>& message,
              const std::vector<std::uint8_t>& clock_from) {
  const dnsd::tsig::Keyring keyring({tsig_test::make_test_key("hmac-sha256")});
  return dnsd::tsig::verify_request(message, keyring, tsig_test::signed_at(clock_from)).status;
}

}  // namespace

TEST_CASE(
    "rewriting a real request's TSIG with its own MAC keeps it valid (the editing is sound)") {
  const auto original = tsig_test::captured("dig_sha256");
  Record record;
  REQUIRE(dnsd::tsig::find_record(original, record) == Find::found);
  const auto rewritten = with_mac(original, record.mac);
  CHECK(rewritten == original);
  CHECK(verify(rewritten, original) == Status::ok);
}

TEST_CASE("a MAC shorter than max(10, half the digest) or longer than the digest is FORMERR") {
  const auto original = tsig_test::captured("dig_sha256");
  Record record;
  REQUIRE(dnsd::tsig::find_record(original, record) == Find::found);
  const std::vector<std::uint8_t> mac(record.mac.begin(), record.mac.end());
  // 16 bytes (half of SHA-256) is the shortest allowed: it verifies, but policy says BADTRUNC.
  CHECK(verify(with_mac(original, std::span(mac).first(16)), original) == Status::badtrunc);
  CHECK(verify(with_mac(original, std::span(mac).first(15)), original) == Status::formerr);
  CHECK(verify(with_mac(original, std::span(mac).first(0)), original) == Status::formerr);
  std::vector<std::uint8_t> longer = mac;
  longer.push_back(0);
  CHECK(verify(with_mac(original, longer), original) == Status::formerr);
}

TEST_CASE("a TSIG that is not the last record, or a second TSIG, is FORMERR (RFC 8945 §5.1)") {
  const auto original = tsig_test::captured("dig_sha256");
  Record record;
  REQUIRE(dnsd::tsig::find_record(original, record) == Find::found);
  const std::vector<std::uint8_t> tsig_rr(
      original.begin() + static_cast<std::ptrdiff_t>(record.offset), original.end());
  // The TSIG RR twice.
  auto twice = original;
  twice.insert(twice.end(), tsig_rr.begin(), tsig_rr.end());
  twice[11] = static_cast<std::uint8_t>(twice[11] + 1);
  CHECK(dnsd::tsig::find_record(twice, record) == Find::malformed);
  CHECK(verify(twice, original) == Status::formerr);
  // An A record after the TSIG.
  auto after = original;
  const std::uint8_t a_rr[] = {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1};
  after.insert(after.end(), std::begin(a_rr), std::end(a_rr));
  after[11] = static_cast<std::uint8_t>(after[11] + 1);
  CHECK(verify(after, original) == Status::formerr);
  // Every record (OPT, TSIG) counted in the answer section: the TSIG is last, but not additional.
  auto in_answer = original;
  in_answer[7] = in_answer[11];
  in_answer[11] = 0;
  CHECK(verify(in_answer, original) == Status::formerr);
}

TEST_CASE(
    "a TSIG with class other than ANY, a TTL, a wrong RDLENGTH or trailing bytes is FORMERR") {
  const auto original = tsig_test::captured("dig_sha256");
  Record record;
  REQUIRE(dnsd::tsig::find_record(original, record) == Find::found);
  const std::size_t type_at = record.offset + record.key_name.size;
  auto bad_class = original;
  bad_class[type_at + 3] = 1;  // IN
  CHECK(verify(bad_class, original) == Status::formerr);
  auto bad_ttl = original;
  bad_ttl[type_at + 7] = 1;
  CHECK(verify(bad_ttl, original) == Status::formerr);
  auto bad_rdlength = original;
  bad_rdlength[type_at + 9] = static_cast<std::uint8_t>(bad_rdlength[type_at + 9] - 1);
  CHECK(verify(bad_rdlength, original) == Status::formerr);
  auto trailing = original;
  trailing.push_back(0);
  CHECK(verify(trailing, original) == Status::formerr);
  auto cut = original;
  cut.pop_back();
  CHECK(verify(cut, original) == Status::formerr);
}

TEST_CASE("a message without TSIG is unsigned, not an error") {
  auto original = tsig_test::captured("dig_sha256");
  Record record;
  REQUIRE(dnsd::tsig::find_record(original, record) == Find::found);
  original.resize(record.offset);
  original[11] = static_cast<std::uint8_t>(original[11] - 1);
  CHECK(verify(original, tsig_test::captured("dig_sha256")) == Status::none);
}
