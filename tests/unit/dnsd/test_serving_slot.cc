#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "dnsd/serving_slot.hh"

namespace {

// A state that notices being read after it was freed: its canary is wiped by the destructor
// (and ASan reports the use after free outright).
struct Versioned {
  explicit Versioned(int v) : version(v) {}
  ~Versioned() { canary = 0; }
  int version;
  int canary = 0x5eed;
};

}  // namespace

TEST_CASE("serving slot: readers see old or new, never a freed state, while the writer publishes") {
  dnsd::ServingSlot<Versioned> slot(std::make_unique<Versioned>(0), 3);
  std::atomic<bool> stop{false};
  std::atomic<long> reads{0}, bad{0};
  std::vector<std::thread> readers;
  for (std::size_t r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      int last = 0;
      while (!stop.load()) {
        const Versioned& state = slot.enter(r);
        for (int i = 0; i < 50; ++i)
          if (state.canary != 0x5eed) ++bad;
        if (state.version < last) ++bad;  // never back to an older state
        last = state.version;
        slot.leave(r);
        ++reads;
      }
    });
  }
  // Publish at least 2000 times, and on until the readers have really overlapped the writer
  // (a slow, sanitized build may start them late); bounded by a deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int version = 0;
  while ((version < 2000 || reads.load() < 3000) && std::chrono::steady_clock::now() < deadline)
    slot.publish(std::make_unique<Versioned>(++version));
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(bad.load() == 0);
  CHECK(reads.load() >= 3000);
  CHECK(slot.current().version == version);
}

TEST_CASE("serving slot: an offline reader does not hold up the writer") {
  dnsd::ServingSlot<Versioned> slot(std::make_unique<Versioned>(0), 2);
  (void)slot.enter(0);
  slot.leave(0);
  slot.publish(std::make_unique<Versioned>(1));  // would spin forever if reader 0 still counted
  CHECK(slot.current().version == 1);
}
