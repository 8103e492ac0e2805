// The journal's bookkeeping: a chain of diffs, each from the previous one's serial, with the
// oldest dropped first when a bound is passed. Serials compare by equality only here, so a
// chain across the wrap-around of RFC 1982 serials is like any other.
#include "dnsd/zone/journal.hh"

namespace dnsd::zone {

void Journal::append(Diff diff) {
  if (current_ && diff.from_serial() != *current_) {
    diffs_.clear();
    bytes_ = 0;
  }
  current_ = diff.to_serial();
  bytes_ += diff.wire_size();
  diffs_.push_back(std::move(diff));
  std::size_t drop = 0;
  while (drop < diffs_.size() &&
         (diffs_.size() - drop > limits_.max_entries || bytes_ > limits_.max_bytes))
    bytes_ -= diffs_[drop++].wire_size();
  diffs_.erase(diffs_.begin(), diffs_.begin() + static_cast<std::ptrdiff_t>(drop));
}

std::optional<std::span<const Diff>> Journal::since(std::uint32_t serial) const noexcept {
  if (current_ && serial == *current_) return std::span<const Diff>{};
  // Newest first: the shortest chain wins should a serial ever come round again.
  for (std::size_t i = diffs_.size(); i-- > 0;)
    if (diffs_[i].from_serial() == serial) return std::span<const Diff>(diffs_).subspan(i);
  return std::nullopt;
}

}  // namespace dnsd::zone
