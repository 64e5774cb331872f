// UTF-8 decoding and the Unicode character classes the shell lexer needs, with Go's rules.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace builder::parser {

/// One decoded code point. Like Go's utf8.DecodeRune, an invalid or truncated sequence decodes
/// as U+FFFD with length 1, so every byte of the input is consumed exactly once.
struct Utf8Rune {
  char32_t cp = 0;
  std::size_t len = 0;  ///< bytes consumed; 0 only at the end of the input
};

inline constexpr char32_t kReplacementChar = 0xFFFD;

/// Decodes the code point starting at byte `pos` of `text`; {0, 0} when pos is at the end.
Utf8Rune DecodeUtf8(std::string_view text, std::size_t pos);

/// Appends the UTF-8 encoding of `cp` (which must be a valid scalar value or U+FFFD).
void AppendUtf8(std::string& out, char32_t cp);

/// Unicode general category L (Go's unicode.IsLetter).
bool IsUnicodeLetter(char32_t cp);
/// Unicode general category Nd (Go's unicode.IsDigit).
bool IsUnicodeDigit(char32_t cp);
/// Go's unicode.IsSpace: ASCII \t\n\v\f\r and space, U+0085, U+00A0 and category Z.
bool IsUnicodeSpace(char32_t cp);

}  // namespace builder::parser
