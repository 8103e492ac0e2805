// UpdateRefusals (see update_refusals.hh): a slot per prefix found by a short linear probe, its
// tag and count in one word so a claim, a count and a release are each one compare-and-swap.
#include "dnsd/update_refusals.hh"

#include "dnsd/wire/name_hash.hh"

namespace dnsd {
namespace {

constexpr std::size_t k_probe = 8;  // slots looked at from a prefix's own

}  // namespace

std::uint32_t UpdateRefusals::prefix_tag(const routing::ClientInfo& client) noexcept {
  const std::size_t bytes = client.is_ipv6 ? 7 : 3;  // /56, /24: as rate limiting groups them
  std::uint64_t hash = wire::name_hash_step(wire::name_hash_basis, client.is_ipv6);
  for (std::size_t i = 0; i < bytes; ++i) hash = wire::name_hash_step(hash, client.address[i]);
  const auto tag = static_cast<std::uint32_t>(hash ^ (hash >> 32));
  return tag ? tag : 1;
}

std::uint32_t UpdateRefusals::take(Slot& slot) noexcept {
  std::uint64_t word = slot.word.load(std::memory_order_relaxed);
  while (!slot.word.compare_exchange_weak(word, word & ~std::uint64_t{0xffffffffu})) {
  }
  return static_cast<std::uint32_t>(word);
}

void UpdateRefusals::record(const routing::ClientInfo& client, Transport transport,
                            const update::Screened& screened) noexcept {
  const std::uint32_t tag = prefix_tag(client);
  const std::uint64_t high = std::uint64_t{tag} << 32;
  for (std::size_t i = 0; i < k_probe; ++i) {
    Slot& slot = slots_[(tag + i) % slots];
    std::uint64_t word = slot.word.load(std::memory_order_relaxed);
    bool counted = false;
    while (!counted && (word == 0 || (word & ~std::uint64_t{0xffffffffu}) == high)) {
      const std::uint64_t next =
          word == 0 ? high | 1 : word + ((word & 0xffffffffu) != 0xffffffffu);
      counted = slot.word.compare_exchange_weak(word, next, std::memory_order_acq_rel);
    }
    if (!counted) continue;  // another prefix's slot
    std::uint32_t empty = k_empty;
    if (slot.sample_state.compare_exchange_strong(empty, k_filling, std::memory_order_acquire)) {
      slot.sample = Sample{client, transport, screened};
      slot.sample_state.store(k_full, std::memory_order_release);
    }
    return;
  }
  overflow_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace dnsd
