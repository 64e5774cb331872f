// Tests for lexical path helpers and atomic file writes.
#include <doctest/doctest.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/path.h"

namespace builder {
namespace {

TEST_CASE("CleanPath follows Go's path.Clean") {
  struct Row { const char* in; const char* out; };
  const Row rows[] = {
      {"", "."}, {".", "."}, {"/", "/"}, {"//", "/"}, {"a/", "a"}, {"a//b", "a/b"},
      {"a/./b", "a/b"}, {"a/../b", "b"}, {"../a", "../a"}, {"a/../..", ".."},
      {"/..", "/"}, {"/../a", "/a"}, {"./a/b/", "a/b"}, {"abc/def/../../..", ".."},
      {"a/b/c/../../d", "a/d"}, {"/a/b/../../../c", "/c"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.in);
    CHECK(CleanPath(r.in) == r.out);
  }
}

TEST_CASE("join, base, dir, local") {
  CHECK(JoinPath("a/", "../b") == "b");
  CHECK(JoinPath("/x", "/y") == "/x/y");
  CHECK(JoinPath("", "a") == "a");
  CHECK(BaseName("a/b/") == "b");
  CHECK(BaseName("/") == "/");
  CHECK(BaseName("") == ".");
  CHECK(DirName("a/b") == "a");
  CHECK(DirName("b") == ".");
  CHECK(DirName("/b") == "/");
  CHECK(IsLocalPath("a/../b"));
  CHECK_FALSE(IsLocalPath("a/../../b"));
  CHECK_FALSE(IsLocalPath("/etc"));
  CHECK_FALSE(IsLocalPath(".."));
}

TEST_CASE("WriteFileAtomic replaces content and leaves no temp files") {
  char tmpl[] = "/tmp/builder-path-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  std::string dir = tmpl;
  REQUIRE(MakeDirs(dir + "/x/y/z"));
  std::string file = dir + "/x/y/z/f";
  REQUIRE(WriteFileAtomic(file, "one"));
  REQUIRE(WriteFileAtomic(file, "two", 0600));
  CHECK(ReadFile(file).value() == "two");
  struct stat st;
  REQUIRE(stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  int entries = 0;
  DIR* d = opendir((dir + "/x/y/z").c_str());
  while (auto* e = readdir(d)) entries += e->d_name[0] != '.';
  closedir(d);
  CHECK(entries == 1);
  auto r = WriteFileAtomic(dir + "/missing/f", "x");
  REQUIRE_FALSE(r);
  CHECK(r.error().message().starts_with("create temp file in " + dir + "/missing: "));
  REQUIRE(WriteFileAtomic(dir + "/plain", "x"));
  auto notdir = MakeDirs(dir + "/plain");
  REQUIRE_FALSE(notdir);
  CHECK(notdir.error().message() == dir + "/plain exists and is not a directory");
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("ListDirectory gives entry names sorted, without . and .., and errno on failure") {
  char tmpl[] = "/tmp/builder-path-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  std::string dir = tmpl;
  REQUIRE(MakeDirs(dir + "/b"));
  REQUIRE(WriteFileAtomic(dir + "/a", "x"));
  REQUIRE(WriteFileAtomic(dir + "/.hidden", "x"));
  auto names = ListDirectory(dir);
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{".hidden", "a", "b"});
  auto missing = ListDirectory(dir + "/none");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().sys_errno() == ENOENT);
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace builder
