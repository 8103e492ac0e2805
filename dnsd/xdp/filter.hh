// dnsd's XDP program (filter.bpf.c) on one interface: loaded from the embedded object, told
// dnsd's port, and attached through a BPF link (native mode where the driver has XDP, generic
// otherwise). The link dies with its descriptor, so the program is detached when this object
// goes, after dnsd dropped root, and even if dnsd is killed. libbpf does the loading (not
// libxdp's dispatcher, which needs bpffs mounted and is not needed for one program).
#pragma once

#include <cstdint>
#include <string>

struct bpf_object;
struct bpf_link;

namespace dnsd::xdp {

class Filter {
 public:
  Filter() = default;
  ~Filter() { detach(); }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  // Returns an error message naming the interface and the reason, empty on success.
  std::string attach(const std::string& interface, std::uint16_t port);
  void detach() noexcept;
  // The XSKMAP that AF_XDP sockets are entered into (xsk_socket__update_xskmap).
  int sockets_map() const noexcept { return sockets_map_; }
  bool generic_mode() const noexcept { return generic_; }

 private:
  bpf_object* object_ = nullptr;
  bpf_link* link_ = nullptr;
  int sockets_map_ = -1;
  bool generic_ = false;
};

}  // namespace dnsd::xdp
