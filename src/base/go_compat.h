// Go standard-library behaviours (UTF-8 decoding, strings.TrimSpace; filepath.Clean/Dir are base's CleanPath/DirName) that
// .dockerignore semantics are defined in terms of, reproduced so our matching agrees with BuildKit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace builder::gocompat {

inline constexpr char32_t kRuneError = 0xFFFD;

struct DecodedRune {
  char32_t value = kRuneError;
  std::size_t size = 1;
};

/// Decodes the rune starting at s[pos] as Go's utf8.DecodeRune does: an invalid, truncated,
/// overlong or surrogate sequence yields {U+FFFD, 1}. Requires pos < s.size().
DecodedRune DecodeRune(std::string_view s, std::size_t pos);

/// Appends the UTF-8 encoding of r; invalid code points become U+FFFD (Go's string(rune)).
void AppendRune(std::string& out, char32_t r);

/// Go's unicode.IsSpace.
bool IsSpace(char32_t r);

/// Go's strings.TrimSpace: strips leading and trailing Unicode white space.
std::string_view TrimSpace(std::string_view s);

}  // namespace builder::gocompat
