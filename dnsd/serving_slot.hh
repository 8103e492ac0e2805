// ServingSlot: where the query threads find the ServingState, and how a new one (a reload) is
// published without a lock on the query path. Quiescent-state based reclamation, as gdnsd does
// with liburcu: each query thread announces the epoch it read in, and goes "offline" before it
// blocks; the writer swaps the pointer, bumps the epoch, and frees the old state only once
// every thread is offline or has read in after the swap. Readers never wait; the writer does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace dnsd {

// On cache lines of its own (alignas): every query thread reads current_ and epoch_ once per
// batch, and the slot's neighbours in its owner (control::Runtime keeps it next to a mutex that
// the timer, admin and probe threads lock) must not pull those lines away from them.
template <typename State>
class alignas(64) ServingSlot {
 public:
  ServingSlot(std::unique_ptr<const State> initial, std::size_t readers)
      : current_(initial.release()), seen_(readers) {
    for (auto& seen : seen_) seen.value.store(k_offline, std::memory_order_relaxed);
  }
  ~ServingSlot() { delete current_.load(); }
  ServingSlot(const ServingSlot&) = delete;
  ServingSlot& operator=(const ServingSlot&) = delete;

  // Query thread `reader` starts using the state; valid until leave(). Wait-free.
  const State& enter(std::size_t reader) noexcept {
    seen_[reader].value.store(epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
    return *current_.load(std::memory_order_seq_cst);
  }
  // Query thread `reader` holds no reference any more (call before blocking).
  void leave(std::size_t reader) noexcept {
    seen_[reader].value.store(k_offline, std::memory_order_release);
  }

  // Writer (one at a time): installs `next` and frees the previous state once no reader can
  // still hold it. Returns after the old state is gone.
  void publish(std::unique_ptr<const State> next) {
    const State* old = current_.exchange(next.release(), std::memory_order_seq_cst);
    const std::uint64_t epoch = epoch_.fetch_add(1, std::memory_order_seq_cst) + 1;
    for (auto& seen : seen_) {
      for (;;) {
        const std::uint64_t value = seen.value.load(std::memory_order_seq_cst);
        if (value == k_offline || value >= epoch) break;
        std::this_thread::yield();  // a reader mid-batch: it finishes within microseconds
      }
    }
    delete old;
  }

  // For the writer's own use (e.g. to carry state over into the next one).
  const State& current() const noexcept { return *current_.load(std::memory_order_acquire); }

 private:
  static constexpr std::uint64_t k_offline = 0;
  struct alignas(64) Seen {  // one cache line per reader: no false sharing between threads
    std::atomic<std::uint64_t> value{k_offline};
  };
  std::atomic<const State*> current_;
  std::atomic<std::uint64_t> epoch_{1};
  std::vector<Seen> seen_;
};

}  // namespace dnsd
