// Dropping root: after every socket is bound and every file read, dnsd switches to the configured
// user (its uid, primary group and supplementary groups) for good. Capabilities go with root:
// the kernel clears them on the switch, so nothing privileged is left for later.
#pragma once

#include <sys/types.h>

#include <string>

namespace service {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// The passwd entry of `user`; error text in `why` when there is none.
bool find_account(const std::string& user, Account& out, std::string& why);

// Becomes `user` for good. Running as root: initgroups + setresgid + setresuid, then checks that
// root cannot be regained. Already running as that user (systemd User=, setpriv): nothing to do.
// Another unprivileged user: an error, since the switch is impossible. Empty string on success.
// Call before any thread is started.
std::string drop_privileges(const std::string& user);

}  // namespace service
