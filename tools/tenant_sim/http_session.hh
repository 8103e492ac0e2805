// One HTTP/1.1 connection of the simulator, plain or TLS. Reads requests in a loop and asks a
// handler what to do with each: answer now, answer after a delay, or never answer (hang).
// Single-threaded io_context: no strands, no locks.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>

namespace tenant_sim {

namespace beast = boost::beast;
namespace http = beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Answer {
  // raw: `raw` is written as it is (a response Beast would not build), then the connection ends.
  // reset: the connection is closed with RST, unanswered (a per-client "refuse").
  enum class Kind { now, later, never, raw, reset } kind = Kind::now;
  Response response;
  std::chrono::milliseconds delay{0};
  std::shared_ptr<const std::string> raw;
};

// client: the peer's address as text ("127.0.0.21", "::1"; IPv4-mapped IPv6 as IPv4).
using Handler = std::function<Answer(const Request&, const std::string& client)>;

template <typename Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool k_tls = !std::is_same_v<Stream, beast::tcp_stream>;

  // listening: the flag of the listener opening that accepted this connection; once it is
  // false (refuse mode), the next request resets the connection instead of being answered.
  template <typename... StreamArgs>
  HttpSession(const Handler& handler, std::shared_ptr<const bool> listening, StreamArgs&&... args)
      : stream_(std::forward<StreamArgs>(args)...),
        delay_(stream_.get_executor()),
        handler_(handler),
        listening_(std::move(listening)),
        client_(peer_address()) {}

  void start() {
    if constexpr (k_tls) {
      stream_.async_handshake(boost::asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->read();  // failed handshakes just close
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->on_request();
                     });
  }

  void on_request() {
    if (!*listening_) return reset();
    answer_ = handler_(request_, client_);
    answer_.response.keep_alive(request_.keep_alive());
    answer_.response.prepare_payload();
    switch (answer_.kind) {
      case Answer::Kind::now:
        return write();
      case Answer::Kind::later:
        delay_.expires_after(answer_.delay);
        delay_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
          if (!ec) self->write();
        });
        return;
      case Answer::Kind::never:
        return hang();
      case Answer::Kind::raw:
        return write_raw();
      case Answer::Kind::reset:
        return reset();
    }
  }

  std::string peer_address() {
    beast::error_code ec;
    auto address = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec).address();
    if (ec) return {};
    if (address.is_v6() && address.to_v6().is_v4_mapped())
      address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
    return address.to_string();
  }

  // Keeps the socket open without answering, until the client gives up and closes it.
  void hang() {
    stream_.async_read_some(boost::asio::buffer(sink_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->hang();
                            });
  }

  void write() {
    http::async_write(stream_, answer_.response,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (self->answer_.response.keep_alive()) return self->read();
                        beast::error_code ignored;
                        beast::get_lowest_layer(self->stream_)
                            .socket()
                            .shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
                      });
  }

  void write_raw() {
    boost::asio::async_write(stream_, boost::asio::buffer(*answer_.raw),
                             [self = this->shared_from_this()](beast::error_code, std::size_t) {
                               beast::error_code ignored;
                               beast::get_lowest_layer(self->stream_).socket().close(ignored);
                             });
  }

  // Closes with RST (linger 0), as the kernel does for a connection to a process that is gone.
  void reset() {
    auto& socket = beast::get_lowest_layer(stream_).socket();
    beast::error_code ignored;
    socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  }

  Stream stream_;
  boost::asio::steady_timer delay_;
  const Handler& handler_;
  std::shared_ptr<const bool> listening_;
  std::string client_;
  beast::flat_buffer buffer_;
  Request request_;
  Answer answer_;
  char sink_[512];
};

}  // namespace tenant_sim
