// Overrides: manual disables and maintenance windows as pure rules over a given time.
#include <doctest/doctest.h>

#include "control/overrides.hh"

using namespace control;
using std::chrono::seconds;

namespace {
const WallClock::time_point t0 = WallClock::time_point{} + seconds(1'000'000);
}

TEST_CASE("overrides: a plain disable holds until enabled by hand") {
  Overrides o;
  o.disable({"ci.tm.test.", "eu", std::nullopt, std::nullopt});
  CHECK(o.disabled("ci.tm.test.", "eu", t0));
  CHECK(o.disabled("ci.tm.test.", "eu", t0 + seconds(86400 * 365)));
  CHECK_FALSE(o.disabled("ci.tm.test.", "us", t0));
  CHECK(o.expire(t0 + seconds(86400)).empty());
  CHECK_FALSE(o.next_change(t0));
  CHECK(o.enable("ci.tm.test.", "eu"));
  CHECK_FALSE(o.disabled("ci.tm.test.", "eu", t0));
  CHECK_FALSE(o.enable("ci.tm.test.", "eu"));
}

TEST_CASE("overrides: a window is active in [from, until) and expires by itself") {
  Overrides o;
  o.disable({"p.", "eu", t0 + seconds(10), t0 + seconds(20)});
  CHECK_FALSE(o.disabled("p.", "eu", t0));
  CHECK(*o.next_change(t0) == t0 + seconds(10));
  CHECK(o.disabled("p.", "eu", t0 + seconds(10)));
  CHECK(*o.next_change(t0 + seconds(10)) == t0 + seconds(20));
  CHECK(o.disabled("p.", "eu", t0 + seconds(19)));
  CHECK_FALSE(o.disabled("p.", "eu", t0 + seconds(20)));
  CHECK(o.expire(t0 + seconds(19)).empty());
  const auto ended = o.expire(t0 + seconds(20));
  REQUIRE(ended.size() == 1);
  CHECK(ended[0].endpoint == "eu");
  CHECK(o.find("p.", "eu") == nullptr);
}

TEST_CASE(
    "overrides: a new disable replaces the endpoint's window; retain drops vanished endpoints") {
  Overrides o;
  o.disable({"p.", "eu", std::nullopt, t0 + seconds(5)});
  o.disable({"p.", "eu", std::nullopt, std::nullopt});
  CHECK(o.all().size() == 1);
  CHECK_FALSE(o.find("p.", "eu")->until);
  o.disable({"p.", "us", std::nullopt, std::nullopt});
  const auto dropped = o.retain([](const std::string&, const std::string& e) { return e == "us"; });
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0].endpoint == "eu");
  CHECK(o.find("p.", "us") != nullptr);
}
