#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fleet/json_stream.hh"

namespace {

std::vector<std::string> split(fleet::JsonStream& stream, const std::vector<std::string>& chunks,
                               bool& ok) {
  std::vector<std::string> objects;
  ok = true;
  for (const auto& chunk : chunks) {
    ok = stream.feed(chunk, [&](std::string_view o) { objects.emplace_back(o); }) && ok;
  }
  return objects;
}

}  // namespace

TEST_CASE("json stream: objects split anywhere come out whole, one by one") {
  const std::string text = R"({"result":{"a":1}}
{"result":{"b":"}{\"x"}}  {"c":[{}]})";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    fleet::JsonStream stream;
    bool ok = false;
    const auto objects = split(stream, {text.substr(0, cut), text.substr(cut)}, ok);
    CHECK(ok);
    REQUIRE(objects.size() == 3);
    CHECK(objects[0] == R"({"result":{"a":1}})");
    CHECK(objects[1] == R"({"result":{"b":"}{\"x"}})");
    CHECK(objects[2] == R"({"c":[{}]})");
    CHECK(stream.idle());
  }
}

TEST_CASE("json stream: bytes outside an object fail the stream and it stays failed") {
  fleet::JsonStream stream;
  bool ok = true;
  const auto objects = split(stream, {"CommonName of client", R"({"a":1})"}, ok);
  CHECK_FALSE(ok);
  CHECK(objects.empty());
  CHECK(stream.failed());
}

TEST_CASE("json stream: an object over the limit fails the stream") {
  fleet::JsonStream stream(16);
  bool ok = true;
  split(stream, {R"({"key":"0123456789abcdef"})"}, ok);
  CHECK_FALSE(ok);
}
