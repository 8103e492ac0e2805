// libbpf and libxdp loader (see libraries.hh): dlopen once, resolve every function or none.
#include "dnsd/xdp/libraries.hh"

#include <dlfcn.h>

#include <mutex>

namespace dnsd::xdp::libraries {

namespace {

struct Loaded {
  Api api{};
  bool ok = false;
  std::string error;
};

// Resolves `name` from `library` into `slot`; false (with the error noted) when it is missing.
template <typename Function>
bool resolve(void* library, const char* soname, const char* name, Function& slot,
             std::string& error) {
  slot = reinterpret_cast<Function>(dlsym(library, name));
  if (slot) return true;
  error = std::string("cannot load ") + soname + ": " + name + " not found";
  return false;
}

Loaded& loaded() {
  static Loaded state;
  static std::once_flag once;
  std::call_once(once, [] {
    // libbpf first: libxdp needs it, and RTLD_GLOBAL is not needed (libxdp names it itself).
    void* bpf = dlopen("libbpf.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!bpf) {
      const char* why = dlerror();
      state.error = std::string("cannot load libbpf.so.1: ") + (why ? why : "unknown error");
      return;
    }
    void* xdp = dlopen("libxdp.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!xdp) {
      const char* why = dlerror();
      state.error = std::string("cannot load libxdp.so.1: ") + (why ? why : "unknown error");
      return;
    }
    Api& a = state.api;
    std::string& e = state.error;
    const char* b = "libbpf.so.1";
    const char* x = "libxdp.so.1";
    state.ok = resolve(bpf, b, "libbpf_set_print", a.libbpf_set_print, e) &&
               resolve(bpf, b, "bpf_object__open_mem", a.bpf_object__open_mem, e) &&
               resolve(bpf, b, "bpf_object__load", a.bpf_object__load, e) &&
               resolve(bpf, b, "bpf_object__find_program_by_name",
                       a.bpf_object__find_program_by_name, e) &&
               resolve(bpf, b, "bpf_object__find_map_by_name", a.bpf_object__find_map_by_name, e) &&
               resolve(bpf, b, "bpf_object__close", a.bpf_object__close, e) &&
               resolve(bpf, b, "bpf_map__update_elem", a.bpf_map__update_elem, e) &&
               resolve(bpf, b, "bpf_map__fd", a.bpf_map__fd, e) &&
               resolve(bpf, b, "bpf_program__attach_xdp", a.bpf_program__attach_xdp, e) &&
               resolve(bpf, b, "bpf_link__destroy", a.bpf_link__destroy, e) &&
               resolve(bpf, b, "bpf_xdp_query", a.bpf_xdp_query, e) &&
               resolve(xdp, x, "xsk_umem__create", a.xsk_umem__create, e) &&
               resolve(xdp, x, "xsk_umem__delete", a.xsk_umem__delete, e) &&
               resolve(xdp, x, "xsk_socket__create", a.xsk_socket__create, e) &&
               resolve(xdp, x, "xsk_socket__delete", a.xsk_socket__delete, e) &&
               resolve(xdp, x, "xsk_socket__update_xskmap", a.xsk_socket__update_xskmap, e) &&
               resolve(xdp, x, "xsk_socket__fd", a.xsk_socket__fd, e);
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
