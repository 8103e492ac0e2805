// NOTIFY sender: the queue notify() fills, and the thread that sends, retries and settles each
// (zone, secondary) job (sender.hh). The thread owns the jobs; states_ is shared under mutex_.
#include "dnsd/notify/sender.hh"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dnsd/notify/message.hh"
#include "dnsd/zone/serial.hh"
#include "logging/log.hh"

namespace dnsd::notify {

using SteadyTime = std::chrono::steady_clock::time_point;

struct Sender::Order {
  wire::Name zone;
  std::uint32_t serial;
  std::vector<std::uint8_t> soa_rdata;
  std::uint32_t soa_ttl;
};

struct Sender::Job {
  Order order;
  std::string zone_text;
  std::size_t secondary;
  Request request;
  SteadyTime built_at{};
  unsigned sends = 0;
  SteadyTime next{};  // the next send, or the give-up time after the last one
  std::string last_error;
};

namespace {

std::chrono::sys_seconds system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// RFC 8945 §5.2.3: a signed request is good for its fudge (300 s); a retransmission later than
// half of that is signed afresh (and so gets a new ID, since its MAC changes).
constexpr std::chrono::seconds k_resign_after{150};

}  // namespace

std::string_view phase_text(SecondaryState::Phase phase) noexcept {
  switch (phase) {
    case SecondaryState::Phase::pending:
      return "pending";
    case SecondaryState::Phase::acked:
      return "acked";
    case SecondaryState::Phase::gave_up:
      return "gave up";
  }
  return "?";
}

Sender::Sender(Settings settings)
    : settings_(std::move(settings)), random_(std::random_device{}()) {
  // The pipe lives as long as the Sender, so notify() may write to it from any thread at any
  // time, started or not (a full pipe is fine: one pending byte wakes the thread).
  if (::pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
}

Sender::~Sender() {
  stop();
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
}

bool Sender::start(std::string* error) {
  if (thread_.joinable()) return true;
  std::vector<int> sockets;
  for (const auto& secondary : settings_.secondaries) {
    std::string why;
    const int fd = open_socket(secondary, &why);
    if (fd < 0) {
      for (int open : sockets) ::close(open);
      if (error) *error = fmt::format("secondary {}: {}", endpoint_text(secondary), why);
      return false;
    }
    sockets.push_back(fd);
  }
  if (wake_[0] < 0) {
    for (int open : sockets) ::close(open);
    if (error) *error = "no wake-up pipe";
    return false;
  }
  sockets_ = std::move(sockets);
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  return true;
}

void Sender::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const char byte = 's';
  [[maybe_unused]] const auto written = ::write(wake_[1], &byte, 1);
  thread_.join();
  for (int fd : sockets_) ::close(fd);
  sockets_.clear();
  jobs_.clear();
}

void Sender::notify(const wire::Name& zone, std::uint32_t serial,
                    std::span<const std::uint8_t> soa_rdata, std::uint32_t soa_ttl) {
  {
    std::lock_guard lock(mutex_);
    orders_.push_back(
        Order{zone.lowercased(), serial, {soa_rdata.begin(), soa_rdata.end()}, soa_ttl});
  }
  const char byte = 'n';
  [[maybe_unused]] const auto written = ::write(wake_[1], &byte, 1);
}

std::vector<SecondaryState> Sender::states() const {
  std::lock_guard lock(mutex_);
  std::vector<SecondaryState> out;
  out.reserve(states_.size());
  for (const auto& [key, state] : states_) out.push_back(state);
  return out;
}

void Sender::run() {
  take_orders();  // those of notify() calls before start()
  std::vector<pollfd> fds;
  for (;;) {
    fds.assign(1, pollfd{wake_[0], POLLIN, 0});
    for (int fd : sockets_) fds.push_back(pollfd{fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), poll_timeout_ms(std::chrono::steady_clock::now()));
    if (fds[0].revents & POLLIN) {
      char drain[64];
      while (::read(wake_[0], drain, sizeof drain) > 0) {
      }
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      take_orders();
    }
    for (std::size_t i = 0; i < sockets_.size(); ++i)
      if (fds[i + 1].revents & (POLLIN | POLLERR)) receive(i);
    expire(std::chrono::steady_clock::now());
  }
}

int Sender::poll_timeout_ms(SteadyTime now) const {
  if (jobs_.empty()) return -1;
  SteadyTime first = jobs_.front().next;
  for (const auto& job : jobs_) first = std::min(first, job.next);
  if (first <= now) return 0;
  // Rounded up, so poll() does not wake a little early and spin.
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(first - now).count());
}

void Sender::take_orders() {
  std::vector<Order> orders;
  {
    std::lock_guard lock(mutex_);
    orders.swap(orders_);
  }
  for (auto& order : orders) {
    const std::string zone_text = order.zone.to_text();
    for (std::size_t i = 0; i < settings_.secondaries.size(); ++i) {
      auto pending = std::find_if(jobs_.begin(), jobs_.end(), [&](const Job& job) {
        return job.secondary == i && job.order.zone == order.zone;
      });
      if (pending != jobs_.end()) {
        // Only a newer serial supersedes: under flapping the latest one is what is told.
        if (!zone::serial_gt(order.serial, pending->order.serial)) continue;
        logging::info("notify: superseded zone={} serial={} by serial={} secondary={}", zone_text,
                      pending->order.serial, order.serial, endpoint_text(settings_.secondaries[i]));
        jobs_.erase(pending);
      }
      Job job{order, zone_text, i, {}, {}, 0, std::chrono::steady_clock::now(), {}};
      {
        std::lock_guard lock(mutex_);
        auto& state = states_[{zone_text, i}];
        state.secondary = endpoint_text(settings_.secondaries[i]);
        state.zone = zone_text;
        state.phase = SecondaryState::Phase::pending;
        state.serial_sent = order.serial;
        state.attempts = 0;
        state.last_error.clear();
      }
      jobs_.push_back(std::move(job));
    }
  }
  expire(std::chrono::steady_clock::now());
}

void Sender::send(Job& job, SteadyTime now) {
  const Secondary& secondary = settings_.secondaries[job.secondary];
  const tsig::Key* key = secondary.key ? &*secondary.key : nullptr;
  if (job.sends == 0 || now - job.built_at > k_resign_after) {
    const auto id = static_cast<std::uint16_t>(random_());
    if (!build_notify(job.request, job.order.zone, job.order.serial, job.order.soa_rdata,
                      job.order.soa_ttl, id, key, system_now())) {
      set_error(job, "message does not fit");
      job.sends = settings_.retry.max_sends;  // nothing to retry with: give up now
      return;
    }
    job.built_at = now;
  }
  ++job.sends;
  const auto interval = settings_.retry.first_interval * (1u << std::min(job.sends - 1, 20u));
  job.next = now + interval;
  const auto view = job.request.view();
  if (::send(sockets_[job.secondary], view.data(), view.size(), 0) < 0)
    set_error(job, errno == ECONNREFUSED ? "port unreachable" : std::strerror(errno));
  {
    std::lock_guard lock(mutex_);
    auto& state = states_[{job.zone_text, job.secondary}];
    state.attempts = job.sends;
    state.sent_at = std::chrono::system_clock::now();
  }
  logging::info("notify: sent zone={} serial={} secondary={} attempt={} key={}", job.zone_text,
                job.order.serial, endpoint_text(secondary), job.sends,
                key ? key->name.to_text() : "none");
}

void Sender::receive(std::size_t secondary) {
  const Secondary& peer = settings_.secondaries[secondary];
  const tsig::Key* key = peer.key ? &*peer.key : nullptr;
  std::array<std::uint8_t, 65535> datagram;
  for (;;) {
    const ssize_t size = ::recv(sockets_[secondary], datagram.data(), datagram.size(), 0);
    if (size < 0) {
      // RFC 1996 §3.6 allows stopping at an ICMP port unreachable; we keep retrying within
      // the policy, since a secondary that restarts is back within seconds.
      if (errno == ECONNREFUSED)
        for (auto& job : jobs_)
          if (job.secondary == secondary) set_error(job, "port unreachable");
      if (errno == EINTR || errno == ECONNREFUSED) continue;
      return;  // EAGAIN: drained
    }
    const std::span<const std::uint8_t> message(datagram.data(), static_cast<std::size_t>(size));
    for (std::size_t i = 0; i < jobs_.size(); ++i) {
      Job& job = jobs_[i];
      if (job.secondary != secondary || job.sends == 0) continue;
      const Answer answer = check_response(message, job.request, key, system_now());
      if (answer.outcome == Outcome::unrelated) continue;
      if (answer.outcome == Outcome::ok) {
        settle(i, SecondaryState::Phase::acked);
      } else {
        // Kept retrying: an error may be passing (a secondary still loading its config), and
        // an unsigned refusal may be forged; the last error is what the state shows.
        set_error(job, error_text(answer));
        logging::warning("notify: error zone={} serial={} secondary={} error={}", job.zone_text,
                         job.order.serial, endpoint_text(peer), job.last_error);
      }
      break;
    }
  }
}

void Sender::expire(SteadyTime now) {
  for (std::size_t i = 0; i < jobs_.size();) {
    Job& job = jobs_[i];
    if (job.next > now) {
      ++i;
    } else if (job.sends >= settings_.retry.max_sends) {
      settle(i, SecondaryState::Phase::gave_up);
    } else {
      send(job, now);
      ++i;
    }
  }
}

void Sender::set_error(Job& job, std::string error) {
  job.last_error = std::move(error);
  std::lock_guard lock(mutex_);
  states_[{job.zone_text, job.secondary}].last_error = job.last_error;
}

// Ends job `index`: acknowledged, or given up after its last interval passed unanswered.
void Sender::settle(std::size_t index, SecondaryState::Phase phase) {
  Job& job = jobs_[index];
  const std::string peer = endpoint_text(settings_.secondaries[job.secondary]);
  {
    std::lock_guard lock(mutex_);
    auto& state = states_[{job.zone_text, job.secondary}];
    state.phase = phase;
    if (phase == SecondaryState::Phase::acked) {
      state.serial_acked = job.order.serial;
      state.acked_at = std::chrono::system_clock::now();
      state.last_error.clear();
    } else if (state.last_error.empty()) {
      state.last_error = "timeout";
    }
    job.last_error = state.last_error;
  }
  if (phase == SecondaryState::Phase::acked)
    logging::info("notify: acked zone={} serial={} secondary={} attempts={}", job.zone_text,
                  job.order.serial, peer, job.sends);
  else
    logging::warning("notify: gave up zone={} serial={} secondary={} attempts={} error={}",
                     job.zone_text, job.order.serial, peer, job.sends, job.last_error);
  jobs_.erase(jobs_.begin() + static_cast<std::ptrdiff_t>(index));
}

}  // namespace dnsd::notify
