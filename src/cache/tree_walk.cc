// Parallel listing of a context subtree: a shared queue of directories, one worker per thread.
#include "cache/tree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "oci/safe_path.h"

namespace builder::cache {
namespace {

constexpr std::uint64_t kResolve =
    oci::kResolveBeneath | oci::kResolveNoSymlinks | oci::kResolveNoMagicLinks;


/// The queue the workers share. A worker that finds the queue empty waits while others are
/// still listing (they may push subdirectories); the walk ends when nobody is.
class Walk {
 public:
  Walk(int context_fd, std::string root, const TreeWalkOptions& options)
      : context_fd_(context_fd), root_(std::move(root)), options_(options) {
    pending_.push_back("");  // the root itself
  }

  /// Runs the workers and gathers their entries in WalkTree's order.
  Result<std::vector<WalkEntry>> Run() {
    std::vector<std::thread> helpers;
    // The first directory alone decides whether a second thread has anything to do; tiny
    // sources (a dozen files) then never pay for starting one.
    Worker(true);
    const unsigned extra = options_.threads > 1 ? options_.threads - 1 : 0;
    {
      std::lock_guard lock(mu_);
      if (!pending_.empty() && !error_) {
        for (unsigned i = 0; i < extra; ++i) helpers.emplace_back([this] { Worker(false); });
      }
    }
    Worker(false);
    for (std::thread& t : helpers) t.join();
    if (error_) return std::unexpected(std::move(*error_));
    // Directories in path order, each one's entries already sorted by its worker: a canonical
    // order without sorting every entry (the memo needs no more).
    std::sort(batches_.begin(), batches_.end(),
              [](const Batch& a, const Batch& b) { return a.dir < b.dir; });
    std::vector<WalkEntry> all;
    std::size_t n = 0;
    for (const auto& part : parts_) n += part.size();
    all.reserve(n);
    for (const Batch& b : batches_) {
      auto& part = parts_[b.part];
      std::move(part.begin() + static_cast<long>(b.begin), part.begin() + static_cast<long>(b.end),
                std::back_inserter(all));
    }
    return all;
  }

 private:
  /// The entries one directory contributed: parts_[part][begin, end).
  struct Batch {
    std::string dir;
    std::size_t part = 0, begin = 0, end = 0;
  };

  void Worker(bool first_only) {
    std::vector<WalkEntry> mine;
    std::vector<Batch> listed;
    std::vector<std::string> found;
    for (;;) {
      std::string dir;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return error_ || !pending_.empty() || busy_ == 0; });
        if (error_ || pending_.empty()) break;
        dir = std::move(pending_.back());
        pending_.pop_back();
        ++busy_;
      }
      found.clear();
      const std::size_t begin = mine.size();
      Result<void> r = List(dir, mine, found);
      if (r) {
        std::sort(mine.begin() + static_cast<long>(begin), mine.end(),
                  [](const WalkEntry& a, const WalkEntry& b) { return a.path < b.path; });
        listed.push_back({std::move(dir), 0, begin, mine.size()});
      }
      {
        std::lock_guard lock(mu_);
        --busy_;
        if (!r && !error_) error_ = std::move(r.error());
        for (std::string& d : found) pending_.push_back(std::move(d));
      }
      cv_.notify_all();
      if (first_only) break;
    }
    std::lock_guard lock(mu_);
    for (Batch& b : listed) {
      b.part = parts_.size();
      batches_.push_back(std::move(b));
    }
    parts_.push_back(std::move(mine));
  }

  Result<void> List(const std::string& dir, std::vector<WalkEntry>& out,
                    std::vector<std::string>& subdirs) {
    std::string context_dir = ContextPath(root_, dir.empty() ? "." : dir);
    auto dfd = oci::OpenInRoot(context_fd_, context_dir, O_RDONLY | O_DIRECTORY, 0, kResolve);
    if (!dfd) {
      if (dfd.error().sys_errno() == ENOENT) {
        if (dir.empty()) return Fail(ErrorCode::kNotFound, context_dir + ": no such file or directory");
        return {};  // removed while walking
      }
      return Fail(std::move(dfd.error()).Context("open directory " + context_dir));
    }
    int raw = ::dup(dfd->get());
    if (raw < 0) return FailErrno("dup", errno);
    std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(raw), &::closedir);
    if (!d) {
      int err = errno;
      ::close(raw);
      return FailErrno("open directory " + context_dir, err);
    }
    // The context-relative name, built only when needed (ignore patterns, errors): with the
    // walked root "." it is a copy of the entry's path.
    auto context_rel = [&](const std::string& path) { return ContextPath(root_, path); };
    for (errno = 0; dirent* e = ::readdir(d.get()); errno = 0) {
      const char* name = e->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      WalkEntry entry;
      if (dir.empty()) {
        entry.path = name;
      } else {
        entry.path.reserve(dir.size() + 1 + std::strlen(name));
        entry.path.append(dir).append(1, '/').append(name);
      }
      struct stat st;
      if (::fstatat(dfd->get(), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // removed while walking
        return FailErrno("stat " + context_rel(entry.path), errno);
      }
      entry.st = ToEntryStat(st);
      const bool is_dir = S_ISDIR(entry.st.st_mode);
      const bool ignored =
          options_.ignore ? BUILDER_TRY(options_.ignore(context_rel(entry.path), is_dir)) : false;
      if (ignored && !(is_dir && options_.descend_ignored_dirs)) continue;
      if (S_ISLNK(entry.st.st_mode)) {
        entry.link_target = BUILDER_TRY(ReadLinkAt(dfd->get(), name,
                                                   static_cast<std::size_t>(entry.st.st_size),
                                                   context_rel(entry.path)));
      }
      entry.ignored = ignored;
      if (is_dir) subdirs.push_back(entry.path);
      out.push_back(std::move(entry));
    }
    if (errno != 0) return FailErrno("read directory " + context_dir, errno);
    return {};
  }

  const int context_fd_;
  const std::string root_;
  const TreeWalkOptions& options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> pending_;
  unsigned busy_ = 0;
  std::optional<Error> error_;
  std::vector<std::vector<WalkEntry>> parts_;
  std::vector<Batch> batches_;
};

}  // namespace

Result<std::string> ReadLinkAt(int dir_fd, const char* name, std::size_t size_hint,
                               const std::string& context_rel) {
  std::string buf(size_hint + 1 < 256 ? 256 : size_hint + 1, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir_fd, name, buf.data(), buf.size());
    if (n < 0) return FailErrno("readlink " + context_rel, errno);
    if (static_cast<std::size_t>(n) < buf.size()) {
      buf.resize(static_cast<std::size_t>(n));
      return buf;
    }
    if (buf.size() > 65536) return Fail(ErrorCode::kIo, "readlink " + context_rel + ": target too long");
    buf.resize(buf.size() * 2);
  }
}

EntryStat ToEntryStat(const struct stat& st) {
  return {st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_dev,
          st.st_ino,  st.st_rdev, st.st_mtim, st.st_ctim};
}

std::string ContextPath(std::string_view root, std::string_view sub) {
  if (root == "." || root.empty()) return std::string(sub);
  if (sub == "." || sub.empty()) return std::string(root);
  return std::string(root) + "/" + std::string(sub);
}

Result<std::vector<WalkEntry>> WalkTree(int context_fd, std::string_view dir,
                                        const TreeWalkOptions& options) {
  Walk walk(context_fd, std::string(dir), options);
  return walk.Run();
}

void SortByPath(std::vector<WalkEntry>& entries) {
  std::sort(entries.begin(), entries.end(),
            [](const WalkEntry& a, const WalkEntry& b) { return a.path < b.path; });
}

}  // namespace builder::cache
