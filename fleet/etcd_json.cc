// etcd gateway JSON: field names as in etcd's rpc.proto (api/etcdserverpb), proto3 JSON mapping.
#include "fleet/etcd_json.hh"

#include <charconv>

#include "fleet/base64.hh"

namespace fleet::etcd_json {

using nlohmann::json;

namespace {

// gRPC status codes (grpc/codes) that etcd's gateway passes through as "code".
constexpr int k_canceled = 1;
constexpr int k_deadline_exceeded = 4;
constexpr int k_unavailable = 14;
constexpr int k_unauthenticated = 16;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

std::string put_request(std::string_view key, std::string_view value, std::int64_t lease) {
  json body{{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  if (lease != 0) body["lease"] = std::to_string(lease);
  return body.dump();
}

std::string delete_request(std::string_view key) {
  return json{{"key", base64_encode(key)}}.dump();
}

std::string range_prefix_request(std::string_view prefix) {
  const std::string key = prefix.empty() ? std::string(1, '\0') : std::string(prefix);
  return json{{"key", base64_encode(key)}, {"range_end", base64_encode(prefix_end(prefix))}}.dump();
}

std::string lease_grant_request(std::chrono::seconds ttl) {
  return json{{"TTL", std::to_string(ttl.count())}}.dump();
}

std::string lease_id_request(std::int64_t lease) {
  return json{{"ID", std::to_string(lease)}}.dump();
}

std::string authenticate_request(std::string_view user, std::string_view password) {
  return json{{"name", user}, {"password", password}}.dump();
}

std::string watch_create_request(std::string_view prefix, std::int64_t start_revision) {
  const std::string key = prefix.empty() ? std::string(1, '\0') : std::string(prefix);
  json create{{"key", base64_encode(key)},
              {"range_end", base64_encode(prefix_end(prefix))},
              {"progress_notify", true}};
  if (start_revision > 0) create["start_revision"] = std::to_string(start_revision);
  return json{{"create_request", create}}.dump();
}

Failure failure_of(const json& answer, std::string& message) {
  message.clear();
  if (!answer.is_object()) {
    message = "answer is not a JSON object";
    return Failure::other;
  }
  const auto error = answer.find("error");
  if (error == answer.end()) return Failure::none;
  std::int64_t code = 0;
  if (error->is_object()) {  // a stream's error object
    message = error->value("message", std::string("unknown error"));
    read_int64(*error, "grpc_code", code);
  } else {
    message = error->is_string() ? error->get<std::string>() : error->dump();
    read_int64(answer, "code", code);
  }
  if (code == k_unauthenticated || contains(message, "invalid auth token") ||
      contains(message, "user name is empty")) {
    return Failure::auth;
  }
  // Canceled: the member is shutting down ("grpc: the client connection is closing").
  if (code == k_unavailable || code == k_deadline_exceeded || code == k_canceled ||
      contains(message, "no leader") || contains(message, "leader changed") ||
      contains(message, "connection is closing")) {
    return Failure::unavailable;
  }
  return Failure::other;
}

bool read_int64(const json& object, const char* field, std::int64_t& out) {
  out = 0;
  const auto value = object.find(field);
  if (value == object.end() || value->is_null()) return true;
  if (value->is_number_integer()) {
    out = value->get<std::int64_t>();
    return true;
  }
  if (!value->is_string()) return false;
  const auto& text = value->get_ref<const std::string&>();
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool read_kv(const json& kv, KeyValue& out) {
  if (!kv.is_object()) return false;
  return base64_decode(kv.value("key", std::string()), out.key) &&
         base64_decode(kv.value("value", std::string()), out.value) &&
         read_int64(kv, "mod_revision", out.mod_revision) && read_int64(kv, "lease", out.lease);
}

std::int64_t header_revision(const json& answer) {
  std::int64_t revision = 0;
  const auto header = answer.find("header");
  if (header != answer.end() && header->is_object()) read_int64(*header, "revision", revision);
  return revision;
}

bool read_range(const json& answer, Range& out) {
  out.kvs.clear();
  out.revision = header_revision(answer);
  const auto kvs = answer.find("kvs");
  if (kvs == answer.end()) return true;
  if (!kvs->is_array()) return false;
  out.kvs.resize(kvs->size());
  for (std::size_t i = 0; i < kvs->size(); ++i) {
    if (!read_kv((*kvs)[i], out.kvs[i])) return false;
  }
  return true;
}

bool read_watch_response(const json& object, WatchResponse& out) {
  out = WatchResponse{};
  const auto result = object.find("result");
  if (result == object.end() || !result->is_object()) return false;
  out.created = result->value("created", false);
  out.canceled = result->value("canceled", false);
  out.revision = header_revision(*result);
  out.cancel_reason = result->value("cancel_reason", std::string());
  if (!read_int64(*result, "compact_revision", out.compact_revision)) return false;
  const auto events = result->find("events");
  if (events == result->end()) return true;
  if (!events->is_array()) return false;
  out.events.resize(events->size());
  for (std::size_t i = 0; i < events->size(); ++i) {
    const json& event = (*events)[i];
    if (!event.is_object()) return false;
    const std::string type = event.value("type", std::string("PUT"));
    out.events[i].type = type == "DELETE" ? WatchEvent::Type::remove : WatchEvent::Type::put;
    const auto kv = event.find("kv");
    if (kv == event.end() || !read_kv(*kv, out.events[i].kv)) return false;
  }
  return true;
}

}  // namespace fleet::etcd_json
