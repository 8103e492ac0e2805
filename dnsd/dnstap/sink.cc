// Setting up fstrm: a unix-socket or file writer for the dnstap content type, and an I/O
// thread with one single-producer queue per query thread. Start and stop only; nothing here
// runs per query.
#include "dnsd/dnstap/sink.hh"

#include <fcntl.h>
#include <fstrm.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <thread>

#include "logging/log.hh"

namespace dnsd::dnstap {

namespace {

constexpr unsigned k_reopen_seconds = 2;
constexpr auto k_stop_limit = std::chrono::seconds(2);

// The Frame Streams writer for the settings' socket or file; null when fstrm refuses it.
fstrm_writer* make_writer(const Settings& settings) {
  fstrm_writer_options* options = fstrm_writer_options_init();
  fstrm_writer_options_add_content_type(options, k_content_type, std::strlen(k_content_type));
  fstrm_writer* writer = nullptr;
  if (!settings.socket.empty()) {
    fstrm_unix_writer_options* unix_options = fstrm_unix_writer_options_init();
    fstrm_unix_writer_options_set_socket_path(unix_options, settings.socket.c_str());
    writer = fstrm_unix_writer_init(unix_options, options);
    fstrm_unix_writer_options_destroy(&unix_options);
  } else {
    fstrm_file_options* file_options = fstrm_file_options_init();
    fstrm_file_options_set_file_path(file_options, settings.file.c_str());
    writer = fstrm_file_writer_init(file_options, options);
    fstrm_file_options_destroy(&file_options);
  }
  fstrm_writer_options_destroy(&options);
  return writer;
}

}  // namespace

std::unique_ptr<Sink> Sink::open(const Settings& settings, std::size_t threads, std::string& why) {
  if (!settings.file.empty()) {
    // fstrm opens the file in its own thread and says nothing when it cannot: try it here, so
    // a wrong path or a missing permission stops the start with the reason.
    const int fd = ::open(settings.file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
      why = fmt::format("cannot write {}: {}", settings.file, std::strerror(errno));
      return nullptr;
    }
    ::close(fd);
  }
  std::unique_ptr<Sink> sink(new Sink(settings));
  if (!sink->settings_.identity) {
    char host[256] = {};
    ::gethostname(host, sizeof(host) - 1);
    sink->settings_.identity = host;
  }
  if (!sink->settings_.version) sink->settings_.version = "dnsd " DNSD_VERSION;
  fstrm_writer* writer = make_writer(sink->settings_);
  fstrm_iothr_options* options = fstrm_iothr_options_init();
  fstrm_iothr_options_set_num_input_queues(options, static_cast<unsigned>(threads));
  fstrm_iothr_options_set_input_queue_size(options, static_cast<unsigned>(settings.queue_size));
  fstrm_iothr_options_set_queue_model(options, FSTRM_IOTHR_QUEUE_MODEL_SPSC);
  fstrm_iothr_options_set_output_queue_size(options, k_writer_batch);
  // fstrm wakes its thread when a queue is this full, else once a second: at half (not its
  // default of 32 places left) the writer has half a queue of time to get the CPU.
  fstrm_iothr_options_set_queue_notify_threshold(
      options, static_cast<unsigned>(std::max<std::size_t>(1, settings.queue_size / 2)));
  fstrm_iothr_options_set_reopen_interval(options, k_reopen_seconds);
  sink->iothr_ = writer ? fstrm_iothr_init(options, &writer) : nullptr;
  fstrm_iothr_options_destroy(&options);
  if (!sink->iothr_) {
    if (writer) fstrm_writer_destroy(&writer);
    why = "fstrm cannot start its writer thread";
    return nullptr;
  }
  for (std::size_t i = 0; i < threads; ++i)
    sink->taps_.push_back(std::make_unique<Tap>(sink->settings_, sink->iothr_,
                                                fstrm_iothr_get_input_queue_idx(sink->iothr_, i),
                                                slot_count(settings.queue_size)));
  return sink;
}

Sink::~Sink() {
  if (!iothr_) return;
  std::promise<void> done;
  std::future<void> stopped = done.get_future();
  std::thread stopper([iothr = iothr_, done = std::move(done)]() mutable {
    fstrm_iothr_destroy(&iothr);
    done.set_value();
  });
  if (stopped.wait_for(k_stop_limit) == std::future_status::ready) {
    stopper.join();
    return;
  }
  // The writer thread is stuck on a reader that stopped reading. It still owns slots of the
  // taps: they stay allocated (dnsd is stopping), and the thread goes on on its own.
  stopper.detach();
  // Held from a static, never freed: reachable memory, not a leak (LeakSanitizer agrees).
  static auto* const abandoned = new std::vector<std::unique_ptr<Tap>>();
  for (auto& tap : taps_) abandoned->push_back(std::move(tap));
  taps_.clear();
  logging::warning("dnstap: the reader of {} does not read; stopping without flushing",
                   settings_.socket.empty() ? settings_.file : settings_.socket);
}

Totals Sink::totals() const noexcept {
  Totals totals;
  for (const auto& tap : taps_) {
    totals.sent += tap->sent();
    totals.dropped += tap->dropped();
  }
  return totals;
}

}  // namespace dnsd::dnstap
