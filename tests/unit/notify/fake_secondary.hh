// Test support: a secondary on loopback that answers NOTIFY and SOA queries as a test tells it
// (ack, stay silent, refuse, sign with a given key), and records the serial of every NOTIFY it
// received. Real UDP, real TSIG (dnsd/tsig); a stand-in only for the secondary's zone logic.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "dnsd/notify/secondary.hh"
#include "dnsd/tsig/key.hh"

namespace notify_test {

enum class Mode : std::uint8_t { ack, silent, refuse };

class FakeSecondary {
 public:
  // `keyring`: requests must verify against it and answers are signed; empty: unsigned.
  explicit FakeSecondary(std::vector<dnsd::tsig::Key> keyring = {});
  ~FakeSecondary();
  FakeSecondary(const FakeSecondary&) = delete;
  FakeSecondary& operator=(const FakeSecondary&) = delete;

  std::uint16_t port() const { return port_; }
  dnsd::notify::Secondary secondary(std::optional<dnsd::tsig::Key> key = {}) const {
    return {"127.0.0.1", port_, std::move(key)};
  }
  void set_mode(Mode mode) { mode_ = mode; }
  // Answers only from the n-th NOTIFY on (the earlier ones are "lost").
  void drop_first(unsigned n) { drop_first_ = n; }
  void set_soa_serial(std::uint32_t serial) { soa_serial_ = serial; }
  std::vector<std::uint32_t> notified() const;  // the serials received, in order

 private:
  void serve();
  int fd_ = -1;
  std::uint16_t port_ = 0;
  dnsd::tsig::Keyring keyring_;
  bool signs_ = false;
  std::atomic<Mode> mode_{Mode::ack};
  std::atomic<unsigned> drop_first_{0};
  std::atomic<std::uint32_t> soa_serial_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::uint32_t> notified_;
  std::thread thread_;
};

}  // namespace notify_test
