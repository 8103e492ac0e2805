// Zone: the records of one authoritative zone, indexed by owner name, and its builder.
// Built once at load, immutable afterwards; lookups allocate nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dnsd/wire/name.hh"
#include "routing/model.hh"

namespace dnsd::zone {

struct RRset {
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::vector<std::vector<std::uint8_t>> rdatas;  // uncompressed wire form, in load order
};

struct Node {
  wire::Name owner;                    // lowercased
  std::vector<RRset> rrsets;
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
  // Records with the same owner and type form one RRset; identical rdata is kept once.
  std::string add_record(const wire::Name& owner, std::uint16_t type, std::uint32_t ttl,
                         std::vector<std::uint8_t> rdata);
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
  const Node& apex() const noexcept { return *apex_; }
  // The node with exactly this (lowercased) owner, or null.
  const Node* find(const wire::Name& lowercased_owner) const noexcept { return find(lowercased_owner.wire()); }
  const Node* find(std::span<const std::uint8_t> lowercased_owner) const noexcept;
  std::size_t node_count() const noexcept { return nodes_.size(); }
  const std::vector<Node>& nodes() const noexcept { return nodes_; }

 private:
  friend class ZoneBuilder;
  wire::Name origin_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> index_;   // open-addressing hash table of node positions + 1
  const Node* apex_ = nullptr;
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
