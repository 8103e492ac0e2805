// EventLog: sequence numbers, the ring of the last N events, replay after a seq, and wakes.
#include <doctest/doctest.h>

#include <string>

#include "control/events.hh"

using control::EventLog;

namespace {

// How many "id: " frames a batch holds.
std::size_t frames(const std::string& text) {
  std::size_t n = 0;
  for (auto at = text.find("id: "); at != std::string::npos; at = text.find("id: ", at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("events: each event gets the next seq and one server-sent-event frame") {
  EventLog log(4);
  CHECK(log.publish("reload", {{"ok", true}}) == 1);
  CHECK(log.publish("override", {{"endpoint", "eu\nx"}}) == 2);
  const auto batch = log.read_after(0);
  CHECK(batch.last == 2);
  CHECK_FALSE(batch.gap);
  CHECK(batch.text.rfind("id: 1\nevent: reload\ndata: {", 0) == 0);
  CHECK(batch.text.find(R"("seq":1)") != std::string::npos);
  CHECK(batch.text.find(R"("type":"reload")") != std::string::npos);
  CHECK(batch.text.find(R"("at":")") != std::string::npos);
  // A newline inside a value stays escaped: data is one line.
  CHECK(batch.text.find(R"("endpoint":"eu\nx")") != std::string::npos);
  CHECK(frames(batch.text) == 2);
  CHECK(batch.text.substr(batch.text.size() - 2) == "\n\n");
}

TEST_CASE("events: reading after a seq gives only the later events") {
  EventLog log(8);
  for (int i = 0; i < 5; ++i) log.publish("reload", {});
  const auto batch = log.read_after(3);
  CHECK(frames(batch.text) == 2);
  CHECK(batch.text.rfind("id: 4\n", 0) == 0);
  CHECK(batch.last == 5);
  const auto none = log.read_after(5);
  CHECK(none.text.empty());
  CHECK(none.last == 5);
}

TEST_CASE("events: the ring keeps the last N, and a reader that fell behind is told") {
  EventLog log(3);
  for (int i = 0; i < 7; ++i) log.publish("reload", {});
  const auto all = log.read_after(0);
  CHECK(frames(all.text) == 3);
  CHECK(all.text.rfind("id: 5\n", 0) == 0);
  CHECK_FALSE(all.gap);  // a new reader asked for whatever is retained
  const auto behind = log.read_after(2);
  CHECK(behind.gap);  // 3 and 4 are gone
  CHECK(behind.text.rfind("id: 5\n", 0) == 0);
  CHECK_FALSE(log.read_after(4).gap);
}

TEST_CASE("events: an id from an earlier process (past the last seq) replays everything kept") {
  EventLog log(4);
  log.publish("reload", {});
  log.publish("reload", {});
  const auto batch = log.read_after(900);
  CHECK(frames(batch.text) == 2);
  CHECK(batch.last == 2);
}

TEST_CASE("events: subscribers are woken on each publish until they unsubscribe") {
  EventLog log(4);
  int woken = 0;
  const auto id = log.subscribe([&] { ++woken; });
  log.publish("reload", {});
  log.publish("reload", {});
  CHECK(woken == 2);
  log.unsubscribe(id);
  log.publish("reload", {});
  CHECK(woken == 2);
}
