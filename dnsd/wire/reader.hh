// Reader: a bounds-checked cursor over a received packet with a sticky error (Knot wire_ctx):
// after the first overrun every read returns zero, so a parser checks ok() once at the end.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "dnsd/wire/name.hh"
#include "dnsd/wire/name_hash.hh"

namespace dnsd::wire {

inline constexpr std::size_t header_size = 12;

struct Header {
  std::uint16_t id = 0;
  std::uint16_t flags = 0;
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

  bool qr() const noexcept { return flags & 0x8000; }
  std::uint8_t opcode() const noexcept { return (flags >> 11) & 0xf; }
  bool rd() const noexcept { return flags & 0x0100; }
  bool cd() const noexcept { return flags & 0x0010; }
};

// A name as read from a packet: uncompressed wire bytes, case as received.
struct WireName {
  std::array<std::uint8_t, max_name_size> bytes{};
  std::uint8_t size = 0;
  std::span<const std::uint8_t> wire() const noexcept { return {bytes.data(), size}; }
};

// A name read lower-cased, with its name_hash: the key of a NameIndex lookup. The bytes are left
// uninitialised past `size` (a query must not pay for clearing 255 bytes).
struct LoweredName {
  std::array<std::uint8_t, max_name_size> bytes;
  std::uint8_t size = 0;
  std::uint64_t hash = 0;
  std::span<const std::uint8_t> wire() const noexcept { return {bytes.data(), size}; }
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> packet) noexcept : packet_(packet) {}

  bool ok() const noexcept { return ok_; }
  std::size_t pos() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return ok_ ? packet_.size() - pos_ : 0; }

  // Inline: the fast path reads its question with these.
  std::uint8_t u8() noexcept { return need(1) ? packet_[pos_++] : 0; }
  std::uint16_t u16() noexcept {
    if (!need(2)) return 0;
    const auto value = static_cast<std::uint16_t>(packet_[pos_] << 8 | packet_[pos_ + 1]);
    pos_ += 2;
    return value;
  }
  std::uint32_t u32() noexcept {
    if (!need(4)) return 0;
    const std::uint8_t* at = packet_.data() + pos_;
    pos_ += 4;
    return std::uint32_t{at[0]} << 24 | std::uint32_t{at[1]} << 16 | std::uint32_t{at[2]} << 8 |
           at[3];
  }
  void skip(std::size_t count) noexcept {
    if (need(count)) pos_ += count;
  }
  Header header() noexcept;
  // Reads a possibly compressed name (RFC 1035 §4.1.4). Rejects pointers that do not point
  // strictly backwards (which also rules out loops), labels over 63 bytes, names over 255
  // bytes, and the reserved label types 0x40/0x80.
  void name(WireName& out) noexcept;
  // Where the last name() read met its first compression pointer, or no_pointer: how the
  // prepared answers find the pointers they must move.
  static constexpr std::size_t no_pointer = static_cast<std::size_t>(-1);
  std::size_t last_pointer() const noexcept { return last_pointer_; }
  // Reads an uncompressed name, lower-casing and hashing it in the same pass (the fast path's
  // question). A compression pointer, like anything name() refuses, is an error here: a
  // caller that wants those reads the name with name().
  void lowered_name(LoweredName& out) noexcept;
  // Skips one resource record, validating its owner name and rdata length.
  void skip_rr() noexcept;

 private:
  bool need(std::size_t count) noexcept {
    if (ok_ && packet_.size() - pos_ >= count) return true;
    ok_ = false;
    return false;
  }
  std::span<const std::uint8_t> packet_;
  std::size_t pos_ = 0;
  std::size_t last_pointer_ = no_pointer;
  bool ok_ = true;
};

// Inline, like u16(): the fast path reads its header and question with these.
inline Header Reader::header() noexcept {
  Header header;
  if (!need(header_size)) return header;  // one check for all six fields
  const auto field = [&](std::size_t at) {
    return static_cast<std::uint16_t>(packet_[pos_ + at] << 8 | packet_[pos_ + at + 1]);
  };
  header.id = field(0);
  header.flags = field(2);
  header.qdcount = field(4);
  header.ancount = field(6);
  header.nscount = field(8);
  header.arcount = field(10);
  pos_ += header_size;
  return header;
}

inline void Reader::lowered_name(LoweredName& out) noexcept {
  std::uint64_t hash = name_hash_basis;
  std::size_t size = 0;
  if (!need(1)) return;
  for (;;) {
    const std::uint8_t length = packet_[pos_];
    // Pointers (0xc0) and the obsolete 0x40/0x80 types are all above 63. At least one byte
    // remains here, so the label fits when more than `length` do.
    if (length > max_label_size || size + length >= max_name_size ||
        packet_.size() - pos_ <= length) {
      ok_ = false;
      return;
    }
    out.bytes[size++] = length;
    hash = name_hash_step(hash, length);
    const std::uint8_t* label = packet_.data() + pos_ + 1;
    for (std::size_t i = 0; i < length; ++i) {
      const std::uint8_t c = ascii_lower(label[i]);
      out.bytes[size++] = c;
      hash = name_hash_step(hash, c);
    }
    pos_ += 1 + std::size_t{length};
    if (length == 0) break;
    if (pos_ == packet_.size()) {  // a label, and then no byte for the next one
      ok_ = false;
      return;
    }
  }
  out.size = static_cast<std::uint8_t>(size);
  out.hash = hash;
}

}  // namespace dnsd::wire
