// TreeWalk: lists a context subtree with each entry's lstat, walking directories in parallel.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::cache {

/// Decides whether a context path is left out (a .dockerignore match). `path` is relative to
/// the context root, '/'-separated, never "." or "". Called from several threads at once, so it
/// must be safe to share (filespec::PatternMatcher is).
using IgnoreFn = std::function<Result<bool>(std::string_view path, bool is_dir)>;

/// The lstat fields a tree hash and its memo use, under struct stat's names: a 20k-entry walk
/// keeps one per entry, and the full struct is almost twice the size.
struct EntryStat {
  mode_t st_mode = 0;
  uid_t st_uid = 0;
  gid_t st_gid = 0;
  off_t st_size = 0;
  dev_t st_dev = 0;
  ino_t st_ino = 0;
  dev_t st_rdev = 0;
  timespec st_mtim{};
  timespec st_ctim{};
};
EntryStat ToEntryStat(const struct stat& st);

/// One entry found below the walked directory.
struct WalkEntry {
  std::string path;         ///< relative to the walked directory, '/'-separated
  EntryStat st;             ///< lstat: symlinks are never followed
  std::string link_target;  ///< symlinks only
  bool ignored = false;     ///< an ignored directory walked only for re-included entries
};

struct TreeWalkOptions {
  /// Null: nothing is ignored.
  IgnoreFn ignore;
  /// Walk into ignored directories (their entries are then marked `ignored`) because an
  /// exclusion pattern ("!keep") may re-include something below.
  bool descend_ignored_dirs = false;
  /// Threads listing and stat-ing directories; the stat calls of a 20k-file context are most
  /// of a no-op rebuild, and the kernel serves them in parallel.
  unsigned threads = 2;
};

/// Every entry below `dir` (relative to `context_fd`, "." for the context itself, which must be
/// a directory), grouped by directory: directories in byte-wise order of their paths, the
/// entries of each in byte-wise order of their names. That order depends only on the tree (a
/// memo key can hash it as is); SortByPath gives full path order. Each directory is opened from the context root with
/// symlink-free resolution, so nothing outside is ever listed, and no fd is held per level.
/// Entries removed while walking are skipped. Errors: kNotFound when `dir` is missing, kIo for
/// unreadable directories or entries (naming the context path), or the ignore callback's.
[[nodiscard]] Result<std::vector<WalkEntry>> WalkTree(int context_fd, std::string_view dir,
                                                      const TreeWalkOptions& options = {});

/// The target of the symlink `name` in `dir_fd`; `size_hint` is its lstat size, `what` names it
/// in errors. Errors: kIo (readlink's errno, or a target over 64 KiB).
[[nodiscard]] Result<std::string> ReadLinkAt(int dir_fd, const char* name, std::size_t size_hint,
                                             const std::string& what);

/// Sorts entries into byte-wise order of their whole paths ("b", "b-", "b/c").
void SortByPath(std::vector<WalkEntry>& entries);

/// "a" under "." is "a"; "b" under "a" is "a/b"; "." under "a" is "a".
std::string ContextPath(std::string_view root, std::string_view sub);

}  // namespace builder::cache
