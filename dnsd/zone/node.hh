// The pieces of a built zone: RRsets (rdata in one arena), owner names, glue and nodes.
// Plain views into memory the Zone owns; nothing here allocates or outlives its zone.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>

#include "dnsd/wire/name.hh"
#include "routing/model.hh"

namespace dnsd::zone {

// The rdatas of one RRset, stored back to back as [2-byte length][uncompressed wire rdata].
class RdataList {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::span<const std::uint8_t>;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;
    iterator() = default;
    explicit iterator(const std::uint8_t* at) noexcept : at_(at) {}
    value_type operator*() const noexcept { return {at_ + 2, length()}; }
    iterator& operator++() noexcept {
      at_ += 2 + length();
      return *this;
    }
    iterator operator++(int) noexcept {
      auto copy = *this;
      ++*this;
      return copy;
    }
    friend bool operator==(iterator a, iterator b) noexcept { return a.at_ == b.at_; }

   private:
    std::size_t length() const noexcept { return static_cast<std::size_t>(at_[0] << 8 | at_[1]); }
    const std::uint8_t* at_ = nullptr;
  };

  RdataList() = default;
  RdataList(const std::uint8_t* data, std::uint32_t bytes, std::uint32_t count) noexcept
      : data_(data), bytes_(bytes), count_(count) {}
  iterator begin() const noexcept { return iterator(data_); }
  iterator end() const noexcept { return iterator(data_ + bytes_); }
  std::size_t size() const noexcept { return count_; }
  std::span<const std::uint8_t> front() const noexcept { return *begin(); }

 private:
  const std::uint8_t* data_ = nullptr;
  std::uint32_t bytes_ = 0;
  std::uint32_t count_ = 0;
};

struct RRset {
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  RdataList rdatas;  // in load order
};

// An owner name held in the zone's arena (lowercased).
struct OwnerName {
  const std::uint8_t* data = nullptr;
  std::uint8_t size = 0;
  std::span<const std::uint8_t> wire() const noexcept { return {data, size}; }
  std::string to_text() const { return wire::Name::from_wire(wire())->to_text(); }
};

struct Node;

// A name in the rdata of an NS, MX or SRV RRset whose A/AAAA records this zone holds, found
// when the zone is built (Knot's glue_t) so that no query searches for additional records.
struct Glue {
  std::uint16_t rrset_type = 0;        // the RRset of the node whose rdata names it
  std::span<const std::uint8_t> name;  // as written in that rdata (its case is echoed)
  const Node* node = nullptr;          // the node holding the addresses
  bool required = false;               // in-bailiwick glue of a referral (RFC 9471 §3)
};

struct Node {
  OwnerName owner;
  std::span<const RRset> rrsets;
  std::span<const Glue> glues;                // in rdata order, RRset by RRset
  std::optional<routing::ProfileId> profile;  // a health-routed name
  bool is_zone_cut = false;                   // has NS and is not the apex
  bool has_wildcard_child = false;            // "*.<owner>" exists (RFC 4592 §2.2.1)

  const RRset* find(std::uint16_t type) const noexcept {
    for (const auto& rrset : rrsets)
      if (rrset.type == type) return &rrset;
    return nullptr;
  }
  // An empty non-terminal exists only because names below it do (RFC 4592 §2.2.2).
  bool is_empty_non_terminal() const noexcept { return rrsets.empty() && !profile; }
};

}  // namespace dnsd::zone
