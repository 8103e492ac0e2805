// Test support: a response with every compression pointer expanded, so that two encoders that
// compress differently (the prepared answers and the general path) can be compared byte for byte.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace test_support {

namespace detail {
inline std::uint16_t u16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

// Appends the name at `at` uncompressed; returns the position after it in the message, or nullopt.
inline std::optional<std::size_t> expand_name(std::span<const std::uint8_t> msg, std::size_t at,
                                              std::vector<std::uint8_t>& out) {
  std::optional<std::size_t> after;
  // A name has at most 128 labels (255 bytes); pointers are bounded apart, against loops.
  for (int labels = 0, pointers = 0; labels <= 128 && pointers < 64;) {
    if (at >= msg.size()) return std::nullopt;
    const std::uint8_t length = msg[at];
    if ((length & 0xc0) == 0xc0) {
      if (at + 1 >= msg.size()) return std::nullopt;
      if (!after) after = at + 2;
      at = (length & 0x3f) << 8 | msg[at + 1];
      ++pointers;
      continue;
    }
    ++labels;
    if (at + 1 + length > msg.size()) return std::nullopt;
    out.insert(out.end(), msg.begin() + static_cast<std::ptrdiff_t>(at),
               msg.begin() + static_cast<std::ptrdiff_t>(at + 1 + length));
    at += 1 + length;
    if (length == 0) return after ? *after : at;
  }
  return std::nullopt;
}
}  // namespace detail

// The message with names expanded in owners and in NS, CNAME, PTR, MX and SOA rdata (the types
// dnsd compresses); rdlengths are rewritten to match. nullopt when it does not parse.
inline std::optional<std::vector<std::uint8_t>> expanded_response(
    std::span<const std::uint8_t> msg) {
  using detail::expand_name;
  using detail::u16;
  if (msg.size() < 12) return std::nullopt;
  std::vector<std::uint8_t> out(msg.begin(), msg.begin() + 12);
  std::size_t at = 12;
  for (unsigned i = 0; i < u16(msg, 4); ++i) {
    const auto next = expand_name(msg, at, out);
    if (!next || *next + 4 > msg.size()) return std::nullopt;
    out.insert(out.end(), msg.begin() + static_cast<std::ptrdiff_t>(*next),
               msg.begin() + static_cast<std::ptrdiff_t>(*next + 4));
    at = *next + 4;
  }
  const unsigned records = u16(msg, 6) + u16(msg, 8) + u16(msg, 10);
  for (unsigned i = 0; i < records; ++i) {
    const auto next = expand_name(msg, at, out);
    if (!next || *next + 10 > msg.size()) return std::nullopt;
    const std::uint16_t type = u16(msg, *next);
    const std::size_t rdata = *next + 10, end = rdata + u16(msg, *next + 8);
    if (end > msg.size()) return std::nullopt;
    out.insert(out.end(), msg.begin() + static_cast<std::ptrdiff_t>(*next),
               msg.begin() + static_cast<std::ptrdiff_t>(rdata - 2));
    const std::size_t length_at = out.size();
    out.insert(out.end(), {0, 0});
    std::size_t pos = rdata;
    auto name = [&]() {
      const auto after = expand_name(msg, pos, out);
      if (after) pos = *after;
      return after.has_value();
    };
    bool ok = true;
    if (type == 2 || type == 5 || type == 12)
      ok = name();
    else if (type == 15)
      ok = (out.insert(out.end(), msg.begin() + static_cast<std::ptrdiff_t>(pos),
                       msg.begin() + static_cast<std::ptrdiff_t>(pos + 2)),
            pos += 2, name());
    else if (type == 6)
      ok = name() && name();
    if (!ok || pos > end) return std::nullopt;
    out.insert(out.end(), msg.begin() + static_cast<std::ptrdiff_t>(pos),
               msg.begin() + static_cast<std::ptrdiff_t>(end));
    const std::size_t length = out.size() - length_at - 2;
    out[length_at] = static_cast<std::uint8_t>(length >> 8);
    out[length_at + 1] = static_cast<std::uint8_t>(length);
    at = end;
  }
  return out;
}

// True when two responses say the same: identical once expanded, except that names after the
// question may differ in case. (A name compressed against the question takes the question's
// case, which 0x20 randomises; RFC 4343 makes the two equal.)
inline bool same_response(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  auto x = expanded_response(a), y = expanded_response(b);
  if (!x || !y) return !x && !y && std::equal(a.begin(), a.end(), b.begin(), b.end());
  if (x->size() != y->size()) return false;
  std::size_t question_end = 12;
  while (question_end < x->size() && (*x)[question_end] != 0)
    question_end += 1 + (*x)[question_end];
  question_end += 5;
  for (std::size_t i = 0; i < x->size(); ++i) {
    auto lower = [](std::uint8_t c) {
      return c >= 'A' && c <= 'Z' ? static_cast<std::uint8_t>(c + 32) : c;
    };
    if (i < question_end ? (*x)[i] != (*y)[i] : lower((*x)[i]) != lower((*y)[i])) return false;
  }
  return true;
}

}  // namespace test_support
