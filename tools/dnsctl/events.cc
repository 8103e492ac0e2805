// Server-sent events in, lines out (see events.hh).
#include "tools/dnsctl/events.hh"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "tools/dnsctl/json_text.hh"

namespace dnsctl {

void EventStream::feed(std::string_view bytes) {
  for (const char c : bytes) {
    if (c != '\n') {
      partial_ += c;
      continue;
    }
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    take_line(partial_);
    partial_.clear();
  }
}

void EventStream::reset() noexcept {
  partial_.clear();
  pending_ = Event{};
  has_data_ = false;
}

void EventStream::take_line(std::string_view line) {
  if (line.empty()) {  // dispatch
    if (has_data_) {
      if (pending_.type.empty()) pending_.type = "message";
      if (!pending_.id.empty()) last_id_ = pending_.id;
      on_event_(pending_);
    }
    pending_ = Event{};
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment: ": keepalive"
  const auto colon = line.find(':');
  const std::string_view name = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (name == "data") {
    if (has_data_) pending_.data += '\n';
    pending_.data += value;
    has_data_ = true;
  } else if (name == "event") {
    pending_.type = value;
  } else if (name == "id") {
    pending_.id = value;
  }  // "retry" and unknown fields: ignored, as the format says
}

namespace {

using nlohmann::json;

std::string where(const json& data) {
  return text(field(data, "profile")) + "/" + text(field(data, "endpoint"));
}

std::string why(const json& data) {
  const auto& detail = field(data, "detail");
  if (detail.is_string() && !detail.get<std::string>().empty()) return text(detail);
  return text(field(data, "reason"));
}

std::string describe(const std::string& type, const json& d) {
  if (type == "transition")
    return fmt::format("{}: {} -> {} ({})", where(d), text(field(d, "from")), text(field(d, "to")),
                       why(d));
  if (type == "override") {
    std::string out = fmt::format("{}: {}", where(d), text(field(d, "action")));
    if (!field(d, "from").is_null()) out += " from " + text(field(d, "from"));
    if (!field(d, "until").is_null()) out += " until " + text(field(d, "until"));
    return out;
  }
  if (type == "reload") {
    if (flag(d, "ok", false)) return fmt::format("ok, {} endpoints", text(field(d, "endpoints")));
    std::vector<std::string> errors;
    for (const auto& e : field(d, "errors")) errors.push_back(text(e));
    return fmt::format("REJECTED: {}", fmt::join(errors, "; "));
  }
  if (type == "fleet") {
    std::string out = text(field(d, "event"));
    if (!field(d, "profile").is_null()) out += " " + where(d);
    if (const auto& detail = field(d, "detail"); detail.is_string() && !text(detail).empty())
      out += ": " + text(detail);
    return out;
  }
  if (type == "dnssec")
    return fmt::format("{} key {}: {}", text(field(d, "zone")), text(field(d, "key")),
                       text(field(d, "action")));
  if (type == "secondary")
    return fmt::format("{} {}: {} serial {}", text(field(d, "zone")), text(field(d, "secondary")),
                       text(field(d, "event")), text(field(d, "serial")));
  return d.dump();
}

}  // namespace

std::string render_event(const std::string& type, const json& data) {
  return fmt::format("{} {} {}", text(field(data, "at")), type, describe(type, data));
}

}  // namespace dnsctl
