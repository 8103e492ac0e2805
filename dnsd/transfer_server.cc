// TransferServer: one session per handed-over connection: verify TSIG, decide (xfr::Transfer),
// then write the messages one by one, each under a deadline. The connection closes at the end.
#include "dnsd/transfer_server.hh"

#include <unistd.h>

#include <boost/asio.hpp>
#include <vector>

#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/xfr/transfer.hh"
#include "logging/log.hh"

namespace dnsd {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::chrono::sys_seconds wall_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// A connection's requests, one after another: a secondary asks for the SOA and then the IXFR
// on one connection (Knot DNS does). Each answer is written message by message under the write
// timeout; the next request must start within it too. A request that is not for us (an ordinary
// query) ends the connection: the client asks again on a new one, which the TCP server answers.
class TransferSession : public std::enable_shared_from_this<TransferSession> {
 public:
  TransferSession(tcp::socket socket, const xfr::ZoneSource& source,
                  const routing::ClientInfo& client, std::chrono::milliseconds timeout,
                  std::atomic<unsigned>& running)
      : socket_(std::move(socket)),
        source_(source),
        client_(client),
        timer_(socket_.get_executor()),
        timeout_(timeout),
        running_(running) {}
  ~TransferSession() {
    finish();
    --running_;
  }

  // Verifies and decides `request`, then answers it.
  void begin(std::span<const std::uint8_t> request) {
    finish();
    keys_ = source_.keys();
    const tsig::Keyring empty;
    const auto verified =
        tsig::verify_request(request, keys_.keyring ? *keys_.keyring : empty, wall_now());
    transfer_ = std::make_unique<xfr::Transfer>(request, verified, client_, source_);
    write_next();
  }

 private:
  void write_next() {
    const std::size_t size = transfer_->next(std::span(buffer_).subspan(2), wall_now());
    if (size == 0) return transfer_->is_transfer() ? read_next() : close();
    buffer_[0] = static_cast<std::uint8_t>(size >> 8);
    buffer_[1] = static_cast<std::uint8_t>(size);
    arm_timer();
    asio::async_write(
        socket_, asio::buffer(buffer_.data(), size + 2),
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
          self->timer_.cancel();
          if (error) return self->abort();
          self->write_next();
        });
  }

  // The next request on this connection: its length prefix, then the message.
  void read_next() {
    finish();
    arm_timer();
    asio::async_read(
        socket_, asio::buffer(buffer_.data(), 2),
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
          if (error) return self->close();
          self->read_request(self->buffer_[0] << 8 | self->buffer_[1]);
        });
  }

  void read_request(std::size_t size) {
    if (size < wire::header_size) return close();
    asio::async_read(
        socket_, asio::buffer(buffer_.data(), size),
        [self = shared_from_this(), size](const boost::system::error_code& error, std::size_t) {
          self->timer_.cancel();
          if (error) return self->close();
          // The Transfer reads the request before its first message reuses
          // the buffer. An ordinary query: the client asks it again, of the TCP server.
          const auto request = std::span(self->buffer_).first(size);
          if (!xfr::is_transfer_query(request)) return self->close();
          self->begin(request);
        });
  }

  void arm_timer() {
    timer_.expires_after(timeout_);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
      if (!error) self->abort();  // the client stopped reading, or went quiet
    });
  }

  // Logs the request just answered (once), and tells the source what the client now has.
  void finish() {
    if (!transfer_) return;
    if (transfer_->done() && transfer_->zone())
      source_.served(*transfer_->zone(), client_, transfer_->key());
    if (transfer_->is_transfer())
      logging::info("dnsd: {}, {} messages, {} records{}", transfer_->description(),
                    transfer_->messages(), transfer_->records(),
                    transfer_->done() ? "" : ", not completed: the client stopped reading");
    else
      logging::info("dnsd: {}", transfer_->description());
    transfer_.reset();
  }

  void abort() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  const xfr::ZoneSource& source_;
  routing::ClientInfo client_;
  asio::steady_timer timer_;
  std::chrono::milliseconds timeout_;
  std::atomic<unsigned>& running_;
  xfr::Keys keys_;  // the Transfer's signer holds a key of this keyring
  std::unique_ptr<xfr::Transfer> transfer_;
  std::array<std::uint8_t, 2 + xfr::max_message_size> buffer_{};
};

}  // namespace

struct TransferServer::Impl {
  Impl(const xfr::ZoneSource& source_in, unsigned max_transfers_in,
       std::chrono::milliseconds write_timeout_in)
      : source(source_in), max_transfers(max_transfers_in), write_timeout(write_timeout_in) {}

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
  asio::post(impl_->io,
             [this, fd, client,
              bytes = std::vector<std::uint8_t>(request.begin(), request.end())]() mutable {
               boost::system::error_code error;
               tcp::socket socket(impl_->io);
               socket.assign(client.is_ipv6 ? tcp::v6() : tcp::v4(), fd, error);
               if (error) {
                 ::close(fd);
                 --running_;
                 return;
               }
               auto session = std::make_shared<TransferSession>(
                   std::move(socket), impl_->source, client, impl_->write_timeout, running_);
               session->begin(bytes);
             });
  return true;
}

}  // namespace dnsd
