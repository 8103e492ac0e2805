// [catalog]: the catalog zone is one more zone of the config, with its own ACL; its members
// default to the zones someone may transfer; every mistake is named by file, line and key.
#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::line_containing;
using conf_test::load;

namespace {

using dnsd::wire::Name;

// A key, tm.example.com. (transferable with the key) and other.example. (transferred to no one).
const std::string zones_toml = R"([[key]]
name = "xfr-key.example."
secret_file = "tsig/xfr.secret"
[[zone]]
name = "tm.example.com."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
[[zone.transfer]]
key = "xfr-key.example."
[[zone]]
name = "other.example."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
)";

std::string with_catalog(const std::string& catalog) { return zones_toml + catalog; }

const dnsd::zone::Zone* zone_named(const conf::Config& config, const std::string& name) {
  const auto origin = *Name::from_text(name);
  for (const auto& zone : config.zones.zones())
    if (zone->origin().lowercased() == origin) return zone.get();
  return nullptr;
}

}  // namespace

TEST_CASE("catalog: without a zones key it lists every zone with transfer entries") {
  const auto result = load(with_catalog(R"([catalog]
name = "Catalog.Invalid."
[[catalog.transfer]]
key = "xfr-key.example."
)"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto& config = *result.config;
  REQUIRE(config.catalog);
  CHECK(config.catalog->origin.to_text() == "catalog.invalid.");
  CHECK(config.catalog->serial == 1);
  REQUIRE(config.catalog->members.size() == 1);
  CHECK(config.catalog->members[0].to_text() == "tm.example.com.");
  // Served and transferred as any zone: in the ZoneSet, with its own ACL.
  const auto* catalog = zone_named(config, "catalog.invalid.");
  REQUIRE(catalog);
  CHECK(catalog->serial() == 1);
  CHECK(catalog->find(*Name::from_text("version.catalog.invalid.")));
  CHECK(config.zones.find_enclosing(*Name::from_text("x.zones.catalog.invalid.")) == catalog);
  const auto* acl = config.transfer_acl(*Name::from_text("catalog.invalid."));
  REQUIRE(acl);
  REQUIRE(acl->entries.size() == 1);
  CHECK(acl->entries[0].key->to_text() == "xfr-key.example.");
}

TEST_CASE("catalog: a zones list and a serial are taken as given") {
  const auto result = load(with_catalog(R"([[zone.transfer]]
address = "127.0.0.1"
[catalog]
name = "catalog.invalid."
zones = ["OTHER.example.", "tm.example.com."]
serial = 2026112301
)"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto& catalog = *result.config->catalog;
  CHECK(catalog.serial == 2026112301);
  REQUIRE(catalog.members.size() == 2);
  CHECK(catalog.members[0].to_text() == "other.example.");
  CHECK(catalog.members[1].to_text() == "tm.example.com.");
  const auto* zone = zone_named(*result.config, "catalog.invalid.");
  REQUIRE(zone);
  CHECK(zone->serial() == 2026112301);
  // No [[catalog.transfer]]: like a zone without entries, transferred to no one.
  const auto* acl = result.config->transfer_acl(*Name::from_text("catalog.invalid."));
  REQUIRE(acl);
  CHECK(acl->entries.empty());
}

TEST_CASE("catalog: no [catalog] table, no catalog zone") {
  const auto result = load(zones_toml);
  REQUIRE(result.config);
  CHECK_FALSE(result.config->catalog);
  CHECK(result.config->zones.zones().size() == 2);
}

TEST_CASE("catalog: an unknown, repeated, untransferable or badly written member is named") {
  const std::string text = with_catalog(R"([catalog]
name = "catalog.invalid."
zones = [
  "tm.example.com.",
  "nowhere.example.",
  "TM.example.com.",
  "other.example.",
  "bad..name.",
]
)");
  const auto result = load(text);
  check_error(result, inline_path, line_containing(text, "\"nowhere"), "catalog.zones[1]",
              "no [[zone]] is named nowhere.example. (expected one of: tm.example.com., "
              "other.example.)");
  check_error(result, inline_path, line_containing(text, "\"TM."), "catalog.zones[2]",
              "tm.example.com. is listed twice");
  check_error(result, inline_path, line_containing(text, "  \"other"), "catalog.zones[3]",
              "zone other.example. has no [[zone.transfer]] entries");
  check_error(result, inline_path, line_containing(text, "bad..name"), "catalog.zones[4]",
              "bad zone name");
}

TEST_CASE("catalog: a name that is a served zone's, inside one or above one is refused") {
  const auto same = with_catalog("[catalog]\nname = \"TM.example.com.\"\n");
  check_error(load(same), inline_path, line_containing(same, "TM.example"), "catalog.name",
              "tm.example.com. is the name of zone[0]");
  const auto inside = with_catalog("[catalog]\nname = \"catalog.tm.example.com.\"\n");
  check_error(load(inside), inline_path, line_containing(inside, "catalog.tm"), "catalog.name",
              "catalog.tm.example.com. is inside zone[0] (tm.example.com.)");
  const auto above = with_catalog("[catalog]\nname = \"example.\"\n");
  check_error(load(above), inline_path, line_containing(above, "\"example.\""), "catalog.name",
              "zone[1] (other.example.) is inside the catalog's name example.");
}

TEST_CASE("catalog: a missing or bad name, a bad serial, an unknown key, a bad entry") {
  const std::string missing = with_catalog("[catalog]\nserial = 1\n");
  check_error(load(missing), inline_path, line_containing(missing, "[catalog]"), "catalog.name",
              "is required");
  const std::string text = with_catalog(R"([catalog]
name = "bad..catalog."
serial = -1
members = ["tm.example.com."]
[[catalog.transfer]]
key = "nobody."
)");
  const auto result = load(text);
  check_error(result, inline_path, line_containing(text, "bad..catalog"), "catalog.name",
              "bad catalog name");
  check_error(result, inline_path, line_containing(text, "serial = -1"), "catalog.serial",
              "must be between 0 and 4294967295");
  check_error(result, inline_path, line_containing(text, "members ="), "catalog.members",
              "unknown key \"members\"");
  check_error(result, inline_path, line_containing(text, "nobody"), "catalog.transfer[0].key",
              "no [[key]] is named");
  const std::string not_tables =
      with_catalog("[catalog]\nname = \"catalog.invalid.\"\ntransfer = \"xfr-key.example.\"\n");
  check_error(load(not_tables), inline_path, line_containing(not_tables, "transfer ="),
              "catalog.transfer", "[[catalog.transfer]] with key and/or address");
}
