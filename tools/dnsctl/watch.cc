// The watch loop (see watch.hh): connect, print each event as it arrives, and after a dropped
// connection wait (1 s, doubling to 10 s) and reconnect where it left off. Bounded: one
// connection at a time, one event's bytes buffered, waits that end early on a signal.
#include "tools/dnsctl/watch.hh"

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "tools/dnsctl/events.hh"
#include "tools/dnsctl/exit_code.hh"

namespace dnsctl {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) { g_interrupted = 1; }

// No SA_RESTART: the handler only sets the flag, libcurl's progress callback reads it.
void catch_interrupts() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Sleeps up to `pause`, in short steps so that an interrupt ends it at once.
void pause_unless_interrupted(std::chrono::milliseconds pause) {
  constexpr auto k_step = std::chrono::milliseconds(100);
  for (auto left = pause; left.count() > 0 && !g_interrupted; left -= k_step)
    std::this_thread::sleep_for(std::min(left, k_step));
}

std::string error_of(const HttpResult& result) {
  const auto body = nlohmann::json::parse(result.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string())
    return body["error"].get<std::string>();
  return fmt::format("HTTP {}", result.status);
}

}  // namespace

int watch(const Client& client, const WatchOptions& options) {
  catch_interrupts();
  std::uint64_t printed = 0;
  std::uint64_t last_seq = 0;  // of the last event printed: a smaller one means a new dnsd
  bool connected_once = false;
  EventStream events([&](const Event& event) {
    if (options.count && printed >= options.count) return;
    const auto data = nlohmann::json::parse(event.data, nullptr, false);
    const std::uint64_t seq = std::strtoull(event.id.c_str(), nullptr, 10);
    if (last_seq && seq && seq < last_seq)  // numbering started again
      fmt::print(stderr, "dnsctl: dnsd restarted (event {} after {}): events may be missing\n", seq,
                 last_seq);
    if (seq) last_seq = seq;
    if (options.json)
      fmt::print("{}\n", data.is_discarded()
                             ? nlohmann::json{{"type", event.type}, {"data", event.data}}.dump()
                             : data.dump());
    else
      fmt::print("{}\n", data.is_discarded() ? event.type + " " + event.data
                                             : render_event(event.type, data));
    std::fflush(stdout);
    ++printed;
  });
  auto backoff = std::chrono::milliseconds(1000);
  constexpr auto k_max_backoff = std::chrono::milliseconds(10000);
  for (;;) {
    std::vector<std::string> headers;
    std::string path = "/api/v1/events";
    if (!events.last_id().empty())
      headers.push_back("Last-Event-ID: " + events.last_id());
    else if (options.since)
      path += fmt::format("?since={}", *options.since);
    const std::uint64_t before = printed;
    const HttpResult result = client.stream(
        path, headers,
        [&](std::string_view bytes) {
          connected_once = true;
          events.feed(bytes);
          return !(options.count && printed >= options.count);
        },
        [] { return g_interrupted != 0; });
    if (g_interrupted || (options.count && printed >= options.count)) return ok;
    events.reset();
    if (result.status == 401) {
      fmt::print(stderr, "dnsctl: dnsd at {} refused the admin token (check the token file)\n",
                 client.server());
      return bad_token;
    }
    if (result.status == 404) {
      fmt::print(stderr, "dnsctl: dnsd at {} has no event stream (/api/v1/events): {}\n",
                 client.server(), error_of(result));
      return refused;
    }
    if (!result.reached && !connected_once) {
      fmt::print(stderr,
                 "dnsctl: cannot reach dnsd's admin API at {}: {} (is dnsd running with [admin] "
                 "enabled = true?)\n",
                 client.server(), result.error);
      return unreachable;
    }
    if (printed > before) backoff = std::chrono::milliseconds(1000);  // it worked for a while
    fmt::print(stderr, "dnsctl: event stream {}; reconnecting in {}s\n",
               result.status && result.status != 200 ? fmt::format("refused: {}", error_of(result))
               : result.error.empty()                ? "ended"
                                                     : "lost: " + result.error,
               backoff.count() / 1000);
    pause_unless_interrupted(backoff);
    if (g_interrupted) return ok;
    backoff = std::min(backoff * 2, k_max_backoff);
  }
}

}  // namespace dnsctl
