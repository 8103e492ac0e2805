// libbpf and libxdp loader (see libraries.hh): dlopen once, resolve every function or none.
#include "dnsd/xdp/libraries.hh"

#include <mutex>

#include "service/shared_library.hh"

namespace dnsd::xdp::libraries {

namespace {

struct Loaded {
  Api api{};
  bool ok = false;
  std::string error;
};

Loaded& loaded() {
  static Loaded state;
  static std::once_flag once;
  std::call_once(once, [] {
    // libbpf first: libxdp needs it (and names it itself, so RTLD_LOCAL is enough).
    service::SharedLibrary bpf("libbpf.so.1");
    service::SharedLibrary xdp("libxdp.so.1");
    Api& a = state.api;
    bpf.resolve("libbpf_set_print", a.libbpf_set_print);
    bpf.resolve("bpf_object__open_mem", a.bpf_object__open_mem);
    bpf.resolve("bpf_object__load", a.bpf_object__load);
    bpf.resolve("bpf_object__find_program_by_name", a.bpf_object__find_program_by_name);
    bpf.resolve("bpf_object__find_map_by_name", a.bpf_object__find_map_by_name);
    bpf.resolve("bpf_object__close", a.bpf_object__close);
    bpf.resolve("bpf_map__update_elem", a.bpf_map__update_elem);
    bpf.resolve("bpf_map__fd", a.bpf_map__fd);
    bpf.resolve("bpf_program__attach_xdp", a.bpf_program__attach_xdp);
    bpf.resolve("bpf_link__destroy", a.bpf_link__destroy);
    bpf.resolve("bpf_xdp_query", a.bpf_xdp_query);
    xdp.resolve("xsk_umem__create", a.xsk_umem__create);
    xdp.resolve("xsk_umem__delete", a.xsk_umem__delete);
    xdp.resolve("xsk_socket__create", a.xsk_socket__create);
    xdp.resolve("xsk_socket__delete", a.xsk_socket__delete);
    xdp.resolve("xsk_socket__update_xskmap", a.xsk_socket__update_xskmap);
    xdp.resolve("xsk_socket__fd", a.xsk_socket__fd);
    state.ok = bpf.ok() && xdp.ok();
    state.error = !bpf.ok() ? bpf.error() : xdp.error();
  });
  return state;
}

}  // namespace

const Api* load() noexcept {
  const Loaded& state = loaded();
  return state.ok ? &state.api : nullptr;
}

const std::string& error() noexcept { return loaded().error; }

}  // namespace dnsd::xdp::libraries
