// Certificate generation through the openssl CLI, as the tests and the demo do it.
#include "tests/support/test_certs.hh"

#include <stdlib.h>

#include <filesystem>

#include "tests/support/child_process.hh"

namespace test_support {
namespace {

struct Holder {
  TestCerts certs;
  Holder() {
    char pattern[] = "/tmp/dnsd-probe-certs-XXXXXX";
    if (mkdtemp(pattern) == nullptr) {
      certs.error = "mkdtemp failed";
      return;
    }
    certs.dir = pattern;
    certs.cert = certs.dir + "/tenant.pem";
    certs.key = certs.dir + "/tenant.key";
    const bool ok = run_program(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", certs.key, "-out", certs.cert, "-days", "2", "-subj",
         "/CN=eu.tenant.test", "-addext",
         "subjectAltName=DNS:eu.tenant.test,DNS:us.tenant.test,IP:127.0.0.2,IP:127.0.0.3"},
        std::chrono::seconds(20));
    if (!ok) certs.error = "openssl req failed";
  }
  ~Holder() {
    std::error_code ignored;
    if (!certs.dir.empty()) std::filesystem::remove_all(certs.dir, ignored);
  }
};

}  // namespace

const TestCerts& test_certs() {
  static Holder holder;
  return holder.certs;
}

}  // namespace test_support
