// Prometheus text exposition format 0.0.4: "# HELP" and "# TYPE" once per family, then one line
// per sample, `name{label="value",...} value`. Label values and HELP text are escaped here
// (backslash, double quote in labels, newline), so callers pass raw operator text.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace metrics {

using Label = std::pair<std::string_view, std::string_view>;

std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view text);
// Sample values: integers as integers, doubles in the shortest form that reads back the same,
// infinities as "+Inf" / "-Inf", NaN as "NaN".
std::string format_value(double value);

class Exposition {
 public:
  // type: "counter", "gauge" or "histogram". Every family is announced once, before its samples.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  const std::string& text() const noexcept { return out_; }
  std::string take() noexcept { return std::move(out_); }

 private:
  void series(std::string_view name, std::initializer_list<Label> labels);
  std::string out_;
};

}  // namespace metrics
