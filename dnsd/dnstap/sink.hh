// The dnstap sink: a Frame Streams writer (unix socket or file) driven by fstrm's own I/O
// thread, with one input queue and one Tap per query thread (as Knot's dnstap module does).
// Opened once at start; the query threads only ever touch their own Tap.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dnsd/dnstap/settings.hh"
#include "dnsd/dnstap/tap.hh"
#include "dnsd/dnstap/totals.hh"

struct fstrm_iothr;

namespace dnsd::dnstap {

// The content type dnstap readers ask for (fstrm's handshake and the file's start frame).
inline constexpr const char* k_content_type = "protobuf:dnstap.Dnstap";

class Sink {
 public:
  // Starts the writer thread for `threads` query threads. A file is created (replaced) now;
  // a socket is connected by the writer thread, which tries again every 2 s while no reader
  // listens (messages meanwhile are discarded by it). Null, with `why`, on an error.
  static std::unique_ptr<Sink> open(const Settings& settings, std::size_t threads,
                                    std::string& why);
  // Flushes and stops the writer thread. A reader that does not read would hold it forever:
  // after 2 s it is left behind (with what it holds) and a warning says so.
  ~Sink();

  Tap& tap(std::size_t thread) noexcept { return *taps_[thread]; }
  std::size_t threads() const noexcept { return taps_.size(); }
  Totals totals() const noexcept;

 private:
  explicit Sink(const Settings& settings) : settings_(settings) {}
  Settings settings_;  // with identity and version filled in
  fstrm_iothr* iothr_ = nullptr;
  std::vector<std::unique_ptr<Tap>> taps_;
};

}  // namespace dnsd::dnstap
