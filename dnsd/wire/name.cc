// Domain names: text <-> wire conversion and label arithmetic.
#include "dnsd/wire/name.hh"

#include <fmt/format.h>

#include <algorithm>

namespace dnsd::wire {

std::optional<Name> Name::from_wire(std::span<const std::uint8_t> wire) noexcept {
  if (wire.empty() || wire.size() > max_name_size) return std::nullopt;
  std::size_t pos = 0;
  while (pos < wire.size()) {
    const std::uint8_t len = wire[pos];
    if (len > max_label_size) return std::nullopt;
    if (len == 0) {
      if (pos + 1 != wire.size()) return std::nullopt;
      Name name;
      std::copy(wire.begin(), wire.end(), name.bytes_.begin());
      name.size_ = static_cast<std::uint8_t>(wire.size());
      return name;
    }
    pos += 1 + len;
  }
  return std::nullopt;
}

namespace {

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

// Parses one label of presentation text starting at text[pos], stopping at an unescaped dot.
bool parse_label(std::string_view text, std::size_t& pos, std::string& label, std::string* error) {
  label.clear();
  while (pos < text.size() && text[pos] != '.') {
    char c = text[pos++];
    if (c == '\\') {
      if (pos >= text.size()) return fail(error, "name ends with a lone backslash");
      if (std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (pos + 3 > text.size() || !std::isdigit(static_cast<unsigned char>(text[pos + 1])) ||
            !std::isdigit(static_cast<unsigned char>(text[pos + 2])))
          return fail(error, "\\DDD escape needs three digits");
        const int value =
            (text[pos] - '0') * 100 + (text[pos + 1] - '0') * 10 + (text[pos + 2] - '0');
        if (value > 255) return fail(error, "\\DDD escape above 255");
        c = static_cast<char>(value);
        pos += 3;
      } else {
        c = text[pos++];
      }
    }
    label.push_back(c);
  }
  if (label.empty()) return fail(error, "empty label (two dots in a row)");
  if (label.size() > max_label_size)
    return fail(error, fmt::format("label longer than {} bytes", max_label_size));
  return true;
}

}  // namespace

std::optional<Name> Name::from_text(std::string_view text, const Name* origin, std::string* error) {
  if (text.empty()) {
    fail(error, "empty name");
    return std::nullopt;
  }
  if (text == "@") {
    if (origin) return *origin;
    fail(error, "'@' used without an origin");
    return std::nullopt;
  }
  if (text == ".") return Name{};

  std::array<std::uint8_t, max_name_size + 1> out{};
  std::size_t size = 0;
  std::size_t pos = 0;
  bool absolute = false;
  std::string label;
  while (pos < text.size()) {
    if (!parse_label(text, pos, label, error)) return std::nullopt;
    if (size + 1 + label.size() + 1 > max_name_size) {
      fail(error, "name longer than 255 bytes");
      return std::nullopt;
    }
    out[size++] = static_cast<std::uint8_t>(label.size());
    std::copy(label.begin(), label.end(), out.begin() + static_cast<std::ptrdiff_t>(size));
    size += label.size();
    if (pos < text.size()) {  // at a dot
      ++pos;
      if (pos == text.size()) absolute = true;
    }
  }
  if (!absolute && origin && !origin->is_root()) {
    if (size + origin->size() > max_name_size) {
      fail(error, "name longer than 255 bytes after appending the origin");
      return std::nullopt;
    }
    std::copy_n(origin->bytes_.begin(), origin->size(),
                out.begin() + static_cast<std::ptrdiff_t>(size));
    size += origin->size();
  } else {
    out[size++] = 0;
  }
  Name name;
  name.bytes_ = out;
  name.size_ = static_cast<std::uint8_t>(size);
  return name;
}

std::size_t Name::label_count() const noexcept {
  std::size_t count = 0;
  for (std::size_t pos = 0; bytes_[pos] != 0; pos += 1 + bytes_[pos]) ++count;
  return count;
}

Name Name::parent() const noexcept {
  if (is_root()) return *this;
  Name out;
  const std::size_t skip = 1 + bytes_[0];
  out.size_ = static_cast<std::uint8_t>(size_ - skip);
  std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(skip), out.size_, out.bytes_.begin());
  return out;
}

std::optional<Name> Name::child(std::string_view label) const noexcept {
  if (label.empty() || label.size() > max_label_size) return std::nullopt;
  if (size_ + 1 + label.size() > max_name_size) return std::nullopt;
  Name out;
  out.bytes_[0] = static_cast<std::uint8_t>(label.size());
  std::copy(label.begin(), label.end(), out.bytes_.begin() + 1);
  std::copy_n(bytes_.begin(), size_,
              out.bytes_.begin() + 1 + static_cast<std::ptrdiff_t>(label.size()));
  out.size_ = static_cast<std::uint8_t>(size_ + 1 + label.size());
  return out;
}

Name Name::lowercased() const noexcept {
  Name out = *this;
  for (std::size_t i = 0; i < size_; ++i) out.bytes_[i] = ascii_lower(bytes_[i]);
  // Length octets are < 64 and never in 'A'..'Z' (65..90), so lowering every byte is safe.
  return out;
}

bool Name::is_subdomain_of(const Name& ancestor) const noexcept {
  return is_subdomain(wire(), ancestor.wire());
}

std::string Name::to_text() const {
  if (is_root()) return ".";
  std::string out;
  for (std::size_t pos = 0; bytes_[pos] != 0; pos += 1 + bytes_[pos]) {
    for (std::size_t i = 1; i <= bytes_[pos]; ++i) {
      const auto c = bytes_[pos + i];
      if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' || c == '@' ||
          c == '$') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c <= 0x20 || c >= 0x7f) {
        out += fmt::format("\\{:03d}", c);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    out.push_back('.');
  }
  return out;
}

bool is_subdomain(std::span<const std::uint8_t> name,
                  std::span<const std::uint8_t> ancestor) noexcept {
  if (ancestor.size() > name.size()) return false;
  // Walk labels until the remaining suffix has the ancestor's length, then compare.
  std::size_t pos = 0;
  while (name.size() - pos > ancestor.size()) pos += 1 + name[pos];
  if (name.size() - pos != ancestor.size()) return false;
  return names_equal(name.subspan(pos), ancestor);
}

std::span<const std::uint8_t> lower_into(std::span<const std::uint8_t> name,
                                         std::array<std::uint8_t, max_name_size>& out) noexcept {
  for (std::size_t i = 0; i < name.size(); ++i) out[i] = ascii_lower(name[i]);
  return {out.data(), name.size()};
}

bool names_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace dnsd::wire
