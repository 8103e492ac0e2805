// The AF_XDP queue threads (see xdp_server.hh). Per batch of up to 64 frames: peek the rx ring,
// answer each query into the worker's scratch and copy the answer into the query's own frame
// behind the swapped headers, put the answers on the tx ring and kick the kernel once
// (sendto), give the rest back to the fill ring. Nothing is allocated and no lock is taken per
// query; the thread sleeps in poll() only when its rx ring is empty.
#include "dnsd/xdp/xdp_server.hh"

#include <fmt/format.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <random>

#include "dnsd/rrl.hh"
#include "dnsd/udp_answer.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/xdp/filter.hh"
#include "dnsd/xdp/frame.hh"
#include "dnsd/xdp/queue.hh"
#include "logging/log.hh"

namespace dnsd::xdp {

namespace {

constexpr std::uint32_t k_batch = 64;
constexpr int k_wake_ms = 200;  // an idle thread notices stop() this often

// The client as routing and rate limiting see it, from the frame's source address.
routing::ClientInfo client_of(const Query& query) noexcept {
  routing::ClientInfo info;
  std::memcpy(info.address.data(), query.source, query.ipv6 ? 16 : 4);
  info.is_ipv6 = query.ipv6;
  return info;
}

// The interface's MTU (1500 if it cannot be read: veth's and Ethernet's default).
std::size_t interface_mtu(const std::string& interface) noexcept {
  ifreq request{};
  std::memcpy(request.ifr_name, interface.data(),
              std::min(interface.size(), sizeof(request.ifr_name) - 1));
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const bool ok = fd >= 0 && ::ioctl(fd, SIOCGIFMTU, &request) == 0 && request.ifr_mtu >= 1280;
  if (fd >= 0) ::close(fd);
  return ok ? static_cast<std::size_t>(request.ifr_mtu) : 1500;
}

}  // namespace

struct XdpServer::Worker {
  Worker(Serving& slot, std::size_t reader_id, QueryCounterBlock* shared, RrlTable& table)
      : serving(slot), reader(reader_id), counters(shared ? *shared : own_counters), rrl(table) {}

  Queue queue;
  Serving& serving;
  std::size_t reader;
  QueryCounterBlock own_counters;
  QueryCounterBlock& counters;
  RrlTable& rrl;
  RrlWorker rrl_state;
  std::size_t mtu = 1500;  // the interface's, at start
  std::array<xdp_desc, k_batch> answers{};
  std::array<std::uint64_t, k_batch> unanswered{};
  Scratch scratch;
  std::atomic<std::uint64_t> answered{0}, dropped{0};

  // The answer to the query in `desc`'s frame, written into that frame; false: drop it.
  bool answer_frame(const ServingState& state, const RrlConfig& limits,
                    const RrlTable::Timing& timing, const xdp_desc& desc, xdp_desc& out) noexcept {
    std::uint8_t* frame = queue.frame(desc.addr);
    Query query;
    if (!parse_query({frame, desc.len}, query)) return false;
    const std::span<const std::uint8_t> message(frame + query.payload_at, query.payload_size);
    // The XDP program passes UPDATE and NOTIFY to the kernel: the update thread answers from a
    // socket (update_queue.hh), which this path has not. Anything else is not ours either.
    if (message.size() < wire::header_size || (message[2] & 0xf8) != 0) return false;
    const Client client{Transport::udp, client_of(query)};
    UdpReply limited = answer_udp(state, scratch, message, client, rrl, rrl_state, limits, timing);
    Reply& reply = limited.reply;
    if (reply.kind != Reply::Kind::send) return false;
    if (limited.action == RrlAction::drop) {
      counters.record_rrl(false);
      return false;
    }
    // The frame's end, and the interface's MTU: the kernel would fragment a larger datagram,
    // AF_XDP cannot.
    const std::size_t room = std::min(Queue::room(desc.addr) - query.payload_at,
                                      mtu - (header_size(query.ipv6) - k_ethernet_header));
    if (reply.bytes.size() > room) [[unlikely]] {
      // Only a udp_payload above the MTU gets here: the answer is sent the way a slipped one
      // is (header and question, TC=1), and the client retries over TCP.
      auto* bytes = const_cast<std::uint8_t*>(reply.bytes.data());
      reply.bytes = reply.bytes.first(rrl_truncate(bytes, reply.bytes.size()));
      reply.truncated = true;
    }
    if (limited.action == RrlAction::send) {
      counters.record(reply.rcode, reply.qtype, reply.truncated);
    } else {
      counters.record_rrl(true);
      counters.record(wire::rcode::noerror, reply.qtype, true);
    }
    std::memcpy(frame + query.payload_at, reply.bytes.data(), reply.bytes.size());
    out.addr = desc.addr;
    out.len = static_cast<std::uint32_t>(build_answer(frame, query, reply.bytes.size()));
    out.options = 0;
    return true;
  }

  // In copy mode (veth, most drivers) the answers are sent inside sendto(), at most 32 per call
  // (the kernel's TX_BATCH_SIZE; EAGAIN: more are left): called until the ring is taken, so no
  // answer waits for the next query to be sent.
  void kick(std::uint32_t sent) noexcept {
    if (!xsk_ring_prod__needs_wakeup(&queue.tx)) return;
    for (std::uint32_t calls = 0; calls <= sent / 32 + 1; ++calls) {
      if (::sendto(queue.fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0) >= 0) return;
      if (errno != EAGAIN && errno != EBUSY && errno != EINTR) return;  // ENOBUFS, ENETDOWN
    }
  }

  // One batch; returns how many frames came in (0: the thread waited in poll()).
  std::uint32_t serve_batch() noexcept {
    queue.recycle();
    std::uint32_t at = 0;
    const std::uint32_t received = xsk_ring_cons__peek(&queue.rx, k_batch, &at);
    if (received == 0) {
      pollfd wait{queue.fd(), POLLIN, 0};
      ::poll(&wait, 1, k_wake_ms);
      return 0;
    }
    std::uint32_t sent = 0, kept = 0;
    const ServingState& state = serving.enter(reader);
    const RrlConfig& limits = state.server->rrl;
    const RrlTable::Timing timing =
        limits.enabled ? rrl.timing(RrlTable::Clock::now(), limits) : RrlTable::Timing{};
    for (std::uint32_t i = 0; i < received; ++i) {
      const xdp_desc& desc = *xsk_ring_cons__rx_desc(&queue.rx, at + i);
      if (answer_frame(state, limits, timing, desc, answers[sent])) {
        ++sent;
      } else {
        counters.record_dropped();
        unanswered[kept++] = desc.addr;
      }
    }
    serving.leave(reader);  // the answers are in the frames now
    xsk_ring_cons__release(&queue.rx, received);
    queue.refill(unanswered.data(), kept);
    queue.wake_fill();
    if (sent > 0) {
      std::uint32_t to = 0;
      xsk_ring_prod__reserve(&queue.tx, sent, &to);  // never short: the ring holds every frame
      for (std::uint32_t i = 0; i < sent; ++i)
        *xsk_ring_prod__tx_desc(&queue.tx, to + i) = answers[i];
      xsk_ring_prod__submit(&queue.tx, sent);
      kick(sent);
    }
    answered.store(answered.load(std::memory_order_relaxed) + sent, std::memory_order_relaxed);
    dropped.store(dropped.load(std::memory_order_relaxed) + kept, std::memory_order_relaxed);
    if (rrl_state.log.pending) {
      logging::info("{}", rrl_log_line(rrl_state.log));
      rrl_state.log.pending = false;
    }
    return received;
  }
};

XdpServer::XdpServer(Serving& serving, Settings settings, std::size_t first_reader,
                     QueryCounterBlock* counters)
    : serving_(serving),
      settings_(std::move(settings)),
      first_reader_(first_reader),
      counters_(counters) {}

XdpServer::~XdpServer() { stop(); }

std::string XdpServer::bind() {
  const ServerConfig& server = *serving_.current().server;
  rrl_ =
      std::make_unique<RrlTable>(server.rrl.table_size, RrlTable::Clock::now(),
                                 std::random_device{}() * 0x100000001ull ^ std::random_device{}());
  filter_ = std::make_unique<Filter>();
  std::string error = filter_->attach(settings_.interface, settings_.port);
  const std::size_t mtu = error.empty() ? interface_mtu(settings_.interface) : 0;
  for (unsigned q = 0; error.empty() && q < settings_.queues; ++q) {
    auto worker = std::make_unique<Worker>(serving_, first_reader_ + q,
                                           counters_ ? &counters_[q] : nullptr, *rrl_);
    worker->mtu = mtu;
    error = worker->queue.open(settings_.interface, q, filter_->sockets_map());
    workers_.push_back(std::move(worker));
  }
  if (!error.empty()) {  // nothing half-way: the interface is left as it was found
    workers_.clear();
    filter_.reset();
  }
  return error;
}

void XdpServer::start() {
  for (auto& worker : workers_)
    threads_.emplace_back([this, &worker = *worker] {
      while (!stopping_.load(std::memory_order_relaxed)) worker.serve_batch();
    });
}

void XdpServer::stop() {
  stopping_.store(true);
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
  filter_.reset();  // detached first: from now on the kernel's sockets get the queries
}

std::string XdpServer::summary() const {
  std::uint64_t answered = 0, dropped = 0;
  for (const auto& worker : workers_) {
    answered += worker->answered.load(std::memory_order_relaxed);
    dropped += worker->dropped.load(std::memory_order_relaxed);
  }
  return fmt::format("{} queue(s) on {}: {} answered, {} dropped", workers_.size(),
                     settings_.interface, answered, dropped);
}

bool XdpServer::generic_mode() const noexcept { return filter_ && filter_->generic_mode(); }

}  // namespace dnsd::xdp
