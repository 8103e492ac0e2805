// Dropping root for good: groups first (they need root), then the uid, then a check.
#include "service/privileges.hh"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace service {

bool find_account(const std::string& user, Account& out, std::string& why) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  const int error = getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (!found) {
    why = error ? fmt::format("cannot look up user \"{}\": {}", user, std::strerror(error))
                : fmt::format("no such user \"{}\"", user);
    return false;
  }
  out = Account{user, entry.pw_uid, entry.pw_gid};
  return true;
}

std::string drop_privileges(const std::string& user) {
  Account account;
  std::string why;
  if (!find_account(user, account, why)) return why;
  if (geteuid() != 0) {
    if (getuid() == account.uid && geteuid() == account.uid) return {};
    return fmt::format("running as uid {}, not root: cannot switch to user \"{}\" (uid {})",
                       geteuid(), user, account.uid);
  }
  if (initgroups(account.name.c_str(), account.gid) != 0)
    return fmt::format("initgroups({}): {}", user, std::strerror(errno));
  if (setresgid(account.gid, account.gid, account.gid) != 0)
    return fmt::format("setresgid({}): {}", account.gid, std::strerror(errno));
  if (setresuid(account.uid, account.uid, account.uid) != 0)
    return fmt::format("setresuid({}): {}", account.uid, std::strerror(errno));
  // Paranoia, as OpenSSH does: if root can still be had back, the switch did not happen.
  if (account.uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
    return fmt::format("still able to regain root after switching to \"{}\"", user);
  return {};
}

}  // namespace service
