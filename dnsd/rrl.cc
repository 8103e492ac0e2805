// Response rate limiting: classifying a response, the bucket table (GCRA in one atomic word) and
// the slip sequence. See rrl.hh for the contract; nothing here allocates but the log line.
#include "dnsd/rrl.hh"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "routing/address_range.hh"

namespace dnsd {

namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::uint64_t k_second_us = 1'000'000;
constexpr std::uint64_t k_log_bucket_ms = 5'000;    // one line per bucket per 5 s
constexpr std::uint64_t k_log_global_us = 100'000;  // and at most 10 lines a second in all

// A 64-bit finaliser (splitmix64): every input bit moves every output bit.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Hashes a wire name eight bytes at a time, case-folded by setting bit 5 of every byte: that
// folds A-Z onto a-z (RFC 4343), so 0x20-randomised case lands in one bucket. Other bytes it
// merges (length 1 with 33) only make two names share a bucket, which a hash may do anyway.
std::uint64_t name_hash(const std::uint8_t* name, std::size_t size) noexcept {
  constexpr std::uint64_t fold = 0x2020202020202020ull;
  std::uint64_t hash = size;
  std::size_t at = 0;
  for (; at + 8 <= size; at += 8) {
    std::uint64_t word;
    std::memcpy(&word, name + at, 8);
    hash = (hash ^ (word | fold)) * 0x9e3779b97f4a7c15ull;
    hash ^= hash >> 32;
  }
  if (at < size) {
    std::uint64_t word = 0;
    std::memcpy(&word, name + at, size - at);
    hash = (hash ^ (word | fold)) * 0x9e3779b97f4a7c15ull;
  }
  return hash | 1;  // never 0, which means "no name"
}

// The length of the uncompressed name at `at`, or 0 when it runs past the end (or is compressed).
std::size_t name_length(Bytes packet, std::size_t at) noexcept {
  std::size_t pos = at;
  while (pos < packet.size()) {
    const std::uint8_t label = packet[pos];
    if (label == 0) return pos + 1 - at;
    if (label > wire::max_label_size) return 0;
    pos += 1 + std::size_t{label};
  }
  return 0;
}

// The owner of the first authority record: the SOA's (the zone) in a negative answer, the NS
// set's (the delegation) in a referral. Ours usually points back into the question, and then
// the name is that suffix of the qname, hashed where it lies.
std::uint64_t authority_owner_hash(Bytes packet, std::size_t question_end, std::size_t qname_size,
                                   std::uint16_t ancount) noexcept {
  wire::Reader reader(packet);
  reader.skip(question_end);
  for (std::uint16_t i = 0; i < ancount; ++i) reader.skip_rr();
  if (reader.remaining() >= 2) {
    const std::size_t at = reader.pos();
    if ((packet[at] & 0xc0) == 0xc0) {
      const std::size_t target = (packet[at] & 0x3f) << 8 | packet[at + 1];
      const std::size_t qname_end = wire::header_size + qname_size;
      if (target >= wire::header_size && target < qname_end)
        return name_hash(packet.data() + target, qname_end - target);
    }
  }
  wire::WireName owner;
  reader.name(owner);
  return reader.ok() ? name_hash(owner.bytes.data(), owner.size) : 0;
}

std::uint64_t zone_hash(Bytes qname, const zone::ZoneSet* zones) noexcept {
  std::array<std::uint8_t, wire::max_name_size> lowered;
  const auto name = wire::Name::from_wire(wire::lower_into(qname, lowered));
  const zone::Zone* zone = zones && name ? zones->find_enclosing(*name) : nullptr;
  if (!zone) return name_hash(qname.data(), qname.size());
  const Bytes origin = zone->origin().wire();
  return name_hash(origin.data(), origin.size());
}

}  // namespace

std::string_view to_string(RrlClass cls) noexcept {
  switch (cls) {
    case RrlClass::answer:
      return "answer";
    case RrlClass::nodata:
      return "nodata";
    case RrlClass::nxdomain:
      return "nxdomain";
    case RrlClass::referral:
      return "referral";
    case RrlClass::wildcard:
      return "wildcard";
    case RrlClass::error:
      break;
  }
  return "error";
}

RrlResponse rrl_classify(Bytes response, bool wildcard, const zone::ZoneSet* zones) noexcept {
  if (response.size() < wire::header_size) return {};
  const auto field = [&](std::size_t at) {
    return static_cast<std::uint16_t>(response[at] << 8 | response[at + 1]);
  };
  const std::uint16_t flags = field(2), qdcount = field(4), ancount = field(6), nscount = field(8);
  const std::size_t qname_size = qdcount ? name_length(response, wire::header_size) : 0;
  const std::size_t question_end = wire::header_size + qname_size + 4;
  if (qname_size == 0 || question_end > response.size()) return {};
  const std::uint8_t* qname = response.data() + wire::header_size;
  const bool aa = flags & 0x0400;
  switch (flags & 0xf) {
    case wire::rcode::noerror:
      break;
    case wire::rcode::nxdomain:
      return {RrlClass::nxdomain,
              authority_owner_hash(response, question_end, qname_size, ancount)};
    default:
      return {};
  }
  if (ancount > 0) {
    if (wildcard) return {RrlClass::wildcard, zone_hash({qname, qname_size}, zones)};
    return {RrlClass::answer, name_hash(qname, qname_size)};
  }
  if (nscount == 0) return {};  // neither data nor authority: BADVERS and the like
  const RrlClass cls = aa ? RrlClass::nodata : RrlClass::referral;
  return {cls, authority_owner_hash(response, question_end, qname_size, ancount)};
}

RrlTable::RrlTable(std::size_t buckets, Clock::time_point epoch, std::uint64_t seed)
    : shift_(64u - static_cast<unsigned>(
                       std::bit_width(std::bit_ceil(std::max<std::size_t>(buckets, 64))) - 1)),
      epoch_(epoch),
      seed_(seed) {
  words_ = static_cast<std::uint64_t*>(std::calloc(size(), sizeof(std::uint64_t)));
  if (!words_) throw std::bad_alloc();
}

RrlTable::~RrlTable() { std::free(words_); }

RrlTable::Timing RrlTable::timing(Clock::time_point now, const RrlConfig& config) const noexcept {
  const auto since = std::chrono::duration_cast<std::chrono::microseconds>(now - epoch_).count();
  Timing timing;
  timing.now_us = since > 0 ? static_cast<std::uint64_t>(since) : 0;
  timing.interval_us = k_second_us / std::max(1u, config.rate);
  timing.window_us = static_cast<std::uint64_t>(config.window.count()) * k_second_us;
  timing.v4_mask = ~0ull << (64 - config.ipv4_prefix);
  return timing;
}

std::uint64_t RrlTable::key(std::uint64_t prefix_key, const RrlResponse& response) noexcept {
  return mix(prefix_key ^ response.name_hash ^
             (static_cast<std::uint64_t>(response.cls) + 1) << 56);
}

bool RrlTable::may_log(std::uint64_t key, std::uint64_t now_us) noexcept {
  std::uint64_t next = next_log_us_.load(std::memory_order_relaxed);
  if (now_us < next) return false;
  const std::uint64_t now_ms = now_us / 1000;
  std::atomic_ref<std::uint64_t> seen(logged_[key % logged_.size()]);
  const std::uint64_t before = seen.load(std::memory_order_relaxed);
  const std::uint64_t tag = key >> 40;
  // Times are stored plus one, so an unused slot (0) never matches.
  if (before != 0 && before >> 40 == tag &&
      now_ms + 1 - (before & 0xff'ffff'ffffull) < k_log_bucket_ms)
    return false;
  if (!next_log_us_.compare_exchange_strong(next, now_us + k_log_global_us,
                                            std::memory_order_relaxed))
    return false;  // another thread took this log slot
  seen.store(tag << 40 | ((now_ms + 1) & 0xff'ffff'ffffull), std::memory_order_relaxed);
  return true;
}

namespace {

bool exempt(const RrlConfig& config, const routing::ClientInfo& client) noexcept {
  if (config.exempt.empty()) return false;
  const routing::Uint128 address = routing::to_number(client.address, client.is_ipv6);
  for (const auto& range : config.exempt)
    if (range.v6 == client.is_ipv6 && routing::contains(range, address)) return true;
  return false;
}

void note_for_log(RrlLogEvent& event, const RrlConfig& config, const routing::ClientInfo& client,
                  RrlClass cls, RrlAction action, Bytes response) noexcept {
  event.pending = true;
  event.cls = cls;
  event.action = action;
  event.client = client;
  event.prefix = client.is_ipv6 ? config.ipv6_prefix : config.ipv4_prefix;
  const std::size_t size = name_length(response, wire::header_size);
  event.qname_size = static_cast<std::uint8_t>(std::min(size, event.qname.size()));
  std::memcpy(event.qname.data(), response.data() + wire::header_size, event.qname_size);
}

}  // namespace

RrlAction rrl_check(RrlTable& table, RrlWorker& worker, const RrlConfig& config,
                    const routing::ClientInfo& client, const Reply& reply,
                    const zone::ZoneSet* zones, RrlTable::Clock::time_point now) noexcept {
  const RrlTable::Timing timing = table.timing(now, config);
  if (table.pass_gate(client, config, timing)) return RrlAction::send;
  return rrl_limit(table, worker, config, client, reply, zones, timing);
}

RrlAction rrl_limit(RrlTable& table, RrlWorker& worker, const RrlConfig& config,
                    const routing::ClientInfo& client, const Reply& reply,
                    const zone::ZoneSet* zones, const RrlTable::Timing& timing) noexcept {
  if (reply.valid_server_cookie || exempt(config, client)) return RrlAction::send;
  const RrlResponse response = rrl_classify(reply.bytes, reply.wildcard, zones);
  const std::uint64_t key = RrlTable::key(table.prefix_key(client, config, timing), response);
  if (table.allow(key, timing, k_second_us)) return RrlAction::send;
  RrlAction action = RrlAction::drop;
  if (config.slip > 0 && ++worker.since_slip >= config.slip) {
    worker.since_slip = 0;
    action = RrlAction::slip;
  }
  if (!worker.log.pending && table.may_log(key, timing.now_us))
    note_for_log(worker.log, config, client, response.cls, action, reply.bytes);
  return action;
}

std::size_t rrl_truncate(std::uint8_t* response, std::size_t size) noexcept {
  if (size < wire::header_size) return size;
  const bool has_question = (response[4] | response[5]) != 0;
  const std::size_t qname_size =
      has_question ? name_length({response, size}, wire::header_size) : 0;
  std::size_t end = wire::header_size + (qname_size ? qname_size + 4 : 0);
  if (end > size) end = wire::header_size;
  response[2] |= 0x02;  // TC (RFC 1035 §4.1.1)
  response[3] &= 0xf0;  // rcode NOERROR: the client is to ask again over TCP
  response[4] = 0;
  response[5] = end > wire::header_size ? 1 : 0;
  std::memset(response + 6, 0, 6);  // no answer, authority or additional (no OPT either)
  return end;
}

std::string rrl_log_line(const RrlLogEvent& event) {
  std::string address;
  if (event.client.is_ipv6) {
    for (std::size_t i = 0; i < 16; i += 2)
      address += fmt::format("{}{:x}", i ? ":" : "",
                             event.client.address[i] << 8 | event.client.address[i + 1]);
  } else {
    address = fmt::format("{}.{}.{}.{}", event.client.address[0], event.client.address[1],
                          event.client.address[2], event.client.address[3]);
  }
  const auto qname = wire::Name::from_wire({event.qname.data(), event.qname_size});
  return fmt::format("rrl: limiting client={} prefix=/{} class={} qname={} action={}", address,
                     event.prefix, to_string(event.cls), qname ? qname->to_text() : "?",
                     event.action == RrlAction::slip ? "slip" : "drop");
}

}  // namespace dnsd
