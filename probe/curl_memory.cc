// Wiping allocator callbacks for curl (see curl_memory.hh). glibc's malloc_usable_size gives
// each block's size, so free and realloc can wipe all of it.
#include "probe/curl_memory.hh"

#include <malloc.h>
#include <openssl/crypto.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "service/libcurl.hh"

namespace probe {
namespace {

void* wiping_malloc(std::size_t size) { return std::malloc(size); }

void wiping_free(void* block) {
  if (block == nullptr) return;
  OPENSSL_cleanse(block, malloc_usable_size(block));
  std::free(block);
}

// Always to a new block when growing, so the old one is wiped rather than left behind by a move.
void* wiping_realloc(void* block, std::size_t size) {
  if (block == nullptr) return std::malloc(size);
  const std::size_t old_size = malloc_usable_size(block);
  if (size <= old_size && size > 0) return block;
  if (size == 0) {
    wiping_free(block);
    return nullptr;
  }
  void* grown = std::malloc(size);
  if (grown == nullptr) return nullptr;
  std::memcpy(grown, block, old_size);
  wiping_free(block);
  return grown;
}

char* wiping_strdup(const char* text) {
  const std::size_t size = std::strlen(text) + 1;
  auto* copy = static_cast<char*>(std::malloc(size));
  if (copy != nullptr) std::memcpy(copy, text, size);
  return copy;
}

void* wiping_calloc(std::size_t count, std::size_t size) { return std::calloc(count, size); }

}  // namespace

bool init_curl_with_wiping_memory() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (const auto* curl = service::libcurl::load())
      curl->global_init_mem(CURL_GLOBAL_DEFAULT, wiping_malloc, wiping_free, wiping_realloc,
                            wiping_strdup, wiping_calloc);
  });
  return service::libcurl::load() != nullptr;
}

}  // namespace probe
