// Tests for StagedFile: publish on Commit, nothing left behind otherwise.
#include "base/staged_file.h"

#include <dirent.h>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "base/path.h"

namespace builder {
namespace {

std::string MakeTempDir() {
  char dir[] = "/tmp/builder-staged-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  return dir;
}

int CountEntries(const std::string& dir) {
  int n = 0;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (dirent* e = ::readdir(d)) {
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") ++n;
  }
  ::closedir(d);
  return n;
}

TEST_CASE("StagedFile: Commit publishes the whole content with the requested mode") {
  const std::string dir = MakeTempDir();
  auto staged = StagedFile::Create(dir, 0600);
  REQUIRE(staged.has_value());
  REQUIRE(staged->Write("hello ").has_value());
  REQUIRE(staged->Write("world").has_value());
  CHECK_FALSE(::access((dir + "/out").c_str(), F_OK) == 0);
  REQUIRE(staged->Commit(dir + "/out").has_value());
  CHECK(ReadFile(dir + "/out").value() == "hello world");
  struct stat st;
  REQUIRE(::stat((dir + "/out").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(CountEntries(dir) == 1);
  CHECK_FALSE(staged->Commit(dir + "/again").has_value());
}

TEST_CASE("StagedFile: dropped uncommitted leaves nothing; moved-from objects do not unlink") {
  const std::string dir = MakeTempDir();
  {
    auto staged = StagedFile::Create(dir);
    REQUIRE(staged.has_value());
    REQUIRE(staged->Write("partial").has_value());
    CHECK(CountEntries(dir) == 1);
    StagedFile moved(std::move(*staged));
    CHECK(CountEntries(dir) == 1);
  }
  CHECK(CountEntries(dir) == 0);
}

TEST_CASE("StagedFile: a missing directory is an error naming it") {
  auto staged = StagedFile::Create("/nonexistent-dir-xyz");
  REQUIRE_FALSE(staged.has_value());
  CHECK(staged.error().ToString().find("/nonexistent-dir-xyz") != std::string::npos);
}

}  // namespace
}  // namespace builder
