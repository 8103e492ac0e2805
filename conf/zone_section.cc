// [[zone]]: origin, SOA, apex NS, [[zone.record]] entries and the optional master file, all
// added to one ZoneBuilder in that order. Profiles are attached later by config.cc.
#include <fmt/format.h>

#include <algorithm>

#include "conf/key_tables.hh"
#include "conf/master_file.hh"
#include "conf/record_text.hh"
#include "conf/sections.hh"
#include "dnsd/wire/types.hh"

namespace conf {

// The keys of [[zone]] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_zone_keys[] = {
    Key::other("name", "domain name", "", "absolute", "The zone's origin (required)."),
    Key::other("file", "path", "", "", "An RFC 1035 master file (BIND, Knot, NSD syntax)."),
    Key::integer("default_ttl", 0, max_ttl, "3600",
                 "TTL of records that give none; the master file's first $TTL wins."),
    Key::other("ns", "list of names", "", "", "The apex NS records (or in the master file)."),
    Key::other("soa", "table", "", "", "[zone.soa]: the SOA record (or in the master file)."),
    Key::other("record", "array of tables", "", "", "[[zone.record]]: static record sets."),
    Key::other("transfer", "array of tables", "", "",
               "[[zone.transfer]]: who may transfer the zone (none: REFUSED)."),
    Key::integer("max_record_drop", 0, 100, "[server]'s",
                 "This zone's own reload limit, in percent of its records."),
    Key::other("dnssec", "table", "", "", "[zone.dnssec]: the zone is signed online."),
};
const KeyTable zone_keys{
    "[[zone]]", "A zone served with authority: its SOA, NS and static records, or a master file.",
    k_zone_keys};

// The keys of [zone.soa] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_soa_keys[] = {
    Key::other("mname", "name", "", "", "The primary name server (required)."),
    Key::other("rname", "name", "", "", "The responsible mailbox (required)."),
    Key::integer("serial", 0, 4294967295, "", "The serial (required)."),
    Key::duration("refresh", std::chrono::seconds(0), std::chrono::seconds(max_ttl), "3600",
                  "SOA refresh, whole seconds."),
    Key::duration("retry", std::chrono::seconds(0), std::chrono::seconds(max_ttl), "600",
                  "SOA retry, whole seconds."),
    Key::duration("expire", std::chrono::seconds(0), std::chrono::seconds(max_ttl), "604800",
                  "SOA expire, whole seconds."),
    Key::duration("minimum", std::chrono::seconds(0), std::chrono::seconds(max_ttl), "60",
                  "Negative answers get min(SOA TTL, minimum) (RFC 2308), whole seconds."),
    Key::integer("ttl", 0, max_ttl, "default_ttl", "The SOA record's TTL."),
};
const KeyTable soa_keys{"[zone.soa]", "The zone's SOA record, when not in the master file.",
                        k_soa_keys};

// The keys of [[zone.record]] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_record_keys[] = {
    Key::other("name", "name", "", "relative, absolute or @", "The owner (required)."),
    Key::other("type", "string", "", "A, AAAA, CNAME, TXT, MX, SRV, CAA, NS, PTR, TYPEnnn",
               "The record type (required)."),
    Key::integer("ttl", 0, max_ttl, "default_ttl", "The records' TTL."),
    Key::other("data", "string or list of strings", "", "presentation-format rdata",
               "One RRset's rdata (required)."),
    Key::other("zone", "domain name", "", "absolute",
               "The zone the record is meant for: a record under another [[zone]] is an error."),
};
const KeyTable record_keys{
    "[[zone.record]]", "A static record set of the [[zone]] written last above it.", k_record_keys};

namespace {

using dnsd::wire::Name;
using Bytes = std::vector<std::uint8_t>;
namespace rrtype = dnsd::wire::rrtype;
using namespace std::chrono_literals;

// Where a record came from, so a ZoneBuilder complaint lands on the line that caused it.
struct Site {
  std::string file;
  std::size_t line = 0;
  std::string key;
};

class ZoneReader {
 public:
  ZoneReader(Section& zone, const LoadContext& ctx, ZoneDraft& draft)
      : zone_(zone), ctx_(ctx), draft_(draft) {}
  void read(std::uint32_t default_ttl);

 private:
  void add(const Name& owner, std::uint16_t type, std::uint32_t ttl, Bytes rdata, const Site& site);
  std::optional<Name> name(const std::string& text, const std::string& key, std::size_t line);
  std::optional<std::pair<Bytes, std::uint32_t>> soa(const toml::table& table,
                                                     std::uint32_t default_ttl);
  void ns(std::uint32_t default_ttl);
  void record(const toml::table& table, std::size_t index, std::uint32_t default_ttl);
  bool meant_for_this_zone(Section& s);

  Section& zone_;
  const LoadContext& ctx_;
  ZoneDraft& draft_;
  bool has_soa_ = false;
  bool has_apex_ns_ = false;
};

void ZoneReader::add(const Name& owner, std::uint16_t type, std::uint32_t ttl, Bytes rdata,
                     const Site& site) {
  const bool at_apex = owner.lowercased() == draft_.origin.lowercased();
  has_soa_ = has_soa_ || (at_apex && type == rrtype::soa);
  has_apex_ns_ = has_apex_ns_ || (at_apex && type == rrtype::ns);
  auto problem = draft_.builder.add_record(owner, type, ttl, std::move(rdata));
  if (!problem.empty())
    ctx_.diag.add_in(site.file, site.line, site.key, std::move(problem));
  else
    ++draft_.records;
}

std::optional<Name> ZoneReader::name(const std::string& text, const std::string& key,
                                     std::size_t line) {
  std::string why;
  auto parsed = Name::from_text(text, &draft_.origin, &why);
  if (!parsed) ctx_.diag.add(line, key, fmt::format("bad name {}: {}", in_quotes(text), why));
  return parsed;
}

// SOA timers are whole seconds on the wire.
std::uint32_t seconds(Section& s, std::string_view key, std::uint32_t fallback) {
  const auto value = s.duration(key);
  if (!value) return fallback;
  if (value->count() % 1000 != 0) {
    s.error(key, "must be a whole number of seconds");
    return fallback;
  }
  return static_cast<std::uint32_t>(value->count() / 1000);
}

void put32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// [zone.soa]: RFC 1035 §3.3.13, names relative to the zone.
std::optional<std::pair<Bytes, std::uint32_t>> ZoneReader::soa(const toml::table& table,
                                                               std::uint32_t default_ttl) {
  Section s(ctx_.diag, table, zone_.key("soa"), soa_keys);
  const auto mname_text = s.string("mname", Need::required);
  const auto rname_text = s.string("rname", Need::required);
  const auto mname = mname_text ? name(*mname_text, s.key("mname"), s.line("mname")) : std::nullopt;
  const auto rname = rname_text ? name(*rname_text, s.key("rname"), s.line("rname")) : std::nullopt;
  const auto serial = s.integer("serial", Need::required);
  const std::uint32_t timers[] = {seconds(s, "refresh", 3600), seconds(s, "retry", 600),
                                  seconds(s, "expire", 604800), seconds(s, "minimum", 60)};
  const auto ttl = s.integer("ttl").value_or(default_ttl);
  s.finish();
  if (mname) draft_.name_server.push_back(mname->lowercased());
  if (!mname || !rname || !serial || !s.clean()) return std::nullopt;
  Bytes rdata(mname->wire().begin(), mname->wire().end());
  rdata.insert(rdata.end(), rname->wire().begin(), rname->wire().end());
  put32(rdata, static_cast<std::uint32_t>(*serial));
  for (auto timer : timers) put32(rdata, timer);
  return std::pair{std::move(rdata), static_cast<std::uint32_t>(ttl)};
}

void ZoneReader::ns(std::uint32_t default_ttl) {
  const auto items = zone_.strings("ns", false);
  if (!items) return;
  for (const auto& item : *items) {
    const auto target = name(item.value, item.key, item.line);
    if (!target) continue;
    draft_.name_server.push_back(target->lowercased());
    add(draft_.origin, rrtype::ns, default_ttl, Bytes(target->wire().begin(), target->wire().end()),
        {ctx_.diag.file(), item.line, item.key});
  }
}

// A [[zone.record]] type: any storable type except SOA, which has its own table.
std::optional<std::uint16_t> record_type(Section& s, const std::string& text) {
  std::string why;
  const auto type = record_type_from_text(text, &why);
  if (type && *type != rrtype::soa) return type;
  if (type)
    why = "the SOA record goes in [zone.soa] (or in the master file), not in [[zone.record]]";
  s.error("type", why);
  return std::nullopt;
}

// [[zone.record]]: one RRset entry, `data` a string or an array of them.
void ZoneReader::record(const toml::table& table, std::size_t index, std::uint32_t default_ttl) {
  Section s(ctx_.diag, table, fmt::format("{}[{}]", zone_.key("record"), index), record_keys);
  const bool here = meant_for_this_zone(s);
  const auto owner_text = s.string("name", Need::required);
  const auto type_text = s.string("type", Need::required);
  const auto ttl = s.integer("ttl").value_or(default_ttl);
  const auto data = s.strings("data", true, Need::required);
  s.finish();
  if (!here) return;
  const auto owner = owner_text ? name(*owner_text, s.key("name"), s.line("name")) : std::nullopt;
  const auto type = type_text ? record_type(s, *type_text) : std::nullopt;
  if (owner && !owner->is_subdomain_of(draft_.origin)) {
    s.error("name",
            fmt::format("{} is outside the zone {} (a [[zone.record]] belongs to the [[zone]] "
                        "written last above it)",
                        owner->to_text(), draft_.origin.to_text()));
    return;
  }
  if (owner) draft_.record_sites.push_back({*owner_text, *owner, s.line("name"), s.key("name")});
  if (!owner || !type || !data) return;
  if (data->empty()) s.error("data", "must hold at least one record's data");
  const std::uint16_t rtype = *type;
  for (const auto& item : *data) {
    std::string why;
    auto rdata = record_data_from_text(rtype, item.value, draft_.origin, &why);
    if (!rdata) {
      ctx_.diag.add(item.line, item.key, std::move(why));
      continue;
    }
    add(*owner, rtype, static_cast<std::uint32_t>(ttl), std::move(*rdata),
        {ctx_.diag.file(), s.line(), s.path()});
  }
}

// A record's optional zone = "...": the zone the operator means it for. TOML puts every
// [[zone.record]] under the [[zone]] written last above it, so a record added at the end of
// the file lands in the last zone; naming the zone turns that slip into an error.
bool ZoneReader::meant_for_this_zone(Section& s) {
  const auto text = s.string("zone");
  if (!text) return true;
  std::string why;
  const auto meant = Name::from_text(*text, nullptr, &why);
  if (!meant) {
    s.error("zone", fmt::format("bad zone name {}: {}", in_quotes(*text), why));
    return false;
  }
  if (meant->lowercased() == draft_.origin.lowercased()) return true;
  s.error("zone", fmt::format("this record is meant for zone {} but sits under the [[zone]] {} "
                              "(line {}): a [[zone.record]] belongs to the [[zone]] written last "
                              "above it; move it under {}",
                              meant->to_text(), draft_.origin.to_text(), draft_.name_line,
                              meant->to_text()));
  return false;
}

void ZoneReader::read(std::uint32_t default_ttl) {
  // The TOML records first, then the master file's, streamed into the builder as they are read.
  const toml::table* soa_table = zone_.table("soa");
  if (soa_table) {
    if (auto record = soa(*soa_table, default_ttl))
      add(draft_.origin, rrtype::soa, record->second, std::move(record->first),
          {ctx_.diag.file(), line_of(*soa_table), zone_.key("soa")});
  }
  ns(default_ttl);
  if (const auto* records = zone_.tables("record"))
    for (std::size_t i = 0; i < records->size(); ++i)
      record(*records->get(i)->as_table(), i, default_ttl);
  bool master_read = true, master_soa = false;
  if (const auto file = zone_.string("file")) {
    draft_.has_master_file = true;
    std::string why;
    const auto& limits = ctx_.limits;
    const MasterFileOptions options{draft_.origin,
                                    default_ttl,
                                    zone_.key("file"),
                                    limits.max_zone_file_size,
                                    limits.max_zone_records,
                                    limits.max_zone_line_length,
                                    &ctx_.secrets};
    const Name origin = draft_.origin.lowercased();
    const auto sink = [&](MasterRecord&& r) {
      if (r.type == rrtype::soa && r.owner.lowercased() == origin) {
        if (soa_table && !master_soa)
          zone_.error("soa",
                      fmt::format("the master file already has the SOA record ({}:{}); give it in "
                                  "one place only",
                                  r.file, r.line));
        master_soa = true;
        if (soa_table) return;
      }
      add(r.owner, r.type, r.ttl, r.rdata, {r.file, r.line, zone_.key("file")});
    };
    master_read = read_master_file(ctx_.resolve(*file), options, sink, ctx_.diag, &why);
    if (!master_read) zone_.error("file", fmt::format("cannot read the master file: {}", why));
  }
  if (!soa_table && !master_soa && !zone_.has("soa") && master_read)
    zone_.error("soa",
                "is required: a [zone.soa] table (mname, rname, serial, ...) or an SOA record "
                "in the master file");
  if (!has_apex_ns_ && zone_.clean())
    zone_.error("ns",
                "the zone has no NS records at its apex (expected ns = [\"ns1\", ...], an NS "
                "[[zone.record]] named \"@\", or NS records in the master file)");
  draft_.buildable = has_soa_ && has_apex_ns_;
}

}  // namespace

std::vector<ZoneDraft> read_zones(Section& root, const LoadContext& ctx) {
  std::vector<ZoneDraft> drafts;
  const auto* zones = root.tables("zone");
  if (!zones || zones->empty()) {
    if (!root.has("zone") || zones) root.error("zone", "at least one [[zone]] is required");
    return drafts;
  }
  for (std::size_t i = 0; i < zones->size(); ++i) {
    Section s(ctx.diag, *zones->get(i)->as_table(), fmt::format("zone[{}]", i), zone_keys);
    std::optional<Name> origin;
    if (const auto text = s.string("name", Need::required)) {
      std::string why;
      origin = Name::from_text(*text, nullptr, &why);  // a zone name is always absolute
      if (!origin) s.error("name", fmt::format("bad zone name {}: {}", in_quotes(*text), why));
    }
    for (const auto& earlier : drafts)
      if (origin && earlier.origin.lowercased() == origin->lowercased()) {
        s.error("name", fmt::format("zone {} is already defined by zone[{}]", origin->to_text(),
                                    earlier.index));
        origin.reset();
        break;
      }
    const auto default_ttl = static_cast<std::uint32_t>(s.integer("default_ttl").value_or(3600));
    // A zone with a bad name is still read (against the root) so its other errors show up too.
    ZoneDraft draft{
        i,
        origin.value_or(Name{}),
        s.key("name"),
        s.line("name"),
        dnsd::zone::ZoneBuilder(origin.value_or(Name{})),
        true,
        0,
        static_cast<unsigned>(s.integer("max_record_drop").value_or(ctx.limits.max_record_drop)),
        {},
        {},
        false,
        std::nullopt};
    ZoneReader(s, ctx, draft).read(default_ttl);
    if (origin) read_zone_dnssec(s, ctx, draft, default_ttl);
    s.finish();
    if (origin) drafts.push_back(std::move(draft));
  }
  return drafts;
}

}  // namespace conf
