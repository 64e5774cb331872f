// TreeSummary: the hashed shape of a context subtree, and the differences between two of them.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::cache {

/// The hashed shape of a context subtree, for cache keys and for explaining misses.
struct TreeSummary {
  /// sha256 hex over the sorted entries (see FileHashCache::HashTree).
  std::string digest;
  /// Relative path (to the hashed root; "." when the root is not a directory) -> sha256 hex of
  /// that entry's (type, mode, uid, gid, content hash or link target). Byte-wise sorted.
  std::map<std::string, std::string> entries;
  /// True when `entries` were left out (HashTreeOptions::need_entries false and the digest came
  /// from the memo): the digest is right, but there is nothing to explain a miss with or store.
  bool elided = false;

  /// Compact JSON {"digest":..,"entries":{path:hash}} for storing with cache records.
  std::string Serialize() const;
  /// Errors: kParse for malformed JSON, kCorrupt for a wrong shape.
  [[nodiscard]] static Result<TreeSummary> Parse(std::string_view json);

  bool operator==(const TreeSummary&) const = default;
};

/// One difference between two summaries.
struct PathChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  std::string path;
  Kind kind = Kind::kChanged;
};

/// The paths that differ between two summaries, in path order, at most `limit` of them;
/// `*total` (may be null) receives the full count.
std::vector<PathChange> DiffTrees(const TreeSummary& old_summary, const TreeSummary& new_summary,
                                  std::size_t limit = 5, std::size_t* total = nullptr);
/// "src/main.c changed", "a added, b removed and 3 more", "" when nothing differs.
std::string DescribeChanges(const std::vector<PathChange>& changes, std::size_t total);

}  // namespace builder::cache
