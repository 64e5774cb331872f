// TreeMemo: tree digests remembered by the stat of every entry, so an unchanged context skips
// content-hash lookups and per-entry hashing on the next build.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/error.h"
#include "cache/tree_walk.h"

namespace builder::cache {

/// sha256 hex over the walked root and, per entry in the given (WalkTree's canonical) order, its path, type and mode,
/// owner, size, device, inode, rdev, mtime and ctime (ns), link target and ignored flag. Equal
/// keys mean every entry kept the stat its content hash was cached under.
std::string TreeMemoKey(std::string_view root, const std::vector<WalkEntry>& entries);

/// key -> tree digest, persisted as text lines "<key> <digest>". Only trees whose every file
/// hash was settled (not racy) are remembered, by the caller.
class TreeMemo {
 public:
  /// At most this many digests are kept; the ones used or added since Load go first.
  static constexpr std::size_t kMaxEntries = 64;

  /// Reads `path`; a missing or malformed file is an empty memo (malformed lines are dropped).
  static TreeMemo Load(std::string path);

  std::optional<std::string> Find(const std::string& key);
  void Put(const std::string& key, const std::string& digest);
  /// Writes the memo when Put changed it, staged in `tmp_dir` and renamed into place.
  [[nodiscard]] Result<void> Save(const std::string& tmp_dir) const;

 private:
  struct Slot {
    std::string digest;
    std::size_t order = 0;  ///< larger: used more recently
  };
  std::string path_;
  std::unordered_map<std::string, Slot> slots_;
  std::size_t clock_ = 0;
  bool dirty_ = false;
};

}  // namespace builder::cache
