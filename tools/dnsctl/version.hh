// What `dnsctl --version` prints: the project version from CMake and the git commit the build
// was made from (tools/dnsctl/version.cmake writes the definitions at every build).
#pragma once

#include <string_view>

namespace dnsctl {

std::string_view project_version() noexcept;
// The short commit hash, "+dirty" when the tree had changes; empty outside a git checkout.
std::string_view build_commit() noexcept;

}  // namespace dnsctl
