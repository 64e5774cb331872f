// Test helpers for layer tests: a self-removing temp dir, file creation and a tree snapshot.
#pragma once

#include <doctest/doctest.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
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

inline void SetMtime(const std::string& path, time_t t) {
  timespec ts[2] = {{t, 0}, {t, 0}};
  REQUIRE(utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW) == 0);
}

// A tree with every kind of entry the writer handles unprivileged.
inline void MakeSampleTree(const std::string& root) {
  REQUIRE(mkdir((root + "/dir").c_str(), 0755) == 0);
  REQUIRE(mkdir((root + "/dir/empty").c_str(), 0700) == 0);
  REQUIRE(mkdir((root + "/dir-b").c_str(), 0755) == 0);
  REQUIRE(PutFile(root + "/dir/a.txt", "alpha\n"));
  REQUIRE(PutFile(root + "/dir-b/x", std::string(200000, 'x')));
  REQUIRE(PutFile(root + "/exec", "#!/bin/sh\n", 04755));
  REQUIRE(PutFile(root + "/" + std::string(150, 'L'), "long name"));
  REQUIRE(PutFile(root + "/caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac", "unicode"));
  REQUIRE(symlink("dir/a.txt", (root + "/link").c_str()) == 0);
  REQUIRE(symlink("/nonexistent/abs", (root + "/dangling").c_str()) == 0);
  REQUIRE(link((root + "/dir/a.txt").c_str(), (root + "/hard").c_str()) == 0);
  REQUIRE(mkfifo((root + "/fifo").c_str(), 0600) == 0);
  // Not every filesystem takes user xattrs; the round trip compares whatever stuck.
  (void)setxattr((root + "/dir/a.txt").c_str(), "user.test", "v1", 2, 0);
  (void)setxattr((root + "/dir").c_str(), "user.dirattr", "d", 1, 0);
  for (const std::string& p : std::vector<std::string>{"dir/a.txt", "dir-b/x", "exec", "link", "dangling", "fifo", "dir/empty",
                        "dir", "dir-b", std::string(150, 'L'), "caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac"})
    SetMtime(root + "/" + p, 1600000000);
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
        std::string data = GetFile(full);
        line += " size=" + std::to_string(st.st_size) + " data=" +
                (data.size() <= 64 ? data : std::to_string(std::hash<std::string>()(data)));
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
