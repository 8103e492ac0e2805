// Transfer: the reusable curl easy handle of one probe. Built once (URL, headers, TLS options,
// body cap, connection reuse); before each run only the pinned addresses and the time budget
// change.
// Never does its own DNS: the probe loop resolves with c-ares and pins the result.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "probe/plan.hh"
#include "probe/verdict.hh"

namespace probe {

class Transfer {
 public:
  // probe_index is stored as CURLOPT_PRIVATE so the loop finds the probe of a finished handle.
  // source: the local addresses runs connect from (prepare() picks the family).
  Transfer(const ProbeTarget& target, std::size_t probe_index,
           const routing::ProbeSource& source = {});
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // A kept-alive connection is reused for at most this long after it was opened.
  static constexpr std::chrono::seconds k_connection_lifetime{10};
  // Response header bytes a probe reads before it fails with "http: response header too large".
  // curl's own limit is 100 KiB for one line (it then says "Out of memory", see verdict.cc).
  static constexpr std::size_t k_max_header_bytes = 100 * 1024;

  CURL* easy() const noexcept { return easy_; }
  // True when runs may reuse a kept-alive connection from the multi handle's cache (HTTP and
  // HTTPS to an address literal without a Host header); otherwise each run connects afresh.
  bool reuses_connections() const noexcept { return reuses_connections_; }
  // Non-empty when the handle could not be configured; the probe then fails with Reason::other.
  const std::string& setup_error() const noexcept { return setup_error_; }

  // Arms one run: connect to these addresses (text, v4 or v6) for the URL host, within budget.
  // addresses may be empty when the URL host is itself an address literal.
  // With a probe source, the run binds the source of the family it connects over; curl binds
  // one address for all its attempts, so when the addresses hold both families only those of
  // a family with a source are used (IPv4 when both have one).
  void prepare(const std::vector<std::string>& addresses, std::chrono::milliseconds budget);

  // What the run left behind; the body view stays valid until the next prepare().
  TransferOutcome outcome(CURLcode code) const;

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
  template <typename T>
  void set(CURLoption option, T value);

  CURL* easy_ = nullptr;
  CURLU* url_ = nullptr;  // the probe URL, parsed once (CURLOPT_CURLU)
  std::string setup_error_;
  std::string url_host_;  // what RESOLVE pins: the Host/SNI name
  // CURLOPT_INTERFACE values, "host!127.0.0.21"; empty: no source for that family.
  std::string source_v4_;
  std::string source_v6_;
  int literal_family_ = 0;  // 4 or 6 when the URL host is an address literal, else 0
  std::uint16_t port_ = 0;
  std::size_t body_cap_ = 0;
  bool reuses_connections_ = false;
  std::string body_;
  bool body_capped_ = false;
  std::size_t header_bytes_ = 0;   // of this run's responses, status lines included
  bool in_headers_ = false;        // a status line came, and no blank line after it yet
  bool header_capped_ = false;     // on_header stopped the run at k_max_header_bytes
  curl_slist* headers_ = nullptr;  // built once; holds header values, wiped in ~Transfer
  curl_slist* resolve_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace probe
