// conf: reads dnsd's TOML config (and the RFC 1035 master files it names) into a validated
// Config. Collects every error with file, line and key; never half-applies anything.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dnsd/server_config.hh"
#include "dnsd/zone/zone.hh"
#include "routing/model.hh"

namespace conf {

struct Error {
  std::string file;
  std::size_t line = 0;     // 1-based; 0 when the error is about the file as a whole
  std::string key;          // dotted TOML path, e.g. "zone[0].record[3].type"; empty if none
  std::string message;      // what is wrong and what is expected
  // "dnsd.toml:12: zone[0].record[3].type: unknown record type "AAA" (expected A, AAAA, ...)"
  std::string to_string() const;
};

enum class LogLevel { debug, info, warning, error };

// [admin]: the admin HTTP API and what the operator tooling keeps. Off unless enabled.
struct AdminConfig {
  bool enabled = false;
  std::string listen_address = "127.0.0.1";  // loopback unless configured otherwise
  std::uint16_t listen_port = 8053;
  routing::Secret token;       // read from token_file; never printed
  std::string token_file;      // as resolved against the config's directory
  std::size_t history = 20;    // probe results kept per endpoint for the status
  std::string state_file;      // empty: no state file
};

struct Config {
  std::string path;                 // the TOML file it came from
  dnsd::ServerConfig server;
  dnsd::zone::ZoneSet zones;
  routing::Model model;
  LogLevel log_level = LogLevel::info;
  AdminConfig admin;
};

struct LoadResult {
  std::unique_ptr<Config> config;   // null when errors is not empty
  std::vector<Error> errors;
};

// Reads and validates the config file at `path`. Relative file names inside it (master files,
// secrets, CA files) are taken relative to the directory of `path`.
LoadResult load_file(const std::string& path);
// The same from text already in memory (for tests); `path` names it in errors.
LoadResult load_string(std::string_view toml_text, const std::string& path);

}  // namespace conf
