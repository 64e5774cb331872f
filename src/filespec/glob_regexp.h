// A linear-time engine for the subset of Go regexp (RE2) syntax that moby/patternmatcher's
// glob-to-regexp translation can emit; it runs as a Thompson NFA, so no pattern can backtrack.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace builder::filespec {

/// A compiled expression. Go parses the translated glob with regexp.Compile; to agree with it
/// on odd patterns (a '[' class that swallows part of a translated '*', "\d", "[[:alpha:]]",
/// a stray '^' anchor, a reversed range) we parse the same text by the same rules.
class GlobRegexp {
 public:
  /// Parses expr with Go's Perl-flavoured rules. Fails wherever regexp.Compile would fail, and
  /// also on the constructs we do not implement (\p{..} Unicode classes, (?flags), '|', {n,m}),
  /// which the glob translation cannot produce except through such escapes.
  [[nodiscard]] static Result<GlobRegexp> Compile(std::string_view expr);

  /// Whether the expression matches anywhere in text (Go's MatchString; the translation
  /// anchors with ^ and $ itself). Invalid UTF-8 bytes read as U+FFFD, one byte each.
  bool Match(std::string_view text) const;

  enum class Op : std::uint8_t { kRune, kClass, kAnyNotNL, kAssert, kSplit, kJmp, kMatch };
  enum class Assertion : std::uint8_t { kBeginText, kEndText, kWordBoundary, kNoWordBoundary };
  using Ranges = std::vector<std::pair<char32_t, char32_t>>;  ///< sorted, disjoint, inclusive

  struct Inst {
    Op op = Op::kMatch;
    char32_t rune = 0;           ///< kRune
    Assertion assertion{};       ///< kAssert
    std::uint32_t x = 0, y = 0;  ///< kSplit targets (x preferred), kJmp target; kClass index
  };

 private:
  std::vector<Inst> prog_;
  std::vector<Ranges> classes_;
  friend class GlobRegexpCompiler;
};

}  // namespace builder::filespec
