// GeoIP lookups through libmaxminddb (the MaxMind DB format: a search tree over the address
// bits, then typed records). MMDB_lookup_sockaddr and MMDB_get_value read the mapped file
// only: no allocation, no lock.
#include "routing/geo_database.hh"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "routing/pick_types.hh"

namespace routing {

struct GeoDatabase::Impl {
  MMDB_s mmdb{};
  bool open = false;
  ~Impl() {
    if (open) MMDB_close(&mmdb);
  }
};

GeoDatabase::GeoDatabase() : impl_(std::make_unique<Impl>()) {}
GeoDatabase::~GeoDatabase() = default;

std::shared_ptr<const GeoDatabase> GeoDatabase::open(const std::string& path, std::string& why) {
  std::shared_ptr<GeoDatabase> db(new GeoDatabase());
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db->impl_->mmdb);
  if (status != MMDB_SUCCESS) {
    why = MMDB_strerror(status);
    return nullptr;
  }
  db->impl_->open = true;
  return db;
}

namespace {

template <std::size_t N>
void copy_string(const MMDB_entry_s& entry, char (&out)[N], const char* const* path) noexcept {
  MMDB_entry_data_s data{};
  MMDB_entry_s copy = entry;
  if (MMDB_aget_value(&copy, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING)
    return;
  std::memcpy(out, data.utf8_string, std::min<std::size_t>(N, data.data_size));
}

}  // namespace

GeoLocation GeoDatabase::locate(const ClientInfo& client) const noexcept {
  GeoLocation location;
  sockaddr_storage storage{};
  if (client.is_ipv6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, client.address.data(), 16);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, client.address.data(), 4);
  }
  int error = 0;
  const MMDB_lookup_result_s result =
      MMDB_lookup_sockaddr(&impl_->mmdb, reinterpret_cast<const sockaddr*>(&storage), &error);
  // An IPv4 address in an IPv6 database sits under ::/96; its netmask counts those 96 bits.
  int prefix = result.netmask;
  if (!client.is_ipv6 && impl_->mmdb.metadata.ip_version == 6) prefix -= 96;
  location.prefix = static_cast<std::uint8_t>(std::clamp(prefix, 0, client.is_ipv6 ? 128 : 32));
  if (error != MMDB_SUCCESS || !result.found_entry) return location;
  location.found = true;
  static const char* const continent[] = {"continent", "code", nullptr};
  static const char* const country[] = {"country", "iso_code", nullptr};
  static const char* const subdivision[] = {"subdivisions", "0", "iso_code", nullptr};
  copy_string(result.entry, location.continent, continent);
  copy_string(result.entry, location.country, country);
  copy_string(result.entry, location.subdivision, subdivision);
  return location;
}

std::size_t region_chain(const GeoLocation& location, RegionCode (&out)[4]) noexcept {
  std::size_t count = 0;
  if (location.found && location.country[0]) {
    if (location.subdivision[0]) {
      RegionCode& code = out[count++];
      code = {location.country[0],     location.country[1],     '-', location.subdivision[0],
              location.subdivision[1], location.subdivision[2], 0,   0};
    }
    out[count++] = {location.country[0], location.country[1], 0, 0, 0, 0, 0, 0};
  }
  if (location.found && location.continent[0])
    out[count++] = {'G', 'E', 'O', '-', location.continent[0], location.continent[1], 0, 0};
  out[count++] = {'W', 'O', 'R', 'L', 'D', 0, 0, 0};
  return count;
}

bool parse_region(std::string_view text, RegionCode& out, std::string& why) {
  std::string upper(text);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto letters = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  };
  const auto alnum = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  };
  static constexpr std::string_view continents[] = {"AF", "AN", "AS", "EU", "NA", "OC", "SA"};
  const std::string_view u(upper);
  bool ok = false;
  if (u == "WORLD")
    ok = true;
  else if (u.size() == 6 && u.substr(0, 4) == "GEO-")
    ok = std::find(std::begin(continents), std::end(continents), u.substr(4)) !=
         std::end(continents);
  else if (u.size() == 2)
    ok = letters(u);
  else if (u.size() >= 4 && u.size() <= 6 && u[2] == '-')
    ok = letters(u.substr(0, 2)) && alnum(u.substr(3));
  if (!ok) {
    why =
        "is not a region (expected WORLD, GEO-XX for a continent (AF, AN, AS, EU, NA, OC, SA), "
        "a country code like DE, or a state like US-CA)";
    return false;
  }
  out.fill(0);
  std::copy(u.begin(), u.end(), out.begin());
  return true;
}

}  // namespace routing
