// TSIG keys: base64 secrets, BIND key files, the keyring. Nothing here logs; errors name the
// file, line and key, never the secret (issue 11).
#include "dnsd/tsig/key.hh"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace dnsd::tsig {
namespace {

std::nullopt_t fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return std::nullopt;
}

int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::optional<std::vector<std::uint8_t>> parse_secret(std::string_view base64, std::string* error) {
  std::vector<std::uint8_t> out;
  std::uint32_t bits = 0;
  int held = 0;     // bits waiting in `bits`
  int symbols = 0;  // data symbols seen, for the padding check
  int padding = 0;
  for (const char c : base64) {
    if (is_space(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int value = base64_value(c);
    if (value < 0 || padding > 0) return fail(error, "secret is not valid base64");
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    held += 6;
    ++symbols;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<std::uint8_t>(bits >> held));
      bits &= (1u << held) - 1;
    }
  }
  // Groups of four symbols; a final group of 2 or 3 symbols is padded up to four.
  const int tail = symbols % 4;
  const bool padded_right =
      (tail == 0 && padding == 0) || (tail == 2 && padding == 2) || (tail == 3 && padding == 1);
  if (!padded_right || bits != 0) return fail(error, "secret is not valid base64");
  if (out.empty()) return fail(error, "secret is empty");
  return out;
}

std::optional<Key> make_key(std::string_view name, std::string_view algorithm,
                            std::string_view secret_base64, std::string* error) {
  std::string why;
  const auto parsed_name = wire::Name::from_text(name, nullptr, &why);
  if (!parsed_name) return fail(error, fmt::format("key \"{}\": bad name: {}", name, why));
  const auto parsed_algorithm = algorithm_from_text(algorithm);
  if (!parsed_algorithm)
    return fail(error,
                fmt::format("key \"{}\": unsupported algorithm \"{}\" (hmac-sha256, hmac-sha384, "
                            "hmac-sha512, hmac-sha1)",
                            name, algorithm));
  auto secret = parse_secret(secret_base64, &why);
  if (!secret) return fail(error, fmt::format("key \"{}\": {}", name, why));
  return Key{parsed_name->lowercased(), *parsed_algorithm, std::move(*secret)};
}

std::optional<std::vector<Key>> load_key_file(const std::filesystem::path& path,
                                              std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(error, fmt::format("{}: cannot open", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_key_file(text.str(), path.string(), error);
}

const Key* Keyring::find(std::span<const std::uint8_t> name, Algorithm algorithm) const noexcept {
  for (const Key& key : keys_)
    if (key.algorithm == algorithm && wire::names_equal(key.name.wire(), name)) return &key;
  return nullptr;
}

}  // namespace dnsd::tsig
