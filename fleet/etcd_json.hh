// etcd's JSON gateway, both ways: request bodies built from our values, answers read back into
// them, and the failure an answer carries, classified. Pure functions, no I/O.
// The gateway carries keys and values as base64 and 64-bit integers as decimal strings.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fleet/etcd_types.hh"

namespace fleet::etcd_json {

// The range_end that selects every key starting with prefix: the prefix with its last byte below
// 0xff incremented and the rest cut; "\0" (every key) for an empty or all-0xff prefix.
std::string prefix_end(std::string_view prefix);

std::string put_request(std::string_view key, std::string_view value, std::int64_t lease);
std::string delete_request(std::string_view key);
std::string range_prefix_request(std::string_view prefix);
std::string lease_grant_request(std::chrono::seconds ttl);
std::string lease_id_request(std::int64_t lease);  // keepalive and revoke
std::string authenticate_request(std::string_view user, std::string_view password);
// start_revision 0: from now on.
std::string watch_create_request(std::string_view prefix, std::int64_t start_revision);

// What went wrong in an answer, as far as choosing the next step goes.
enum class Failure {
  none,
  unavailable,  // no leader, leader changed, timed out, shutting down: another member may do
  auth,         // token missing, invalid or expired: authenticate again, then retry
  other,        // etcd refused the request itself: retrying elsewhere would not help
};
// Reads {"error": "...", "code": N} (unary) and {"error": {"grpc_code": N, "message": ...}}
// (streams). message gets etcd's text.
Failure failure_of(const nlohmann::json& answer, std::string& message);

// Accepts a decimal string or a JSON number; an absent value reads as 0.
bool read_int64(const nlohmann::json& object, const char* field, std::int64_t& out);
bool read_kv(const nlohmann::json& kv, KeyValue& out);
// header.revision of an answer (0 when absent).
std::int64_t header_revision(const nlohmann::json& answer);
bool read_range(const nlohmann::json& answer, Range& out);

// One object of the /v3/watch stream ({"result": {...}}).
struct WatchResponse {
  bool created = false, canceled = false;
  std::int64_t revision = 0;          // header.revision
  std::int64_t compact_revision = 0;  // set when canceled because the start was compacted
  std::string cancel_reason;
  std::vector<WatchEvent> events;
};
bool read_watch_response(const nlohmann::json& object, WatchResponse& out);

}  // namespace fleet::etcd_json
