// Test support: a strict reader of the Prometheus text format 0.0.4, so tests check what a
// scraper would see (families, label values unescaped) and reject malformed output.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace parser {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped
  std::string value;                          // as written
  double number = 0;
};

struct Family {
  std::string name, type, help;  // help unescaped
  std::vector<Sample> samples;
};

struct Parsed {
  std::vector<Family> families;
  std::vector<std::string> errors;  // empty when the text is valid
  const Family* find(const std::string& name) const;
  // The one sample of `family` whose labels include all of `labels`; null if none or several.
  const Sample* sample(const std::string& family, const std::map<std::string, std::string>& labels,
                       const std::string& suffix = "") const;
};

// Checks: line syntax, metric and label names, escapes, HELP/TYPE once and before samples,
// no duplicate series, samples grouped under their family, histogram buckets (le ascending,
// counts cumulative, +Inf last and equal to _count, _sum present), counters non-negative.
Parsed parse(const std::string& text);

}  // namespace parser
