// UDP service. Sockets are opened and bound with Boost.Asio; the receive loop is a plain
// blocking recvmmsg/sendmmsg loop on the socket, because one thread owns one socket and a batch
// of up to 32 queries costs two system calls instead of three per query (Knot's udp-handler).
// Nothing is allocated per query: the batch's buffers belong to the worker.
#include "dnsd/udp_server.hh"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "dnsd/socket_address.hh"

namespace dnsd {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

constexpr std::size_t k_batch = 32;
// Queries are small; a larger datagram (flagged MSG_TRUNC) is not a query we can answer.
constexpr std::size_t k_query_buffer = 4096;

}  // namespace

struct UdpServer::Worker {
  Worker(Serving& slot, std::size_t reader_id) : socket(io), serving(slot), reader(reader_id) {}

  asio::io_context io;  // owns the socket; never run, the loop below does the I/O
  udp::socket socket;
  Serving& serving;
  std::size_t reader;
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

  // Receives a batch (blocking for the first datagram only), answers it, sends the answers.
  void serve_batch() {
    for (std::size_t i = 0; i < k_batch; ++i) {
      in[i].msg_hdr.msg_name = &peers[i];
      in[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      in[i].msg_hdr.msg_flags = 0;
    }
    const int received = ::recvmmsg(socket.native_handle(), in.data(), k_batch, MSG_WAITFORONE, nullptr);
    if (received <= 0) return;  // timeout (stop check), EINTR, or a transient error
    unsigned replies = 0;
    const ServingState& state = serving.enter(reader);
    for (int i = 0; i < received; ++i) {
      if (in[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
      const Client client{Transport::udp, client_info(reinterpret_cast<const sockaddr*>(&peers[i]))};
      const Reply reply = answer(state, scratch[replies], std::span(queries[i].data(), in[i].msg_len), client);
      if (reply.kind != Reply::Kind::send) continue;
      out_iov[replies] = {const_cast<std::uint8_t*>(reply.bytes.data()), reply.bytes.size()};
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
  }
};

UdpServer::UdpServer(Serving& serving, std::size_t first_reader)
    : serving_(serving), first_reader_(first_reader) {}

std::size_t UdpServer::reader_count(const ServerConfig& server) noexcept {
  return std::max(1u, server.workers) * server.listen.size();
}

UdpServer::~UdpServer() { stop(); }

std::string UdpServer::bind() {
  const ServerConfig& server = *serving_.current().server;
  const unsigned workers = std::max(1u, server.workers);
  for (unsigned w = 0; w < workers; ++w) {
    for (const auto& listen : server.listen) {
      auto worker = std::make_unique<Worker>(serving_, first_reader_ + workers_.size());
      boost::system::error_code error;
      const udp::endpoint endpoint(asio::ip::make_address(listen.address, error), listen.port);
      auto& socket = worker->socket;
      if (!error) socket.open(endpoint.protocol(), error);
      if (!error && endpoint.address().is_v6()) socket.set_option(asio::ip::v6_only(true), error);
      if (!error) socket.set_option(asio::socket_base::reuse_address(true), error);
      if (!error) set_reuse_port(socket.native_handle(), error);
      if (!error) socket.set_option(asio::socket_base::receive_buffer_size(4 << 20), error);
      if (!error) socket.bind(endpoint, error);
      if (error) return fmt::format("cannot listen on {}/udp: {}", format_address(listen), error.message());
      // Wake up now and then to notice stop(); a busy socket never waits this long.
      const timeval wake{0, 200'000};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &wake, sizeof(wake));
      worker->prepare();
      workers_.push_back(std::move(worker));
    }
  }
  return {};
}

void UdpServer::start() {
  for (auto& worker : workers_)
    threads_.emplace_back([this, &worker = *worker] {
      while (!stopping_.load(std::memory_order_relaxed)) worker.serve_batch();
    });
}

void UdpServer::stop() {
  stopping_.store(true);
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

}  // namespace dnsd
