// Serial policies (RFC 1982 arithmetic) and the file that keeps the last serial.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dnsd/zone/serial.hh"
#include "publish/serial.hh"

using namespace publish;

namespace {

// 2026-12-02 15:10:00 UTC.
const Clock::time_point december_2 = Clock::time_point(std::chrono::seconds(1796224200));

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/publish_serial_XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("increment: the next serial is the last plus one, wrapping from 2^32-1 to 0") {
  CHECK(next_serial(SerialPolicy::increment, 7, december_2) == 8);
  CHECK(next_serial(SerialPolicy::increment, 0xffffffffu, december_2) == 0);
}

TEST_CASE("unix: the Unix time when newer, else the last plus one") {
  CHECK(next_serial(SerialPolicy::unix_time, 7, december_2) == 1796224200u);
  CHECK(next_serial(SerialPolicy::unix_time, 1796224200u, december_2) == 1796224201u);
  // Two changes in one second: the serial runs ahead of the clock, never back.
  CHECK(next_serial(SerialPolicy::unix_time, 1796224201u, december_2) == 1796224202u);
}

TEST_CASE("date: today's YYYYMMDD00 when newer, else the last plus one") {
  CHECK(policy_value(SerialPolicy::date, december_2) == 2026120200u);
  CHECK(next_serial(SerialPolicy::date, 2026113005u, december_2) == 2026120200u);
  CHECK(next_serial(SerialPolicy::date, 2026120200u, december_2) == 2026120201u);
  CHECK(policy_value(SerialPolicy::date, Clock::time_point(std::chrono::seconds(951782400))) ==
        2000022900u);  // a leap day
}

TEST_CASE("every policy gives a serial newer than the last, across the wrap-around too") {
  for (const auto policy : {SerialPolicy::increment, SerialPolicy::unix_time, SerialPolicy::date})
    for (const std::uint32_t last :
         {0u, 7u, 2026120299u, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu}) {
      const std::uint32_t next = next_serial(policy, last, december_2);
      CHECK(dnsd::zone::serial_gt(next, last));
    }
}

TEST_CASE("start: above the kept serial, the config's serial when it is ahead, else the policy's") {
  CHECK(start_serial(SerialPolicy::increment, std::nullopt, 7, december_2) == 7);
  CHECK(start_serial(SerialPolicy::increment, 41, 7, december_2) == 42);
  CHECK(start_serial(SerialPolicy::increment, 41, 100, december_2) == 100);  // config ahead wins
  CHECK(start_serial(SerialPolicy::increment, 0xffffffffu, 0xfffffff0u, december_2) == 0);
  CHECK(start_serial(SerialPolicy::increment, 0xffffffffu, 7, december_2) == 7);  // 7 is after 0
  CHECK(start_serial(SerialPolicy::unix_time, std::nullopt, 7, december_2) == 1796224200u);
  CHECK(start_serial(SerialPolicy::unix_time, 1796224300u, 7, december_2) == 1796224301u);
  CHECK(start_serial(SerialPolicy::date, std::nullopt, 2026120105u, december_2) == 2026120200u);
  CHECK(start_serial(SerialPolicy::date, 2026120203u, 2026120105u, december_2) == 2026120204u);
  CHECK(start_serial(SerialPolicy::date, 2026120203u, 2026120500u, december_2) == 2026120500u);
}

TEST_CASE("serial file: saved and loaded back; absent, it holds nothing and says nothing") {
  TempDir dir;
  const SerialFile file(dir.path.string(), "tm.example.com.");
  CHECK(file.path() == (dir.path / "tm.example.com.serial").string());
  std::string why;
  CHECK(!file.load(&why));
  CHECK(why.empty());
  REQUIRE(file.save(4294967295u));
  CHECK(file.load() == 4294967295u);
  REQUIRE(file.save(12));
  CHECK(file.load() == 12);
  CHECK(!std::filesystem::exists(file.path() + ".tmp"));
}

TEST_CASE("serial file: a file that does not hold a serial is reported, not taken as 0") {
  TempDir dir;
  const SerialFile file(dir.path.string(), "tm.test.");
  std::ofstream(file.path()) << "12x\n";
  std::string why;
  CHECK(!file.load(&why));
  CHECK(why.find("does not hold a serial") != std::string::npos);
}

TEST_CASE("serial file: zone names never leave the directory") {
  CHECK(SerialFile("/d", ".").path() == "/d/root.serial");
  CHECK(SerialFile("/d", "a/b.test.").path() == "/d/a%2Fb.test.serial");
  CHECK(SerialFile("", "tm.test.").path().empty());
  CHECK(SerialFile("", "tm.test.").save(5));  // nothing kept, nothing to fail
}
