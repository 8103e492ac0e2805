// dnsctl key list: one row per key with its next step and from when, then the waits.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tools/dnsctl/key_list.hh"

TEST_CASE("the key table shows each key's state, since and next step, then the waits") {
  const auto keys = nlohmann::json::parse(R"({"zone":"tm.test.","state_file":"/var/lib/dnsd/k",
      "dnskey_ttl":3600,"max_ttl":300,"propagation_delay":3600,"keys":[
      {"tag":111,"flags":257,"role":"KSK","state":"active","since":"2026-12-01T00:00:00Z",
       "duty":"DNSKEY, signs the key sets, CDS"},
      {"tag":222,"flags":256,"role":"ZSK","state":"published","since":"2026-12-06T04:00:00Z",
       "duty":"DNSKEY","next":{"action":"activate","not_before":"2026-12-06T06:00:00Z"}}]})");
  const std::string text = dnsctl::render_key_list(keys);
  CHECK(text.find("111    KSK  active     2026-12-01T00:00:00Z") != std::string::npos);
  CHECK(text.find("222    ZSK  published") != std::string::npos);
  CHECK(text.find("activate from 2026-12-06T06:00:00Z") != std::string::npos);
  CHECK(text.find("DNSKEY TTL 3600s, largest TTL 300s, propagation delay 3600s") !=
        std::string::npos);
}
