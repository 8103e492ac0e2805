// GeoDatabase: a GeoIP2/GeoLite2-format (MaxMind DB) file, memory-mapped by libmaxminddb at
// config load; locate() reads it on the query path without allocating or locking.
#pragma once

#include <memory>
#include <string>

#include "routing/model.hh"

namespace routing {

struct ClientInfo;

struct GeoLocation {
  bool found = false;
  char continent[2] = {};    // "EU"
  char country[2] = {};      // "DE"
  char subdivision[3] = {};  // "BY" (up to 3 characters, zero-padded)
  // How many leading bits of the address the database's answer holds for (the ECS scope).
  std::uint8_t prefix = 0;
};

class GeoDatabase {
 public:
  // nullptr and `why` on a file libmaxminddb cannot open.
  static std::shared_ptr<const GeoDatabase> open(const std::string& path, std::string& why);
  ~GeoDatabase();
  GeoDatabase(const GeoDatabase&) = delete;
  GeoDatabase& operator=(const GeoDatabase&) = delete;

  GeoLocation locate(const ClientInfo& client) const noexcept;

 private:
  GeoDatabase();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The region codes a location belongs to, most specific first ("DE-BY", "DE", "GEO-EU",
// "WORLD"); returns how many were written.
std::size_t region_chain(const GeoLocation& location, RegionCode (&out)[4]) noexcept;
// "geo-eu" -> "GEO-EU"; false when the text is not a region code of the hierarchy.
bool parse_region(std::string_view text, RegionCode& out, std::string& why);

}  // namespace routing
