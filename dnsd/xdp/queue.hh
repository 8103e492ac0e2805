// One AF_XDP socket on one receive queue, with its own UMEM (libxdp's xsk_* API): frames are
// received into the UMEM, answered in the same frame and sent from it, then returned to the
// fill ring once the kernel reports them sent. Every frame is always in exactly one place: the
// fill ring, the rx ring, the worker's hands, the tx ring or the completion ring, and each ring
// holds all of them, so no ring can overflow.
#pragma once

#include <sys/socket.h>
#include <xdp/xsk.h>

#include <cstdint>
#include <string>

namespace dnsd::xdp {

class Queue {
 public:
  static constexpr std::uint32_t k_frames = 2048;
  static constexpr std::uint32_t k_frame_size = XSK_UMEM__DEFAULT_FRAME_SIZE;  // 4096

  Queue() = default;
  ~Queue();
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // The socket on `queue` of `interface`, entered into the XDP program's `sockets_map`.
  // Returns an error message naming the interface and the reason, empty on success.
  std::string open(const std::string& interface, std::uint32_t queue, int sockets_map);

  int fd() const noexcept { return fd_; }
  std::uint8_t* frame(std::uint64_t address) noexcept {
    return static_cast<std::uint8_t*>(xsk_umem__get_data(area_, address));
  }
  // Room from `address` to the end of its frame.
  static std::size_t room(std::uint64_t address) noexcept {
    return k_frame_size - (address % k_frame_size);
  }
  // Frames the kernel has sent go back to the fill ring, ready for queries.
  void recycle() noexcept;
  // Frames given back without an answer.
  void refill(const std::uint64_t* addresses, std::uint32_t count) noexcept;
  // A zero-copy driver that found the fill ring empty stops receiving until it is woken (its
  // need_wakeup flag); copy mode never sets the flag. Costs a flag check when not needed.
  void wake_fill() noexcept {
    if (xsk_ring_prod__needs_wakeup(&fill_))
      ::recvfrom(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
  }

  xsk_ring_cons rx{};
  xsk_ring_prod tx{};

 private:
  void* area_ = nullptr;
  xsk_umem* umem_ = nullptr;
  xsk_socket* socket_ = nullptr;
  int fd_ = -1;  // socket_'s, read once at open()
  xsk_ring_prod fill_{};
  xsk_ring_cons completion_{};
};

}  // namespace dnsd::xdp
