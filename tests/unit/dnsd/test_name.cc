#include <doctest/doctest.h>

#include "dnsd/wire/name.hh"

using dnsd::wire::Name;

TEST_CASE("name: text to wire and back, relative and absolute") {
  const auto origin = Name::from_text("Example.COM.");
  REQUIRE(origin);
  CHECK(origin->to_text() == "Example.COM.");
  CHECK(origin->label_count() == 2);
  const auto www = Name::from_text("www", &*origin);
  REQUIRE(www);
  CHECK(www->to_text() == "www.Example.COM.");
  CHECK(Name::from_text("@", &*origin)->to_text() == "Example.COM.");
  CHECK(Name::from_text(".")->is_root());
  CHECK(Name::from_text("a\\.b.c.")->label_count() == 2);
  CHECK(Name::from_text("a\\046b.c.")->to_text() == "a\\.b.c.");
}

TEST_CASE("name: rejects empty labels, long labels and long names") {
  std::string error;
  CHECK_FALSE(Name::from_text("a..b.", nullptr, &error));
  CHECK(error.find("empty label") != std::string::npos);
  CHECK_FALSE(Name::from_text(std::string(64, 'a') + ".", nullptr, &error));
  CHECK(error.find("63") != std::string::npos);
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'x') + ".";
  CHECK_FALSE(Name::from_text(long_name, nullptr, &error));
  CHECK(error.find("255") != std::string::npos);
  CHECK_FALSE(Name::from_text("a\\300.", nullptr, &error));
}

TEST_CASE("name: case-insensitive ancestry and lowering keep label lengths") {
  const auto zone = *Name::from_text("example.com.");
  const auto name = *Name::from_text("WWW.Example.Com.");
  CHECK(name.is_subdomain_of(zone));
  CHECK(zone.is_subdomain_of(zone));
  CHECK_FALSE(zone.is_subdomain_of(name));
  CHECK_FALSE(Name::from_text("wwwexample.com.")->is_subdomain_of(*Name::from_text("ample.com.")));
  CHECK(name.lowercased() == *Name::from_text("www.example.com."));
  CHECK(name.parent().parent() == *Name::from_text("Com."));
  CHECK(zone.child("*")->is_wildcard());
}

TEST_CASE("name: from_wire validates structure") {
  const std::uint8_t good[] = {3, 'w', 'w', 'w', 0};
  CHECK(Name::from_wire(good));
  const std::uint8_t no_terminator[] = {3, 'w', 'w', 'w'};
  CHECK_FALSE(Name::from_wire(no_terminator));
  const std::uint8_t trailing[] = {0, 0};
  CHECK_FALSE(Name::from_wire(trailing));
  const std::uint8_t pointer[] = {0xc0, 12};
  CHECK_FALSE(Name::from_wire(pointer));
}
