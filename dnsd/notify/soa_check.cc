// SOA check of one secondary (soa_check.hh): a connected UDP socket, poll() with a deadline.
#include "dnsd/notify/soa_check.hh"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include "dnsd/notify/message.hh"

namespace dnsd::notify {

SoaCheck check_soa(const Secondary& secondary, const wire::Name& zone,
                   std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  SoaCheck result;
  const int fd = open_socket(secondary, &result.error);
  if (fd < 0) return result;
  const tsig::Key* key = secondary.key ? &*secondary.key : nullptr;
  const auto now = [] {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  };
  Request request;
  std::random_device random;
  if (!build_soa_query(request, zone, static_cast<std::uint16_t>(random()), key, now())) {
    ::close(fd);
    result.error = "message does not fit";
    return result;
  }
  const auto deadline = Clock::now() + timeout;
  const auto resend_every = std::max(timeout / 3, std::chrono::milliseconds(1));
  auto next_send = Clock::now();
  result.error = "timeout";
  std::array<std::uint8_t, 65535> datagram;
  for (auto at = Clock::now(); at < deadline; at = Clock::now()) {
    if (at >= next_send) {
      if (::send(fd, request.bytes.data(), request.size, 0) < 0 && errno == ECONNREFUSED)
        result.error = "port unreachable";
      next_send = at + resend_every;
    }
    const auto wait = std::min(deadline, next_send) - at;
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(
        &pfd, 1, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count()));
    if (ready <= 0) continue;
    const ssize_t size = ::recv(fd, datagram.data(), datagram.size(), 0);
    if (size < 0) {
      if (errno == ECONNREFUSED) result.error = "port unreachable";
      continue;
    }
    const Answer answer = check_response(
        std::span<const std::uint8_t>(datagram.data(), static_cast<std::size_t>(size)), request,
        key, now());
    if (answer.outcome == Outcome::unrelated) continue;
    if (answer.outcome == Outcome::ok && answer.serial) {
      result.serial = answer.serial;
      result.error.clear();
    } else {
      result.error = answer.outcome == Outcome::ok ? "no SOA" : error_text(answer);
    }
    break;
  }
  ::close(fd);
  return result;
}

std::vector<SoaCheck> check_soa_all(std::span<const Secondary> secondaries, const wire::Name& zone,
                                    std::chrono::milliseconds timeout) {
  std::vector<SoaCheck> results(secondaries.size());
  std::vector<std::thread> threads;
  threads.reserve(secondaries.size());
  for (std::size_t i = 0; i < secondaries.size(); ++i)
    threads.emplace_back([&, i] { results[i] = check_soa(secondaries[i], zone, timeout); });
  for (auto& thread : threads) thread.join();
  return results;
}

std::size_t count_serving(std::span<const SoaCheck> checks, std::uint32_t wanted) noexcept {
  std::size_t count = 0;
  for (const auto& check : checks)
    if (check.serial && serves_at_least(*check.serial, wanted)) ++count;
  return count;
}

}  // namespace dnsd::notify
