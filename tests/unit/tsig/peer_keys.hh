// Test support: the keys of tests/unit/tsig/peers.py and the requests the capture fixture saved
// from real clients. A missing capture fails the test that needs it; nothing is skipped.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dnsd/tsig/key.hh"
#include "dnsd/tsig/record.hh"

namespace tsig_test {

using dnsd::tsig::Key;

inline constexpr const char* key_name = "tsig-test.example.";

inline const char* secret_of(const std::string& algorithm) {
  if (algorithm == "hmac-sha256") return "EI0rzl89yWdSZfL1YNvGxz718/vIrJp+/LePRG1gXkU=";
  if (algorithm == "hmac-sha384")
    return "YJ7ddBniE2m0GDDDV4RV5bYSoIN+4lMeN6XVFul4bR7Eb4nBXLb+UW/Bj8b4DxMJ";
  if (algorithm == "hmac-sha512")
    return "MNEe9fiPBbaTwJHvKH82vJkvacSb2Ia/"
           "JGeaDvutbSF0FJkWcDkVHrxPsSMHfBoH6IYnLhi0TkfSmK9sJ2ym6w==";
  return "BucNKTFmr1QXWNgS5pg2BC/tWgk=";  // hmac-sha1
}

Key make_test_key(const std::string& algorithm, const std::string& name = key_name,
                  const std::string& secret = "");

// The bytes of a captured request ("dig_sha256" -> $DNSD_TSIG_CAPTURED/dig_sha256.bin).
std::vector<std::uint8_t> captured(const std::string& name);

// The time a message says it was signed: the clock to verify it at.
std::chrono::sys_seconds signed_at(const std::vector<std::uint8_t>& message);

}  // namespace tsig_test

#include "dnsd/wire/writer.hh"

namespace tsig_test {

// Writes the start of a response to `request`: its ID, QR and AA set, its question copied.
void start_response(std::span<const std::uint8_t> request, dnsd::wire::Writer& writer);

}  // namespace tsig_test
