// Key rollover states: the state file's text round trip, and the steps as a table of what is
// allowed when (RFC 7583 waits), with the refusals saying until when.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dnsd/dnssec/key_states.hh"

using namespace dnsd::dnssec;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t t0 = 1'800'000'000;
const RolloverWaits waits{.dnskey_ttl = 300s, .max_ttl = 3600s, .propagation_delay = 60s};

std::vector<KeyStatus> zsk_rollover_start() {
  return {{1, 257, KeyState::active, t0},
          {2, 256, KeyState::active, t0},
          {3, 256, KeyState::created, t0}};
}

}  // namespace

TEST_CASE("the state file reads back what was written") {
  const std::vector<KeyStatus> keys = {{12345, 257, KeyState::active, t0},
                                       {54321, 256, KeyState::retired, t0 + 61}};
  const std::string text = key_states_text("example.org.", keys);
  std::string error;
  const auto back = parse_key_states(text, &error);
  REQUIRE_MESSAGE(back, error);
  REQUIRE(back->size() == 2);
  CHECK((*back)[1].tag == 54321);
  CHECK((*back)[1].flags == 256);
  CHECK((*back)[1].state == KeyState::retired);
  CHECK((*back)[1].since == t0 + 61);
}

TEST_CASE("a malformed state file line is refused with its line number") {
  std::string error;
  CHECK_FALSE(
      parse_key_states("; comment\n1 257 active 2026-12-06T00:00:00Z\n2 300 active "
                       "2026-12-06T00:00:00Z\n",
                       &error));
  CHECK(error.find("line 3") == 0);
  CHECK_FALSE(parse_key_states("1 257 sleeping 2026-12-06T00:00:00Z\n", &error));
  CHECK_FALSE(parse_key_states("1 257 active yesterday\n", &error));
}

TEST_CASE("a ZSK rollover goes publish, activate after the DNSKEY TTL, remove after the TTLs") {
  auto keys = zsk_rollover_start();
  CHECK(key_step(keys, 3, KeyAction::publish, t0 + 10, waits).empty());
  CHECK(keys[2].state == KeyState::published);
  // Too early: the DNSKEY TTL plus the propagation delay has not passed since publishing.
  const std::string early = key_step(keys, 3, KeyAction::activate, t0 + 10 + 359, waits);
  CHECK(early.find("DNSKEY TTL not yet passed") == 0);
  CHECK(early.find("wait until " + utc_text(t0 + 10 + 360)) != std::string::npos);
  CHECK(keys[2].state == KeyState::published);
  // On time: the new key signs and the old one retires in the same step.
  CHECK(key_step(keys, 3, KeyAction::activate, t0 + 370, waits).empty());
  CHECK(keys[2].state == KeyState::active);
  CHECK(keys[1].state == KeyState::retired);
  CHECK(keys[1].since == t0 + 370);
  CHECK(keys[0].state == KeyState::active);  // the KSK is another role: untouched
  // The old key's signatures may be cached for the largest TTL.
  const std::string soon = key_step(keys, 2, KeyAction::remove, t0 + 370 + 3659, waits);
  CHECK(soon.find("TTLs not yet passed") == 0);
  CHECK(key_step(keys, 2, KeyAction::remove, t0 + 370 + 3660, waits).empty());
  CHECK(keys[1].state == KeyState::removed);
}

TEST_CASE("steps out of order are refused and change nothing") {
  auto keys = zsk_rollover_start();
  const auto before = keys;
  CHECK(key_step(keys, 3, KeyAction::activate, t0 + 9999, waits).find("publish") !=
        std::string::npos);
  CHECK(key_step(keys, 2, KeyAction::remove, t0 + 9999, waits).find("is active") !=
        std::string::npos);
  CHECK(key_step(keys, 2, KeyAction::retire, t0 + 9999, waits).find("only active ZSK") !=
        std::string::npos);
  CHECK(key_step(keys, 9, KeyAction::publish, t0, waits).find("no key with tag 9") !=
        std::string::npos);
  CHECK(key_step(keys, 2, KeyAction::publish, t0, waits).find("already") == std::string::npos);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    CHECK(keys[i].state == before[i].state);
    CHECK(keys[i].since == before[i].since);
  }
}

TEST_CASE("a published key that never signed may be removed at once (a rollover given up)") {
  auto keys = zsk_rollover_start();
  REQUIRE(key_step(keys, 3, KeyAction::publish, t0, waits).empty());
  CHECK(key_step(keys, 3, KeyAction::remove, t0 + 1, waits).empty());
  CHECK(keys[2].state == KeyState::removed);
}

TEST_CASE("actions and states read from their names") {
  CHECK(key_action_from_text("activate") == KeyAction::activate);
  CHECK_FALSE(key_action_from_text("delete"));
  CHECK(key_state_from_text("retired") == KeyState::retired);
  CHECK(to_text(KeyState::published) == "published");
}
