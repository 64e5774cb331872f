// ListChanges: a sorted depth-first walk of the upper dir, each entry compared with the merged
// lower layers.
#include "runner/container_changes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/path.h"
#include "base/unique_fd.h"
#include "oci/merged_view.h"

namespace builder::runner {
namespace {

bool IsOpaque(int dir_fd) {
  for (const char* name : {"user.overlay.opaque", "trusted.overlay.opaque"}) {
    char v[2];
    if (::fgetxattr(dir_fd, name, v, sizeof v) == 1 && v[0] == 'y') return true;
  }
  return false;
}

bool SameTime(const timespec& a, const timespec& b) {
  // Go's sameFsTime: equal seconds, and equal nanoseconds unless one side has none.
  return a.tv_sec == b.tv_sec && (a.tv_nsec == b.tv_nsec || a.tv_nsec == 0 || b.tv_nsec == 0);
}

std::string ParentOf(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

class ChangeWalk {
 public:
  explicit ChangeWalk(const std::vector<std::string>& lowers) : lowers_(lowers) {}

  Result<void> Walk(int dir_fd, const std::string& dir_path) {
    // Its own descriptor: readdir moves the offset that the caller's shares.
    UniqueFd own(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!own) return FailErrno("read directory " + Shown(dir_path), errno);
    for (const std::string& name : BUILDER_TRY(ListDirectory(std::move(own), Shown(dir_path)))) {
      const std::string path = (dir_path == "/" ? "" : dir_path) + "/" + name;
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return FailErrno("stat " + path, errno);
      }
      UniqueFd child;
      if (S_ISDIR(st.st_mode)) {
        child = UniqueFd(::openat(dir_fd, name.c_str(),
                                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child) return FailErrno("open " + path, errno);
      }
      Visit(path, st, child);
      if (child) BUILDER_TRY(Walk(child.get(), path));
    }
    return {};
  }

  std::vector<FileChange> take() { return std::move(changes_); }

 private:
  static std::string Shown(const std::string& p) { return p.empty() ? "/" : p; }

  void Visit(const std::string& path, const struct stat& st, const UniqueFd& dir) {
    auto lower = lowers_.Lookup(path);
    char kind = 'A';
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) {
      kind = 'D';
    } else if (dir && lower && IsOpaque(dir.get())) {
      kind = 'D';
    } else if (lower) {
      if (S_ISDIR(st.st_mode) && S_ISDIR(lower->st.st_mode) && st.st_size == lower->st.st_size &&
          st.st_mode == lower->st.st_mode && SameTime(st.st_mtim, lower->st.st_mtim)) {
        return;  // copied up only because something below it changed
      }
      kind = 'C';
    }
    if (S_ISDIR(st.st_mode)) listed_dirs_.insert(path);
    if (kind != 'C') {
      // Every ancestor shows as changed, even one whose own metadata is untouched.
      std::vector<std::string> missing;
      for (std::string p = ParentOf(path); p != "/"; p = ParentOf(p)) {
        if (listed_dirs_.insert(p).second) missing.push_back(p);
      }
      for (auto it = missing.rbegin(); it != missing.rend(); ++it) changes_.push_back({'C', *it});
    }
    changes_.push_back({kind, path});
  }

  oci::MergedView lowers_;
  std::set<std::string> listed_dirs_;
  std::vector<FileChange> changes_;
};

}  // namespace

Result<std::vector<FileChange>> ListChanges(const std::string& upper_dir,
                                            const std::vector<std::string>& lower_layers) {
  UniqueFd root(::open(upper_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root) return FailErrno("open upper dir " + upper_dir, errno);
  ChangeWalk walk(lower_layers);
  BUILDER_TRY(walk.Walk(root.get(), "/"));
  return walk.take();
}

}  // namespace builder::runner
