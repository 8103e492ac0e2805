// A credential held in memory: readable by code that needs it, never formatted or printed, and
// wiped (OPENSSL_cleanse) when its last copy goes. Copies share one buffer, so however many
// configs, plans and generations hold a Secret, its bytes are in the heap once.
#pragma once

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace routing {

// Wipes every byte `text` owns (up to its capacity, the small-string buffer included), then
// empties it: for the transient strings a secret passes through, such as a file's content.
inline void cleanse(std::string& text) noexcept {
  text.resize(text.capacity());  // no reallocation; makes the spare bytes ours to write
  OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

// Allocator is what holds the bytes (std::allocator in dnsd); a test passes one that can look at
// the buffer it is handed back, to see it wiped.
template <typename Allocator>
class BasicSecret {
 public:
  BasicSecret() = default;
  explicit BasicSecret(std::string_view text)
      : storage_(text.empty() ? nullptr : std::make_shared<const Storage>(text)) {}
  explicit BasicSecret(const char* text) : BasicSecret(std::string_view(text)) {}
  // Takes the text over: the string it came in is wiped, so the Secret is its only copy.
  explicit BasicSecret(std::string&& text) : BasicSecret(std::string_view(text)) { cleanse(text); }

  // The only way to the clear text; grep for it to audit every use.
  std::string_view reveal() const noexcept {
    return storage_ ? std::string_view(storage_->bytes.data(), storage_->bytes.size())
                    : std::string_view();
  }
  bool empty() const noexcept { return !storage_; }
  friend bool operator==(const BasicSecret& a, const BasicSecret& b) noexcept {
    return a.reveal() == b.reveal();
  }

 private:
  struct Storage {
    explicit Storage(std::string_view text) : bytes(text.begin(), text.end()) {}
    ~Storage() {
      bytes.resize(bytes.capacity());
      OPENSSL_cleanse(bytes.data(), bytes.size());
    }
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;
    std::vector<char, Allocator> bytes;
  };
  std::shared_ptr<const Storage> storage_;
};

using Secret = BasicSecret<std::allocator<char>>;

}  // namespace routing

template <typename Allocator>
struct fmt::formatter<routing::BasicSecret<Allocator>> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const routing::BasicSecret<Allocator>&, Context& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
