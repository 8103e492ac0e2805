// The values etcd hands back: key-value pairs with their revisions, a range read, a watch event.
// Plain data, no behaviour.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fleet {

struct KeyValue {
  std::string key, value;
  std::int64_t mod_revision = 0, lease = 0;
};
struct Range {
  std::vector<KeyValue> kvs;
  std::int64_t revision = 0;  // the store's revision when read (header.revision)
};
struct WatchEvent {
  enum class Type { put, remove } type = Type::put;
  KeyValue kv;  // for remove: key and mod_revision (the deletion's revision) only
};

}  // namespace fleet
