// The content of a catalog zone (RFC 9432, schema version 2) that lists member zones, built
// as an ordinary Zone. Content only: which zones are members, and who may transfer the catalog,
// are the config's business (conf/catalog_section.cc).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "dnsd/wire/name.hh"
#include "dnsd/zone/zone.hh"

namespace dnsd::zone {

// The <unique-N> label of a member (RFC 9432 §4.1): 16 lower-case hex digits, the start of the
// SHA-256 of the member's lower-cased wire name. The same name always gets the same label, so
// a restart or a reload never makes a consumer drop and re-add a zone (a new label is a
// "member node name change", RFC 9432 §5.4, which resets the zone's state there). Empty
// only when OpenSSL fails (out of memory).
std::string catalog_member_id(const wire::Name& member);

// The catalog `origin` with this SOA serial and these members, each once:
//   <origin> SOA invalid. invalid. <serial> 3600 600 2147483646 0   (Knot's generated catalogs)
//   <origin> NS invalid.                                            (RFC 9432 §4)
//   version.<origin> TXT "2"                                        (RFC 9432 §4.2.1)
//   <catalog_member_id>.zones.<origin> PTR <member>                 (RFC 9432 §4.1)
// All with TTL 0, as RFC 9432's examples (a catalog is transferred, not queried). Errors (a member
// listed twice, two members with one id, a name too long under zones.<origin>) come back as a
// zone's build errors do.
BuildResult build_catalog(const wire::Name& origin, std::uint32_t serial,
                          std::span<const wire::Name> members);

}  // namespace dnsd::zone
