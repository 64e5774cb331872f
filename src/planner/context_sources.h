// The build-context entries a COPY/ADD source names: wildcards expanded, symlinks resolved,
// shared by the cache key (what the step reads) and the executor (what it copies).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "filespec/pattern_matcher.h"

namespace builder::planner {

/// One context entry a source names.
struct ContextSource {
  /// The entry as the source names it, relative to the context root ("." for the root): the
  /// name the destination takes (and what --parents keeps).
  std::string path;
  /// Where its content is read: `path` with every symlink resolved inside the context.
  std::string resolved;

  bool operator==(const ContextSource&) const = default;
};

/// True when a source holds a wildcard ('*', '?' or '[').
bool HasWildcard(std::string_view source);

/// The entries `source` (a context path, possibly with wildcards) names below `context_fd`.
/// A wildcard source matches component by component (fnmatch per component, as Go's
/// filepath.Match does), in byte order, leaving out .dockerignore'd matches (`ignore`, may be
/// null). Errors: kNotFound `"/x": not found` for a missing or ignored source and for a
/// wildcard matching nothing; I/O errors.
[[nodiscard]] Result<std::vector<ContextSource>> ExpandContextSource(
    int context_fd, std::string_view source, const filespec::PatternMatcher* ignore);

}  // namespace builder::planner
