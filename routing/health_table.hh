// HealthTable: one atomic word per endpoint, read by the query path and written only through
// HealthWriter (health_writer.hh), its one friend. Readers never lock; every update is a single
// release store (or read-modify-write) of one word.
//
// Word layout (32 bits):
//   bits 0-3   MonitorStatus (the probed state)
//   bit  4     admin disabled (kept apart from the probed state, so probing goes on)
//   bits 8-15  Reason of the last failure
//   bits 16-31 round-trip time of the last successful probe, in ms, saturating at 65535
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "routing/model.hh"

namespace routing {

// Traffic Manager's endpoint monitor states.
// stopped: a nested profile endpoint whose child profile is disabled (never probed).
enum class MonitorStatus : std::uint8_t {
  checking_endpoint = 0,
  online = 1,
  degraded = 2,
  stopped = 3
};

enum class Reason : std::uint8_t { none = 0, timeout, refused, tls, dns, status, body, other };

std::string_view to_string(MonitorStatus status) noexcept;  // "CheckingEndpoint", "Online", ...
std::string_view to_string(Reason reason) noexcept;         // "timeout", "http status", ...

struct Health;
// The state an operator sees (Traffic Manager's words): "Disabled" when the endpoint is off in
// the config or switched off by hand, else the probed state. Probing goes on underneath.
std::string_view operator_state(const Endpoint& endpoint, const Health& health) noexcept;

struct Health {
  MonitorStatus status = MonitorStatus::checking_endpoint;
  bool admin_disabled = false;
  Reason reason = Reason::none;
  std::uint16_t rtt_ms = 0;

  std::uint32_t pack() const noexcept {
    return static_cast<std::uint32_t>(status) | (admin_disabled ? 0x10u : 0u) |
           (static_cast<std::uint32_t>(reason) << 8) | (static_cast<std::uint32_t>(rtt_ms) << 16);
  }
  static Health unpack(std::uint32_t word) noexcept {
    return Health{static_cast<MonitorStatus>(word & 0xf), (word & 0x10u) != 0,
                  static_cast<Reason>((word >> 8) & 0xff), static_cast<std::uint16_t>(word >> 16)};
  }
  friend bool operator==(const Health&, const Health&) = default;
};

class HealthTable {
 public:
  explicit HealthTable(std::size_t size)
      : size_(size), words_(std::make_unique<std::atomic<std::uint32_t>[]>(size ? size : 1)) {
    for (std::size_t i = 0; i < size_; ++i)
      words_[i].store(Health{}.pack(), std::memory_order_relaxed);
  }
  std::size_t size() const noexcept { return size_; }

  Health load(EndpointId id) const noexcept {
    return Health::unpack(words_[id].load(std::memory_order_acquire));
  }

 private:
  friend class HealthWriter;  // the only writer: it recomputes what depends on each word

  // Sets the probed state, keeping the admin bit as it is. Returns the word it replaced.
  Health store_probed(EndpointId id, MonitorStatus status, Reason reason,
                      std::uint16_t rtt_ms) noexcept {
    auto old = words_[id].load(std::memory_order_relaxed);
    Health next;
    do {
      next = Health::unpack(old);
      next.status = status;
      next.reason = reason;
      next.rtt_ms = rtt_ms;
    } while (!words_[id].compare_exchange_weak(old, next.pack(), std::memory_order_release,
                                               std::memory_order_relaxed));
    return Health::unpack(old);
  }
  // Switches an endpoint off or on by hand, keeping the probed state. Returns the old bit.
  bool set_admin_disabled(EndpointId id, bool disabled) noexcept {
    const auto old = disabled ? words_[id].fetch_or(0x10u, std::memory_order_release)
                              : words_[id].fetch_and(~0x10u, std::memory_order_release);
    return (old & 0x10u) != 0;
  }

  std::size_t size_;
  std::unique_ptr<std::atomic<std::uint32_t>[]> words_;
};

}  // namespace routing
