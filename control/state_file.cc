// State file: JSON in, JSON out (see state_file.hh).
#include "control/state_file.hh"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "conf/files.hh"

namespace control {

using nlohmann::json;

namespace {

constexpr int k_version = 1;
// Far above any real file (a few hundred bytes per endpoint); a bound, so a wrong path to a
// huge file cannot exhaust memory at start.
constexpr std::size_t k_max_state_size = std::size_t{256} << 20;

std::int64_t ms(WallClock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}
WallClock::time_point from_ms(std::int64_t value) {
  return WallClock::time_point(
      std::chrono::duration_cast<WallClock::duration>(std::chrono::milliseconds(value)));
}

// Every monitor setting except header values (see state_file.hh), as one string.
std::string fingerprint(const routing::MonitorSpec& m) {
  std::string out = fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", static_cast<int>(m.protocol), m.port, m.path,
      m.expected_body, m.interval.count(), m.timeout.count(), m.tolerated_failures,
      m.successes_to_recover, m.host_header, m.verify_tls, m.ca_file, m.client_cert_file,
      m.client_key_file, m.max_body_bytes, m.headers.size());
  for (const auto& h : m.headers) out += "|" + h.name;
  for (const auto& r : m.expected_status) out += fmt::format("|{}-{}", r.first, r.last);
  return out;
}

json endpoint_json(const routing::Profile& profile, const routing::Endpoint& endpoint,
                   const Generation& g) {
  const routing::Health health = g.health.load(endpoint.health_id);
  const probe::EndpointRecord record = g.history.get(endpoint.health_id);
  json history = json::array();
  for (const auto& r : record.recent)
    history.push_back({ms(r.at), r.ok, r.rtt_ms, static_cast<int>(r.reason), r.http_status});
  json changes = json::array();
  for (const auto& c : record.changes)
    changes.push_back({ms(c.at), static_cast<int>(c.from), static_cast<int>(c.to),
                       static_cast<int>(c.reason), c.detail});
  const auto& t = record.tracker;
  return {{"profile", profile_key(profile.name)},
          {"endpoint", endpoint.name},
          {"target", endpoint.target},
          {"probe_host", endpoint.probe_host},
          {"monitor", fingerprint(endpoint.monitor)},
          {"status", static_cast<int>(health.status)},
          {"reason", static_cast<int>(health.reason)},
          {"rtt_ms", health.rtt_ms},
          {"probed", record.probed},
          {"tracker",
           {static_cast<int>(t.status), t.failure_run, t.success_run,
            static_cast<int>(t.last_reason), t.last_rtt_ms}},
          {"last_probe", ms(record.last_probe)},
          {"last_failure", record.last_failure},
          {"last_failure_at", ms(record.last_failure_at)},
          {"history", history},
          {"since", ms(record.since)},
          {"changes", changes}};
}

routing::MonitorStatus status_of(int value) {
  if (value < 0 || value > 2) throw std::out_of_range("bad status");
  return static_cast<routing::MonitorStatus>(value);
}
routing::Reason reason_of(int value) {
  if (value < 0 || value > static_cast<int>(routing::Reason::other))
    throw std::out_of_range("bad reason");
  return static_cast<routing::Reason>(value);
}

void restore_endpoint(const json& saved, const routing::Endpoint& endpoint, Generation& g) {
  probe::EndpointRecord record;
  record.probed = saved.at("probed").get<bool>();
  const auto& t = saved.at("tracker");
  record.tracker = {status_of(t.at(0).get<int>()), t.at(1).get<std::uint32_t>(),
                    t.at(2).get<std::uint32_t>(), reason_of(t.at(3).get<int>()),
                    t.at(4).get<std::uint16_t>()};
  record.last_probe = from_ms(saved.at("last_probe").get<std::int64_t>());
  record.last_failure = saved.at("last_failure").get<std::string>();
  record.last_failure_at = from_ms(saved.at("last_failure_at").get<std::int64_t>());
  for (const auto& h : saved.at("history"))
    record.recent.push_back({from_ms(h.at(0).get<std::int64_t>()), h.at(1).get<bool>(),
                             h.at(2).get<std::uint16_t>(), reason_of(h.at(3).get<int>()),
                             h.at(4).get<std::uint16_t>()});
  // Absent from state files written before status changes were kept: then none are known.
  if (saved.contains("since")) record.since = from_ms(saved.at("since").get<std::int64_t>());
  if (saved.contains("changes"))
    for (const auto& c : saved.at("changes"))
      record.changes.push_back({from_ms(c.at(0).get<std::int64_t>()), status_of(c.at(1).get<int>()),
                                status_of(c.at(2).get<int>()), reason_of(c.at(3).get<int>()),
                                c.at(4).get<std::string>()});
  g.writer.restore(endpoint.health_id, status_of(saved.at("status").get<int>()),
                   reason_of(saved.at("reason").get<int>()),
                   saved.at("rtt_ms").get<std::uint16_t>());
  g.history.put(endpoint.health_id, std::move(record));
}

}  // namespace

std::string save_state(const std::string& path, const Generation& generation,
                       const Overrides& overrides, WallClock::time_point now) {
  json endpoints = json::array(), saved_overrides = json::array();
  for (const auto& profile : generation.config->model.profiles)
    for (const auto& endpoint : profile.endpoints)
      endpoints.push_back(endpoint_json(profile, endpoint, generation));
  for (const auto& o : overrides.all())
    saved_overrides.push_back({{"profile", o.profile},
                               {"endpoint", o.endpoint},
                               {"from", o.from ? json(ms(*o.from)) : json(nullptr)},
                               {"until", o.until ? json(ms(*o.until)) : json(nullptr)}});
  const json doc = {{"version", k_version},
                    {"saved_at", ms(now)},
                    {"endpoints", endpoints},
                    {"overrides", saved_overrides}};
  const std::string temporary = path + ".tmp";
  // Whatever is there (a leftover, or a FIFO that would block the open) is replaced.
  std::remove(temporary.c_str());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << doc.dump() << "\n";
    if (!out.flush()) return fmt::format("cannot write {}: {}", temporary, std::strerror(errno));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    return fmt::format("cannot replace {}: {}", path, std::strerror(errno));
  return {};
}

RestoreReport restore_state(const std::string& path, Generation& generation, Overrides& overrides,
                            WallClock::time_point now) {
  RestoreReport report;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return report;
  report.found = true;
  // conf's reader: a FIFO or a device here is an error at once, never a start that hangs.
  std::string text, why;
  if (!conf::read_file(path, text, &why, conf::ReadOptions{k_max_state_size, nullptr})) {
    report.error = why;
    return report;
  }
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != k_version) {
    report.error = "not a dnsd state file of version 1";
    return report;
  }
  try {
    std::map<std::pair<std::string, std::string>, const json*> saved;
    for (const auto& e : doc.at("endpoints"))
      saved[{e.at("profile").get<std::string>(), e.at("endpoint").get<std::string>()}] = &e;
    for (const auto& profile : generation.config->model.profiles) {
      for (const auto& endpoint : profile.endpoints) {
        const auto it = saved.find({profile_key(profile.name), endpoint.name});
        if (it == saved.end()) continue;
        const json& e = *it->second;
        if (e.at("target") != endpoint.target || e.at("probe_host") != endpoint.probe_host ||
            e.at("monitor") != fingerprint(endpoint.monitor))
          continue;
        restore_endpoint(e, endpoint, generation);
        ++report.endpoints;
      }
    }
    for (const auto& o : doc.at("overrides")) {
      Override entry{o.at("profile").get<std::string>(), o.at("endpoint").get<std::string>(),
                     std::nullopt, std::nullopt};
      if (!o.at("from").is_null()) entry.from = from_ms(o.at("from").get<std::int64_t>());
      if (!o.at("until").is_null()) entry.until = from_ms(o.at("until").get<std::int64_t>());
      if (entry.until && *entry.until <= now) continue;
      overrides.disable(std::move(entry));
      ++report.overrides;
    }
  } catch (const std::exception& e) {
    report.error = fmt::format("malformed state file: {}", e.what());
  }
  return report;
}

}  // namespace control
