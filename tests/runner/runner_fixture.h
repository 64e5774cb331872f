// Shared by the runner's tests: a scratch directory under /tmp, removed with everything in it.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace builder::runner::testing {

/// mkdtemp under /tmp; on destruction made writable again (a test may have taken its owner's
/// rights away) and removed.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/builder-runner-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace builder::runner::testing
