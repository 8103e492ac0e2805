// dnsctl: the command-line client of dnsd's admin API.
//   dnsctl status | reload | enable P E | disable P E [--from TIME] [--until TIME]
//   dnsctl explain P CLIENT [--ecs PREFIX]
//   dnsctl secondaries [--check]
// Server from --server or DNSCTL_SERVER (default 127.0.0.1:8053); token from --token-file,
// DNSCTL_TOKEN_FILE or DNSCTL_TOKEN. Exit codes: 0 ok, 1 refused by dnsd, 2 usage,
// 3 server unreachable, 4 token refused, 5 (secondaries) not every secondary is current.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tools/dnsctl/client.hh"
#include "tools/dnsctl/render.hh"

namespace {

constexpr std::string_view usage =
    "usage: dnsctl [--server HOST:PORT] [--token-file FILE] COMMAND\n"
    "  status                                  every profile and endpoint\n"
    "  disable PROFILE ENDPOINT [--from TIME] [--until TIME]\n"
    "                                          switch an endpoint off (a maintenance window\n"
    "                                          with --until ends by itself)\n"
    "  enable PROFILE ENDPOINT                 remove the override\n"
    "  explain PROFILE CLIENT [--ecs PREFIX]   which endpoint CLIENT gets, and why\n"
    "  reload                                  re-read dnsd's config (as SIGHUP)\n"
    "  secondaries [--check]                   how far each published zone's serial has\n"
    "                                          reached; --check asks every secondary's SOA\n"
    "                                          first; exit 5 unless every one is current\n"
    "TIME: 2026-11-24T03:00:00Z (UTC), Unix seconds, or from now: 90s, 30m, 2h, 1d\n"
    "Environment: DNSCTL_SERVER, DNSCTL_TOKEN_FILE, DNSCTL_TOKEN\n";

enum Exit { ok = 0, refused = 1, bad_usage = 2, unreachable = 3, bad_token = 4, lagging = 5 };

// Options that take no value.
bool is_flag(const std::string& word) { return word == "--check"; }

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

int run(const Args& args, const dnsctl::Client& client) {
  const auto& w = args.words;
  const std::string command = w.empty() ? "" : w[0];
  nlohmann::json out;
  if (command == "status" && w.size() == 1) {
    if (const int code = call(client, "GET", "/api/v1/status", out)) return code;
    fmt::print("{}", dnsctl::render_status(out));
    return ok;
  }
  if (command == "reload" && w.size() == 1) {
    if (const int code = call(client, "POST", "/api/v1/reload", out)) return code;
    fmt::print("reloaded: {} endpoints, {} kept their health\n", out.value("endpoints", 0),
               out.value("carried", 0));
    return ok;
  }
  if ((command == "disable" || command == "enable") && w.size() == 3) {
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
    fmt::print("{}d {} in {}\n", command, w[2], out.value("profile", w[1]));
    return ok;
  }
  if (command == "explain" && w.size() == 3) {
    std::string path = fmt::format("/api/v1/explain?profile={}&client={}", dnsctl::escape(w[1]),
                                   dnsctl::escape(w[2]));
    if (args.options.count("ecs")) path += "&ecs=" + dnsctl::escape(args.options.at("ecs"));
    if (const int code = call(client, "GET", path, out)) return code;
    fmt::print("{}", dnsctl::render_explain(out));
    return ok;
  }
  if (command == "secondaries" && w.size() == 1) {
    const bool check = args.options.count("check") > 0;
    if (const int code =
            call(client, "GET", check ? "/api/v1/secondaries?check=1" : "/api/v1/secondaries", out))
      return code;
    fmt::print("{}", dnsctl::render_secondaries(out));
    return out.value("all_current", false) ? ok : lagging;
  }
  fmt::print(stderr, "{}", usage);
  return bad_usage;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parse_args(argc, argv);
  if (!args || args->words.empty()) {
    fmt::print(stderr, "{}", usage);
    return bad_usage;
  }
  for (const auto& [name, value] : args->options)
    if (name != "server" && name != "token-file" && name != "from" && name != "until" &&
        name != "ecs" && name != "check")
      return fail(bad_usage, fmt::format("unknown option --{}", name));
  std::string error;
  const std::string token = read_token(*args, &error);
  if (token.empty()) return fail(bad_usage, error);
  std::string server =
      args->options.count("server") ? args->options.at("server") : env("DNSCTL_SERVER");
  if (server.empty()) server = "127.0.0.1:8053";
  return run(*args, dnsctl::Client(server, token));
}
