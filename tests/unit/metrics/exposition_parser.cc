// Strict text-format reader for the metrics tests.
#include "exposition_parser.hh"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace parser {
namespace {

bool name_char(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0)) return false;
  return true;
}

bool parse_number(const std::string& text, double& out) {
  if (text == "+Inf") return out = INFINITY, true;
  if (text == "-Inf") return out = -INFINITY, true;
  if (text == "NaN") return out = NAN, true;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

std::string family_of(const std::string& sample, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (sample.size() > s.size() && sample.compare(sample.size() - s.size(), s.size(), s) == 0) {
      const std::string base = sample.substr(0, sample.size() - s.size());
      const auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return sample;
}

// name{k="v",...} value
bool parse_sample(const std::string& line, Sample& out, std::string& why) {
  std::size_t at = 0;
  while (at < line.size() && name_char(line[at], at == 0)) ++at;
  out.name = line.substr(0, at);
  if (!valid_name(out.name)) return why = "bad metric name", false;
  if (at < line.size() && line[at] == '{') {
    ++at;
    while (at < line.size() && line[at] != '}') {
      const std::size_t start = at;
      while (at < line.size() && name_char(line[at], at == start)) ++at;
      const std::string key = line.substr(start, at - start);
      if (!valid_name(key) || key.rfind("__", 0) == 0) return why = "bad label name", false;
      if (line.compare(at, 2, "=\"") != 0) return why = "expected =\" after label name", false;
      at += 2;
      std::string value;
      for (;; ++at) {
        if (at >= line.size()) return why = "unterminated label value", false;
        const char c = line[at];
        if (c == '"') break;
        if (c == '\\') {
          if (++at >= line.size()) return why = "dangling backslash", false;
          const char e = line[at];
          if (e == 'n')
            value += '\n';
          else if (e == '\\' || e == '"')
            value += e;
          else
            return why = "bad escape in label value", false;
        } else {
          value += c;
        }
      }
      ++at;
      if (!out.labels.emplace(key, value).second) return why = "label repeated", false;
      if (at < line.size() && line[at] == ',') ++at;
    }
    if (at >= line.size()) return why = "unterminated label set", false;
    ++at;
  }
  if (at >= line.size() || line[at] != ' ')
    return why = "expected one space before the value", false;
  out.value = line.substr(at + 1);
  if (!parse_number(out.value, out.number)) return why = "bad value", false;
  return true;
}

void check_histogram(const Family& family, std::vector<std::string>& errors) {
  // Grouped by the labels other than le.
  std::map<std::map<std::string, std::string>, std::vector<const Sample*>> buckets;
  std::map<std::map<std::string, std::string>, double> counts;
  std::set<std::map<std::string, std::string>> sums;
  for (const auto& s : family.samples) {
    auto key = s.labels;
    key.erase("le");
    if (s.name == family.name + "_bucket") {
      if (!s.labels.count("le")) errors.push_back(family.name + ": bucket without le");
      buckets[key].push_back(&s);
    } else if (s.name == family.name + "_count") {
      counts[key] = s.number;
    } else if (s.name == family.name + "_sum") {
      sums.insert(key);
    } else {
      errors.push_back(family.name + ": unexpected sample " + s.name);
    }
  }
  for (const auto& [key, list] : buckets) {
    double last_le = -INFINITY, last_count = 0;
    for (const auto* s : list) {
      double le = 0;
      if (!parse_number(s->labels.at("le"), le) || le <= last_le)
        errors.push_back(family.name + ": le not ascending");
      if (s->number < last_count) errors.push_back(family.name + ": bucket counts not cumulative");
      last_le = le;
      last_count = s->number;
    }
    if (list.back()->labels.at("le") != "+Inf")
      errors.push_back(family.name + ": last bucket is not +Inf");
    if (!counts.count(key) || counts[key] != list.back()->number)
      errors.push_back(family.name + ": _count missing or not equal to the +Inf bucket");
    if (!sums.count(key)) errors.push_back(family.name + ": _sum missing");
  }
}

}  // namespace

const Family* Parsed::find(const std::string& name) const {
  for (const auto& f : families)
    if (f.name == name) return &f;
  return nullptr;
}

const Sample* Parsed::sample(const std::string& family,
                             const std::map<std::string, std::string>& labels,
                             const std::string& suffix) const {
  const Family* f = find(family);
  if (!f) return nullptr;
  const Sample* found = nullptr;
  for (const auto& s : f->samples) {
    if (s.name != family + suffix) continue;
    bool all = true;
    for (const auto& [k, v] : labels) all = all && s.labels.count(k) && s.labels.at(k) == v;
    if (!all) continue;
    if (found) return nullptr;  // ambiguous
    found = &s;
  }
  return found;
}

Parsed parse(const std::string& text) {
  Parsed out;
  std::map<std::string, std::string> types;
  std::set<std::string> helps, series, closed;
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  if (!text.empty() && text.back() != '\n')
    out.errors.push_back("text does not end with a newline");
  while (std::getline(in, line)) {
    ++number;
    const std::string where = "line " + std::to_string(number) + ": ";
    if (line.empty()) continue;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const bool help = line[2] == 'H';
      const std::string rest = line.substr(7);
      const auto space = rest.find(' ');
      const std::string name = rest.substr(0, space);
      const std::string arg = space == std::string::npos ? "" : rest.substr(space + 1);
      if (!valid_name(name)) out.errors.push_back(where + "bad family name");
      if (closed.count(name))
        out.errors.push_back(where + name + " announced again after other families");
      if (out.families.empty() || out.families.back().name != name) {
        if (!out.families.empty()) closed.insert(out.families.back().name);
        out.families.push_back(Family{name, "", "", {}});
      }
      Family& family = out.families.back();
      if (help) {
        if (!helps.insert(name).second) out.errors.push_back(where + "second HELP for " + name);
        std::string unescaped;
        for (std::size_t i = 0; i < arg.size(); ++i) {
          if (arg[i] == '\\' && i + 1 < arg.size() && (arg[i + 1] == 'n' || arg[i + 1] == '\\')) {
            unescaped += arg[i + 1] == 'n' ? '\n' : '\\';
            ++i;
          } else {
            unescaped += arg[i];
          }
        }
        family.help = unescaped;
      } else {
        if (types.count(name)) out.errors.push_back(where + "second TYPE for " + name);
        if (!family.samples.empty()) out.errors.push_back(where + "TYPE after samples of " + name);
        static const std::set<std::string> known{"counter", "gauge", "histogram", "summary",
                                                 "untyped"};
        if (!known.count(arg)) out.errors.push_back(where + "unknown type " + arg);
        types[name] = arg;
        family.type = arg;
      }
      continue;
    }
    if (line[0] == '#') continue;  // a comment
    Sample sample;
    std::string why;
    if (!parse_sample(line, sample, why)) {
      out.errors.push_back(where + why + ": " + line);
      continue;
    }
    const std::string family = family_of(sample.name, types);
    if (out.families.empty() || out.families.back().name != family) {
      out.errors.push_back(where + sample.name + " is not under its family's TYPE line");
      continue;
    }
    std::string id = sample.name;
    for (const auto& [k, v] : sample.labels) id += "|" + k + "=" + v;
    if (!series.insert(id).second) out.errors.push_back(where + "duplicate series " + id);
    if (types[family] == "counter" && !(sample.number >= 0))
      out.errors.push_back(where + "negative counter");
    out.families.back().samples.push_back(sample);
  }
  for (const auto& family : out.families) {
    if (family.type.empty()) out.errors.push_back(family.name + ": no TYPE");
    if (family.type == "histogram") check_histogram(family, out.errors);
  }
  return out;
}

}  // namespace parser
