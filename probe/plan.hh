// Plan: the model turned into the list of probes to run and names to flatten, deduplicated.
// Pure: built once when the Prober is constructed, no sockets.
//
// - Endpoints with the same probe host, port and MonitorSpec share one probe; its verdicts feed
//   every subscriber's health word (one Tracker per probe, since they see the same stream).
// - Endpoints with enabled == false are not probed and not flattened: Traffic Manager does not
//   probe disabled endpoints either. Their health word stays CheckingEndpoint; routing reads
//   Endpoint::enabled to skip them. always_serve endpoints are not probed either (they are
//   answered as if healthy), but a flattened one still has its target resolved.
// - FQDN endpoints of profiles with flatten == true get their *target* (not the probe host)
//   resolved to A/AAAA; one lookup per distinct target feeds every subscriber.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "routing/model.hh"

namespace probe {

struct Subscriber {
  routing::EndpointId id = 0;
  std::string profile;  // for log lines only
  std::string endpoint;
};

struct ProbeTarget {
  std::string host;              // probe host: lower case, no trailing dot; FQDN or address literal
  bool host_is_address = false;  // an IPv4/IPv6 literal: no resolution, no SNI
  routing::MonitorSpec monitor;
  std::vector<Subscriber> subscribers;
};

struct FlatSubscriber {
  routing::EndpointId id = 0;
  std::uint32_t profile_ttl = 0;  // caps the published TTL
};

struct FlatTarget {
  std::string name;  // absolute, lower case, with trailing dot
  std::vector<FlatSubscriber> subscribers;
};

struct Plan {
  std::vector<ProbeTarget> probes;
  std::vector<FlatTarget> flats;
};

Plan make_plan(const routing::Model& model);

// One line per probed endpoint whose monitor sends [[header]] values (credentials) over plain
// http, naming the headers, never their values:
// `probe: profile=ci.tm.example.com. endpoint=eu sends Authorization over plain http`.
// conf/ refuses such a monitor when server.allow_plain_http_credentials = false.
std::vector<std::string> plain_http_credential_warnings(const Plan& plan);

// "EU.Tenant.test." -> "eu.tenant.test"; "::1" stays.
std::string normalize_host(std::string_view host);
bool is_address_literal(std::string_view host);

}  // namespace probe
