// Requests signed by real clients (BIND 9 dig and nsupdate, Knot kdig and knsupdate), captured
// on loopback by capture_queries.py, verified by our code: good key, and each way to fail.
#include <doctest/doctest.h>

#include "dnsd/tsig/verify.hh"
#include "peer_keys.hh"

namespace {

using dnsd::tsig::Keyring;
using dnsd::tsig::Status;
using dnsd::tsig::verify_request;
using namespace std::chrono_literals;
using tsig_test::captured;
using tsig_test::make_test_key;
using tsig_test::signed_at;

struct Peer {
  const char* capture;
  const char* algorithm;
};
constexpr Peer peers[] = {
    {"dig_sha256", "hmac-sha256"},       {"dig_sha512", "hmac-sha512"},
    {"dig_sha1", "hmac-sha1"},           {"dig_axfr_sha256", "hmac-sha256"},
    {"kdig_sha256", "hmac-sha256"},      {"kdig_sha384", "hmac-sha384"},
    {"knsupdate_sha256", "hmac-sha256"}, {"nsupdate_sha512", "hmac-sha512"},
};

Status verify_with(const std::vector<std::uint8_t>& message, const dnsd::tsig::Key& key,
                   std::chrono::sys_seconds now) {
  const Keyring keyring({key});
  return verify_request(message, keyring, now).status;
}

}  // namespace

TEST_CASE("a request signed by a real client verifies with the right key") {
  for (const Peer& peer : peers) {
    CAPTURE(peer.capture);
    const auto message = captured(peer.capture);
    const Keyring keyring({make_test_key(peer.algorithm)});
    const auto verified = verify_request(message, keyring, signed_at(message));
    CHECK(verified.status == Status::ok);
    CHECK(verified.key == &keyring.keys()[0]);
    CHECK(verified.request_mac.size == dnsd::tsig::digest_size(verified.key->algorithm));
    CHECK(verified.message_size < message.size());
  }
}

TEST_CASE("a real client's request is BADSIG under a wrong secret") {
  for (const Peer& peer : peers) {
    CAPTURE(peer.capture);
    const auto message = captured(peer.capture);
    // Another algorithm's secret: the same name and algorithm, other bytes.
    const std::string other =
        peer.algorithm == std::string("hmac-sha1") ? "hmac-sha256" : "hmac-sha1";
    const auto key =
        make_test_key(peer.algorithm, tsig_test::key_name, tsig_test::secret_of(other));
    CHECK(verify_with(message, key, signed_at(message)) == Status::badsig);
  }
}

TEST_CASE("a real client's request is BADKEY under an unknown key name or another algorithm") {
  for (const Peer& peer : peers) {
    CAPTURE(peer.capture);
    const auto message = captured(peer.capture);
    CHECK(verify_with(message, make_test_key(peer.algorithm, "other-key.example."),
                      signed_at(message)) == Status::badkey);
    const std::string other =
        peer.algorithm == std::string("hmac-sha512") ? "hmac-sha256" : "hmac-sha512";
    CHECK(verify_with(message, make_test_key(other), signed_at(message)) == Status::badkey);
  }
}

TEST_CASE("key and algorithm names in upper case still verify: the MAC covers them lower-cased") {
  // kdig was given TSIG-Test.Example. but sends it lower-cased; upper-case it ourselves.
  auto message = captured("kdig_sha256");
  dnsd::tsig::Record record;
  REQUIRE(dnsd::tsig::find_record(message, record) == dnsd::tsig::Find::found);
  const std::size_t key_end = record.offset + record.key_name.size;
  const std::size_t algorithm_at = key_end + 10;  // type, class, ttl, rdlength
  for (std::size_t at = record.offset; at < algorithm_at + record.algorithm_name.size; ++at)
    if (message[at] >= 'a' && message[at] <= 'z' && (at < key_end || at >= algorithm_at))
      message[at] -= 32;
  REQUIRE(dnsd::tsig::find_record(message, record) == dnsd::tsig::Find::found);
  CHECK(record.key_name.bytes[1] == 'T');
  CHECK(record.algorithm_name.bytes[1] == 'H');
  CHECK(verify_with(message, make_test_key("hmac-sha256"), signed_at(message)) == Status::ok);
}

TEST_CASE("any altered byte of a real client's signed message is BADSIG") {
  const auto original = captured("dig_sha256");
  dnsd::tsig::Record record;
  REQUIRE(dnsd::tsig::find_record(original, record) == dnsd::tsig::Find::found);
  const auto key = make_test_key("hmac-sha256");
  // Every byte the MAC covers, header flags and question included (the ID and ARCOUNT aside:
  // the MAC covers the original ID, and ARCOUNT changes where the TSIG RR is looked for).
  for (std::size_t at = 2; at < record.offset; ++at) {
    if (at == 10 || at == 11) continue;
    CAPTURE(at);
    auto message = original;
    message[at] ^= 0x01;
    const Status status = verify_with(message, key, signed_at(original));
    // A flip in the question may make it unparsable (FORMERR): never ok.
    CHECK((status == Status::badsig || status == Status::formerr));
  }
  // The last byte of the MAC itself.
  auto message = original;
  const std::size_t mac_last =
      static_cast<std::size_t>(record.mac.data() - original.data()) + record.mac.size() - 1;
  message[mac_last] ^= 0x80;
  CHECK(verify_with(message, key, signed_at(original)) == Status::badsig);
}

TEST_CASE("a changed message ID still verifies: the MAC covers the original ID (RFC 8945 §4.3.2)") {
  auto message = captured("dig_sha256");
  const auto now = signed_at(message);
  message[0] ^= 0xff;
  CHECK(verify_with(message, make_test_key("hmac-sha256"), now) == Status::ok);
}

TEST_CASE("a real client's request outside the fudge is BADTIME, and only with a good MAC") {
  const auto message = captured("dig_sha256");
  const auto key = make_test_key("hmac-sha256");
  const auto at = signed_at(message);
  CHECK(verify_with(message, key, at + 300s) == Status::ok);  // dig's fudge is 300 s
  CHECK(verify_with(message, key, at - 300s) == Status::ok);
  CHECK(verify_with(message, key, at + 301s) == Status::badtime);
  CHECK(verify_with(message, key, at - 301s) == Status::badtime);
  CHECK(verify_with(message, key, at + std::chrono::hours(24 * 365)) == Status::badtime);
  // §5.2.3: the MAC first: a bad MAC far off in time is BADSIG, not BADTIME.
  const auto wrong =
      make_test_key("hmac-sha256", tsig_test::key_name, tsig_test::secret_of("hmac-sha1"));
  CHECK(verify_with(message, wrong, at + 301s) == Status::badsig);
}

TEST_CASE(
    "dig's truncated MAC (hmac-sha256-128) is BADTRUNC by default and ok when the key allows it") {
  const auto message = captured("dig_sha256_128");
  auto key = make_test_key("hmac-sha256");
  CHECK(verify_with(message, key, signed_at(message)) == Status::badtrunc);
  key.min_mac_size = 16;
  const Keyring keyring({key});
  const auto verified = verify_request(message, keyring, signed_at(message));
  CHECK(verified.status == Status::ok);
  CHECK(verified.request_mac.size == 16);  // §5.2.2.1: the response covers the truncated MAC
  key.min_mac_size = 20;
  CHECK(verify_with(message, key, signed_at(message)) == Status::badtrunc);
}

TEST_CASE("strip_tsig leaves the request the server answers: no TSIG, ARCOUNT one less") {
  auto message = captured("kdig_sha384");
  const Keyring keyring({make_test_key("hmac-sha384")});
  const auto verified = verify_request(message, keyring, signed_at(message));
  REQUIRE(verified.status == Status::ok);
  const unsigned arcount = message[10] << 8 | message[11];
  const auto stripped = dnsd::tsig::strip_tsig(message, verified);
  CHECK(stripped.size() == verified.message_size);
  CHECK((stripped[10] << 8 | stripped[11]) == arcount - 1);
  dnsd::tsig::Record record;
  CHECK(dnsd::tsig::find_record(stripped, record) == dnsd::tsig::Find::none);
}
