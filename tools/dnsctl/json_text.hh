// Reading the admin API's JSON for display: members a server may leave out (an older dnsd, a
// lone instance without [fleet]) read as null, and null prints as "-".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace dnsctl {

// The member `key` of `object`, or null when it is absent (or `object` is no object): a const
// json's operator[] asserts the key is there.
inline const nlohmann::json& field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json absent;
  if (!object.is_object()) return absent;
  const auto it = object.find(key);
  return it == object.end() ? absent : *it;
}

inline std::string text(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// A boolean member; `otherwise` when absent or not a boolean.
inline bool flag(const nlohmann::json& object, const char* key, bool otherwise) {
  const auto& value = field(object, key);
  return value.is_boolean() ? value.get<bool>() : otherwise;
}

}  // namespace dnsctl
