// transfer_sender(): which [[secondary]] a transfer came from, by address and TSIG key; none
// when the transfer cannot tell them apart (then only the SOA check says who is current).
#include <arpa/inet.h>
#include <doctest/doctest.h>

#include "control/publishing.hh"

using control::transfer_sender;
using dnsd::notify::Secondary;

namespace {

dnsd::tsig::Key key(const char* name) {
  return *dnsd::tsig::make_key(name, "hmac-sha256", "a2V5Zm9ydGhlaGlkZGVucHJpbWFyeXRlc3Rvbmx5MTI=");
}

routing::ClientInfo client(const char* address) {
  routing::ClientInfo out;
  out.is_ipv6 = std::string(address).find(':') != std::string::npos;
  ::inet_pton(out.is_ipv6 ? AF_INET6 : AF_INET, address, out.address.data());
  return out;
}

}  // namespace

TEST_CASE("transfer sender: secondaries on different addresses are told apart by address") {
  const std::vector<Secondary> secondaries{{"192.0.2.1", 53, std::nullopt},
                                           {"192.0.2.2", 53, std::nullopt},
                                           {"2001:db8::1", 53, std::nullopt}};
  CHECK(transfer_sender(secondaries, client("192.0.2.2"), nullptr) == 1u);
  CHECK(transfer_sender(secondaries, client("2001:db8::1"), nullptr) == 2u);
  CHECK_FALSE(transfer_sender(secondaries, client("192.0.2.3"), nullptr));
}

TEST_CASE("transfer sender: two on one address are told apart by their keys") {
  const auto knot = key("knot.tm.test."), nsd = key("nsd.tm.test."), other = key("other.");
  const std::vector<Secondary> secondaries{{"127.0.0.1", 5301, knot}, {"127.0.0.1", 5302, nsd}};
  CHECK(transfer_sender(secondaries, client("127.0.0.1"), &knot) == 0u);
  CHECK(transfer_sender(secondaries, client("127.0.0.1"), &nsd) == 1u);
  CHECK_FALSE(transfer_sender(secondaries, client("127.0.0.1"), &other));
  CHECK_FALSE(transfer_sender(secondaries, client("127.0.0.1"), nullptr));  // unsigned
  CHECK_FALSE(transfer_sender(secondaries, client("127.0.0.2"), &knot));
}

TEST_CASE("transfer sender: two on one address with one key (or none) are not guessed") {
  const auto shared = key("xfr.tm.test.");
  const std::vector<Secondary> same_key{{"127.0.0.1", 5301, shared}, {"127.0.0.1", 5302, shared}};
  CHECK_FALSE(transfer_sender(same_key, client("127.0.0.1"), &shared));
  const std::vector<Secondary> no_keys{{"127.0.0.1", 5301, std::nullopt},
                                       {"127.0.0.1", 5302, std::nullopt}};
  CHECK_FALSE(transfer_sender(no_keys, client("127.0.0.1"), nullptr));
  CHECK_FALSE(transfer_sender(no_keys, client("127.0.0.1"), &shared));
  // One without a key may have sent a transfer signed with another's key.
  const std::vector<Secondary> mixed{{"127.0.0.1", 5301, shared},
                                     {"127.0.0.1", 5302, std::nullopt}};
  CHECK_FALSE(transfer_sender(mixed, client("127.0.0.1"), &shared));
  CHECK(transfer_sender(mixed, client("127.0.0.1"), nullptr) == 1u);
}
