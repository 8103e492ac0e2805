// Exposition format writer: escaping and number formatting.
#include "metrics/exposition.hh"

#include <fmt/format.h>

#include <cmath>

namespace metrics {
namespace {

std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quotes)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) { return escape(value, true); }
std::string escape_help(std::string_view text) { return escape(text, false); }

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
}

void Exposition::series(std::string_view name, std::initializer_list<Label> labels) {
  out_ += name;
  if (labels.size() == 0) return;
  char separator = '{';
  for (const auto& [key, value] : labels) {
    out_ += separator;
    out_ += key;
    out_ += "=\"";
    out_ += escape_label_value(value);
    out_ += '"';
    separator = ',';
  }
  out_ += '}';
}

void Exposition::sample(std::string_view name, std::initializer_list<Label> labels,
                        std::uint64_t value) {
  series(name, labels);
  out_ += fmt::format(" {}\n", value);
}

void Exposition::sample(std::string_view name, std::initializer_list<Label> labels, double value) {
  series(name, labels);
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

}  // namespace metrics
