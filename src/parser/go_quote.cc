// Go's strconv.Quote, byte for byte, so dumps and messages match BuildKit's.
#include "parser/go_quote.h"

#include "base/go_compat.h"

namespace builder::parser {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(std::string& out, char32_t v, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(v >> shift) & 0xF];
}

}  // namespace

void AppendGoQuoted(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // Runs of printable ASCII other than '"' and '\\' are the common case: copy them whole.
    std::size_t run = i;
    while (run < s.size() && s[run] >= 0x20 && s[run] < 0x7F && s[run] != '"' && s[run] != '\\') {
      ++run;
    }
    if (run > i) {
      out.append(s.substr(i, run - i));
      i = run;
      continue;
    }
    const auto b = static_cast<unsigned char>(s[i]);
    if (b == '"' || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    const auto rune = gocompat::DecodeRune(s, i);
    if (rune.value == gocompat::kRuneError && rune.size == 1) {
      out += "\\x";
      AppendHex(out, b, 2);
      ++i;
      continue;
    }
    const char32_t r = rune.value;
    if (r >= 0x80 && IsGoPrint(r)) {
      out.append(s.substr(i, rune.size));
    } else {
      switch (r) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default:
          if (r < 0x20 || r == 0x7F) {
            out += "\\x";
            AppendHex(out, r, 2);
          } else if (r < 0x10000) {
            out += "\\u";
            AppendHex(out, r, 4);
          } else {
            out += "\\U";
            AppendHex(out, r, 8);
          }
      }
    }
    i += rune.size;
  }
  out += '"';
}

std::string GoQuote(std::string_view s) {
  std::string out;
  AppendGoQuoted(out, s);
  return out;
}

}  // namespace builder::parser
