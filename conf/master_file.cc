// Master-file entries -> records. The lexer finds the tokens; this file gives them meaning
// (directives, owner / TTL / class / type) and hands the data to the shared rdata parser.
#include "conf/master_file.hh"

#include <fmt/format.h>

#include <filesystem>
#include <optional>

#include "conf/files.hh"
#include "conf/master_lexer.hh"
#include "conf/record_text.hh"
#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"

namespace conf {
namespace {

using dnsd::wire::Name;
namespace fs = std::filesystem;

// What a file being read knows; $INCLUDE hands a copy to the included file, so neither its
// origin (RFC 1035 §5.1) nor its $TTL leak back into the includer.
struct FileState {
  std::string path;
  Name origin;
  std::uint32_t ttl = 0;
  std::optional<Name> last_owner;
};

// Class mnemonics (RFC 1035 §3.2.4); nullopt when the token is not a class at all.
std::optional<std::uint16_t> class_from_text(std::string_view text) {
  std::string upper;
  for (char c : text)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (upper == "IN") return 1;
  if (upper == "CS") return 2;
  if (upper == "CH") return 3;
  if (upper == "HS") return 4;
  if (upper.starts_with("CLASS") && upper.size() > 5 && upper.size() <= 10 &&
      upper.find_first_not_of("0123456789", 5) == std::string::npos) {
    const auto value = std::stoul(upper.substr(5));
    if (value <= 65535) return static_cast<std::uint16_t>(value);
  }
  return std::nullopt;
}

class Reader {
 public:
  Reader(const MasterFileOptions& options, const MasterSink& sink, Diagnostics& diag)
      : options_(options), sink_(sink), diag_(diag) {}

  void read_top(std::string_view text, FileState state, fs::path canonical) {
    chain_.push_back(std::move(canonical));
    read(text, std::move(state));
  }

 private:
  void read(std::string_view text, FileState state);
  void error(const FileState& state, std::size_t line, std::string message) {
    if (cut_) message += " (the file ends inside this entry, without a newline: is it truncated?)";
    diag_.add_in(state.path, line, options_.key, std::move(message));
  }
  void directive(const MasterEntry& entry, FileState& state);
  void include(const MasterEntry& entry, const FileState& state);
  void record(const MasterEntry& entry, FileState& state);
  std::optional<Name> name(const MasterToken& token, const FileState& state, std::string_view what);

  const MasterFileOptions& options_;
  const MasterSink& sink_;
  Diagnostics& diag_;
  std::vector<fs::path> chain_;  // the files being read, outermost first (for loop detection)
  std::size_t records_ = 0;      // handed to the sink, from every file, against max_records
  bool full_ = false;            // max_records reached: nothing more is read
  bool cut_ = false;             // the entry at hand is the unterminated end of its file
};

ReadOptions read_options(const MasterFileOptions& options) {
  return ReadOptions{options.max_file_size, options.secrets};
}

void Reader::read(std::string_view text, FileState state) {
  MasterLexer lexer(text, options_.max_line_length);
  MasterEntry entry;
  std::string problem;
  const bool outer_cut = cut_;
  while (!full_ && lexer.next(entry, problem)) {
    cut_ = entry.unterminated;
    if (!problem.empty())
      error(state, entry.error_line, problem);
    else if (!entry.blank_owner && entry.tokens[0].text.starts_with('$'))
      directive(entry, state);
    else
      record(entry, state);
  }
  cut_ = outer_cut;
}

std::optional<Name> Reader::name(const MasterToken& token, const FileState& state,
                                 std::string_view what) {
  std::string why;
  auto parsed = token.quoted ? std::nullopt : Name::from_text(token.text, &state.origin, &why);
  if (!parsed)
    error(state, token.line,
          fmt::format("bad {} {}: {}", what, bare_excerpt(token.text),
                      token.quoted ? "a name is never quoted" : why));
  return parsed;
}

void Reader::directive(const MasterEntry& entry, FileState& state) {
  const auto& tokens = entry.tokens;
  const auto& word = tokens[0].text;
  if (word == "$ORIGIN" || word == "$TTL") {
    if (tokens.size() != 2) {
      error(state, entry.line, fmt::format("{} takes one value, got {}", word, tokens.size() - 1));
    } else if (word == "$ORIGIN") {
      if (auto origin = name(tokens[1], state, "$ORIGIN")) state.origin = *origin;
    } else if (auto ttl = dnsd::wire::ttl_from_text(tokens[1].text)) {
      state.ttl = *ttl;
    } else {
      error(state, entry.line,
            fmt::format("bad $TTL {} (expected seconds from 0 to {} or a "
                        "duration like 1h, 30m, 1d, 1w)",
                        bare_excerpt(tokens[1].text), max_ttl));
    }
  } else if (word == "$INCLUDE") {
    include(entry, state);
  } else {
    error(state, entry.line,
          fmt::format("unknown directive {} (expected $ORIGIN, $TTL or $INCLUDE)",
                      bare_excerpt(word)));
  }
}

// $INCLUDE <file> [<origin>]; the file name is relative to the including file's directory.
void Reader::include(const MasterEntry& entry, const FileState& state) {
  const auto& tokens = entry.tokens;
  if (tokens.size() < 2 || tokens.size() > 3) {
    error(state, entry.line, "expected $INCLUDE <file> [<origin>]");
    return;
  }
  FileState inner{state.path, state.origin, state.ttl, std::nullopt};
  if (tokens.size() == 3) {
    const auto origin = name(tokens[2], state, "$INCLUDE origin");
    if (!origin) return;
    inner.origin = *origin;
  }
  std::string file = tokens[1].text;
  if (tokens[1].quoted) file = file.substr(1, file.size() - 2);
  inner.path = (fs::path(state.path).parent_path() / file).lexically_normal().string();
  std::error_code ec;
  const auto canonical = fs::weakly_canonical(inner.path, ec);
  for (const auto& open : chain_) {
    if (!ec && open == canonical) {
      error(state, entry.line,
            fmt::format("$INCLUDE loop: {} is already being read", in_quotes(inner.path)));
      return;
    }
  }
  if (chain_.size() > max_include_depth) {
    error(state, entry.line, fmt::format("$INCLUDE nested more than {} deep", max_include_depth));
    return;
  }
  std::string text, why;
  if (!read_file(inner.path, text, &why, read_options(options_))) {
    error(state, entry.line, why);
    return;
  }
  chain_.push_back(canonical);
  read(text, std::move(inner));
  chain_.pop_back();
}

void Reader::record(const MasterEntry& entry, FileState& state) {
  const auto& tokens = entry.tokens;
  std::size_t i = 0;
  if (!entry.blank_owner) {
    const auto owner = name(tokens[i++], state, "owner name");
    if (!owner) return;
    state.last_owner = *owner;
  } else if (!state.last_owner) {
    error(state, entry.line,
          "no owner name, and no earlier record to take it from "
          "(a line starting with a blank repeats the previous owner)");
    return;
  }
  if (!state.last_owner->is_subdomain_of(options_.zone)) {
    error(state, entry.line,
          fmt::format("owner {} is outside the zone {}", state.last_owner->to_text(),
                      options_.zone.to_text()));
    return;
  }
  std::optional<std::uint32_t> ttl;
  std::optional<std::uint16_t> rclass;
  // RFC 1035 §5.1: [<TTL>] [<class>] or [<class>] [<TTL>] before the type.
  for (; i < tokens.size() && !tokens[i].quoted; ++i) {
    const auto& text = tokens[i].text;
    if (!ttl && !text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
      ttl = dnsd::wire::ttl_from_text(text);
      if (!ttl) {
        error(state, tokens[i].line,
              fmt::format("bad TTL {} (expected seconds from 0 to {} or a "
                          "duration like 1h, 30m, 1d, 1w)",
                          bare_excerpt(text), max_ttl));
        return;
      }
    } else if (auto found = rclass ? std::nullopt : class_from_text(text)) {
      rclass = found;
      if (*rclass != 1) {
        error(state, tokens[i].line,
              fmt::format("class {} is not supported (expected IN)", bare_excerpt(text)));
        return;
      }
    } else {
      break;
    }
  }
  if (i >= tokens.size()) {
    error(state, entry.line, "expected a record type and its data");
    return;
  }
  std::string why;
  const auto type = record_type_from_text(tokens[i].quoted ? "" : tokens[i].text, &why);
  if (!type) {
    error(state, tokens[i].line, why);
    return;
  }
  std::string data;
  for (std::size_t j = i + 1; j < tokens.size(); ++j)
    data += (data.empty() ? "" : " ") + tokens[j].text;
  auto rdata = record_data_from_text(*type, data, state.origin, &why);
  if (!rdata) {
    error(state, entry.line, why);
    return;
  }
  if (++records_ > options_.max_records) {
    error(state, entry.line,
          fmt::format("more than max_zone_records = {} records; the rest is not read",
                      options_.max_records));
    full_ = true;
    return;
  }
  sink_({*state.last_owner, *type, ttl.value_or(state.ttl), std::move(*rdata), state.path,
         entry.line});
}

}  // namespace

bool read_master_file(const std::string& path, const MasterFileOptions& options,
                      const MasterSink& sink, Diagnostics& diag, std::string* error) {
  std::string text;
  if (!read_file(path, text, error, read_options(options))) return false;
  Reader reader(options, sink, diag);
  std::error_code ec;
  // The top file is part of the chain, so a file that includes itself is a loop too.
  FileState state{path, options.zone, options.default_ttl, std::nullopt};
  reader.read_top(text, std::move(state), fs::weakly_canonical(path, ec));
  return true;
}

bool read_master_file(const std::string& path, const MasterFileOptions& options,
                      std::vector<MasterRecord>& out, Diagnostics& diag, std::string* error) {
  return read_master_file(
      path, options, [&](MasterRecord&& record) { out.push_back(std::move(record)); }, diag, error);
}

}  // namespace conf
