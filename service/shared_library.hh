// A shared library loaded at run time rather than linked (libcurl for the probes and the fleet,
// libbpf and libxdp for [xdp]), so a dnsd that does not use it never maps it. Opened with
// RTLD_LOCAL: its symbols reach dnsd only through the functions looked up here. Errors read
// "cannot load <soname>: <why>"; the first one is kept.
#pragma once

#include <dlfcn.h>

#include <string>

namespace service {

class SharedLibrary {
 public:
  explicit SharedLibrary(const char* soname) noexcept
      : soname_(soname), handle_(dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) {
      const char* why = dlerror();
      fail(why ? why : "unknown error");
    }
  }

  // Looks `name` up into `slot` (null when the library did not open or lacks it: the error).
  template <typename Function>
  void resolve(const char* name, Function& slot) noexcept {
    slot = handle_ ? reinterpret_cast<Function>(dlsym(handle_, name)) : nullptr;
    if (slot == nullptr && handle_ != nullptr) fail(std::string("symbol ") + name + " missing");
  }

  // Opened, and every function looked up so far found.
  bool ok() const noexcept { return handle_ != nullptr && error_.empty(); }
  const std::string& error() const noexcept { return error_; }
  // Gives the library back when it will not be used after all (a function was missing); one
  // in use is never closed.
  void close() noexcept {
    if (handle_ != nullptr) dlclose(handle_);
    handle_ = nullptr;
  }

 private:
  void fail(const std::string& why) {
    if (error_.empty()) error_ = std::string("cannot load ") + soname_ + ": " + why;
  }
  const char* soname_;
  void* handle_;
  std::string error_;
};

}  // namespace service
