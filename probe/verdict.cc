// The one switch from foreign error codes to routing::Reason. Pure: no I/O, no clock.
#include "probe/verdict.hh"

#include <ares.h>
#include <fmt/format.h>

#include "service/libcurl.hh"

namespace probe {

namespace libcurl = service::libcurl;
namespace {

using routing::Reason;

Verdict failed(Reason reason, std::string detail, long http_status = 0) {
  Verdict v;
  v.reason = reason;
  v.http_status =
      static_cast<std::uint16_t>(http_status > 0 && http_status < 1000 ? http_status : 0);
  v.detail = std::move(detail);
  return v;
}

bool is_tls_error(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

// Our header bound, or curl's: a header line past 100 KiB fails in curl 7.88 as
// CURLE_OUT_OF_MEMORY (its line buffer refuses to grow), later versions say CURLE_TOO_LARGE.
// Read inside a header block, either means the tenant sent too much header, not that we are out
// of memory.
bool header_too_large(const TransferOutcome& outcome) {
  if (outcome.header_capped) return true;
  if (!outcome.in_headers) return false;
#if LIBCURL_VERSION_NUM >= 0x080600
  if (outcome.code == CURLE_TOO_LARGE) return true;
#endif
  return outcome.code == CURLE_OUT_OF_MEMORY;
}

std::string_view curl_text(const TransferOutcome& outcome) {
  return outcome.error_text.empty() ? std::string_view(libcurl::easy_strerror(outcome.code))
                                    : outcome.error_text;
}

}  // namespace

bool status_expected(long status, const std::vector<routing::StatusRange>& ranges) noexcept {
  for (const auto& range : ranges)
    if (status >= range.first && status <= range.last) return true;
  return false;
}

Verdict classify_transfer(const TransferOutcome& outcome, const routing::MonitorSpec& monitor) {
  // The write callback aborts at the body cap; what was read up to it still counts.
  const bool completed =
      outcome.code == CURLE_OK || (outcome.code == CURLE_WRITE_ERROR && outcome.body_capped);
  if (!completed) {
    if (outcome.code == CURLE_OPERATION_TIMEDOUT)
      return failed(Reason::timeout, fmt::format("timeout after {}ms", monitor.timeout.count()));
    if (outcome.code == CURLE_COULDNT_CONNECT) return failed(Reason::refused, "connection refused");
    if (is_tls_error(outcome.code))
      return failed(Reason::tls, fmt::format("tls: {}", curl_text(outcome)));
    if (outcome.code == CURLE_COULDNT_RESOLVE_HOST)
      return failed(Reason::dns, fmt::format("dns: {}", curl_text(outcome)));
    if (header_too_large(outcome))
      return failed(Reason::other, "http: response header too large", outcome.http_status);
    return failed(Reason::other, fmt::format("curl: {}", curl_text(outcome)));
  }
  Verdict v;
  v.rtt = outcome.rtt;
  if (monitor.protocol == routing::Protocol::tcp) {
    v.ok = true;
    return v;
  }
  v.http_status = static_cast<std::uint16_t>(outcome.http_status);
  // Redirects are not followed: a 3xx fails here unless its code is listed, as Traffic Manager.
  if (!status_expected(outcome.http_status, monitor.expected_status))
    return failed(Reason::status, fmt::format("http {}", outcome.http_status), outcome.http_status);
  if (!monitor.expected_body.empty() &&
      outcome.body.find(monitor.expected_body) == std::string_view::npos)
    return failed(Reason::body, "body mismatch", outcome.http_status);
  v.ok = true;
  return v;
}

Verdict classify_resolution(int ares_status) {
  switch (ares_status) {
    case ARES_SUCCESS:
      return failed(Reason::dns, "dns: no address");
    case ARES_ENOTFOUND:
      return failed(Reason::dns, "dns: NXDOMAIN");
    case ARES_ENODATA:
      return failed(Reason::dns, "dns: no address");
    case ARES_ESERVFAIL:
      return failed(Reason::dns, "dns: SERVFAIL");
    case ARES_EREFUSED:
      return failed(Reason::dns, "dns: REFUSED");
    case ARES_ETIMEOUT:
      return failed(Reason::dns, "dns: timeout");
    case ARES_ECONNREFUSED:
      return failed(Reason::dns, "dns: server refused connection");
    default:
      return failed(Reason::dns, fmt::format("dns: {}", ares_strerror(ares_status)));
  }
}

}  // namespace probe
