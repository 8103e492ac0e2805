// update_queue.hh: the hand-off of UPDATE messages from the query threads to the update thread
// (issue 13). A full queue refuses at once and counts it; the update thread takes the oldest.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "dnsd/update_queue.hh"

namespace {

std::vector<std::uint8_t> update_with_id(std::uint8_t id) {
  // Header only: ID, opcode UPDATE (5) with QR clear, no records. Enough for the queue.
  return {0, id, 5 << 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};
}

bool offer(dnsd::UpdateQueue& queue, const std::vector<std::uint8_t>& message) {
  return queue.offer(dnsd::Transport::udp, -1, nullptr, 0, routing::ClientInfo{}, message);
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
