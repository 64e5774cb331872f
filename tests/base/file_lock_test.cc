// Tests for FileLock: exclusive locks exclude, shared locks share, release on destruction.
#include "base/file_lock.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

namespace builder {
namespace {

std::string TempLockPath() {
  char dir[] = "/tmp/builder-lock-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  return std::string(dir) + "/lock";
}

TEST_CASE("FileLock: exclusive excludes, shared shares, released on destruction") {
  const std::string path = TempLockPath();
  {
    auto ex = FileLock::Acquire(path, FileLock::Mode::kExclusive);
    REQUIRE(ex.has_value());
    // flock locks belong to the open file description: a second open conflicts even in-process.
    auto again = FileLock::TryAcquire(path, FileLock::Mode::kShared);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().code() == ErrorCode::kAlreadyExists);
  }
  auto s1 = FileLock::TryAcquire(path, FileLock::Mode::kShared);
  auto s2 = FileLock::TryAcquire(path, FileLock::Mode::kShared);
  CHECK(s1.has_value());
  CHECK(s2.has_value());
  CHECK_FALSE(FileLock::TryAcquire(path, FileLock::Mode::kExclusive).has_value());
}

TEST_CASE("FileLock: a lock file in a missing directory is an error naming it") {
  auto r = FileLock::Acquire("/nonexistent-dir-xyz/lock", FileLock::Mode::kExclusive);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().ToString().find("/nonexistent-dir-xyz/lock") != std::string::npos);
}

}  // namespace
}  // namespace builder
