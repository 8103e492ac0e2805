// Serial policies and the serial file (see serial.hh). The file is written the way a crash
// cannot tear: temporary file, fsync, rename, fsync of the directory.
#include "publish/serial.hh"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "dnsd/zone/serial.hh"

namespace publish {
namespace {

using dnsd::zone::serial_add;
using dnsd::zone::serial_gt;

// Days since 1970-01-01 -> civil date (H. Hinnant's days_from_civil inverse; proleptic
// Gregorian, valid for every date a serial can hold).
std::uint32_t yyyymmdd(std::int64_t days) noexcept {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<std::uint32_t>(days - era * 146097);
  const std::uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::uint32_t mp = (5 * doy + 2) / 153;
  const std::uint32_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::uint32_t month = mp < 10 ? mp + 3 : mp - 9;
  const auto year = static_cast<std::uint32_t>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return year * 10000 + month * 100 + day;
}

// The file name of a zone: its name without the final dot ("root" for the root zone), every
// byte outside [A-Za-z0-9._-] written as %XX so no name can leave the directory.
std::string file_name(const std::string& zone_name) {
  std::string name = zone_name;
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.empty()) name = "root";
  std::string out;
  for (const char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    out += plain ? std::string(1, c) : fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  if (out.front() == '.') out.insert(0, "%");  // never a hidden file, never ".."
  return out + ".serial";
}

bool fail(std::string* why, std::string text) {
  if (why) *why = std::move(text);
  return false;
}

}  // namespace

std::optional<std::uint32_t> policy_value(SerialPolicy policy, Clock::time_point now) noexcept {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  switch (policy) {
    case SerialPolicy::increment:
      return std::nullopt;
    case SerialPolicy::unix_time:
      return static_cast<std::uint32_t>(seconds);
    case SerialPolicy::date: {
      const std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
      return yyyymmdd(days) * 100;
    }
  }
  return std::nullopt;
}

std::uint32_t newer_of(std::uint32_t a, std::uint32_t b) noexcept {
  return serial_gt(b, a) ? b : a;
}

std::uint32_t next_serial(SerialPolicy policy, std::uint32_t current,
                          Clock::time_point now) noexcept {
  const std::uint32_t stepped = serial_add(current, 1);
  const auto value = policy_value(policy, now);
  return value && serial_gt(*value, current) ? *value : stepped;
}

std::uint32_t start_serial(SerialPolicy policy, std::optional<std::uint32_t> kept,
                           std::uint32_t config_serial, Clock::time_point now) noexcept {
  if (kept) return newer_of(next_serial(policy, *kept, now), config_serial);
  const auto value = policy_value(policy, now);
  return value ? newer_of(config_serial, *value) : config_serial;
}

SerialFile::SerialFile(std::string directory, const std::string& zone_name)
    : directory_(std::move(directory)),
      path_(directory_.empty() ? std::string() : directory_ + "/" + file_name(zone_name)) {}

std::optional<std::uint32_t> SerialFile::load(std::string* why) const {
  if (path_.empty()) return std::nullopt;
  std::ifstream in(path_);
  if (!in) {
    if (errno != ENOENT) fail(why, fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::uint32_t serial = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), serial);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    fail(why, fmt::format("{} does not hold a serial (0..4294967295)", path_));
    return std::nullopt;
  }
  return serial;
}

bool SerialFile::save(std::uint32_t serial, std::string* why) const {
  if (path_.empty()) return true;
  const std::string temporary = path_ + ".tmp";
  const std::string text = fmt::format("{}\n", serial);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(why, fmt::format("cannot write {}: {}", temporary, std::strerror(errno)));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!synced) {
    ::unlink(temporary.c_str());
    return fail(why, fmt::format("cannot write {}: {}", temporary, std::strerror(saved_errno)));
  }
  if (::rename(temporary.c_str(), path_.c_str()) != 0)
    return fail(why,
                fmt::format("cannot rename {} to {}: {}", temporary, path_, std::strerror(errno)));
  // The rename itself must reach the disk too, or a crash could bring the old name back.
  const int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

}  // namespace publish
