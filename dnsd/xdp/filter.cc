// Loading and attaching the XDP program (see filter.hh).
#include "dnsd/xdp/filter.hh"

#include <fmt/format.h>
#include <linux/if_link.h>
#include <net/if.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "dnsd/xdp/filter_object.hh"
#include "dnsd/xdp/libraries.hh"
#include "logging/log.hh"

namespace dnsd::xdp {

namespace {

// libbpf's warnings (a verifier refusal, say) go to dnsd's log; its debug chatter nowhere.
int libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[512];
  const int size = std::vsnprintf(line, sizeof(line), format, args);
  std::string_view text(line, size < 0 ? 0 : std::min<std::size_t>(size, sizeof(line) - 1));
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty()) logging::warning("xdp: {}", text);  // libbpf says "libbpf: " itself
  return 0;
}

std::string reason(int error) {
  const int code = error < 0 ? -error : error;
  std::string text = std::strerror(code);
  if (code == EPERM || code == EACCES)
    text += " (AF_XDP needs root, or CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW)";
  return text;
}

}  // namespace

std::string Filter::attach(const std::string& interface, std::uint16_t port) {
  const libraries::Api* api = libraries::load();
  if (!api) return fmt::format("xdp: {}", libraries::error());
  api->libbpf_set_print(libbpf_print);
  const int ifindex = static_cast<int>(::if_nametoindex(interface.c_str()));
  if (ifindex == 0) return fmt::format("xdp: no interface {}: {}", interface, reason(errno));
  LIBBPF_OPTS(bpf_object_open_opts, options, .object_name = "dnsd_xdp");
  object_ = api->bpf_object__open_mem(k_filter_object, k_filter_object_size, &options);
  if (!object_) return fmt::format("xdp: cannot open the XDP program: {}", reason(errno));
  if (const int error = api->bpf_object__load(object_); error != 0)
    return fmt::format("xdp: cannot load the XDP program for {}: {}", interface, reason(error));
  bpf_program* program = api->bpf_object__find_program_by_name(object_, "dnsd_xdp");
  bpf_map* ports = api->bpf_object__find_map_by_name(object_, "dnsd_port");
  bpf_map* sockets = api->bpf_object__find_map_by_name(object_, "dnsd_xsks");
  if (!program || !ports || !sockets) return "xdp: the embedded XDP program is incomplete";
  const std::uint32_t zero = 0, value = port;
  if (api->bpf_map__update_elem(ports, &zero, sizeof(zero), &value, sizeof(value), BPF_ANY) != 0)
    return fmt::format("xdp: cannot set the port of the XDP program: {}", reason(errno));
  sockets_map_ = api->bpf_map__fd(sockets);
  // A link never replaces a program someone else attached: the interface is theirs.
  link_ = api->bpf_program__attach_xdp(program, ifindex);
  if (!link_) {
    const int error = errno;
    if (error == EBUSY || error == EEXIST)
      return fmt::format(
          "xdp: {} already has an XDP program attached (`ip link set dev {} xdp off` removes it)",
          interface, interface);
    return fmt::format("xdp: cannot attach the XDP program to {}: {}", interface, reason(error));
  }
  LIBBPF_OPTS(bpf_xdp_query_opts, query);
  generic_ = api->bpf_xdp_query(ifindex, 0, &query) == 0 && query.attach_mode == XDP_ATTACHED_SKB;
  return {};
}

void Filter::detach() noexcept {
  // Either one exists only after attach() loaded the libraries.
  const libraries::Api* api = link_ || object_ ? libraries::load() : nullptr;
  if (link_) api->bpf_link__destroy(link_);
  link_ = nullptr;
  if (object_) api->bpf_object__close(object_);
  object_ = nullptr;
  sockets_map_ = -1;
}

}  // namespace dnsd::xdp
