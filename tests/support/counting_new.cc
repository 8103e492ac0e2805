// The replacement is process-wide (that is the point): only no-allocation test binaries link it.
#include "tests/support/counting_new.hh"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> allocations{0};
}

namespace dnstest {
std::size_t allocation_count() { return allocations.load(std::memory_order_relaxed); }
}  // namespace dnstest

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
