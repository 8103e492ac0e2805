// Update log: round trip, reopen, recovery from a torn tail at every byte, damage in the
// middle, atomic rewrite, and the files it refuses. Real files in a temporary directory.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "control/crc32c.hh"
#include "control/update_log.hh"

using control::UpdateLog;
using Entries = std::vector<std::vector<std::uint8_t>>;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "dnsd-ulog-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<std::uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }

std::string read_raw(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void write_raw(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

// A log holding `entries`, closed again.
void make_log(const fs::path& p, const Entries& entries) {
  UpdateLog log;
  Entries replayed;
  std::string warning;
  REQUIRE(log.open(p.string(), replayed, warning) == "");
  for (const auto& e : entries) REQUIRE(log.append(e) == "");
}

struct Opened {
  std::string error, warning;
  Entries replayed;
};
Opened reopen(const fs::path& p) {
  UpdateLog log;
  Opened o;
  o.error = log.open(p.string(), o.replayed, o.warning);
  return o;
}

const Entries k_three = {bytes("first"), bytes(""), bytes(std::string(3000, 'x'))};

}  // namespace

TEST_CASE("crc32c matches the RFC 3720 check value") {
  const auto digits = bytes("123456789");
  CHECK(control::crc32c(digits) == 0xE3069283u);
  const auto zeros = std::vector<std::uint8_t>(32, 0);
  CHECK(control::crc32c(zeros) == 0x8A9136AAu);  // RFC 3720 B.4: 32 bytes of zeros
}

TEST_CASE("entries appended are replayed in order when the log is opened again") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  UpdateLog log;
  Entries replayed;
  std::string warning;
  REQUIRE(log.open(path.string(), replayed, warning) == "");
  CHECK(replayed.empty());
  CHECK(warning == "");
  CHECK(log.size_bytes() == 16);
  for (const auto& e : k_three) REQUIRE(log.append(e) == "");
  CHECK(log.size_bytes() == fs::file_size(path));
  CHECK(log.size_bytes() == 16 + 3 * 8 + 5 + 0 + 3000);
  log = UpdateLog();  // closes (and unlocks) the file

  const Opened again = reopen(path);
  CHECK(again.error == "");
  CHECK(again.warning == "");
  CHECK(again.replayed == k_three);
}

TEST_CASE("appends after a reopen follow the replayed entries") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  make_log(path, {bytes("a")});
  {
    UpdateLog log;
    Entries replayed;
    std::string warning;
    REQUIRE(log.open(path.string(), replayed, warning) == "");
    REQUIRE(log.append(bytes("b")) == "");
  }
  CHECK(reopen(path).replayed == Entries{bytes("a"), bytes("b")});
}

TEST_CASE("a second opener of the same log is refused while the first has it") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  UpdateLog first;
  Entries replayed;
  std::string warning;
  REQUIRE(first.open(path.string(), replayed, warning) == "");
  const Opened second = reopen(path);
  CHECK(second.error.find("another process") != std::string::npos);
}

TEST_CASE("a torn last entry at every byte offset is cut back to the previous entry") {
  TempDir dir;
  const auto full = dir.path / "full.log";
  make_log(full, {bytes("kept one"), bytes("kept two"), bytes("the last entry, torn")});
  const std::string whole = read_raw(full);
  const std::size_t last_size = 8 + 20;
  const std::size_t good = whole.size() - last_size;
  const auto path = dir.path / "torn.log";
  // Every prefix that ends inside the last entry: 1 .. last_size-1 of its bytes, and also the
  // whole entry with its last byte flipped (its checksum then fails, and nothing follows it).
  for (std::size_t cut = 1; cut <= last_size; ++cut) {
    CAPTURE(cut);
    std::string data = whole.substr(0, good + cut);
    if (cut == last_size) data.back() ^= 0x01;
    write_raw(path, data);
    const Opened o = reopen(path);
    CHECK(o.error == "");
    CHECK(o.replayed == Entries{bytes("kept one"), bytes("kept two")});
    CHECK(o.warning.find("torn last entry") != std::string::npos);
    CHECK(o.warning.find(std::to_string(good)) != std::string::npos);  // the offset
    CHECK(fs::file_size(path) == good);
    // Cut for good: the next open is clean, and an append lands right after entry two.
    {
      UpdateLog log;
      Entries replayed;
      std::string warning;
      REQUIRE(log.open(path.string(), replayed, warning) == "");
      CHECK(warning == "");
      REQUIRE(log.append(bytes("next")) == "");
    }
    CHECK(reopen(path).replayed == Entries{bytes("kept one"), bytes("kept two"), bytes("next")});
  }
}

TEST_CASE("a zero-filled tail (a crash before the data landed) is cut as torn") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  make_log(path, {bytes("one")});
  write_raw(path, read_raw(path) + std::string(4096, '\0'));
  const Opened o = reopen(path);
  CHECK(o.error == "");
  CHECK(o.replayed == Entries{bytes("one")});
  CHECK(o.warning.find("torn last entry") != std::string::npos);
  CHECK(!fs::exists(dir.path / "updates.log.corrupt"));
}

TEST_CASE("a damaged entry in the middle stops the replay there and keeps the damaged file") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  make_log(path, {bytes("one"), bytes("two"), bytes("three")});
  std::string data = read_raw(path);
  const std::size_t second = 16 + 8 + 3;
  data[second + 8] ^= 0x20;  // "two" -> "Two": the checksum no longer matches
  write_raw(path, data);

  const Opened o = reopen(path);
  CHECK(o.error == "");
  // Never skipped: "three" is not replayed, though its own checksum is fine.
  CHECK(o.replayed == Entries{bytes("one")});
  CHECK(o.warning.find("damaged entry at offset " + std::to_string(second)) != std::string::npos);
  CHECK(o.warning.find("checksum mismatch") != std::string::npos);
  CHECK(o.warning.find("updates.log.corrupt") != std::string::npos);
  // Nothing lost: the damaged file, byte for byte, is kept beside the log.
  CHECK(read_raw(dir.path / "updates.log.corrupt") == data);
  CHECK(reopen(path).replayed == Entries{bytes("one")});
  CHECK(reopen(path).warning == "");

  // A second damage keeps a second copy; the first is not overwritten.
  make_log(dir.path / "other.log", {});
  std::string again = read_raw(path) + data.substr(second);
  write_raw(path, again);
  const Opened o2 = reopen(path);
  CHECK(o2.warning.find("updates.log.corrupt.1") != std::string::npos);
  CHECK(read_raw(dir.path / "updates.log.corrupt") == data);
  CHECK(read_raw(dir.path / "updates.log.corrupt.1") == again);
}

TEST_CASE("a damaged length in the middle is found too") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  make_log(path, {bytes("one"), bytes("two"), bytes("three")});
  std::string data = read_raw(path);
  data[16 + 8 + 3] = '\x7f';  // the second entry's length: 0x7f000003, over the limit
  write_raw(path, data);
  const Opened o = reopen(path);
  CHECK(o.replayed == Entries{bytes("one")});
  CHECK(o.warning.find("over the limit") != std::string::npos);
  CHECK(fs::exists(dir.path / "updates.log.corrupt"));
}

TEST_CASE("rewrite replaces the log and later appends follow the new entries") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  UpdateLog log;
  Entries replayed;
  std::string warning;
  REQUIRE(log.open(path.string(), replayed, warning) == "");
  for (const auto& e : k_three) REQUIRE(log.append(e) == "");
  REQUIRE(log.rewrite({bytes("compacted")}) == "");
  CHECK(log.size_bytes() == 16 + 8 + 9);
  REQUIRE(log.append(bytes("after")) == "");
  CHECK(!fs::exists(dir.path / "updates.log.tmp"));
  log = UpdateLog();
  CHECK(reopen(path).replayed == Entries{bytes("compacted"), bytes("after")});
}

TEST_CASE("a crash between the temp file's write and its rename leaves the old log") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  make_log(path, {bytes("old one"), bytes("old two")});
  // What rewrite() had written when the crash came: a complete temp file, never renamed.
  make_log(dir.path / "new.log", {bytes("new")});
  fs::rename(dir.path / "new.log", dir.path / "updates.log.tmp");

  const Opened o = reopen(path);
  CHECK(o.error == "");
  CHECK(o.warning == "");
  CHECK(o.replayed == Entries{bytes("old one"), bytes("old two")});
  CHECK(!fs::exists(dir.path / "updates.log.tmp"));  // the leftover is removed
}

TEST_CASE("a rewrite that cannot finish leaves the old log as it was") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  UpdateLog log;
  Entries replayed;
  std::string warning;
  REQUIRE(log.open(path.string(), replayed, warning) == "");
  REQUIRE(log.append(bytes("kept")) == "");
  const std::string before = read_raw(path);
  // An entry over the bound fails before anything is written.
  const std::string error =
      log.rewrite({bytes("x"), std::vector<std::uint8_t>(control::k_max_update_log_entry + 1)});
  CHECK(error.find("over the limit") != std::string::npos);
  CHECK(read_raw(path) == before);
  REQUIRE(log.append(bytes("still appending")) == "");
  log = UpdateLog();
  CHECK(reopen(path).replayed == Entries{bytes("kept"), bytes("still appending")});
}

TEST_CASE("an entry over the size bound is refused and nothing is written") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  UpdateLog log;
  Entries replayed;
  std::string warning;
  REQUIRE(log.open(path.string(), replayed, warning) == "");
  const std::vector<std::uint8_t> big(control::k_max_update_log_entry + 1, 0x41);
  CHECK(log.append(big).find("over the limit") != std::string::npos);
  CHECK(fs::file_size(path) == 16);
  const std::vector<std::uint8_t> largest(control::k_max_update_log_entry, 0x41);
  CHECK(log.append(largest) == "");
}

TEST_CASE("a file with a wrong header is refused, named, and left untouched") {
  TempDir dir;
  const auto path = dir.path / "zone.db";
  const std::string text = "example.org. 300 IN SOA ns hostmaster 1 2 3 4 5\n";
  write_raw(path, text);
  const Opened o = reopen(path);
  CHECK(o.error.find("zone.db") != std::string::npos);
  CHECK(o.error.find("not a dnsd update log") != std::string::npos);
  CHECK(read_raw(path) == text);

  // A later version: refused with the version named, not cut.
  std::string future = read_raw((make_log(dir.path / "v.log", {bytes("e")}), dir.path / "v.log"));
  future[11] = 2;
  write_raw(dir.path / "v.log", future);
  const Opened v = reopen(dir.path / "v.log");
  CHECK(v.error.find("version 2") != std::string::npos);
  CHECK(read_raw(dir.path / "v.log") == future);

  // Shorter than a header.
  write_raw(path, "DNSD");
  CHECK(reopen(path).error.find("not a dnsd update log") != std::string::npos);
  CHECK(read_raw(path) == "DNSD");
}

TEST_CASE("an empty file is taken as a new log") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  write_raw(path, "");
  const Opened o = reopen(path);
  CHECK(o.error == "");
  CHECK(fs::file_size(path) == 16);
}

TEST_CASE("a FIFO is refused at once, without waiting for a writer") {
  TempDir dir;
  const auto path = dir.path / "updates.log";
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  const Opened o = reopen(path);  // would hang here if the open blocked
  CHECK(o.error.find("not a regular file") != std::string::npos);
  CHECK(fs::is_fifo(path));
}

TEST_CASE("a directory and a symbolic link are refused") {
  TempDir dir;
  CHECK(reopen(dir.path).error.find("Is a directory") != std::string::npos);
  make_log(dir.path / "real.log", {bytes("e")});
  fs::create_symlink(dir.path / "real.log", dir.path / "link.log");
  CHECK(reopen(dir.path / "link.log").error.find("symbolic link") != std::string::npos);
}

TEST_CASE("a log in a directory that does not exist is an error naming the file") {
  TempDir dir;
  const Opened o = reopen(dir.path / "missing" / "updates.log");
  CHECK(o.error.find("updates.log") != std::string::npos);
}

TEST_CASE("append on a log that is not open is an error, not a crash") {
  UpdateLog log;
  CHECK(log.append(bytes("x")) != "");
  CHECK(log.rewrite({}) != "");
}
