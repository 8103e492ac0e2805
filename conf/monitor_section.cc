// [profile.monitor] and its per-endpoint overrides -> routing::MonitorSpec. Defaults follow
// Traffic Manager (interval 30s, timeout 10s, 3 tolerated failures, expected 200-299).
#include <fmt/format.h>

#include <charconv>

#include "conf/duration.hh"
#include "conf/files.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

constexpr std::int64_t k_max_body_bytes = 16 * 1024 * 1024;

// The keys of [profile.monitor] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_monitor_keys[] = {
    Key::other("protocol", "string", "https", "http, https, tcp", "tcp is a connect."),
    Key::integer("port", 1, 65535, "443 (https), 80 (http)", "Required for tcp."),
    Key::other("path", "string", "/", "starts with /, no blanks", "The request path."),
    Key::duration("interval", std::chrono::milliseconds(100), std::chrono::hours(1), "30s",
                  "Between probes, with 10% jitter."),
    Key::duration("timeout", std::chrono::milliseconds(1), std::chrono::hours(1),
                  "min(10s, interval / 2)", "Per probe; must be below the interval."),
    Key::integer("tolerated_failures", 0, 9, "3",
                 "Degraded after tolerated_failures + 1 failures in a row."),
    Key::integer("successes_to_recover", 1, 9, "1",
                 "Online again after this many successes in a row."),
    Key::other("expected_status", "string", "200-299", "codes and ranges in 100..599",
               "Status codes that count as healthy, e.g. \"200-299,403\"."),
    Key::other("expected_body", "string", "", "",
               "A substring the body must contain (absent: not checked)."),
    Key::other("host_header", "string", "the endpoint's FQDN", "no blanks",
               "Host header and TLS SNI."),
    Key::other("verify_tls", "boolean", "true", "", "Verify the certificate."),
    Key::other("ca_file", "path", "", "a PEM file", "A CA bundle for private CAs."),
    Key::other("client_cert", "path", "", "a PEM file", "A client certificate (with client_key)."),
    Key::other("client_key", "path", "", "a PEM file", "Its key (with client_cert)."),
    Key::integer("max_body_bytes", 0, k_max_body_bytes, "65536", "Body bytes read."),
    Key::other("header", "array of tables", "", "", "[[profile.monitor.header]]: request headers."),
};
const KeyTable monitor_keys{
    "[profile.monitor]", "How endpoints are probed; [profile.endpoint.monitor] overrides any key.",
    k_monitor_keys};

namespace {

using namespace std::chrono_literals;
using routing::Protocol;

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

bool parse_code(std::string_view text, std::uint16_t& out) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 100 ||
      value > 599)
    return false;
  out = static_cast<std::uint16_t>(value);
  return true;
}

// "200-299,403": codes and inclusive ranges, each within 100..599.
std::optional<std::vector<routing::StatusRange>> parse_status_list(std::string_view text) {
  std::vector<routing::StatusRange> out;
  while (true) {
    const auto comma = text.find(',');
    const auto part = trim(text.substr(0, comma));
    const auto dash = part.find('-');
    routing::StatusRange range;
    if (!parse_code(trim(part.substr(0, dash)), range.first)) return std::nullopt;
    range.last = range.first;
    if (dash != std::string_view::npos &&
        (!parse_code(trim(part.substr(dash + 1)), range.last) || range.last < range.first))
      return std::nullopt;
    out.push_back(range);
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

bool has_control_or_space(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return true;
  return false;
}

// A PEM file the prober will hand to libcurl: resolved against the config's directory and
// checked here, so a typo fails at load rather than at the first probe.
std::optional<std::string> pem_file(Section& s, std::string_view key, const LoadContext& ctx) {
  const auto name = s.string(key);
  if (!name) return std::nullopt;
  const auto path = ctx.resolve(*name);
  std::string text, why;
  if (!read_file(path, text, &why)) {
    s.error(key, why);
    return std::nullopt;
  }
  if (text.find("-----BEGIN ") == std::string::npos) {
    s.error(key, fmt::format("{} is not a PEM file (expected a \"-----BEGIN ...\" line)",
                             in_quotes(path)));
    return std::nullopt;
  }
  return path;
}

void read_protocol(Section& s, MonitorDraft& draft) {
  const auto text = s.string("protocol");
  if (!text) return;
  if (*text == "http")
    draft.spec.protocol = Protocol::http;
  else if (*text == "https")
    draft.spec.protocol = Protocol::https;
  else if (*text == "tcp")
    draft.spec.protocol = Protocol::tcp;
  else
    s.error("protocol", fmt::format("unknown protocol {} (expected one of http, https, tcp)",
                                    in_quotes(*text)));
}

void read_http_fields(Section& s, MonitorDraft& draft) {
  auto& spec = draft.spec;
  if (auto path = s.string("path")) {
    if (!path->starts_with('/') || has_control_or_space(*path))
      s.error("path",
              fmt::format("bad path {} (expected it to start with \"/\", without blanks, e.g. "
                          "\"/http/ping\")",
                          in_quotes(*path)));
    else
      spec.path = *path;
  }
  if (auto text = s.string("expected_status")) {
    if (auto ranges = parse_status_list(*text))
      spec.expected_status = *ranges;
    else
      s.error("expected_status",
              fmt::format("bad status list {} (expected codes or ranges from 100 to 599 "
                          "separated by commas, e.g. \"200-299,403\")",
                          in_quotes(*text)));
  }
  if (auto body = s.string("expected_body")) spec.expected_body = *body;
  if (auto host = s.string("host_header")) {
    if (has_control_or_space(*host))
      s.error("host_header", fmt::format("bad Host header {} (expected a host name, no blanks)",
                                         in_quotes(*host)));
    else
      spec.host_header = *host;
  }
  if (auto verify = s.boolean("verify_tls")) spec.verify_tls = *verify;
  if (auto max = s.integer("max_body_bytes")) spec.max_body_bytes = static_cast<std::size_t>(*max);
}

}  // namespace

MonitorDraft default_monitor() {
  MonitorDraft draft;
  draft.spec.interval = 30s;
  draft.spec.tolerated_failures = 3;
  draft.spec.successes_to_recover = 1;
  draft.spec.expected_status = {{200, 299}};
  return draft;
}

void apply_monitor(const toml::table& table, const std::string& path, const LoadContext& ctx,
                   MonitorDraft& draft) {
  Section s(ctx.diag, table, path, monitor_keys);
  auto& spec = draft.spec;
  read_protocol(s, draft);
  if (auto port = s.integer("port")) {
    spec.port = static_cast<std::uint16_t>(*port);
    draft.port_set = true;
  }
  if (auto interval = s.duration("interval"))
    spec.interval = *interval;
  else
    draft.timing_clean = draft.timing_clean && !s.has("interval");
  if (auto timeout = s.duration("timeout")) {
    spec.timeout = *timeout;
    draft.timeout_set = true;
  } else {
    draft.timing_clean = draft.timing_clean && !s.has("timeout");
  }
  if (auto failures = s.integer("tolerated_failures"))
    spec.tolerated_failures = static_cast<std::uint8_t>(*failures);
  if (auto successes = s.integer("successes_to_recover"))
    spec.successes_to_recover = static_cast<std::uint8_t>(*successes);
  read_http_fields(s, draft);
  if (auto ca = pem_file(s, "ca_file", ctx)) spec.ca_file = *ca;
  if (auto cert = pem_file(s, "client_cert", ctx))
    spec.client_cert_file = *cert;
  else
    draft.files_clean = draft.files_clean && !s.has("client_cert");
  if (auto key = pem_file(s, "client_key", ctx))
    spec.client_key_file = *key;
  else
    draft.files_clean = draft.files_clean && !s.has("client_key");
  if (auto headers = read_headers(s, ctx))
    spec.headers = std::move(*headers);  // replaces, not merges
  s.finish();
}

routing::MonitorSpec finish_monitor(MonitorDraft draft, const std::string& path, std::size_t line,
                                    const toml::table* table, const LoadContext& ctx) {
  const auto report = [&](std::string_view key, std::string message) {
    const auto* node = table ? table->get(key) : nullptr;
    ctx.diag.add(node ? line_of(*node) : line, fmt::format("{}.{}", path, key), std::move(message));
  };
  auto& spec = draft.spec;
  if (!draft.port_set) {
    if (spec.protocol == Protocol::tcp)
      report("port", "is required for protocol \"tcp\" (1 to 65535)");
    spec.port = spec.protocol == Protocol::http ? 80 : 443;
  }
  // Half the interval leaves the other half for the next probe to start on time; with the
  // default 30s interval it gives Traffic Manager's default of 10s.
  if (!draft.timeout_set)
    spec.timeout = std::min<std::chrono::milliseconds>(10s, spec.interval / 2);
  if (draft.timing_clean && spec.timeout >= spec.interval)
    report("timeout", fmt::format("must be below the interval ({}), got {}",
                                  format_duration(spec.interval), format_duration(spec.timeout)));
  if (draft.files_clean && spec.client_cert_file.empty() != spec.client_key_file.empty())
    report(spec.client_cert_file.empty() ? "client_cert" : "client_key",
           "client_cert and client_key come together (expected both or neither)");
  if (!ctx.allow_plain_http_credentials && spec.protocol == Protocol::http && !spec.headers.empty())
    report("protocol",
           fmt::format("sends {} over plain http, and server.allow_plain_http_credentials is "
                       "false (expected protocol \"https\")",
                       spec.headers.front().name));
  return spec;
}

}  // namespace conf
