// Record data in presentation format <-> uncompressed wire form, one parse and one print
// function per type. Load-time code: it allocates freely and is never on the query path.
#include "dnsd/wire/rdata_text.hh"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>

#include "dnsd/wire/types.hh"

namespace dnsd::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Token {
  std::string_view text;  // without the quotes; escapes still in place
  bool quoted = false;
};
using Tokens = std::span<const Token>;

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Splits at unquoted blanks (RFC 1035 §5.1). A backslash protects the next character.
bool split(std::string_view text, std::vector<Token>& out, std::string* error) {
  std::size_t pos = 0;
  for (;;) {
    while (pos < text.size() && is_blank(text[pos])) ++pos;
    if (pos == text.size()) return true;
    const bool quoted = text[pos] == '"';
    if (quoted) ++pos;
    const std::size_t start = pos;
    while (pos < text.size() &&
           (quoted ? text[pos] != '"' : !is_blank(text[pos]) && text[pos] != '"'))
      pos += (text[pos] == '\\' && pos + 1 < text.size()) ? 2 : 1;
    if (quoted && pos >= text.size()) return fail(error, "unterminated quoted string");
    out.push_back({text.substr(start, pos - start), quoted});
    if (quoted) ++pos;
  }
}

// Turns \X and \DDD escapes into bytes.
bool unescape(std::string_view text, Bytes& out, std::string* error) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(static_cast<std::uint8_t>(text[i]));
      continue;
    }
    if (++i == text.size()) return fail(error, "string ends with a lone backslash");
    if (!is_digit(text[i])) {
      out.push_back(static_cast<std::uint8_t>(text[i]));
      continue;
    }
    if (i + 2 >= text.size() || !is_digit(text[i + 1]) || !is_digit(text[i + 2]))
      return fail(error, "\\DDD escape needs three digits");
    const int value = (text[i] - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
    if (value > 255) return fail(error, fmt::format("\\{} escape is above 255", text.substr(i, 3)));
    out.push_back(static_cast<std::uint8_t>(value));
    i += 2;
  }
  return true;
}

bool parse_uint(std::string_view text, std::uint64_t max, std::uint64_t& out) {
  if (text.empty() || !is_digit(text[0])) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && out <= max;
}

void put16(Bytes& out, std::uint64_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& out, std::uint64_t v) {
  put16(out, v >> 16);
  put16(out, v & 0xffff);
}

bool field_count(Tokens tokens, std::size_t count, std::string_view form, std::string* error) {
  if (tokens.size() == count) return true;
  return fail(error, fmt::format("expected {} field{} ({}), got {}", count, count == 1 ? "" : "s",
                                 form, tokens.size()));
}

bool put_number(const Token& token, std::uint64_t max, std::size_t width, std::string_view what,
                Bytes& out, std::string* error) {
  std::uint64_t value = 0;
  if (token.quoted || !parse_uint(token.text, max, value))
    return fail(error, fmt::format("bad {} \"{}\" (expected a number from 0 to {})", what,
                                   token.text, max));
  if (width == 1) out.push_back(static_cast<std::uint8_t>(value));
  if (width == 2) put16(out, value);
  if (width == 4) put32(out, value);
  return true;
}

bool put_name(const Token& token, const Name& origin, std::string_view what, Bytes& out,
              std::string* error) {
  std::string why;
  const auto name = token.quoted ? std::nullopt : Name::from_text(token.text, &origin, &why);
  if (!name)
    return fail(error, fmt::format("bad {} name \"{}\": {}", what, token.text,
                                   token.quoted ? "a name is never quoted" : why));
  const auto wire = name->wire();
  out.insert(out.end(), wire.begin(), wire.end());
  return true;
}

bool put_address(int family, const Token& token, Bytes& out, std::string* error) {
  std::array<std::uint8_t, 16> buf{};
  const std::string text(token.text);
  if (token.quoted || inet_pton(family, text.c_str(), buf.data()) != 1)
    return fail(error,
                family == AF_INET
                    ? fmt::format("bad IPv4 address \"{}\" (expected e.g. 192.0.2.1)", text)
                    : fmt::format("bad IPv6 address \"{}\" (expected e.g. 2001:db8::1)", text));
  out.insert(out.end(), buf.begin(), buf.begin() + (family == AF_INET ? 4 : 16));
  return true;
}

// One <character-string> (RFC 1035 §3.3): a length byte and at most 255 bytes.
bool put_string(const Token& token, Bytes& out, std::string* error) {
  Bytes bytes;
  if (!unescape(token.text, bytes, error)) return false;
  if (bytes.size() > 255)
    return fail(error, fmt::format("string of {} bytes is longer than 255 (split it into several "
                                   "quoted strings)",
                                   bytes.size()));
  out.push_back(static_cast<std::uint8_t>(bytes.size()));
  out.insert(out.end(), bytes.begin(), bytes.end());
  return true;
}

bool parse_txt(Tokens tokens, Bytes& out, std::string* error) {
  if (tokens.empty())
    return fail(error, "expected one or more strings, got none (write \"\" for an empty one)");
  for (const auto& token : tokens)
    if (!put_string(token, out, error)) return false;
  return true;
}

bool parse_mx(Tokens tokens, const Name& origin, Bytes& out, std::string* error) {
  return field_count(tokens, 2, "<preference> <exchange>", error) &&
         put_number(tokens[0], 65535, 2, "preference", out, error) &&
         put_name(tokens[1], origin, "exchange", out, error);
}

bool parse_srv(Tokens tokens, const Name& origin, Bytes& out, std::string* error) {
  return field_count(tokens, 4, "<priority> <weight> <port> <target>", error) &&
         put_number(tokens[0], 65535, 2, "priority", out, error) &&
         put_number(tokens[1], 65535, 2, "weight", out, error) &&
         put_number(tokens[2], 65535, 2, "port", out, error) &&
         put_name(tokens[3], origin, "target", out, error);
}

// RFC 8659 §4.1: flags, a tag of 1-15 letters and digits, then the value as it stands.
bool parse_caa(Tokens tokens, Bytes& out, std::string* error) {
  if (!field_count(tokens, 3, "<flags> <tag> \"<value>\"", error) ||
      !put_number(tokens[0], 255, 1, "flags", out, error))
    return false;
  const auto tag = tokens[1].text;
  bool tag_ok = !tokens[1].quoted && !tag.empty() && tag.size() <= 15;
  for (char c : tag) tag_ok = tag_ok && std::isalnum(static_cast<unsigned char>(c));
  if (!tag_ok)
    return fail(error, fmt::format("bad CAA tag \"{}\" (expected 1 to 15 letters or digits, e.g. "
                                   "issue, issuewild, iodef)",
                                   tag));
  out.push_back(static_cast<std::uint8_t>(tag.size()));
  out.insert(out.end(), tag.begin(), tag.end());
  return unescape(tokens[2].text, out, error);
}

bool put_timer(const Token& token, std::string_view what, Bytes& out, std::string* error) {
  const auto value = token.quoted ? std::nullopt : ttl_from_text(token.text);
  if (!value)
    return fail(error,
                fmt::format("bad SOA {} \"{}\" (expected seconds or a duration like 1h, 30m, "
                            "1w)",
                            what, token.text));
  put32(out, *value);
  return true;
}

// An '@' not escaped: "hostmaster@example.com." is a mail address, not the mailbox name it
// stands for; \@ is an '@' inside a label, which a name may hold (and the printer writes so).
bool has_bare_at(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;  // the escaped character (or the first of \DDD, which is a digit) is not bare
    else if (text[i] == '@')
      return true;
  }
  return false;
}

bool parse_soa(Tokens tokens, const Name& origin, Bytes& out, std::string* error) {
  if (!field_count(tokens, 7, "<mname> <rname> <serial> <refresh> <retry> <expire> <minimum>",
                   error))
    return false;
  if (tokens[1].text.size() > 1 && has_bare_at(tokens[1].text))
    return fail(error, fmt::format("bad SOA rname \"{}\" (write the mailbox as a name, e.g. "
                                   "hostmaster.example.com.)",
                                   tokens[1].text));
  return put_name(tokens[0], origin, "SOA mname", out, error) &&
         put_name(tokens[1], origin, "SOA rname", out, error) &&
         put_number(tokens[2], 4294967295u, 4, "SOA serial", out, error) &&
         put_timer(tokens[3], "refresh", out, error) && put_timer(tokens[4], "retry", out, error) &&
         put_timer(tokens[5], "expire", out, error) && put_timer(tokens[6], "minimum", out, error);
}

bool parse_known(std::uint16_t type, Tokens tokens, const Name& origin, Bytes& out,
                 std::string* error) {
  switch (type) {
    case rrtype::a:
      return field_count(tokens, 1, "<IPv4 address>", error) &&
             put_address(AF_INET, tokens[0], out, error);
    case rrtype::aaaa:
      return field_count(tokens, 1, "<IPv6 address>", error) &&
             put_address(AF_INET6, tokens[0], out, error);
    case rrtype::ns:
    case rrtype::cname:
    case rrtype::ptr:
      return field_count(tokens, 1, "<name>", error) &&
             put_name(tokens[0], origin, "target", out, error);
    case rrtype::mx:
      return parse_mx(tokens, origin, out, error);
    case rrtype::txt:
      return parse_txt(tokens, out, error);
    case rrtype::srv:
      return parse_srv(tokens, origin, out, error);
    case rrtype::caa:
      return parse_caa(tokens, out, error);
    case rrtype::soa:
      return parse_soa(tokens, origin, out, error);
    default:
      return false;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3597 §5: "\# <length> <hex>", the hex possibly split into several words.
bool parse_generic(Tokens tokens, Bytes& out, std::string* error) {
  std::uint64_t length = 0;
  if (tokens.size() < 2 || tokens[1].quoted || !parse_uint(tokens[1].text, 65535, length))
    return fail(error, "expected \\# <length> <hex data> with a length from 0 to 65535");
  std::string hex;
  for (const auto& token : tokens.subspan(2)) hex += token.text;
  if (hex.size() % 2 != 0) return fail(error, "odd number of hex digits after \\#");
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_value(hex[i]), low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) return fail(error, fmt::format("bad hex data \"{}\" after \\#", hex));
    out.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  if (out.size() != length)
    return fail(error,
                fmt::format("\\# says {} bytes but the hex data has {}", length, out.size()));
  return true;
}

// A bounds-checked reader over wire rdata; a short read only clears `ok`.
struct Cursor {
  std::span<const std::uint8_t> data;
  std::size_t pos = 0;
  bool ok = true;

  bool at_end() const { return pos == data.size(); }
  std::string bad() {
    ok = false;
    return {};
  }
  std::uint64_t number(std::size_t width) {
    if (data.size() - pos < width) {
      ok = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v = (v << 8) | data[pos++];
    return v;
  }
  std::string name() {
    std::size_t end = pos;
    while (end < data.size() && data[end] != 0 && data[end] <= max_label_size) end += 1 + data[end];
    if (end >= data.size() || data[end] != 0) return bad();
    const auto parsed = Name::from_wire(data.subspan(pos, end + 1 - pos));
    if (!parsed) return bad();
    pos = end + 1;
    return parsed->to_text();
  }
  std::string string() {  // a <character-string>, quoted and escaped
    const auto length = number(1);
    if (!ok || data.size() - pos < length) return bad();
    return "\"" + escaped(length) + "\"";
  }
  std::string escaped(std::size_t length) {
    std::string out;
    for (std::size_t i = 0; i < length; ++i) {
      const std::uint8_t c = data[pos++];
      if (c == '"' || c == '\\')
        out += {'\\', static_cast<char>(c)};
      else if (c < 0x20 || c >= 0x7f)
        out += fmt::format("\\{:03d}", c);
      else
        out.push_back(static_cast<char>(c));
    }
    return out;
  }
  std::string address(int family) {
    const std::size_t size = family == AF_INET ? 4 : 16;
    if (data.size() - pos != size) return bad();
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, data.data() + pos, buf, sizeof buf);
    pos += size;
    return buf;
  }
};

// Prints a known type, or nullopt when the rdata does not have that type's shape.
std::optional<std::string> print_known(std::uint16_t type, std::span<const std::uint8_t> rdata) {
  Cursor c{rdata};
  std::string out;
  switch (type) {
    case rrtype::a:
      out = c.address(AF_INET);
      break;
    case rrtype::aaaa:
      out = c.address(AF_INET6);
      break;
    case rrtype::ns:
    case rrtype::cname:
    case rrtype::ptr:
      out = c.name();
      break;
    case rrtype::mx:
      out = fmt::format("{} ", c.number(2));
      out += c.name();
      break;
    case rrtype::txt:
      do out += (out.empty() ? "" : " ") + c.string();
      while (c.ok && !c.at_end());
      break;
    case rrtype::srv: {
      const auto priority = c.number(2), weight = c.number(2), port = c.number(2);
      out = fmt::format("{} {} {} {}", priority, weight, port, c.name());
      break;
    }
    case rrtype::caa: {
      const auto flags = c.number(1);
      const auto tag_length = c.number(1);
      if (!c.ok || tag_length == 0 || rdata.size() - c.pos < tag_length) return std::nullopt;
      const std::string tag(rdata.begin() + 2,
                            rdata.begin() + 2 + static_cast<std::ptrdiff_t>(tag_length));
      c.pos += tag_length;
      out = fmt::format("{} {} \"{}\"", flags, tag, c.escaped(rdata.size() - c.pos));
      break;
    }
    case rrtype::soa: {
      out = c.name();
      out += " " + c.name();
      for (int i = 0; i < 5; ++i) out += fmt::format(" {}", c.number(4));
      break;
    }
    default:
      return std::nullopt;
  }
  if (!c.ok || !c.at_end()) return std::nullopt;
  return out;
}

std::string print_generic(std::span<const std::uint8_t> rdata) {
  std::string out = fmt::format("\\# {}", rdata.size());
  if (!rdata.empty()) out += ' ';
  for (auto byte : rdata) out += fmt::format("{:02X}", byte);
  return out;
}

}  // namespace

bool has_text_format(std::uint16_t type) {
  switch (type) {
    case rrtype::a:
    case rrtype::aaaa:
    case rrtype::ns:
    case rrtype::cname:
    case rrtype::ptr:
    case rrtype::mx:
    case rrtype::txt:
    case rrtype::srv:
    case rrtype::caa:
    case rrtype::soa:
      return true;
    default:
      return false;
  }
}

std::optional<std::vector<std::uint8_t>> rdata_from_text(std::uint16_t type, std::string_view text,
                                                         const Name& origin, std::string* error) {
  std::vector<Token> tokens;
  if (!split(text, tokens, error)) return std::nullopt;
  Bytes out;
  if (!tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#") {
    if (!parse_generic(tokens, out, error)) return std::nullopt;
    // RFC 3597 §5: generic data for a known type must still be valid data of that type.
    if (has_text_format(type) && !print_known(type, out)) {
      fail(error, fmt::format("the \\# data is not a valid {} record", type_to_text(type)));
      return std::nullopt;
    }
    return out;
  }
  if (!has_text_format(type)) {
    fail(error, fmt::format("no presentation format for {} here (expected the generic form "
                            "\\# <length> <hex>)",
                            type_to_text(type)));
    return std::nullopt;
  }
  std::string why;
  if (!parse_known(type, tokens, origin, out, &why)) {
    fail(error, std::move(why));
    return std::nullopt;
  }
  if (out.size() > 65535) {
    fail(error, "record data longer than 65535 bytes");
    return std::nullopt;
  }
  return out;
}

std::string rdata_to_text(std::uint16_t type, std::span<const std::uint8_t> rdata) {
  if (auto text = print_known(type, rdata)) return *std::move(text);
  return print_generic(rdata);
}

std::optional<std::uint32_t> ttl_from_text(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t total = 0;
  std::size_t pos = 0;
  bool has_unit = false;
  while (pos < text.size()) {
    const std::size_t start = pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    std::uint64_t value = 0;
    if (pos == start || pos - start > 10 ||
        !parse_uint(text.substr(start, pos - start), 9999999999u, value))
      return std::nullopt;
    std::uint64_t scale = 1;
    if (pos < text.size()) {
      switch (ascii_lower(static_cast<std::uint8_t>(text[pos++]))) {
        case 's':
          scale = 1;
          break;
        case 'm':
          scale = 60;
          break;
        case 'h':
          scale = 3600;
          break;
        case 'd':
          scale = 86400;
          break;
        case 'w':
          scale = 604800;
          break;
        default:
          return std::nullopt;
      }
      has_unit = true;
    } else if (has_unit) {
      return std::nullopt;  // "1h30": a bare number after a unit is ambiguous
    }
    total += value * scale;
    if (total > 2147483647u) return std::nullopt;
  }
  return static_cast<std::uint32_t>(total);
}

}  // namespace dnsd::wire
