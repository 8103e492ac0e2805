// The NOTIFY sender against secondaries on loopback (FakeSecondary): acknowledged, retried
// with backoff, given up, superseded by a newer serial, signed; and the SOA check. Intervals
// are a few milliseconds, and every wait is a wait_until with a deadline.
#include <doctest/doctest.h>

#include <algorithm>

#include "dnsd/notify/sender.hh"
#include "dnsd/notify/soa_check.hh"
#include "fake_secondary.hh"
#include "tests/support/wait_until.hh"

using namespace dnsd;
using notify::SecondaryState;
using notify_test::FakeSecondary;
using notify_test::Mode;
using test_support::wait_for;

namespace {

constexpr std::chrono::seconds k_bound{10};  // generous: the machine is shared

wire::Name zone_name() { return *wire::Name::from_text("example.com."); }

tsig::Key key(const char* secret = "EI0rzl89yWdSZfL1YNvGxz718/vIrJp+/LePRG1gXkU=") {
  return *tsig::make_key("notify-key.example.", "hmac-sha256", secret);
}

notify::Settings settings(std::vector<notify::Secondary> secondaries, unsigned max_sends = 4) {
  return {std::move(secondaries), {std::chrono::milliseconds(20), max_sends}};
}

SecondaryState state_of(const notify::Sender& sender, std::size_t index = 0) {
  const auto states = sender.states();
  return index < states.size() ? states[index] : SecondaryState{};
}

bool settled(const notify::Sender& sender, std::size_t count = 1) {
  const auto states = sender.states();
  return states.size() == count && std::all_of(states.begin(), states.end(), [](const auto& s) {
           return s.phase != SecondaryState::Phase::pending;
         });
}

}  // namespace

TEST_CASE("a secondary that answers acknowledges the serial at the first send") {
  FakeSecondary secondary;
  notify::Sender sender(settings({secondary.secondary()}));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 7);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  const auto state = state_of(sender);
  CHECK(state.phase == SecondaryState::Phase::acked);
  CHECK(state.zone == "example.com.");
  CHECK(state.secondary == "127.0.0.1:" + std::to_string(secondary.port()));
  CHECK(state.serial_sent == 7);
  CHECK(state.serial_acked == 7u);
  CHECK(state.attempts == 1);
  CHECK(state.last_error.empty());
  CHECK(state.acked_at.time_since_epoch().count() != 0);
  CHECK(secondary.notified() == std::vector<std::uint32_t>{7});
}

TEST_CASE("lost NOTIFYs are sent again until one is acknowledged") {
  FakeSecondary secondary;
  secondary.drop_first(2);
  notify::Sender sender(settings({secondary.secondary()}));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 8);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  CHECK(state_of(sender).phase == SecondaryState::Phase::acked);
  CHECK(state_of(sender).attempts == 3);
  CHECK(secondary.notified() == std::vector<std::uint32_t>{8, 8, 8});
}

TEST_CASE("a silent secondary gets max_sends NOTIFYs, then the sender gives up on timeout") {
  FakeSecondary secondary;
  secondary.set_mode(Mode::silent);
  notify::Sender sender(settings({secondary.secondary()}, 3));
  REQUIRE(sender.start());
  const auto started = std::chrono::steady_clock::now();
  sender.notify(zone_name(), 9);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  // Backoff: 20 + 40 + 80 ms pass between the first send and giving up.
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(140));
  const auto state = state_of(sender);
  CHECK(state.phase == SecondaryState::Phase::gave_up);
  CHECK(state.attempts == 3);
  CHECK(state.last_error == "timeout");
  CHECK_FALSE(state.serial_acked.has_value());
  CHECK(secondary.notified().size() == 3);
}

TEST_CASE("a closed port is retried, then given up as port unreachable") {
  notify::Secondary closed{"127.0.0.1", 0, std::nullopt};
  {
    FakeSecondary gone;  // a port that was just free; nothing listens on it afterwards
    closed.port = gone.port();
  }
  notify::Sender sender(settings({closed}, 3));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 10);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  CHECK(state_of(sender).phase == SecondaryState::Phase::gave_up);
  CHECK(state_of(sender).attempts == 3);
  CHECK(state_of(sender).last_error == "port unreachable");
}

TEST_CASE("a refusing secondary is retried and reported as REFUSED") {
  FakeSecondary secondary;
  secondary.set_mode(Mode::refuse);
  notify::Sender sender(settings({secondary.secondary()}, 2));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 11);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  CHECK(state_of(sender).phase == SecondaryState::Phase::gave_up);
  CHECK(state_of(sender).last_error == "REFUSED");
  CHECK(secondary.notified().size() == 2);
}

TEST_CASE("a newer serial supersedes a pending one and only the newest is acknowledged") {
  FakeSecondary secondary;
  secondary.set_mode(Mode::silent);
  notify::Sender sender(settings({secondary.secondary()}, 50));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 20);
  REQUIRE(wait_for(k_bound, [&] { return !secondary.notified().empty(); }));
  sender.notify(zone_name(), 21);
  sender.notify(zone_name(), 19);  // older (RFC 1982): ignored while 21 is pending
  REQUIRE(wait_for(k_bound, [&] { return secondary.notified().back() == 21; }));
  CHECK(state_of(sender).serial_sent == 21);
  secondary.set_mode(Mode::ack);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  CHECK(state_of(sender).serial_acked == 21u);
  // Once 21 went out, 20 was never sent again, and 19 never at all.
  const auto sent = secondary.notified();
  const auto first_21 = std::find(sent.begin(), sent.end(), 21u);
  CHECK(std::all_of(first_21, sent.end(), [](std::uint32_t s) { return s == 21; }));
  CHECK(std::find(sent.begin(), sent.end(), 19u) == sent.end());
}

TEST_CASE("a serial that wraps around (RFC 1982) is newer and supersedes") {
  FakeSecondary secondary;
  secondary.set_mode(Mode::silent);
  notify::Sender sender(settings({secondary.secondary()}, 50));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 0xffffffffu);
  REQUIRE(wait_for(k_bound, [&] { return !secondary.notified().empty(); }));
  sender.notify(zone_name(), 3);
  secondary.set_mode(Mode::ack);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  CHECK(state_of(sender).serial_acked == 3u);
}

TEST_CASE("every secondary and every zone has its own state") {
  FakeSecondary first, second;
  second.set_mode(Mode::silent);
  notify::Sender sender(settings({first.secondary(), second.secondary()}, 2));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 30);
  sender.notify(*wire::Name::from_text("example.org."), 31);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender, 4); }));
  const auto states = sender.states();
  REQUIRE(states.size() == 4);
  CHECK(states[0].zone == "example.com.");
  CHECK(states[0].phase == SecondaryState::Phase::acked);
  CHECK(states[1].phase == SecondaryState::Phase::gave_up);
  CHECK(states[2].zone == "example.org.");
  CHECK(states[2].serial_acked == 31u);
  CHECK(states[3].phase == SecondaryState::Phase::gave_up);
}

TEST_CASE("a signed NOTIFY is acknowledged with a signed answer that verifies") {
  FakeSecondary secondary({key()});
  notify::Sender sender(settings({secondary.secondary(key())}));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 40);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  CHECK(state_of(sender).phase == SecondaryState::Phase::acked);
  CHECK(state_of(sender).serial_acked == 40u);
}

TEST_CASE("a NOTIFY signed with the wrong secret is given up as BADSIG") {
  FakeSecondary secondary({key()});
  notify::Sender sender(settings({secondary.secondary(key("BucNKTFmr1QXWNgS5pg2BC/tWgk="))}, 2));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 41);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  CHECK(state_of(sender).phase == SecondaryState::Phase::gave_up);
  CHECK(state_of(sender).last_error == "BADSIG");
}

TEST_CASE("an unusable address fails start and says which secondary") {
  notify::Sender sender(settings({{"not-an-address", 53, std::nullopt}}));
  std::string error;
  CHECK_FALSE(sender.start(&error));
  CHECK(error.find("not-an-address") != std::string::npos);
}

TEST_CASE("stop ends the thread with work pending, and stopping twice is harmless") {
  FakeSecondary secondary;
  secondary.set_mode(Mode::silent);
  notify::Sender sender({{secondary.secondary()}, {std::chrono::hours(1), 6}});
  REQUIRE(sender.start());
  sender.notify(zone_name(), 50);
  REQUIRE(wait_for(k_bound, [&] { return secondary.notified().size() == 1; }));
  sender.stop();
  sender.stop();
  CHECK(state_of(sender).phase == SecondaryState::Phase::pending);
}

TEST_CASE("the SOA check reports the serial a secondary serves, signed or not") {
  FakeSecondary plain, signing({key()});
  plain.set_soa_serial(2026120205);
  signing.set_soa_serial(77);
  const auto served = notify::check_soa(plain.secondary(), zone_name(), k_bound);
  CHECK(served.serial == 2026120205u);
  CHECK(served.error.empty());
  CHECK(notify::check_soa(signing.secondary(key()), zone_name(), k_bound).serial == 77u);
  const auto wrong = notify::check_soa(signing.secondary(key("BucNKTFmr1QXWNgS5pg2BC/tWgk=")),
                                       zone_name(), k_bound);
  CHECK_FALSE(wrong.serial.has_value());
  CHECK(wrong.error == "BADSIG");
}

TEST_CASE("the SOA check of a silent secondary ends at its timeout") {
  FakeSecondary silent;
  silent.set_mode(Mode::silent);
  const auto started = std::chrono::steady_clock::now();
  const auto result =
      notify::check_soa(silent.secondary(), zone_name(), std::chrono::milliseconds(150));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(result.error == "timeout");
  CHECK(took >= std::chrono::milliseconds(150));
  CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("checking all secondaries at once counts those that serve the serial") {
  FakeSecondary current, behind, silent, also_silent;
  current.set_soa_serial(12);
  behind.set_soa_serial(11);
  silent.set_mode(Mode::silent);
  also_silent.set_mode(Mode::silent);
  const std::vector<notify::Secondary> all = {current.secondary(), behind.secondary(),
                                              silent.secondary(), also_silent.secondary()};
  const auto started = std::chrono::steady_clock::now();
  const auto checks = notify::check_soa_all(all, zone_name(), std::chrono::milliseconds(400));
  // One timeout for all of them: one after the other, the two silent ones would take 800 ms.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(800));
  REQUIRE(checks.size() == 4);
  CHECK(checks[0].serial == 12u);
  CHECK(checks[1].serial == 11u);
  CHECK(checks[2].error == "timeout");
  CHECK(checks[3].error == "timeout");
  CHECK(notify::count_serving(checks, 12) == 1);
  CHECK(notify::count_serving(checks, 11) == 2);
}

TEST_CASE("checking many zones of many secondaries takes one timeout, not one per zone") {
  FakeSecondary current, signing({key()}), silent;
  current.set_soa_serial(21);
  signing.set_soa_serial(22);
  silent.set_mode(Mode::silent);
  const std::vector<notify::Secondary> all = {current.secondary(), signing.secondary(key()),
                                              silent.secondary()};
  std::vector<wire::Name> zones;
  for (int i = 0; i < 8; ++i)
    zones.push_back(*wire::Name::from_text("z" + std::to_string(i) + ".example.com."));
  const auto started = std::chrono::steady_clock::now();
  const auto checks = notify::check_soa_all(all, zones, std::chrono::milliseconds(400));
  // Zone after zone, the silent secondary alone would take 8 x 400 ms.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1600));
  REQUIRE(checks.size() == zones.size());
  for (const auto& zone : checks) {
    REQUIRE(zone.size() == 3);
    CHECK(zone[0].serial == 21u);
    CHECK(zone[1].serial == 22u);
    CHECK(zone[2].error == "timeout");
  }
}

TEST_CASE("a notify before start is sent once the sender starts") {
  FakeSecondary secondary;
  notify::Sender sender(settings({secondary.secondary()}));
  sender.notify(zone_name(), 60);
  REQUIRE(sender.start());
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  CHECK(state_of(sender).serial_acked == 60u);
  CHECK(state_of(sender).sent_at.time_since_epoch().count() != 0);
}

TEST_CASE("a sender stopped and started again keeps its states and sends anew") {
  FakeSecondary secondary;
  notify::Sender sender(settings({secondary.secondary()}));
  REQUIRE(sender.start());
  sender.notify(zone_name(), 61);
  REQUIRE(wait_for(k_bound, [&] { return settled(sender); }));
  sender.stop();
  REQUIRE(sender.start());
  sender.notify(zone_name(), 62);
  REQUIRE(wait_for(k_bound, [&] { return state_of(sender).serial_acked == 62u; }));
  CHECK(secondary.notified() == std::vector<std::uint32_t>{61, 62});
}

TEST_CASE("serves_at_least compares serials on the RFC 1982 circle") {
  CHECK(notify::serves_at_least(5, 5));
  CHECK(notify::serves_at_least(6, 5));
  CHECK_FALSE(notify::serves_at_least(4, 5));
  CHECK(notify::serves_at_least(2, 0xfffffff0u));
  CHECK_FALSE(notify::serves_at_least(0xfffffff0u, 2));
}
