// libcurl loader (see libcurl.hh): dlopen once, resolve every function or none.
#include "service/libcurl.hh"

#include <dlfcn.h>

#include <mutex>

namespace service::libcurl {
namespace {

// The soname of libcurl 7.x and 8.x: the ABI the headers describe.
constexpr const char* k_soname = "libcurl.so.4";

struct Loaded {
  Api api{};
  bool ok = false;
  std::string error;
};

template <typename Fn>
bool resolve(void* library, const char* name, Fn& out, std::string& error) {
  out = reinterpret_cast<Fn>(dlsym(library, name));
  if (out == nullptr && error.empty())
    error = std::string("cannot load ") + k_soname + ": symbol " + name + " missing";
  return out != nullptr;
}

Loaded open_library() {
  Loaded l;
  // RTLD_LOCAL: curl's symbols stay out of the global namespace; only this table reaches them.
  void* library = dlopen(k_soname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    l.error = std::string("cannot load ") + k_soname + ": " + (why ? why : "unknown error");
    return l;
  }
  Api& a = l.api;
  std::string& e = l.error;
  resolve(library, "curl_global_init", a.global_init, e);
  resolve(library, "curl_global_init_mem", a.global_init_mem, e);
  resolve(library, "curl_global_cleanup", a.global_cleanup, e);
  resolve(library, "curl_easy_init", a.easy_init, e);
  resolve(library, "curl_easy_cleanup", a.easy_cleanup, e);
  resolve(library, "curl_easy_reset", a.easy_reset, e);
  resolve(library, "curl_easy_setopt", a.easy_setopt, e);
  resolve(library, "curl_easy_getinfo", a.easy_getinfo, e);
  resolve(library, "curl_easy_strerror", a.easy_strerror, e);
  resolve(library, "curl_multi_init", a.multi_init, e);
  resolve(library, "curl_multi_cleanup", a.multi_cleanup, e);
  resolve(library, "curl_multi_setopt", a.multi_setopt, e);
  resolve(library, "curl_multi_add_handle", a.multi_add_handle, e);
  resolve(library, "curl_multi_remove_handle", a.multi_remove_handle, e);
  resolve(library, "curl_multi_socket_action", a.multi_socket_action, e);
  resolve(library, "curl_multi_timeout", a.multi_timeout, e);
  resolve(library, "curl_multi_info_read", a.multi_info_read, e);
  resolve(library, "curl_multi_perform", a.multi_perform, e);
  resolve(library, "curl_multi_poll", a.multi_poll, e);
  resolve(library, "curl_multi_wakeup", a.multi_wakeup, e);
  resolve(library, "curl_slist_append", a.slist_append, e);
  resolve(library, "curl_slist_free_all", a.slist_free_all, e);
  resolve(library, "curl_url", a.url, e);
  resolve(library, "curl_url_cleanup", a.url_cleanup, e);
  resolve(library, "curl_url_set", a.url_set, e);
  // A libcurl too old for one of these is not half used: all or nothing.
  l.ok = e.empty();
  if (!l.ok) dlclose(library);
  return l;
}

Loaded& loaded() noexcept {
  static Loaded l;
  static std::once_flag once;
  std::call_once(once, [] { l = open_library(); });
  return l;
}

}  // namespace

const Api* load() noexcept {
  const Loaded& l = loaded();
  return l.ok ? &l.api : nullptr;
}

const std::string& error() noexcept { return loaded().error; }

}  // namespace service::libcurl
