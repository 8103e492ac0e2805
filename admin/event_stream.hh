// EventStreams: GET /api/v1/events, the Runtime's EventLog as server-sent-event streams, at most
// `max` at once. Each stream replays the retained events after the client's last one, then
// follows the log; one that falls so far behind that the ring dropped events it had not sent
// is ended (the client reconnects with Last-Event-ID and sees what is still retained).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "admin/http_server.hh"
#include "control/events.hh"

namespace admin {

class EventStreams {
 public:
  static constexpr std::size_t k_max_streams = 8;
  explicit EventStreams(control::EventLog& log, std::size_t max = k_max_streams)
      : log_(log), max_(max), open_(std::make_shared<std::atomic<std::size_t>>(0)) {}

  // A stream of the events with seq > after (0: every retained one); null when `max` streams
  // are open already.
  std::unique_ptr<Stream> open(std::uint64_t after);
  std::size_t open_count() const noexcept { return open_->load(); }

 private:
  control::EventLog& log_;
  std::size_t max_;
  // Shared with the streams, which may outlive this object by the admin server's teardown.
  std::shared_ptr<std::atomic<std::size_t>> open_;
};

}  // namespace admin
