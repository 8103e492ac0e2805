// MultiDriver: curl's socket interface over epoll (see multi_driver.hh).
#include "probe/multi_driver.hh"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

#include "probe/curl_memory.hh"
#include "service/libcurl.hh"

namespace probe {

namespace libcurl = service::libcurl;
namespace {

// Events taken per epoll_wait; more stay ready for the next turn.
constexpr int k_events = 256;

// Adds fd to the set, or changes its events when it is there already.
bool watch(int epoll, int fd, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &ev) == 0) return true;
  return errno == ENOENT && epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev) == 0;
}

// A closed fd has left the set already; errors here only mean that.
void unwatch(int epoll, int fd) { epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr); }

}  // namespace

MultiDriver::MultiDriver(std::size_t max_connections) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  resolver_epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_ < 0 || resolver_epoll_ < 0 || wake_fd_ < 0 || !watch(epoll_, wake_fd_, EPOLLIN) ||
      !watch(epoll_, resolver_epoll_, EPOLLIN))
    error_ = std::string("epoll/eventfd setup: ") + std::strerror(errno);
  // Without transfers (only names to flatten) curl stays unloaded: multi_ stays null, and
  // every curl call below is then a no-op.
  if (max_connections == 0) return;
  if (!init_curl_with_wiping_memory()) {  // before curl allocates anything
    if (error_.empty()) error_ = libcurl::error();
    return;
  }
  multi_ = libcurl::multi_init();
  libcurl::multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(max_connections));
  libcurl::multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &MultiDriver::on_socket);
  libcurl::multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
}

MultiDriver::~MultiDriver() {
  libcurl::multi_cleanup(multi_);  // may still call on_socket, so the epoll set goes after it
  for (int fd : {epoll_, resolver_epoll_, wake_fd_})
    if (fd >= 0) close(fd);
}

bool MultiDriver::add(CURL* easy) {
  libcurl::easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, &MultiDriver::on_new_socket);
  libcurl::easy_setopt(easy, CURLOPT_SOCKOPTDATA, this);
  return libcurl::multi_add_handle(multi_, easy) == CURLM_OK;
}

void MultiDriver::remove(CURL* easy) { libcurl::multi_remove_handle(multi_, easy); }

MultiDriver::Watch& MultiDriver::watch_of(int fd) {
  if (static_cast<std::size_t>(fd) >= watches_.size()) watches_.resize(fd + 64);
  return watches_[fd];
}

int MultiDriver::on_new_socket(void* self, curl_socket_t fd, curlsocktype /*purpose*/) {
  // A new file under this number: whatever the set held under it left when the old one closed.
  auto& w = static_cast<MultiDriver*>(self)->watch_of(fd);
  w = Watch{};
  return CURL_SOCKOPT_OK;
}

int MultiDriver::on_socket(CURL* /*easy*/, curl_socket_t fd, int what, void* self,
                           void* /*socketp*/) {
  auto& d = *static_cast<MultiDriver*>(self);
  auto& w = d.watch_of(fd);
  if (what == CURL_POLL_REMOVE) {
    // The connection goes idle into curl's cache, or is about to close: leave it in the set
    // (an idle connection has no events), so reusing it costs no epoll_ctl.
    w.parked = true;
    return 0;
  }
  const std::uint32_t events =
      ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  w.parked = false;
  if (w.in_set && w.events == events) return 0;
  if (!watch(d.epoll_, fd, events)) {
    w = Watch{};
    return -1;  // curl fails the transfer
  }
  w.in_set = true;
  w.events = events;
  return 0;
}

// curl's timer is read from curl_multi_timeout rather than mirrored from a timer callback:
// curl reports whole milliseconds rounded down, so a mirrored timer can fire a hair early, find
// nothing expired, and get no new callback (the timeout did not change): a stalled transfer.
// curl_multi_timeout answers 0 only once a timer has really expired.
void MultiDriver::run_timers() {
  // Bounded: handling one expired timer may expire another at once.
  for (int round = 0; round < 4; ++round) {
    long ms = -1;
    libcurl::multi_timeout(multi_, &ms);
    if (ms != 0) return;
    int running = 0;
    libcurl::multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  }
}

void MultiDriver::wait(Clock::time_point until, Resolver& resolver) {
  // No curl action before the sleep: a transfer finishing here would leave its message unread
  // until the next event. An expired timer makes this a zero-timeout wait instead.
  long curl_ms = -1;
  libcurl::multi_timeout(multi_, &curl_ms);
  sync_resolver(resolver.sockets());
  const auto now = Clock::now();
  auto wake = until;
  if (curl_ms >= 0) wake = std::min(wake, now + std::chrono::milliseconds(curl_ms));
  if (auto t = resolver.next_timeout()) wake = std::min(wake, now + *t);
  const auto ms =
      wake <= now ? 0 : std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
  const int timeout_ms = static_cast<int>(std::min<long long>(ms, INT_MAX));

  epoll_event events[k_events];
  const int n = epoll_ >= 0 ? epoll_wait(epoll_, events, k_events, timeout_ms) : 0;
  if (epoll_ < 0 && timeout_ms > 0)
    usleep(static_cast<useconds_t>(std::min(timeout_ms, 1000)) * 1000);
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (fd == wake_fd_) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto got = read(wake_fd_, &count, sizeof count);
      continue;
    }
    if (fd == resolver_epoll_) {
      serve_resolver(resolver);
      continue;
    }
    if (auto& w = watch_of(fd); w.parked) {
      // An idle cached connection woke up (the peer closed it): stop watching it; curl finds
      // it dead when it next looks.
      unwatch(epoll_, fd);
      w = Watch{};
      continue;
    }
    const auto e = events[i].events;
    const int flags = ((e & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                      ((e & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                      ((e & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
    int running = 0;
    libcurl::multi_socket_action(multi_, fd, flags, &running);
  }
  run_timers();
  resolver.process_timeouts();
}

void MultiDriver::wake() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto put = write(wake_fd_, &one, sizeof one);
}

// c-ares names its sockets on every turn (none while no lookup is pending); the epoll set
// follows that list. Each listed socket is watched again every turn: c-ares may have closed and
// reopened the same fd number since, and a closed file has left the set.
void MultiDriver::sync_resolver(const std::vector<ResolverSocket>& wanted) {
  if (wanted.empty() && resolver_registered_.empty()) return;
  for (const auto& old : resolver_registered_) {
    const bool kept = std::any_of(wanted.begin(), wanted.end(),
                                  [&](const ResolverSocket& s) { return s.fd == old.fd; });
    if (!kept) unwatch(resolver_epoll_, old.fd);
  }
  for (const auto& s : wanted)
    watch(resolver_epoll_, s.fd, (s.want_read ? EPOLLIN : 0u) | (s.want_write ? EPOLLOUT : 0u));
  resolver_registered_ = wanted;
}

void MultiDriver::serve_resolver(Resolver& resolver) {
  epoll_event events[16];
  const int n = epoll_wait(resolver_epoll_, events, 16, 0);
  for (int i = 0; i < n; ++i) {
    const auto e = events[i].events;
    // Errors and hang-ups count as readable, so c-ares reads the error and moves on.
    resolver.process(events[i].data.fd, (e & ~static_cast<std::uint32_t>(EPOLLOUT)) != 0,
                     (e & EPOLLOUT) != 0);
  }
}

}  // namespace probe
