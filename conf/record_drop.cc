// Record-drop guard (see record_drop.hh): counts compared per zone, by lower-cased origin.
#include "conf/record_drop.hh"

#include <fmt/format.h>

namespace conf {

std::vector<Error> check_record_drop(const Config& before, const Config& after) {
  std::vector<Error> errors;
  for (const auto& now : after.zone_records) {
    const ZoneRecordCount* was = nullptr;
    for (const auto& old : before.zone_records)
      if (old.origin == now.origin) was = &old;
    if (!was || now.records >= was->records) continue;
    const std::size_t dropped = was->records - now.records;
    // dropped / was > max / 100, in integers (no rounding lets 50.4% through a 50% limit).
    if (dropped * 100 <= static_cast<std::size_t>(now.max_record_drop) * was->records) continue;
    errors.push_back(Error{
        after.path, now.name_line, now.name_key,
        fmt::format("zone {}: the reload would drop {} of its {} records ({} left, {:.1f}%), more "
                    "than max_record_drop = {}% allows; if that is intended, set "
                    "max_record_drop = 100 in this [[zone]] for this reload",
                    now.origin.to_text(), dropped, was->records, now.records,
                    100.0 * static_cast<double>(dropped) / static_cast<double>(was->records),
                    now.max_record_drop)});
  }
  return errors;
}

}  // namespace conf
