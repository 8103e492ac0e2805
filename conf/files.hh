// Reading the files a config names (master files, secrets, PEM files, the state file) in one
// place, so every one of them fails the same way: an error message, never an exception, a
// silent empty read, a read that blocks (a FIFO) or one that never ends (/dev/zero).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace conf {

// A file as the kernel knows it: the same file reached by two names (or links) compares equal.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  friend bool operator==(const FileId&, const FileId&) = default;
};

// The configured secret files (token_file, secret_file, value_file, client_key_file): no reader
// but their own may open them, so their content can never end up quoted in an error.
class SecretFiles {
 public:
  // Records `path` if it exists (a missing file is reported by the reader that needs it).
  void add(const std::string& path);
  bool contains(const FileId& id) const;

 private:
  std::vector<FileId> ids_;
};

// Default size bounds: any file the config names, and a secret (a token or a key is a few
// dozen bytes; a secret file of kilobytes is a mistake, e.g. /dev/zero or a log file).
inline constexpr std::size_t k_max_file_size = std::size_t{16} << 20;
inline constexpr std::size_t k_max_secret_size = std::size_t{8} << 10;

// The one way a file is opened: read-only, close-on-exec, and only if it is a regular file,
// checked without blocking (O_NONBLOCK, so a FIFO with no writer does not hang the caller;
// cleared again once fstat says "regular"). Returns the descriptor, or -1 with *error set,
// e.g. `"x.zone": not a regular file`. *id, when given, is the file's identity.
int open_regular_file(const std::string& path, std::string* error, FileId* id = nullptr);

struct ReadOptions {
  std::size_t max_size = k_max_file_size;
  const SecretFiles* refuse = nullptr;  // files this reader must not open (master files)
};

// The whole file at `path`; on failure false and *error is e.g.
// `cannot read "x.zone": No such file or directory`. A file over options.max_size is an error,
// found from its size before anything is read (and by reading no more than that).
bool read_file(const std::string& path, std::string& text, std::string* error,
               const ReadOptions& options = {});

// A secret file: at most k_max_secret_size bytes, and checked as ssh's StrictModes checks keys.
// A file that group or others may read, or a symbolic link, sets *warning (naming the file and
// its mode); with `strict` it is an error instead. No message ever quotes the content.
bool read_secret_file(const std::string& path, std::string& text, std::string* error, bool strict,
                      std::string* warning);

}  // namespace conf
