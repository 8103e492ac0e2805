// Test driver for test_real_secondaries.py: the notify library against real knotd and nsd.
//   notify_driver notify ZONE SERIAL INTERVAL_MS MAX_SENDS SECONDARY...
//   notify_driver soa ZONE TIMEOUT_MS SECONDARY
// SECONDARY is ADDRESS@PORT, or ADDRESS@PORT/ALGORITHM:KEYNAME:SECRET to sign with a key.
// notify prints one "state ..." line per (zone, secondary) once all have settled (or after a
// deadline past the last retry); soa prints "serial=N" or "error=WHY". Exit 0 unless misused.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/notify/sender.hh"
#include "dnsd/notify/soa_check.hh"
#include "tests/support/wait_until.hh"

namespace {

using namespace dnsd;

std::optional<notify::Secondary> parse_secondary(std::string text) {
  notify::Secondary secondary;
  const auto slash = text.find('/');
  if (slash != std::string::npos) {
    const std::string spec = text.substr(slash + 1);
    text.resize(slash);
    const auto first = spec.find(':'), second = spec.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) return std::nullopt;
    std::string error;
    secondary.key = tsig::make_key(spec.substr(first + 1, second - first - 1),
                                   spec.substr(0, first), spec.substr(second + 1), &error);
    if (!secondary.key) return std::fprintf(stderr, "key: %s\n", error.c_str()), std::nullopt;
  }
  const auto at = text.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  secondary.address = text.substr(0, at);
  secondary.port = static_cast<std::uint16_t>(std::stoi(text.substr(at + 1)));
  return secondary;
}

int run_notify(const wire::Name& zone, std::uint32_t serial, int interval_ms, unsigned max_sends,
               std::vector<notify::Secondary> secondaries) {
  const std::size_t count = secondaries.size();
  notify::Sender sender(
      {std::move(secondaries), {std::chrono::milliseconds(interval_ms), max_sends}});
  std::string error;
  if (!sender.start(&error)) return std::fprintf(stderr, "start: %s\n", error.c_str()), 2;
  sender.notify(zone, serial);
  // The last give-up comes interval * (2^max_sends - 1) after the first send.
  const auto bound =
      std::chrono::milliseconds(interval_ms) * ((1u << max_sends) - 1) + std::chrono::seconds(10);
  test_support::wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(bound), [&] {
    const auto states = sender.states();
    if (states.size() < count) return false;
    for (const auto& state : states)
      if (state.phase == notify::SecondaryState::Phase::pending) return false;
    return true;
  });
  sender.stop();
  for (const auto& state : sender.states())
    std::printf("state zone=%s secondary=%s phase=%s sent=%u acked=%s attempts=%u error=%s\n",
                state.zone.c_str(), state.secondary.c_str(),
                std::string(notify::phase_text(state.phase)).c_str(), state.serial_sent,
                state.serial_acked ? std::to_string(*state.serial_acked).c_str() : "none",
                state.attempts, state.last_error.empty() ? "none" : state.last_error.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return std::fprintf(stderr, "usage: see notify_driver.cc\n"), 2;
  const auto zone = wire::Name::from_text(argv[2]);
  if (!zone) return std::fprintf(stderr, "bad zone name\n"), 2;
  if (!std::strcmp(argv[1], "notify") && argc >= 7) {
    std::vector<notify::Secondary> secondaries;
    for (int i = 6; i < argc; ++i) {
      auto secondary = parse_secondary(argv[i]);
      if (!secondary) return std::fprintf(stderr, "bad secondary %s\n", argv[i]), 2;
      secondaries.push_back(std::move(*secondary));
    }
    return run_notify(*zone, static_cast<std::uint32_t>(std::stoul(argv[3])), std::atoi(argv[4]),
                      static_cast<unsigned>(std::atoi(argv[5])), std::move(secondaries));
  }
  if (!std::strcmp(argv[1], "soa") && argc == 5) {
    const auto secondary = parse_secondary(argv[4]);
    if (!secondary) return std::fprintf(stderr, "bad secondary %s\n", argv[4]), 2;
    const auto result =
        notify::check_soa(*secondary, *zone, std::chrono::milliseconds(std::atoi(argv[3])));
    if (result.serial)
      std::printf("serial=%u\n", *result.serial);
    else
      std::printf("error=%s\n", result.error.c_str());
    return 0;
  }
  return std::fprintf(stderr, "usage: see notify_driver.cc\n"), 2;
}
