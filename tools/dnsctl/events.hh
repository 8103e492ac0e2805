// `dnsctl watch`: the server-sent events of GET /api/v1/events, parsed from the bytes as they
// arrive (any split, LF or CRLF), and one human line per event. Pure: no sockets, no clock.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dnsctl {

struct Event {
  std::string id;    // "id:" (the seq); empty when the event had none
  std::string type;  // "event:", "message" when absent
  std::string data;  // the "data:" lines joined by '\n'
};

// The text/event-stream format (WHATWG HTML "server-sent events"): fields up to a blank line
// make one event; lines starting with ':' are comments (the keepalive).
class EventStream {
 public:
  explicit EventStream(std::function<void(const Event&)> on_event)
      : on_event_(std::move(on_event)) {}
  void feed(std::string_view bytes);
  // The id of the last event dispatched: what Last-Event-ID sends after a reconnect.
  const std::string& last_id() const noexcept { return last_id_; }
  // Drops a half-received event (the connection broke inside it).
  void reset() noexcept;

 private:
  void take_line(std::string_view line);

  std::function<void(const Event&)> on_event_;
  std::string partial_;  // bytes of a line not yet ended
  Event pending_;
  bool has_data_ = false;
  std::string last_id_;
};

// One line, starting with the event's time, e.g.
// "2026-12-06T04:10:02Z transition ci.tm.test./eu: Online -> Degraded (http 503)".
// A type this dnsctl does not know is printed with its JSON, so nothing is hidden.
std::string render_event(const std::string& type, const nlohmann::json& data);

}  // namespace dnsctl
