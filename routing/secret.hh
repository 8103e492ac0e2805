// A credential held in memory: readable by code that needs it, never formatted or printed.
#pragma once

#include <fmt/format.h>

#include <string>

namespace routing {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  // The only way to the clear text; grep for it to audit every use.
  const std::string& reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  friend bool operator==(const Secret&, const Secret&) = default;

 private:
  std::string value_;
};

}  // namespace routing

template <>
struct fmt::formatter<routing::Secret> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const routing::Secret&, Context& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
