// The sink end to end: taps log into a real Frame Streams file through fstrm's writer thread;
// fstrm's own file reader reads it back. The taps' hooks are watched for allocations: every
// malloc of the calling thread (operator new included), C libraries (protobuf-c, fstrm) too.
#include <doctest/doctest.h>
#include <fstrm.h>
#include <netinet/in.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "dnsd/dnstap/dnstap.pb-c.h"
#include "dnsd/dnstap/sink.hh"

// AddressSanitizer has its own malloc, which a replacement would bypass: counted without it only.
#if defined(__SANITIZE_ADDRESS__)
#define DNSD_COUNT_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DNSD_COUNT_MALLOC 0
#endif
#endif
#ifndef DNSD_COUNT_MALLOC
#define DNSD_COUNT_MALLOC 1
#endif

namespace {
// Only this thread's: fstrm's writer thread allocates its own buffers as it likes.
thread_local std::size_t allocations = 0;
}  // namespace

// glibc's malloc, interposed (glibc supports replacing malloc; __libc_malloc is the real one).
#if DNSD_COUNT_MALLOC
extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* malloc(std::size_t size) {
  ++allocations;
  return __libc_malloc(size);
}
#endif

using namespace dnsd;

namespace {

struct TempFile {
  TempFile()
      : path((std::filesystem::temp_directory_path() /
              ("dnstap-test-" + std::to_string(::getpid()) + ".fstrm"))
                 .string()) {}
  ~TempFile() { std::filesystem::remove(path); }
  std::string path;
};

// Every frame of a Frame Streams file, unpacked; fstrm's reader checks the content type.
std::size_t count_frames(const std::string& path, Dnstap__Message__Type& last_type) {
  fstrm_file_options* file = fstrm_file_options_init();
  fstrm_file_options_set_file_path(file, path.c_str());
  fstrm_reader* reader = fstrm_file_reader_init(file, nullptr);
  fstrm_file_options_destroy(&file);
  REQUIRE(reader);
  REQUIRE(fstrm_reader_open(reader) == fstrm_res_success);
  std::size_t frames = 0;
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  while (fstrm_reader_read(reader, &data, &size) == fstrm_res_success) {
    Dnstap__Dnstap* frame = dnstap__dnstap__unpack(nullptr, size, data);
    REQUIRE(frame);
    last_type = frame->message->type;
    dnstap__dnstap__free_unpacked(frame, nullptr);
    ++frames;
  }
  fstrm_reader_destroy(&reader);
  return frames;
}

}  // namespace

TEST_CASE("taps log every query and response into a file, allocating nothing per message") {
  TempFile file;
  dnstap::Settings settings;
  settings.file = file.path;
  settings.identity = "ns-unit";
  std::string why;
  auto sink = dnstap::Sink::open(settings, 2, why);
  REQUIRE_MESSAGE(sink, why);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(1234);
  const std::array<std::uint8_t, 12> message{};
  // Fewer messages than slots and queue places: none may be dropped however slow the writer.
  constexpr int k_queries = 200;
  const auto before = allocations;
  for (int i = 0; i < k_queries; ++i) {
    dnstap::Tap& tap = sink->tap(static_cast<std::size_t>(i % 2));
    tap.query(reinterpret_cast<const sockaddr*>(&peer), Transport::udp, message);
    tap.response(reinterpret_cast<const sockaddr*>(&peer), Transport::udp, message);
  }
  if (DNSD_COUNT_MALLOC) CHECK(allocations == before);
  const dnstap::Totals totals = sink->totals();
  CHECK(totals.sent == 2 * k_queries);
  CHECK(totals.dropped == 0);
  sink.reset();  // flushes
  Dnstap__Message__Type last{};
  CHECK(count_frames(file.path, last) == 2 * k_queries);
  CHECK(last == DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE);
}

TEST_CASE("a message larger than a slot (a big TCP response) is still logged") {
  TempFile file;
  dnstap::Settings settings;
  settings.file = file.path;
  std::string why;
  auto sink = dnstap::Sink::open(settings, 1, why);
  REQUIRE_MESSAGE(sink, why);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  static std::array<std::uint8_t, 60000> big{};
  sink->tap(0).query(reinterpret_cast<const sockaddr*>(&peer), Transport::tcp, big);
  CHECK(sink->totals().sent == 1);
  sink.reset();
  Dnstap__Message__Type last{};
  CHECK(count_frames(file.path, last) == 1);
}

TEST_CASE("a file that cannot be created is an error with the reason") {
  dnstap::Settings settings;
  settings.file = "/nonexistent-dir/dnstap.fstrm";
  std::string why;
  CHECK_FALSE(dnstap::Sink::open(settings, 1, why));
  CHECK(why.find("No such file or directory") != std::string::npos);
}
