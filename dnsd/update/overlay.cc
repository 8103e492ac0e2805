// The dynamic overlay: prescan and application of an update section (RFC 2136 §3.4), and the
// served zone built from the config's zone and the overlay.
#include "dnsd/update/overlay.hh"

#include <fmt/format.h>

#include <algorithm>

#include "dnsd/wire/types.hh"
#include "dnsd/zone/serial.hh"
#include "dnsd/zone/soa.hh"

namespace dnsd::update {
namespace {

namespace rc = wire::rcode;
namespace rt = wire::rrtype;

bool is_question_only(std::uint16_t type) {
  return type == rt::axfr || type == rt::ixfr || type == rt::maila || type == rt::mailb ||
         type == rt::any;
}

std::string where(const Record& record) {
  return fmt::format("{} {}", record.owner.to_text(), wire::type_to_text(record.type));
}

bool same_rdata(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return std::ranges::equal(a, b);
}

// The config zone's records at `owner` that the update would delete (a protected record), if any.
const zone::Node* base_node(const zone::Zone& base, const wire::Name& owner) {
  return base.find(owner);
}

bool base_has_rdata(const zone::Zone& base, const Record& record) {
  const zone::Node* node = base_node(base, record.owner);
  const zone::RRset* rrset = node ? node->find(record.type) : nullptr;
  if (!rrset) return false;
  return std::any_of(rrset->rdatas.begin(), rrset->rdatas.end(),
                     [&](auto rdata) { return same_rdata(rdata, record.rdata); });
}

// §3.4.2.2/3: SOA and NS at the apex are never deleted by a type ANY delete.
bool apex_keeps(const wire::Name& origin, const wire::Name& owner, std::uint16_t type) {
  return owner == origin && (type == rt::soa || type == rt::ns);
}

class Application {
 public:
  Application(ZoneOverlay& overlay, const zone::Zone& base, const wire::Name& key,
              std::int64_t expires)
      : records_(overlay.records), base_(base), key_(key), expires_(expires) {}

  Verdict run(const Record& record) {
    if (record.rrclass == wire::rrclass::any)
      return record.type == rt::any ? delete_name(record) : delete_rrset(record);
    if (record.rrclass == wire::rrclass::none) return delete_rr(record);
    return add(record);
  }
  std::vector<Change>& changes() { return changes_; }

 private:
  // §3.4.2.2: an add; CNAME and other data do not mix (the add is then ignored, as the RFC says).
  Verdict add(const Record& record) {
    if (record.type == rt::soa)
      return {rc::refused, where(record) + ": the SOA comes from the config"};
    const bool has_cname = holds(record.owner, rt::cname);
    const bool has_other = holds_other_than(record.owner, rt::cname);
    if ((record.type == rt::cname && has_other) || (record.type != rt::cname && has_cname))
      return {};
    if (base_has_rdata(base_, record)) return {};
    for (auto& existing : records_)
      if (existing.owner == record.owner && existing.type == record.type &&
          same_rdata(existing.rdata, record.rdata)) {
        if (existing.ttl == record.ttl) return {};
        changes_.push_back({false, existing});
        existing.ttl = record.ttl;
        changes_.push_back({true, existing});
        return {};
      }
    records_.push_back({record.owner, record.type, record.ttl, record.rdata, key_, expires_});
    changes_.push_back({true, records_.back()});
    return {};
  }

  Verdict delete_name(const Record& record) {
    if (const zone::Node* node = base_node(base_, record.owner))
      for (const auto& rrset : node->rrsets)
        if (!apex_keeps(base_.origin(), record.owner, rrset.type)) return protect(record);
    if (const zone::Node* node = base_node(base_, record.owner); node && node->profile)
      return protect(record);
    remove_if([&](const OverlayRecord& r) {
      return r.owner == record.owner && !apex_keeps(base_.origin(), r.owner, r.type);
    });
    return {};
  }

  Verdict delete_rrset(const Record& record) {
    if (apex_keeps(base_.origin(), record.owner, record.type)) return {};
    const zone::Node* node = base_node(base_, record.owner);
    if (node && node->find(record.type)) return protect(record);
    remove_if(
        [&](const OverlayRecord& r) { return r.owner == record.owner && r.type == record.type; });
    return {};
  }

  Verdict delete_rr(const Record& record) {
    if (record.owner == base_.origin() && record.type == rt::soa) return {};
    if (base_has_rdata(base_, record)) return protect(record);
    remove_if([&](const OverlayRecord& r) {
      return r.owner == record.owner && r.type == record.type && same_rdata(r.rdata, record.rdata);
    });
    return {};
  }

  Verdict protect(const Record& record) {
    return {rc::refused, where(record) + ": would delete records of the config or master file"};
  }

  template <typename Match>
  void remove_if(Match match) {
    for (auto it = records_.begin(); it != records_.end();) {
      if (match(*it)) {
        changes_.push_back({false, *it});
        it = records_.erase(it);
      } else {
        ++it;
      }
    }
  }

  bool holds(const wire::Name& owner, std::uint16_t type) const {
    const zone::Node* node = base_node(base_, owner);
    if (node && node->find(type)) return true;
    return std::any_of(records_.begin(), records_.end(),
                       [&](const auto& r) { return r.owner == owner && r.type == type; });
  }
  bool holds_other_than(const wire::Name& owner, std::uint16_t type) const {
    const zone::Node* node = base_node(base_, owner);
    if (node && (node->profile || std::any_of(node->rrsets.begin(), node->rrsets.end(),
                                              [&](const auto& s) { return s.type != type; })))
      return true;
    return std::any_of(records_.begin(), records_.end(),
                       [&](const auto& r) { return r.owner == owner && r.type != type; });
  }

  std::vector<OverlayRecord>& records_;
  const zone::Zone& base_;
  const wire::Name& key_;
  std::int64_t expires_;
  std::vector<Change> changes_;
};

}  // namespace

const ZoneOverlay* find_overlay(const Overlays& overlays, const wire::Name& origin) noexcept {
  for (const auto& overlay : overlays)
    if (overlay.origin == origin) return &overlay;
  return nullptr;
}

ZoneOverlay& overlay_for(Overlays& overlays, const wire::Name& origin) {
  for (auto& overlay : overlays)
    if (overlay.origin == origin) return overlay;
  overlays.push_back({origin, std::nullopt, {}});
  return overlays.back();
}

Verdict prescan(const wire::Name& origin, std::uint16_t zone_class,
                std::span<const Record> updates) {
  for (const Record& record : updates) {
    if (!record.owner.is_subdomain_of(origin))
      return {rc::notzone, where(record) + ": outside the zone"};
    if (record.rrclass == zone_class) {
      if (is_question_only(record.type) || wire::is_meta_type(record.type))
        return {rc::formerr, where(record) + ": a meta type cannot be added"};
      if (record.rdata.empty() && record.type != rt::any)
        return {rc::formerr, where(record) + ": an add without rdata"};
    } else if (record.rrclass == wire::rrclass::any) {
      if (record.ttl != 0 || !record.rdata.empty())
        return {rc::formerr, where(record) + ": a delete with a TTL or rdata"};
      if (record.type != rt::any &&
          (is_question_only(record.type) || wire::is_meta_type(record.type)))
        return {rc::formerr, where(record) + ": a meta type"};
    } else if (record.rrclass == wire::rrclass::none) {
      if (record.ttl != 0) return {rc::formerr, where(record) + ": a delete with a TTL"};
      if (is_question_only(record.type) || wire::is_meta_type(record.type))
        return {rc::formerr, where(record) + ": a meta type"};
    } else {
      return {rc::formerr, where(record) + fmt::format(": class {}", record.rrclass)};
    }
  }
  return {};
}

Applied apply(ZoneOverlay& overlay, const zone::Zone& base, std::span<const Record> updates,
              const wire::Name& key, std::int64_t expires) {
  ZoneOverlay copy = overlay;  // whole or not at all
  Application application(copy, base, key, expires);
  for (const Record& record : updates)
    if (Verdict verdict = application.run(record); !verdict.ok()) return {std::move(verdict), {}};
  Applied applied{{}, std::move(application.changes())};
  if (!applied.changes.empty()) overlay = std::move(copy);
  return applied;
}

void apply_changes(ZoneOverlay& overlay, std::span<const Change> changes) {
  auto& records = overlay.records;
  for (const Change& change : changes) {
    const auto same = [&](const OverlayRecord& r) {
      return r.owner == change.record.owner && r.type == change.record.type &&
             r.rdata == change.record.rdata;
    };
    records.erase(std::remove_if(records.begin(), records.end(), same), records.end());
    if (change.add) records.push_back(change.record);
  }
}

std::size_t records_of(const ZoneOverlay& overlay, const wire::Name& key) noexcept {
  return static_cast<std::size_t>(std::count_if(overlay.records.begin(), overlay.records.end(),
                                                [&](const auto& r) { return r.key == key; }));
}

std::uint32_t next_serial(const ZoneOverlay& overlay, std::uint32_t base_serial) noexcept {
  std::uint32_t from = base_serial;
  if (overlay.serial && zone::serial_gt(*overlay.serial, from)) from = *overlay.serial;
  return zone::serial_add(from, 1);
}

zone::BuildResult merge_zone(const zone::Zone& base, const ZoneOverlay* overlay) {
  zone::ZoneBuilder builder(base.origin());
  std::vector<std::string> errors;
  const auto note = [&](std::string error) {
    if (!error.empty()) errors.push_back(std::move(error));
  };
  for (const zone::Node& node : base.nodes()) {
    const auto owner = wire::Name::from_wire(node.owner.wire());
    for (const zone::RRset& rrset : node.rrsets)
      for (const auto rdata : rrset.rdatas) {
        if (rrset.type == rt::soa && overlay && overlay->serial &&
            zone::serial_gt(*overlay->serial, zone::soa::serial(rdata))) {
          std::vector<std::uint8_t> moved(rdata.begin(), rdata.end());
          zone::soa::set_serial(moved, *overlay->serial);
          note(builder.add_record(*owner, rrset.type, rrset.ttl, moved));
        } else {
          note(builder.add_record(*owner, rrset.type, rrset.ttl, rdata));
        }
      }
    if (node.profile) note(builder.add_profile(*owner, *node.profile));
  }
  if (overlay)
    for (const OverlayRecord& record : overlay->records)
      note(builder.add_record(record.owner, record.type, record.ttl, record.rdata));
  if (!errors.empty()) return {nullptr, std::move(errors)};
  return std::move(builder).build();
}

}  // namespace dnsd::update
