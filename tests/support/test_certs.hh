// A self-signed certificate for the simulated tenants, made once per test binary with the
// openssl CLI in a temporary directory (removed at exit). SANs: eu/us.tenant.test, 127.0.0.2-3.
#pragma once

#include <string>

namespace test_support {

struct TestCerts {
  std::string dir;
  std::string cert;  // PEM; also serves as the CA file that trusts it
  std::string key;
  std::string error;  // non-empty when generation failed
};

const TestCerts& test_certs();

}  // namespace test_support
