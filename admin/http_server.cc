// HttpServer: accept loop and keep-alive sessions with Beast's callback API (Boost 1.74 has no
// usable coroutines here, see the top CMakeLists.txt). Each read and write has a deadline,
// request bodies are capped, connections are counted and descriptors budgeted, and the accept
// loop backs off when the process is out of descriptors, so a slow or hostile client costs a
// bounded number of sockets and no CPU.
#include "admin/http_server.hh"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <list>
#include <mutex>
#include <optional>

#include "logging/log.hh"
#include "service/thread_priority.hh"

namespace admin {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr auto k_write_deadline = std::chrono::seconds(10);
constexpr std::size_t k_max_body = 64 * 1024;
// One thread may sit in a reload for seconds (a big zone), a second reload may wait for it, and
// the last still answers /metrics and the status.
constexpr int k_threads = 3;
// After EMFILE/ENFILE the pending connection stays in the backlog and the listener stays
// readable: accepting again at once would spin a core. Wait this long instead.
constexpr auto k_accept_backoff = std::chrono::milliseconds(100);
constexpr auto k_warning_interval = std::chrono::seconds(10);

// A warning said at most once per interval, with how many were not said since: an attack must
// not flood the log either.
class ThrottledWarning {
 public:
  template <typename... Args>
  void say(fmt::format_string<Args...> format, Args&&... args) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (said_ && now - last_ < k_warning_interval) {
      ++quiet_;
      return;
    }
    std::string line = fmt::format(format, std::forward<Args>(args)...);
    if (quiet_ > 0) line += fmt::format(" ({} more since the last warning)", quiet_);
    logging::warning("{}", line);
    said_ = true;
    last_ = now;
    quiet_ = 0;
  }

 private:
  std::mutex mutex_;
  bool said_ = false;
  std::chrono::steady_clock::time_point last_;
  std::size_t quiet_ = 0;
};

// Linux hands out the lowest free descriptor, so a new socket numbered fd means fds 0..fd-1 are
// all in use: refusing at three quarters of the soft limit keeps a quarter for everything else.
bool over_descriptor_budget(int fd) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return false;
  return static_cast<rlim_t>(fd) >= limit.rlim_cur / 4 * 3;
}

bool out_of_descriptors(const beast::error_code& ec) {
  return ec == net::error::no_descriptors ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == net::error::no_buffer_space || ec == net::error::no_memory;
}

class Session;

// The open sessions in accept order, so that the oldest idle one can make room for a new one.
// Touched by the accept handler and by session destructors (admin threads only).
class Registry {
 public:
  explicit Registry(std::size_t max) : max_(max) {}
  enum class Room { free, made, none };
  // Room for one more session: free, made by closing the oldest session that waits for a
  // request, or none when all max_ sessions are busy answering.
  Room make_room();
  void add(const std::shared_ptr<Session>& session);
  void remove(Session* session);

 private:
  struct Entry {
    Session* session;
    std::weak_ptr<Session> alive;
  };
  std::mutex mutex_;
  std::list<Entry> entries_;
  std::size_t max_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handler& handler, const HttpLimits& limits, Registry& registry)
      : stream_(std::move(socket)), handler_(handler), limits_(limits), registry_(registry) {}
  ~Session() {
    registry_.remove(this);
    wipe_buffer();
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(k_max_body);
    reading_ = true;
    stream_.expires_after(limits_.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  bool reading() const noexcept { return reading_; }

  // From the accept handler's thread: the close runs on this session's strand.
  void evict() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->stream_.close(); });
  }

 private:
  friend class Registry;

  void on_read(beast::error_code ec) {
    reading_ = false;
    if (ec) return close();
    Request request = parser_->release();
    std::unique_ptr<Stream> stream;
    response_ = handle(request, &stream);
    wipe_credentials(request);
    if (stream) return start_stream(std::move(stream));
    response_.keep_alive(request.keep_alive());
    response_.prepare_payload();
    stream_.expires_after(k_write_deadline);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->response_.keep_alive()) return self->close();
                        self->read();
                      });
  }

  Response handle(const Request& request, std::unique_ptr<Stream>* stream) {
    try {
      return handler_(request, stream);
    } catch (const std::exception& e) {
      Response response{http::status::internal_server_error, request.version()};
      response.set(http::field::content_type, "application/json");
      response.body() = R"({"error":"internal error"})";
      logging::error("admin: internal error: {}", e.what());
      return response;
    }
  }

  // The bearer token arrives in every request: its copies in the header field and in the read
  // buffer are wiped once the request is handled, or each request would leave one more in freed
  // memory (a core dump held them; integration.secrets counts them).
  void wipe_credentials(Request& request) noexcept {
    for (auto& field : request) {
      if (field.name() != http::field::authorization && field.name() != http::field::cookie)
        continue;
      const auto value = field.value();
      OPENSSL_cleanse(const_cast<char*>(value.data()), value.size());  // the field's own storage
    }
    wipe_buffer();
  }

  // Every byte of the read buffer but those not yet parsed (a pipelined request).
  void wipe_buffer() noexcept {
    auto spare = buffer_.prepare(buffer_.capacity() - buffer_.size());
    OPENSSL_cleanse(spare.data(), spare.size());
    buffer_.commit(0);
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // A stream leaves the registry (the handler bounds streams; they must not crowd out requests)
  // and its wake only cancels the idle timer, on this session's strand.
  void start_stream(std::unique_ptr<Stream> stream) {
    source_ = std::move(stream);
    registry_.remove(this);
    head_.emplace(std::move(response_.base()));
    head_->keep_alive(false);  // the body ends when the connection does
    std::weak_ptr<Session> weak = shared_from_this();
    source_->on_ready([weak, executor = stream_.get_executor()] {
      net::post(executor, [weak] {
        if (auto self = weak.lock()) self->idle_.cancel();
      });
    });
    stream_.expires_after(k_write_deadline);
    http::async_write(stream_, *head_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->end_stream();
                        self->pump();
                      });
  }

  // Writes what the stream has, or waits for a wake or the keepalive interval. One write at a
  // time: what comes meanwhile waits in the stream's source, not here.
  void pump() {
    if (ended_) return;
    auto text = source_->read();
    if (!text) return end_stream();
    if (text->empty()) {
      idle_.expires_after(source_->keepalive_interval());
      idle_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (self->ended_) return;
        if (ec) return self->pump();  // woken: read again
        self->send(": keepalive\n\n");
      });
      return;
    }
    send(std::move(*text));
  }

  void send(std::string text) {
    out_ = std::move(text);
    stream_.expires_after(k_write_deadline);
    net::async_write(stream_, net::buffer(out_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->end_stream();  // gone, or not reading (deadline)
                       self->stream_.expires_never();
                       self->pump();
                     });
  }

  void end_stream() {
    ended_ = true;
    idle_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  const Handler& handler_;
  const HttpLimits& limits_;
  Registry& registry_;
  std::atomic<bool> reading_{false};
  bool registered_ = false;  // guarded by the Registry's mutex
  // Streaming only (after start_stream), touched on this session's strand.
  std::unique_ptr<Stream> source_;
  std::optional<http::response<http::empty_body>> head_;
  std::string out_;
  net::steady_timer idle_{stream_.get_executor()};
  bool ended_ = false;
};

Registry::Room Registry::make_room() {
  std::shared_ptr<Session> victim;  // dropped after the lock is: ~Session takes the lock
  std::lock_guard lock(mutex_);
  if (entries_.size() < max_) return Room::free;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    // A registered session's memory stays valid while we hold the lock (~Session waits for it).
    if (!it->session->reading()) continue;
    victim = it->alive.lock();
    if (!victim) continue;
    victim->registered_ = false;
    entries_.erase(it);
    victim->evict();
    return Room::made;
  }
  return Room::none;
}

void Registry::add(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  entries_.push_back({session.get(), session});
  session->registered_ = true;
}

void Registry::remove(Session* session) {
  std::lock_guard lock(mutex_);
  if (!session->registered_) return;
  entries_.remove_if([session](const Entry& entry) { return entry.session == session; });
}

}  // namespace

struct HttpServer::Impl {
  Impl(Handler h, HttpLimits l) : handler(std::move(h)), limits(l), registry(l.max_connections) {}

  // The acceptor is touched only on accept_strand: its completion, its re-arming, the back-off
  // and stop()'s close. With two admin threads, a close running beside a re-arm left asio's
  // reactor state null under the accept (UBSan saw it at SIGTERM).
  void accept() {
    acceptor.async_accept(
        net::make_strand(io),
        net::bind_executor(accept_strand, [this](beast::error_code ec, tcp::socket socket) {
          if (!acceptor.is_open()) return;
          if (!ec && socket.is_open()) {
            admit(std::move(socket));
          } else if (out_of_descriptors(ec)) {
            out_of_fds.say("admin: cannot accept a connection: {}; trying again in {} ms",
                           ec.message(), k_accept_backoff.count());
            backoff.expires_after(k_accept_backoff);
            backoff.async_wait(net::bind_executor(accept_strand, [this](beast::error_code wait_ec) {
              if (!wait_ec && acceptor.is_open()) accept();
            }));
            return;
          }
          accept();
        }));
  }

  // A socket dropped here is closed by its destructor.
  void admit(tcp::socket socket) {
    if (over_descriptor_budget(socket.native_handle())) {
      refused.say(
          "admin: connection refused: descriptor {} is past three quarters of the limit, "
          "kept for DNS and probes",
          socket.native_handle());
      return;
    }
    const Registry::Room room = registry.make_room();
    if (room == Registry::Room::none) {
      refused.say("admin: connection refused: all {} connections (max_connections) are busy",
                  limits.max_connections);
      return;
    }
    if (room == Registry::Room::made)
      evicted.say("admin: {} connections open (max_connections): closed the oldest idle one",
                  limits.max_connections);
    auto session = std::make_shared<Session>(std::move(socket), handler, limits, registry);
    registry.add(session);
    session->read();
  }

  // Destroyed last to first: sessions still owned by io's handlers unregister as io goes.
  Handler handler;
  HttpLimits limits;
  Registry registry;
  ThrottledWarning out_of_fds, refused, evicted;
  net::io_context io{k_threads};
  net::strand<net::io_context::executor_type> accept_strand{io.get_executor()};
  tcp::acceptor acceptor{io};
  net::steady_timer backoff{io};
};

HttpServer::HttpServer(Handler handler, HttpLimits limits)
    : impl_(std::make_unique<Impl>(std::move(handler), limits)) {}

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
  if (!ip.is_loopback())
    logging::warning(
        "admin: the API listens on {} port {}, beyond loopback: anyone who reaches it may try "
        "tokens, and HTTP carries the token in clear text; prefer 127.0.0.1 behind a TLS proxy",
        address, port);
  return {};
}

void HttpServer::start() {
  if (!threads_.empty()) return;
  impl_->accept();
  for (int i = 0; i < k_threads; ++i) {
    threads_.emplace_back([this] {
      service::run_in_background("dnsd-admin");  // the API waits; queries do not
      impl_->io.run();
    });
  }
}

void HttpServer::stop() {
  if (threads_.empty()) return;
  net::post(impl_->accept_strand, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->backoff.cancel();
  });
  impl_->io.stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace admin
