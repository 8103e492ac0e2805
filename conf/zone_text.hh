// The zones a Config serves, as RFC 1035 master-file text (`dnsd --check-config --print`): where
// each [[zone.record]] went, in a form kzonecheck and named-checkzone read. Allocates freely;
// never on the query path.
#pragma once

#include <string>

#include "conf/config.hh"

namespace conf {

// Per zone: a comment, $ORIGIN, the SOA, then every RRset (owners absolute, class IN). A
// profile's name comes with comment lines saying how it routes and, as records, what it
// answers before any probe result (every endpoint CheckingEndpoint, a client at 0.0.0.0).
std::string zones_as_master_text(const Config& config);

}  // namespace conf
