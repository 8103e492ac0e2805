// dnsctl keygen and dnsctl ds: DNSSEC key files made and read locally, without the admin API.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dnsctl {

// keygen ZONE [--algorithm A] [--flags 257|256] [--dir DIR]: writes DIR/K<zone>+<alg>+<tag>.key
// with mode 0600 (never over an existing file) and prints its path and key tag. Exit code.
int keygen(const std::vector<std::string>& words,
           const std::map<std::string, std::string>& options);

// ds ZONE|KEYFILE [--dir DIR]: the DS record (SHA-256) of the key file, or of every key-signing
// key of ZONE in DIR, in master-file form. Exit code.
int ds(const std::vector<std::string>& words, const std::map<std::string, std::string>& options);

}  // namespace dnsctl
