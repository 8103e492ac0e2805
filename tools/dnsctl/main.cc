// dnsctl: the command-line client of dnsd's admin API.
//   dnsctl [--json] status [P [E]] | reload | enable P E | disable P E [--from TIME] [--until TIME]
//   dnsctl explain P CLIENT [--ecs PREFIX]
//   dnsctl secondaries [--check]
//   dnsctl wait-propagated ZONE [--serial N] [--timeout T]
//   dnsctl watch [--count N] [--since SEQ]
//   dnsctl keygen ZONE [--algorithm A] [--flags F] [--dir DIR] | ds ZONE|KEYFILE [--dir DIR]
//   (local: DNSSEC key files, no server and no token)
//   dnsctl key list ZONE | key publish|activate|retire|remove ZONE TAG (a rollover, step by step)
//   dnsctl --version
// --json prints the API's JSON (for local commands, a JSON object) instead of text.
// Server from --server or DNSCTL_SERVER (default 127.0.0.1:8053); token from --token-file,
// DNSCTL_TOKEN_FILE or DNSCTL_TOKEN. Exit codes: 0 ok, 1 refused by dnsd, 2 usage,
// 3 server unreachable, 4 token refused, 5 (secondaries) not every secondary is current,
// (wait-propagated) not every secondary served the serial before the timeout.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tools/dnsctl/client.hh"
#include "tools/dnsctl/exit_code.hh"
#include "tools/dnsctl/key_list.hh"
#include "tools/dnsctl/keys.hh"
#include "tools/dnsctl/propagation.hh"
#include "tools/dnsctl/render.hh"
#include "tools/dnsctl/selection.hh"
#include "tools/dnsctl/version.hh"
#include "tools/dnsctl/watch.hh"

namespace {

constexpr std::string_view usage =
    "usage: dnsctl [--server HOST:PORT] [--token-file FILE] [--json] COMMAND\n"
    "       dnsctl --version\n"
    "  status [PROFILE [ENDPOINT]]             every profile and endpoint, one profile, or\n"
    "                                          one endpoint in detail\n"
    "  disable PROFILE ENDPOINT [--from TIME] [--until TIME]\n"
    "                                          switch an endpoint off (a maintenance window\n"
    "                                          with --until ends by itself)\n"
    "  enable PROFILE ENDPOINT                 remove the override\n"
    "  explain PROFILE CLIENT [--ecs PREFIX]   which endpoint CLIENT gets, and why\n"
    "  reload                                  re-read dnsd's config (as SIGHUP)\n"
    "  secondaries [--check]                   how far each published zone's serial has\n"
    "                                          reached; --check asks every secondary's SOA\n"
    "                                          first; exit 5 unless every one is current\n"
    "  wait-propagated ZONE [--serial N] [--timeout T]\n"
    "                                          wait until every secondary serves ZONE at\n"
    "                                          serial N (default: the current one) or newer;\n"
    "                                          exit 5 at the timeout (default 120s)\n"
    "  keygen ZONE [--algorithm ecdsap256sha256|ed25519] [--flags 257|256] [--dir DIR]\n"
    "                                          write a new DNSSEC key file (mode 0600)\n"
    "  ds ZONE|KEYFILE [--dir DIR]             the DS record for the parent zone\n"
    "  key list ZONE                           the zone's keys: state, since, next step\n"
    "  key publish|activate|retire|remove ZONE TAG\n"
    "                                          one rollover step on key TAG (dnsd refuses a\n"
    "                                          step taken before the TTLs allow it)\n"
    "  watch [--count N] [--since SEQ]         follow dnsd's events (recent ones first), one\n"
    "                                          line each, until interrupted or N events\n"
    "--json: the API's JSON instead of text (watch: one JSON object per line)\n"
    "TIME: 2026-11-24T03:00:00Z (UTC), Unix seconds, or from now: 90s, 30m, 2h, 1d\n"
    "Environment: DNSCTL_SERVER, DNSCTL_TOKEN_FILE, DNSCTL_TOKEN\n";

using dnsctl::Exit;
using enum dnsctl::Exit;

// Options that take no value.
bool is_flag(const std::string& word) {
  return word == "--check" || word == "--json" || word == "--version";
}

struct Args {
  std::vector<std::string> words;
  std::map<std::string, std::string> options;  // --name value
};

std::optional<Args> parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (is_flag(word)) {
      args.options[word.substr(2)] = "";
    } else if (word.rfind("--", 0) == 0) {
      if (i + 1 >= argc) return std::nullopt;
      args.options[word.substr(2)] = argv[++i];
    } else {
      args.words.push_back(word);
    }
  }
  return args;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The token, trimmed like dnsd trims its token file. Empty with *error set on failure.
std::string read_token(const Args& args, std::string* error) {
  std::string file =
      args.options.count("token-file") ? args.options.at("token-file") : env("DNSCTL_TOKEN_FILE");
  std::string token;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) {
      *error = fmt::format("cannot read the token file {}", file);
      return {};
    }
    std::stringstream text;
    text << in.rdbuf();
    token = text.str();
  } else {
    token = env("DNSCTL_TOKEN");
  }
  const auto first = token.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    *error = "no admin token: use --token-file FILE, DNSCTL_TOKEN_FILE or DNSCTL_TOKEN";
    return {};
  }
  return token.substr(first, token.find_last_not_of(" \t\r\n") - first + 1);
}

// "30m" -> an absolute UTC time; anything else is passed on for dnsd to check.
std::string absolute_time(const std::string& text) {
  if (text.size() < 2) return text;
  const char unit = text.back();
  const std::string number = text.substr(0, text.size() - 1);
  if (number.find_first_not_of("0123456789") != std::string::npos) return text;
  const std::map<char, long> seconds{{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  const auto it = seconds.find(unit);
  if (it == seconds.end()) return text;
  const std::time_t at = std::time(nullptr) + std::stol(number) * it->second;
  std::tm tm{};
  gmtime_r(&at, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int fail(Exit code, const std::string& message) {
  fmt::print(stderr, "dnsctl: {}\n", message);
  return code;
}

// Sends one request and turns every way it can go wrong into a message and an exit code.
int call(const dnsctl::Client& client, const std::string& method, const std::string& path,
         nlohmann::json& out) {
  const dnsctl::HttpResult result = client.request(method, path);
  if (!result.reached)
    return fail(unreachable, fmt::format("cannot reach dnsd's admin API at {}: {} (is dnsd running "
                                         "with [admin] enabled = true?)",
                                         client.server(), result.error));
  if (result.status == 401)
    return fail(bad_token, fmt::format("dnsd at {} refused the admin token (check the token file)",
                                       client.server()));
  out = nlohmann::json::parse(result.body, nullptr, false);
  if (out.is_discarded())
    return fail(refused,
                fmt::format("unexpected answer from {} (HTTP {})", client.server(), result.status));
  if (result.status == 200) return ok;
  if (out.contains("errors") && !out["errors"].empty()) {  // a rejected reload
    for (const auto& error : out["errors"]) fmt::print(stderr, "{}\n", error.get<std::string>());
    return fail(refused, "reload rejected: the running config stays");
  }
  return fail(refused, out.value("error", fmt::format("HTTP {}", result.status)));
}

// Asks every secondary's SOA (?check=1) until each serves `serial` or newer, pausing
// k_poll_pause between rounds; a round itself takes up to the API's SOA check bound (1 s).
int wait_propagated(const Args& args, const dnsctl::Client& client, const std::string& zone) {
  using Clock = std::chrono::steady_clock;
  constexpr auto k_poll_pause = std::chrono::milliseconds(500);
  const std::string timeout_text = args.options.count("timeout") ? args.options.at("timeout") : "";
  const long timeout_s = timeout_text.empty() ? 120 : dnsctl::parse_seconds(timeout_text);
  if (timeout_s < 0)
    return fail(bad_usage,
                fmt::format("--timeout {}: expected seconds, e.g. 90, 90s, 5m", timeout_text));
  std::optional<std::uint32_t> serial;
  if (args.options.count("serial")) {
    const std::string& text = args.options.at("serial");
    if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != text.npos ||
        std::stoull(text) > 0xFFFFFFFFull)
      return fail(bad_usage, fmt::format("--serial {}: expected a serial, 0 to 4294967295", text));
    serial = static_cast<std::uint32_t>(std::stoull(text));
  }
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  const std::string path = "/api/v1/secondaries?check=1&zone=" + dnsctl::escape(zone);
  std::vector<std::string> reported;  // what the last progress line said
  for (;;) {
    nlohmann::json out;
    if (const int code = call(client, "GET", path, out)) return code;
    const nlohmann::json zones = out.value("zones", nlohmann::json::array());
    if (zones.size() != 1) return fail(refused, fmt::format("unexpected answer for {}", zone));
    const nlohmann::json& z = zones[0];
    if (!serial) serial = z.value("serial", std::uint32_t{0});
    const std::size_t of = z.value("secondaries", nlohmann::json::array()).size();
    const auto missing = dnsctl::missing_secondaries(z, *serial);
    const bool as_json = args.options.count("json") > 0;
    const nlohmann::json result{{"zone", z.value("zone", zone)},
                                {"serial", *serial},
                                {"served_by", of - missing.size()},
                                {"of", of},
                                {"missing", missing},
                                {"timed_out", !missing.empty()}};
    if (missing.empty()) {
      if (as_json)
        fmt::print("{}\n", result.dump());
      else
        fmt::print("{} serial {}: served by {} of {} secondaries\n", z.value("zone", zone), *serial,
                   of, of);
      return ok;
    }
    if (Clock::now() >= deadline) {
      if (as_json) fmt::print("{}\n", result.dump());
      fmt::print(stderr,
                 "dnsctl: {} serial {}: served by {} of {} secondaries after {}s; missing:\n",
                 z.value("zone", zone), *serial, of - missing.size(), of, timeout_s);
      for (const auto& line : missing) fmt::print(stderr, "  {}\n", line);
      return lagging;
    }
    if (missing != reported) {  // progress on stderr, one line per change (hook logs)
      fmt::print(stderr, "dnsctl: {} serial {}: waiting for {}\n", z.value("zone", zone), *serial,
                 fmt::join(missing, "; "));
      reported = missing;
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(k_poll_pause, deadline - Clock::now()));
  }
}

// The text for `status`, `status P` or `status P E`; JSON the same way (the whole answer, one
// profile object or one endpoint object). "no such ..." exits 1.
int status(const Args& args, const dnsctl::Client& client) {
  const auto& w = args.words;
  const bool as_json = args.options.count("json") > 0;
  nlohmann::json out;
  if (const int code = call(client, "GET", "/api/v1/status", out)) return code;
  if (w.size() == 1) {
    fmt::print("{}", as_json ? out.dump(2) + "\n" : dnsctl::render_status(out));
    return ok;
  }
  const nlohmann::json* profile = dnsctl::find_profile(out, w[1]);
  if (!profile) return fail(refused, dnsctl::no_such_profile(w[1]));
  if (w.size() == 2) {
    nlohmann::json one = out;
    one["profiles"] = nlohmann::json::array({*profile});
    fmt::print("{}", as_json ? profile->dump(2) + "\n" : dnsctl::render_status(one));
    return ok;
  }
  const nlohmann::json* endpoint = dnsctl::find_endpoint(*profile, w[2]);
  if (!endpoint) return fail(refused, dnsctl::no_such_endpoint(*profile, w[2]));
  fmt::print("{}",
             as_json ? endpoint->dump(2) + "\n" : dnsctl::render_endpoint(*profile, *endpoint));
  return ok;
}

// disable, or enable (which first checks there is an override to remove: the API answers 200
// either way, and "enabled" would claim a change that did not happen).
int endpoint_action(const Args& args, const dnsctl::Client& client) {
  const auto& w = args.words;
  const std::string& command = w[0];
  const bool as_json = args.options.count("json") > 0;
  nlohmann::json out;
  if (command == "enable") {
    if (const int code = call(client, "GET", "/api/v1/status", out)) return code;
    const nlohmann::json* profile = dnsctl::find_profile(out, w[1]);
    if (!profile) return fail(refused, dnsctl::no_such_profile(w[1]));
    const nlohmann::json* endpoint = dnsctl::find_endpoint(*profile, w[2]);
    if (!endpoint) return fail(refused, dnsctl::no_such_endpoint(*profile, w[2]));
    if (const auto nothing = dnsctl::nothing_to_enable(*endpoint)) {
      if (as_json)
        fmt::print("{}\n", nlohmann::json{{"profile", (*profile)["name"]},
                                          {"endpoint", w[2]},
                                          {"action", "enable"},
                                          {"changed", false},
                                          {"message", *nothing}}
                               .dump(2));
      else
        fmt::print("{}\n", *nothing);
      return ok;
    }
  }
  std::string path = fmt::format("/api/v1/endpoints/{}/{}/{}", dnsctl::escape(w[1]),
                                 dnsctl::escape(w[2]), command);
  std::string sep = "?";
  for (const char* key : {"from", "until"}) {
    if (!args.options.count(key)) continue;
    if (command == "enable") return fail(bad_usage, fmt::format("--{} is for disable", key));
    path += sep + key + "=" + dnsctl::escape(absolute_time(args.options.at(key)));
    sep = "&";
  }
  if (const int code = call(client, "POST", path, out)) return code;
  if (as_json)
    fmt::print("{}\n", out.dump(2));
  else
    fmt::print("{}d {} in {}\n", command, w[2], out.value("profile", w[1]));
  return ok;
}

// key list ZONE, or key ACTION ZONE TAG: one rollover step, then the keys as they are now.
int key_command(const Args& args, const dnsctl::Client& client) {
  const auto& w = args.words;
  const bool as_json = args.options.count("json") > 0;
  const bool list = w[1] == "list" && w.size() == 3;
  const bool step = w.size() == 4 && (w[1] == "publish" || w[1] == "activate" || w[1] == "retire" ||
                                      w[1] == "remove");
  if (!list && !step) {
    fmt::print(stderr, "{}", usage);
    return bad_usage;
  }
  std::string path = fmt::format("/api/v1/zones/{}/keys", dnsctl::escape(w[2]));
  if (step) path += fmt::format("/{}/{}", dnsctl::escape(w[3]), w[1]);
  nlohmann::json out;
  if (const int code = call(client, step ? "POST" : "GET", path, out)) return code;
  if (as_json) {
    fmt::print("{}\n", out.dump(2));
    return ok;
  }
  if (step) {
    constexpr std::string_view done[] = {"published", "activated", "retired", "removed"};
    const std::size_t i = w[1] == "publish" ? 0 : w[1] == "activate" ? 1 : w[1] == "retire" ? 2 : 3;
    fmt::print("key {} {} in {}; the zone is re-signed\n", w[3], done[i], out.value("zone", w[2]));
  }
  fmt::print("{}", dnsctl::render_key_list(out));
  return ok;
}

// A whole number option (--count, --since); nullopt when absent, *bad set when malformed.
std::optional<std::uint64_t> number_option(const Args& args, const char* name, bool* bad) {
  if (!args.options.count(name)) return std::nullopt;
  const std::string& text = args.options.at(name);
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != text.npos) {
    *bad = true;
    return std::nullopt;
  }
  return std::stoull(text);
}

int run(const Args& args, const dnsctl::Client& client) {
  const auto& w = args.words;
  const std::string command = w.empty() ? "" : w[0];
  const bool as_json = args.options.count("json") > 0;
  for (const char* option : {"count", "since"})
    if (args.options.count(option) && command != "watch")
      return fail(bad_usage, fmt::format("--{} is for watch", option));
  nlohmann::json out;
  if (command == "status" && w.size() <= 3) return status(args, client);
  if (command == "reload" && w.size() == 1) {
    if (const int code = call(client, "POST", "/api/v1/reload", out)) return code;
    if (as_json)
      fmt::print("{}\n", out.dump(2));
    else
      fmt::print("reloaded: {} endpoints, {} kept their health\n", out.value("endpoints", 0),
                 out.value("carried", 0));
    return ok;
  }
  if ((command == "disable" || command == "enable") && w.size() == 3)
    return endpoint_action(args, client);
  if (command == "explain" && w.size() == 3) {
    std::string path = fmt::format("/api/v1/explain?profile={}&client={}", dnsctl::escape(w[1]),
                                   dnsctl::escape(w[2]));
    if (args.options.count("ecs")) path += "&ecs=" + dnsctl::escape(args.options.at("ecs"));
    if (const int code = call(client, "GET", path, out)) return code;
    fmt::print("{}", as_json ? out.dump(2) + "\n" : dnsctl::render_explain(out));
    return ok;
  }
  if (command == "key" && w.size() >= 3) return key_command(args, client);
  if (command == "wait-propagated" && w.size() == 2) return wait_propagated(args, client, w[1]);
  if (command == "secondaries" && w.size() == 1) {
    const bool check = args.options.count("check") > 0;
    if (const int code =
            call(client, "GET", check ? "/api/v1/secondaries?check=1" : "/api/v1/secondaries", out))
      return code;
    fmt::print("{}", as_json ? out.dump(2) + "\n" : dnsctl::render_secondaries(out));
    return out.value("all_current", false) ? ok : lagging;
  }
  if (command == "watch" && w.size() == 1) {
    bool bad = false;
    const auto count = number_option(args, "count", &bad);
    const auto since = number_option(args, "since", &bad);
    if (bad) return fail(bad_usage, "--count and --since take a whole number");
    return dnsctl::watch(client, {as_json, count.value_or(0), since});
  }
  fmt::print(stderr, "{}", usage);
  return bad_usage;
}

// "dnsctl 0.1.0 (commit 8a3022c9ac10)", or {"version": ..., "commit": ...}.
int version(bool as_json) {
  const std::string commit(dnsctl::build_commit());
  if (as_json) {
    fmt::print("{}\n", nlohmann::json{{"version", dnsctl::project_version()},
                                      {"commit",
                                       commit.empty() ? nlohmann::json() : nlohmann::json(commit)}}
                           .dump());
    return ok;
  }
  fmt::print("dnsctl {}{}\n", dnsctl::project_version(),
             commit.empty() ? "" : fmt::format(" (commit {})", commit));
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parse_args(argc, argv);
  if (args && args->options.count("version") && args->words.empty())
    return version(args->options.count("json") > 0);  // needs no token and no server
  if (!args || args->words.empty()) {
    fmt::print(stderr, "{}", usage);
    return bad_usage;
  }
  const auto& words = args->words;
  if (words[0] == "keygen" || words[0] == "ds") {  // local: no server, no token
    for (const auto& [name, value] : args->options)
      if (name != "dir" && (words[0] == "ds" || (name != "algorithm" && name != "flags")))
        return fail(bad_usage, fmt::format("unknown option --{}", name));
    if (words.size() != 2) {
      fmt::print(stderr, "{}", usage);
      return bad_usage;
    }
    return words[0] == "keygen" ? dnsctl::keygen(words, args->options)
                                : dnsctl::ds(words, args->options);
  }
  for (const auto& [name, value] : args->options)
    if (name != "server" && name != "token-file" && name != "from" && name != "until" &&
        name != "ecs" && name != "check" && name != "serial" && name != "timeout" &&
        name != "json" && name != "count" && name != "since")
      return fail(bad_usage, fmt::format("unknown option --{}", name));
  std::string error;
  const std::string token = read_token(*args, &error);
  if (token.empty()) return fail(bad_usage, error);
  std::string server =
      args->options.count("server") ? args->options.at("server") : env("DNSCTL_SERVER");
  if (server.empty()) server = "127.0.0.1:8053";
  return run(*args, dnsctl::Client(server, token));
}
