// TCP service on Boost.Asio. Each session owns its buffers (allocated once per connection, not
// per query); reads, the engine and writes alternate, so pipelined queries are answered in order.
#include "dnsd/tcp_server.hh"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <list>

#include "dnsd/socket_address.hh"
#include "dnsd/transfer_server.hh"
#include "dnsd/xfr/transfer.hh"

namespace dnsd {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// At stop, how long a connection in the middle of a query may take to write its answer.
constexpr auto k_drain_limit = std::chrono::seconds(2);

class Session;
using Sessions = std::list<std::shared_ptr<Session>>;

// What every session of the server shares: the state slot, its reader number, the limits.
struct Shared {
  Serving& serving;
  std::size_t reader;
  std::chrono::milliseconds idle_timeout;
  std::size_t max_connections;
  QueryCounterBlock& counters;
  Sessions sessions;
  bool draining = false;  // stop() was called: no next query on any connection
  asio::steady_timer* drain_timer = nullptr;
  TransferServer* transfers = nullptr;  // where AXFR/IXFR connections go
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(shared) {}

  void start(Sessions::iterator self) {
    self_ = self;
    boost::system::error_code error;
    const auto peer = socket_.remote_endpoint(error);
    if (!error) client_ = Client{Transport::tcp, client_info(peer.data())};
    read_length();
  }
  Clock::time_point last_active() const { return last_active_; }
  bool busy() const { return busy_; }
  // Bytes the client sent that we have not read yet: a query that arrived before stop().
  bool input_waiting() {
    boost::system::error_code error;
    return socket_.available(error) > 0 && !error;
  }
  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    Shared& shared = shared_;
    shared.sessions.erase(self_);  // may drop the last owner: no member is used after this line
    if (shared.draining && shared.sessions.empty() && shared.drain_timer)
      shared.drain_timer->cancel();
  }

 private:
  void arm_idle_timer() {
    last_active_ = Clock::now();
    timer_.expires_after(shared_.idle_timeout);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
      // A later read may have moved the deadline; only a deadline really past closes.
      if (!error && self->timer_.expiry() <= Clock::now()) self->close();
    });
  }

  void read_length() {
    busy_ = false;
    if (shared_.draining) return close();  // the answer is out: the connection ends here
    arm_idle_timer();
    asio::async_read(
        socket_, asio::buffer(length_),
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
          if (error) return self->close();
          self->read_message(static_cast<std::size_t>(self->length_[0] << 8 | self->length_[1]));
        });
  }

  void read_message(std::size_t size) {
    busy_ = true;
    asio::async_read(
        socket_, asio::buffer(query_.data(), size),
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t size) {
          if (error) return self->close();
          self->respond(size);
        });
  }

  void respond(std::size_t size) {
    const auto query = std::span<const std::uint8_t>(query_.data(), size);
    if (shared_.transfers && xfr::is_transfer_query(query) && hand_off(query)) return;
    const Reply reply = answer(shared_.serving.enter(shared_.reader), scratch_,
                               std::span(query_.data(), size), client_);
    shared_.serving.leave(shared_.reader);  // the reply is in our scratch
    if (reply.kind != Reply::Kind::send) {
      shared_.counters.record_dropped();
      return read_length();  // nothing to say: next query
    }
    shared_.counters.record(reply.rcode, reply.qtype, reply.truncated);
    reply_length_[0] = static_cast<std::uint8_t>(reply.bytes.size() >> 8);
    reply_length_[1] = static_cast<std::uint8_t>(reply.bytes.size());
    const std::array<asio::const_buffer, 2> buffers{
        asio::buffer(reply_length_), asio::buffer(reply.bytes.data(), reply.bytes.size())};
    asio::async_write(
        socket_, buffers,
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
          if (error) return self->close();
          self->read_length();
        });
  }

  // The connection goes to the transfer thread, which answers this query and closes it; the
  // session ends here without closing the socket. False when the transfers are full.
  bool hand_off(std::span<const std::uint8_t> query) {
    boost::system::error_code error;
    timer_.cancel();
    const int fd = socket_.release(error);
    if (error) return false;
    if (!shared_.transfers->offer(fd, query, client_.info)) {
      socket_.assign(client_.info.is_ipv6 ? tcp::v6() : tcp::v4(), fd, error);
      if (error) {
        ::close(fd);
        close();
        return true;
      }
      arm_idle_timer();
      return false;
    }
    closed_ = true;
    shared_.sessions.erase(self_);  // may drop the last owner: no member is used after this line
    return true;
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  Shared& shared_;
  Sessions::iterator self_;
  Client client_;
  Clock::time_point last_active_ = Clock::now();
  bool busy_ = false;
  bool closed_ = false;
  std::array<std::uint8_t, 2> length_{};
  std::array<std::uint8_t, 2> reply_length_{};
  std::array<std::uint8_t, 65535> query_{};
  Scratch scratch_;
};

}  // namespace

struct TcpServer::Impl {
  Impl(Serving& serving, std::size_t reader, QueryCounters* counters)
      : listen(serving.current().server->listen),
        shared{serving,
               reader,
               serving.current().server->tcp_idle_timeout,
               serving.current().server->tcp_max_connections,
               counters && counters->tcp_threads() > 0 ? counters->tcp(0) : own_counters,
               {}} {}
  QueryCounterBlock own_counters;  // when the server was given no QueryCounters
  std::vector<ListenAddress> listen;
  Shared shared;
  asio::io_context io;
  asio::steady_timer drain_timer{io};
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;

  void accept(tcp::acceptor& acceptor) {
    acceptor.async_accept(
        [this, &acceptor](const boost::system::error_code& error, tcp::socket socket) {
          if (error == asio::error::operation_aborted) return;
          if (!error) {
            // Answers are written whole: Nagle would hold each one until the client's delayed ACK
            // (about 1 ms on Linux loopback, 40 ms elsewhere) when queries are pipelined.
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            admit(std::move(socket));
          }
          accept(acceptor);
        });
  }

  // At the cap, the connection idle the longest gives way (RFC 7766 §6.2.3 lets servers close
  // idle connections), so a flood of idle sockets cannot lock out real clients.
  void admit(tcp::socket socket) {
    auto& sessions = shared.sessions;
    if (sessions.size() >= shared.max_connections) {
      std::shared_ptr<Session> oldest;
      for (const auto& session : sessions)
        if (!session->busy() && (!oldest || session->last_active() < oldest->last_active()))
          oldest = session;
      if (!oldest) return;  // every connection is mid-query: refuse this one (socket closes)
      oldest->close();
    }
    auto session = std::make_shared<Session>(std::move(socket), shared);
    sessions.push_front(session);
    session->start(sessions.begin());
  }
};

TcpServer::TcpServer(Serving& serving, std::size_t reader, QueryCounters* counters)
    : impl_(std::make_unique<Impl>(serving, reader, counters)) {}

TcpServer::~TcpServer() { stop(); }

std::string TcpServer::bind() {
  for (const auto& listen : impl_->listen) {
    auto acceptor = std::make_unique<tcp::acceptor>(impl_->io);
    boost::system::error_code error;
    const tcp::endpoint endpoint(asio::ip::make_address(listen.address, error), listen.port);
    if (!error) acceptor->open(endpoint.protocol(), error);
    if (!error && endpoint.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), error);
    if (!error) acceptor->set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor->bind(endpoint, error);
    if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error)
      return fmt::format("cannot listen on {}/tcp: {}", format_address(listen), error.message());
    impl_->acceptors.push_back(std::move(acceptor));
  }
  return {};
}

void TcpServer::set_transfers(TransferServer* transfers) noexcept {
  impl_->shared.transfers = transfers;
}

void TcpServer::start() {
  for (auto& acceptor : impl_->acceptors) impl_->accept(*acceptor);
  thread_ = std::thread([this] { impl_->io.run(); });
}

void TcpServer::stop() {
  if (!impl_) return;
  asio::post(impl_->io, [this] {
    for (auto& acceptor : impl_->acceptors) {
      boost::system::error_code ignored;
      acceptor->close(ignored);
    }
    auto& shared = impl_->shared;
    shared.draining = true;
    // Idle connections go now; busy ones, and those with a query already received by the
    // kernel, close themselves once their answer is written.
    std::vector<std::shared_ptr<Session>> idle;
    for (const auto& session : shared.sessions)
      if (!session->busy() && !session->input_waiting()) idle.push_back(session);
    for (const auto& session : idle) session->close();
    if (shared.sessions.empty()) return;
    shared.drain_timer = &impl_->drain_timer;
    impl_->drain_timer.expires_after(k_drain_limit);
    impl_->drain_timer.async_wait([this](const boost::system::error_code&) {
      auto& sessions = impl_->shared.sessions;
      while (!sessions.empty()) sessions.front()->close();
    });
  });
  if (thread_.joinable()) thread_.join();
  impl_->io.stop();
}

}  // namespace dnsd
