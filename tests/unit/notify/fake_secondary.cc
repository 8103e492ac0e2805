// FakeSecondary (fake_secondary.hh): one UDP socket and a thread answering with dnsd's writer.
#include "fake_secondary.hh"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>

#include "dnsd/tsig/sign.hh"
#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/wire/writer.hh"
#include "dnsd/zone/soa.hh"

namespace notify_test {

using namespace dnsd;

FakeSecondary::FakeSecondary(std::vector<tsig::Key> keyring)
    : keyring_(std::move(keyring)), signs_(!keyring_.keys().empty()) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd_, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeSecondary::~FakeSecondary() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

std::vector<std::uint32_t> FakeSecondary::notified() const {
  std::lock_guard lock(mutex_);
  return notified_;
}

void FakeSecondary::serve() {
  std::array<std::uint8_t, 65535> in;
  std::array<std::uint8_t, 1232> out;
  while (!stop_) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 20) <= 0) continue;
    sockaddr_storage from{};
    socklen_t from_size = sizeof from;
    const ssize_t size =
        ::recvfrom(fd_, in.data(), in.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_size);
    if (size < 12) continue;
    std::span<std::uint8_t> message(in.data(), static_cast<std::size_t>(size));
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    tsig::Verified verified;
    if (signs_) {
      verified = tsig::verify_request(message, keyring_, now);
      message = tsig::strip_tsig(message, verified);
    }
    wire::Reader reader(message);
    const wire::Header header = reader.header();
    wire::WireName qname;
    reader.name(qname);
    reader.skip(4);
    const std::size_t question_end = reader.pos();
    std::uint32_t serial = 0;
    if (header.opcode() == wire::opcode::notify && header.ancount == 1) {
      reader.name(qname);
      reader.skip(8);
      const std::uint16_t rdlength = reader.u16();
      if (reader.ok() && reader.remaining() >= rdlength)
        serial = zone::soa::serial(message.subspan(reader.pos(), rdlength));
      std::lock_guard lock(mutex_);
      notified_.push_back(serial);
      if (notified_.size() <= drop_first_) continue;
    }
    if (!reader.ok() || mode_ == Mode::silent) continue;
    // The answer: the request's header and question, QR set (AA too for an SOA answer).
    wire::Writer writer(out, out.size());
    const bool soa = header.opcode() == wire::opcode::query && mode_ == Mode::ack;
    std::uint16_t flags = static_cast<std::uint16_t>((header.flags & 0x7900) | 0x8000);
    if (mode_ == Mode::refuse) flags |= wire::rcode::refused;
    if (soa) flags |= 0x0400;
    writer.put_bytes(message.first(question_end));
    writer.patch_u16(2, flags);
    writer.patch_u16(6, soa ? 1 : 0);
    writer.patch_u16(8, 0);
    writer.patch_u16(10, 0);
    if (soa) {
      std::array<std::uint8_t, 22> rdata{};  // ". . serial 0 0 0 0"
      zone::soa::set_serial(rdata, soa_serial_);
      writer.put_rr(qname.wire(), wire::rrtype::soa, wire::rrclass::in, 300, rdata);
    }
    if (signs_) tsig::sign_response(writer, verified, now);
    const auto packet = writer.packet();
    ::sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&from), from_size);
  }
}

}  // namespace notify_test
