// DNSSEC key files for dnsctl (see keys.hh). The private key is written once, to a new file
// with mode 0600, and never printed.
#include "tools/dnsctl/keys.hh"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "dnsd/dnssec/digest.hh"
#include "dnsd/dnssec/key.hh"

namespace dnsctl {
namespace {

std::string option(const std::map<std::string, std::string>& options, const std::string& name,
                   std::string fallback) {
  const auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

// Bind's file name convention, K<zone>+<alg>+<tag>, with our own content.
std::string file_name(const dnsd::dnssec::SigningKey& key) {
  std::string zone = key.zone().to_text();
  if (zone.size() > 1 && zone.back() == '.') zone.pop_back();
  return fmt::format("K{}+{:03}+{:05}.key", zone, key.algorithm(), key.key_tag());
}

bool write_new(const std::string& path, const std::string& text, std::string* error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = fmt::format("cannot create {}: {}", path, std::strerror(errno));
    return false;
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
      ::close(fd);
      ::unlink(path.c_str());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    *error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
    ::unlink(path.c_str());
    return false;
  }
  return true;
}

std::optional<dnsd::dnssec::SigningKey> read_key(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = fmt::format("cannot read {}", path);
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string why;
  auto key = dnsd::dnssec::SigningKey::parse(text.str(), &why);
  if (!key) *error = fmt::format("{}: {}", path, why);
  return key;
}

std::string ds_record(const dnsd::dnssec::SigningKey& key) {
  return fmt::format(
      "{} IN DS {}", key.zone().to_text(),
      dnsd::dnssec::ds_text(dnsd::dnssec::ds_rdata(key.zone().wire(), key.dnskey())));
}

}  // namespace

int keygen(const std::vector<std::string>& words,
           const std::map<std::string, std::string>& options) {
  const auto zone = dnsd::wire::Name::from_text(words.at(1));
  if (!zone) {
    fmt::print(stderr, "dnsctl: bad zone name {}\n", words.at(1));
    return 2;
  }
  const auto algorithm =
      dnsd::dnssec::algorithm_from_text(option(options, "algorithm", "ecdsap256sha256"));
  const std::string flags = option(options, "flags", "257");
  if (!algorithm || (flags != "257" && flags != "256")) {
    fmt::print(stderr,
               "dnsctl: --algorithm is ecdsap256sha256 (13) or ed25519 (15); --flags 257 (a "
               "key-signing or combined key) or 256 (a zone-signing key)\n");
    return 2;
  }
  const auto key = dnsd::dnssec::SigningKey::generate(*zone, *algorithm,
                                                      static_cast<std::uint16_t>(std::stoi(flags)));
  if (!key) {
    fmt::print(stderr, "dnsctl: OpenSSL could not make the key\n");
    return 1;
  }
  const std::string path =
      (std::filesystem::path(option(options, "dir", ".")) / file_name(*key)).string();
  std::string error;
  if (!write_new(path, key->file_text(), &error)) {
    fmt::print(stderr, "dnsctl: {}\n", error);
    return 1;
  }
  if (options.count("json")) {
    fmt::print("{}\n",
               nlohmann::json{{"path", path},
                              {"zone", key->zone().to_text()},
                              {"algorithm", dnsd::dnssec::algorithm_to_text(key->algorithm())},
                              {"key_tag", key->key_tag()},
                              {"flags", key->flags()}}
                   .dump());
    return 0;
  }
  fmt::print("{}\n", path);
  fmt::print(stderr, "dnsctl: {} key for {} written (key tag {}, flags {}, mode 0600)\n",
             dnsd::dnssec::algorithm_to_text(key->algorithm()), key->zone().to_text(),
             key->key_tag(), key->flags());
  return 0;
}

int ds(const std::vector<std::string>& words, const std::map<std::string, std::string>& options) {
  const std::string& what = words.at(1);
  // --json: {"ds": ["zone. IN DS ...", ...]}; otherwise one record per line.
  std::vector<std::string> records;
  const auto print = [&] {
    if (options.count("json"))
      fmt::print("{}\n", nlohmann::json{{"ds", records}}.dump());
    else
      for (const auto& record : records) fmt::print("{}\n", record);
  };
  std::string error;
  if (std::filesystem::is_regular_file(what)) {
    const auto key = read_key(what, &error);
    if (!key) {
      fmt::print(stderr, "dnsctl: {}\n", error);
      return 1;
    }
    records.push_back(ds_record(*key));
    print();
    return 0;
  }
  const auto zone = dnsd::wire::Name::from_text(what);
  if (!zone) {
    fmt::print(stderr, "dnsctl: {} is neither a key file nor a zone name\n", what);
    return 2;
  }
  const std::filesystem::path dir = option(options, "dir", ".");
  std::vector<std::string> paths;
  std::error_code code;
  for (const auto& entry : std::filesystem::directory_iterator(dir, code))
    if (entry.path().extension() == ".key" && entry.path().filename().string()[0] == 'K')
      paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    const auto key = read_key(path, &error);
    if (!key || !(key->zone() == zone->lowercased()) || key->flags() != dnsd::dnssec::flags_ksk)
      continue;
    records.push_back(ds_record(*key));
  }
  if (records.empty()) {
    fmt::print(stderr, "dnsctl: no key-signing key of {} in {}\n", zone->to_text(), dir.string());
    return 1;
  }
  print();
  return 0;
}

}  // namespace dnsctl
