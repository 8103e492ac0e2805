// dnsd/update/processor.hh: whole updates from signed bytes to a decision and a response, in
// RFC 2136 §3's order: TSIG, zone, policy, rate, prerequisites, prescan, policy, apply.
#include <doctest/doctest.h>

#include "dnsd/tsig/sign.hh"
#include "dnsd/update/processor.hh"
#include "update_fixture.hh"

using namespace update_test;
namespace rc = dnsd::wire::rcode;
namespace cls = dnsd::wire::rrclass;

namespace {

const auto k_now = std::chrono::sys_seconds(std::chrono::seconds(1'700'000'000));

struct World {
  tsig::Keyring keyring{{*tsig::make_key("k.", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0"),
                         *tsig::make_key("nopolicy.", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0")}};
  std::vector<update::Policy> policies;
  zone::ZoneSet zones;
  update::Overlays overlays;
  update::RateLimiter rate;

  World() {
    update::Policy policy;
    policy.key = name("k.");
    policy.zones = {name("example.")};
    policy.max_records = 2;
    policy.rate = 3;
    policies.push_back(policy);
    zones.add(base_zone());
  }
  update::Context context() {
    update::Context c;
    c.keyring = &keyring;
    c.policies = policies;
    c.served = &zones;
    c.base = &zones;
    c.overlays = &overlays;
    c.now = k_now;
    c.rate = &rate;
    return c;
  }
};

std::vector<std::uint8_t> sign(std::vector<std::uint8_t> message, const tsig::Key& key,
                               std::chrono::sys_seconds when = k_now) {
  std::vector<std::uint8_t> buffer(message.size() + 512);
  wire::Writer writer(buffer, buffer.size());
  writer.put_bytes(message);
  tsig::Mac mac;
  REQUIRE(tsig::sign_request(writer, key, when, mac));
  buffer.resize(writer.size());
  return buffer;
}

std::vector<update::Record> add_txt(const char* owner = "_acme-challenge.example.") {
  return {record(owner, "TXT", cls::in, 120, "\"token\"")};
}

}  // namespace

TEST_CASE("processor: a signed add within the policy is applied and answered signed") {
  World world;
  const auto request = sign(message("example.", {}, add_txt()), world.keyring.keys()[0]);
  const auto outcome = update::decide(request, world.context());
  CHECK(outcome.verdict.ok());
  REQUIRE(outcome.after);
  CHECK(outcome.changes.size() == 1);
  CHECK(*outcome.after->serial == 11);
  std::array<std::uint8_t, 512> response{};
  const std::size_t size = update::respond(request, outcome, response, k_now);
  REQUIRE(size > 12);
  CHECK(response[0] == 0x42);
  CHECK((response[2] & 0x80) != 0);        // QR
  CHECK(((response[2] >> 3) & 0xf) == 5);  // UPDATE
  CHECK((response[3] & 0xf) == rc::noerror);
  CHECK(response[11] == 1);  // ARCOUNT: the TSIG
}

TEST_CASE("processor: every refusal has its RCODE and changes nothing") {
  World world;
  const auto& key = world.keyring.keys()[0];
  const auto& other = world.keyring.keys()[1];
  struct Case {
    const char* what;
    std::vector<std::uint8_t> request;
    std::uint16_t rcode;
  };
  auto wrong = key;
  wrong.secret[0] ^= 1;
  const Case cases[] = {
      {"unsigned", message("example.", {}, add_txt()), rc::refused},
      {"bad MAC", sign(message("example.", {}, add_txt()), wrong), rc::notauth},
      {"too old", sign(message("example.", {}, add_txt()), key, k_now - std::chrono::hours(1)),
       rc::notauth},
      {"no policy", sign(message("example.", {}, add_txt()), other), rc::refused},
      {"zone not served", sign(message("other.", {}, {}), key), rc::notauth},
      {"name outside", sign(message("example.", {}, add_txt("www.example.")), key), rc::refused},
      {"record outside the zone",
       sign(message("example.", {}, add_txt("_acme-challenge.other.")), key), rc::notzone},
      {"failing prerequisite",
       sign(message("example.", {record("nope.example.", "ANY", cls::any)}, add_txt()), key),
       rc::nxdomain},
      {"too many records",
       sign(message("example.", {},
                    {record("_acme-challenge.example.", "TXT", cls::in, 60, "\"a\""),
                     record("_acme-challenge.example.", "TXT", cls::in, 60, "\"b\""),
                     record("_acme-challenge.example.", "TXT", cls::in, 60, "\"c\"")}),
            key),
       rc::refused},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const auto outcome = update::decide(c.request, world.context());
    CHECK(outcome.verdict.rcode == c.rcode);
    CHECK(outcome.changes.empty());
    CHECK_FALSE(outcome.verdict.why.empty());
  }
}

TEST_CASE("processor: a key over its rate is refused until its bucket refills") {
  World world;
  const auto request = sign(message("example.", {}, {}), world.keyring.keys()[0]);
  auto context = world.context();
  for (int i = 0; i < 3; ++i) CHECK(update::decide(request, context).verdict.ok());
  const auto limited = update::decide(request, context);
  CHECK(limited.verdict.rcode == rc::refused);
  CHECK(limited.rate_limited);
  context.rate_now += std::chrono::seconds(20);  // 3 a minute: one token back
  CHECK(update::decide(request, context).verdict.ok());
  CHECK_FALSE(update::decide(request, context).verdict.ok());
}

TEST_CASE("processor: a response is not answered") {
  World world;
  auto request = message("example.", {}, {});
  request[2] |= 0x80;
  CHECK_FALSE(update::decide(request, world.context()).answer);
}
