// Reader: a bounds-checked cursor over a received packet with a sticky error (Knot wire_ctx):
// after the first overrun every read returns zero, so a parser checks ok() once at the end.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "dnsd/wire/name.hh"

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

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> packet) noexcept : packet_(packet) {}

  bool ok() const noexcept { return ok_; }
  std::size_t pos() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return ok_ ? packet_.size() - pos_ : 0; }

  std::uint8_t u8() noexcept;
  std::uint16_t u16() noexcept;
  std::uint32_t u32() noexcept;
  void skip(std::size_t count) noexcept;
  Header header() noexcept;
  // Reads a possibly compressed name (RFC 1035 §4.1.4). Rejects pointers that do not point
  // strictly backwards (which also rules out loops), labels over 63 bytes, names over 255
  // bytes, and the reserved label types 0x40/0x80.
  void name(WireName& out) noexcept;
  // Skips one resource record, validating its owner name and rdata length.
  void skip_rr() noexcept;

 private:
  bool need(std::size_t count) noexcept;
  std::span<const std::uint8_t> packet_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace dnsd::wire
