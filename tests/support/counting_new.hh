// A counting replacement of the global operator new, for tests that prove a path allocates
// nothing: link the counting_new object library and compare allocation_count() around the path.
#pragma once

#include <cstddef>

namespace dnstest {

// Every global operator new call made by the process so far.
std::size_t allocation_count();

}  // namespace dnstest
