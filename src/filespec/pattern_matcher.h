// .dockerignore pattern matching with the semantics of moby/patternmatcher, which BuildKit uses.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::filespec {

/// An ordered list of ignore patterns. The last pattern that matches a path decides: a plain
/// pattern ignores it, a '!' pattern keeps it. A pattern also matches every path below a
/// directory it matches ("docs" matches "docs/README.md"). Paths are '/'-separated and relative
/// to the context root; "." and "" never match. Immutable after Create, so safe to share
/// between threads.
class PatternMatcher {
 public:
  /// What matching a directory found, handed to the calls for its children.
  struct MatchInfo {
    bool matched = false;               ///< the path's own result
    std::vector<bool> parent_matched;   ///< per pattern; empty means "no parent context"
  };

  /// Compiles patterns. Each is trimmed (empty ones dropped), cleaned like Go's filepath.Clean,
  /// and a leading '!' makes it an exclusion. Fails (kParse) on a bare "!" with
  /// `illegal exclusion pattern: "!"` and on patterns Go's filepath.Match rejects
  /// (`syntax error in pattern: "[x-]"`). A few malformed patterns, such as "[Local-Only]"
  /// (a reversed range), pass here and fail on every match call that reaches them instead.
  [[nodiscard]] static Result<PatternMatcher> Create(const std::vector<std::string>& patterns);

  PatternMatcher(const PatternMatcher&);
  PatternMatcher(PatternMatcher&&) noexcept;
  PatternMatcher& operator=(const PatternMatcher&);
  PatternMatcher& operator=(PatternMatcher&&) noexcept;
  ~PatternMatcher();

  /// Whether path is ignored, checking the path itself and each of its parent directories.
  [[nodiscard]] Result<bool> MatchesOrParentMatches(std::string_view path) const;

  /// The same answer, computed cheaply while walking a tree top-down: parent is the MatchInfo
  /// returned for the parent directory (default-constructed for a top-level entry or when
  /// unknown, which falls back to checking every parent). Fills *out (may be null) for use by
  /// this path's children. Fails if parent came from a matcher with a different pattern count.
  [[nodiscard]] Result<bool> MatchesUsingParentResults(std::string_view path, const MatchInfo& parent,
                                                       MatchInfo* out) const;

  /// True when any pattern is a '!' exclusion: a context walker must then descend into ignored
  /// directories, because something below them may be re-included.
  bool exclusions() const { return exclusions_; }

  /// The number of patterns kept (after empty ones were dropped).
  std::size_t size() const;

  /// The cleaned patterns in order, each with its '!' restored for exclusions.
  std::vector<std::string> patterns() const;

 private:
  struct Pattern;
  PatternMatcher();
  Result<bool> MatchOne(const Pattern& p, std::string_view path) const;
  Result<bool> MatchOneOrParents(const Pattern& p, std::string_view path) const;

  std::vector<Pattern> patterns_;
  bool exclusions_ = false;
};

}  // namespace builder::filespec
