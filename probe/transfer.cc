// Transfer: curl easy handle setup for HTTP, HTTPS and TCP-connect probes (see transfer.hh).
#include "probe/transfer.hh"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "probe/curl_memory.hh"
#include "service/libcurl.hh"

namespace probe {

namespace libcurl = service::libcurl;
namespace {

bool is_v6(const std::string& address) { return address.find(':') != std::string::npos; }

// Literal IPv6 hosts need brackets in URLs and in CURLOPT_RESOLVE entries.
std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// "Name: value" appended to the list. The line is built in a string wiped right after: curl
// keeps its own copy in the list, which ~Transfer wipes (wipe_and_free).
curl_slist* append_header(curl_slist* list, std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + 2 + value.size());
  line.append(name).append(": ").append(value);
  curl_slist* grown = libcurl::slist_append(list, line.c_str());
  routing::cleanse(line);
  return grown;
}

// The header list held header values (credentials): their bytes are wiped before curl frees them.
void wipe_and_free(curl_slist* list) {
  for (curl_slist* item = list; item != nullptr; item = item->next)
    OPENSSL_cleanse(item->data, std::strlen(item->data));
  libcurl::slist_free_all(list);
}

}  // namespace

template <typename T>
void Transfer::set(CURLoption option, T value) {
  const CURLcode rc = libcurl::easy_setopt(easy_, option, value);
  if (rc != CURLE_OK && setup_error_.empty())
    setup_error_ =
        fmt::format("curl option {}: {}", static_cast<int>(option), libcurl::easy_strerror(rc));
}

Transfer::Transfer(const ProbeTarget& target, std::size_t probe_index,
                   const routing::ProbeSource& source)
    : port_(target.monitor.port), body_cap_(target.monitor.max_body_bytes) {
  // "host!": an address to bind, never an interface name curl would look up.
  if (!source.ipv4.empty()) source_v4_ = "host!" + source.ipv4;
  if (!source.ipv6.empty()) source_v6_ = "host!" + source.ipv6;
  if (target.host_is_address) literal_family_ = target.host.find(':') != std::string::npos ? 6 : 4;
  if (!init_curl_with_wiping_memory()) {
    setup_error_ = libcurl::error();
    return;
  }
  easy_ = libcurl::easy_init();
  if (easy_ == nullptr) {
    setup_error_ = "curl_easy_init failed";
    return;
  }
  const auto& m = target.monitor;
  // A custom Host header also names the TLS server (SNI, certificate check): the URL carries it
  // and RESOLVE pins it to the probe host's addresses.
  url_host_ = m.host_header.empty() ? target.host : normalize_host(m.host_header);
  const bool tcp = m.protocol == routing::Protocol::tcp;
  const char* scheme = m.protocol == routing::Protocol::https ? "https" : "http";
  const auto url = fmt::format("{}://{}:{}{}", scheme, bracketed(url_host_), m.port,
                               tcp ? std::string("/") : m.path);
  // Parsed once here: with CURLOPT_CURLU curl copies the parsed URL at each transfer start
  // instead of parsing the text again (curl_url_set was about 7% of a probe's instructions).
  url_ = libcurl::url();
  if (url_ != nullptr && libcurl::url_set(url_, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    set(CURLOPT_CURLU, url_);
  } else {
    set(CURLOPT_URL, url.c_str());
  }
  set(CURLOPT_PRIVATE, reinterpret_cast<void*>(probe_index));
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_ERRORBUFFER, error_);
  set(CURLOPT_PROXY, "");           // never through an http_proxy from the environment
  set(CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is a verdict, not a hop
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  // Keep-alive only where the URL alone names the destination (an address literal, no Host
  // header): curl matches cached connections by URL host and port, so two probes that pin
  // different addresses for one name through RESOLVE could otherwise share a socket. A TCP probe
  // is the connect itself, so it never reuses either.
  reuses_connections_ = !tcp && target.host_is_address && m.host_header.empty();
  if (reuses_connections_) {
    // A dead tenant still fails the next probe on a kept connection: a refused or reset peer
    // closes it (curl retries a reused connection that died before answering once, on a fresh
    // one), a hang runs into the timeout, a 503 is a 503. The lifetime cap bounds how long a
    // tenant that stopped accepting but still serves old connections can look healthy, and how
    // long a certificate goes unchecked.
    set(CURLOPT_MAXLIFETIME_CONN, static_cast<long>(k_connection_lifetime.count()));
  } else {
    set(CURLOPT_FRESH_CONNECT, 1L);
    set(CURLOPT_FORBID_REUSE, 1L);
  }
  if (tcp) {
    set(CURLOPT_CONNECT_ONLY, 1L);
    return;
  }
  set(CURLOPT_USERAGENT, "dnsd-probe/0.1");
  set(CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  set(CURLOPT_WRITEDATA, this);
  // Response headers are counted (on_header), so an endless or huge header block ends the probe
  // with its own reason instead of curl's "Out of memory".
  set(CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  set(CURLOPT_HEADERDATA, this);
  // The one long-lived copy of the header values outside their Secrets: curl reads this list at
  // every run, so it is built once per endpoint and wiped with the Transfer.
  for (const auto& header : m.headers)
    headers_ = append_header(headers_, header.name, header.value.reveal());
  if (!m.host_header.empty()) headers_ = append_header(headers_, "Host", m.host_header);
  if (headers_ != nullptr) set(CURLOPT_HTTPHEADER, headers_);
  if (m.protocol == routing::Protocol::https) {
    set(CURLOPT_SSL_VERIFYPEER, m.verify_tls ? 1L : 0L);
    set(CURLOPT_SSL_VERIFYHOST, m.verify_tls ? 2L : 0L);
    if (!m.ca_file.empty()) set(CURLOPT_CAINFO, m.ca_file.c_str());
    if (!m.client_cert_file.empty()) set(CURLOPT_SSLCERT, m.client_cert_file.c_str());
    if (!m.client_key_file.empty()) set(CURLOPT_SSLKEY, m.client_key_file.c_str());
  }
}

Transfer::~Transfer() {
  if (easy_ != nullptr) libcurl::easy_cleanup(easy_);
  libcurl::url_cleanup(url_);  // after the easy handle that refers to it
  wipe_and_free(headers_);
  libcurl::slist_free_all(resolve_);
}

void Transfer::prepare(const std::vector<std::string>& addresses,
                       std::chrono::milliseconds budget) {
  body_.clear();
  body_capped_ = false;
  header_bytes_ = 0;
  in_headers_ = false;
  header_capped_ = false;
  error_[0] = '\0';
  libcurl::slist_free_all(resolve_);
  resolve_ = nullptr;
  const bool has_v4 = literal_family_ == 4 || std::any_of(addresses.begin(), addresses.end(),
                                                          [](const auto& a) { return !is_v6(a); });
  const bool has_v6 = literal_family_ == 6 || std::any_of(addresses.begin(), addresses.end(),
                                                          [](const auto& a) { return is_v6(a); });
  // The family this run is held to (0: any), and the source it binds.
  const int family = !source_v4_.empty() && has_v4 ? 4 : !source_v6_.empty() && has_v6 ? 6 : 0;
  const std::string& source = family == 4 ? source_v4_ : source_v6_;
  libcurl::easy_setopt(easy_, CURLOPT_INTERFACE, family != 0 ? source.c_str() : nullptr);
  if (!addresses.empty()) {
    std::string entry = fmt::format("{}:{}:", url_host_, port_);
    // Appended, not "," + text: g++ 12 at -O2 warns (-Wrestrict, a false positive) on that.
    bool first = true;
    for (const auto& address : addresses) {
      if (family != 0 && is_v6(address) != (family == 6)) continue;
      if (!first) entry.push_back(',');
      first = false;
      entry.append(bracketed(address));
    }
    // curl loads RESOLVE entries when a transfer starts, replacing an older entry for the same
    // host:port in the multi handle's cache; so the list is set again before every run.
    resolve_ = libcurl::slist_append(nullptr, entry.c_str());
  }
  libcurl::easy_setopt(easy_, CURLOPT_RESOLVE, resolve_);
  const long ms = std::max<long>(1, static_cast<long>(budget.count()));
  libcurl::easy_setopt(easy_, CURLOPT_TIMEOUT_MS, ms);
  libcurl::easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, ms);
}

std::size_t Transfer::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const std::size_t n = size * count;
  const std::size_t room = t->body_cap_ - std::min(t->body_cap_, t->body_.size());
  if (n > room) {
    // Past the cap: keep what fits for the body check and stop reading (CURLE_WRITE_ERROR).
    t->body_.append(data, room);
    t->body_capped_ = true;
    return 0;
  }
  t->body_.append(data, n);
  return n;
}

// curl calls this once per complete header line, of every response (a 100 Continue too).
std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const std::size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) t->in_headers_ = true;  // a status line: a new header block
  if (line == "\r\n" || line == "\n") t->in_headers_ = false;
  t->header_bytes_ += n;
  if (t->header_bytes_ > k_max_header_bytes) {
    t->header_capped_ = true;
    return 0;  // ends the transfer (CURLE_WRITE_ERROR); outcome() says why
  }
  return n;
}

TransferOutcome Transfer::outcome(CURLcode code) const {
  TransferOutcome out;
  out.code = code;
  libcurl::easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &out.http_status);
  curl_off_t total_us = 0;
  libcurl::easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &total_us);
  out.rtt = std::chrono::milliseconds(total_us / 1000);
  out.body = body_;
  out.body_capped = body_capped_;
  out.header_capped = header_capped_;
  out.in_headers = in_headers_;
  out.error_text = error_;
  return out;
}

}  // namespace probe
