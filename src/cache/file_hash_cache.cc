// Context hashing: stat-validated content hashes, a Merkle digest over trees, and the
// persistent per-context cache file.
#include "cache/file_hash_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
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

/// The hash of one tree entry: type and mode bits, owner, and what the type carries.
std::string EntryHash(const EntryStat& st, std::string_view payload) {
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

}  // namespace

Result<FileHashCache> FileHashCache::Open(const oci::ImageStore& store,
                                          std::string_view context_root, Options options) {
  FileHashCache cache(options);
  std::string dir = JoinPath(store.root(), "cache/filehash");
  BUILDER_TRY(MakeDirs(dir));
  cache.path_ = dir + "/" + Sha256Hex(context_root) + ".bin";
  cache.tmp_dir_ = store.blobs().TmpDir();
  cache.loaded_ = false;
  cache.memo_ = TreeMemo::Load(dir + "/" + Sha256Hex(context_root) + ".memo");
  return cache;
}

void FileHashCache::Load() {
  if (loaded_) return;
  loaded_ = true;
  auto text = ReadFile(path_);
  if (!text) {
    if (text.error().sys_errno() != ENOENT) {
      LogWarn("file hash cache " + path_ + " ignored: " + text.error().ToString());
    }
    return;
  }
  auto records = DecodeFileHashTable(*text);
  if (!records) {
    LogWarn("file hash cache " + path_ + " is malformed; starting empty");
    return;
  }
  entries_.reserve(records->size());
  for (FileHashRecord& r : *records) {
    Entry e;
    e.stat = {r.dev, r.ino, r.size, r.mtime_ns, r.ctime_ns, r.mode};
    e.hash = std::move(r.hash);
    entries_.emplace(std::move(r.path), std::move(e));
  }
}

std::uint64_t FileHashCache::files_read() const {
  std::lock_guard lock(*mu_);
  return files_read_;
}

std::size_t FileHashCache::size() {
  std::lock_guard lock(*mu_);
  Load();
  return entries_.size();
}

Result<void> FileHashCache::Save() const {
  if (path_.empty()) return {};
  std::lock_guard lock(*mu_);
  BUILDER_TRY(memo_.Save(tmp_dir_));
  // An unchanged context (the no-op rebuild) must not pay for rewriting 20k entries.
  if (!dirty_) return {};
  std::vector<FileHashRecord> records;
  records.reserve(entries_.size());
  for (const auto& [path, e] : entries_) {
    if (e.racy) continue;
    records.push_back({path, e.stat.dev, e.stat.ino, e.stat.size, e.stat.mtime_ns,
                       e.stat.ctime_ns, e.stat.mode, e.hash});
  }
  // Path order: the same entries always give the same bytes.
  std::sort(records.begin(), records.end(),
            [](const FileHashRecord& a, const FileHashRecord& b) { return a.path < b.path; });
  StagedFile staged = BUILDER_TRY(StagedFile::CreateLeased(tmp_dir_));
  BUILDER_TRY(staged.Write(EncodeFileHashTable(records)));
  BUILDER_TRY(staged.Commit(path_));
  // The JSON form used before the binary table: dead weight once the table exists.
  (void)::unlink((path_.substr(0, path_.size() - 4) + ".json").c_str());
  return {};
}

FileHashCache::Stat FileHashCache::KeyOf(const EntryStat& st) {
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
          static_cast<std::uint64_t>(st.st_size), Nanos(st.st_mtim), Nanos(st.st_ctim),
          static_cast<std::uint32_t>(st.st_mode)};
}

const std::string* FileHashCache::Cached(std::string_view context_rel, const Stat& key) {
  Load();
  auto it = entries_.find(context_rel);
  if (it == entries_.end() || it->second.stat != key || it->second.racy) return nullptr;
  it->second.walk = walk_;
  return &it->second.hash;
}

Result<FileHashCache::Read> FileHashCache::HashOpened(UniqueFd fd, const EntryStat& st,
                                                      const std::string& context_rel,
                                                      const ReadProgressFn& on_read) const {
  const Stat key = KeyOf(st);
  struct stat opened;
  if (::fstat(fd.get(), &opened) != 0) return FailErrno("stat " + context_rel, errno);
  if (!S_ISREG(opened.st_mode) || opened.st_ino != st.st_ino || opened.st_dev != st.st_dev) {
    return Fail(ErrorCode::kIo, "hash " + context_rel + ": replaced while hashing");
  }
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
  Read read{sha.FinishHex(), false};
  struct stat after;
  if (::fstat(fd.get(), &after) != 0) return FailErrno("stat " + context_rel, errno);
  // Changed while we read, or so recent that a same-size rewrite within the timestamp
  // granularity could keep this stat: never served from the cache, read again next time.
  // A sub-second part (rarely zero by chance, and then the wider window is merely slower)
  // says the filesystem keeps fine timestamps.
  const bool fine = after.st_mtim.tv_nsec != 0 || after.st_ctim.tv_nsec != 0;
  const auto window = fine ? options_.fine_racy_window : options_.racy_window;
  std::int64_t stamp = std::max(Nanos(after.st_mtim), Nanos(after.st_ctim));
  read.racy = Nanos(after.st_mtim) != key.mtime_ns || Nanos(after.st_ctim) != key.ctime_ns ||
              static_cast<std::uint64_t>(after.st_size) != key.size ||
              stamp + window.count() >= NowNanos();
  return read;
}

void FileHashCache::Remember(std::string context_rel, const Stat& key, const Read& read) {
  Load();
  ++files_read_;
  entries_.insert_or_assign(std::move(context_rel), Entry{key, read.hash, read.racy, walk_});
  dirty_ = true;
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
  const Stat key = KeyOf(ToEntryStat(st));
  if (const std::string* hash = Cached(rel, key)) return *hash;
  // O_NONBLOCK: should the name have become a fifo since the stat, open must not hang.
  UniqueFd fd(::openat(parent->get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return FailErrno("open " + rel, errno);
  Read read = BUILDER_TRY(HashOpened(std::move(fd), ToEntryStat(st), rel, {}));
  Remember(rel, key, read);
  return read.hash;
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
  struct stat root_raw;
  if (::fstat(root_fd->get(), &root_raw) != 0) return FailErrno("stat " + root, errno);
  const EntryStat root_st = ToEntryStat(root_raw);
  const std::uint64_t walk = ++walk_;  // cached files this walk sees are stamped with it

  if (!S_ISDIR(root_st.st_mode)) {
    std::string parent = DirName(root), name = BaseName(root);
    auto parent_fd = oci::OpenInRoot(dir_fd, parent, O_PATH | O_DIRECTORY, 0, kResolve);
    if (!parent_fd) return Fail(std::move(parent_fd.error()).Context("hash " + root));
    std::string payload;
    if (S_ISREG(root_st.st_mode)) {
      const Stat key = KeyOf(root_st);
      if (const std::string* hash = Cached(root, key)) {
        payload = *hash;
      } else {
        // O_NONBLOCK: should the name have become a fifo since the stat, open must not hang.
        UniqueFd fd(::openat(parent_fd->get(), name.c_str(),
                             O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        if (!fd) return FailErrno("open " + root, errno);
        Read read = BUILDER_TRY(HashOpened(std::move(fd), root_st, root, options.on_read));
        Remember(root, key, read);
        payload = std::move(read.hash);
      }
    } else if (S_ISLNK(root_st.st_mode)) {
      payload = BUILDER_TRY(
          ReadLinkAt(parent_fd->get(), name.c_str(), static_cast<std::size_t>(root_st.st_size), root));
    }
    summary.entries["."] = EntryHash(root_st, payload);
  } else {
    TreeWalkOptions walk_options;
    walk_options.ignore = options.ignore;
    walk_options.descend_ignored_dirs = options.descend_ignored_dirs;
    walk_options.threads = options.threads;
    auto listed = WalkTree(dir_fd, root, walk_options);
    if (!listed) return Fail(std::move(listed.error()).Context("hash " + root));
    std::vector<WalkEntry>& entries = *listed;
    const std::string memo_key = TreeMemoKey(root, entries);
    if (!options.need_entries) {
      if (auto digest = memo_.Find(memo_key)) {
        summary.digest = std::move(*digest);
        summary.elided = true;
        return summary;
      }
    }
    Load();
    SortByPath(entries);  // the summary and the ignored-dir rule below need full path order

    // Content hashes: cached ones now, the rest read below (in parallel: a cold 500 MB context
    // is SHA-256 bound).
    std::vector<std::string> payloads(entries.size());
    std::vector<std::size_t> misses;
    bool settled = true;  // every content hash trusted: the digest may be memoized
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const WalkEntry& e = entries[i];
      if (S_ISLNK(e.st.st_mode)) {
        payloads[i] = e.link_target;
      } else if (S_ISREG(e.st.st_mode)) {
        if (const std::string* hash = Cached(ContextPath(root, e.path), KeyOf(e.st))) {
          payloads[i] = *hash;
        } else {
          misses.push_back(i);
        }
      }
    }
    if (!misses.empty()) {
      std::vector<std::optional<Result<Read>>> reads(misses.size());
      std::mutex progress_mu;
      ReadProgressFn on_read;
      if (options.on_read) {
        on_read = [&](std::uint64_t n) {
          std::lock_guard progress_lock(progress_mu);
          options.on_read(n);
        };
      }
      std::atomic<std::size_t> next{0};
      std::atomic<bool> failed{false};
      auto work = [&] {
        for (std::size_t m; !failed && (m = next++) < misses.size();) {
          const WalkEntry& e = entries[misses[m]];
          std::string context_rel = ContextPath(root, e.path);
          auto fd = oci::OpenInRoot(dir_fd, context_rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0, kResolve);
          if (!fd) {
            reads[m] = Fail(std::move(fd.error()).Context("open " + context_rel));
          } else {
            reads[m] = HashOpened(std::move(*fd), e.st, context_rel, on_read);
          }
          if (!*reads[m]) failed = true;
        }
      };
      std::vector<std::thread> helpers;
      const std::size_t extra = std::min<std::size_t>(options.threads > 1 ? options.threads - 1 : 0,
                                                       misses.size() - 1);
      for (std::size_t t = 0; t < extra; ++t) helpers.emplace_back(work);
      work();
      for (std::thread& t : helpers) t.join();
      for (std::size_t m = 0; m < misses.size(); ++m) {
        if (!reads[m]) continue;  // not reached after a failure
        if (!*reads[m]) return std::unexpected(std::move(reads[m]->error()));
        settled = settled && !(*reads[m])->racy;
        const WalkEntry& e = entries[misses[m]];
        payloads[misses[m]] = (*reads[m])->hash;
        Remember(ContextPath(root, e.path), KeyOf(e.st), **reads[m]);
      }
    }

    // An ignored directory stays only as the parent of something re-included (the walk lists
    // ignored entries only when they are directories).
    auto keeps_something = [&](std::size_t i) {
      const std::string& dir = entries[i].path;
      for (std::size_t j = i + 1; j < entries.size(); ++j) {
        const std::string& p = entries[j].path;
        if (p.size() <= dir.size() || !p.starts_with(dir) || p[dir.size()] != '/') break;
        if (!entries[j].ignored) return true;
      }
      return false;
    };
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const WalkEntry& e = entries[i];
      if (e.ignored && !keeps_something(i)) continue;
      summary.entries.emplace_hint(summary.entries.end(), std::move(entries[i].path),
                                   EntryHash(e.st, payloads[i]));
    }
    // Forget cached files under this tree that are gone (or now ignored).
    std::string prefix = root == "." ? "" : root + "/";
    std::erase_if(entries_, [&](const auto& kv) {
      const bool gone = kv.second.walk != walk && kv.first.starts_with(prefix);
      if (gone) dirty_ = true;
      return gone;
    });
    summary.digest = CacheKeyBuilder("tree/v1").AddMap("entries", summary.entries).Finish().hex();
    if (settled) memo_.Put(memo_key, summary.digest);
    return summary;
  }
  summary.digest = CacheKeyBuilder("tree/v1").AddMap("entries", summary.entries).Finish().hex();
  return summary;
}

}  // namespace builder::cache
