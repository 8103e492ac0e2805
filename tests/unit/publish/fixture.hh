// Test support for publish/: a real config (conf::load_string) with its health table, writer
// and flattened addresses, and the records of a view in presentation format. Nothing here is
// under test; a config that does not load fails the test.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "conf/load.hh"
#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"
#include "logging/log.hh"
#include "publish/publisher.hh"
#include "routing/health_writer.hh"

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string out = "{";
    for (const auto& s : v) out += "\"" + s + "\" ";
    return (out + "}").c_str();
  }
};
}  // namespace doctest

namespace publish_test {

// tm.test. with its one name server: tests append the profiles they need.
inline const std::string zone_toml = R"([[zone]]
name = "tm.test."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 7
[[zone.record]]
name = "ns1"
type = "A"
data = "127.0.0.1"
)";

inline std::unique_ptr<conf::Config> load(const std::string& toml) {
  auto loaded = conf::load_string(toml, "inline.toml");
  std::string errors;
  for (const auto& e : loaded.errors) errors += e.to_string() + "\n";
  REQUIRE_MESSAGE(loaded.config, errors);
  return std::move(loaded.config);
}

// One loaded config and the live state the decisions are made from.
struct World {
  std::unique_ptr<conf::Config> config;
  routing::HealthTable health;
  routing::HealthWriter writer;
  routing::FlatAddresses flat;

  explicit World(const std::string& toml)
      : config(load(toml)),
        health(config->model.endpoint_count),
        writer(config->model, health),
        flat(config->model.endpoint_count) {
    logging::set_level(logging::Level::warning);  // not every serial on the test's output
  }

  publish::Inputs inputs(publish::Settings settings = {}) const {
    publish::Inputs in;
    in.zones = &config->zones;
    in.model = &config->model;
    in.health = &health;
    in.flat = &flat;
    in.settings = std::move(settings);
    return in;
  }
  routing::EndpointId id(const std::string& profile, const std::string& endpoint) const {
    for (const auto& p : config->model.profiles)
      if (p.name == profile)
        for (const auto& e : p.endpoints)
          if (e.name == endpoint) return e.health_id;
    FAIL("no such endpoint ", profile, " ", endpoint);
    return 0;
  }
  void set(const std::string& profile, const std::string& endpoint, routing::MonitorStatus status) {
    writer.probed(id(profile, endpoint), status, routing::Reason::none, 10);
  }
  void fail(const std::string& profile, const std::string& endpoint) {
    set(profile, endpoint, routing::MonitorStatus::degraded);
  }
  void recover(const std::string& profile, const std::string& endpoint) {
    set(profile, endpoint, routing::MonitorStatus::online);
  }
};

inline dnsd::wire::Name name(const std::string& text) { return *dnsd::wire::Name::from_text(text); }

inline std::string text_of(const dnsd::zone::Record& record) {
  return record.owner.to_text() + " " + std::to_string(record.ttl) + " " +
         dnsd::wire::type_to_text(record.type) + " " +
         dnsd::wire::rdata_to_text(record.type, record.rdata);
}

inline std::vector<std::string> texts(const std::vector<dnsd::zone::Record>& records) {
  std::vector<std::string> out;
  for (const auto& record : records) out.push_back(text_of(record));
  std::sort(out.begin(), out.end());
  return out;
}

// Every record of the view at `owner` (all types), sorted, in presentation format.
inline std::vector<std::string> at(const dnsd::zone::Zone& view, const std::string& owner) {
  std::vector<std::string> out;
  const dnsd::zone::Node* node = view.find(name(owner).lowercased());
  if (!node) return out;
  const auto n = *dnsd::wire::Name::from_wire(node->owner.wire());
  for (const auto& rrset : node->rrsets)
    for (const auto rdata : rrset.rdatas)
      out.push_back(
          text_of(dnsd::zone::Record{n, rrset.type, rrset.ttl, {rdata.begin(), rdata.end()}}));
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace publish_test
