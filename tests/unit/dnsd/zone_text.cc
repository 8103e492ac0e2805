#include "zone_text.hh"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sstream>

#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"

using namespace dnsd;

namespace zone_text {

zone::Record record(const std::string& origin_text, const std::string& line) {
  const auto origin = *wire::Name::from_text(origin_text);
  std::istringstream in(line);
  std::string owner, type;
  std::uint32_t ttl = 0;
  in >> owner >> ttl >> type;
  std::string rdata;
  std::getline(in >> std::ws, rdata);
  std::string error;
  const auto code = wire::type_from_text(type);
  REQUIRE_MESSAGE(code, type);
  auto wire_rdata = wire::rdata_from_text(*code, rdata, origin, &error);
  REQUIRE_MESSAGE(wire_rdata, line, ": ", error);
  return zone::Record{*wire::Name::from_text(owner), *code, ttl, std::move(*wire_rdata)};
}

std::unique_ptr<zone::Zone> build(const std::string& origin,
                                  const std::vector<std::string>& lines) {
  zone::ZoneBuilder builder(*wire::Name::from_text(origin));
  for (const auto& line : lines) {
    const auto r = record(origin, line);
    const auto added = builder.add_record(r.owner, r.type, r.ttl, r.rdata);
    REQUIRE_MESSAGE(added.empty(), added);
  }
  auto built = std::move(builder).build();
  REQUIRE_MESSAGE(built.errors.empty(), (built.errors.empty() ? "" : built.errors.front()));
  return std::move(built.zone);
}

std::vector<std::string> records_of(const zone::Zone& zone) {
  std::vector<std::string> out;
  zone.for_each_rrset([&](const zone::OwnerName& owner, const zone::RRset& rrset) {
    for (const auto rdata : rrset.rdatas)
      out.push_back(fmt::format("{} {} {} {}", owner.to_text(), rrset.ttl,
                                wire::type_to_text(rrset.type),
                                wire::rdata_to_text(rrset.type, rdata)));
  });
  return out;
}

}  // namespace zone_text
