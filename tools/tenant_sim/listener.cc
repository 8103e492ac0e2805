// Listener: accept loop, reopenable on the same address.
#include "tools/tenant_sim/listener.hh"

namespace tenant_sim {

Listener::Listener(boost::asio::io_context& io, tcp::endpoint where, boost::asio::ssl::context* tls,
                   Handler handler)
    : io_(io), where_(where), tls_(tls), handler_(std::move(handler)), acceptor_(io) {}

beast::error_code Listener::open() {
  beast::error_code ec;
  if (acceptor_.is_open()) return ec;
  acceptor_.open(where_.protocol(), ec);
  // Connections accepted earlier may sit in TIME_WAIT on this port; reopening must still work.
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(where_, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return ec;
  }
  where_ = acceptor_.local_endpoint();
  listening_ = std::make_shared<bool>(true);
  accept();
  return ec;
}

void Listener::close() {
  beast::error_code ignored;
  acceptor_.close(ignored);
  if (listening_) *listening_ = false;
}

void Listener::accept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // closed (refuse mode or shutdown): open() starts a new loop
    ++connections_;
    // Without NODELAY a TLS 1.3 response waits behind the session-ticket write for the client's
    // delayed ACK (~40 ms), which would blur every probe timing measured against the simulator.
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (tls_ != nullptr) {
      using Tls = beast::ssl_stream<beast::tcp_stream>;
      std::make_shared<HttpSession<Tls>>(handler_, listening_, std::move(socket), *tls_)->start();
    } else {
      std::make_shared<HttpSession<beast::tcp_stream>>(handler_, listening_, std::move(socket))
          ->start();
    }
    accept();
  });
}

}  // namespace tenant_sim
