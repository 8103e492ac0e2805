// Writer: response encoding with name compression.
#include "dnsd/wire/writer.hh"

#include <cstring>

#include "dnsd/wire/name_hash.hh"
#include "dnsd/wire/types.hh"

namespace dnsd::wire {

Writer::Writer(std::span<std::uint8_t> buffer, std::size_t limit) noexcept
    : buffer_(buffer), limit_(limit < buffer.size() ? limit : buffer.size()) {}

bool Writer::put_u8(std::uint8_t value) noexcept {
  if (!fits(1)) return false;
  buffer_[size_++] = value;
  return true;
}

bool Writer::put_u16(std::uint16_t value) noexcept {
  if (!fits(2)) return false;
  buffer_[size_++] = static_cast<std::uint8_t>(value >> 8);
  buffer_[size_++] = static_cast<std::uint8_t>(value);
  return true;
}

bool Writer::put_u32(std::uint32_t value) noexcept {
  if (!fits(4)) return false;
  put_u16(static_cast<std::uint16_t>(value >> 16));
  put_u16(static_cast<std::uint16_t>(value));
  return true;
}

bool Writer::put_bytes(std::span<const std::uint8_t> bytes) noexcept {
  if (!fits(bytes.size())) return false;
  if (!bytes.empty()) std::memcpy(buffer_.data() + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
  return true;
}

void Writer::patch_u16(std::size_t offset, std::uint16_t value) noexcept {
  buffer_[offset] = static_cast<std::uint8_t>(value >> 8);
  buffer_[offset + 1] = static_cast<std::uint8_t>(value);
}

void Writer::patch_u32(std::size_t offset, std::uint32_t value) noexcept {
  patch_u16(offset, static_cast<std::uint16_t>(value >> 16));
  patch_u16(offset + 2, static_cast<std::uint16_t>(value));
}

// Compares the (possibly compressed) name at `offset` in the packet with an uncompressed name.
bool Writer::same_name_at(std::size_t offset, std::span<const std::uint8_t> name) const noexcept {
  std::size_t at = offset;
  std::size_t pos = 0;
  for (int hops = 0; hops < 128; ++hops) {
    // Only bytes already written count: the name being written registers its suffixes before
    // their labels are there, and the buffer beyond size_ holds an older packet.
    if (at >= size_) return false;
    std::uint8_t len = buffer_[at];
    if ((len & 0xc0) == 0xc0) {
      at = static_cast<std::size_t>(len & 0x3f) << 8 | buffer_[at + 1];
      continue;
    }
    if (pos >= name.size() || name[pos] != len || at + 1 + len > size_) return false;
    if (len == 0) return pos + 1 == name.size();
    for (std::size_t i = 1; i <= len; ++i)
      if (ascii_lower(buffer_[at + i]) != ascii_lower(name[pos + i])) return false;
    at += 1 + len;
    pos += 1 + len;
  }
  return false;
}

// The hash of each suffix of a name given by its labels, the root last: label by label from the
// root, the length byte then the bytes with bit 0x20 set. That folds A-Z onto a-z (and some
// other bytes together, which only costs a comparison: a hit is always checked byte by byte).
void Writer::hash_labels(const std::array<const std::uint8_t*, 128>& labels, std::size_t count,
                         std::array<std::uint64_t, 128>& hashes) noexcept {
  std::uint64_t hash = name_hash_basis;
  for (std::size_t i = count; i-- > 0;) {
    const std::uint8_t* label = labels[i];
    hash = name_hash_step(hash, label[0]);
    for (std::size_t k = 1; k <= label[0]; ++k) hash = name_hash_step(hash, label[k] | 0x20);
    hashes[i] = hash;
  }
}

// The hash hash_labels gives the (possibly compressed) name written at `offset`.
std::uint64_t Writer::hash_at(std::size_t offset) const noexcept {
  std::array<const std::uint8_t*, 128> labels;
  std::size_t count = 0;
  std::size_t at = offset;
  for (int hops = 0; hops < 128 && count < labels.size() && at < size_;) {
    const std::uint8_t len = buffer_[at];
    if ((len & 0xc0) == 0xc0) {
      at = static_cast<std::size_t>(len & 0x3f) << 8 | buffer_[at + 1];
      ++hops;
      continue;
    }
    if (len == 0) break;
    labels[count++] = &buffer_[at];
    at += 1 + len;
  }
  std::array<std::uint64_t, 128> hashes;
  hash_labels(labels, count, hashes);
  return count == 0 ? name_hash_basis : hashes[0];
}

std::size_t Writer::find_suffix(std::uint64_t hash,
                                std::span<const std::uint8_t> suffix) const noexcept {
  return names_.find(hash, [&](std::size_t offset) { return same_name_at(offset, suffix); });
}

bool Writer::put_name(std::span<const std::uint8_t> name, bool compress) noexcept {
  if (compress) {
    for (const Recent& seen : recent_)
      if (seen.data == name.data() && seen.size == name.size() && seen.offset < size_)
        return put_u16(static_cast<std::uint16_t>(0xc000 | seen.offset));
  }
  // Past a few names the table goes by hash: then the hash of every suffix, in one pass from
  // the root leftwards (each suffix's hash continues the next one's). At most 127 labels.
  if (names_.wants_hashing())
    names_.start_hashing([this](std::size_t offset) { return hash_at(offset); });
  std::array<std::uint64_t, 128> hashes;
  if (names_.hashed()) {
    std::array<const std::uint8_t*, 128> labels;
    std::size_t count = 0;
    for (std::size_t pos = 0; name[pos] != 0; pos += 1 + name[pos]) labels[count++] = &name[pos];
    hash_labels(labels, count, hashes);
  }

  const Mark start = mark();
  const std::size_t recent_slot = recent_next_++ % k_recent;
  recent_[recent_slot] = Recent{};
  std::size_t pos = 0;
  for (std::size_t i = 0; name[pos] != 0; ++i) {
    const auto suffix = name.subspan(pos);
    const std::uint64_t hash = names_.hashed() ? hashes[i] : 0;
    if (compress) {
      if (const std::size_t offset = find_suffix(hash, suffix); offset != 0) {
        if (!put_u16(static_cast<std::uint16_t>(0xc000 | offset))) break;
        // A name that is all pointer is remembered by its target, so no pointer points at a
        // pointer; one written at 0x4000 or beyond is not remembered: a pointer cannot reach it.
        const std::size_t at = pos == 0 ? offset : start.size;
        if (at < 0x4000)
          recent_[recent_slot] = Recent{name.data(), name.size(), static_cast<std::uint16_t>(at)};
        return true;
      }
    }
    // Remember where this suffix starts so later names can point at it.
    if (size_ < 0x4000) names_.insert(hash, static_cast<std::uint16_t>(size_));
    const std::size_t label = 1 + name[pos];
    if (!put_bytes(name.subspan(pos, label))) break;
    pos += label;
  }
  if (name[pos] == 0 && put_u8(0)) {
    if (start.size < 0x4000)
      recent_[recent_slot] =
          Recent{name.data(), name.size(), static_cast<std::uint16_t>(start.size)};
    return true;
  }
  rollback(start);
  return false;
}

bool Writer::put_rdata(std::uint16_t type, std::span<const std::uint8_t> rdata) noexcept {
  // The names in our own rdata are well formed: they come from the zone loader.
  auto name_length = [&](std::size_t from) {
    std::size_t at = from;
    while (rdata[at] != 0) at += 1 + rdata[at];
    return at + 1 - from;
  };
  switch (type) {
    case rrtype::ns:
    case rrtype::cname:
    case rrtype::ptr:
      return put_name(rdata);
    case rrtype::mx:
      return put_bytes(rdata.first(2)) && put_name(rdata.subspan(2));
    case rrtype::soa: {
      const std::size_t mname = name_length(0);
      const std::size_t rname = name_length(mname);
      return put_name(rdata.first(mname)) && put_name(rdata.subspan(mname, rname)) &&
             put_bytes(rdata.subspan(mname + rname));
    }
    default:
      return put_bytes(rdata);
  }
}

bool Writer::put_rr(std::span<const std::uint8_t> owner, std::uint16_t type, std::uint16_t rrclass,
                    std::uint32_t ttl, std::span<const std::uint8_t> rdata) noexcept {
  const Mark start = mark();
  if (put_name(owner) && put_u16(type) && put_u16(rrclass) && put_u32(ttl) && put_u16(0)) {
    const std::size_t rdlength_at = size_ - 2;
    if (put_rdata(type, rdata)) {
      patch_u16(rdlength_at, static_cast<std::uint16_t>(size_ - rdlength_at - 2));
      return true;
    }
  }
  rollback(start);
  return false;
}

}  // namespace dnsd::wire
