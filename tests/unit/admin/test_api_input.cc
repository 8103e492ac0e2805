// Api::handle on requests the fuzzer (tests/fuzz/fuzz_admin.cc) found, against a Runtime that
// is loaded but not started (no probing): each gets its proper answer, never an exception.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "admin/api.hh"
#include "conf/load.hh"
#include "control/runtime.hh"
#include "tests/support/api_config.hh"

namespace {

namespace http = boost::beast::http;

const std::string token = "api-input-token-0123456789";

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<control::Runtime> runtime;
  std::unique_ptr<admin::Api> api;

  Fixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dnsd-api-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    write(api_config::token_file_name, token);
    write("dnsd.toml", api_config::toml);

    auto loaded = conf::load_file((dir / "dnsd.toml").string());
    REQUIRE(loaded.config);
    control::RuntimeOptions options;
    options.log = [](std::string_view) {};
    options.probe.log = [](std::string_view) {};
    runtime = std::make_unique<control::Runtime>((dir / "dnsd.toml").string(),
                                                 std::move(loaded.config), std::move(options));
    api = std::make_unique<admin::Api>(*runtime);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  void write(const std::string& name, const std::string& text) {
    std::FILE* file = std::fopen((dir / name).c_str(), "wb");
    REQUIRE(file != nullptr);
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
  }

  admin::Response post(const std::string& target) {
    admin::Request request{http::verb::post, target, 11};
    request.set(http::field::authorization, "Bearer " + token);
    return api->handle(request);
  }
};

}  // namespace

TEST_CASE("api: an endpoint name that is not UTF-8 gets 404 with the error, not an exception") {
  // Found by fuzz_admin: the error message quoting the name made json::dump throw, which the
  // server turned into a bare 500 "internal error".
  Fixture f;
  const auto response = f.post("/api/v1/endpoints/ci.tm.test./e\xeb\xeb\xebu/enable");
  CHECK(response.result() == http::status::not_found);
  CHECK(response.body().find("\"error\"") != std::string::npos);
}

TEST_CASE("api: a query parameter name that is not UTF-8 gets 400 naming it, not an exception") {
  Fixture f;
  const auto response = f.post("/api/v1/endpoints/ci.tm.test./eu/disable?%ff=1");
  CHECK(response.result() == http::status::bad_request);
  CHECK(response.body().find("unknown parameter") != std::string::npos);
}

TEST_CASE("api: secondaries for a zone that is not published is 404 naming it") {
  Fixture f;
  admin::Request request{http::verb::get, "/api/v1/secondaries?zone=Nope.TEST&check=0", 11};
  request.set(http::field::authorization, "Bearer " + token);
  const auto response = f.api->handle(request);
  CHECK(response.result() == http::status::not_found);
  CHECK(response.body().find("zone nope.test. is not published") != std::string::npos);
  // Not UTF-8: still a 404 with the error, not an exception.
  admin::Request garbage{http::verb::get, "/api/v1/secondaries?zone=%ff%fe", 11};
  garbage.set(http::field::authorization, "Bearer " + token);
  CHECK(f.api->handle(garbage).result() == http::status::not_found);
}
