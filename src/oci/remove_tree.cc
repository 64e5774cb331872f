// Iterative rm -rf for snapshot and staging trees.
#include "oci/remove_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

namespace builder::oci {

namespace {

/// Removes the non-directories in dir and returns its subdirectories (unvisited).
Result<std::vector<std::string>> ClearFiles(const std::string& dir, std::uint64_t* freed) {
  ::chmod(dir.c_str(), 0700);  // best effort; opendir reports what really fails
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
  if (!d) return FailErrno("open directory " + dir, errno);
  std::vector<std::string> subdirs;
  const int dfd = ::dirfd(d.get());
  errno = 0;
  while (dirent* e = ::readdir(d.get())) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return FailErrno("stat " + dir + "/" + std::string(name), errno);
    }
    if (S_ISDIR(st.st_mode)) {
      subdirs.push_back(dir + "/" + std::string(name));
    } else {
      if (::unlinkat(dfd, e->d_name, 0) != 0 && errno != ENOENT) {
        return FailErrno("remove " + dir + "/" + std::string(name), errno);
      }
      *freed += static_cast<std::uint64_t>(st.st_size);
    }
    errno = 0;
  }
  if (errno != 0) return FailErrno("read directory " + dir, errno);
  return subdirs;
}

}  // namespace

Result<std::uint64_t> RemoveTree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return 0;
    return FailErrno("stat " + path, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return FailErrno("remove " + path, errno);
    return static_cast<std::uint64_t>(st.st_size);
  }
  std::uint64_t freed = 0;
  // Each frame is a directory and whether its files have been cleared and children queued.
  struct Frame {
    std::string dir;
    bool expanded = false;
  };
  std::vector<Frame> stack{{path, false}};
  while (!stack.empty()) {
    if (!stack.back().expanded) {
      stack.back().expanded = true;
      std::vector<std::string> subdirs = BUILDER_TRY(ClearFiles(stack.back().dir, &freed));
      for (std::string& sub : subdirs) stack.push_back({std::move(sub), false});
      continue;
    }
    if (::rmdir(stack.back().dir.c_str()) != 0 && errno != ENOENT) {
      return FailErrno("remove directory " + stack.back().dir, errno);
    }
    stack.pop_back();
  }
  return freed;
}

Result<std::uint64_t> RemoveEntry(const std::string& dir, const std::string& name,
                                  std::string_view what) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return Fail(ErrorCode::kInvalidArgument, "bad " + std::string(what) + " name " + name);
  }
  return RemoveTree(dir + "/" + name);
}

}  // namespace builder::oci
