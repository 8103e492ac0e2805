// Writer: builds a response into a caller-owned buffer with name compression (RFC 1035 §4.1.4).
// Never allocates or throws; a write that does not fit returns false and leaves the packet as it
// was, so the engine can roll back to the last whole RRset and set TC.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "dnsd/wire/compression_table.hh"
#include "dnsd/wire/reader.hh"

namespace dnsd::wire {

class Writer {
  // The same owner span is written once per record of an RRset; remembering where the last few
  // spans went turns those into a pointer without searching the table.
  struct Recent {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
    std::uint16_t offset = 0;
  };

 public:
  // `buffer` holds the packet; `limit` (<= buffer size) is the most the client accepts.
  Writer(std::span<std::uint8_t> buffer, std::size_t limit) noexcept;

  std::size_t size() const noexcept { return size_; }
  std::size_t limit() const noexcept { return limit_; }
  void set_limit(std::size_t limit) noexcept {
    limit_ = limit < buffer_.size() ? limit : buffer_.size();
  }
  std::span<const std::uint8_t> packet() const noexcept { return {buffer_.data(), size_}; }

  // A point to roll back to: the size and the compression table's fill.
  struct Mark {
    std::size_t size;
    std::size_t names;
  };
  Mark mark() const noexcept { return {size_, names_.size()}; }
  void rollback(Mark mark) noexcept {
    size_ = mark.size;
    names_.truncate(mark.names);
    for (auto& seen : recent_)
      if (seen.offset >= size_) seen = Recent{};  // what it pointed at is gone
  }

  bool put_u8(std::uint8_t value) noexcept;
  bool put_u16(std::uint16_t value) noexcept;
  bool put_u32(std::uint32_t value) noexcept;
  bool put_bytes(std::span<const std::uint8_t> bytes) noexcept;
  void patch_u16(std::size_t offset, std::uint16_t value) noexcept;
  void patch_u32(std::size_t offset, std::uint32_t value) noexcept;

  // Writes a name, pointing at an earlier copy of its longest known suffix when `compress`.
  // The bytes `name` spans must stay as they are until the packet is done: a later put_name of
  // the same span becomes a pointer to this copy without comparing the bytes again.
  bool put_name(std::span<const std::uint8_t> name, bool compress = true) noexcept;
  // Writes one resource record. Names inside the rdata of the types RFC 3597 §4 allows to
  // compress (NS, CNAME, PTR, MX, SOA) are compressed; every other rdata is copied as is.
  bool put_rr(std::span<const std::uint8_t> owner, std::uint16_t type, std::uint16_t rrclass,
              std::uint32_t ttl, std::span<const std::uint8_t> rdata) noexcept;

 private:
  bool fits(std::size_t count) const noexcept { return size_ + count <= limit_; }
  std::size_t find_suffix(std::uint64_t hash, std::span<const std::uint8_t> suffix) const noexcept;
  bool same_name_at(std::size_t offset, std::span<const std::uint8_t> name) const noexcept;
  static void hash_labels(const std::array<const std::uint8_t*, 128>& labels, std::size_t count,
                          std::array<std::uint64_t, 128>& hashes) noexcept;
  std::uint64_t hash_at(std::size_t offset) const noexcept;
  bool put_rdata(std::uint16_t type, std::span<const std::uint8_t> rdata) noexcept;

  static constexpr std::size_t k_recent = 4;
  std::array<Recent, k_recent> recent_{};
  std::size_t recent_next_ = 0;

  std::span<std::uint8_t> buffer_;
  std::size_t limit_;
  std::size_t size_ = 0;
  CompressionTable names_;  // where each name and suffix written below 0x4000 starts
};

}  // namespace dnsd::wire
