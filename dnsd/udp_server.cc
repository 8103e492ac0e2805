// UDP service. Sockets are opened and bound with Boost.Asio; the receive loop is a plain
// blocking recvmmsg/sendmmsg loop on the socket, because one thread owns one socket and a batch
// of up to 32 queries costs two system calls instead of three per query (Knot's udp-handler).
// Nothing is allocated per query: the batch's buffers belong to the worker.
#include "dnsd/udp_server.hh"

#include <fmt/format.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include "dnsd/dnstap/sink.hh"
#include "dnsd/rrl.hh"
#include "dnsd/socket_address.hh"
#include "dnsd/udp_answer.hh"
#include "dnsd/update_queue.hh"
#include "dnsd/wire/types.hh"
#include "logging/log.hh"

namespace dnsd {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

constexpr std::size_t k_batch = 32;
// Queries are small; a larger datagram (flagged MSG_TRUNC) is not a query we can answer.
constexpr std::size_t k_query_buffer = 4096;
// At stop, a thread answers what is queued, but for no longer than this: under a flood the
// queue never empties.
constexpr auto k_drain_limit = std::chrono::seconds(2);

}  // namespace

struct UdpServer::Worker {
  Worker(Serving& slot, std::size_t reader_id, QueryCounterBlock* shared_counters,
         RrlTable& rrl_table)
      : socket(io),
        serving(slot),
        reader(reader_id),
        counters(shared_counters ? *shared_counters : own_counters),
        rrl(rrl_table) {}

  asio::io_context io;  // owns the socket; never run, the loop below does the I/O
  udp::socket socket;
  Serving& serving;
  std::size_t reader;
  QueryCounterBlock own_counters;  // when the server was given no QueryCounters
  QueryCounterBlock& counters;
  RrlTable& rrl;                   // shared by every worker
  UpdateQueue* updates = nullptr;  // where UPDATE requests go, if anywhere
  RrlWorker rrl_state;             // this worker's slip sequence and pending log line
  dnstap::Tap* tap = nullptr;      // null unless [dnstap] is on
  std::array<mmsghdr, k_batch> in{};
  std::array<mmsghdr, k_batch> out{};
  std::array<iovec, k_batch> in_iov{};
  std::array<iovec, k_batch> out_iov{};
  std::array<sockaddr_storage, k_batch> peers{};
  // Left uninitialised on purpose: pages are touched only as answers need them, keeping RSS low.
  std::array<std::array<std::uint8_t, k_query_buffer>, k_batch> queries;
  std::array<Scratch, k_batch> scratch;

  void prepare() {
    for (std::size_t i = 0; i < k_batch; ++i) {
      in_iov[i] = {queries[i].data(), queries[i].size()};
      in[i].msg_hdr.msg_iov = &in_iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
    }
  }

  // Receives a batch (blocking for the first datagram only, or not at all with MSG_DONTWAIT),
  // answers it, sends the answers. Returns how many datagrams came in.
  int serve_batch(int flags = MSG_WAITFORONE) {
    for (std::size_t i = 0; i < k_batch; ++i) {
      in[i].msg_hdr.msg_name = &peers[i];
      in[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      in[i].msg_hdr.msg_flags = 0;
    }
    const int received = ::recvmmsg(socket.native_handle(), in.data(), k_batch, flags, nullptr);
    if (received <= 0) return 0;  // timeout (stop check), EINTR, or a transient error
    unsigned replies = 0;
    const ServingState& state = serving.enter(reader);
    // Read per batch, so a reload changes the limits at once (the table itself stays).
    const RrlConfig& limits = state.server->rrl;
    const RrlTable::Timing timing =
        limits.enabled ? rrl.timing(RrlTable::Clock::now(), limits) : RrlTable::Timing{};
    for (int i = 0; i < received; ++i) {
      if (in[i].msg_hdr.msg_flags & MSG_TRUNC) {
        counters.record_dropped();  // too large to be a query
        continue;
      }
      const auto* peer = reinterpret_cast<const sockaddr*>(&peers[i]);
      const std::span<const std::uint8_t> query(queries[i].data(), in[i].msg_len);
      if (tap) [[unlikely]]
        tap->query(peer, Transport::udp, query);
      const Client client{Transport::udp, client_info(peer)};
      // An UPDATE is answered by the update thread, from this socket; a full queue drops it.
      // One that can never be applied is answered here (update_queue.hh screen()).
      UdpReply limited;
      if (updates && is_update_request(query)) {
        std::uint64_t key_tag = 0;
        const std::size_t size = updates->screen(state.keys, client.info, Transport::udp, query,
                                                 scratch[replies].response, key_tag);
        if (size == 0) {
          if (!updates->offer(Transport::udp, socket.native_handle(), peer,
                              in[i].msg_hdr.msg_namelen, client.info, query, key_tag))
            counters.record_dropped();
          continue;
        }
        limited.reply = {.kind = Reply::Kind::send,
                         .rcode = static_cast<std::uint16_t>(scratch[replies].response[3] & 0xf),
                         .bytes = std::span(scratch[replies].response).first(size)};
      } else {
        // Rate limiting decides before any on-demand signature is made (udp_answer.hh).
        limited =
            answer_udp(state, scratch[replies], query, client, rrl, rrl_state, limits, timing);
      }
      const Reply& reply = limited.reply;
      if (reply.kind != Reply::Kind::send) {
        counters.record_dropped();
        continue;
      }
      const std::span<const std::uint8_t> bytes = reply.bytes;
      if (limited.action == RrlAction::send) {
        counters.record(reply.rcode, reply.qtype, reply.truncated);
      } else if (limited.action == RrlAction::drop) {
        counters.record_rrl(false);
        counters.record_dropped();
        continue;
      } else {
        counters.record_rrl(true);
        counters.record(wire::rcode::noerror, reply.qtype, true);
      }
      if (tap) [[unlikely]]
        tap->response(peer, Transport::udp, bytes);
      out_iov[replies] = {const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
      out[replies].msg_hdr = {};
      out[replies].msg_hdr.msg_name = &peers[i];
      out[replies].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
      out[replies].msg_hdr.msg_iov = &out_iov[replies];
      out[replies].msg_hdr.msg_iovlen = 1;
      ++replies;
    }
    serving.leave(reader);  // the replies are in our scratch: the state may go
    for (unsigned sent = 0; sent < replies;) {
      const int count = ::sendmmsg(socket.native_handle(), out.data() + sent, replies - sent, 0);
      if (count > 0) {
        sent += static_cast<unsigned>(count);
      } else if (errno != EINTR) {
        ++sent;  // this datagram cannot be sent (e.g. unreachable peer): skip it, keep the rest
      }
    }
    if (rrl_state.log.pending) {  // after the batch is out: the answers never wait for a log line
      logging::info("{}", rrl_log_line(rrl_state.log));
      rrl_state.log.pending = false;
    }
    return received;
  }

  // After stop: what the kernel already queued for this socket is answered, not dropped.
  void drain() {
    const auto deadline = std::chrono::steady_clock::now() + k_drain_limit;
    while (serve_batch(MSG_DONTWAIT) > 0 && std::chrono::steady_clock::now() < deadline) {
    }
  }
};

UdpServer::UdpServer(Serving& serving, std::size_t first_reader, QueryCounters* counters)
    : serving_(serving), first_reader_(first_reader), counters_(counters) {}

std::size_t UdpServer::reader_count(const ServerConfig& server) noexcept {
  return std::max(1u, server.workers) * server.listen.size();
}

UdpServer::~UdpServer() { stop(); }

std::string UdpServer::bind() {
  const ServerConfig& server = *serving_.current().server;
  const unsigned workers = std::max(1u, server.workers);
  // Sized at start, whether or not [rrl] is enabled yet (a reload may enable it): calloc'd, so
  // its pages cost memory only once buckets are used.
  if (!rrl_)
    rrl_ = std::make_unique<RrlTable>(
        server.rrl.table_size, RrlTable::Clock::now(),
        std::random_device{}() * 0x100000001ull ^ std::random_device{}());
  for (unsigned w = 0; w < workers; ++w) {
    for (const auto& listen : server.listen) {
      const std::size_t index = workers_.size();
      auto* block =
          counters_ && index < counters_->udp_threads() ? &counters_->udp(index) : nullptr;
      auto worker = std::make_unique<Worker>(serving_, first_reader_ + index, block, *rrl_);
      boost::system::error_code error;
      const udp::endpoint endpoint(asio::ip::make_address(listen.address, error), listen.port);
      auto& socket = worker->socket;
      if (!error) socket.open(endpoint.protocol(), error);
      if (!error && endpoint.address().is_v6()) socket.set_option(asio::ip::v6_only(true), error);
      if (!error) socket.set_option(asio::socket_base::reuse_address(true), error);
      if (!error) set_reuse_port(socket.native_handle(), error);
      if (!error) socket.set_option(asio::socket_base::receive_buffer_size(4 << 20), error);
      if (!error) socket.bind(endpoint, error);
      if (error)
        return fmt::format("cannot listen on {}/udp: {}", format_address(listen), error.message());
      // Wake up now and then to notice stop(); a busy socket never waits this long.
      const timeval wake{0, 200'000};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &wake, sizeof(wake));
      if (dnstap_ && index < dnstap_->threads()) worker->tap = &dnstap_->tap(index);
      worker->prepare();
      workers_.push_back(std::move(worker));
    }
  }
  return {};
}

void UdpServer::start() {
  for (auto& worker : workers_) worker->updates = updates_;
  for (auto& worker : workers_) {
    threads_.emplace_back([this, &worker = *worker] {
      while (!stopping_.load(std::memory_order_relaxed)) worker.serve_batch();
      worker.drain();
    });
    // Named so benchmarks and tests tell query threads from background ones (which lower
    // themselves, service/thread_priority.hh); query threads keep the process's priority.
    pthread_setname_np(threads_.back().native_handle(), "dnsd-udp");
  }
}

void UdpServer::stop() {
  stopping_.store(true);
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

}  // namespace dnsd
