// tenant_sim: plays a SAP Cloud Integration tenant for tests, benchmarks and the demo.
//   tenant_sim --listen 127.0.0.2:8443 [--tls-cert c.pem --tls-key k.pem] --region eu
//              [--tenant name] [--user u --password p] --control 127.0.0.2:9000
//              [--mode up|503|hang|refuse|slow|huge-header] [--slow-ms N]
// `tenant_sim --help` documents every option, mode and control request (k_help).
// Modes change at run time through the control listener, for all clients or for chosen client
// addresses (k_usage says how).
// Port 0 picks a free port; the ready line on stdout names the real ones. Not a real server:
// no limits, no logging per request; one io_context on one thread.
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "tools/tenant_sim/listener.hh"
#include "tools/tenant_sim/tenant.hh"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using tenant_sim::Mode;

constexpr std::string_view k_usage =
    "usage: tenant_sim --listen HOST:PORT --region NAME --control HOST:PORT\n"
    "                  [--tls-cert PEM --tls-key PEM] [--tenant NAME] [--user U --password P]\n"
    "                  [--mode up|503|hang|refuse|slow|huge-header] [--slow-ms N]\n";

constexpr std::string_view k_help =
    "Serves GET /http/ping on --listen as a SAP Cloud Integration tenant does: 200 with\n"
    "{\"region\":..., \"tenant\":...} while up, 403 without the expected Basic credentials.\n"
    "Options:\n"
    "  --listen HOST:PORT     where the tenant listens (port 0: a free port, named in the ready\n"
    "                         line); IPv6 as [::1]:PORT\n"
    "  --control HOST:PORT    the control API below (plain HTTP; port 0 as above)\n"
    "  --region NAME          required; answered in the body\n"
    "  --tenant NAME          answered in the body (default tenant-REGION)\n"
    "  --tls-cert PEM --tls-key PEM\n"
    "                         serve HTTPS with this certificate chain and key (default HTTP)\n"
    "  --user U --password P  require Authorization: Basic base64(U:P), else 403\n"
    "  --mode MODE            the mode at start (default up)\n"
    "  --slow-ms N            the delay of mode slow at start (default 1000)\n"
    "  --help, -h             this text, exit 0\n"
    "On start it prints one line: tenant_sim: listening on HOST:PORT (http|https) control on\n"
    "HOST:PORT region=NAME mode=MODE. SIGINT or SIGTERM stop it.\n"
    "Control API (plain HTTP on --control):\n"
    "  POST /mode/MODE[?ms=N]              the default mode, for every client\n"
    "  POST /mode?mode=MODE[&ms=N]         the same\n"
    "  POST /mode?mode=MODE&clients=A,B[&ms=N]\n"
    "                                      MODE only for clients connecting from the addresses\n"
    "                                      A, B (IPv4 or IPv6); other clients keep the default\n"
    "  POST /mode?mode=default&clients=A,B those clients follow the default mode again\n"
    "  GET /mode    {\"mode\":..., \"ms\":..., \"clients\":{\"A\":MODE, ...}}\n"
    "  GET /stats   {\"pings\":N, \"connections\":N, \"mode\":..., \"clients\":{\"A\":pings, "
    "...}}\n"
    "  An unknown mode is answered 400 with the list of modes.\n"
    "Modes:\n"
    "  up           200 (or 403 without the credentials)\n"
    "  503          503 Service Unavailable\n"
    "  hang         accepts and reads the request, never answers\n"
    "  refuse       as the default: the port is closed (connections refused); as a client's\n"
    "               own: its connections are reset at the first request\n"
    "  slow         answers as up after ms=N milliseconds (needs ms=N)\n"
    "  huge-header  200 with 10 MB of header (200 lines of 1 KB, then one of 10 MB)\n";

// "127.0.0.2:8443" or "[::1]:8443".
std::optional<tcp::endpoint> parse_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const auto digits = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc{} || end != digits.data() + digits.size() || port > 65535)
    return std::nullopt;
  boost::system::error_code bad;
  const auto address = asio::ip::make_address(std::string(host), bad);
  if (bad) return std::nullopt;
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

std::string endpoint_text(const tcp::endpoint& e) {
  const auto host = e.address().to_string();
  return e.address().is_v6() ? fmt::format("[{}]:{}", host, e.port())
                             : fmt::format("{}:{}", host, e.port());
}

int fail(std::string_view message) {
  fmt::print(stderr, "tenant_sim: {}\n{}", message, k_usage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    fmt::print("{}{}", k_usage, k_help);
    return 0;
  }
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (!key.starts_with("--") || i + 1 >= argc) return fail(fmt::format("bad argument {}", key));
    args[key.substr(2)] = argv[++i];
  }
  static const std::set<std::string> known{"listen", "tls-cert", "tls-key", "region", "tenant",
                                           "user",   "password", "control", "mode",   "slow-ms"};
  for (const auto& [key, value] : args)
    if (!known.contains(key)) return fail(fmt::format("unknown option --{}", key));
  const auto listen = parse_endpoint(args["listen"]);
  const auto control = parse_endpoint(args["control"]);
  if (!listen || !control) return fail("--listen and --control need HOST:PORT");
  if (args["region"].empty()) return fail("--region is required");
  if (args["tls-cert"].empty() != args["tls-key"].empty())
    return fail("--tls-cert needs --tls-key");
  const auto mode = tenant_sim::parse_mode(args.contains("mode") ? args["mode"] : "up");
  if (!mode)
    return fail(fmt::format("unknown --mode (expected one of {})", tenant_sim::mode_names()));

  asio::io_context io;
  std::optional<asio::ssl::context> tls;
  if (!args["tls-cert"].empty()) {
    tls.emplace(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    tls->use_certificate_chain_file(args["tls-cert"], ec);
    if (!ec) tls->use_private_key_file(args["tls-key"], asio::ssl::context::pem, ec);
    if (ec) return fail(fmt::format("cannot load certificate or key: {}", ec.message()));
  }

  tenant_sim::Tenant tenant(tenant_sim::Identity{
      args["region"], args.contains("tenant") ? args["tenant"] : "tenant-" + args["region"],
      args["user"], args["password"]});
  tenant_sim::Listener main_listener(
      io, *listen, tls ? &*tls : nullptr,
      [&tenant](const auto& r, const auto& client) { return tenant.answer_ping(r, client); });
  tenant_sim::Listener control_listener(
      io, *control, nullptr,
      [&tenant](const auto& r, const auto&) { return tenant.answer_control(r); });
  if (auto ec = main_listener.open())
    return fail(fmt::format("listen {}: {}", args["listen"], ec.message()));
  if (auto ec = control_listener.open())
    return fail(fmt::format("control {}: {}", args["control"], ec.message()));
  tenant.attach(main_listener);
  long slow_ms = 1000;
  if (args.contains("slow-ms")) {
    const auto& text = args["slow-ms"];
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), slow_ms);
    if (ec != std::errc{} || slow_ms < 0) return fail("--slow-ms needs a number of milliseconds");
  }
  tenant.set_mode(*mode, std::chrono::milliseconds(slow_ms));

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](boost::system::error_code, int) { io.stop(); });
  std::signal(SIGPIPE, SIG_IGN);

  fmt::print("tenant_sim: listening on {} ({}) control on {} region={} mode={}\n",
             endpoint_text(main_listener.where()), tls ? "https" : "http",
             endpoint_text(control_listener.where()), args["region"], to_string(tenant.mode()));
  std::fflush(stdout);
  io.run();
  return 0;
}
