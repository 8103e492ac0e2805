// Secret: never formatted, one buffer for all copies, and that buffer wiped before it is freed.
// The wipe is watched through the allocator: its deallocate() reads the bytes it is handed back
// while they are still allocated, which is defined behaviour (reading freed memory would not be).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "routing/secret.hh"

namespace {

// What the last buffer handed back held at that moment.
std::vector<std::string> g_returned;

template <typename T>
struct WatchingAllocator : std::allocator<T> {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = WatchingAllocator<U>;
  };
  WatchingAllocator() = default;
  template <typename U>
  WatchingAllocator(const WatchingAllocator<U>&) noexcept {}
  void deallocate(T* p, std::size_t n) {
    g_returned.emplace_back(reinterpret_cast<const char*>(p), n * sizeof(T));
    std::allocator<T>::deallocate(p, n);
  }
};

using WatchedSecret = routing::BasicSecret<WatchingAllocator<char>>;

bool all_zero(const std::string& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

}  // namespace

TEST_CASE("a secret's bytes are zeroed before its buffer is freed") {
  g_returned.clear();
  const std::string clear_text = "Basic dXNlcjpzM2NyZXQtcGFzc3dvcmQ=";
  {
    const WatchedSecret secret(std::string_view{clear_text});
    CHECK(secret.reveal() == clear_text);
    CHECK(g_returned.empty());
  }
  REQUIRE(g_returned.size() == 1);
  CHECK(g_returned[0].size() >= clear_text.size());
  CHECK(all_zero(g_returned[0]));
}

TEST_CASE("copies share one buffer, wiped when the last copy goes") {
  g_returned.clear();
  auto first = std::make_unique<WatchedSecret>(std::string_view{"token-0123456789abcdef"});
  const WatchedSecret copy = *first;
  CHECK(copy.reveal().data() == first->reveal().data());
  first.reset();
  CHECK(g_returned.empty());  // the copy still holds it
  CHECK(copy.reveal() == "token-0123456789abcdef");
}

TEST_CASE("a secret taken from a string wipes that string") {
  // Long enough to be on the heap, not in the small-string buffer.
  std::string text(64, 'k');
  const routing::Secret secret(std::move(text));
  CHECK(secret.reveal() == std::string(64, 'k'));
  CHECK(text.empty());
}

TEST_CASE("cleanse wipes a string's whole capacity and empties it") {
  std::string text = "Authorization: Basic c2VjcmV0";
  const char* buffer = text.data();
  const std::size_t capacity = text.capacity();
  routing::cleanse(text);
  CHECK(text.empty());
  CHECK(text.data() == buffer);  // the same buffer, still owned by `text`
  CHECK(std::all_of(buffer, buffer + capacity, [](char c) { return c == '\0'; }));
}

TEST_CASE("a secret formats as three stars") {
  const routing::Secret secret(std::string_view{"Basic c2VjcmV0"});
  CHECK(fmt::format("{}", secret) == "***");
  CHECK(fmt::format("[{:>5}]", secret) == "[  ***]");
  CHECK(routing::Secret().empty());
  CHECK(routing::Secret(std::string_view{"a"}) == routing::Secret(std::string_view{"a"}));
  CHECK_FALSE(routing::Secret(std::string_view{"a"}) == routing::Secret(std::string_view{"b"}));
}
