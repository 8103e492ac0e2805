// Zone: the records of one authoritative zone, indexed by owner name, and its builder.
// Built once at load into a few flat arrays (names and rdata in one byte arena), immutable
// afterwards; lookups allocate nothing and touch little memory.
#pragma once

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dnsd/wire/name.hh"
#include "dnsd/wire/name_index.hh"
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
    iterator& operator++() noexcept { at_ += 2 + length(); return *this; }
    iterator operator++(int) noexcept { auto copy = *this; ++*this; return copy; }
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

struct Node {
  OwnerName owner;
  std::span<const RRset> rrsets;
  std::optional<routing::ProfileId> profile;  // a health-routed name
  bool is_zone_cut = false;            // has NS and is not the apex
  bool has_wildcard_child = false;     // "*.<owner>" exists (RFC 4592 §2.2.1)

  const RRset* find(std::uint16_t type) const noexcept {
    for (const auto& rrset : rrsets)
      if (rrset.type == type) return &rrset;
    return nullptr;
  }
  // An empty non-terminal exists only because names below it do (RFC 4592 §2.2.2).
  bool is_empty_non_terminal() const noexcept { return rrsets.empty() && !profile; }
};

class Zone;

struct BuildResult {
  std::unique_ptr<Zone> zone;          // null when errors is not empty
  std::vector<std::string> errors;
};

class ZoneBuilder {
 public:
  explicit ZoneBuilder(const wire::Name& origin);
  ~ZoneBuilder();
  ZoneBuilder(ZoneBuilder&&) noexcept;
  const wire::Name& origin() const noexcept;

  // Adds one record; `rdata` is in uncompressed wire form (see wire/rdata_text.hh). Returns an
  // empty string on success, or what is wrong, e.g. "owner is outside the zone".
  // Records with the same owner and type form one RRset; identical rdata is kept once, and the
  // first record's TTL stands for the RRset (RFC 2181 §5.2, as Knot DNS does).
  std::string add_record(const wire::Name& owner, std::uint16_t type, std::uint32_t ttl,
                         std::span<const std::uint8_t> rdata);
  // Makes `owner` a health-routed name answered by the given profile.
  std::string add_profile(const wire::Name& owner, routing::ProfileId profile);

  // Checks the zone as a whole (one SOA at the apex, NS at the apex, CNAME alone at its name,
  // nothing but glue below a zone cut) and returns it, or every error found.
  BuildResult build() &&;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Zone {
 public:
  const wire::Name& origin() const noexcept { return origin_; }
  const Node& apex() const noexcept { return nodes_.front(); }
  // The node with exactly this (lowercased) owner, or null.
  const Node* find(const wire::Name& lowercased_owner) const noexcept { return find(lowercased_owner.wire()); }
  const Node* find(std::span<const std::uint8_t> lowercased_owner) const noexcept;
  std::size_t node_count() const noexcept { return nodes_.size(); }
  std::span<const Node> nodes() const noexcept { return nodes_; }

 private:
  friend class ZoneBuilder;
  wire::Name origin_;
  std::vector<std::uint8_t> bytes_;    // owner names and rdata
  std::vector<RRset> rrsets_;
  std::vector<Node> nodes_;            // the apex first
  wire::NameIndex index_;              // owner name -> node position
};

// The zones a server is authoritative for; finds the closest enclosing zone of a name.
class ZoneSet {
 public:
  void add(std::unique_ptr<Zone> zone);
  const Zone* find_enclosing(const wire::Name& lowercased_qname) const noexcept;
  const std::vector<std::unique_ptr<Zone>>& zones() const noexcept { return zones_; }

 private:
  std::vector<std::unique_ptr<Zone>> zones_;
};

}  // namespace dnsd::zone
