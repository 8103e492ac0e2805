// TCP service on Boost.Asio. Each session owns its buffers (allocated once per connection, not
// per query). A wake-up reads what the kernel holds (as much as fits), answers every whole
// message in order and writes their answers in one call, with non-blocking reads and writes (a
// handler only when the kernel makes us wait): pipelined queries cost one read and one write
// per batch, not per query. A transfer or UPDATE request hands its connection over after the
// answers before it are written; that thread answers it and closes the connection, so what a
// client pipelines behind it is not answered.
// Deadlines (issue 12, after Knot's tcp-idle-timeout and tcp-io-timeout): nothing received for
// tcp_idle_timeout closes; a message begun must be whole, and answers must be taken by the
// kernel, within tcp_io_timeout. Who gets a slot is decided in tcp_admission.hh.
#include "dnsd/tcp_server.hh"

#include <fmt/format.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cstring>
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
  // Where the engine answers; every session's answer is copied out at once (one thread).
  Scratch scratch{};
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
  bool busy() const { return writing_ || filled_ > 0; }
  // Bytes the client sent that we have not read yet: a query that arrived before stop().
  bool input_waiting() {
    boost::system::error_code error;
    return socket_.available(error) > 0 && !error;
  }
  admission::Candidate candidate() {
    using admission::Standing;
    if (writing_ || input_waiting()) return {Standing::answering, since_};
    return {filled_ == 0 ? Standing::idle : Standing::partial, since_};
  }
  // Ends the connection. One whose answer is not written or not read yet is reset (SO_LINGER
  // 0), so the kernel drops what it still holds for the client instead of keeping it.
  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    if (writing_ || unsent_bytes(socket_.native_handle()) > 0)
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

  // Waits for the next bytes and reads them: the idle deadline between messages, the I/O one
  // inside one. Asio's read (async_read_some), not its wait: a wait re-arms the socket in
  // epoll every time (epoll_ctl, which takes the epoll lock and polls the socket), a read
  // first tries the socket (a recv that finds it empty after a short read); then the reactor
  // reads for us when the bytes come.
  void wait_for_input() {
    if (filled_ == 0 && shared_.draining) return close();  // answered: ends here
    set_deadline(filled_ == 0 ? Clock::now() + shared_.idle_timeout
                              : started_ + shared_.io_timeout);
    const std::size_t room = in_.size() - filled_;
    socket_.async_read_some(
        asio::buffer(in_.data() + filled_, room),
        [self = shared_from_this(), room](const boost::system::error_code& error, std::size_t got) {
          if (error || self->closed_) return self->close();
          self->took(got, room);
          self->serve_available();
        });
  }

  // One wake-up: answers every whole message buffered, writes the answers in one call, reads
  // what the kernel holds (as much as fits), and so on until a read comes back short, then
  // waits. A short read has emptied the socket's queue, so the edge-triggered reactor reports
  // the next bytes (Asio's own reads and nginx's recv rely on the same); a read that filled
  // the buffer may have left more, which must be read before waiting or a pipelined query
  // would sleep until the client's next packet.
  void serve_available() {
    for (;;) {
      if (!answer_buffered()) return;  // handed off, closed, or answers being written
      if (!flush()) return;            // the rest is written asynchronously
      if (drained_) return wait_for_input();
      const std::size_t room = in_.size() - filled_;
      boost::system::error_code error;
      const std::size_t got = socket_.read_some(asio::buffer(in_.data() + filled_, room), error);
      if (error == asio::error::would_block) return wait_for_input();
      if (error) return close();
      took(got, room);
    }
  }

  // `got` bytes were read into in_ where `room` bytes were free.
  void took(std::size_t got, std::size_t room) {
    last_read_ = Clock::now();
    if (filled_ == 0) started_ = last_read_;
    filled_ += got;
    drained_ = got < room;
  }

  // Answers the whole messages at the front of in_, in order, queuing the answers in out_.
  // False when the session continues elsewhere: a hand-off, a close, or answers written
  // asynchronously (the messages not answered yet stay in in_ for the write's handler).
  bool answer_buffered() {
    std::size_t head = 0;
    while (filled_ - head >= 2) {
      const std::size_t size = static_cast<std::size_t>(in_[head] << 8 | in_[head + 1]);
      if (filled_ - head < 2 + size) break;
      // Room for the largest answer first: the engine answers into the scratch every session
      // shares, so the answer is copied to out_ before anything can wait.
      // Transfer and UPDATE requests may go to their own threads: the answers queued before
      // them are written first.
      const bool hand_off_candidate = is_hand_off_candidate(in_.data() + head + 2, size);
      if (hand_off_candidate || out_.size() - out_filled_ < 2 + 65535) {
        consume(head);
        head = 0;
        if (!flush()) return false;  // the write's handler comes back here
        if (hand_off_candidate && hand_off_now(std::span(in_.data() + 2, size))) return false;
      }
      respond(std::span(in_.data() + head + 2, size));
      head += 2 + size;
      if (shared_.draining) {  // answered: ends here, once this answer is written
        if (flush()) close();
        return false;
      }
    }
    consume(head);
    return true;
  }

  bool is_hand_off_candidate(const std::uint8_t* message, std::size_t size) const {
    const auto request = std::span(message, size);
    return (shared_.transfers && xfr::is_transfer_query(request)) ||
           (shared_.updates && is_update_request(request));
  }

  // Drops the `head` bytes answered and moves the rest to the front. What follows an answered
  // message came with a read since that message was whole, usually the last one: the I/O
  // deadline of a partial message runs from the last read.
  void consume(std::size_t head) {
    if (head == 0) return;
    filled_ -= head;
    if (filled_ > 0) {
      std::memmove(in_.data(), in_.data() + head, filled_);
      started_ = last_read_;
    }
  }

  // The request at the front of in_ goes to the transfer or update thread if it takes it
  // (true: the session has ended); else it is answered here like any other.
  bool hand_off_now(std::span<const std::uint8_t> query) {
    if (shared_.transfers && xfr::is_transfer_query(query))
      return hand_off([&](int fd) { return shared_.transfers->offer(fd, query, client_.info); });
    // An UPDATE that can never be applied is answered here, and the connection stays ours.
    std::uint64_t key_tag = 0;
    screened_ = shared_.updates->screen(shared_.serving.enter(shared_.reader).keys, client_.info,
                                        Transport::tcp, query, shared_.scratch.response, key_tag);
    shared_.serving.leave(shared_.reader);
    return screened_ == 0 && hand_off([&](int fd) {
             return shared_.updates->offer(Transport::tcp, fd, nullptr, 0, client_.info, query,
                                           key_tag);
           });
  }

  // Answers one message and queues the answer (its length first) in out_.
  void respond(std::span<const std::uint8_t> query) {
    if (shared_.tap) [[unlikely]]
      shared_.tap->query(peer_.data(), Transport::tcp, query);
    Reply reply;
    if (screened_ != 0) {  // hand_off_now() answered it
      reply = {.kind = Reply::Kind::send,
               .rcode = static_cast<std::uint16_t>(shared_.scratch.response[3] & 0xf),
               .bytes = std::span(shared_.scratch.response).first(screened_)};
      screened_ = 0;
    } else {
      reply = answer(shared_.serving.enter(shared_.reader), shared_.scratch, query, client_);
      shared_.serving.leave(shared_.reader);  // the reply is in the shared scratch
    }
    if (reply.kind != Reply::Kind::send) {
      shared_.counters.record_dropped();
      return;
    }
    shared_.counters.record(reply.rcode, reply.qtype, reply.truncated);
    if (shared_.tap) [[unlikely]]
      shared_.tap->response(peer_.data(), Transport::tcp, reply.bytes);
    out_[out_filled_] = static_cast<std::uint8_t>(reply.bytes.size() >> 8);
    out_[out_filled_ + 1] = static_cast<std::uint8_t>(reply.bytes.size());
    std::memcpy(out_.data() + out_filled_ + 2, reply.bytes.data(), reply.bytes.size());
    out_filled_ += 2 + reply.bytes.size();
  }

  // Gives the queued answers to the kernel, all in one call: pipelined queries that came in
  // one read cost one write. True when it took them all; false when the rest waits for the
  // client to read (written asynchronously, within tcp_io_timeout) or the connection closed.
  bool flush() {
    if (out_filled_ == 0) return true;
    boost::system::error_code error;
    const std::size_t written = socket_.write_some(asio::buffer(out_.data(), out_filled_), error);
    if (error && error != asio::error::would_block) {
      close();
      return false;
    }
    if (written == out_filled_) {
      written_all();
      return true;
    }
    writing_ = true;
    set_deadline(Clock::now() + shared_.io_timeout);
    asio::async_write(
        socket_, asio::buffer(out_.data() + written, out_filled_ - written),
        [self = shared_from_this()](const boost::system::error_code& write_error, std::size_t) {
          if (write_error || self->closed_) return self->close();
          self->writing_ = false;
          self->written_all();
          if (self->shared_.draining) return self->close();  // answered: ends here
          self->serve_available();
        });
    return false;
  }

  void written_all() {
    out_filled_ = 0;
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
  Clock::time_point since_ = Clock::now();  // accepted, or the last answers written
  Clock::time_point started_;               // the first bytes of the message at in_[0] came
  Clock::time_point last_read_;             // the last read that brought bytes
  Clock::time_point deadline_;              // when this session closes unless it moves on
  bool timer_armed_ = false;                // timer_ has a wait pending (at or before deadline_)
  bool closed_ = false;
  bool writing_ = false;        // out_ is being written asynchronously
  bool drained_ = false;        // the last read came back short: the kernel holds nothing more
  std::size_t screened_ = 0;    // an UPDATE answered by the queue's screen, in the scratch
  std::size_t filled_ = 0;      // bytes in in_: messages not answered yet, from in_[0]
  std::size_t out_filled_ = 0;  // bytes of answers in out_, each with its length
  // Left uninitialised: only what is read or written is ever touched, so a connection costs
  // the memory its messages take, not the buffers' size (the session is allocated at accept).
  std::array<std::uint8_t, 2 + 65535> in_;
  // Room for the largest answer on top of those queued.
  std::array<std::uint8_t, 2 * (2 + 65535)> out_;
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
