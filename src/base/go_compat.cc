// Go's UTF-8 decoding and TrimSpace, written out so edge cases match BuildKit.
#include "base/go_compat.h"

#include <vector>

namespace builder::gocompat {

namespace {

bool IsContinuation(unsigned char b) { return b >= 0x80 && b <= 0xBF; }

// The ASCII white space Go's TrimSpace strips: \t \n \v \f \r and ' '.
bool IsAsciiSpace(unsigned char b) { return b == ' ' || (b >= '\t' && b <= '\r'); }

}  // namespace

DecodedRune DecodeRune(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return {b0, 1};
  const std::size_t left = s.size() - pos;
  auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[pos + i]); };
  // The second byte's range depends on the lead byte; this is what rules out overlong
  // encodings, surrogates and values above U+10FFFF, exactly as Go's accept ranges do.
  unsigned char lo = 0x80, hi = 0xBF;
  std::size_t need;
  char32_t value;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
    value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    value = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    value = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {};
  }
  if (left < need || at(1) < lo || at(1) > hi) return {};
  value = (value << 6) | (at(1) & 0x3F);
  for (std::size_t i = 2; i < need; ++i) {
    if (!IsContinuation(at(i))) return {};
    value = (value << 6) | (at(i) & 0x3F);
  }
  return {value, need};
}

void AppendRune(std::string& out, char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = kRuneError;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

bool IsSpace(char32_t r) {
  if (r < 0x80) return IsAsciiSpace(static_cast<unsigned char>(r));
  switch (r) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty()) {
    DecodedRune r = DecodeRune(s, 0);
    if (!IsSpace(r.value)) break;  // an invalid byte decodes to U+FFFD, which is not space
    s.remove_prefix(r.size);
  }
  while (!s.empty()) {
    // Find the start of the last rune: at most three continuation bytes back.
    std::size_t start = s.size() - 1;
    while (start > 0 && s.size() - start < 4 && IsContinuation(static_cast<unsigned char>(s[start])))
      --start;
    DecodedRune r = DecodeRune(s, start);
    if (start + r.size != s.size()) r = {kRuneError, 1};
    if (!IsSpace(r.value)) break;
    s.remove_suffix(r.size);
  }
  return s;
}

}  // namespace builder::gocompat
