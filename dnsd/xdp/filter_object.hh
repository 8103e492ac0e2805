// The compiled filter.bpf.c, embedded at build time (embed.cmake).
#pragma once

#include <cstddef>

namespace dnsd::xdp {

extern const unsigned char k_filter_object[];
extern const std::size_t k_filter_object_size;

}  // namespace dnsd::xdp
