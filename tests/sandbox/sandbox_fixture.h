// Test helpers for real sandbox runs: a busybox rootfs in a temp dir and output capture.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sandbox/sandbox.h"

namespace builder::sandbox::testing {

inline const char* kBusybox = "/bin/busybox";

/// mkdtemp under /tmp (mode 0755 so another uid can use it), removed on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/builder-sandbox-test-XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    path_ = tmpl;
    ::chmod(path_.c_str(), 0755);
  }
  ~TempDir() {
    std::string cmd = "chmod -R u+rwx '" + path_ + "' 2>/dev/null; rm -rf '" + path_ + "'";
    (void)std::system(cmd.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

inline std::string ReadAll(int fd) {
  std::string out;
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

/// A busybox rootfs (lower), empty upper and work dirs, and memfds catching stdout/stderr.
class BusyboxRoot {
 public:
  BusyboxRoot() {
    lower_ = dir_ / "lower";
    upper_ = dir_ / "upper";
    work_ = dir_ / "work";
    for (const auto& d : {lower_, upper_, work_, lower_ + "/bin", lower_ + "/tmp"}) {
      ::mkdir(d.c_str(), 0755);
    }
    ::chmod((lower_ + "/tmp").c_str(), 01777);
    std::string cp = std::string("cp ") + kBusybox + " " + lower_ + "/bin/busybox";
    if (std::system(cp.c_str()) != 0) std::abort();
    for (const char* tool : {"sh",    "echo",  "cat",   "id",   "ls",   "hostname", "ps",
                             "ip",    "sleep", "tr",    "yes",  "head", "wc",       "unshare",
                             "touch", "grep",  "mkdir", "test", "true", "false"}) {
      ::symlink("busybox", (lower_ + "/bin/" + tool).c_str());
    }
    out_ = ::memfd_create("stdout", MFD_CLOEXEC);
    err_ = ::memfd_create("stderr", MFD_CLOEXEC);
  }
  ~BusyboxRoot() {
    ::close(out_);
    ::close(err_);
  }

  /// Chowns the upper and work dirs (and the folder holding them) to `uid`.
  void ChownTo(uid_t uid, gid_t gid) {
    for (const auto& d : {dir_.path(), upper_, work_}) (void)!::chown(d.c_str(), uid, gid);
  }

  SandboxSpec Spec(std::vector<std::string> argv) const {
    SandboxSpec spec;
    spec.lower_dirs = {lower_};
    spec.upper_dir = upper_;
    spec.work_dir = work_;
    spec.argv = std::move(argv);
    spec.env = {"PATH=/bin", "HOME=/"};
    spec.hostname = "sandbox-test";
    spec.stdout_fd = out_;
    spec.stderr_fd = err_;
    return spec;
  }
  SandboxSpec Shell(const std::string& script) const { return Spec({"sh", "-c", script}); }

  std::string out() const { return ReadAll(out_); }
  std::string err() const { return ReadAll(err_); }
  const std::string& lower() const { return lower_; }
  const std::string& upper() const { return upper_; }
  const std::string& work() const { return work_; }

 private:
  TempDir dir_;
  std::string lower_, upper_, work_;
  int out_ = -1, err_ = -1;
};

/// True (after a MESSAGE) when this machine cannot run sandboxes: tests then return early.
inline bool SkipWithoutSandbox() {
  if (::access(kBusybox, X_OK) != 0) {
    MESSAGE("skipped: " << kBusybox << " missing (apt-get install busybox-static)");
    return true;
  }
  if (auto ok = CheckUserNamespaces(); !ok) {
    MESSAGE("skipped: user namespaces unavailable: " << ok.error().ToString());
    return true;
  }
  return false;
}

}  // namespace builder::sandbox::testing
