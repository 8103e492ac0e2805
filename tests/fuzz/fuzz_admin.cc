// libFuzzer target: any bytes as an HTTP request to the admin API, without sockets: Beast's
// request parser (the limits HttpServer sets), then Api::handle, the router, against a Runtime
// with one zone and one profile. Parsing and handling must not crash, and handle() must not
// throw (the server would turn it into a bare 500); a request without the token never gets 2xx.
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "admin/api.hh"
#include "admin/status_page.hh"
#include "conf/load.hh"
#include "control/runtime.hh"
#include "fuzz_support.hh"
#include "tests/support/api_config.hh"

namespace {

namespace http = boost::beast::http;

const char* const token = "fuzz-admin-token-0123456789";  // in the seeds' Authorization headers

void write_file(const std::string& path, const std::string& text) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr || std::fwrite(text.data(), 1, text.size(), file) != text.size())
    std::abort();
  std::fclose(file);
}

// Not started: no probing and no timers, so every run sees the same health. Reload is a stub
// (the config reader has its own target).
admin::Api& api() {
  static admin::Api* api = [] {
    const std::string dir = fuzz_support::empty_directory();
    write_file(dir + "/" + api_config::token_file_name, token);
    write_file(dir + "/dnsd.toml", api_config::toml);
    auto loaded = conf::load_file(dir + "/dnsd.toml");
    if (!loaded.config) std::abort();
    control::RuntimeOptions options;
    options.log = [](std::string_view) {};
    options.probe.log = [](std::string_view) {};
    auto* runtime =
        new control::Runtime(dir + "/dnsd.toml", std::move(loaded.config), std::move(options));
    admin::ApiHooks hooks;
    hooks.reload = [] { return control::ReloadReport{}; };
    hooks.metrics = [] { return std::string("dnsd_up 1\n"); };
    return new admin::Api(*runtime, std::move(hooks));
  }();
  return *api;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  const admin::Request request = parser.release();
  admin::Response response;
  try {
    response = api().handle(request);
  } catch (...) {
    std::abort();
  }
  // Only the status page's own files (they hold no data) are served without the token, which
  // only the Authorization header carries (never a cookie).
  const std::string presented(request[http::field::authorization]);
  const std::string_view target(request.target().data(), request.target().size());
  const bool public_asset =
      admin::status_page_asset(target.substr(0, target.find('?'))).has_value();
  if (presented.find(token) == std::string::npos && !public_asset && response.result_int() < 300)
    std::abort();
  response.prepare_payload();
  return 0;
}
