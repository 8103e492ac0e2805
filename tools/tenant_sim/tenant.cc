// Tenant: ping answers (with Basic auth, as Cloud Integration checks it) and mode control.
#include "tools/tenant_sim/tenant.hh"

#include <fmt/format.h>

#include <charconv>

namespace tenant_sim {
namespace {

std::string base64(std::string_view in) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += k_alphabet[(n >> shift) & 63];
  }
  if (const auto rest = in.size() - i; rest > 0) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += rest == 2 ? k_alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Answer reply(http::status status, const Request& request, std::string body,
             std::string_view type = "text/plain") {
  Answer a;
  a.response = Response(status, request.version());
  a.response.set(http::field::server, "tenant_sim");
  a.response.set(http::field::content_type, beast::string_view(type.data(), type.size()));
  a.response.body() = std::move(body);
  return a;
}

// Boost 1.74's Beast has its own string_view; the rest of the code uses std's.
std::string_view target_of(const Request& request) {
  const auto t = request.target();
  return std::string_view(t.data(), t.size());
}

std::string_view path_of(const Request& request) {
  const std::string_view target = target_of(request);
  return target.substr(0, target.find('?'));
}

// The value of `key` in the query string ("?mode=503&clients=a,b"), unescaped (none is needed:
// modes, numbers and addresses are plain).
std::optional<std::string_view> query_param(const Request& request, std::string_view key) {
  const std::string_view target = target_of(request);
  const auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  auto query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=')
      return pair.substr(key.size() + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// The accepted modes come from the code's own list, so a test can hold --help against them.
Answer unknown_mode(const Request& request) {
  return reply(http::status::bad_request, request,
               fmt::format("unknown mode (expected one of {})\n", mode_names()));
}

std::optional<long> query_ms(const Request& request) {
  const auto digits = query_param(request, "ms");
  if (!digits) return std::nullopt;
  long ms = 0;
  const auto [end, ec] = std::from_chars(digits->data(), digits->data() + digits->size(), ms);
  if (ec != std::errc{} || end != digits->data() + digits->size() || ms < 0) return std::nullopt;
  return ms;
}

}  // namespace

Tenant::Tenant(Identity identity) : identity_(std::move(identity)) {
  if (!identity_.user.empty())
    expected_authorization_ = "Basic " + base64(identity_.user + ":" + identity_.password);
}

Answer Tenant::answer_ping(const Request& request, const std::string& client) {
  const bool ping = path_of(request) == "/http/ping";
  if (ping) ++pings_, clients_.count_ping(client);
  const ClientMode* own = clients_.find(client);
  const Mode mode = own ? own->mode : mode_;
  // The default refuse closes the listener; a client's own refuse resets its connections only.
  if (mode == Mode::refuse) return Answer{Answer::Kind::reset, {}, {}, {}};
  if (mode == Mode::hang) return Answer{Answer::Kind::never, {}, {}, {}};
  if (mode == Mode::unavailable)
    return reply(http::status::service_unavailable, request, "Service Unavailable\n");
  if (mode == Mode::huge_header) {
    // Raw bytes, as Beast keeps a field under 64 KB: 200 lines of 1 KB (a client that bounds
    // the header block stops here), then one line of 10 MB (one that bounds lines stops here).
    if (!huge_header_) {
      std::string text = "HTTP/1.1 200 OK\r\n";
      for (int i = 0; i < 200; ++i)
        text += fmt::format("X-Padding-{:03}: {}\r\n", i, std::string(1000, 'a'));
      text += "X-Huge: " + std::string(10 << 20, 'a') + "\r\n";
      text += "Content-Length: 0\r\nConnection: close\r\n\r\n";
      huge_header_ = std::make_shared<const std::string>(std::move(text));
    }
    Answer a;
    a.kind = Answer::Kind::raw;
    a.raw = huge_header_;
    return a;
  }
  Answer a;
  if (!ping || request.method() != http::verb::get) {
    a = reply(http::status::not_found, request, "Not Found\n");
  } else if (!expected_authorization_.empty() &&
             request[http::field::authorization] != expected_authorization_) {
    a = reply(http::status::forbidden, request, "Forbidden\n");  // as the tenant answers
  } else {
    a = reply(http::status::ok, request,
              fmt::format("{{\"region\":\"{}\",\"tenant\":\"{}\"}}\n", identity_.region,
                          identity_.tenant),
              "application/json");
  }
  if (mode == Mode::slow) {
    a.kind = Answer::Kind::later;
    a.delay = own ? own->slow_delay : slow_delay_;
  }
  return a;
}

bool Tenant::set_mode(Mode mode, std::chrono::milliseconds slow_delay) {
  if (main_ != nullptr) {
    if (mode == Mode::refuse) {
      main_->close();
    } else if (!main_->is_open() && main_->open()) {
      return false;  // could not reopen (port taken meanwhile): stay as we are
    }
  }
  mode_ = mode;
  if (mode == Mode::slow) slow_delay_ = slow_delay;
  return true;
}

std::string Tenant::mode_json() const {
  return fmt::format("{{\"mode\":\"{}\",\"ms\":{},\"clients\":{}}}\n", to_string(mode_),
                     slow_delay_.count(), clients_.modes_json());
}

Answer Tenant::set_mode_for(const Request& request) {
  const auto mode_text = query_param(request, "mode");
  if (!mode_text) return reply(http::status::bad_request, request, "mode=<mode> is required\n");
  const auto client_list = query_param(request, "clients");
  std::optional<std::vector<std::string>> clients;
  if (client_list) {
    std::string bad;
    clients = parse_clients(*client_list, bad);
    if (!clients)
      return reply(http::status::bad_request, request,
                   fmt::format("clients: not an IP address: \"{}\"\n", bad));
  }
  if (clients && *mode_text == "default") {
    clients_.clear(*clients);
    return reply(http::status::ok, request, mode_json(), "application/json");
  }
  const auto mode = parse_mode(*mode_text);
  if (!mode) return unknown_mode(request);
  const auto ms = query_ms(request);
  if (*mode == Mode::slow && !ms)
    return reply(http::status::bad_request, request, "slow needs ms=N\n");
  const std::chrono::milliseconds delay(ms.value_or(0));
  if (clients) {
    clients_.set(*clients, ClientMode{*mode, delay});
  } else if (!set_mode(*mode, delay)) {
    return reply(http::status::internal_server_error, request, "cannot reopen listener\n");
  }
  return reply(http::status::ok, request, mode_json(), "application/json");
}

Answer Tenant::answer_control(const Request& request) {
  const auto path = path_of(request);
  if (request.method() == http::verb::get && path == "/mode")
    return reply(http::status::ok, request, mode_json(), "application/json");
  if (request.method() == http::verb::get && path == "/stats") {
    const auto connections = main_ != nullptr ? main_->connections() : 0;
    return reply(http::status::ok, request,
                 fmt::format("{{\"pings\":{},\"connections\":{},\"mode\":\"{}\",\"clients\":{}}}\n",
                             pings_, connections, to_string(mode_), clients_.pings_json()),
                 "application/json");
  }
  if (request.method() == http::verb::post && path == "/mode") return set_mode_for(request);
  if (request.method() == http::verb::post && path.starts_with("/mode/")) {
    const auto mode = parse_mode(path.substr(6));
    if (!mode) return unknown_mode(request);
    const auto ms = query_ms(request);
    if (*mode == Mode::slow && !ms)
      return reply(http::status::bad_request, request, "slow needs ?ms=N\n");
    if (!set_mode(*mode, std::chrono::milliseconds(ms.value_or(0))))
      return reply(http::status::internal_server_error, request, "cannot reopen listener\n");
    return reply(http::status::ok, request, mode_json(), "application/json");
  }
  return reply(http::status::not_found, request, "Not Found\n");
}

}  // namespace tenant_sim
