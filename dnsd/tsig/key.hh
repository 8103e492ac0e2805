// TSIG keys (RFC 8945 §3): name, algorithm, secret; the keyring looked up by name + algorithm;
// the secret parsed from base64 or a BIND key file. Errors never quote a secret.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/tsig/algorithm.hh"
#include "dnsd/wire/name.hh"

namespace dnsd::tsig {

struct Key {
  wire::Name name;  // lower-cased, the canonical form the MAC covers (RFC 8945 §4.3.3)
  Algorithm algorithm = Algorithm::hmac_sha256;
  std::vector<std::uint8_t> secret;
  // Local truncation policy (RFC 8945 §5.2.4): the shortest MAC this key accepts, in bytes;
  // 0 means the full digest. Truncations below it are answered BADTRUNC.
  std::size_t min_mac_size = 0;
};

// Decodes standard base64 (RFC 4648 §4) with padding; whitespace is ignored. On failure says
// why in *error, without quoting the text.
std::optional<std::vector<std::uint8_t>> parse_secret(std::string_view base64,
                                                      std::string* error = nullptr);

// Builds a key from its parts, e.g. a config entry and a secret from an environment variable.
std::optional<Key> make_key(std::string_view name, std::string_view algorithm,
                            std::string_view secret_base64, std::string* error = nullptr);

// Reads BIND's key-file format, as written by `tsig-keygen` and read by `named` and `nsupdate -k`:
//   key "name" { algorithm hmac-sha256; secret "base64"; };
// One or more key statements; '#', '//' and '/* */' comments. Errors are "file:line: why".
std::optional<std::vector<Key>> load_key_file(const std::filesystem::path& path,
                                              std::string* error = nullptr);
// The same for text already in memory; `origin` names it in errors.
std::optional<std::vector<Key>> parse_key_file(std::string_view text, std::string_view origin,
                                               std::string* error = nullptr);

// The keys a server knows. Lookup is by name (case-insensitive) and algorithm: a known name with
// another algorithm is BADKEY too (RFC 8945 §5.2.1). Built once, then read without locks.
class Keyring {
 public:
  Keyring() = default;
  explicit Keyring(std::vector<Key> keys) : keys_(std::move(keys)) {}

  const Key* find(std::span<const std::uint8_t> name, Algorithm algorithm) const noexcept;
  std::span<const Key> keys() const noexcept { return keys_; }

 private:
  std::vector<Key> keys_;
};

}  // namespace dnsd::tsig
