// MultiDriver: runs one curl_multi through curl_multi_socket_action over epoll, with the c-ares
// sockets of a Resolver alongside, so one wait covers both libraries. Per wakeup, curl is told
// only about the sockets that are ready and its own timer; nothing walks every transfer.
// Single-threaded (the probe loop's thread), except wake().
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "probe/resolver.hh"

namespace probe {

class MultiDriver {
 public:
  using Clock = std::chrono::steady_clock;

  // max_connections sizes curl's cache of kept-alive connections; 0 (no transfers, only the
  // resolver) leaves libcurl unloaded. error() names libcurl when it could not be loaded.
  explicit MultiDriver(std::size_t max_connections);
  ~MultiDriver();
  MultiDriver(const MultiDriver&) = delete;
  MultiDriver& operator=(const MultiDriver&) = delete;

  CURLM* multi() const noexcept { return multi_; }
  // Adds and removes transfers; use these rather than curl_multi_add_handle, which would miss
  // the new-socket hook the epoll bookkeeping relies on.
  bool add(CURL* easy);
  void remove(CURL* easy);
  // Non-empty when the epoll or eventfd setup failed (wait() then only sleeps until `until`)
  // or libcurl could not be loaded.
  const std::string& error() const noexcept { return error_; }

  // Runs curl's expired timers: call after adding transfers (they are due at once) and before
  // reading finished ones, so new transfers start without a zero-timeout wait first.
  void run_timers();
  // Waits until a socket is ready, curl's or the resolver's timer runs out, `until` passes or
  // wake() is called; then lets curl and the resolver act on what happened. Read finished
  // transfers (curl_multi_info_read) before the next wait: one finished here is not looked at
  // again until some other event.
  void wait(Clock::time_point until, Resolver& resolver);
  // Ends the current or next wait early. Any thread.
  void wake() noexcept;

 private:
  // What the epoll set holds under one fd number, as far as curl's sockets go.
  struct Watch {
    bool in_set = false;
    bool parked = false;  // curl stopped watching it (idle in the cache) but it stays in the set
    std::uint32_t events = 0;
  };
  Watch& watch_of(int fd);
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketp);
  static int on_new_socket(void* self, curl_socket_t fd, curlsocktype purpose);
  void sync_resolver(const std::vector<ResolverSocket>& wanted);
  void serve_resolver(Resolver& resolver);

  CURLM* multi_ = nullptr;
  int epoll_ = -1;           // curl's sockets, the wake eventfd and resolver_epoll_
  int resolver_epoll_ = -1;  // c-ares' sockets, kept apart so a reused fd number never confuses
                             // the two libraries
  int wake_fd_ = -1;
  std::string error_;
  std::vector<ResolverSocket> resolver_registered_;
  std::vector<Watch> watches_;  // by fd number
};

}  // namespace probe
