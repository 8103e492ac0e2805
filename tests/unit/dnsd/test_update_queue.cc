// update_queue.hh: the hand-off of UPDATE messages from the query threads to the update thread
// (issue 13). A full queue refuses at once and counts it; the update thread takes the oldest.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "dnsd/update_queue.hh"

namespace {

std::vector<std::uint8_t> update_with_id(std::uint8_t id) {
  // Header only: ID, opcode UPDATE (5) with QR clear, no records. Enough for the queue.
  return {0, id, 5 << 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};
}

routing::ClientInfo client(std::uint8_t last) {
  routing::ClientInfo info;
  info.address = {192, 0, 2, last};
  return info;
}

// From a client of its own (the message's ID), so no client's share gets in the way.
bool offer(dnsd::UpdateQueue& queue, const std::vector<std::uint8_t>& message) {
  return queue.offer(dnsd::Transport::udp, -1, nullptr, 0, client(message[1]), message);
}

}  // namespace

TEST_CASE("update queue: a full queue refuses the next message at once and counts it") {
  dnsd::UpdateQueue queue(2);
  CHECK(offer(queue, update_with_id(1)));
  CHECK(offer(queue, update_with_id(2)));
  CHECK_FALSE(offer(queue, update_with_id(3)));
  CHECK(queue.full() == 1);
  CHECK(queue.offered() == 2);
  // Taking one frees its slot only once released.
  auto* first = queue.next(std::chrono::milliseconds(0));
  REQUIRE(first != nullptr);
  CHECK(first->message()[1] == 1);
  CHECK_FALSE(offer(queue, update_with_id(4)));
  queue.release(first);
  CHECK(offer(queue, update_with_id(5)));
  CHECK(queue.full() == 2);
  CHECK(queue.offered() == 3);
}

TEST_CASE("update queue: the update thread takes messages oldest first, whatever their slot") {
  dnsd::UpdateQueue queue(3);
  for (std::uint8_t id : {1, 2, 3}) REQUIRE(offer(queue, update_with_id(id)));
  auto* one = queue.next(std::chrono::milliseconds(0));
  REQUIRE(one != nullptr);
  CHECK(one->message()[1] == 1);
  queue.release(one);  // slot 0 is free again: 4 goes there, but is newer than 2 and 3
  REQUIRE(offer(queue, update_with_id(4)));
  for (std::uint8_t id : {2, 3, 4}) {
    auto* item = queue.next(std::chrono::milliseconds(0));
    REQUIRE(item != nullptr);
    CHECK(item->message()[1] == id);
    CHECK(item->message().size() == 12);
    queue.release(item);
  }
  CHECK(queue.next(std::chrono::milliseconds(0)) == nullptr);
}

TEST_CASE("update queue: a message longer than 65535 bytes is not taken") {
  dnsd::UpdateQueue queue(1);
  std::vector<std::uint8_t> big(dnsd::UpdateQueue::max_message + 1, 0);
  CHECK_FALSE(offer(queue, big));
  CHECK(offer(queue, update_with_id(1)));
}

TEST_CASE("update queue: only UPDATE requests are recognised as updates") {
  CHECK(dnsd::is_update_request(update_with_id(1)));
  auto response = update_with_id(1);
  response[2] |= 0x80;  // QR: a response
  CHECK_FALSE(dnsd::is_update_request(response));
  auto query = update_with_id(1);
  query[2] = 0;  // opcode QUERY
  CHECK_FALSE(dnsd::is_update_request(query));
  CHECK_FALSE(dnsd::is_update_request(std::vector<std::uint8_t>(11, 0)));
}

namespace {

bool offer_from(dnsd::UpdateQueue& queue, std::uint8_t last, std::uint64_t key_tag = 0) {
  return queue.offer(dnsd::Transport::udp, -1, nullptr, 0, client(last), update_with_id(last),
                     key_tag);
}

}  // namespace

TEST_CASE("update queue: one client holds at most half the slots, so another still gets one") {
  dnsd::UpdateQueue queue(16);
  CHECK(queue.share() == 8);
  for (int i = 0; i < 8; ++i) CHECK(offer_from(queue, 1));
  CHECK_FALSE(offer_from(queue, 1));
  CHECK(queue.over_share() == 1);
  CHECK(queue.full() == 1);  // counted as dropped too, so the "queue full" line covers it
  CHECK(offer_from(queue, 2));
  // A slot being answered still counts; once released, the client may use it again.
  auto* item = queue.next(std::chrono::milliseconds(0));
  REQUIRE(item != nullptr);
  CHECK_FALSE(offer_from(queue, 1));
  queue.release(item);
  CHECK(offer_from(queue, 1));
}

TEST_CASE("update queue: one key holds at most half the slots, from however many addresses") {
  dnsd::UpdateQueue queue(4);
  CHECK(offer_from(queue, 1, 77));
  CHECK(offer_from(queue, 2, 77));
  CHECK_FALSE(offer_from(queue, 3, 77));
  CHECK(offer_from(queue, 3, 78));
  CHECK(queue.over_share() == 1);
}

TEST_CASE("update refusals: a flood from one prefix gets a line a second, saying how many more") {
  dnsd::UpdateRefusals refusals;
  dnsd::update::Screened screened;
  screened.rcode = 5;
  for (std::uint8_t last = 1; last <= 100; ++last)
    refusals.record(client(last), dnsd::Transport::udp, screened);  // all in 192.0.2.0/24
  refusals.record(client(1), dnsd::Transport::tcp, screened);
  routing::ClientInfo other;
  other.address = {198, 51, 100, 7};
  refusals.record(other, dnsd::Transport::udp, screened);
  struct Line {
    std::uint8_t first_byte, last_byte;
    std::uint32_t more;
    bool summary;
  };
  std::vector<Line> lines;
  const auto report = [&](dnsd::UpdateRefusals::Clock::time_point at) {
    refusals.report(
        at,
        [&](const dnsd::UpdateRefusals::Sample& sample, std::uint32_t more, bool summary) {
          lines.push_back({sample.client.address[0], sample.client.address[3], more, summary});
        },
        [](std::uint64_t) { FAIL("nothing overflows"); });
  };
  const auto start = dnsd::UpdateRefusals::Clock::now();
  report(start);
  REQUIRE(lines.size() == 2);
  std::sort(lines.begin(), lines.end(),
            [](const Line& a, const Line& b) { return a.first_byte < b.first_byte; });
  CHECK(lines[0].first_byte == 192);
  CHECK(lines[0].last_byte == 1);  // the first refusal is the sample
  CHECK(lines[0].more == 100);
  CHECK(lines[1].first_byte == 198);
  CHECK(lines[1].more == 0);
  // More within the second: said only once the second has passed, in one line.
  lines.clear();
  for (int i = 0; i < 50; ++i) refusals.record(client(9), dnsd::Transport::udp, screened);
  report(start + std::chrono::milliseconds(500));
  CHECK(lines.empty());
  report(start + std::chrono::milliseconds(1000));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].last_byte == 9);
  CHECK(lines[0].more == 49);
  CHECK_FALSE(lines[0].summary);
  // Quiet: nothing more to say.
  lines.clear();
  report(start + std::chrono::seconds(5));
  CHECK(lines.empty());
}
