// Every key table of the config file, one per TOML table, each defined next to its reader.
// reference.cc prints them in this order; a new table goes here and into reference.cc.
#pragma once

#include "conf/key_table.hh"

namespace conf {

extern const KeyTable root_keys;       // load.cc
extern const KeyTable server_keys;     // server_section.cc
extern const KeyTable resolver_keys;   // server_section.cc
extern const KeyTable cookies_keys;    // cookies_section.cc
extern const KeyTable rrl_keys;        // rrl_section.cc
extern const KeyTable admin_keys;      // admin_section.cc
extern const KeyTable key_keys;        // key_section.cc
extern const KeyTable zone_keys;       // zone_section.cc
extern const KeyTable soa_keys;        // zone_section.cc
extern const KeyTable record_keys;     // zone_section.cc
extern const KeyTable dnssec_keys;     // dnssec_section.cc
extern const KeyTable transfer_keys;   // transfer_section.cc
extern const KeyTable catalog_keys;    // catalog_section.cc
extern const KeyTable profile_keys;    // profile_section.cc
extern const KeyTable monitor_keys;    // monitor_section.cc
extern const KeyTable header_keys;     // headers.cc
extern const KeyTable endpoint_keys;   // profile_section.cc
extern const KeyTable publish_keys;    // publish_section.cc
extern const KeyTable secondary_keys;  // secondary_section.cc
extern const KeyTable fleet_keys;      // fleet_section.cc
extern const KeyTable dnstap_keys;     // dnstap_section.cc
extern const KeyTable xdp_keys;        // xdp_section.cc

}  // namespace conf
