// The per-thread cache of on-demand signatures (see on_demand.hh): sets of k_ways slots keyed by
// the whole signed content, so a collision can only evict, never serve a wrong signature (the
// least recently used slot of the set goes: direct mapping thrashed, a 3,000-name working set
// missed 44% of its lookups in 10,000 slots); the
// deferral the UDP server uses to rate-limit before signing; the counters metrics/ sums.
#include "dnsd/dnssec/on_demand.hh"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <vector>

#include "dnsd/wire/name_hash.hh"

namespace dnsd::dnssec {
namespace {

struct Slot {
  std::vector<std::uint8_t> key;   // what was signed (see make_key); capacity reused
  std::vector<std::uint8_t> sigs;  // [2-byte length][RRSIG rdata] per key
  std::uint32_t count = 0;
  std::uint64_t used = 0;  // the cache's clock at the last hit or fill: the set's oldest goes
};

constexpr std::size_t k_ways = 4;

struct Cache {
  std::vector<Slot> slots;  // sized at first use from the zone's denial_cache_size
  CacheCounts counts;
  std::array<std::uint8_t, 8192> key{};
  std::size_t key_size = 0;
  std::uint64_t clock = 0;
};

thread_local Cache t_cache;

// The slot holding `key` in its set, else the set's least recently used one (to be filled).
Slot& find_slot(Cache& cache, std::span<const std::uint8_t> key, bool& hit) noexcept {
  const std::size_t sets = cache.slots.size() / k_ways;
  // FNV-1a's low bits follow only the bytes' low bits, and a modulus that shares a factor with
  // a power of two reads them: mixed first (splitmix64's finalizer), 3,000 names filled 1,332 of
  // 2,500 sets before, 1,768 after (a uniform draw fills about 1,747).
  std::uint64_t h = wire::name_hash(key);
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  Slot* const set = &cache.slots[(h % sets) * k_ways];
  Slot* oldest = set;
  for (std::size_t way = 0; way < k_ways; ++way) {
    Slot& slot = set[way];
    if (slot.count != 0 && std::equal(slot.key.begin(), slot.key.end(), key.begin(), key.end())) {
      hit = true;
      slot.used = ++cache.clock;
      return slot;
    }
    if (slot.used < oldest->used) oldest = &slot;
  }
  hit = false;
  return *oldest;
}

// An answer being made while deferring (see defer_on_demand()).
struct Deferral {
  bool active = false;
  bool owed = false;       // a miss was left unsigned
  std::uint64_t hits = 0;  // counted once the answer is known to be sent as it is
};
thread_local Deferral t_deferral;

// One slot per thread (threads past the last share slots, still exact: fetch_add), on a cache
// line of its own, so counting stays in the thread's cache and the scrape needs no lock.
struct alignas(64) CounterSlot {
  std::atomic<std::uint64_t> signatures{0}, hits{0}, misses{0};
};
constexpr std::size_t k_counter_slots = 64;
std::array<CounterSlot, k_counter_slots> g_slots;
std::atomic<std::size_t> g_next_slot{0};
thread_local CounterSlot* t_slot = nullptr;

void count(std::uint64_t signatures, std::uint64_t hits, std::uint64_t misses) noexcept {
  if (!t_slot)
    t_slot = &g_slots[g_next_slot.fetch_add(1, std::memory_order_relaxed) % k_counter_slots];
  t_cache.counts.signatures += signatures;
  t_cache.counts.hits += hits;
  t_cache.counts.misses += misses;
  if (signatures) t_slot->signatures.fetch_add(signatures, std::memory_order_relaxed);
  if (hits) t_slot->hits.fetch_add(hits, std::memory_order_relaxed);
  if (misses) t_slot->misses.fetch_add(misses, std::memory_order_relaxed);
}

void put(Cache& cache, std::span<const std::uint8_t> bytes, bool& fits) noexcept {
  if (cache.key_size + bytes.size() > cache.key.size()) {
    fits = false;
    return;
  }
  std::memcpy(cache.key.data() + cache.key_size, bytes.data(), bytes.size());
  cache.key_size += bytes.size();
}

// The signing run, the lower-cased owner, type, TTL and each rdata with its length.
bool make_key(Cache& cache, const ZoneSignatures& zone, std::span<const std::uint8_t> owner,
              std::uint16_t type, std::uint32_t ttl, Rdatas rdatas) noexcept {
  cache.key_size = 0;
  bool fits = true;
  const std::uint64_t id = zone.id();
  put(cache, std::span(reinterpret_cast<const std::uint8_t*>(&id), sizeof id), fits);
  std::array<std::uint8_t, wire::max_name_size> lowered;
  put(cache, wire::lower_into(owner, lowered), fits);
  const std::uint8_t fixed[] = {
      static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type),
      static_cast<std::uint8_t>(ttl >> 24), static_cast<std::uint8_t>(ttl >> 16),
      static_cast<std::uint8_t>(ttl >> 8),  static_cast<std::uint8_t>(ttl)};
  put(cache, fixed, fits);
  for (const auto rdata : rdatas) {
    const std::uint8_t length[] = {static_cast<std::uint8_t>(rdata.size() >> 8),
                                   static_cast<std::uint8_t>(rdata.size())};
    put(cache, length, fits);
    put(cache, rdata, fits);
  }
  return fits;
}

// Signs into `slot` (allocates: a miss only).
bool fill(Slot& slot, const ZoneSignatures& zone, std::span<const std::uint8_t> owner,
          std::uint16_t type, std::uint32_t ttl, Rdatas rdatas) {
  RRsetToSign rrset{owner, type, ttl, {}};
  for (const auto rdata : rdatas) rrset.rdatas.emplace_back(rdata.begin(), rdata.end());
  slot.sigs.clear();
  slot.count = 0;
  const ZoneKeys& keys = zone.keys();
  const bool split = keys.split();
  for (const SigningKey& key : keys.keys) {
    if (split && key.flags() == flags_ksk) continue;  // never a key set here: ZSKs sign
    const auto rrsig = sign_rrset(key, rrset, zone.validity());
    if (!rrsig) return false;
    slot.sigs.push_back(static_cast<std::uint8_t>(rrsig->size() >> 8));
    slot.sigs.push_back(static_cast<std::uint8_t>(rrsig->size()));
    slot.sigs.insert(slot.sigs.end(), rrsig->begin(), rrsig->end());
    ++slot.count;
  }
  return true;
}

}  // namespace

zone::RdataList sign_on_demand(const ZoneSignatures& zone, std::span<const std::uint8_t> owner,
                               std::uint16_t type, std::uint32_t ttl, Rdatas rdatas) noexcept {
  Cache& cache = t_cache;
  try {
    if (cache.slots.empty()) {  // whole sets, at least one
      const std::size_t size = zone.keys().policy.denial_cache_size;
      cache.slots.resize(std::max<std::size_t>(1, (size + k_ways - 1) / k_ways) * k_ways);
    }
    static thread_local Slot t_uncached;  // an RRset too large for the key buffer
    const bool cacheable = make_key(cache, zone, owner, type, ttl, rdatas);
    const std::span<const std::uint8_t> key(cache.key.data(), cacheable ? cache.key_size : 0);
    bool hit = false;
    Slot& slot = cacheable ? find_slot(cache, key, hit) : t_uncached;
    if (hit) {
      if (t_deferral.active)
        ++t_deferral.hits;
      else
        count(0, 1, 0);
      return zone::RdataList(slot.sigs.data(), static_cast<std::uint32_t>(slot.sigs.size()),
                             slot.count);
    }
    if (t_deferral.active) {  // rate limiting decides first; the slot is left as it is
      t_deferral.owed = true;
      return {};
    }
    slot.key.assign(key.begin(), key.end());
    slot.used = ++cache.clock;
    const bool signed_all = fill(slot, zone, owner, type, ttl, rdatas);
    count(slot.count, 0, 1);
    if (!signed_all) {
      slot.count = 0;
      return {};
    }
    return zone::RdataList(slot.sigs.data(), static_cast<std::uint32_t>(slot.sigs.size()),
                           slot.count);
  } catch (...) {  // out of memory: answer without, which a validator will reject, not crash
    return {};
  }
}

void defer_on_demand() noexcept { t_deferral = Deferral{.active = true}; }

bool signature_owed() noexcept { return t_deferral.active && t_deferral.owed; }

bool end_deferral(bool sent) noexcept {
  const Deferral done = t_deferral;
  t_deferral = Deferral{};
  if (sent && !done.owed) count(0, done.hits, 0);
  return done.owed;
}

CacheCounts on_demand_counts() noexcept { return t_cache.counts; }

CacheCounts on_demand_totals() noexcept {
  CacheCounts sum;
  for (const CounterSlot& slot : g_slots) {
    sum.signatures += slot.signatures.load(std::memory_order_relaxed);
    sum.hits += slot.hits.load(std::memory_order_relaxed);
    sum.misses += slot.misses.load(std::memory_order_relaxed);
  }
  return sum;
}

}  // namespace dnsd::dnssec
