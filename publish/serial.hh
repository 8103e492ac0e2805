// The serial of a published zone: the next one by policy (RFC 1982 arithmetic, never going
// backwards) and the file that keeps the last one across restarts. No zone types here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "publish/settings.hh"

namespace publish {

using Clock = std::chrono::system_clock;

// What the policy says now, before looking at the last serial: the Unix time (modulo 2^32) or
// today's YYYYMMDD00 (UTC); nothing for increment.
std::optional<std::uint32_t> policy_value(SerialPolicy policy, Clock::time_point now) noexcept;

// The serial after `current`: the policy's value when that is newer (RFC 1982 §3.2), else
// current + 1 (which wraps from 4294967295 to 0, newer by §3.1).
std::uint32_t next_serial(SerialPolicy policy, std::uint32_t current,
                          Clock::time_point now) noexcept;

// The first serial after a start: above the one kept in the file (it was given out), at least
// the config's SOA serial when that is newer (the operator moved it on), and at least the
// policy's value. Without a file: the config's serial, or the policy's value when newer.
std::uint32_t start_serial(SerialPolicy policy, std::optional<std::uint32_t> kept,
                           std::uint32_t config_serial, Clock::time_point now) noexcept;

// The newer of two serials (RFC 1982); `a` when neither is newer.
std::uint32_t newer_of(std::uint32_t a, std::uint32_t b) noexcept;

// One file per zone in a directory: "<zone>.serial" holding the decimal serial and a newline.
class SerialFile {
 public:
  // `directory` empty (or default-made): nothing is kept (load() finds nothing, save() succeeds).
  SerialFile() = default;
  SerialFile(std::string directory, const std::string& zone_name);
  const std::string& path() const noexcept { return path_; }
  // The kept serial; nullopt when there is none or it does not read as one (then *why says so
  // unless the file simply does not exist).
  std::optional<std::uint32_t> load(std::string* why = nullptr) const;
  // Writes a temporary file beside it, fsyncs it, renames it over the old one and fsyncs the
  // directory, so a crash leaves the old serial or the new one, never a torn file.
  bool save(std::uint32_t serial, std::string* why = nullptr) const;

 private:
  std::string directory_;
  std::string path_;
};

}  // namespace publish
