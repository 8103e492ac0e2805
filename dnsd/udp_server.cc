// UDP service on Boost.Asio. A receive completes into the socket's buffer, the engine answers
// into the worker's Scratch, and the reply is sent at once with a non-blocking send (a full
// socket buffer drops the reply, as a congested network would): nothing is allocated per query.
#include "dnsd/udp_server.hh"

#include <boost/asio.hpp>
#include <fmt/format.h>

#include "dnsd/socket_address.hh"

namespace dnsd {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

struct Listener {
  explicit Listener(asio::io_context& io) : socket(io) {}
  udp::socket socket;
  udp::endpoint sender;
  std::array<std::uint8_t, 65535> buffer{};
};

}  // namespace

struct UdpServer::Worker {
  explicit Worker(const ServingState& serving) : state(serving), guard(asio::make_work_guard(io)) {}
  const ServingState& state;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::vector<std::unique_ptr<Listener>> listeners;
  Scratch scratch;

  void receive(Listener& listener) {
    listener.socket.async_receive_from(
        asio::buffer(listener.buffer), listener.sender,
        [this, &listener](const boost::system::error_code& error, std::size_t size) {
          if (error == asio::error::operation_aborted) return;
          if (!error) respond(listener, size);
          receive(listener);
        });
  }

  void respond(Listener& listener, std::size_t size) {
    Client client{Transport::udp, client_info(listener.sender.address())};
    const Reply reply = answer(state, scratch, std::span(listener.buffer.data(), size), client);
    if (reply.kind != Reply::Kind::send) return;
    boost::system::error_code ignored;
    listener.socket.send_to(asio::buffer(reply.bytes.data(), reply.bytes.size()), listener.sender, 0, ignored);
  }
};

UdpServer::UdpServer(const ServingState& state) : state_(state) {}

UdpServer::~UdpServer() { stop(); }

std::string UdpServer::bind() {
  const unsigned workers = std::max(1u, state_.server->workers);
  for (unsigned w = 0; w < workers; ++w) {
    auto worker = std::make_unique<Worker>(state_);
    for (const auto& listen : state_.server->listen) {
      auto listener = std::make_unique<Listener>(worker->io);
      boost::system::error_code error;
      const udp::endpoint endpoint(asio::ip::make_address(listen.address, error), listen.port);
      if (!error) listener->socket.open(endpoint.protocol(), error);
      if (!error && endpoint.address().is_v6()) listener->socket.set_option(asio::ip::v6_only(true), error);
      if (!error) listener->socket.set_option(asio::socket_base::reuse_address(true), error);
      if (!error) set_reuse_port(listener->socket.native_handle(), error);
      if (!error) listener->socket.bind(endpoint, error);
      if (!error) listener->socket.non_blocking(true, error);
      if (error)
        return fmt::format("cannot listen on {}/udp: {}", format_address(listen), error.message());
      worker->listeners.push_back(std::move(listener));
    }
    workers_.push_back(std::move(worker));
  }
  return {};
}

void UdpServer::start() {
  for (auto& worker : workers_) {
    for (auto& listener : worker->listeners) worker->receive(*listener);
    threads_.emplace_back([&io = worker->io] { io.run(); });
  }
}

void UdpServer::stop() {
  for (auto& worker : workers_) {
    worker->guard.reset();
    worker->io.stop();
  }
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

}  // namespace dnsd
