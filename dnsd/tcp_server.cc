// TCP service on Boost.Asio. Each session owns its buffers (allocated once per connection, not
// per query); reads, the engine and writes alternate, so pipelined queries are answered in order,
// each as soon as it is whole, with a non-blocking read and write (a handler only when the
// kernel makes us wait).
// A session never reads past the message it is on, so a transfer request hands over a clean
// connection. Deadlines (issue 12, after Knot's tcp-idle-timeout and tcp-io-timeout): nothing
// received for tcp_idle_timeout closes; a message begun must be whole, and an answer must be
// taken by the kernel, within tcp_io_timeout. Who gets a slot is decided in tcp_admission.hh.
#include "dnsd/tcp_server.hh"

#include <fmt/format.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <list>

#include "dnsd/dnstap/tap.hh"
#include "dnsd/socket_address.hh"
#include "dnsd/tcp_admission.hh"
#include "dnsd/transfer_server.hh"
#include "dnsd/update_queue.hh"
#include "dnsd/xfr/transfer.hh"

namespace dnsd {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
namespace admission = tcp_admission;

namespace {

// At stop, how long a connection in the middle of a query may take to write its answer.
constexpr auto k_drain_limit = std::chrono::seconds(2);
// What the kernel may hold unsent per connection (it doubles this for its own bookkeeping):
// one largest answer and its length. Without a bound, a client that asks and never reads
// leaves megabytes in our send queue (about 2 MB each seen, issue 12).
constexpr int k_send_buffer = 2 + 65535;

class Session;
using Sessions = std::list<std::shared_ptr<Session>>;

// What every session of the server shares: the state slot, its reader number, the limits.
struct Shared {
  Serving& serving;
  std::size_t reader;
  std::chrono::milliseconds idle_timeout;
  std::chrono::milliseconds io_timeout;
  admission::Limits limits;
  QueryCounterBlock& counters;
  Sessions sessions;
  bool draining = false;  // stop() was called: no next query on any connection
  asio::steady_timer* drain_timer = nullptr;
  TransferServer* transfers = nullptr;  // where AXFR/IXFR connections go
  UpdateQueue* updates = nullptr;       // where UPDATE connections go
  dnstap::Tap* tap = nullptr;           // null unless [dnstap] is on
};

// Bytes we wrote that the client has not acknowledged (SIOCOUTQ): left there, they outlive
// the socket in FIN-WAIT-1 until the kernel gives up.
std::size_t unsent_bytes(int fd) {
  int queued = 0;
  return ::ioctl(fd, SIOCOUTQ, &queued) == 0 && queued > 0 ? static_cast<std::size_t>(queued) : 0;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const tcp::endpoint& peer, const routing::ClientInfo& client,
          Shared& shared)
      : socket_(std::move(socket)),
        peer_(peer),
        timer_(socket_.get_executor()),
        shared_(shared),
        client_{Transport::tcp, client},
        key_(admission::client_key(client)) {}

  void start(Sessions::iterator self) {
    self_ = self;
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);
    serve_available();
  }
  const admission::ClientKey& key() const { return key_; }
  bool busy() const { return phase_ != Phase::idle; }
  // Bytes the client sent that we have not read yet: a query that arrived before stop().
  bool input_waiting() {
    boost::system::error_code error;
    return socket_.available(error) > 0 && !error;
  }
  admission::Candidate candidate() {
    using admission::Standing;
    if (phase_ == Phase::writing || input_waiting()) return {Standing::answering, since_};
    return {phase_ == Phase::idle ? Standing::idle : Standing::partial, since_};
  }
  // Ends the connection. One whose answer is not written or not read yet is reset (SO_LINGER
  // 0), so the kernel drops what it still holds for the client instead of keeping it.
  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    if (phase_ == Phase::writing || unsent_bytes(socket_.native_handle()) > 0)
      socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    else
      socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    Shared& shared = shared_;
    shared.sessions.erase(self_);  // may drop the last owner: no member is used after this line
    if (shared.draining && shared.sessions.empty() && shared.drain_timer)
      shared.drain_timer->cancel();
  }

 private:
  enum class Phase : std::uint8_t { idle, reading, writing };

  // One timer per session, moved lazily: a later deadline is only noted (the timer fires at
  // the earlier one and re-arms itself), so a query answered at once costs no timer operation.
  // Re-arming on every step cost two timer updates and a cancelled handler per query.
  void set_deadline(Clock::time_point deadline) {
    deadline_ = deadline;
    if (timer_armed_ && timer_.expiry() <= deadline) return;
    timer_armed_ = true;
    timer_.expires_at(deadline);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
      if (error == asio::error::operation_aborted) return;  // a newer wait, or closing
      self->timer_armed_ = false;
      if (self->closed_) return;
      if (self->deadline_ <= Clock::now()) return self->close();
      self->set_deadline(self->deadline_);
    });
  }

  // Waits for the next bytes: the idle deadline between messages, the I/O one inside one.
  void wait_for_input() {
    if (phase_ == Phase::idle && shared_.draining) return close();  // answered: ends here
    set_deadline(phase_ == Phase::idle ? Clock::now() + shared_.idle_timeout
                                       : started_ + shared_.io_timeout);
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](const boost::system::error_code& error) {
                         if (error || self->closed_) return self->close();
                         self->serve_available();
                       });
  }

  // Answers every whole message the kernel already holds, reading no further than the message
  // it is on, then waits. Bytes already queued must be read before waiting: the reactor is
  // edge-triggered, so a wait would sleep until the client's next packet and leave a pipelined
  // query unanswered until then.
  void serve_available() {
    for (;;) {
      const std::size_t whole = filled_ < 2 ? 2 : 2 + message_size();
      if (filled_ == whole) {
        if (!respond()) return;                // handed off, closed, or the answer is being written
        if (shared_.draining) return close();  // answered: ends here
        continue;
      }
      boost::system::error_code error;
      const std::size_t got =
          socket_.read_some(asio::buffer(frame_.data() + filled_, whole - filled_), error);
      if (error == asio::error::would_block) return wait_for_input();
      if (error) return close();
      if (filled_ == 0) {
        phase_ = Phase::reading;
        started_ = Clock::now();
      }
      filled_ += got;
    }
  }

  std::size_t message_size() const { return static_cast<std::size_t>(frame_[0] << 8 | frame_[1]); }

  // Answers the message in frame_. True when the answer went to the kernel whole at once and
  // the next message may be read; false when the session continues elsewhere (a hand-off, a
  // close, or an answer the kernel could not take at once and that is written asynchronously).
  bool respond() {
    const auto query = std::span<const std::uint8_t>(frame_.data() + 2, message_size());
    filled_ = 0;
    if (shared_.transfers && xfr::is_transfer_query(query) &&
        hand_off([&](int fd) { return shared_.transfers->offer(fd, query, client_.info); }))
      return false;
    // An UPDATE that can never be applied is answered here, and the connection stays ours.
    std::size_t screened = 0;
    if (shared_.updates && is_update_request(query)) {
      std::uint64_t key_tag = 0;
      screened = shared_.updates->screen(shared_.serving.enter(shared_.reader).keys, client_.info,
                                         Transport::tcp, query, scratch_.response, key_tag);
      shared_.serving.leave(shared_.reader);
      if (screened == 0 && hand_off([&](int fd) {
            return shared_.updates->offer(Transport::tcp, fd, nullptr, 0, client_.info, query,
                                          key_tag);
          }))
        return false;
    }
    if (shared_.tap) [[unlikely]]
      shared_.tap->query(peer_.data(), Transport::tcp, query);
    Reply reply;
    if (screened != 0) {
      reply = {.kind = Reply::Kind::send,
               .rcode = static_cast<std::uint16_t>(scratch_.response[3] & 0xf),
               .bytes = std::span(scratch_.response).first(screened)};
    } else {
      reply = answer(shared_.serving.enter(shared_.reader), scratch_,
                     std::span(frame_.data() + 2, query.size()), client_);
      shared_.serving.leave(shared_.reader);  // the reply is in our scratch
    }
    if (reply.kind != Reply::Kind::send) {
      shared_.counters.record_dropped();
      answered();  // nothing to say: next query
      return true;
    }
    shared_.counters.record(reply.rcode, reply.qtype, reply.truncated);
    if (shared_.tap) [[unlikely]]
      shared_.tap->response(peer_.data(), Transport::tcp, reply.bytes);
    reply_length_[0] = static_cast<std::uint8_t>(reply.bytes.size() >> 8);
    reply_length_[1] = static_cast<std::uint8_t>(reply.bytes.size());
    const std::array<asio::const_buffer, 2> buffers{
        asio::buffer(reply_length_), asio::buffer(reply.bytes.data(), reply.bytes.size())};
    // Most answers fit the socket's buffer: one non-blocking write, no handler, no deadline.
    boost::system::error_code error;
    const std::size_t written = socket_.write_some(buffers, error);
    if (error && error != asio::error::would_block) {
      close();
      return false;
    }
    if (written == 2 + reply.bytes.size()) {
      answered();
      return true;
    }
    // The rest waits for the client to read, within tcp_io_timeout.
    phase_ = Phase::writing;
    set_deadline(Clock::now() + shared_.io_timeout);
    const std::size_t length_left = written < 2 ? 2 - written : 0;
    const std::size_t body_done = written < 2 ? 0 : written - 2;
    const std::array<asio::const_buffer, 2> rest{
        asio::buffer(reply_length_.data() + (2 - length_left), length_left),
        asio::buffer(reply.bytes.data() + body_done, reply.bytes.size() - body_done)};
    asio::async_write(
        socket_, rest,
        [self = shared_from_this()](const boost::system::error_code& write_error, std::size_t) {
          if (write_error || self->closed_) return self->close();
          self->answered();
          if (self->shared_.draining) return self->close();  // answered: ends here
          self->serve_available();
        });
    return false;
  }

  void answered() {
    phase_ = Phase::idle;
    since_ = Clock::now();
  }

  // The connection goes to the transfer or update thread, which answers this query and closes
  // it; the session ends here without closing the socket. False when that thread is full.
  template <typename Offer>
  bool hand_off(Offer offer) {
    boost::system::error_code error;
    timer_.cancel();
    timer_armed_ = false;  // the cancelled wait's handler returns without touching the session
    const int fd = socket_.release(error);
    if (error) return false;
    if (!offer(fd)) {
      socket_.assign(client_.info.is_ipv6 ? tcp::v6() : tcp::v4(), fd, error);
      if (error) {
        ::close(fd);
        close();
        return true;
      }
      socket_.non_blocking(true, error);
      return false;
    }
    closed_ = true;
    shared_.sessions.erase(self_);  // may drop the last owner: no member is used after this line
    return true;
  }

  tcp::socket socket_;
  tcp::endpoint peer_;  // for dnstap (client_ keeps the address only)
  asio::steady_timer timer_;
  Shared& shared_;
  Sessions::iterator self_;
  Client client_;
  admission::ClientKey key_;
  Phase phase_ = Phase::idle;
  Clock::time_point since_ = Clock::now();  // accepted, or the last answer written
  Clock::time_point started_;               // the first bytes of the current message came
  Clock::time_point deadline_;              // when this session closes unless it moves on
  bool timer_armed_ = false;                // timer_ has a wait pending (at or before deadline_)
  bool closed_ = false;
  std::size_t filled_ = 0;  // bytes of the current message (length included) in frame_
  std::array<std::uint8_t, 2> reply_length_{};
  std::array<std::uint8_t, 2 + 65535> frame_{};
  Scratch scratch_;
};

}  // namespace

struct TcpServer::Impl {
  Impl(Serving& serving, std::size_t reader, QueryCounters* counters)
      : listen(serving.current().server->listen),
        shared{serving,
               reader,
               serving.current().server->tcp_idle_timeout,
               serving.current().server->tcp_io_timeout,
               admission::limits(serving.current().server->tcp_max_connections,
                                 serving.current().server->tcp_max_connections_per_client),
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
            socket.set_option(asio::socket_base::send_buffer_size(k_send_buffer), ignored);
            admit(std::move(socket));
          }
          accept(acceptor);
        });
  }

  // A slot for the newcomer, making room by the rules of tcp_admission.hh: the connection
  // that has been of no use the longest gives way, among the client's own when it holds too
  // many, among everyone's when the cap is reached. One that is answering never does: then
  // the newcomer is refused (its socket closes here).
  void admit(tcp::socket socket) {
    boost::system::error_code error;
    const auto peer = socket.remote_endpoint(error);
    if (error) return;
    const routing::ClientInfo client = client_info(peer.data());
    const auto key = admission::client_key(client);
    auto& sessions = shared.sessions;
    unsigned own = 0;
    for (const auto& session : sessions) own += session->key() == key;
    const auto scope =
        admission::eviction_scope(shared.limits, static_cast<unsigned>(sessions.size()), own);
    if (scope != admission::Scope::none) {
      std::shared_ptr<Session> victim;
      admission::Candidate worst;
      for (const auto& session : sessions) {
        if (scope == admission::Scope::own && !(session->key() == key)) continue;
        const auto candidate = session->candidate();
        if (!victim || admission::closes_before(candidate, worst)) {
          victim = session;
          worst = candidate;
        }
      }
      if (!victim || worst.standing == admission::Standing::answering) return;
      victim->close();
    }
    auto session = std::make_shared<Session>(std::move(socket), peer, client, shared);
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

void TcpServer::set_updates(UpdateQueue* updates) noexcept { impl_->shared.updates = updates; }
void TcpServer::set_dnstap(dnstap::Tap* tap) noexcept { impl_->shared.tap = tap; }

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
