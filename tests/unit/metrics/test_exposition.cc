// Exposition writer: escaping, number formats, and the strict parser agreeing with both.
#include <doctest/doctest.h>

#include <cmath>

#include "exposition_parser.hh"
#include "metrics/exposition.hh"

using namespace metrics;

TEST_CASE("exposition: label values escape backslash, double quote and newline") {
  CHECK(escape_label_value(R"(a\b)") == R"(a\\b)");
  CHECK(escape_label_value("say \"hi\"") == R"(say \"hi\")");
  CHECK(escape_label_value("two\nlines") == R"(two\nlines)");
  CHECK(escape_label_value("plain.example.") == "plain.example.");
  CHECK(escape_help("a \"quoted\" \\ help\n") == "a \"quoted\" \\\\ help\\n");
}

TEST_CASE("exposition: values are integers, shortest doubles, +Inf and NaN") {
  CHECK(format_value(0.005) == "0.005");
  CHECK(format_value(2.5) == "2.5");
  CHECK(format_value(10.0) == "10");
  CHECK(format_value(INFINITY) == "+Inf");
  CHECK(format_value(-INFINITY) == "-Inf");
  CHECK(format_value(NAN) == "NaN");
}

TEST_CASE("exposition: a family with awkward label values reads back exactly") {
  Exposition out;
  out.family("dnsd_test_total", "counter", "A test \\ counter.\nSecond line.");
  const std::string awkward = "eu \"west\"\\1\nx";
  out.sample("dnsd_test_total", {{"endpoint", awkward}, {"profile", "ci.example."}},
             std::uint64_t{18446744073709551615u});
  out.sample("dnsd_test_total", {}, std::uint64_t{0});
  const auto parsed = parser::parse(out.text());
  REQUIRE_MESSAGE(parsed.errors.empty(), parsed.errors.front());
  const auto* family = parsed.find("dnsd_test_total");
  REQUIRE(family != nullptr);
  CHECK(family->type == "counter");
  CHECK(family->help == "A test \\ counter.\nSecond line.");
  const auto* sample = parsed.sample("dnsd_test_total", {{"endpoint", awkward}});
  REQUIRE(sample != nullptr);
  CHECK(sample->labels.at("profile") == "ci.example.");
  CHECK(sample->value == "18446744073709551615");
}

TEST_CASE("exposition parser: rejects what a scraper would reject") {
  CHECK(!parser::parse("# TYPE a counter\na{x=\"1\"} 1\n# TYPE a counter\n")
             .errors.empty());                    // TYPE twice
  CHECK(!parser::parse("b 1\n").errors.empty());  // no TYPE
  CHECK(!parser::parse("# TYPE a gauge\na{x=\"unterminated} 1\n").errors.empty());
  CHECK(!parser::parse("# TYPE a gauge\na{x=\"\\t\"} 1\n").errors.empty());  // bad escape
  CHECK(!parser::parse("# TYPE a gauge\na 1\na 2\n").errors.empty());        // duplicate series
  CHECK(!parser::parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                       "h_sum 1\nh_count 1\n")
             .errors.empty());  // not cumulative
  CHECK(!parser::parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n")
             .errors.empty());  // no +Inf
  CHECK(parser::parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum "
                      "3.5\nh_count 2\n")
            .errors.empty());
}
