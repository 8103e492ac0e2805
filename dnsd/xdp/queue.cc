// UMEM and rings of one AF_XDP socket (see queue.hh).
#include "dnsd/xdp/queue.hh"

#include <fmt/format.h>
#include <linux/if_link.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "dnsd/xdp/libraries.hh"

namespace dnsd::xdp {

namespace {

std::string reason(int error) {
  const int code = error < 0 ? -error : error;
  std::string text = std::strerror(code);
  if (code == EPERM || code == EACCES)
    text += " (AF_XDP needs root, or CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW)";
  return text;
}

}  // namespace

Queue::~Queue() {
  // Either one exists only after open() loaded the libraries.
  const libraries::Api* api = socket_ || umem_ ? libraries::load() : nullptr;
  if (socket_) api->xsk_socket__delete(socket_);
  if (umem_) api->xsk_umem__delete(umem_);
  if (area_) ::munmap(area_, std::size_t{k_frames} * k_frame_size);
}

std::string Queue::open(const std::string& interface, std::uint32_t queue, int sockets_map) {
  const libraries::Api* api = libraries::load();
  if (!api) return fmt::format("xdp: {}", libraries::error());
  const std::size_t size = std::size_t{k_frames} * k_frame_size;
  area_ = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area_ == MAP_FAILED) {
    area_ = nullptr;
    return fmt::format("xdp: cannot map {} bytes of frames: {}", size, reason(errno));
  }
  const xsk_umem_config umem_config{.fill_size = k_frames,
                                    .comp_size = k_frames,
                                    .frame_size = k_frame_size,
                                    .frame_headroom = 0,
                                    .flags = 0};
  if (const int error =
          api->xsk_umem__create(&umem_, area_, size, &fill_, &completion_, &umem_config))
    return fmt::format("xdp: cannot register frames for {} queue {}: {}", interface, queue,
                       reason(error));
  // Our own program is attached (filter.hh); libxdp must not load its default, which would
  // take every frame of the queue, ARP and TCP included.
  xsk_socket_config config{};
  config.rx_size = k_frames;
  config.tx_size = k_frames;
  config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
  config.bind_flags = XDP_USE_NEED_WAKEUP;
  if (const int error =
          api->xsk_socket__create(&socket_, interface.c_str(), queue, umem_, &rx, &tx, &config))
    return fmt::format("xdp: cannot open an AF_XDP socket on {} queue {}: {}", interface, queue,
                       reason(error));
  if (const int error = api->xsk_socket__update_xskmap(socket_, sockets_map))
    return fmt::format(
        "xdp: cannot enter the AF_XDP socket of {} queue {} into the XDP program: "
        "{}",
        interface, queue, reason(error));
  fd_ = api->xsk_socket__fd(socket_);
  std::uint32_t at = 0;
  if (xsk_ring_prod__reserve(&fill_, k_frames, &at) != k_frames)
    return fmt::format("xdp: the fill ring of {} queue {} is short", interface, queue);
  for (std::uint32_t i = 0; i < k_frames; ++i)
    *xsk_ring_prod__fill_addr(&fill_, at + i) = std::uint64_t{i} * k_frame_size;
  xsk_ring_prod__submit(&fill_, k_frames);
  return {};
}

void Queue::recycle() noexcept {
  std::uint32_t from = 0;
  const std::uint32_t done = xsk_ring_cons__peek(&completion_, k_frames, &from);
  if (done == 0) return;
  std::uint32_t to = 0;
  xsk_ring_prod__reserve(&fill_, done, &to);  // never short: the ring holds every frame
  for (std::uint32_t i = 0; i < done; ++i)
    *xsk_ring_prod__fill_addr(&fill_, to + i) =
        xsk_umem__extract_addr(*xsk_ring_cons__comp_addr(&completion_, from + i));
  xsk_ring_prod__submit(&fill_, done);
  xsk_ring_cons__release(&completion_, done);
}

void Queue::refill(const std::uint64_t* addresses, std::uint32_t count) noexcept {
  if (count == 0) return;
  std::uint32_t to = 0;
  xsk_ring_prod__reserve(&fill_, count, &to);
  for (std::uint32_t i = 0; i < count; ++i)
    *xsk_ring_prod__fill_addr(&fill_, to + i) = xsk_umem__extract_addr(addresses[i]);
  xsk_ring_prod__submit(&fill_, count);
}

}  // namespace dnsd::xdp
