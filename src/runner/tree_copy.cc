// Iterative, fd-relative tree copy keeping owners, modes, xattrs, times and hard links.
#include "runner/tree_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/path.h"
#include "base/unique_fd.h"

namespace builder::runner {
namespace {

// One directory being copied: its fds, its entries and where the walk is in them.
struct Frame {
  UniqueFd src;
  UniqueFd dst;
  std::string rel;  ///< path below the roots, for messages and hard links ("" = root)
  struct stat st {};
  std::vector<std::string> names;
  std::size_t next = 0;
};

std::string Join(const std::string& rel, const std::string& name) {
  return rel.empty() ? name : rel + "/" + name;
}

// Skipped xattr failures: the destination cannot hold it or we may not set it (trusted.*,
// security.* outside our namespace); cp -a shrugs at the same ones.
bool IgnorableXattrError(int err) { return err == ENOTSUP || err == EPERM || err == EACCES; }

// Copies the xattrs of an object: through fds when given, else through /proc paths with the
// l* calls (symlinks, which cannot be opened).
Result<void> CopyXattrs(int src_fd, int dst_fd, const std::string& src_path,
                        const std::string& dst_path, const std::string& rel) {
  const bool by_fd = src_fd >= 0;
  auto list = [&](char* buf, std::size_t size) {
    return by_fd ? ::flistxattr(src_fd, buf, size) : ::llistxattr(src_path.c_str(), buf, size);
  };
  ssize_t n = list(nullptr, 0);
  if (n < 0) {
    if (errno == ENOTSUP) return {};
    return FailErrno("list xattrs of " + rel, errno);
  }
  if (n == 0) return {};
  std::string names(static_cast<std::size_t>(n), '\0');
  n = list(names.data(), names.size());
  if (n < 0) return FailErrno("list xattrs of " + rel, errno);
  names.resize(static_cast<std::size_t>(n));
  for (std::size_t pos = 0; pos < names.size();) {
    const char* key = names.c_str() + pos;
    pos += std::string_view(key).size() + 1;
    auto get = [&](void* buf, std::size_t size) {
      return by_fd ? ::fgetxattr(src_fd, key, buf, size)
                   : ::lgetxattr(src_path.c_str(), key, buf, size);
    };
    ssize_t size = get(nullptr, 0);
    if (size < 0) {
      if (errno == ENODATA || IgnorableXattrError(errno)) continue;
      return FailErrno("read xattr " + std::string(key) + " of " + rel, errno);
    }
    std::string value(static_cast<std::size_t>(size), '\0');
    size = get(value.data(), value.size());
    if (size < 0) return FailErrno("read xattr " + std::string(key) + " of " + rel, errno);
    value.resize(static_cast<std::size_t>(size));
    int rc = by_fd ? ::fsetxattr(dst_fd, key, value.data(), value.size(), 0)
                   : ::lsetxattr(dst_path.c_str(), key, value.data(), value.size(), 0);
    if (rc != 0 && !IgnorableXattrError(errno)) {
      return FailErrno("set xattr " + std::string(key) + " on " + rel, errno);
    }
  }
  return {};
}

// Owner, then mode (a chown clears setuid/setgid), xattrs and times of an open object.
Result<void> ApplyMetadata(int src_fd, int dst_fd, const struct stat& st, const std::string& rel) {
  if (::fchown(dst_fd, st.st_uid, st.st_gid) != 0) return FailErrno("chown " + rel, errno);
  if (::fchmod(dst_fd, st.st_mode & 07777) != 0) return FailErrno("chmod " + rel, errno);
  BUILDER_TRY(CopyXattrs(src_fd, dst_fd, "", "", rel.empty() ? "." : rel));
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(dst_fd, times) != 0) return FailErrno("set times of " + rel, errno);
  return {};
}

Result<void> CopyData(int in, int out, const std::string& rel) {
  bool use_range = true;
  std::vector<char> buf;
  for (;;) {
    if (use_range) {
      ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
      if (n > 0) continue;
      if (n == 0) return {};
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
        return FailErrno("copy " + rel, errno);
      }
      use_range = false;  // nothing was copied by the failing call: go on with read/write
      buf.resize(1 << 17);
    }
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n == 0) return {};
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno("read " + rel, errno);
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return FailErrno("write " + rel, errno);
      }
      done += w;
    }
  }
}

std::string ProcPath(int dir_fd, const std::string& name) {
  return "/proc/self/fd/" + std::to_string(dir_fd) + "/" + name;
}

// Copies one non-directory entry of `frame`; directories are handled by the walk.
Result<void> CopyLeaf(Frame& frame, const std::string& name, const struct stat& st,
                      std::map<std::pair<dev_t, ino_t>, std::string>& links, int dst_root) {
  const std::string rel = Join(frame.rel, name);
  const int sdir = frame.src.get(), ddir = frame.dst.get();
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
    auto [it, first] = links.try_emplace({st.st_dev, st.st_ino}, rel);
    if (!first) {
      if (::linkat(dst_root, it->second.c_str(), ddir, name.c_str(), 0) != 0) {
        return FailErrno("link " + rel + " to " + it->second, errno);
      }
      return {};
    }
  }
  if (S_ISREG(st.st_mode)) {
    UniqueFd in(::openat(sdir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
    if (!in) return FailErrno("open " + rel, errno);
    UniqueFd out(::openat(ddir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          0600));
    if (!out) return FailErrno("create " + rel, errno);
    BUILDER_TRY(CopyData(in.get(), out.get(), rel));
    BUILDER_TRY(ApplyMetadata(in.get(), out.get(), st, rel));
    return out.Close();
  }
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlinkat(sdir, name.c_str(), target.data(), target.size());
    if (n < 0) return FailErrno("read link " + rel, errno);
    target.resize(static_cast<std::size_t>(n));
    if (::symlinkat(target.c_str(), ddir, name.c_str()) != 0) {
      return FailErrno("create link " + rel, errno);
    }
  } else if (S_ISFIFO(st.st_mode)) {
    if (::mkfifoat(ddir, name.c_str(), 0600) != 0) return FailErrno("create fifo " + rel, errno);
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    if (::mknodat(ddir, name.c_str(), (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0) {
      return FailErrno("create device " + rel, errno);
    }
  } else {
    return {};  // a socket means nothing without its listener
  }
  if (::fchownat(ddir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return FailErrno("chown " + rel, errno);
  }
  if (!S_ISLNK(st.st_mode) && ::fchmodat(ddir, name.c_str(), st.st_mode & 07777, 0) != 0) {
    return FailErrno("chmod " + rel, errno);
  }
  BUILDER_TRY(CopyXattrs(-1, -1, ProcPath(sdir, name), ProcPath(ddir, name), rel));
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(ddir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return FailErrno("set times of " + rel, errno);
  }
  return {};
}

Result<Frame> OpenFrame(int src_parent, int dst_parent, const std::string& name, std::string rel,
                        bool create) {
  Frame f;
  f.rel = std::move(rel);
  const std::string shown = f.rel.empty() ? "." : f.rel;
  f.src.Reset(::openat(src_parent, name.c_str(),
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!f.src) return FailErrno("open directory " + shown, errno);
  if (::fstat(f.src.get(), &f.st) != 0) return FailErrno("stat " + shown, errno);
  if (create && ::mkdirat(dst_parent, name.c_str(), 0700) != 0) {
    return FailErrno("create directory " + shown, errno);
  }
  f.dst.Reset(::openat(dst_parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!f.dst) return FailErrno("open directory " + shown + " in the copy", errno);
  UniqueFd list(::openat(f.src.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!list) return FailErrno("open directory " + shown, errno);
  f.names = BUILDER_TRY(ListDirectory(std::move(list), shown));
  return f;
}

}  // namespace

Result<void> CopyTreeContents(int src_fd, int dst_fd) {
  std::map<std::pair<dev_t, ino_t>, std::string> links;
  std::vector<Frame> stack;
  stack.push_back(BUILDER_TRY(OpenFrame(src_fd, dst_fd, ".", "", false)));
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.names.size()) {
      // Last, so the copy's own entries do not bump its times and a read-only mode does not
      // stop them being written.
      BUILDER_TRY(ApplyMetadata(top.src.get(), top.dst.get(), top.st, top.rel));
      stack.pop_back();
      continue;
    }
    const std::string name = top.names[top.next++];
    struct stat st;
    if (::fstatat(top.src.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return FailErrno("stat " + Join(top.rel, name), errno);
    }
    if (S_ISDIR(st.st_mode)) {
      Frame child = BUILDER_TRY(
          OpenFrame(top.src.get(), top.dst.get(), name, Join(top.rel, name), true));
      stack.push_back(std::move(child));  // invalidates `top`
      continue;
    }
    BUILDER_TRY(CopyLeaf(top, name, st, links, dst_fd));
  }
  return {};
}

}  // namespace builder::runner
