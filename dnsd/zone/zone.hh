// Zone: the records of one authoritative zone, indexed by owner name, and its builder.
// Built once at load into a few flat arrays (names and rdata in one byte arena), immutable
// afterwards; lookups allocate nothing and touch little memory.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dnsd/wire/name.hh"
#include "dnsd/wire/name_index.hh"
#include "dnsd/zone/lookup.hh"
#include "dnsd/zone/node.hh"
#include "routing/model.hh"

namespace dnsd::zone {

class Zone;

struct BuildResult {
  std::unique_ptr<Zone> zone;  // null when errors is not empty
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
  class Build;  // one run of build(), a function per phase (builder.cc)
  std::unique_ptr<Impl> impl_;
};

class Zone {
 public:
  const wire::Name& origin() const noexcept { return origin_; }
  const Node& apex() const noexcept { return nodes_.front(); }
  // The node with exactly this (lowercased) owner, or null.
  const Node* find(const wire::Name& lowercased_owner) const noexcept {
    return find(lowercased_owner.wire());
  }
  const Node* find(std::span<const std::uint8_t> lowercased_owner) const noexcept;
  std::size_t node_count() const noexcept { return nodes_.size(); }
  // Every node, the apex first; node.rrsets gives each RRset (owner, type, ttl, rdatas), which
  // is all a zone transfer needs (for_each_rrset below).
  std::span<const Node> nodes() const noexcept { return nodes_; }
  // Positions of a node or RRset of this zone, for tables kept beside it (DNSSEC signatures).
  std::size_t node_index(const Node& node) const noexcept {
    return static_cast<std::size_t>(&node - nodes_.data());
  }
  std::size_t rrset_index(const RRset& rrset) const noexcept {
    return static_cast<std::size_t>(&rrset - rrsets_.data());
  }
  std::size_t rrset_count() const noexcept { return rrsets_.size(); }

  // RFC 1034 §4.3.2 step 3 for a lower-cased name inside this zone (zone/zone_lookup.cc).
  Lookup lookup(std::span<const std::uint8_t> lowercased_qname, std::uint16_t qtype) const noexcept;

  // RFC 2308 §5: min(SOA TTL, SOA MINIMUM), the TTL of the SOA in every negative answer.
  std::uint32_t negative_ttl() const noexcept { return negative_ttl_; }
  // The SOA serial (RFC 1035 §3.3.13).
  std::uint32_t serial() const noexcept { return serial_; }
  // Its position in the ZoneSet that holds it (0 for a zone in none): how per-zone words of the
  // serving state (dnsd/live_serials.hh) are found.
  std::size_t index() const noexcept { return set_index_; }

  // Calls f(owner, rrset) for every RRset, the apex's first (an AXFR's order, RFC 5936 §2.2).
  template <typename F>
  void for_each_rrset(F&& f) const {
    for (const Node& node : nodes_)
      for (const RRset& rrset : node.rrsets) f(node.owner, rrset);
  }

 private:
  friend class ZoneBuilder;
  friend class ZoneSet;
  void build_index();  // the name index over nodes_ (zone.cc)
  void attach_glue();  // Node::glues, once nodes and index are in place (glue.cc)
  wire::Name origin_;
  std::vector<std::uint8_t> bytes_;  // owner names and rdata
  std::vector<RRset> rrsets_;
  std::vector<Node> nodes_;  // the apex first
  std::vector<Glue> glues_;  // Node::glues point here
  wire::NameIndex index_;    // owner name -> node position
  std::uint32_t negative_ttl_ = 0;
  std::uint32_t serial_ = 0;
  std::size_t set_index_ = 0;
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
