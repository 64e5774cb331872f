// ListChanges: docker diff's A/C/D lines from an upper dir over lower layers.
#include "runner/container_changes.h"
#include "runner_fixture.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace builder::runner {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

void Put(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Gives the upper copy of a directory the lower one's mode and times, as overlayfs' copy-up.
void SameMeta(const std::string& upper, const std::string& lower) {
  struct stat st {};
  REQUIRE(::stat(lower.c_str(), &st) == 0);
  timespec times[2] = {st.st_atim, st.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, upper.c_str(), times, 0) == 0);
}

std::string Lines(const std::vector<FileChange>& changes) {
  std::string out;
  for (const FileChange& c : changes) out += std::string(1, c.kind) + " " + c.path + "\n";
  return out;
}

TEST_CASE("ListChanges: added, changed, untouched parents and the ancestors of an addition") {
  TempDir t;
  const std::string lower = t.path() + "/lower", upper = t.path() + "/upper";
  fs::create_directories(lower + "/etc");
  fs::create_directories(lower + "/a/b");
  Put(lower + "/etc/passwd", "root\n");
  fs::create_directories(upper + "/etc");
  fs::create_directories(upper + "/a/b/new/deep");
  fs::create_directories(upper + "/tmp");
  Put(upper + "/etc/passwd", "root\nuser\n");
  Put(upper + "/tmp/x", "x");
  Put(upper + "/a/b/new/deep/f", "f");
  // Copied up only for their children: same metadata as below.
  SameMeta(upper + "/etc", lower + "/etc");
  SameMeta(upper + "/a", lower + "/a");
  SameMeta(upper + "/a/b", lower + "/a/b");

  auto changes = ListChanges(upper, {lower});
  REQUIRE(changes);
  CHECK(Lines(*changes) ==
        "C /a\n"
        "C /a/b\n"
        "A /a/b/new\n"
        "A /a/b/new/deep\n"
        "A /a/b/new/deep/f\n"
        "C /etc/passwd\n"
        "A /tmp\n"
        "A /tmp/x\n");
}

TEST_CASE("ListChanges: whiteouts and opaque directories are deletions") {
  if (::geteuid() != 0) return;  // whiteouts are character devices: mknod needs root
  TempDir t;
  const std::string lower = t.path() + "/lower", upper = t.path() + "/upper";
  fs::create_directories(lower + "/data/sub");
  Put(lower + "/data/g", "g");
  Put(lower + "/data/sub/old", "o");
  fs::create_directories(upper + "/data/sub");
  REQUIRE(::mknod((upper + "/data/g").c_str(), S_IFCHR | 0, makedev(0, 0)) == 0);
  REQUIRE(::setxattr((upper + "/data/sub").c_str(), "user.overlay.opaque", "y", 1, 0) == 0);
  Put(upper + "/data/sub/n", "n");
  SameMeta(upper + "/data", lower + "/data");

  auto changes = ListChanges(upper, {lower});
  REQUIRE(changes);
  CHECK(Lines(*changes) ==
        "C /data\n"
        "D /data/g\n"
        "D /data/sub\n"
        "A /data/sub/n\n");
}

TEST_CASE("ListChanges: an unlisted ancestor follows the listed directory below it (docker's order)") {
  TempDir t;
  const std::string lower = t.path() + "/lower", upper = t.path() + "/upper";
  fs::create_directories(lower + "/home/app");
  fs::create_directories(upper + "/home/app");
  Put(upper + "/home/app/f", "f");
  SameMeta(upper + "/home", lower + "/home");
  ::chmod((upper + "/home/app").c_str(), 0700);  // changed itself: listed as C when visited

  auto changes = ListChanges(upper, {lower});
  REQUIRE(changes);
  CHECK(Lines(*changes) ==
        "C /home/app\n"
        "C /home\n"
        "A /home/app/f\n");
}

TEST_CASE("ListChanges: a missing upper dir is an error") {
  CHECK_FALSE(ListChanges("/nonexistent/upper", {}));
}

}  // namespace
}  // namespace builder::runner
