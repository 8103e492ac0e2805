// libcurl, loaded on first use rather than at exec: dnsd does not link it (no DT_NEEDED), so a
// server with no HTTP(S)/TCP probes and no fleet never maps libcurl and the TLS, Kerberos, LDAP
// and SSH libraries behind it (about 6 MiB of RSS). curl's headers still give the types and
// constants; the functions go through these wrappers. Not on the query path.
#pragma once

#include <curl/curl.h>

#include <string>

namespace service::libcurl {

// The functions dnsd calls, resolved from the library once.
struct Api {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_global_init_mem) global_init_mem;
  decltype(&::curl_global_cleanup) global_cleanup;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_cleanup) multi_cleanup;
  decltype(&::curl_multi_setopt) multi_setopt;
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_socket_action) multi_socket_action;
  decltype(&::curl_multi_timeout) multi_timeout;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_multi_wakeup) multi_wakeup;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_url) url;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_url_set) url_set;
};

// Loads libcurl.so.4 and resolves every function, once per process (thread-safe); later calls
// return the first outcome. Null when it failed: error() then says why. Never unloaded.
const Api* load() noexcept;
// Empty, or "cannot load libcurl.so.4: <dlerror>" after a failed load().
const std::string& error() noexcept;

// Thin typed wrappers. Each loads on first use; without the library each returns a failure
// (CURLE_FAILED_INIT, CURLM_BAD_HANDLE, CURLUE_OUT_OF_MEMORY, null) and calls nothing. One
// given a null handle does nothing and loads nothing (so a driver without transfers never
// loads curl).
inline CURL* easy_init() noexcept {
  const Api* a = load();
  return a ? a->easy_init() : nullptr;
}
inline void easy_cleanup(CURL* easy) noexcept {
  if (const Api* a = easy ? load() : nullptr) a->easy_cleanup(easy);
}
inline void easy_reset(CURL* easy) noexcept {
  if (const Api* a = easy ? load() : nullptr) a->easy_reset(easy);
}
// One argument passed through the variadic, as a direct call would pass it.
template <typename T>
CURLcode easy_setopt(CURL* easy, CURLoption option, T value) noexcept {
  const Api* a = load();
  return a ? a->easy_setopt(easy, option, value) : CURLE_FAILED_INIT;
}
template <typename T>
CURLcode easy_getinfo(CURL* easy, CURLINFO info, T* out) noexcept {
  const Api* a = load();
  return a ? a->easy_getinfo(easy, info, out) : CURLE_FAILED_INIT;
}
inline const char* easy_strerror(CURLcode code) noexcept {
  const Api* a = load();
  return a ? a->easy_strerror(code) : "libcurl not loaded";
}
inline CURLM* multi_init() noexcept {
  const Api* a = load();
  return a ? a->multi_init() : nullptr;
}
inline CURLMcode multi_cleanup(CURLM* multi) noexcept {
  const Api* a = multi ? load() : nullptr;
  return a ? a->multi_cleanup(multi) : CURLM_BAD_HANDLE;
}
template <typename T>
CURLMcode multi_setopt(CURLM* multi, CURLMoption option, T value) noexcept {
  const Api* a = multi ? load() : nullptr;
  return a ? a->multi_setopt(multi, option, value) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_add_handle(CURLM* multi, CURL* easy) noexcept {
  const Api* a = multi && easy ? load() : nullptr;
  return a ? a->multi_add_handle(multi, easy) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_remove_handle(CURLM* multi, CURL* easy) noexcept {
  const Api* a = multi && easy ? load() : nullptr;
  return a ? a->multi_remove_handle(multi, easy) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_socket_action(CURLM* multi, curl_socket_t fd, int events,
                                     int* running) noexcept {
  const Api* a = multi ? load() : nullptr;
  return a ? a->multi_socket_action(multi, fd, events, running) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_timeout(CURLM* multi, long* ms) noexcept {
  const Api* a = multi ? load() : nullptr;
  return a ? a->multi_timeout(multi, ms) : CURLM_BAD_HANDLE;
}
inline CURLMsg* multi_info_read(CURLM* multi, int* queued) noexcept {
  const Api* a = multi ? load() : nullptr;
  return a ? a->multi_info_read(multi, queued) : nullptr;
}
inline CURLMcode multi_perform(CURLM* multi, int* running) noexcept {
  const Api* a = multi ? load() : nullptr;
  return a ? a->multi_perform(multi, running) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_poll(CURLM* multi, curl_waitfd* extra, unsigned count, int timeout_ms,
                            int* ready) noexcept {
  const Api* a = multi ? load() : nullptr;
  return a ? a->multi_poll(multi, extra, count, timeout_ms, ready) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_wakeup(CURLM* multi) noexcept {
  const Api* a = multi ? load() : nullptr;
  return a ? a->multi_wakeup(multi) : CURLM_BAD_HANDLE;
}
inline curl_slist* slist_append(curl_slist* list, const char* text) noexcept {
  const Api* a = load();
  return a ? a->slist_append(list, text) : nullptr;
}
inline void slist_free_all(curl_slist* list) noexcept {
  if (const Api* a = list ? load() : nullptr) a->slist_free_all(list);
}
inline CURLU* url() noexcept {
  const Api* a = load();
  return a ? a->url() : nullptr;
}
inline void url_cleanup(CURLU* handle) noexcept {
  if (const Api* a = handle ? load() : nullptr) a->url_cleanup(handle);
}
inline CURLUcode url_set(CURLU* handle, CURLUPart part, const char* text, unsigned flags) noexcept {
  const Api* a = handle ? load() : nullptr;
  return a ? a->url_set(handle, part, text, flags) : CURLUE_OUT_OF_MEMORY;
}
inline CURLcode global_init(long flags) noexcept {
  const Api* a = load();
  return a ? a->global_init(flags) : CURLE_FAILED_INIT;
}
inline void global_cleanup() noexcept {
  if (const Api* a = load()) a->global_cleanup();
}

}  // namespace service::libcurl
