// The zones dnsd offers for transfer: those of the current Generation (its config's zones,
// keys and [[zone.transfer]] ACLs), each kept alive for the length of its transfer.
#pragma once

#include "control/runtime.hh"
#include "dnsd/xfr/source.hh"

namespace daemon_wiring {

class TransferZones : public dnsd::xfr::ZoneSource {
 public:
  explicit TransferZones(const control::Runtime& runtime) : runtime_(runtime) {}
  dnsd::xfr::Keys keys() const override;
  std::optional<dnsd::xfr::Transferable> find(
      std::span<const std::uint8_t> lowercased_origin) const override;

 private:
  const control::Runtime& runtime_;
};

}  // namespace daemon_wiring
