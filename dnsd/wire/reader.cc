// Reader: bounds-checked parsing of received packets.
#include "dnsd/wire/reader.hh"

namespace dnsd::wire {

void Reader::name(WireName& out) noexcept {
  out.size = 0;
  last_pointer_ = no_pointer;
  if (!ok_) return;
  std::size_t cursor = pos_;
  std::size_t lowest_target = pos_;  // every pointer must go below the last one: no loops
  bool jumped = false;
  while (true) {
    if (cursor >= packet_.size()) {
      ok_ = false;
      return;
    }
    const std::uint8_t len = packet_[cursor];
    if ((len & 0xc0) == 0xc0) {
      if (cursor + 1 >= packet_.size()) {
        ok_ = false;
        return;
      }
      const std::size_t target = static_cast<std::size_t>(len & 0x3f) << 8 | packet_[cursor + 1];
      if (target >= lowest_target || target < header_size) {
        ok_ = false;
        return;
      }
      if (!jumped) {
        pos_ = cursor + 2;
        last_pointer_ = cursor;
      }
      jumped = true;
      lowest_target = target;
      cursor = target;
      continue;
    }
    if (len & 0xc0) {
      ok_ = false;
      return;
    }  // 0x40 / 0x80: extended label types, obsolete
    if (std::size_t{out.size} + 1 + len > max_name_size) {
      ok_ = false;
      return;
    }
    if (cursor + 1 + len > packet_.size()) {
      ok_ = false;
      return;
    }
    out.bytes[out.size++] = len;
    for (std::size_t i = 0; i < len; ++i) out.bytes[out.size++] = packet_[cursor + 1 + i];
    cursor += 1 + len;
    if (len == 0) break;
  }
  if (!jumped) pos_ = cursor;
}

void Reader::skip_rr() noexcept {
  WireName owner;
  name(owner);
  skip(8);  // type, class, ttl
  const std::uint16_t rdlength = u16();
  skip(rdlength);
}

}  // namespace dnsd::wire
