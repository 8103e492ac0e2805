// Who may transfer (dnsd/xfr Acl and the verdicts around it): default deny, key and address
// conditions, TSIG failures answered with the TSIG error, zones with health-routed names.
#include <doctest/doctest.h>

#include "../dnsd/zone_text.hh"
#include "dnsd/tsig/record.hh"
#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/types.hh"
#include "xfr_test_support.hh"

using namespace dnsd;
using namespace xfr_test;

namespace {

const std::string secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
const std::string other_secret = "b3RoZXJvdGhlcm90aGVyb3RoZXJvdGhlcg==";

struct Case {
  OneZone source;
  tsig::Key k = key("xfr-key.", secret);
  tsig::Keyring keyring{{k}};
  Case() { source.zone = example_zone(5); }

  // The verdict and the one-message answer to a request signed with `signer` (or unsigned).
  xfr::Verdict ask(const std::string& from, const tsig::Key* signer,
                   std::chrono::sys_seconds at = now) {
    const auto req = request("example.", std::nullopt, signer, at);
    const auto verified = tsig::verify_request(req.bytes, keyring, now);
    xfr::Transfer transfer(req.bytes, verified, client(from), source);
    last_description = transfer.description();
    last_messages = run(transfer);
    return transfer.verdict();
  }
  std::string last_description;
  std::vector<std::vector<std::uint8_t>> last_messages;
};

std::uint16_t tsig_error_of(std::span<const std::uint8_t> message) {
  tsig::Record record;
  REQUIRE(tsig::find_record(message, record) == tsig::Find::found);
  return record.error;
}

}  // namespace

TEST_CASE("a zone without transfer entries refuses everyone (default deny)") {
  Case c;
  CHECK(c.ask("127.0.0.1", nullptr) == xfr::Verdict::refused);
  REQUIRE(c.last_messages.size() == 1);
  CHECK(read_message(c.last_messages[0]).rcode() == wire::rcode::refused);
  CHECK((read_message(c.last_messages[0]).flags & 0x0400) == 0);  // no AA on a refusal
  CHECK(read_message(c.last_messages[0]).answers.empty());
  CHECK(c.ask("127.0.0.1", &c.k) == xfr::Verdict::refused);
  CHECK(c.last_description.find("not in the zone's transfer ACL") != std::string::npos);
}

TEST_CASE("an entry with a key and an address needs both; any entry may allow") {
  Case c;
  c.source.acl.entries = {entry("xfr-key.", "10.0.0.0/8"), entry(std::nullopt, "192.0.2.7")};
  CHECK(c.ask("10.1.2.3", &c.k) == xfr::Verdict::full);
  CHECK(c.ask("10.1.2.3", nullptr) == xfr::Verdict::refused);
  CHECK(c.ask("172.16.0.1", &c.k) == xfr::Verdict::refused);
  CHECK(c.ask("192.0.2.7", nullptr) == xfr::Verdict::full);
  CHECK(c.ask("192.0.2.8", nullptr) == xfr::Verdict::refused);
  CHECK(c.ask("::ffff:192.0.2.7", nullptr) == xfr::Verdict::full);  // dual-stack socket
  CHECK(c.ask("::1", nullptr) == xfr::Verdict::refused);
}

TEST_CASE("a refusal of a signed request is signed; of an unsigned one it is not") {
  Case c;
  CHECK(c.ask("127.0.0.1", &c.k) == xfr::Verdict::refused);
  CHECK(read_message(c.last_messages[0]).arcount == 1);
  CHECK(tsig_error_of(c.last_messages[0]) == 0);
  CHECK(c.ask("127.0.0.1", nullptr) == xfr::Verdict::refused);
  CHECK(read_message(c.last_messages[0]).arcount == 0);
}

TEST_CASE("an unknown key, a wrong secret and a time outside the fudge get their TSIG errors") {
  Case c;
  c.source.acl.entries = {entry("xfr-key.", std::nullopt)};
  const auto stranger = key("someone-else.", secret);
  CHECK(c.ask("127.0.0.1", &stranger) == xfr::Verdict::tsig_error);
  CHECK(read_message(c.last_messages[0]).rcode() == 9);  // NOTAUTH
  CHECK(tsig_error_of(c.last_messages[0]) == 17);        // BADKEY
  CHECK(c.last_description.find("key someone-else.") != std::string::npos);

  const auto wrong_secret = key("xfr-key.", other_secret);
  CHECK(c.ask("127.0.0.1", &wrong_secret) == xfr::Verdict::tsig_error);
  CHECK(tsig_error_of(c.last_messages[0]) == 16);  // BADSIG
  CHECK(c.last_description.find(secret) == std::string::npos);

  CHECK(c.ask("127.0.0.1", &c.k, now - 3600s) == xfr::Verdict::tsig_error);
  CHECK(tsig_error_of(c.last_messages[0]) == 18);  // BADTIME

  CHECK(c.ask("127.0.0.1", &c.k) == xfr::Verdict::full);
}

TEST_CASE("a zone that is not ours, or not class IN, is refused") {
  Case c;
  c.source.acl.entries = {entry(std::nullopt, "127.0.0.0/8")};
  const auto req = request("other.", std::nullopt);
  xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), c.source);
  CHECK(transfer.verdict() == xfr::Verdict::refused);
  CHECK(transfer.description().find("not a zone of ours") != std::string::npos);
}

TEST_CASE("a zone with health-routed names is refused until the transfer view exists") {
  Case c;
  c.source.acl.entries = {entry(std::nullopt, "127.0.0.0/8")};
  zone::ZoneBuilder builder(*wire::Name::from_text("example."));
  for (const auto* line :
       {"example. 3600 SOA ns1.example. hostmaster.example. 5 3600 600 86400 300",
        "example. 3600 NS ns1.example.", "ns1.example. 3600 A 192.0.2.53"}) {
    const auto record = zone_text::record("example.", line);
    REQUIRE(builder.add_record(record.owner, record.type, record.ttl, record.rdata).empty());
  }
  REQUIRE(builder.add_profile(*wire::Name::from_text("app.example."), 0).empty());
  auto built = std::move(builder).build();
  REQUIRE(built.zone);
  c.source.zone = std::move(built.zone);
  CHECK(c.ask("127.0.0.1", nullptr) == xfr::Verdict::refused);
  CHECK(c.last_description.find("health-routed") != std::string::npos);
}
