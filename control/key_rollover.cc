// Key state file and the zone's largest TTL (see key_rollover.hh).
#include "control/key_rollover.hh"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace control {
namespace {

std::string fmt_error(std::string_view what, const std::string& path) {
  return std::string(what) + " \"" + path + "\": " + std::strerror(errno);
}

}  // namespace

std::string write_key_states(const std::string& path, std::string_view zone,
                             const std::vector<dnsd::dnssec::KeyStatus>& keys) {
  return write_text_file(path, dnsd::dnssec::key_states_text(zone, keys));
}

std::string write_text_file(const std::string& path, std::string_view text) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fmt_error("cannot write", temporary);
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const bool ok = written == text.size() && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    errno = ok ? errno : saved;
    const std::string error = fmt_error("cannot write", temporary);
    ::unlink(temporary.c_str());
    return error;
  }
  // The rename itself must survive a crash: the folder's entry is what names the new file.
  const std::string folder = std::filesystem::path(path).parent_path().string();
  const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

std::chrono::seconds max_ttl(const dnsd::zone::Zone& zone, const routing::Model& model) {
  std::uint32_t ttl = zone.negative_ttl();
  for (const auto& node : zone.nodes()) {
    for (const auto& rrset : node.rrsets) ttl = std::max(ttl, rrset.ttl);
    if (node.profile) ttl = std::max(ttl, model.profiles[*node.profile].ttl);
  }
  return std::chrono::seconds(ttl);
}

}  // namespace control
