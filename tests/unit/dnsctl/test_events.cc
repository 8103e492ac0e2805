// `dnsctl watch`: server-sent events parsed from bytes in any split, and one line per event.
#include <doctest/doctest.h>

#include <vector>

#include "tools/dnsctl/events.hh"

using nlohmann::json;

namespace {

const std::string k_stream =
    ": keepalive\r\n\r\n"
    "id: 7\r\nevent: transition\r\n"
    "data: {\"seq\":7,\"at\":\"2026-12-06T04:10:02Z\",\"type\":\"transition\","
    "\"profile\":\"ci.tm.test.\",\"endpoint\":\"eu\",\"from\":\"Online\",\"to\":\"Degraded\","
    "\"reason\":\"status\",\"detail\":\"http 503\"}\r\n\r\n"
    "id: 8\nevent: reload\ndata: {\"seq\":8,\"at\":\"2026-12-06T04:11:00Z\",\"ok\":true,"
    "\"errors\":[],\"endpoints\":2}\n\n"
    "id: 9\nevent: override\ndata: {\"seq\":9";  // cut inside an event

}  // namespace

TEST_CASE("events are parsed alike whatever pieces the bytes arrive in") {
  for (const std::size_t piece : {std::size_t{1}, std::size_t{5}, k_stream.size()}) {
    std::vector<dnsctl::Event> seen;
    dnsctl::EventStream stream([&](const dnsctl::Event& e) { seen.push_back(e); });
    for (std::size_t at = 0; at < k_stream.size(); at += piece)
      stream.feed(std::string_view(k_stream).substr(at, piece));
    REQUIRE(seen.size() == 2);  // the keepalive is no event, the cut one is not complete
    CHECK(seen[0].id == "7");
    CHECK(seen[0].type == "transition");
    CHECK(json::parse(seen[0].data)["detail"] == "http 503");
    CHECK(seen[1].type == "reload");
    CHECK(stream.last_id() == "8");
    stream.reset();  // the connection broke: the half event is dropped, the id kept
    stream.feed("\n\n");
    CHECK(seen.size() == 2);
    CHECK(stream.last_id() == "8");
  }
}

TEST_CASE("data lines join with newlines and an event without a type is a message") {
  std::vector<dnsctl::Event> seen;
  dnsctl::EventStream stream([&](const dnsctl::Event& e) { seen.push_back(e); });
  stream.feed("data: a\ndata:b\nretry: 10\n\n");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].data == "a\nb");
  CHECK(seen[0].type == "message");
  CHECK(stream.last_id().empty());
}

TEST_CASE("each event type is one line that starts with its time") {
  CHECK(dnsctl::render_event("transition", json::parse(R"({"seq":7,"at":"2026-12-06T04:10:02Z",
          "type":"transition","profile":"ci.tm.test.","endpoint":"eu","from":"Online",
          "to":"Degraded","reason":"status","detail":"http 503"})")) ==
        "2026-12-06T04:10:02Z transition ci.tm.test./eu: Online -> Degraded (http 503)");
  CHECK(dnsctl::render_event("override", json::parse(R"({"at":"2026-12-06T04:00:00Z",
          "profile":"ci.tm.test.","endpoint":"eu","action":"window",
          "from":"2026-12-07T02:00:00Z","until":"2026-12-07T03:00:00Z"})")) ==
        "2026-12-06T04:00:00Z override ci.tm.test./eu: window from 2026-12-07T02:00:00Z until "
        "2026-12-07T03:00:00Z");
  CHECK(dnsctl::render_event("reload", json::parse(R"({"at":"2026-12-06T04:00:00Z","ok":false,
          "errors":["dnsd.toml:3: bogus: unknown key"],"endpoints":2})")) ==
        "2026-12-06T04:00:00Z reload REJECTED: dnsd.toml:3: bogus: unknown key");
  CHECK(dnsctl::render_event("fleet", json::parse(R"({"at":"2026-12-06T04:00:00Z",
          "event":"disconnected","profile":null,"endpoint":null,"detail":null})")) ==
        "2026-12-06T04:00:00Z fleet disconnected");
  CHECK(dnsctl::render_event("secondary", json::parse(R"({"at":"2026-12-06T04:00:00Z",
          "zone":"tm.test.","secondary":"127.0.0.1:5301","event":"caught_up","serial":12})")) ==
        "2026-12-06T04:00:00Z secondary tm.test. 127.0.0.1:5301: caught_up serial 12");
  CHECK(dnsctl::render_event("dnssec", json::parse(R"({"at":"2026-12-06T04:00:00Z",
          "zone":"tm.test.","key":23456,"action":"activate"})")) ==
        "2026-12-06T04:00:00Z dnssec tm.test. key 23456: activate");
  // A type from a newer dnsd: shown with its data, not dropped.
  CHECK(dnsctl::render_event("zone", json::parse(R"({"at":"2026-12-06T04:00:00Z","x":1})")) ==
        "2026-12-06T04:00:00Z zone {\"at\":\"2026-12-06T04:00:00Z\",\"x\":1}");
}
