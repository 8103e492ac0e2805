// EtcdTransport: each request runs in a multi handle of its own so that stop() can wake it
// (curl_multi_wakeup) instead of waiting out a timeout; a finished handle goes back to the pool
// with its multi handle's connection cache, so the next request reuses the connection.
#include "fleet/etcd_transport.hh"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>

#include "fleet/json_stream.hh"
#include "service/libcurl.hh"

namespace fleet {

namespace libcurl = service::libcurl;

using nlohmann::json;
using Failure = etcd_json::Failure;

struct CurlChannel {
  CURL* easy = libcurl::easy_init();
  CURLM* multi = libcurl::multi_init();
  char error[CURL_ERROR_SIZE] = {};
  ~CurlChannel() {
    if (multi != nullptr) libcurl::multi_cleanup(multi);
    if (easy != nullptr) libcurl::easy_cleanup(easy);
  }
};

namespace {

// An answer or watch message larger than this is refused (etcd's own request limit is 1.5 MiB;
// a range over many keys can be larger, but not this large for a fleet).
constexpr std::size_t k_max_object_bytes = 64 * 1024 * 1024;
// Between two rounds over every endpoint, so that a leader election is ridden out, not hammered.
constexpr std::chrono::milliseconds k_round_pause{100};

struct Sink {
  JsonStream stream{k_max_object_bytes};
  const std::function<bool(std::string_view)>* on_object = nullptr;
  const std::atomic<bool>* stopped = nullptr;
  std::string head;  // the body's first bytes, to quote an answer that is not JSON
  bool handler_ended = false, garbage = false, any = false;
};

// etcd's own words when it answers in plain text (one line, printable, short).
std::string plain_text(std::string_view head) {
  std::string out;
  for (char c : head.substr(0, 160)) out.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::size_t on_bytes(char* data, std::size_t size, std::size_t count, void* user) {
  auto& sink = *static_cast<Sink*>(user);
  if (sink.stopped->load(std::memory_order_acquire)) return 0;
  if (sink.head.size() < 160)
    sink.head.append(data, std::min(size * count, 160 - sink.head.size()));
  bool more = true;
  const bool ok = sink.stream.feed(std::string_view(data, size * count), [&](std::string_view o) {
    sink.any = true;
    if (more && !(*sink.on_object)(o)) more = false;
  });
  if (!ok) sink.garbage = true;
  if (!more) sink.handler_ended = true;
  return ok && more ? size * count : 0;
}

// Everything a request sets on its handle; the handle was reset before.
void configure(CurlChannel& channel, const EtcdOptions& options, const std::string& url,
               const std::string& body, curl_slist* headers, bool streaming, Sink& sink) {
  CURL* easy = channel.easy;
  libcurl::easy_setopt(easy, CURLOPT_URL, url.c_str());
  libcurl::easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  libcurl::easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  libcurl::easy_setopt(easy, CURLOPT_POST, 1L);
  libcurl::easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
  libcurl::easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  libcurl::easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  libcurl::easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  libcurl::easy_setopt(easy, CURLOPT_ERRORBUFFER, channel.error);
  libcurl::easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout.count()));
  if (streaming) {
    const auto silence = std::chrono::ceil<std::chrono::seconds>(options.watch_silence);
    libcurl::easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    libcurl::easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, std::max(1L, long(silence.count())));
  } else {
    libcurl::easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  }
  if (!options.ca_file.empty()) libcurl::easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.cert_file.empty())
    libcurl::easy_setopt(easy, CURLOPT_SSLCERT, options.cert_file.c_str());
  if (!options.key_file.empty())
    libcurl::easy_setopt(easy, CURLOPT_SSLKEY, options.key_file.c_str());
  libcurl::easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_bytes);
  libcurl::easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
}

// Drives the transfer to its end, or until `stopped` (stop() wakes curl_multi_poll).
CURLcode run(CurlChannel& channel, const std::atomic<bool>& stopped) {
  libcurl::multi_add_handle(channel.multi, channel.easy);
  int running = 1;
  while (running != 0 && !stopped.load(std::memory_order_acquire)) {
    if (libcurl::multi_perform(channel.multi, &running) != CURLM_OK || running == 0) break;
    libcurl::multi_poll(channel.multi, nullptr, 0, 1000, nullptr);
  }
  CURLcode code = CURLE_OK;
  int left = 0;
  while (CURLMsg* message = libcurl::multi_info_read(channel.multi, &left)) {
    if (message->msg == CURLMSG_DONE) code = message->data.result;
  }
  return code;
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

EtcdOptions normalized(EtcdOptions options) {
  for (auto& endpoint : options.endpoints) endpoint = without_trailing_slash(endpoint);
  return options;
}

}  // namespace

EtcdTransport::EtcdTransport(EtcdOptions options) : options_(normalized(std::move(options))) {
  libcurl::global_init(CURL_GLOBAL_DEFAULT);  // reference-counted and thread-safe since curl 7.84
}

EtcdTransport::~EtcdTransport() {
  idle_.clear();
  libcurl::global_cleanup();
}

void EtcdTransport::failed(std::size_t endpoint) noexcept {
  std::size_t expected = endpoint;
  current_.compare_exchange_strong(expected, (endpoint + 1) % endpoint_count());
}

void EtcdTransport::stop() {
  stopped_.store(true, std::memory_order_release);
  std::lock_guard lock(mutex_);
  for (CurlChannel* channel : busy_) libcurl::multi_wakeup(channel->multi);
  stop_signal_.notify_all();
}

bool EtcdTransport::pause(std::chrono::milliseconds pause) {
  std::unique_lock lock(mutex_);
  return !stop_signal_.wait_for(lock, pause, [&] { return stopped(); });
}

EtcdTransport::Attempt EtcdTransport::ensure_token(std::size_t endpoint) {
  if (options_.user.empty() || !token().empty()) return {};
  return authenticate(endpoint);
}

void EtcdTransport::forget_token() {
  std::lock_guard lock(mutex_);
  token_.clear();
}

std::string EtcdTransport::token() const {
  std::lock_guard lock(mutex_);
  return token_;
}

std::unique_ptr<CurlChannel> EtcdTransport::take_channel() {
  std::lock_guard lock(mutex_);
  std::unique_ptr<CurlChannel> channel;
  if (!idle_.empty()) {
    channel = std::move(idle_.back());
    idle_.pop_back();
  } else {
    channel = std::make_unique<CurlChannel>();
    if (channel->easy == nullptr || channel->multi == nullptr) return nullptr;
  }
  busy_.push_back(channel.get());
  return channel;
}

void EtcdTransport::give_back(std::unique_ptr<CurlChannel> channel) {
  std::lock_guard lock(mutex_);
  busy_.erase(std::find(busy_.begin(), busy_.end(), channel.get()));
  idle_.push_back(std::move(channel));
}

EtcdTransport::Attempt EtcdTransport::perform(
    std::size_t endpoint, std::string_view path, const std::string& body, bool streaming,
    const std::function<bool(std::string_view)>& on_object) {
  if (stopped()) return {Failure::other, "stopped"};
  const std::string& base = options_.endpoints[endpoint];
  auto channel = take_channel();
  if (channel == nullptr)
    return {Failure::other, libcurl::error().empty()
                                ? std::string("etcd: cannot create a curl handle")
                                : "etcd: " + libcurl::error()};
  CURL* easy = channel->easy;
  libcurl::easy_reset(easy);
  channel->error[0] = '\0';

  curl_slist* headers = libcurl::slist_append(nullptr, "Content-Type: application/json");
  headers = libcurl::slist_append(headers, "Expect:");  // no 100-continue round trip
  // Not for /v3/auth/authenticate: a stale token there would only be refused.
  if (const std::string held = token(); !held.empty() && path != "/v3/auth/authenticate") {
    headers = libcurl::slist_append(headers, ("Authorization: " + held).c_str());
  }
  // etcd's "require leader" metadata (clientv3 WithRequireLeader): a member that loses its
  // leader cancels the watch instead of keeping it open and silent.
  if (streaming) headers = libcurl::slist_append(headers, "Grpc-Metadata-hasleader: true");

  const std::string url = base + std::string(path);
  Sink sink;
  sink.on_object = &on_object;
  sink.stopped = &stopped_;
  configure(*channel, options_, url, body, headers, streaming, sink);
  const CURLcode code = run(*channel, stopped_);
  long status = 0;
  libcurl::easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  libcurl::multi_remove_handle(channel->multi, easy);  // the connection stays in its cache
  libcurl::slist_free_all(headers);
  const std::string curl_error =
      channel->error[0] != '\0' ? channel->error : libcurl::easy_strerror(code);
  give_back(std::move(channel));

  if (stopped()) return {Failure::other, "stopped"};
  if (sink.handler_ended) return {};
  if (sink.garbage) {
    // A 4xx is etcd refusing the request itself (every member would); a 5xx may be one member.
    return {status >= 400 && status < 500 ? Failure::other : Failure::unavailable,
            fmt::format("etcd: {}: HTTP {}: {}", base, status, plain_text(sink.head))};
  }
  if (code != CURLE_OK) {
    return {Failure::unavailable, fmt::format("etcd: {}: {}", base, curl_error)};
  }
  if (streaming) return {Failure::unavailable, fmt::format("etcd: {}: stream closed", base)};
  if (!sink.any) {
    return {Failure::unavailable, fmt::format("etcd: {}: HTTP {} without an answer", base, status)};
  }
  return {};
}

EtcdTransport::Attempt EtcdTransport::once(std::size_t endpoint, std::string_view path,
                                           const std::string& body, json& answer) {
  std::string first;
  const std::function<bool(std::string_view)> keep_first = [&](std::string_view object) {
    if (first.empty()) first = object;
    return true;  // read to the end, so that the connection can be reused
  };
  Attempt attempt = perform(endpoint, path, body, false, keep_first);
  if (attempt.failure != Failure::none) return attempt;
  answer = json::parse(first, nullptr, false);
  std::string message;
  const Failure failure = etcd_json::failure_of(answer, message);
  if (failure == Failure::none) return {};
  return {failure, fmt::format("etcd: {}: {}", options_.endpoints[endpoint], message)};
}

EtcdTransport::Attempt EtcdTransport::authenticate(std::size_t endpoint) {
  if (options_.user.empty()) return {};
  json answer;
  Attempt attempt = once(endpoint, "/v3/auth/authenticate",
                         etcd_json::authenticate_request(options_.user, options_.password), answer);
  if (attempt.failure == Failure::auth) attempt.failure = Failure::other;  // wrong user: final
  if (attempt.failure != Failure::none) return attempt;
  const auto token = answer.find("token");
  if (token == answer.end() || !token->is_string() ||
      token->get_ref<const std::string&>().empty()) {
    return {Failure::other, fmt::format("etcd: {}: authenticate: no token in the answer",
                                        options_.endpoints[endpoint])};
  }
  std::lock_guard lock(mutex_);
  token_ = token->get<std::string>();
  return {};
}

std::string EtcdTransport::call(std::string_view path, const std::string& body, json& answer) {
  const std::size_t count = endpoint_count();
  if (count == 0) return "etcd: no endpoints configured";
  const auto start = std::chrono::steady_clock::now();
  std::size_t endpoint = current(), tried = 0;
  bool authenticated = false;  // once per call: a token refused twice is not a stale token
  std::string last_error;
  for (;;) {
    if (stopped()) return "stopped";
    Attempt attempt;
    if (!options_.user.empty() && token().empty()) {
      attempt = authenticate(endpoint);
      authenticated = true;
    }
    if (attempt.failure == Failure::none) attempt = once(endpoint, path, body, answer);
    if (stopped()) return "stopped";
    switch (attempt.failure) {
      case Failure::none:
        return "";
      case Failure::other:
        return attempt.error;
      case Failure::auth:
        if (authenticated || options_.user.empty()) return attempt.error;
        forget_token();  // expired or revoked: the next turn authenticates
        continue;
      case Failure::unavailable:
        last_error = std::move(attempt.error);
        break;
    }
    failed(endpoint);
    endpoint = (endpoint + 1) % count;
    ++tried;
    if (tried >= count && std::chrono::steady_clock::now() - start >= options_.timeout) {
      if (count == 1) return last_error;
      return fmt::format("etcd: none of {} endpoints answered; last: {}", count, last_error);
    }
    if (tried % count == 0 && !pause(k_round_pause)) return "stopped";
  }
}

EtcdTransport::Attempt EtcdTransport::stream(std::size_t endpoint, std::string_view path,
                                             const std::string& body,
                                             const std::function<bool(const json&)>& on_object) {
  const std::function<bool(std::string_view)> parse = [&](std::string_view text) {
    const json object = json::parse(text, nullptr, false);
    return on_object(object);
  };
  return perform(endpoint, path, body, true, parse);
}

}  // namespace fleet
