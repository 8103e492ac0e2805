// Verdict: what one probe concluded. verdict.cc is the one switch that turns foreign error codes
// (curl, HTTP status, body check, c-ares) into a routing::Reason; nothing else interprets them.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "routing/health_table.hh"
#include "routing/model.hh"

namespace probe {

struct Verdict {
  bool ok = false;
  routing::Reason reason = routing::Reason::none;
  std::uint16_t http_status = 0;  // 0 when no response was read
  std::chrono::milliseconds rtt{0};
  // Operator text for the log line ("http 503", "timeout after 500ms", "dns: NXDOMAIN").
  // Built from codes and curl's error buffer only; never from header values.
  std::string detail;
};

// What one curl transfer left behind, gathered by transfer.cc.
struct TransferOutcome {
  CURLcode code = CURLE_OK;
  long http_status = 0;
  std::string_view body;       // at most max_body_bytes
  bool body_capped = false;    // the write callback stopped reading at the cap
  bool header_capped = false;  // the header callback stopped reading at its bound
  bool in_headers = false;     // the run ended inside a response's header block
  std::chrono::milliseconds rtt{0};
  std::string_view error_text;  // curl's CURLOPT_ERRORBUFFER, may be empty
};

bool status_expected(long status, const std::vector<routing::StatusRange>& ranges) noexcept;

// HTTP(S) verdicts check status and body; TCP verdicts only need the connect to succeed.
Verdict classify_transfer(const TransferOutcome& outcome, const routing::MonitorSpec& monitor);

// A failed resolution of the probe host (an ARES_* status), or success with no address.
Verdict classify_resolution(int ares_status);

}  // namespace probe
