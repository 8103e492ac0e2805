// The durable update log: an append-only file of opaque entries (the dynamic updates dnsd has
// applied), each on disk before append() returns, replayed at start. It knows nothing of DNS:
// the caller decides what an entry holds. Not for the query path (it does file I/O).
//
// File format (all integers big-endian), like Knot's journal or BIND's .jnl in spirit:
//   header  16 bytes: "DNSDULOG" | u32 version (1) | u32 reserved (0)
//   entry   u32 length | u32 CRC32C over (length field + payload) | payload (length bytes)
// A crash can only tear the last entry (every earlier one was fdatasync'd before its append
// returned), so a bad last entry is cut off with a warning. A bad entry with more bytes after
// it is not a crash's trace but damage: open() stops there, keeps the whole damaged file next
// to the log (`<path>.corrupt`, `.corrupt.1`, ...) and warns; it never skips an entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace control {

// Bounds: an entry (an UPDATE message is at most 64 KiB; this leaves room for what the caller
// adds), and the file open() will read (compact with rewrite() long before this).
inline constexpr std::size_t k_max_update_log_entry = std::size_t{1} << 20;
inline constexpr std::uint64_t k_max_update_log_size = std::uint64_t{1} << 30;

// An append-only file of opaque entries, each written and fsync'd before append() returns.
// One thread at a time (the caller serialises updates); the file is flock'ed so a second
// process on the same log is refused.
class UpdateLog {
 public:
  UpdateLog() = default;
  UpdateLog(UpdateLog&& other) noexcept;
  UpdateLog& operator=(UpdateLog&& other) noexcept;
  UpdateLog(const UpdateLog&) = delete;
  UpdateLog& operator=(const UpdateLog&) = delete;
  ~UpdateLog();

  // Opens (creating) `path`; every complete entry already in it goes to `replayed`, in order. A
  // torn or corrupt tail (a crash mid-append) is cut off and reported in `warning`. Returns "" or
  // an error naming the file.
  std::string open(const std::string& path, std::vector<std::vector<std::uint8_t>>& replayed,
                   std::string& warning);
  // Appends one entry durably (write + fdatasync). Returns "" or an error.
  std::string append(std::span<const std::uint8_t> entry);
  // Replaces the whole log with `entries` atomically (write a temp file, fsync, rename, fsync
  // the directory): compaction, e.g. after expiry or when the log grew past a bound.
  std::string rewrite(const std::vector<std::vector<std::uint8_t>>& entries);
  std::uint64_t size_bytes() const noexcept;

  bool is_open() const noexcept { return fd_ >= 0; }
  const std::string& path() const noexcept { return path_; }

 private:
  void close() noexcept;

  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  // Set when a write or fdatasync failed: what is on disk is then unknown (the kernel may have
  // dropped the dirty pages), so every later append fails until the log is opened again.
  std::string failed_;
  std::vector<std::uint8_t> buffer_;  // one entry's framing + payload, reused
};

}  // namespace control
