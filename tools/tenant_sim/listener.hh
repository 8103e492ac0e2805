// Listener: one listening socket that hands each connection to an HttpSession. Can be closed
// and reopened on the same address at run time (the simulator's "refuse" mode).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>

#include "tools/tenant_sim/http_session.hh"

namespace tenant_sim {

class Listener {
 public:
  using tcp = boost::asio::ip::tcp;

  // tls may be null (plain HTTP). The handler must outlive the listener's sessions.
  Listener(boost::asio::io_context& io, tcp::endpoint where, boost::asio::ssl::context* tls,
           Handler handler);

  // Binds and listens; after the first open the real port (for port 0) is kept for reopening.
  beast::error_code open();
  // Stops listening, so new connects are refused. Connections accepted before are reset at
  // their next request, as a stopped tenant's would be: a client that keeps connections alive
  // sees the refusal too.
  void close();
  bool is_open() const { return acceptor_.is_open(); }
  tcp::endpoint where() const { return where_; }
  std::uint64_t connections() const { return connections_; }

 private:
  void accept();

  boost::asio::io_context& io_;
  tcp::endpoint where_;
  boost::asio::ssl::context* tls_;
  Handler handler_;
  tcp::acceptor acceptor_;
  // True while the current opening lasts; each session holds the flag of the opening that
  // accepted it (single-threaded, so a plain bool).
  std::shared_ptr<bool> listening_;
  std::uint64_t connections_ = 0;
};

}  // namespace tenant_sim
