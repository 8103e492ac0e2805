// Signing responses to real clients' requests, checked with our Verifier: the response layout
// per error (RFC 8945 §5.3, §5.3.2, §5.2.3), the buffer limit, and multi-message sequences.
// That real clients accept these bytes is test_clients_verify.py's job.
#include <doctest/doctest.h>

#include "dnsd/tsig/record.hh"
#include "dnsd/tsig/sign.hh"
#include "peer_keys.hh"

namespace {

using dnsd::tsig::Find;
using dnsd::tsig::Record;
using dnsd::tsig::Status;
using namespace std::chrono_literals;

struct Exchange {
  std::vector<std::uint8_t> request = tsig_test::captured("dig_sha256");
  dnsd::tsig::Keyring keyring{{tsig_test::make_test_key("hmac-sha256")}};
  std::chrono::sys_seconds at = tsig_test::signed_at(request);
  std::array<std::uint8_t, 1232> buffer{};
};

std::uint16_t rcode_of(std::span<const std::uint8_t> message) { return message[3] & 0xf; }

Record tsig_of(std::span<const std::uint8_t> message) {
  Record record;
  REQUIRE(dnsd::tsig::find_record(message, record) == Find::found);
  return record;
}

}  // namespace

TEST_CASE("a signed response verifies with the request MAC, and not with another one") {
  Exchange x;
  const auto verified = dnsd::tsig::verify_request(x.request, x.keyring, x.at);
  REQUIRE(verified.status == Status::ok);
  dnsd::wire::Writer writer(x.buffer, x.buffer.size());
  tsig_test::start_response(x.request, writer);
  REQUIRE(dnsd::tsig::sign_response(writer, verified, x.at + 1s));
  const auto response = writer.packet();
  CHECK(rcode_of(response) == 0);
  CHECK(response[11] == 1);
  const auto record = tsig_of(response);
  CHECK(record.mac.size() == 32);
  CHECK(record.time_signed == static_cast<std::uint64_t>((x.at + 1s).time_since_epoch().count()));
  CHECK(record.fudge == 300);

  dnsd::tsig::Verifier good(x.keyring.keys()[0], verified.request_mac.view());
  CHECK(good.verify(response, x.at) == Status::ok);
  CHECK(good.ends_signed());
  dnsd::tsig::Mac other = verified.request_mac;
  other.bytes[0] ^= 1;
  dnsd::tsig::Verifier bad(x.keyring.keys()[0], other.view());
  CHECK(bad.verify(response, x.at) == Status::badsig);
}

TEST_CASE(
    "BADKEY and BADSIG answers are NOTAUTH with an unsigned TSIG echoing the request's key "
    "(§5.3.2)") {
  Exchange x;
  const dnsd::tsig::Keyring other_key(
      {tsig_test::make_test_key("hmac-sha256", "another.example.")});
  const dnsd::tsig::Keyring wrong_secret({tsig_test::make_test_key(
      "hmac-sha256", tsig_test::key_name, tsig_test::secret_of("hmac-sha1"))});
  for (const auto* keyring : {&other_key, &wrong_secret}) {
    const auto verified = dnsd::tsig::verify_request(x.request, *keyring, x.at);
    const bool badkey = keyring == &other_key;
    REQUIRE(verified.status == (badkey ? Status::badkey : Status::badsig));
    dnsd::wire::Writer writer(x.buffer, x.buffer.size());
    tsig_test::start_response(x.request, writer);
    REQUIRE(dnsd::tsig::sign_response(writer, verified, x.at));
    const auto response = writer.packet();
    CHECK(rcode_of(response) == dnsd::tsig::rcode_notauth);
    const auto record = tsig_of(response);
    CHECK(record.mac.empty());
    CHECK(record.error ==
          (badkey ? dnsd::tsig::tsig_error::badkey : dnsd::tsig::tsig_error::badsig));
    CHECK(dnsd::wire::names_equal(record.key_name.wire(), verified.key_name.wire()));
    CHECK(dnsd::tsig::algorithm_from_wire(record.algorithm_name.wire()) ==
          dnsd::tsig::Algorithm::hmac_sha256);
    dnsd::tsig::Verifier client(x.keyring.keys()[0], verified.request_mac.view());
    CHECK(client.verify(response, x.at) == (badkey ? Status::badkey : Status::badsig));
  }
}

TEST_CASE(
    "a BADTIME answer is signed, carries the request's time and ours in other data (§5.2.3)") {
  Exchange x;
  const auto server_now = x.at + 1000s;
  const auto verified = dnsd::tsig::verify_request(x.request, x.keyring, server_now);
  REQUIRE(verified.status == Status::badtime);
  dnsd::wire::Writer writer(x.buffer, x.buffer.size());
  tsig_test::start_response(x.request, writer);
  REQUIRE(dnsd::tsig::sign_response(writer, verified, server_now));
  const auto response = writer.packet();
  CHECK(rcode_of(response) == dnsd::tsig::rcode_notauth);
  const auto record = tsig_of(response);
  CHECK(record.error == dnsd::tsig::tsig_error::badtime);
  CHECK(record.time_signed == verified.time_signed);
  REQUIRE(record.other.size() == 6);
  std::uint64_t other_time = 0;
  for (const auto byte : record.other) other_time = other_time << 8 | byte;
  CHECK(other_time == static_cast<std::uint64_t>(server_now.time_since_epoch().count()));
  // The client, whose clock is the request's, verifies the MAC and learns of the skew.
  dnsd::tsig::Verifier client(x.keyring.keys()[0], verified.request_mac.view());
  CHECK(client.verify(response, x.at) == Status::badtime);
  auto altered = std::vector<std::uint8_t>(response.begin(), response.end());
  altered.back() ^= 1;  // our time in other data is covered by the MAC
  dnsd::tsig::Verifier client2(x.keyring.keys()[0], verified.request_mac.view());
  CHECK(client2.verify(altered, x.at) == Status::badsig);
}

TEST_CASE("a FORMERR request is answered FORMERR without TSIG") {
  Exchange x;
  auto request = x.request;
  request.push_back(0);  // trailing byte after the TSIG RR
  const auto verified = dnsd::tsig::verify_request(request, x.keyring, x.at);
  REQUIRE(verified.status == Status::formerr);
  dnsd::wire::Writer writer(x.buffer, x.buffer.size());
  tsig_test::start_response(x.request, writer);
  const auto before = writer.size();
  REQUIRE(dnsd::tsig::sign_response(writer, verified, x.at));
  CHECK(writer.size() == before);
  CHECK(rcode_of(writer.packet()) == 1);
}

TEST_CASE("a TSIG RR that does not fit the limit returns false and leaves the response as it was") {
  Exchange x;
  for (const auto at : {x.at, x.at + 1000s}) {  // ok, then BADTIME (which sets the RCODE first)
    const auto verified = dnsd::tsig::verify_request(x.request, x.keyring, at);
    dnsd::wire::Writer writer(x.buffer, x.buffer.size());
    tsig_test::start_response(x.request, writer);
    const std::vector<std::uint8_t> before(writer.packet().begin(), writer.packet().end());
    writer.set_limit(before.size() + 40);  // the TSIG RR here needs 90 bytes (96 with BADTIME)
    CHECK_FALSE(dnsd::tsig::sign_response(writer, verified, at));
    CHECK(std::vector<std::uint8_t>(writer.packet().begin(), writer.packet().end()) == before);
    writer.set_limit(x.buffer.size());
    CHECK(dnsd::tsig::sign_response(writer, verified, at));
  }
}

TEST_CASE("a multi-message response verifies in order; reordered, altered or cut short it fails") {
  Exchange x;
  const auto verified = dnsd::tsig::verify_request(x.request, x.keyring, x.at);
  REQUIRE(verified.status == Status::ok);
  dnsd::tsig::Signer signer(*verified.key, verified.request_mac.view());
  std::vector<std::vector<std::uint8_t>> messages;
  for (int i = 0; i < 3; ++i) {
    dnsd::wire::Writer writer(x.buffer, x.buffer.size());
    tsig_test::start_response(x.request, writer);
    const std::uint8_t rdata[] = {192, 0, 2, static_cast<std::uint8_t>(i)};
    const std::uint8_t owner[] = {1, 'a', 0};
    REQUIRE(writer.put_rr(owner, 1, 1, 300, rdata));
    writer.patch_u16(6, 1);
    REQUIRE(signer.sign(writer, x.at + std::chrono::seconds(i)));
    messages.emplace_back(writer.packet().begin(), writer.packet().end());
  }
  // Each message after the first covers the previous MAC and the timers only (§5.3.1).
  dnsd::tsig::Verifier in_order(*verified.key, verified.request_mac.view());
  for (const auto& message : messages) CHECK(in_order.verify(message, x.at) == Status::ok);
  CHECK(in_order.ends_signed());

  dnsd::tsig::Verifier swapped(*verified.key, verified.request_mac.view());
  CHECK(swapped.verify(messages[0], x.at) == Status::ok);
  CHECK(swapped.verify(messages[2], x.at) == Status::badsig);

  dnsd::tsig::Verifier altered(*verified.key, verified.request_mac.view());
  auto second = messages[1];
  second[second.size() - 10] ^= 1;  // a byte of its MAC (the last 6 bytes: ID, error, other length)
  CHECK(altered.verify(messages[0], x.at) == Status::ok);
  CHECK(altered.verify(second, x.at) == Status::badsig);

  // The second message with its TSIG cut off: accepted unsigned, and then the third (which did
  // not cover it: our signer signs each) fails, and the sequence does not end signed.
  auto unsigned_second = messages[1];
  const auto record = tsig_of(unsigned_second);
  unsigned_second.resize(record.offset);
  unsigned_second[11] = 0;
  dnsd::tsig::Verifier cut(*verified.key, verified.request_mac.view());
  CHECK(cut.verify(messages[0], x.at) == Status::ok);
  CHECK(cut.verify(unsigned_second, x.at) == Status::none);
  CHECK_FALSE(cut.ends_signed());
  CHECK(cut.verify(messages[2], x.at) == Status::badsig);
}

TEST_CASE("a sequence message the TSIG RR does not fit into can be sent smaller: the chain holds") {
  Exchange x;
  const auto verified = dnsd::tsig::verify_request(x.request, x.keyring, x.at);
  REQUIRE(verified.status == Status::ok);
  dnsd::tsig::Signer signer(*verified.key, verified.request_mac.view());
  dnsd::tsig::Verifier client(*verified.key, verified.request_mac.view());
  const std::uint8_t owner[] = {1, 'a', 0};
  const std::uint8_t rdata[] = {192, 0, 2, 1};
  for (int i = 0; i < 2; ++i) {
    dnsd::wire::Writer writer(x.buffer, x.buffer.size());
    tsig_test::start_response(x.request, writer);
    const auto before_record = writer.mark();
    REQUIRE(writer.put_rr(owner, 1, 1, 300, rdata));
    writer.patch_u16(6, 1);
    const auto full = writer.mark();
    writer.set_limit(writer.size() + 20);
    CHECK_FALSE(signer.sign(writer, x.at));
    CHECK(writer.size() == full.size);
    // The caller drops the record (as it would to split a transfer) and signs within the limit.
    writer.rollback(before_record);
    writer.patch_u16(6, 0);
    writer.set_limit(writer.size() + 90);  // exactly the TSIG RR: owner 19, fixed 10, rdata 61
    REQUIRE(signer.sign(writer, x.at));
    CHECK(client.verify(writer.packet(), x.at) == Status::ok);
  }
  CHECK(client.ends_signed());
}

TEST_CASE("an unsigned first message of a response is refused") {
  Exchange x;
  dnsd::wire::Writer writer(x.buffer, x.buffer.size());
  tsig_test::start_response(x.request, writer);
  dnsd::tsig::Verifier client(x.keyring.keys()[0], std::span<const std::uint8_t>{});
  CHECK(client.verify(writer.packet(), x.at) == Status::badsig);
}

TEST_CASE("a request we sign verifies, and so does the response to it") {
  Exchange x;
  const auto& key = x.keyring.keys()[0];
  dnsd::wire::Writer writer(x.buffer, x.buffer.size());
  tsig_test::start_response(x.request, writer);
  writer.patch_u16(2, 0x2000);  // a NOTIFY: opcode 4, not a response
  dnsd::tsig::Mac mac;
  REQUIRE(dnsd::tsig::sign_request(writer, key, x.at, mac));
  CHECK(mac.size == 32);
  const std::vector<std::uint8_t> request(writer.packet().begin(), writer.packet().end());
  const auto verified = dnsd::tsig::verify_request(request, x.keyring, x.at);
  REQUIRE(verified.status == Status::ok);
  CHECK(verified.request_mac.view().size() == mac.view().size());
  std::array<std::uint8_t, 512> out{};
  dnsd::wire::Writer response(out, out.size());
  tsig_test::start_response(request, response);
  REQUIRE(dnsd::tsig::sign_response(response, verified, x.at));
  dnsd::tsig::Verifier client(key, mac.view());
  CHECK(client.verify(response.packet(), x.at) == Status::ok);
}
