// HttpServer: accept loop and keep-alive sessions with Beast's callback API (Boost 1.74 has no
// usable coroutines here, see the top CMakeLists.txt). Each read and write has a deadline, and
// request bodies are capped, so a slow or hostile client costs one socket and nothing more.
#include "admin/http_server.hh"

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <chrono>
#include <optional>

#include "logging/log.hh"

namespace admin {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr auto k_io_deadline = std::chrono::seconds(10);
constexpr std::size_t k_max_body = 64 * 1024;
// One thread may sit in a reload for seconds (a big zone), a second reload may wait for it, and
// the last still answers /metrics and the status.
constexpr int k_threads = 3;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handler& handler)
      : stream_(std::move(socket)), handler_(handler) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(k_max_body);
    stream_.expires_after(k_io_deadline);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec) return close();
    const Request request = parser_->release();
    response_ = handle(request);
    response_.keep_alive(request.keep_alive());
    response_.prepare_payload();
    stream_.expires_after(k_io_deadline);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->response_.keep_alive()) return self->close();
                        self->read();
                      });
  }

  Response handle(const Request& request) {
    try {
      return handler_(request);
    } catch (const std::exception& e) {
      Response response{http::status::internal_server_error, request.version()};
      response.set(http::field::content_type, "application/json");
      response.body() = R"({"error":"internal error"})";
      logging::error("admin: internal error: {}", e.what());
      return response;
    }
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  const Handler& handler_;
};

}  // namespace

struct HttpServer::Impl {
  explicit Impl(Handler h) : handler(std::move(h)) {}

  void accept() {
    acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;
      if (!ec) std::make_shared<Session>(std::move(socket), handler)->read();
      accept();
    });
  }

  Handler handler;
  net::io_context io{k_threads};
  tcp::acceptor acceptor{io};
};

HttpServer::HttpServer(Handler handler) : impl_(std::make_unique<Impl>(std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::bind(const std::string& address, std::uint16_t port) {
  beast::error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec) return fmt::format("admin: bad listen address {}: {}", address, ec.message());
  const tcp::endpoint endpoint{ip, port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fmt::format("admin: cannot listen on {}:{}: {}", address, port, ec.message());
  return {};
}

void HttpServer::start() {
  if (!threads_.empty()) return;
  impl_->accept();
  for (int i = 0; i < k_threads; ++i) {
    threads_.emplace_back([this] { impl_->io.run(); });
    pthread_setname_np(threads_.back().native_handle(), "dnsd-admin");
  }
}

void HttpServer::stop() {
  if (threads_.empty()) return;
  net::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->io.stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace admin
