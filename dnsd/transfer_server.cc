// TransferServer: one session per handed-over connection: verify TSIG, decide (xfr::Transfer),
// then write the messages one by one, each under a deadline. The connection closes at the end.
#include "dnsd/transfer_server.hh"

#include <unistd.h>

#include <boost/asio.hpp>
#include <vector>

#include "dnsd/tsig/verify.hh"
#include "dnsd/xfr/transfer.hh"
#include "logging/log.hh"

namespace dnsd {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::chrono::sys_seconds wall_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

class TransferSession : public std::enable_shared_from_this<TransferSession> {
 public:
  TransferSession(tcp::socket socket, xfr::Keys keys, std::unique_ptr<xfr::Transfer> transfer,
                  std::chrono::milliseconds timeout, std::atomic<unsigned>& running)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        keys_(std::move(keys)),
        transfer_(std::move(transfer)),
        timeout_(timeout),
        running_(running) {}
  ~TransferSession() {
    --running_;
    if (transfer_->is_transfer())
      logging::info("dnsd: {}, {} messages, {} records{}", transfer_->description(),
                    transfer_->messages(), transfer_->records(),
                    transfer_->done() ? "" : ", not completed: the client stopped reading");
    else
      logging::info("dnsd: {}", transfer_->description());
  }

  void write_next() {
    const std::size_t size = transfer_->next(std::span(buffer_).subspan(2), wall_now());
    if (size == 0) return close();
    buffer_[0] = static_cast<std::uint8_t>(size >> 8);
    buffer_[1] = static_cast<std::uint8_t>(size);
    timer_.expires_after(timeout_);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
      if (!error) self->abort();  // the client stopped reading: not completed
    });
    asio::async_write(
        socket_, asio::buffer(buffer_.data(), size + 2),
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
          self->timer_.cancel();
          if (error) return self->abort();
          self->write_next();
        });
  }
  void abort() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  xfr::Keys keys_;  // the Transfer's signer holds a key of this keyring
  std::unique_ptr<xfr::Transfer> transfer_;
  std::chrono::milliseconds timeout_;
  std::atomic<unsigned>& running_;
  std::array<std::uint8_t, 2 + xfr::max_message_size> buffer_{};
};

}  // namespace

struct TransferServer::Impl {
  const xfr::ZoneSource& source;
  unsigned max_transfers;
  std::chrono::milliseconds write_timeout;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
};

TransferServer::TransferServer(const xfr::ZoneSource& source, unsigned max_transfers,
                               std::chrono::milliseconds write_timeout)
    : impl_(new Impl{source, max_transfers, write_timeout}) {}

TransferServer::~TransferServer() { stop(); }

void TransferServer::start() {
  thread_ = std::thread([this] { impl_->io.run(); });
}

void TransferServer::stop() {
  if (!impl_ || !thread_.joinable()) return;
  impl_->work.reset();
  impl_->io.stop();  // open transfers end with their sockets
  thread_.join();
}

bool TransferServer::offer(int fd, std::span<const std::uint8_t> request,
                           const routing::ClientInfo& client) {
  unsigned now = running_.load();
  do {
    if (now >= impl_->max_transfers) return false;
  } while (!running_.compare_exchange_weak(now, now + 1));
  asio::post(impl_->io, [this, fd, client,
                         bytes =
                             std::vector<std::uint8_t>(request.begin(), request.end())]() mutable {
    boost::system::error_code error;
    tcp::socket socket(impl_->io);
    socket.assign(client.is_ipv6 ? tcp::v6() : tcp::v4(), fd, error);
    if (error) {
      ::close(fd);
      --running_;
      return;
    }
    xfr::Keys keys = impl_->source.keys();
    const tsig::Keyring empty;
    const auto verified =
        tsig::verify_request(bytes, keys.keyring ? *keys.keyring : empty, wall_now());
    auto transfer = std::make_unique<xfr::Transfer>(bytes, verified, client, impl_->source);
    auto session = std::make_shared<TransferSession>(
        std::move(socket), std::move(keys), std::move(transfer), impl_->write_timeout, running_);
    session->write_next();
  });
  return true;
}

}  // namespace dnsd
