// UpdateRefusals: the UPDATE messages query threads answered themselves (update/screen.hh),
// counted per client prefix (IPv4 /24, IPv6 /56) for the update thread's log, so a flood gets
// at most one line a second per prefix, with how many more it stands for. Query threads only
// bump atomics and, for the first refusal of a prefix since its last line, fill its sample;
// the update thread reads. A fixed table, allocated at start; prefixes beyond it are counted in
// one overflow figure.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "dnsd/transport.hh"
#include "dnsd/update/screen.hh"
#include "routing/pick_types.hh"

namespace dnsd {

class UpdateRefusals {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t slots = 64;

  // What one refusal's log line says.
  struct Sample {
    routing::ClientInfo client;
    Transport transport = Transport::udp;
    update::Screened screened;  // its size, rcode, status, key name and zone
  };

  // Query threads.
  void record(const routing::ClientInfo& client, Transport transport,
              const update::Screened& screened) noexcept;

  // The update thread: calls line(sample, more, summary) for each prefix with a refusal not yet
  // said, at most once a second per prefix: `more` is how many refusals since the last line
  // this one stands for besides the sample's own; a summary (the sample of the last line, and
  // `more` refusals counted after it) comes when refusals were counted without a sample. And
  // overflow(count) at most once a second for those no slot could hold.
  template <typename Line, typename Overflow>
  void report(Clock::time_point now, Line line, Overflow overflow);

 private:
  enum : std::uint32_t { k_empty, k_filling, k_full };
  struct Slot {
    // The prefix's tag (high 32 bits, never 0 in use) and its refusals not yet reported (low).
    std::atomic<std::uint64_t> word{0};
    std::atomic<std::uint32_t> sample_state{k_empty};
    Sample sample;
    // The update thread's own.
    Clock::time_point logged{};
    Sample last;  // the last line's sample: refusals left without one are said with it
  };
  static std::uint32_t prefix_tag(const routing::ClientInfo& client) noexcept;
  // Takes the slot's count (leaves the tag): what the next line reports.
  static std::uint32_t take(Slot& slot) noexcept;

  std::array<Slot, slots> slots_;
  std::atomic<std::uint64_t> overflow_{0};
  std::uint64_t overflow_reported_ = 0;
  Clock::time_point overflow_logged_{};
};

template <typename Line, typename Overflow>
void UpdateRefusals::report(Clock::time_point now, Line line, Overflow overflow) {
  for (Slot& slot : slots_) {
    const std::uint64_t word = slot.word.load(std::memory_order_acquire);
    if (word == 0 || now - slot.logged < std::chrono::seconds(1)) continue;
    const std::uint32_t state = slot.sample_state.load(std::memory_order_acquire);
    if (state == k_full) {
      const std::uint32_t count = take(slot);
      line(slot.sample, count > 0 ? count - 1 : 0, false);
      slot.last = slot.sample;
      slot.sample_state.store(k_empty, std::memory_order_release);
      slot.logged = now;
    } else if (state == k_empty && (word & 0xffffffffu) != 0 &&
               slot.logged != Clock::time_point{}) {
      // Counted just as the last line took the sample: said with that line's client.
      line(slot.last, take(slot), true);
      slot.logged = now;
    } else if (state == k_empty && now - slot.logged >= std::chrono::seconds(2)) {
      std::uint64_t idle = word & ~std::uint64_t{0xffffffffu};
      slot.word.compare_exchange_strong(idle, 0);  // quiet: the slot is free for another prefix
    }
  }
  const std::uint64_t lost = overflow_.load(std::memory_order_relaxed);
  if (lost != overflow_reported_ && now - overflow_logged_ >= std::chrono::seconds(1)) {
    overflow(lost - overflow_reported_);
    overflow_reported_ = lost;
    overflow_logged_ = now;
  }
}

}  // namespace dnsd
