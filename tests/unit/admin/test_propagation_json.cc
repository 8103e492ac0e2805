// The propagation JSON of GET /api/v1/secondaries and the status "publishing" part.
#include <doctest/doctest.h>

#include "admin/propagation_json.hh"

using nlohmann::json;

TEST_CASE("propagation json: counts current secondaries and leaves unknown values null") {
  control::SecondaryStatus knot;
  knot.secondary = "127.0.0.1:5301";
  knot.notify = "acked";
  knot.acked_serial = 12;
  knot.serving_serial = 12;
  knot.seen_by = "soa check";
  knot.seen_at = std::chrono::system_clock::from_time_t(1795489200);
  knot.current = true;
  knot.answered = true;
  control::SecondaryStatus nsd;
  nsd.secondary = "127.0.0.1:5302";
  nsd.error = "timeout";
  const json out = admin::propagation_json({{"tm.test.", 12, {knot, nsd}}});
  CHECK(out["all_current"] == false);
  REQUIRE(out["zones"].size() == 1);
  const json& zone = out["zones"][0];
  CHECK(zone["zone"] == "tm.test.");
  CHECK(zone["serial"] == 12);
  CHECK(zone["propagated_to"] == 1);
  CHECK(zone["of"] == 2);
  CHECK(zone["summary"] == "serial 12, propagated to 1 of 2 secondaries");
  CHECK(zone["secondaries"][0] == json{{"secondary", "127.0.0.1:5301"},
                                       {"notify", "acked"},
                                       {"acked_serial", 12},
                                       {"serving_serial", 12},
                                       {"seen_by", "soa check"},
                                       {"seen_at", "2026-11-24T03:00:00Z"},
                                       {"error", nullptr},
                                       {"current", true},
                                       {"answered", true}});
  CHECK(zone["secondaries"][1] == json{{"secondary", "127.0.0.1:5302"},
                                       {"notify", nullptr},
                                       {"acked_serial", nullptr},
                                       {"serving_serial", nullptr},
                                       {"seen_by", nullptr},
                                       {"seen_at", nullptr},
                                       {"error", "timeout"},
                                       {"current", false},
                                       {"answered", false}});
}

TEST_CASE("propagation json: all current when every secondary is, and when none is published") {
  control::SecondaryStatus one;
  one.secondary = "[::1]:53";
  one.serving_serial = 5;
  one.current = true;
  CHECK(admin::propagation_json({{"a.test.", 5, {one}}})["all_current"] == true);
  const json none = admin::propagation_json({});
  CHECK(none["all_current"] == true);
  CHECK(none["zones"].empty());
}
