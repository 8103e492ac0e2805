// HttpServer: the admin API's HTTP/1.1 listener (Boost.Beast) on its own threads and
// io_context, so nothing it does can hold up a query thread. It only moves requests and
// responses; what they mean is the Handler's business (api.cc).
#pragma once

#include <boost/beast/http.hpp>
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

class HttpServer {
 public:
  explicit HttpServer(Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns an error message, empty on success.
  std::string bind(const std::string& address, std::uint16_t port);
  void start();  // spawns the "dnsd-admin" threads
  void stop();   // closes the listener and every connection, joins; safe to call twice

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::thread> threads_;
};

}  // namespace admin
