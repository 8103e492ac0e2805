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
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace admin {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// A response that goes on after its head (server-sent events). The session writes the head,
// then whatever read() has each time it is woken, and a keepalive comment when there has been
// nothing for keepalive_interval(). It holds no thread while it waits and no connection slot
// (the handler bounds how many streams there are). A client that does not read is dropped once
// a write has waited the write deadline (10 s), or as soon as read() says it fell behind.
class Stream {
 public:
  virtual ~Stream() = default;
  // On the session's strand: the text ready now ("" for none); nullopt ends the stream.
  virtual std::optional<std::string> read() = 0;
  // Called once, before the first read(): `wake` (callable from any thread, non-blocking)
  // is to be called whenever read() may have more, until the Stream is destroyed.
  virtual void on_ready(std::function<void()> wake) = 0;
  virtual std::chrono::milliseconds keepalive_interval() const { return std::chrono::seconds(15); }
};

// Called on a server thread: one request at a time per connection, but requests of different
// connections at once (a reload that takes seconds does not hold up /metrics). To answer with
// a stream, the handler sets *stream and returns the head (its body is not sent).
using Handler = std::function<Response(const Request&, std::unique_ptr<Stream>* stream)>;

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
