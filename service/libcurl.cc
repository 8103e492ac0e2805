// libcurl loader (see libcurl.hh): dlopen once, resolve every function or none.
#include "service/libcurl.hh"

#include <mutex>

#include "service/shared_library.hh"

namespace service::libcurl {
namespace {

// The soname of libcurl 7.x and 8.x: the ABI the headers describe.
constexpr const char* k_soname = "libcurl.so.4";

struct Loaded {
  Api api{};
  bool ok = false;
  std::string error;
};

Loaded open_library() {
  Loaded l;
  service::SharedLibrary library(k_soname);
  Api& a = l.api;
  library.resolve("curl_global_init", a.global_init);
  library.resolve("curl_global_init_mem", a.global_init_mem);
  library.resolve("curl_global_cleanup", a.global_cleanup);
  library.resolve("curl_easy_init", a.easy_init);
  library.resolve("curl_easy_cleanup", a.easy_cleanup);
  library.resolve("curl_easy_reset", a.easy_reset);
  library.resolve("curl_easy_setopt", a.easy_setopt);
  library.resolve("curl_easy_getinfo", a.easy_getinfo);
  library.resolve("curl_easy_strerror", a.easy_strerror);
  library.resolve("curl_multi_init", a.multi_init);
  library.resolve("curl_multi_cleanup", a.multi_cleanup);
  library.resolve("curl_multi_setopt", a.multi_setopt);
  library.resolve("curl_multi_add_handle", a.multi_add_handle);
  library.resolve("curl_multi_remove_handle", a.multi_remove_handle);
  library.resolve("curl_multi_socket_action", a.multi_socket_action);
  library.resolve("curl_multi_timeout", a.multi_timeout);
  library.resolve("curl_multi_info_read", a.multi_info_read);
  library.resolve("curl_multi_perform", a.multi_perform);
  library.resolve("curl_multi_poll", a.multi_poll);
  library.resolve("curl_multi_wakeup", a.multi_wakeup);
  library.resolve("curl_slist_append", a.slist_append);
  library.resolve("curl_slist_free_all", a.slist_free_all);
  library.resolve("curl_url", a.url);
  library.resolve("curl_url_cleanup", a.url_cleanup);
  library.resolve("curl_url_set", a.url_set);
  // A libcurl too old for one of these is not half used: all or nothing.
  l.ok = library.ok();
  l.error = library.error();
  if (!l.ok) library.close();
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
