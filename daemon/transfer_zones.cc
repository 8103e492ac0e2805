// TransferZones: lookups in the current Generation; no journal yet (every IXFR is AXFR-style).
#include "daemon/transfer_zones.hh"

namespace daemon_wiring {

dnsd::xfr::Keys TransferZones::keys() const {
  auto generation = runtime_.generation();
  const dnsd::tsig::Keyring* keyring = &generation->config->keys;
  return {keyring, std::move(generation)};
}

std::optional<dnsd::xfr::Transferable> TransferZones::find(
    std::span<const std::uint8_t> lowercased_origin) const {
  auto generation = runtime_.generation();
  const auto origin = dnsd::wire::Name::from_wire(lowercased_origin);
  if (!origin) return std::nullopt;
  for (const auto& zone : generation->config->zones.zones())
    if (zone->origin().lowercased() == *origin)
      return dnsd::xfr::Transferable{zone.get(), nullptr, generation->config->transfer_acl(*origin),
                                     std::move(generation)};
  return std::nullopt;
}

}  // namespace daemon_wiring
