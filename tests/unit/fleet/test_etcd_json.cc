#include <doctest/doctest.h>

#include "fleet/base64.hh"
#include "fleet/etcd_json.hh"

namespace ej = fleet::etcd_json;
using nlohmann::json;

TEST_CASE("etcd json: a prefix's range end increments its last byte below 0xff") {
  CHECK(ej::prefix_end("/fleet/") == "/fleet0");
  CHECK(ej::prefix_end(std::string("a\xff", 2)) == "b");
  CHECK(ej::prefix_end("") == std::string(1, '\0'));
  CHECK(ej::prefix_end(std::string("\xff\xff", 2)) == std::string(1, '\0'));
}

TEST_CASE("etcd json: requests carry keys in base64 and 64-bit numbers as strings") {
  const json put = json::parse(ej::put_request("/k", "v", 7587862153471174916));
  CHECK(put["key"] == "L2s=");
  CHECK(put["value"] == "dg==");
  CHECK(put["lease"] == "7587862153471174916");
  CHECK_FALSE(json::parse(ej::put_request("/k", "v", 0)).contains("lease"));
  const json watch = json::parse(ej::watch_create_request("/p/", 42));
  CHECK(watch["create_request"]["key"] == fleet::base64_encode("/p/"));
  CHECK(watch["create_request"]["range_end"] == fleet::base64_encode("/p0"));
  CHECK(watch["create_request"]["start_revision"] == "42");
  CHECK(watch["create_request"]["progress_notify"] == true);
  CHECK_FALSE(
      json::parse(ej::watch_create_request("/p/", 0))["create_request"].contains("start_revision"));
}

TEST_CASE("etcd json: failures are classified by gRPC code and etcd's words") {
  struct Case {
    const char* answer;
    ej::Failure failure;
  };
  const Case cases[] = {
      {R"({"header":{}})", ej::Failure::none},
      {R"({"error":"etcdserver: no leader","code":14})", ej::Failure::unavailable},
      {R"({"error":"etcdserver: request timed out","code":4})", ej::Failure::unavailable},
      {R"({"error":"etcdserver: invalid auth token","code":16})", ej::Failure::auth},
      {R"({"error":"etcdserver: user name is empty","code":3})", ej::Failure::auth},
      {R"({"error":"etcdserver: permission denied","code":7})", ej::Failure::other},
      {R"({"error":{"grpc_code":1,"message":"grpc: the client connection is closing"}})",
       ej::Failure::unavailable},
      {R"({"error":{"grpc_code":14,"message":"etcdserver: no leader"}})", ej::Failure::unavailable},
      {R"([1])", ej::Failure::other},
  };
  for (const auto& c : cases) {
    std::string message;
    CAPTURE(c.answer);
    CHECK(ej::failure_of(json::parse(c.answer), message) == c.failure);
  }
}

TEST_CASE("etcd json: a range answer reads back keys, values, revisions and leases") {
  const json answer = json::parse(R"({"header":{"revision":"9"},"kvs":[
    {"key":"L2E=","create_revision":"2","mod_revision":"3","version":"1","value":"MQ==",
     "lease":"5"},
    {"key":"L2I=","mod_revision":4}],"count":"2"})");
  fleet::Range range;
  REQUIRE(ej::read_range(answer, range));
  CHECK(range.revision == 9);
  REQUIRE(range.kvs.size() == 2);
  CHECK(range.kvs[0].key == "/a");
  CHECK(range.kvs[0].value == "1");
  CHECK(range.kvs[0].mod_revision == 3);
  CHECK(range.kvs[0].lease == 5);
  CHECK(range.kvs[1].value.empty());
  CHECK(range.kvs[1].mod_revision == 4);
  CHECK_FALSE(ej::read_range(json::parse(R"({"kvs":[{"key":"not base64!"}]})"), range));
}

TEST_CASE("etcd json: watch responses: created, events in order, progress, compaction") {
  ej::WatchResponse r;
  REQUIRE(ej::read_watch_response(
      json::parse(R"({"result":{"header":{"revision":"3"},"created":true}})"), r));
  CHECK(r.created);
  CHECK(r.revision == 3);
  REQUIRE(ej::read_watch_response(json::parse(R"({"result":{"header":{"revision":"5"},"events":[
      {"kv":{"key":"L2E=","mod_revision":"4","value":"MQ=="}},
      {"type":"DELETE","kv":{"key":"L2E=","mod_revision":"5"}}]}})"),
                                  r));
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].type == fleet::WatchEvent::Type::put);
  CHECK(r.events[0].kv.value == "1");
  CHECK(r.events[1].type == fleet::WatchEvent::Type::remove);
  CHECK(r.events[1].kv.mod_revision == 5);
  REQUIRE(ej::read_watch_response(
      json::parse(
          R"({"result":{"header":{"revision":"9"},"canceled":true,"compact_revision":"7"}})"),
      r));
  CHECK(r.canceled);
  CHECK(r.compact_revision == 7);
  CHECK_FALSE(ej::read_watch_response(json::parse(R"({"error":{"message":"x"}})"), r));
}
