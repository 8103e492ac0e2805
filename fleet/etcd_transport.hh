// EtcdTransport: POSTs to etcd's JSON gateway with libcurl: which endpoint to use and when to move
// on, TLS, the auth token, and stopping. Knows the gateway's paths and answers only as JSON.
// Thread safety: call(), stream() and authenticate() may run on several threads at once, each on
// a curl handle of its own (taken from a pool, so connections are reused); stop() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/etcd_json.hh"
#include "fleet/etcd_options.hh"

namespace fleet {

struct CurlChannel;  // fleet/etcd_transport.cc: one easy handle inside its own multi handle

class EtcdTransport {
 public:
  explicit EtcdTransport(EtcdOptions options);
  ~EtcdTransport();
  EtcdTransport(const EtcdTransport&) = delete;
  EtcdTransport& operator=(const EtcdTransport&) = delete;

  // One request, answered by one JSON object. Moves on to the next endpoint on a connection
  // error or an "unavailable" answer, round after round, until one answers or `timeout` has
  // passed since the call began (every endpoint is tried at least once). Authenticates when the
  // token is missing or expired. answer is set when the result is "".
  std::string call(std::string_view path, const std::string& body, nlohmann::json& answer);

  // How one attempt ended, for the caller's retry loop.
  struct Attempt {
    etcd_json::Failure failure = etcd_json::Failure::none;  // none: ok, or stopped()
    std::string error;
  };
  // A streaming POST to the endpoint `endpoint` (an index) that calls on_object for every JSON
  // object received, on this thread, until the stream ends, on_object returns false, the stream
  // stays silent for options.watch_silence, or stop(). Connection errors are `unavailable`.
  Attempt stream(std::size_t endpoint, std::string_view path, const std::string& body,
                 const std::function<bool(const nlohmann::json&)>& on_object);
  // Gets a token from `endpoint` unless one is held (no-op without a user). A refused user or
  // password is Failure::other.
  Attempt ensure_token(std::size_t endpoint);
  // Drops the token, expired or revoked, so that the next ensure_token() gets a new one.
  void forget_token();

  // The endpoint calls start with; failed(i) moves it past i (unless another thread already did).
  std::size_t current() const noexcept { return current_.load(std::memory_order_relaxed); }
  void failed(std::size_t endpoint) noexcept;
  std::size_t endpoint_count() const noexcept { return options_.endpoints.size(); }
  const EtcdOptions& options() const noexcept { return options_; }

  void stop();
  bool stopped() const noexcept { return stopped_.load(std::memory_order_acquire); }
  // Waits `pause` or until stop(); false when stopped.
  bool pause(std::chrono::milliseconds pause);

 private:
  Attempt once(std::size_t endpoint, std::string_view path, const std::string& body,
               nlohmann::json& answer);
  Attempt perform(std::size_t endpoint, std::string_view path, const std::string& body,
                  bool streaming, const std::function<bool(std::string_view)>& on_object);
  std::unique_ptr<CurlChannel> take_channel();
  void give_back(std::unique_ptr<CurlChannel> channel);
  Attempt authenticate(std::size_t endpoint);
  std::string token() const;

  const EtcdOptions options_;
  std::atomic<std::size_t> current_{0};
  std::atomic<bool> stopped_{false};

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable stop_signal_;
  std::vector<std::unique_ptr<CurlChannel>> idle_;
  std::vector<CurlChannel*> busy_;  // woken by stop()
  std::string token_;               // never logged, never in an error
};

}  // namespace fleet
