// Client: libcurl easy handle per request (dnsctl makes one or two per run).
#include "tools/dnsctl/client.hh"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace dnsctl {
namespace {

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct Streaming {
  CURL* curl;
  const std::function<bool(std::string_view)>* on_data;
  const std::function<bool()>* stop;
  HttpResult* result;
  bool ended_by_us = false;
};

std::size_t stream_piece(char* data, std::size_t size, std::size_t count, void* context) {
  auto& s = *static_cast<Streaming*>(context);
  const std::size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(s.curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {  // an error answer: keep its (short) JSON for the message
    constexpr std::size_t k_max_error_body = 4096;
    s.result->body.append(data, std::min(n, k_max_error_body - s.result->body.size()));
    return s.result->body.size() < k_max_error_body ? n : 0;
  }
  if ((*s.on_data)(std::string_view(data, n))) return n;
  s.ended_by_us = true;
  return 0;  // ends the transfer (CURLE_WRITE_ERROR)
}

int stream_progress(void* context, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& s = *static_cast<Streaming*>(context);
  if (!(*s.stop)()) return 0;
  s.ended_by_us = true;
  return 1;  // CURLE_ABORTED_BY_CALLBACK
}

}  // namespace

HttpResult Client::stream(const std::string& path, const std::vector<std::string>& headers,
                          const std::function<bool(std::string_view)>& on_data,
                          const std::function<bool()>& stop) const {
  HttpResult result;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    result.error = "cannot start libcurl";
    return result;
  }
  const std::string url = "http://" + server_ + path;
  const std::string authorization = "Authorization: Bearer " + token_;
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> list(
      curl_slist_append(nullptr, authorization.c_str()), curl_slist_free_all);
  curl_slist_append(list.get(), "Accept: text/event-stream");
  for (const auto& header : headers) curl_slist_append(list.get(), header.c_str());
  Streaming context{curl.get(), &on_data, &stop, &result};
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, stream_piece);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &context);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, stream_progress);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &context);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);  // keepalives come every 15 s
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, 45L);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
  const CURLcode code = curl_easy_perform(curl.get());
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
  result.reached = result.status != 0;
  if (code != CURLE_OK && !context.ended_by_us)
    result.error = error[0] ? error : curl_easy_strerror(code);
  return result;
}

HttpResult Client::request(const std::string& method, const std::string& path) const {
  HttpResult result;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    result.error = "cannot start libcurl";
    return result;
  }
  const std::string url = "http://" + server_ + path;
  const std::string authorization = "Authorization: Bearer " + token_;
  curl_slist* headers = curl_slist_append(nullptr, authorization.c_str());
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");  // the admin API is local: never via a proxy
  const CURLcode code = curl_easy_perform(curl.get());
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    result.error = error[0] ? error : curl_easy_strerror(code);
    return result;
  }
  result.reached = true;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

std::string escape(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out = escaped ? escaped : "";
  curl_free(escaped);
  return out;
}

}  // namespace dnsctl
