// HttpServer: the admin API's HTTP/1.1 listener (Boost.Beast) on its own threads and
// io_context, so nothing it does can hold up a query thread. It only moves requests and
// responses; what they mean is the Handler's business (api.cc). It also keeps hostile clients
// from costing more than a bounded number of descriptors (see HttpLimits).
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace admin {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
// Called on a server thread: one request at a time per connection, but requests of different
// connections at once (a reload that takes seconds does not hold up /metrics).
using Handler = std::function<Response(const Request&)>;

// What one client may hold. At max_connections a new connection closes the oldest one still
// waiting for (or reading) a request, so idle clients cannot lock the operator out; if every
// connection is busy answering, the new one is closed instead. Independently of the cap, a
// connection is refused while its descriptor number is at or above three quarters of the soft
// RLIMIT_NOFILE: the rest is kept for DNS over TCP, probes and the state file.
struct HttpLimits {
  std::size_t max_connections = 64;
  std::chrono::milliseconds request_timeout{10'000};  // a whole request, keep-alive wait included
};

class HttpServer {
 public:
  explicit HttpServer(Handler handler, HttpLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns an error message, empty on success. Warns in the log when the
  // address is not a loopback one.
  std::string bind(const std::string& address, std::uint16_t port);
  void start();  // spawns the "dnsd-admin" threads
  void stop();   // closes the listener and every connection, joins; safe to call twice

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::thread> threads_;
};

}  // namespace admin
