// Reader: bounds-checked parsing of received packets.
#include "dnsd/wire/reader.hh"

namespace dnsd::wire {

bool Reader::need(std::size_t count) noexcept {
  if (ok_ && packet_.size() - pos_ >= count) return true;
  ok_ = false;
  return false;
}

std::uint8_t Reader::u8() noexcept {
  if (!need(1)) return 0;
  return packet_[pos_++];
}

std::uint16_t Reader::u16() noexcept {
  if (!need(2)) return 0;
  const auto value = static_cast<std::uint16_t>(packet_[pos_] << 8 | packet_[pos_ + 1]);
  pos_ += 2;
  return value;
}

std::uint32_t Reader::u32() noexcept {
  const std::uint32_t high = u16();
  const std::uint32_t low = u16();
  return high << 16 | low;
}

void Reader::skip(std::size_t count) noexcept {
  if (need(count)) pos_ += count;
}

Header Reader::header() noexcept {
  Header header;
  header.id = u16();
  header.flags = u16();
  header.qdcount = u16();
  header.ancount = u16();
  header.nscount = u16();
  header.arcount = u16();
  return header;
}

void Reader::name(WireName& out) noexcept {
  out.size = 0;
  if (!ok_) return;
  std::size_t cursor = pos_;
  std::size_t lowest_target = pos_;  // every pointer must go below the last one: no loops
  bool jumped = false;
  while (true) {
    if (cursor >= packet_.size()) { ok_ = false; return; }
    const std::uint8_t len = packet_[cursor];
    if ((len & 0xc0) == 0xc0) {
      if (cursor + 1 >= packet_.size()) { ok_ = false; return; }
      const std::size_t target = static_cast<std::size_t>(len & 0x3f) << 8 | packet_[cursor + 1];
      if (target >= lowest_target || target < header_size) { ok_ = false; return; }
      if (!jumped) pos_ = cursor + 2;
      jumped = true;
      lowest_target = target;
      cursor = target;
      continue;
    }
    if (len & 0xc0) { ok_ = false; return; }  // 0x40 / 0x80: extended label types, obsolete
    if (std::size_t{out.size} + 1 + len > max_name_size) { ok_ = false; return; }
    if (cursor + 1 + len > packet_.size()) { ok_ = false; return; }
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
