// dnsd: loads the config, starts the probes and the UDP/TCP servers, reloads on SIGHUP and
// stops on SIGTERM.
// The only place that links every module together.
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "admin/api.hh"
#include "admin/http_server.hh"
#include "conf/config.hh"
#include "control/runtime.hh"
#include "dnsd/engine.hh"
#include "dnsd/socket_address.hh"
#include "dnsd/tcp_server.hh"
#include "dnsd/udp_server.hh"
#include "probe/prober.hh"

namespace {

constexpr std::string_view usage =
    "usage: dnsd --config FILE        run the server\n"
    "       dnsd --check-config FILE  check a config file and exit (0: valid)\n"
    "       dnsd --version\n";

int print_errors(const std::vector<conf::Error>& errors) {
  for (const auto& error : errors) fmt::print(stderr, "{}\n", error.to_string());
  fmt::print(stderr, "dnsd: {} error{} in the config\n", errors.size(), errors.size() == 1 ? "" : "s");
  return 1;
}

int check_config(const std::string& path) {
  const conf::LoadResult result = conf::load_file(path);
  if (!result.config) return print_errors(result.errors);
  fmt::print("{}: ok ({} zones, {} profiles, {} endpoints)\n", path, result.config->zones.zones().size(),
             result.config->model.profiles.size(), result.config->model.endpoint_count);
  return 0;
}

std::string describe_listen(const dnsd::ServerConfig& server) {
  std::string out;
  for (const auto& listen : server.listen) out += (out.empty() ? "" : " ") + dnsd::format_address(listen);
  return out;
}

// Blocks the stop and reload signals in this thread and, through inheritance, in every thread
// started afterwards, so that they wait, pending, for sigwait() in the main thread whenever
// they come.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int run(const std::string& path) {
  const sigset_t stop_signals = block_stop_signals();
  conf::LoadResult loaded = conf::load_file(path);
  if (!loaded.config) return print_errors(loaded.errors);
  // Listen addresses and workers are fixed at start; a reload keeps the sockets it has.
  const dnsd::ServerConfig server = loaded.config->server;
  const std::size_t zone_count = loaded.config->zones.zones().size();
  const std::size_t profile_count = loaded.config->model.profiles.size();

  const std::size_t udp_readers = dnsd::UdpServer::reader_count(server);
  control::RuntimeOptions options;
  options.readers = udp_readers + 1;
  control::Runtime runtime(path, std::move(loaded.config), std::move(options));
  dnsd::UdpServer udp(runtime.serving(), 0);
  dnsd::TcpServer tcp(runtime.serving(), udp_readers);
  // The admin API is off unless [admin] enabled = true; its address is fixed at start.
  const conf::AdminConfig admin_config = runtime.admin_config();
  admin::Api api(runtime);
  admin::HttpServer admin_server(
      [&api](const admin::Request& request) { return api.handle(request); });
  const std::string admin_error =
      admin_config.enabled
          ? admin_server.bind(admin_config.listen_address, admin_config.listen_port)
          : "";
  for (std::string error : {udp.bind(), tcp.bind(), admin_error}) {
    if (!error.empty()) {
      fmt::print(stderr, "dnsd: {}\n", error);
      return 1;
    }
  }
  runtime.start();
  udp.start();
  tcp.start();
  if (admin_config.enabled) {
    admin_server.start();
    fmt::print(stderr, "dnsd: admin API on {}:{}\n", admin_config.listen_address,
               admin_config.listen_port);
  }
  fmt::print(stderr, "dnsd: serving {} zones and {} profiles on {} (udp, tcp) with {} workers\n",
             zone_count, profile_count, describe_listen(server), server.workers);

  int signal = 0;
  for (;;) {
    sigwait(&stop_signals, &signal);
    if (signal != SIGHUP) break;
    fmt::print(stderr, "dnsd: SIGHUP received, reloading {}\n", path);
    runtime.reload();
  }
  fmt::print(stderr, "dnsd: {} received, stopping\n", strsignal(signal));

  admin_server.stop();
  runtime.stop();
  // DNSD_PROBE_STATS=1: one summary line for bench/probe_scale.py.
  if (const char* want = std::getenv("DNSD_PROBE_STATS"); want && std::string_view(want) == "1") {
    const probe::Prober& prober = runtime.prober();
    const probe::LagStats lag = prober.lag_stats();
    fmt::print(stderr,
               "probe: stats probes={} starts={} lag_p50_ms={:.3f} lag_p99_ms={:.3f} "
               "lag_max_ms={:.3f}\n",
               prober.probe_count(), lag.count, lag.p50.count() / 1e3, lag.p99.count() / 1e3,
               lag.max.count() / 1e3);
  }
  udp.stop();
  tcp.stop();
  fmt::print(stderr, "dnsd: stopped\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--version" || args[0] == "-V")) {
    fmt::print("dnsd {}\n", DNSD_VERSION);
    return 0;
  }
  if (args.size() == 2 && args[0] == "--check-config") return check_config(std::string(args[1]));
  if (args.size() == 2 && (args[0] == "--config" || args[0] == "-c")) return run(std::string(args[1]));
  fmt::print(stderr, "{}", usage);
  return 2;
}
