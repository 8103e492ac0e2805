// Files that would hang, bloat or silently empty a load: FIFOs and devices, size, line and
// record bounds, the error cap, truncated files, $INCLUDE of a secret, secret-file modes, and
// the record-drop guard a reload applies.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "conf/files.hh"
#include "conf/record_drop.hh"
#include "conf_test_support.hh"

namespace fs = std::filesystem;

namespace {

// A fresh directory per test case, with the config and its files in it.
struct Dir {
  fs::path path;
  explicit Dir(std::string_view name)
      : path(fs::temp_directory_path() / fmt::format("dnsd_limits_{}_{}", name, ::getpid())) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Dir() { fs::remove_all(path); }
  std::string file(std::string_view name, std::string_view text, mode_t mode = 0600) const {
    const auto p = (path / name).string();
    std::ofstream(p, std::ios::binary) << text;
    ::chmod(p.c_str(), mode);
    return p;
  }
  conf::LoadResult load(std::string_view toml) const {
    return conf::load_string(toml, (path / "dnsd.toml").string());
  }
};

constexpr std::string_view k_zone = R"([[zone]]
name = "tm.example.com."
ns = ["ns1"]
file = "tm.zone"
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
)";

// k_zone with one more key in its [[zone]] table.
std::string with_zone_key(std::string_view line) {
  std::string toml(k_zone);
  const std::string_view after = "file = \"tm.zone\"\n";
  toml.insert(toml.find(after) + after.size(), line);
  return toml;
}

std::string records(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += fmt::format("host{} 300 IN A 192.0.2.1\n", i);
  return out;
}

bool has_error(const conf::LoadResult& result, std::string_view fragment) {
  for (const auto& error : result.errors)
    if (error.to_string().find(fragment) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("files: a FIFO master file is refused at once as not a regular file") {
  Dir dir("fifo");
  REQUIRE(::mkfifo((dir.path / "tm.zone").c_str(), 0600) == 0);
  const auto started = std::chrono::steady_clock::now();
  const auto result = dir.load(k_zone);  // would block forever in open() without O_NONBLOCK
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  INFO(conf_test::all_errors(result));
  CHECK(result.config == nullptr);
  CHECK(has_error(result, "not a regular file (it is a FIFO)"));
}

TEST_CASE("files: a device is not a regular file, so /dev/zero is never read") {
  std::string text, why;
  CHECK_FALSE(conf::read_file("/dev/zero", text, &why));
  CHECK(why == "cannot read \"/dev/zero\": not a regular file (it is a character device)");
  std::string warning;
  CHECK_FALSE(conf::read_secret_file("/dev/zero", text, &why, false, &warning));
  CHECK(why.find("not a regular file") != std::string::npos);
}

TEST_CASE("files: /dev/zero as a header value_file is refused with an error") {
  Dir dir("zero");
  dir.file("tm.zone", "");
  const auto result = dir.load(std::string(k_zone) + R"([[profile]]
name = "ci.tm.example.com."
method = "priority"
[profile.monitor]
protocol = "http"
[[profile.monitor.header]]
name = "Authorization"
value_file = "/dev/zero"
[[profile.endpoint]]
name = "eu"
target = "192.0.2.1"
priority = 1
)");
  INFO(conf_test::all_errors(result));
  CHECK(has_error(result, "value_file: cannot read \"/dev/zero\": not a regular file"));
}

TEST_CASE("files: a master file over max_zone_file_size is refused before it is read") {
  Dir dir("size");
  dir.file("tm.zone", records(200));  // about 5 KB
  const auto result = dir.load("[server]\nmax_zone_file_size = 1024\n" + std::string(k_zone));
  INFO(conf_test::all_errors(result));
  CHECK(has_error(result, "larger than the limit of 1024 bytes"));
  CHECK(dir.load(k_zone).config != nullptr);  // the default allows it
}

TEST_CASE("files: a FIFO as the admin token file is refused at once, not waited on") {
  Dir dir("fifosecret");
  dir.file("tm.zone", "");
  REQUIRE(::mkfifo((dir.path / "admin.token").c_str(), 0600) == 0);
  const auto result =
      dir.load(std::string(k_zone) + "[admin]\nenabled = true\ntoken_file = \"admin.token\"\n");
  INFO(conf_test::all_errors(result));
  CHECK(result.config == nullptr);
  CHECK(has_error(result, "admin.token\": not a regular file (it is a FIFO)"));
}

TEST_CASE("files: a secret file over 8 KiB is an error, and its content is not quoted") {
  Dir dir("bigsecret");
  dir.file("tm.zone", "");
  dir.file("big.token", std::string(9000, 'S'));
  const auto result =
      dir.load(std::string(k_zone) + "[admin]\nenabled = true\ntoken_file = \"big.token\"\n");
  INFO(conf_test::all_errors(result));
  CHECK(has_error(result, "too large for a secret (at most 8192 bytes)"));
  CHECK_FALSE(has_error(result, "SSSS"));
}

TEST_CASE("files: a line over max_zone_line_length gives one short error, not the line") {
  Dir dir("line");
  dir.file("tm.zone",
           "www 300 IN A 192.0.2.1\n" + std::string(100'000, 'x') + "\nok 300 IN A 192.0.2.2\n");
  const auto result = dir.load(k_zone);
  INFO(conf_test::all_errors(result));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].line == 2);
  CHECK(result.errors[0].message ==
        "line is 100000 bytes long, more than max_zone_line_length = 65536");
}

TEST_CASE("files: more records than max_zone_records stops the read with an error") {
  Dir dir("records");
  dir.file("tm.zone", records(20));
  const auto result = dir.load("[server]\nmax_zone_records = 10\n" + std::string(k_zone));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].line == 11);
  CHECK(result.errors[0].message.find("more than max_zone_records = 10") != std::string::npos);
}

TEST_CASE("files: a garbage file reports 50 short printable errors and counts the rest") {
  Dir dir("garbage");
  std::string garbage;
  for (int i = 0; i < 1000; ++i)
    garbage += fmt::format("\x01\xff{} IN A {}\n", std::string(500, '\x80'), i);
  dir.file("tm.zone", garbage);
  const auto result = dir.load(k_zone);
  REQUIRE(result.errors.size() == conf::k_max_errors + 1);
  CHECK(result.errors.back().message == "and 950 more errors (only the first 50 are reported)");
  for (const auto& error : result.errors) {
    const auto line = error.to_string();
    CHECK(line.size() < 600);
    for (char c : line) CHECK((c >= 0x20 && c < 0x7f));
  }
  CHECK(result.errors[0].message.find("\\x01\\xff\\x80") != std::string::npos);
}

TEST_CASE("files: an excerpt is quoted, escaped and cut at 80 bytes") {
  CHECK(conf::excerpt("a\"b\n\xc3") == "\"a\\\"b\\x0a\\xc3\"");
  CHECK(conf::excerpt(std::string(200, 'z')) == "\"" + std::string(80, 'z') + "\"... (200 bytes)");
}

TEST_CASE("files: a file cut inside its last entry is rejected and the error says so") {
  Dir dir("cut");
  dir.file("tm.zone", "www 300 IN A 192.0.2.1\nmail 300 IN MX 10 mail (\n  ");
  auto result = dir.load(k_zone);
  INFO(conf_test::all_errors(result));
  CHECK(result.config == nullptr);
  CHECK(has_error(result, "is it truncated?"));
  dir.file("tm.zone", "www 300 IN A 192.0.2.1\nmail 300 IN A 192.0");
  result = dir.load(k_zone);
  CHECK(has_error(result, "bad A data \"192.0\""));
  CHECK(has_error(result, "is it truncated?"));
}

TEST_CASE("files: $INCLUDE of a configured secret file is refused without quoting it") {
  Dir dir("include_secret");
  dir.file("admin.token", "TOPSECRET-0123456789abcdef\n");
  dir.file("tm.zone", "www 300 IN A 192.0.2.1\n$INCLUDE ./sub/../admin.token\n");
  fs::create_directories(dir.path / "sub");
  const auto result =
      dir.load(std::string(k_zone) + "[admin]\nenabled = true\ntoken_file = \"admin.token\"\n");
  INFO(conf_test::all_errors(result));
  CHECK(has_error(result, "it is configured as a secret file"));
  CHECK_FALSE(has_error(result, "TOPSECRET"));
  // A hard link is the same file: compared by device and inode, not by name.
  REQUIRE(::link((dir.path / "admin.token").c_str(), (dir.path / "alias").c_str()) == 0);
  dir.file("tm.zone", "$INCLUDE alias\n");
  const auto linked =
      dir.load(std::string(k_zone) + "[admin]\nenabled = true\ntoken_file = \"admin.token\"\n");
  CHECK(has_error(linked, "it is configured as a secret file"));
  CHECK_FALSE(has_error(linked, "TOPSECRET"));
}

TEST_CASE("files: $INCLUDE of the metrics token file is refused too") {
  Dir dir("include_metrics_token");
  dir.file("admin.token", "admin-0123456789abcdef\n");
  dir.file("metrics.token", "METRICSSECRET-0123456789\n");
  dir.file("tm.zone", "www 300 IN A 192.0.2.1\n$INCLUDE metrics.token\n");
  const auto result = dir.load(std::string(k_zone) +
                               "[admin]\nenabled = true\ntoken_file = \"admin.token\"\n"
                               "metrics_token_file = \"metrics.token\"\n");
  INFO(conf_test::all_errors(result));
  CHECK(has_error(result, "it is configured as a secret file"));
  CHECK_FALSE(has_error(result, "METRICSSECRET"));
}

TEST_CASE("files: a secret others may read warns once; strict_secret_files refuses it") {
  Dir dir("modes");
  dir.file("tm.zone", "");
  dir.file("admin.token", "tok-0123456789abcdef0123\n", 0644);
  const std::string admin = "[admin]\nenabled = true\ntoken_file = \"admin.token\"\n";
  const auto loose = dir.load(std::string(k_zone) + admin);
  REQUIRE_MESSAGE(loose.config, conf_test::all_errors(loose));
  REQUIRE(loose.warnings.size() == 1);
  CHECK(loose.warnings[0].find("admin.token\" may be read by group or others (mode 0644)") !=
        std::string::npos);
  const auto strict =
      dir.load("[server]\nstrict_secret_files = true\n" + std::string(k_zone) + admin);
  CHECK(has_error(strict, "strict_secret_files = true refuses it"));
  ::chmod((dir.path / "admin.token").c_str(), 0600);
  const auto tight =
      dir.load("[server]\nstrict_secret_files = true\n" + std::string(k_zone) + admin);
  CHECK(tight.config != nullptr);
  CHECK(tight.warnings.empty());
  fs::create_symlink(dir.path / "admin.token", dir.path / "link.token");
  const auto linked =
      dir.load(std::string(k_zone) + "[admin]\nenabled = true\ntoken_file = \"link.token\"\n");
  REQUIRE(linked.warnings.size() == 1);
  CHECK(linked.warnings[0].find("is reached through a symbolic link") != std::string::npos);
}

TEST_CASE("record drop: a reload keeping half the records passes, one keeping less is refused") {
  Dir dir("drop");
  dir.file("tm.zone", records(100));
  const auto before = dir.load(k_zone);
  REQUIRE(before.config);
  CHECK(before.config->zone_records.at(0).records == 102);  // SOA, NS and the file's 100
  dir.file("tm.zone", records(49));
  auto after = dir.load(k_zone);
  REQUIRE(after.config);
  CHECK(conf::check_record_drop(*before.config, *after.config).empty());  // 51 of 102 dropped: 50%
  dir.file("tm.zone", records(48));
  after = dir.load(k_zone);
  REQUIRE(after.config);
  const auto errors = conf::check_record_drop(*before.config, *after.config);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].key == "zone[0].name");
  CHECK(errors[0].message ==
        "zone tm.example.com.: the reload would drop 52 of its 102 records (50 left, 51.0%), more "
        "than max_record_drop = 50% allows; if that is intended, set max_record_drop = 100 in "
        "this [[zone]] for this reload");
}

TEST_CASE("record drop: an emptied master file is refused unless the zone allows the drop") {
  Dir dir("empty");
  dir.file("tm.zone", records(1000));
  const auto before = dir.load(k_zone);
  REQUIRE(before.config);
  dir.file("tm.zone", "");
  const auto after = dir.load(k_zone);
  REQUIRE(after.config);
  CHECK(conf::check_record_drop(*before.config, *after.config).size() == 1);
  const auto allowed = dir.load(with_zone_key("max_record_drop = 100\n"));
  REQUIRE_MESSAGE(allowed.config, conf_test::all_errors(allowed));
  CHECK(conf::check_record_drop(*before.config, *allowed.config).empty());
  const auto server_wide = dir.load("[server]\nmax_record_drop = 100\n" + std::string(k_zone));
  REQUIRE(server_wide.config);
  CHECK(conf::check_record_drop(*before.config, *server_wide.config).empty());
}

TEST_CASE("files: the limits are read from [server] and checked for range") {
  Dir dir("keys");
  dir.file("tm.zone", "");
  const auto result = dir.load(R"([server]
max_zone_file_size = 2048
max_zone_records = 7
max_zone_line_length = 300
max_record_drop = 10
strict_secret_files = true
)" + std::string(k_zone));
  REQUIRE_MESSAGE(result.config, conf_test::all_errors(result));
  const auto& files = result.config->server.files;
  CHECK(files.max_zone_file_size == 2048);
  CHECK(files.max_zone_records == 7);
  CHECK(files.max_zone_line_length == 300);
  CHECK(files.max_record_drop == 10);
  CHECK(files.strict_secret_files);
  CHECK(result.config->zone_records.at(0).max_record_drop == 10);
  const auto bad = dir.load("[server]\nmax_record_drop = 101\nmax_zone_line_length = 10\n" +
                            std::string(k_zone));
  CHECK(has_error(bad, "server.max_record_drop"));
  CHECK(has_error(bad, "server.max_zone_line_length"));
}
