// [fleet]: this instance's name and vantage, the etcd cluster it shares health through, the
// voting rule, and the TLS files and credentials for etcd. The password is read here, once per
// load, into a Secret; no message quotes it.
#include <fmt/format.h>

#include <cctype>

#include "conf/fleet_rule.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

// The keys of [fleet] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_fleet_keys[] = {
    Key::other("name", "string", "", "", "This instance, unique in the fleet (required)."),
    Key::other("vantage", "string", "", "",
               "Where it probes from; one vote per vantage (required)."),
    Key::other("endpoints", "list of URLs", "", "at least one", "etcd client URLs (required)."),
    Key::other("prefix", "string", "/dnsd/", "starts and ends with /",
               "Every key dnsd writes in etcd starts with it."),
    Key::other("rule", "string", "majority", "majority, at_least:N, fraction:F (0 <= F < 1)",
               "How many vantages must see an endpoint down."),
    Key::duration("lease_ttl", std::chrono::seconds(2), std::chrono::minutes(10), "10s",
                  "How long a silent instance's verdicts still count."),
    Key::other("ca_file", "path", "", "", "The CA of etcd's TLS certificate."),
    Key::other("client_cert_file", "path", "", "", "A client certificate for etcd (with the key)."),
    Key::other("client_key_file", "path", "", "", "Its key (a secret file)."),
    Key::other("user", "string", "", "", "etcd user (with password_file)."),
    Key::other("password_file", "path", "", "", "etcd password (a secret file)."),
};
const KeyTable fleet_keys{
    "[fleet]", "Several instances deciding endpoint health together through etcd.", k_fleet_keys};

namespace {

// A name that is one etcd key segment: no "/" (it would change the key's meaning), not empty.
bool key_segment(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (const char c : text)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

void read_endpoints(Section& s, FleetSection& fleet) {
  const auto items = s.strings("endpoints", true, Need::required);
  if (!items) return;
  if (items->empty()) s.error("endpoints", "must list at least one etcd client URL");
  for (const auto& item : *items) {
    const std::string_view url = item.value;
    const bool scheme = url.starts_with("http://") || url.starts_with("https://");
    const auto rest =
        url.substr(url.find("://") == std::string_view::npos ? 0 : url.find("://") + 3);
    if (!scheme || rest.empty() || rest.find('/') != std::string_view::npos)
      s.error_at(
          item.line, item.key,
          fmt::format("{} is not an etcd client URL (expected e.g. \"http://127.0.0.1:2379\")",
                      in_quotes(item.value)));
    else
      fleet.endpoints.push_back(item.value);
  }
}

void read_credentials(Section& s, const LoadContext& ctx, FleetSection& fleet) {
  for (auto [key, field] : {std::pair{"ca_file", &fleet.ca_file},
                            std::pair{"client_cert_file", &fleet.client_cert_file},
                            std::pair{"client_key_file", &fleet.client_key_file}})
    if (const auto name = s.string(key)) *field = ctx.resolve(*name);
  if (fleet.client_cert_file.empty() != fleet.client_key_file.empty())
    s.error(fleet.client_cert_file.empty() ? "client_key_file" : "client_cert_file",
            "client_cert_file and client_key_file go together");
  fleet.user = s.string("user").value_or("");
  const auto name = s.string("password_file");
  if (fleet.user.empty() != !name) {
    s.error(name ? "password_file" : "user", "user and password_file go together");
    return;
  }
  if (!name) return;
  std::string text, why;
  if (!ctx.read_secret(ctx.resolve(*name), text, &why)) {
    routing::cleanse(text);
    s.error("password_file", why);
    return;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty())
    s.error("password_file", fmt::format("{} holds no password", in_quotes(*name)));
  else
    fleet.password = routing::Secret(std::move(text));
  routing::cleanse(text);
}

}  // namespace

void read_fleet(Section& root, const LoadContext& ctx, FleetSection& fleet) {
  const auto* table = root.table("fleet");
  if (!table) return;
  Section s(root.diag(), *table, "fleet", fleet_keys);
  fleet.enabled = true;
  for (auto [key, field] : {std::pair{"name", &fleet.name}, std::pair{"vantage", &fleet.vantage}})
    if (const auto value = s.string(key, Need::required)) {
      if (key_segment(*value))
        *field = *value;
      else
        s.error(key, fmt::format("{} must be 1 to 64 letters, digits, '-', '_' or '.'",
                                 in_quotes(*value)));
    }
  read_endpoints(s, fleet);
  if (const auto prefix = s.string("prefix")) {
    if (prefix->empty() || prefix->front() != '/' || prefix->back() != '/')
      s.error("prefix", fmt::format("{} must start and end with \"/\"", in_quotes(*prefix)));
    else
      fleet.prefix = *prefix;
  }
  if (const auto rule = read_fleet_rule(s, "rule")) fleet.rule = *rule;
  if (const auto ttl = s.duration("lease_ttl"))
    fleet.lease_ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
  read_credentials(s, ctx, fleet);
  s.finish();
}

}  // namespace conf
