// Tests for ChownToContainer: a plain lchown as host root, root-only as another user.
#include "executor/container_owner.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace builder::executor {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/builder-owner-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
    chmod(path.c_str(), 01777);  // another uid creates files here too
  }
  ~TempDir() { (void)!std::system(("rm -rf '" + path + "'").c_str()); }
};

// The rootless branch on a file the calling user creates in dir:
// 0 = 0:0 accepted and the file untouched, 1 = 5:5 refused as kUnsupported, else a failure.
int RootlessChecks(const std::string& dir) {
  std::string file = dir + "/mine";
  int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return 10;
  close(fd);
  if (!ChownToContainer(file, 0, 0)) return 11;
  struct stat st;
  if (lstat(file.c_str(), &st) != 0 || st.st_uid != geteuid()) return 12;
  auto other = ChownToContainer(file, 5, 5);
  if (other || other.error().code() != ErrorCode::kUnsupported) return 13;
  if (other.error().ToString().find(file) == std::string::npos) return 14;
  return 0;
}

// As root of a user namespace that maps only id 0 (to host root): 0:0 is a real chown, an
// unmapped id is refused as kUnsupported. 0 = as expected, else a failure.
int NamespaceRootChecks(const std::string& dir) {
  std::string file = dir + "/ns";
  int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return 20;
  close(fd);
  if (unshare(CLONE_NEWUSER) != 0) return 21;
  for (const char* w : {"/proc/self/uid_map=0 0 1", "/proc/self/setgroups=deny",
                        "/proc/self/gid_map=0 0 1"}) {
    std::string entry = w;
    size_t eq = entry.find('=');
    int f = open(entry.substr(0, eq).c_str(), O_WRONLY | O_CLOEXEC);
    if (f < 0) return 22;
    std::string text = entry.substr(eq + 1);
    bool ok = write(f, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(f);
    if (!ok) return 23;
  }
  if (geteuid() != 0) return 24;
  if (!ChownToContainer(file, 0, 0)) return 25;
  auto unmapped = ChownToContainer(file, 1000, 1000);
  if (unmapped || unmapped.error().code() != ErrorCode::kUnsupported) return 26;
  if (unmapped.error().ToString().find("not mapped") == std::string::npos) return 27;
  return 0;
}

}  // namespace

TEST_CASE("ChownToContainer: host root gives the ids as they are; rootless only root's") {
  TempDir t;
  if (geteuid() != 0) {
    CHECK(RootlessChecks(t.path) == 0);
    return;
  }
  std::string file = t.path + "/f";
  int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  close(fd);
  REQUIRE(ChownToContainer(file, 1234, 5678));
  struct stat st;
  REQUIRE(lstat(file.c_str(), &st) == 0);
  CHECK(st.st_uid == 1234u);
  CHECK(st.st_gid == 5678u);
  // A symlink itself is changed, not its target.
  REQUIRE(symlink("f", (t.path + "/l").c_str()) == 0);
  REQUIRE(ChownToContainer(t.path + "/l", 42, 43));
  REQUIRE(lstat((t.path + "/l").c_str(), &st) == 0);
  CHECK(st.st_uid == 42u);
  REQUIRE(lstat(file.c_str(), &st) == 0);
  CHECK(st.st_uid == 1234u);
  CHECK_FALSE(ChownToContainer(t.path + "/missing", 0, 0));
  // The rootless branch, as nobody in a child.
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(90);
    _exit(RootlessChecks(t.path));
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("ChownToContainer: an id the user namespace does not map is refused with the reason") {
  if (geteuid() != 0) return;  // writing the map below needs a uid 0 that maps to itself
  TempDir t;
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) _exit(NamespaceRootChecks(t.path));
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  // 21: user namespaces are unavailable here; nothing to check.
  if (WEXITSTATUS(status) != 21) CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace builder::executor
