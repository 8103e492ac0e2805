// The query thread's side of dnstap: pack into a slot of this thread's ring, hand the slot to
// fstrm's I/O thread, which gives it back through fstrm's free_func once written. The only
// allocation is for a message larger than a slot (TCP responses over 4 KiB).
#include "dnsd/dnstap/tap.hh"

#include <fstrm.h>

#include <bit>
#include <cstdlib>

namespace dnsd::dnstap {

namespace {

void release_slot(void*, void* busy) {
  static_cast<std::atomic<bool>*>(busy)->store(false, std::memory_order_release);
}

void release_heap(void* buffer, void*) { std::free(buffer); }

std::string_view view(const std::optional<std::string>& text) noexcept {
  return text ? std::string_view(*text) : std::string_view();
}

}  // namespace

std::size_t slot_count(std::size_t queue_size) noexcept {
  return std::bit_ceil(queue_size + k_writer_batch);
}

Tap::Tap(const Settings& settings, fstrm_iothr* iothr, fstrm_iothr_queue* queue, std::size_t slots)
    : settings_(settings),
      envelope_{view(settings.identity), view(settings.version)},
      iothr_(iothr),
      queue_(queue),
      mask_(slots - 1),
      busy_(std::make_unique<std::atomic<bool>[]>(slots)),
      bytes_(new std::uint8_t[slots * k_slot_size]) {}

void Tap::query(const sockaddr* peer, Transport transport,
                std::span<const std::uint8_t> message) noexcept {
  ::clock_gettime(CLOCK_REALTIME, &query_time_);
  if (settings_.queries) submit({Kind::auth_query, transport, peer, query_time_, {}, message});
}

void Tap::response(const sockaddr* peer, Transport transport,
                   std::span<const std::uint8_t> message) noexcept {
  if (!settings_.responses) return;
  Event event{Kind::auth_response, transport, peer, query_time_, {}, message};
  ::clock_gettime(CLOCK_REALTIME, &event.response_time);
  submit(event);
}

void Tap::submit(const Event& event) noexcept {
  const std::size_t index = next_;
  std::atomic<bool>& busy = busy_[index];
  // Acquire: the writer thread's last read of this slot happened before we write it again.
  if (busy.load(std::memory_order_acquire)) {
    bump(dropped_);  // the writer is behind by a whole ring
    return;
  }
  std::uint8_t* slot = bytes_.get() + index * k_slot_size;
  const std::size_t size = encode(envelope_, event, {slot, k_slot_size});
  fstrm_res result;
  if (size <= k_slot_size) {
    busy.store(true, std::memory_order_relaxed);
    result = fstrm_iothr_submit(iothr_, queue_, slot, size, release_slot, &busy);
    if (result == fstrm_res_success) {
      next_ = (index + 1) & mask_;
    } else {
      busy.store(false, std::memory_order_relaxed);
    }
  } else {
    auto* buffer = static_cast<std::uint8_t*>(std::malloc(size));
    if (!buffer) {
      bump(dropped_);
      return;
    }
    encode(envelope_, event, {buffer, size});
    result = fstrm_iothr_submit(iothr_, queue_, buffer, size, release_heap, nullptr);
    if (result != fstrm_res_success) std::free(buffer);
  }
  bump(result == fstrm_res_success ? sent_ : dropped_);
}

}  // namespace dnsd::dnstap
