// Tests for entry-name cleaning and openat2 confinement.
#include "oci/safe_path.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace builder::oci {
namespace {

TEST_CASE("CleanEntryName") {
  CHECK(CleanEntryName("a/b").value() == "a/b");
  CHECK(CleanEntryName("./a//b/").value() == "a/b");
  CHECK(CleanEntryName("/etc/passwd").value() == "etc/passwd");
  CHECK(CleanEntryName("a/../b").value() == "b");
  CHECK(CleanEntryName("./").value() == ".");
  CHECK(CleanEntryName("/").value() == ".");
  for (std::string bad : {std::string(".."), std::string("../x"), std::string("a/../../x"),
                          std::string("/../x"), std::string(""), std::string("a\0b", 3),
                          std::string(5000, 'a'), std::string(300, 'b') + "/c"}) {
    CAPTURE(bad);
    auto r = CleanEntryName(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::kCorrupt);
  }
  CHECK(CleanEntryName("../x").error().message().find("escapes the root") != std::string::npos);
}

TEST_CASE("OpenInRoot keeps symlinks inside the root") {
  char tmpl[] = "/tmp/builder-safe-path-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  std::string dir = tmpl;
  REQUIRE(mkdir((dir + "/root").c_str(), 0755) == 0);
  REQUIRE(mkdir((dir + "/outside").c_str(), 0755) == 0);
  REQUIRE(symlink((dir + "/outside").c_str(), (dir + "/root/abs").c_str()) == 0);
  REQUIRE(symlink("../outside", (dir + "/root/rel").c_str()) == 0);
  int root = open((dir + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(root >= 0);

  // Confined: both links are re-rooted, so the outside dir is not reachable.
  CHECK_FALSE(OpenInRoot(root, "abs/f", O_WRONLY | O_CREAT, 0644));
  // "../outside" from the root means root/outside, which does not exist.
  auto rel = OpenInRoot(root, "rel", O_PATH | O_DIRECTORY);
  REQUIRE_FALSE(rel);
  CHECK(rel.error().sys_errno() == ENOENT);

  // No symlinks at all.
  auto nosym = OpenInRoot(root, "rel/x", O_PATH, 0, kResolveBeneath | kResolveNoSymlinks);
  REQUIRE_FALSE(nosym);
  CHECK(nosym.error().sys_errno() == ELOOP);

  // mkdir -p through a symlink never creates outside.
  auto made = MkdirAllInRoot(root, "abs/x/y");
  CHECK(access((dir + "/outside/x").c_str(), F_OK) != 0);
  auto made2 = MkdirAllInRoot(root, "d/e/f", 0755, kResolveBeneath | kResolveNoSymlinks);
  REQUIRE(made2);
  CHECK(access((dir + "/root/d/e/f").c_str(), F_OK) == 0);
  auto refused = MkdirAllInRoot(root, "rel/z", 0755, kResolveBeneath | kResolveNoSymlinks);
  CHECK_FALSE(refused);
  CHECK(access((dir + "/outside/z").c_str(), F_OK) != 0);

  std::string leaf;
  auto parent = OpenParentInRoot(root, "d/e/f/file", &leaf, false);
  REQUIRE(parent);
  CHECK(leaf == "file");
  close(root);
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace builder::oci
