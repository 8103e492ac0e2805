// [dnstap]: query logging in dnstap (README "Query logging (dnstap)"). Values are checked
// here; the daemon opens the sink with them at start.
#include <fmt/format.h>
#include <sys/un.h>

#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

// The keys of [dnstap] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_dnstap_keys[] = {
    Key::other("socket", "path", "", "", "A Frame Streams unix socket (or file, not both)."),
    Key::other("file", "path", "", "", "A file to write the messages to (or socket)."),
    Key::other("queries", "boolean", "true", "", "Log AUTH_QUERY messages."),
    Key::other("responses", "boolean", "true", "", "Log AUTH_RESPONSE messages."),
    Key::other("identity", "string", "the host name", "", "Sent in every message."),
    Key::other("version", "string", "dnsd's version", "", "Sent in every message."),
    Key::integer("queue_size", 2, 16384, "512",
                 "Messages queued per query thread, a power of two; full: dropped and counted."),
};
const KeyTable dnstap_keys{"[dnstap]", "Query logging in the dnstap format, read at start only.",
                           k_dnstap_keys};

void read_dnstap(Section& root, const LoadContext& ctx, dnsd::dnstap::Settings& dnstap) {
  const auto* table = root.table("dnstap");
  if (!table) return;
  Section s(root.diag(), *table, "dnstap", dnstap_keys);
  const auto socket = s.string("socket");
  const auto file = s.string("file");
  if (socket && file) {
    s.error("file", "give either socket or file, not both");
  } else if (socket) {
    dnstap.socket = ctx.resolve(*socket);
    // A unix socket's path must fit sockaddr_un (fstrm would cut it silently).
    if (socket->empty() || dnstap.socket.size() >= sizeof(sockaddr_un{}.sun_path))
      s.error("socket",
              fmt::format("must be a path of 1 to {} bytes", sizeof(sockaddr_un{}.sun_path) - 1));
  } else if (file) {
    if (file->empty())
      s.error("file", "must not be empty");
    else
      dnstap.file = ctx.resolve(*file);
  } else {
    s.error("socket", "is required (or file): where the dnstap messages go");
  }
  dnstap.queries = s.boolean("queries").value_or(dnstap.queries);
  dnstap.responses = s.boolean("responses").value_or(dnstap.responses);
  for (const auto* key : {"identity", "version"}) {
    const auto text = s.string(key);
    if (!text) continue;
    if (text->size() > dnsd::dnstap::k_max_label)
      s.error(key, fmt::format("must be at most {} bytes", dnsd::dnstap::k_max_label));
    else
      (std::string_view(key) == "identity" ? dnstap.identity : dnstap.version) = *text;
  }
  if (const auto size = s.integer("queue_size")) {
    if ((*size & (*size - 1)) != 0)
      s.error("queue_size", "must be a power of two (fstrm's queues)");
    else
      dnstap.queue_size = static_cast<std::size_t>(*size);
  }
  s.finish();
}

}  // namespace conf
