// Shell wildcard patterns for ${V#p} ${V##p} ${V%p} ${V%%p} ${V/p/r} ${V//p/r}, as BuildKit reads
// them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::parser {

/// A compiled pattern. BuildKit's dialect, not POSIX's: `*` is any run of characters, `?` one
/// character, and neither matches a newline (BuildKit turns them into Go regexp `.`). `[` and `]`
/// are literal, there are no bracket expressions. A backslash escapes `*`, `?` or `\`; before
/// `}` or `/` it is dropped (it only kept ${...} parsing from ending there); before anything else
/// it is an error. Matching works on code points and runs in O(pattern * text): no backtracking.
class ShellPattern {
 public:
  /// Fails with "invalid escape '\x'" for a backslash before any other character or at the end.
  [[nodiscard]] static Result<ShellPattern> Compile(std::string_view pattern);

  /// Length in bytes of the shortest (or longest) match anchored at the start of `text`.
  std::optional<std::size_t> MatchPrefix(std::string_view text, bool longest) const;

  /// Byte range [first, second) of the leftmost match starting at or after byte `from`, the
  /// longest one at that start (Go's leftmost-first with greedy stars).
  std::optional<std::pair<std::size_t, std::size_t>> Find(std::string_view text,
                                                          std::size_t from = 0) const;

  struct Element {
    enum Kind { kLiteral, kAnyChar, kAnyRun } kind;
    char32_t cp = 0;  ///< for kLiteral
  };
  const std::vector<Element>& elements() const { return elements_; }

 private:
  explicit ShellPattern(std::vector<Element> elements) : elements_(std::move(elements)) {}
  std::vector<Element> elements_;
};

/// ${V#p} (longest=false) and ${V##p} (longest=true): `value` without its matching prefix.
[[nodiscard]] Result<std::string> TrimPatternPrefix(std::string_view value,
                                                    std::string_view pattern, bool longest);
/// ${V%p} and ${V%%p}: `value` without its matching suffix. Like BuildKit, the pattern is read
/// backwards (escape pairs kept together), so it is the reversed pattern that must be valid.
[[nodiscard]] Result<std::string> TrimPatternSuffix(std::string_view value,
                                                    std::string_view pattern, bool longest);
/// ${V/p/r}: the first (leftmost, longest) match replaced by `replacement` taken literally.
[[nodiscard]] Result<std::string> ReplacePatternFirst(std::string_view value,
                                                      std::string_view pattern,
                                                      std::string_view replacement);
/// ${V//p/r}: every match replaced, with Go's ReplaceAllString rules: an empty match right after
/// a match is skipped, and `replacement` is a Go template in which `$0`/`${0}` is the matched
/// text, `$$` is `$`, and any other `$name` expands to nothing. A result over 1 MiB is an error.
[[nodiscard]] Result<std::string> ReplacePatternAll(std::string_view value,
                                                    std::string_view pattern,
                                                    std::string_view replacement);

/// BuildKit's reversePattern: the code points of `pattern` reversed, a backslash staying in front
/// of the character it escapes ("a\*c" -> "c\*a").
std::string ReversePattern(std::string_view pattern);

}  // namespace builder::parser
