// dnsctl's propagation table, from the JSON GET /api/v1/secondaries returns.
#include <doctest/doctest.h>

#include "tools/dnsctl/render.hh"

using nlohmann::json;

TEST_CASE("secondaries: one row per zone and secondary, then each zone's summary") {
  const json in = json::parse(R"({"all_current": false, "zones": [{
    "zone": "tm.test.", "serial": 12, "propagated_to": 1, "of": 2,
    "summary": "serial 12, propagated to 1 of 2 secondaries",
    "secondaries": [
      {"secondary": "127.0.0.1:5301", "notify": "acked", "acked_serial": 12,
       "serving_serial": 12, "seen_by": "transfer", "seen_at": "2026-11-24T03:00:00Z",
       "error": null, "current": true},
      {"secondary": "127.0.0.1:5302", "notify": "pending", "acked_serial": 11,
       "serving_serial": null, "seen_by": null, "seen_at": null,
       "error": "port unreachable", "current": false}]}]})");
  CHECK(dnsctl::render_secondaries(in) ==
        "ZONE      SERIAL  SECONDARY       CURRENT  SERVING  SEEN                              "
        "NOTIFY   ACKED  ERROR\n"
        "tm.test.  12      127.0.0.1:5301  yes      12       transfer at 2026-11-24T03:00:00Z  "
        "acked    12     -\n"
        "tm.test.  12      127.0.0.1:5302  no       -        -                                 "
        "pending  11     port unreachable\n"
        "\n"
        "tm.test.: serial 12, propagated to 1 of 2 secondaries\n");
}

TEST_CASE("secondaries: no published zone says so instead of an empty table") {
  CHECK(dnsctl::render_secondaries(json::parse(R"({"all_current": true, "zones": []})")) ==
        "no published zones (none has [[zone.transfer]])\n");
}

TEST_CASE("explain without a fleet member renders as a lone instance does") {
  // A const json's operator[] asserts its key exists (Debug builds abort): dnsctl must read
  // members a server may leave out (no [fleet]) without it.
  const json explanation = json::parse(R"({"profile": "ci.tm.test.", "client": "192.0.2.1",
    "steps": ["priority: eu is Online"]})");
  const std::string text = dnsctl::render_explain(explanation);
  CHECK(text.find("priority: eu is Online") != std::string::npos);
  CHECK(text.find("fleet") == std::string::npos);
}
