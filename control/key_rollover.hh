// The file side of a DNSSEC key rollover (dnsd/dnssec/key_states.hh holds the rules): the key
// state file written so a crash leaves the old states or the new, never a torn file, and the
// zone's largest TTL, which bounds how long a resolver may hold what a key signed.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "dnsd/dnssec/key_states.hh"
#include "dnsd/zone/zone.hh"
#include "routing/model.hh"

namespace control {

// Writes `<path>.tmp`, fsyncs it, renames it over `path` and fsyncs the folder. "" or why not.
std::string write_text_file(const std::string& path, std::string_view text);
// The key states as key_states_text() gives them, written so.
std::string write_key_states(const std::string& path, std::string_view zone,
                             const std::vector<dnsd::dnssec::KeyStatus>& keys);

// The largest TTL a resolver may cache from `zone`: its RRsets, its negative answers and the
// answers of its health-routed names.
std::chrono::seconds max_ttl(const dnsd::zone::Zone& zone, const routing::Model& model);

}  // namespace control
