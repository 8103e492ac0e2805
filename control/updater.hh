// Updater: the update thread (RFC 2136). Takes the UPDATE messages the UDP and TCP servers hand
// over (dnsd/update_queue.hh), decides each against the running Generation
// (dnsd/update/processor.hh), appends what it changed to the update log (fsync'd) BEFORE the
// change is published (Runtime::set_overlays) and the response sent, and removes records whose
// key's update_expire has passed. It alone writes the overlays, the rate buckets and the log.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "control/runtime.hh"
#include "control/update_log.hh"
#include "dnsd/update/entry.hh"
#include "dnsd/update/rate.hh"
#include "dnsd/update_queue.hh"

namespace control {

class Updater {
 public:
  Updater(Runtime& runtime, dnsd::UpdateQueue& queue);
  ~Updater();
  Updater(const Updater&) = delete;
  Updater& operator=(const Updater&) = delete;

  // Opens [server] update_log (read at start; a reload does not move it) and serves what it
  // holds, before the servers start. Returns "" or why dnsd must not start (a log it cannot
  // open or read). Without update_log, updates live in memory only (a warning says so).
  std::string open();
  void start();
  void stop();  // idempotent; what is queued and not yet taken is not answered

 private:
  void run();
  void handle(dnsd::UpdateQueue::Item& item);
  std::string commit(const dnsd::update::Entry& entry, const dnsd::update::ZoneOverlay& after);
  void expire();
  void report_dropped();
  void report_refused();
  void compact();
  void send(const dnsd::UpdateQueue::Item& item, std::span<const std::uint8_t> response);

  Runtime& runtime_;
  dnsd::UpdateQueue& queue_;
  UpdateLog log_;
  bool logging_ = false;  // update_log is open
  std::uint64_t compacted_size_ = 0;
  std::shared_ptr<const dnsd::update::Overlays> overlays_ =
      std::make_shared<const dnsd::update::Overlays>();
  dnsd::update::RateLimiter rate_;
  std::uint64_t dropped_reported_ = 0;     // queue_.full() at the last report
  std::uint64_t over_share_reported_ = 0;  // queue_.over_share() at the last report
  std::chrono::steady_clock::time_point dropped_logged_at_{};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace control
