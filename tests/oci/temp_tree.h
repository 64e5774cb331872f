// Test helpers for layer tests: a self-removing temp dir, file creation and a tree snapshot.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace builder::oci::testing {

/// mkdtemp under /tmp, removed (rm -rf, after making everything writable) on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/builder-oci-test-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::string cmd = "chmod -R u+rwx '" + path_ + "' 2>/dev/null; rm -rf '" + path_ + "'";
    (void)std::system(cmd.c_str());
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline bool PutFile(const std::string& path, const std::string& content, mode_t mode = 0644) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::fchmod(fd, mode);
  ::close(fd);
  return ok;
}

inline std::string GetFile(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "<missing>";
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

/// One line per path under root (not the root): type, mode, uid/gid, size, mtime (whole
/// seconds, directories included), link target or content, user.* xattrs, and for hard links
/// the first path sharing the inode.
inline std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  std::map<std::pair<dev_t, ino_t>, std::string> inodes;
  std::vector<std::string> todo{""};
  while (!todo.empty()) {
    std::string rel = todo.back();
    todo.pop_back();
    std::string dir = rel.empty() ? root : root + "/" + rel;
    DIR* d = opendir(dir.c_str());
    if (!d) continue;
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    for (const auto& n : names) {
      std::string p = rel.empty() ? n : rel + "/" + n;
      std::string full = root + "/" + p;
      struct stat st;
      if (::lstat(full.c_str(), &st) != 0) continue;
      std::string line = std::to_string(st.st_mode) + " " + std::to_string(st.st_uid) + ":" +
                         std::to_string(st.st_gid) + " t=" + std::to_string(st.st_mtim.tv_sec);
      if (S_ISREG(st.st_mode)) {
        line += " size=" + std::to_string(st.st_size) + " data=" + GetFile(full);
        if (st.st_nlink > 1) {
          auto [it, ins] = inodes.try_emplace({st.st_dev, st.st_ino}, p);
          line += " inode-of=" + it->second;
        }
      } else if (S_ISLNK(st.st_mode)) {
        char buf[4096];
        ssize_t n2 = ::readlink(full.c_str(), buf, sizeof buf);
        line += " -> " + std::string(buf, n2 > 0 ? static_cast<size_t>(n2) : 0);
      } else if (S_ISDIR(st.st_mode)) {
        todo.push_back(p);
      }
      if (!S_ISLNK(st.st_mode)) {
        char names_buf[4096];
        ssize_t len = ::llistxattr(full.c_str(), names_buf, sizeof names_buf);
        std::vector<std::string> xs;
        for (ssize_t i = 0; i < len;) {
          std::string x = names_buf + i;
          i += static_cast<ssize_t>(x.size()) + 1;
          if (x.rfind("user.", 0) != 0) continue;
          char v[1024];
          ssize_t vl = ::lgetxattr(full.c_str(), x.c_str(), v, sizeof v);
          xs.push_back(x + "=" + std::string(v, vl > 0 ? static_cast<size_t>(vl) : 0));
        }
        std::sort(xs.begin(), xs.end());
        for (auto& x : xs) line += " " + x;
      }
      out[p] = line;
    }
  }
  return out;
}

}  // namespace builder::oci::testing
