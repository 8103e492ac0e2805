// The Publisher: a decision change is a new serial, a journal diff of exactly the old and new
// records and a report; no change, no serial; serials kept across restarts; reloads.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "dnsd/zone/serial.hh"
#include "fixture.hh"

using namespace publish_test;
using Strings = std::vector<std::string>;

namespace {

const std::string ci_profile = R"(
[[profile]]
name = "ci.tm.test."
method = "priority"
ttl = 1
[profile.monitor]
protocol = "http"
[[profile.endpoint]]
name = "eu"
target = "eu.tenant.example."
priority = 1
[[profile.endpoint]]
name = "us"
target = "us.tenant.example."
priority = 2
)";

struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/publisher_XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

const dnsd::wire::Name tm_test = name("tm.test.");

std::uint32_t serial_of(const publish::Publisher& publisher) {
  const auto snapshot = publisher.snapshot(tm_test);
  REQUIRE(snapshot);
  return snapshot->serial();
}

publish::Settings kept_in(const std::string& dir,
                          publish::SerialPolicy policy = publish::SerialPolicy::increment) {
  publish::Settings settings;
  settings.state_directory = dir;
  settings.serial_policy = policy;
  return settings;
}

}  // namespace

TEST_CASE("a zone is published at the config's serial the first time, and reported") {
  World world(zone_toml + ci_profile);
  std::vector<publish::Published> reported;
  publish::Publisher publisher({{}, [&](const publish::Published& p) { reported.push_back(p); }});
  const auto changes = publisher.reload(world.inputs());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].zone == tm_test);
  CHECK(changes[0].serial == 7);
  REQUIRE(reported.size() == 1);
  CHECK(reported[0].serial == 7);
  CHECK(serial_of(publisher) == 7);
  CHECK(publisher.snapshot(tm_test)->journal->size() == 0);
  CHECK(publisher.published().size() == 1);
  CHECK(publisher.snapshot(name("other.test.")) == nullptr);
}

TEST_CASE("failover: a new CNAME, the next serial and a diff of exactly the old and new record") {
  World world(zone_toml + ci_profile);
  std::vector<std::uint32_t> reported;
  publish::Publisher publisher(
      {{}, [&](const publish::Published& p) { reported.push_back(p.serial); }});
  publisher.reload(world.inputs());
  const auto before = publisher.snapshot(tm_test);
  world.fail("ci.tm.test.", "eu");
  const auto changes = publisher.refresh();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].serial == 8);
  CHECK(reported == std::vector<std::uint32_t>{7, 8});
  const auto after = publisher.snapshot(tm_test);
  CHECK(after->serial() == 8);
  CHECK(at(*after->zone, "ci.tm.test.") == Strings{"ci.tm.test. 1 CNAME us.tenant.example."});
  // The reader that took the old snapshot still has the old zone, whole.
  CHECK(before->serial() == 7);
  CHECK(at(*before->zone, "ci.tm.test.") == Strings{"ci.tm.test. 1 CNAME eu.tenant.example."});
  const auto diffs = after->journal->since(7);
  REQUIRE(diffs);
  REQUIRE(diffs->size() == 1);
  const dnsd::zone::Diff& diff = (*diffs)[0];
  CHECK(diff.from_serial() == 7);
  CHECK(diff.to_serial() == 8);
  CHECK(texts(diff.removed) == Strings{"ci.tm.test. 1 CNAME eu.tenant.example."});
  CHECK(texts(diff.added) == Strings{"ci.tm.test. 1 CNAME us.tenant.example."});
  CHECK(after->journal->since(8)->empty());
  CHECK(!after->journal->since(6));  // not in the journal: a whole-zone transfer
}

TEST_CASE("no change of any decision: no new serial, the same snapshot") {
  World world(zone_toml + ci_profile);
  publish::Publisher publisher;
  publisher.reload(world.inputs());
  const auto before = publisher.snapshot(tm_test);
  world.fail("ci.tm.test.", "us");  // not the chosen one: the decision stays eu
  CHECK(publisher.refresh().empty());
  world.recover("ci.tm.test.", "eu");  // CheckingEndpoint -> Online: still eu
  CHECK(publisher.refresh().empty());
  CHECK(publisher.snapshot(tm_test) == before);
  CHECK(publisher.reload(world.inputs()).empty());  // the same config again: nothing changed
  CHECK(publisher.snapshot(tm_test) == before);
}

TEST_CASE("flapping: every flip is a serial, and the latest serial holds the latest health") {
  World world(zone_toml + ci_profile);
  publish::Publisher publisher;
  publisher.reload(world.inputs());
  for (int i = 0; i < 20; ++i) {
    if (i % 2 == 0)
      world.fail("ci.tm.test.", "eu");
    else
      world.recover("ci.tm.test.", "eu");
    REQUIRE(publisher.refresh().size() == 1);
  }
  CHECK(serial_of(publisher) == 27);
  CHECK(at(*publisher.snapshot(tm_test)->zone, "ci.tm.test.") ==
        Strings{"ci.tm.test. 1 CNAME eu.tenant.example."});
  const auto chain = publisher.snapshot(tm_test)->journal->since(7);
  REQUIRE(chain);
  CHECK(chain->size() == 20);
}

TEST_CASE("flapping from two threads: once both are done, the view follows the last write") {
  World world(zone_toml + ci_profile);
  publish::Publisher publisher;
  publisher.reload(world.inputs());
  std::thread other([&] {
    for (int i = 0; i < 200; ++i) {
      world.set("ci.tm.test.", "us",
                i % 2 ? routing::MonitorStatus::online : routing::MonitorStatus::degraded);
      publisher.refresh();
    }
  });
  for (int i = 0; i < 200; ++i) {
    if (i % 2)
      world.recover("ci.tm.test.", "eu");
    else
      world.fail("ci.tm.test.", "eu");
    publisher.refresh();
  }
  other.join();
  world.fail("ci.tm.test.", "eu");
  publisher.refresh();
  CHECK(at(*publisher.snapshot(tm_test)->zone, "ci.tm.test.") ==
        Strings{"ci.tm.test. 1 CNAME us.tenant.example."});
}

TEST_CASE("restart: the serial continues above the kept one and never goes backwards") {
  TempDir dir;
  World world(zone_toml + ci_profile);
  {
    publish::Publisher publisher;
    publisher.reload(world.inputs(kept_in(dir.path)));
    world.fail("ci.tm.test.", "eu");
    publisher.refresh();
    CHECK(serial_of(publisher) == 8);
  }
  publish::Publisher restarted;
  const auto changes = restarted.reload(world.inputs(kept_in(dir.path)));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].serial == 9);  // above 8, though the config still says 7
  CHECK(publish::SerialFile(dir.path, "tm.test.").load() == 9);
}

TEST_CASE("restart: a config serial ahead of the kept one wins") {
  TempDir dir;
  {
    World world(zone_toml + ci_profile);
    publish::Publisher publisher;
    publisher.reload(world.inputs(kept_in(dir.path)));
  }
  std::string ahead = zone_toml;
  ahead.replace(ahead.find("serial = 7"), 10, "serial = 500");
  World world(ahead + ci_profile);
  publish::Publisher restarted;
  restarted.reload(world.inputs(kept_in(dir.path)));
  CHECK(serial_of(restarted) == 500);
}

TEST_CASE("restart: each policy starts above a kept serial near the wrap-around") {
  TempDir dir;
  World world(zone_toml + ci_profile);
  for (const auto policy : {publish::SerialPolicy::increment, publish::SerialPolicy::unix_time,
                            publish::SerialPolicy::date}) {
    REQUIRE(publish::SerialFile(dir.path, "tm.test.").save(0xffffffffu));
    publish::Publisher publisher;
    publisher.reload(world.inputs(kept_in(dir.path, policy)));
    const std::uint32_t serial = serial_of(publisher);
    CHECK(dnsd::zone::serial_gt(serial, 0xffffffffu));
    CHECK(publish::SerialFile(dir.path, "tm.test.").load() == serial);
  }
}

TEST_CASE("reload: a changed static record is a new serial with its diff; the decision stays") {
  World world(zone_toml + ci_profile);
  publish::Publisher publisher;
  publisher.reload(world.inputs());
  std::string changed = zone_toml;
  changed.replace(changed.find("127.0.0.1"), 9, "127.0.0.2");
  World next(changed + ci_profile);
  const auto changes = publisher.reload(next.inputs());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].serial == 8);
  const auto snapshot = publisher.snapshot(tm_test);
  const auto diffs = snapshot->journal->since(7);
  REQUIRE(diffs);
  REQUIRE(diffs->size() == 1);
  CHECK(texts((*diffs)[0].removed) == Strings{"ns1.tm.test. 3600 A 127.0.0.1"});
  CHECK(texts((*diffs)[0].added) == Strings{"ns1.tm.test. 3600 A 127.0.0.2"});
  CHECK(at(*snapshot->zone, "ci.tm.test.") == Strings{"ci.tm.test. 1 CNAME eu.tenant.example."});
  // Decisions now come from the new config's health table.
  next.fail("ci.tm.test.", "eu");
  REQUIRE(publisher.refresh().size() == 1);
  CHECK(serial_of(publisher) == 9);
}

TEST_CASE("reload: a profile disabled by the config leaves nothing at its name, by a diff") {
  World world(zone_toml + ci_profile);
  publish::Publisher publisher;
  publisher.reload(world.inputs());
  std::string disabled = ci_profile;
  disabled.replace(disabled.find("ttl = 1"), 7, "ttl = 1\nstatus = \"disabled\"");
  World next(zone_toml + disabled);
  REQUIRE(publisher.reload(next.inputs()).size() == 1);
  const auto snapshot = publisher.snapshot(tm_test);
  CHECK(at(*snapshot->zone, "ci.tm.test.").empty());
  const auto diffs = snapshot->journal->since(7);
  REQUIRE(diffs);
  CHECK(texts((*diffs)[0].removed) == Strings{"ci.tm.test. 1 CNAME eu.tenant.example."});
  CHECK((*diffs)[0].added.empty());
}

TEST_CASE("reload: only the zones asked for are published; a zone left out is dropped") {
  World world(zone_toml + ci_profile);
  publish::Publisher publisher;
  publisher.reload(world.inputs());
  auto inputs = world.inputs();
  const std::vector<dnsd::wire::Name> none;
  inputs.only = &none;
  CHECK(publisher.reload(inputs).empty());
  CHECK(publisher.snapshot(tm_test) == nullptr);
  CHECK(publisher.published().empty());
}

TEST_CASE("multivalue: a set that changes in part is replaced whole, and the view follows") {
  World world(zone_toml + R"(
[[profile]]
name = "api.tm.test."
method = "multivalue"
[profile.monitor]
protocol = "http"
[[profile.endpoint]]
name = "a"
target = "192.0.2.1"
[[profile.endpoint]]
name = "b"
target = "192.0.2.2"
[[profile.endpoint]]
name = "c"
target = "192.0.2.3"
)");
  publish::Publisher publisher;
  publisher.reload(world.inputs());
  world.fail("api.tm.test.", "a");
  REQUIRE(publisher.refresh().size() == 1);
  const auto snapshot = publisher.snapshot(tm_test);
  CHECK(at(*snapshot->zone, "api.tm.test.") ==
        Strings{"api.tm.test. 1 A 192.0.2.2", "api.tm.test. 1 A 192.0.2.3"});
  const dnsd::zone::Diff& diff = (*snapshot->journal->since(7))[0];
  CHECK(texts(diff.removed) == Strings{"api.tm.test. 1 A 192.0.2.1", "api.tm.test. 1 A 192.0.2.2"});
  CHECK(texts(diff.added) == Strings{"api.tm.test. 1 A 192.0.2.2", "api.tm.test. 1 A 192.0.2.3"});
}

TEST_CASE("flattening: the first resolution of the chosen endpoint is a new serial adding it") {
  std::string flat = ci_profile;
  flat.replace(flat.find("ttl = 1"), 7, "ttl = 1\nflatten = true");
  World world(zone_toml + flat);
  publish::Publisher publisher;
  publisher.reload(world.inputs());
  CHECK(at(*publisher.snapshot(tm_test)->zone, "ci.tm.test.").empty());
  routing::AddressList list;
  list.v4_count = 1;
  list.v4[0] = {198, 51, 100, 1};
  world.flat.store(world.id("ci.tm.test.", "eu"), list);
  REQUIRE(publisher.refresh().size() == 1);
  const auto snapshot = publisher.snapshot(tm_test);
  CHECK(snapshot->serial() == 8);
  const dnsd::zone::Diff& diff = (*snapshot->journal->since(7))[0];
  CHECK(diff.removed.empty());
  CHECK(texts(diff.added) == Strings{"ci.tm.test. 1 A 198.51.100.1"});
}
