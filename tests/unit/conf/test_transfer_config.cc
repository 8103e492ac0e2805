// [[key]], [[zone.transfer]] and [server] max_transfers: TSIG keys from files and the
// environment (never the TOML, never quoted in an error), and the per-zone transfer ACLs.
#include <cstdlib>

#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::line_containing;
using conf_test::load;

namespace {

std::string with_zone(const std::string& before, const std::string& after = "") {
  return before + std::string(conf_test::zone_toml) + after;
}

const std::string key_toml = R"([[key]]
name = "xfr-key"
secret_file = "tsig/xfr.secret"
)";

}  // namespace

TEST_CASE("a key's secret comes from a file and its algorithm defaults to hmac-sha256") {
  const auto result = load(with_zone(key_toml));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto keys = result.config->keys.keys();
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].name.to_text() == "xfr-key.");
  CHECK(keys[0].algorithm == dnsd::tsig::Algorithm::hmac_sha256);
  CHECK(keys[0].secret.size() == 24);
  CHECK(result.config->server.max_transfers == 10);
}

TEST_CASE("a key's secret comes from an environment variable, or from a BIND key file") {
  ::setenv("DNSD_TEST_TSIG_SECRET", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", 1);
  const auto result = load(with_zone(R"([[key]]
name = "env-key."
algorithm = "HMAC-SHA384"
secret_env = "DNSD_TEST_TSIG_SECRET"
[[key]]
name = "bind-key"
secret_file = "tsig/bind.key"
)"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto keys = result.config->keys.keys();
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].algorithm == dnsd::tsig::Algorithm::hmac_sha384);
  CHECK(keys[1].name.to_text() == "bind-key.");
  CHECK(keys[1].algorithm == dnsd::tsig::Algorithm::hmac_sha512);  // the key file's
}

TEST_CASE("a secret written in the TOML is an error that does not quote it") {
  const std::string text = with_zone(R"([[key]]
name = "k"
secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
)");
  const auto result = load(text);
  check_error(result, inline_path, line_containing(text, "secret ="), "key[0].secret",
              "may not be written in the config");
  CHECK(conf_test::all_errors(result).find("c2VjcmV0") == std::string::npos);
}

TEST_CASE("a bad secret, a missing variable, an unknown algorithm and a repeated name are named") {
  const std::string text = with_zone(R"([[key]]
name = "a"
secret_file = "tsig/bad.secret"
[[key]]
name = "b"
secret_env = "DNSD_TEST_TSIG_NOT_SET"
[[key]]
name = "c"
algorithm = "hmac-md5"
secret_file = "tsig/xfr.secret"
[[key]]
name = "d"
[[key]]
name = "xfr-key"
secret_file = "tsig/xfr.secret"
[[key]]
name = "XFR-KEY."
secret_file = "tsig/xfr.secret"
)");
  ::unsetenv("DNSD_TEST_TSIG_NOT_SET");
  const auto result = load(text);
  check_error(result, inline_path, line_containing(text, "tsig/bad.secret"), "key[0].secret_file",
              "bad secret");
  CHECK(conf_test::all_errors(result).find("not base64") == std::string::npos);
  check_error(result, inline_path, line_containing(text, "DNSD_TEST_TSIG_NOT_SET"),
              "key[1].secret_env", "is not set");
  check_error(result, inline_path, line_containing(text, "hmac-md5"), "key[2].algorithm",
              "unknown TSIG algorithm");
  check_error(result, inline_path, line_containing(text, "name = \"d\"") - 1, "key[3].secret_env",
              "exactly one of secret_file or secret_env");
  check_error(result, inline_path, line_containing(text, "XFR-KEY."), "key[5].name",
              "already defined");
}

TEST_CASE("transfer entries give each zone its ACL; a zone without entries has an empty one") {
  const auto result = load(with_zone(key_toml, R"([[zone.transfer]]
key = "XFR-key."
[[zone.transfer]]
address = "192.0.2.0/24"
[[zone.transfer]]
key = "xfr-key"
address = "::1"
[[zone]]
name = "other.example."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
[server]
max_transfers = 3
)"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto& config = *result.config;
  CHECK(config.server.max_transfers == 3);
  const auto* acl = config.transfer_acl(*dnsd::wire::Name::from_text("tm.example.com."));
  REQUIRE(acl);
  REQUIRE(acl->entries.size() == 3);
  CHECK(acl->entries[0].key->to_text() == "xfr-key.");
  CHECK_FALSE(acl->entries[0].address);
  CHECK(acl->entries[1].address->text == "192.0.2.0/24");
  CHECK(acl->entries[2].key);
  CHECK(acl->entries[2].address);
  const auto* other = config.transfer_acl(*dnsd::wire::Name::from_text("other.example."));
  REQUIRE(other);
  CHECK(other->entries.empty());
}

TEST_CASE("a transfer entry naming an unknown key, a bad range, or nothing is an error") {
  const std::string text = with_zone(key_toml, R"([[zone.transfer]]
key = "nobody"
[[zone.transfer]]
address = "300.1.2.3/8"
[[zone.transfer]]
[server]
max_transfers = 0
)");
  const auto result = load(text);
  check_error(result, inline_path, line_containing(text, "nobody"), "zone[0].transfer[0].key",
              "no [[key]] is named");
  check_error(result, inline_path, line_containing(text, "300.1.2.3"),
              "zone[0].transfer[1].address", "bad address range");
  check_error(result, inline_path, line_containing(text, "[server]") - 1, "zone[0].transfer[2].key",
              "needs a key, an address, or both");
  check_error(result, inline_path, line_containing(text, "max_transfers"), "server.max_transfers",
              "");
}

TEST_CASE("[[secondary]]: address, port (default 53) and key, as NOTIFY is sent") {
  const auto result = load(with_zone(key_toml + R"([[secondary]]
address = "192.0.2.11"
key = "xfr-key."
[[secondary]]
address = "2001:db8::12"
port = 5300
)"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto& secondaries = result.config->secondaries;
  REQUIRE(secondaries.size() == 2);
  CHECK(secondaries[0].address == "192.0.2.11");
  CHECK(secondaries[0].port == 53);
  REQUIRE(secondaries[0].key);
  CHECK(secondaries[0].key->to_text() == "xfr-key.");
  CHECK(secondaries[1].address == "2001:db8::12");
  CHECK(secondaries[1].port == 5300);
  CHECK(!secondaries[1].key);
}

TEST_CASE("[[secondary]] errors name the entry and the key") {
  const std::string text = with_zone(key_toml + R"([[secondary]]
address = "ns1.example.com"
[[secondary]]
address = "192.0.2.11"
key = "nobody."
[[secondary]]
address = "192.0.2.12"
port = 0
[[secondary]]
address = "192.0.2.13"
[[secondary]]
address = "192.0.2.13"
)");
  const auto result = load(text);
  CHECK(!result.config);
  check_error(result, inline_path, line_containing(text, "ns1.example.com"), "secondary[0].address",
              "is not an IPv4 or IPv6 address");
  check_error(result, inline_path, line_containing(text, "nobody."), "secondary[1].key",
              "no [[key]] is named");
  check_error(result, inline_path, line_containing(text, "port = 0"), "secondary[2].port", "");
  check_error(result, inline_path, line_containing(text, "192.0.2.13") + 2, "secondary[4].address",
              "listed twice");
}
