// dnsd: loads the config, binds, drops root, starts the probes, the UDP/TCP servers and the
// admin API, tells systemd it is ready, reloads on SIGHUP and stops gracefully on
// SIGTERM/SIGINT. The only place that links every module together.
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "admin/api.hh"
#include "admin/http_server.hh"
#include "conf/load.hh"
#include "conf/reference.hh"
#include "conf/zone_text.hh"
#include "control/generation.hh"
#include "control/runtime.hh"
#include "control/updater.hh"
#include "dnsd/dnssec/on_demand.hh"
#include "dnsd/dnstap/sink.hh"
#include "dnsd/query_counters.hh"
#include "dnsd/server_config.hh"
#include "dnsd/socket_address.hh"
#include "dnsd/tcp_server.hh"
#include "dnsd/transfer_server.hh"
#include "dnsd/udp_server.hh"
#include "dnsd/update_queue.hh"
#if DNSD_HAVE_XDP
#include "dnsd/xdp/xdp_server.hh"
#endif
#include "logging/log.hh"
#include "metrics/render.hh"
#include "probe/plan.hh"
#include "probe/prober.hh"
#include "service/hardening.hh"
#include "service/libcurl.hh"
#include "service/notify.hh"
#include "service/privileges.hh"

namespace {

constexpr std::string_view usage =
    "usage: dnsd --config FILE        run the server\n"
    "       dnsd --check-config FILE  check a config file and exit (0: valid, warnings or not)\n"
    "       dnsd --check-config --print FILE\n"
    "                                 ... and print the zones it serves as master-file text\n"
    "       dnsd --config-reference   print every config key as Markdown\n"
    "       dnsd --version\n";

// --check-config prints plain lines for a person ("error: " first, apart from warnings); a
// starting server logs them (journald).
int print_errors(const std::vector<conf::Error>& errors, bool as_log) {
  const auto say = [as_log](std::string_view prefix, const std::string& line) {
    if (as_log)
      logging::error("{}", line);
    else
      fmt::print(stderr, "{}{}\n", prefix, line);
  };
  for (const auto& error : errors) say("error: ", error.to_string());
  say("",
      fmt::format("dnsd: {} error{} in the config", errors.size(), errors.size() == 1 ? "" : "s"));
  return 1;
}

// Warnings never change the exit code: 0 with or without them, 1 on any error. With --print
// the zones go to stdout as master-file text and the summary to stderr.
int check_config(const std::string& path, bool print) {
  const conf::LoadResult result = conf::load_file(path);
  for (const auto& warning : result.warnings) fmt::print(stderr, "warning: {}\n", warning);
  if (!result.config) return print_errors(result.errors, false);
  const auto& config = *result.config;
  const std::string warnings = result.warnings.empty()
                                   ? ""
                                   : fmt::format(", {} warning{}", result.warnings.size(),
                                                 result.warnings.size() == 1 ? "" : "s");
  const std::string summary = fmt::format("{}: ok ({} zones, {} profiles, {} endpoints{})", path,
                                          config.zones.zones().size(), config.model.profiles.size(),
                                          config.model.endpoint_count, warnings);
  if (print) {
    fmt::print("{}", conf::zones_as_master_text(config));
    fmt::print(stderr, "{}\n", summary);
  } else {
    fmt::print("{}\n", summary);
  }
  return 0;
}

std::string describe_listen(const dnsd::ServerConfig& server) {
  std::string out;
  for (const auto& listen : server.listen)
    out += (out.empty() ? "" : " ") + dnsd::format_address(listen);
  return out;
}

logging::Level to_logging(conf::LogLevel level) {
  switch (level) {
    case conf::LogLevel::debug:
      return logging::Level::debug;
    case conf::LogLevel::info:
      return logging::Level::info;
    case conf::LogLevel::warning:
      return logging::Level::warning;
    case conf::LogLevel::error:
      return logging::Level::error;
  }
  return logging::Level::info;
}

// Blocks the signals main() waits for in this thread and, through inheritance, in every thread
// started afterwards, so that they wait, pending, for sigwait() in the main thread whenever
// they come: SIGTERM/SIGINT stop, SIGHUP reloads, SIGUSR1 dumps the metrics (DNSD_METRICS_DUMP).
sigset_t block_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (const int signal : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// The probes open CA, certificate and key files at each TLS handshake, long after root is
// gone: they must be readable by the user dnsd now runs as. Header secrets were read at load.
std::string check_probe_files(const conf::Config& config) {
  std::set<std::string> files;
  for (const auto& profile : config.model.profiles)
    for (const auto& endpoint : profile.endpoints)
      for (const auto* file : {&endpoint.monitor.ca_file, &endpoint.monitor.client_cert_file,
                               &endpoint.monitor.client_key_file})
        if (!file->empty()) files.insert(*file);
  for (const auto& file : files)
    if (::access(file.c_str(), R_OK) != 0)
      return fmt::format("probe file {} is not readable by uid {}: {}", file, ::geteuid(),
                         std::strerror(errno));
  return {};
}

// Root is used for binding only; everything after runs as config.server.user.
bool become_user(const conf::Config& config) {
  if (!config.server.user) return true;
  if (const std::string error = service::drop_privileges(*config.server.user); !error.empty()) {
    logging::error("dnsd: cannot drop privileges: {}", error);
    return false;
  }
  logging::info("dnsd: running as user {} (uid {}, gid {})", *config.server.user, ::getuid(),
                ::getgid());
  if (::access(config.path.c_str(), R_OK) != 0)
    logging::warning("dnsd: config {} is not readable by user {}: reloads will fail", config.path,
                     *config.server.user);
  return true;
}

// [server] core_dumps, settled once root is gone (a uid change resets the dumpable flag).
bool settle_core_dumps(const conf::Config& config) {
  if (const std::string error = service::apply_core_dumps(config.server.core_dumps);
      !error.empty()) {
    logging::error("dnsd: cannot set core dumps: {}", error);
    return false;
  }
  if (config.server.core_dumps)
    logging::warning(
        "dnsd: core dumps allowed (server.core_dumps = true): a core file holds "
        "the probe header values and the admin token");
  return true;
}

// DNSD_METRICS_DUMP=FILE: the /metrics page written to FILE on SIGUSR1 and at stop (replaced
// whole, through a rename), for tests and for debugging without the admin server.
void dump_metrics(const std::function<std::string()>& render) {
  const char* path = std::getenv("DNSD_METRICS_DUMP");
  if (!path || !*path) return;
  const std::string temporary = fmt::format("{}.tmp.{}", path, ::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << render();
    if (!out) {
      logging::warning("dnsd: cannot write metrics to {}", temporary);
      return;
    }
  }
  if (std::rename(temporary.c_str(), path) != 0)
    logging::warning("dnsd: cannot rename {} to {}: {}", temporary, path, std::strerror(errno));
}

// Waits for a stop signal, serving SIGHUP and SIGUSR1 meanwhile and sending the watchdog
// keep-alive when systemd asked for one. Returns the stop signal.
int wait_for_stop(const sigset_t& signals, const std::function<std::string()>& render_metrics,
                  const std::function<void()>& reload) {
  const auto watchdog = service::watchdog_period();
  for (;;) {
    int signal = 0;
    if (watchdog) {
      const auto us = watchdog->count();
      const timespec period{static_cast<time_t>(us / 1'000'000),
                            static_cast<long>(us % 1'000'000) * 1000};
      signal = sigtimedwait(&signals, nullptr, &period);
      if (signal < 0) {
        service::notify_watchdog();
        continue;
      }
    } else if (sigwait(&signals, &signal) != 0) {
      continue;
    }
    if (signal == SIGUSR1) {
      dump_metrics(render_metrics);
    } else if (signal == SIGHUP) {
      reload();
    } else {
      return signal;
    }
  }
}

// Each TCP client, probe and admin connection takes a descriptor, and the usual soft limit
// (1024) is far below the hard one: raise it at start, as root or not.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur != limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      logging::warning("dnsd: cannot raise the descriptor limit from {}: {}", before,
                       std::strerror(errno));
      return;
    }
    logging::info("dnsd: descriptor limit raised from {} to {} (the hard limit)", before,
                  limit.rlim_cur);
  } else {
    logging::info("dnsd: descriptor limit {} (the hard limit)", limit.rlim_cur);
  }
}

// Loads the config at `path`, logging every error; null when it does not load.
std::unique_ptr<conf::Config> load(const std::string& path) {
  logging::set_format(logging::detect_format());
  conf::LoadResult loaded = conf::load_file(path);
  for (const auto& warning : loaded.warnings) logging::warning("dnsd: {}", warning);
  if (!loaded.config) {
    print_errors(loaded.errors, true);
    return nullptr;
  }
  logging::set_level(to_logging(loaded.config->log_level));
  // Start only: a reload keeps the format, so a shipper's parser never sees it change.
  if (loaded.config->server.log_format == conf::LogFormat::json)
    logging::set_format(logging::Format::json);
  return std::move(loaded.config);
}

// Query threads read the serving state as readers: the UDP workers, the TCP thread, then the
// AF_XDP queue threads.
control::RuntimeOptions runtime_options(std::size_t udp_readers, std::size_t xdp_readers,
                                        probe::ProbeCounters* probe_counters) {
  control::RuntimeOptions options;
  options.readers = udp_readers + 1 + xdp_readers;
  options.probe.counters = probe_counters;
  return options;
}

// The running program, built once the config has loaded: run() takes it through its phases
// (bind, drop root, start, wait, stop) in that order.
class Daemon {
 public:
  Daemon(const std::string& path, std::unique_ptr<conf::Config> config)
      : path_(path),
        server_(control::server_config(config->server)),
        udp_readers_(dnsd::UdpServer::reader_count(server_)),
        xdp_config_(config->xdp),
        xdp_readers_(xdp_config_.interface.empty() ? 0 : xdp_config_.queues),
        // AF_XDP queue threads count as UDP threads, after the socket workers.
        query_counters_(udp_readers_ + xdp_readers_, 1),
        dnstap_settings_(config->dnstap),
        runtime_(path, std::move(config),
                 runtime_options(udp_readers_, xdp_readers_, &probe_counters_)),
        transfers_(runtime_.publishing(), server_.max_transfers, server_.tcp_idle_timeout),
        udp_(runtime_.serving(), 0, &query_counters_),
        tcp_(runtime_.serving(), udp_readers_, &query_counters_),
        admin_config_(runtime_.admin_config()),
        api_(runtime_, {[this] { return reload(); }, [this] { return render_metrics(); }}),
        admin_server_(
            [this](const admin::Request& request, std::unique_ptr<admin::Stream>* stream) {
              return api_.handle(request, stream);
            },
            {admin_config_.max_connections, admin_config_.request_timeout}) {
    tcp_.set_transfers(&transfers_);
    udp_.set_updates(&update_queue_);
    tcp_.set_updates(&update_queue_);
  }

  // The admin API (when enabled), UDP and TCP sockets, still as root. False after logging the
  // first error.
  bool bind() {
    if (!open_dnstap()) return false;
    const std::string admin_error =
        admin_config_.enabled
            ? admin_server_.bind(admin_config_.listen_address, admin_config_.listen_port)
            : "";
    for (std::string error : {udp_.bind(), tcp_.bind(), admin_error, bind_xdp()}) {
      if (!error.empty()) {
        logging::error("dnsd: {}", error);
        return false;
      }
    }
    return true;
  }

  // Switches to [server] user and checks that the probes' files stay readable. False after
  // logging why dnsd must not run.
  bool drop_root() {
    bool may_run = true;
    runtime_.inspect([&](const control::Generation& generation, const control::Overrides&) {
      const conf::Config& config = *generation.config;
      may_run = become_user(config) && settle_core_dumps(config);
      if (const std::string error = may_run ? check_probe_files(config) : ""; !error.empty()) {
        logging::error("dnsd: {}", error);
        may_run = false;
      }
      zone_count_ = config.zones.zones().size();
    });
    // The update log is replayed as the user dnsd runs as, before anything is served.
    if (const std::string error = may_run ? updater_.open() : ""; !error.empty()) {
      logging::error("dnsd: {}", error);
      may_run = false;
    }
    runtime_.inspect([&](const control::Generation& generation, const control::Overrides&) {
      const conf::Config& config = *generation.config;
      profile_count_ = config.model.profiles.size();
    });
    return may_run;
  }

  // Probes, servers and the admin API, then systemd is told dnsd is ready.
  void start() {
    updater_.start();
    runtime_.start();
    udp_.start();
#if DNSD_HAVE_XDP
    if (xdp_) xdp_->start();
#endif
    transfers_.start();
    tcp_.start();
    if (admin_config_.enabled) {
      admin_server_.start();
      logging::info("dnsd: admin API on {}:{}", admin_config_.listen_address,
                    admin_config_.listen_port);
    }
    const std::string status =
        fmt::format("serving {} zones and {} profiles on {} (udp, tcp) with {} workers",
                    zone_count_, profile_count_, describe_listen(server_), server_.workers);
    logging::info("dnsd: {}", status);
    service::notify_ready(status);
  }

  // Until a stop signal; SIGHUP reloads and SIGUSR1 dumps the metrics meanwhile.
  int wait(const sigset_t& signals) {
    return wait_for_stop(
        signals, [this] { return render_metrics(); }, [this] { reload(); });
  }

  void stop(int signal) {
    service::notify_stopping();
    logging::info("dnsd: {} received, stopping", strsignal(signal));
    admin_server_.stop();
    runtime_.stop();
    log_probe_stats();
    // Queries already received are answered before the sockets close (see UdpServer::stop).
#if DNSD_HAVE_XDP
    if (xdp_) {  // detached before the sockets close: UDP on the interface goes back to them
      xdp_->stop();
      logging::info("xdp: stopped, {}", xdp_->summary());
    }
#endif
    udp_.stop();
    tcp_.stop();
    updater_.stop();  // after the servers: nothing more is handed over
    if (dnstap_) dnstap_at_stop_ = dnstap_->totals();  // for the last metrics dump
    dnstap_.reset();    // after the query threads: flushes what they logged
    transfers_.stop();  // open transfers are cut: the secondaries retry
    dump_metrics([this] { return render_metrics(); });
    logging::info("dnsd: stopped");
  }

 private:
  // The model and health table change with reloads: the page is rendered under the Runtime's lock.
  // Propagation is read first: Publishing has its own lock.
  std::string render_metrics() {
    std::vector<metrics::ZoneSerials> published;
    for (const auto& zone : runtime_.publishing().propagation()) {
      published.push_back({zone.zone, zone.serial, {}});
      for (const auto& s : zone.secondaries)
        published.back().secondaries.push_back(
            {s.secondary, s.serving_serial, s.acked_serial, s.current});
    }
    std::string page;
    const auto dnstap = dnstap_ ? std::optional(dnstap_->totals()) : dnstap_at_stop_;
    runtime_.inspect([&](const control::Generation& generation, const control::Overrides&) {
      page = metrics::render_prometheus({&query_counters_, &probe_counters_,
                                         &generation.config->model, &generation.health,
                                         &config_status_, &published, dnstap ? &*dnstap : nullptr,
                                         DNSD_VERSION, true, dnsd::dnssec::on_demand_totals()});
    });
    if (const control::Fleet* fleet = runtime_.fleet()) page += fleet->metrics();
    return page;
  }

  // [dnstap]: the sink and its writer thread, one tap per query thread (UDP workers, then the
  // TCP thread). Before the sockets, as root: a file is created now. False after logging why.
  bool open_dnstap() {
    if (!dnstap_settings_.enabled()) return true;
    std::string why;
    dnstap_ = dnsd::dnstap::Sink::open(dnstap_settings_, udp_readers_ + 1, why);
    if (!dnstap_) {
      logging::error("dnstap: {}", why);
      return false;
    }
    udp_.set_dnstap(dnstap_.get());
    tcp_.set_dnstap(&dnstap_->tap(udp_readers_));
    const char* what = dnstap_settings_.queries && dnstap_settings_.responses
                           ? "queries and responses"
                       : dnstap_settings_.queries   ? "queries"
                       : dnstap_settings_.responses ? "responses"
                                                    : "nothing";
    logging::info(
        "dnstap: logging {} to {} {}", what, dnstap_settings_.socket.empty() ? "file" : "socket",
        dnstap_settings_.socket.empty() ? dnstap_settings_.file : dnstap_settings_.socket);
    return true;
  }

  // [xdp]: the XDP program on the interface and one AF_XDP socket per queue, as root, before
  // the other sockets' threads start. dnsd does not start half-way: an error here stops it.
  std::string bind_xdp() {
    if (xdp_config_.interface.empty()) return {};
#if DNSD_HAVE_XDP
    dnsd::xdp::Settings settings{
        xdp_config_.interface,
        xdp_config_.port.value_or(server_.listen.empty() ? 53 : server_.listen.front().port),
        xdp_config_.queues};
    const std::uint16_t port = settings.port;
    xdp_ = std::make_unique<dnsd::xdp::XdpServer>(runtime_.serving(), std::move(settings),
                                                  udp_readers_ + 1,
                                                  &query_counters_.udp(udp_readers_));
    if (std::string error = xdp_->bind(); !error.empty()) {
      xdp_.reset();
      return error;
    }
    logging::info("xdp: answering UDP port {} on {} ({} queue(s), {} mode)", port,
                  xdp_config_.interface, xdp_config_.queues,
                  xdp_->generic_mode() ? "generic" : "native");
    return {};
#else
    return fmt::format(
        "xdp: [xdp] interface = \"{}\" asks for AF_XDP, but this dnsd was built without it "
        "(needs libxdp-dev, libbpf-dev and clang at build time)",
        xdp_config_.interface);
#endif
  }

  // SIGHUP and POST /api/v1/reload: one reload, told to systemd and counted.
  control::ReloadReport reload() {
    logging::info("dnsd: reloading {}", path_);
    service::notify_reloading(fmt::format("reloading {}", path_));
    const control::ReloadReport report = runtime_.reload();
    config_status_.record_reload(
        report.ok,
        std::chrono::duration_cast<std::chrono::seconds>(report.at.time_since_epoch()).count());
    service::notify_ready(report.ok ? "reloaded" : "reload rejected; the running config stays");
    return report;
  }

  // DNSD_PROBE_STATS=1: one summary line for bench/probe_scale.py.
  void log_probe_stats() const {
    const char* want = std::getenv("DNSD_PROBE_STATS");
    if (!want || std::string_view(want) != "1") return;
    const probe::Prober& prober = runtime_.prober();
    const probe::LagStats lag = prober.lag_stats();
    logging::info(
        "probe: stats probes={} starts={} lag_p50_ms={:.3f} lag_p99_ms={:.3f} lag_max_ms={:.3f}",
        prober.probe_count(), lag.count, lag.p50.count() / 1e3, lag.p99.count() / 1e3,
        lag.max.count() / 1e3);
  }

  const std::string path_;
  // Listen addresses, workers and the user are fixed at start; a reload keeps the sockets.
  const dnsd::ServerConfig server_;
  const std::size_t udp_readers_;
  const conf::XdpSection xdp_config_;  // [xdp] as read at start
  const std::size_t xdp_readers_;
  // Counters outlive the servers, the probers and reloads: they only grow.
  dnsd::QueryCounters query_counters_;
  // [dnstap] as read at start (a reload does not change it); the sink outlives the servers.
  const dnsd::dnstap::Settings dnstap_settings_;
  std::unique_ptr<dnsd::dnstap::Sink> dnstap_;
  std::optional<dnsd::dnstap::Totals> dnstap_at_stop_;
  probe::ProbeCounters probe_counters_;
  metrics::ConfigStatus config_status_;
  control::Runtime runtime_;
  // AXFR/IXFR and signed SOA queries: the TCP server hands these connections to the transfer
  // thread, which reads the published zones.
  dnsd::TransferServer transfers_;
  dnsd::UdpServer udp_;
  dnsd::TcpServer tcp_;
#if DNSD_HAVE_XDP
  std::unique_ptr<dnsd::xdp::XdpServer> xdp_;  // [xdp]; null: off
#endif
  // UPDATE (RFC 2136): the servers hand messages over; the update thread answers them.
  dnsd::UpdateQueue update_queue_;
  control::Updater updater_{runtime_, update_queue_};
  // The admin API is off unless [admin] enabled = true; its address is fixed at start.
  const conf::AdminConfig admin_config_;
  admin::Api api_;
  admin::HttpServer admin_server_;
  std::size_t zone_count_ = 0, profile_count_ = 0;
};

// libcurl is loaded only by what uses it: probes over HTTP(S) or TCP, and the fleet's etcd
// client. A server that needs it stops here, with the reason, rather than probe nothing.
bool load_libcurl_if_needed(const conf::Config& config) {
  if (!config.fleet.enabled && probe::make_plan(config.model).probes.empty()) return true;
  if (service::libcurl::load()) return true;
  logging::error("dnsd: {} (needed by the probes or the fleet)", service::libcurl::error());
  return false;
}

int run(const std::string& path) {
  const sigset_t signals = block_signals();
  std::unique_ptr<conf::Config> config = load(path);
  if (!config || !load_libcurl_if_needed(*config)) return 1;
  raise_descriptor_limit();
  Daemon daemon(path, std::move(config));
  if (!daemon.bind() || !daemon.drop_root()) return 1;
  daemon.start();
  daemon.stop(daemon.wait(signals));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any secret is read (--check-config reads them too); the config may allow them later.
  if (const std::string error = service::forbid_core_dumps(); !error.empty()) {
    fmt::print(stderr, "dnsd: cannot turn core dumps off: {}\n", error);
    return 1;
  }
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--version" || args[0] == "-V")) {
    fmt::print("dnsd {}\n", DNSD_VERSION);
    return 0;
  }
  if (args.size() == 1 && args[0] == "--config-reference") {
    fmt::print("{}", conf::config_reference());
    return 0;
  }
  if (args.size() == 2 && args[0] == "--check-config")
    return check_config(std::string(args[1]), false);
  if (args.size() == 3 && args[0] == "--check-config" &&
      (args[1] == "--print" || args[2] == "--print"))
    return check_config(std::string(args[1] == "--print" ? args[2] : args[1]), true);
  if (args.size() == 2 && (args[0] == "--config" || args[0] == "-c"))
    return run(std::string(args[1]));
  fmt::print(stderr, "{}", usage);
  return 2;
}
