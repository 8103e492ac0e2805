// The durable update log (see update_log.hh): framing, the scan that finds where the good
// entries end, and the three writes (append, cut a torn tail, replace by rename).
//
// Where data reaches the disk: append() ends with fdatasync (the entry, and the file size it
// grew). Cutting a torn tail ends with fsync. rewrite() (also used to create the file) fsyncs
// the temporary file before the rename and the directory after it, so after a crash the log is
// either the old file or the new one, complete.
#include "control/update_log.hh"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "conf/errors.hh"  // in_quotes
#include "control/crc32c.hh"

namespace control {
namespace {

constexpr std::uint8_t k_magic[8] = {'D', 'N', 'S', 'D', 'U', 'L', 'O', 'G'};
constexpr std::uint32_t k_version = 1;
constexpr std::size_t k_header_size = 16;
constexpr std::size_t k_entry_header_size = 8;  // length + checksum

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
std::uint32_t get_u32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

std::vector<std::uint8_t> file_header() {
  std::vector<std::uint8_t> out(std::begin(k_magic), std::end(k_magic));
  put_u32(out, k_version);
  put_u32(out, 0);
  return out;
}

// Appends one framed entry to `out`. The checksum covers the length too, so a damaged length
// is caught like a damaged payload.
void frame(std::span<const std::uint8_t> entry, std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  put_u32(out, static_cast<std::uint32_t>(entry.size()));
  const std::uint32_t crc = crc32c(entry, crc32c({out.data() + start, 4}));
  put_u32(out, crc);
  out.insert(out.end(), entry.begin(), entry.end());
}

std::string sys_error(std::string_view what, const std::string& path) {
  return fmt::format("{} update log {}: {}", what, conf::in_quotes(path), std::strerror(errno));
}

std::string write_all(int fd, const std::vector<std::uint8_t>& data, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::strerror(errno);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

std::string sync_directory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0 || ::fsync(d.fd) != 0) return sys_error("cannot sync the directory of", path);
  return {};
}

// Writes `entries` to `<path>.tmp`, fsyncs it and renames it over `path`, then fsyncs the
// directory. On failure before the rename the old file is untouched and the temp file removed.
std::string replace_file(const std::string& path,
                         const std::vector<std::vector<std::uint8_t>>& entries) {
  for (const auto& e : entries)
    if (e.size() > k_max_update_log_entry)
      return fmt::format("update log {}: an entry of {} bytes is over the limit of {} bytes",
                         conf::in_quotes(path), e.size(), k_max_update_log_entry);
  const std::string temp = path + ".tmp";
  ::unlink(temp.c_str());  // a leftover of an interrupted rewrite (see open())
  Fd out{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)};
  if (out.fd < 0) return sys_error("cannot create the temporary file of", path);
  std::vector<std::uint8_t> buffer = file_header();
  std::uint64_t offset = 0;
  std::string error;
  for (std::size_t i = 0; i <= entries.size() && error.empty(); ++i) {
    if (i < entries.size()) frame(entries[i], buffer);
    if (buffer.size() < (std::size_t{1} << 20) && i < entries.size()) continue;
    error = write_all(out.fd, buffer, offset);
    offset += buffer.size();
    buffer.clear();
  }
  if (error.empty() && ::fsync(out.fd) != 0) error = std::strerror(errno);
  if (error.empty() && ::rename(temp.c_str(), path.c_str()) != 0) error = std::strerror(errno);
  if (!error.empty()) {
    ::unlink(temp.c_str());
    return fmt::format("cannot rewrite update log {}: {}", conf::in_quotes(path), error);
  }
  return sync_directory(path);
}

// Opens the log read-write, only if it is a regular file (checked without blocking on a FIFO),
// and takes an exclusive lock so two processes never append to one log.
std::string open_locked(const std::string& path, int& fd_out, std::uint64_t& size) {
  Fd file{::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)};
  if (file.fd < 0 && errno == ELOOP)
    return fmt::format(
        "cannot open update log {}: it is a symbolic link (give the real path: compaction "
        "replaces the file by rename)",
        conf::in_quotes(path));
  if (file.fd < 0) return sys_error("cannot open", path);
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return sys_error("cannot open", path);
  if (!S_ISREG(st.st_mode))
    return fmt::format("cannot open update log {}: not a regular file", conf::in_quotes(path));
  const int flags = ::fcntl(file.fd, F_GETFL);
  if (flags >= 0) ::fcntl(file.fd, F_SETFL, flags & ~O_NONBLOCK);
  if (::flock(file.fd, LOCK_EX | LOCK_NB) != 0)
    return errno == EWOULDBLOCK ? fmt::format(
                                      "cannot open update log {}: another process has it "
                                      "open (locked)",
                                      conf::in_quotes(path))
                                : sys_error("cannot lock", path);
  size = static_cast<std::uint64_t>(st.st_size);
  fd_out = std::exchange(file.fd, -1);
  return {};
}

std::string read_all(int fd, std::uint64_t size, std::vector<std::uint8_t>& data,
                     const std::string& path) {
  if (size > k_max_update_log_size)
    return fmt::format("update log {} is {} bytes, over the limit of {} bytes",
                       conf::in_quotes(path), size, k_max_update_log_size);
  data.resize(static_cast<std::size_t>(size));
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("cannot read", path);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  data.resize(done);
  return {};
}

// Where the good entries end, and why the scan stopped there.
struct Scan {
  enum class Stop { end, torn, damaged } stop = Stop::end;
  std::uint64_t good_end = k_header_size;
  std::string why;
};

Scan scan(const std::vector<std::uint8_t>& data, std::vector<std::vector<std::uint8_t>>& entries) {
  Scan s;
  std::size_t at = k_header_size;
  while (at < data.size()) {
    s.good_end = at;
    const std::size_t left = data.size() - at;
    if (left < k_entry_header_size) {
      s.stop = Scan::Stop::torn;
      s.why = "an incomplete entry header";
      return s;
    }
    const std::uint32_t length = get_u32(&data[at]);
    const std::uint32_t stored = get_u32(&data[at + 4]);
    // Zeros from here to the end: a crash after the size grew but before the data landed.
    const bool zero_rest = std::all_of(data.begin() + static_cast<std::ptrdiff_t>(at), data.end(),
                                       [](std::uint8_t b) { return b == 0; });
    if (length > k_max_update_log_entry) {
      s.stop = zero_rest ? Scan::Stop::torn : Scan::Stop::damaged;
      s.why = fmt::format("a length of {} bytes, over the limit", length);
      return s;
    }
    if (left < k_entry_header_size + length) {
      s.stop = Scan::Stop::torn;
      s.why = "an incomplete entry";
      return s;
    }
    const std::span<const std::uint8_t> payload{&data[at + k_entry_header_size], length};
    if (crc32c(payload, crc32c({&data[at], 4})) != stored) {
      const bool last = left == k_entry_header_size + length;
      s.stop = last || zero_rest ? Scan::Stop::torn : Scan::Stop::damaged;
      s.why = "a checksum mismatch";
      return s;
    }
    entries.emplace_back(payload.begin(), payload.end());
    at += k_entry_header_size + length;
  }
  s.good_end = at;
  return s;
}

// Keeps the damaged file under a new name (a hard link: no copy, never overwriting an earlier
// one) before the log is cut, so what was cut can still be examined or repaired by hand.
std::string keep_aside(const std::string& path, std::string& kept) {
  for (int n = 0; n < 100; ++n) {
    kept = path + ".corrupt" + (n == 0 ? std::string() : fmt::format(".{}", n));
    if (::link(path.c_str(), kept.c_str()) == 0) return sync_directory(path);
    if (errno != EEXIST) return sys_error("cannot keep a copy of the damaged", path);
  }
  return fmt::format("cannot keep a copy of the damaged update log {}: {}.corrupt ... .99 exist",
                     conf::in_quotes(path), path);
}

}  // namespace

UpdateLog::UpdateLog(UpdateLog&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(std::exchange(other.size_, 0)),
      failed_(std::move(other.failed_)) {}

UpdateLog& UpdateLog::operator=(UpdateLog&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
    failed_ = std::move(other.failed_);
  }
  return *this;
}

UpdateLog::~UpdateLog() { close(); }

void UpdateLog::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string UpdateLog::open(const std::string& path,
                            std::vector<std::vector<std::uint8_t>>& replayed,
                            std::string& warning) {
  close();
  path_ = path;
  size_ = 0;
  failed_.clear();
  // A temp file left by a rewrite the crash interrupted before its rename: the log itself is
  // still the old, complete one; the temp file is not part of it.
  ::unlink((path + ".tmp").c_str());
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
    // Created by rename, so a crash never leaves a log without its whole header.
    if (std::string error = replace_file(path, {}); !error.empty()) return error;
  }
  std::string error = open_locked(path, fd_, size_);
  if (!error.empty()) return error;
  std::vector<std::uint8_t> data;
  if (error = read_all(fd_, size_, data, path); !error.empty()) return close(), error;
  if (data.empty()) return rewrite({});  // an empty file (e.g. made by touch): a new log
  const auto header = file_header();
  if (data.size() < k_header_size || !std::equal(header.begin(), header.begin() + 8, data.begin()))
    return close(), fmt::format(
                        "update log {} is not a dnsd update log (wrong header); left as "
                        "it is",
                        conf::in_quotes(path));
  if (!std::equal(header.begin(), header.end(), data.begin()))
    return close(), fmt::format(
                        "update log {} has version {}, this dnsd reads version {}; left "
                        "as it is",
                        conf::in_quotes(path), get_u32(&data[8]), k_version);
  const std::size_t before = replayed.size();
  const Scan s = scan(data, replayed);
  const std::size_t count = replayed.size() - before;
  if (s.stop == Scan::Stop::torn) {
    // Never acknowledged: append() returns only after fdatasync, and this entry is the last.
    if (::ftruncate(fd_, static_cast<off_t>(s.good_end)) != 0 || ::fsync(fd_) != 0)
      return close(), sys_error("cannot cut the torn tail of", path);
    warning = fmt::format(
        "update log {}: cut a torn last entry at offset {} ({}, {} bytes; a write a crash "
        "interrupted, never acknowledged); {} entries replayed",
        conf::in_quotes(path), s.good_end, s.why, size_ - s.good_end, count);
    size_ = s.good_end;
  } else if (s.stop == Scan::Stop::damaged) {
    std::string kept;
    if (error = keep_aside(path, kept); !error.empty()) return close(), error;
    if (error = rewrite({replayed.begin() + static_cast<std::ptrdiff_t>(before), replayed.end()});
        !error.empty())
      return error;
    warning = fmt::format(
        "update log {}: damaged entry at offset {} ({}) with {} more bytes after it; stopped "
        "there: {} entries before it replayed, the rest dropped from the log; the damaged file "
        "is kept as {}",
        conf::in_quotes(path), s.good_end, s.why, data.size() - s.good_end, count,
        conf::in_quotes(kept));
  }
  return {};
}

std::string UpdateLog::append(std::span<const std::uint8_t> entry) {
  if (fd_ < 0) return "update log is not open";
  if (!failed_.empty()) return failed_;
  if (entry.size() > k_max_update_log_entry)
    return fmt::format("update log {}: an entry of {} bytes is over the limit of {} bytes",
                       conf::in_quotes(path_), entry.size(), k_max_update_log_entry);
  buffer_.clear();
  frame(entry, buffer_);
  if (size_ + buffer_.size() > k_max_update_log_size)
    return fmt::format("update log {} is full ({} bytes): compact it", conf::in_quotes(path_),
                       size_);
  if (std::string why = write_all(fd_, buffer_, size_); !why.empty()) {
    // A short write (e.g. ENOSPC) leaves part of an entry: take it back so the next append
    // does not land behind a torn one. If even that fails, the file is in an unknown state.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0)
      failed_ = fmt::format(
          "update log {}: a write failed and could not be undone; open it "
          "again",
          conf::in_quotes(path_));
    return fmt::format("cannot append to update log {}: {}", conf::in_quotes(path_), why);
  }
  // After a failed fdatasync the kernel may have dropped the dirty pages and a retry would
  // report success: the log is unusable until opened again (and re-read from disk).
  if (::fdatasync(fd_) != 0) {
    failed_ = sys_error("fdatasync failed on", path_) + "; open the log again";
    return failed_;
  }
  size_ += buffer_.size();
  return {};
}

std::string UpdateLog::rewrite(const std::vector<std::vector<std::uint8_t>>& entries) {
  if (fd_ < 0) return "update log is not open";
  if (std::string error = replace_file(path_, entries); !error.empty()) return error;
  int fd = -1;
  std::uint64_t size = 0;
  if (std::string error = open_locked(path_, fd, size); !error.empty()) {
    close();
    return error;
  }
  close();
  fd_ = fd;
  size_ = size;
  failed_.clear();
  return {};
}

std::uint64_t UpdateLog::size_bytes() const noexcept { return size_; }

}  // namespace control
