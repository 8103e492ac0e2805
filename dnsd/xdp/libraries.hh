// libbpf and libxdp, loaded when [xdp] is used rather than at exec: dnsd does not link them (no
// DT_NEEDED), so a server without [xdp] never maps them and libelf and zlib behind them (about
// 350 KiB of RSS, measured with bench/rss.py). The headers still give the types, the constants
// and xsk.h's inline ring functions; the functions below go through this table. Not on the
// query path: the queue threads only use the inline ring functions.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include <string>

namespace dnsd::xdp::libraries {

struct Api {
  // libbpf.so.1
  decltype(&::libbpf_set_print) libbpf_set_print;
  decltype(&::bpf_object__open_mem) bpf_object__open_mem;
  decltype(&::bpf_object__load) bpf_object__load;
  decltype(&::bpf_object__find_program_by_name) bpf_object__find_program_by_name;
  decltype(&::bpf_object__find_map_by_name) bpf_object__find_map_by_name;
  decltype(&::bpf_object__close) bpf_object__close;
  decltype(&::bpf_map__update_elem) bpf_map__update_elem;
  decltype(&::bpf_map__fd) bpf_map__fd;
  decltype(&::bpf_program__attach_xdp) bpf_program__attach_xdp;
  decltype(&::bpf_link__destroy) bpf_link__destroy;
  decltype(&::bpf_xdp_query) bpf_xdp_query;
  // libxdp.so.1
  decltype(&::xsk_umem__create) xsk_umem__create;
  decltype(&::xsk_umem__delete) xsk_umem__delete;
  decltype(&::xsk_socket__create) xsk_socket__create;
  decltype(&::xsk_socket__delete) xsk_socket__delete;
  decltype(&::xsk_socket__update_xskmap) xsk_socket__update_xskmap;
  decltype(&::xsk_socket__fd) xsk_socket__fd;
};

// Loads both libraries and resolves every function, once per process (thread-safe); later
// calls return the first outcome. Null when it failed: error() then says why. Never unloaded.
const Api* load() noexcept;
// Empty, or "cannot load libbpf.so.1: <dlerror>" (or libxdp.so.1) after a failed load().
const std::string& error() noexcept;

}  // namespace dnsd::xdp::libraries
