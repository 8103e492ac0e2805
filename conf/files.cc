// File reading for conf/: one open (regular files only, never blocking), bounded reads, and the
// secret-file checks. Messages name the file and never quote what is in it.
#include "conf/files.hh"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "conf/errors.hh"
#include "routing/secret.hh"  // cleanse

namespace conf {
namespace {

std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a directory";
  if (S_ISFIFO(mode)) return "it is a FIFO";
  if (S_ISCHR(mode)) return "it is a character device";
  if (S_ISBLK(mode)) return "it is a block device";
  if (S_ISSOCK(mode)) return "it is a socket";
  return "it is not a plain file";
}

// Closes the descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads at most `limit` + 1 bytes: one more than allowed is enough to know the file is too big
// (a file that grew after fstat, or a /proc file whose size says 0).
bool read_bounded(int fd, const std::string& path, std::size_t limit, std::string& text,
                  std::string* error, std::size_t size_hint) {
  std::string out;
  // The size fstat gave, plus one byte to see the end: no doubling growth, no second copy.
  out.reserve(std::min(size_hint, limit) + 1);
  char buffer[65536];
  // Secrets pass through here: what is not handed over is wiped on every way out.
  struct Wipe {
    char* bytes;
    std::size_t size;
    ~Wipe() { OPENSSL_cleanse(bytes, size); }
  } wipe{buffer, sizeof buffer};
  while (out.size() <= limit) {
    const std::size_t want = std::min(sizeof buffer, limit + 1 - out.size());
    const ssize_t got = ::read(fd, buffer, want);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      *error = fmt::format("cannot read {}: {}", in_quotes(path), std::strerror(errno));
      routing::cleanse(out);
      return false;
    }
    if (got == 0) break;
    out.append(buffer, static_cast<std::size_t>(got));
  }
  if (out.size() > limit) {
    *error =
        fmt::format("cannot read {}: larger than the limit of {} bytes", in_quotes(path), limit);
    routing::cleanse(out);
    return false;
  }
  text = std::move(out);
  return true;
}

}  // namespace

void SecretFiles::add(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) ids_.push_back(FileId{st.st_dev, st.st_ino});
}

bool SecretFiles::contains(const FileId& id) const {
  return std::find(ids_.begin(), ids_.end(), id) != ids_.end();
}

int open_regular_file(const std::string& path, std::string* error, FileId* id) {
  // O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting for one.
  Fd file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0) {
    *error = fmt::format("cannot read {}: {}", in_quotes(path), std::strerror(errno));
    return -1;
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) {
    *error = fmt::format("cannot read {}: {}", in_quotes(path), std::strerror(errno));
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = fmt::format("cannot read {}: not a regular file ({})", in_quotes(path),
                         kind_of(st.st_mode));
    return -1;
  }
  // A regular file never blocks, but later reads should not see EAGAIN on odd file systems.
  const int flags = ::fcntl(file.fd, F_GETFL);
  if (flags >= 0) ::fcntl(file.fd, F_SETFL, flags & ~O_NONBLOCK);
  if (id) *id = FileId{st.st_dev, st.st_ino};
  return std::exchange(file.fd, -1);
}

bool read_file(const std::string& path, std::string& text, std::string* error,
               const ReadOptions& options) {
  FileId id;
  Fd file{open_regular_file(path, error, &id)};
  if (file.fd < 0) return false;
  if (options.refuse && options.refuse->contains(id)) {
    *error = fmt::format("refusing to read {}: it is configured as a secret file", in_quotes(path));
    return false;
  }
  struct stat st {};
  if (::fstat(file.fd, &st) == 0 && static_cast<std::uintmax_t>(st.st_size) > options.max_size) {
    *error = fmt::format("cannot read {}: {} bytes, larger than the limit of {} bytes",
                         in_quotes(path), st.st_size, options.max_size);
    return false;
  }
  return read_bounded(file.fd, path, options.max_size, text, error,
                      static_cast<std::size_t>(st.st_size));
}

bool read_secret_file(const std::string& path, std::string& text, std::string* error, bool strict,
                      std::string* warning) {
  struct stat link {};
  const bool is_link = ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
  FileId id;
  Fd file{open_regular_file(path, error, &id)};
  if (file.fd < 0) return false;
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) {
    *error = fmt::format("cannot read {}: {}", in_quotes(path), std::strerror(errno));
    return false;
  }
  std::string problem;
  if (is_link)
    problem = fmt::format("secret file {} is reached through a symbolic link", in_quotes(path));
  else if ((st.st_mode & 077) != 0)
    problem = fmt::format("secret file {} may be read by group or others (mode {:04o})",
                          in_quotes(path), st.st_mode & 07777);
  if (!problem.empty() && strict) {
    *error = fmt::format(
        "{}; strict_secret_files = true refuses it (expected a plain file "
        "with mode 0600 or 0400)",
        problem);
    return false;
  }
  if (!problem.empty())
    *warning = fmt::format(
        "{} (expected a plain file with mode 0600 or 0400; "
        "strict_secret_files = true makes this an error)",
        problem);
  if (static_cast<std::uintmax_t>(st.st_size) > k_max_secret_size) {
    *error = fmt::format("cannot read {}: {} bytes, too large for a secret (at most {} bytes)",
                         in_quotes(path), st.st_size, k_max_secret_size);
    return false;
  }
  return read_bounded(file.fd, path, k_max_secret_size, text, error,
                      static_cast<std::size_t>(st.st_size));
}

}  // namespace conf
