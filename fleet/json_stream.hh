// JsonStream: splits a byte stream of concatenated JSON objects (etcd's streaming gateway answers:
// /v3/watch, /v3/lease/keepalive) into whole objects, whatever the chunk boundaries. Only finds
// boundaries (braces outside strings); parsing is the caller's.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fleet {

class JsonStream {
 public:
  // An object larger than this is an error (a broken or hostile peer must not fill the memory).
  explicit JsonStream(std::size_t max_object_bytes = 64 * 1024 * 1024)
      : max_object_bytes_(max_object_bytes) {}

  // Feeds bytes; calls on_object(std::string_view) for each object completed by them. Returns
  // false (and stays failed) on bytes outside an object that are not whitespace, or on an object
  // over the limit.
  template <typename OnObject>
  bool feed(std::string_view bytes, OnObject&& on_object) {
    for (char c : bytes) {
      if (failed_) return false;
      if (step(c)) {
        on_object(std::string_view(object_));
        object_.clear();
      }
    }
    return !failed_;
  }
  bool failed() const noexcept { return failed_; }
  // True between objects (nothing half-read).
  bool idle() const noexcept { return depth_ == 0 && object_.empty(); }

 private:
  bool step(char c);  // true when c closed a top-level object

  std::size_t max_object_bytes_;
  std::string object_;
  std::size_t depth_ = 0;
  bool in_string_ = false, escaped_ = false, failed_ = false;
};

}  // namespace fleet
