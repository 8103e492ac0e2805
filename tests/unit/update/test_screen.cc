// dnsd/update/screen.hh: what a query thread answers itself before the update queue (issue
// 13/12), checked against what the update thread (processor.hh) answers for the same bytes.
#include <doctest/doctest.h>

#include "dnsd/tsig/sign.hh"
#include "dnsd/update/processor.hh"
#include "dnsd/update/screen.hh"
#include "update_fixture.hh"

using namespace update_test;
namespace rc = dnsd::wire::rcode;
namespace cls = dnsd::wire::rrclass;

namespace {

const auto k_now = std::chrono::sys_seconds(std::chrono::seconds(1'700'000'000));
const char* const k_secret = "c2VjcmV0c2VjcmV0c2VjcmV0";

std::vector<std::uint8_t> sign(std::vector<std::uint8_t> message, const tsig::Key& key) {
  std::vector<std::uint8_t> buffer(message.size() + 512);
  wire::Writer writer(buffer, buffer.size());
  writer.put_bytes(message);
  tsig::Mac mac;
  REQUIRE(tsig::sign_request(writer, key, k_now, mac));
  buffer.resize(writer.size());
  return buffer;
}

std::vector<update::Record> add_txt() {
  return {record("_acme-challenge.example.", "TXT", cls::in, 120, "\"token\"")};
}

// What the update thread writes for `request`.
std::vector<std::uint8_t> processed(const std::vector<std::uint8_t>& request,
                                    const tsig::Keyring& keyring) {
  update::Context context;
  context.keyring = &keyring;
  context.now = k_now;
  const auto outcome = update::decide(request, context);
  std::vector<std::uint8_t> out(512);
  out.resize(update::respond(request, outcome, out, k_now));
  return out;
}

}  // namespace

TEST_CASE(
    "screen: what can never be applied is answered in the very bytes the update thread "
    "writes") {
  const tsig::Keyring keyring{{*tsig::make_key("k.", "hmac-sha256", k_secret)}};
  const auto stranger = *tsig::make_key("stranger.", "hmac-sha256", k_secret);
  auto not_soa = message("example.", {}, add_txt());
  not_soa[12 + 9 + 1] = 1;  // the zone section's type A: FORMERR, so the zone is not echoed
  auto two_zones = message("example.", {}, add_txt());
  two_zones[5] = 2;  // ZOCOUNT 2: the TSIG is not found where it must be (FORMERR)
  struct Case {
    const char* what;
    std::vector<std::uint8_t> request;
    std::uint16_t rcode;
  };
  const Case cases[] = {
      {"unsigned", message("Example.", {}, add_txt()), rc::refused},
      {"unsigned, malformed", not_soa, rc::refused},
      {"an unknown key", sign(message("example.", {}, add_txt()), stranger), rc::notauth},
      {"an unknown key, malformed", sign(not_soa, stranger), rc::notauth},
      {"a misplaced TSIG", sign(two_zones, stranger), rc::formerr},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    std::array<std::uint8_t, 512> out{};
    const auto screened = update::screen(c.request, keyring, out, k_now);
    REQUIRE(screened.size > 0);
    CHECK(screened.key == nullptr);
    CHECK(screened.rcode == c.rcode);
    const std::vector<std::uint8_t> ours(out.begin(), out.begin() + screened.size);
    CHECK(ours == processed(c.request, keyring));
  }
}

TEST_CASE("screen: a request naming a known key goes on to the update thread, whatever its MAC") {
  const tsig::Keyring keyring{{*tsig::make_key("k.", "hmac-sha256", k_secret)}};
  auto wrong = keyring.keys()[0];
  wrong.secret[0] ^= 1;  // same name: only the MAC, which the update thread checks, tells
  for (const auto& key : {keyring.keys()[0], wrong}) {
    std::array<std::uint8_t, 512> out{};
    const auto screened =
        update::screen(sign(message("example.", {}, add_txt()), key), keyring, out, k_now);
    CHECK(screened.size == 0);
    CHECK(screened.key == &keyring.keys()[0]);
  }
}
