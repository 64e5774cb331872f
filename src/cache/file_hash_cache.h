// FileHashCache: content hashes of build-context files and trees, with a persistent stat cache
// so an unchanged context is not read again.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "cache/tree_memo.h"
#include "cache/tree_summary.h"
#include "cache/tree_walk.h"
#include "oci/image_store.h"

namespace builder::cache {

/// Told the size of each buffer read while hashing file content (progress of slow hashing).
using ReadProgressFn = std::function<void(std::uint64_t bytes)>;

struct HashTreeOptions {
  /// Null: nothing is ignored. With a filespec::PatternMatcher m: `[&m](std::string_view p, bool)
  /// { return m.MatchesOrParentMatches(p); }` and descend_ignored_dirs = m.exclusions().
  IgnoreFn ignore;
  /// Walk into ignored directories because an exclusion pattern ("!keep") may re-include
  /// something below (PatternMatcher::exclusions()). An ignored directory is then listed only
  /// when something below it is.
  bool descend_ignored_dirs = false;
  /// Null: no progress. Called for content actually read (not for hashes served cached), from
  /// one thread at a time.
  ReadProgressFn on_read;
  /// Threads walking the tree and reading changed files.
  unsigned threads = 2;
  /// False: when every entry has the stat it had when this tree was last hashed, the digest
  /// comes from the memo (tree_memo.h) and the summary's entries are left out (`elided`).
  bool need_entries = true;
};

/// Hashes files below one context directory. Regular-file content hashes are cached by
/// (relative path, dev, inode, size, mtime_ns, ctime_ns, mode): a file whose stat is unchanged
/// is not read again. The cache persists across builds in
/// `<store root>/cache/filehash/<sha256 of the context root path>.bin` (file_hash_table.h),
/// loaded by Open and replaced atomically by Save (staged in the store's tmp/), so concurrent
/// builds at worst lose each other's additions.
///
/// A file whose mtime or ctime is within the racy window of the time it was hashed may still
/// change without its stat changing (timestamps are coarse), so its hash is never served from
/// the cache: such files are read on every call until they settle. Safe to share between
/// threads: calls are serialized by an internal mutex (HashTree itself uses `threads`).
class FileHashCache {
 public:
  struct Options {
    /// For timestamps in whole seconds (FAT, some network filesystems).
    std::chrono::nanoseconds racy_window = std::chrono::seconds(2);
    /// For timestamps with a sub-second part (ext4, xfs, btrfs, tmpfs, overlayfs: a clock tick,
    /// at most 10 ms): files written a moment before a build settle after this.
    std::chrono::nanoseconds fine_racy_window = std::chrono::milliseconds(50);
  };

  /// A cache that lives in memory only (nothing is loaded or saved).
  FileHashCache() = default;
  explicit FileHashCache(Options options) : options_(options) {}
  FileHashCache(FileHashCache&&) noexcept = default;
  FileHashCache& operator=(FileHashCache&&) noexcept = default;
  /// Loads the persistent cache of `context_root` (an absolute path naming the context, used
  /// only as the cache's name). A missing file is an empty cache; an unreadable or malformed
  /// one is logged as a warning and ignored. Errors: kIo when the directory cannot be created.
  [[nodiscard]] static Result<FileHashCache> Open(const oci::ImageStore& store,
                                                  std::string_view context_root,
                                                  Options options);
  [[nodiscard]] static Result<FileHashCache> Open(const oci::ImageStore& store,
                                                  std::string_view context_root) {
    return Open(store, context_root, Options{});
  }

  /// sha256 hex of the content of the regular file `rel_path` below `dir_fd` (the context
  /// root). No component may be a symlink (kIo with ELOOP) and the path must stay inside;
  /// kInvalidArgument when the file is not a regular file.
  [[nodiscard]] Result<std::string> HashFile(int dir_fd, std::string_view rel_path);

  /// Merkle digest of the entry or tree at `rel_path` ("." for the whole context) below
  /// `dir_fd`. Each entry contributes, in byte-wise path order: its path relative to rel_path,
  /// its type and mode bits, uid, gid, and its content hash (regular files), link target
  /// (symlinks, never followed) or nothing (directories, devices, fifos, sockets). mtimes
  /// never count. The root directory itself is not an entry; a non-directory root is the one
  /// entry ".". Ignored paths (options.ignore) are left out entirely; rel_path itself is not
  /// checked (the caller decides whether naming an ignored source is an error).
  /// Errors: kNotFound when rel_path does not exist, kIo for unreadable entries, or whatever
  /// the ignore callback returns.
  [[nodiscard]] Result<TreeSummary> HashTree(int dir_fd, std::string_view rel_path,
                                             const HashTreeOptions& options = {});

  /// Writes the persistent cache (no-op for an in-memory cache).
  [[nodiscard]] Result<void> Save() const;

  /// Regular files whose content was read (cache misses) since construction.
  std::uint64_t files_read() const;
  /// Number of cached file hashes.
  std::size_t size();

 private:
  struct Stat {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0, ctime_ns = 0;
    std::uint32_t mode = 0;
    bool operator==(const Stat&) const = default;
  };
  struct Entry {
    Stat stat;
    std::string hash;
    bool racy = false;  ///< too fresh to trust: not served, not saved
    std::uint64_t walk = 0;  ///< the last HashTree walk that saw the file
  };

  struct Read {
    std::string hash;
    bool racy = false;
  };
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  static Stat KeyOf(const EntryStat& st);
  /// The cached hash of `context_rel` when taken under `key` (stamped as seen by this walk).
  const std::string* Cached(std::string_view context_rel, const Stat& key);
  /// Reads and hashes the open regular file `fd`, which must still be the file `st` describes.
  [[nodiscard]] Read ReadHash(int fd, const Stat& key) const;
  [[nodiscard]] Result<Read> HashOpened(UniqueFd fd, const EntryStat& st,
                                        const std::string& context_rel,
                                        const ReadProgressFn& on_read) const;
  void Remember(std::string context_rel, const Stat& key, const Read& read);
  /// Decodes the persistent table on first use: a tree served by the memo never needs it.
  void Load();

  std::string path_;     ///< empty: memory only
  bool loaded_ = true;   ///< false until Load() has read path_
  TreeMemo memo_;
  std::string tmp_dir_;  ///< staging for Save
  Options options_;
  std::unordered_map<std::string, Entry, PathHash, std::equal_to<>> entries_;
  std::uint64_t files_read_ = 0;
  std::uint64_t walk_ = 0;  ///< numbers HashTree walks, to forget files a walk did not see
  bool dirty_ = false;  ///< entries changed since Open: Save has something to write
  std::unique_ptr<std::mutex> mu_ = std::make_unique<std::mutex>();
};

}  // namespace builder::cache
