// What the dnstap sink counts, summed over the query threads: a plain struct, so metrics/ can
// render it without linking fstrm.
#pragma once

#include <cstdint>

namespace dnsd::dnstap {

struct Totals {
  std::uint64_t sent = 0;     // handed to the writer thread
  std::uint64_t dropped = 0;  // not logged: the writer was behind (its queue or slots full)
};

}  // namespace dnsd::dnstap
