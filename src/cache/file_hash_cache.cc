// Context hashing: stat-validated content hashes, a Merkle digest over trees, and the
// persistent per-context cache file.
#include "cache/file_hash_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <memory>
#include <vector>

#include "base/log.h"
#include "base/path.h"
#include "base/sha256.h"
#include "base/staged_file.h"
#include "cache/cache_key.h"
#include "cache/file_hash_table.h"
#include "oci/safe_path.h"

namespace builder::cache {

namespace {

/// Paths inside the context are resolved without following any symlink and cannot escape.
constexpr std::uint64_t kResolve =
    oci::kResolveBeneath | oci::kResolveNoSymlinks | oci::kResolveNoMagicLinks;

std::int64_t Nanos(const timespec& ts) {
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::int64_t NowNanos() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return Nanos(ts);
}

/// The context-relative name of `sub` below `root` ("." + "a" -> "a").
std::string Under(std::string_view root, std::string_view sub) {
  if (root == "." || root.empty()) return std::string(sub);
  if (sub == "." || sub.empty()) return std::string(root);
  return std::string(root) + "/" + std::string(sub);
}

/// The hash of one tree entry: type and mode bits, owner, and what the type carries.
std::string EntryHash(const struct stat& st, std::string_view payload) {
  CacheKeyBuilder b("tree-entry/v1");
  b.AddInt("mode", st.st_mode).AddInt("uid", st.st_uid).AddInt("gid", st.st_gid);
  if (S_ISREG(st.st_mode)) {
    b.Add("content", payload);
  } else if (S_ISLNK(st.st_mode)) {
    b.Add("target", payload);
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    b.AddInt("rdev", st.st_rdev);
  }
  return b.Finish().hex();
}

Result<std::string> ReadLinkAt(int dir_fd, const std::string& name, std::size_t size_hint) {
  std::string buf(size_hint + 1 < 256 ? 256 : size_hint + 1, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), buf.data(), buf.size());
    if (n < 0) return FailErrno("readlink " + name, errno);
    if (static_cast<std::size_t>(n) < buf.size()) {
      buf.resize(static_cast<std::size_t>(n));
      return buf;
    }
    if (buf.size() > 65536) return Fail(ErrorCode::kIo, "readlink " + name + ": target too long");
    buf.resize(buf.size() * 2);
  }
}

}  // namespace

Result<FileHashCache> FileHashCache::Open(const oci::ImageStore& store,
                                          std::string_view context_root, Options options) {
  FileHashCache cache(options);
  std::string dir = JoinPath(store.root(), "cache/filehash");
  BUILDER_TRY(MakeDirs(dir));
  cache.path_ = dir + "/" + Sha256Hex(context_root) + ".bin";
  cache.tmp_dir_ = store.blobs().TmpDir();
  auto text = ReadFile(cache.path_);
  if (!text) {
    if (text.error().sys_errno() != ENOENT) {
      LogWarn("file hash cache " + cache.path_ + " ignored: " + text.error().ToString());
    }
    return cache;
  }
  auto records = DecodeFileHashTable(*text);
  if (!records) {
    LogWarn("file hash cache " + cache.path_ + " is malformed; starting empty");
    return cache;
  }
  for (FileHashRecord& r : *records) {
    Entry e;
    e.stat = {r.dev, r.ino, r.size, r.mtime_ns, r.ctime_ns, r.mode};
    e.hash = std::move(r.hash);
    // Saved in path order: each insert lands at the end.
    cache.entries_.emplace_hint(cache.entries_.end(), std::move(r.path), std::move(e));
  }
  return cache;
}

std::uint64_t FileHashCache::files_read() const {
  std::lock_guard lock(*mu_);
  return files_read_;
}

std::size_t FileHashCache::size() const {
  std::lock_guard lock(*mu_);
  return entries_.size();
}

Result<void> FileHashCache::Save() const {
  if (path_.empty()) return {};
  std::lock_guard lock(*mu_);
  // An unchanged context (the no-op rebuild) must not pay for rewriting 20k entries.
  if (!dirty_) return {};
  std::vector<FileHashRecord> records;
  records.reserve(entries_.size());
  for (const auto& [path, e] : entries_) {
    if (e.racy) continue;
    records.push_back({path, e.stat.dev, e.stat.ino, e.stat.size, e.stat.mtime_ns,
                       e.stat.ctime_ns, e.stat.mode, e.hash});
  }
  StagedFile staged = BUILDER_TRY(StagedFile::Create(tmp_dir_));
  BUILDER_TRY(staged.Write(EncodeFileHashTable(records)));
  BUILDER_TRY(staged.Commit(path_));
  // The JSON form used before the binary table: dead weight once the table exists.
  (void)::unlink((path_.substr(0, path_.size() - 4) + ".json").c_str());
  return {};
}

Result<std::string> FileHashCache::ContentHash(int parent_fd, const std::string& name,
                                               const struct stat& st,
                                               const std::string& context_rel,
                                               const ReadProgressFn& on_read) {
  Stat key{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
           static_cast<std::uint64_t>(st.st_size), Nanos(st.st_mtim), Nanos(st.st_ctim),
           static_cast<std::uint32_t>(st.st_mode)};
  if (auto it = entries_.find(context_rel);
      it != entries_.end() && it->second.stat == key && !it->second.racy) {
    it->second.walk = walk_;
    return it->second.hash;
  }
  // O_NONBLOCK: should the name have become a fifo since the stat, open must not hang.
  UniqueFd fd(::openat(parent_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return FailErrno("open " + context_rel, errno);
  struct stat opened;
  if (::fstat(fd.get(), &opened) != 0) return FailErrno("stat " + context_rel, errno);
  if (!S_ISREG(opened.st_mode) || opened.st_ino != st.st_ino || opened.st_dev != st.st_dev) {
    return Fail(ErrorCode::kIo, "hash " + context_rel + ": replaced while hashing");
  }
  ++files_read_;
  Sha256 sha;
  std::vector<std::uint8_t> buf(1 << 16);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno("read " + context_rel, errno);
    }
    if (n == 0) break;
    sha.Update(std::span(buf.data(), static_cast<std::size_t>(n)));
    if (on_read) on_read(static_cast<std::uint64_t>(n));
  }
  std::string hash = sha.FinishHex();
  struct stat after;
  if (::fstat(fd.get(), &after) != 0) return FailErrno("stat " + context_rel, errno);
  // Changed while we read, or so recent that a same-size rewrite within the timestamp
  // granularity could keep this stat: never served from the cache, read again next time.
  std::int64_t stamp = std::max(Nanos(after.st_mtim), Nanos(after.st_ctim));
  bool racy = Nanos(after.st_mtim) != key.mtime_ns || Nanos(after.st_ctim) != key.ctime_ns ||
              static_cast<std::uint64_t>(after.st_size) != key.size ||
              stamp + options_.racy_window.count() >= NowNanos();
  entries_.insert_or_assign(context_rel, Entry{key, hash, racy, walk_});
  dirty_ = true;
  return hash;
}

Result<std::string> FileHashCache::HashFile(int dir_fd, std::string_view rel_path) {
  std::string rel = CleanPath(rel_path);
  if (!IsLocalPath(rel) || rel.starts_with("/")) {
    return Fail(ErrorCode::kInvalidArgument, "hash " + rel + ": path leaves the context");
  }
  auto parent = oci::OpenInRoot(dir_fd, DirName(rel), O_PATH | O_DIRECTORY, 0, kResolve);
  if (!parent) return Fail(std::move(parent.error()).Context("hash " + rel));
  std::string name = BaseName(rel);
  struct stat st;
  if (::fstatat(parent->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Fail(ErrorCode::kNotFound, "hash " + rel + ": no such file");
    return FailErrno("stat " + rel, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, "hash " + rel + ": not a regular file");
  }
  std::lock_guard lock(*mu_);
  return ContentHash(parent->get(), name, st, rel);
}

Result<TreeSummary> FileHashCache::HashTree(int dir_fd, std::string_view rel_path,
                                            const HashTreeOptions& options) {
  std::string root = CleanPath(rel_path);
  if (!IsLocalPath(root) || root.starts_with("/")) {
    return Fail(ErrorCode::kInvalidArgument, "hash " + root + ": path leaves the context");
  }
  std::lock_guard lock(*mu_);
  TreeSummary summary;
  // The root: a directory is walked, anything else is the single entry ".". O_PATH so that a
  // fifo or device is never opened for I/O.
  auto root_fd = oci::OpenInRoot(dir_fd, root, O_PATH | O_NOFOLLOW, 0, kResolve);
  if (!root_fd) {
    if (root_fd.error().sys_errno() == ENOENT) {
      return Fail(ErrorCode::kNotFound, "hash " + root + ": no such file or directory");
    }
    return Fail(std::move(root_fd.error()).Context("hash " + root));
  }
  struct stat root_st;
  if (::fstat(root_fd->get(), &root_st) != 0) return FailErrno("stat " + root, errno);
  const std::uint64_t walk = ++walk_;  // files this walk hashes are stamped with it
  auto add_entry = [&](int parent_fd, const std::string& name, const struct stat& st,
                       const std::string& context_rel, const std::string& entry_rel)
      -> Result<void> {
    std::string payload;
    if (S_ISREG(st.st_mode)) {
      payload = BUILDER_TRY(ContentHash(parent_fd, name, st, context_rel, options.on_read));
    } else if (S_ISLNK(st.st_mode)) {
      payload = BUILDER_TRY(ReadLinkAt(parent_fd, name, static_cast<std::size_t>(st.st_size)));
    }
    summary.entries[entry_rel] = EntryHash(st, payload);
    return {};
  };

  if (!S_ISDIR(root_st.st_mode)) {
    std::string parent = DirName(root);
    auto parent_fd = oci::OpenInRoot(dir_fd, parent, O_PATH | O_DIRECTORY, 0, kResolve);
    if (!parent_fd) return Fail(std::move(parent_fd.error()).Context("hash " + root));
    BUILDER_TRY(add_entry(parent_fd->get(), BaseName(root), root_st, root, "."));
  } else {
    // Iterative walk (context trees may be deep); each directory is opened from the context
    // root with symlink-free resolution, so no fd is held per level.
    std::vector<std::string> todo{""};  // directories relative to root ("" is root itself)
    std::vector<std::string> ignored_dirs;  // entry paths listed only if something below is
    while (!todo.empty()) {
      std::string dir = std::move(todo.back());
      todo.pop_back();
      std::string context_dir = Under(root, dir.empty() ? "." : dir);
      auto dfd = oci::OpenInRoot(dir_fd, context_dir, O_RDONLY | O_DIRECTORY, 0, kResolve);
      if (!dfd) return Fail(std::move(dfd.error()).Context("hash " + context_dir));
      int raw = ::dup(dfd->get());
      if (raw < 0) return FailErrno("dup", errno);
      std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(raw), &::closedir);
      if (!d) {
        int err = errno;
        ::close(raw);
        return FailErrno("open directory " + context_dir, err);
      }
      std::vector<std::string> names;
      errno = 0;
      while (dirent* e = ::readdir(d.get())) {
        std::string_view n = e->d_name;
        if (n != "." && n != "..") names.emplace_back(n);
      }
      if (errno != 0) return FailErrno("read directory " + context_dir, errno);
      for (const std::string& name : names) {
        std::string entry_rel = dir.empty() ? name : dir + "/" + name;
        std::string context_rel = Under(root, entry_rel);
        struct stat st;
        if (::fstatat(dfd->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
          if (errno == ENOENT) continue;  // removed while walking
          return FailErrno("stat " + context_rel, errno);
        }
        bool is_dir = S_ISDIR(st.st_mode);
        bool ignored = options.ignore ? BUILDER_TRY(options.ignore(context_rel, is_dir)) : false;
        if (ignored && !(is_dir && options.descend_ignored_dirs)) continue;
        if (is_dir) {
          summary.entries[entry_rel] = EntryHash(st, "");
          if (ignored) ignored_dirs.push_back(entry_rel);
          todo.push_back(entry_rel);
        } else {
          BUILDER_TRY(add_entry(dfd->get(), name, st, context_rel, entry_rel));
        }
      }
    }
    // An ignored directory stays only as the parent of something re-included. Deepest first,
    // so a parent sees whether its ignored child directories survived.
    std::sort(ignored_dirs.begin(), ignored_dirs.end(), std::greater<>());
    for (const std::string& path : ignored_dirs) {
      auto below = summary.entries.lower_bound(path + "/");
      if (below == summary.entries.end() || !below->first.starts_with(path + "/")) {
        summary.entries.erase(path);
      }
    }
    // Forget cached files under this tree that are gone (or now ignored).
    std::string prefix = root == "." ? "" : root + "/";
    for (auto it = entries_.lower_bound(prefix);
         it != entries_.end() && it->first.starts_with(prefix);) {
      if (it->second.walk == walk) {
        ++it;
      } else {
        it = entries_.erase(it);
        dirty_ = true;
      }
    }
  }
  summary.digest = CacheKeyBuilder("tree/v1").AddMap("entries", summary.entries).Finish().hex();
  return summary;
}

}  // namespace builder::cache
