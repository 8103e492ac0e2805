// [xdp]: the optional AF_XDP path (README "AF_XDP mode"). Values are checked here; the daemon
// attaches to the interface at start (dnsd/xdp/xdp_server.hh).
#include <fmt/format.h>
#include <net/if.h>

#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

// The keys of [xdp] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_xdp_keys[] = {
    Key::other("interface", "string", "", "an interface name",
               "Answer UDP queries arriving on it through AF_XDP; absent: off."),
    Key::integer("port", 1, 65535, "the first listen port",
                 "The UDP port taken off the interface."),
    Key::integer("queues", 1, 256, "1",
                 "Receive queues 0..queues-1 served, one socket and one thread each."),
};
const KeyTable xdp_keys{"[xdp]", "The AF_XDP UDP path, off by default; read at start only.",
                        k_xdp_keys};

void read_xdp(Section& root, XdpSection& xdp) {
  const auto* table = root.table("xdp");
  if (!table) return;
  Section s(root.diag(), *table, "xdp", xdp_keys);
  if (const auto interface = s.string("interface")) {
    if (interface->empty() || interface->size() >= IF_NAMESIZE)
      s.error("interface",
              fmt::format("must be an interface name of 1 to {} bytes", IF_NAMESIZE - 1));
    else
      xdp.interface = *interface;
  } else {
    s.error("interface", "is required: the interface whose UDP queries AF_XDP takes");
  }
  if (const auto port = s.integer("port")) xdp.port = static_cast<std::uint16_t>(*port);
  xdp.queues = static_cast<unsigned>(s.integer("queues").value_or(xdp.queues));
  s.finish();
}

}  // namespace conf
