// For fuzz targets that write files: a private, empty /tmp (a tmpfs in a mount namespace of this
// process, when privileged) so that whatever appears there or in / besides the target's own temp
// dir is an escape, not another process's file.
#pragma once

#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>

#include <set>
#include <string>

namespace fuzz {

/// The names in dir ("." and ".." included); empty when it cannot be read.
inline std::set<std::string> ListDir(const std::string& dir) {
  std::set<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) names.insert(e->d_name);
    closedir(d);
  }
  return names;
}

/// Once per process: mounts an empty tmpfs on /tmp in a new mount namespace. True when /tmp is
/// private (then a caller may require it to hold only its own dir); false unprivileged, where
/// the caller checks only its own temp dir.
inline bool PrivateTmp() {
  static const bool is_private = [] {
    if (unshare(CLONE_NEWNS) != 0) return false;
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
    return mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID, "size=1g,mode=1777") == 0;
  }();
  return is_private;
}

}  // namespace fuzz
