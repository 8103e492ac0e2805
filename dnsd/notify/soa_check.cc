// SOA checks (soa_check.hh): per secondary one connected UDP socket carrying one query per zone,
// each with its own ID, and one poll() loop with a deadline for all of them.
#include "dnsd/notify/soa_check.hh"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>
#include <set>
#include <thread>

#include "dnsd/notify/message.hh"

namespace dnsd::notify {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::sys_seconds wall_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// One query per zone, IDs distinct so that each answer finds its query (check_response()
// matches ID and question).
std::vector<Request> build_queries(std::span<const wire::Name> zones, const tsig::Key* key,
                                   std::vector<SoaCheck>& results) {
  std::vector<Request> requests(zones.size());
  std::random_device device;
  std::mt19937 random(device());
  std::set<std::uint16_t> used;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    std::uint16_t id = 0;
    do id = static_cast<std::uint16_t>(random());
    while (used.size() < 65536 && !used.insert(id).second);
    if (!build_soa_query(requests[z], zones[z], id, key, wall_now()))
      results[z].error = "message does not fit";
    else
      results[z].error = "timeout";
  }
  return requests;
}

// The answer in `datagram` settles the query it belongs to, if it belongs to one still open.
void settle(std::span<const std::uint8_t> datagram, const std::vector<Request>& requests,
            const tsig::Key* key, std::vector<SoaCheck>& results, std::vector<bool>& open,
            std::size_t& open_count) {
  for (std::size_t z = 0; z < requests.size(); ++z) {
    if (!open[z]) continue;
    const Answer answer = check_response(datagram, requests[z], key, wall_now());
    if (answer.outcome == Outcome::unrelated) continue;
    if (answer.outcome == Outcome::ok && answer.serial) {
      results[z].serial = answer.serial;
      results[z].error.clear();
    } else {
      results[z].error = answer.outcome == Outcome::ok ? "no SOA" : error_text(answer);
    }
    open[z] = false;
    --open_count;
    return;
  }
}

}  // namespace

std::vector<SoaCheck> check_soa_zones(const Secondary& secondary, std::span<const wire::Name> zones,
                                      std::chrono::milliseconds timeout) {
  std::vector<SoaCheck> results(zones.size());
  std::string error;
  const int fd = open_socket(secondary, &error);
  if (fd < 0) {
    for (auto& result : results) result.error = error;
    return results;
  }
  const tsig::Key* key = secondary.key ? &*secondary.key : nullptr;
  const std::vector<Request> requests = build_queries(zones, key, results);
  std::vector<bool> open(zones.size());
  std::size_t open_count = 0;
  for (std::size_t z = 0; z < zones.size(); ++z)
    if (requests[z].size > 0) open[z] = true, ++open_count;
  const auto deadline = Clock::now() + timeout;
  const auto resend_every = std::max(timeout / 3, std::chrono::milliseconds(1));
  auto next_send = Clock::now();
  bool refused = false;  // an ICMP port unreachable came back
  std::array<std::uint8_t, 65535> datagram;
  for (auto at = Clock::now(); open_count > 0 && at < deadline; at = Clock::now()) {
    if (at >= next_send) {  // every open query again: UDP loses datagrams
      for (std::size_t z = 0; z < requests.size(); ++z)
        if (open[z] && ::send(fd, requests[z].bytes.data(), requests[z].size, 0) < 0 &&
            errno == ECONNREFUSED)
          refused = true;
      next_send = at + resend_every;
    }
    const auto wait = std::min(deadline, next_send) - at;
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(
        &pfd, 1, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count()));
    for (int drained = 0; ready > 0 && open_count > 0 && drained < 1024; ++drained) {
      const ssize_t size = ::recv(fd, datagram.data(), datagram.size(), 0);
      if (size < 0) {
        refused = refused || errno == ECONNREFUSED;
        if (errno != ECONNREFUSED) break;  // EAGAIN: nothing more for now
        continue;
      }
      settle(std::span<const std::uint8_t>(datagram.data(), static_cast<std::size_t>(size)),
             requests, key, results, open, open_count);
    }
  }
  ::close(fd);
  if (refused)
    for (std::size_t z = 0; z < results.size(); ++z)
      if (open[z]) results[z].error = "port unreachable";
  return results;
}

SoaCheck check_soa(const Secondary& secondary, const wire::Name& zone,
                   std::chrono::milliseconds timeout) {
  return check_soa_zones(secondary, std::span(&zone, 1), timeout).front();
}

std::vector<std::vector<SoaCheck>> check_soa_all(std::span<const Secondary> secondaries,
                                                 std::span<const wire::Name> zones,
                                                 std::chrono::milliseconds timeout) {
  std::vector<std::vector<SoaCheck>> by_secondary(secondaries.size());
  std::vector<std::thread> threads;
  threads.reserve(secondaries.size());
  for (std::size_t i = 0; i < secondaries.size(); ++i)
    threads.emplace_back(
        [&, i] { by_secondary[i] = check_soa_zones(secondaries[i], zones, timeout); });
  for (auto& thread : threads) thread.join();
  std::vector<std::vector<SoaCheck>> out(zones.size(), std::vector<SoaCheck>(secondaries.size()));
  for (std::size_t i = 0; i < secondaries.size(); ++i)
    for (std::size_t z = 0; z < zones.size(); ++z) out[z][i] = std::move(by_secondary[i][z]);
  return out;
}

std::vector<SoaCheck> check_soa_all(std::span<const Secondary> secondaries, const wire::Name& zone,
                                    std::chrono::milliseconds timeout) {
  auto all = check_soa_all(secondaries, std::span(&zone, 1), timeout);
  return std::move(all.front());
}

std::size_t count_serving(std::span<const SoaCheck> checks, std::uint32_t wanted) noexcept {
  std::size_t count = 0;
  for (const auto& check : checks)
    if (check.serial && serves_at_least(*check.serial, wanted)) ++count;
  return count;
}

}  // namespace dnsd::notify
